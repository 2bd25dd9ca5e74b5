import type { Finding } from '../core/finding.ts';
import { severityRank, type Severity } from '../core/severity.ts';
import type { LogEvent, LogFormat, ReadIssue } from './event.ts';
import { detectionFinding, matchedFields } from './finding.ts';
import { RuleSet } from './logsource/index.ts';
import { readLogFile } from './open.ts';
import { loadRules, type LoadedRules } from './rules/load.ts';
import {
  fieldsNeeded,
  parseCorrelation,
  resolveCorrelations,
  suppressedBaseRules,
  type BaseMatch,
  type CompiledCorrelation,
} from './sigma/correlation/index.ts';
import { applyFilters, compileRule } from './sigma/index.ts';
import type { RuleIssue, SigmaCorrelationDoc, SigmaFilterDoc, SigmaRule } from './sigma/types.ts';

const NO_RAW: Readonly<Record<string, unknown>> = Object.freeze({});

/** Statuses left out unless asked for: SigmaHQ marks these as not fit to run. */
export const DEFAULT_EXCLUDED_STATUS: readonly string[] = ['deprecated', 'unsupported'];

export type RuleSelection = {
  readonly rules: readonly string[];
  readonly minLevel?: Severity;
  /** When set, only these statuses run; otherwise all but DEFAULT_EXCLUDED_STATUS. */
  readonly status?: readonly string[];
  readonly placeholders?: ReadonlyMap<string, readonly string[]>;
  /** False turns the literal prefilter off (every candidate rule evaluated in full): for differential tests. */
  readonly prefilter?: boolean;
  /** Directory for the parsed-rule cache (the CLI uses ~/.mamori/cache); none: parse every rule's YAML. */
  readonly cacheDir?: string;
};

export type RulesReport = {
  readonly files: number;
  /** Rule documents parsed (detection + correlation + filter). */
  readonly documents: number;
  /** Detection rules that run (compiled and bound to at least one log source we read). */
  readonly active: number;
  /** Loaded and compiled but their log source is one no reader produces (reported, not dropped). */
  readonly unbound: readonly RuleIssue[];
  /** Rules that could not be used, with the reason. The target is none. */
  readonly rejected: readonly RuleIssue[];
  /** Rules left out by --min-level / --status. */
  readonly deselected: number;
  readonly correlations: number;
  readonly loadMs: number;
  readonly compileMs: number;
};

export type FileStats = { events: number; bytes: number; firstTime?: number; lastTime?: number };

/** What matching one file yields to the caller: findings, correlation inputs, and counts. */
export type FileSink = {
  findings(batch: Finding[]): void;
  baseMatches(batch: BaseMatch[]): void;
  progress(events: number): void;
  issue(i: ReadIssue): void;
};

function selected(rule: SigmaRule, sel: RuleSelection): boolean {
  if (sel.minLevel && severityRank(rule.level) < severityRank(sel.minLevel)) return false;
  const status = (rule.status ?? '').toLowerCase();
  if (sel.status) return sel.status.includes(status);
  return !DEFAULT_EXCLUDED_STATUS.includes(status);
}

type Prepared = {
  /** Detection rules to compile (selected, or feeding a correlation). */
  readonly keep: readonly SigmaRule[];
  readonly rejected: readonly RuleIssue[];
  readonly deselected: number;
  readonly correlations: readonly CompiledCorrelation[];
  readonly needed: ReadonlyMap<string, readonly string[]>;
};

/** Everything but compiling: meta filters applied, correlations resolved, rules selected. */
function prepare(loaded: LoadedRules, sel: RuleSelection): Prepared {
  const rejected: RuleIssue[] = [...loaded.issues];
  let rules: SigmaRule[] = [];
  const correlationDocs: SigmaCorrelationDoc[] = [];
  const filters: SigmaFilterDoc[] = [];
  let deselected = 0;
  for (const d of loaded.documents) {
    // a rule's raw document is read by nothing after parsing; filters and correlations keep theirs
    if (d.kind === 'rule') rules.push(d.raw === NO_RAW ? d : { ...d, raw: NO_RAW });
    else if (d.kind === 'correlation') correlationDocs.push(d);
    else filters.push(d);
  }
  if (filters.length) {
    const f = applyFilters(rules, filters);
    rules = f.rules;
    rejected.push(...f.issues);
  }
  // correlations are resolved against every loaded rule, so a base rule below --min-level still feeds them
  const known = new Set<string>();
  for (const r of rules) {
    if (r.id) known.add(r.id);
    if (r.name) known.add(r.name);
  }
  const parsedCorrelations: CompiledCorrelation[] = [];
  for (const doc of correlationDocs) {
    try {
      parsedCorrelations.push(parseCorrelation(doc));
    } catch (err) {
      rejected.push({
        path: doc.path,
        ...(doc.id ? { id: doc.id } : {}),
        title: doc.title,
        reason: (err as Error).message,
      });
    }
  }
  const resolved = resolveCorrelations(parsedCorrelations, known);
  rejected.push(...resolved.issues);
  const correlations = resolved.ok.filter((c) => !sel.minLevel || severityRank(c.level) >= severityRank(sel.minLevel));
  const needed = fieldsNeeded(correlations);
  const keep = rules.filter((r) => {
    if (selected(r, sel)) return true;
    if ((r.id && needed.has(r.id)) || (r.name && needed.has(r.name))) return true;
    deselected++;
    return false;
  });
  return { keep, rejected, deselected, correlations, needed };
}

