import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clfTime, parseClfLine, parseW3cLine, w3cFields } from './parse.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

test('NCSA common/combined lines → W3C field names', () => {
  const cases: { name: string; line: string; data: Record<string, unknown>; time: string; host?: string }[] = [
    {
      name: 'combined (nginx default)',
      line: `10.0.0.1 - bob [25/Nov/2026:10:00:00 +0000] "GET /a/b.php?x=1&y=%2e%2e%2f HTTP/1.1" 200 512 "https://r.example/" "${UA}"`,
      data: {
        'c-ip': '10.0.0.1',
        'cs-username': 'bob',
        date: '2026-11-25',
        time: '10:00:00',
        'cs-method': 'GET',
        'cs-uri-stem': '/a/b.php',
        'cs-uri-query': 'x=1&y=%2e%2e%2f',
        'cs-version': 'HTTP/1.1',
        'sc-status': 200,
        'sc-bytes': 512,
        'cs-referer': 'https://r.example/',
        'cs-user-agent': UA,
        'c-useragent': UA,
      },
      time: '2026-11-25T10:00:00.000Z',
    },
    {
      name: 'common, bytes "-", zone offset',
      line: '10.0.0.1 - - [25/Nov/2026:10:00:00 -0230] "HEAD / HTTP/1.0" 304 -',
      data: {
        'c-ip': '10.0.0.1',
        date: '2026-11-25',
        time: '12:30:00',
        'cs-method': 'HEAD',
        'cs-uri-stem': '/',
        'cs-version': 'HTTP/1.0',
        'sc-status': 304,
      },
      time: '2026-11-25T12:30:00.000Z',
    },
    {
      name: 'vhost_combined: virtual host first',
      line: 'www.example.org:443 10.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "GET / HTTP/2.0" 200 1 "-" "curl/8.5.0"',
      data: {
        'c-ip': '10.0.0.1',
        'cs-host': 'www.example.org:443',
        date: '2026-11-25',
        time: '10:00:00',
        'cs-method': 'GET',
        'cs-uri-stem': '/',
        'cs-version': 'HTTP/2.0',
        'sc-status': 200,
        'sc-bytes': 1,
        'cs-user-agent': 'curl/8.5.0',
        'c-useragent': 'curl/8.5.0',
      },
      time: '2026-11-25T10:00:00.000Z',
      host: 'www.example.org',
    },
    {
      name: 'trailing request time and host; the rest in extra',
      line: '10.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "-" 0.250 api.example.com "1.2.3.4" up=10.0.0.9:8080',
      data: {
        'c-ip': '10.0.0.1',
        date: '2026-11-25',
        time: '10:00:00',
        'cs-method': 'GET',
        'cs-uri-stem': '/x',
        'cs-version': 'HTTP/1.1',
        'sc-status': 200,
        'sc-bytes': 1,
        'time-taken': 0.25,
        'cs-host': 'api.example.com',
        extra: ['1.2.3.4', 'up=10.0.0.9:8080'],
      },
      time: '2026-11-25T10:00:00.000Z',
      host: 'api.example.com',
    },
    {
      name: 'not a request line (TLS to an HTTP port) kept raw',
      line: '10.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "\\x16\\x03\\x01" 400 157 "-" "-"',
      data: {
        'c-ip': '10.0.0.1',
        date: '2026-11-25',
        time: '10:00:00',
        request: '\\x16\\x03\\x01',
        'sc-status': 400,
        'sc-bytes': 157,
      },
      time: '2026-11-25T10:00:00.000Z',
    },
    {
      name: 'escaped quote inside the user agent; uri with spaces',
      line: '10.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "GET /a b HTTP/1.1" 400 0 "-" "x \\"y\\" z"',
      data: {
        'c-ip': '10.0.0.1',
        date: '2026-11-25',
        time: '10:00:00',
        'cs-method': 'GET',
        'cs-uri-stem': '/a b',
        'cs-version': 'HTTP/1.1',
        'sc-status': 400,
        'sc-bytes': 0,
        'cs-user-agent': 'x \\"y\\" z',
        'c-useragent': 'x \\"y\\" z',
      },
      time: '2026-11-25T10:00:00.000Z',
    },
  ];
  for (const c of cases) {
    const r = parseClfLine(c.line);
    assert.ok(r, c.name);
    assert.deepEqual(r.data, c.data, c.name);
    assert.equal(new Date(r.time!).toISOString(), c.time, c.name);
    assert.equal(r.host, c.host, c.name);
  }
});

test('NCSA: lines that are not access log lines', () => {
  const cases: [string, string][] = [
    ['syslog', 'Nov 25 10:00:00 deb12 sshd[1]: Accepted publickey for ops'],
    ['no time', '10.0.0.1 - - "GET / HTTP/1.1" 200 1'],
    ['bad time', '10.0.0.1 - - [25/Foo/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1'],
    ['unterminated request', '10.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1 200 1'],
    ['bad status', '10.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" OK 1'],
    ['too few fields before the time', '10.0.0.1 - [25/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1'],
    ['empty', ''],
    ['JSON', '{"a": "[25/Nov/2026:10:00:00 +0000]"}'],
  ];
  for (const [name, line] of cases) assert.equal(parseClfLine(line), undefined, name);
  assert.equal(clfTime('25/Nov/2026:24:00:00 +0000', 0, 26), undefined);
  // a long hostile line is scanned in linear time
  const t0 = performance.now();
  parseClfLine('1 - - [25/Nov/2026:10:00:00 +0000] "' + 'GET '.repeat(200_000) + '" 200 1');
  parseClfLine('1 - - [25/Nov/2026:10:00:00 +0000] "x" 200 1 ' + '"\\'.repeat(200_000));
  // linear takes milliseconds, quadratic many seconds: the bound leaves room for a loaded CI machine
  assert.ok(performance.now() - t0 < 3000);
});

test('W3C extended: #Fields order, `-` as no value, IIS + in the user agent, numbers', () => {
  const fields = w3cFields(
    '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status time-taken',
  );
  const r = parseW3cLine(
    '2026-11-25 10:00:00 10.0.0.5 GET /owa/auth.owa - 443 BRANCH\\k.sato 10.0.0.9 Mozilla/5.0+(Windows+NT+10.0) - 302 46',
    fields,
  );
  assert.ok(r);
  assert.deepEqual(r.data, {
    date: '2026-11-25',
    time: '10:00:00',
    's-ip': '10.0.0.5',
    'cs-method': 'GET',
    'cs-uri-stem': '/owa/auth.owa',
    's-port': 443,
    'cs-username': 'BRANCH\\k.sato',
    'c-ip': '10.0.0.9',
    'cs-user-agent': 'Mozilla/5.0 (Windows NT 10.0)',
    'c-useragent': 'Mozilla/5.0 (Windows NT 10.0)',
    'sc-status': 302,
    'time-taken': 46,
  });
  assert.equal(new Date(r.time!).toISOString(), '2026-11-25T10:00:00.000Z');
  assert.equal(parseW3cLine('2026-11-25 10:00:00 too few', fields), undefined);
  assert.equal(parseW3cLine('a b c d e f g h i j k l m n o p', fields), undefined);
  // quoted values (some W3C producers) and a prototype-named field
  const q = parseW3cLine('"a b" 1', w3cFields('#Fields: x-note __proto__'));
  assert.deepEqual(q?.data, { 'x-note': 'a b' });
});
