import type { FieldSource } from '../event.ts';
import { SigmaError } from './errors.ts';
import type { CompileOptions, CompiledRule, SigmaRule } from './types.ts';

type Test = (ev: FieldSource) => boolean;

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
  if (Array.isArray(v)) return v.some((x) => anyText(x, test));
  const t = scalarText(v);
  return t !== undefined && test(t);
}

/** Splits a Sigma string into literal text and wildcards, honouring the escapes \* \? \\. */
function wildcardRegexSource(p: string): { plain: string | undefined; source: string; lead: boolean; trail: boolean } {
  let source = '';
  let plain = '';
  let wild = false;
  const esc = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const parts: ('*' | '?' | string)[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && (p[i + 1] === '*' || p[i + 1] === '?' || p[i + 1] === '\\')) {
      parts.push(p[i + 1]! === '\\' ? '\\' : `L${p[i + 1]}`);
      i++;
    } else if (c === '*' || c === '?') parts.push(c);
    else parts.push(`L${c}`);
  }
  for (const part of parts) {
    if (part === '*' || part === '?') {
      wild = true;
      source += part === '*' ? '[\\s\\S]*' : '[\\s\\S]';
    } else {
      const lit = part === '\\' ? '\\' : part.slice(1);
      plain += lit;
      source += esc(lit);
    }
  }
  const inner = parts.slice(parts[0] === '*' ? 1 : 0, parts.at(-1) === '*' && parts.length > 1 ? -1 : undefined);
  const innerWild = inner.some((x) => x === '*' || x === '?');
  return {
    plain: wild ? (innerWild ? undefined : plain) : plain,
    source,
    lead: parts[0] === '*',
    trail: parts.length > 1 && parts.at(-1) === '*',
  };
}

/**
 * Lower-cased event strings, shared by every rule: one event's values are compared by hundreds of rules, and
 * V8 caches a string's hash, so a lookup is far cheaper than lower-casing a long command line again.
 * Bounded: cleared when it grows past LOWER_CACHE_MAX entries.
 */
const lowerCache = new Map<string, string>();
const LOWER_CACHE_MAX = 8192;
function lower(s: string): string {
  let l = lowerCache.get(s);
  if (l === undefined) {
    if (lowerCache.size >= LOWER_CACHE_MAX) lowerCache.clear();
    l = s.toLowerCase();
    lowerCache.set(s, l);
  }
  return l;
}

