// RuleSet: rules compiled once per distinct field mapping and indexed by log source key, so an event meets only
// the rules its log source can match — found with a couple of Map lookups, `where` checked before the rule.
import type { FieldSource, LogEvent } from '../event.ts';
import { forgetLowerCase } from '../sigma/lower.ts';
import type { Automaton } from '../sigma/automaton.ts';
import { Prefilter, requirementOf, type PrefilterStats } from '../sigma/prefilter.ts';
import type { CompileOptions, CompiledRule, RuleIssue, SigmaRule } from '../sigma/types.ts';
import { presenceSensitiveFields } from './absence.ts';
import { bindLogsource, type RuleBinding } from './bind.ts';
import {
  isObj,
  ObjectFieldSource,
  programOf,
  SyslogFieldSource,
  SysmonXmlFieldSource,
  WindowsFieldSource,
  type Obj,
} from './fields.ts';
import { classify, sysmonXmlOf, type EventClass } from './keys.ts';

export type CompileFn = (rule: SigmaRule, options: CompileOptions) => CompiledRule;

export type RuleSetOptions = {
  /** Values for `|expand` placeholders, passed to every compile. */
  readonly placeholders?: ReadonlyMap<string, readonly string[]>;
  /**
   * Index the rules' literal requirements and evaluate only the rules an event can meet (default true).
   * False evaluates every candidate rule in full: the reference the differential tests compare against.
   */
  readonly prefilter?: boolean;
};

/** A compiled rule that fired on an event: which binding let it run, and the fields it saw. */
export type RuleMatch = {
  readonly compiled: CompiledRule;
  readonly binding: RuleBinding;
  readonly fields: FieldSource;
};

/** Counts for one logsource (as written in the rules: `product/category/service`). */
export type LogsourceCount = {
  readonly logsource: string;
  /** Rules that name it. */
  readonly rules: number;
  /** Of those, compiled and bound: they run. */
  readonly compiled: number;
  /** Compiled, but no reader here produces the log source. */
  readonly unbound: number;
  /** Could not be compiled. */
  readonly rejected: number;
  /** The binding labels (empty when unbound). */
  readonly bindings: readonly string[];
};

type Where = readonly { readonly field: string; readonly values: readonly string[] }[];

type Entry = {
  readonly rule: number;
  readonly compiled: CompiledRule;
  readonly binding: RuleBinding;
  readonly where: Where | undefined;
};

/** The rules an event class can meet, in rule order, and the prefilter over them (none for short lists). */
type Candidates = { readonly entries: readonly Entry[]; readonly prefilter: Prefilter | undefined };

const NO_MATCHES: readonly RuleMatch[] = Object.freeze([]);
const NO_CANDIDATES: Candidates = Object.freeze({ entries: Object.freeze([]), prefilter: undefined });
// below this many rules, evaluating them all costs less than reading the indexed fields
const PREFILTER_MIN_ENTRIES = 8;
// distinct event classes are bounded by the classifier's caches; this only caps what a crafted file could add
const MAX_CANDIDATE_LISTS = 65536;

