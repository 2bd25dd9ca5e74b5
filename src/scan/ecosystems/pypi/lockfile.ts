// Python lockfiles: Pipfile.lock, poetry.lock (with pyproject.toml for direct and dev groups), uv.lock,
// pdm.lock and pylock.toml (PEP 751); and this folder's extractor list (requirements files are in
// requirements.ts).
import {
  baseName,
  Collector,
  entries,
  isRecord,
  markDev,
  sibling,
  str,
  type Extractor,
  type RelatedFiles,
} from '../../inventory/extract.ts';
import { jsonObjectOf, keyLines, keyPath } from '../../inventory/json.ts';
import { arrayTableLines, parseToml, parseTomlBlocks } from '../../inventory/toml.ts';
import type { Extracted } from '../../inventory/types.ts';
import { pep503 } from './pep503.ts';
import { requirementsTxt } from './requirements.ts';

/** Tables of `[[name]]` with their header lines; a broken file is salvaged block by block. */
function tomlTables(
  text: string,
  name: string,
  c: Collector,
): { tables: { value: Record<string, unknown>; line: number }[]; top?: Record<string, unknown> } {
  const r = parseToml(text);
  if (r.ok) {
    const arr = r.value[name];
    const lines = arrayTableLines(text, name);
    const tables = Array.isArray(arr) ? arr.filter(isRecord).map((value, i) => ({ value, line: lines[i] ?? 1 })) : [];
    return { tables, top: r.value };
  }
  c.issue(r.message, r.line);
  const b = parseTomlBlocks(text, name);
  for (const e of b.errors) if (e.line !== r.line) c.issue(e.message, e.line);
  return { tables: [...b.tables], ...(b.head !== undefined ? { top: b.head } : {}) };
}

// ---------------------------------------------------------------- Pipfile.lock

/** Parses Pipfile.lock: `default` packages, and `develop` ones as dev. */
export function parsePipfileLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'PyPI');
  const top = jsonObjectOf(text, c, 'Pipfile.lock');
  if (!top) return c.result();
  const lines = keyLines(text, 2, new Set(['default', 'develop']));
  for (const section of ['default', 'develop'] as const) {
    for (const [name, meta] of entries(top[section])) {
      if (!isRecord(meta)) continue;
      const v = str(meta['version']);
      // git, path and editable entries have no version
      if (v === undefined) continue;
      const version = v.replace(/^===?/, '');
      const line = lines.get(keyPath(section, name));
      c.add({ name, version, ...(line !== undefined ? { line } : {}), dev: section === 'develop' });
    }
  }
  return c.result();
}

// ---------------------------------------------------------------- poetry.lock

type Manifest = { prod: Set<string>; dev: Set<string>; projectName?: string };

/** Dependency names of a pyproject.toml: PEP 621 `[project]` and Poetry's tables, by main and dev groups. */
function readPyproject(text: string): Manifest | undefined {
  const r = parseToml(text);
  if (!r.ok) return undefined;
  const prod = new Set<string>();
  const dev = new Set<string>();
  const nameOf = (spec: string) => /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec)?.[1];
  const project = r.value['project'];
  if (isRecord(project)) {
    for (const d of Array.isArray(project['dependencies']) ? project['dependencies'] : []) {
      const n = typeof d === 'string' ? nameOf(d) : undefined;
      if (n !== undefined) prod.add(pep503(n));
    }
    for (const [, list] of entries(project['optional-dependencies'])) {
      for (const d of Array.isArray(list) ? list : []) {
        const n = typeof d === 'string' ? nameOf(d) : undefined;
        if (n !== undefined) prod.add(pep503(n));
      }
    }
  }
  // PEP 735 dependency groups are development-time by intent
  for (const [, list] of entries(r.value['dependency-groups'])) {
    for (const d of Array.isArray(list) ? list : []) {
      const n = typeof d === 'string' ? nameOf(d) : undefined;
      if (n !== undefined) dev.add(pep503(n));
    }
  }
  const tool = isRecord(r.value['tool']) ? r.value['tool'] : {};
  const poetry = isRecord(tool['poetry']) ? tool['poetry'] : {};
  for (const [n] of entries(poetry['dependencies'])) if (n.toLowerCase() !== 'python') prod.add(pep503(n));
  for (const [n] of entries(poetry['dev-dependencies'])) dev.add(pep503(n));
  for (const [group, g] of entries(poetry['group'])) {
    if (!isRecord(g)) continue;
    for (const [n] of entries(g['dependencies'])) (group === 'main' ? prod : dev).add(pep503(n));
  }
  const name = isRecord(project) ? str(project['name']) : str(poetry['name']);
  return { prod, dev, ...(name !== undefined ? { projectName: name } : {}) };
}

