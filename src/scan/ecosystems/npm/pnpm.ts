// pnpm-lock.yaml, lockfile versions 5.x (`/name/1.0.0_peer`), 6.x (`/name@1.0.0(peer)`) and 9.x (`name@1.0.0`
// packages plus `snapshots`, no dev flags). Dev packages are those the file flags `dev: true` or, where it
// does not say, those reached only from `devDependencies` of the importers.
import {
  baseName,
  Collector,
  entries,
  isRecord,
  markDev,
  str,
  type Extractor,
  type RelatedFiles,
} from '../../inventory/extract.ts';
import type { Extracted } from '../../inventory/types.ts';
import { parseYaml } from '../../inventory/yaml.ts';

type Ref = { name: string; version: string };

function stripPeers(version: string, v5: boolean): string {
  const paren = version.indexOf('(');
  let v = paren === -1 ? version : version.slice(0, paren);
  if (v5) {
    const underscore = v.indexOf('_');
    if (underscore !== -1) v = v.slice(0, underscore);
  }
  return v;
}

/** A `packages` / `snapshots` key → name and version (pnpm's dependency-path rules). */
export function parseDepPath(depPath: string, lockVersion: number): Ref | undefined {
  let p = depPath;
  const v5 = lockVersion < 6;
  // v5/v6 keys start with `/` or with a registry host (`registry.npmjs.org/lodash/4.17.10`)
  if (p.startsWith('/')) p = p.slice(1);
  else if (lockVersion < 9 && /^[^@/][^/]*\.[^/]*\//.test(p)) p = p.slice(p.indexOf('/') + 1);
  let scope = '';
  if (p.startsWith('@')) {
    const slash = p.indexOf('/');
    if (slash === -1) return undefined;
    scope = p.slice(0, slash + 1);
    p = p.slice(slash + 1);
  }
  const sep = v5 ? p.indexOf('/') : p.indexOf('@');
  if (sep <= 0) return undefined;
  const name = scope + p.slice(0, sep);
  const version = stripPeers(p.slice(sep + 1), v5);
  if (!/^\d/.test(version)) return undefined;
  return { name, version };
}

/** The version written in a dependency map → the package it points at (aliases, peers, links handled). */
function depRef(name: string, written: string, lockVersion: number): Ref | undefined {
  const w = written.trim();
  if (w.startsWith('link:') || w.startsWith('file:') || w.startsWith('workspace:')) return undefined;
  if (/^\d/.test(w)) return { name, version: stripPeers(w, lockVersion < 6) };
  // an alias or a non-registry path: `/real/1.0.0` (v5), `/real@1.0.0` (v6), `real@1.0.0` (v9)
  return parseDepPath(w, lockVersion);
}

function lockVersionOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseFloat(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Parses pnpm-lock.yaml text. */
export function parsePnpmLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'npm');
  const r = parseYaml(text);
  if (!r.ok) {
    c.issue(r.message, r.line);
    return c.result();
  }
  if (!isRecord(r.value)) {
    if (r.value !== null && r.value !== undefined) c.issue('not a pnpm lockfile: the top level is not a mapping');
    return c.result();
  }
  const lock = r.value;
  const lockVersion = lockVersionOf(lock['lockfileVersion']);
  if (lockVersion === undefined) {
    c.issue(`unknown lockfileVersion ${JSON.stringify(lock['lockfileVersion'])}: read as version 9`);
  }
  const lv = lockVersion ?? 9;
  const key = (ref: Ref) => `${ref.name}@${ref.version}`;
  const nodes = new Map<string, { ref: Ref; devFlag?: boolean; deps: Ref[] }>();
  const node = (ref: Ref) => {
    const k = key(ref);
    let n = nodes.get(k);
    if (n === undefined) {
      n = { ref, deps: [] };
      nodes.set(k, n);
    }
    return n;
  };
  const addDeps = (n: { deps: Ref[] }, meta: Record<string, unknown>) => {
    for (const field of ['dependencies', 'optionalDependencies']) {
      for (const [dn, dv] of entries(meta[field])) {
        const v = str(dv);
        const ref = v === undefined ? undefined : depRef(dn, v, lv);
        if (ref !== undefined) n.deps.push(ref);
      }
    }
  };
  for (const [depPath, meta] of entries(lock['packages'])) {
    const m = isRecord(meta) ? meta : {};
    const named = str(m['name']);
    const versioned = str(m['version']);
    const ref =
      named !== undefined && versioned !== undefined ? { name: named, version: versioned } : parseDepPath(depPath, lv);
    if (ref === undefined) continue;
    const n = node(ref);
    if (typeof m['dev'] === 'boolean') n.devFlag = n.devFlag === false ? false : m['dev'];
    addDeps(n, m);
  }
  // v9: the graph lives in `snapshots`, keyed like packages plus peer suffixes
  for (const [snapPath, meta] of entries(lock['snapshots'])) {
    const ref = parseDepPath(snapPath, lv);
    if (ref === undefined || !isRecord(meta)) continue;
    addDeps(node(ref), meta);
  }
  for (const n of nodes.values()) c.add({ name: n.ref.name, version: n.ref.version });

  // roots: the importers (v6+ monorepos, v9 always) or the top-level maps (v5/v6 single projects)
  const importers: Record<string, unknown>[] = [];
  if (isRecord(lock['importers'])) {
    for (const [, imp] of entries(lock['importers'])) if (isRecord(imp)) importers.push(imp);
  }
  if (importers.length === 0) importers.push(lock);
  const rootRef = (name: string, v: unknown): Ref | undefined => {
    const written = isRecord(v) ? str(v['version']) : str(v);
    return written === undefined ? undefined : depRef(name, written, lv);
  };
  const prodRoots: string[] = [];
  const devRoots: string[] = [];
  const direct = new Set<string>();
  for (const imp of importers) {
    for (const field of ['dependencies', 'optionalDependencies', 'devDependencies']) {
      for (const [name, v] of entries(imp[field])) {
        const ref = rootRef(name, v);
        if (ref === undefined) continue;
        const k = key(ref);
        direct.add(k);
        (field === 'devDependencies' ? devRoots : prodRoots).push(k);
      }
    }
  }
  const next = (k: string) => (nodes.get(k)?.deps ?? []).map(key);
  const { prod, dev } = markDev(prodRoots, devRoots, next);
  for (const [k, n] of nodes) {
    const isDev = n.devFlag ?? (dev.has(k) ? true : prod.has(k) ? false : undefined);
    c.update(n.ref.name, n.ref.version, {
      ...(isDev !== undefined ? { dev: isDev } : {}),
      ...(prod.has(k) || dev.has(k) ? { direct: direct.has(k) } : {}),
    });
  }
  return c.result();
}

export const pnpmLock: Extractor = {
  id: 'npm/pnpm',
  ecosystem: 'npm',
  kind: 'lockfile',
  matches(path) {
    return baseName(path) === 'pnpm-lock.yaml' && !/(^|\/)node_modules\//.test(path);
  },
  extract(text: string, path: string, _related?: RelatedFiles) {
    return parsePnpmLock(text, path);
  },
};
