import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../core/finding.ts';
import { findingId } from '../../core/ids.ts';
import { csvRow, CSV_HEADER, sarifLog, tableText, byTime, keyDetails } from './findings.ts';

function finding(over: Partial<Finding> & { n: number }): Finding {
  const { n, ...rest } = over;
  return {
    id: findingId(['t', n]),
    kind: 'detection',
    severity: 'high',
    title: `Rule ${n}`,
    rule: { id: `r-${n}`, title: `Rule ${n}`, level: 'high', tags: ['attack.t1059.001'] },
    asset: { kind: 'host', name: 'ws1' },
    time: `2026-11-02T10:0${n}:00.000Z`,
    evidence: [{ source: { file: 'a.evtx', recordId: 100 + n }, data: { x: n } }],
    details: { matched: { CommandLine: `cmd "${n}", x` } },
    ...rest,
  };
}

test('csv rows quote commas, quotes and newlines, and line up with the header', () => {
  const row = csvRow(finding({ n: 1 }));
  assert.equal(CSV_HEADER.length, 11);
  assert.match(
    row,
    /^2026-11-02T10:01:00.000Z,high,Rule 1,r-1,ws1,a.evtx,101,,attack.t1059.001,"CommandLine=cmd ""1"", x",f-/,
  );
  const withNewline = csvRow(
    finding({ n: 2, title: 'a\nb', rule: { id: 'r', title: 'a\nb', level: 'low', tags: [] } }),
  );
  assert.match(withNewline, /,"a\nb",/);
});

test('the table is a timeline: sorted by time, findings without time last', () => {
  const fs = [finding({ n: 3 }), finding({ n: 1 }), { ...finding({ n: 2 }), time: undefined } as Finding];
  const text = tableText(fs, { color: false, width: 160 });
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[1]!, /^2026-11-02T10:01/);
  assert.match(lines[2]!, /^2026-11-02T10:03/);
  assert.match(lines[3]!, /^- /);
  assert.equal(tableText([], { color: false, width: 80 }), 'No detections.\n');
  assert.deepEqual(
    [...fs].sort(byTime).map((f) => f.title),
    ['Rule 1', 'Rule 3', 'Rule 2'],
  );
});

test('key details show correlation group and value before matched fields', () => {
  const f = finding({ n: 1, details: { correlation: 'event_count', value: 40, group: { IpAddress: '10.0.0.1' } } });
  assert.equal(keyDetails(f), 'correlation=event_count · value=40 · IpAddress=10.0.0.1');
});

test('sarif has one rule per distinct rule id and a result per finding with a stable fingerprint', () => {
  const fs = [finding({ n: 1 }), finding({ n: 1, id: findingId(['other']) }), finding({ n: 2, severity: 'low' })];
  const log = sarifLog(fs, '0.1.0') as {
    version: string;
    runs: {
      tool: { driver: { rules: { id: string }[] } };
      results: { ruleIndex: number; level: string; partialFingerprints: Record<string, string> }[];
    }[];
  };
  assert.equal(log.version, '2.1.0');
  const run = log.runs[0]!;
  assert.deepEqual(
    run.tool.driver.rules.map((r) => r.id),
    ['r-1', 'r-2'],
  );
  assert.deepEqual(
    run.results.map((r) => r.ruleIndex),
    [0, 0, 1],
  );
  assert.deepEqual(
    run.results.map((r) => r.level),
    ['error', 'error', 'note'],
  );
  assert.equal(run.results[0]!.partialFingerprints['mamori/findingId'], fs[0]!.id);
});
