// `mamori scan` without the command line: inventory every target (project paths, `--root` file systems), match
// each package against the OSV store once per (ecosystem, name, version), and turn matches into Findings.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { vulnerabilityFinding, type VulnerabilityFinding } from './finding.ts';
import type { ExtractorKind } from './inventory/extract.ts';
import type { ExtractIssue, Package } from './inventory/types.ts';
import {
  defaultExtractors,
  walkInventory,
  type ExtractedFile,
  type WalkProgress,
  type WalkResult,
} from './inventory/walk.ts';
import { matchPackage, VersionCache, type PackageMatch } from './match/index.ts';
import type { OsvStore } from './osv/store.ts';
import { ScanError } from './errors.ts';
import { walkImage } from './image/index.ts';

/** What a target is: a project path (lockfiles, manifests, SBOMs), a file-system root, or an image. */
export type TargetKind = 'path' | 'root' | 'image';

export type ScanTarget = { readonly kind: TargetKind; readonly path: string };

export type ScanOptions = {
  readonly targets: readonly ScanTarget[];
  readonly store: OsvStore;
  /** Also match dev-only dependencies (Trivy and osv-scanner leave them out by default). */
  readonly includeDev?: boolean;
  readonly now?: () => Date;
  readonly onProgress?: (p: ScanProgress) => void;
  /** Which image of a multi-platform OCI index (`linux/arm64`); default linux/amd64 or the only one. */
  readonly platform?: string;
};

export type ScanProgress =
  | {
      readonly phase: 'inventory';
      readonly target: string;
      readonly done: number;
      readonly total: number;
      /** Within the target: entries walked, files claimed by an extractor, files read. */
      readonly walk?: WalkProgress;
    }
  | { readonly phase: 'match'; readonly done: number; readonly total: number };

export type TargetResult = {
  readonly target: ScanTarget;
  /** Packages matched (after dev and project-root packages are set aside). */
  readonly packages: readonly Package[];
  /** Every file an extractor read. */
  readonly files: readonly ExtractedFile[];
  readonly issues: readonly ExtractIssue[];
};

export type ScanResult = {
  readonly targets: readonly TargetResult[];
  /** One per (package, vulnerability): affected ones, then those whose effect could not be decided. */
  readonly findings: readonly VulnerabilityFinding[];
  /** Distinct (ecosystem, name, version) looked up. */
  readonly lookups: number;
  readonly elapsedMs: number;
  readonly time: string;
};

/** Lockfiles that say what node_modules holds: beside one, node_modules is not walked (the lockfile is the source). */
const NPM_LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock'];

const kindOf = (() => {
  const kinds = new Map<string, ExtractorKind>();
  for (const e of defaultExtractors()) kinds.set(e.id, e.kind);
  return (id: string): ExtractorKind | undefined => kinds.get(id);
})();

const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const under = (dir: string, path: string): boolean => dir === '' || path === dir || path.startsWith(`${dir}/`);

/**
 * A project path is walked for lockfiles, manifests and SBOMs, and for installed-package metadata too
 * (composer's installed.json, node_modules/…/package.json, OS package databases): installed metadata counts
 * only where no lockfile of its ecosystem covers the same directory, so a checkout with a lockfile is scanned
 * by its lockfile (as Trivy's `repo`), and a deployed tree without one by what is installed.
 */
