import assert from 'node:assert/strict';
import { seededRandom } from '../../../core/random.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluateCorrelations, MAX_HIT_REFS } from './evaluate.ts';
import { fieldsNeeded, resolveCorrelations } from './resolve.ts';
import { correlationFrom, match, T0 } from './testkit.ts';
import type { BaseMatch, CompiledCorrelation, CorrelationHit } from './types.ts';

const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/correlation');

type Hit = { c: string; group: Record<string, unknown>; first: number; last: number; value: number; total: number };

function simplify(h: CorrelationHit): Hit {
  return {
    c: h.correlation.name ?? h.correlation.title,
    group: { ...h.group },
    first: (h.firstTime - T0) / 1000,
    last: (h.lastTime - T0) / 1000,
    value: Math.round(h.value * 1e9) / 1e9,
    total: h.total,
  };
}

/** Parses, resolves (base rules are whatever the matches name) and evaluates. */
function run(yamls: readonly string[], matches: readonly BaseMatch[], known: readonly string[] = []): Hit[] {
  const parsed = yamls.map((y, i) => correlationFrom(y, `c${i}.yml`));
  const names = new Set<string>(known);
  for (const m of matches) for (const k of m.rules) names.add(k);
  for (const c of parsed) {
    if (c.name) names.delete(c.name);
    if (c.id) names.delete(c.id);
  }
  const { ok, issues } = resolveCorrelations(parsed, names);
  assert.deepEqual(issues, []);
  return evaluateCorrelations(ok, matches).map(simplify);
}

function yamlOf(type: string, rules: string, timespan: string, condition: string, extra = ''): string {
  return `title: t\nname: cor\ncorrelation:\n  type: ${type}\n  rules: [${rules}]\n  timespan: ${timespan}\n${condition ? `  condition: ${condition}\n` : ''}${extra}`;
}

const byUser = '  group-by: [User]\n';
const u = (User: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ User, ...extra });

type Case = { name: string; yaml: string; matches: BaseMatch[]; expect: Omit<Hit, 'c'>[] };

