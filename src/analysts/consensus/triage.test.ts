import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Finding, FindingId, Verdict, VerdictLabel } from '../../core/index.ts';
import type { Analyst, AnalystContext } from '../analyst.ts';
import { findPolicy } from './policy.ts';
import { judgeFinding, triage } from './triage.ts';

function finding(n: number): Finding {
  return {
    id: `f-${n}` as FindingId,
    kind: 'detection',
    severity: 'high',
    title: `t${n}`,
    rule: { id: 'r', title: 'rule', level: 'high', tags: [] },
    asset: { kind: 'host', name: `h${n}` },
    evidence: [{ source: { file: 'x.jsonl', line: n }, data: { n } }],
  };
}

/** An analyst that waits `delayMs` (honouring its signal) and then says `label`. */
function slow(name: string, label: VerdictLabel, delayMs: number, seen: string[] = []): Analyst {
  return {
    name,
    async judge(f: Finding, ctx: AnalystContext): Promise<Verdict> {
      const t0 = ctx.now();
      await sleep(delayMs, undefined, { signal: ctx.signal });
      seen.push(`${name}:${f.id}`);
      return {
        findingId: f.id,
        analyst: name,
        label,
        confidence: 0.9,
        rationale: 'because',
        evidence: [],
        latencyMs: ctx.now() - t0,
        cost: { inputTokens: 0, outputTokens: 0 },
      };
    },
  };
}

const unanimous = findPolicy('unanimous')!;

