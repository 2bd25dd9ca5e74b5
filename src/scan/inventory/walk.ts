// The inventory walker: finds the files the extractors claim in a file tree, reads them (size-bounded), runs the
// pure extractors and returns their packages with locations relative to the tree's root. The tree is a directory
// on disk (`walkInventory`, the only module of the inventory that touches the file system) or anything else
// behind `FileTree`, such as the merged layers of a container image (src/scan/image).
//
// What it visits: everything under the root except VCS folders (.git, .hg, .svn), to a bounded depth, never
// leaving the root through a symlink and never entering a directory twice (symlink loops). node_modules is
// skipped for a project checkout (`repo`, the lockfile says what is installed); for an installed tree
// (`rootfs`) it is entered so that `node_modules/**/package.json` are read, as Trivy's node-pkg analyzer does.
import type { Dirent } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { EXTRACTORS } from '../ecosystems/extractors.ts';
import { SBOM_EXTRACTORS } from '../sbom/index.ts';
import { OS_EXTRACTORS } from '../os/index.ts';
import { errorMessage, type Extractor, type ExtractorKind } from './extract.ts';
import type { ExtractIssue, Package } from './types.ts';

export type WalkMode = 'repo' | 'rootfs';

export type WalkOptions = {
  /** `repo` (default): lockfiles, manifests and SBOMs. `rootfs`: also installed-package metadata. */
  readonly mode?: WalkMode;
  /** Directory levels below the root to enter (default 40). */
  readonly maxDepth?: number;
  /** Larger files are skipped with an issue (default 128 MiB; a 100k-entry package-lock.json is ~40 MB). */
  readonly maxFileBytes?: number;
  /** Directory entries to look at before giving up (default 2,000,000). */
  readonly maxEntries?: number;
  /** Follow symlinks that stay inside the root (default true). */
  readonly followSymlinks?: boolean;
  /** The extractors to run (default: every language extractor and SBOM reader). */
  readonly extractors?: readonly Extractor[];
  /** Relative paths (`/`-separated) to leave out, files or directories. */
  readonly skip?: (path: string) => boolean;
  /** Called every few thousand entries while walking, and after each file read: for progress on big trees. */
  readonly onProgress?: (p: WalkProgress) => void;
};

/** How far a walk is: entries looked at, files claimed by an extractor, and of those, files read. */
export type WalkProgress = { readonly entries: number; readonly claimed: number; readonly read: number };

export type ExtractedFile = { readonly path: string; readonly extractor: string; readonly packages: number };

export type WalkResult = {
  readonly packages: Package[];
  readonly issues: ExtractIssue[];
  /** Every file an extractor read, in walk order. */
  readonly files: ExtractedFile[];
};

/** What a directory listing says an entry is (symlinks not followed). */
export type TreeEntryType = 'file' | 'dir' | 'symlink' | 'other';

export type TreeEntry = { readonly name: string; readonly type: TreeEntryType };

/** Where a path leads once its symlinks are followed. `path` is then the resolved path inside the tree. */
export type TreeTarget =
  | { readonly ok: true; readonly path: string; readonly type: 'file' | 'dir' | 'other'; readonly size: number }
  | {
      readonly ok: false;
      /** `outside`: a link leaves the tree (`type`, when known, is what it points at); `missing`: dangling. */
      readonly reason: 'missing' | 'outside' | 'error';
      readonly message: string;
      readonly type?: 'file' | 'dir' | 'other';
    };

/**
 * A file system the walker reads: a directory on disk (`DirectoryTree`) or an image's merged layers. Paths are
 * relative to the tree's root, `/`-separated, `''` for the root itself.
 */
export interface FileTree {
  /** How issues name the tree when a link leaves it: `the scanned directory`, `the image`. */
  readonly label: string;
  /** A live host root (`/`), whose pseudo file systems (proc, sys, dev, run) are not entered. */
  readonly liveRoot?: boolean;
  /**
   * Enter symlinked directories only after everything else, so that a directory reached both ways is reported
   * by its real path (an image's `lib -> usr/lib`). A directory walk enters them in name order.
   */
  readonly deferLinkedDirs?: boolean;
  /** The entries of the directory at a resolved `path`, in any order. Throws when it cannot list. */
  list(path: string): Promise<readonly TreeEntry[]>;
  /** Follows the symlinks of `path` without ever leaving the tree. Never throws. */
  resolve(path: string): Promise<TreeTarget>;
  /** Up to `max + 1` bytes of the file at a resolved `path` (one more shows it is over `max`). Throws when it cannot. */
  read(path: string, max: number): Promise<Uint8Array>;
  /**
   * Told once, before any `read`, every path the walk will read (resolved or not): a tree that has to stream to
   * read (an image layer) fetches them in one pass per layer instead of one per file.
   */
  prefetch?(paths: readonly string[], maxBytes: number): Promise<void>;
}