const CASES: Case[] = [
  // event_count -----------------------------------------------------------------------------------------------
  {
    name: 'event_count: window edge is inclusive (0, 30, 60 within 60s); 61s apart is out',
    yaml: yamlOf('event_count', 'r', '60s', '{gte: 3}', byUser),
    matches: [
      match('r', 0, u('alice')),
      match('r', 30, u('alice')),
      match('r', 60, u('alice')),
      match('r', 0, u('bob')),
      match('r', 30, u('bob')),
      match('r', 61, u('bob')),
    ],
    expect: [{ group: { User: 'alice' }, first: 0, last: 60, value: 3, total: 3 }],
  },
  {
    name: 'event_count: a burst straddling a fixed 1-minute boundary still fires (sliding window)',
    yaml: yamlOf('event_count', 'r', '1m', '{gte: 3}', byUser),
    matches: [match('r', 50, u('carol')), match('r', 70, u('carol')), match('r', 110, u('carol'))],
    expect: [{ group: { User: 'carol' }, first: 50, last: 110, value: 3, total: 3 }],
  },
  {
    name: 'event_count: one long burst is one hit (peak 7 per minute), a later burst another',
    yaml: yamlOf('event_count', 'r', '60s', '{gte: 3}', byUser),
    matches: [
      ...Array.from({ length: 61 }, (_, i) => match('r', i * 10, u('dave'))),
      match('r', 2000, u('dave')),
      match('r', 2001, u('dave')),
      match('r', 2002, u('dave')),
    ],
    expect: [
      { group: { User: 'dave' }, first: 0, last: 600, value: 7, total: 61 },
      { group: { User: 'dave' }, first: 2000, last: 2002, value: 3, total: 3 },
    ],
  },
  {
    name: 'event_count lt 3: judged on whole windows, so a busy group does not fire at the edges of its burst',
    yaml: yamlOf('event_count', 'r', '60s', '{lt: 3}', byUser),
    matches: [
      match('r', 0, u('lonely')),
      ...[0, 10, 20, 30].map((s) => match('r', s, u('busy'))),
      match('r', 0, u('twice')),
      match('r', 100, u('twice')),
    ],
    expect: [
      { group: { User: 'lonely' }, first: 0, last: 0, value: 1, total: 1 },
      { group: { User: 'twice' }, first: 0, last: 0, value: 1, total: 1 },
      { group: { User: 'twice' }, first: 100, last: 100, value: 1, total: 1 },
    ],
  },
  {
    name: 'event_count range gte 3 and lte 4: 3 and 4 fire, 5 does not',
    yaml: yamlOf('event_count', 'r', '60s', '{gte: 3, lte: 4}', byUser),
    matches: [
      ...[0, 1, 2].map((s) => match('r', s, u('three'))),
      ...[0, 1, 2, 3].map((s) => match('r', s, u('four'))),
      ...[0, 1, 2, 3, 4].map((s) => match('r', s, u('five'))),
    ],
    expect: [
      { group: { User: 'three' }, first: 0, last: 2, value: 3, total: 3 },
      { group: { User: 'four' }, first: 0, last: 3, value: 4, total: 4 },
    ],
  },
  {
    name: 'event_count eq 2 and neq 2',
    yaml: yamlOf('event_count', 'r', '60s', '{eq: 2}', byUser),
    matches: [...[0, 1].map((s) => match('r', s, u('two'))), ...[0, 1, 2].map((s) => match('r', s, u('three')))],
    expect: [{ group: { User: 'two' }, first: 0, last: 1, value: 2, total: 2 }],
  },
  {
    name: 'event_count neq 2',
    yaml: yamlOf('event_count', 'r', '60s', '{neq: 2}', byUser),
    matches: [...[0, 1].map((s) => match('r', s, u('two'))), ...[0, 1, 2].map((s) => match('r', s, u('three')))],
    expect: [{ group: { User: 'three' }, first: 0, last: 2, value: 3, total: 3 }],
  },
  {
    name: 'event_count over several rules, no group-by: one group for everything',
    yaml: yamlOf('event_count', 'a, b', '10s', '{gt: 2}'),
    matches: [match('a', 0), match('b', 1), match('other', 2), match('a', 3)],
    expect: [{ group: {}, first: 0, last: 3, value: 3, total: 3 }],
  },
  {
    name: 'missing or null group-by fields take no part; 4624 and "4624" are one group',
    yaml: yamlOf('event_count', 'r', '60s', '{gte: 3}', '  group-by: [EventID]\n'),
    matches: [
      match('r', 0, { EventID: 4624 }),
      match('r', 1, {}),
      match('r', 2, { EventID: null }),
      match('r', 3, { EventID: '4624' }),
      match('r', 4, { EventID: 4624 }),
    ],
    expect: [{ group: { EventID: 4624 }, first: 0, last: 4, value: 3, total: 3 }],
  },
  {
    name: 'multi-valued group-by field: the event joins each value group (as SIEM stats by)',
    yaml: yamlOf('event_count', 'r', '60s', '{gte: 2}', byUser),
    matches: [match('r', 0, { User: ['x', 'y'] }), match('r', 1, u('y')), match('r', 2, u('x'))],
    expect: [
      { group: { User: 'y' }, first: 0, last: 1, value: 2, total: 2 },
      { group: { User: 'x' }, first: 0, last: 2, value: 2, total: 2 },
    ],
  },
  {
    name: 'two group-by fields are ANDed',
    yaml: yamlOf('event_count', 'r', '60s', '{gte: 2}', '  group-by: [User, Domain]\n'),
    matches: [
      match('r', 0, u('a', { Domain: 'd1' })),
      match('r', 1, u('a', { Domain: 'd2' })),
      match('r', 2, u('a', { Domain: 'd1' })),
    ],
    expect: [{ group: { User: 'a', Domain: 'd1' }, first: 0, last: 2, value: 2, total: 2 }],
  },
  // value_count -----------------------------------------------------------------------------------------------
  {
    name: 'value_count: distinct values; events without the field do not count',
    yaml: yamlOf('value_count', 'r', '60s', '{field: User, gte: 3}', '  group-by: [Ip]\n'),
    matches: [
      match('r', 0, { Ip: 'i1', User: 'a' }),
      match('r', 10, { Ip: 'i1', User: 'b' }),
      match('r', 15, { Ip: 'i1' }),
      match('r', 20, { Ip: 'i1', User: 'a' }),
      match('r', 30, { Ip: 'i1', User: 'c' }),
      match('r', 0, { Ip: 'i2', User: ['d', 'e'] }),
      match('r', 5, { Ip: 'i2', User: 'f' }),
      match('r', 0, { Ip: 'i3', User: 'a' }),
      match('r', 5, { Ip: 'i3', User: 'a' }),
      match('r', 70, { Ip: 'i3', User: 'b' }),
    ],
    expect: [
      { group: { Ip: 'i2' }, first: 0, last: 5, value: 3, total: 2 },
      { group: { Ip: 'i1' }, first: 0, last: 30, value: 3, total: 4 },
    ],
  },
  {
    name: 'value_count lt 2: one distinct value in a whole window',
    yaml: yamlOf('value_count', 'r', '60s', '{field: User, lt: 2}', '  group-by: [Ip]\n'),
    matches: [
      match('r', 0, { Ip: 'one', User: 'a' }),
      match('r', 10, { Ip: 'one', User: 'a' }),
      match('r', 0, { Ip: 'two', User: 'a' }),
      match('r', 10, { Ip: 'two', User: 'b' }),
      match('r', 0, { Ip: 'none' }),
    ],
    expect: [{ group: { Ip: 'one' }, first: 0, last: 10, value: 1, total: 2 }],
  },
  {
    name: 'value_count over two fields counts distinct pairs',
    yaml: yamlOf('value_count', 'r', '60s', '{field: [User, Domain], gte: 2}'),
    matches: [
      match('r', 0, { User: 'a', Domain: 'x' }),
      match('r', 1, { User: 'a', Domain: 'x' }),
      match('r', 2, { User: 'a', Domain: 'y' }),
    ],
    expect: [{ group: {}, first: 0, last: 2, value: 2, total: 3 }],
  },
  // temporal --------------------------------------------------------------------------------------------------
  {
    name: 'temporal: all rules in any order within the timespan (edge inclusive)',
    yaml: yamlOf('temporal', 'a, b, c', '5m', '', byUser),
    matches: [
      match('a', 0, u('alice')),
      match('c', 100, u('alice')),
      match('b', 300, u('alice')),
      match('a', 0, u('bob')),
      match('b', 100, u('bob')),
      match('c', 301, u('bob')),
    ],
    expect: [{ group: { User: 'alice' }, first: 0, last: 300, value: 3, total: 3 }],
  },
  {
    name: 'temporal gte 2 of 3',
    yaml: yamlOf('temporal', 'a, b, c', '5m', '{gte: 2}', byUser),
    matches: [match('a', 0, u('bob')), match('a', 10, u('bob')), match('b', 100, u('bob'))],
    expect: [{ group: { User: 'bob' }, first: 0, last: 100, value: 2, total: 3 }],
  },
  // temporal_ordered ------------------------------------------------------------------------------------------
  {
    name: 'temporal_ordered: listed order; same-second events count as in order; edge inclusive',
    yaml: yamlOf('temporal_ordered', 'a, b', '60s', '', byUser),
    matches: [
      match('a', 0, u('inorder')),
      match('b', 30, u('inorder')),
      match('b', 0, u('reversed')),
      match('a', 30, u('reversed')),
      match('b', 10, u('tie')),
      match('a', 10, u('tie')),
      match('b', 0, u('later')),
      match('a', 10, u('later')),
      match('b', 20, u('later')),
      match('a', 0, u('edge')),
      match('b', 60, u('edge')),
      match('a', 0, u('late')),
      match('b', 61, u('late')),
    ],
    // the whole window is the evidence: for `later` it starts with the b that came too early
    expect: [
      { group: { User: 'later' }, first: 0, last: 20, value: 2, total: 3 },
      { group: { User: 'inorder' }, first: 0, last: 30, value: 2, total: 2 },
      { group: { User: 'edge' }, first: 0, last: 60, value: 2, total: 2 },
      { group: { User: 'tie' }, first: 10, last: 10, value: 2, total: 2 },
    ],
  },
  {
    name: 'temporal_ordered gte 2 of 3: a then c is two in order; c then a is not',
    yaml: yamlOf('temporal_ordered', 'a, b, c', '60s', '{gte: 2}', byUser),
    matches: [match('a', 0, u('x')), match('c', 5, u('x')), match('c', 0, u('y')), match('a', 5, u('y'))],
    expect: [{ group: { User: 'x' }, first: 0, last: 5, value: 2, total: 2 }],
  },
  // metrics ---------------------------------------------------------------------------------------------------
  {
    name: 'value_sum: numbers, decimal and 0x strings; other values ignored',
    yaml: yamlOf('value_sum', 'r', '60s', '{field: Bytes, gte: 100}', '  group-by: [Host]\n'),
    matches: [
      match('r', 0, { Host: 'h1', Bytes: 50 }),
      match('r', 10, { Host: 'h1', Bytes: '30' }),
      match('r', 15, { Host: 'h1', Bytes: 'abc' }),
      match('r', 20, { Host: 'h1', Bytes: '0x14' }),
      match('r', 0, { Host: 'h2', Bytes: 60 }),
      match('r', 61, { Host: 'h2', Bytes: 50 }),
    ],
    expect: [{ group: { Host: 'h1' }, first: 0, last: 20, value: 100, total: 3 }],
  },
  {
    name: 'value_avg: judged on whole windows, so one big value among small ones does not fire alone',
    yaml: yamlOf('value_avg', 'r', '60s', '{field: Bytes, gt: 500}', '  group-by: [Host]\n'),
    matches: [
      match('r', 0, { Host: 'h1', Bytes: 1000 }),
      match('r', 10, { Host: 'h1', Bytes: 100 }),
      match('r', 0, { Host: 'h2', Bytes: 1000 }),
      match('r', 10, { Host: 'h2', Bytes: 10 }),
      match('r', 20, { Host: 'h2', Bytes: 10 }),
    ],
    expect: [{ group: { Host: 'h1' }, first: 0, last: 10, value: 550, total: 2 }],
  },
  {
    name: 'value_percentile: linear interpolation (p95 of 1..10 is 9.55)',
    yaml: yamlOf('value_percentile', 'r', '60s', '{field: ms, percentile: 95, gte: 9.5}'),
    matches: [7, 3, 10, 1, 5, 2, 9, 4, 8, 6].map((v, i) => match('r', i, { ms: v })),
    expect: [{ group: {}, first: 0, last: 9, value: 9.55, total: 10 }],
  },
  {
    name: 'value_median of 1..10 is 5.5; lte 5 does not fire',
    yaml: yamlOf('value_median', 'r', '60s', '{field: ms, gt: 5}'),
    matches: [7, 3, 10, 1, 5, 2, 9, 4, 8, 6].map((v, i) => match('r', i, { ms: v })),
    expect: [{ group: {}, first: 0, last: 9, value: 5.5, total: 10 }],
  },
];

