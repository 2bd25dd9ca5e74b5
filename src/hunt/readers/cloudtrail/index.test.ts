import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { LogEvent } from '../../event.ts';
import { openInput, readDecompressedHead } from '../../input.ts';
import { eventKeys, fieldSourceOf } from '../../logsource/index.ts';
import { detectFormat } from '../registry.ts';
import { SIGMA_SKIP, readAll, sigmaHits } from '../testkit.ts';
import { cloudtrailReader, createCloudTrailReader } from './index.ts';

const fx = (name: string): string => join(import.meta.dirname, '__fixtures__', name);
const PRETTY = readFileSync(fx('cloudtrail-records.json'));
const RECORDS = (JSON.parse(PRETTY.toString()) as { Records: Record<string, unknown>[] }).Records;
const MINIFIED = JSON.stringify({ Records: RECORDS });

test('CloudTrail files: pretty, minified, JSONL, a bare array — the same records', async () => {
  const inputs: [string, string | Uint8Array][] = [
    ['pretty', PRETTY],
    ['minified', MINIFIED],
    ['jsonl', readFileSync(fx('cloudtrail-events.jsonl'))],
    ['array', JSON.stringify(RECORDS, null, 1)],
  ];
  for (const [name, input] of inputs) {
    for (const chunk of [undefined, 7, 4096]) {
      const { events, issues } = await readAll(cloudtrailReader, input, chunk ? { chunk } : {});
      assert.deepEqual(issues, [], name);
      assert.deepEqual(
        events.map((e) => e.data),
        RECORDS,
        `${name} in ${chunk ?? 'one'}-byte pieces`,
      );
    }
  }
  const { events } = await readAll(cloudtrailReader, PRETTY, { path: 'ct.json' });
  const login = events[0]!;
  assert.equal(login.format, 'cloudtrail');
  assert.equal(new Date(login.time!).toISOString(), '2026-11-25T09:55:12.000Z');
  assert.equal(login.host, '123456789012');
  assert.equal(login.source.line, 3);
  assert.deepEqual(eventKeys(login), ['aws:cloudtrail']);
  const fs = fieldSourceOf(events[3]!);
  assert.equal(fs.get('userIdentity.type'), 'IAMUser');
  assert.equal(fs.get('responseElements.accessKey.userName'), 'backup-svc');
  const jl = await readAll(cloudtrailReader, readFileSync(fx('cloudtrail-events.jsonl')));
  assert.deepEqual(
    jl.events.map((e) => e.source.line),
    [1, 2, 3, 4, 5, 6],
  );
});

