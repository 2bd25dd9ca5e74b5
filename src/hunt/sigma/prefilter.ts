// The literal prefilter: from each compiled rule, a necessary condition on literal strings in event fields, and an
// index that tells, for one event and many rules, which rules can match at all. Only those are then evaluated.
//
// A requirement is a conjunction of clauses; a clause is a disjunction of atoms; an atom says "the lower-cased
// text of field F equals / starts with / ends with / contains T". A rule whose requirement is not met by an event
// cannot match it, so skipping it changes nothing. Derivation follows the detection: AND joins its children's
// clauses, OR pairs them (clause k of the result is the union of each child's clause k), NOT and every test that
// is not a plain literal (re, cidr, numbers, null, exists, fieldref, comparisons) require nothing.
//
// Case: atoms are about `value.toLowerCase()`. A case-insensitive literal (the evaluator compares `lower(value)`
// with `lower(pattern)`) gives its own lower-cased needle. A `|cased` literal, a wildcard pattern or a regular
// expression (the evaluator runs a RegExp, whose `i` flag without `u` folds an ASCII letter only with ASCII
// letters) gives only its runs of "stable" characters, lower-cased: ASCII, and BMP characters without case. Such a
// run found in the value is found, lower-cased, at the same place in the lower-cased value; other characters end a
// run. (The index scans an all-ASCII value as it is, folding A-Z itself, and lower-cases only other values.)
import type { FieldSource } from '../event.ts';
import { Automaton } from './automaton.ts';
import { lower } from './lower.ts';

export type AtomKind = 'exact' | 'prefix' | 'suffix' | 'contains';

/** The lower-cased text of `field` (undefined: any value of the event, for keywords) relates to `text` by `kind`. */
export type Atom = { readonly field: string | undefined; readonly kind: AtomKind; readonly text: string };
/** At least one atom holds. Never empty. */
export type Clause = readonly Atom[];
/** Every clause holds. Empty: no requirement (the rule is evaluated on every event of its log source). */
export type Requirement = readonly Clause[];

export const NO_REQUIREMENT: Requirement = Object.freeze([]);

/** Clauses kept per rule (the most selective ones). More clauses filter better but cost index work per event. */
const MAX_CLAUSES = 3;
/**
 * A clause beyond the first is kept only when it is this selective (about a 4-character `contains` or a
 * 3-character suffix): a clause nearly every event meets filters nothing and costs index work on every event.
 */
const EXTRA_CLAUSE_MAX_COST = 0.27;
/** Needles longer than this are cut (any part of a needle is still necessary); keeps automata small. */
const MAX_NEEDLE = 32;

const KIND_WEIGHT: Readonly<Record<AtomKind, number>> = { exact: 0.5, prefix: 1, suffix: 1, contains: 2 };

/** A rough chance that an atom holds on an event: longer and anchored needles are rarer. Lower is better. */
function atomCost(a: Atom): number {
  return KIND_WEIGHT[a.kind] * 0.6 ** Math.min(a.text.length, 24) * (a.field === undefined ? 4 : 1);
}

function clauseCost(c: Clause): number {
  let s = 0;
  for (const a of c) s += atomCost(a);
  return s;
}

function atomKey(a: Atom): string {
  return `${a.field ?? '\u0000'}\u0001${a.kind}\u0001${a.text}`;
}

function dedupeAtoms(atoms: Atom[]): Clause {
  if (atoms.length < 2) return atoms;
  const seen = new Set<string>();
  const out: Atom[] = [];
  for (const a of atoms) {
    const k = atomKey(a);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(a);
    }
  }
  return out;
}

