import type { FieldSource } from '../event.ts';
import { SigmaError } from './errors.ts';
import { lower } from './lower.ts';
import {
  literalRequirement,
  NO_REQUIREMENT,
  regexRequirement,
  requireAll,
  requireAny,
  wildcardRequirement,
  type AtomKind,
  type PatternPart,
  type Requirement,
} from './prefilter.ts';
import { parseUtc, TIME_PARTS, timePart, type TimePart } from './time.ts';
import type { CompileOptions, CompiledRule, SigmaRule } from './types.ts';

type Test = (ev: FieldSource) => boolean;

/** A compiled piece of a detection: its test, and what an event needs for the test to hold (prefilter.ts). */
type Node = { readonly test: Test; readonly req: Requirement };

/** A rule compiled by compileRule: with the literal requirement the prefilter indexes. */
export type PrefilteredRule = CompiledRule & { readonly requirement: Requirement };

const FALSE: Node = { test: () => false, req: NO_REQUIREMENT };
const TRUE: Node = { test: () => true, req: NO_REQUIREMENT };

/** OR of nodes, evaluated in order (a rule that throws must throw, or not, as it always did). */
function anyNode(nodes: readonly Node[]): Node {
  if (nodes.length === 0) return FALSE;
  if (nodes.length === 1) return nodes[0]!;
  const tests = nodes.map((n) => n.test);
  const req = requireAny(nodes.map((n) => n.req));
  if (tests.length === 2) {
    const [a, b] = tests as [Test, Test];
    return { test: (ev) => a(ev) || b(ev), req };
  }
  return {
    test: (ev) => {
      for (let i = 0; i < tests.length; i++) if (tests[i]!(ev)) return true;
      return false;
    },
    req,
  };
}

/** AND of nodes, evaluated in order. */
function allNode(nodes: readonly Node[]): Node {
  if (nodes.length === 0) return TRUE;
  if (nodes.length === 1) return nodes[0]!;
  const tests = nodes.map((n) => n.test);
  const req = requireAll(nodes.map((n) => n.req));
  if (tests.length === 2) {
    const [a, b] = tests as [Test, Test];
    return { test: (ev) => a(ev) && b(ev), req };
  }
  return {
    test: (ev) => {
      for (let i = 0; i < tests.length; i++) if (!tests[i]!(ev)) return false;
      return true;
    },
    req,
  };
}

function notNode(n: Node): Node {
  const t = n.test;
  return { test: (ev) => !t(ev), req: NO_REQUIREMENT };
}

const KNOWN = new Set([
  'contains',
  'startswith',
  'endswith',
  'all',
  're',
  'i',
  'm',
  's',
  'cased',
  'exists',
  'windash',
  'base64',
  'base64offset',
  'utf16le',
  'utf16be',
  'utf16',
  'wide',
  'lt',
  'lte',
  'gt',
  'gte',
  'cidr',
  'expand',
  'fieldref',
  'neq',
  ...TIME_PARTS,
]);
const WINDASH = ['-', '/', '\u2013', '\u2014', '\u2015'];

/** A rule value after transformation: text, or bytes held as a latin1 string (after utf16/wide). */
type Val = { s: string; bin: boolean };

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** Every text value of an event field: arrays give each element, objects nothing. */
function texts(v: unknown, out: string[]): void {
  if (Array.isArray(v)) for (const x of v) texts(x, out);
  else {
    const t = scalarText(v);
    if (t !== undefined) out.push(t);
  }
}

function anyText(v: unknown, test: (s: string) => boolean): boolean {
  if (typeof v === 'string') return test(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (anyText(v[i], test)) return true;
    return false;
  }
  const t = scalarText(v);
  return t !== undefined && test(t);
}

function anyValue(values: readonly string[], test: (s: string) => boolean): boolean {
  for (let i = 0; i < values.length; i++) if (test(values[i]!)) return true;
  return false;
}

type Pattern = {
  readonly parts: readonly PatternPart[];
  /** The literal text when the only wildcards are a leading and/or a trailing `*`; else undefined (a RegExp). */
  readonly plain: string | undefined;
  readonly source: string;
  readonly lead: boolean;
  readonly trail: boolean;
};

const REGEX_SPECIAL = new Set([...'.*+?^${}()|[]\\/']);

