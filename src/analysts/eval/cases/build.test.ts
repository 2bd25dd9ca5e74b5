import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ATTACKS,
  DEFAULT_RULES_DIR,
  DEFAULT_SAMPLES_DIR,
  FIXTURE_DIR,
  GENERATORS,
  buildEvalCases,
  buildFixture,
  generateAttacks,
  generateBenign,
  huntFindings,
  implant,
  makeFleet,
  placeSample,
  toJsonl,
} from './build.ts';
import type { Finding } from '../../../core/finding.ts';
import { seededRandom as mulberry32 } from '../../../core/random.ts';
import { readCases } from './schema.ts';
import { relate, sampleTechniques } from './samples.ts';

const SMALL = { workstations: 6, servers: 5, days: 7 };
const FIXTURE_RULES = join(FIXTURE_DIR, 'rules');

test('implant: the lab host, its domain and the dates become the fleet host and the fleet days', () => {
  const fleet = makeFleet(SMALL);
  const lab = 'PC01.insecurebank.local';
  const p = placeSample(fleet, 5, 'Execution/sample.evtx', lab, Date.parse('2019-05-14T10:12:13.000Z'));
  assert.ok(fleet.workstations.includes(p.host));
  assert.equal(placeSample(fleet, 5, 'x.evtx', 'DC1.insecurebank.local', 0).host, fleet.dc);
  const f = {
    id: 'f-0',
    time: '2019-05-14T10:12:13.000Z',
    asset: { kind: 'host', name: lab },
    evidence: [
      {
        source: { file: 'lab/2019-05-14/PC01.evtx', recordId: 1 },
        time: '2019-05-14T10:12:13.000Z',
        data: {
          Event: {
            System: { Computer: lab, TimeCreated: { '#attributes': { SystemTime: '2019-05-14T10:12:13.123456Z' } } },
            EventData: {
              UtcTime: '2019-05-15 00:00:01.000',
              User: 'INSECUREBANK\\alice',
              CommandLine: 'psexec \\\\pc01 -s cmd',
              Other: 'PC012 stays',
            },
          },
        },
      },
    ],
  } as unknown as Finding;
  const g = implant(f, p);
  const short = p.host.split('.')[0]!;
  const day = new Date(Date.parse('2019-05-14') + p.shiftDays * 86_400_000).toISOString().slice(0, 10);
  const next = new Date(Date.parse('2019-05-15') + p.shiftDays * 86_400_000).toISOString().slice(0, 10);
  assert.equal(g.asset.name, p.host);
  assert.equal(g.time, `${day}T10:12:13.000Z`);
  const e = g.evidence[0]! as unknown as {
    time: string;
    source: unknown;
    data: { Event: Record<string, Record<string, unknown>> };
  };
  assert.equal(e.time, `${day}T10:12:13.000Z`);
  assert.deepEqual(e.source, f.evidence[0]!.source, 'where it was read from is kept');
  assert.equal(e.data.Event.System!.Computer, p.host);
  assert.deepEqual(e.data.Event.System!.TimeCreated, { '#attributes': { SystemTime: `${day}T10:12:13.123456Z` } });
  assert.equal(e.data.Event.EventData!.UtcTime, `${next} 00:00:01.000`);
  assert.equal(e.data.Event.EventData!.User, 'CORP\\alice');
  assert.equal(e.data.Event.EventData!.CommandLine, `psexec \\\\${short} -s cmd`);
  assert.equal(e.data.Event.EventData!.Other, 'PC012 stays', 'only whole names are swapped');
  assert.ok(Date.parse(g.time!) >= fleet.start && Date.parse(g.time!) < fleet.start + fleet.days * 86_400_000);
});

test('mulberry32 is a reproducible stream in [0, 1)', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(
    xs,
    Array.from({ length: 1000 }, () => b()),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, mulberry32(43)));
  assert.ok(new Set(xs).size > 990);
});

