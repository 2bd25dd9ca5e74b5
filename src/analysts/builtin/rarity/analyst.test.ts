// builtin-rarity end to end: stack counting over a batch and the persisted history, per-host baselines, bursts,
// and the history's life across runs (close writes, the next run reads, overlapping runs both count).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../../core/finding.ts';
import { findingId } from '../../../core/ids.ts';
import type { Verdict } from '../../../core/verdict.ts';
import { abortedCtx, ctx, isoDaysAgo, NOW, sigmaRule, sysmonDetection, vulnerabilityFinding } from '../test-helpers.ts';
import { viewOf } from '../view.ts';
import { behaviourOf, BuiltinRarityAnalyst, createRarityAnalyst } from './analyst.ts';
import { FleetHistory, HISTORY_FILE, hashId } from './history.ts';

const RULE = sigmaRule({ level: 'medium', tags: ['attack.execution'] });
const host = (i: number): string => `ws-${String(i).padStart(2, '0')}`;
let record = 1;

/** The fleet's monitoring agent running its inventory script (every host, every day). */
function agent(i: number, daysAgo = 0): Finding {
  return sysmonDetection(
    {
      host: host(i),
      image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      parentImage: 'C:\\Program Files\\Contoso\\Agent\\agent.exe',
      commandLine: `powershell.exe -ExecutionPolicy Bypass -File "C:\\Program Files\\Contoso\\Agent\\inventory.ps1" -Run ${1000 + i}`,
      time: isoDaysAgo(daysAgo, 8 + (i % 10)),
      recordId: record++,
    },
    RULE,
  );
}

/** Something one user ran once. */
function oneOff(i: number, daysAgo = 0): Finding {
  return sysmonDetection(
    {
      host: host(i),
      image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      parentImage: 'C:\\Windows\\System32\\wscript.exe',
      commandLine: 'powershell.exe -nop -c "Compress-Archive C:\\Finance\\* C:\\Users\\Public\\f.zip"',
      user: 'CORP\\k.sato',
      time: isoDaysAgo(daysAgo, 14),
      recordId: record++,
    },
    RULE,
  );
}

/** `hosts` hosts running the agent on each of `days` days (days ago, oldest first). */
function fleet(hosts: number, days: readonly number[]): Finding[] {
  const out: Finding[] = [];
  for (const d of days) for (let i = 1; i <= hosts; i++) out.push(agent(i, d));
  return out;
}

function keyStats(a: BuiltinRarityAnalyst, f: Finding) {
  const b = behaviourOf(viewOf(f), NOW)!;
  return a.history.keys.get(hashId(b.key));
}

async function run(findings: Finding[], judged: Finding[], options = {}): Promise<Verdict[]> {
  const a = await createRarityAnalyst({ now: () => NOW, ...options });
  a.prepare(findings);
  return Promise.all(judged.map((f) => a.judge(f, ctx())));
}