/** Splits a Sigma string into literal text and wildcards, honouring the escapes \* \? \\. */
function parsePattern(p: string): Pattern {
  const parts: PatternPart[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && (p[i + 1] === '*' || p[i + 1] === '?' || p[i + 1] === '\\')) {
      parts.push({ lit: p[i + 1]! });
      i++;
    } else if (c === '*' || c === '?') parts.push({ wild: c });
    else parts.push({ lit: c });
  }
  let source = '';
  let plain = '';
  let wild = false;
  for (const part of parts) {
    if ('wild' in part) {
      wild = true;
      source += part.wild === '*' ? '[\\s\\S]*' : '[\\s\\S]';
    } else {
      plain += part.lit;
      source += REGEX_SPECIAL.has(part.lit) ? `\\${part.lit}` : part.lit;
    }
  }
  const isStar = (x: PatternPart | undefined): boolean => x !== undefined && 'wild' in x && x.wild === '*';
  const lead = isStar(parts[0]);
  const trail = parts.length > 1 && isStar(parts.at(-1));
  const inner = parts.slice(lead ? 1 : 0, trail ? -1 : undefined);
  const innerWild = inner.some((x) => 'wild' in x);
  return { parts, plain: wild && innerWild ? undefined : plain, source, lead, trail };
}

/**
 * How one text is tested against one Sigma string: a literal compared by kind (case-insensitively unless
 * `cased`: `needle` is then lower-cased and compared with the lower-cased text), or an anchored RegExp.
 */
type StrTest =
  | { readonly kind: AtomKind; readonly needle: string; readonly cased: boolean }
  | { readonly re: RegExp; readonly kind?: undefined };

/** The test of a Sigma string pattern, and its requirement on `field`. */
function stringTest(pattern: string, cased: boolean, field: string | undefined): { t: StrTest; req: Requirement } {
  const w = parsePattern(pattern);
  if (w.plain !== undefined) {
    const needle = cased ? w.plain : w.plain.toLowerCase();
    const kind: AtomKind = w.lead && w.trail ? 'contains' : w.lead ? 'suffix' : w.trail ? 'prefix' : 'exact';
    return { t: { kind, needle, cased }, req: literalRequirement(field, kind, needle, cased) };
  }
  return { t: { re: new RegExp(`^${w.source}$`, cased ? 's' : 'is') }, req: wildcardRequirement(field, w.parts) };
}

function singlePred(t: StrTest): (s: string) => boolean {
  if (t.kind === undefined) {
    const re = t.re;
    return (s) => re.test(s);
  }
  const needle = t.needle;
  if (t.cased) {
    if (t.kind === 'contains') return (s) => s.includes(needle);
    if (t.kind === 'suffix') return (s) => s.endsWith(needle);
    if (t.kind === 'prefix') return (s) => s.startsWith(needle);
    return (s) => s === needle;
  }
  if (t.kind === 'contains') return (s) => lower(s).includes(needle);
  if (t.kind === 'suffix') return (s) => lower(s).endsWith(needle);
  if (t.kind === 'prefix') return (s) => lower(s).startsWith(needle);
  // lower-casing never shortens a string (it lengthens 'İ'): a longer text cannot be equal
  return (s) => s.length <= needle.length && lower(s) === needle;
}

/**
 * One predicate true when any of `tests` holds on a text. Case-insensitive literals share one lower-casing
 * and one pass per kind; a long list of values (hundreds of hashes, file names) costs one lookup, not hundreds.
 */
function anyPred(tests: readonly StrTest[]): (s: string) => boolean {
  if (tests.length === 1) return singlePred(tests[0]!);
  const contains: string[] = [];
  const prefix: string[] = [];
  const suffix: string[] = [];
  const exact = new Set<string>();
  let exactMax = -1;
  const other: ((s: string) => boolean)[] = [];
  for (const t of tests) {
    if (t.kind === undefined || t.cased) other.push(singlePred(t));
    else if (t.kind === 'contains') contains.push(t.needle);
    else if (t.kind === 'prefix') prefix.push(t.needle);
    else if (t.kind === 'suffix') suffix.push(t.needle);
    else {
      exact.add(t.needle);
      exactMax = Math.max(exactMax, t.needle.length);
    }
  }
  const folded = contains.length + prefix.length + suffix.length + exact.size > 0;
  return (s) => {
    if (folded) {
      const l = lower(s);
      // equal lower-cased texts have equal lengths, and lower-casing never shortens a text
      if (s.length <= exactMax && exact.has(l)) return true;
      for (let i = 0; i < contains.length; i++) if (l.includes(contains[i]!)) return true;
      for (let i = 0; i < suffix.length; i++) if (l.endsWith(suffix[i]!)) return true;
      for (let i = 0; i < prefix.length; i++) if (l.startsWith(prefix[i]!)) return true;
    }
    for (let i = 0; i < other.length; i++) if (other[i]!(s)) return true;
    return false;
  };
}

