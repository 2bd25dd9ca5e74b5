import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_REPORTED_ISSUES } from '../lines.ts';
import { SIGMA_SKIP, readAll, sigmaHits } from '../testkit.ts';
import { fieldSourceOf, eventKeys } from '../../logsource/index.ts';
import { createSyslogReader, syslogReader } from './index.ts';

const fx = (name: string): string => join(import.meta.dirname, '__fixtures__', name);
const reader = createSyslogReader({ now: () => Date.UTC(2026, 11, 1) });

test('Debian 12 auth.log: every line read, with time, host, line and the fields rules bind on', async () => {
  const { events, issues } = await readAll(reader, readFileSync(fx('debian12-auth.txt')), { path: 'auth.log' });
  assert.deepEqual(issues, []);
  assert.equal(events.length, 18);
  const failed = events[5]!;
  assert.deepEqual(failed.data, {
    hostname: 'deb12',
    appname: 'sshd',
    pid: 41502,
    message: 'Failed password for invalid user admin from 198.51.100.23 port 50412 ssh2',
  });
  assert.deepEqual(failed.source, { file: 'auth.log', line: 6 });
  assert.equal(new Date(failed.time!).toISOString(), '2026-11-25T09:58:14.000Z');
  assert.equal(failed.host, 'deb12');
  assert.ok(eventKeys(failed).includes('syslog:sshd'));
  // CRON's key is lower-cased, so service: cron rules bind
  assert.ok(eventKeys(events[0]!).includes('syslog:cron'));
  // sudo's KEY=value pairs are fields
  const sudo = fieldSourceOf(events[13]!);
  assert.equal(sudo.get('USER'), '#-1');
  assert.equal(sudo.get('COMMAND'), '/bin/bash');
});

test('rsyslog RFC 3339 lines and Sysmon for Linux XML in a syslog message', async () => {
  const { events, issues } = await readAll(reader, readFileSync(fx('debian12-syslog-rfc3339.txt')));
  assert.deepEqual(issues, []);
  assert.equal(events.length, 7);
  assert.equal(new Date(events[4]!.time!).toISOString(), '2026-11-25T09:10:12.000Z');
  const sysmon = events[5]!;
  assert.equal(sysmon.data['appname'], 'sysmon');
  assert.ok(eventKeys(sysmon).includes('channel:linux-sysmon/operational:1'));
  const fs = fieldSourceOf(sysmon);
  assert.equal(fs.get('Image'), '/usr/bin/crontab');
  assert.equal(fs.get('CommandLine'), 'crontab -r');
  assert.equal(fs.get('EventID'), 1);
});

test('RFC 5424 file: structured data with escapes, nil fields', async () => {
  const { events, issues } = await readAll(reader, readFileSync(fx('rfc5424.txt')));
  assert.deepEqual(issues, []);
  assert.equal(events.length, 4);
  assert.deepEqual(events[2]!.data['structured_data'], {
    meta: { sequenceId: '7', note: 'a "quoted" value with ] and \\' },
  });
  assert.equal(events[2]!.data['facility'], 'authpriv');
  assert.equal(events[3]!.time, undefined);
});

test('sniffing: syslog files yes; audit, web access, JSON, binary no', () => {
  const yes = ['debian12-auth.txt', 'debian12-syslog-rfc3339.txt', 'rfc5424.txt'];
  for (const f of yes) assert.equal(syslogReader.sniff(readFileSync(fx(f)), f), true, f);
  const no: [string, string | Uint8Array][] = [
    ['audit', 'type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e syscall=59 success=yes\n'],
    ['web', '10.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/8.5.0"\n'],
    ['json', '{"eventName":"x"}\n'],
    ['app log', '2026-11-25 10:00:00,123 INFO started\n2026-11-25 10:00:01,001 INFO ready\n'],
    ['binary', new Uint8Array([0, 1, 2, 0xff, 0xfe, 10, 0x80, 0x81])],
    ['empty', ''],
  ];
  for (const [name, head] of no) {
    const b = typeof head === 'string' ? Buffer.from(head) : head;
    assert.equal(syslogReader.sniff(b, name), false, name);
  }
});

