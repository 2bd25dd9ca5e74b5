// bun.lock, bun's text lockfile (JSONC: trailing commas). `packages` maps an install path (`name`, or
// `parent/name` for a nested copy) to `[ "name@version", registry, {dependencies…}, integrity ]`. Dev packages
// are those reached only from the workspaces' devDependencies (the file has no dev flags).
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
import { keyLines, keyPath, parseJson, stripJsonc } from '../../inventory/json.ts';
import type { Extracted } from '../../inventory/types.ts';
import { npmVersionOf } from './manifest.ts';

/** `@scope/a/b/@s/c` → [`@scope/a`, `b`, `@s/c`]: the package names an install path is made of. */
function pathNames(path: string): string[] {
  const parts = path.split('/');
  const names: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith('@') && i + 1 < parts.length) {
      names.push(`${p}/${parts[i + 1]!}`);
      i++;
    } else names.push(p);
  }
  return names;
}

/** `name@version` → [name, version]; the `@` of a scope is not the separator. */
function splitIdent(ident: string): [string, string] | undefined {
  const at = ident.indexOf('@', ident.startsWith('@') ? 1 : 0);
  if (at <= 0) return undefined;
  return [ident.slice(0, at), ident.slice(at + 1)];
}

/** Parses bun.lock text. */
export function parseBunLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'npm');
  const json = stripJsonc(text);
  const r = parseJson(json);
  if (!r.ok) {
    c.issue(r.message, r.line);
    return c.result();
  }
  if (!isRecord(r.value) || !isRecord(r.value['packages'])) {
    c.issue('not a bun.lock: no "packages" object');
    return c.result();
  }
  const lock = r.value;
  const lines = keyLines(json, 2, new Set(['packages']));
  type Node = { name: string; version?: string; deps: string[] };
  const nodes = new Map<string, Node>();
  for (const [installPath, value] of entries(lock['packages'])) {
    if (!Array.isArray(value) || typeof value[0] !== 'string') {
      c.issue(
        `package ${JSON.stringify(installPath)} is not an array starting with "name@version"`,
        lines.get(keyPath('packages', installPath)),
      );
      continue;
    }
    const ident = splitIdent(value[0]);
    if (ident === undefined) continue;
    const info = value.find((v: unknown) => isRecord(v)) as Record<string, unknown> | undefined;
    const deps: string[] = [];
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const [d] of entries(info?.[field])) deps.push(d);
    }
    // only registry versions are packages; workspace:, github:, file:, link: entries are the project's own
    const ref = npmVersionOf(ident[0], ident[1]);
    nodes.set(installPath, {
      name: ref?.name ?? ident[0],
      ...(ref !== undefined ? { version: ref.version } : {}),
      deps,
    });
  }
  /** bun resolves a dependency from the nearest install path up: `a/b/dep`, `a/dep`, `dep`. */
  const resolve = (from: string, dep: string): string | undefined => {
    const names = pathNames(from);
    for (let k = names.length; k >= 0; k--) {
      const candidate = [...names.slice(0, k), dep].join('/');
      if (nodes.has(candidate)) return candidate;
    }
    return undefined;
  };
  for (const [installPath, n] of nodes) {
    if (n.version === undefined) continue;
    const line = lines.get(keyPath('packages', installPath));
    c.add({ name: n.name, version: n.version, ...(line !== undefined ? { line } : {}) });
  }
  const prodRoots: string[] = [];
  const devRoots: string[] = [];
  for (const [, ws] of entries(lock['workspaces'])) {
    if (!isRecord(ws)) continue;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies']) {
      for (const [d] of entries(ws[field])) {
        if (!nodes.has(d)) continue;
        (field === 'devDependencies' ? devRoots : prodRoots).push(d);
      }
    }
  }
  const direct = new Set([...prodRoots, ...devRoots]);
  const next = (p: string) =>
    (nodes.get(p)?.deps ?? []).map((d) => resolve(p, d)).filter((x): x is string => x !== undefined);
  const { prod, dev } = markDev(prodRoots, devRoots, next);
  // one name@version may sit at several install paths: dev only if all are, direct if any is
  const marks = new Map<string, { name: string; version: string; dev: boolean; direct: boolean }>();
  for (const [p, n] of nodes) {
    if (n.version === undefined || (!prod.has(p) && !dev.has(p))) continue;
    const k = `${n.name}@${n.version}`;
    const m = marks.get(k) ?? { name: n.name, version: n.version, dev: true, direct: false };
    m.dev &&= dev.has(p);
    m.direct ||= direct.has(p);
    marks.set(k, m);
  }
  for (const m of marks.values()) c.update(m.name, m.version, { dev: m.dev, direct: m.direct });
  const root = isRecord(lock['workspaces']) ? lock['workspaces'][''] : undefined;
  if (isRecord(root)) {
    const name = str(root['name']);
    const version = str(root['version']);
    if (name !== undefined && version !== undefined) c.add({ name, version, root: true });
  }
  return c.result();
}

export const bunLock: Extractor = {
  id: 'npm/bun',
  ecosystem: 'npm',
  kind: 'lockfile',
  matches(path) {
    return baseName(path) === 'bun.lock' && !/(^|\/)node_modules\//.test(path);
  },
  extract(text: string, path: string, _related?: RelatedFiles) {
    return parseBunLock(text, path);
  },
};
