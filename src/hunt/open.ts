import type { LogEvent, LogFormat, LogReader, ReadOptions } from './event.ts';
import { open } from 'node:fs/promises';
import { isGzip, openInput, readDecompressedHead } from './input.ts';
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

const READ_SIZE = 1 << 20;
const SNIFF_BYTES = 65536;

/**
 * Streams the events of one file in batches, with its format detected or forced. A plain file is opened once:
 * its first piece is both the sniffing head and the reader's first bytes (many small logs make opens count).
 */
export async function* readLogFile(
  path: string,
  options: ReadOptions & { format?: LogFormat },
): AsyncIterable<LogEvent[]> {
  const fh = await open(path, 'r');
  let first: Buffer;
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true;
      await fh.close();
    }
  };
  try {
    // buffers sized to the file: a 1 MiB buffer per small file makes the collector run for nothing
    const size = (await fh.stat()).size;
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(READ_SIZE, size)));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    first = buf.subarray(0, bytesRead);
    if (isGzip(first)) {
      await close();
      const reader = await readerFor(path, options.format);
      yield* reader.read(await openInput(path), options);
      return;
    }
    let reader: LogReader | undefined;
    if (options.format) reader = await readerFor(path, options.format);
    else reader = detectFormat(first.subarray(0, SNIFF_BYTES), path);
    if (!reader) reader = await readerFor(path); // throws the usual "not recognised" error
    const input = {
      path,
      chunks: async function* (): AsyncIterable<Uint8Array> {
        if (first.length === 0) return;
        yield first;
        let pos = first.length;
        for (;;) {
          // a fresh buffer per read: consumers may keep slices of earlier pieces
          const b = Buffer.allocUnsafe(Math.min(READ_SIZE, Math.max(65536, size - pos + 1)));
          const r = await fh.read(b, 0, b.length, pos);
          if (r.bytesRead === 0) return;
          pos += r.bytesRead;
          yield b.subarray(0, r.bytesRead);
        }
      },
    };
    yield* reader.read(input, options);
  } finally {
    await close();
  }
}