test('hostile input: reported with its line and skipped, the rest read', async () => {
  const good = 'Nov 25 10:00:00 deb12 sshd[1]: ok\n';
  const cases: { name: string; input: Uint8Array | string; events: number; issues: RegExp[]; chunk?: number }[] = [
    {
      name: 'truncated last line (no newline)',
      input: good + 'Nov 25 10:00:01 deb12 sshd[1]: cut he',
      events: 2,
      issues: [],
    },
    {
      name: 'truncated timestamp',
      input: good + 'Nov 25 10:0\n' + good,
      events: 2,
      issues: [/line 2: not a syslog line/],
    },
    {
      name: 'invalid UTF-8 becomes U+FFFD',
      input: Buffer.concat([Buffer.from('Nov 25 10:00:00 deb12 app: caf'), Buffer.from([0xe9, 0xff, 0x0a])]),
      events: 1,
      issues: [],
    },
    {
      name: 'a 20 MB line between good ones, in 1 MiB pieces',
      input: good + 'Nov 25 10:00:00 deb12 app: ' + 'A'.repeat(20 << 20) + '\n' + good,
      events: 2,
      issues: [/line 2: line longer than 1048576 bytes skipped/],
      chunk: 1 << 20,
    },
    {
      name: 'a 20 MB line in one piece',
      input: good + 'x'.repeat(20 << 20) + '\n' + good,
      events: 2,
      issues: [/line 2: line longer than/],
    },
    { name: 'CRLF line ends', input: good.replace('\n', '\r\n') + good, events: 2, issues: [] },
  ];
  for (const c of cases) {
    const { events, issues } = await readAll(reader, c.input, c.chunk ? { chunk: c.chunk } : {});
    assert.equal(events.length, c.events, c.name);
    assert.equal(issues.length, c.issues.length, `${c.name}: ${issues.map((i) => i.message).join('; ')}`);
    c.issues.forEach((re, i) => assert.match(`${issues[i]!.where}: ${issues[i]!.message}`, re, c.name));
    for (const e of events) assert.ok(!String(e.data['message']).includes('\r'), c.name);
  }
  const utf = await readAll(reader, Buffer.from([...Buffer.from('Nov 25 10:00:00 h app: caf'), 0xe9, 0x0a]));
  assert.equal(utf.events[0]!.data['message'], 'caf\ufffd');
});

test('binary garbage forced as syslog: issues capped, no crash', async () => {
  const garbage = Buffer.alloc(4 << 20);
  let x = 12345;
  for (let i = 0; i < garbage.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    garbage[i] = x >>> 24;
  }
  const { events, issues } = await readAll(reader, garbage, { chunk: 65536 });
  assert.equal(events.length, 0);
  assert.equal(issues.length, MAX_REPORTED_ISSUES + 1);
  assert.match(issues.at(-1)!.message, /more skipped records/);
});

test('batches of at most 500 events', async () => {
  const line = 'Nov 25 10:00:00 deb12 sshd[1]: x\n';
  const { events, batches } = await readAll(reader, line.repeat(1234), { chunk: 4096 });
  assert.equal(events.length, 1234);
  assert.ok(batches.every((b) => b <= 500));
  assert.deepEqual(
    events.slice(0, 3).map((e) => e.source.line),
    [1, 2, 3],
  );
});

test('SigmaHQ linux rules bind and fire on syslog events', { skip: SIGMA_SKIP }, async () => {
  const hits = new Map([
    ...(await sigmaHits(
      ['rules-emerging-threats/2019/Exploits/CVE-2019-14287/lnx_sudo_exploit_cve_2019_14287.yml'],
      fx('debian12-auth.txt'),
    )),
    ...(await sigmaHits(
      [
        'rules/linux/process_creation/proc_creation_lnx_crontab_removal.yml',
        'rules/linux/builtin/lnx_shell_susp_commands.yml',
      ],
      fx('debian12-syslog-rfc3339.txt'),
    )),
  ]);
  assert.deepEqual(Object.fromEntries(hits), {
    'Sudo Privilege Escalation CVE-2019-14287 - Builtin': 1,
    'Remove Scheduled Cron Task/Job': 1,
    'Suspicious Activity in Shell Commands': 1,
  });
});

test('SigmaHQ keyword rules on syslog messages', { skip: SIGMA_SKIP }, async () => {
  const hits = await sigmaHits(['rules/linux/builtin/lnx_privileged_user_creation.yml'], fx('debian12-auth.txt'));
  assert.equal(hits.get('Privileged User Has Been Created'), 1);
});