/** Non-registry sources (a local directory, a file, a URL or a git checkout) have no OSV record. */
function localSource(source: unknown): boolean {
  if (!isRecord(source)) return false;
  const type = str(source['type']);
  return type === 'directory' || type === 'file' || type === 'url' || type === 'git';
}

/** Parses poetry.lock, with the pyproject.toml beside it when given. */
export function parsePoetryLock(text: string, path: string, pyproject?: string): Extracted {
  const c = new Collector(path, 'PyPI');
  const { tables } = tomlTables(text, 'package', c);
  type Node = { name: string; version: string; deps: string[] };
  const byName = new Map<string, Node>();
  for (const { value: p, line } of tables) {
    const name = str(p['name']);
    const version = str(p['version']);
    if (name === undefined || version === undefined) {
      c.issue('package without name or version', line);
      continue;
    }
    if (localSource(p['source'])) continue;
    const category = str(p['category']);
    c.add({ name, version, line, ...(category !== undefined ? { dev: category === 'dev' } : {}) });
    byName.set(pep503(name), { name, version, deps: entries(p['dependencies']).map(([d]) => pep503(d)) });
  }
  if (pyproject !== undefined) {
    const m = readPyproject(pyproject);
    if (m === undefined)
      c.issue('the pyproject.toml beside it is not valid TOML: direct and dev dependencies are unknown');
    else {
      const prodRoots = [...m.prod].filter((n) => byName.has(n));
      const devRoots = [...m.dev].filter((n) => byName.has(n) && !m.prod.has(n));
      const { prod, dev } = markDev(prodRoots, devRoots, (n) => byName.get(n)?.deps ?? []);
      const direct = new Set([...prodRoots, ...devRoots]);
      for (const [key, n] of byName) {
        if (prod.has(key)) c.update(n.name, n.version, { dev: false, direct: direct.has(key) });
        else if (dev.has(key)) c.update(n.name, n.version, { dev: true, direct: direct.has(key) });
      }
    }
  }
  return c.result();
}

// ---------------------------------------------------------------- uv.lock

function depNames(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const d of list) {
    const n = isRecord(d) ? str(d['name']) : undefined;
    if (n !== undefined) out.push(pep503(n));
  }
  return out;
}

/** Parses uv.lock: the project (`source = { virtual | editable = "." }`) is the root; dev groups are dev. */
export function parseUvLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'PyPI');
  const { tables } = tomlTables(text, 'package', c);
  type Node = {
    name: string;
    version?: string;
    line: number;
    prodDeps: string[];
    devDeps: string[];
    root: boolean;
    local: boolean;
  };
  const nodes = new Map<string, Node>();
  for (const { value: p, line } of tables) {
    const name = str(p['name']);
    if (name === undefined) {
      c.issue('package without a name', line);
      continue;
    }
    const source = isRecord(p['source']) ? p['source'] : {};
    const root = source['virtual'] === '.' || source['editable'] === '.';
    const local = !root && ['virtual', 'editable', 'path', 'directory', 'git', 'url'].some((k) => k in source);
    const prodDeps = depNames(p['dependencies']);
    for (const [, list] of entries(p['optional-dependencies'])) prodDeps.push(...depNames(list));
    const devDeps: string[] = [];
    for (const [, list] of entries(p['dev-dependencies'])) devDeps.push(...depNames(list));
    const version = str(p['version']);
    nodes.set(pep503(name), {
      name,
      ...(version !== undefined ? { version } : {}),
      line,
      prodDeps,
      devDeps,
      root,
      local,
    });
  }
  for (const n of nodes.values()) {
    if (n.version === undefined || n.local) continue;
    c.add({ name: n.name, version: n.version, line: n.line, ...(n.root ? { root: true } : {}) });
  }
  const roots = [...nodes].filter(([, n]) => n.root).map(([k]) => k);
  if (roots.length > 0) {
    const next = (k: string) => nodes.get(k)?.prodDeps ?? [];
    const devRoots = roots.flatMap((k) => nodes.get(k)!.devDeps);
    const { prod, dev } = markDev(roots, devRoots, next);
    const direct = new Set(roots.flatMap((k) => [...nodes.get(k)!.prodDeps, ...nodes.get(k)!.devDeps]));
    for (const [k, n] of nodes) {
      if (n.version === undefined || n.root) continue;
      if (prod.has(k)) c.update(n.name, n.version, { dev: false, direct: direct.has(k) });
      else if (dev.has(k)) c.update(n.name, n.version, { dev: true, direct: direct.has(k) });
      // not reached from the project at all: another platform's or an extra's leftovers; left unmarked
    }
  }
  return c.result();
}

