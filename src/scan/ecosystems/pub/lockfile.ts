// Dart/Flutter pubspec.lock: `packages` with `dependency` (direct main, direct dev, direct overridden,
// transitive), `source` (hosted, git, path, sdk) and `version`. SDK and path packages are not from pub.dev.
import {
  baseName,
  Collector,
  entries,
  isRecord,
  str,
  type Extractor,
  type RelatedFiles,
} from '../../inventory/extract.ts';
import type { Extracted } from '../../inventory/types.ts';
import { parseYaml } from '../../inventory/yaml.ts';

/** Parses pubspec.lock text. */
export function parsePubspecLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'Pub');
  const r = parseYaml(text);
  if (!r.ok) {
    c.issue(r.message, r.line);
    return c.result();
  }
  if (!isRecord(r.value) || !isRecord(r.value['packages'])) {
    if (r.value !== null && r.value !== undefined) c.issue('not a pubspec.lock: no "packages" mapping');
    return c.result();
  }
  for (const [name, meta] of entries(r.value['packages'])) {
    if (!isRecord(meta)) continue;
    const source = str(meta['source']);
    if (source === 'sdk' || source === 'path') continue;
    const version = str(meta['version']);
    if (version === undefined) continue;
    const dependency = str(meta['dependency']) ?? '';
    c.add({ name, version, dev: dependency === 'direct dev', direct: dependency.startsWith('direct') });
  }
  return c.result();
}

export const pubspecLock: Extractor = {
  id: 'pub/pubspec-lock',
  ecosystem: 'Pub',
  kind: 'lockfile',
  matches: (path) => baseName(path) === 'pubspec.lock' && !/(^|\/)\.pub-cache\//.test(path),
  extract: (text: string, path: string, _related?: RelatedFiles) => parsePubspecLock(text, path),
};

/** This folder's extractors. */
export const pubExtractors: readonly Extractor[] = [pubspecLock];
