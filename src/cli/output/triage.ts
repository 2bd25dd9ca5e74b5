// Output of `mamori triage` (and of hunt/scan/harden --triage): one decision per finding.
//   jsonl — one object per finding: `finding` (the finding as read), `verdicts` (analyst, label, confidence,
//           rationale, evidence, latencyMs, tokens {input, output}, costUsd?, abstained?, requestIds?, model?),
//           `outcome`, `policy` {name, version}, `reason`, `time`. A contract (docs/triage.md).
//   table — a line per finding, then the counts per outcome, the cost and the time.
import type { Decision, Finding, Outcome, Verdict } from '../../core/index.ts';

export type TriageRecord = {
  readonly finding: Finding;
  readonly verdicts: readonly ReturnType<typeof verdictOut>[];
  readonly outcome: Outcome;
  readonly policy: Decision['policy'];
  readonly reason: string;
  readonly time: string;
};

function verdictOut(v: Verdict) {
  return {
    analyst: v.analyst,
    label: v.label,
    confidence: v.confidence,
    rationale: v.rationale,
    evidence: v.evidence,
    latencyMs: Math.round(v.latencyMs),
    tokens: { input: v.cost.inputTokens, output: v.cost.outputTokens },
    ...(v.cost.usd === undefined ? {} : { costUsd: v.cost.usd }),
    ...(v.cost.priceTable === undefined ? {} : { priceTable: v.cost.priceTable }),
    ...(v.abstained ? { abstained: v.abstained } : {}),
    ...(v.requestIds?.length ? { requestIds: v.requestIds } : {}),
    ...(v.model === undefined ? {} : { model: v.model }),
  };
}

export function triageRecord(finding: Finding, d: Decision): TriageRecord {
  return {
    finding,
    verdicts: d.verdicts.map(verdictOut),
    outcome: d.outcome,
    policy: d.policy,
    reason: d.reason,
    time: d.time,
  };
}

const MARK: Record<Outcome, string> = { escalate: 'ESCALATE', review: 'review  ', suppress: 'suppress' };

function short(v: Verdict): string {
  if (v.abstained) return `${v.analyst}=abstain(${v.abstained.reason})`;
  return `${v.analyst}=${v.label}@${v.confidence.toFixed(2)}`;
}

/** One table line per decision. */
export function tableLine(finding: Finding, d: Decision): string {
  const title = finding.title.length > 60 ? `${finding.title.slice(0, 59)}…` : finding.title;
  return `${MARK[d.outcome]}  ${finding.severity.padEnd(13)} ${title}  [${finding.asset.name}]  ${d.verdicts.map(short).join(' ')}`;
}

/** Running totals for the closing summary. */
export class TriageTotals {
  readonly outcomes: Record<Outcome, number> = { escalate: 0, review: 0, suppress: 0 };
  usd = 0;
  unpriced = 0;
  tokens = 0;
  abstentions = 0;
  add(d: Decision): void {
    this.outcomes[d.outcome]++;
    for (const v of d.verdicts) {
      if (v.abstained) this.abstentions++;
      this.tokens += v.cost.inputTokens + v.cost.outputTokens;
      if (v.cost.usd !== undefined) this.usd += v.cost.usd;
      else if (v.cost.inputTokens + v.cost.outputTokens > 0) this.unpriced++;
    }
  }
  summary(policy: Decision['policy'] | undefined, seconds: number): string {
    const n = this.outcomes.escalate + this.outcomes.review + this.outcomes.suppress;
    const cost = `$${this.usd.toFixed(4)}${this.unpriced ? ` (+${this.unpriced} verdicts from models with no price)` : ''}`;
    return (
      `${n} findings: ${this.outcomes.escalate} escalate, ${this.outcomes.review} review, ${this.outcomes.suppress} suppress` +
      `${policy ? ` (policy ${policy.name}@${policy.version})` : ''}; ${this.abstentions} abstentions; ` +
      `${this.tokens} tokens, ${cost}; ${seconds.toFixed(1)} s`
    );
  }
}