/** Sorted by cost, duplicates and weak extra clauses dropped, at most MAX_CLAUSES. */
function normalizeClauses(clauses: Clause[]): Requirement {
  if (clauses.length === 0) return NO_REQUIREMENT;
  const scored = clauses.map((c) => ({ c, cost: clauseCost(c), key: c.map(atomKey).sort().join('\u0002') }));
  scored.sort((a, b) => a.cost - b.cost || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out: Clause[] = [];
  const seen = new Set<string>();
  for (const s of scored) {
    if (seen.has(s.key) || (out.length > 0 && s.cost > EXTRA_CLAUSE_MAX_COST)) continue;
    seen.add(s.key);
    out.push(s.c);
    if (out.length === MAX_CLAUSES) break;
  }
  return out;
}

/** All of `reqs` hold. */
export function requireAll(reqs: readonly Requirement[]): Requirement {
  const clauses: Clause[] = [];
  for (const r of reqs) clauses.push(...r);
  return normalizeClauses(clauses);
}

/** At least one of `reqs` holds. Each child implies all its clauses, so any union of one clause per child holds. */
export function requireAny(reqs: readonly Requirement[]): Requirement {
  if (reqs.length === 0) return NO_REQUIREMENT;
  let width = 0;
  for (const r of reqs) {
    if (r.length === 0) return NO_REQUIREMENT;
    width = Math.max(width, r.length);
  }
  if (reqs.length === 1) return reqs[0]!;
  const clauses: Clause[] = [];
  for (let k = 0; k < width; k++) {
    const atoms: Atom[] = [];
    for (const r of reqs) atoms.push(...r[Math.min(k, r.length - 1)]!);
    clauses.push(dedupeAtoms(atoms));
  }
  return normalizeClauses(clauses);
}

function atom(field: string | undefined, kind: AtomKind, text: string): Atom {
  if (text.length > MAX_NEEDLE) {
    // any part of a needle is still necessary: an equal text starts with its first part
    if (kind === 'exact') kind = 'prefix';
    if (kind === 'contains' || kind === 'prefix') text = text.slice(0, MAX_NEEDLE);
    else text = text.slice(text.length - MAX_NEEDLE);
  }
  return { field, kind, text };
}

/**
 * True for a code unit that a value holds unchanged, in place, once lower-cased, wherever a RegExp (`i` or not,
 * no `u`) or a case-sensitive comparison found it: ASCII, and BMP characters without case (lower-casing maps them
 * to themselves, and RegExp case folding maps no other character to them). Surrogates are left out: lower-casing
 * works on whole code points, so half of a pair can change.
 */
function stable(c: number): boolean {
  if (c <= 127) return true;
  if (c >= 0xd800 && c <= 0xdfff) return false;
  const ch = String.fromCharCode(c);
  return ch.toLowerCase() === ch && ch.toUpperCase() === ch;
}

function isStable(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!stable(s.charCodeAt(i))) return false;
  return true;
}

/** Runs of stable characters (see stable), each with its start offset. */
function stableRuns(s: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let start = -1;
  for (let i = 0; i <= s.length; i++) {
    const ok = i < s.length && stable(s.charCodeAt(i));
    if (ok && start < 0) start = i;
    else if (!ok && start >= 0) {
      out.push({ text: s.slice(start, i), start });
      start = -1;
    }
  }
  return out;
}

/** Runs of stable text inside a literal that must appear at the start (anchorStart) and/or end of the value. */
function runClauses(field: string | undefined, lit: string, anchorStart: boolean, anchorEnd: boolean): Clause[] {
  const out: Clause[] = [];
  for (const r of stableRuns(lit)) {
    const atStart = anchorStart && r.start === 0;
    const atEnd = anchorEnd && r.start + r.text.length === lit.length;
    const kind: AtomKind = atStart ? (atEnd ? 'exact' : 'prefix') : atEnd ? 'suffix' : 'contains';
    // lower-casing a stable run, in the value, gives exactly this
    out.push([atom(field, kind, r.text.toLowerCase())]);
  }
  return out;
}

/**
 * The requirement of a literal compared by the evaluator without a RegExp: `needle` is exactly what it compares
 * with (already lower-cased unless `cased`), `kind` how (equality, startsWith, endsWith, includes).
 */
export function literalRequirement(
  field: string | undefined,
  kind: AtomKind,
  needle: string,
  cased: boolean,
): Requirement {
  if (!cased || isStable(needle)) {
    // an empty needle other than equality holds for any text: no requirement
    if (needle === '' && kind !== 'exact') return NO_REQUIREMENT;
    return [[atom(field, kind, cased ? needle.toLowerCase() : needle)]];
  }
  return normalizeClauses(
    runClauses(field, needle, kind === 'exact' || kind === 'prefix', kind === 'exact' || kind === 'suffix'),
  );
}

/** One piece of a wildcard pattern: literal text or a wildcard. */
export type PatternPart = { readonly lit: string } | { readonly wild: '*' | '?' };

