// Evaluates correlations over the buffered base matches (never over all events): sort by time, group, sweep the
// windows of each group, merge overlapping firing windows into one hit. Chained correlations run after the
// correlations they read, whose hits become their input.
import { aliasedField, closure, computeNeeds, suppressedCorrelations } from './resolve.ts';
import type {
  BaseMatch,
  CompiledCorrelation,
  CorrelationCondition,
  CorrelationHit,
  CorrelationType,
  RuleKey,
} from './types.ts';
import {
  CountAggregate,
  DistinctAggregate,
  OrderedAggregate,
  PercentileAggregate,
  RulesAggregate,
  SumAggregate,
  sweepMaximal,
  sweepTrailing,
  type WindowAggregate,
} from './window.ts';

/** Event refs kept per hit; `total` still counts every contributing event. */
export const MAX_HIT_REFS = 100;
/** Values of one multi-valued group-by field that each form a group (the rest are ignored). */
export const MAX_GROUP_VALUES = 16;
/** Groups one event may join (product of its multi-valued group-by fields). */
export const MAX_GROUPS_PER_EVENT = 64;
/** Distinct values of a field a chained hit passes on to the correlation above it. */
export const MAX_PASSED_VALUES = 64;

/** A correlation hit fed to the correlations that reference it: one BaseMatch that stands for its events. */
class ChainedMatch implements BaseMatch {
  readonly rules: readonly RuleKey[];
  readonly time: number;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly ref: unknown;
  /** When the hit's first event happened (time is when its condition was met). */
  readonly firstTime: number;
  readonly refs: readonly unknown[];
  readonly total: number;
  constructor(
    rules: readonly RuleKey[],
    time: number,
    firstTime: number,
    fields: Record<string, unknown>,
    refs: readonly unknown[],
    total: number,
  ) {
    this.rules = rules;
    this.time = time;
    this.firstTime = firstTime;
    this.fields = fields;
    this.ref = refs[0];
    this.refs = refs;
    this.total = total;
  }
}

/** Aggregates that only grow as the window grows: a lower bound met inside a window is met by any window around it. */
const GROWING: ReadonlySet<CorrelationType> = new Set([
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
]);
const METRIC: ReadonlySet<CorrelationType> = new Set(['value_sum', 'value_avg', 'value_percentile', 'value_median']);

/** The key a value groups or counts under: 4624 and "4624" are the same value, as they print the same. */
function valueKey(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The values a field contributes: none when absent or null; each element (non-null, distinct) of an array. */
function valuesOf(raw: unknown, max: number): unknown[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) return [raw];
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const v of raw) {
    if (v === undefined || v === null) continue;
    const k = valueKey(v);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
    if (out.length >= max) break;
  }
  return out.length ? out : undefined;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX = /^0[xX][0-9a-fA-F]{1,13}$/;

/** A numeric value as logs write them: numbers, decimal strings, 0x hex (EVTX); anything else is not a number. */
function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (DECIMAL.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
  if (HEX.test(s)) return Number.parseInt(s.slice(2), 16);
  return undefined;
}

type Test = { readonly test: (v: number) => boolean; readonly peak: 'max' | 'min' | 'first'; lowerOnly: boolean };

function compileCondition(c: CorrelationCondition): Test {
  const { gt, gte, lt, lte, eq, neq } = c;
  const test = (v: number): boolean =>
    (gt === undefined || v > gt) &&
    (gte === undefined || v >= gte) &&
    (lt === undefined || v < lt) &&
    (lte === undefined || v <= lte) &&
    (eq === undefined || v === eq) &&
    (neq === undefined || v !== neq);
  const lower = gt !== undefined || gte !== undefined || eq !== undefined;
  const upper = lt !== undefined || lte !== undefined;
  return {
    test,
    peak: lower ? 'max' : upper ? 'min' : 'first',
    lowerOnly: (gt !== undefined || gte !== undefined) && !upper && eq === undefined && neq === undefined,
  };
}

/** One group's items in time order, with what the aggregates read. */
type Group = {
  readonly values: Record<string, unknown>;
  readonly items: number[];
  readonly t: number[];
  readonly ri: number[];
  /** Per item, its value keys / numbers are at off[i] .. off[i+1]-1. */
  readonly off: number[];
  readonly keys: string[];
  readonly nums: number[];
};

function newGroup(values: Record<string, unknown>): Group {
  return { values, items: [], t: [], ri: [], off: [0], keys: [], nums: [] };
}

