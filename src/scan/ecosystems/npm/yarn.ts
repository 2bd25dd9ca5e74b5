// yarn.lock, both yarn 1 ("classic", its own format) and yarn 2+ ("berry", YAML-like with `resolution`).
// One line scanner reads both: a 100k-entry lockfile takes well under a second, where a generic YAML parser
// would not. The package.json beside it (if readable) names the root package and sorts the entries into
// direct, dev and the rest, as Trivy does.
import {
  baseName,
  Collector,
  markDev,
  sibling,
  stripBom,
  type Extractor,
  type RelatedFiles,
} from '../../inventory/extract.ts';
import type { Extracted } from '../../inventory/types.ts';
import { readNpmManifest } from './manifest.ts';

type Entry = {
  patterns: string[];
  line: number;
  version?: string;
  resolution?: string;
  linkType?: string;
  deps: string[];
};

/** `"a@^1", a@^2` or `"a@npm:^1, a@npm:^2"` → the patterns, unquoted. */
function headerPatterns(header: string): string[] {
  let h = header.trim();
  if (h.endsWith(':')) h = h.slice(0, -1);
  const out: string[] = [];
  for (let part of h.split(/,\s*/)) {
    part = part.trim();
    if (part.startsWith('"') && part.endsWith('"') && part.length >= 2) part = part.slice(1, -1);
    else if (part.startsWith('"')) part = part.slice(1);
    else if (part.endsWith('"')) part = part.slice(0, -1);
    if (part !== '') out.push(part);
  }
  return out;
}

/** `@scope/name@range` → [name, range]; the `@` of a scope is not the separator. */
function splitPattern(pattern: string): [string, string] | undefined {
  const at = pattern.indexOf('@', pattern.startsWith('@') ? 1 : 0);
  if (at <= 0) return undefined;
  return [pattern.slice(0, at), pattern.slice(at + 1)];
}

/** A pattern in the form both dependency lists and headers reduce to: `name@range`, `npm:` dropped unless an alias. */
function normalizePattern(name: string, range: string): string {
  let r = range.trim();
  if (r.startsWith('npm:') && !r.slice(4).includes('@', r.slice(4).startsWith('@') ? 1 : 0)) r = r.slice(4);
  return `${name}@${r}`;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))))
    return t.slice(1, -1);
  return t;
}

/** A `key value` (v1) or `key: value` (berry) field line, indentation already removed. */
function field(line: string): [string, string] | undefined {
  let key: string;
  let rest: string;
  if (line.startsWith('"')) {
    const end = line.indexOf('"', 1);
    if (end === -1) return undefined;
    key = line.slice(1, end);
    rest = line.slice(end + 1);
  } else {
    const m = /^([^\s:]+(?::[^\s:]+)*?)(?::\s|:$|\s)/.exec(line);
    if (m === null) return [line.replace(/:$/, ''), ''];
    key = m[1]!;
    rest = line.slice(m[1]!.length);
  }
  rest = rest.replace(/^:/, '').trim();
  return [key, unquote(rest)];
}

function parseEntries(text: string, c: Collector): Entry[] {
  const lines = stripBom(text).split(/\r?\n/);
  const out: Entry[] = [];
  let cur: Entry | undefined;
  let skipBlock = false;
  let inDeps = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw === '' || raw.startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (indent === 0) {
      inDeps = false;
      if (line.startsWith('__metadata')) {
        skipBlock = true;
        cur = undefined;
        continue;
      }
      skipBlock = false;
      if (!line.endsWith(':')) {
        c.issue(`unexpected line ${JSON.stringify(line.slice(0, 80))}`, i + 1);
        cur = undefined;
        continue;
      }
      cur = { patterns: headerPatterns(line), line: i + 1, deps: [] };
      out.push(cur);
      continue;
    }
    if (skipBlock || cur === undefined) continue;
    if (indent <= 2) {
      inDeps = false;
      const f = field(line);
      if (f === undefined) continue;
      const [key, value] = f;
      if (key === 'dependencies' || key === 'optionalDependencies') inDeps = value === '';
      else if (key === 'version') cur.version = value;
      else if (key === 'resolution') cur.resolution = value;
      else if (key === 'linkType') cur.linkType = value;
      continue;
    }
    if (inDeps) {
      const f = field(line);
      if (f !== undefined && f[1] !== '') cur.deps.push(normalizePattern(f[0], f[1]));
    }
  }
  return out;
}

