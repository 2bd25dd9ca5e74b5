import type { LogEvent, LogFormat, LogReader, ReadOptions } from './event.ts';
import { openLogInput, readDecompressedHead } from './input.ts';
import { READERS, detectFormat } from './readers/registry.ts';
import { HuntError } from './errors.ts';

/** The forced reader, or the one that recognises `head`; a clear error when neither applies. */
function pickReader(head: Uint8Array, path: string, forced?: LogFormat): LogReader {
  if (forced) {
    const r = READERS.get(forced);
    if (!r) throw new HuntError('UNKNOWN_FORMAT', `unknown input format '${forced}'`);
    return r;
  }
  const reader = detectFormat(head, path);
  if (!reader) {
    throw new HuntError(
      'UNKNOWN_FORMAT',
      `${path}: format not recognised (known: ${[...READERS.keys()].join(', ')}); use --input-format to force one`,
    );
  }
  return reader;
}

/** Chooses the reader for a file: the forced format, or the one that recognises its first bytes. */
export async function readerFor(path: string, forced?: LogFormat): Promise<LogReader> {
  return pickReader(forced ? new Uint8Array(0) : await readDecompressedHead(path), path, forced);
}

/** Streams the events of one file in batches, with its format detected or forced; the file is opened once. */
export async function* readLogFile(
  path: string,
  options: ReadOptions & { format?: LogFormat },
): AsyncIterable<LogEvent[]> {
  const opened = await openLogInput(path);
  try {
    yield* pickReader(opened.head, path, options.format).read(opened.input, options);
  } finally {
    await opened.close();
  }
}
