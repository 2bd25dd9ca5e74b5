import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadIssue } from '../event.ts';
import { IssueLog, LineSplitter, MAX_REPORTED_ISSUES, headLines } from './lines.ts';

function lines(input: Uint8Array, chunk: number, max = 16): string[] {
  const out: string[] = [];
  const s = new LineSplitter(
    max,
    (l, n) => out.push(`${n}:${l}`),
    (n) => out.push(`${n}!long`),
  );
  for (let i = 0; i < input.length; i += chunk) s.push(input.subarray(i, i + chunk));
  s.end();
  return out;
}

test('LineSplitter: the same lines whatever the chunking; long lines skipped, not held', () => {
  const euro = '€'; // three bytes in UTF-8: cut by small chunks
  const cases: { name: string; input: string | Uint8Array; want: string[] }[] = [
    { name: 'plain', input: 'a\nbb\n\nccc\n', want: ['1:a', '2:bb', '3:', '4:ccc'] },
    { name: 'no final newline', input: 'a\nbb', want: ['1:a', '2:bb'] },
    { name: 'CRLF', input: 'a\r\nb\r\n', want: ['1:a', '2:b'] },
    { name: 'BOM at the start', input: '\ufeffa\nb', want: ['1:a', '2:b'] },
    { name: 'multi-byte characters', input: `${euro}1\n${euro}${euro}\n`, want: [`1:${euro}1`, `2:${euro}${euro}`] },
    { name: 'a line over the limit', input: `a\n${'x'.repeat(40)}\nb\n`, want: ['1:a', '2!long', '3:b'] },
    { name: 'a long last line', input: `a\n${'x'.repeat(40)}`, want: ['1:a', '2!long'] },
    { name: 'exactly the limit', input: `${'y'.repeat(16)}\n`, want: [`1:${'y'.repeat(16)}`] },
    {
      name: 'invalid UTF-8',
      input: Buffer.from([0x61, 0xff, 0x0a, 0xe2, 0x82, 0x0a]),
      want: ['1:a\ufffd', '2:\ufffd'],
    },
  ];
  for (const c of cases) {
    const b = typeof c.input === 'string' ? Buffer.from(c.input) : c.input;
    for (const chunk of [1, 2, 3, 5, 64]) assert.deepEqual(lines(b, chunk), c.want, `${c.name} / ${chunk}`);
  }
});

test('IssueLog: the first issues in full, then one summary', () => {
  const got: ReadIssue[] = [];
  const log = new IssueLog('f.log', (i) => got.push(i));
  for (let i = 1; i <= MAX_REPORTED_ISSUES + 50; i++) log.report(i, 'bad');
  log.finish();
  assert.equal(got.length, MAX_REPORTED_ISSUES + 1);
  assert.deepEqual(got[0], { file: 'f.log', where: 'line 1', message: 'bad' });
  assert.match(got.at(-1)!.message, /^50 more skipped records/);
  assert.equal(log.count, MAX_REPORTED_ISSUES + 50);
});

test('headLines: complete non-empty lines of the head', () => {
  assert.deepEqual(headLines(Buffer.from('a\n\r\n  \nb\r\nc'), 10), ['a', 'b', 'c']);
  assert.deepEqual(headLines(Buffer.from('a\nb\nc\n'), 2), ['a', 'b']);
  // a full 64 KiB head cuts its last line: left out
  const head = Buffer.from('first\n' + 'z'.repeat(70000)).subarray(0, 65536);
  assert.deepEqual(headLines(head, 10), ['first']);
});
