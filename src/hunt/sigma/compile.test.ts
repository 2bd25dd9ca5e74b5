import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRule } from './compile.ts';
import { parseSigmaText } from './parse.ts';
import { testFields as ev, testRule as rule } from './testkit.ts';

const b64 = (s: string, enc: BufferEncoding = 'utf8'): string => Buffer.from(s, enc).toString('base64');

// [name, detection, event, expected]
const CASES: [string, Record<string, unknown>, Record<string, unknown>, boolean][] = [
  [
    'equality is case-insensitive',
    { s: { Image: 'C:\\Windows\\cmd.exe' }, condition: 's' },
    { Image: 'c:\\windows\\CMD.EXE' },
    true,
  ],
  ['cased keeps case', { s: { 'Image|cased': 'cmd.exe' }, condition: 's' }, { Image: 'CMD.EXE' }, false],
  ['wildcard *', { s: { Image: '*\\cmd.exe' }, condition: 's' }, { Image: 'C:\\x\\cmd.exe' }, true],
  ['wildcard ? is one character', { s: { Image: 'cm?.exe' }, condition: 's' }, { Image: 'cmdd.exe' }, false],
  ['escaped * is literal', { s: { Image: 'a\\*b' }, condition: 's' }, { Image: 'axxb' }, false],
  ['escaped * matches a star', { s: { Image: 'a\\*b' }, condition: 's' }, { Image: 'a*b' }, true],
  [
    'contains with a trailing backslash',
    { s: { 'P|contains': '\\Users\\Public\\' }, condition: 's' },
    { P: 'C:\\Users\\Public\\s.exe' },
    true,
  ],
  [
    'contains',
    { s: { 'CommandLine|contains': 'mimikatz' }, condition: 's' },
    { CommandLine: 'run MimiKatz now' },
    true,
  ],
  ['startswith', { s: { 'CommandLine|startswith': 'run' }, condition: 's' }, { CommandLine: 'xrun' }, false],
  [
    'endswith list is OR',
    { s: { 'Image|endswith': ['\\a.exe', '\\b.exe'] }, condition: 's' },
    { Image: 'C:\\b.exe' },
    true,
  ],
  [
    'contains|all is AND',
    { s: { 'CommandLine|contains|all': ['a', 'z'] }, condition: 's' },
    { CommandLine: 'abc' },
    false,
  ],
  ['number equals string', { s: { EventID: 4688 }, condition: 's' }, { EventID: '4688' }, true],
  ['string equals number', { s: { EventID: '4688' }, condition: 's' }, { EventID: 4688 }, true],
  ['null means absent', { s: { Parent: null }, condition: 's' }, {}, true],
  ['null means empty', { s: { Parent: null }, condition: 's' }, { Parent: '' }, true],
  ['null is not a value', { s: { Parent: null }, condition: 's' }, { Parent: 'x' }, false],
  ['empty string', { s: { P: '' }, condition: 's' }, { P: '' }, true],
  ['exists true', { s: { 'P|exists': true }, condition: 's' }, { P: 'x' }, true],
  ['exists false', { s: { 'P|exists': false }, condition: 's' }, { P: 'x' }, false],
  ['array event value: any element', { s: { type: 'EXECVE' }, condition: 's' }, { type: ['SYSCALL', 'EXECVE'] }, true],
  [
    'keywords are searched inside every value',
    { k: ['Failed password'], condition: 'k' },
    { message: 'sshd: Failed password for x' },
    true,
  ],
  ['keywords are case-insensitive', { k: ['FAILED PASSWORD'], condition: 'k' }, { message: 'Failed password' }, true],
  ['a keyword that is not there', { k: ['Accepted'], condition: 'k' }, { message: 'Failed password' }, false],
  ['numeric keywords are searched too', { k: [4625], condition: 'k' }, { message: 'event 4625 seen' }, true],
  [
    'keywords|all: every one somewhere',
    { k: { '|all': ['sshd', 'root'] }, condition: 'k' },
    { a: 'sshd', b: 'user root' },
    true,
  ],
  [
    'keywords|all: one missing',
    { k: { '|all': ['sshd', 'admin'] }, condition: 'k' },
    { a: 'sshd', b: 'user root' },
    false,
  ],
  [
    'keywords with wildcards',
    { k: ['*Failed password*'], condition: 'k' },
    { message: 'sshd: Failed password for x' },
    true,
  ],
  ['re', { s: { 'C|re': '^a.+z$' }, condition: 's' }, { C: 'abcz' }, true],
  ['re is case-sensitive', { s: { 'C|re': '^A' }, condition: 's' }, { C: 'abc' }, false],
  ['re|i', { s: { 'C|re|i': '^A' }, condition: 's' }, { C: 'abc' }, true],
  ['re inline (?i)', { s: { 'C|re': '(?i)^A' }, condition: 's' }, { C: 'abc' }, true],
  ['base64', { s: { 'C|base64': 'abc' }, condition: 's' }, { C: b64('abc') }, true],
  [
    'base64offset|contains',
    { s: { 'C|base64offset|contains': 'http://' }, condition: 's' },
    { C: `x${b64('GET http://e')}` },
    true,
  ],
  [
    'wide|base64offset|contains',
    { s: { 'C|wide|base64offset|contains': 'IEX' }, condition: 's' },
    { C: b64('xIEX (New', 'utf16le') },
    true,
  ],
  ['windash', { s: { 'C|windash|contains': ' -enc ' }, condition: 's' }, { C: 'powershell /enc AAA' }, true],
  [
    'windash en dash',
    { s: { 'C|windash|contains': ' -enc ' }, condition: 's' },
    { C: 'powershell \u2013enc AAA' },
    true,
  ],
  ['gte', { s: { 'N|gte': 10 }, condition: 's' }, { N: '12' }, true],
  ['lt', { s: { 'N|lt': 10 }, condition: 's' }, { N: 12 }, false],
  ['cidr v4', { s: { 'Ip|cidr': '10.0.0.0/8' }, condition: 's' }, { Ip: '10.42.0.17' }, true],
  ['cidr v4 outside', { s: { 'Ip|cidr': '10.0.0.0/8' }, condition: 's' }, { Ip: '11.0.0.1' }, false],
  ['cidr v6', { s: { 'Ip|cidr': 'fe80::/10' }, condition: 's' }, { Ip: 'fe80::1' }, true],
  ['fieldref', { s: { 'A|fieldref': 'B' }, condition: 's' }, { A: 'x', B: 'X' }, true],
  ['fieldref|contains', { s: { 'A|fieldref|contains': 'B' }, condition: 's' }, { A: 'abc', B: 'b' }, true],
  ['neq', { s: { 'A|neq': 'x' }, condition: 's' }, { A: 'y' }, true],
  ['not binds tighter than and', { a: { A: 1 }, b: { B: 1 }, condition: 'not a and b' }, { A: 2, B: 1 }, true],
  ['and binds tighter than or', { a: { A: 1 }, b: { B: 1 }, c: { C: 1 }, condition: 'a or b and c' }, { A: 1 }, true],
  ['parentheses', { a: { A: 1 }, b: { B: 1 }, c: { C: 1 }, condition: '(a or b) and c' }, { A: 1 }, false],
  ['1 of pattern', { sel_a: { A: 1 }, sel_b: { B: 1 }, condition: '1 of sel_*' }, { B: 1 }, true],
  ['all of them skips _ names', { a: { A: 1 }, _aux: { Z: 1 }, condition: 'all of them' }, { A: 1 }, true],
  ['list of maps is OR', { s: [{ A: 1 }, { B: 1 }], condition: 's' }, { B: 1 }, true],
  ['condition list is OR', { a: { A: 1 }, b: { B: 1 }, condition: ['a', 'b'] }, { B: 1 }, true],
];

