// The inventory walker: finds the files the extractors claim under a directory, reads them (size-bounded),
// runs the pure extractors and returns their packages with locations relative to the scanned root. The only
// module of the inventory that touches the file system.
//
// What it visits: everything under the root except VCS folders (.git, .hg, .svn), to a bounded depth, never
// leaving the root through a symlink and never entering a directory twice (symlink loops). node_modules is
// skipped for a project checkout (`repo`, the lockfile says what is installed); for an installed tree
// (`rootfs`) it is entered so that `node_modules/**/package.json` are read, as Trivy's node-pkg analyzer does.
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { EXTRACTORS } from '../ecosystems/extractors.ts';
import { SBOM_EXTRACTORS } from '../sbom/index.ts';
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
};

export type ExtractedFile = { readonly path: string; readonly extractor: string; readonly packages: number };

export type WalkResult = {
  readonly packages: Package[];
  readonly issues: ExtractIssue[];
  /** Every file an extractor read, in walk order. */
  readonly files: ExtractedFile[];
};

const VCS = new Set(['.git', '.hg', '.svn']);
// pseudo file systems of a live root: never inventory sources, some never end
const LIVE_ROOT = new Set(['proc', 'sys', 'dev', 'run']);

/** Every extractor the walker knows: the language registry and the SBOM readers. */
export function defaultExtractors(): Extractor[] {
  return [...EXTRACTORS.values(), ...SBOM_EXTRACTORS.values()];
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

/**
 * Walks `root` (a directory, or a single file whose location is then its name) and extracts every package.
 * Never throws for what it finds: unreadable, oversized or invalid files become issues.
 */
export async function walkInventory(root: string, options: WalkOptions = {}): Promise<WalkResult> {
  const mode = options.mode ?? 'repo';
  const maxDepth = options.maxDepth ?? 40;
  const maxBytes = options.maxFileBytes ?? 128 * 1024 * 1024;
  const maxEntries = options.maxEntries ?? 2_000_000;
  const follow = options.followSymlinks ?? true;
  const kinds = new Set<ExtractorKind>(mode === 'rootfs' ? ['lockfile', 'sbom', 'installed'] : ['lockfile', 'sbom']);
  const extractors = (options.extractors ?? defaultExtractors()).filter((e) => kinds.has(e.kind));
  const packages: Package[] = [];
  const issues: ExtractIssue[] = [];
  const files: ExtractedFile[] = [];

  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch (e) {
    issues.push({ location: root, message: `cannot open: ${errorMessage(e)}` });
    return { packages, issues, files };
  }
  const inside = (real: string) =>
    real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);

  /** Reads a file under the root, bounded; undefined (with an issue when `report`) if it cannot. */
  const readText = async (abs: string, rel: string, report: boolean): Promise<string | undefined> => {
    try {
      const real = await realpath(abs);
      if (!inside(real)) {
        if (report) issues.push({ location: rel, message: 'links outside the scanned directory: not read' });
        return undefined;
      }
      const st = await stat(real);
      if (!st.isFile()) return undefined;
      if (st.size > maxBytes) {
        if (report)
          issues.push({ location: rel, message: `${st.size} bytes, over the ${maxBytes}-byte limit: not read` });
        return undefined;
      }
      const fh = await open(real, 'r');
      try {
        // read at most the limit even if the file grew since stat
        const buf = new Uint8Array(Math.min(st.size, maxBytes) + 1);
        let n = 0;
        for (;;) {
          const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
          if (bytesRead === 0) break;
          n += bytesRead;
          if (n >= buf.length) break;
        }
        if (n > maxBytes) {
          if (report) issues.push({ location: rel, message: `over the ${maxBytes}-byte limit: not read` });
          return undefined;
        }
        return decode(buf.subarray(0, n));
      } finally {
        await fh.close();
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (report || (code !== 'ENOENT' && code !== 'ENOTDIR'))
        issues.push({ location: rel, message: `cannot read: ${errorMessage(e)}` });
      return undefined;
    }
  };

  const run = async (abs: string, rel: string) => {
    const claimed = extractors.filter((e) => e.matches(rel));
    if (claimed.length === 0) return;
    const text = await readText(abs, rel, true);
    if (text === undefined) return;
    for (const ex of claimed) {
      const related = new Map<string, string>();
      for (const r of ex.related?.(rel) ?? []) {
        if (options.skip?.(r) === true) continue;
        const t = await readText(join(rootReal, ...r.split('/')), r, false);
        if (t !== undefined) related.set(r, t);
      }
      try {
        const out = ex.extract(text, rel, related);
        packages.push(...out.packages);
        issues.push(...out.issues);
        files.push({ path: rel, extractor: ex.id, packages: out.packages.length });
      } catch (e) {
        // extractors are meant never to throw; if one does, the file is lost but not the scan
        issues.push({ location: rel, message: `${ex.id} failed: ${errorMessage(e)}` });
      }
    }
  };

  const top = await stat(rootReal);
  if (!top.isDirectory()) {
    await run(rootReal, basename(root));
    return { packages, issues, files };
  }

  const visited = new Set<string>([rootReal]);
  let seen = 0;
  let stopped = false;
  // depth-first with an explicit stack, entries sorted, so results come in a stable order
  const stack: { abs: string; rel: string; depth: number; inNodeModules: boolean }[] = [
    { abs: rootReal, rel: '', depth: 0, inNodeModules: false },
  ];
  while (stack.length > 0 && !stopped) {
    const dir = stack.pop()!;
    let names: string[];
    try {
      names = (await readdir(dir.abs)).sort();
    } catch (e) {
      issues.push({ location: dir.rel === '' ? '.' : dir.rel, message: `cannot list: ${errorMessage(e)}` });
      continue;
    }
    const subdirs: typeof stack = [];
    for (const name of names) {
      if (++seen > maxEntries) {
        issues.push({
          location: dir.rel === '' ? '.' : dir.rel,
          message: `more than ${maxEntries} entries: the walk stopped here`,
        });
        stopped = true;
        break;
      }
      const abs = join(dir.abs, name);
      const rel = dir.rel === '' ? name : `${dir.rel}/${name}`;
      if (options.skip?.(rel) === true) continue;
      let st;
      try {
        st = await lstat(abs);
      } catch {
        continue;
      }
      let isDir = st.isDirectory();
      let isFile = st.isFile();
      let real = abs;
      if (st.isSymbolicLink()) {
        if (!follow) continue;
        try {
          real = await realpath(abs);
          const target = await stat(real);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch {
          continue; // dangling link
        }
        if (!inside(real)) {
          // never read outside the root; say so when it was a file we would have read
          if (isFile && extractors.some((e) => e.matches(rel)))
            issues.push({ location: rel, message: 'links outside the scanned directory: not read' });
          continue;
        }
      }
      if (isFile) {
        // inside node_modules only installed-package metadata is of interest
        if (dir.inNodeModules && name !== 'package.json') continue;
        await run(abs, rel);
      } else if (isDir) {
        if (VCS.has(name)) continue;
        if (dir.depth === 0 && rootReal === sep && LIVE_ROOT.has(name)) continue;
        const nodeModules = dir.inNodeModules || name === 'node_modules';
        if (nodeModules && mode !== 'rootfs') continue;
        if (dir.depth + 1 > maxDepth) {
          issues.push({ location: rel, message: `deeper than ${maxDepth} directory levels: not entered` });
          continue;
        }
        // every directory path here is a real path (the root is, and links are resolved), so this set
        // catches loops and second ways to the same place
        if (visited.has(real)) continue;
        visited.add(real);
        subdirs.push({ abs: real, rel, depth: dir.depth + 1, inNodeModules: nodeModules });
      }
    }
    // pushed in reverse so the first name is walked first
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
  return { packages, issues, files };
}

/** A path relative to the walk root, `/`-separated (for callers building `skip` predicates from user input). */
export function relativeTo(root: string, path: string): string {
  return toSlash(relative(root, path));
}
