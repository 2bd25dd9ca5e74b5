import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSplitter, MAX_DEPTH, probeJson } from './stream.ts';

/** Runs the splitter over `text` in `chunk`-byte pieces: records as `line:text`, issues as `!line message`. */
function split(text: string, opts: { unwrap?: string[]; chunk?: number; max?: number } = {}): string[] {
  const out: string[] = [];
  const s = new JsonSplitter({
    maxElement: opts.max ?? 1000,
    unwrap: opts.unwrap ?? [],
    onElement: (e) => out.push(`${e.line}:${new TextDecoder().decode(e.bytes)}`),
    onIssue: (l, m) => out.push(`!${l} ${m}`),
  });
  const b = Buffer.from(text);
  const step = opts.chunk ?? b.length + 1;
  for (let i = 0; i < b.length; i += step) s.push(b.subarray(i, i + step));
  s.end();
  return out;
}

test('JSON splitter: records of every layout, the same in any chunking', () => {
  const cases: { name: string; text: string; unwrap?: string[]; want: string[] }[] = [
    {
      name: 'JSONL with a blank line and escapes',
      text: '{"a":1}\n{"b":[1,{"c":"x\\"}y"}]}\n\n{"d":true}\n',
      want: ['1:{"a":1}', '2:{"b":[1,{"c":"x\\"}y"}]}', '4:{"d":true}'],
    },
    { name: 'CRLF and a BOM', text: '\ufeff{"a":1}\r\n{"b":2}\r\n', want: ['1:{"a":1}', '2:{"b":2}'] },
    { name: 'top-level array', text: '[\n  {"a": 1},\n  {"b": 2}\n]\n', want: ['2:{"a": 1}', '3:{"b": 2}'] },
    {
      name: 'pretty-printed objects one after another',
      text: '{\n  "a": 1\n}\n{\n  "b": {\n    "c": [\n      1\n    ]\n  }\n}',
      want: ['1:{\n  "a": 1\n}', '4:{\n  "b": {\n    "c": [\n      1\n    ]\n  }\n}'],
    },
    {
      name: 'concatenated on one line, stray commas',
      text: '{"a":1}{"b":2},{"c":3}',
      want: ['1:{"a":1}', '1:{"b":2}', '1:{"c":3}'],
    },
    {
      name: 'wrapper: the array under the first key',
      text: '{"Records":[{"e":"A"},{"e":"B"}],"x":{"y":[1]}}',
      unwrap: ['Records'],
      want: ['1:{"e":"A"}', '1:{"e":"B"}'],
    },
    {
      name: 'wrapper key not first: the object is the record',
      text: '{"x":1,"Records":[{"e":"A"}]}',
      unwrap: ['Records'],
      want: ['1:{"x":1,"Records":[{"e":"A"}]}'],
    },
    {
      name: 'wrapper key holding no array',
      text: '{"Records":{"e":"A"}}',
      unwrap: ['Records'],
      want: ['1:{"Records":{"e":"A"}}'],
    },
    { name: 'empty containers', text: '[]\n{}\n[{}]', want: ['2:{}', '3:{}'] },
    {
      name: 'strings with braces, brackets and escaped backslashes',
      text: '{"a":"}]{[\\\\"}\n{"b":"\\u0022"}',
      want: ['1:{"a":"}]{[\\\\"}', '2:{"b":"\\u0022"}'],
    },
  ];
  for (const c of cases) {
    const whole = split(c.text, c.unwrap ? { unwrap: c.unwrap } : {});
    assert.deepEqual(whole, c.want, c.name);
    for (const chunk of [1, 2, 3, 7]) {
      assert.deepEqual(
        split(c.text, { ...(c.unwrap ? { unwrap: c.unwrap } : {}), chunk }),
        c.want,
        `${c.name} / ${chunk}`,
      );
    }
  }
});

