// guardedJudge: the one way the built-in analysts make a Verdict. Bounded text, rounded confidence, zero cost,
// and an abort or a bug becomes an abstention (needs-human, confidence 0), never a throw or a guess.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelVerdict } from '../../core/verdict.ts';
import { abortedCtx, ctx, NOW } from './test-helpers.ts';
import { cannotJudge, guardedJudge, roundConfidence, type Judgement } from './verdict.ts';
import { hostKey, viewOf } from './view.ts';

const finding = { id: 'f-0123456789abcdef0123456789abcdef' };
const ok = (j: Partial<Judgement> = {}): (() => Judgement) => {
  return () => ({ label: 'malicious', confidence: 0.7, rationale: 'r', evidence: ['rule.level'], ...j });
};

describe('guardedJudge', () => {
  it('bounds the rationale and evidence as the model verdict schema does', () => {
    const v = guardedJudge(
      'builtin-rules',
      finding,
      ctx(),
      ok({ rationale: 'x'.repeat(5000), evidence: Array.from({ length: 50 }, (_, i) => `${i}:${'e'.repeat(1000)}`) }),
    );
    assert.equal(v.rationale.length, 2000);
    assert.ok(v.rationale.endsWith('…'));
    assert.equal(v.evidence.length, 20);
    assert.ok(v.evidence.every((e) => e.length === 300 && e.endsWith('…')));
    assert.ok(v.evidence[0]!.startsWith('0:'));
    // what the built-ins return would pass the schema a model's answer must pass
    assert.equal(
      ModelVerdict.safeParse({
        label: v.label,
        confidence: v.confidence,
        rationale: v.rationale,
        evidence: v.evidence,
      }).success,
      true,
    );
  });

  it('rounds and clamps confidence; costs nothing; measures latency on the given clock', () => {
    let t = NOW;
    const c = { ...ctx(), now: () => (t += 7) };
    const v = guardedJudge('builtin-rarity', finding, c, ok({ confidence: 0.123456 }));
    assert.equal(v.confidence, 0.123);
    assert.equal(v.latencyMs, 7);
    assert.deepEqual(v.cost, { inputTokens: 0, outputTokens: 0, usd: 0 });
    assert.equal(v.findingId, finding.id);
    assert.equal(v.analyst, 'builtin-rarity');
    assert.equal(v.abstained, undefined);
    assert.equal(guardedJudge('a', finding, ctx(), ok({ confidence: 7 })).confidence, 1);
    assert.equal(guardedJudge('a', finding, ctx(), ok({ confidence: -1 })).confidence, 0);
    assert.equal(guardedJudge('a', finding, ctx(), ok({ confidence: Number.NaN })).confidence, 0);
    assert.equal(roundConfidence(0.9996), 1);
    assert.equal(roundConfidence(Infinity), 0);
  });

  it('an aborted signal is a timeout abstention, and the score is not run', () => {
    let ran = false;
    const v = guardedJudge('builtin-rules', finding, abortedCtx(), () => {
      ran = true;
      return ok()();
    });
    assert.equal(ran, false);
    assert.equal(v.label, 'needs-human');
    assert.equal(v.confidence, 0);
    assert.equal(v.abstained?.reason, 'timeout');
    assert.match(v.abstained!.detail, /deadline/);
  });

  it('an exception is an error abstention naming it, never a throw', () => {
    const v = guardedJudge('builtin-rules', finding, ctx(), () => {
      throw new TypeError(`cannot read ${'y'.repeat(1000)}`);
    });
    assert.equal(v.label, 'needs-human');
    assert.equal(v.confidence, 0);
    assert.equal(v.abstained?.reason, 'error');
    assert.match(v.abstained!.detail, /^internal error: cannot read y+/);
    assert.ok(v.abstained!.detail.length <= 500);
    const s = guardedJudge('x', 'not a finding', ctx(), () => {
      throw 'a string';
    });
    assert.equal(s.findingId, '');
    assert.equal(s.abstained?.detail, 'internal error: a string');
  });

  it('cannotJudge is needs-human with confidence 0 (not an abstention)', () => {
    const v = guardedJudge('x', finding, ctx(), () => cannotJudge('no rule', ['rule']));
    assert.equal(v.label, 'needs-human');
    assert.equal(v.confidence, 0);
    assert.deepEqual(v.evidence, ['rule']);
    assert.equal(v.abstained, undefined);
  });
});

describe('viewOf and hostKey', () => {
  it('reads ECS, Winlogbeat and matched fields with their paths', () => {
    const ecs = viewOf({
      id: 'f-1',
      kind: 'detection',
      severity: 'high',
      rule: { id: 'r', title: 't', level: 'high', tags: ['ATTACK.Execution'], status: 'Stable' },
      asset: { kind: 'host', name: 'unknown' },
      evidence: [
        {
          source: { file: 'x.ndjson' },
          time: '2026-11-25T10:00:00Z',
          data: {
            process: {
              executable: '/usr/bin/curl',
              command_line: 'curl -s http://x',
              parent: { executable: '/bin/sh' },
            },
            user: { name: 'alice' },
            host: { name: 'web-01' },
          },
        },
      ],
    });
    assert.equal(ecs.facts.image?.value, '/usr/bin/curl');
    assert.equal(ecs.facts.image?.path, 'evidence[0].data.process.executable');
    assert.equal(ecs.facts.parentImage?.value, '/bin/sh');
    assert.equal(ecs.facts.user?.value, 'alice');
    // the asset says "unknown": the record's host name counts
    assert.equal(ecs.facts.host?.value, 'web-01');
    assert.deepEqual(ecs.tags, ['attack.execution']);
    assert.equal(ecs.status, 'stable');
    assert.equal(ecs.timeMs, NOW);

    const wl = viewOf({
      kind: 'detection',
      rule: { id: 'r', level: 'low' },
      evidence: [
        {
          data: {
            winlog: {
              computer_name: 'DC01',
              event_data: { SubjectUserName: 'DC01$', TargetUserName: 'adm', TargetDomainName: 'CORP' },
            },
          },
        },
      ],
      details: { matched: { CommandLine: 'net group "domain admins" /domain' } },
    });
    // machine accounts are not the user
    assert.equal(wl.facts.user?.value, 'CORP\\adm');
    assert.equal(wl.facts.host?.value, 'DC01');
    assert.equal(wl.facts.commandLine?.path, 'details.matched.CommandLine');
  });

  it('hostKey folds case and domain, but not addresses', () => {
    assert.equal(hostKey(' WS-01.corp.example.jp '), 'ws-01');
    assert.equal(hostKey('10.0.0.5'), '10.0.0.5');
    assert.equal(hostKey('fe80::1'), 'fe80::1');
  });
});