/** The requirement of a wildcard pattern that the evaluator runs as an anchored RegExp (`^…$`). */
export function wildcardRequirement(field: string | undefined, parts: readonly PatternPart[]): Requirement {
  const clauses: Clause[] = [];
  let run = '';
  let runStart = 0;
  const flush = (end: number): void => {
    if (run !== '') clauses.push(...runClauses(field, run, runStart === 0, end === parts.length));
    run = '';
  };
  parts.forEach((p, i) => {
    if ('lit' in p) {
      if (run === '') runStart = i;
      run += p.lit;
    } else flush(i);
  });
  flush(parts.length);
  return normalizeClauses(clauses);
}

/**
 * The requirement of a rule's regular expression (JS syntax, no `u` flag): runs of literal characters that every
 * match must contain. Alternation at the top gives one set per branch (ORed); groups, classes, escapes other than
 * of punctuation, and quantified characters end a run and are skipped — skipping only weakens the requirement.
 * Runs are of stable characters (see stable), so they hold with or without the `i` flag.
 */
export function regexRequirement(field: string | undefined, source: string): Requirement {
  const branches: Requirement[] = [];
  let runs: string[] = [];
  let run = '';
  const end = (): void => {
    if (run !== '') runs.push(run);
    run = '';
  };
  let i = 0;
  const n = source.length;
  /** Index after the group, class or quantifier starting at `at`; -1 when it cannot be read safely. */
  const skipGroup = (at: number): number => {
    let depth = 0;
    for (let j = at; j < n; j++) {
      const c = source[j];
      if (c === '\\') j++;
      else if (c === '[') {
        j = skipClass(j);
        if (j < 0) return -1;
        j--;
      } else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return j + 1;
    }
    return -1;
  };
  const skipClass = (at: number): number => {
    for (let j = at + 1; j < n; j++) {
      if (source[j] === '\\') j++;
      else if (source[j] === ']') return j + 1;
    }
    return -1;
  };
  /** Length of a quantifier at `at` (with a lazy `?`) and whether it allows zero repetitions; 0 when none. */
  const quantifier = (at: number): { len: number; optional: boolean } => {
    const c = source[at];
    let len = 0;
    let optional = false;
    if (c === '*' || c === '?') {
      len = 1;
      optional = true;
    } else if (c === '+') len = 1;
    else if (c === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(source.slice(at, at + 24));
      if (!m) return { len: 0, optional: false };
      len = m[0].length;
      optional = Number(m[1]) === 0;
    }
    if (len && source[at + len] === '?') len++;
    return { len, optional };
  };
  while (i < n) {
    const c = source[i]!;
    if (c === '|') {
      end();
      branches.push(normalizeClauses(runs.map((r) => [atom(field, 'contains', r.toLowerCase())])));
      runs = [];
      i++;
      continue;
    }
    let lit: string | undefined;
    let next: number;
    if (c === '(') {
      next = skipGroup(i);
    } else if (c === '[') {
      next = skipClass(i);
    } else if (c === '\\') {
      const e = source[i + 1];
      if (e === undefined) return NO_REQUIREMENT;
      // escaped punctuation is that character; letters and digits are classes, assertions, codes or references,
      // read to their end so their digits are not taken for literals
      next = i + 2;
      if (!/[A-Za-z0-9]/.test(e)) lit = e;
      else if (e === 'x') next += /^[0-9A-Fa-f]{0,2}/.exec(source.slice(next))![0].length;
      else if (e === 'u') next += /^[0-9A-Fa-f]{0,4}/.exec(source.slice(next))![0].length;
      else if (e === 'c') next += /^[A-Za-z]?/.exec(source.slice(next))![0].length;
      else if (/[0-9]/.test(e)) next += /^[0-9]*/.exec(source.slice(next))![0].length;
      else if (e === 'k' || e === 'p' || e === 'P') {
        const m = /^(<[^>]*>|\{[^}]*\})/.exec(source.slice(next));
        if (m) next += m[0].length;
      }
    } else if (c === ')' || c === ']' || c === '{' || c === '}' || c === '*' || c === '+' || c === '?') {
      // a stray or unreadable construct: give up on the whole pattern rather than guess
      return NO_REQUIREMENT;
    } else {
      if (c !== '.' && c !== '^' && c !== '$') lit = c;
      next = i + 1;
    }
    if (next < 0) return NO_REQUIREMENT;
    const q = quantifier(next);
    if (lit !== undefined && stable(lit.charCodeAt(0))) {
      if (q.len === 0) run += lit;
      else {
        // x+ and x{2,} hold at least one x; x*, x? and x{0,} none
        if (!q.optional) run += lit;
        end();
      }
    } else end();
    i = next + q.len;
  }
  end();
  branches.push(normalizeClauses(runs.map((r) => [atom(field, 'contains', r.toLowerCase())])));
  return requireAny(branches);
}

