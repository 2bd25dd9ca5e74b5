// Shared by the Sigma engine's tests: a rule around a bare detection, and an event from a plain field map.
import type { FieldSource } from '../event.ts';
import type { SigmaRule } from './types.ts';

/** A minimal valid rule holding `detection`; `more` overrides any other part (title, id, logsource, …). */
export function testRule(detection: Record<string, unknown>, more: Partial<SigmaRule> = {}): SigmaRule {
  return {
    kind: 'rule',
    title: 't',
    references: [],
    tags: [],
    level: 'medium',
    falsepositives: [],
    fields: [],
    logsource: {},
    detection,
    path: 'x.yml',
    raw: {},
    ...more,
  } as SigmaRule;
}

/** Fields by name; `values()` (keyword search) gives every scalar, array elements one by one, nulls none. */
export function testFields(fields: Record<string, unknown>): FieldSource {
  return {
    get: (n) => fields[n],
    values: () =>
      Object.values(fields).flatMap((v) => (Array.isArray(v) ? v.map(String) : v === null ? [] : [String(v)])),
  };
}
