// FleetHistory: bounded day sets and caps that say what they refused, unions that count nothing twice, retention,
// the file format's round trip and its errors, and an atomic private write.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BuiltinAnalystError } from '../errors.ts';
import {
  DaySet,
  DEFAULT_LIMITS,
  dayOf,
  FleetHistory,
  HISTORY_FILE,
  HISTORY_FORMAT,
  hashId,
  isoDay,
  loadHistory,
  parseHistory,
  saveHistory,
  type HistoryLimits,
} from './history.ts';

const NOW = Date.parse('2026-11-25T10:00:00.000Z');
const TODAY = dayOf(NOW);
const K = (s: string): string => hashId(`key\u0000${s}`);
const H = (s: string): string => hashId(`host\u0000${s}`);
const limits = (l: Partial<HistoryLimits>): HistoryLimits => ({ ...DEFAULT_LIMITS, ...l });

/** Ten days of a small fleet: an agent on every host daily, a tool on two hosts now and then. */
function sample(l: HistoryLimits = DEFAULT_LIMITS): FleetHistory {
  const h = new FleetHistory(l);
  for (let d = TODAY - 9; d <= TODAY; d++) {
    for (let i = 0; i < 6; i++) h.observe([K('rule'), K('agent')], H(`ws-${i}`), d);
    if (d % 3 === 0) h.observe([K('rule'), K('tool')], H('ws-1'), d);
  }
  h.observe([K('tool')], H('ws-5'), TODAY - 4);
  h.observe([K('nohost')], undefined, TODAY);
  return h;
}

const json = (h: FleetHistory): unknown => JSON.parse(JSON.stringify(h.toJSON(NOW)));

describe('DaySet', () => {
  it('keeps sorted unique days, at most cap, the most recent', () => {
    const s = new DaySet(3, [5, 1, 3, 3, 4, 2]);
    assert.deepEqual(s.toArray(), [3, 4, 5]);
    assert.equal(s.size, 3);
    s.add(1); // older than everything kept: not kept
    assert.deepEqual(s.toArray(), [3, 4, 5]);
    s.add(10);
    assert.deepEqual(s.toArray(), [4, 5, 10]);
    s.add(7);
    assert.deepEqual(s.toArray(), [5, 7, 10]);
    assert.equal(s.last, 10);
    assert.equal(s.before(7), 1);
    assert.equal(s.before(100), 3);
    s.dropBefore(7);
    assert.deepEqual(s.toArray(), [7, 10]);
    assert.equal(new DaySet(2).last, undefined);
  });
});

