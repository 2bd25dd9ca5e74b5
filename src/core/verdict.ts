import { z } from 'zod';
import type { FindingId } from './ids.ts';

/** What an analyst says of a finding. `needs-human` is a real answer ("I cannot tell"), not a failure. */
export const VERDICT_LABELS = ['malicious', 'benign', 'needs-human'] as const;
export type VerdictLabel = (typeof VERDICT_LABELS)[number];

/**
 * Why an analyst gave no verdict. An abstention is never a guess: its label is `needs-human` and its confidence 0,
 * so a consumer that reads only `label` fails closed.
 */
export const ABSTENTION_REASONS = ['schema', 'timeout', 'refusal', 'rate-limit', 'unavailable', 'error'] as const;
export type AbstentionReason = (typeof ABSTENTION_REASONS)[number];

/** Tokens and money one verdict cost (0 for offline analysts). */
export type VerdictCost = {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** US dollars, from the versioned price table; undefined when the model has no price there. */
  readonly usd?: number;
  /** Version of the price table the money came from. */
  readonly priceTable?: string;
};

/** One analyst's judgement of one finding. */
export type Verdict = {
  readonly findingId: FindingId;
  /** The analyst's name as the command line spells it: `builtin-rules`, `openai:gpt-4.1-mini`, ... */
  readonly analyst: string;
  readonly label: VerdictLabel;
  /** 0..1: how sure the analyst is of `label`. 0 for an abstention. */
  readonly confidence: number;
  /** A short reason, in the analyst's words (for models: their text, after schema validation; untrusted). */
  readonly rationale: string;
  /** What it relied on: paths into the finding (`evidence[0].data.Event.EventData.CommandLine`) or short facts. */
  readonly evidence: readonly string[];
  readonly latencyMs: number;
  readonly cost: VerdictCost;
  /** Set when the analyst gave no verdict; then label is `needs-human` and confidence 0. */
  readonly abstained?: { readonly reason: AbstentionReason; readonly detail: string };
  /** Provider request ids, one per HTTP attempt that got a reply (for the provider's support and the audit). */
  readonly requestIds?: readonly string[];
  /** The model that answered, as the provider names it. */
  readonly model?: string;
};

/** What the consensus policy decided for a finding. */
export const OUTCOMES = ['escalate', 'suppress', 'review'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type Decision = {
  readonly findingId: FindingId;
  readonly outcome: Outcome;
  readonly policy: { readonly name: string; readonly version: string };
  /** Why, in one line: which analysts agreed, what the policy needed. */
  readonly reason: string;
  readonly verdicts: readonly Verdict[];
  /** ISO 8601 UTC. */
  readonly time: string;
};

/**
 * The part of a verdict a model must return (strict: our own schema, every field required, nothing else).
 * Sent to providers as the JSON schema of a structured output.
 */
export const ModelVerdict = z
  .object({
    label: z.enum(VERDICT_LABELS),
    confidence: z.number().min(0).max(1),
    rationale: z.string().min(1).max(2000),
    evidence: z.array(z.string().max(300)).max(20),
  })
  .strict();
export type ModelVerdict = z.infer<typeof ModelVerdict>;