function addTo(
  g: Group,
  n: number,
  time: number,
  ri: number,
  keys: readonly string[] | undefined,
  nums: readonly number[] | undefined,
): void {
  g.items.push(n);
  g.t.push(time);
  g.ri.push(ri);
  if (keys) {
    for (const k of keys) g.keys.push(k);
    g.off.push(g.keys.length);
  } else if (nums) {
    for (const x of nums) g.nums.push(x);
    g.off.push(g.nums.length);
  }
}

/**
 * Sorts matches by time. Integer times over a range that fits are packed with the index into one float and sorted
 * natively (several times faster than a comparator on a million objects); otherwise a stable comparator sort.
 */
function sortByTime(list: BaseMatch[]): BaseMatch[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (const m of list) {
    if (m.time < min) min = m.time;
    if (m.time > max) max = m.time;
    if (!Number.isInteger(m.time)) integers = false;
  }
  const n = list.length;
  if (!integers || (max - min + 1) * n > Number.MAX_SAFE_INTEGER) return list.sort((a, b) => a.time - b.time);
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = (list[i]!.time - min) * n + i;
  packed.sort();
  const out: BaseMatch[] = new Array<BaseMatch>(n);
  for (let i = 0; i < n; i++) out[i] = list[packed[i]! % n]!;
  return out;
}

/** Merges time-sorted lists into one, each match once. */
function mergeSorted(lists: readonly (readonly BaseMatch[])[]): readonly BaseMatch[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? [];
  let acc: BaseMatch[] = [...nonEmpty[0]!];
  for (let n = 1; n < nonEmpty.length; n++) {
    const b = nonEmpty[n]!;
    const out: BaseMatch[] = [];
    let i = 0;
    let j = 0;
    while (i < acc.length || j < b.length) {
      if (j >= b.length || (i < acc.length && acc[i]!.time <= b[j]!.time)) out.push(acc[i++]!);
      else out.push(b[j++]!);
    }
    acc = out;
  }
  // a match whose rule is listed twice (once by id, once by name) came in twice
  const seen = new Set<BaseMatch>();
  return acc.filter((m) => (seen.has(m) ? false : (seen.add(m), true)));
}

/** Within runs of equal time, orders items by rule index: same-time events count as in the listed order. */
function orderTies(g: Group): void {
  const { t, ri, items } = g;
  for (let i = 1; i < t.length; i++) {
    if (t[i] !== t[i - 1] || ri[i]! >= ri[i - 1]!) continue;
    // insertion step within the run: arrays move together (value data is not read by temporal_ordered)
    let j = i;
    while (j > 0 && t[j] === t[j - 1] && ri[j]! < ri[j - 1]!) {
      [ri[j], ri[j - 1]] = [ri[j - 1]!, ri[j]!];
      [items[j], items[j - 1]] = [items[j - 1]!, items[j]!];
      j--;
    }
  }
}

type Episode = { first: number; last: number; fire: number; value: number };

type Evaluated = { hits: CorrelationHit[]; chained: ChainedMatch[] };

