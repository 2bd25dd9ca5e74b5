// CycloneDX 1.6 JSON for `mamori scan --format cyclonedx`: the inventory as `components` and the findings as
// `vulnerabilities` (a BOM with VEX/VDR data), readable back by our own reader (src/scan/sbom/cyclonedx.ts).
//
// - components: every scanned package, one per purl (or per ecosystem/name/version when it has none), with
//   each place it was found as `evidence.occurrences` and `mamori:location` properties; bom-ref is the purl, so
//   a re-scan gives the same refs;
// - vulnerabilities: one per (vulnerability id, component, analysis), with `source` (NVD for CVE ids, GHSA
//   for GitHub advisories, else OSV), `references` for the aliases, `ratings` from the severity (CVSS score,
//   method and vector; a database word as method `other`), `recommendation` from the upgrade, `advisories`
//   from the references, and `analysis` for findings an ignore/VEX rule suppressed or a VEX statement spoke of;
// - metadata: timestamp, the tool (1.6 `tools.components` form; the older tool list is deprecated) and the
//   scanned target as `metadata.component`.
import { randomUUID } from 'node:crypto';
import type { Severity } from '../../core/severity.ts';
import type { VulnerabilityFinding } from '../finding.ts';
import { parsePurl, purlFor } from '../inventory/purl.ts';
import type { Package } from '../inventory/types.ts';
import type { FindingSeverity } from '../match/severity.ts';
import type { OsvEcosystem } from '../versions/index.ts';
import type { AppliedSuppression, VexJustification, VexNote } from '../vex/types.ts';
import { cycloneDxMethod } from './severity.ts';

export type CdxProperty = { readonly name: string; readonly value: string };

export type CdxComponent = {
  readonly type: 'library' | 'application' | 'container' | 'file' | 'operating-system';
  readonly 'bom-ref': string;
  readonly group?: string;
  readonly name: string;
  readonly version?: string;
  readonly purl?: string;
  readonly evidence?: { readonly occurrences: readonly { readonly location: string; readonly line?: number }[] };
  readonly properties?: readonly CdxProperty[];
};

export type CdxRating = {
  readonly score?: number;
  readonly severity: 'critical' | 'high' | 'medium' | 'low' | 'info' | 'none' | 'unknown';
  readonly method: 'CVSSv2' | 'CVSSv3' | 'CVSSv31' | 'CVSSv4' | 'other';
  readonly vector?: string;
  readonly justification?: string;
};

export type CdxAnalysis = {
  readonly state: 'resolved' | 'exploitable' | 'in_triage' | 'false_positive' | 'not_affected';
  readonly justification?:
    'code_not_present' | 'code_not_reachable' | 'requires_environment' | 'protected_by_mitigating_control';
  readonly response?: readonly ('will_not_fix' | 'update')[];
  readonly detail?: string;
};

export type CdxVulnerability = {
  readonly id: string;
  readonly source: { readonly name: string; readonly url: string };
  readonly references?: readonly {
    readonly id: string;
    readonly source: { readonly name: string; readonly url: string };
  }[];
  readonly ratings: readonly CdxRating[];
  readonly description?: string;
  readonly recommendation?: string;
  readonly advisories?: readonly { readonly url: string }[];
  readonly published?: string;
  readonly updated?: string;
  readonly analysis?: CdxAnalysis;
  readonly affects: readonly {
    readonly ref: string;
    readonly versions: readonly { readonly version: string; readonly status: 'affected' | 'unknown' }[];
  }[];
  readonly properties?: readonly CdxProperty[];
};

export type CycloneDxBom = {
  readonly $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json';
  readonly bomFormat: 'CycloneDX';
  readonly specVersion: '1.6';
  readonly serialNumber: string;
  readonly version: 1;
  readonly metadata: {
    readonly timestamp: string;
    readonly tools: { readonly components: readonly CdxComponent[] };
    readonly component?: CdxComponent;
  };
  readonly components: readonly CdxComponent[];
  readonly vulnerabilities: readonly CdxVulnerability[];
};

/** What was scanned: a project directory, an image, a file. */
export type CycloneDxTarget = {
  readonly name: string;
  readonly type?: 'application' | 'container' | 'file';
  readonly version?: string;
  readonly purl?: string;
};

export type CycloneDxOptions = {
  /** Every package the scan found (the inventory), not only the vulnerable ones. */
  readonly packages: readonly Package[];
  /** The findings: kept and, to record their analysis, suppressed ones. */
  readonly findings?: readonly VulnerabilityFinding[];
  readonly target?: CycloneDxTarget;
  readonly toolVersion: string;
  /** When the scan ran, ISO 8601 UTC. */
  readonly timestamp: string;
  /** `urn:uuid:…`; a random one when absent (pass one for reproducible output). */
  readonly serialNumber?: string;
};

const CVSS_SEVERITY: Readonly<Record<Severity, CdxRating['severity']>> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
  informational: 'info',
};

