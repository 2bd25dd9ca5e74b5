import { createHash } from 'node:crypto';
import type { Finding } from '../core/finding.ts';
import { findingId } from '../core/ids.ts';
import type { Severity } from '../core/severity.ts';
import type { FieldSource, LogEvent } from './event.ts';
import type { SigmaRule } from './sigma/types.ts';

/** The RuleRef of a Sigma rule, as findings carry it. */
export function ruleRef(rule: {
  id?: string;
  name?: string;
  title: string;
  level: Severity;
  tags: readonly string[];
  path: string;
  description?: string;
  author?: string;
  status?: string;
  references?: readonly string[];
  falsepositives?: readonly string[];
}): Finding['rule'] {
  return {
    id: rule.id ?? rule.name ?? rule.title,
    title: rule.title,
    level: rule.level,
    tags: rule.tags,
    path: rule.path,
    ...(rule.description !== undefined ? { description: rule.description } : {}),
    ...(rule.author !== undefined ? { author: rule.author } : {}),
    ...(rule.status !== undefined ? { status: rule.status } : {}),
    ...(rule.references?.length ? { references: rule.references } : {}),
    ...(rule.falsepositives?.length ? { falsepositives: rule.falsepositives } : {}),
  };
}

export function isoTime(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The values of the fields a rule reads, as found in the event: what an analyst looks at first. */
export function matchedFields(fields: readonly string[], fs: FieldSource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = fs.get(f);
    if (v !== undefined) out[f] = v;
  }
  return out;
}

/**
 * A detection Finding for one rule match. The id hashes the rule, the host and the event's content (not the
 * file path, which changes between copies of the same log), so re-hunting the same logs gives the same ids.
 */
export function detectionFinding(
  rule: SigmaRule,
  ev: LogEvent,
  details: { logsource: string; matched: Record<string, unknown> },
): Finding {
  const digest = createHash('sha256').update(JSON.stringify(ev.data)).digest('hex').slice(0, 32);
  const time = isoTime(ev.time);
  const host = ev.host ?? 'unknown';
  return {
    id: findingId(['detection', rule.id ?? rule.title, host, ev.source.recordId, digest]),
    kind: 'detection',
    severity: rule.level,
    title: rule.title,
    rule: ruleRef(rule),
    asset: { kind: 'host', name: host },
    ...(time ? { time } : {}),
    evidence: [{ source: ev.source, ...(time ? { time } : {}), data: ev.data }],
    details: { format: ev.format, ...details },
  };
}