// ---------------------------------------------------------------- pdm.lock

/** Parses pdm.lock: packages whose `groups` do not include `default` are dev. */
export function parsePdmLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'PyPI');
  const { tables } = tomlTables(text, 'package', c);
  for (const { value: p, line } of tables) {
    const name = str(p['name']);
    const version = str(p['version']);
    if (name === undefined || version === undefined) continue;
    if (
      p['editable'] === true ||
      typeof p['path'] === 'string' ||
      typeof p['git'] === 'string' ||
      typeof p['url'] === 'string'
    )
      continue;
    const groups = Array.isArray(p['groups'])
      ? p['groups'].filter((g): g is string => typeof g === 'string')
      : undefined;
    c.add({
      name,
      version,
      line,
      ...(groups !== undefined && groups.length > 0 ? { dev: !groups.includes('default') } : {}),
    });
  }
  return c.result();
}

// ---------------------------------------------------------------- pylock.toml

/** Parses pylock.toml (PEP 751): `[[packages]]` with a version (VCS and directory entries have none). */
export function parsePylock(text: string, path: string): Extracted {
  const c = new Collector(path, 'PyPI');
  const { tables, top } = tomlTables(text, 'packages', c);
  if (top !== undefined && top['lock-version'] === undefined && tables.length === 0)
    c.issue('not a pylock.toml: no lock-version and no [[packages]]');
  for (const { value: p, line } of tables) {
    const name = str(p['name']);
    const version = str(p['version']);
    if (name === undefined) {
      c.issue('package without a name', line);
      continue;
    }
    if (version === undefined || isRecord(p['vcs']) || isRecord(p['directory'])) continue;
    c.add({ name, version, line });
  }
  return c.result();
}

// ---------------------------------------------------------------- registry

const notVendored = (path: string) => !/(^|\/)(site-packages|node_modules|\.venv)\//.test(path);

export const pipfileLock: Extractor = {
  id: 'pypi/pipfile-lock',
  ecosystem: 'PyPI',
  kind: 'lockfile',
  matches: (path) => baseName(path) === 'Pipfile.lock' && notVendored(path),
  extract: (text: string, path: string, _related?: RelatedFiles) => parsePipfileLock(text, path),
};

export const poetryLock: Extractor = {
  id: 'pypi/poetry',
  ecosystem: 'PyPI',
  kind: 'lockfile',
  matches: (path) => baseName(path) === 'poetry.lock' && notVendored(path),
  related: (path) => [sibling(path, 'pyproject.toml')],
  extract: (text: string, path: string, related?: RelatedFiles) =>
    parsePoetryLock(text, path, related?.get(sibling(path, 'pyproject.toml'))),
};

export const uvLock: Extractor = {
  id: 'pypi/uv',
  ecosystem: 'PyPI',
  kind: 'lockfile',
  matches: (path) => baseName(path) === 'uv.lock' && notVendored(path),
  extract: (text: string, path: string, _related?: RelatedFiles) => parseUvLock(text, path),
};

export const pdmLock: Extractor = {
  id: 'pypi/pdm',
  ecosystem: 'PyPI',
  kind: 'lockfile',
  matches: (path) => baseName(path) === 'pdm.lock' && notVendored(path),
  extract: (text: string, path: string, _related?: RelatedFiles) => parsePdmLock(text, path),
};

export const pylock: Extractor = {
  id: 'pypi/pylock',
  ecosystem: 'PyPI',
  kind: 'lockfile',
  // PEP 751: pylock.toml, or pylock.<name>.toml
  matches: (path) => /^pylock\.(?:[^./]+\.)?toml$/.test(baseName(path)) && notVendored(path),
  extract: (text: string, path: string, _related?: RelatedFiles) => parsePylock(text, path),
};

/** This folder's extractors. */
export const pypiExtractors: readonly Extractor[] = [requirementsTxt, pipfileLock, poetryLock, uvLock, pdmLock, pylock];