/** OpenVEX justification → CycloneDX impact-analysis justification (CISA's VEX mapping). */
const JUSTIFICATION: Readonly<Record<VexJustification, NonNullable<CdxAnalysis['justification']>>> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where a vulnerability id is published: NVD for CVE ids, GitHub for GHSA ids, else OSV. */
export function vulnerabilitySource(id: string): { name: string; url: string } {
  const e = encodeURIComponent(id);
  if (/^CVE-\d{4}-\d+$/.test(id)) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${e}` };
  if (id.startsWith('GHSA-')) return { name: 'GHSA', url: `https://github.com/advisories/${e}` };
  return { name: 'OSV', url: `https://osv.dev/vulnerability/${e}` };
}

/** What a component is built from: a Package of the inventory or the package of a finding. */
type PackageLike = {
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  readonly location: string;
  readonly line?: number;
  readonly purl?: string;
  readonly direct?: boolean;
  readonly sourceName?: string;
};

/** The key (and bom-ref) of a package: its purl, else `ecosystem/name@version`. */
function packageKey(p: PackageLike): { key: string; purl?: string } {
  const purl = p.purl ?? purlFor(p.ecosystem as OsvEcosystem, p.name, p.version);
  return purl !== undefined ? { key: purl, purl } : { key: `${p.ecosystem}/${p.name}@${p.version}` };
}

type ComponentDraft = {
  ref: string;
  purl?: string;
  name: string;
  group?: string;
  version: string;
  ecosystem: string;
  occurrences: Map<string, { location: string; line?: number }>;
  direct: boolean;
  sourceName?: string;
};

// ecosystems whose names CycloneDX splits into group and name, as their purls do (`group:artifact`, `@scope/name`)
const GROUPED = new Set(['Maven', 'npm']);

function draftOf(p: PackageLike, ref: string, purl?: string): ComponentDraft {
  const parsed = purl === undefined || !GROUPED.has(p.ecosystem) ? undefined : parsePurl(purl);
  const named =
    parsed?.ok === true && parsed.purl.namespace !== undefined
      ? { group: parsed.purl.namespace, name: parsed.purl.name }
      : { name: p.name };
  return {
    ref,
    ...(purl !== undefined ? { purl } : {}),
    ...named,
    version: p.version,
    ecosystem: p.ecosystem,
    occurrences: new Map(),
    direct: false,
    ...(p.sourceName !== undefined ? { sourceName: p.sourceName } : {}),
  };
}

function componentOf(d: ComponentDraft): CdxComponent {
  const occurrences = [...d.occurrences.values()];
  const properties: CdxProperty[] = [{ name: 'mamori:ecosystem', value: d.ecosystem }];
  for (const o of occurrences)
    properties.push({ name: 'mamori:location', value: o.line !== undefined ? `${o.location}:${o.line}` : o.location });
  if (d.direct) properties.push({ name: 'mamori:direct', value: 'true' });
  if (d.sourceName !== undefined) properties.push({ name: 'mamori:source-name', value: d.sourceName });
  return {
    type: 'library',
    'bom-ref': d.ref,
    ...(d.group !== undefined ? { group: d.group } : {}),
    name: d.name,
    version: d.version,
    ...(d.purl !== undefined ? { purl: d.purl } : {}),
    ...(occurrences.length > 0 ? { evidence: { occurrences } } : {}),
    properties,
  };
}

function ratingOf(s: FindingSeverity): CdxRating {
  if (s.source === 'cvss' && s.score !== undefined && s.cvssVersion !== undefined) {
    return {
      score: s.score,
      severity: s.score === 0 ? 'none' : CVSS_SEVERITY[s.level],
      method: cycloneDxMethod(s.cvssVersion),
      ...(s.vector !== undefined ? { vector: s.vector } : {}),
    };
  }
  if (s.source === 'none')
    return { severity: 'unknown', method: 'other', justification: 'no severity in the advisory' };
  return {
    severity: CVSS_SEVERITY[s.level],
    method: 'other',
    justification: `${s.source === 'database' ? 'severity given by the database' : 'severity named in the summary'}${
      s.label !== undefined ? `: ${s.label}` : ''
    }`,
  };
}

function analysisOf(f: VulnerabilityFinding): CdxAnalysis | undefined {
  const s = f.suppressed as AppliedSuppression | undefined;
  const vex = f.details?.['vex'] as VexNote | undefined;
  if (s !== undefined) {
    const detail = `${s.reason} (${s.source}${s.expires !== undefined ? `, until ${s.expires}` : ''})`;
    switch (s.status) {
      case 'not_affected': {
        const j = s.justification ?? vex?.justification;
        return { state: 'not_affected', ...(j !== undefined ? { justification: JUSTIFICATION[j] } : {}), detail };
      }
      case 'fixed':
        return { state: 'resolved', detail };
      case 'false_positive':
        return { state: 'false_positive', detail };
      case 'accepted':
        // a risk accepted: exploitable, and it will not be fixed for now
        return { state: 'exploitable', response: ['will_not_fix'], detail };
    }
  }
  if (vex?.status === 'affected') {
    return {
      state: 'exploitable',
      ...(f.vulnerability.upgrade !== undefined ? { response: ['update'] } : {}),
      detail: `${vex.action_statement ?? 'affected'} (${vex.source})`,
    };
  }
  if (vex?.status === 'under_investigation')
    return { state: 'in_triage', detail: `${vex.status_notes ?? 'under investigation'} (${vex.source})` };
  return undefined;
}

