// Validates one Sigma correlation document into a CompiledCorrelation. Rule files are third-party input: every
// problem becomes a CorrelationError with the key and an actionable reason; nothing here throws anything else.
import type { SigmaCorrelationDoc } from '../types.ts';
import { CorrelationError, type CorrelationErrorCode } from './errors.ts';
import {
  CONDITION_OPS,
  CORRELATION_TYPES,
  type CompiledCorrelation,
  type ConditionOp,
  type CorrelationCondition,
  type CorrelationType,
  type RuleKey,
} from './types.ts';

/** Rules one correlation may reference. */
export const MAX_RULES = 64;
/** temporal_ordered costs rules² per event: bound it. */
export const MAX_ORDERED_RULES = 16;
export const MAX_GROUP_BY = 16;
export const MAX_VALUE_FIELDS = 8;
/** Longest timespan accepted (ten years): keeps window arithmetic exact and catches typos like `5000000d`. */
export const MAX_TIMESPAN_MS = 3650 * 86_400_000;

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const COUNT_TYPES: ReadonlySet<CorrelationType> = new Set([
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
]);
const FIELD_TYPES: ReadonlySet<CorrelationType> = new Set([
  'value_count',
  'value_sum',
  'value_avg',
  'value_percentile',
  'value_median',
]);

