// Links correlations to the rules and correlations they reference, orders chains, and derives what the caller must
// keep per base rule (fields) and which base rules' own detections are not output (`generate`).
import type { RuleIssue } from '../types.ts';
import type { CompiledCorrelation, RuleKey } from './types.ts';

function issue(c: CompiledCorrelation, reason: string): RuleIssue {
  return { path: c.path, ...(c.id !== undefined ? { id: c.id } : {}), title: c.title, reason };
}

function keysOf(c: CompiledCorrelation): RuleKey[] {
  const keys: RuleKey[] = [];
  if (c.id !== undefined) keys.push(c.id);
  if (c.name !== undefined && c.name !== c.id) keys.push(c.name);
  return keys;
}

function label(c: CompiledCorrelation): string {
  return c.name ?? c.id ?? c.title;
}

/**
 * Resolves each correlation's `rules` against the loaded base rules (`known`: their ids and names) and the other
 * correlations. Rejects (as issues) unknown references, id/name clashes, chains that loop, and correlations built
 * on rejected ones. `ok` is in dependency order (a correlation after those it reads), with `chained` filled.
 */
export function resolveCorrelations(
  correlations: CompiledCorrelation[],
  known: ReadonlySet<RuleKey>,
): { ok: CompiledCorrelation[]; issues: RuleIssue[] } {
  const issues: RuleIssue[] = [];
  const rejected = new Map<CompiledCorrelation, string>();
  const byKey = new Map<RuleKey, CompiledCorrelation>();
  for (const c of correlations) {
    for (const k of keysOf(c)) {
      const other = byKey.get(k);
      if (known.has(k)) {
        rejected.set(
          c,
          `id or name '${k}' is also used by a detection rule, so references to it are ambiguous; rename one`,
        );
      } else if (other && other !== c) {
        rejected.set(
          c,
          `id or name '${k}' is already used by correlation '${other.title}' (${other.path}); rename one`,
        );
      }
    }
    if (!rejected.has(c)) for (const k of keysOf(c)) byKey.set(k, c);
  }

  const deps = new Map<CompiledCorrelation, CompiledCorrelation[]>();
  for (const c of correlations) {
    if (rejected.has(c)) continue;
    const list: CompiledCorrelation[] = [];
    for (const r of c.rules) {
      const d = byKey.get(r);
      if (d) list.push(d);
      else if (!known.has(r)) {
        rejected.set(
          c,
          `correlation.rules: unknown rule reference '${r}': no loaded rule or correlation has this id or name`,
        );
        break;
      }
    }
    deps.set(c, list);
  }

  // depth-first, dependencies first; a grey node met again closes a loop
  const state = new Map<CompiledCorrelation, 'grey' | 'done'>();
  const order: CompiledCorrelation[] = [];
  const stack: CompiledCorrelation[] = [];
  const visit = (c: CompiledCorrelation): void => {
    const s = state.get(c);
    if (s === 'done') return;
    if (s === 'grey') {
      const loop = stack.slice(stack.indexOf(c));
      const path = [...loop, c].map(label).join(' -> ');
      for (const l of loop) if (!rejected.has(l)) rejected.set(l, `correlation chain loops: ${path}`);
      return;
    }
    state.set(c, 'grey');
    stack.push(c);
    for (const d of deps.get(c) ?? []) visit(d);
    stack.pop();
    state.set(c, 'done');
    if (rejected.has(c)) return;
    const bad = (deps.get(c) ?? []).find((d) => rejected.has(d));
    if (bad) {
      rejected.set(
        c,
        `correlation.rules: depends on correlation '${label(bad)}', which was rejected (${rejected.get(bad)})`,
      );
      return;
    }
    order.push(c);
  };
  for (const c of correlations) if (!rejected.has(c)) visit(c);

  const resolved = new Map<CompiledCorrelation, CompiledCorrelation>();
  const ok: CompiledCorrelation[] = [];
  for (const c of order) {
    if (rejected.has(c)) continue;
    const chained = new Map<RuleKey, CompiledCorrelation>();
    for (const r of c.rules) {
      const d = byKey.get(r);
      const rd = d && resolved.get(d);
      if (rd) chained.set(r, rd);
    }
    const out: CompiledCorrelation = { ...c, chained };
    resolved.set(c, out);
    ok.push(out);
  }
  for (const c of correlations) {
    const why = rejected.get(c);
    if (why !== undefined) issues.push(issue(c, why));
  }
  return { ok, issues };
}