function stringMatcher(pattern: string, cased: boolean): (s: string) => boolean {
  const w = wildcardRegexSource(pattern);
  if (w.plain !== undefined) {
    const needle = cased ? w.plain : w.plain.toLowerCase();
    const norm = cased ? (s: string) => s : lower;
    if (w.lead && w.trail) return (s) => norm(s).includes(needle);
    if (w.lead) return (s) => norm(s).endsWith(needle);
    if (w.trail) return (s) => norm(s).startsWith(needle);
    return (s) => s.length === needle.length && norm(s) === needle;
  }
  const re = new RegExp(`^${w.source}$`, cased ? 's' : 'is');
  return (s) => re.test(s);
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

/** One `field|modifiers: values` item. */
function fieldTest(spec: string, value: unknown, opts: CompileOptions): Test {
  const [rawField = '', ...mods] = spec.split('|');
  for (const m of mods)
    if (!KNOWN.has(m))
      throw new SigmaError('MODIFIER_UNSUPPORTED', `unknown or unsupported modifier '${m}' on '${spec}'`);
  const field = rawField === '' ? undefined : (opts.mapField?.(rawField) ?? rawField);
  const list = Array.isArray(value) ? value : [value];
  const has = (m: string): boolean => mods.includes(m);
  const get = field === undefined ? undefined : (ev: FieldSource) => ev.get(field);
  const keywordValues = (ev: FieldSource): readonly string[] => ev.values();

  if (has('exists')) {
    const want = list[0] === true || String(list[0]).toLowerCase() === 'true';
    if (!get) throw new SigmaError('RULE_INVALID', `'exists' needs a field in '${spec}'`);
    return (ev) => (get(ev) !== undefined) === want;
  }
  const cased = has('cased');
  let test1: ((ev: FieldSource) => boolean)[];
  const onField = (pred: (s: string) => boolean): Test =>
    get ? (ev) => anyText(get(ev), pred) : (ev) => keywordValues(ev).some(pred);

  if (has('fieldref')) {
    if (!get) throw new SigmaError('RULE_INVALID', `'fieldref' needs a field in '${spec}'`);
    test1 = list.map((other) => {
      const ref = opts.mapField?.(String(other)) ?? String(other);
      return (ev: FieldSource) => {
        const out: string[] = [];
        texts(ev.get(ref), out);
        return out.some((r) => {
          const p = r.replace(/[*?\\]/g, '\\$&');
          const pat = has('contains') ? `*${p}*` : has('startswith') ? `${p}*` : has('endswith') ? `*${p}` : p;
          return anyText(get(ev), stringMatcher(pat, cased));
        });
      };
    });
  } else if (has('lt') || has('lte') || has('gt') || has('gte')) {
    test1 = list.map((v) => {
      const n = numberOf(v);
      if (n === undefined) throw new SigmaError('RULE_INVALID', `'${spec}' compares with a non-number '${String(v)}'`);
      const cmp = has('lt')
        ? (x: number) => x < n
        : has('lte')
          ? (x: number) => x <= n
          : has('gt')
            ? (x: number) => x > n
            : (x: number) => x >= n;
      return get
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
        : () => false;
    });
  } else if (has('cidr')) {
    test1 = list.map((v) => onField(cidrMatcher(String(v))));
  } else if (has('re')) {
    const flags = (has('i') ? 'i' : '') + (has('m') ? 'm' : '') + (has('s') ? 's' : '');
    test1 = list.map((v) => {
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
      return onField((s) => re.test(s));
    });
  } else {
    test1 = list.flatMap((v): Test[] => {
      if (v === null)
        return get
          ? [
              (ev) => {
                const x = get(ev);
                return x === undefined || x === null || x === '';
              },
            ]
          : [];
      let vals: Val[] = [{ s: String(v), bin: false }];
      for (const m of mods) vals = transform(vals, m, opts);
      return vals.map((val) => {
        // transformed values are literal: escape wildcards they may contain
        const literalish = mods.some((m) =>
          ['base64', 'base64offset', 'wide', 'utf16le', 'utf16be', 'utf16'].includes(m),
        );
        const core = literalish ? val.s.replace(/[*?\\]/g, '\\$&') : val.s;
        // a trailing lone backslash is literal; keep it literal once a wildcard is appended after it
        const safe = !literalish && /(^|[^\\])(\\\\)*\\$/.test(core) ? `${core}\\` : core;
        const pat = has('contains')
          ? `*${safe}*`
          : has('startswith')
            ? `${safe}*`
            : has('endswith')
              ? `*${safe}`
              : core;
        if (typeof v === 'number' && !has('contains') && !has('startswith') && !has('endswith')) {
          return get
            ? (ev: FieldSource) => anyText(get(ev), (s) => s === String(v) || numberOf(s) === v)
            : onField((s) => s === String(v));
        }
        return onField(stringMatcher(pat, cased));
      });
    });
  }
  const combined: Test = has('all')
    ? (ev) => test1.every((t) => t(ev))
    : test1.length === 1
      ? test1[0]!
      : (ev) => test1.some((t) => t(ev));
  return has('neq') ? (ev) => !combined(ev) : combined;
}

function selectionTest(def: unknown, opts: CompileOptions, name: string): Test {
  if (Array.isArray(def)) {
    if (def.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
      const parts = def.map((d, i) => selectionTest(d, opts, `${name}[${i}]`));
      return (ev) => parts.some((p) => p(ev));
    }
    return fieldTest('', def, opts);
  }
  if (def !== null && typeof def === 'object') {
    const parts = Object.entries(def as Record<string, unknown>).map(([k, v]) => fieldTest(k, v, opts));
    return (ev) => parts.every((p) => p(ev));
  }
  if (typeof def === 'string' || typeof def === 'number') return fieldTest('', [def], opts);
  throw new SigmaError('RULE_INVALID', `detection '${name}' must be a map, a list or a value`);
}

/** Condition grammar: or < and < not, parentheses, `1 of`/`all of`/`any of` over `them` or name patterns. */
function conditionTest(cond: string, sel: Map<string, Test>): Test {
  if (cond.includes('|'))
    throw new SigmaError(
      'CONDITION_INVALID',
      `aggregation in the condition ('${cond}') is not Sigma v2: write a correlation rule`,
    );
  const tokens = cond.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const peek = (): string | undefined => tokens[i]?.toLowerCase();
  const names = (pattern: string): Test[] => {
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
  const primary = (): Test => {
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
      if (lt === 'all') return (ev) => parts.every((p) => p(ev));
      const n = lt === 'any' ? 1 : Number(lt);
      return (ev) => {
        let c = 0;
        for (const p of parts) if (p(ev) && ++c >= n) return true;
        return false;
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
  const notExpr = (): Test => {
    if (peek() === 'not') {
      i++;
      const e = notExpr();
      return (ev) => !e(ev);
    }
    return primary();
  };
  const andExpr = (): Test => {
    const parts = [notExpr()];
    while (peek() === 'and') {
      i++;
      parts.push(notExpr());
    }
    return parts.length === 1 ? parts[0]! : (ev) => parts.every((p) => p(ev));
  };
  const orExpr = (): Test => {
    const parts = [andExpr()];
    while (peek() === 'or') {
      i++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : (ev) => parts.some((p) => p(ev));
  };
  const e = orExpr();
  if (i !== tokens.length)
    throw new SigmaError('CONDITION_INVALID', `unexpected '${tokens[i]}' in condition '${cond}'`);
  return e;
}

/** Compiles a rule once; matching then runs only closures built here. */
export function compileRule(rule: SigmaRule, options: CompileOptions = {}): CompiledRule {
  const sel = new Map<string, Test>();
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
  const tests = conds.map((c) => conditionTest(c, sel));
  const match: Test = tests.length === 1 ? tests[0]! : (ev) => tests.some((t) => t(ev));
  return { rule, match, fields: [...fields] };
}
