import type { Finding } from '../../core/finding.ts';
import type { Severity } from '../../core/severity.ts';
import { colors, levelColor } from './summary.ts';

export type FindingFormat = 'table' | 'json' | 'jsonl' | 'csv' | 'sarif';
export const FINDING_FORMATS: readonly FindingFormat[] = ['table', 'json', 'jsonl', 'csv', 'sarif'];

/** Formats that stream (one line per finding as found) rather than needing all findings first. */
export function streams(f: FindingFormat): boolean {
  return f === 'jsonl';
}

/** Time order for timelines; findings without a time go last, ties broken by id so output is reproducible. */
export function byTime(a: Finding, b: Finding): number {
  const ta = a.time ?? '\uffff';
  const tb = b.time ?? '\uffff';
  return ta < tb ? -1 : ta > tb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The few field=value pairs that explain a detection, for timelines. */
export function keyDetails(f: Finding, max = 6): string {
  const d = f.details ?? {};
  const parts: string[] = [];
  if (typeof d['correlation'] === 'string') {
    parts.push(`correlation=${String(d['correlation'])}`, `value=${String(d['value'])}`);
    const g = d['group'];
    if (g && typeof g === 'object') for (const [k, v] of Object.entries(g)) parts.push(`${k}=${flat(v)}`);
  }
  const m = d['matched'];
  if (m && typeof m === 'object') for (const [k, v] of Object.entries(m)) parts.push(`${k}=${flat(v)}`);
  return parts.slice(0, max).join(' · ');
}

function flat(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function sourceOf(f: Finding): string {
  const s = f.evidence[0]?.source;
  if (!s) return '';
  const at = s.recordId !== undefined ? `#${s.recordId}` : s.line !== undefined ? `:${s.line}` : '';
  return `${s.file}${at}`;
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export const CSV_HEADER = [
  'time',
  'level',
  'rule_title',
  'rule_id',
  'host',
  'source',
  'record_id',
  'line',
  'tags',
  'details',
  'finding_id',
];

export function csvRow(f: Finding): string {
  const s = f.evidence[0]?.source;
  return [
    f.time ?? '',
    f.severity,
    f.rule.title,
    f.rule.id,
    f.asset.name,
    s?.file ?? '',
    s?.recordId !== undefined ? String(s.recordId) : '',
    s?.line !== undefined ? String(s.line) : '',
    f.rule.tags.join(' '),
    keyDetails(f, 20),
    f.id,
  ]
    .map(csvCell)
    .join(',');
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`;
}

/** A timeline table for a person: one line per detection in time order. */
export function tableText(findings: readonly Finding[], opts: { color: boolean; width: number }): string {
  const c = colors(opts.color);
  if (findings.length === 0) return 'No detections.\n';
  const rows = [...findings].sort(byTime);
  const hostW = Math.min(24, Math.max(4, ...rows.map((f) => f.asset.name.length)));
  const fixed = 24 + 1 + 13 + 1 + hostW + 1;
  const rest = Math.max(40, opts.width - fixed);
  const titleW = Math.min(60, Math.max(20, Math.floor(rest * 0.45)));
  const out: string[] = [];
  out.push(
    c.bold(`${'time'.padEnd(24)} ${'level'.padEnd(13)} ${'host'.padEnd(hostW)} ${'rule'.padEnd(titleW)} details`),
  );
  for (const f of rows) {
    const lvl = levelColor(f.severity, c)(f.severity.padEnd(13));
    const details = keyDetails(f);
    out.push(
      `${(f.time ?? '-').padEnd(24)} ${lvl} ${truncate(f.asset.name, hostW).padEnd(hostW)} ${truncate(f.title, titleW).padEnd(titleW)} ${c.dim(truncate(details, Math.max(10, rest - titleW - 1)))}`,
    );
  }
  return out.join('\n') + '\n';
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  informational: 'note',
};

/** SARIF 2.1.0: one run, the rules that fired as reportingDescriptors, one result per finding. */
export function sarifLog(findings: readonly Finding[], toolVersion: string): unknown {
  const rules = new Map<string, Finding['rule']>();
  for (const f of findings) if (!rules.has(f.rule.id)) rules.set(f.rule.id, f.rule);
  const ruleIndex = new Map([...rules.keys()].map((id, i) => [id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mamori',
            informationUri: 'https://github.com/mamori-security/mamori',
            version: toolVersion,
            rules: [...rules.values()].map((r) => ({
              id: r.id,
              name: r.title,
              shortDescription: { text: r.title },
              ...(r.description ? { fullDescription: { text: r.description } } : {}),
              defaultConfiguration: { level: SARIF_LEVEL[r.level] },
              properties: { tags: r.tags, level: r.level, ...(r.path ? { path: r.path } : {}) },
            })),
          },
        },
        results: findings.map((f) => {
          const s = f.evidence[0]?.source;
          return {
            ruleId: f.rule.id,
            ruleIndex: ruleIndex.get(f.rule.id),
            level: SARIF_LEVEL[f.severity],
            message: { text: `${f.title} on ${f.asset.name}${f.time ? ` at ${f.time}` : ''}` },
            locations: s
              ? [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: s.file },
                      ...(s.line !== undefined ? { region: { startLine: s.line } } : {}),
                    },
                    ...(s.recordId !== undefined
                      ? { logicalLocations: [{ name: `record ${s.recordId}`, kind: 'member' }] }
                      : {}),
                  },
                ]
              : [],
            partialFingerprints: { 'mamori/findingId': f.id },
            properties: { host: f.asset.name, time: f.time, severity: f.severity, details: f.details },
          };
        }),
      },
    ],
  };
}
