/**
 * The `K:V/K:V` metric list every CVSS version writes after its prefix: each key known, each value allowed for
 * it, no key twice. Returns the metrics by key, or `undefined` when any part breaks those rules (the vector
 * comes from a feed: an odd one is refused, never half-scored).
 */
export function parseMetricList(
  parts: readonly string[],
  allowed: (key: string) => readonly string[] | undefined,
): Map<string, string> | undefined {
  const seen = new Map<string, string>();
  for (const p of parts) {
    const colon = p.indexOf(':');
    if (colon <= 0) return undefined;
    const k = p.slice(0, colon);
    const v = p.slice(colon + 1);
    const values = allowed(k);
    if (values === undefined || !values.includes(v) || seen.has(k)) return undefined;
    seen.set(k, v);
  }
  return seen;
}

/** The required metrics out of a parsed list, or `undefined` when one is missing. */
export function requireMetrics<K extends string>(
  seen: ReadonlyMap<string, string>,
  keys: readonly K[],
): Record<K, string> | undefined {
  const out = {} as Record<K, string>;
  for (const k of keys) {
    const v = seen.get(k);
    if (v === undefined) return undefined;
    out[k] = v;
  }
  return out;
}