/** Rules compiled and indexed once per thread; then any number of files are matched against them. */
export class HuntEngine {
  readonly report: RulesReport;
  readonly #ruleSet: RuleSet;
  readonly #correlations: readonly CompiledCorrelation[];
  readonly #needed: ReadonlyMap<string, readonly string[]>;
  readonly #suppressed: ReadonlySet<string>;

  private constructor(
    report: RulesReport,
    ruleSet: RuleSet,
    correlations: readonly CompiledCorrelation[],
    needed: ReadonlyMap<string, readonly string[]>,
    suppressed: ReadonlySet<string>,
  ) {
    this.report = report;
    this.#ruleSet = ruleSet;
    this.#correlations = correlations;
    this.#needed = needed;
    this.#suppressed = suppressed;
  }

  get correlations(): readonly CompiledCorrelation[] {
    return this.#correlations;
  }

  static async create(sel: RuleSelection): Promise<HuntEngine> {
    const t0 = performance.now();
    const loaded = await loadRules(sel.rules, sel.cacheDir ? { cacheDir: sel.cacheDir } : {});
    return HuntEngine.fromLoaded(loaded, sel, performance.now() - t0);
  }

  /** An engine from rules already loaded. `loaded` is not kept: its detection rules are taken without their raw YAML document. */
  static fromLoaded(loaded: LoadedRules, sel: RuleSelection, loadMs = 0): HuntEngine {
    const t1 = performance.now();
    const p = prepare(loaded, sel);
    const ruleSet = new RuleSet(p.keep, compileRule, {
      placeholders: sel.placeholders ?? new Map(),
      ...(sel.prefilter !== undefined ? { prefilter: sel.prefilter } : {}),
    });
    const rejected = [...p.rejected, ...ruleSet.rejected];
    const compileMs = performance.now() - t1;
    const report: RulesReport = {
      files: loaded.files,
      documents: loaded.documents.length,
      active: ruleSet.compiled,
      unbound: ruleSet.unbound,
      rejected,
      deselected: p.deselected,
      correlations: p.correlations.length,
      loadMs,
      compileMs,
    };
    return new HuntEngine(report, ruleSet, p.correlations, p.needed, suppressedBaseRules(p.correlations));
  }

  /** Matches one event; pushes detections and correlation inputs into the given arrays. */
  matchEvent(ev: LogEvent, findings: Finding[], base: BaseMatch[], sel: RuleSelection): void {
    const matches = this.#ruleSet.match(ev);
    for (const m of matches) {
      const rule = m.compiled.rule;
      const keys: string[] = [];
      if (rule.id) keys.push(rule.id);
      if (rule.name) keys.push(rule.name);
      let fields: Record<string, unknown> | undefined;
      for (const k of keys) {
        const need = this.#needed.get(k);
        if (!need) continue;
        fields ??= {};
        for (const f of need) {
          const v = m.fields.get(f);
          if (v !== undefined) fields[f] = v;
        }
      }
      if (fields && ev.time !== undefined) base.push({ rules: keys, time: ev.time, fields, ref: ev });
      if (keys.some((k) => this.#suppressed.has(k)) || !selected(rule, sel)) continue;
      findings.push(
        detectionFinding(rule, ev, { logsource: m.binding.label, matched: matchedFields(m.compiled.fields, m.fields) }),
      );
    }
  }

  /** Streams one log file through the rules. Bad records are reported through the sink and skipped. */
  async huntFile(
    path: string,
    opts: { format?: LogFormat; since?: number; until?: number; selection: RuleSelection; signal?: AbortSignal },
    sink: FileSink,
  ): Promise<FileStats> {
    const stats: FileStats = { events: 0, bytes: 0 };
    for await (const batch of readLogFile(path, {
      onIssue: (i) => sink.issue(i),
      ...(opts.format ? { format: opts.format } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    })) {
      const findings: Finding[] = [];
      const base: BaseMatch[] = [];
      for (const ev of batch) {
        const t = ev.time;
        if (t !== undefined) {
          if (stats.firstTime === undefined || t < stats.firstTime) stats.firstTime = t;
          if (stats.lastTime === undefined || t > stats.lastTime) stats.lastTime = t;
        }
        if (opts.since !== undefined && (t === undefined || t < opts.since)) continue;
        if (opts.until !== undefined && (t === undefined || t > opts.until)) continue;
        this.matchEvent(ev, findings, base, opts.selection);
      }
      stats.events += batch.length;
      if (findings.length) sink.findings(findings);
      if (base.length) sink.baseMatches(base);
      sink.progress(batch.length);
    }
    return stats;
  }
}