test('generators: the same seed gives the same events, another seed other events', () => {
  const one = JSON.stringify(generateBenign(1, SMALL).map((g) => g.events));
  assert.equal(JSON.stringify(generateBenign(1, SMALL).map((g) => g.events)), one);
  assert.notEqual(JSON.stringify(generateBenign(2, SMALL).map((g) => g.events)), one);
  assert.equal(
    JSON.stringify(generateAttacks(1, SMALL).map((g) => g.events)),
    JSON.stringify(generateAttacks(1, SMALL).map((g) => g.events)),
  );
  // every generator says what it imitates and produces something on a small fleet
  for (const { generator, events } of generateBenign(1, SMALL)) {
    assert.ok(generator.imitates.length > 40, generator.name);
    assert.ok(events.length > 0, `${generator.name} wrote no events`);
  }
  assert.equal(new Set(GENERATORS.map((g) => g.name)).size, GENERATORS.length);
  assert.ok(GENERATORS.some((g) => g.kind === 'one-off') && GENERATORS.some((g) => g.kind === 'routine'));
});

test('generated events are hunt input: every line read, no issue, and the fixture rules fire on them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-build-test-'));
  try {
    let total = 0;
    for (const { generator, events } of generateBenign(5, SMALL)) {
      await writeFile(join(dir, `${generator.name}.jsonl`), toJsonl(events));
      total += events.length;
    }
    for (const { scenario, events } of generateAttacks(5, SMALL)) {
      await writeFile(join(dir, `attack-${scenario.name}.jsonl`), toJsonl(events));
      total += events.length;
    }
    const r = await huntFindings([dir], [FIXTURE_RULES]);
    assert.equal(r.events, total);
    assert.equal(r.issues, 0);
    assert.equal(r.activeRules, 7);
    const fired = new Set(r.findings.map((f) => f.title));
    assert.equal(fired.size, 7, `fixture rules that fired: ${[...fired].join(', ')}`);
    // attack events are found on the hosts they were written for, and the findings read as evtx_dump records
    const attackFiles = new Set(ATTACKS.map((a) => join(dir, `attack-${a.name}.jsonl`)));
    const attacks = r.findings.filter((f) => attackFiles.has(f.evidence[0]!.source.file));
    assert.ok(attacks.length >= ATTACKS.length);
    for (const f of r.findings) {
      assert.match(f.asset.name, /^(WS|SV)-[A-Z0-9-]+\.corp\.example\.jp$/);
      assert.ok((f.evidence[0]!.data as { Event?: unknown }).Event);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the committed fixture is what buildFixture writes (rebuild: bench/eval-cases.ts --fixture)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-fixture-test-'));
  try {
    const m = await buildFixture({ out: dir });
    for (const name of ['malicious.jsonl', 'benign.jsonl', 'MANIFEST.json'])
      assert.equal(
        await readFile(join(dir, name), 'utf8'),
        await readFile(join(FIXTURE_DIR, name), 'utf8'),
        `${name} differs: run node_modules/.bin/node bench/eval-cases.ts --fixture`,
      );
    const { cases, bad } = await readCases(FIXTURE_DIR);
    assert.deepEqual(bad, []);
    assert.equal(cases.length, m.counts.total);
    assert.ok(cases.length <= 60);
    assert.ok(m.counts.malicious > 0 && m.counts.benign >= m.counts.malicious);
    for (const c of cases) {
      assert.match(c.source, c.truth === 'malicious' ? /^synthetic-attack:/ : /^generator:/);
      // the label cannot be read off the provenance
      assert.match(c.finding.evidence[0]!.source.file, /^[^/]+\/[^/]+\.evtx$/);
      assert.equal((c.finding.details as { format?: string }).format, 'evtx');
      assert.match(c.finding.rule!.path!, /^rules\/[a-z_]+\.yml$/);
    }
    // every fixture rule that fires on an attack also fires on benign activity: the set is about the same rules
    const rulesOf = (t: string): Set<string> => new Set(cases.filter((c) => c.truth === t).map((c) => c.finding.title));
    const benignRules = rulesOf('benign');
    for (const r of rulesOf('malicious'))
      if (r !== 'Memory Dump Or Credential Tool Names LSASS') assert.ok(benignRules.has(r), r);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const SUBSET = [
  'Credential Access/sysmon_10_1_memdump_comsvcs_minidump.evtx',
  'Execution/Sysmon_Exec_CompiledHTML.evtx',
  'Execution/sysmon_zipexec.evtx',
  'Lateral Movement/LM_impacket_docmexec_mmc_sysmon_01.evtx',
];

test('built from a subset of ../shared/data: labelled by relate(), unrelated detections left out and counted', async (t) => {
  const rules = join(DEFAULT_RULES_DIR, 'windows', 'process_creation');
  if (!existsSync(DEFAULT_SAMPLES_DIR) || !existsSync(rules)) {
    t.skip(`../shared/data not found: ${DEFAULT_SAMPLES_DIR} or ${rules}`);
    return;
  }
  const out = await mkdtemp(join(tmpdir(), 'mamori-build-subset-'));
  try {
    const m = await buildEvalCases({ samples: SUBSET, rules: [rules], out, seed: 11, fleet: SMALL, jobs: 1 });
    assert.equal(m.malicious.sampleFiles, SUBSET.length);
    const { byRelation } = m.malicious;
    assert.equal(byRelation.technique + byRelation.name + byRelation.tactic + byRelation.none, m.malicious.detections);
    assert.equal(m.malicious.excludedUnrelated, byRelation.tactic + byRelation.none);
    assert.ok(m.malicious.excludedUnrelated > 0, 'the subset holds lab noise');
    assert.equal(m.counts.malicious + m.malicious.excludedOverCap, byRelation.technique + byRelation.name);
    const mal = await readCases(join(out, 'malicious.jsonl'));
    const ben = await readCases(join(out, 'benign.jsonl'));
    assert.deepEqual([...mal.bad, ...ben.bad], []);
    assert.equal(mal.cases.length, m.counts.malicious);
    assert.equal(ben.cases.length, m.counts.benign);
    assert.ok(mal.cases.length > 0);
    const perKey = new Map<string, number>();
    for (const c of mal.cases) {
      assert.equal(c.truth, 'malicious');
      assert.ok(SUBSET.includes(c.source), c.source);
      const r = relate(c.finding.rule!, sampleTechniques(c.source));
      assert.ok(r === 'technique' || r === 'name', `${c.finding.title} on ${c.source}: ${r}`);
      const k = `${c.finding.rule!.id} ${c.source}`;
      perKey.set(k, (perKey.get(k) ?? 0) + 1);
    }
    assert.ok([...perKey.values()].every((n) => n <= m.malicious.capPerRuleSample));
    // implanted: every attack is on a fleet host, in the fleet's days, and no lab host name is left
    assert.equal(m.malicious.implanted, true);
    assert.ok(m.malicious.labHosts.length > 0);
    const text = await readFile(join(out, 'malicious.jsonl'), 'utf8');
    for (const lab of m.malicious.labHosts) assert.ok(!text.toLowerCase().includes(lab.toLowerCase()), lab);
    for (const c of mal.cases) {
      assert.match(c.finding.asset.name, /\.corp\.example\.jp$/);
      const day = Date.parse(c.finding.time!);
      assert.ok(day >= Date.parse('2021-03-01') && day < Date.parse('2021-03-01') + 14 * 86_400_000, c.finding.time);
    }
    const malRules = new Set(mal.cases.map((c) => c.finding.rule!.id));
    for (const c of ben.cases) {
      assert.equal(c.truth, 'benign');
      assert.match(c.source, /^generator:[a-z0-9-]+#11$/);
      assert.ok(malRules.has(c.finding.rule!.id), 'benign cases are kept only on rules with malicious cases');
    }
    assert.equal(m.benign.fromSharedRules, m.counts.benign);
    const onDisk = JSON.parse(await readFile(join(out, 'MANIFEST.json'), 'utf8')) as { counts: unknown };
    assert.deepEqual(onDisk.counts, m.counts);
    // reproducible: a second build with the same seed writes the same cases
    const again = await mkdtemp(join(tmpdir(), 'mamori-build-subset-'));
    try {
      await buildEvalCases({ samples: SUBSET, rules: [rules], out: again, seed: 11, fleet: SMALL, jobs: 1 });
      for (const n of ['malicious.jsonl', 'benign.jsonl'])
        assert.equal(await readFile(join(again, n), 'utf8'), await readFile(join(out, n), 'utf8'), n);
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
