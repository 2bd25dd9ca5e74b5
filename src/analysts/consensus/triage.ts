// The triage run: every finding goes to every analyst at once, independently, and the policy turns their verdicts
// into a Decision. Independence is structural: each analyst gets its own copy of the finding and nothing of the
// others' work, and verdicts are only brought together after the last one is in (or its deadline has passed).
// The latency of a finding is its slowest analyst's, not the sum. Several findings are in flight at once (model
// calls wait on the network, not the CPU); decisions come out in input order.
import type { AbstentionReason, Decision, Finding, Verdict } from '../../core/index.ts';
import { VERDICT_LABELS } from '../../core/index.ts';
import type { Analyst } from '../analyst.ts';
import { decide, type PolicySpec } from './policy.ts';

export type TriageOptions = {
  /** Per finding, for all its analysts together (each analyst's own per-call timeouts sit inside it). */
  readonly deadlineMs?: number;
  /** Findings in flight at once. */
  readonly concurrency?: number;
  readonly now?: () => number;
  /** Cancels the run: analysts see their signal aborted; findings not started are not judged. */
  readonly signal?: AbortSignal;
};

export const DEFAULT_DEADLINE_MS = 60_000;
export const DEFAULT_CONCURRENCY = 4;

/** An abstention the run makes on an analyst's behalf (it threw, broke its contract or missed the deadline). */
export function abstention(
  findingId: Finding['id'],
  analyst: string,
  reason: AbstentionReason,
  detail: string,
  latencyMs: number,
): Verdict {
  return {
    findingId,
    analyst,
    label: 'needs-human',
    confidence: 0,
    rationale: `no verdict: ${detail}`,
    evidence: [],
    latencyMs,
    cost: { inputTokens: 0, outputTokens: 0 },
    abstained: { reason, detail },
  };
}

/** The copies frozenCopy made: deeply frozen already, so they are handed on as they are. */
const COPIES = new WeakSet<object>();

/** A finding's deep copy, frozen throughout (made once per finding, whether `prepare` or `judge` sees it first). */
function frozenFinding(f: Finding): Finding {
  if (COPIES.has(f)) return f;
  const copy = frozenCopy(f);
  COPIES.add(copy);
  return copy;
}

/** A deep copy, frozen throughout, of JSON-like data (a Date or other class instance is cloned and frozen at its top). */
function frozenCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const c = structuredClone(value) as object;
    Object.freeze(c);
    return c as T;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) out[k] = frozenCopy((value as Record<string, unknown>)[k]);
  return Object.freeze(out) as T;
}

/** One analyst on one finding, held to the deadline and to the Verdict contract whatever the analyst does. */
async function ask(
  analyst: Analyst,
  finding: Finding,
  deadline: number,
  now: () => number,
  run: AbortSignal | undefined,
): Promise<Verdict> {
  const started = now();
  const ctl = new AbortController();
  const left = Math.max(0, deadline - started);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = (): void => ctl.abort(run?.reason);
  run?.addEventListener('abort', onAbort, { once: true });
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => {
      ctl.abort(new Error('deadline'));
      resolve('late');
    }, left);
  });
  try {
    const got = await Promise.race([analyst.judge(finding, { signal: ctl.signal, deadline, now }), late]);
    const took = now() - started;
    if (got === 'late')
      return abstention(finding.id, analyst.name, 'timeout', `no verdict within the ${left} ms deadline`, took);
    const broken = contractBreach(got, analyst.name, finding.id);
    return broken ? abstention(finding.id, analyst.name, 'error', broken, took) : got;
  } catch (err) {
    const took = now() - started;
    if (run?.aborted) return abstention(finding.id, analyst.name, 'error', 'the run was cancelled', took);
    const reason: AbstentionReason = ctl.signal.aborted ? 'timeout' : 'error';
    return abstention(finding.id, analyst.name, reason, (err as Error)?.message ?? String(err), took);
  } finally {
    clearTimeout(timer);
    run?.removeEventListener('abort', onAbort);
  }
}

/** Why a returned verdict cannot be used, or undefined. */
function contractBreach(v: Verdict, name: string, id: Finding['id']): string | undefined {
  if (v === null || typeof v !== 'object') return `${name} returned no verdict object`;
  if (v.analyst !== name) return `${name} returned a verdict signed "${String(v.analyst)}"`;
  if (v.findingId !== id) return `${name} returned a verdict for another finding`;
  if (!(VERDICT_LABELS as readonly string[]).includes(v.label)) return `${name} returned the label "${v.label}"`;
  if (typeof v.confidence !== 'number' || !(v.confidence >= 0 && v.confidence <= 1))
    return `${name} returned the confidence ${String(v.confidence)}`;
  if (v.abstained && (v.label !== 'needs-human' || v.confidence !== 0))
    return `${name} abstained but still gave ${v.label} at ${v.confidence}`;
  return undefined;
}

/** Every analyst's verdict on one finding (in the order the analysts were given), and the policy's decision. */
export async function judgeFinding(
  finding: Finding,
  analysts: readonly Analyst[],
  policy: PolicySpec,
  opts: TriageOptions = {},
): Promise<Decision> {
  const now = opts.now ?? Date.now;
  const deadline = now() + (opts.deadlineMs ?? DEFAULT_DEADLINE_MS);
  // one deep-frozen copy for all: an analyst that tries to change the finding fails (an `error` abstention) and
  // cannot reach another analyst or the caller. Cheaper than a copy per analyst (structuredClone was a sixth of
  // a built-in triage run's time; this walk is a few times faster).
  const shared = frozenFinding(finding);
  const verdicts = await Promise.all(analysts.map((a) => ask(a, shared, deadline, now, opts.signal)));
  const { outcome, reason } = decide(policy, verdicts);
  return {
    findingId: finding.id,
    outcome,
    policy: { name: policy.name, version: policy.version },
    reason,
    verdicts,
    time: new Date(now()).toISOString(),
  };
}

/**
 * Judges a stream of findings, `concurrency` at a time, yielding `[finding, decision]` in input order. Analysts'
 * `prepare` sees the findings of the run only when they are given as an array (a stream is judged as it comes).
 */
export async function* triage(
  findings: Iterable<Finding> | AsyncIterable<Finding>,
  analysts: readonly Analyst[],
  policy: PolicySpec,
  opts: TriageOptions = {},
): AsyncGenerator<readonly [Finding, Decision]> {
  // prepare sees the same frozen copies judge will: no analyst can change the batch under another, and what an
  // analyst reads of a copy in prepare it may keep for judge
  const copies = Array.isArray(findings) ? (findings as readonly Finding[]).map(frozenFinding) : undefined;
  if (copies) for (const a of analysts) await a.prepare?.(copies);
  const width = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const queue: Promise<readonly [Finding, Decision]>[] = [];
  let i = 0;
  for await (const f of findings) {
    if (opts.signal?.aborted) break;
    const mine = copies ? copies[i]! : f;
    i++;
    queue.push(judgeFinding(mine, analysts, policy, opts).then((d) => [f, d] as const));
    if (queue.length >= width) yield await queue.shift()!;
  }
  while (queue.length) yield await queue.shift()!;
}
