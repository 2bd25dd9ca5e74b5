// CycloneDX JSON SBOMs (spec 1.4–1.6): `components[]`, nested `components` included, each mapped through
// its purl. The BOM's subject (`metadata.component`) is the product described, not one of its parts.
import { baseName, isRecord, str, type Extractor, type RelatedFiles } from '../inventory/extract.ts';
import { keyLines, keyPath, parseJson } from '../inventory/json.ts';
import type { Extracted } from '../inventory/types.ts';
import { PurlPackages } from './purl-packages.ts';

// nested assemblies deeper than this are hostile
const MAX_NESTING = 64;

/** Parses a CycloneDX JSON document. */
export function parseCycloneDx(text: string, path: string): Extracted {
  const out = new PurlPackages(path);
  const r = parseJson(text);
  if (!r.ok) {
    out.issue(r.message, r.line);
    return out.result();
  }
  if (!isRecord(r.value) || r.value['bomFormat'] !== 'CycloneDX') {
    out.issue('not a CycloneDX JSON document: bomFormat is not "CycloneDX"');
    return out.result();
  }
  const spec = str(r.value['specVersion']);
  if (spec !== undefined && !/^1\.[2-7]$/.test(spec))
    out.issue(`CycloneDX specVersion ${spec} is not one this reader knows (1.4–1.6); read anyway`);
  const lines = keyLines(text, 2, new Set(['components']));
  const stack: { list: unknown[]; depth: number; top: boolean }[] = [];
  if (Array.isArray(r.value['components'])) stack.push({ list: r.value['components'], depth: 1, top: true });
  while (stack.length > 0) {
    const { list, depth, top } = stack.pop()!;
    list.forEach((comp, i) => {
      if (!isRecord(comp)) return;
      const name = str(comp['name']) ?? '?';
      const line = top ? lines.get(keyPath('components', i)) : undefined;
      out.add(str(comp['purl']), str(comp['version']), `component ${name}`, line);
      const nested = comp['components'];
      if (Array.isArray(nested)) {
        if (depth >= MAX_NESTING)
          out.issue(`components nested deeper than ${MAX_NESTING} under ${name}: not read`, line);
        else stack.push({ list: nested, depth: depth + 1, top: false });
      }
    });
  }
  return out.result();
}

/** File names CycloneDX recommends (`bom.json`, `*.cdx.json`) and common variants. */
export function isCycloneDxPath(path: string): boolean {
  const base = baseName(path).toLowerCase();
  return base === 'bom.json' || base === 'cyclonedx.json' || /\.(cdx|bom|cyclonedx)\.json$/.test(base);
}

export const cycloneDx: Extractor = {
  id: 'sbom/cyclonedx',
  ecosystem: 'from-purl',
  kind: 'sbom',
  matches: isCycloneDxPath,
  extract: (text: string, path: string, _related?: RelatedFiles) => parseCycloneDx(text, path),
};