/** The given correlations and every correlation they read, dependencies first, each once. */
export function closure(correlations: readonly CompiledCorrelation[]): CompiledCorrelation[] {
  const seen = new Set<CompiledCorrelation>();
  const out: CompiledCorrelation[] = [];
  const visit = (c: CompiledCorrelation, depth: number): void => {
    // resolveCorrelations rejects loops; the depth bound guards hand-built objects
    if (seen.has(c) || depth > 1000) return;
    seen.add(c);
    for (const d of c.chained.values()) visit(d, depth + 1);
    out.push(c);
  };
  for (const c of correlations) visit(c, 0);
  return out;
}

/** The event field a group-by entry or value field reads for a rule: the alias's field for it, else the name. */
export function aliasedField(c: CompiledCorrelation, name: string, rules: readonly RuleKey[]): string {
  const m = c.aliases.get(name);
  if (!m) return name;
  for (const k of rules) {
    const f = m.get(k);
    if (f !== undefined) return f;
  }
  return name;
}

export type Needs = {
  /** Per base rule key: the event fields to keep. */
  readonly base: ReadonlyMap<RuleKey, ReadonlySet<string>>;
  /** Per chained correlation: fields its hits must carry besides the group (read by the correlations above it). */
  readonly exports: ReadonlyMap<CompiledCorrelation, ReadonlySet<string>>;
};

/** Works out, from the outermost correlation down, which fields each referenced rule or correlation must supply. */
export function computeNeeds(correlations: readonly CompiledCorrelation[]): Needs {
  const order = closure(correlations);
  const base = new Map<RuleKey, Set<string>>();
  const exports = new Map<CompiledCorrelation, Set<string>>();
  const addBase = (k: RuleKey, fields: Iterable<string>): void => {
    let s = base.get(k);
    if (!s) base.set(k, (s = new Set()));
    for (const f of fields) s.add(f);
  };
  const addExport = (d: CompiledCorrelation, fields: Iterable<string>): void => {
    let s = exports.get(d);
    if (!s) exports.set(d, (s = new Set()));
    for (const f of fields) if (!d.groupBy.includes(f)) s.add(f);
  };
  for (let i = order.length - 1; i >= 0; i--) {
    const c = order[i]!;
    const read = [...c.groupBy, ...c.field];
    const extra = exports.get(c) ?? new Set<string>();
    for (const r of c.rules) {
      const req = new Set<string>(extra);
      for (const name of read) req.add(aliasedField(c, name, [r]));
      const d = c.chained.get(r);
      if (d) addExport(d, req);
      else addBase(r, req);
    }
    // an alias may name a rule by id while `rules` uses its name (or the reverse): keep its field under that key too
    for (const name of read) {
      for (const [k, f] of c.aliases.get(name) ?? []) {
        if (c.rules.includes(k)) continue;
        const d = c.chained.get(k) ?? [...c.chained.values()].find((o) => o.id === k || o.name === k);
        if (d) addExport(d, [f]);
        else addBase(k, [f]);
      }
    }
  }
  return { base, exports };
}

/**
 * Per base rule (by the id or name the correlations use), the event fields to keep in its BaseMatch: group-by
 * fields (through aliases), value fields, and fields chained correlations above need. Every referenced base rule has
 * an entry, possibly empty: the caller must produce BaseMatches for exactly these rules.
 */
export function fieldsNeeded(correlations: readonly CompiledCorrelation[]): ReadonlyMap<RuleKey, readonly string[]> {
  const out = new Map<RuleKey, readonly string[]>();
  for (const [k, s] of computeNeeds(correlations).base) out.set(k, [...s]);
  return out;
}

/**
 * Base rules whose own detections are not output: referenced by correlations that all leave `generate` false
 * (spec default). A rule some correlation generates stays visible: hiding detections is the riskier mistake.
 */
export function suppressedBaseRules(correlations: readonly CompiledCorrelation[]): ReadonlySet<RuleKey> {
  const generated = new Map<RuleKey, boolean>();
  for (const c of closure(correlations)) {
    for (const r of c.rules) {
      if (c.chained.has(r)) continue;
      generated.set(r, (generated.get(r) ?? false) || c.generate);
    }
  }
  const out = new Set<RuleKey>();
  for (const [k, g] of generated) if (!g) out.add(k);
  return out;
}

/** Correlations whose own hits are not output: read by other correlations that all leave `generate` false. */
export function suppressedCorrelations(order: readonly CompiledCorrelation[]): ReadonlySet<CompiledCorrelation> {
  const generated = new Map<CompiledCorrelation, boolean>();
  for (const c of order)
    for (const d of c.chained.values()) generated.set(d, (generated.get(d) ?? false) || c.generate);
  const out = new Set<CompiledCorrelation>();
  for (const [d, g] of generated) if (!g) out.add(d);
  return out;
}
