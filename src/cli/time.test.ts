import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimeArg } from './time.ts';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

test('parseTimeArg reads ISO dates, date-times and durations ago', () => {
  const cases: [string, number][] = [
    ['2026-11-01', Date.UTC(2026, 10, 1)],
    ['2026-11-01T10:30:00Z', Date.UTC(2026, 10, 1, 10, 30)],
    ['2026-11-01 10:30', Date.UTC(2026, 10, 1, 10, 30)],
    ['2026-11-01T10:30:00+09:00', Date.UTC(2026, 10, 1, 1, 30)],
    ['30m', NOW - 30 * 60e3],
    ['24h', NOW - 24 * 3600e3],
    ['7d', NOW - 7 * 86400e3],
    ['2w', NOW - 14 * 86400e3],
  ];
  for (const [input, want] of cases) assert.equal(parseTimeArg('--since', input, NOW), want, input);
});

test('parseTimeArg names the flag and the forms it accepts when the value is not a time', () => {
  assert.throws(() => parseTimeArg('--until', 'yesterday', NOW), /--until 'yesterday' is not a time: use an ISO 8601/);
  assert.throws(() => parseTimeArg('--since', '5y', NOW), /--since '5y'/);
});