/** `text` compared with `ref` by kind, as a pattern made of `ref` with every character literal would be. */
function refPred(kind: AtomKind, cased: boolean): (text: string, ref: string) => boolean {
  if (cased) {
    if (kind === 'contains') return (s, r) => s.includes(r);
    if (kind === 'suffix') return (s, r) => s.endsWith(r);
    if (kind === 'prefix') return (s, r) => s.startsWith(r);
    return (s, r) => s === r;
  }
  if (kind === 'contains') return (s, r) => lower(s).includes(r.toLowerCase());
  if (kind === 'suffix') return (s, r) => lower(s).endsWith(r.toLowerCase());
  if (kind === 'prefix') return (s, r) => lower(s).startsWith(r.toLowerCase());
  return (s, r) => {
    const n = r.toLowerCase();
    return s.length <= n.length && lower(s) === n;
  };
}

function toBytes(v: Val): Buffer {
  return Buffer.from(v.s, v.bin ? 'latin1' : 'utf8');
}

function transform(vals: Val[], mod: string, opts: CompileOptions): Val[] {
  switch (mod) {
    case 'wide':
    case 'utf16le':
      return vals.map((v) => ({ s: Buffer.from(v.s, 'utf16le').toString('latin1'), bin: true }));
    case 'utf16be':
      return vals.map((v) => ({ s: Buffer.from(v.s, 'utf16le').swap16().toString('latin1'), bin: true }));
    case 'utf16':
      return vals.map((v) => ({ s: '\xff\xfe' + Buffer.from(v.s, 'utf16le').toString('latin1'), bin: true }));
    case 'base64':
      return vals.map((v) => ({ s: toBytes(v).toString('base64'), bin: false }));
    case 'base64offset': {
      const start = [0, 2, 3];
      const endCut = [0, 3, 2];
      return vals.flatMap((v) => {
        const b = toBytes(v);
        return [0, 1, 2].map((i) => {
          const enc = Buffer.concat([Buffer.alloc(i, 0x20), b]).toString('base64');
          const cut = endCut[(b.length + i) % 3]!;
          return { s: enc.slice(start[i], cut ? enc.length - cut : enc.length), bin: false };
        });
      });
    }
    case 'windash':
      return vals.flatMap((v) => {
        if (!/(^|\W)[-/]\w/.test(v.s)) return [v];
        return WINDASH.map((d) => ({ s: v.s.replace(/(^|\W)[-/](?=\w)/g, `$1${d}`), bin: v.bin }));
      });
    case 'expand':
      return vals.flatMap((v) => {
        let outs = [v.s];
        for (const m of v.s.matchAll(/%([A-Za-z0-9_.-]+)%/g)) {
          const values = opts.placeholders?.get(m[1]!);
          if (!values?.length) {
            throw new SigmaError(
              'PLACEHOLDER_UNRESOLVED',
              `placeholder %${m[1]}% has no values (give them with --placeholders)`,
            );
          }
          outs = outs.flatMap((o) => values.map((x) => o.replaceAll(m[0], x)));
        }
        return outs.map((s) => ({ s, bin: v.bin }));
      });
    default:
      return vals;
  }
}

