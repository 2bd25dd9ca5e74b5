// Where an image's files are: a directory (an OCI layout on disk) or an uncompressed tar of one (`docker save`,
// `skopeo copy oci-archive:`). Both give random access to a member — a tar through its header index — so a layer
// is streamed straight from its place in the file, as many times as needed, without unpacking the archive.
import { createReadStream } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { errorMessage } from '../inventory/extract.ts';
import { ImageError } from './errors.ts';
import { indexTar, type TarMember } from './tar-index.ts';

export type ArchiveMember = { readonly size: number; /** the archive ends inside it */ readonly truncated?: boolean };

/** Read access to the files of an image archive, by `/`-separated path relative to the layout's root. */
export interface ImageArchive {
  readonly kind: 'directory' | 'tar';
  /** Set when a tar is damaged part way: the members before the damage are still there. */
  readonly damaged?: string;
  member(path: string): Promise<ArchiveMember | undefined>;
  /** Up to `length` bytes from the start of a member. */
  head(path: string, length: number): Promise<Uint8Array>;
  /** A stream of the member's bytes. */
  stream(path: string): Promise<Readable>;
  close(): Promise<void>;
}

// a tar names at most this many members here; an image has a few dozen
const MAX_MEMBERS = 200_000;
const MAX_LINK_HOPS = 8;
const LAYOUT_FILES = ['manifest.json', 'index.json', 'oci-layout'];

/** Opens `path` as an image archive: a directory, or a tar file (not compressed). */
export async function openArchive(path: string): Promise<ImageArchive> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new ImageError('IMAGE_NOT_FOUND', `${path}: cannot open the image: ${errorMessage(e)}`, { cause: e });
  }
  if (st.isDirectory()) return new DirectoryArchive(await realpath(path));
  if (!st.isFile()) throw new ImageError('IMAGE_INVALID', `${path}: not a file or directory`);
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(6);
    await fh.read(head, 0, 6, 0);
    const compression = sniffCompression(head);
    if (compression !== 'none')
      throw new ImageError(
        'IMAGE_UNSUPPORTED',
        `${path}: a ${compression}-compressed archive; decompress it first (e.g. ${compression === 'gzip' ? 'gunzip' : 'unzstd'} -k ${path}) and scan the .tar`,
      );
    const index = await indexTar(
      async (offset, length) => {
        const buf = new Uint8Array(length);
        const { bytesRead } = await fh.read(buf, 0, length, offset);
        return buf.subarray(0, bytesRead);
      },
      st.size,
      MAX_MEMBERS,
    ).catch((e: unknown) => {
      throw new ImageError('IMAGE_INVALID', `${path}: ${errorMessage(e)}; expected a docker save or OCI image tar`, {
        cause: e,
      });
    });
    return new TarArchive(path, fh, index.members, index.damaged);
  } catch (e) {
    await fh.close();
    throw e;
  }
}

export type Compression = 'none' | 'gzip' | 'zstd' | 'bzip2' | 'xz';

/** The compression of a blob by its magic bytes (media types lie: docker writes gzip layers named `.tar`). */
export function sniffCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a) return 'xz';
  return 'none';
}

/** `a/./b/../c` → `a/c`; undefined when it climbs above the root. */
export function normalize(path: string): string | undefined {
  const out: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(s);
  }
  return out.join('/');
}