describe('builtin-rarity: the fleet', () => {
  it('a behaviour on 1 host of 20 is malicious; the same rule on 15 of 20 over 3 days is benign', async () => {
    const rare = oneOff(7);
    const common = agent(3);
    const batch = [
      ...fleet(15, [2, 1]),
      ...fleet(20, [0]).slice(0, 14),
      common,
      ...[16, 17, 18, 19, 20].map((i) => oneOffHost(i)),
      rare,
    ];
    const [r, c] = await run(batch, [rare, common]);
    assert.equal(r!.label, 'malicious');
    assert.ok(r!.confidence >= 0.75 && r!.confidence <= 0.9, String(r!.confidence));
    assert.match(r!.rationale, /^Unusual for this fleet \(rare: on 1 host of 20/);
    assert.match(r!.rationale, /; a one-off\)/);
    assert.ok(r!.evidence.includes('fleet: 1 of 20 hosts'));
    assert.ok(r!.evidence.includes('evidence[0].data.Event.EventData.CommandLine'));
    assert.equal(c!.label, 'benign');
    assert.match(c!.rationale, /^Routine for this fleet \(common: on 15 of 20 hosts; a standing practice \(3 days\)\)/);
    assert.equal(c!.analyst, 'builtin-rarity');
    assert.deepEqual(c!.cost, { inputTokens: 0, outputTokens: 0, usd: 0 });
  });

  it('one host looping a thousand times is still one host', async () => {
    const loop = Array.from({ length: 1000 }, () => oneOff(7));
    const [v] = await run([...fleet(20, [0]), ...loop], [loop[0]!]);
    assert.equal(v!.label, 'malicious');
    assert.match(v!.rationale, /on 1 host of 20/);
    assert.match(v!.rationale, /1000 findings in this run/);
    assert.doesNotMatch(v!.rationale, /; a one-off[;)]/);
  });

  it('fewer than 5 hosts and no host baseline: needs-human', async () => {
    const rare = oneOff(2);
    const [v] = await run([...fleet(3, [0]), rare], [rare]);
    assert.equal(v!.label, 'needs-human');
    assert.equal(v!.confidence, 0.25);
    assert.match(v!.rationale, /^Too little data to call it rare or common: 3 hosts in the counts \(5 needed\)/);
  });

  it('new on many hosts at once in a fleet with history: needs-human (a deployment or a worm)', async () => {
    const spread = Array.from({ length: 12 }, (_, i) => oneOff(i + 1));
    const [v] = await run([...fleet(20, [9, 8, 7, 6]), ...spread], [spread[0]!]);
    assert.equal(v!.label, 'needs-human');
    assert.equal(v!.confidence, 0.7);
    assert.match(v!.rationale, /^New to a fleet with 4 earlier days of history, and on 12 hosts at once/);
    // the same spread on three days is a standing practice
    const settled = [0, 1, 2].flatMap((d) => Array.from({ length: 12 }, (_, i) => oneOff(i + 1, d)));
    const [w] = await run([...fleet(20, [9, 8, 7, 6]), ...settled], [settled[0]!]);
    assert.equal(w!.label, 'benign');
  });

  it('neither rare nor common: needs-human', async () => {
    const some = [1, 2, 3, 4].map((i) => oneOff(i));
    const [v] = await run([...fleet(12, [0]), ...some], [some[0]!]);
    // 4 of 12 hosts: more than 3 (not rare), fewer than 5 (not common)
    assert.equal(v!.label, 'needs-human');
    assert.match(v!.rationale, /^Neither rare nor common: on 4 of 12 hosts/);
  });

  it('a correlation naming several hosts counts each of them', async () => {
    const corr = oneOff(1);
    const named = { ...corr, asset: { kind: 'host' as const, name: 'ws-01,ws-02,WS-02.corp.example.jp' } };
    const a = await createRarityAnalyst({ now: () => NOW });
    a.prepare([...fleet(20, [0]), named]);
    assert.equal(keyStats(a, named)!.hosts.size, 2);
    const v = await a.judge(named, ctx());
    assert.match(v.rationale, /it names 2 hosts, so no single host's baseline applies/);
  });

  it('a finding that names no host cannot be counted across hosts', async () => {
    const f = oneOff(1);
    const noHost = {
      ...f,
      asset: { kind: 'host' as const, name: 'unknown' },
      evidence: [{ ...f.evidence[0]!, data: { Event: { EventData: { Image: 'C:\\x.exe', CommandLine: 'x' } } } }],
    };
    const [v] = await run([...fleet(20, [0]), noHost], [noHost]);
    assert.equal(v!.label, 'needs-human');
    assert.equal(v!.confidence, 0.2);
    assert.match(v!.rationale, /names no host/);
  });
});

