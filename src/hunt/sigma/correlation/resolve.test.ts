import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldsNeeded, resolveCorrelations, suppressedBaseRules } from './resolve.ts';
import { correlationFrom } from './testkit.ts';
import type { CompiledCorrelation } from './types.ts';

function corr(name: string, body: string, top = ''): CompiledCorrelation {
  return correlationFrom(`title: ${name} title\nname: ${name}\n${top}correlation:\n${body}`, `${name}.yml`);
}

const count = (name: string, rules: string[], extra = ''): CompiledCorrelation =>
  corr(name, `  type: event_count\n  rules: [${rules.join(', ')}]\n  timespan: 5m\n  condition: {gte: 2}\n${extra}`);

test('unknown references, clashes, loops and dependants of rejected correlations become issues', () => {
  const known = new Set(['base_a', 'base_b', 'id-of-a']);
  const cases: { name: string; input: CompiledCorrelation[]; ok: string[]; issues: [string, RegExp][] }[] = [
    {
      name: 'unknown rule reference',
      input: [count('c1', ['base_a', 'nope'])],
      ok: [],
      issues: [['c1', /unknown rule reference 'nope': no loaded rule or correlation has this id or name/]],
    },
    {
      name: 'name clashes with a detection rule',
      input: [count('base_a', ['base_b'])],
      ok: [],
      issues: [['base_a', /'base_a' is also used by a detection rule/]],
    },
    {
      name: 'two correlations with one name: the second is rejected',
      input: [count('dup', ['base_a']), count('dup', ['base_b'])],
      ok: ['dup'],
      issues: [['dup', /already used by correlation 'dup title' \(dup.yml\)/]],
    },
    {
      name: 'self loop',
      input: [count('self', ['self'])],
      ok: [],
      issues: [['self', /loops: self -> self/]],
    },
    {
      name: 'two-step loop, and a correlation built on it',
      input: [count('x', ['y']), count('y', ['x']), count('top', ['x', 'base_a'])],
      ok: [],
      issues: [
        ['x', /loops: (x -> y -> x|y -> x -> y)/],
        ['y', /loops: (x -> y -> x|y -> x -> y)/],
        ['top', /depends on correlation 'x', which was rejected/],
      ],
    },
    {
      name: 'chains come out dependencies first, whatever the input order',
      input: [count('outer', ['middle', 'base_b']), count('middle', ['inner']), count('inner', ['id-of-a'])],
      ok: ['inner', 'middle', 'outer'],
      issues: [],
    },
  ];
  for (const c of cases) {
    const { ok, issues } = resolveCorrelations(c.input, known);
    assert.deepEqual(
      ok.map((o) => o.name),
      c.ok,
      `${c.name}: ok`,
    );
    assert.equal(issues.length, c.issues.length, `${c.name}: ${JSON.stringify(issues)}`);
    for (const [i, [name, re]] of c.issues.entries()) {
      assert.equal(issues[i]!.title, `${name} title`, c.name);
      assert.equal(issues[i]!.path, `${name}.yml`, c.name);
      assert.match(issues[i]!.reason, re, c.name);
    }
  }
});

test('resolved correlations point at the resolved correlations they read', () => {
  const { ok } = resolveCorrelations(
    [count('outer', ['middle']), count('middle', ['inner', 'base']), count('inner', ['base'])],
    new Set(['base']),
  );
  const [inner, middle, outer] = ok;
  assert.equal(outer!.chained.get('middle'), middle);
  assert.equal(middle!.chained.get('inner'), inner);
  assert.equal(middle!.chained.has('base'), false);
  assert.equal(inner!.chained.size, 0);
});

test('fieldsNeeded: group-by through aliases, value fields, and what chained correlations pass up', () => {
  const known = new Set(['failed', 'success', 'proc', 'net', 'net-id']);
  const input = [
    corr(
      'spray',
      `  type: value_count\n  rules: [failed]\n  group-by: [IpAddress]\n  timespan: 1h\n  condition: {field: TargetUserName, gte: 10}\n`,
    ),
    corr(
      'many',
      `  type: event_count\n  rules: [failed]\n  group-by: [Computer]\n  timespan: 5m\n  condition: {gte: 5}\n`,
    ),
    corr('guessed', `  type: temporal_ordered\n  rules: [many, success]\n  group-by: [User]\n  timespan: 1h\n`),
    corr(
      'aliased',
      `  type: temporal\n  rules: [proc, net]\n  group-by: [host]\n  timespan: 1m\n  aliases:\n    host:\n      proc: Computer\n      net-id: hostname\n`,
    ),
    corr('plain', `  type: event_count\n  rules: [proc]\n  timespan: 1m\n  condition: {gte: 3}\n`),
  ];
  const { ok, issues } = resolveCorrelations(input, known);
  assert.deepEqual(issues, []);
  const needed = fieldsNeeded(ok);
  const sorted = (k: string): string[] => [...(needed.get(k) ?? ['<absent>'])].sort();
  // `guessed` groups by User, which `many` does not group by: `many` must pass User up from its events
  assert.deepEqual(sorted('failed'), ['Computer', 'IpAddress', 'TargetUserName', 'User']);
  assert.deepEqual(sorted('success'), ['User']);
  assert.deepEqual(sorted('proc'), ['Computer']);
  // `net` has no alias entry under that key (the alias names it by id): fall back to the alias name, and keep
  // the aliased field under the id too
  assert.deepEqual(sorted('net'), ['host']);
  assert.deepEqual(sorted('net-id'), ['hostname']);
  assert.equal(needed.has('many'), false, 'correlations are not base rules');
});

test('suppressedBaseRules: spec generate; a rule some correlation generates stays visible', () => {
  const known = new Set(['a', 'b', 'c', 'd']);
  const { ok } = resolveCorrelations(
    [
      count('hide', ['a', 'b']),
      count('show', ['b', 'c'], '  generate: true\n'),
      count('outer', ['hide', 'd'], '  generate: true\n'),
    ],
    known,
  );
  assert.deepEqual([...suppressedBaseRules(ok)].sort(), ['a']);
  // only the correlations actually run count: without `show`, b is hidden by `hide`
  assert.deepEqual([...suppressedBaseRules(ok.filter((c) => c.name !== 'show'))].sort(), ['a', 'b']);
  // a chained correlation's base rules are covered even when only the outer one is passed
  assert.deepEqual([...suppressedBaseRules(ok.filter((c) => c.name === 'outer'))].sort(), ['a', 'b']);
});
