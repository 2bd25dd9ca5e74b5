import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_REPORTED_ISSUES } from '../lines.ts';
import { SIGMA_SKIP, readAll, sigmaHits } from '../testkit.ts';
import { eventKeys } from '../../logsource/index.ts';
import { syslogReader } from '../syslog/index.ts';
import { webReader } from './index.ts';

const fx = (name: string): string => join(import.meta.dirname, '__fixtures__', name);

test('nginx combined log: every line, W3C names, time and line', async () => {
  const { events, issues } = await readAll(webReader, readFileSync(fx('nginx-combined.txt')), { path: 'access.log' });
  assert.deepEqual(issues, []);
  assert.equal(events.length, 11);
  const sqli = events[3]!;
  assert.equal(sqli.data['cs-uri-query'], 'id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--');
  assert.equal(sqli.data['sc-status'], 500);
  assert.equal(sqli.data['c-useragent'], 'sqlmap/1.8#stable (https://sqlmap.org)');
  assert.deepEqual(sqli.source, { file: 'access.log', line: 4 });
  assert.equal(new Date(sqli.time!).toISOString(), '2026-11-25T14:00:00.000Z');
  assert.deepEqual(eventKeys(sqli), ['web']);
  // `-` referer and agent are no value
  assert.equal(Object.hasOwn(events[9]!.data, 'cs-referer'), false);
  assert.equal(events[10]!.data['c-ip'], '2001:db8::7');
});

test('Apache vhost_combined and trailing extra fields; IIS W3C with a second header', async () => {
  const apache = await readAll(webReader, readFileSync(fx('apache-vhost-extra.txt')));
  assert.deepEqual(apache.issues, []);
  assert.deepEqual(
    apache.events.map((e) => [e.host, e.data['cs-host'], e.data['time-taken']]),
    [
      ['ib.branch.example', 'ib.branch.example:443', undefined],
      ['www.example.org', 'www.example.org:80', undefined],
      ['ib.branch.example', 'ib.branch.example', 0.004],
      [undefined, undefined, undefined],
      [undefined, undefined, undefined],
    ],
  );
  assert.deepEqual(apache.events[3]!.data['extra'], ['203.0.113.200, 10.42.0.1', 'rt=0.012']);
  const iis = await readAll(webReader, readFileSync(fx('iis-w3c.txt')));
  assert.deepEqual(iis.issues, []);
  assert.equal(iis.events.length, 4);
  assert.equal(iis.events[1]!.data['cs-username'], 'BRANCH\\k.sato');
  assert.equal(iis.events[2]!.data['cs-uri-query'], 'cmd=whoami');
  assert.deepEqual(iis.events[3]!.data, {
    date: '2026-11-25',
    time: '15:00:00',
    'cs-method': 'GET',
    'cs-uri-stem': '/after-restart',
    'sc-status': 200,
  });
  assert.deepEqual(
    iis.events.map((e) => e.source.line),
    [5, 6, 7, 10],
  );
});

test('sniffing: access logs are web, not syslog; syslog is not web', () => {
  for (const f of ['nginx-combined.txt', 'apache-vhost-extra.txt', 'iis-w3c.txt']) {
    const head = readFileSync(fx(f));
    assert.equal(webReader.sniff(head, f), true, f);
    assert.equal(syslogReader.sniff(head, f), false, f);
  }
  const no = [
    'Nov 25 10:00:00 deb12 sshd[1]: Accepted publickey for ops\n',
    '{"cs-method":"GET"}\n',
    'type=SYSCALL msg=audit(1.0:1): x=1\n',
    '',
  ];
  for (const s of no) assert.equal(webReader.sniff(Buffer.from(s), 'x'), false, s);
});

test('hostile input: reported with its line and skipped, the rest read', async () => {
  const good = '10.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"\n';
  const cases: { name: string; input: string | Uint8Array; events: number; issues: RegExp[]; chunk?: number }[] = [
    {
      name: 'truncated line',
      input: good + '10.0.0.1 - - [25/Nov/2026:10:0' + '\n' + good,
      events: 2,
      issues: [/line 2: not an access log line/],
    },
    {
      name: 'truncated at the end, quote open',
      input: good + '10.0.0.2 - - [25/Nov/2026:10:00:00 +0000] "GET /',
      events: 1,
      issues: [/line 2/],
    },
    {
      name: 'a 20 MB request line',
      input:
        good + '10.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "GET /' + 'A'.repeat(20 << 20) + ' HTTP/1.1" 414 0\n' + good,
      events: 2,
      issues: [/line 2: line longer than/],
      chunk: 1 << 20,
    },
    {
      name: 'invalid UTF-8 in the user agent',
      input: Buffer.concat([Buffer.from(good.slice(0, -4)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"\n')]),
      events: 1,
      issues: [],
    },
    {
      name: 'W3C line that does not fit its header',
      input: '#Fields: date time\n2026-11-25\n',
      events: 0,
      issues: [/line 2: line does not match/],
    },
  ];
  for (const c of cases) {
    const { events, issues } = await readAll(webReader, c.input, c.chunk ? { chunk: c.chunk } : {});
    assert.equal(events.length, c.events, c.name);
    assert.equal(issues.length, c.issues.length, `${c.name}: ${issues.map((i) => i.message).join('; ')}`);
    c.issues.forEach((re, i) => assert.match(`${issues[i]!.where}: ${issues[i]!.message}`, re, c.name));
  }
});

test('SigmaHQ webserver rules bind and fire on access log events', { skip: SIGMA_SKIP }, async () => {
  const hits = await sigmaHits(
    [
      'rules/web/webserver_generic/web_path_traversal_exploitation_attempt.yml',
      'rules/web/webserver_generic/web_susp_useragents.yml',
      'rules-emerging-threats/2021/Exploits/CVE-2021-44228/web_cve_2021_44228_log4j_fields.yml',
    ],
    fx('nginx-combined.txt'),
  );
  assert.deepEqual(Object.fromEntries(hits), {
    'Path Traversal Exploitation Attempts': 1,
    'Suspicious User-Agents Related To Recon Tools': 4,
    'Log4j RCE CVE-2021-44228 in Fields': 1,
  });
});

test('SigmaHQ webserver keyword rules', { skip: SIGMA_SKIP }, async () => {
  const nginx = await sigmaHits(
    ['rules/web/webserver_generic/web_sql_injection_in_access_logs.yml'],
    fx('nginx-combined.txt'),
  );
  assert.equal(nginx.get('SQL Injection Strings In URI'), 1);
  const iis = await sigmaHits(['rules/web/webserver_generic/web_win_webshells_in_access_logs.yml'], fx('iis-w3c.txt'));
  assert.equal(iis.get('Windows Webshell Strings'), 1);
});

test('binary garbage forced as this format: issues capped, no crash', async () => {
  const garbage = Buffer.alloc(2 << 20);
  let x = 3;
  for (let i = 0; i < garbage.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    garbage[i] = x >>> 24;
  }
  const { events, issues } = await readAll(webReader, garbage, { chunk: 65536 });
  assert.equal(events.length, 0);
  assert.equal(issues.length, MAX_REPORTED_ISSUES + 1);
});