test('evaluation table: each type, edges, ranges, missing fields', () => {
  for (const c of CASES) {
    const got = run([c.yaml], c.matches, ['a', 'b', 'c', 'r']);
    assert.deepEqual(
      got,
      c.expect.map((e) => ({ c: 'cor', ...e })),
      c.name,
    );
  }
});

test('input order does not matter', () => {
  const yaml = yamlOf('temporal_ordered', 'a, b', '60s', '', byUser);
  const matches = [match('a', 0, u('x')), match('b', 30, u('x')), match('a', 40, u('y')), match('b', 90, u('y'))];
  const forward = run([yaml], matches);
  assert.equal(forward.length, 2);
  assert.deepEqual(run([yaml], [...matches].reverse()), forward);
  assert.deepEqual(run([yaml], [matches[2]!, matches[0]!, matches[3]!, matches[1]!]), forward);
});

test('events without a finite time take no part', () => {
  const yaml = yamlOf('event_count', 'r', '60s', '{gte: 2}');
  const bad: BaseMatch = { rules: ['r'], time: Number.NaN, fields: {}, ref: 'nan' };
  assert.deepEqual(run([yaml], [match('r', 0), bad]), []);
  assert.equal(run([yaml], [match('r', 0), bad, match('r', 1)]).length, 1);
});

