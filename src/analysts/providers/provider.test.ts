import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCall, parseJsonText, retryAfterMs } from './provider.ts';

describe('provider helpers', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  const waits: [name: string, headers: Record<string, string>, expected: number | undefined][] = [
    ['seconds', { 'retry-after': '2' }, 2000],
    ['fractional seconds', { 'retry-after': '0.5' }, 500],
    ['milliseconds win over seconds', { 'retry-after-ms': '120', 'retry-after': '9' }, 120],
    ['an HTTP date', { 'retry-after': 'Wed, 02 Dec 2026 10:00:03 GMT' }, 3000],
    ['a date in the past', { 'retry-after': 'Wed, 02 Dec 2026 09:00:00 GMT' }, 0],
    ['garbage', { 'retry-after': 'soon' }, undefined],
    ['a negative ms value falls back to seconds', { 'retry-after-ms': '-5', 'retry-after': '1' }, 1000],
    ['nothing', {}, undefined],
  ];
  for (const [name, headers, expected] of waits) {
    it(`reads retry-after: ${name}`, () => assert.equal(retryAfterMs(new Headers(headers), now), expected));
  }

  const texts: [name: string, text: string, expected: ReturnType<typeof parseJsonText>][] = [
    ['bare JSON', ' {"a":1} ', { kind: 'json', value: { a: 1 } }],
    ['a json fence', '```json\n{"a":1}\n```', { kind: 'json', value: { a: 1 } }],
    ['a bare fence', '```\n[1]\n```', { kind: 'json', value: [1] }],
    ['prose before a fence', 'Here:\n```json\n{"a":1}\n```', { kind: 'text', text: 'Here:\n```json\n{"a":1}\n```' }],
    ['prose', 'benign', { kind: 'text', text: 'benign' }],
    ['empty', '', { kind: 'text', text: '' }],
  ];
  for (const [name, text, expected] of texts) {
    it(`parses ${name}`, () => assert.deepEqual(parseJsonText(text), expected));
  }

  it('describes a call by status, endpoint and request id', () => {
    assert.equal(
      describeCall({ endpoint: 'http://h/v1/messages', status: 529, requestId: 'req_1' }),
      'HTTP 529 from http://h/v1/messages (request id req_1)',
    );
    assert.equal(describeCall({ endpoint: 'http://h/v1/messages' }), 'http://h/v1/messages');
  });
});
