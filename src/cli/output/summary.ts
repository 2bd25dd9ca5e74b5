import type { Finding } from '../../core/finding.ts';
import { SEVERITIES, type Severity } from '../../core/severity.ts';
import type { HuntResult } from '../../hunt/pipeline.ts';
import { isoTime } from '../../hunt/finding.ts';

/** Counts kept while findings stream past, for the closing summary. */
export class FindingTally {
  readonly byLevel = new Map<Severity, number>();
  readonly byRule = new Map<string, { title: string; level: Severity; count: number }>();
  readonly byHost = new Map<string, number>();
  firstTime: string | undefined;
  lastTime: string | undefined;
  total = 0;

  add(f: Finding): void {
    this.total++;
    this.byLevel.set(f.severity, (this.byLevel.get(f.severity) ?? 0) + 1);
    const r = this.byRule.get(f.rule.id);
    if (r) r.count++;
    else this.byRule.set(f.rule.id, { title: f.rule.title, level: f.severity, count: 1 });
    this.byHost.set(f.asset.name, (this.byHost.get(f.asset.name) ?? 0) + 1);
    if (f.time) {
      if (!this.firstTime || f.time < this.firstTime) this.firstTime = f.time;
      if (!this.lastTime || f.time > this.lastTime) this.lastTime = f.time;
    }
  }
}

export type HuntSummary = {
  readonly detections: number;
  readonly byLevel: Record<Severity, number>;
  readonly topRules: { id: string; title: string; level: Severity; count: number }[];
  readonly hosts: { host: string; count: number }[];
  readonly detectionTimeRange?: { first: string; last: string };
  readonly eventTimeRange?: { first: string; last: string };
  readonly files: number;
  readonly skippedFiles: number;
  readonly events: number;
  readonly bytes: number;
  readonly elapsedSeconds: number;
  readonly eventsPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly jobs: number;
  readonly readIssues: number;
  readonly rules: {
    readonly files: number;
    readonly active: number;
    readonly unbound: number;
    readonly rejected: number;
    readonly deselected: number;
    readonly correlations: number;
    readonly loadSeconds: number;
    readonly compileSeconds: number;
  };
};

const TOP = 10;

export function summarise(t: FindingTally, r: HuntResult): HuntSummary {
  const byLevel = Object.fromEntries(SEVERITIES.map((s) => [s, t.byLevel.get(s) ?? 0])) as Record<Severity, number>;
  const secs = r.elapsedMs / 1000;
  const first = isoTime(r.firstTime);
  const last = isoTime(r.lastTime);
  return {
    detections: t.total,
    byLevel,
    topRules: [...t.byRule.entries()]
      .map(([id, v]) => ({ id, ...v }))
      .sort((a, b) => b.count - a.count || a.title.localeCompare(b.title))
      .slice(0, TOP),
    hosts: [...t.byHost.entries()]
      .map(([host, count]) => ({ host, count }))
      .sort((a, b) => b.count - a.count || a.host.localeCompare(b.host))
      .slice(0, TOP),
    ...(t.firstTime && t.lastTime ? { detectionTimeRange: { first: t.firstTime, last: t.lastTime } } : {}),
    ...(first && last ? { eventTimeRange: { first, last } } : {}),
    files: r.files,
    skippedFiles: r.skippedFiles.length,
    events: r.events,
    bytes: r.bytes,
    elapsedSeconds: round(secs, 3),
    eventsPerSecond: secs > 0 ? Math.round(r.events / secs) : 0,
    megabytesPerSecond: secs > 0 ? round(r.bytes / 1e6 / secs, 2) : 0,
    jobs: r.jobs,
    readIssues: r.issues,
    rules: {
      files: r.rules.files,
      active: r.rules.active,
      unbound: r.rules.unbound.length,
      rejected: r.rules.rejected.length,
      deselected: r.rules.deselected,
      correlations: r.rules.correlations,
      loadSeconds: round(r.rules.loadMs / 1000, 3),
      compileSeconds: round(r.rules.compileMs / 1000, 3),
    },
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The closing summary as text for a person. */
export function summaryText(s: HuntSummary, color: boolean): string {
  const c = colors(color);
  const lines: string[] = [];
  lines.push(c.bold('Summary'));
  const lv = (['critical', 'high', 'medium', 'low', 'informational'] as const)
    .map((l) => `${levelColor(l, c)(l)} ${s.byLevel[l]}`)
    .join('  ');
  lines.push(`  detections   ${s.detections}   (${lv})`);
  if (s.topRules.length) {
    lines.push('  top rules');
    for (const r of s.topRules)
      lines.push(`    ${String(r.count).padStart(7)}  ${levelColor(r.level, c)(r.level.padEnd(13))} ${r.title}`);
  }
  if (s.hosts.length) lines.push(`  hosts        ${s.hosts.map((h) => `${h.host} (${h.count})`).join(', ')}`);
  if (s.detectionTimeRange) lines.push(`  detections   ${s.detectionTimeRange.first} → ${s.detectionTimeRange.last}`);
  if (s.eventTimeRange) lines.push(`  events       ${s.eventTimeRange.first} → ${s.eventTimeRange.last}`);
  lines.push(
    `  read         ${s.events} events, ${s.files} files (${(s.bytes / 1e6).toFixed(1)} MB) in ${s.elapsedSeconds.toFixed(2)} s: ` +
      `${s.eventsPerSecond} events/s, ${s.megabytesPerSecond} MB/s, ${s.jobs} thread${s.jobs === 1 ? '' : 's'}`,
  );
  if (s.skippedFiles) lines.push(`  skipped      ${s.skippedFiles} files of unknown format`);
  if (s.readIssues)
    lines.push(c.yellow(`  read issues  ${s.readIssues} (corrupt or unparsable records skipped; see above)`));
  const r = s.rules;
  lines.push(
    `  rules        ${r.active} active, ${r.correlations} correlations, ${r.unbound} for log sources not read here, ` +
      `${r.rejected} rejected, ${r.deselected} deselected (${r.files} files, loaded in ${r.loadSeconds.toFixed(2)} s, compiled in ${r.compileSeconds.toFixed(2)} s)`,
  );
  return lines.join('\n') + '\n';
}

export type Colors = Record<
  'bold' | 'dim' | 'red' | 'yellow' | 'magenta' | 'cyan' | 'green' | 'gray',
  (s: string) => string
>;

export function colors(on: boolean): Colors {
  const wrap = (a: number, b: number) => (s: string) => (on ? `\x1b[${a}m${s}\x1b[${b}m` : s);
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    magenta: wrap(35, 39),
    cyan: wrap(36, 39),
    gray: wrap(90, 39),
  };
}

export function levelColor(l: Severity, c: Colors): (s: string) => string {
  switch (l) {
    case 'critical':
      return (s) => c.bold(c.magenta(s));
    case 'high':
      return c.red;
    case 'medium':
      return c.yellow;
    case 'low':
      return c.cyan;
    default:
      return c.gray;
  }
}