test('aliases: one group across rules whose fields are named differently', () => {
  const yaml = readFileSync(join(FIXTURES, 'aliases_internal_ip.yml'), 'utf8');
  const err = (s: number, dst: string, src: string): BaseMatch =>
    match(['internal_error'], s, { 'destination.ip': dst, 'source.ip': src });
  const conn = (s: number, src: string, dst: string): BaseMatch =>
    match(['new_network_connection'], s, { 'source.ip': src, 'destination.ip': dst });
  const hits = run(
    [yaml],
    [
      err(0, '10.0.0.1', '1.2.3.4'),
      conn(5, '10.0.0.1', '1.2.3.4'),
      err(0, '10.0.0.2', '5.6.7.8'),
      conn(5, '10.0.0.9', '5.6.7.8'),
    ],
  );
  assert.deepEqual(hits, [
    {
      c: 'Server error answered to an address that then connects in',
      group: { internal_ip: '10.0.0.1', remote_ip: '1.2.3.4' },
      first: 0,
      last: 5,
      value: 2,
      total: 2,
    },
  ]);
  const c = correlationFrom(yaml);
  const needed = fieldsNeeded([c]);
  assert.deepEqual([...(needed.get('internal_error') ?? [])].sort(), ['destination.ip', 'source.ip']);
});