function evaluateOne(
  c: CompiledCorrelation,
  inputs: readonly BaseMatch[],
  passOn: ReadonlySet<string> | undefined,
  feeds: boolean,
  report: boolean,
): Evaluated {
  const refIndex = new Map<RuleKey, number>();
  c.rules.forEach((r, i) => refIndex.set(r, i));
  const gb = c.groupBy;
  const counting = c.type === 'value_count';
  const metric = METRIC.has(c.type);
  const groups = new Map<string, Group>();
  let only: Group | undefined;
  const field =
    c.aliases.size === 0
      ? (name: string): string => name
      : (name: string, rules: readonly RuleKey[]): string => aliasedField(c, name, rules);

  for (let n = 0; n < inputs.length; n++) {
    const m = inputs[n]!;
    let ri = -1;
    for (const k of m.rules) {
      const x = refIndex.get(k);
      if (x !== undefined && (ri < 0 || x < ri)) ri = x;
    }
    if (ri < 0) continue;

    // value_count and metrics only see events that carry a usable value
    let keys: string[] | undefined;
    let nums: number[] | undefined;
    if (counting) {
      if (c.field.length === 1) {
        const raw = m.fields[field(c.field[0]!, m.rules)];
        if (raw === undefined || raw === null) continue;
        if (Array.isArray(raw)) {
          const vs = valuesOf(raw, Number.POSITIVE_INFINITY);
          if (!vs) continue;
          keys = vs.map(valueKey);
        } else keys = [valueKey(raw)];
      } else {
        const parts: string[] = [];
        for (const f of c.field) {
          const v = m.fields[field(f, m.rules)];
          if (v === undefined || v === null) break;
          parts.push(valueKey(v));
        }
        if (parts.length < c.field.length) continue;
        keys = [JSON.stringify(parts)];
      }
    } else if (metric) {
      const raw = m.fields[field(c.field[0]!, m.rules)];
      nums = [];
      if (Array.isArray(raw)) {
        for (const v of raw) {
          const x = toNumber(v);
          if (x !== undefined) nums.push(x);
        }
      } else {
        const x = toNumber(raw);
        if (x !== undefined) nums.push(x);
      }
      if (nums.length === 0) continue;
    }

    // the groups this event joins: events missing a group-by field take no part (as SIEM `stats ... by`)
    if (gb.length === 0) {
      addTo((only ??= newGroup({})), n, m.time, ri, keys, nums);
    } else if (gb.length === 1) {
      const name = gb[0]!;
      const raw = m.fields[field(name, m.rules)];
      if (raw === undefined || raw === null) continue;
      if (!Array.isArray(raw)) {
        // the common case, kept free of allocations
        const key = valueKey(raw);
        let g = groups.get(key);
        if (!g) groups.set(key, (g = newGroup({ [name]: raw })));
        addTo(g, n, m.time, ri, keys, nums);
        continue;
      }
      for (const v of valuesOf(raw, MAX_GROUP_VALUES) ?? []) {
        const key = valueKey(v);
        let g = groups.get(key);
        if (!g) groups.set(key, (g = newGroup({ [name]: v })));
        addTo(g, n, m.time, ri, keys, nums);
      }
    } else {
      let combos: unknown[][] = [[]];
      let missing = false;
      for (const name of gb) {
        const vs = valuesOf(m.fields[field(name, m.rules)], MAX_GROUP_VALUES);
        if (!vs) {
          missing = true;
          break;
        }
        const next: unknown[][] = [];
        for (const combo of combos)
          for (const v of vs) if (next.length < MAX_GROUPS_PER_EVENT) next.push([...combo, v]);
        combos = next;
      }
      if (missing) continue;
      for (const combo of combos) {
        const key = JSON.stringify(combo.map(valueKey));
        let g = groups.get(key);
        if (!g) groups.set(key, (g = newGroup(Object.fromEntries(gb.map((name, i) => [name, combo[i]])))));
        addTo(g, n, m.time, ri, keys, nums);
      }
    }
  }
  if (only) groups.set('', only);

  const cond = compileCondition(c.condition);
  const sweep = cond.lowerOnly && GROWING.has(c.type) ? sweepTrailing : sweepMaximal;
  const out: Evaluated = { hits: [], chained: [] };
  const selfKeys: RuleKey[] = [];
  if (c.id !== undefined) selfKeys.push(c.id);
  if (c.name !== undefined && c.name !== c.id) selfKeys.push(c.name);

  for (const g of groups.values()) {
    if (c.type === 'temporal_ordered') orderTies(g);
    const agg = aggregateFor(c, g);
    const episodes: Episode[] = [];
    let ep: Episode | undefined;
    sweep(g.t, c.timespanMs, agg, cond.test, (first, last, value) => {
      if (ep && first <= ep.last) {
        ep.last = last;
        if ((cond.peak === 'max' && value > ep.value) || (cond.peak === 'min' && value < ep.value)) ep.value = value;
      } else {
        ep = { first, last, fire: last, value };
        episodes.push(ep);
      }
    });
    for (const e of episodes) {
      const refs: unknown[] = [];
      let total = 0;
      let firstTime = g.t[e.first]!;
      for (let p = e.first; p <= e.last; p++) {
        const m = inputs[g.items[p]!]!;
        if (m instanceof ChainedMatch) {
          for (const r of m.refs) if (refs.length < MAX_HIT_REFS) refs.push(r);
          total += m.total;
          // a chained hit spans from the first event of the hit it stands for
          if (m.firstTime < firstTime) firstTime = m.firstTime;
        } else {
          if (refs.length < MAX_HIT_REFS) refs.push(m.ref);
          total++;
        }
      }
      if (report) {
        out.hits.push({
          correlation: c,
          group: g.values,
          firstTime,
          lastTime: g.t[e.last]!,
          value: e.value,
          refs,
          total,
        });
      }
      if (feeds) {
        const fields: Record<string, unknown> = { ...g.values };
        for (const f of passOn ?? []) {
          if (f in fields) continue;
          const vs = passedValues(inputs, g.items, e.first, e.last, f);
          if (vs.length) fields[f] = vs.length === 1 ? vs[0] : vs;
        }
        // the moment the condition was first met: what a chained temporal_ordered compares
        out.chained.push(new ChainedMatch(selfKeys, g.t[e.fire]!, firstTime, fields, refs, total));
      }
    }
  }
  return out;
}