test('JSON splitter: broken records cost themselves only, and name their line', () => {
  const cases: { name: string; text: string; want: string[] }[] = [
    {
      name: 'bad token inside an array element',
      text: '[\n  {"a": 1},\n  {"b": 2,,},\n  {"c": 3}\n]\n',
      want: ['2:{"a": 1}', "!3 broken JSON record skipped: unexpected ','", '4:{"c": 3}'],
    },
    {
      name: 'unterminated string in a pretty-printed element',
      text: '[\n  {\n    "a": 1,\n    "b": {\n      "x": "unterminated\n    }\n  },\n  {\n    "c": 3\n  }\n]\n',
      want: ['!2 broken JSON record skipped: line break inside a string at line 5', '8:{\n    "c": 3\n  }'],
    },
    {
      name: 'JSON Lines cut mid-record, after a colon and after a comma',
      text: '{"a": 1, "b":\n{"c": 2}\n{"d": 3,\n{"e": 4}\n',
      want: [
        '!1 broken JSON record skipped: cut short at the end of its line',
        '2:{"c": 2}',
        '!3 broken JSON record skipped: cut short at the end of its line',
        '4:{"e": 4}',
      ],
    },
    {
      name: 'junk lines between records',
      text: 'hello world\n{"a":1}\n]]\n{"b":2}\n',
      want: ["!1 not JSON: unexpected 'h'", '2:{"a":1}', "!3 not JSON: unexpected ']'", '4:{"b":2}'],
    },
    {
      name: 'values that are not objects',
      text: '[1, "x", {"a":1}, [2]]',
      want: [
        '!1 a JSON value that is not an object is not a record: skipped',
        '!1 a JSON value that is not an object is not a record: skipped',
        '1:{"a":1}',
        '!1 a JSON value that is not an object is not a record: skipped',
      ],
    },
    {
      name: 'a record larger than the bound, then a good one',
      text: `{"a":"${'x'.repeat(2000)}"}\n{"b":1}\n`,
      want: ['!1 JSON record larger than 1000 bytes skipped', '2:{"b":1}'],
    },
    {
      name: 'file ends inside a record',
      text: '[{"a":1},{"b":',
      want: ['1:{"a":1}', '!1 JSON record cut off: the file ends inside it'],
    },
    {
      name: 'file ends inside the array',
      text: '[{"a":1},\n',
      want: ['1:{"a":1}', '!2 the file ends inside a JSON array or object (truncated?)'],
    },
    {
      name: 'nesting too deep',
      text: '['.repeat(MAX_DEPTH + 10) + '\n{"ok":1}',
      want: [
        `!1 broken JSON record skipped: nested deeper than ${MAX_DEPTH}`,
        '2:{"ok":1}',
        '!2 the file ends inside a JSON array or object (truncated?)',
      ],
    },
    {
      name: 'a one-line array with a broken element loses the rest of that line',
      text: '[{"a":1},{"b":2,,},{"c":3}]\n',
      want: ['1:{"a":1}', "!1 broken JSON record skipped: unexpected ','"],
    },
  ];
  for (const c of cases) {
    assert.deepEqual(split(c.text, { chunk: 5 }), c.want, c.name);
    assert.deepEqual(split(c.text), c.want, `${c.name} (one chunk)`);
  }
});

test('JSON splitter: large inputs stay linear and bounded', () => {
  // a 20 MB record on one line, fed in 1 MiB pieces, between good ones
  const big = `{"a":1}\n{"big":"${'z'.repeat(20 << 20)}"}\n{"b":2}\n`;
  const t0 = performance.now();
  assert.deepEqual(split(big, { chunk: 1 << 20, max: 1 << 20 }), [
    '1:{"a":1}',
    '!2 JSON record larger than 1048576 bytes skipped',
    '3:{"b":2}',
  ]);
  // many tiny records
  const many = '{"k":1}\n'.repeat(200_000);
  let n = 0;
  const s = new JsonSplitter({ maxElement: 100, onElement: () => n++, onIssue: () => assert.fail('no issue') });
  s.push(Buffer.from(many));
  s.end();
  assert.equal(n, 200_000);
  assert.ok(performance.now() - t0 < 5000);
});

test('probeJson: what sniffing needs from the head', () => {
  assert.deepEqual(probeJson(Buffer.from('{"Records":[{"e'), ['Records']), { wrapper: 'Records', broken: false });
  assert.deepEqual(probeJson(Buffer.from('[{"a":1},{"b"')), { first: { a: 1 }, broken: false });
  assert.deepEqual(probeJson(Buffer.from('{"a":[1,2')), { broken: false });
  assert.deepEqual(probeJson(Buffer.from('[2026-11-25 10:00:00] started')), { broken: true });
  assert.deepEqual(probeJson(Buffer.from('{"a" 1}')), { broken: true });
  assert.deepEqual(probeJson(Buffer.from('{"a":1}\nnot json')), { first: { a: 1 }, broken: false });
});