test('chained: a fired correlation feeds the next one, at the moment its condition was met', () => {
  const text = readFileSync(join(FIXTURES, 'brute_force_then_logon.yml'), 'utf8');
  const docs = text.split(/^---$/m).filter((d) => /^correlation:/m.test(d));
  const failed = (s: number, user: string): BaseMatch =>
    match(['7c0e4b1a-1f0e-4c55-9a61-000000000001', 'failed_logon'], s, { TargetUserName: user });
  const success = (s: number, user: string): BaseMatch =>
    match(['7c0e4b1a-1f0e-4c55-9a61-000000000002', 'successful_logon'], s, { TargetUserName: user });
  const matches = [
    // alice: five failures by 240 s, success at 300 s: guessed
    ...[0, 60, 120, 180, 240].map((s) => failed(s, 'alice')),
    success(300, 'alice'),
    // bob: success at 200 s, before the fifth failure: not "failures, then success"
    ...[0, 60, 120, 180, 240].map((s) => failed(s, 'bob')),
    success(200, 'bob'),
    // carol: success after too few failures
    ...[0, 60].map((s) => failed(s, 'carol')),
    success(100, 'carol'),
  ];
  const hits = run(docs, matches);
  // the intermediate correlation (many_failed_logons) is not output: the outer one leaves generate false
  assert.deepEqual(hits, [
    {
      c: 'Password guessed after many failures',
      group: { TargetUserName: 'alice' },
      first: 0,
      last: 300,
      value: 2,
      total: 6,
    },
  ]);
  // the outer hit carries the underlying events, not the intermediate hit
  const parsed = docs.map((d) => correlationFrom(d));
  const { ok } = resolveCorrelations(parsed, new Set(['failed_logon', 'successful_logon']));
  const [hit] = evaluateCorrelations(ok, matches);
  assert.deepEqual(
    (hit!.refs as { s: number; rule: string }[]).map((r) => `${r.rule}@${r.s}`),
    [0, 60, 120, 180, 240]
      .map((s) => `7c0e4b1a-1f0e-4c55-9a61-000000000001@${s}`)
      .concat('7c0e4b1a-1f0e-4c55-9a61-000000000002@300'),
  );
});