/** Distinct values of field f over items first..last, for a chained hit to pass on. */
function passedValues(
  inputs: readonly BaseMatch[],
  items: readonly number[],
  first: number,
  last: number,
  f: string,
): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (let p = first; p <= last && out.length < MAX_PASSED_VALUES; p++) {
    for (const v of valuesOf(inputs[items[p]!]!.fields[f], MAX_PASSED_VALUES) ?? []) {
      const k = valueKey(v);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(v);
    }
  }
  return out.slice(0, MAX_PASSED_VALUES);
}

function aggregateFor(c: CompiledCorrelation, g: Group): WindowAggregate {
  switch (c.type) {
    case 'event_count':
      return new CountAggregate();
    case 'value_count':
      return new DistinctAggregate(g.keys, g.off);
    case 'temporal':
      return new RulesAggregate(g.ri, c.rules.length);
    case 'temporal_ordered':
      return new OrderedAggregate(g.ri, g.t, c.rules.length);
    case 'value_sum':
      return new SumAggregate(g.nums, g.off, false);
    case 'value_avg':
      return new SumAggregate(g.nums, g.off, true);
    case 'value_percentile':
    case 'value_median':
      return new PercentileAggregate(g.nums, g.off, c.percentile ?? 50);
  }
}

/**
 * Evaluates every correlation (and the correlations they chain from) over all base matches, after the events have
 * been read. Matches without a finite time are ignored. Hits come in time order; hits of a correlation that only
 * feeds others (its readers leave `generate` false) are not returned.
 */
export function evaluateCorrelations(
  correlations: readonly CompiledCorrelation[],
  matches: Iterable<BaseMatch>,
): CorrelationHit[] {
  const order = closure(correlations);
  if (order.length === 0) return [];
  const wanted = new Set(correlations);
  const hidden = suppressedCorrelations(order);
  const { exports } = computeNeeds(correlations);
  const feeding = new Set<CompiledCorrelation>();
  const baseKeys = new Set<RuleKey>();
  for (const c of order) {
    for (const r of c.rules) {
      const d = c.chained.get(r);
      if (d) feeding.add(d);
      else baseKeys.add(r);
    }
  }

  let relevant: BaseMatch[] = [];
  let sorted = true;
  for (const m of matches) {
    if (!Number.isFinite(m.time)) continue;
    let used = false;
    for (const k of m.rules) if (baseKeys.has(k)) used = true;
    if (!used) continue;
    if (relevant.length && m.time < relevant[relevant.length - 1]!.time) sorted = false;
    relevant.push(m);
  }
  if (!sorted) relevant = sortByTime(relevant);
  const byRule = new Map<RuleKey, BaseMatch[]>();
  for (const m of relevant) {
    for (const k of m.rules) {
      if (!baseKeys.has(k)) continue;
      let list = byRule.get(k);
      if (!list) byRule.set(k, (list = []));
      if (list[list.length - 1] !== m) list.push(m);
    }
  }

  const produced = new Map<CompiledCorrelation, readonly BaseMatch[]>();
  const hits: CorrelationHit[] = [];
  for (const c of order) {
    const report = wanted.has(c) && !hidden.has(c);
    const feeds = feeding.has(c);
    if (!report && !feeds) continue;
    const sources = c.rules.map((r) => {
      const d = c.chained.get(r);
      return d ? (produced.get(d) ?? []) : (byRule.get(r) ?? []);
    });
    const inputs = mergeSorted(sources);
    if (inputs.length === 0) continue;
    const res = evaluateOne(c, inputs, exports.get(c), feeds, report);
    hits.push(...res.hits);
    if (feeds)
      produced.set(
        c,
        res.chained.sort((a, b) => a.time - b.time),
      );
  }
  return hits.sort((a, b) => a.firstTime - b.firstTime || a.lastTime - b.lastTime);
}
