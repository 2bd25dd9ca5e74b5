import type { Finding, Verdict } from '../../../core/index.ts';
import type { Analyst, AnalystContext } from '../../analyst.ts';
import { guardedJudge } from '../verdict.ts';
import { viewOf } from '../view.ts';
import type { KnownBenignPattern } from './known-benign.ts';
import { scoreFinding } from './score.ts';

/**
 * `builtin-rules`: judges a finding from what the rule says of itself (level, status, ATT&CK tactics, the false
 * positives its authors expect), the asset's criticality, kind-specific facts (CVSS vector, fix, VEX; verified
 * patch, baseline profile) and the known-benign patterns. Stateless and synchronous underneath; offline.
 */
export class BuiltinRulesAnalyst implements Analyst {
  readonly name = 'builtin-rules';
  readonly #patterns: readonly KnownBenignPattern[];

  constructor(patterns: readonly KnownBenignPattern[]) {
    this.#patterns = patterns;
  }

  judge(finding: Finding, ctx: AnalystContext): Promise<Verdict> {
    return Promise.resolve(
      guardedJudge(this.name, finding, ctx, () => scoreFinding(viewOf(finding), this.#patterns, ctx.now())),
    );
  }
}