export async function inventoryPath(path: string, onProgress?: (p: WalkProgress) => void): Promise<WalkResult> {
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) throw new ScanError('TARGET_NOT_FOUND', `${path}: no such file or directory`);
  const skip = (rel: string): boolean => {
    if (!rel.endsWith('node_modules') || rel.includes('node_modules/')) return false;
    const parent = join(path, dirOf(rel));
    return NPM_LOCKFILES.some((f) => existsSync(join(parent, f)));
  };
  const r = await walkInventory(path, {
    mode: 'rootfs',
    ...(st.isDirectory() ? { skip } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  const installed = new Set(r.files.filter((f) => kindOf(f.extractor) === 'installed').map((f) => f.path));
  if (installed.size === 0) return r;
  const locked = r.packages.filter((p) => !installed.has(p.location));
  const cover = new Map<string, string[]>();
  for (const p of locked) {
    const dirs = cover.get(p.ecosystem) ?? [];
    const d = dirOf(p.location);
    if (!dirs.includes(d)) dirs.push(d);
    cover.set(p.ecosystem, dirs);
  }
  const packages = r.packages.filter(
    (p) => !installed.has(p.location) || !(cover.get(p.ecosystem) ?? []).some((d) => under(d, p.location)),
  );
  return { ...r, packages };
}

/** A file-system root (`--root`): everything, installed metadata included, node_modules entered. */
export function inventoryRoot(root: string, onProgress?: (p: WalkProgress) => void): Promise<WalkResult> {
  return walkInventory(root, { mode: 'rootfs', ...(onProgress ? { onProgress } : {}) });
}

/** Whether a package is matched: the project itself (`root`) never, dev-only dependencies on request. */
function matched(p: Package, includeDev: boolean): boolean {
  if (p.root === true) return false;
  return includeDev || p.dev !== true;
}

export async function scan(opts: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const time = (opts.now ?? (() => new Date()))().toISOString();
  const targets: TargetResult[] = [];
  for (const [i, target] of opts.targets.entries()) {
    const at = { phase: 'inventory', target: target.path, done: i, total: opts.targets.length } as const;
    opts.onProgress?.(at);
    const walk = opts.onProgress ? (w: WalkProgress) => opts.onProgress!({ ...at, walk: w }) : undefined;
    let r: WalkResult;
    if (target.kind === 'image') {
      r = await walkImage(target.path, {
        ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
        ...(walk ? { onProgress: walk } : {}),
      });
    } else if (target.kind === 'root') {
      if (!(await stat(target.path).catch(() => undefined))?.isDirectory())
        throw new ScanError('TARGET_NOT_FOUND', `--root ${target.path}: not a directory`);
      r = await inventoryRoot(target.path, walk);
    } else r = await inventoryPath(target.path, walk);
    targets.push({
      target,
      packages: r.packages.filter((p) => matched(p, opts.includeDev === true)),
      files: r.files,
      issues: r.issues,
    });
  }

  // one lookup per distinct package: a monorepo lists the same dependency in many lockfiles
  const key = (p: Package): string => `${p.ecosystem}\u0000${p.name}\u0000${p.version}`;
  const distinct = new Map<string, Package>();
  for (const t of targets) for (const p of t.packages) if (!distinct.has(key(p))) distinct.set(key(p), p);
  const cache = new VersionCache();
  const matches = new Map<string, PackageMatch>();
  let done = 0;
  for (const [k, p] of distinct) {
    const m = matchPackage(opts.store, p, { cache });
    if (m.vulnerabilities.length || m.unknown.length) matches.set(k, m);
    if (++done % 500 === 0) opts.onProgress?.({ phase: 'match', done, total: distinct.size });
  }
  opts.onProgress?.({ phase: 'match', done, total: distinct.size });

  const findings: VulnerabilityFinding[] = [];
  const multi = targets.length > 1;
  for (const t of targets) {
    const seen = new Set<string>();
    for (const p of t.packages) {
      const m = matches.get(key(p));
      if (!m) continue;
      // the same package twice in one file (a lockfile listing it under two parents) is one finding
      const here = `${key(p)}\u0000${p.location}`;
      if (seen.has(here)) continue;
      seen.add(here);
      const own: PackageMatch = { ...m, package: p };
      for (const v of [...m.vulnerabilities, ...m.unknown])
        findings.push(
          vulnerabilityFinding(own, v, time, multi || t.target.kind !== 'path' ? t.target.path : undefined),
        );
    }
  }
  return {
    targets,
    findings,
    lookups: distinct.size,
    elapsedMs: performance.now() - started,
    time,
  };
}
