// SARIF 2.1.0 for the vulnerability findings of `mamori scan --format sarif`, shaped for GitHub code scanning
// and consistent with `hunt`'s SARIF (src/cli/output/findings.ts): same driver, levels and fingerprint key.
//
// - one rule (reportingDescriptor) per vulnerability id: shortDescription is the summary, helpUri the first
//   reference, `properties["security-severity"]` the score GitHub ranks alerts by (CVSS base score, else a
//   representative of the level) with the `security` tag GitHub requires for it;
// - one result per finding: level from the severity, a message naming the package, version, fixed versions and
//   upgrade, the package's file (and line) as location, and `partialFingerprints["mamori/findingId"]`;
// - suppressed findings, when given, carry a SARIF `suppressions` entry (GitHub then shows them as dismissed).
import type { Severity } from '../../core/severity.ts';
import type { VulnerabilityFinding } from '../finding.ts';
import { severityScore, worse } from './severity.ts';

export type SarifLevel = 'error' | 'warning' | 'note';

const SARIF_LEVEL: Readonly<Record<Severity, SarifLevel>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  informational: 'note',
};

export type SarifRule = {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: { readonly text: string };
  readonly fullDescription: { readonly text: string };
  readonly helpUri?: string;
  readonly help: { readonly text: string; readonly markdown: string };
  readonly defaultConfiguration: { readonly level: SarifLevel };
  readonly properties: {
    readonly 'security-severity': string;
    readonly tags: readonly string[];
    readonly aliases: readonly string[];
  };
};

export type SarifResult = {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: SarifLevel;
  readonly message: { readonly text: string };
  readonly locations: readonly {
    readonly physicalLocation: {
      readonly artifactLocation: { readonly uri: string };
      readonly region?: { readonly startLine: number };
    };
    readonly message: { readonly text: string };
  }[];
  readonly partialFingerprints: { readonly 'mamori/findingId': string };
  readonly suppressions?: readonly {
    readonly kind: 'external';
    readonly status: 'accepted';
    readonly justification: string;
    readonly properties: Readonly<Record<string, string>>;
  }[];
  readonly properties: Readonly<Record<string, unknown>>;
};

export type SarifLog = {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly {
    readonly tool: {
      readonly driver: {
        readonly name: 'mamori';
        readonly informationUri: string;
        readonly version: string;
        readonly rules: readonly SarifRule[];
      };
    };
    readonly results: readonly SarifResult[];
    readonly properties?: Readonly<Record<string, unknown>>;
  }[];
};

export type SarifOptions = {
  readonly toolVersion: string;
  /** What was scanned (a path or an image), recorded on the run. */
  readonly target?: string;
};

// a vulnerability can list hundreds of fixed versions (one per branch): a message names the first ones
const MAX_FIXED_LISTED = 10;

function isHttpUrl(u: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(u);
}

/** The artifact URI of a location: relative, `/`-separated, each segment percent-encoded; images by path. */
export function artifactUri(location: string): string {
  const path = (location.startsWith('image:') ? location.slice('image:'.length) : location)
    .replaceAll('\\', '/')
    .replace(/^\/+/, '');
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

function listFixed(fixed: readonly string[]): string {
  const shown = fixed.slice(0, MAX_FIXED_LISTED).join(', ');
  return fixed.length > MAX_FIXED_LISTED ? `${shown} and ${fixed.length - MAX_FIXED_LISTED} more` : shown;
}

function severityText(f: VulnerabilityFinding): string {
  const s = f.vulnerability.severity;
  if (s.source === 'cvss' && s.score !== undefined) return `${s.level} (CVSS ${s.cvssVersion ?? ''} ${s.score})`;
  if (s.source === 'none') return `${s.level} (no severity in the advisory)`;
  return s.label !== undefined ? `${s.level} (${s.label})` : s.level;
}

/** The result message: what is affected, by what, how bad, and what to upgrade to. */
export function resultMessage(f: VulnerabilityFinding): string {
  const p = f.package;
  const v = f.vulnerability;
  const at = `${p.location}${p.line !== undefined ? `:${p.line}` : ''}`;
  const lines = [
    `${p.name} ${p.version} (${p.ecosystem}, ${at}) ${v.status === 'unknown' ? 'may be' : 'is'} affected by ${v.id}${
      v.summary ? `: ${v.summary}` : ''
    }`,
    `Severity: ${severityText(f)}`,
    v.fixed.length > 0 ? `Fixed in: ${listFixed(v.fixed)}` : 'Fixed in: no fixed version is known',
  ];
  if (v.upgrade !== undefined) lines.push(`Upgrade to ${v.upgrade} (clears every known vulnerability of ${p.name})`);
  if (v.status === 'unknown' && v.reasons?.length) lines.push(`Not decided: ${v.reasons[0]}`);
  if (v.aliases.length > 0) lines.push(`Also known as: ${v.aliases.join(', ')}`);
  if (f.suppressed !== undefined)
    lines.push(`Suppressed (${f.suppressed.status}) by ${f.suppressed.source}: ${f.suppressed.reason}`);
  return lines.join('\n');
}

function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]<>|#]/g, (c) => `\\${c}`);
}

