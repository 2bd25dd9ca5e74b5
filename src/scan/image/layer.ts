// Streaming one layer blob: compression sniffed from its magic bytes (gzip, zstd or none), the blob hashed on
// the way (its digest is checked by the caller), the tar read entry by entry with tar-stream. Only the bodies
// the visitor asks for are kept; the rest flows through. Bounded: a layer that inflates past `maxTarBytes`
// (a decompression bomb) is cut there.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import tar from 'tar-stream';
import { errorMessage } from '../inventory/extract.ts';
import { sniffCompression, type Compression, type ImageArchive } from './archive.ts';
import type { LayerEntry } from './rootfs.ts';

export interface LayerVisitor {
  /** Each entry in tar order (`ordinal` from 0): true to have its body passed to `body`. */
  entry(ordinal: number, entry: LayerEntry): boolean;
  body(ordinal: number, bytes: Uint8Array): void;
  /** True once nothing more is needed from the layer: the read stops early. */
  done?(): boolean;
}

export type LayerRead = {
  readonly compression: Compression;
  /** `<algorithm>:<hex>` of the blob, when it was read to its end. */
  readonly digest?: string;
  readonly blobBytes: number;
  readonly tarBytes: number;
  readonly entries: number;
  /** The last entry read, to say where a damaged layer stops. */
  readonly lastEntry?: string;
  /** Why the read stopped before the end (corrupt data, truncation, a bound); what was read before stands. */
  readonly error?: string;
  /** The visitor had all it needed. */
  readonly stoppedEarly?: boolean;
};

const TYPE: Record<string, LayerEntry['type']> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'link',
};

class Tap extends Transform {
  bytes = 0;
  #seen: (chunk: Buffer, total: number) => Error | undefined;
  constructor(seen: (chunk: Buffer, total: number) => Error | undefined) {
    super();
    this.#seen = seen;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    const err = this.#seen(chunk, this.bytes);
    if (err !== undefined) cb(err);
    else cb(null, chunk);
  }
}

class OverLimit extends Error {}

/** Reads the layer blob at `path` of `archive`, calling `visitor` for each entry. Never throws. */
export async function readLayer(
  archive: ImageArchive,
  path: string,
  visitor: LayerVisitor,
  options: { readonly maxTarBytes: number; readonly algorithm?: 'sha256' | 'sha512' },
): Promise<LayerRead> {
  let compression: Compression = 'none';
  let entries = 0;
  let lastEntry: string | undefined;
  const base = () => ({ compression, entries, ...(lastEntry !== undefined ? { lastEntry } : {}) });
  let source;
  try {
    compression = sniffCompression(await archive.head(path, 6));
    source = await archive.stream(path);
  } catch (e) {
    return { ...base(), blobBytes: 0, tarBytes: 0, error: errorMessage(e) };
  }
  if (compression === 'bzip2' || compression === 'xz') {
    source.destroy();
    return { ...base(), blobBytes: 0, tarBytes: 0, error: `${compression}-compressed layers are not supported` };
  }
  const hash = createHash(options.algorithm ?? 'sha256');
  const blobTap = new Tap((c) => {
    hash.update(c);
    return undefined;
  });
  // the last block of the tar, to tell an archive that ends properly (zero blocks) from one cut at a member
  let tail: Buffer = Buffer.alloc(0);
  const tarTap = new Tap((c, total) => {
    tail = c.length >= 512 ? c.subarray(c.length - 512) : Buffer.concat([tail, c]).subarray(-512);
    return total > options.maxTarBytes ? new OverLimit() : undefined;
  });
  const extract = tar.extract();
  const abort = new AbortController();
  const inflate = compression === 'gzip' ? createGunzip() : compression === 'zstd' ? createZstdDecompress() : undefined;
  let inflateError: unknown;
  inflate?.on('error', (e) => (inflateError = e));
  const stages = inflate === undefined ? [source, blobTap] : [source, blobTap, inflate];
  let feedError: unknown;
  const feeding = pipeline([...stages, tarTap, extract], { signal: abort.signal }).catch((e: unknown) => {
    feedError = e;
  });
  let error: string | undefined;
  let stoppedEarly = false;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const e: LayerEntry = {
        name: h.name,
        type: TYPE[h.type ?? 'file'] ?? 'other',
        size: h.size ?? 0,
        ...(h.linkname ? { linkname: h.linkname } : {}),
      };
      const ordinal = entries++;
      lastEntry = h.name;
      if (visitor.entry(ordinal, e) && e.type === 'file') {
        const body = new Uint8Array(e.size);
        let n = 0;
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          if (n + chunk.length > body.length) throw new Error(`${h.name}: more bytes than its header says`);
          body.set(chunk, n);
          n += chunk.length;
        }
        visitor.body(ordinal, n === body.length ? body : body.subarray(0, n));
      } else entry.resume();
      if (visitor.done?.() === true) {
        stoppedEarly = true;
        abort.abort();
        break;
      }
    }
  } catch (e) {
    error = errorMessage(e);
  }
  await feeding;
  if (!stoppedEarly && feedError !== undefined) {
    error =
      feedError instanceof OverLimit
        ? `inflates past ${options.maxTarBytes} bytes: the rest is not read`
        : inflateError !== undefined
          ? `corrupt ${compression} data (${errorMessage(inflateError)})`
          : `corrupt or truncated tar (${error ?? errorMessage(feedError)})`;
  } else if (error !== undefined) error = `corrupt or truncated tar (${error})`;
  if (error === undefined && !stoppedEarly && (tail.length < 512 || tail.some((b) => b !== 0)))
    error = 'no end-of-archive blocks: the layer looks truncated';
  const done = error === undefined && !stoppedEarly;
  return {
    ...base(),
    blobBytes: blobTap.bytes,
    tarBytes: tarTap.bytes,
    ...(done ? { digest: `${options.algorithm ?? 'sha256'}:${hash.digest('hex')}` } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(stoppedEarly ? { stoppedEarly } : {}),
  };
}
