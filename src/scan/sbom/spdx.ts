// SPDX JSON SBOMs (2.2, 2.3): `packages[]` with a `purl` external reference (category PACKAGE-MANAGER, or
// PACKAGE_MANAGER as 2.2 wrote it), mapped through the purl; `versionInfo` when the purl has no version.
import { baseName, isRecord, str, type Extractor, type RelatedFiles } from '../inventory/extract.ts';
import { keyLines, keyPath, parseJson } from '../inventory/json.ts';
import type { Extracted } from '../inventory/types.ts';
import { PurlPackages } from './purl-packages.ts';

/** Parses an SPDX JSON document. */
export function parseSpdx(text: string, path: string): Extracted {
  const out = new PurlPackages(path);
  const r = parseJson(text);
  if (!r.ok) {
    out.issue(r.message, r.line);
    return out.result();
  }
  if (!isRecord(r.value) || typeof r.value['spdxVersion'] !== 'string') {
    out.issue('not an SPDX JSON document: no spdxVersion');
    return out.result();
  }
  const version = r.value['spdxVersion'];
  if (!/^SPDX-2\.[0-3]$/.test(version))
    out.issue(`${version} is not one this reader knows (SPDX-2.2, SPDX-2.3); read anyway`);
  const packages = r.value['packages'];
  if (!Array.isArray(packages)) return out.result();
  const lines = keyLines(text, 2, new Set(['packages']));
  packages.forEach((p: unknown, i) => {
    if (!isRecord(p)) return;
    const refs = Array.isArray(p['externalRefs']) ? p['externalRefs'] : [];
    const purls = refs
      .filter((ref): ref is Record<string, unknown> => isRecord(ref) && ref['referenceType'] === 'purl')
      .filter((ref) => {
        const cat = str(ref['referenceCategory'])?.toUpperCase().replace('_', '-');
        return cat === undefined || cat === 'PACKAGE-MANAGER';
      })
      .map((ref) => str(ref['referenceLocator']))
      .filter((u): u is string => u !== undefined);
    const what = `package ${str(p['name']) ?? str(p['SPDXID']) ?? '?'}`;
    const line = lines.get(keyPath('packages', i));
    if (purls.length === 0) out.add(undefined, undefined, what, line);
    for (const u of purls) out.add(u, str(p['versionInfo']), what, line);
  });
  return out.result();
}

export function isSpdxPath(path: string): boolean {
  const base = baseName(path).toLowerCase();
  return base === 'spdx.json' || base.endsWith('.spdx.json');
}

export const spdxJson: Extractor = {
  id: 'sbom/spdx',
  ecosystem: 'from-purl',
  kind: 'sbom',
  matches: isSpdxPath,
  extract: (text: string, path: string, _related?: RelatedFiles) => parseSpdx(text, path),
};