// ---- the index ----

/** Array nesting scanned at most (the evaluator's own walk is unbounded; deeper values select every rule). */
const MAX_DEPTH = 64;

const K_CONTAINS = 0;
const K_PREFIX = 1;
const K_SUFFIX = 2;
const K_EXACT = 3;
const KIND_CODE: Readonly<Record<AtomKind, number>> = {
  contains: K_CONTAINS,
  prefix: K_PREFIX,
  suffix: K_SUFFIX,
  exact: K_EXACT,
};

type FieldIndex = {
  /** Undefined: keywords, every value of the event. */
  readonly field: string | undefined;
  /** Clauses met by an empty text (`exact ''`), which no automaton can hold. */
  readonly empty: Int32Array | undefined;
  readonly ac: Automaton | undefined;
  /** Whether any needle may match anywhere; without, only the ends of a text are scanned. */
  readonly anywhere: boolean;
  /** Longest prefix needle, longest suffix needle, longest exact needle (0 when none). */
  readonly maxPrefix: number;
  readonly maxSuffix: number;
  readonly maxExact: number;
  /** For pattern id p, its (kind, clause) pairs are at [patStart[p], patStart[p + 1]). */
  readonly patStart: Int32Array;
  readonly patKind: Uint8Array;
  readonly patClause: Int32Array;
};

