import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FindingId, Verdict, VerdictLabel } from '../../core/index.ts';
import { BUILTIN_POLICIES, decide, findPolicy, PolicySpec } from './policy.ts';

const id = 'f-1' as FindingId;
function v(analyst: string, label: VerdictLabel | 'abstain', confidence = 0.9): Verdict {
  const base = {
    findingId: id,
    analyst,
    rationale: 'r',
    evidence: [],
    latencyMs: 1,
    cost: { inputTokens: 0, outputTokens: 0 },
  };
  return label === 'abstain'
    ? { ...base, label: 'needs-human', confidence: 0, abstained: { reason: 'timeout', detail: 'late' } }
    : { ...base, label, confidence };
}
const p = (name: string): PolicySpec => findPolicy(name)!;

describe('consensus policies', () => {
  const cases: [policy: string, verdicts: Verdict[], outcome: string][] = [
    ['unanimous', [v('a', 'malicious'), v('b', 'malicious')], 'escalate'],
    ['unanimous', [v('a', 'benign'), v('b', 'benign')], 'suppress'],
    ['unanimous', [v('a', 'malicious'), v('b', 'benign')], 'review'],
    ['unanimous', [v('a', 'malicious'), v('b', 'abstain')], 'review'],
    ['unanimous', [v('a', 'malicious'), v('b', 'needs-human')], 'review'],
    // below minConfidence (0.5) is no vote
    ['unanimous', [v('a', 'malicious'), v('b', 'malicious', 0.4)], 'review'],
    ['unanimous', [], 'review'],
    ['majority', [v('a', 'malicious'), v('b', 'malicious'), v('c', 'abstain')], 'escalate'],
    ['majority', [v('a', 'benign'), v('b', 'benign'), v('c', 'needs-human')], 'suppress'],
    ['majority', [v('a', 'malicious'), v('b', 'benign'), v('c', 'benign')], 'review'],
    ['majority', [v('a', 'malicious'), v('b', 'abstain'), v('c', 'abstain')], 'review'],
    ['majority', [v('a', 'malicious'), v('b', 'malicious')], 'escalate'],
    ['weighted', [v('a', 'malicious', 0.9), v('b', 'malicious', 0.6)], 'escalate'],
    ['weighted', [v('a', 'malicious', 0.9), v('b', 'abstain')], 'review'],
    ['weighted', [v('a', 'benign', 0.8), v('b', 'benign', 0.7)], 'suppress'],
    ['weighted', [v('a', 'benign', 0.8), v('b', 'malicious', 0.7)], 'review'],
    ['any', [v('a', 'malicious'), v('b', 'benign')], 'review'],
    ['any', [v('a', 'malicious'), v('b', 'needs-human')], 'escalate'],
    ['any', [v('a', 'benign'), v('b', 'benign')], 'suppress'],
  ];
  for (const [policy, verdicts, outcome] of cases) {
    const labels = verdicts.map((x) => `${x.abstained ? 'abstain' : x.label}@${x.confidence}`).join(',');
    it(`${policy}: [${labels}] → ${outcome}`, () => {
      const d = decide(p(policy), verdicts);
      assert.equal(d.outcome, outcome, d.reason);
      assert.ok(d.reason.length > 0);
    });
  }

  it('outvote lets the quorum decide a split; both sides reaching k is still review', () => {
    const two = PolicySpec.parse({ kind: 'quorum', name: 'two', k: 2, disagreement: 'outvote' });
    assert.equal(decide(two, [v('a', 'malicious'), v('b', 'malicious'), v('c', 'benign')]).outcome, 'escalate');
    const one = PolicySpec.parse({ kind: 'quorum', name: 'one', k: 1, disagreement: 'outvote' });
    assert.equal(decide(one, [v('a', 'malicious'), v('b', 'benign')]).outcome, 'review');
  });
  it('weights: a trusted analyst outweighs an unsure one', () => {
    const w = PolicySpec.parse({
      kind: 'weighted',
      name: 'trust-a',
      weights: { a: 3, b: 1 },
      disagreement: 'outvote',
    });
    // (3 × 0.95 − 1 × 0.6) / 4 = 0.56
    assert.equal(decide(w, [v('a', 'malicious', 0.95), v('b', 'benign', 0.6)]).outcome, 'escalate');
    assert.equal(decide(w, [v('a', 'benign', 0.95), v('b', 'malicious', 0.6)]).outcome, 'suppress');
  });
  it('policies are validated data with a name and version', () => {
    assert.throws(() => PolicySpec.parse({ kind: 'quorum', name: 'x' }), /k/);
    assert.throws(() => PolicySpec.parse({ kind: 'vote', name: 'x' }));
    assert.throws(() => PolicySpec.parse({ kind: 'unanimous', name: 'Bad Name' }));
    assert.throws(() => PolicySpec.parse({ kind: 'unanimous', name: 'x', extra: 1 }));
    assert.deepEqual(
      BUILTIN_POLICIES.map((x) => `${x.name}@${x.version}`),
      ['unanimous@1', 'majority@1', 'weighted@1', 'any@1'],
    );
    const mine = PolicySpec.parse({ kind: 'unanimous', name: 'unanimous', version: 2, minConfidence: 0.8 });
    assert.equal(findPolicy('unanimous', [mine])?.version, '2');
    assert.equal(findPolicy('nope'), undefined);
  });
});