function fail(code: CorrelationErrorCode, where: string, message: string): never {
  throw new CorrelationError(code, `${where}: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Quotes a value from the file for a message, bounded: the file may hold anything. */
function show(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function isType(s: string): s is CorrelationType {
  return (CORRELATION_TYPES as readonly string[]).includes(s);
}

function isOp(s: string): s is ConditionOp {
  return (CONDITION_OPS as readonly string[]).includes(s);
}

/** Parses `90m`-style timespans (spec: s, m, h, d; w as pySigma) into milliseconds. */
export function parseTimespan(v: unknown): number {
  const where = 'correlation.timespan';
  if (v === undefined || v === null) fail('MISSING_FIELD', where, 'missing; write a number and a unit, e.g. 5m');
  if (typeof v === 'number') fail('BAD_TIMESPAN', where, `${v} has no unit; write e.g. ${v}s, ${v}m, ${v}h or ${v}d`);
  if (typeof v !== 'string') fail('BAD_TIMESPAN', where, `${show(v)} is not a timespan; write e.g. 5m`);
  const m = /^(\d{1,12})([a-zA-Z])$/.exec(v.trim());
  if (!m)
    fail('BAD_TIMESPAN', where, `${show(v)} is not a timespan; write one number and one unit (s, m, h, d), e.g. 90m`);
  const count = Number(m[1]);
  const unit = m[2]!;
  const ms = UNIT_MS[unit];
  if (ms === undefined) {
    if (unit === 'M' || unit === 'y')
      fail('BAD_TIMESPAN', where, `${show(v)}: months and years are not fixed durations; use days, e.g. 30d`);
    if (UNIT_MS[unit.toLowerCase()] !== undefined)
      fail('BAD_TIMESPAN', where, `${show(v)}: units are lowercase (s, m, h, d, w)`);
    fail('BAD_TIMESPAN', where, `${show(v)}: unknown unit '${unit}'; use s, m, h, d or w`);
  }
  if (count === 0) fail('BAD_TIMESPAN', where, `${show(v)} must be greater than zero`);
  const total = count * ms;
  if (total > MAX_TIMESPAN_MS) fail('BAD_TIMESPAN', where, `${show(v)} is longer than the limit of 3650d`);
  return total;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function parseRules(v: unknown, type: CorrelationType): RuleKey[] {
  const where = 'correlation.rules';
  if (v === undefined || v === null)
    fail('MISSING_FIELD', where, 'missing; list the ids or names of the rules to correlate');
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list)) fail('BAD_RULES', where, 'must be a list of rule ids or names');
  if (list.length === 0) fail('BAD_RULES', where, 'is empty; list the ids or names of the rules to correlate');
  const max = type === 'temporal_ordered' ? MAX_ORDERED_RULES : MAX_RULES;
  if (list.length > max) fail('BAD_RULES', where, `${list.length} rules; at most ${max} are supported for ${type}`);
  const out: RuleKey[] = [];
  for (const r of list) {
    if (typeof r !== 'string' || r.trim() === '') fail('BAD_RULES', where, `${show(r)} is not a rule id or name`);
    if (out.includes(r)) fail('BAD_RULES', where, `'${r}' is listed twice`);
    out.push(r);
  }
  return out;
}

function parseGroupBy(v: unknown): string[] {
  const where = 'correlation.group-by';
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list)) fail('BAD_GROUP_BY', where, 'must be a list of field names');
  const out: string[] = [];
  for (const f of list) {
    if (typeof f !== 'string' || f === '') fail('BAD_GROUP_BY', where, `${show(f)} is not a field name`);
    if (!out.includes(f)) out.push(f);
  }
  if (out.length > MAX_GROUP_BY) fail('BAD_GROUP_BY', where, `${out.length} fields; at most ${MAX_GROUP_BY}`);
  return out;
}

function parseAliases(v: unknown): Map<string, Map<RuleKey, string>> {
  const where = 'correlation.aliases';
  const out = new Map<string, Map<RuleKey, string>>();
  if (v === undefined || v === null) return out;
  if (!isRecord(v)) fail('BAD_ALIASES', where, 'must map each alias to {rule name or id: field name}');
  for (const [alias, mapping] of Object.entries(v)) {
    if (!isRecord(mapping))
      fail(
        'BAD_ALIASES',
        `${where}.${alias}`,
        'must map rule names or ids to the field holding the value in their events',
      );
    const m = new Map<RuleKey, string>();
    for (const [rule, field] of Object.entries(mapping)) {
      if (typeof field !== 'string' || field === '')
        fail('BAD_ALIASES', `${where}.${alias}.${rule}`, `${show(field)} is not a field name`);
      m.set(rule, field);
    }
    out.set(alias, m);
  }
  return out;
}

/** Whether some value can satisfy every comparison; `integers` for counts, whose lowest possible value is `min`. */
function satisfiable(c: CorrelationCondition, integers: boolean, min: number, max: number): boolean {
  let lo = min;
  let loOpen = false;
  let hi = max;
  let hiOpen = false;
  const raiseLo = (v: number, open: boolean): void => {
    if (v > lo || (v === lo && open)) {
      lo = v;
      loOpen = open;
    }
  };
  const lowerHi = (v: number, open: boolean): void => {
    if (v < hi || (v === hi && open)) {
      hi = v;
      hiOpen = open;
    }
  };
  if (c.gt !== undefined) raiseLo(c.gt, true);
  if (c.gte !== undefined) raiseLo(c.gte, false);
  if (c.lt !== undefined) lowerHi(c.lt, true);
  if (c.lte !== undefined) lowerHi(c.lte, false);
  if (c.eq !== undefined) {
    raiseLo(c.eq, false);
    lowerHi(c.eq, false);
  }
  if (integers) {
    const a = loOpen ? Math.floor(lo) + 1 : Math.ceil(lo);
    const b = hiOpen ? Math.ceil(hi) - 1 : Math.floor(hi);
    if (a > b) return false;
    return !(a === b && c.neq === a);
  }
  if (lo > hi || (lo === hi && (loOpen || hiOpen))) return false;
  return !(lo === hi && c.neq === lo);
}

function describe(c: CorrelationCondition): string {
  return CONDITION_OPS.filter((op) => c[op] !== undefined)
    .map((op) => `${op} ${c[op]}`)
    .join(' and ');
}

type ParsedCondition = { condition: CorrelationCondition; field: string[]; percentile?: number };

function parseCondition(v: unknown, type: CorrelationType, ruleCount: number): ParsedCondition {
  const where = 'correlation.condition';
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  if (v === undefined || v === null) {
    // spec: a temporal correlation without condition needs every listed rule to match (pySigma does the same)
    if (temporal) return { condition: { gte: ruleCount }, field: [] };
    fail('MISSING_FIELD', where, `missing; ${type} needs a comparison, e.g. {gte: 10}`);
  }
  if (typeof v === 'string')
    fail(
      'UNSUPPORTED',
      where,
      'boolean (extended) conditions are not supported; list the rules in correlation.rules and give a count, e.g. {gte: 2}',
    );
  if (!isRecord(v)) fail('BAD_CONDITION', where, `must be a map of comparisons, e.g. {gte: 10}; got ${show(v)}`);
  const cond: { [K in ConditionOp]?: number } = {};
  let field: string[] = [];
  let percentile: number | undefined;
  for (const [key, raw] of Object.entries(v)) {
    if (key === 'field') {
      const list = typeof raw === 'string' ? [raw] : raw;
      if (!Array.isArray(list) || list.length === 0)
        fail('BAD_FIELD', `${where}.field`, `${show(raw)} is not a field name`);
      for (const f of list) {
        if (typeof f !== 'string' || f === '') fail('BAD_FIELD', `${where}.field`, `${show(f)} is not a field name`);
        if (!field.includes(f)) field.push(f);
      }
      continue;
    }
    if (key === 'percentile') {
      const n = toNumber(raw);
      if (n === undefined || n < 0 || n > 100)
        fail('BAD_CONDITION', `${where}.percentile`, `${show(raw)} is not a percentile; give a number from 0 to 100`);
      percentile = n;
      continue;
    }
    if (!isOp(key))
      fail(
        'BAD_CONDITION',
        where,
        `unknown operator '${key}'; use gt, gte, lt, lte, eq or neq (plus field and percentile where the type needs them)`,
      );
    const n = toNumber(raw);
    if (n === undefined) fail('BAD_CONDITION', `${where}.${key}`, `${show(raw)} is not a number`);
    cond[key] = n;
  }
  if (!CONDITION_OPS.some((op) => cond[op] !== undefined))
    fail('BAD_CONDITION', where, 'has no comparison; add one of gt, gte, lt, lte, eq, neq');

  if (FIELD_TYPES.has(type)) {
    if (field.length === 0)
      fail('MISSING_FIELD', `${where}.field`, `missing; ${type} needs the field whose values it uses`);
    if (type !== 'value_count' && field.length > 1)
      fail('BAD_FIELD', `${where}.field`, `${type} takes one numeric field, not a list`);
    if (field.length > MAX_VALUE_FIELDS)
      fail('BAD_FIELD', `${where}.field`, `${field.length} fields; at most ${MAX_VALUE_FIELDS}`);
  } else {
    // pySigma accepts and ignores `field` on these types; we do the same so such rules still run
    field = [];
  }
  if (type === 'value_percentile' && percentile === undefined)
    fail('MISSING_FIELD', `${where}.percentile`, 'missing; value_percentile needs the percentile to compute (0-100)');
  if (type === 'value_median') percentile = 50;
  if (type !== 'value_percentile' && type !== 'value_median') percentile = undefined;

  // a window always holds at least one event (and, for temporal, at most every listed rule)
  const counts = COUNT_TYPES.has(type);
  const max = temporal ? ruleCount : Number.POSITIVE_INFINITY;
  const min = counts ? 1 : Number.NEGATIVE_INFINITY;
  if (!satisfiable(cond, counts, min, max)) {
    const why = temporal
      ? `${type} counts the listed rules matched in a window, from 1 to ${ruleCount}`
      : counts
        ? `${type} counts at least 1 in any window`
        : 'the comparisons exclude each other';
    fail('BAD_CONDITION', where, `'${describe(cond)}' can never be met: ${why}`);
  }
  return percentile === undefined ? { condition: cond, field } : { condition: cond, field, percentile };
}

function stringList(v: unknown): string[] {
  if (typeof v === 'string') return v === '' ? [] : [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

function optString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Validates a correlation document. Throws CorrelationError with the key and the reason when it cannot be used. */
export function parseCorrelation(doc: SigmaCorrelationDoc): CompiledCorrelation {
  const section = doc.raw['correlation'];
  if (section === undefined || section === null)
    fail('MISSING_FIELD', 'correlation', 'missing; a correlation rule needs a correlation section');
  if (!isRecord(section)) fail('MISSING_FIELD', 'correlation', 'must be a map (type, rules, timespan, condition...)');

  const rawType = section['type'];
  if (rawType === undefined || rawType === null)
    fail('MISSING_FIELD', 'correlation.type', `missing; use one of ${CORRELATION_TYPES.join(', ')}`);
  if (typeof rawType !== 'string' || !isType(rawType))
    fail(
      'UNKNOWN_TYPE',
      'correlation.type',
      `unknown type ${show(rawType)}; use one of ${CORRELATION_TYPES.join(', ')}`,
    );
  const type = rawType;

  const rules = parseRules(section['rules'], type);
  const groupBy = parseGroupBy(section['group-by']);
  const timespanMs = parseTimespan(section['timespan']);
  const aliases = parseAliases(section['aliases']);
  const { condition, field, percentile } = parseCondition(section['condition'], type, rules.length);

  // the spec puts `generate` beside `level`; pySigma reads it inside `correlation`: accept both
  let generate = false;
  for (const [where, g] of [
    ['correlation.generate', section['generate']],
    ['generate', doc.raw['generate']],
  ] as const) {
    if (g === undefined || g === null) continue;
    if (typeof g !== 'boolean') fail('BAD_GENERATE', where, `${show(g)} must be true or false`);
    generate ||= g;
  }

  const raw = doc.raw;
  const status = optString(raw['status']);
  const description = optString(raw['description']);
  const author = optString(raw['author']);
  return {
    kind: 'correlation',
    type,
    ...(doc.id !== undefined ? { id: doc.id } : {}),
    ...(doc.name !== undefined ? { name: doc.name } : {}),
    title: doc.title,
    level: doc.level,
    tags: doc.tags,
    path: doc.path,
    ...(status !== undefined ? { status } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(author !== undefined ? { author } : {}),
    references: stringList(raw['references']),
    falsepositives: stringList(raw['falsepositives']),
    rules,
    groupBy,
    aliases,
    timespan: String(section['timespan']).trim(),
    timespanMs,
    condition,
    field,
    ...(percentile !== undefined ? { percentile } : {}),
    generate,
    chained: new Map(),
  };
}
