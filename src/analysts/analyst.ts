import type { Finding, Verdict } from '../core/index.ts';

/** What an analyst gets beside the finding: a deadline, a clock, and facts the caller knows. */
export type AnalystContext = {
  /** Aborted when the finding's deadline passes or the run is cancelled; an analyst must stop then. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds by which the verdict is due. */
  readonly deadline: number;
  /** Injected clock (epoch ms), so latencies and tests are reproducible. */
  readonly now: () => number;
};

/**
 * One independent judge of findings. An analyst never sees another analyst's verdict. It resolves with a Verdict
 * (an abstention when it cannot answer) and does not throw for a provider's failure: errors become abstentions
 * with their reason, so a run always has one verdict per analyst per finding.
 */
export interface Analyst {
  /** As the command line spells it: `builtin-rules`, `openai:gpt-4.1-mini`, `openai-compatible:llama3@http://...`. */
  readonly name: string;
  judge(finding: Finding, ctx: AnalystContext): Promise<Verdict>;
  /** Called once before a batch (e.g. to build a fleet baseline from all findings of the run). */
  prepare?(findings: readonly Finding[]): Promise<void> | void;
  /** Releases connections, flushes history. */
  close?(): Promise<void> | void;
}

/**
 * Masks secrets, credentials, personal data and (configurably) internal host names and addresses in a JSON value
 * before it leaves the machine. Consistent: the same secret gets the same mask within one redactor, so a model can
 * still see that two events share a user or host. The mapping mask → original stays in the process (and, when the
 * caller asks, in a local file), never in what is sent.
 */
export interface Redactor {
  /** A deep copy of `value` with every string masked; keys are kept, except where a key itself is sensitive. */
  redact<T>(value: T): T;
  /** Puts originals back into a model's text (a rationale quoting `<user-1>`), for local display only. */
  restore(text: string): string;
}
