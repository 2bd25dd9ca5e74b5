import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventKeys, fieldSourceOf } from '../../logsource/index.ts';
import { detectFormat } from '../registry.ts';
import { SIGMA_SKIP, readAll, sigmaHits } from '../testkit.ts';
import { createJsonReader, jsonReader } from './index.ts';

const fx = (name: string): string => join(import.meta.dirname, '__fixtures__', name);

test('JSON layouts: JSONL, a pretty array, concatenated objects, an Azure records wrapper', async () => {
  const wlb = await readAll(jsonReader, readFileSync(fx('winlogbeat.jsonl')), { path: 'wlb.jsonl' });
  assert.deepEqual(wlb.issues, []);
  assert.deepEqual(
    wlb.events.map((e) => [e.source.line, e.source.recordId, e.host, new Date(e.time!).toISOString()]),
    [
      [1, 884211, 'BR042-DC01.branch.example', '2026-11-25T10:40:00.123Z'],
      [2, 884212, 'BR042-DC01.branch.example', '2026-11-25T10:40:03.456Z'],
    ],
  );
  assert.ok(eventKeys(wlb.events[0]!).includes('channel:security:4625'));
  assert.equal(fieldSourceOf(wlb.events[0]!).get('TargetUserName'), 'admin');

  const evtx = await readAll(jsonReader, readFileSync(fx('evtx-dump-array.json')));
  assert.deepEqual(evtx.issues, []);
  assert.deepEqual(
    evtx.events.map((e) => [e.source.line, e.source.recordId, e.host, new Date(e.time!).toISOString()]),
    [
      [2, 1001, 'BR042-WS07.branch.example', '2026-11-25T10:14:00.000Z'],
      [49, 1002, 'BR042-WS07.branch.example', '2026-11-25T10:14:01.500Z'],
    ],
  );
  assert.equal(fieldSourceOf(evtx.events[0]!).get('Image'), 'C:\\Windows\\System32\\certutil.exe');

  const concat = await readAll(
    jsonReader,
    readFileSync(fx('evtx-dump-array.json'))
      .toString()
      .replace(/^\[/, '')
      .replace(/\]\s*$/, '')
      .replace(/^ {2}\},$/m, '  }'),
  );
  assert.deepEqual(concat.issues, []);
  assert.equal(concat.events.length, 2);

  const azure = await readAll(jsonReader, readFileSync(fx('azure-records.json')));
  assert.deepEqual(azure.issues, []);
  assert.equal(azure.events.length, 2);
  assert.ok(eventKeys(azure.events[0]!).includes('azure:activitylogs'));
  assert.equal(new Date(azure.events[0]!.time!).toISOString(), '2026-11-25T10:20:00.000Z');
});

test('sniffing: JSON is JSON; text that starts with a bracket is not', () => {
  for (const f of ['winlogbeat.jsonl', 'evtx-dump-array.json', 'azure-records.json']) {
    assert.equal(jsonReader.sniff(readFileSync(fx(f)), f), true, f);
    assert.equal(detectFormat(readFileSync(fx(f)), f)?.format, 'json', f);
  }
  const no = [
    '[2026-11-25 10:00:00] app started\n',
    '[INFO] ready\n',
    '{not json}\n',
    'Nov 25 10:00:00 deb12 sshd[1]: x\n',
    '',
  ];
  for (const s of no) assert.equal(jsonReader.sniff(Buffer.from(s), 'x'), false, s);
  // a first record longer than the 64 KiB head is still JSON
  const long = Buffer.from(`{"a":"${'x'.repeat(70000)}"}\n`).subarray(0, 65536);
  assert.equal(jsonReader.sniff(long, 'x'), true);
});