describe('FleetHistory.observe', () => {
  it('counts hosts and days as sets, per behaviour', () => {
    const h = sample();
    const agent = h.keys.get(K('agent'))!;
    assert.equal(agent.hosts.size, 6);
    assert.equal(agent.days.size, 10);
    assert.equal(agent.first, TODAY - 9);
    assert.equal(agent.last, TODAY);
    assert.equal(agent.count, 60);
    assert.deepEqual(h.keys.get(K('tool'))!.hosts.get(H('ws-1')), [
      TODAY - 9 + ((3 - ((TODAY - 9) % 3)) % 3),
      TODAY - (TODAY % 3),
    ]);
    assert.equal(h.hosts.size, 6);
    assert.equal(h.fleetDays.size, 10);
    // a behaviour without a host still has days
    assert.equal(h.keys.get(K('nohost'))!.hosts.size, 0);
    assert.equal(h.keys.get(K('nohost'))!.days.size, 1);
    assert.equal(h.dirty, true);
  });

  it('a full key table refuses new behaviours and says so (overflow)', () => {
    const h = new FleetHistory(limits({ maxKeys: 2 }));
    assert.equal(h.observe([K('a'), K('b')], H('ws-1'), TODAY), 'counted');
    assert.equal(h.observe([K('c')], H('ws-1'), TODAY), 'overflow');
    assert.equal(h.overflow, true);
    assert.equal(h.keys.has(K('c')), false);
    // known ones still count
    assert.equal(h.observe([K('a')], H('ws-2'), TODAY), 'counted');
    assert.equal(h.keys.get(K('a'))!.hosts.size, 2);
  });

  it('host, per-behaviour and pair caps mark the behaviour saturated', () => {
    const hosts = new FleetHistory(limits({ maxHosts: 2 }));
    for (const n of ['a', 'b', 'c']) hosts.observe([K('x')], H(n), TODAY);
    assert.equal(hosts.hosts.size, 2);
    assert.equal(hosts.hostOverflow, true);
    assert.equal(hosts.keys.get(K('x'))!.saturated, true);
    assert.equal(hosts.keys.get(K('x'))!.hosts.size, 2);

    const perKey = new FleetHistory(limits({ maxHostsPerKey: 2 }));
    for (const n of ['a', 'b', 'c']) perKey.observe([K('x'), K('y')], H(n), TODAY);
    assert.equal(perKey.hosts.size, 3);
    assert.equal(perKey.keys.get(K('x'))!.hosts.size, 2);
    assert.equal(perKey.keys.get(K('x'))!.saturated, true);

    const pairs = new FleetHistory(limits({ maxPairs: 3 }));
    for (const n of ['a', 'b']) pairs.observe([K('x'), K('y')], H(n), TODAY);
    assert.equal(pairs.pairs, 3);
    assert.equal(pairs.keys.get(K('x'))!.saturated, false);
    assert.equal(pairs.keys.get(K('y'))!.saturated, true);
    // a pair already known still moves its days
    pairs.observe([K('x')], H('a'), TODAY + 1);
    assert.deepEqual(pairs.keys.get(K('x'))!.hosts.get(H('a')), [TODAY, TODAY + 1]);
  });

  it('day sets keep the most recent maxDays', () => {
    const h = new FleetHistory(limits({ maxDays: 4, maxFleetDays: 5 }));
    for (let d = 0; d < 10; d++) h.observe([K('x')], H('a'), TODAY - d);
    assert.deepEqual(h.keys.get(K('x'))!.days.toArray(), [TODAY - 3, TODAY - 2, TODAY - 1, TODAY]);
    assert.deepEqual(h.hosts.get(H('a'))!.days.toArray(), [TODAY - 3, TODAY - 2, TODAY - 1, TODAY]);
    assert.equal(h.fleetDays.size, 5);
    // first seen stays the true first day
    assert.equal(h.keys.get(K('x'))!.first, TODAY - 9);
    assert.equal(h.hosts.get(H('a'))!.first, TODAY - 9);
  });
});

describe('FleetHistory.merge', () => {
  it('is a union: merging the same history twice changes nothing more', () => {
    const a = sample();
    const b = new FleetHistory();
    b.observe([K('agent')], H('ws-9'), TODAY + 1);
    b.observe([K('new')], H('ws-0'), TODAY - 20);
    a.merge(b);
    const once = json(a);
    a.merge(b);
    assert.deepEqual(json(a), once);
    const agent = a.keys.get(K('agent'))!;
    assert.equal(agent.hosts.size, 7);
    assert.equal(agent.last, TODAY + 1);
    assert.equal(a.keys.get(K('new'))!.first, TODAY - 20);
    assert.equal(a.hosts.get(H('ws-0'))!.first, TODAY - 20);
    // occurrence counts are per run and never merged
    assert.equal(agent.count, 60);
  });

  it('merging a history into a copy of itself changes nothing', () => {
    const a = sample();
    const copy = FleetHistory.fromJSON(a.toJSON(NOW));
    const before = json(a);
    a.merge(copy);
    assert.deepEqual(json(a), before);
    assert.equal(a.pairs, copy.pairs);
  });

  it('is symmetric in what it counts', () => {
    const a = sample();
    const b = new FleetHistory();
    b.observe([K('agent'), K('other')], H('ws-9'), TODAY);
    const ab = FleetHistory.fromJSON(a.toJSON(NOW));
    ab.merge(b);
    const ba = FleetHistory.fromJSON(b.toJSON(NOW));
    ba.merge(a);
    assert.deepEqual(json(ab), json(ba));
  });

  it('carries saturation and overflow across', () => {
    const a = new FleetHistory();
    const b = new FleetHistory(limits({ maxHostsPerKey: 1, maxKeys: 1 }));
    b.observe([K('x')], H('a'), TODAY);
    b.observe([K('x')], H('b'), TODAY);
    b.observe([K('y')], H('a'), TODAY);
    a.merge(b);
    assert.equal(a.keys.get(K('x'))!.saturated, true);
    assert.equal(a.overflow, true);
  });
});

