import type { LogEvent, LogFormat, LogReader, ReadOptions } from './event.ts';
import { openInput, readDecompressedHead } from './input.ts';
import { READERS, detectFormat } from './readers/registry.ts';
import { HuntError } from './errors.ts';

/** Chooses the reader for a file: the forced format, or the one that recognises its first bytes. */
export async function readerFor(path: string, forced?: LogFormat): Promise<LogReader> {
  if (forced) {
    const r = READERS.get(forced);
    if (!r) throw new HuntError('UNKNOWN_FORMAT', `unknown input format '${forced}'`);
    return r;
  }
  const head = await readDecompressedHead(path);
  const reader = detectFormat(head, path);
  if (!reader) {
    throw new HuntError(
      'UNKNOWN_FORMAT',
      `${path}: format not recognised (known: ${[...READERS.keys()].join(', ')}); use --input-format to force one`,
    );
  }
  return reader;
}

/** Streams the events of one file in batches, with its format detected or forced. */
export async function* readLogFile(
  path: string,
  options: ReadOptions & { format?: LogFormat },
): AsyncIterable<LogEvent[]> {
  const reader = await readerFor(path, options.format);
  const input = await openInput(path);
  yield* reader.read(input, options);
}
