// What `mamori eval` reports: for each analyst alone and for each consensus policy over the same verdicts, how
// often a malicious case is escalated (true positives), a benign one escalated (false positives), a malicious one
// suppressed (the miss that hurts), how often a person is asked, abstentions, how often every analyst is wrong at
// once, and what a finding costs in money and waiting. Rates carry 95% Wilson score intervals: the sets are small
// and the rates near 0 or 1, where the normal approximation is wrong.
import type { Decision, Outcome, Verdict } from '../../core/index.ts';
import { decide, type PolicySpec } from '../consensus/policy.ts';

export type Truth = 'malicious' | 'benign';

/** One judged case: the truth and every analyst's verdict on its finding. */
export type JudgedCase = { readonly truth: Truth; readonly verdicts: readonly Verdict[] };

export type Rate = {
  readonly k: number;
  readonly n: number;
  readonly rate: number;
  readonly low: number;
  readonly high: number;
};

export type Row = {
  /** `analyst:<name>` for one analyst alone, `policy:<name>@<version>` for a policy. */
  readonly who: string;
  readonly cases: number;
  readonly truePositive: Rate;
  readonly falsePositive: Rate;
  /** Malicious cases suppressed: the error consensus must not buy its lower false-positive rate with. */
  readonly missed: Rate;
  readonly toHuman: Rate;
  /** Verdicts that were abstentions, over all verdicts the row used. */
  readonly abstentions: Rate;
  readonly costUsdPerFinding: number;
  /** Whether every verdict used had a price (else cost is a lower bound). */
  readonly costComplete: boolean;
  readonly tokensPerFinding: number;
  readonly latencyMsMean: number;
  readonly latencyMsP95: number;
};

export type Report = {
  readonly cases: number;
  readonly malicious: number;
  readonly benign: number;
  readonly analysts: readonly string[];
  readonly rows: readonly Row[];
  /** Cases where every analyst gave a definite label and all were wrong: no policy can save those. */
  readonly allWrong: Rate;
};

const Z = 1.959964;

/** k of n with its 95% Wilson score interval (n = 0 gives the whole of [0, 1]). */
export function wilson(k: number, n: number): Rate {
  if (n === 0) return { k, n, rate: 0, low: 0, high: 1 };
  const p = k / n;
  const z2 = Z * Z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (Z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { k, n, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** One analyst taken alone, as a policy: malicious escalates, benign suppresses, anything else asks a person. */
export function soloOutcome(v: Verdict): Outcome {
  if (v.abstained) return 'review';
  return v.label === 'malicious' ? 'escalate' : v.label === 'benign' ? 'suppress' : 'review';
}

function p95(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
}

function row(
  who: string,
  cases: readonly JudgedCase[],
  outcomes: readonly Outcome[],
  used: readonly (readonly Verdict[])[],
): Row {
  const mal = cases.filter((c) => c.truth === 'malicious').length;
  const ben = cases.length - mal;
  let tp = 0;
  let fp = 0;
  let miss = 0;
  let human = 0;
  cases.forEach((c, i) => {
    const o = outcomes[i]!;
    if (o === 'review') human++;
    if (c.truth === 'malicious' && o === 'escalate') tp++;
    if (c.truth === 'benign' && o === 'escalate') fp++;
    if (c.truth === 'malicious' && o === 'suppress') miss++;
  });
  const all = used.flat();
  const latencies = used.map((vs) => Math.max(0, ...vs.map((v) => v.latencyMs)));
  const usd = all.reduce((s, v) => s + (v.cost.usd ?? 0), 0);
  const tokens = all.reduce((s, v) => s + v.cost.inputTokens + v.cost.outputTokens, 0);
  const n = Math.max(1, cases.length);
  return {
    who,
    cases: cases.length,
    truePositive: wilson(tp, mal),
    falsePositive: wilson(fp, ben),
    missed: wilson(miss, mal),
    toHuman: wilson(human, cases.length),
    abstentions: wilson(all.filter((v) => v.abstained).length, all.length),
    costUsdPerFinding: usd / n,
    // an offline analyst (no tokens) costs nothing; a model verdict without a price leaves the sum incomplete
    costComplete: all.every((v) => v.cost.usd !== undefined || v.cost.inputTokens + v.cost.outputTokens === 0),
    tokensPerFinding: tokens / n,
    latencyMsMean: latencies.reduce((s, x) => s + x, 0) / n,
    latencyMsP95: p95(latencies),
  };
}

/** The report over judged cases: a row per analyst (in the order of the first case's verdicts), then per policy. */
export function evaluate(cases: readonly JudgedCase[], policies: readonly PolicySpec[]): Report {
  const analysts = cases[0]?.verdicts.map((v) => v.analyst) ?? [];
  const rows: Row[] = [];
  for (const name of analysts) {
    const mine = cases.map((c) => c.verdicts.filter((v) => v.analyst === name));
    rows.push(
      row(
        `analyst:${name}`,
        cases,
        mine.map((vs) => (vs[0] ? soloOutcome(vs[0]) : 'review')),
        mine,
      ),
    );
  }
  for (const p of policies)
    rows.push(
      row(
        `policy:${p.name}@${p.version}`,
        cases,
        cases.map((c) => decide(p, c.verdicts).outcome),
        cases.map((c) => c.verdicts),
      ),
    );
  const allWrong = cases.filter(
    (c) =>
      c.verdicts.length > 0 &&
      c.verdicts.every((v) => !v.abstained && v.label !== 'needs-human' && v.label !== c.truth),
  ).length;
  const malicious = cases.filter((c) => c.truth === 'malicious').length;
  return {
    cases: cases.length,
    malicious,
    benign: cases.length - malicious,
    analysts,
    rows,
    allWrong: wilson(allWrong, cases.length),
  };
}

/** The decisions of a triage run as judged cases (truth looked up by finding id). */
export function judged(decisions: readonly Decision[], truth: ReadonlyMap<string, Truth>): JudgedCase[] {
  return decisions.flatMap((d) => {
    const t = truth.get(d.findingId);
    return t ? [{ truth: t, verdicts: d.verdicts }] : [];
  });
}

const pct = (r: Rate): string =>
  r.n === 0 ? '–' : `${(100 * r.rate).toFixed(1)}% [${(100 * r.low).toFixed(1)}–${(100 * r.high).toFixed(1)}]`;

/** The report as a Markdown table (what `mamori eval` prints by default). */
export function renderReport(r: Report): string {
  const lines = [
    `${r.cases} cases (${r.malicious} malicious, ${r.benign} benign); analysts: ${r.analysts.join(', ')}`,
    '',
    '| analyst / policy | true positives | false positives | missed (malicious suppressed) | to a human | abstentions | cost / finding | latency / finding (mean, p95) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const x of r.rows) {
    const cost = `$${x.costUsdPerFinding.toFixed(5)}${x.costComplete ? '' : ' (≥, unpriced model)'}${x.tokensPerFinding ? `, ${Math.round(x.tokensPerFinding)} tokens` : ''}`;
    lines.push(
      `| ${x.who} | ${pct(x.truePositive)} | ${pct(x.falsePositive)} | ${pct(x.missed)} | ${pct(x.toHuman)} | ${pct(x.abstentions)} | ${cost} | ${Math.round(x.latencyMsMean)} ms, ${Math.round(x.latencyMsP95)} ms |`,
    );
  }
  lines.push('', `All analysts wrong together: ${pct(r.allWrong)} of cases (no policy can catch these).`);
  lines.push('Rates with 95% Wilson intervals; false positives = benign cases escalated.');
  return lines.join('\n');
}
