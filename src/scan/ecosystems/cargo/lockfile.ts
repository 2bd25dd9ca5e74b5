// Cargo.lock (versions 1–4). Crates without a `source` are the workspace's own: the one named in the Cargo.toml
// beside it is the root, the others are skipped (no crates.io record is theirs). With that Cargo.toml, crates
// reached only through `[dev-dependencies]` are dev, as in Trivy.
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
import { arrayTableLines, parseToml, parseTomlBlocks } from '../../inventory/toml.ts';
import type { Extracted } from '../../inventory/types.ts';

type Crate = { name: string; version: string; source?: string; deps: string[]; line: number };

/** Names (the `package =` rename resolved) of a Cargo.toml dependency table. */
function depTable(t: unknown, into: Set<string>): void {
  for (const [key, spec] of entries(t)) into.add(isRecord(spec) ? (str(spec['package']) ?? key) : key);
}

function readCargoToml(
  text: string,
): { name?: string; version?: string; prod: Set<string>; dev: Set<string> } | undefined {
  const r = parseToml(text);
  if (!r.ok) return undefined;
  const prod = new Set<string>();
  const dev = new Set<string>();
  depTable(r.value['dependencies'], prod);
  depTable(r.value['build-dependencies'], prod);
  depTable(r.value['dev-dependencies'], dev);
  for (const [, target] of entries(r.value['target'])) {
    if (!isRecord(target)) continue;
    depTable(target['dependencies'], prod);
    depTable(target['build-dependencies'], prod);
    depTable(target['dev-dependencies'], dev);
  }
  const pkg = isRecord(r.value['package']) ? r.value['package'] : {};
  const name = str(pkg['name']);
  const version = str(pkg['version']);
  return { ...(name !== undefined ? { name } : {}), ...(version !== undefined ? { version } : {}), prod, dev };
}

/** Parses Cargo.lock text, with the Cargo.toml beside it when given. */
export function parseCargoLock(text: string, path: string, cargoToml?: string): Extracted {
  const c = new Collector(path, 'crates.io');
  const crates: Crate[] = [];
  const read = (p: Record<string, unknown>, line: number) => {
    const name = str(p['name']);
    const version = str(p['version']);
    if (name === undefined || version === undefined) {
      c.issue('package without name or version', line);
      return;
    }
    const deps = Array.isArray(p['dependencies'])
      ? p['dependencies'].filter((d): d is string => typeof d === 'string')
      : [];
    const source = str(p['source']);
    crates.push({ name, version, ...(source !== undefined ? { source } : {}), deps, line });
  };
  const r = parseToml(text);
  if (r.ok) {
    const lines = arrayTableLines(text, 'package');
    const arr = Array.isArray(r.value['package']) ? r.value['package'] : [];
    arr.forEach((p, i) => isRecord(p) && read(p, lines[i] ?? 1));
  } else {
    c.issue(r.message, r.line);
    const b = parseTomlBlocks(text, 'package');
    for (const e of b.errors) if (e.line !== r.line) c.issue(e.message, e.line);
    for (const t of b.tables) read(t.value, t.line);
  }
  const manifest = cargoToml === undefined ? undefined : readCargoToml(cargoToml);
  if (cargoToml !== undefined && manifest === undefined)
    c.issue('the Cargo.toml beside it is not valid TOML: dev dependencies are unknown');
  const key = (k: Crate) => `${k.name} ${k.version}`;
  const byName = new Map<string, Crate[]>();
  for (const k of crates) {
    const list = byName.get(k.name);
    if (list === undefined) byName.set(k.name, [k]);
    else list.push(k);
  }
  /** `name`, `name version` or `name version (source)` → the crate it designates. */
  const resolve = (dep: string): Crate | undefined => {
    const [name, version] = dep.split(' ');
    const list = byName.get(name!) ?? [];
    if (version === undefined) return list.length === 1 ? list[0] : undefined;
    return list.find((k) => k.version === version);
  };
  const root =
    manifest?.name === undefined
      ? undefined
      : crates.find(
          (k) =>
            k.source === undefined &&
            k.name === manifest.name &&
            (manifest.version === undefined || k.version === manifest.version),
        );
  for (const k of crates) {
    if (k === root) c.add({ name: k.name, version: k.version, line: k.line, root: true });
    else if (k.source !== undefined) c.add({ name: k.name, version: k.version, line: k.line });
    // a path crate of the workspace: the project's own code
  }
  if (manifest !== undefined) {
    // the root's own lock entry pins which version each declared dependency is
    const declared = root !== undefined ? root.deps.map(resolve).filter((k): k is Crate => k !== undefined) : crates;
    const prodRoots = declared.filter((k) => manifest.prod.has(k.name)).map(key);
    const devRoots = declared.filter((k) => manifest.dev.has(k.name) && !manifest.prod.has(k.name)).map(key);
    const byKey = new Map(crates.map((k) => [key(k), k]));
    const next = (k: string) =>
      (byKey.get(k)?.deps ?? [])
        .map(resolve)
        .filter((d): d is Crate => d !== undefined)
        .map(key);
    const { prod, dev } = markDev(prodRoots, devRoots, next);
    const direct = new Set([...prodRoots, ...devRoots]);
    for (const k of crates) {
      if (k === root || k.source === undefined) continue;
      const kk = key(k);
      if (prod.has(kk)) c.update(k.name, k.version, { dev: false, direct: direct.has(kk) });
      else if (dev.has(kk)) c.update(k.name, k.version, { dev: true, direct: direct.has(kk) });
    }
  }
  return c.result();
}

export const cargoLock: Extractor = {
  id: 'cargo/cargo-lock',
  ecosystem: 'crates.io',
  kind: 'lockfile',
  matches(path) {
    // Cargo.lock files inside the registry cache or vendor/ belong to the dependencies
    return baseName(path) === 'Cargo.lock' && !/(^|\/)(vendor|\.cargo\/registry)\//.test(path);
  },
  related(path) {
    return [sibling(path, 'Cargo.toml')];
  },
  extract(text: string, path: string, related?: RelatedFiles) {
    return parseCargoLock(text, path, related?.get(sibling(path, 'Cargo.toml')));
  },
};

/** This folder's extractors. */
export const cargoExtractors: readonly Extractor[] = [cargoLock];
