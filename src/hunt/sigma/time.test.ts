import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRule } from './compile.ts';
import { testFields as ev, testRule as rule } from './testkit.ts';
import { parseUtc, timePart, type TimePart } from './time.ts';

test('date and time values: ISO 8601 forms, UTC unless an offset says otherwise', () => {
  const cases: [string, string | undefined][] = [
    ['2026-11-02T10:14:00.000000Z', '2026-11-02T10:14:00.000Z'],
    ['2026-11-02 10:14:59.123', '2026-11-02T10:14:59.000Z'],
    ['2026-11-02T10:14', '2026-11-02T10:14:00.000Z'],
    ['2026-11-02', '2026-11-02T00:00:00.000Z'],
    ['2026-11-02T01:30:00+09:00', '2026-11-01T16:30:00.000Z'],
    ['2026-11-02T23:30:00-0500', '2026-11-03T04:30:00.000Z'],
    ['2026-11-02T23:30:00 +05', '2026-11-02T18:30:00.000Z'],
    ['2016-12-31T23:59:60Z', '2016-12-31T23:59:59.000Z'],
    ['2026-02-30', undefined],
    ['2026-13-01', undefined],
    ['2026-11-02T24:00:00Z', undefined],
    ['02/11/2026', undefined],
    ['1762078440', undefined],
    ['', undefined],
  ];
  for (const [text, want] of cases) {
    const t = parseUtc(text);
    assert.equal(t === undefined ? undefined : new Date(t).toISOString(), want, text);
  }
});

test('parts: minute, hour, day, month, year, and ISO weeks across year ends', () => {
  const cases: [string, TimePart, number][] = [
    ['2026-11-02T10:14:00Z', 'minute', 14],
    ['2026-11-02T10:14:00Z', 'hour', 10],
    ['2026-11-02T10:14:00Z', 'day', 2],
    ['2026-11-02T10:14:00Z', 'month', 11],
    ['2026-11-02T10:14:00Z', 'year', 2026],
    ['2026-11-02T10:14:00Z', 'week', 45],
    ['2026-01-01T00:00:00Z', 'week', 1],
    ['2021-01-03T23:59:59Z', 'week', 53],
    ['2021-01-04T00:00:00Z', 'week', 1],
    ['2024-12-30T12:00:00Z', 'week', 1],
    ['2020-12-31T12:00:00Z', 'week', 53],
    ['2026-11-02T01:30:00+09:00', 'day', 1],
    ['2026-11-02T01:30:00+09:00', 'hour', 16],
  ];
  for (const [text, part, want] of cases) assert.equal(timePart(parseUtc(text)!, part), want, `${part} of ${text}`);
});

test('time modifiers in detections: equality, chained comparisons, lists, neq', () => {
  const t = '2026-11-02 03:14:15.000';
  const cases: [string, Record<string, unknown>, Record<string, unknown>, boolean][] = [
    ['hour equals', { s: { 'UtcTime|hour': 3 }, condition: 's' }, { UtcTime: t }, true],
    ['hour differs', { s: { 'UtcTime|hour': 4 }, condition: 's' }, { UtcTime: t }, false],
    ['a list is OR', { s: { 'UtcTime|hour': [1, 2, 3] }, condition: 's' }, { UtcTime: t }, true],
    ['a numeric string value', { s: { 'UtcTime|minute': '14' }, condition: 's' }, { UtcTime: t }, true],
    ['hour|lt', { s: { 'UtcTime|hour|lt': 6 }, condition: 's' }, { UtcTime: t }, true],
    ['hour|gte', { s: { 'UtcTime|hour|gte': 20 }, condition: 's' }, { UtcTime: t }, false],
    ['gte|hour, in either order', { s: { 'UtcTime|gte|hour': 3 }, condition: 's' }, { UtcTime: t }, true],
    [
      'outside office hours',
      { s: { 'UtcTime|hour|lt': 7 }, t: { 'UtcTime|hour|gt': 19 }, condition: 's or t' },
      { UtcTime: '2026-11-02T22:05:00Z' },
      true,
    ],
    ['all: both bounds', { s: { 'UtcTime|hour|gte|all': [1, 3] }, condition: 's' }, { UtcTime: t }, true],
    ['neq', { s: { 'UtcTime|day|neq': 2 }, condition: 's' }, { UtcTime: t }, false],
    ['week', { s: { 'UtcTime|week': 45 }, condition: 's' }, { UtcTime: t }, true],
    ['month and year', { s: { 'UtcTime|month': 11, 'UtcTime|year': 2026 }, condition: 's' }, { UtcTime: t }, true],
    ['an offset is converted to UTC', { s: { 'T|day': 1 }, condition: 's' }, { T: '2026-11-02T01:30:00+09:00' }, true],
    ['any array element', { s: { 'T|hour': 3 }, condition: 's' }, { T: ['x', t] }, true],
    ['not a date: no match', { s: { 'T|hour': 3 }, condition: 's' }, { T: 'yesterday' }, false],
    ['absent: no match', { s: { 'T|hour': 3 }, condition: 's' }, {}, false],
  ];
  for (const [name, det, fields, want] of cases) assert.equal(compileRule(rule(det)).match(ev(fields)), want, name);
});

test('time modifiers that cannot be honoured are rejected with the reason', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ s: { 'T|hour': 'night' }, condition: 's' }, /non-number 'night'/],
    [{ s: { 'T|hour|contains': 3 }, condition: 's' }, /'hour' cannot be combined with 'contains'/],
    [{ s: { '|hour': 3 }, condition: 's' }, /'hour' needs a field/],
  ];
  for (const [det, re] of bad) assert.throws(() => compileRule(rule(det)), re);
});
