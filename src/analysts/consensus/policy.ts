// Consensus policies: how independent verdicts become one outcome. Policies are data (mamori.yaml `policies:`),
// versioned, and every Decision names the policy and version that made it, so an auditor can replay it.
//
// Votes: a verdict counts as a vote for its label only when the analyst did not abstain and its confidence
// reaches the policy's `minConfidence`; `needs-human`, abstentions and unsure verdicts are "no vote". Fail closed:
// whatever a policy cannot settle goes to `review`, and a disagreement (someone says malicious, someone benign)
// goes to `review` unless the policy says `disagreement: outvote`.
import { z } from 'zod';
import type { Outcome, Verdict } from '../../core/index.ts';

const common = {
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ -'),
  version: z.coerce.string().default('1'),
  description: z.string().optional(),
  /** A verdict below this confidence is no vote. */
  minConfidence: z.number().min(0).max(1).default(0.5),
  /** `review` (default): any malicious-vs-benign split goes to a person. `outvote`: the rule decides. */
  disagreement: z.enum(['review', 'outvote']).default('review'),
};

export const PolicySpec = z.discriminatedUnion('kind', [
  /** Every analyst must vote the same way (an abstention breaks unanimity). */
  z.object({ kind: z.literal('unanimous'), ...common }).strict(),
  /** k of the analysts must vote the same way (`k: majority` = more than half of those asked). */
  z
    .object({
      kind: z.literal('quorum'),
      ...common,
      k: z.union([z.number().int().min(1), z.literal('majority')]),
    })
    .strict(),
  /**
   * Score = Σ weight × confidence × (+1 malicious, −1 benign, 0 no vote) / Σ weight over every analyst asked (an
   * abstaining analyst lowers the score's size). escalate at score ≥ escalateAt, suppress at score ≤ −suppressAt.
   */
  z
    .object({
      kind: z.literal('weighted'),
      ...common,
      weights: z.record(z.string(), z.number().min(0)).default({}),
      /** Weight of an analyst the table does not name. */
      defaultWeight: z.number().min(0).default(1),
      escalateAt: z.number().gt(0).max(1).default(0.5),
      suppressAt: z.number().gt(0).max(1).default(0.5),
    })
    .strict(),
  /** The single-analyst baseline: any malicious vote escalates, all benign suppresses (for comparison). */
  z.object({ kind: z.literal('any'), ...common }).strict(),
]);
export type PolicySpec = z.infer<typeof PolicySpec>;

/** The policies every installation has; mamori.yaml may add more or replace these by name. */
export const BUILTIN_POLICIES: readonly PolicySpec[] = [
  PolicySpec.parse({
    kind: 'unanimous',
    name: 'unanimous',
    description: 'escalate or suppress only when every analyst agrees; anything else goes to a person',
  }),
  PolicySpec.parse({
    kind: 'quorum',
    name: 'majority',
    k: 'majority',
    description: 'more than half of the analysts decide; a malicious-vs-benign split goes to a person',
  }),
  PolicySpec.parse({
    kind: 'weighted',
    name: 'weighted',
    description: 'confidence-weighted vote of equal-weight analysts; a split goes to a person',
  }),
  PolicySpec.parse({
    kind: 'any',
    name: 'any',
    description: 'escalate when any analyst says malicious (no false-positive filtering; the baseline)',
  }),
];

export const DEFAULT_POLICY = 'unanimous';

export type Tally = { readonly malicious: number; readonly benign: number; readonly none: number };

/** Counts votes as the policy sees them. */
export function tally(policy: PolicySpec, verdicts: readonly Verdict[]): Tally {
  let malicious = 0;
  let benign = 0;
  for (const v of verdicts) {
    if (!votes(policy, v)) continue;
    if (v.label === 'malicious') malicious++;
    else if (v.label === 'benign') benign++;
  }
  return { malicious, benign, none: verdicts.length - malicious - benign };
}

function votes(policy: PolicySpec, v: Verdict): boolean {
  return v.abstained === undefined && v.label !== 'needs-human' && v.confidence >= policy.minConfidence;
}

/** The outcome for one finding, and why in one line. Never throws; with no verdicts at all: review. */
export function decide(policy: PolicySpec, verdicts: readonly Verdict[]): { outcome: Outcome; reason: string } {
  const n = verdicts.length;
  const t = tally(policy, verdicts);
  const counts = `${t.malicious} malicious, ${t.benign} benign, ${t.none} no vote of ${n}`;
  if (n === 0) return { outcome: 'review', reason: 'no analyst gave a verdict' };
  const split = t.malicious > 0 && t.benign > 0;
  if (split && policy.disagreement === 'review')
    return { outcome: 'review', reason: `analysts disagree (${counts}): a person decides` };
  switch (policy.kind) {
    case 'unanimous':
      if (t.malicious === n) return { outcome: 'escalate', reason: `all ${n} analysts say malicious` };
      if (t.benign === n) return { outcome: 'suppress', reason: `all ${n} analysts say benign` };
      return { outcome: 'review', reason: `not unanimous (${counts})` };
    case 'any':
      if (t.malicious > 0) return { outcome: 'escalate', reason: `an analyst says malicious (${counts})` };
      if (t.benign === n) return { outcome: 'suppress', reason: `all ${n} analysts say benign` };
      return { outcome: 'review', reason: `no malicious vote, not all benign (${counts})` };
    case 'quorum': {
      const k = policy.k === 'majority' ? Math.floor(n / 2) + 1 : policy.k;
      const esc = t.malicious >= k;
      const sup = t.benign >= k;
      // k ≤ n/2 lets both sides reach the quorum: that is a disagreement whatever `disagreement` says
      if (esc && sup) return { outcome: 'review', reason: `both sides reach ${k} of ${n} (${counts})` };
      if (esc) return { outcome: 'escalate', reason: `${t.malicious} of ${n} say malicious (quorum ${k})` };
      if (sup) return { outcome: 'suppress', reason: `${t.benign} of ${n} say benign (quorum ${k})` };
      return { outcome: 'review', reason: `no side reaches ${k} of ${n} (${counts})` };
    }
    case 'weighted': {
      let sum = 0;
      let total = 0;
      for (const v of verdicts) {
        const w = policy.weights[v.analyst] ?? policy.defaultWeight;
        total += w;
        if (!votes(policy, v)) continue;
        sum += w * v.confidence * (v.label === 'malicious' ? 1 : v.label === 'benign' ? -1 : 0);
      }
      const score = total === 0 ? 0 : sum / total;
      const s = score.toFixed(2);
      if (score >= policy.escalateAt)
        return { outcome: 'escalate', reason: `weighted score ${s} ≥ ${policy.escalateAt} (${counts})` };
      if (score <= -policy.suppressAt)
        return { outcome: 'suppress', reason: `weighted score ${s} ≤ −${policy.suppressAt} (${counts})` };
      return { outcome: 'review', reason: `weighted score ${s} between the thresholds (${counts})` };
    }
  }
}

/** Every policy name a run can use: the built-in ones, then those the configuration adds. */
export function policyNames(configured: readonly PolicySpec[] = []): string[] {
  return [...new Set([...BUILTIN_POLICIES, ...configured].map((p) => p.name))];
}

/** The policy of that name: from the configuration first, then the built-in ones. */
export function findPolicy(name: string, configured: readonly PolicySpec[] = []): PolicySpec | undefined {
  return configured.find((p) => p.name === name) ?? BUILTIN_POLICIES.find((p) => p.name === name);
}