test('chained: the outer group-by may be a field the inner one does not group by (spec note)', () => {
  const inner = `title: many\nname: many\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: [Computer]\n  timespan: 10m\n  condition: {gte: 3}\n`;
  const outer = `title: guessed\nname: guessed\ncorrelation:\n  type: temporal_ordered\n  rules: [many, success]\n  group-by: [User]\n  timespan: 1h\n`;
  const f = (s: number, User: string): BaseMatch => match('failed', s, { Computer: 'pc1', User });
  const hits = run(
    [inner, outer],
    [
      f(0, 'alice'),
      f(10, 'alice'),
      f(20, 'bob'),
      match('success', 100, { User: 'bob' }),
      match('success', 5, { User: 'alice' }),
    ],
  );
  // `many` fired on pc1 at 20 s for alice and bob (the User values it passes up); only bob succeeds afterwards
  assert.deepEqual(
    hits.map((h) => [h.c, h.group, h.first, h.last, h.total]),
    [['guessed', { User: 'bob' }, 0, 100, 4]],
  );
});

test('generate: true on the outer correlation outputs the correlations it reads as well', () => {
  const inner = `title: many\nname: many\ncorrelation:\n  type: event_count\n  rules: [failed]\n  timespan: 10m\n  condition: {gte: 2}\n`;
  const outer = `title: twice\nname: twice\ncorrelation:\n  type: event_count\n  rules: [many]\n  timespan: 1h\n  condition: {gte: 2}\n  generate: true\n`;
  const hits = run(
    [inner, outer],
    [match('failed', 0), match('failed', 1), match('failed', 1000), match('failed', 1001)],
  );
  assert.deepEqual(
    hits.map((h) => [h.c, h.first, h.last, h.value, h.total]),
    [
      ['many', 0, 1, 2, 2],
      ['twice', 0, 1001, 2, 4],
      ['many', 1000, 1001, 2, 2],
    ],
  );
});

test('a match named by id and name is counted once, and refs are capped with the total kept', () => {
  const yaml = yamlOf('event_count', 'rule-id, rule_name', '1h', '{gte: 2}');
  const matches = Array.from({ length: 250 }, (_, i) => match(['rule-id', 'rule_name'], i));
  const parsed = correlationFrom(yaml);
  const { ok } = resolveCorrelations([parsed], new Set(['rule-id', 'rule_name']));
  const [hit, ...rest] = evaluateCorrelations(ok, matches);
  assert.equal(rest.length, 0);
  assert.equal(hit!.total, 250);
  assert.equal(hit!.value, 250);
  assert.equal(hit!.refs.length, MAX_HIT_REFS);
  assert.deepEqual((hit!.refs[99] as { s: number }).s, 99);
});

// ---- cross-check against a brute-force reference on random inputs ------------------------------------------

/** Small deterministic PRNG so failures reproduce. */
const rng = seededRandom;

/** Computes a window's value by the definition, with no incremental state. */
function bruteValue(c: CompiledCorrelation, items: { ri: number; v: number; k: string }[]): number | undefined {
  switch (c.type) {
    case 'event_count':
      return items.length;
    case 'value_count':
      return new Set(items.map((i) => i.k)).size;
    case 'temporal':
      return new Set(items.map((i) => i.ri)).size;
    case 'temporal_ordered': {
      // longest strictly increasing subsequence of rule indices
      const best: number[] = [];
      for (let i = 0; i < items.length; i++) {
        best[i] = 1;
        for (let j = 0; j < i; j++) if (items[j]!.ri < items[i]!.ri) best[i] = Math.max(best[i]!, best[j]! + 1);
      }
      return Math.max(...best);
    }
    case 'value_sum':
      return items.reduce((s, i) => s + i.v, 0);
    case 'value_avg':
      return items.reduce((s, i) => s + i.v, 0) / items.length;
    default: {
      const xs = items.map((i) => i.v).sort((a, b) => a - b);
      const h = ((c.percentile ?? 50) / 100) * (xs.length - 1);
      const lo = Math.floor(h);
      return xs[lo]! + (h - lo) * ((xs[Math.ceil(h)] ?? xs[lo]!) - xs[lo]!);
    }
  }
}

