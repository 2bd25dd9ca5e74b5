import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { ByteSource } from './event.ts';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const READ_SIZE = 1 << 20;

/** Reads up to `n` bytes from the start of a file (raw, not decompressed). */
export async function readHead(path: string, n: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
}

/**
 * The pieces of an open file from `pos` on, sized to what is left of the file, 64 KiB to 1 MiB: a 1 MiB buffer
 * per small log only feeds the garbage collector. Each piece is a fresh buffer (consumers may keep slices of
 * earlier pieces) unless `reuse` says the consumer copies what it keeps. Reads on past `size` so a file that
 * grows while it is read is read whole.
 */
async function* pieces(fh: FileHandle, pos: number, size: number, reuse = false): AsyncIterable<Uint8Array> {
  let shared: Buffer | undefined;
  for (;;) {
    const want = Math.min(READ_SIZE, Math.max(65536, size - pos + 1));
    const buf = reuse && shared && shared.length >= want ? shared : Buffer.allocUnsafe(want);
    if (reuse) shared = buf;
    const { bytesRead } = await fh.read(buf, 0, want, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

async function* fileChunks(path: string, reuse = false): AsyncIterable<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    yield* pieces(fh, 0, (await fh.stat()).size, reuse);
  } finally {
    await fh.close();
  }
}

/** An input opened for reading: its first bytes (decompressed) for sniffing, its content, and how to close it. */
export type OpenedInput = { readonly head: Uint8Array; readonly input: ByteSource; close(): Promise<void> };

/**
 * Opens a log once: for a plain file the first piece read is both the sniffing head and the reader's first
 * bytes (a folder of many small logs makes every open count); gzip goes through the decompressing path.
 */
export async function openLogInput(path: string, headBytes = 65536): Promise<OpenedInput> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(READ_SIZE, size)));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const first = buf.subarray(0, bytesRead);
    if (isGzip(first)) {
      await fh.close();
      return { head: await readDecompressedHead(path, headBytes), input: await openInput(path), close: async () => {} };
    }
    let closed = false;
    return {
      head: first.subarray(0, headBytes),
      input: {
        path,
        chunks: async function* (opts) {
          if (first.length === 0) return;
          yield first;
          yield* pieces(fh, first.length, size, opts?.reuse);
        },
      },
      close: async () => {
        if (closed) return;
        closed = true;
        await fh.close();
      },
    };
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
}

/** Opens a file as a ByteSource, decompressing gzip transparently (detected by magic bytes, not by name). */
export async function openInput(path: string): Promise<ByteSource> {
  const head = await readHead(path, 2);
  const gz = isGzip(head);
  return {
    path,
    chunks: (opts) => (gz ? Readable.from(fileChunks(path)).pipe(createGunzip()) : fileChunks(path, opts?.reuse)),
  };
}

/** The first `n` decompressed bytes of a file, for format sniffing. */
export async function readDecompressedHead(path: string, n = 65536): Promise<Uint8Array> {
  const raw = await readHead(path, n);
  if (!isGzip(raw)) return raw;
  const src = await openInput(path);
  const parts: Uint8Array[] = [];
  let have = 0;
  const it = src.chunks()[Symbol.asyncIterator]();
  try {
    while (have < n) {
      const r = await it.next();
      if (r.done) break;
      parts.push(r.value);
      have += r.value.length;
    }
  } catch {
    // a truncated gzip stream still gives us what it decoded so far
  } finally {
    await it.return?.();
  }
  return Buffer.concat(parts).subarray(0, n);
}

/** Wraps bytes already in memory as a ByteSource (tests, archives). */
export function bytesSource(path: string, bytes: Uint8Array): ByteSource {
  return {
    path,
    chunks: async function* () {
      yield bytes;
    },
  };
}