/** The registry name of an entry, or undefined for workspace, link, file, git, patch … sources. */
function registryName(e: Entry): string | undefined {
  if (e.linkType === 'soft') return undefined;
  if (e.resolution !== undefined) {
    // berry: "name@npm:1.2.3"; anything but the npm protocol is local or a patched copy of an npm entry
    const sp = splitPattern(e.resolution);
    if (sp === undefined || !sp[1].startsWith('npm:')) return undefined;
    return sp[0];
  }
  const first = e.patterns[0];
  const sp = first === undefined ? undefined : splitPattern(first);
  if (sp === undefined) return undefined;
  const [name, range] = sp;
  if (range.startsWith('npm:')) {
    // alias: `alias@npm:real-name@^1.0.0`
    const real = splitPattern(range.slice(4));
    return real === undefined ? name : real[0];
  }
  // a protocol (git+https:, github:, file:, link:, https:, patch:, portal:, workspace:) means not from the registry
  if (/^[a-z][a-z0-9+.-]*:/i.test(range)) return undefined;
  return name;
}

/** Parses yarn.lock text (v1 or berry), with the sibling package.json when given. */
export function parseYarnLock(text: string, path: string, manifestText?: string): Extracted {
  const c = new Collector(path, 'npm');
  const all = parseEntries(text, c);
  // pattern → entry index, for the dependency walk
  const byPattern = new Map<string, number>();
  const byName = new Map<string, number[]>();
  const kept: { entry: Entry; name: string; version: string; index: number }[] = [];
  all.forEach((e, index) => {
    for (const p of e.patterns) {
      const sp = splitPattern(p);
      if (sp !== undefined) byPattern.set(normalizePattern(sp[0], sp[1]), index);
    }
    const name = registryName(e);
    if (name === undefined || e.version === undefined || !/^\d/.test(e.version)) return;
    kept.push({ entry: e, name, version: e.version, index });
    const list = byName.get(name);
    if (list === undefined) byName.set(name, [index]);
    else list.push(index);
  });
  for (const k of kept) c.add({ name: k.name, version: k.version, line: k.entry.line });

  const manifest = manifestText === undefined ? undefined : readNpmManifest(manifestText);
  if (manifestText !== undefined && manifest === undefined)
    c.issue('the package.json beside it is not valid JSON: direct and dev dependencies are unknown');
  if (manifest !== undefined) {
    const find = (name: string, spec: string): number | undefined => {
      const hit = byPattern.get(normalizePattern(name, spec));
      if (hit !== undefined) return hit;
      const same = byName.get(name);
      return same !== undefined && same.length === 1 ? same[0] : undefined;
    };
    const prodRoots = [...manifest.prod].map(([n, s]) => find(n, s)).filter((i) => i !== undefined);
    const devRoots = [...manifest.dev].map(([n, s]) => find(n, s)).filter((i) => i !== undefined);
    const next = (i: number): number[] =>
      (all[i]?.deps ?? []).map((p) => byPattern.get(p)).filter((j): j is number => j !== undefined);
    const { prod, dev } = markDev(prodRoots, devRoots, next);
    const directSet = new Set([...prodRoots, ...devRoots]);
    // several entries may resolve to one name and version: dev only if every one is, direct if any is
    const marks = new Map<string, { name: string; version: string; dev: boolean; direct: boolean }>();
    for (const k of kept) {
      if (!prod.has(k.index) && !dev.has(k.index)) continue;
      const key = `${k.name}@${k.version}`;
      const m = marks.get(key) ?? { name: k.name, version: k.version, dev: true, direct: false };
      m.dev &&= dev.has(k.index);
      m.direct ||= directSet.has(k.index);
      marks.set(key, m);
    }
    for (const m of marks.values()) c.update(m.name, m.version, { dev: m.dev, direct: m.direct });
    if (manifest.name !== undefined && manifest.version !== undefined) {
      c.add({ name: manifest.name, version: manifest.version, root: true });
    }
  }
  return c.result();
}

export const yarnLock: Extractor = {
  id: 'npm/yarn',
  ecosystem: 'npm',
  kind: 'lockfile',
  matches(path) {
    // yarn.lock files inside node_modules or the berry cache belong to published packages, not this project
    return baseName(path) === 'yarn.lock' && !/(^|\/)(node_modules|\.yarn\/unplugged)\//.test(path);
  },
  related(path) {
    return [sibling(path, 'package.json')];
  },
  extract(text: string, path: string, related?: RelatedFiles) {
    return parseYarnLock(text, path, related?.get(sibling(path, 'package.json')));
  },
};