const VCS = new Set(['.git', '.hg', '.svn']);
// pseudo file systems of a live root: never inventory sources, some never end
const LIVE_ROOT = new Set(['proc', 'sys', 'dev', 'run']);

/** Every extractor the walker knows: the language registry and the SBOM readers. */
export function defaultExtractors(): Extractor[] {
  return [...EXTRACTORS.values(), ...SBOM_EXTRACTORS.values(), ...OS_EXTRACTORS.values()];
}

/** The extractors a walk in `mode` runs: of `extractors` (default all), those of the mode's kinds. */
export function extractorsFor(mode: WalkMode, extractors?: readonly Extractor[]): Extractor[] {
  const kinds = new Set<ExtractorKind>(mode === 'rootfs' ? ['lockfile', 'sbom', 'installed'] : ['lockfile', 'sbom']);
  return (extractors ?? defaultExtractors()).filter((e) => kinds.has(e.kind));
}

/** Text of a file's bytes: UTF-8, or UTF-16 when it starts with that BOM (Windows tools write requirements.txt so). */
function decode(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes);
}

const toSlash = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

const joinPath = (dir: string, name: string) => (dir === '' ? name : `${dir}/${name}`);

const isMissing = (e: unknown) => {
  const code = (e as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/** A directory on disk as a `FileTree`: symlinks are followed with realpath and must stay under the root. */
export class DirectoryTree implements FileTree {
  readonly label = 'the scanned directory';
  /** The real path of the root directory. */
  readonly root: string;
  readonly liveRoot: boolean;
  readonly #prefix: string;

  /** `root` must be a real path (see `realpath`). */
  constructor(root: string) {
    this.root = root;
    this.liveRoot = root === sep;
    this.#prefix = root.endsWith(sep) ? root : root + sep;
  }

  #abs(path: string): string {
    return path === '' ? this.root : join(this.root, ...path.split('/'));
  }

  async list(path: string): Promise<readonly TreeEntry[]> {
    const entries: Dirent[] = await readdir(this.#abs(path), { withFileTypes: true });
    return entries.map((d) => ({
      name: d.name,
      type: d.isSymbolicLink() ? 'symlink' : d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'other',
    }));
  }

  async resolve(path: string): Promise<TreeTarget> {
    let real: string;
    try {
      real = await realpath(this.#abs(path));
    } catch (e) {
      return { ok: false, reason: isMissing(e) ? 'missing' : 'error', message: errorMessage(e) };
    }
    try {
      const st = await stat(real);
      const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
      if (real !== this.root && !real.startsWith(this.#prefix))
        return { ok: false, reason: 'outside', message: 'links outside the root', type };
      return { ok: true, path: toSlash(relative(this.root, real)), type, size: st.size };
    } catch (e) {
      return { ok: false, reason: isMissing(e) ? 'missing' : 'error', message: errorMessage(e) };
    }
  }

  async read(path: string, max: number): Promise<Uint8Array> {
    const fh = await open(this.#abs(path), 'r');
    try {
      const size = (await fh.stat()).size;
      // read at most the limit even if the file grew since stat
      const buf = new Uint8Array(Math.min(size, max) + 1);
      let n = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
        if (bytesRead === 0) break;
        n += bytesRead;
        if (n >= buf.length) break;
      }
      return buf.subarray(0, n);
    } finally {
      await fh.close();
    }
  }
}

/**
 * Walks `root` (a directory, or a single file whose location is then its name) and extracts every package.
 * Never throws for what it finds: unreadable, oversized or invalid files become issues.
 */
export async function walkInventory(root: string, options: WalkOptions = {}): Promise<WalkResult> {
  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch (e) {
    return { packages: [], issues: [{ location: root, message: `cannot open: ${errorMessage(e)}` }], files: [] };
  }
  const top = await stat(rootReal);
  if (!top.isDirectory()) {
    // a file given alone: its location is the name it was given by, and nothing beside it is read
    const tree = new DirectoryTree(dirname(rootReal));
    return walkFiles(tree, [{ rel: basename(root), path: basename(rootReal) }], options);
  }
  return walkTree(new DirectoryTree(rootReal), options);
}

type Step =
  | { readonly issue: ExtractIssue }
  | { readonly rel: string; readonly path: string; readonly claimed: readonly Extractor[]; related?: string[][] };

/**
 * Walks a `FileTree` from its root and extracts every package, locations relative to the root. Never throws for
 * what it finds (as `walkInventory`).
 */
export async function walkTree(tree: FileTree, options: WalkOptions = {}): Promise<WalkResult> {
  const mode = options.mode ?? 'repo';
  const maxDepth = options.maxDepth ?? 40;
  const maxEntries = options.maxEntries ?? 2_000_000;
  const follow = options.followSymlinks ?? true;
  const extractors = extractorsFor(mode, options.extractors);
  const claim = (rel: string) => extractors.filter((e) => e.matches(rel));
  // first the files to read, with the walk's own issues in their place; then the reads, so that a tree that
  // streams (an image) can fetch them together
  const steps: Step[] = [];
  const issue = (location: string, message: string) => steps.push({ issue: { location, message } });

  const visited = new Set<string>(['']);
  let seen = 0;
  let stopped = false;
  // depth-first with an explicit stack, entries sorted, so results come in a stable order
  const stack: { path: string; rel: string; depth: number; inNodeModules: boolean }[] = [
    { path: '', rel: '', depth: 0, inNodeModules: false },
  ];
  const deferred: typeof stack = [];
  while (!stopped) {
    if (stack.length === 0) {
      const next = deferred.shift();
      if (next === undefined) break;
      if (visited.has(next.path)) continue;
      visited.add(next.path);
      stack.push(next);
    }
    const dir = stack.pop()!;
    let entries: TreeEntry[];
    try {
      entries = [...(await tree.list(dir.path))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      issue(dir.rel === '' ? '.' : dir.rel, `cannot list: ${errorMessage(e)}`);
      continue;
    }
    const subdirs: typeof stack = [];
    for (const { name, type } of entries) {
      if (++seen % 4096 === 0) options.onProgress?.({ entries: seen, claimed: steps.length, read: 0 });
      if (seen > maxEntries) {
        issue(dir.rel === '' ? '.' : dir.rel, `more than ${maxEntries} entries: the walk stopped here`);
        stopped = true;
        break;
      }
      const path = joinPath(dir.path, name);
      const rel = joinPath(dir.rel, name);
      if (options.skip?.(rel) === true) continue;
      let isDir = type === 'dir';
      let isFile = type === 'file';
      let real = path;
      if (type === 'symlink') {
        if (!follow) continue;
        const target = await tree.resolve(path);
        if (!target.ok) {
          // never read outside the root; say so when it was a file we would have read
          if (target.reason === 'outside' && target.type !== 'dir' && target.type !== 'other')
            if (claim(rel).length > 0) issue(rel, `links outside ${tree.label}: not read`);
          continue; // dangling link, or one that leaves the root
        }
        isDir = target.type === 'dir';
        isFile = target.type === 'file';
        real = target.path;
      }
      if (isFile) {
        // inside node_modules only installed-package metadata is of interest
        if (dir.inNodeModules && name !== 'package.json') continue;
        const claimed = claim(rel);
        if (claimed.length > 0) steps.push({ rel, path, claimed });
      } else if (isDir) {
        if (VCS.has(name)) continue;
        if (dir.depth === 0 && tree.liveRoot === true && LIVE_ROOT.has(name)) continue;
        const nodeModules = dir.inNodeModules || name === 'node_modules';
        if (nodeModules && mode !== 'rootfs') continue;
        if (dir.depth + 1 > maxDepth) {
          issue(rel, `deeper than ${maxDepth} directory levels: not entered`);
          continue;
        }
        // every directory path here is a resolved path (the root is, and links are resolved), so this set
        // catches loops and second ways to the same place
        if (visited.has(real)) continue;
        if (type === 'symlink' && tree.deferLinkedDirs === true) {
          deferred.push({ path: real, rel, depth: dir.depth + 1, inNodeModules: nodeModules });
          continue;
        }
        visited.add(real);
        subdirs.push({ path: real, rel, depth: dir.depth + 1, inNodeModules: nodeModules });
      }
    }
    // pushed in reverse so the first name is walked first
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
  return runSteps(tree, steps, options, true, seen);
}

/** Extracts the given files of a tree (no walk): `rel` is the location reported, `path` the path in the tree. */
function walkFiles(
  tree: FileTree,
  files: readonly { rel: string; path: string }[],
  options: WalkOptions,
): Promise<WalkResult> {
  const extractors = extractorsFor(options.mode ?? 'repo', options.extractors);
  const steps: Step[] = [];
  for (const f of files) {
    const claimed = extractors.filter((e) => e.matches(f.rel));
    if (claimed.length > 0) steps.push({ ...f, claimed });
  }
  return runSteps(tree, steps, options, false);
}

async function runSteps(tree: FileTree, steps: Step[], options: WalkOptions, withRelated: boolean, entries = 0) {
  const maxBytes = options.maxFileBytes ?? 128 * 1024 * 1024;
  const packages: Package[] = [];
  const issues: ExtractIssue[] = [];
  const files: ExtractedFile[] = [];

  for (const s of steps) {
    if ('issue' in s) continue;
    s.related = s.claimed.map((ex) =>
      withRelated ? (ex.related?.(s.rel) ?? []).filter((r) => options.skip?.(r) !== true) : [],
    );
  }
  if (tree.prefetch !== undefined) {
    const paths: string[] = [];
    for (const s of steps) if (!('issue' in s)) paths.push(s.path, ...s.related!.flat());
    try {
      await tree.prefetch(paths, maxBytes);
    } catch (e) {
      // reads then fetch one at a time, and report their own failures
      issues.push({ location: '.', message: `cannot prefetch: ${errorMessage(e)}` });
    }
  }

  /** Reads a file of the tree, bounded; undefined (with an issue when `report`) if it cannot. */
  const readBytes = async (path: string, rel: string, report: boolean): Promise<Uint8Array | undefined> => {
    const target = await tree.resolve(path);
    if (!target.ok) {
      if (target.reason === 'outside') {
        if (report) issues.push({ location: rel, message: `links outside ${tree.label}: not read` });
      } else if (report || target.reason === 'error') {
        issues.push({ location: rel, message: `cannot read: ${target.message}` });
      }
      return undefined;
    }
    if (target.type !== 'file') return undefined;
    if (target.size > maxBytes) {
      if (report)
        issues.push({ location: rel, message: `${target.size} bytes, over the ${maxBytes}-byte limit: not read` });
      return undefined;
    }
    let bytes: Uint8Array;
    try {
      bytes = await tree.read(target.path, maxBytes);
    } catch (e) {
      if (report || !isMissing(e)) issues.push({ location: rel, message: `cannot read: ${errorMessage(e)}` });
      return undefined;
    }
    if (bytes.length > maxBytes) {
      if (report) issues.push({ location: rel, message: `over the ${maxBytes}-byte limit: not read` });
      return undefined;
    }
    return bytes;
  };

  let read = 0;
  for (const s of steps) {
    if ('issue' in s) {
      issues.push(s.issue);
      continue;
    }
    options.onProgress?.({ entries, claimed: steps.length, read: read++ });
    const { rel, claimed } = s;
    const bytes = await readBytes(s.path, rel, true);
    if (bytes === undefined) continue;
    let text: string | undefined;
    for (const [i, ex] of claimed.entries()) {
      const related = new Map<string, string>();
      for (const r of s.related![i]!) {
        const b = await readBytes(r, r, false);
        if (b !== undefined) related.set(r, decode(b));
      }
      try {
        const out =
          ex.extractBytes !== undefined
            ? ex.extractBytes(bytes, rel, related)
            : ex.extract((text ??= decode(bytes)), rel, related);
        packages.push(...out.packages);
        issues.push(...out.issues);
        files.push({ path: rel, extractor: ex.id, packages: out.packages.length });
      } catch (e) {
        // extractors are meant never to throw; if one does, the file is lost but not the scan
        issues.push({ location: rel, message: `${ex.id} failed: ${errorMessage(e)}` });
      }
    }
  }
  return { packages, issues, files };
}

/** A path relative to the walk root, `/`-separated (for callers building `skip` predicates from user input). */
export function relativeTo(root: string, path: string): string {
  return toSlash(relative(root, path));
}