function reference(c: CompiledCorrelation, matches: readonly BaseMatch[]): Hit[] {
  const groups = new Map<string, { t: number; ri: number; v: number; k: string }[]>();
  for (const m of [...matches].sort((a, b) => a.time - b.time)) {
    const ri = c.rules.indexOf(m.rules[0]!);
    const g = String(m.fields['G']);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push({ t: m.time, ri, v: m.fields['V'] as number, k: String(m.fields['V']) });
  }
  const cond = c.condition;
  const ok = (v: number): boolean =>
    (cond.gt === undefined || v > cond.gt) &&
    (cond.gte === undefined || v >= cond.gte) &&
    (cond.lt === undefined || v < cond.lt) &&
    (cond.lte === undefined || v <= cond.lte) &&
    (cond.eq === undefined || v === cond.eq) &&
    (cond.neq === undefined || v !== cond.neq);
  const lowerOnly =
    (cond.gt !== undefined || cond.gte !== undefined) &&
    cond.lt === undefined &&
    cond.lte === undefined &&
    cond.eq === undefined &&
    cond.neq === undefined;
  const trailing =
    lowerOnly && ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum'].includes(c.type);
  const peak =
    cond.gt !== undefined || cond.gte !== undefined || cond.eq !== undefined
      ? 'max'
      : cond.lt !== undefined || cond.lte !== undefined
        ? 'min'
        : 'first';
  const out: Hit[] = [];
  for (const [g, raw] of groups) {
    // same-time items ordered by rule index (temporal_ordered's tie rule)
    const items = c.type === 'temporal_ordered' ? [...raw].sort((a, b) => a.t - b.t || a.ri - b.ri) : raw;
    const windows: [number, number][] = [];
    if (trailing) {
      for (let i = 0; i < items.length; i++) {
        let f = 0;
        while (items[i]!.t - items[f]!.t > c.timespanMs) f++;
        windows.push([f, i]);
      }
    } else {
      let prev = -1;
      for (let f = 0; f < items.length; f++) {
        let l = f;
        while (l + 1 < items.length && items[l + 1]!.t - items[f]!.t <= c.timespanMs) l++;
        if (l > prev) windows.push([f, l]);
        prev = Math.max(prev, l);
      }
    }
    let ep: Hit | undefined;
    let epLast = -1;
    for (const [f, l] of windows) {
      const v = bruteValue(c, items.slice(f, l + 1));
      if (v === undefined || !ok(v)) continue;
      if (ep && f <= epLast) {
        epLast = l;
        ep.last = (items[l]!.t - T0) / 1000;
        ep.total = l - items.findIndex((x) => (x.t - T0) / 1000 === ep!.first) + 1;
        if ((peak === 'max' && v > ep.value) || (peak === 'min' && v < ep.value)) ep.value = v;
      } else {
        if (ep) out.push(ep);
        ep = {
          c: 'cor',
          group: { G: Number(g) },
          first: (items[f]!.t - T0) / 1000,
          last: (items[l]!.t - T0) / 1000,
          value: v,
          total: l - f + 1,
        };
        epLast = l;
      }
    }
    if (ep) out.push(ep);
  }
  return out
    .map((h) => ({ ...h, value: Math.round(h.value * 1e9) / 1e9 }))
    .sort((a, b) => a.first - b.first || a.last - b.last || Number(a.group['G']) - Number(b.group['G']));
}

