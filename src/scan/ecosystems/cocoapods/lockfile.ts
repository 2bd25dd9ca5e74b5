// CocoaPods Podfile.lock (YAML): `PODS` entries `Name (1.2.3)` or `Name/Subspec (1.2.3)` with their own
// requirements nested; a subspec is part of its pod, so it is reported as the pod. Direct when the pod is
// under `DEPENDENCIES`.
import { baseName, Collector, isRecord, type Extractor, type RelatedFiles } from '../../inventory/extract.ts';
import type { Extracted } from '../../inventory/types.ts';
import { parseYaml } from '../../inventory/yaml.ts';

const POD = /^\s*([^\s(]+)\s*\(([^)]+)\)\s*$/;
const DEP = /^\s*([^\s(]+)/;

const podOf = (name: string) => name.split('/')[0]!;

/** Parses Podfile.lock text. */
export function parsePodfileLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'CocoaPods');
  const r = parseYaml(text);
  if (!r.ok) {
    c.issue(r.message, r.line);
    return c.result();
  }
  if (!isRecord(r.value) || !Array.isArray(r.value['PODS'])) {
    if (r.value !== null && r.value !== undefined) c.issue('not a Podfile.lock: no PODS list');
    return c.result();
  }
  const direct = new Set<string>();
  for (const d of Array.isArray(r.value['DEPENDENCIES']) ? r.value['DEPENDENCIES'] : []) {
    const m = typeof d === 'string' ? DEP.exec(d) : null;
    if (m !== null) direct.add(podOf(m[1]!));
  }
  for (const item of r.value['PODS']) {
    const spec = typeof item === 'string' ? item : isRecord(item) ? Object.keys(item)[0] : undefined;
    if (spec === undefined) continue;
    const m = POD.exec(spec);
    if (m === null) {
      c.issue(`PODS entry ${JSON.stringify(spec.slice(0, 80))} is not "Name (version)"`);
      continue;
    }
    const name = podOf(m[1]!);
    c.add({ name, version: m[2]!.trim(), ...(direct.size > 0 ? { direct: direct.has(name) } : {}) });
  }
  return c.result();
}

export const podfileLock: Extractor = {
  id: 'cocoapods/podfile-lock',
  ecosystem: 'CocoaPods',
  kind: 'lockfile',
  matches: (path) => baseName(path) === 'Podfile.lock' && !/(^|\/)Pods\//.test(path),
  extract: (text: string, path: string, _related?: RelatedFiles) => parsePodfileLock(text, path),
};

/** This folder's extractors. */
export const cocoapodsExtractors: readonly Extractor[] = [podfileLock];
