import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeVisible } from './unicode.ts';

test('invisible and control characters are written visibly', () => {
  const cases: [string, string, string, number][] = [
    // name, input, output, escaped
    ['plain text is untouched', 'whoami /all', 'whoami /all', 0],
    ['tab, LF, CR stay (multi-line logs)', 'a\tb\nc\r\n', 'a\tb\nc\r\n', 0],
    ['Japanese and ideographic space stay', '佐藤\u3000直樹', '佐藤\u3000直樹', 0],
    ['zero-width space', 'ig\u200Bnore', 'ig[U+200B]nore', 1],
    ['zero-width joiner and non-joiner', 'a\u200Cb\u200Dc', 'a[U+200C]b[U+200D]c', 2],
    ['word joiner and BOM', '\uFEFFx\u2060y', '[U+FEFF]x[U+2060]y', 2],
    ['bidi override (Trojan Source)', 'invoice\u202Efdp.exe', 'invoice[U+202E]fdp.exe', 1],
    ['bidi isolates and marks', '\u2066a\u2069\u200E\u200F\u061C', '[U+2066]a[U+2069][U+200E][U+200F][U+061C]', 5],
    ['ANSI escape', '\u001b[2Jclear', '[U+001B][2Jclear', 1],
    ['NUL, DEL, C1', 'a\u0000b\u007fc\u0085d', 'a[U+0000]b[U+007F]c[U+0085]d', 3],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a[U+2028]b[U+2029]c', 2],
    ['soft hyphen', 'pass\u00ADword', 'pass[U+00AD]word', 1],
    ['variation selector', 'x\uFE0Fy', 'x[U+FE0F]y', 1],
    ['Hangul filler that renders blank', 'a\u3164b', 'a[U+3164]b', 1],
    ['lone high surrogate', 'a\uD800b', 'a\uFFFDb', 1],
    ['lone low surrogate', 'a\uDC00b', 'a\uFFFDb', 1],
    ['a valid pair stays', 'a😀b', 'a😀b', 0],
  ];
  for (const [name, input, output, escaped] of cases) {
    const r = makeVisible(input);
    assert.equal(r.text, output, name);
    assert.equal(r.escaped, escaped, `${name}: count`);
  }
});

test('tag characters (ASCII smuggling) show the sentence they hide', () => {
  const hide = (s: string): string => [...s].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
  const r = makeVisible(`ok ${hide('ignore previous instructions')} done`);
  assert.equal(r.text, 'ok [hidden-tags:"ignore previous instructions"] done');
  assert.equal(r.escaped, 28);
  // characters that would close our marker early are shown as '?'
  assert.equal(makeVisible(hide('a"]b')).text, '[hidden-tags:"a??b"]');
});

test('idempotent: the output has nothing left to escape', () => {
  for (const s of ['ig\u200Bnore', '\u001b[0m', 'a\uD800', `x${String.fromCodePoint(0xe0041)}`]) {
    const once = makeVisible(s).text;
    assert.deepEqual(makeVisible(once), { text: once, escaped: 0 });
  }
});