function cidrMatcher(c: string): (s: string) => boolean {
  const [addr, bitsText] = c.split('/');
  const bits = Number(bitsText ?? (addr?.includes(':') ? 128 : 32));
  const parse = (ip: string): bigint | undefined => {
    if (ip.includes(':')) {
      const [head, tail] = ip.split('::');
      const h = head ? head.split(':') : [];
      const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
      if (tail === undefined && h.length !== 8) return undefined;
      const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
      if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
      return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
    }
    const o = ip.split('.');
    if (o.length !== 4 || o.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return undefined;
    return o.reduce((acc, x) => (acc << 8n) | BigInt(Number(x)), 0n);
  };
  const base = addr ? parse(addr) : undefined;
  if (base === undefined || !Number.isInteger(bits)) throw new SigmaError('RULE_INVALID', `bad cidr value '${c}'`);
  const width = addr!.includes(':') ? 128 : 32;
  const shift = BigInt(width - bits);
  return (s) => {
    const v = parse(s.trim());
    return v !== undefined && (s.includes(':') ? 128 : 32) === width && v >> shift === base >> shift;
  };
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Modifiers a time modifier can be chained with. */
const TIME_COMPANIONS = ['lt', 'lte', 'gt', 'gte', 'all', 'neq'];

/** Modifiers that turn the value into bytes or an encoding of them: the result is matched as a literal. */
const ENCODINGS = ['base64', 'base64offset', 'wide', 'utf16le', 'utf16be', 'utf16'];

/** One `field|modifiers: values` item. */
function fieldTest(spec: string, value: unknown, opts: CompileOptions): Node {
  const [rawField = '', ...mods] = spec.split('|');
  for (const m of mods)
    if (!KNOWN.has(m))
      throw new SigmaError('MODIFIER_UNSUPPORTED', `unknown or unsupported modifier '${m}' on '${spec}'`);
  const field = rawField === '' ? undefined : (opts.mapField?.(rawField) ?? rawField);
  const list = Array.isArray(value) ? value : [value];
  const has = (m: string): boolean => mods.includes(m);
  const get = field === undefined ? undefined : (ev: FieldSource) => ev.get(field);

  if (has('exists')) {
    const want = list[0] === true || String(list[0]).toLowerCase() === 'true';
    if (!get) throw new SigmaError('RULE_INVALID', `'exists' needs a field in '${spec}'`);
    return { test: (ev) => (get(ev) !== undefined) === want, req: NO_REQUIREMENT };
  }
  const cased = has('cased');
  const part = mods.find((m): m is TimePart => TIME_PARTS.has(m));
  const comparison = (n: number): ((x: number) => boolean) | undefined =>
    has('lt')
      ? (x) => x < n
      : has('lte')
        ? (x) => x <= n
        : has('gt')
          ? (x) => x > n
          : has('gte')
            ? (x) => x >= n
            : undefined;
  const onField = (pred: (s: string) => boolean): Test =>
    get ? (ev) => anyText(get(ev), pred) : (ev) => anyValue(ev.values(), pred);
  const opaque = (test: Test): Node => ({ test, req: NO_REQUIREMENT });
  // one node per value of the rule: ORed, or ANDed under `all`; a value's variants (windash, base64offset,
  // expand) are ORed inside its node
  let groups: Node[];

  if (has('fieldref')) {
    if (!get) throw new SigmaError('RULE_INVALID', `'fieldref' needs a field in '${spec}'`);
    groups = list.map((other) => {
      const ref = opts.mapField?.(String(other)) ?? String(other);
      const kind: AtomKind = has('contains')
        ? 'contains'
        : has('startswith')
          ? 'prefix'
          : has('endswith')
            ? 'suffix'
            : 'exact';
      const cmp = refPred(kind, cased);
      return opaque((ev: FieldSource) => {
        const out: string[] = [];
        texts(ev.get(ref), out);
        return out.some((r) => anyText(get(ev), (s) => cmp(s, r)));
      });
    });
  } else if (part !== undefined) {
    if (!get) throw new SigmaError('RULE_INVALID', `'${part}' needs a field in '${spec}'`);
    const other = mods.find((m) => m !== part && !TIME_COMPANIONS.includes(m));
    if (other) throw new SigmaError('RULE_INVALID', `'${part}' cannot be combined with '${other}' in '${spec}'`);
    groups = list.map((v) => {
      const n = numberOf(v);
      if (n === undefined) throw new SigmaError('RULE_INVALID', `'${spec}' compares with a non-number '${String(v)}'`);
      const cmp = comparison(n) ?? ((x: number) => x === n);
      return opaque((ev) =>
        anyText(get(ev), (s) => {
          const t = parseUtc(s);
          return t !== undefined && cmp(timePart(t, part));
        }),
      );
    });
  } else if (has('lt') || has('lte') || has('gt') || has('gte')) {
    groups = list.map((v) => {
      const n = numberOf(v);
      if (n === undefined) throw new SigmaError('RULE_INVALID', `'${spec}' compares with a non-number '${String(v)}'`);
      const cmp = comparison(n)!;
      return opaque(
        get
          ? (ev: FieldSource) => {
              const x = get(ev);
              return Array.isArray(x)
                ? x.some((y) => {
                    const k = numberOf(y);
                    return k !== undefined && cmp(k);
                  })
                : (() => {
                    const k = numberOf(x);
                    return k !== undefined && cmp(k);
                  })();
            }
          : () => false,
      );
    });
  } else if (has('cidr')) {
    groups = list.map((v) => opaque(onField(cidrMatcher(String(v)))));
  } else if (has('re')) {
    const flags = (has('i') ? 'i' : '') + (has('m') ? 'm' : '') + (has('s') ? 's' : '');
    groups = list.map((v) => {
      let src = String(v);
      let f = flags;
      // PCRE inline flags at the start, common in Sigma rules, become JS flags
      const inline = /^\(\?([imsx]+)\)/.exec(src);
      if (inline) {
        src = src.slice(inline[0].length);
        for (const c of inline[1]!) if (c !== 'x' && !f.includes(c)) f += c;
      }
      let re: RegExp;
      try {
        re = new RegExp(src, f);
      } catch (err) {
        throw new SigmaError(
          'REGEX_INVALID',
          `regular expression of '${spec}' is not valid here: ${(err as Error).message}`,
        );
      }
      return { test: onField((s) => re.test(s)), req: regexRequirement(field, src) };
    });
  } else {
    const literalish = mods.some((m) => ENCODINGS.includes(m));
    const anchored = has('contains') || has('startswith') || has('endswith');
    const all = has('all');
    // string values of an OR share one predicate (one lower-casing of the text for all of them)
    let shared: { tests: StrTest[]; reqs: Requirement[]; at: number } | undefined;
    groups = [];
    for (const v of list) {
      if (v === null) {
        if (get)
          groups.push(
            opaque((ev) => {
              const x = get(ev);
              return x === undefined || x === null || x === '';
            }),
          );
        continue;
      }
      if (typeof v === 'number' && !anchored && !literalish) {
        const text = String(v);
        groups.push(
          opaque(
            get
              ? (ev: FieldSource) => anyText(get(ev), (s) => s === text || numberOf(s) === v)
              : onField((s) => s.includes(text)),
          ),
        );
        continue;
      }
      let vals: Val[] = [{ s: String(v), bin: false }];
      for (const m of mods) vals = transform(vals, m, opts);
      const tests: StrTest[] = [];
      const reqs: Requirement[] = [];
      for (const val of vals) {
        // transformed values are literal: escape wildcards they may contain
        const core = literalish ? val.s.replace(/[*?\\]/g, '\\$&') : val.s;
        // a trailing lone backslash is literal; keep it literal once a wildcard is appended after it
        const safe = !literalish && /(^|[^\\])(\\\\)*\\$/.test(core) ? `${core}\\` : core;
        // a keyword (no field) is searched for inside the event's values, as the specification's "applied to
        // the full log message" means and as Hayabusa, Chainsaw and Zircolite match it
        const pat =
          has('contains') || (field === undefined && !has('startswith') && !has('endswith'))
            ? `*${safe}*`
            : has('startswith')
              ? `${safe}*`
              : has('endswith')
                ? `*${safe}`
                : core;
        const m = stringTest(pat, cased, field);
        tests.push(m.t);
        reqs.push(m.req);
      }
      if (all) groups.push({ test: onField(anyPred(tests)), req: requireAny(reqs) });
      else {
        if (!shared) {
          shared = { tests: [], reqs: [], at: groups.length };
          groups.push(FALSE);
        }
        shared.tests.push(...tests);
        shared.reqs.push(...reqs);
      }
    }
    if (shared) groups[shared.at] = { test: onField(anyPred(shared.tests)), req: requireAny(shared.reqs) };
  }
  const combined = has('all') ? allNode(groups) : anyNode(groups);
  return has('neq') ? notNode(combined) : combined;
}

function selectionTest(def: unknown, opts: CompileOptions, name: string): Node {
  if (Array.isArray(def)) {
    if (def.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
      return anyNode(def.map((d, i) => selectionTest(d, opts, `${name}[${i}]`)));
    }
    return fieldTest('', def, opts);
  }
  if (def !== null && typeof def === 'object') {
    return allNode(Object.entries(def as Record<string, unknown>).map(([k, v]) => fieldTest(k, v, opts)));
  }
  if (typeof def === 'string' || typeof def === 'number') return fieldTest('', [def], opts);
  throw new SigmaError('RULE_INVALID', `detection '${name}' must be a map, a list or a value`);
}

/** Condition grammar: or < and < not, parentheses, `1 of`/`all of`/`any of` over `them` or name patterns. */
function conditionTest(cond: string, sel: Map<string, Node>): Node {
  if (cond.includes('|'))
    throw new SigmaError(
      'CONDITION_INVALID',
      `aggregation in the condition ('${cond}') is not Sigma v2: write a correlation rule`,
    );
  const tokens = cond.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const peek = (): string | undefined => tokens[i]?.toLowerCase();
  const names = (pattern: string): Node[] => {
    const all = [...sel.keys()];
    const chosen =
      pattern === 'them'
        ? all.filter((n) => !n.startsWith('_'))
        : all.filter((n) =>
            new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(n),
          );
    if (!chosen.length)
      throw new SigmaError('CONDITION_INVALID', `'${pattern}' names no detection in the condition '${cond}'`);
    return chosen.map((n) => sel.get(n)!);
  };
  const primary = (): Node => {
    const t = tokens[i++];
    if (t === undefined) throw new SigmaError('CONDITION_INVALID', `condition '${cond}' ends too early`);
    if (t === '(') {
      const e = orExpr();
      if (tokens[i++] !== ')') throw new SigmaError('CONDITION_INVALID', `missing ')' in '${cond}'`);
      return e;
    }
    const lt = t.toLowerCase();
    if ((lt === 'all' || lt === 'any' || /^\d+$/.test(lt)) && tokens[i]?.toLowerCase() === 'of') {
      i++;
      const target = tokens[i++];
      if (!target) throw new SigmaError('CONDITION_INVALID', `'${t} of' needs a target in '${cond}'`);
      const parts = names(target);
      if (lt === 'all') return allNode(parts);
      const n = lt === 'any' ? 1 : Number(lt);
      if (n === 1) return anyNode(parts);
      const tests = parts.map((p) => p.test);
      return {
        test: (ev) => {
          let c = 0;
          for (const p of tests) if (p(ev) && ++c >= n) return true;
          return false;
        },
        // N of them holds only if one of them does
        req: requireAny(parts.map((p) => p.req)),
      };
    }
    const s = sel.get(t);
    if (!s)
      throw new SigmaError(
        'CONDITION_INVALID',
        `condition '${cond}' names '${t}', which the detection does not define`,
      );
    return s;
  };
  const notExpr = (): Node => {
    if (peek() === 'not') {
      i++;
      return notNode(notExpr());
    }
    return primary();
  };
  const andExpr = (): Node => {
    const parts = [notExpr()];
    while (peek() === 'and') {
      i++;
      parts.push(notExpr());
    }
    return allNode(parts);
  };
  const orExpr = (): Node => {
    const parts = [andExpr()];
    while (peek() === 'or') {
      i++;
      parts.push(andExpr());
    }
    return anyNode(parts);
  };
  const e = orExpr();
  if (i !== tokens.length)
    throw new SigmaError('CONDITION_INVALID', `unexpected '${tokens[i]}' in condition '${cond}'`);
  return e;
}

/**
 * Compiles a rule once; matching then runs only closures built here. The result also carries the rule's literal
 * requirement (prefilter.ts): an event that does not meet it cannot match.
 */
export function compileRule(rule: SigmaRule, options: CompileOptions = {}): PrefilteredRule {
  const sel = new Map<string, Node>();
  const fields = new Set<string>();
  for (const [name, def] of Object.entries(rule.detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    sel.set(name, selectionTest(def, options, name));
    const collect = (d: unknown): void => {
      if (Array.isArray(d)) d.forEach(collect);
      else if (d && typeof d === 'object')
        for (const k of Object.keys(d)) {
          const f = k.split('|')[0];
          if (f) fields.add(options.mapField?.(f) ?? f);
        }
    };
    collect(def);
  }
  if (rule.detection['timeframe'] !== undefined)
    throw new SigmaError('CONDITION_INVALID', "'timeframe' in detection is not Sigma v2: write a correlation rule");
  const cond = rule.detection['condition'];
  const conds = Array.isArray(cond) ? cond.map(String) : [String(cond)];
  const root = anyNode(conds.map((c) => conditionTest(c, sel)));
  return { rule, match: root.test, fields: [...fields], requirement: root.req };
}
