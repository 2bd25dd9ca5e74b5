import { test } from 'node:test';
import assert from 'node:assert/strict';
import { YearGuess, isoStampAt, parseSyslogLine, structuredDataAt } from './parse.ts';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

test('syslog lines: RFC 3164, RFC 5424, RFC 3339 timestamps', () => {
  const cases: { name: string; line: string; data: Record<string, unknown>; time?: string; host?: string }[] = [
    {
      name: 'auth.log line without PRI',
      line: 'Nov 25 09:58:14 deb12 sshd[41502]: Failed password for invalid user admin from 198.51.100.23 port 50412 ssh2',
      data: {
        hostname: 'deb12',
        appname: 'sshd',
        pid: 41502,
        message: 'Failed password for invalid user admin from 198.51.100.23 port 50412 ssh2',
      },
      time: '2026-11-25T09:58:14.000Z',
      host: 'deb12',
    },
    {
      name: 'single-digit day padded with a space',
      line: 'Nov  2 02:30:00 br042-jump01 CRON[20000]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
      data: {
        hostname: 'br042-jump01',
        appname: 'CRON',
        pid: 20000,
        message: 'pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
      },
      time: '2026-11-02T02:30:00.000Z',
      host: 'br042-jump01',
    },
    {
      name: 'RFC 3164 with PRI: facility and severity by name',
      line: '<86>Nov 25 10:02:03 deb12 sudo:      ops : TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/id',
      data: {
        facility: 'authpriv',
        severity: 'info',
        hostname: 'deb12',
        appname: 'sudo',
        message: '     ops : TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/id',
      },
      time: '2026-11-25T10:02:03.000Z',
      host: 'deb12',
    },
    {
      name: 'rsyslog RFC 3339 timestamp with microseconds and offset (Debian 12)',
      line: '2026-11-25T10:00:00.123456+01:00 deb12 systemd[1]: Started session-3.scope - Session 3 of User ops.',
      data: {
        hostname: 'deb12',
        appname: 'systemd',
        pid: 1,
        message: 'Started session-3.scope - Session 3 of User ops.',
      },
      time: '2026-11-25T09:00:00.123Z',
      host: 'deb12',
    },
    {
      name: 'journalctl -o short-iso offset without colon',
      line: '2026-11-25T10:15:33+0000 deb12 kernel: eth0: renamed from veth12ab',
      data: { hostname: 'deb12', appname: 'kernel', message: 'eth0: renamed from veth12ab' },
      time: '2026-11-25T10:15:33.000Z',
      host: 'deb12',
    },
    {
      name: 'RFC 5424 with structured data',
      line: '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"][p@1 class="high"] An entry',
      data: {
        facility: 'local4',
        severity: 'notice',
        hostname: 'mymachine.example.com',
        appname: 'evntslog',
        msgid: 'ID47',
        structured_data: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application' }, 'p@1': { class: 'high' } },
        message: 'An entry',
      },
      time: '2003-10-11T22:14:15.003Z',
      host: 'mymachine.example.com',
    },
    {
      name: 'RFC 5424 nil values and a BOM before MSG',
      line: "<34>1 2003-10-11T22:14:15.003Z host su - - - \ufeff'su root' failed",
      data: { facility: 'auth', severity: 'crit', hostname: 'host', appname: 'su', message: "'su root' failed" },
      time: '2003-10-11T22:14:15.003Z',
      host: 'host',
    },
    {
      name: 'RFC 5424 all nil',
      line: '<13>1 - - - - - -',
      data: { facility: 'user', severity: 'notice', message: '' },
    },
    {
      name: 'device without hostname',
      line: '<13>Nov 25 10:00:00 sshd[1]: no host here',
      data: { facility: 'user', severity: 'notice', appname: 'sshd', pid: 1, message: 'no host here' },
      time: '2026-11-25T10:00:00.000Z',
    },
    {
      name: 'no tag: the rest is the message',
      line: 'Nov 25 10:00:00 deb12 -- MARK --',
      data: { hostname: 'deb12', message: '-- MARK --' },
      time: '2026-11-25T10:00:00.000Z',
      host: 'deb12',
    },
    {
      name: 'year in the timestamp',
      line: 'Nov 25 2025 10:00:00 rtr01 sshd[7]: x',
      data: { hostname: 'rtr01', appname: 'sshd', pid: 7, message: 'x' },
      time: '2025-11-25T10:00:00.000Z',
      host: 'rtr01',
    },
  ];
  for (const c of cases) {
    const r = parseSyslogLine(c.line, new YearGuess(NOW));
    assert.ok(r, c.name);
    assert.deepEqual(r.data, c.data, c.name);
    assert.equal(iso(r.time), c.time, c.name);
    assert.equal(r.host, c.host, c.name);
  }
});

