import type { RuleIssue, SigmaFilterDoc, SigmaRule } from './types.ts';

/**
 * Sigma meta filters: each filter names rules (by id or name) and adds `and not <filter condition>` to them,
 * its selections prefixed so they cannot clash with the rule's own.
 */
export function applyFilters(
  rules: SigmaRule[],
  filters: SigmaFilterDoc[],
): { rules: SigmaRule[]; issues: RuleIssue[] } {
  const issues: RuleIssue[] = [];
  let out = rules;
  for (const f of filters) {
    const spec = f.raw['filter'] as Record<string, unknown> | undefined;
    const targets = Array.isArray(spec?.['rules'])
      ? (spec['rules'] as unknown[]).map(String)
      : typeof spec?.['rules'] === 'string'
        ? [spec['rules']]
        : [];
    const cond = spec?.['condition'];
    if (!spec || !targets.length || typeof cond !== 'string') {
      issues.push({ path: f.path, title: f.title, reason: 'filter needs filter.rules and filter.condition' });
      continue;
    }
    const sels = Object.entries(spec).filter(([k]) => k !== 'rules' && k !== 'condition');
    const prefix = `__filter_${(f.id ?? f.name ?? f.title).replace(/\W/g, '_')}_`;
    let renamed = cond;
    for (const [k] of sels) renamed = renamed.replace(new RegExp(`\\b${k}\\b`, 'g'), prefix + k);
    out = out.map((r) => {
      if (!targets.includes(r.id ?? '') && !targets.includes(r.name ?? '')) return r;
      const det: Record<string, unknown> = { ...r.detection };
      for (const [k, v] of sels) det[prefix + k] = v;
      det['condition'] = `(${String(r.detection['condition'])}) and not (${renamed})`;
      return { ...r, detection: det };
    });
  }
  return { rules: out, issues };
}