describe('triage run', () => {
  it('two analysts with one-second delays finish together in about one second', async () => {
    const t0 = performance.now();
    const d = await judgeFinding(finding(1), [slow('a', 'malicious', 1000), slow('b', 'malicious', 1000)], unanimous);
    const took = performance.now() - t0;
    assert.equal(d.outcome, 'escalate');
    assert.ok(took >= 990 && took < 1500, `${took} ms`);
  });
  it('a hanging analyst abstains at the deadline; the other verdict stands', async () => {
    const t0 = performance.now();
    const d = await judgeFinding(finding(1), [slow('a', 'benign', 10), slow('hang', 'benign', 60_000)], unanimous, {
      deadlineMs: 200,
    });
    assert.ok(performance.now() - t0 < 1000);
    assert.deepEqual(
      d.verdicts.map((v) => [v.analyst, v.label, v.abstained?.reason]),
      [
        ['a', 'benign', undefined],
        ['hang', 'needs-human', 'timeout'],
      ],
    );
    assert.equal(d.outcome, 'review', 'an abstention is never counted as agreement');
  });
  it('an analyst that ignores its signal still cannot hold the finding past the deadline', async () => {
    const deaf: Analyst = { name: 'deaf', judge: () => new Promise(() => {}) };
    const t0 = performance.now();
    const d = await judgeFinding(finding(1), [deaf], unanimous, { deadlineMs: 100 });
    assert.ok(performance.now() - t0 < 600);
    assert.equal(d.verdicts[0]?.abstained?.reason, 'timeout');
  });
  it('a throwing or contract-breaking analyst abstains with the reason', async () => {
    const throws: Analyst = {
      name: 'throws',
      judge: async () => {
        throw new Error('boom');
      },
    };
    const liar: Analyst = {
      name: 'liar',
      judge: async (f) => ({ ...(await slow('liar', 'malicious', 0).judge(f, ctx())), confidence: 7 }),
    };
    const impostor: Analyst = { name: 'impostor', judge: (f) => slow('someone-else', 'benign', 0).judge(f, ctx()) };
    const d = await judgeFinding(finding(1), [throws, liar, impostor], unanimous);
    assert.deepEqual(
      d.verdicts.map((v) => [v.analyst, v.abstained?.reason, v.abstained?.detail]),
      [
        ['throws', 'error', 'boom'],
        ['liar', 'error', 'liar returned the confidence 7'],
        ['impostor', 'error', 'impostor returned a verdict signed "someone-else"'],
      ],
    );
  });
  it('analysts are independent: one mutating its finding does not reach another', async () => {
    const vandal: Analyst = {
      name: 'vandal',
      judge: async (f) => {
        (f as { title: string }).title = 'tampered';
        (f.evidence[0]!.data as { n: number }).n = -1;
        return slow('vandal', 'benign', 0).judge(f, ctx());
      },
    };
    let seenTitle = '';
    let seenData: unknown;
    const reader: Analyst = {
      name: 'reader',
      judge: async (f) => {
        await sleep(20);
        seenTitle = f.title;
        seenData = f.evidence[0]!.data;
        return slow('reader', 'benign', 0).judge(f, ctx());
      },
    };
    const f = finding(3);
    const d = await judgeFinding(f, [vandal, reader], unanimous);
    assert.equal(d.verdicts[0]!.abstained?.reason, 'error', 'the finding is read-only: changing it fails');
    assert.equal(seenTitle, 't3');
    assert.deepEqual(seenData, { n: 3 });
    assert.equal(f.title, 't3', "the caller's finding is untouched");
  });
  it('streams decisions in input order with several findings in flight', async () => {
    const seen: string[] = [];
    // later findings are faster: completion order differs from input order
    const analyst: Analyst = {
      name: 'x',
      judge: (f, c) => slow('x', 'malicious', 200 - Number(f.id.slice(2)) * 30, seen).judge(f, c),
    };
    const t0 = performance.now();
    const out: string[] = [];
    for await (const [f, d] of triage([1, 2, 3, 4, 5].map(finding), [analyst], unanimous, { concurrency: 5 }))
      out.push(`${f.id}:${d.outcome}`);
    assert.deepEqual(out, ['f-1:escalate', 'f-2:escalate', 'f-3:escalate', 'f-4:escalate', 'f-5:escalate']);
    assert.notDeepEqual(seen, ['x:f-1', 'x:f-2', 'x:f-3', 'x:f-4', 'x:f-5']);
    assert.ok(performance.now() - t0 < 600, 'in parallel, not one after the other (≈ 850 ms)');
  });
  it('prepare sees the whole batch before any judgement', async () => {
    const log: string[] = [];
    const a: Analyst = {
      name: 'p',
      prepare: (fs) => void log.push(`prepare ${fs.length}`),
      judge: async (f) => {
        log.push(`judge ${f.id}`);
        return slow('p', 'benign', 0).judge(f, ctx());
      },
    };
    for await (const _ of triage([finding(1), finding(2)], [a], unanimous));
    assert.deepEqual(log, ['prepare 2', 'judge f-1', 'judge f-2']);
  });
  it('prepare gets the frozen copies judge gets: the batch cannot be changed, the caller keeps its own', async () => {
    let prepared: readonly Finding[] = [];
    const judged: Finding[] = [];
    const a: Analyst = {
      name: 'p',
      prepare: (fs) => {
        prepared = fs;
        assert.throws(() => ((fs[0] as { title: string }).title = 'tampered'), TypeError);
        assert.throws(() => ((fs[0]!.evidence[0]!.data as { n: number }).n = -1), TypeError);
      },
      judge: async (f) => {
        judged.push(f);
        return slow('p', 'benign', 0).judge(f, ctx());
      },
    };
    const input = [finding(1), finding(2)];
    const out: Finding[] = [];
    for await (const [f] of triage(input, [a], unanimous)) out.push(f);
    assert.deepEqual(judged, [...prepared], 'the very objects prepare saw');
    assert.ok(judged.every((f, i) => f === prepared[i] && f !== input[i]));
    assert.ok(
      out.every((f, i) => f === input[i]),
      "the caller's own findings come back",
    );
    assert.ok(!Object.isFrozen(input[0]));
  });
});

function ctx(): AnalystContext {
  return { signal: new AbortController().signal, deadline: Date.now() + 1000, now: Date.now };
}