describe('FleetHistory.prune', () => {
  it('drops what was last seen before the retention window (counted from the newest day)', () => {
    const h = new FleetHistory(limits({ retentionDays: 30 }));
    h.observe([K('old')], H('gone'), TODAY - 100);
    h.observe([K('old'), K('kept')], H('stays'), TODAY - 100);
    h.observe([K('kept')], H('stays'), TODAY - 5);
    h.observe([K('recent')], H('stays'), TODAY);
    h.prune();
    assert.equal(h.keys.has(K('old')), false);
    assert.equal(h.hosts.has(H('gone')), false);
    assert.deepEqual(h.keys.get(K('kept'))!.days.toArray(), [TODAY - 5]);
    assert.deepEqual(h.hosts.get(H('stays'))!.days.toArray(), [TODAY - 5, TODAY]);
    assert.deepEqual(h.fleetDays.toArray(), [TODAY - 5, TODAY]);
    assert.equal(h.pairs, 2);
    // pruning again is a no-op
    const once = json(h);
    h.prune();
    assert.deepEqual(json(h), once);
    new FleetHistory().prune();
  });

  it("close()'s sequence over a pruned file (merge the file into itself, prune) changes nothing", () => {
    const h = new FleetHistory(limits({ retentionDays: 30 }));
    h.observe([K('kept')], H('stays'), TODAY - 100);
    h.observe([K('kept')], H('stays'), TODAY - 5);
    h.observe([K('recent')], H('other'), TODAY);
    h.prune();
    const pruned = json(h);
    h.merge(FleetHistory.fromJSON(h.toJSON(NOW), h.limits));
    h.prune();
    assert.deepEqual(json(h), pruned);
  });
});

describe('FleetHistory JSON', () => {
  it('round-trips through toJSON and fromJSON (and the parser)', () => {
    const h = sample();
    const j = h.toJSON(NOW);
    assert.equal(j.format, HISTORY_FORMAT);
    assert.equal(j.version, 1);
    assert.equal(j.written, new Date(NOW).toISOString());
    const back = FleetHistory.fromJSON(j);
    assert.deepEqual(json(back), json(h));
    assert.equal(back.dirty, false);
    assert.equal(back.pairs, h.pairs);
    assert.equal(back.keys.get(K('agent'))!.count, 0);
    const parsed = parseHistory(JSON.stringify(j), 'h.json');
    assert.deepEqual(json(parsed), json(h));
    // stored as hashes, not names
    assert.doesNotMatch(JSON.stringify(j), /ws-\d|agent/);
  });

  it('over smaller caps, the most recently seen behaviours and hosts are kept', () => {
    const h = new FleetHistory();
    h.observe([K('old')], H('a'), TODAY - 5);
    h.observe([K('mid')], H('b'), TODAY - 2);
    h.observe([K('new')], H('c'), TODAY);
    h.observe([K('new')], H('a'), TODAY - 5);
    const small = FleetHistory.fromJSON(h.toJSON(NOW), limits({ maxKeys: 2, maxHosts: 2 }));
    assert.deepEqual([...small.keys.keys()].sort(), [K('mid'), K('new')].sort());
    assert.equal(small.overflow, true);
    assert.deepEqual([...small.hosts.keys()].sort(), [H('b'), H('c')].sort());
    assert.equal(small.hostOverflow, true);
    // `new` also ran on host a, which the cap left out: its host count is a lower bound
    assert.equal(small.keys.get(K('new'))!.saturated, true);
    assert.equal(small.keys.get(K('new'))!.hosts.size, 1);
    assert.equal(small.keys.get(K('mid'))!.saturated, false);
  });
});

