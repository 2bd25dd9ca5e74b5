import type { Evidence, Finding } from '../core/finding.ts';
import { findingId } from '../core/ids.ts';
import type { LogEvent } from './event.ts';
import { isoTime, ruleRef } from './finding.ts';
import type { CorrelationHit } from './sigma/correlation/index.ts';

/** Evidence kept per correlation finding: enough to show the pattern, bounded whatever the burst size. */
const MAX_EVIDENCE = 20;

function isLogEvent(x: unknown): x is LogEvent {
  return typeof x === 'object' && x !== null && 'source' in x && 'data' in x;
}

/** A detection Finding for a correlation that fired: its group, window, value and the first events. */
export function correlationFinding(hit: CorrelationHit): Finding {
  const c = hit.correlation;
  const events = hit.refs.filter(isLogEvent);
  const hosts = [...new Set(events.map((e) => e.host).filter((h): h is string => !!h))];
  const host = hosts.length === 1 ? hosts[0]! : hosts.length ? hosts.join(',') : 'unknown';
  const evidence: Evidence[] = events.slice(0, MAX_EVIDENCE).map((e) => {
    const t = isoTime(e.time);
    return { source: e.source, ...(t ? { time: t } : {}), data: e.data };
  });
  const first = isoTime(hit.firstTime);
  const last = isoTime(hit.lastTime);
  return {
    id: findingId(['correlation', c.id ?? c.name ?? c.title, JSON.stringify(hit.group), hit.firstTime, hit.lastTime]),
    kind: 'detection',
    severity: c.level,
    title: c.title,
    rule: ruleRef(c),
    asset: { kind: 'host', name: host },
    ...(last ? { time: last } : {}),
    evidence,
    details: {
      correlation: c.type,
      group: hit.group,
      value: hit.value,
      events: hit.total,
      ...(first ? { firstTime: first } : {}),
      ...(last ? { lastTime: last } : {}),
    },
  };
}