test('gzip is read transparently and sniffed after decompression', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-ct-'));
  try {
    const p = join(dir, '123456789012_CloudTrail_eu-west-1_20261125T1005Z_abc.json.gz');
    await writeFile(p, gzipSync(MINIFIED));
    assert.equal(detectFormat(await readDecompressedHead(p), p)?.format, 'cloudtrail');
    const events: LogEvent[] = [];
    for await (const b of cloudtrailReader.read(await openInput(p), {})) events.push(...b);
    assert.equal(events.length, RECORDS.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sniffing: CloudTrail before generic JSON; other JSON is not CloudTrail', () => {
  const yes: [string, string | Uint8Array][] = [
    ['pretty', PRETTY],
    ['minified', MINIFIED],
    ['jsonl', readFileSync(fx('cloudtrail-events.jsonl'))],
    ['empty Records', '{"Records":[]}'],
    ['first record larger than the head', MINIFIED.slice(0, 200)],
  ];
  for (const [name, head] of yes) {
    const b = typeof head === 'string' ? Buffer.from(head) : head;
    assert.equal(cloudtrailReader.sniff(b, name), true, name);
    assert.equal(detectFormat(b, name)?.format, 'cloudtrail', name);
  }
  const no: [string, string][] = [
    ['digest file', '{"awsAccountId":"123456789012","digestStartTime":"2026-11-25T09:00:00Z","logFiles":[]}'],
    ['winlogbeat', '{"@timestamp":"2026-11-25T10:00:00Z","winlog":{"channel":"Security","event_id":4624}}\n'],
    ['evtx_dump array', '[{"Event":{"System":{"EventID":1}}}]'],
    ['records key not first', '{"x":1,"Records":[{"eventName":"a","eventSource":"b","eventVersion":"1"}]}'],
    ['syslog', 'Nov 25 10:00:00 deb12 sshd[1]: x\n'],
    ['broken', '{"Records" [1,2]}'],
  ];
  for (const [name, head] of no) assert.equal(cloudtrailReader.sniff(Buffer.from(head), name), false, name);
});

test('hostile input: a broken record in the middle is reported with its line, the rest read', async () => {
  const lines = JSON.stringify({ Records: RECORDS.slice(0, 3) }, null, 2).split('\n');
  // break the second record: a value without a colon inside it
  const at = lines.findIndex((l) => l.includes('"errorMessage"'));
  lines[at] = lines[at]!.replace('": "', '" "');
  const broken = await readAll(cloudtrailReader, lines.join('\n'));
  assert.deepEqual(
    broken.events.map((e) => e.data['eventID']),
    [RECORDS[0]!['eventID'], RECORDS[2]!['eventID']],
  );
  assert.equal(broken.issues.length, 1);
  const secondStart = lines.findIndex((l, i) => i > 3 && l === '    {') + 1;
  assert.equal(broken.issues[0]!.where, `line ${secondStart}`);
  assert.match(broken.issues[0]!.message, new RegExp(`broken JSON record skipped: unexpected '"' at line ${at + 1}`));

  const cases: { name: string; input: string | Uint8Array; events: number; issues: RegExp[]; chunk?: number }[] = [
    {
      name: 'file cut in the middle of a record (an interrupted download)',
      input: MINIFIED.slice(0, MINIFIED.indexOf('"eventName":"GetObject"')),
      events: 2,
      issues: [/line 1: JSON record cut off/],
    },
    {
      name: 'a record too large, between two good ones',
      input: JSON.stringify({
        Records: [RECORDS[0], { ...RECORDS[1], padding: 'x'.repeat(5 << 20) }, RECORDS[2]],
      }),
      events: 2,
      issues: [/JSON record larger than 4194304 bytes skipped/],
      chunk: 1 << 16,
    },
    {
      name: 'a 20 MB single-line record in JSONL',
      input: `${JSON.stringify(RECORDS[0])}\n${JSON.stringify({ ...RECORDS[1], p: 'y'.repeat(20 << 20) })}\n${JSON.stringify(RECORDS[2])}\n`,
      events: 2,
      issues: [/line 2: JSON record larger than/],
      chunk: 1 << 20,
    },
    {
      name: 'a JSONL line cut short, the next line read',
      input: `${JSON.stringify(RECORDS[0]).slice(0, 100)}\n${JSON.stringify(RECORDS[2])}\n`,
      events: 1,
      issues: [/line 1: broken JSON record skipped/],
    },
    {
      name: 'invalid UTF-8 inside a string',
      input: Buffer.concat([
        Buffer.from(JSON.stringify(RECORDS[0]).replace('"ops"', '"o\u0001ps"').split('\u0001')[0]!),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(JSON.stringify(RECORDS[0]).replace('"ops"', '"o\u0001ps"').split('\u0001')[1]!),
      ]),
      events: 1,
      issues: [],
    },
  ];
  for (const c of cases) {
    const { events, issues } = await readAll(cloudtrailReader, c.input, c.chunk ? { chunk: c.chunk } : {});
    assert.equal(events.length, c.events, c.name);
    assert.equal(issues.length, c.issues.length, `${c.name}: ${issues.map((i) => i.message).join('; ')}`);
    c.issues.forEach((re, i) => assert.match(`${issues[i]!.where}: ${issues[i]!.message}`, re, c.name));
  }
  const small = createCloudTrailReader({ maxRecord: 100 });
  const r = await readAll(small, MINIFIED);
  assert.equal(r.events.length, 0);
  assert.equal(r.issues.length, RECORDS.length);
});

test('binary garbage forced as CloudTrail: reported, capped, no crash', async () => {
  const garbage = Buffer.alloc(1 << 20);
  let x = 99;
  for (let i = 0; i < garbage.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    garbage[i] = x >>> 24;
  }
  const { events, issues } = await readAll(cloudtrailReader, garbage, { chunk: 65536 });
  assert.equal(events.length, 0);
  assert.ok(issues.length > 0 && issues.length <= 101);
});

test('SigmaHQ cloud/aws rules bind and fire on CloudTrail records', { skip: SIGMA_SKIP }, async () => {
  const hits = await sigmaHits(
    [
      'rules/cloud/aws/cloudtrail/aws_cloudtrail_disable_logging.yml',
      'rules/cloud/aws/cloudtrail/aws_root_account_usage.yml',
      'rules/cloud/aws/cloudtrail/aws_iam_backdoor_users_keys.yml',
      'rules/cloud/aws/cloudtrail/aws_cloudtrail_console_login_success_without_mfa.yml',
      'rules/cloud/aws/cloudtrail/aws_cloudtrail_console_login_failed_authentication.yml',
    ],
    fx('cloudtrail-records.json'),
  );
  assert.deepEqual(Object.fromEntries(hits), {
    'AWS Successful Console Login Without MFA': 1,
    'AWS ConsoleLogin Failed Authentication': 1,
    'AWS IAM Backdoor Users Keys': 1,
    'AWS CloudTrail Important Change': 1,
    'AWS Root Credentials': 1,
  });
});
