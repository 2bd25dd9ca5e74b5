import { open } from 'node:fs/promises';
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

async function* fileChunks(path: string): AsyncIterable<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    for (;;) {
      // a fresh buffer per read: consumers may keep slices of earlier pieces
      const buf = Buffer.allocUnsafe(READ_SIZE);
      const { bytesRead } = await fh.read(buf, 0, READ_SIZE, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** Opens a file as a ByteSource, decompressing gzip transparently (detected by magic bytes, not by name). */
export async function openInput(path: string): Promise<ByteSource> {
  const head = await readHead(path, 2);
  const gz = isGzip(head);
  return {
    path,
    chunks: () => (gz ? Readable.from(fileChunks(path)).pipe(createGunzip()) : fileChunks(path)),
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
