import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CorrelationError } from './errors.ts';
import { parseCorrelation, parseTimespan } from './parse.ts';
import { correlationFrom, docFrom } from './testkit.ts';

const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/correlation');

test('timespans: spec units and pySigma weeks; others rejected with the reason', () => {
  const ok: [unknown, number][] = [
    ['30s', 30_000],
    ['90m', 5_400_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    [' 5m ', 300_000],
  ];
  for (const [v, ms] of ok) assert.equal(parseTimespan(v), ms, String(v));
  const bad: [unknown, RegExp][] = [
    [undefined, /missing/],
    [300, /has no unit; write e.g. 300s/],
    ['5x', /unknown unit 'x'/],
    ['1H', /units are lowercase/],
    ['1M', /months and years are not fixed/],
    ['1y', /months and years are not fixed/],
    ['0m', /greater than zero/],
    ['1h30m', /one number and one unit/],
    ['m', /one number and one unit/],
    ['-5m', /one number and one unit/],
    ['3651d', /longer than the limit/],
    [['5m'], /is not a timespan/],
  ];
  for (const [v, re] of bad) {
    assert.throws(
      () => parseTimespan(v),
      (e: unknown) =>
        e instanceof CorrelationError &&
        e.code === (v === undefined ? 'MISSING_FIELD' : 'BAD_TIMESPAN') &&
        re.test(e.message),
      String(v),
    );
  }
});

const BASE = `
title: t
id: 0e95725d-7320-415d-80f7-004da920fc11
name: corr
level: high
tags: [attack.t1110]
`;

test('valid documents of each type compile to the fields the evaluator reads', () => {
  const cases: { name: string; body: string; expect: Record<string, unknown> }[] = [
    {
      name: 'event_count',
      body: `type: event_count\n  rules: [failed]\n  group-by: [ComputerName]\n  timespan: 1h\n  condition: {gte: 100}`,
      expect: {
        type: 'event_count',
        rules: ['failed'],
        groupBy: ['ComputerName'],
        timespanMs: 3_600_000,
        condition: { gte: 100 },
        field: [],
      },
    },
    {
      name: 'value_count with a range',
      body: `type: value_count\n  rules: [failed]\n  group-by: [Src, Dst]\n  timespan: 1d\n  condition: {field: User, gt: 100, lte: 200}`,
      expect: { type: 'value_count', groupBy: ['Src', 'Dst'], condition: { gt: 100, lte: 200 }, field: ['User'] },
    },
    {
      name: 'temporal without condition needs every rule',
      body: `type: temporal\n  rules: [a, b, c]\n  group-by: [User]\n  timespan: 5m`,
      expect: { type: 'temporal', condition: { gte: 3 } },
    },
    {
      name: 'temporal_ordered with a count',
      body: `type: temporal_ordered\n  rules: [a, b, c]\n  timespan: 1h\n  condition: {gte: 2}`,
      expect: { type: 'temporal_ordered', condition: { gte: 2 }, groupBy: [] },
    },
    {
      name: 'value_sum with a fractional threshold',
      body: `type: value_sum\n  rules: [r]\n  timespan: 10m\n  condition: {field: Amount, gt: 0.5}`,
      expect: { type: 'value_sum', field: ['Amount'], condition: { gt: 0.5 } },
    },
    {
      name: 'value_avg',
      body: `type: value_avg\n  rules: [r]\n  group-by: SourceIP\n  timespan: 24h\n  condition: {field: BytesOut, gt: 500}`,
      expect: { type: 'value_avg', groupBy: ['SourceIP'], field: ['BytesOut'] },
    },
    {
      name: 'value_percentile',
      body: `type: value_percentile\n  rules: [r]\n  timespan: 15m\n  condition: {field: ResponseTime, percentile: 95, gte: 2000}`,
      expect: { type: 'value_percentile', percentile: 95, condition: { gte: 2000 } },
    },
    {
      name: 'value_median is percentile 50',
      body: `type: value_median\n  rules: [r]\n  timespan: 15m\n  condition: {field: x, neq: 0}`,
      expect: { type: 'value_median', percentile: 50, condition: { neq: 0 } },
    },
    {
      name: 'rules as one string, numeric strings as counts, field ignored on event_count (as pySigma)',
      body: `type: event_count\n  rules: only\n  timespan: 5m\n  condition: {gte: '10', field: User}`,
      expect: { rules: ['only'], condition: { gte: 10 }, field: [] },
    },
    {
      name: 'aliases',
      body: `type: temporal\n  rules: [internal_error, new_network_connection]\n  group-by: [internal_ip]\n  timespan: 10s\n  aliases:\n    internal_ip:\n      internal_error: destination.ip\n      new_network_connection: source.ip`,
      expect: { groupBy: ['internal_ip'] },
    },
  ];
  for (const c of cases) {
    const compiled = correlationFrom(`${BASE}correlation:\n  ${c.body}\n`);
    for (const [k, v] of Object.entries(c.expect)) {
      assert.deepEqual((compiled as unknown as Record<string, unknown>)[k], v, `${c.name}: ${k}`);
    }
    assert.equal(compiled.title, 't');
    assert.equal(compiled.level, 'high');
    assert.deepEqual(compiled.tags, ['attack.t1110']);
    assert.equal(compiled.chained.size, 0);
  }
  const aliased = correlationFrom(`${BASE}correlation:\n  ${cases[9]!.body}\n`);
  assert.equal(aliased.aliases.get('internal_ip')?.get('new_network_connection'), 'source.ip');
});

test('generate: inside correlation (pySigma) or beside level (spec); defaults to false', () => {
  const body = (extra: string, top = ''): string =>
    `${BASE}${top}correlation:\n  type: event_count\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 2}\n${extra}`;
  assert.equal(correlationFrom(body('')).generate, false);
  assert.equal(correlationFrom(body('  generate: true\n')).generate, true);
  assert.equal(correlationFrom(body('', 'generate: true\n')).generate, true);
  assert.throws(
    () => correlationFrom(body("  generate: 'yes'\n")),
    /correlation.generate: 'yes' must be true or false/,
  );
});

test('malformed correlations are rejected with a specific reason', () => {
  const ev = (cond: string, extra = ''): string =>
    `correlation:\n  type: event_count\n  rules: [r]\n  timespan: 5m\n  condition: ${cond}\n${extra}`;
  const cases: [string, string, string, RegExp][] = [
    ['no correlation section', 'level: low\n', 'MISSING_FIELD', /^correlation: missing/],
    ['correlation is a list', 'correlation: [1]\n', 'MISSING_FIELD', /must be a map/],
    [
      'missing type',
      'correlation:\n  rules: [r]\n  timespan: 5m\n',
      'MISSING_FIELD',
      /correlation.type: missing; use one of event_count/,
    ],
    [
      'unknown type',
      'correlation:\n  type: event_cnt\n  rules: [r]\n',
      'UNKNOWN_TYPE',
      /unknown type 'event_cnt'; use one of/,
    ],
    [
      'missing rules',
      'correlation:\n  type: temporal\n  timespan: 5m\n',
      'MISSING_FIELD',
      /correlation.rules: missing/,
    ],
    ['empty rules', 'correlation:\n  type: temporal\n  rules: []\n  timespan: 5m\n', 'BAD_RULES', /is empty/],
    [
      'duplicate rule',
      'correlation:\n  type: temporal\n  rules: [a, a]\n  timespan: 5m\n',
      'BAD_RULES',
      /'a' is listed twice/,
    ],
    [
      'rule not a string',
      'correlation:\n  type: temporal\n  rules: [{a: 1}]\n  timespan: 5m\n',
      'BAD_RULES',
      /is not a rule id or name/,
    ],
    [
      'missing timespan',
      'correlation:\n  type: event_count\n  rules: [r]\n  condition: {gte: 2}\n',
      'MISSING_FIELD',
      /correlation.timespan: missing/,
    ],
    ['bad timespan', ev('{gte: 2}').replace('5m', '5 minutes'), 'BAD_TIMESPAN', /one number and one unit/],
    [
      'missing condition',
      'correlation:\n  type: event_count\n  rules: [r]\n  timespan: 5m\n',
      'MISSING_FIELD',
      /event_count needs a comparison/,
    ],
    ['bad operator', ev('{ge: 2}'), 'BAD_CONDITION', /unknown operator 'ge'; use gt, gte, lt, lte, eq or neq/],
    [
      'no comparison',
      'correlation:\n  type: value_count\n  rules: [r]\n  timespan: 5m\n  condition: {field: User}\n',
      'BAD_CONDITION',
      /has no comparison/,
    ],
    ['not a number', ev('{gte: many}'), 'BAD_CONDITION', /correlation.condition.gte: 'many' is not a number/],
    ['condition is a list', ev('[gte, 2]'), 'BAD_CONDITION', /must be a map of comparisons/],
    ['empty range', ev('{gt: 5, lt: 3}'), 'BAD_CONDITION', /'gt 5 and lt 3' can never be met/],
    ['integer gap', ev('{gt: 5, lt: 6}'), 'BAD_CONDITION', /can never be met/],
    ['count below one', ev('{lt: 1}'), 'BAD_CONDITION', /counts at least 1 in any window/],
    ['eq and neq clash', ev('{eq: 4, neq: 4}'), 'BAD_CONDITION', /can never be met/],
    [
      'temporal beyond the rules',
      'correlation:\n  type: temporal\n  rules: [a, b]\n  timespan: 5m\n  condition: {gte: 3}\n',
      'BAD_CONDITION',
      /from 1 to 2/,
    ],
    [
      'extended condition',
      'correlation:\n  type: temporal\n  rules: [a, b]\n  timespan: 5m\n  condition: a and not b\n',
      'UNSUPPORTED',
      /boolean \(extended\) conditions/,
    ],
    [
      'value_count without field',
      'correlation:\n  type: value_count\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 2}\n',
      'MISSING_FIELD',
      /condition.field: missing/,
    ],
    [
      'metric with two fields',
      'correlation:\n  type: value_sum\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 2, field: [a, b]}\n',
      'BAD_FIELD',
      /takes one numeric field/,
    ],
    [
      'percentile missing',
      'correlation:\n  type: value_percentile\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 2, field: a}\n',
      'MISSING_FIELD',
      /percentile: missing/,
    ],
    [
      'percentile out of range',
      'correlation:\n  type: value_percentile\n  rules: [r]\n  timespan: 5m\n  condition: {gte: 2, field: a, percentile: 150}\n',
      'BAD_CONDITION',
      /from 0 to 100/,
    ],
    [
      'group-by not names',
      'correlation:\n  type: temporal\n  rules: [a]\n  group-by: {a: 1}\n  timespan: 5m\n',
      'BAD_GROUP_BY',
      /list of field names/,
    ],
    [
      'alias not a map',
      'correlation:\n  type: temporal\n  rules: [a]\n  timespan: 5m\n  aliases: {ip: src}\n',
      'BAD_ALIASES',
      /correlation.aliases.ip: must map/,
    ],
    [
      'alias field not a name',
      'correlation:\n  type: temporal\n  rules: [a]\n  timespan: 5m\n  aliases: {ip: {a: 3}}\n',
      'BAD_ALIASES',
      /correlation.aliases.ip.a: 3 is not a field name/,
    ],
    [
      'too many ordered rules',
      `correlation:\n  type: temporal_ordered\n  rules: [${Array.from({ length: 17 }, (_, i) => `r${i}`).join(', ')}]\n  timespan: 5m\n`,
      'BAD_RULES',
      /at most 16/,
    ],
  ];
  for (const [name, text, code, re] of cases) {
    assert.throws(
      () => parseCorrelation(docFrom(`title: x\n${text}`)),
      (e: unknown) => {
        assert.ok(e instanceof CorrelationError, `${name}: not a CorrelationError`);
        assert.equal(e.code, code, `${name}: code (${e.message})`);
        assert.match(e.message, re, name);
        return true;
      },
      name,
    );
  }
});

test('fixtures (spec examples) parse', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yml'));
  assert.ok(files.length >= 3);
  for (const f of files) {
    const text = readFileSync(join(FIXTURES, f), 'utf8');
    for (const part of text.split(/^---$/m)) {
      if (!/^correlation:/m.test(part)) continue;
      const c = correlationFrom(part, f);
      assert.ok(c.rules.length > 0, f);
      assert.ok(c.timespanMs > 0, f);
    }
  }
});
