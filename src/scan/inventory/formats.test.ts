import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Collector, markDev } from './extract.ts';
import { keyLines, keyPath, parseJson, stripJsonc } from './json.ts';
import { parseToml, parseTomlBlocks } from './toml.ts';
import { parseXml } from './xml.ts';
import { parseYaml } from './yaml.ts';

test('json: error lines, JSONC comments and trailing commas outside strings', () => {
  const bad = parseJson('{\n  "a": 1,\n  "b": }\n');
  assert.ok(!bad.ok && bad.line === 3);
  const text = '{\n  // note\n  "a": "x // not a comment, ]",\n  "b": [1, 2,], /* c */\n}';
  const stripped = stripJsonc(text);
  assert.equal(stripped.split('\n').length, text.split('\n').length);
  const r = parseJson(text, { jsonc: true });
  assert.ok(r.ok);
  assert.deepEqual(r.value, { a: 'x // not a comment, ]', b: [1, 2] });
});

test('json: key lines by path, escaped keys, array elements, depth and parent filters', () => {
  const text =
    '{\n "packages": {\n  "a\\"b": {\n   "x": 1\n  },\n  "c": {}\n },\n "list": [\n  {"n": 1},\n  "s"\n ]\n}';
  const all = keyLines(text, 3);
  assert.equal(all.get(keyPath('packages')), 2);
  assert.equal(all.get(keyPath('packages', 'a"b')), 3);
  assert.equal(all.get(keyPath('packages', 'a"b', 'x')), 4);
  assert.equal(all.get(keyPath('packages', 'c')), 6);
  assert.equal(all.get(keyPath('list', 0)), 9);
  assert.equal(all.get(keyPath('list', 1)), 10);
  const filtered = keyLines(text, 5, new Set(['packages']));
  assert.deepEqual([...filtered.keys()].sort(), [keyPath('packages', 'a"b'), keyPath('packages', 'c')].sort());
});

test('toml: error line; block salvage keeps the good tables with their lines', () => {
  const r = parseToml('a = 1\nb = \n');
  assert.ok(!r.ok && r.line === 2);
  const text =
    'version = 3\n\n[[package]]\nname = "a"\nversion = "1"\n\n[[package]]\nname = "b\nversion = "2"\n\n[[package]]\nname = "c"\nversion = "3"\n';
  const b = parseTomlBlocks(text, 'package');
  assert.deepEqual(
    b.tables.map((t) => [t.value['name'], t.line]),
    [
      ['a', 3],
      ['c', 11],
    ],
  );
  assert.equal(b.errors[0]?.line, 8);
  assert.equal(b.head?.['version'], 3);
  // deeply nested inline arrays are refused, not recursed into
  assert.equal(parseToml(`a = ${'['.repeat(10_000)}${']'.repeat(10_000)}`).ok, false);
});

test('xml: lines, prefixes dropped, entities not expanded, errors keep the partial tree', () => {
  const x = parseXml('<?xml version="1.0"?>\n<m:project xmlns:m="urn:x">\n  <m:a k="v">t &amp; u</m:a>\n</m:project>');
  assert.equal(x.root?.name, 'project');
  assert.equal(x.root?.children[0]?.line, 3);
  assert.equal(x.root?.children[0]?.text, 't & u');
  assert.equal(x.root?.children[0]?.attributes['k'], 'v');
  const bomb = parseXml('<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n<l>&b;</l>');
  assert.ok(bomb.errors.length > 0, 'undeclared-to-saxes entities are errors, never expansions');
  assert.ok(!(bomb.root?.text ?? '').includes('aaaaaaaaaa'));
  const broken = parseXml('<a>\n<b>1</b>\n<c>\n</a>');
  assert.equal(broken.root?.children.length, 2);
  assert.ok(broken.errors.some((e) => e.line === 4));
});

test('yaml: error line; alias expansion bounded', () => {
  const r = parseYaml('a: [1, 2\nb: 3\n');
  assert.ok(!r.ok && r.line !== undefined);
  let doc = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 0; i < 12; i++)
    doc += `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
      .fill(`*${String.fromCharCode(97 + i)}`)
      .join(', ')}]\n`;
  assert.equal(parseYaml(doc).ok, false);
});

test('collector: one entry per name and version; dev only if every sighting is; bounded issues', () => {
  const c = new Collector('x.lock', 'npm');
  c.add({ name: 'a', version: '1.0.0', line: 5, dev: true });
  c.add({ name: 'a', version: '1.0.0', line: 9, dev: false, direct: true });
  c.add({ name: 'b', version: '1.0.0', dev: true });
  c.add({ name: 'b', version: '1.0.0', dev: true });
  c.add({ name: '', version: '1' });
  for (let i = 0; i < 1100; i++) c.issue(`i${i}`);
  const r = c.result();
  assert.deepEqual(
    r.packages.map((p) => [p.name, p.line, p.dev, p.direct, p.purl]),
    [
      ['a', 5, false, true, 'pkg:npm/a@1.0.0'],
      ['b', undefined, true, undefined, 'pkg:npm/b@1.0.0'],
    ],
  );
  assert.equal(r.issues.length, 1001);
  assert.match(r.issues[1000]!.message, /100 more issues/);
});

test('markDev: reached from prod is prod, only from dev is dev, cycles end', () => {
  const graph: Record<string, string[]> = { app: ['x'], x: ['y'], y: ['x'], t: ['y', 'z'], z: [] };
  const { prod, dev } = markDev(['app'], ['t'], (n) => graph[n] ?? []);
  assert.deepEqual([...prod].sort(), ['app', 'x', 'y']);
  assert.deepEqual([...dev].sort(), ['t', 'z']);
});

test('json: the fallback error locator agrees with valid JSON and survives deep nesting', async () => {
  const { jsonErrorOffset } = await import('./json.ts');
  for (const ok of ['{}', '[1, "a", {"b": [true, null, -1.5e3]}]', ' "x" ', '0'])
    assert.equal(jsonErrorOffset(ok), undefined, ok);
  assert.equal(jsonErrorOffset('{"a": 1,}'), 8);
  assert.equal(jsonErrorOffset('[1 2]'), 3);
  assert.equal(jsonErrorOffset('"abc'), 4);
  assert.equal(jsonErrorOffset(`${'['.repeat(100_000)}1${']'.repeat(99_999)}`), 200_000);
  const r = parseJson(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  assert.ok(r.ok);
});
