/** Severity of a finding, ordered from least to most severe. Sigma's levels map onto it one to one. */
export type Severity = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly Severity[] = ['informational', 'low', 'medium', 'high', 'critical'];

const RANK: Readonly<Record<Severity, number>> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function severityRank(s: Severity): number {
  return RANK[s];
}

export function isSeverity(s: string): s is Severity {
  return Object.hasOwn(RANK, s);
}

/** Parses a user-given severity; accepts the usual abbreviations (`info`, `crit`). Returns undefined when unknown. */
export function parseSeverity(s: string): Severity | undefined {
  const v = s.trim().toLowerCase();
  if (isSeverity(v)) return v;
  if (v === 'info') return 'informational';
  if (v === 'crit') return 'critical';
  if (v === 'med') return 'medium';
  return undefined;
}

export function atLeast(s: Severity, min: Severity): boolean {
  return RANK[s] >= RANK[min];
}