/** `a` equals `lower` (already lower-case) ignoring ASCII case; no allocation. */
function equalsFolded(a: string, lower: string): boolean {
  if (a.length !== lower.length) return false;
  for (let i = 0; i < a.length; i++) {
    let c = a.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function valueIs(v: unknown, lower: string): boolean {
  if (typeof v === 'string') return equalsFolded(v, lower);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v) === lower;
  if (Array.isArray(v)) return v.some((x) => valueIs(x, lower));
  return false;
}

function whereHolds(where: Where, fs: FieldSource): boolean {
  for (const w of where) {
    const v = fs.get(w.field);
    if (v === undefined || v === null) return false;
    let ok = false;
    for (const want of w.values) {
      if (valueIs(v, want)) {
        ok = true;
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

function compileWhere(where: RuleBinding['where']): Where | undefined {
  if (!where) return undefined;
  return Object.entries(where).map(([field, values]) => ({
    field,
    values: values.map((v) => String(v).toLowerCase()),
  }));
}

function mapKey(map: Readonly<Record<string, string>> | undefined): string {
  if (!map) return '';
  return JSON.stringify(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function logsourceName(rule: SigmaRule): string {
  const ls = rule.logsource;
  return `${ls.product ?? '-'}/${ls.category ?? '-'}/${ls.service ?? '-'}`;
}

function issue(rule: SigmaRule, reason: string): RuleIssue {
  return { path: rule.path, ...(rule.id ? { id: rule.id } : {}), title: rule.title, reason };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Winlogbeat documents exported with dotted keys (`"winlog.event_data.Image": …`), rebuilt as nested objects. */
function unflatten(data: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(data)) {
    const parts = k.split('.');
    let cur = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i]!;
      const next = cur[p];
      if (isObj(next)) cur = next;
      else cur = cur[p] = {};
    }
    cur[parts[parts.length - 1]!] = v;
  }
  return out;
}

/** The FieldSource for an event of a known class. */
export function sourceFor(ev: LogEvent, cls: EventClass): FieldSource {
  const d = ev.data;
  switch (cls.kind) {
    case 'evtx':
      return WindowsFieldSource.evtx(d) ?? new ObjectFieldSource(d);
    case 'ecs':
      return WindowsFieldSource.ecs(d) ?? new ObjectFieldSource(d);
    case 'ecs-flat': {
      const nested = unflatten(d);
      return WindowsFieldSource.ecs(nested) ?? new ObjectFieldSource(d);
    }
    case 'syslog':
      return new SyslogFieldSource(d, programOf(d));
    case 'sysmon-xml': {
      const xml = sysmonXmlOf(d, programOf(d));
      return xml !== undefined ? new SysmonXmlFieldSource(d, xml) : new SyslogFieldSource(d, programOf(d));
    }
    default:
      return new ObjectFieldSource(d);
  }
}

/**
 * The rules of a hunt, compiled and indexed by log source. Every rule given is accounted for: `compiled` (runs),
 * `unbound` (valid, but no reader here produces its log source) or `rejected` (cannot be compiled).
 */
export class RuleSet {
  /** Rules given. */
  readonly loaded: number;
  /** Rules compiled and bound to at least one log source read here: the rules that run. */
  readonly compiled: number;
  /** Rules that compile but whose log source no reader produces: loaded, reported, never matched. */
  readonly unbound: readonly RuleIssue[];
  /** Rules that could not be compiled (or bound), with the reason. */
  readonly rejected: readonly RuleIssue[];
  /** Rules that run, but not on every binding of their log source (e.g. kept off Security 4688), and why. */
  readonly narrowed: readonly RuleIssue[];
  /** Per logsource counts, most rules first. */
  readonly logsources: readonly LogsourceCount[];

  readonly #index = new Map<string, Entry[]>();
  readonly #candidates = new Map<EventClass, Candidates>();
  /** Classes whose keys find the same rule lists share one Candidates (and one prefilter). */
  readonly #byLists = new Map<string, Candidates>();
  /** Automata shared by this set's prefilters (keyed by their needles). */
  readonly #automata = new Map<string, Automaton>();
  readonly #usePrefilter: boolean;
  readonly #bindings = new Map<SigmaRule, readonly RuleBinding[]>();
  #fired: Uint32Array;
  #stamp = 0;

  constructor(rules: readonly SigmaRule[], compile: CompileFn, options: RuleSetOptions = {}) {
    const unbound: RuleIssue[] = [];
    const rejected: RuleIssue[] = [];
    const narrowed: RuleIssue[] = [];
    const counts = new Map<
      string,
      { rules: number; compiled: number; unbound: number; rejected: number; labels: Set<string> }
    >();
    const placeholders = options.placeholders;
    this.#usePrefilter = options.prefilter ?? true;
    let active = 0;

    rules.forEach((rule, ruleIndex) => {
      const lsName = logsourceName(rule);
      let count = counts.get(lsName);
      if (!count) counts.set(lsName, (count = { rules: 0, compiled: 0, unbound: 0, rejected: 0, labels: new Set() }));
      count.rules++;

      const bound = bindLogsource(rule.logsource);
      if ('unsupported' in bound) {
        // still compiled, so a broken rule is reported as rejected even when its log source is not read here
        try {
          compile(rule, placeholders ? { placeholders } : {});
          unbound.push(issue(rule, `log source not read here: ${bound.unsupported}`));
          count.unbound++;
        } catch (err) {
          rejected.push(issue(rule, message(err)));
          count.rejected++;
        }
        return;
      }

      // group bindings by field mapping: one compile per distinct mapping
      let sensitive: Set<string> | undefined | null = null;
      const groups = new Map<string, { map: Readonly<Record<string, string>> | undefined; bindings: RuleBinding[] }>();
      const skipped = new Set<string>();
      for (const b of bound.bindings) {
        if (b.unavailable) {
          if (sensitive === null) sensitive = presenceSensitiveFields(rule.detection);
          const clash =
            sensitive === undefined
              ? 'its condition could not be analysed'
              : b.unavailable.find((f) => sensitive!.has(f));
          if (clash) {
            skipped.add(
              `not run on ${b.label}: ${clash === 'its condition could not be analysed' ? clash : `it needs field ${clash}, which that source lacks, to be present`}`,
            );
            continue;
          }
        }
        const k = mapKey(b.fieldMap);
        let g = groups.get(k);
        if (!g) groups.set(k, (g = { map: b.fieldMap, bindings: [] }));
        g.bindings.push(b);
      }

      const ruleBindings: RuleBinding[] = [];
      let firstError: string | undefined;
      for (const g of groups.values()) {
        const map = g.map;
        let compiled: CompiledRule;
        try {
          compiled = compile(rule, {
            ...(map ? { mapField: (f: string) => (Object.hasOwn(map, f) ? map[f]! : f) } : {}),
            ...(placeholders ? { placeholders } : {}),
          });
        } catch (err) {
          firstError ??= message(err);
          skipped.add(`not run on ${g.bindings.map((b) => b.label).join(', ')}: ${message(err)}`);
          continue;
        }
        for (const b of g.bindings) {
          const entry: Entry = { rule: ruleIndex, compiled, binding: b, where: compileWhere(b.where) };
          let list = this.#index.get(b.key);
          if (!list) this.#index.set(b.key, (list = []));
          list.push(entry);
          ruleBindings.push(b);
          count.labels.add(b.label);
        }
      }

      if (ruleBindings.length === 0) {
        rejected.push(issue(rule, firstError ?? [...skipped].join('; ')));
        count.rejected++;
        return;
      }
      this.#bindings.set(rule, ruleBindings);
      active++;
      count.compiled++;
      if (skipped.size) narrowed.push(issue(rule, [...skipped].join('; ')));
    });

    this.loaded = rules.length;
    this.compiled = active;
    this.unbound = unbound;
    this.rejected = rejected;
    this.narrowed = narrowed;
    this.logsources = [...counts]
      .map(([logsource, c]) => ({
        logsource,
        rules: c.rules,
        compiled: c.compiled,
        unbound: c.unbound,
        rejected: c.rejected,
        bindings: [...c.labels],
      }))
      .sort((a, b) => b.rules - a.rules || (a.logsource < b.logsource ? -1 : 1));
    this.#fired = new Uint32Array(rules.length);
  }

  /** The bindings a rule runs on (empty when unbound or rejected): what `--explain` shows. */
  bindingsOf(rule: SigmaRule): readonly RuleBinding[] {
    return this.#bindings.get(rule) ?? [];
  }

  /** The compiled rules that fire on `ev`, each with its binding and the FieldSource it was matched against. */
  match(ev: LogEvent): readonly RuleMatch[] {
    const cls = classify(ev);
    const { entries, prefilter } = this.#candidatesOf(cls);
    if (entries.length === 0) return NO_MATCHES;
    const fs = sourceFor(ev, cls);
    const stamp = this.#nextStamp();
    let out: RuleMatch[] | undefined;
    if (prefilter === undefined) {
      for (let i = 0; i < entries.length; i++) out = this.#try(entries[i]!, fs, stamp, out);
    } else {
      // only the rules whose literal requirement the event meets (and those with none), still in rule order
      const n = prefilter.select(fs);
      const positions = prefilter.positions;
      for (let i = 0; i < n; i++) out = this.#try(entries[positions[i]!]!, fs, stamp, out);
    }
    forgetLowerCase();
    return out ?? NO_MATCHES;
  }

  #try(e: Entry, fs: FieldSource, stamp: number, out: RuleMatch[] | undefined): RuleMatch[] | undefined {
    if (this.#fired[e.rule] === stamp) return out;
    if (e.where !== undefined && !whereHolds(e.where, fs)) return out;
    let hit: boolean;
    try {
      hit = e.compiled.match(fs);
    } catch {
      // a rule that throws on odd data must not stop the others: treat as no match
      hit = false;
    }
    if (!hit) return out;
    this.#fired[e.rule] = stamp;
    (out ??= []).push({ compiled: e.compiled, binding: e.binding, fields: fs });
    return out;
  }

  /** The prefilter's counts for the rules a class of event meets (undefined when it has no prefilter). */
  prefilterStats(ev: LogEvent): PrefilterStats | undefined {
    return this.#candidatesOf(classify(ev)).prefilter?.stats;
  }

  /** Entries for every key of a class, merged in rule order, with their prefilter; cached per class. */
  #candidatesOf(cls: EventClass): Candidates {
    const cached = this.#candidates.get(cls);
    if (cached !== undefined) return cached;
    const keys = cls.keys.filter((k) => this.#index.has(k));
    const listsKey = keys.join('\n');
    let result = this.#byLists.get(listsKey);
    if (result === undefined) {
      result = NO_CANDIDATES;
      if (keys.length) {
        const merged = keys.flatMap((k) => this.#index.get(k)!).sort((a, b) => a.rule - b.rule);
        const prefilter =
          this.#usePrefilter && merged.length >= PREFILTER_MIN_ENTRIES
            ? new Prefilter(
                merged.map((e) => requirementOf(e.compiled)),
                this.#automata,
              )
            : undefined;
        result = { entries: merged, prefilter };
      }
      // keys are index keys that have rules: a bounded set, whatever the input
      this.#byLists.set(listsKey, result);
    }
    if (this.#candidates.size < MAX_CANDIDATE_LISTS) this.#candidates.set(cls, result);
    return result;
  }

  #nextStamp(): number {
    if (this.#stamp === 0xffffffff) {
      this.#fired.fill(0);
      this.#stamp = 0;
    }
    return ++this.#stamp;
  }
}
