import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FindingId, Verdict, VerdictLabel } from '../../core/index.ts';
import { findPolicy } from '../consensus/policy.ts';
import { evaluate, renderReport, wilson, type JudgedCase, type Truth } from './metrics.ts';

function v(analyst: string, label: VerdictLabel | 'abstain', extra: Partial<Verdict> = {}): Verdict {
  const base = {
    findingId: 'f' as FindingId,
    analyst,
    rationale: '',
    evidence: [],
    latencyMs: 10,
    cost: { inputTokens: 0, outputTokens: 0 },
    ...extra,
  };
  return label === 'abstain'
    ? { ...base, label: 'needs-human', confidence: 0, abstained: { reason: 'schema', detail: 'x' } }
    : { ...base, label, confidence: 0.9 };
}
const c = (truth: Truth, ...verdicts: Verdict[]): JudgedCase => ({ truth, verdicts });

describe('eval metrics', () => {
  it('Wilson intervals match published values', () => {
    // Newcombe (1998), table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/10 → 0–0.2775
    const a = wilson(81, 263);
    assert.ok(Math.abs(a.low - 0.2553) < 5e-4 && Math.abs(a.high - 0.3662) < 5e-4, JSON.stringify(a));
    const b = wilson(15, 148);
    assert.ok(Math.abs(b.low - 0.0624) < 5e-4 && Math.abs(b.high - 0.1605) < 5e-4, JSON.stringify(b));
    const z = wilson(0, 10);
    assert.ok(z.low === 0 && Math.abs(z.high - 0.2775) < 5e-4, JSON.stringify(z));
    assert.deepEqual(wilson(0, 0), { k: 0, n: 0, rate: 0, low: 0, high: 1 });
  });

  it('consensus cuts false positives where analysts fail differently, and counts the joint errors', () => {
    const cases = [
      c('malicious', v('a', 'malicious'), v('b', 'malicious')),
      c('malicious', v('a', 'malicious'), v('b', 'benign')),
      c('malicious', v('a', 'benign'), v('b', 'benign')), // both wrong
      c('benign', v('a', 'malicious'), v('b', 'benign')), // a's false positive
      c('benign', v('a', 'benign'), v('b', 'malicious')), // b's false positive
      c('benign', v('a', 'benign'), v('b', 'abstain', { latencyMs: 900 })),
      c('benign', v('a', 'malicious'), v('b', 'malicious')), // both wrong
    ];
    const r = evaluate(cases, [findPolicy('unanimous')!, findPolicy('any')!]);
    const by = Object.fromEntries(r.rows.map((x) => [x.who, x]));
    assert.deepEqual(Object.keys(by), ['analyst:a', 'analyst:b', 'policy:unanimous@1', 'policy:any@1']);
    assert.equal(by['analyst:a']!.falsePositive.k, 2);
    assert.equal(by['analyst:b']!.falsePositive.k, 2);
    assert.equal(by['policy:unanimous@1']!.falsePositive.k, 1, 'only the joint error gets through');
    assert.equal(by['policy:any@1']!.falsePositive.k, 1, 'any: a split is a disagreement → review by default');
    assert.equal(by['policy:unanimous@1']!.truePositive.k, 1);
    assert.equal(by['policy:unanimous@1']!.missed.k, 1);
    assert.equal(by['policy:unanimous@1']!.toHuman.k, 4);
    assert.equal(by['analyst:b']!.abstentions.k, 1);
    assert.equal(by['policy:unanimous@1']!.abstentions.n, 14);
    assert.equal(r.allWrong.k, 2);
    // a policy's latency per finding is its slowest analyst's
    assert.equal(by['policy:unanimous@1']!.latencyMsP95, 900);
    assert.equal(by['analyst:a']!.latencyMsP95, 10);
    const text = renderReport(r);
    assert.match(text, /7 cases \(3 malicious, 4 benign\); analysts: a, b/);
    assert.match(text, /\| policy:unanimous@1 \| 33\.3% \[/);
    assert.match(text, /All analysts wrong together: 28\.6%/);
  });

  it('costs: priced models add up; an unpriced model marks the sum as a lower bound', () => {
    const priced = v('m', 'malicious', { cost: { inputTokens: 1000, outputTokens: 100, usd: 0.002 } });
    const unpriced = v('n', 'malicious', { cost: { inputTokens: 500, outputTokens: 50 } });
    const r = evaluate([c('malicious', priced, unpriced), c('benign', priced, unpriced)], [findPolicy('majority')!]);
    const pol = r.rows.find((x) => x.who.startsWith('policy:'))!;
    assert.equal(pol.costUsdPerFinding, 0.002);
    assert.equal(pol.tokensPerFinding, 1650);
    assert.equal(pol.costComplete, false);
    assert.equal(r.rows[0]!.costComplete, true);
  });
});
