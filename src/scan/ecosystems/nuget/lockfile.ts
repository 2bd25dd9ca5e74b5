// NuGet: packages.lock.json, packages.config, *.deps.json (the .NET runtime's dependency manifest beside a
// built app) and central package management files (Directory.Packages.props, Packages.props).
import {
  baseName,
  Collector,
  entries,
  isRecord,
  str,
  stripBom,
  type Extractor,
  type RelatedFiles,
} from '../../inventory/extract.ts';
import { keyLines, keyPath, parseJson } from '../../inventory/json.ts';
import type { Extracted } from '../../inventory/types.ts';
import { attr, children, parseXml, type XmlElement } from '../../inventory/xml.ts';

/** `[1.2.3]` (NuGet's exact range) → `1.2.3`; a plain version as is; other ranges → undefined. */
function exactVersion(v: string): string | undefined {
  const t = v.trim();
  const exact = /^\[\s*([^,\]\s]+)\s*\]$/.exec(t);
  if (exact) return exact[1];
  if (/^[0-9][0-9A-Za-z.+-]*$/.test(t)) return t;
  return undefined;
}

// ---------------------------------------------------------------- packages.lock.json

/** Parses packages.lock.json: every target framework's resolved packages (project references skipped). */
export function parsePackagesLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'NuGet');
  const r = parseJson(stripBom(text));
  if (!r.ok) {
    c.issue(r.message, r.line);
    return c.result();
  }
  if (!isRecord(r.value) || !isRecord(r.value['dependencies'])) {
    c.issue('not a packages.lock.json: no "dependencies" object');
    return c.result();
  }
  const lines = keyLines(stripBom(text), 3);
  for (const [framework, deps] of entries(r.value['dependencies'])) {
    for (const [name, meta] of entries(deps)) {
      if (!isRecord(meta)) continue;
      const type = str(meta['type']);
      if (type === 'Project') continue;
      const version = str(meta['resolved']);
      if (version === undefined) continue;
      const line = lines.get(keyPath('dependencies', framework, name));
      c.add({ name, version, ...(line !== undefined ? { line } : {}), direct: type === 'Direct' });
    }
  }
  return c.result();
}

// ---------------------------------------------------------------- packages.config

function xmlIssues(c: Collector, errors: readonly { message: string; line: number }[]): void {
  for (const e of errors) c.issue(`invalid XML: ${e.message}`, e.line);
}

/** Parses packages.config: `<package id version developmentDependency?>`. */
export function parsePackagesConfig(text: string, path: string): Extracted {
  const c = new Collector(path, 'NuGet');
  const x = parseXml(stripBom(text));
  xmlIssues(c, x.errors);
  if (x.root === undefined) return c.result();
  for (const p of children(x.root, 'package')) {
    const id = attr(p, 'id');
    const version = attr(p, 'version');
    if (id === undefined || version === undefined) {
      c.issue('package without id or version', p.line);
      continue;
    }
    c.add({
      name: id,
      version,
      line: p.line,
      dev: attr(p, 'developmentDependency')?.toLowerCase() === 'true',
      direct: true,
    });
  }
  return c.result();
}

// ---------------------------------------------------------------- *.deps.json

/** Parses a .deps.json: `libraries` of type package; a `project` library is the app itself (root). */
export function parseDepsJson(text: string, path: string): Extracted {
  const c = new Collector(path, 'NuGet');
  const r = parseJson(stripBom(text));
  if (!r.ok) {
    c.issue(r.message, r.line);
    return c.result();
  }
  if (!isRecord(r.value) || !isRecord(r.value['libraries'])) {
    c.issue('not a .deps.json: no "libraries" object');
    return c.result();
  }
  const lines = keyLines(stripBom(text), 2, new Set(['libraries']));
  for (const [key, meta] of entries(r.value['libraries'])) {
    if (!isRecord(meta)) continue;
    const type = str(meta['type'])?.toLowerCase();
    if (type !== 'package' && type !== 'project') continue;
    const slash = key.lastIndexOf('/');
    if (slash <= 0) {
      c.issue(`library ${JSON.stringify(key)} is not "Name/Version"`, lines.get(keyPath('libraries', key)));
      continue;
    }
    const line = lines.get(keyPath('libraries', key));
    c.add({
      name: key.slice(0, slash),
      version: key.slice(slash + 1),
      ...(line !== undefined ? { line } : {}),
      ...(type === 'project' ? { root: true } : {}),
    });
  }
  return c.result();
}

