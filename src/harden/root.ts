// Config roots: a directory on disk confined to itself (symlinks are followed only while they stay inside
// the root, as a chroot would resolve them), and an overlay that shows patched texts over another root (how
// a patch is re-assessed before it is offered).
import { lstat, readFile, readdir, readlink, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { join } from 'node:path';
import type { ConfigRoot } from './types.ts';

/** Largest config file read (a hostile root may hold a huge "sshd_config"). */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
const MAX_LINKS = 40;

/** Normalises a root-relative path: `/`-separated, no leading slash, `..` not allowed above the root. */
export function normalisePath(p: string): string | undefined {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

export class DirectoryRoot implements ConfigRoot {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  /** Follows symlinks component by component inside the root; an absolute link target means the root's `/`. */
  async resolve(path: string): Promise<string | undefined> {
    let todo = (normalisePath(path) ?? '').split('/').filter(Boolean);
    const done: string[] = [];
    let links = 0;
    while (todo.length) {
      const seg = todo.shift()!;
      const rel = [...done, seg].join('/');
      let st;
      try {
        st = await lstat(join(this.dir, rel));
      } catch {
        return undefined;
      }
      if (st.isSymbolicLink()) {
        if (++links > MAX_LINKS) return undefined;
        const target = await readlink(join(this.dir, rel));
        const base = target.startsWith('/') ? [] : done;
        const next = normalisePath([...base, ...target.split('/')].join('/'));
        if (next === undefined) return undefined;
        todo = [...next.split('/').filter(Boolean), ...todo];
        done.length = 0;
        continue;
      }
      done.push(seg);
    }
    return done.join('/');
  }

  canonical(path: string): Promise<string | undefined> {
    return this.resolve(path);
  }

  async read(path: string): Promise<string | undefined> {
    const real = await this.resolve(path);
    if (real === undefined) return undefined;
    try {
      const abs = join(this.dir, real);
      const st = await stat(abs);
      if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return undefined;
      return await readFile(abs, 'utf8');
    } catch {
      return undefined;
    }
  }

  async list(dir: string): Promise<readonly string[]> {
    const real = await this.resolve(dir);
    if (real === undefined) return [];
    try {
      return (await readdir(join(this.dir, real))).sort();
    } catch {
      return [];
    }
  }
}

/**
 * A DirectoryRoot that reads each path once: for the length of one assessment and its verifications, while
 * nothing writes to the root (each patch's re-assessment would otherwise walk and read the tree again: 500 file
 * system calls per Apache assessment). Never used across --apply, which changes the files.
 */
export class CachedDirectoryRoot extends DirectoryRoot {
  readonly #resolved = new Map<string, Promise<string | undefined>>();
  readonly #read = new Map<string, Promise<string | undefined>>();
  readonly #listed = new Map<string, Promise<readonly string[]>>();
  override resolve(path: string): Promise<string | undefined> {
    return memo(this.#resolved, path, () => super.resolve(path));
  }
  override read(path: string): Promise<string | undefined> {
    return memo(this.#read, path, () => super.read(path));
  }
  override list(dir: string): Promise<readonly string[]> {
    return memo(this.#listed, dir, () => super.list(dir));
  }
}

function memo<T>(m: Map<string, Promise<T>>, key: string, get: () => Promise<T>): Promise<T> {
  let p = m.get(key);
  if (p === undefined) {
    p = get();
    m.set(key, p);
  }
  return p;
}

/** Another root with some files replaced (or created): what a patched root would read. */
export class OverlayRoot implements ConfigRoot {
  readonly #base: ConfigRoot;
  readonly #files: ReadonlyMap<string, string>;
  constructor(base: ConfigRoot, files: ReadonlyMap<string, string>) {
    this.#base = base;
    this.#files = files;
  }
  async read(path: string): Promise<string | undefined> {
    const p = normalisePath(path);
    if (p !== undefined && this.#files.has(p)) return this.#files.get(p);
    // a patched file read through a symlink (sysctl.d/99-sysctl.conf → ../sysctl.conf) is the patched text too
    const real = this.#base instanceof DirectoryRoot ? await this.#base.resolve(path) : undefined;
    if (real !== undefined && this.#files.has(real)) return this.#files.get(real);
    return this.#base.read(path);
  }
  async canonical(path: string): Promise<string | undefined> {
    return (await this.#base.canonical?.(path)) ?? normalisePath(path);
  }

  async list(dir: string): Promise<readonly string[]> {
    const d = normalisePath(dir) ?? '';
    const names = new Set(await this.#base.list(dir));
    for (const f of this.#files.keys()) if (posix.dirname(f) === (d === '' ? '.' : d)) names.add(posix.basename(f));
    return [...names].sort();
  }
}

/**
 * Records what an engine reads through it: the files (as asked, and by their real path when the root knows it)
 * and the directories listed. An engine is a pure function of what it read, so a patch that touches none of it
 * cannot change its results (verification then re-assesses only the engines a patch can reach).
 */
export class RecordingRoot implements ConfigRoot {
  readonly #base: ConfigRoot;
  readonly reads = new Set<string>();
  readonly lists = new Set<string>();
  constructor(base: ConfigRoot) {
    this.#base = base;
  }
  async read(path: string): Promise<string | undefined> {
    await this.#note(path, this.reads);
    return this.#base.read(path);
  }
  async list(dir: string): Promise<readonly string[]> {
    await this.#note(dir, this.lists);
    return this.#base.list(dir);
  }
  async canonical(path: string): Promise<string | undefined> {
    return (await this.#base.canonical?.(path)) ?? normalisePath(path);
  }
  async #note(path: string, into: Set<string>): Promise<void> {
    const p = normalisePath(path) ?? '';
    into.add(p);
    const real = await this.#base.canonical?.(path);
    if (real !== undefined) into.add(real);
  }
  /** Whether a patch of `paths` (root-relative, real paths) can change what was read. */
  reaches(paths: Iterable<string>): boolean {
    for (const p of paths) {
      if (this.reads.has(p)) return true;
      // a file created or changed under a listed directory (at any depth) can change a listing
      for (let d = posix.dirname(p); ; d = posix.dirname(d)) {
        if (this.lists.has(d === '.' ? '' : d)) return true;
        if (d === '.' || d === '/' || d === '') break;
      }
    }
    return false;
  }
}