class DirectoryArchive implements ImageArchive {
  readonly kind = 'directory';
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  /** The real path of a member, refused when a link takes it out of the layout. */
  async #file(path: string): Promise<string | undefined> {
    const rel = normalize(path);
    if (rel === undefined || rel === '') return undefined;
    let real: string;
    try {
      real = await realpath(join(this.#root, ...rel.split('/')));
    } catch {
      return undefined;
    }
    const prefix = this.#root.endsWith(sep) ? this.#root : this.#root + sep;
    return real.startsWith(prefix) ? real : undefined;
  }

  async member(path: string): Promise<ArchiveMember | undefined> {
    const real = await this.#file(path);
    if (real === undefined) return undefined;
    const st = await stat(real).catch(() => undefined);
    return st?.isFile() === true ? { size: st.size } : undefined;
  }

  async head(path: string, length: number): Promise<Uint8Array> {
    const real = await this.#file(path);
    if (real === undefined) throw new Error(`${path}: not in the image`);
    const fh = await open(real, 'r');
    try {
      const buf = new Uint8Array(length);
      const { bytesRead } = await fh.read(buf, 0, length, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async stream(path: string): Promise<Readable> {
    const real = await this.#file(path);
    if (real === undefined) throw new Error(`${path}: not in the image`);
    return createReadStream(real, { highWaterMark: 256 * 1024 });
  }

  async close(): Promise<void> {}
}

class TarArchive implements ImageArchive {
  readonly kind = 'tar';
  readonly damaged: string | undefined;
  readonly #path: string;
  readonly #fh: FileHandle;
  #members = new Map<string, TarMember>();
  readonly #truncated: TarMember | undefined;

  constructor(path: string, fh: FileHandle, members: readonly TarMember[], damaged: string | undefined) {
    this.#path = path;
    this.#fh = fh;
    this.damaged = damaged;
    for (const m of members) {
      const name = normalize(m.name);
      // a later member of the same name replaces the earlier one, as when the tar is extracted
      if (name !== undefined && name !== '') this.#members.set(name, m);
    }
    // `tar cf image.tar layout/` puts the layout one directory down: read it from there
    if (!LAYOUT_FILES.some((f) => this.#members.has(f))) {
      const tops = new Set<string>();
      for (const name of this.#members.keys()) {
        const parts = name.split('/');
        if (parts.length === 2 && LAYOUT_FILES.includes(parts[1]!)) tops.add(parts[0]!);
      }
      if (tops.size === 1) {
        const prefix = `${[...tops][0]!}/`;
        const rebased = new Map<string, TarMember>();
        for (const [name, m] of this.#members) {
          if (!name.startsWith(prefix)) continue;
          rebased.set(
            name.slice(prefix.length),
            m.linkname?.startsWith(prefix) ? { ...m, linkname: m.linkname.slice(prefix.length) } : m,
          );
        }
        this.#members = rebased;
      }
    }
    this.#truncated = damaged !== undefined ? members[members.length - 1] : undefined;
  }

  /** The member's body after following links inside the archive (docker save links identical layers). */
  #find(path: string): TarMember | undefined {
    let name = normalize(path);
    for (let hop = 0; name !== undefined && hop <= MAX_LINK_HOPS; hop++) {
      const m = this.#members.get(name);
      if (m === undefined) return undefined;
      if (m.type === 'file') return m;
      if (m.linkname === undefined) return undefined;
      if (m.type === 'link') name = normalize(m.linkname);
      else if (m.type === 'symlink') {
        const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '';
        name = m.linkname.startsWith('/') ? normalize(m.linkname) : normalize(`${dir}/${m.linkname}`);
      } else return undefined;
    }
    return undefined;
  }

  async member(path: string): Promise<ArchiveMember | undefined> {
    const m = this.#find(path);
    if (m === undefined) return undefined;
    return m === this.#truncated ? { size: m.size, truncated: true } : { size: m.size };
  }

  async head(path: string, length: number): Promise<Uint8Array> {
    const m = this.#find(path);
    if (m === undefined) throw new Error(`${path}: not in the image`);
    const buf = new Uint8Array(Math.min(length, m.size));
    const { bytesRead } = await this.#fh.read(buf, 0, buf.length, m.offset);
    return buf.subarray(0, bytesRead);
  }

  async stream(path: string): Promise<Readable> {
    const m = this.#find(path);
    if (m === undefined) throw new Error(`${path}: not in the image`);
    if (m.size === 0) return Readable.from([]);
    return createReadStream(this.#path, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 256 * 1024 });
  }

  async close(): Promise<void> {
    await this.#fh.close();
  }
}