// ---------------------------------------------------------------- Directory.Packages.props

/** MSBuild properties of the file (`<PropertyGroup><X>v</X>`), for `$(X)` in versions. */
function properties(root: XmlElement): Map<string, string> {
  const props = new Map<string, string>();
  for (const group of children(root, 'PropertyGroup'))
    for (const p of group.children) if (p.text !== '') props.set(p.name.toLowerCase(), p.text);
  return props;
}

function expand(v: string, props: Map<string, string>): string | undefined {
  let out = v;
  // bounded: a property may refer to another, but not forever
  for (let round = 0; round < 8 && out.includes('$('); round++) {
    let missing = false;
    out = out.replace(/\$\(([^)]+)\)/g, (_, name: string) => {
      const val = props.get(name.trim().toLowerCase());
      if (val === undefined) missing = true;
      return val ?? `$(${name})`;
    });
    if (missing) return undefined;
  }
  return out.includes('$(') ? undefined : out;
}

/** Parses Directory.Packages.props / Packages.props: `PackageVersion`, `GlobalPackageReference`, `PackageReference`. */
export function parsePackagesProps(text: string, path: string): Extracted {
  const c = new Collector(path, 'NuGet');
  const x = parseXml(stripBom(text));
  xmlIssues(c, x.errors);
  if (x.root === undefined) return c.result();
  const props = properties(x.root);
  for (const group of children(x.root, 'ItemGroup')) {
    for (const item of group.children) {
      if (item.name !== 'PackageVersion' && item.name !== 'GlobalPackageReference' && item.name !== 'PackageReference')
        continue;
      const name = attr(item, 'Include') ?? attr(item, 'Update');
      const written = attr(item, 'Version') ?? item.children.find((ch) => ch.name === 'Version')?.text;
      if (name === undefined || written === undefined || written === '') continue;
      const expanded = expand(written, props);
      if (expanded === undefined) {
        c.issue(`${name}: version ${JSON.stringify(written)} uses a property not defined in this file`, item.line);
        continue;
      }
      const version = exactVersion(expanded);
      if (version === undefined) {
        c.issue(`${name}: version range ${JSON.stringify(expanded)} names no single version`, item.line);
        continue;
      }
      c.add({ name, version, line: item.line });
    }
  }
  return c.result();
}

// ---------------------------------------------------------------- registry

export const packagesLock: Extractor = {
  id: 'nuget/packages-lock',
  ecosystem: 'NuGet',
  kind: 'lockfile',
  matches: (path) => baseName(path) === 'packages.lock.json',
  extract: (text: string, path: string, _related?: RelatedFiles) => parsePackagesLock(text, path),
};

export const packagesConfig: Extractor = {
  id: 'nuget/packages-config',
  ecosystem: 'NuGet',
  kind: 'lockfile',
  matches: (path) => baseName(path).toLowerCase() === 'packages.config',
  extract: (text: string, path: string, _related?: RelatedFiles) => parsePackagesConfig(text, path),
};

export const depsJson: Extractor = {
  id: 'nuget/deps-json',
  ecosystem: 'NuGet',
  kind: 'lockfile',
  matches: (path) => baseName(path).endsWith('.deps.json'),
  extract: (text: string, path: string, _related?: RelatedFiles) => parseDepsJson(text, path),
};

export const packagesProps: Extractor = {
  id: 'nuget/packages-props',
  ecosystem: 'NuGet',
  kind: 'lockfile',
  matches(path) {
    const base = baseName(path).toLowerCase();
    return base === 'directory.packages.props' || base === 'packages.props';
  },
  extract: (text: string, path: string, _related?: RelatedFiles) => parsePackagesProps(text, path),
};

/** This folder's extractors. */
export const nugetExtractors: readonly Extractor[] = [packagesLock, packagesConfig, depsJson, packagesProps];