/** Sorts a[0..n) ascending; insertion sort for the usual handful, without allocating a view. */
function sortPrefix(a: Int32Array, n: number): void {
  if (n > 32) {
    a.subarray(0, n).sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}

/** Counts for tests and for tuning. */
export type PrefilterStats = {
  readonly entries: number;
  /** Entries with no requirement: evaluated on every event. */
  readonly always: number;
  readonly clauses: number;
  readonly fields: number;
  readonly needles: number;
  /** Automaton states over all fields. */
  readonly states: number;
};

/**
 * An index over the requirements of a list of rules (one per position). For an event, `select` gives the
 * positions whose requirement holds, plus those with none, in ascending order. Not re-entrant: one event at a time.
 */
export class Prefilter {
  readonly stats: PrefilterStats;
  /** Output of `select`: the first `n` slots are valid until the next call. */
  readonly positions: Int32Array;
  readonly #always: Int32Array;
  readonly #need: Uint8Array;
  readonly #clauseEntry: Int32Array;
  readonly #fields: readonly FieldIndex[];
  readonly #clauseStamp: Uint32Array;
  readonly #entryStamp: Uint32Array;
  readonly #entryCount: Uint8Array;
  readonly #hits: Int32Array;
  #nHits = 0;
  /** Set when a value was nested too deep to scan: the event then gets every entry. */
  #tooDeep = false;
  #stamp = 0;

  /**
   * `automata` is shared between the prefilters of one rule set: log sources that read the same rules with other
   * field names (Sysmon EID 1 and Security 4688) have the same needles for most fields, and one automaton serves both.
   */
  constructor(reqs: readonly Requirement[], automata?: Map<string, Automaton>) {
    const always: number[] = [];
    const need = new Uint8Array(reqs.length);
    const clauseEntry: number[] = [];
    type Build = { empty: number[]; pats: Map<string, { kinds: number[]; clauses: number[] }> };
    const byField = new Map<string | undefined, Build>();
    let needles = 0;
    reqs.forEach((req, pos) => {
      if (req.length === 0) {
        always.push(pos);
        return;
      }
      need[pos] = req.length;
      for (const clause of req) {
        const id = clauseEntry.length;
        clauseEntry.push(pos);
        for (const a of clause) {
          let b = byField.get(a.field);
          if (!b) byField.set(a.field, (b = { empty: [], pats: new Map() }));
          needles++;
          if (a.text === '') {
            // only `exact ''` can be empty (literalRequirement drops the others)
            b.empty.push(id);
            continue;
          }
          let p = b.pats.get(a.text);
          if (!p) b.pats.set(a.text, (p = { kinds: [], clauses: [] }));
          p.kinds.push(KIND_CODE[a.kind]);
          p.clauses.push(id);
        }
      }
    });
    const fields: FieldIndex[] = [];
    let states = 0;
    for (const [field, b] of byField) {
      const texts = [...b.pats.keys()];
      const patStart = new Int32Array(texts.length + 1);
      let total = 0;
      texts.forEach((t, i) => {
        patStart[i] = total;
        total += b.pats.get(t)!.kinds.length;
      });
      patStart[texts.length] = total;
      const patKind = new Uint8Array(total);
      const patClause = new Int32Array(total);
      texts.forEach((t, i) => {
        const p = b.pats.get(t)!;
        patKind.set(p.kinds, patStart[i]!);
        patClause.set(p.clauses, patStart[i]!);
      });
      let ac: Automaton | undefined;
      if (texts.length) {
        const key = texts.join('\u0000');
        ac = automata?.get(key);
        if (ac === undefined) {
          ac = new Automaton(texts);
          automata?.set(key, ac);
        }
      }
      states += ac?.pattern.length ?? 0;
      let anywhere = false;
      let maxPrefix = 0;
      let maxSuffix = 0;
      let maxExact = 0;
      for (const [t, p] of b.pats) {
        for (const k of p.kinds) {
          if (k === K_CONTAINS) anywhere = true;
          else if (k === K_PREFIX) maxPrefix = Math.max(maxPrefix, t.length);
          else if (k === K_SUFFIX) maxSuffix = Math.max(maxSuffix, t.length);
          else maxExact = Math.max(maxExact, t.length);
        }
      }
      fields.push({
        field,
        empty: b.empty.length ? Int32Array.from(b.empty) : undefined,
        ac,
        anywhere,
        maxPrefix,
        maxSuffix,
        maxExact,
        patStart,
        patKind,
        patClause,
      });
    }
    this.#always = Int32Array.from(always);
    this.#need = need;
    this.#clauseEntry = Int32Array.from(clauseEntry);
    this.#fields = fields;
    this.#clauseStamp = new Uint32Array(clauseEntry.length);
    this.#entryStamp = new Uint32Array(reqs.length);
    this.#entryCount = new Uint8Array(reqs.length);
    this.#hits = new Int32Array(reqs.length);
    this.positions = new Int32Array(reqs.length);
    this.stats = {
      entries: reqs.length,
      always: always.length,
      clauses: clauseEntry.length,
      fields: fields.length,
      needles,
      states,
    };
  }

  /** Fills `positions` with the entries that may match `fs`; returns how many. */
  select(fs: FieldSource): number {
    if (this.#stamp === 0xffffffff) {
      this.#clauseStamp.fill(0);
      this.#entryStamp.fill(0);
      this.#stamp = 0;
    }
    this.#stamp++;
    this.#nHits = 0;
    this.#tooDeep = false;
    const fields = this.#fields;
    for (let f = 0; f < fields.length; f++) {
      const fi = fields[f]!;
      if (fi.field === undefined) {
        const values = fs.values();
        for (let i = 0; i < values.length; i++) this.#scanText(fi, values[i]!);
      } else {
        const v = fs.get(fi.field);
        if (typeof v === 'string') this.#scanText(fi, v);
        else if (v !== undefined && v !== null) this.#scanValue(fi, v, 0);
      }
    }
    const out = this.positions;
    if (this.#tooDeep) {
      for (let i = 0; i < out.length; i++) out[i] = i;
      return out.length;
    }
    // hits in ascending order, merged with the always-evaluated entries
    const n = this.#nHits;
    const hits = this.#hits;
    if (n > 1) sortPrefix(hits, n);
    const always = this.#always;
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < n && j < always.length) out[k++] = hits[i]! < always[j]! ? hits[i++]! : always[j++]!;
    while (i < n) out[k++] = hits[i++]!;
    while (j < always.length) out[k++] = always[j++]!;
    return k;
  }

  /** The evaluator's view of a field: every array element, numbers and booleans as text, objects nothing. */
  #scanValue(fi: FieldIndex, v: unknown, depth: number): void {
    if (typeof v === 'string') this.#scanText(fi, v);
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') this.#scanText(fi, String(v));
    else if (Array.isArray(v)) {
      // arrays nested this deep come only from crafted input: rather than recurse on, let every rule look at it
      if (depth >= MAX_DEPTH) this.#tooDeep = true;
      else for (const x of v) this.#scanValue(fi, x, depth + 1);
    }
  }

  #scanText(fi: FieldIndex, text: string): void {
    if (text.length === 0) {
      if (fi.empty !== undefined) for (let j = 0; j < fi.empty.length; j++) this.#mark(fi.empty[j]!);
      return;
    }
    if (fi.ac === undefined) return;
    const n = text.length;
    // an all-ASCII text is scanned as it is (the automaton folds A-Z); at the first other character, the
    // lower-cased text is scanned instead (lower-casing can lengthen it, so offsets differ from there on)
    if (fi.anywhere || n <= fi.maxExact) {
      if (this.#scan(fi, text, 0, n, true)) this.#scan(fi, lower(text), 0, -1, false);
      return;
    }
    // no needle may match inside: only the first maxPrefix and the last maxSuffix characters can (an exact
    // needle cannot: lower-casing never shortens, so the text is longer than any). Lower-casing the text
    // leaves an ASCII head or tail as ASCII lower-casing makes it, so those windows need no lower-casing.
    const head = Math.min(n, fi.maxPrefix);
    const tail = Math.max(head, n - fi.maxSuffix);
    if ((head > 0 && this.#scan(fi, text, 0, head, true)) || (tail < n && this.#scan(fi, text, tail, n, true))) {
      this.#scan(fi, lower(text), 0, -1, false);
    }
  }

  /**
   * Marks the clauses of every needle found in text[from, to) (`to` -1: to the end). With `asciiOnly`, stops and
   * returns true at a non-ASCII character (the caller then scans the lower-cased text).
   */
  #scan(fi: FieldIndex, text: string, from: number, to: number, asciiOnly: boolean): boolean {
    const ac = fi.ac!;
    const pattern = ac.pattern;
    const dict = ac.dict;
    const out = ac.out;
    const lengths = ac.lengths;
    const column = ac.column;
    const width = ac.width;
    const dense = ac.dense;
    const delta = ac.delta;
    const patStart = fi.patStart;
    const patKind = fi.patKind;
    const patClause = fi.patClause;
    const last = text.length - 1;
    const stop = to < 0 ? text.length : to;
    let s = 0;
    for (let i = from; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        // the common case, ASCII in a shallow state, is one table read; the rest walks failure links
        s = s < dense ? delta[s * width + column[c]!]! : ac.step(s, c);
      } else if (asciiOnly) return true;
      else s = ac.step(s, c);
      for (let m = out[s]!; m >= 0; m = dict[m]!) {
        const p = pattern[m]!;
        const end = patStart[p + 1]!;
        // prefix: the match starts at 0; suffix: it ends at the last character; exact: both
        const atStart = i + 1 === lengths[p]!;
        const atEnd = i === last;
        for (let j = patStart[p]!; j < end; j++) {
          const kind = patKind[j]!;
          if (kind === K_CONTAINS || (kind === K_PREFIX ? atStart : kind === K_SUFFIX ? atEnd : atStart && atEnd))
            this.#mark(patClause[j]!);
        }
      }
    }
    return false;
  }

  #mark(clause: number): void {
    const stamp = this.#stamp;
    if (this.#clauseStamp[clause] === stamp) return;
    this.#clauseStamp[clause] = stamp;
    const e = this.#clauseEntry[clause]!;
    let c: number;
    if (this.#entryStamp[e] !== stamp) {
      this.#entryStamp[e] = stamp;
      c = this.#entryCount[e] = 1;
    } else c = ++this.#entryCount[e]!;
    if (c === this.#need[e]) this.#hits[this.#nHits++] = e;
  }
}

/** The requirement compileRule attached to a compiled rule; none for rules compiled otherwise (tests, plugins). */
export function requirementOf(compiled: object): Requirement {
  const r = (compiled as { requirement?: unknown }).requirement;
  return Array.isArray(r) ? (r as Requirement) : NO_REQUIREMENT;
}
