// Test helpers: build layer tars, docker save archives and OCI layouts in memory with tar-stream, so image
// tests need no fixture files.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import tar from 'tar-stream';

export type TarEntry = {
  readonly name: string;
  readonly body?: string | Uint8Array;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link';
  readonly linkname?: string;
};

/** A tar of `entries`, in order. */
export async function tarOf(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry({ name: e.name, type }, Buffer.from(e.body ?? ''), cb);
      else pack.entry({ name: e.name, type, ...(e.linkname !== undefined ? { linkname: e.linkname } : {}) }, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export type Compression = 'none' | 'gzip' | 'zstd';

export function compress(tarBytes: Buffer, how: Compression): Buffer {
  return how === 'gzip' ? gzipSync(tarBytes) : how === 'zstd' ? zstdCompressSync(tarBytes) : tarBytes;
}

export const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export type Blob = { readonly bytes: Buffer; readonly digest: string };

export const blob = (bytes: Buffer | string): Blob => {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return { bytes: b, digest: sha256(b) };
};

export type ConfigInput = { os?: string; architecture?: string; variant?: string; diffIds?: string[] };

export function configJson(c: ConfigInput = {}): string {
  return JSON.stringify({
    architecture: c.architecture ?? 'amd64',
    os: c.os ?? 'linux',
    ...(c.variant !== undefined ? { variant: c.variant } : {}),
    created: '2024-05-01T10:00:00Z',
    history: [{ created: '2024-05-01T10:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in /' }],
    rootfs: { type: 'layers', diff_ids: c.diffIds ?? [] },
  });
}

/**
 * A `docker save` tar. `legacy` names layers `<n>/layer.tar` and the config `<hex>.json` (docker before 25);
 * otherwise blobs/sha256/<hex> as docker 25+ writes. `omit` leaves blobs out (by digest).
 */
export async function dockerSave(
  layers: readonly Buffer[],
  opts: { tags?: string[]; legacy?: boolean; config?: ConfigInput; omit?: readonly string[] } = {},
): Promise<Buffer> {
  const config = blob(configJson(opts.config));
  const entries: TarEntry[] = [];
  const layerPaths: string[] = [];
  for (const [i, l] of layers.entries()) {
    const b = blob(l);
    const path =
      opts.legacy === true ? `${String(i).padStart(64, 'a')}/layer.tar` : `blobs/${b.digest.replace(':', '/')}`;
    layerPaths.push(path);
    if (opts.omit?.includes(b.digest) !== true) entries.push({ name: path, body: l });
  }
  const configPath =
    opts.legacy === true ? `${config.digest.slice(7)}.json` : `blobs/${config.digest.replace(':', '/')}`;
  entries.push({ name: configPath, body: config.bytes });
  entries.push({
    name: 'manifest.json',
    body: JSON.stringify([{ Config: configPath, RepoTags: opts.tags ?? ['example/app:1.0'], Layers: layerPaths }]),
  });
  return tarOf(entries);
}

export type OciImage = {
  readonly layers: readonly Buffer[];
  readonly platform?: { os: string; architecture: string; variant?: string };
  /** Digests of layers as the manifest names them, when they should differ from the bytes (mismatch tests). */
  readonly digests?: readonly (string | undefined)[];
};

/** The blobs and index.json of an OCI layout: images behind one nested image index (or directly, if `flat`). */
export function ociLayout(
  images: readonly OciImage[],
  opts: { refName?: string; flat?: boolean; omit?: readonly string[]; attestation?: boolean } = {},
): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const put = (b: Blob) => {
    if (opts.omit?.includes(b.digest) !== true) files.set(`blobs/${b.digest.replace(':', '/')}`, b.bytes);
    return b;
  };
  const descs = images.map((img) => {
    const layers = img.layers.map((l, i) => {
      const b = put(blob(l));
      const digest = img.digests?.[i] ?? b.digest;
      if (digest !== b.digest) files.set(`blobs/${digest.replace(':', '/')}`, b.bytes);
      return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: l.length };
    });
    const config = put(blob(configJson({ ...(img.platform ?? {}) })));
    const manifest = put(
      blob(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: config.digest,
            size: config.bytes.length,
          },
          layers,
        }),
      ),
    );
    return {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: manifest.digest,
      size: manifest.bytes.length,
      ...(img.platform !== undefined ? { platform: img.platform } : {}),
    };
  });
  if (opts.attestation === true) {
    const att = put(blob(JSON.stringify({ schemaVersion: 2, config: descs[0]!, layers: [] })));
    descs.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: att.digest,
      size: att.bytes.length,
      platform: { os: 'unknown', architecture: 'unknown' },
    });
  }
  const annotations = opts.refName !== undefined ? { 'org.opencontainers.image.ref.name': opts.refName } : undefined;
  let top;
  if (opts.flat === true) top = descs.map((d) => ({ ...d, ...(annotations ? { annotations } : {}) }));
  else {
    const idx = put(
      blob(
        JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descs }),
      ),
    );
    top = [
      {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: idx.digest,
        size: idx.bytes.length,
        ...(annotations ? { annotations } : {}),
      },
    ];
  }
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion": "1.0.0"}'));
  files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: top })));
  return files;
}

/** The layout's files as a tar (blobs first, as `docker save` and skopeo write them). */
export function layoutTar(files: ReadonlyMap<string, Buffer>): Promise<Buffer> {
  return tarOf([...files].map(([name, body]) => ({ name, body })));
}

/** The layout's files as a directory under a fresh temporary directory. */
export function layoutDir(files: ReadonlyMap<string, Buffer>, parent: string): string {
  const root = mkdtempSync(join(parent, 'oci-'));
  for (const [name, body] of files) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), body);
  }
  return root;
}

/** A fresh temporary directory (the caller removes it). */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mamori-image-'));
}

export const lock = (name: string, version: string) =>
  JSON.stringify({ lockfileVersion: 3, packages: { '': {}, [`node_modules/${name}`]: { version } } }, null, 2);

export const pkg = (name: string, version: string) => JSON.stringify({ name, version });
