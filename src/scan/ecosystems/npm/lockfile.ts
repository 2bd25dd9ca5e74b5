// npm's package-lock.json and npm-shrinkwrap.json, lockfile versions 1, 2 and 3; and the npm-family
// extractor list of this folder (yarn, pnpm, bun, installed package.json files).
import {
  baseName,
  Collector,
  entries,
  isRecord,
  str,
  type Extractor,
  type RelatedFiles,
} from '../../inventory/extract.ts';
import { jsonObjectOf, keyLines, keyPath } from '../../inventory/json.ts';
import type { Extracted } from '../../inventory/types.ts';
import { bunLock } from './bun.ts';
import { npmVersionOf } from './manifest.ts';
import { installedPackageJson } from './package-json.ts';
import { pnpmLock } from './pnpm.ts';
import { yarnLock } from './yarn.ts';

const NODE_MODULES = 'node_modules/';
const V2_KEYS: ReadonlySet<string> = new Set(['packages']);
const V1_KEYS: ReadonlySet<string> = new Set(['dependencies']);
// v1 lockfiles nest `dependencies` once per node_modules level; deeper than this is hostile
const MAX_V1_DEPTH = 200;

function inNodeModules(path: string): boolean {
  return path.startsWith('node_modules/') || path.includes('/node_modules/');
}

/** Name of the package installed at a v2/v3 `packages` key: the part after the last `node_modules/`. */
function nameFromPath(path: string): string {
  const i = path.lastIndexOf(NODE_MODULES);
  return i === -1 ? path : path.slice(i + NODE_MODULES.length);
}

function parseV2(packages: Record<string, unknown>, c: Collector, lines: Map<string, number>): void {
  const root = packages[''];
  const direct = new Set<string>();
  const addDirect = (manifest: unknown) => {
    if (!isRecord(manifest)) return;
    for (const key of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const [name] of entries(manifest[key])) direct.add(name);
    }
  };
  addDirect(root);
  // workspace folders (keys outside node_modules) are the project's own packages: their dependencies are
  // direct too, but they are not registry packages themselves
  for (const [path, meta] of Object.entries(packages)) {
    if (path !== '' && !path.startsWith(NODE_MODULES) && !path.includes('/node_modules/')) addDirect(meta);
  }
  for (const [path, meta] of Object.entries(packages)) {
    if (!isRecord(meta)) continue;
    const line = lines.get(`packages\u0000${path}`);
    if (!path.startsWith(NODE_MODULES) && !path.includes('/node_modules/')) continue;
    // a link points at a folder in the project (a workspace or `file:` dependency): not a registry package
    if (meta['link'] === true) continue;
    const version = str(meta['version']);
    if (version === undefined) {
      // bundled or extraneous entries without a version cannot be matched
      continue;
    }
    const installedAs = nameFromPath(path);
    const ref = npmVersionOf(str(meta['name']) ?? installedAs, version);
    if (ref === undefined) continue;
    const resolved = str(meta['resolved']);
    // a `file:` tarball or folder installed under node_modules is local code
    if (resolved !== undefined && resolved.startsWith('file:')) continue;
    // direct: installed right under the project's (or a workspace's) own node_modules, and declared there
    const prefix = path.slice(0, path.lastIndexOf(NODE_MODULES));
    c.add({
      name: ref.name,
      version: ref.version,
      ...(line !== undefined ? { line } : {}),
      dev: meta['dev'] === true,
      direct: !prefix.includes(NODE_MODULES) && direct.has(installedAs),
    });
  }
}

function parseV1(dependencies: Record<string, unknown>, c: Collector, lines: Map<string, number>): void {
  // iterative: the nesting comes from the file
  const stack: { deps: Record<string, unknown>; path: string[] }[] = [{ deps: dependencies, path: ['dependencies'] }];
  while (stack.length > 0) {
    const { deps, path } = stack.pop()!;
    for (const [name, meta] of Object.entries(deps)) {
      if (!isRecord(meta)) continue;
      const here = [...path, name];
      const version = str(meta['version']);
      if (version !== undefined) {
        const ref = npmVersionOf(name, version);
        if (ref !== undefined) {
          const line = lines.get(keyPath(...here));
          c.add({
            name: ref.name,
            version: ref.version,
            ...(line !== undefined ? { line } : {}),
            dev: meta['dev'] === true,
          });
        }
      }
      const nested = meta['dependencies'];
      if (isRecord(nested)) {
        if (here.length / 2 > MAX_V1_DEPTH) {
          c.issue(`dependencies nested deeper than ${MAX_V1_DEPTH} levels under ${name}: the rest is ignored`);
          continue;
        }
        stack.push({ deps: nested, path: [...here, 'dependencies'] });
      }
    }
  }
}

/** Parses package-lock.json / npm-shrinkwrap.json text. */
export function parsePackageLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'npm');
  const top = jsonObjectOf(text, c, 'package-lock.json');
  if (!top) return c.result();
  const lock = top;
  const version = lock['lockfileVersion'];
  // lines of the keys of `packages` (v2/v3), or of every nested `dependencies` map (v1)
  if (isRecord(lock['packages']) && version !== 1) parseV2(lock['packages'], c, keyLines(text, 2, V2_KEYS));
  else if (isRecord(lock['dependencies']))
    parseV1(lock['dependencies'], c, keyLines(text, MAX_V1_DEPTH * 2 + 2, V1_KEYS));
  else if (version !== undefined && typeof version !== 'number')
    c.issue(`unknown lockfileVersion ${JSON.stringify(version)}`);
  return c.result();
}

export const packageLock: Extractor = {
  id: 'npm/package-lock',
  ecosystem: 'npm',
  kind: 'lockfile',
  matches(path) {
    const base = baseName(path);
    return (base === 'package-lock.json' || base === 'npm-shrinkwrap.json') && !inNodeModules(path);
  },
  extract(text: string, path: string, _related?: RelatedFiles) {
    return parsePackageLock(text, path);
  },
};

/** This folder's extractors. */
export const npmExtractors: readonly Extractor[] = [packageLock, yarnLock, pnpmLock, bunLock, installedPackageJson];
