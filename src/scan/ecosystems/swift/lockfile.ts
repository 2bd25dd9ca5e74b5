// SwiftPM Package.resolved, format versions 1 (`object.pins[]` with `repositoryURL`), 2 and 3 (`pins[]` with
// `location`). The package is named by its repository URL without scheme and `.git`, as OSV's SwiftURL
// ecosystem and Trivy spell it (`github.com/apple/swift-nio`). Branch or revision pins have no version.
import { baseName, Collector, isRecord, str, type Extractor, type RelatedFiles } from '../../inventory/extract.ts';
import { jsonObjectOf, keyLines, keyPath } from '../../inventory/json.ts';
import type { Extracted } from '../../inventory/types.ts';

/** `https://github.com/apple/swift-nio.git`, `git@github.com:apple/swift-nio.git` → `github.com/apple/swift-nio`. */
export function swiftPackageName(url: string): string {
  let u = url.trim();
  const scp = /^[\w.-]+@([^:/]+):(.*)$/.exec(u);
  if (scp !== null) u = `${scp[1]!}/${scp[2]!}`;
  else u = u.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^@/]+@/, '');
  return u.replace(/\/+$/, '').replace(/\.git$/, '');
}

/** Parses Package.resolved text. */
export function parsePackageResolved(text: string, path: string): Extracted {
  const c = new Collector(path, 'SwiftURL');
  const top = jsonObjectOf(text, c, 'Package.resolved');
  if (!top) return c.result();
  const v1 = isRecord(top['object']);
  const pins = v1 ? (top['object'] as Record<string, unknown>)['pins'] : top['pins'];
  if (!Array.isArray(pins)) {
    c.issue('not a Package.resolved: no pins');
    return c.result();
  }
  const lines = keyLines(text, 3, new Set(['pins']));
  pins.forEach((pin: unknown, i) => {
    if (!isRecord(pin)) return;
    const url = str(pin['location']) ?? str(pin['repositoryURL']);
    const state = isRecord(pin['state']) ? pin['state'] : {};
    const version = str(state['version']);
    if (url === undefined || version === undefined) return;
    const line = lines.get(v1 ? keyPath('object', 'pins', i) : keyPath('pins', i));
    c.add({ name: swiftPackageName(url), version, ...(line !== undefined ? { line } : {}) });
  });
  return c.result();
}

export const packageResolved: Extractor = {
  id: 'swift/package-resolved',
  ecosystem: 'SwiftURL',
  kind: 'lockfile',
  matches: (path) => baseName(path) === 'Package.resolved' && !/(^|\/)\.build\//.test(path),
  extract: (text: string, path: string, _related?: RelatedFiles) => parsePackageResolved(text, path),
};

/** This folder's extractors. */
export const swiftExtractors: readonly Extractor[] = [packageResolved];