test('hostile input: a broken element in the middle names its line; the rest is read', async () => {
  const arr = readFileSync(fx('evtx-dump-array.json')).toString().split('\n');
  // break the first element on its 5th line: a key with no value
  arr[4] = arr[4]!.replace(/"[A-Za-z]+": /, '');
  const broken = await readAll(jsonReader, arr.join('\n'));
  assert.deepEqual(
    broken.events.map((e) => e.source.recordId),
    [1002],
  );
  assert.equal(broken.issues.length, 1);
  assert.equal(broken.issues[0]!.where, 'line 2');
  assert.match(broken.issues[0]!.message, /broken JSON record skipped: unexpected .* at line 6/);

  const ok = '{"a":1}\n';
  const cases: { name: string; input: string | Uint8Array; events: number; issues: RegExp[]; chunk?: number }[] = [
    { name: 'not JSON in the middle', input: ok + 'oops\n' + ok, events: 2, issues: [/line 2: not JSON/] },
    {
      name: 'a grammar error JSON.parse finds (the splitter does not check numbers)',
      input: ok + '{"a": 01}\n' + ok,
      events: 2,
      issues: [/line 2: broken JSON record skipped: .*JSON/],
    },
    {
      name: 'a 20 MB line',
      input: ok + `{"x":"${'y'.repeat(20 << 20)}"}\n` + ok,
      events: 2,
      issues: [/line 2: JSON record larger than 16777216 bytes skipped/],
      chunk: 1 << 20,
    },
    {
      name: 'invalid UTF-8 in a string',
      input: Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}\n')]),
      events: 1,
      issues: [],
    },
    { name: 'truncated', input: ok + '{"a":', events: 1, issues: [/line 2: JSON record cut off/] },
  ];
  for (const c of cases) {
    const { events, issues } = await readAll(jsonReader, c.input, c.chunk ? { chunk: c.chunk } : {});
    assert.equal(events.length, c.events, c.name);
    assert.equal(issues.length, c.issues.length, `${c.name}: ${issues.map((i) => i.message).join('; ')}`);
    c.issues.forEach((re, i) => assert.match(`${issues[i]!.where}: ${issues[i]!.message}`, re, c.name));
  }
  const utf = await readAll(jsonReader, Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}')]));
  assert.equal(utf.events[0]!.data['a'], '\ufffd');
  // prototype keys in a record stay data
  const proto = await readAll(jsonReader, '{"__proto__":{"polluted":1},"b":2}');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(proto.events[0]!.data['b'], 2);
});

test('binary garbage forced as JSON: reported (capped), no crash, bounded time', async () => {
  const garbage = Buffer.alloc(2 << 20);
  let x = 7;
  for (let i = 0; i < garbage.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    garbage[i] = x >>> 24;
  }
  const t0 = performance.now();
  const { events, issues } = await readAll(createJsonReader({ maxRecord: 1 << 16 }), garbage, { chunk: 65536 });
  assert.ok(performance.now() - t0 < 5000);
  assert.equal(events.length, 0);
  assert.ok(issues.length > 0 && issues.length <= 101);
});

test('SigmaHQ cloud rules bind and fire on JSON records by their shape', { skip: SIGMA_SKIP }, async () => {
  const azure = await sigmaHits(
    ['rules/cloud/azure/activity_logs/azure_keyvault_modified_or_deleted.yml'],
    fx('azure-records.json'),
  );
  assert.deepEqual(Object.fromEntries(azure), { 'Azure Key Vault Modified or Deleted': 1 });
  // CloudTrail events read as generic JSON (forced) are recognised as CloudTrail by their fields
  const ct = await sigmaHits(
    [
      'rules/cloud/aws/cloudtrail/aws_cloudtrail_disable_logging.yml',
      'rules/cloud/aws/cloudtrail/aws_iam_backdoor_users_keys.yml',
    ],
    join(import.meta.dirname, '..', 'cloudtrail', '__fixtures__', 'cloudtrail-events.jsonl'),
    'json',
  );
  assert.deepEqual(Object.fromEntries(ct), { 'AWS CloudTrail Important Change': 1, 'AWS IAM Backdoor Users Keys': 1 });
});