function ruleOf(id: string, group: readonly VulnerabilityFinding[]): SarifRule {
  const first = group[0] as VulnerabilityFinding;
  const v = first.vulnerability;
  const severity = group.map((f) => f.vulnerability.severity).reduce(worse);
  const summary = v.summary ?? id;
  const helpUri = v.references.find(isHttpUrl);
  const aliases = [...new Set(group.flatMap((f) => f.vulnerability.aliases))].sort();
  const refs = v.references.filter(isHttpUrl).slice(0, 20);
  const packages = [...new Set(group.map((f) => `${f.package.name} ${f.package.version}`))];
  const text = [
    `${id}: ${summary}`,
    `Severity: ${severity.level}`,
    ...(aliases.length ? [`Aliases: ${aliases.join(', ')}`] : []),
    `Packages: ${packages.join(', ')}`,
    ...refs.map((r) => `- ${r}`),
  ].join('\n');
  const markdown = [
    `**${escapeMarkdown(id)}**: ${escapeMarkdown(summary)}`,
    '',
    '| Severity | Aliases | Packages |',
    '| --- | --- | --- |',
    `| ${severity.level} | ${escapeMarkdown(aliases.join(', ')) || '-'} | ${escapeMarkdown(packages.join(', '))} |`,
    ...(refs.length ? ['', ...refs.map((r) => `- <${r}>`)] : []),
  ].join('\n');
  return {
    id,
    name: id,
    shortDescription: { text: summary },
    fullDescription: { text: summary },
    ...(helpUri !== undefined ? { helpUri } : {}),
    help: { text, markdown },
    defaultConfiguration: { level: SARIF_LEVEL[severity.level] },
    properties: {
      'security-severity': severityScore(severity).toFixed(1),
      tags: ['security', 'vulnerability', severity.level],
      aliases,
    },
  };
}

function resultOf(f: VulnerabilityFinding, ruleIndex: number): SarifResult {
  const p = f.package;
  const v = f.vulnerability;
  const s = f.suppressed;
  return {
    ruleId: v.id,
    ruleIndex,
    level: SARIF_LEVEL[v.severity.level],
    message: { text: resultMessage(f) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(p.location) },
          ...(p.line !== undefined && p.line > 0 ? { region: { startLine: p.line } } : {}),
        },
        message: { text: `${p.location}: ${p.name}@${p.version}` },
      },
    ],
    partialFingerprints: { 'mamori/findingId': f.id },
    ...(s !== undefined
      ? {
          suppressions: [
            {
              kind: 'external' as const,
              status: 'accepted' as const,
              justification: s.reason,
              properties: {
                status: s.status,
                source: s.source,
                ...(s.expires !== undefined ? { expires: s.expires } : {}),
              },
            },
          ],
        }
      : {}),
    properties: {
      package: {
        name: p.name,
        version: p.version,
        ecosystem: p.ecosystem,
        location: p.location,
        ...(p.purl !== undefined ? { purl: p.purl } : {}),
      },
      status: v.status,
      severity: v.severity.level,
      'security-severity': severityScore(v.severity).toFixed(1),
      fixed: v.fixed,
      ...(v.upgrade !== undefined ? { upgrade: v.upgrade } : {}),
      ...(f.details?.['vex'] !== undefined ? { vex: f.details['vex'] } : {}),
    },
  };
}

/**
 * The SARIF log of vulnerability findings: one run, a rule per vulnerability id (in order of first
 * appearance), a result per finding (in the order given). Pass suppressed findings too to have them listed
 * with their suppression; leave them out to report only what is open.
 */
export function vulnerabilitySarif(findings: readonly VulnerabilityFinding[], options: SarifOptions): SarifLog {
  const groups = new Map<string, VulnerabilityFinding[]>();
  for (const f of findings) {
    const g = groups.get(f.vulnerability.id);
    if (g === undefined) groups.set(f.vulnerability.id, [f]);
    else g.push(f);
  }
  const ruleIndex = new Map([...groups.keys()].map((id, i) => [id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mamori',
            informationUri: 'https://github.com/mamori-security/mamori',
            version: options.toolVersion,
            rules: [...groups].map(([id, g]) => ruleOf(id, g)),
          },
        },
        results: findings.map((f) => resultOf(f, ruleIndex.get(f.vulnerability.id) as number)),
        ...(options.target !== undefined ? { properties: { target: options.target } } : {}),
      },
    ],
  };
}