test('syslog: lines that are not syslog, and hostile ones, give undefined quickly', () => {
  const long = 'Nov 25 10:00:00 ' + 'a'.repeat(200_000);
  const cases: [string, string][] = [
    ['empty', ''],
    ['plain text', 'hello world'],
    ['PRI out of range', '<999>Nov 25 10:00:00 h a: b'],
    ['PRI unterminated', '<13Nov 25 10:00:00 h a: b'],
    ['bad month', 'Foo 25 10:00:00 h a: b'],
    ['bad time', 'Nov 25 25:00:00 h a: b'],
    ['web access line', '10.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1'],
    ['JSON', '{"a":1}'],
    ['binary', '\u0000\u0001\u00ff\ufffd\ufffd'],
    ['ISO without T', '2026-11-25 10:00:00,123 INFO app started'],
  ];
  for (const [name, line] of cases) assert.equal(parseSyslogLine(line, new YearGuess(NOW)), undefined, name);
  const t0 = performance.now();
  const r = parseSyslogLine(long, new YearGuess(NOW));
  assert.equal(r?.data.hostname, 'a'.repeat(200_000));
  // structured data and tags built to make a scanner go back and forth
  for (const hostile of [
    '<13>1 - h a - - ' + '[a b="c"'.repeat(50_000),
    '<13>1 - h a - - ' + '[a b'.repeat(50_000),
    '<13>1 - h a - - ' + '[a b="\\'.repeat(50_000),
    'Nov 25 10:00:00 h ' + 'x['.repeat(100_000),
  ]) {
    assert.ok(parseSyslogLine(hostile, new YearGuess(NOW)));
  }
  // linear takes milliseconds, quadratic many seconds: the bound leaves room for a loaded CI machine
  assert.ok(performance.now() - t0 < 3000);
});

test('YearGuess: the clock year, the year before for future dates, forward across New Year', () => {
  const at = (now: number, stamps: [number, number][]): string[] => {
    const y = new YearGuess(now);
    return stamps.map(([m, d]) => new Date(y.time(m, d, 12, 0, 0, 0)).toISOString().slice(0, 10));
  };
  const cases: { name: string; now: number; stamps: [number, number][]; want: string[] }[] = [
    { name: 'this year', now: NOW, stamps: [[10, 2]], want: ['2026-11-02'] },
    { name: 'future → last year', now: Date.UTC(2026, 0, 5), stamps: [[11, 31]], want: ['2025-12-31'] },
    {
      name: 'December → January moves forward',
      now: Date.UTC(2026, 0, 5),
      stamps: [
        [11, 30],
        [11, 31],
        [0, 1],
        [0, 2],
      ],
      want: ['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02'],
    },
    {
      name: 'a small step back keeps the year',
      now: NOW,
      stamps: [
        [2, 1],
        [1, 28],
        [2, 2],
      ],
      want: ['2026-03-01', '2026-02-28', '2026-03-02'],
    },
    { name: 'tomorrow is allowed (clock skew)', now: NOW, stamps: [[11, 2]], want: ['2026-12-02'] },
  ];
  for (const c of cases) assert.deepEqual(at(c.now, c.stamps), c.want, c.name);
});

test('RFC 3339 timestamps and structured data', () => {
  const stamps: [string, string | undefined][] = [
    ['2026-11-25T10:00:00Z', '2026-11-25T10:00:00.000Z'],
    ['2026-11-25T10:00:00.1-02:30', '2026-11-25T12:30:00.100Z'],
    ['2026-11-25T10:00:00.123456789+00:00', '2026-11-25T10:00:00.123Z'],
    ['2026-11-25t10:00:00z', '2026-11-25T10:00:00.000Z'],
    ['2026-13-25T10:00:00Z', undefined],
    ['2026-11-25T10:00:00.+00:00', undefined],
    ['2026-11-25T10:00', undefined],
  ];
  for (const [s, want] of stamps) assert.equal(iso(isoStampAt(s, 0)?.time), want, s);
  assert.deepEqual(structuredDataAt('[a k="v \\"q\\" \\] \\\\" k="w"]', 0)?.sd, { a: { k: ['v "q" ] \\', 'w'] } });
  assert.equal(structuredDataAt('[a k="unterminated]', 0), undefined);
  assert.equal(structuredDataAt('[a k=v]', 0), undefined);
  assert.equal(structuredDataAt('[]', 0), undefined);
  // a hostile SD-ID does not become a prototype
  const sd = structuredDataAt('[__proto__ polluted="yes"]', 0)?.sd;
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.ok(sd);
});