describe('parseHistory', () => {
  const good = JSON.stringify(sample().toJSON(NOW));
  const bad: [what: string, text: string, code: string, message: RegExp][] = [
    ['not JSON', '{"format":', 'HISTORY_UNREADABLE', /not valid JSON/],
    ['not an object', '[1,2]', 'HISTORY_UNREADABLE', /not a rarity history \(format undefined\)/],
    ['another format', '{"format":"something-else","version":1}', 'HISTORY_UNREADABLE', /format "something-else"/],
    [
      'version 2',
      `{"format":"${HISTORY_FORMAT}","version":2}`,
      'HISTORY_VERSION',
      /format version 2; this Mamori reads version 1/,
    ],
    ['no version', `{"format":"${HISTORY_FORMAT}"}`, 'HISTORY_VERSION', /format version undefined/],
    [
      'wrong shape',
      JSON.stringify({ ...JSON.parse(good), fleetDays: 'yesterday' }),
      'HISTORY_UNREADABLE',
      /: fleetDays: /,
    ],
    [
      'a host id that is not a hash',
      JSON.stringify({ ...JSON.parse(good), hosts: { 'ws-1.corp.example.jp': { first: 1, days: [1] } } }),
      'HISTORY_UNREADABLE',
      /hosts/,
    ],
    ['an extra field', JSON.stringify({ ...JSON.parse(good), extra: 1 }), 'HISTORY_UNREADABLE', /\(top level\)|extra/],
  ];
  for (const [what, text, code, message] of bad) {
    it(`${what} → ${code} naming the file`, () => {
      assert.throws(
        () => parseHistory(text, '/var/lib/mamori/rarity-history.json'),
        (e: unknown) => {
          assert.ok(e instanceof BuiltinAnalystError);
          assert.equal(e.code, code);
          assert.ok(e.message.startsWith('/var/lib/mamori/rarity-history.json: '), e.message);
          assert.match(e.message, message);
          return true;
        },
      );
    });
  }
});

describe('loadHistory and saveHistory', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-rarity-history-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a missing file (or directory) is an empty history', async () => {
    const h = await loadHistory(join(dir, 'never', 'created'));
    assert.equal(h.keys.size, 0);
    assert.equal(h.dirty, false);
  });

  it('writes atomically: 0600, in a directory it creates, no temporary file left; loads back the same', async () => {
    const d = join(dir, 'state', 'rarity');
    const h = sample();
    const file = await saveHistory(d, h, NOW);
    assert.equal(file, join(d, HISTORY_FILE));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(d)).mode & 0o077, 0);
    assert.deepEqual(await readdir(d), [HISTORY_FILE]);
    const back = await loadHistory(d);
    assert.deepEqual(json(back), json(h));
    // overwrite in place
    h.observe([K('more')], H('ws-0'), TODAY);
    await saveHistory(d, h, NOW);
    assert.deepEqual(await readdir(d), [HISTORY_FILE]);
    assert.ok((await loadHistory(d)).keys.has(K('more')));
  });

  it('an unwritable place is HISTORY_WRITE naming the file, and leaves nothing behind', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    await assert.rejects(saveHistory(join(blocker, 'sub'), sample(), NOW), (e: unknown) => {
      assert.ok(e instanceof BuiltinAnalystError);
      assert.equal(e.code, 'HISTORY_WRITE');
      assert.ok(e.message.startsWith(`${join(blocker, 'sub', HISTORY_FILE)}: `), e.message);
      return true;
    });
    // a directory where the file should go: the rename fails, the temporary file is removed
    const d = join(dir, 'dir-in-the-way');
    await mkdir(join(d, HISTORY_FILE), { recursive: true });
    await writeFile(join(d, HISTORY_FILE, 'keep'), 'x');
    await assert.rejects(saveHistory(d, sample(), NOW), { code: 'HISTORY_WRITE' });
    assert.deepEqual(await readdir(d), [HISTORY_FILE]);
  });

  it('a file that is not a history is HISTORY_UNREADABLE, never silently replaced', async () => {
    const d = join(dir, 'corrupt');
    await mkdir(d);
    await writeFile(join(d, HISTORY_FILE), 'garbage');
    await assert.rejects(loadHistory(d), (e: unknown) => {
      assert.ok(e instanceof BuiltinAnalystError);
      assert.equal(e.code, 'HISTORY_UNREADABLE');
      assert.ok(e.message.startsWith(join(d, HISTORY_FILE)));
      return true;
    });
    assert.equal(await readFile(join(d, HISTORY_FILE), 'utf8'), 'garbage');
    // a directory in its place
    const d2 = join(dir, 'dir-as-file');
    await mkdir(join(d2, HISTORY_FILE), { recursive: true });
    await assert.rejects(loadHistory(d2), { code: 'HISTORY_UNREADABLE', message: /not a regular file/ });
  });

  it('isoDay and dayOf agree', () => {
    assert.equal(isoDay(TODAY), '2026-11-25');
    assert.equal(dayOf(Date.parse('2026-11-25T23:59:59Z')), TODAY);
    assert.equal(dayOf(Date.parse('2026-11-26T00:00:00Z')), TODAY + 1);
  });
});
