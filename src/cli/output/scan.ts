// Text output of `mamori scan`: findings grouped by where the package was found, with the upgrade that clears
// each package, and the closing summary. Machine formats (json, jsonl, sarif, cyclonedx) live beside the scan.
import { SEVERITIES, severityRank, type Severity } from '../../core/severity.ts';
import type { VulnerabilityFinding } from '../../scan/finding.ts';
import type { ScanResult } from '../../scan/run.ts';

export const SCAN_FORMATS = ['table', 'json', 'jsonl', 'sarif', 'cyclonedx'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

const COLOR: Readonly<Record<Severity, string>> = {
  critical: '\x1b[1;31m',
  high: '\x1b[31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  informational: '\x1b[2m',
};
const RESET = '\x1b[0m';

const SHORT: Readonly<Record<Severity, string>> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  informational: 'INFO',
};

/** Where a finding was found, for grouping: the target (when several) and the file in it. */
export function placeOf(f: VulnerabilityFinding): string {
  const target = typeof f.details?.['target'] === 'string' ? f.details['target'] : undefined;
  return target ? `${target}: ${f.package.location}` : f.package.location;
}

/** Findings in report order: by place, then package, then most severe first, then id. */
export function byPlace(a: VulnerabilityFinding, b: VulnerabilityFinding): number {
  const pa = placeOf(a);
  const pb = placeOf(b);
  if (pa !== pb) return pa < pb ? -1 : 1;
  if (a.package.name !== b.package.name) return a.package.name < b.package.name ? -1 : 1;
  if (a.package.version !== b.package.version) return a.package.version < b.package.version ? -1 : 1;
  const s = severityRank(b.severity) - severityRank(a.severity);
  if (s !== 0) return s;
  return a.vulnerability.id < b.vulnerability.id ? -1 : a.vulnerability.id > b.vulnerability.id ? 1 : 0;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`;
}

/**
 * The table: one block per place (file), one line per (package, vulnerability): severity, package, version,
 * id, fixed versions, summary; then per package the upgrade that clears it.
 */
export function scanTable(findings: readonly VulnerabilityFinding[], opts: { color: boolean; width: number }): string {
  if (findings.length === 0) return 'No known vulnerabilities found.\n';
  const rows = [...findings].sort(byPlace);
  const perPlace = new Map<string, number>();
  for (const f of rows) perPlace.set(placeOf(f), (perPlace.get(placeOf(f)) ?? 0) + 1);
  const paint = (s: Severity, text: string): string => (opts.color ? `${COLOR[s]}${text}${RESET}` : text);
  const pkgW = Math.min(40, Math.max(7, ...rows.map((f) => f.package.name.length)));
  const verW = Math.min(24, Math.max(7, ...rows.map((f) => f.package.version.length)));
  const idW = Math.min(24, Math.max(2, ...rows.map((f) => f.vulnerability.id.length)));
  const fixW = Math.min(24, Math.max(5, ...rows.map((f) => fixedText(f).length)));
  const lead = 8 + 1 + pkgW + 1 + verW + 1 + idW + 1 + fixW + 1;
  const rest = Math.max(20, opts.width - lead);
  const out: string[] = [];
  let place: string | undefined;
  let pkg: string | undefined;
  const hint = (f: VulnerabilityFinding | undefined): void => {
    if (f?.vulnerability.upgrade !== undefined)
      out.push(`${' '.repeat(9)}→ upgrade ${f.package.name} to ${f.vulnerability.upgrade} to clear all of the above`);
  };
  let last: VulnerabilityFinding | undefined;
  for (const f of rows) {
    const here = placeOf(f);
    const thisPkg = `${here}\u0000${f.package.name}\u0000${f.package.version}`;
    if (pkg !== undefined && thisPkg !== pkg) hint(last);
    if (here !== place) {
      if (place !== undefined) out.push('');
      const n = perPlace.get(here) ?? 0;
      out.push(`${here} (${f.package.ecosystem}) — ${n} ${n === 1 ? 'vulnerability' : 'vulnerabilities'}`);
      out.push(
        `${'severity'.padEnd(8)} ${'package'.padEnd(pkgW)} ${'version'.padEnd(verW)} ${'id'.padEnd(idW)} ${'fixed'.padEnd(fixW)} summary`,
      );
      place = here;
    }
    pkg = thisPkg;
    last = f;
    const status = f.vulnerability.status === 'unknown' ? '(undetermined) ' : '';
    const sev = paint(f.severity, SHORT[f.severity].padEnd(8));
    out.push(
      `${sev} ${clip(f.package.name, pkgW).padEnd(pkgW)} ${clip(f.package.version, verW).padEnd(verW)} ` +
        `${clip(f.vulnerability.id, idW).padEnd(idW)} ${clip(fixedText(f), fixW).padEnd(fixW)} ` +
        clip(status + (f.vulnerability.summary ?? ''), rest),
    );
  }
  hint(last);
  return out.join('\n') + '\n';
}

function fixedText(f: VulnerabilityFinding): string {
  return f.vulnerability.fixed.length ? f.vulnerability.fixed.join(', ') : '-';
}

export type ScanSummary = {
  readonly targets: readonly { path: string; kind: string; files: number; packages: number; issues: number }[];
  readonly packages: number;
  readonly lookups: number;
  readonly vulnerablePackages: number;
  readonly findings: number;
  readonly undetermined: number;
  readonly suppressed: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  readonly fixable: number;
  readonly seconds: number;
  readonly database: { readonly location: string; readonly asOf?: string; readonly ageDays?: number };
};

export function scanSummary(
  r: ScanResult,
  shown: readonly VulnerabilityFinding[],
  suppressed: number,
  database: ScanSummary['database'],
): ScanSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of shown) bySeverity[f.severity]++;
  return {
    targets: r.targets.map((t) => ({
      path: t.target.path,
      kind: t.target.kind,
      files: t.files.length,
      packages: t.packages.length,
      issues: t.issues.length,
    })),
    packages: r.targets.reduce((s, t) => s + t.packages.length, 0),
    lookups: r.lookups,
    vulnerablePackages: new Set(shown.map((f) => `${placeOf(f)}\u0000${f.package.name}\u0000${f.package.version}`))
      .size,
    findings: shown.length,
    undetermined: shown.filter((f) => f.vulnerability.status === 'unknown').length,
    suppressed,
    bySeverity,
    fixable: shown.filter((f) => f.vulnerability.fixed.length > 0).length,
    seconds: Math.round(r.elapsedMs) / 1000,
    database,
  };
}

export function scanSummaryText(s: ScanSummary): string {
  const sev = SEVERITIES.slice()
    .reverse()
    .filter((x) => s.bySeverity[x] > 0)
    .map((x) => `${s.bySeverity[x]} ${x}`)
    .join(', ');
  const lines = [
    'Summary',
    `  scanned         ${s.targets.map((t) => `${t.path} (${t.files} files, ${t.packages} packages)`).join('; ')}`,
    `  vulnerabilities ${s.findings}${sev ? ` (${sev})` : ''} in ${s.vulnerablePackages} packages; ${s.fixable} with a fix`,
  ];
  if (s.undetermined)
    lines.push(`  undetermined    ${s.undetermined} (a record could not be evaluated: listed, not cleared)`);
  if (s.suppressed) lines.push(`  suppressed      ${s.suppressed} by the ignore file`);
  lines.push(
    `  database        ${s.database.location}${s.database.asOf ? `, data as of ${s.database.asOf.slice(0, 10)}` : ''}`,
  );
  lines.push(`  time            ${s.seconds.toFixed(2)} s, ${s.lookups} distinct packages looked up`);
  return lines.join('\n') + '\n';
}