function recommendationOf(f: VulnerabilityFinding): string | undefined {
  const v = f.vulnerability;
  if (v.upgrade !== undefined) return `Upgrade ${f.package.name} to ${v.upgrade}`;
  if (v.fixed.length > 0) return `Upgrade ${f.package.name} to a fixed version: ${v.fixed.slice(0, 10).join(', ')}`;
  return undefined;
}

function vulnerabilityOf(f: VulnerabilityFinding, ref: string): CdxVulnerability {
  const v = f.vulnerability;
  const recommendation = recommendationOf(f);
  const analysis = analysisOf(f);
  const advisories = [...new Set(v.references.filter((u) => /^https?:\/\/\S+$/i.test(u)))].map((url) => ({ url }));
  return {
    id: v.id,
    source: vulnerabilitySource(v.id),
    ...(v.aliases.length > 0 ? { references: v.aliases.map((id) => ({ id, source: vulnerabilitySource(id) })) } : {}),
    ratings: [ratingOf(v.severity)],
    ...(v.summary !== undefined ? { description: v.summary } : {}),
    ...(recommendation !== undefined ? { recommendation } : {}),
    ...(advisories.length > 0 ? { advisories } : {}),
    ...(v.published !== undefined && RFC3339.test(v.published) ? { published: v.published } : {}),
    ...(v.modified !== undefined && RFC3339.test(v.modified) ? { updated: v.modified } : {}),
    ...(analysis !== undefined ? { analysis } : {}),
    affects: [
      { ref, versions: [{ version: f.package.version, status: v.status === 'affected' ? 'affected' : 'unknown' }] },
    ],
    properties: [{ name: 'mamori:finding-id', value: f.id }],
  };
}

/**
 * The CycloneDX 1.6 BOM of a scan: the inventory as components, the findings as vulnerabilities. Components
 * and vulnerabilities are sorted (by bom-ref, then id), so the same scan gives the same document up to the
 * serial number and timestamp. Throws a TypeError for a `serialNumber` that is not `urn:uuid:<uuid>`.
 */
export function cycloneDxBom(options: CycloneDxOptions): CycloneDxBom {
  const drafts = new Map<string, ComponentDraft>();
  const add = (p: PackageLike): string => {
    const { key, purl } = packageKey(p);
    let d = drafts.get(key);
    if (d === undefined) {
      d = draftOf(p, key, purl);
      drafts.set(key, d);
    }
    const occ = `${p.location}\u0000${p.line ?? ''}`;
    if (!d.occurrences.has(occ))
      d.occurrences.set(occ, { location: p.location, ...(p.line !== undefined ? { line: p.line } : {}) });
    if (p.direct === true) d.direct = true;
    return key;
  };
  for (const p of options.packages) add(p);
  const vulns = new Map<string, CdxVulnerability>();
  for (const f of options.findings ?? []) {
    const ref = add(f.package);
    const v = vulnerabilityOf(f, ref);
    // the same vulnerability of the same component found in two files is one entry (unless judged apart)
    const key = `${v.id}\u0000${ref}\u0000${JSON.stringify(v.analysis ?? null)}`;
    const prior = vulns.get(key);
    if (prior === undefined) vulns.set(key, v);
    else
      vulns.set(key, {
        ...prior,
        properties: [...(prior.properties ?? []), ...(v.properties ?? [])],
      });
  }
  const components = [...drafts.values()].map(componentOf).sort((a, b) => cmp(a['bom-ref'], b['bom-ref']));
  const target = options.target;
  let targetRef = target?.purl ?? 'mamori:target';
  while (drafts.has(targetRef)) targetRef = `${targetRef}#target`;
  const serialNumber = options.serialNumber ?? `urn:uuid:${randomUUID()}`;
  if (!UUID_URN.test(serialNumber)) throw new TypeError(`serialNumber ${serialNumber} is not urn:uuid:<uuid>`);
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber,
    version: 1,
    metadata: {
      timestamp: options.timestamp,
      tools: {
        components: [
          {
            type: 'application',
            'bom-ref': 'mamori:tool',
            name: 'mamori',
            version: options.toolVersion,
          },
        ],
      },
      ...(target !== undefined
        ? {
            component: {
              type: target.type ?? 'application',
              'bom-ref': targetRef,
              name: target.name,
              ...(target.version !== undefined ? { version: target.version } : {}),
              ...(target.purl !== undefined ? { purl: target.purl } : {}),
            },
          }
        : {}),
    },
    components,
    vulnerabilities: [...vulns.values()].sort(
      (a, b) => cmp(a.id, b.id) || cmp(a.affects[0]?.ref ?? '', b.affects[0]?.ref ?? ''),
    ),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
