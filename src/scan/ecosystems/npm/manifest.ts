// package.json as the npm-family extractors need it: the project's own name and version and its declared
// dependencies by kind, to mark direct and dev packages in yarn.lock (Trivy reads it the same way).
import { entries, isRecord, str } from '../../inventory/extract.ts';
import { parseJson } from '../../inventory/json.ts';

export type NpmManifest = {
  readonly name?: string;
  readonly version?: string;
  /** dependencies + optionalDependencies (+ peerDependencies, installed by npm 7+ and yarn berry). */
  readonly prod: ReadonlyMap<string, string>;
  readonly dev: ReadonlyMap<string, string>;
  readonly workspaces: readonly string[];
};

function deps(v: unknown, into: Map<string, string>): void {
  for (const [k, spec] of entries(v)) {
    const s = str(spec);
    if (s !== undefined && !into.has(k)) into.set(k, s);
  }
}

/** Reads a package.json text, or undefined when it is not a JSON object. */
export function readNpmManifest(text: string): NpmManifest | undefined {
  const r = parseJson(text);
  if (!r.ok || !isRecord(r.value)) return undefined;
  const m = r.value;
  const prod = new Map<string, string>();
  deps(m['dependencies'], prod);
  deps(m['optionalDependencies'], prod);
  deps(m['peerDependencies'], prod);
  const dev = new Map<string, string>();
  deps(m['devDependencies'], dev);
  const ws = m['workspaces'];
  const list = Array.isArray(ws) ? ws : isRecord(ws) && Array.isArray(ws['packages']) ? ws['packages'] : [];
  const name = str(m['name']);
  const version = str(m['version']);
  return {
    ...(name !== undefined ? { name } : {}),
    ...(version !== undefined ? { version } : {}),
    prod,
    dev,
    workspaces: list.filter((w): w is string => typeof w === 'string'),
  };
}

/**
 * The registry name and version an npm lockfile version field stands for: `1.2.3` as is, an alias
 * `npm:real-name@1.2.3` as the real package; `undefined` for git, file, link, tarball URL and workspace sources,
 * which are not registry packages and have no OSV record.
 */
export function npmVersionOf(name: string, version: string): { name: string; version: string } | undefined {
  let v = version.trim();
  let n = name;
  if (v.startsWith('npm:')) {
    const spec = v.slice(4);
    const at = spec.lastIndexOf('@');
    if (at <= 0) return undefined;
    n = spec.slice(0, at);
    v = spec.slice(at + 1);
  }
  // registry versions start with a digit (npm writes no `v`); everything else is a URL, path or tag
  if (!/^v?\d/.test(v)) return undefined;
  return { name: n, version: v };
}