test('detection semantics', () => {
  for (const [name, det, fields, want] of CASES) assert.equal(compileRule(rule(det)).match(ev(fields)), want, name);
});

test('rules that cannot be honoured are rejected with the reason', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ s: { 'A|nosuchmod': 1 }, condition: 's' }, /unknown or unsupported modifier 'nosuchmod'/],
    [{ s: { A: 1 }, condition: 's | count() > 5' }, /write a correlation rule/],
    [{ s: { A: 1 }, condition: 'nope' }, /names 'nope'/],
    [{ s: { A: 1 }, condition: '(s' }, /missing '\)'/],
    [{ s: { 'A|expand': '%dcs%' }, condition: 's' }, /placeholder %dcs% has no values/],
    [{ s: { 'A|re': '(' }, condition: 's' }, /not valid here/],
  ];
  for (const [det, re] of bad) assert.throws(() => compileRule(rule(det)), re);
  const ok = compileRule(rule({ s: { 'A|expand': '%dcs%' }, condition: 's' }), {
    placeholders: new Map([['dcs', ['DC1', 'DC2']]]),
  });
  assert.ok(ok.match(ev({ A: 'dc2' })));
});

test('parsing reports YAML errors and missing parts, and reads collections', () => {
  const r = parseSigmaText('title: x\ndetection: [', 'bad.yml');
  assert.equal(r.documents.length, 0);
  assert.match(r.issues[0]!.reason, /YAML error/);
  const m = parseSigmaText('title: x\nlogsource: {product: windows}\ndetection: {s: {A: 1}}', 'nocond.yml');
  assert.match(m.issues[0]!.reason, /no condition/);
  const coll = parseSigmaText(
    'action: global\ntitle: shared\nlogsource: {product: windows}\n---\ndetection: {s: {A: 1}, condition: s}\n---\ndetection: {s: {B: 1}, condition: s}\n',
    'c.yml',
  );
  assert.equal(coll.documents.length, 2);
  assert.equal(coll.documents[1]!.title, 'shared');
  assert.equal(coll.documents[1]!.path, 'c.yml#3');
  const bomb = parseSigmaText(
    'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ntitle: t',
    'bomb.yml',
  );
  assert.equal(bomb.documents.length, 0);
  assert.match(bomb.issues[0]!.reason, /YAML error|alias/i);
});

test('a catastrophic regular expression from a rule cannot hang matching (ReDoS)', () => {
  // run with --enable-experimental-regexp-engine-on-excessive-backtracks, as bin/mamori and npm test do
  const evil = ['(a+)+$', '(a|a)*b', '(.*a){12}$'];
  for (const re of evil) {
    const r = compileRule(rule({ s: { 'C|re': re }, condition: 's' }));
    const t0 = performance.now();
    r.match(ev({ C: `${'a'.repeat(5000)}!` }));
    const ms = performance.now() - t0;
    assert.ok(ms < 200, `${re} took ${ms.toFixed(0)} ms`);
  }
});