describe('builtin-rarity: host baselines in a small fleet', () => {
  const baseline = [6, 5, 4, 3, 2, 1].flatMap((d) => [agent(1, d), agent(2, d)]);

  it('new on a host with a baseline of its own is malicious', async () => {
    const rare = oneOff(1);
    const [v] = await run([...baseline, rare], [rare]);
    assert.equal(v!.label, 'malicious');
    assert.match(
      v!.rationale,
      /^New on this host against its own baseline \(the fleet is too small to compare: 2 hosts\)/,
    );
    assert.match(v!.rationale, /new on ws-01, against a baseline of 6 earlier days with findings/);
  });

  it('a standing behaviour on the host is benign; one seen once before is needs-human', async () => {
    const today = agent(1);
    const [v] = await run([...baseline, today], [today]);
    assert.equal(v!.label, 'benign');
    assert.match(v!.rationale, /^A standing behaviour on this host/);
    const twice = [oneOff(1, 1), oneOff(1)];
    const [w] = await run([...baseline, ...twice], [twice[1]!]);
    assert.equal(w!.label, 'needs-human');
    assert.equal(w!.confidence, 0.4);
  });

  it('in a known fleet, rare but recurring on its host over 3 days is needs-human', async () => {
    const recurring = [2, 1, 0].map((d) => oneOff(7, d));
    const [v] = await run([...fleet(20, [2, 1, 0]), ...recurring], [recurring[2]!]);
    assert.equal(v!.label, 'needs-human');
    assert.equal(v!.confidence, 0.55);
    assert.match(v!.rationale, /^Rare in the fleet but recurring on its host/);
  });
});

describe('builtin-rarity: what it does not judge', () => {
  it('non-detection findings are needs-human with confidence 0, with the batch prevalence', async () => {
    const vulns = ['a', 'b', 'c'].map((n) => ({
      ...vulnerabilityFinding(),
      id: findingId(['vulnerability', n, 'npm', 'lodash', '4.17.20', 'package-lock.json', 'CVE-2021-23337']),
      asset: { kind: 'package' as const, name: `pkg:npm/lodash@4.17.20?repo=${n}` },
    }));
    const [v] = await run(vulns, [vulns[0]!]);
    assert.equal(v!.label, 'needs-human');
    assert.equal(v!.confidence, 0);
    assert.match(v!.rationale, /does not judge vulnerability findings/);
    assert.match(v!.rationale, /reported on 3 assets/);
    // unprepared: the finding itself is counted once, however often it is judged
    const a = await createRarityAnalyst({ now: () => NOW });
    await a.judge(vulns[0]!, ctx());
    const w = await a.judge(vulns[0]!, ctx());
    assert.match(w.rationale, /reported on 1 asset\./);
  });

  it('garbage, unknown kinds and rule-less detections: confidence 0; an abort is a timeout abstention', async () => {
    const a = await createRarityAnalyst({ now: () => NOW });
    const f = agent(1);
    for (const g of [null, 'x', {}, { ...f, kind: 'incident' }, { ...f, rule: {} }]) {
      const v = await a.judge(g as Finding, ctx());
      assert.equal(v.label, 'needs-human');
      assert.equal(v.confidence, 0);
      assert.equal(v.abstained, undefined);
    }
    const t = await a.judge(f, abortedCtx());
    assert.equal(t.abstained?.reason, 'timeout');
    assert.equal(t.confidence, 0);
    assert.equal(t.findingId, f.id);
  });
});

describe('builtin-rarity: findings prepare did not see', () => {
  it('judge() counts an unprepared finding, once', async () => {
    const a = await createRarityAnalyst({ now: () => NOW });
    const f = oneOff(1);
    await a.judge(f, ctx());
    await a.judge(f, ctx());
    assert.equal(keyStats(a, f)!.count, 1);
    assert.equal(a.history.hosts.size, 1);
  });

  it('a late finding of a behaviour prepare saw elsewhere adds its host', async () => {
    const a = await createRarityAnalyst({ now: () => NOW });
    const seen = oneOff(1);
    a.prepare([...fleet(20, [0]), seen]);
    const late = oneOff(21);
    const v = await a.judge(late, ctx());
    const ks = keyStats(a, late)!;
    assert.equal(ks.hosts.size, 2);
    assert.ok(ks.hosts.has(hashId('host\u0000ws-21')));
    assert.equal(a.history.hosts.size, 21);
    assert.match(v.rationale, /on 2 hosts of 21/);
    // judging a prepared finding does not count it again
    await a.judge(seen, ctx());
    assert.equal(ks.count, 2);
  });
});

