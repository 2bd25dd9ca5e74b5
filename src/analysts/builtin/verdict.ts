// The one way the built-in analysts turn a judgement into a Verdict: bounded text, rounded confidence, zero cost,
// and every failure (an aborted run, a bug meeting an odd finding) turned into an abstention instead of a throw,
// as the Analyst contract asks.
import type { FindingId } from '../../core/ids.ts';
import type { AbstentionReason, Verdict, VerdictLabel } from '../../core/verdict.ts';
import type { AnalystContext } from '../analyst.ts';
import { at, str } from './view.ts';

/** What an analyst's scoring returns; `guardedJudge` adds the rest of the Verdict. */
export type Judgement = {
  readonly label: VerdictLabel;
  readonly confidence: number;
  readonly rationale: string;
  readonly evidence: readonly string[];
};

/** The same bounds the model verdict schema puts on a model's answer, so every verdict reads alike. */
const MAX_RATIONALE = 2000;
const MAX_EVIDENCE = 20;
const MAX_EVIDENCE_ITEM = 300;

const ZERO_COST = { inputTokens: 0, outputTokens: 0, usd: 0 } as const;

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Confidence in [0, 1], rounded to 3 decimals so verdicts compare equal across runs and platforms. */
export function roundConfidence(c: number): number {
  if (!Number.isFinite(c)) return 0;
  return Math.round(Math.min(1, Math.max(0, c)) * 1000) / 1000;
}

/** A `needs-human` answer for a finding the analyst cannot read or does not judge (confidence 0). */
export function cannotJudge(rationale: string, evidence: readonly string[] = []): Judgement {
  return { label: 'needs-human', confidence: 0, rationale, evidence };
}

/**
 * Runs `score` for one finding and wraps its judgement in a Verdict. Never throws: an aborted signal gives a
 * `timeout` abstention, an exception an `error` abstention naming it.
 */
export function guardedJudge(analyst: string, finding: unknown, ctx: AnalystContext, score: () => Judgement): Verdict {
  const start = ctx.now();
  const findingId = (str(at(finding, 'id')) ?? '') as FindingId;
  const done = (j: Judgement, abstained?: { reason: AbstentionReason; detail: string }): Verdict => ({
    findingId,
    analyst,
    label: abstained ? 'needs-human' : j.label,
    confidence: abstained ? 0 : roundConfidence(j.confidence),
    rationale: clip(j.rationale, MAX_RATIONALE),
    evidence: j.evidence.slice(0, MAX_EVIDENCE).map((e) => clip(e, MAX_EVIDENCE_ITEM)),
    latencyMs: Math.max(0, ctx.now() - start),
    cost: ZERO_COST,
    ...(abstained ? { abstained } : {}),
  });
  if (ctx.signal.aborted) {
    const detail = 'the run was cancelled or the deadline passed before this finding was judged';
    return done(cannotJudge(detail), { reason: 'timeout', detail });
  }
  try {
    return done(score());
  } catch (e) {
    // A bug here must not lose the verdict of the whole run: abstain, and say what broke so it can be reported.
    const detail = clip(`internal error: ${e instanceof Error ? e.message : String(e)}`, 500);
    return done(cannotJudge(detail), { reason: 'error', detail });
  }
}