test('random inputs: every type and condition shape agrees with a brute-force reference', () => {
  const types = [
    'event_count',
    'value_count',
    'temporal',
    'temporal_ordered',
    'value_sum',
    'value_avg',
    'value_percentile',
  ];
  const conditions = ['{gte: 3}', '{gt: 2}', '{lt: 3}', '{lte: 4}', '{gte: 2, lte: 3}', '{eq: 3}', '{neq: 2}'];
  const random = rng(20240101);
  let compared = 0;
  let fired = 0;
  for (const type of types) {
    for (const condition of conditions) {
      for (let round = 0; round < 6; round++) {
        const field = type === 'value_count' || type.startsWith('value_') ? 'field: V, ' : '';
        const pct = type === 'value_percentile' ? 'percentile: 90, ' : '';
        const cond = condition.replace('{', `{${field}${pct}`);
        const yaml = yamlOf(type, 'ra, rb, rc', '20s', cond, '  group-by: [G]\n');
        const c = correlationFrom(yaml);
        const matches: BaseMatch[] = [];
        const n = 20 + Math.floor(random() * 40);
        for (let i = 0; i < n; i++) {
          const rule = ['ra', 'rb', 'rc'][Math.floor(random() * 3)]!;
          // coarse times make ties and exact-edge windows common
          const s = Math.floor(random() * 30) * 5;
          matches.push(match(rule, s, { G: Math.floor(random() * 3), V: Math.floor(random() * 6) }));
        }
        const { ok } = resolveCorrelations([c], new Set(['ra', 'rb', 'rc']));
        const got = evaluateCorrelations(ok, matches)
          .map(simplify)
          .sort((x, y) => x.first - y.first || x.last - y.last || Number(x.group['G']) - Number(y.group['G']));
        assert.deepEqual(got, reference(c, matches), `${type} ${condition} round ${round}`);
        compared++;
        fired += got.length;
      }
    }
  }
  assert.equal(compared, types.length * conditions.length * 6);
  assert.ok(fired > 200, `the random cases should fire often enough to test something (${fired})`);
});

// ---- scale ---------------------------------------------------------------------------------------------------

test('1M base matches: each correlation is evaluated in seconds', (t) => {
  const N = 1_000_000;
  const random = rng(7);
  const matches: BaseMatch[] = new Array(N);
  for (let i = 0; i < N; i++) {
    // a day of matches over 2,000 users, in file order (not time order)
    const rule = random() < 0.9 ? 'failed' : 'success';
    matches[i] = {
      rules: [rule],
      time: T0 + Math.floor(random() * 86_400_000),
      fields: {
        User: `u${Math.floor(random() * 2000)}`,
        Ip: `10.0.${Math.floor(random() * 8)}.1`,
        Bytes: Math.floor(random() * 5000),
      },
      ref: i,
    };
  }
  const yamls = [
    `title: burst\nname: burst\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: [User]\n  timespan: 5m\n  condition: {gte: 5}\n`,
    `title: spray\nname: spray\ncorrelation:\n  type: value_count\n  rules: [failed]\n  group-by: [Ip]\n  timespan: 10m\n  condition: {field: User, gte: 500}\n`,
    `title: guessed\nname: guessed\ncorrelation:\n  type: temporal_ordered\n  rules: [failed, success]\n  group-by: [User]\n  timespan: 2m\n`,
    `title: p99\nname: p99\ncorrelation:\n  type: value_percentile\n  rules: [failed, success]\n  group-by: [Ip]\n  timespan: 1h\n  condition: {field: Bytes, percentile: 99, gt: 4900}\n`,
  ];
  const { ok } = resolveCorrelations(
    yamls.map((y) => correlationFrom(y)),
    new Set(['failed', 'success']),
  );
  const timings: string[] = [];
  for (const c of ok) {
    const start = performance.now();
    const hits = evaluateCorrelations([c], matches);
    const ms = performance.now() - start;
    timings.push(`${c.name}: ${ms.toFixed(0)} ms, ${hits.length} hits`);
    assert.ok(ms < 30_000, `${c.name} took ${ms} ms`);
    assert.ok(hits.length > 0, `${c.name} should fire on this data`);
    for (const h of hits.slice(0, 50)) {
      assert.ok(h.refs.length <= MAX_HIT_REFS);
      assert.ok(h.total >= h.refs.length);
      assert.ok(h.firstTime <= h.lastTime);
    }
  }
  t.diagnostic(timings.join('; '));
});