describe('builtin-rarity: the history across runs', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-rarity-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function day(historyDir: string, daysAgo: number, extra: Finding[], judged: Finding): Promise<Verdict> {
    const now = NOW - daysAgo * 86_400_000;
    const a = await createRarityAnalyst({ historyDir, now: () => now });
    a.prepare([...fleet(20, [daysAgo]), ...extra]);
    const v = await a.judge(judged, ctx(now));
    await a.close();
    return v;
  }

  it('close() writes the history; the next runs see what was a one-off yesterday recur on its host', async () => {
    const d = join(dir, 'runs');
    const first = oneOff(7, 2);
    const v1 = await day(d, 2, [first], first);
    assert.equal(v1.label, 'malicious');
    assert.match(v1.rationale, /; a one-off\)/);
    assert.deepEqual(await readdir(d), [HISTORY_FILE]);

    const second = oneOff(7, 1);
    const v2 = await day(d, 1, [second], second);
    assert.equal(v2.label, 'malicious');
    assert.doesNotMatch(v2.rationale, /; a one-off[;)]/);
    assert.match(v2.rationale, /seen on its host before/);
    assert.ok(v2.confidence < v1.confidence);

    const third = oneOff(7, 0);
    const v3 = await day(d, 0, [third], third);
    assert.equal(v3.label, 'needs-human');
    assert.match(v3.rationale, /^Rare in the fleet but recurring on its host/);
    assert.match(v3.rationale, /on ws-07 since 2026-11-23/);

    // and the agent, one day per run, is a standing practice by the third run
    const a = await createRarityAnalyst({ historyDir: d, now: () => NOW });
    const v = await a.judge(agent(5), ctx());
    assert.equal(v.label, 'benign');
    assert.match(v.rationale, /a standing practice \(3 days\)/);
  });

  it('two analysts closing over the same directory both count', async () => {
    const d = join(dir, 'overlap');
    const a = await createRarityAnalyst({ historyDir: d, now: () => NOW });
    const b = await createRarityAnalyst({ historyDir: d, now: () => NOW });
    a.prepare([...fleet(10, [0]), oneOff(1)]);
    b.prepare([...Array.from({ length: 10 }, (_, i) => agent(i + 11)), oneOff(12)]);
    await a.close();
    await b.close();
    await b.close(); // a second close is a no-op
    const c = await createRarityAnalyst({ historyDir: d, now: () => NOW });
    assert.equal(c.history.hosts.size, 20);
    assert.equal(keyStats(c, agent(1))!.hosts.size, 20);
    assert.equal(keyStats(c, oneOff(1))!.hosts.size, 2);
    // closing c without anything new does not rewrite, and closing again over the same data counts nothing twice
    await c.close();
    const again = await createRarityAnalyst({ historyDir: d, now: () => NOW });
    again.prepare([...fleet(10, [0]), oneOff(1)]);
    await again.close();
    const e = await createRarityAnalyst({ historyDir: d, now: () => NOW });
    assert.equal(keyStats(e, agent(1))!.hosts.size, 20);
    assert.deepEqual(keyStats(e, agent(1))!.days.toArray(), keyStats(c, agent(1))!.days.toArray());
  });

  it('a history that is not one fails creation (HISTORY_UNREADABLE), and is left alone', async () => {
    const d = join(dir, 'bad');
    await mkdir(d);
    await writeFile(join(d, HISTORY_FILE), '{"format":"mamori-rarity-history","version":1,"hosts":3}');
    await assert.rejects(createRarityAnalyst({ historyDir: d }), { code: 'HISTORY_UNREADABLE' });
    await writeFile(join(d, HISTORY_FILE), '{"format":"mamori-rarity-history","version":2}');
    await assert.rejects(createRarityAnalyst({ historyDir: d }), { code: 'HISTORY_VERSION' });
  });

  it('without a directory nothing is written; with one but nothing new, close writes nothing', async () => {
    const a = new BuiltinRarityAnalyst(new FleetHistory(), { now: () => NOW });
    a.prepare(fleet(5, [0]));
    await a.close();
    const d = join(dir, 'untouched');
    const b = await createRarityAnalyst({ historyDir: d, now: () => NOW });
    await b.close();
    await assert.rejects(readdir(d), { code: 'ENOENT' });
  });
});

/** Another host's one-off, so the fleet has hosts beyond the agent's. */
function oneOffHost(i: number): Finding {
  return sysmonDetection(
    {
      host: host(i),
      image: `C:\\Tools\\tool${String.fromCharCode(96 + i)}.exe`,
      time: isoDaysAgo(0),
      recordId: record++,
    },
    RULE,
  );
}
