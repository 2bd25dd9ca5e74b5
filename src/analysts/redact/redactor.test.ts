import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Finding, FindingId } from '../../core/index.ts';
import { RedactError, createRedactor, type MaskingRedactor } from './index.ts';
import { makeVisible } from './unicode.ts';

type Hostile = {
  readonly note: string;
  readonly format: string;
  readonly data: Record<string, unknown>;
  /** Text that must not appear anywhere in the redacted finding (values and keys). */
  readonly planted: readonly string[];
  /** Text that must survive: indicators, and the hostile text itself (the prompt layer must see and fence it). */
  readonly kept: readonly string[];
  /** For an encoded command: text of the decoded script that must (true) or must not (false) remain. */
  readonly encoded?: Readonly<Record<string, boolean>>;
};

const HOSTILE: readonly Hostile[] = readFileSync(
  new URL('../../../test/fixtures/analysts/hostile/events.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Hostile);

const CORP = { internalDomains: ['corp.example.jp'] };

/** A finding as a detector would produce it around one hostile record. */
function findingOf(h: Hostile, i: number): Finding {
  const ev = (h.data as { Event?: { System?: { Computer?: string } } }).Event;
  const host = ev?.System?.Computer ?? (h.data['hostname'] as string | undefined) ?? 'unknown';
  return {
    id: `f-hostile-${i}` as FindingId,
    kind: 'detection',
    severity: 'high',
    title: `hostile ${h.format} record ${i}`,
    rule: { id: '5af54681-df95-4c26-854f-2565e13cfab0', title: 'Suspicious', level: 'high', tags: ['attack.t1059'] },
    asset: { kind: 'host', name: host },
    time: '2026-11-25T10:00:00.000Z',
    evidence: [{ source: { file: `C:\\Users\\alice\\logs\\hostile.${h.format}`, line: i + 1 }, data: h.data }],
    details: { format: h.format },
  };
}

/** Every string in a JSON value, keys included. */
function texts(v: unknown, acc: string[] = []): string[] {
  if (typeof v === 'string') acc.push(v);
  else if (Array.isArray(v)) for (const x of v) texts(x, acc);
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      acc.push(k);
      texts(x, acc);
    }
  return acc;
}

/** Pairs of (input string, output string) at the same place: values only, since keys are kept. */
function leafPairs(a: unknown, b: unknown, acc: [string, string][] = []): [string, string][] {
  if (typeof a === 'string' && typeof b === 'string') acc.push([a, b]);
  else if (Array.isArray(a) && Array.isArray(b)) a.forEach((x, i) => leafPairs(x, b[i], acc));
  else if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
    const bo = b as Record<string, unknown>;
    for (const [k, x] of Object.entries(a)) if (k in bo) leafPairs(x, bo[k], acc);
  }
  return acc;
}

function redactAll(r: MaskingRedactor): Finding[] {
  return HOSTILE.map((h, i) => r.redact(findingOf(h, i)));
}

test('the hostile set is large enough and every record says what it tries', () => {
  assert.ok(HOSTILE.length >= 25, `${HOSTILE.length} records`);
  for (const h of HOSTILE) {
    assert.ok(h.note.length > 10 && !h.note.includes('\n'), h.note);
    assert.ok(['evtx', 'syslog', 'json', 'web', 'cloudtrail'].includes(h.format), h.format);
    if (h.format === 'evtx') assert.ok((h.data as { Event?: unknown }).Event, `${h.note}: evtx_dump shape`);
  }
});

test('hostile records: every planted secret is masked, indicators and hostile text stay visible', () => {
  const r = createRedactor(CORP);
  const out = redactAll(r);
  const problems: string[] = [];
  HOSTILE.forEach((h, i) => {
    const all = texts(out[i]);
    const joined = all.join('\n');
    for (const p of h.planted)
      if (joined.includes(p)) problems.push(`#${i + 1} ${h.note}: leaked ${JSON.stringify(p)}`);
    for (const k of h.kept) if (!joined.includes(k)) problems.push(`#${i + 1} ${h.note}: lost ${JSON.stringify(k)}`);
    // nothing invisible survives, and the result is valid UTF-16 (a provider can encode it)
    for (const t of all) {
      if (makeVisible(t).escaped > 0)
        problems.push(`#${i + 1}: invisible or broken text left: ${JSON.stringify(t.slice(0, 80))}`);
    }
    assert.doesNotThrow(() => JSON.stringify(out[i]));
    if (h.encoded !== undefined) {
      const cmd = (out[i]!.evidence[0]!.data as { Event: { EventData: { CommandLine: string } } }).Event.EventData
        .CommandLine;
      const blob = cmd.slice(cmd.lastIndexOf(' ') + 1);
      const script = Buffer.from(blob, 'base64').toString('utf16le');
      for (const [t, present] of Object.entries(h.encoded))
        if (script.includes(t) !== present)
          problems.push(`#${i + 1}: decoded command ${present ? 'lost' : 'leaked'} ${t}`);
    }
  });
  assert.deepEqual(problems, []);
});

test('hostile records: the same original gets the same mask across records', () => {
  const r = createRedactor(CORP);
  const out = redactAll(r);
  const mapping = r.exportMapping().entries;
  const shared: [string, string][] = [
    ['user', 'alice'],
    ['domain', 'CONTOSO'],
    ['host', 'WS-FIN-042.corp.example.jp'],
    ['host', 'db01.corp.example.jp'],
    ['secret', 'xoxb-2718281828-3141592653589-Zx8Cv7Bn6Mm5Lk4Jh3Gf2Dd1'],
    ['secret', 'ghs_Zq8LmN3vB6xC9kJ2hG5fD1sA4pO7iU0yT3rE'],
    ['user', 'h.ito'],
  ];
  for (const [type, original] of shared) {
    const row = mapping.filter((e) => e.type === type && e.original.toLowerCase() === original.toLowerCase());
    assert.equal(row.length, 1, `${type} ${original}: one mask`);
    const mask = row[0]!.mask;
    let seen = 0;
    HOSTILE.forEach((h, i) => {
      if (!texts(h.data).join('\n').includes(original)) return;
      seen++;
      assert.ok(texts(out[i]).join('\n').includes(mask), `#${i + 1} should show ${mask} for ${original}`);
    });
    assert.ok(seen >= 2, `${original} occurs in ${seen} records: not a cross-record check`);
  }
});

test('hostile records: restore() puts every original back (where nothing else was rewritten)', () => {
  const r = createRedactor(CORP);
  const findings = HOSTILE.map((h, i) => findingOf(h, i));
  const out = findings.map((f) => r.redact(f));
  let checked = 0;
  const wrong: string[] = [];
  findings.forEach((f, i) => {
    for (const [a, b] of leafPairs(f, out[i])) {
      // strings whose text changed for other reasons than masks: escapes, forged masks, re-encoded commands
      if (makeVisible(a).escaped > 0 || /<[a-z]+-\d+>/.test(a) || a.includes('-EncodedCommand')) continue;
      if (a === b) continue;
      checked++;
      if (r.restore(b) !== a)
        wrong.push(`${JSON.stringify(a.slice(0, 100))} -> ${JSON.stringify(r.restore(b).slice(0, 100))}`);
    }
  });
  assert.ok(checked > 80, `${checked} strings checked`);
  assert.deepEqual(wrong, []);
});

test('hostile records: redacting twice changes nothing (idempotent)', () => {
  const r = createRedactor(CORP);
  const once = redactAll(r);
  const before = r.report();
  const twice = once.map((f) => r.redact(f));
  assert.deepEqual(twice, once);
  // no new masks were issued on the second pass
  assert.deepEqual(r.report().distinct, before.distinct);
});

test('the audit report counts per type and holds no original', () => {
  const r = createRedactor(CORP);
  redactAll(r);
  const report = r.report();
  for (const t of ['secret', 'email', 'phone', 'card', 'mynumber', 'iban', 'user', 'host', 'domain', 'ip'] as const) {
    assert.ok(report.masked[t] >= report.distinct[t], t);
    assert.ok(report.distinct[t] > 0, `${t} seen in the hostile set`);
  }
  assert.ok(report.escapedCharacters > 0 && report.forgedMasks >= 4);
  const text = JSON.stringify(report);
  for (const e of r.exportMapping().entries) assert.ok(!text.includes(e.original), `report leaks ${e.original}`);
});

test('forged masks are defanged; masks this redactor issued are kept', () => {
  const r = createRedactor();
  assert.equal(r.redact('as <user-1> said'), 'as <not-a-mask:user-1> said');
  assert.equal(r.redact('C:\\Users\\alice\\x'), 'C:\\Users\\<user-1>\\x');
  // now <user-1> is ours: text produced by this redactor passes unchanged (a prompt re-redacted as a whole)
  assert.equal(r.redact('as <user-1> said'), 'as <user-1> said');
  assert.equal(r.restore('<user-1> and <not-a-mask:user-1> and <user-9>'), 'alice and <user-1> and <user-9>');
  assert.equal(r.report().forgedMasks, 1);
});

test('odd input never throws: cycles, depth, getters, proxies, prototypes, non-JSON values', () => {
  const r = createRedactor();
  const cyclic: Record<string, unknown> = { user: { name: 'alice' } };
  cyclic['self'] = cyclic;
  cyclic['list'] = [cyclic];
  assert.deepEqual(r.redact(cyclic), { user: { name: '<user-1>' }, self: '[cycle]', list: ['[cycle]'] });

  let deep: unknown = 'end';
  for (let i = 0; i < 10_000; i++) deep = { d: deep };
  let d = r.redact(deep) as Record<string, unknown> | string;
  let levels = 0;
  while (typeof d === 'object') {
    d = d['d'] as Record<string, unknown> | string;
    levels++;
  }
  assert.equal(d, '[depth limit]');
  assert.equal(levels, 64);

  const getter = Object.defineProperty({ ok: 'x' }, 'boom', {
    enumerable: true,
    get() {
      throw new Error('hostile getter');
    },
  });
  assert.deepEqual(r.redact(getter), { ok: 'x', boom: '[unreadable]' });
  const proxy = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('hostile proxy');
      },
    },
  );
  assert.equal(r.redact({ p: proxy }).p, '[unreadable]');

  const polluted = JSON.parse('{"__proto__": {"password": "x"}, "a": 1}') as object;
  const out = r.redact(polluted) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['__proto__', 'a']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { password: '<secret-1>' });
  assert.equal(({} as Record<string, unknown>)['password'], undefined);

  const odd = r.redact({ n: Number.NaN, b: 10n, d: new Date(0), f: () => 1, s: Symbol('x'), u: undefined, z: null });
  // as JSON.stringify would: functions, symbols and undefined members are dropped, toJSON is used
  assert.deepEqual(odd, { n: Number.NaN, b: '10', d: '1970-01-01T00:00:00.000Z', z: null });
  assert.equal(r.redact('bad \ud800 half'), 'bad \ufffd half');
  assert.equal(r.redact(42), 42);
  assert.ok(r.report().cycles === 2 && r.report().depthLimited === 1 && r.report().failures >= 2);
});

test('JSON fields: secrets by key, numbers, keys that are themselves secret or personal', () => {
  const r = createRedactor(CORP);
  const out = r.redact({
    password: 'hunter2',
    db_password: 'x1',
    'X-Api-Key': 'abc',
    pin: 1234,
    PasswordLastSet: '2026-01-01',
    TerminalSessionId: 1,
    ElevatedToken: '%%1842',
    Hashes: 'SHA256=9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08',
    headers: { Authorization: 'Bearer abcdef0123456789XYZ', Cookie: 'sid=1a2b3c' },
    credentials: { user: 'svc', token: ['t1', 't2'] },
    cardNumber: 4111111111111111,
    EventRecordID: 4111111111111111,
    byEmail: { 'a.b@corp.example.jp': 3 },
    Computer: 'WS01',
    asset: { kind: 'host', name: 'WS02' },
    pkg: { kind: 'package', name: 'lodash' },
  });
  assert.deepEqual(out, {
    password: '<secret-1>',
    db_password: '<secret-2>',
    'X-Api-Key': '<secret-3>',
    pin: '<secret-4>',
    PasswordLastSet: '2026-01-01',
    TerminalSessionId: 1,
    ElevatedToken: '%%1842',
    Hashes: 'SHA256=9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08',
    headers: { Authorization: 'Bearer <secret-5>', Cookie: 'sid=<secret-6>' },
    credentials: { user: '<secret-7>', token: ['<secret-8>', '<secret-9>'] },
    cardNumber: '<card-1>',
    EventRecordID: 4111111111111111,
    byEmail: { '<email-1>': 3 },
    Computer: '<host-1>',
    asset: { kind: 'host', name: '<host-2>' },
    pkg: { kind: 'package', name: 'lodash' },
  });
});

test('user, host and domain fields', () => {
  const r = createRedactor(CORP);
  const out = r.redact({
    Event: {
      System: { Computer: 'WS01.corp.example.jp' },
      EventData: {
        SubjectUserName: 'WS01$',
        SubjectDomainName: 'CONTOSO',
        TargetUserName: 'alice@corp.example.jp',
        TargetDomainName: 'NT AUTHORITY',
        User: 'NT AUTHORITY\\SYSTEM',
        WorkstationName: '\\\\WS02',
        DestinationHostname: 'update.microsoft.com',
        IpAddress: '::ffff:10.1.2.3',
        CommandLine: 'ping WS01 && dir \\\\ws01\\c$ && echo CONTOSO\\bob',
      },
    },
    user: { name: 'h.ito', domain: 'CORP' },
    winlog: { computer_name: 'BR042-DC01.branch.example' },
  });
  assert.deepEqual(out, {
    Event: {
      System: { Computer: '<host-1>' },
      EventData: {
        SubjectUserName: '<host-1>$',
        SubjectDomainName: '<domain-1>',
        TargetUserName: '<email-1>',
        TargetDomainName: 'NT AUTHORITY',
        User: 'NT AUTHORITY\\SYSTEM',
        WorkstationName: '\\\\<host-2>',
        DestinationHostname: 'update.microsoft.com',
        IpAddress: '<ip-1>',
        CommandLine: 'ping <host-1> && dir \\\\<host-1>\\c$ && echo <domain-1>\\<user-1>',
      },
    },
    user: { name: '<user-2>', domain: '<domain-2>' },
    // the record's own machine is internal whatever its suffix; a peer's dotted name (above) needs the suffix
    winlog: { computer_name: '<host-3>' },
  });
  assert.equal(r.restore('<host-1> <user-2>'), 'WS01.corp.example.jp h.ito');
});

test('a planted user name cannot blind the model to a command (name poisoning)', () => {
  // TargetUserName of a failed logon is whatever the attacker typed
  const r = createRedactor();
  r.learn({ Event: { EventData: { TargetUserName: 'powershell' } } });
  r.learn({ Event: { EventData: { TargetUserName: 'mallory' } } });
  assert.equal(r.redact('powershell -nop -c iex; echo mallory'), 'powershell -nop -c iex; echo <user-1>');
  // and with learning off, only patterns mask names in text
  const off = createRedactor({ learnNames: false });
  off.redact({ TargetUserName: 'mallory' });
  assert.equal(off.redact('echo mallory'), 'echo mallory');
});

test('restore() gives a DN back as it was written', () => {
  const r = createRedactor();
  const dn = 'CN=Alice Smith,OU=Staff,DC=corp,DC=example,DC=jp';
  const out = r.redact(dn);
  assert.equal(out, 'CN=<user-1>,OU=Staff,DC=<domain-1>');
  assert.equal(r.restore(out), dn);
});

test('options: well-known accounts, kept users, host fields, validation', () => {
  const sys = { Event: { EventData: { SubjectUserName: 'SYSTEM', TargetUserName: 'svc_backup', User: 'root' } } };
  assert.deepEqual(createRedactor().redact(sys), {
    Event: { EventData: { SubjectUserName: 'SYSTEM', TargetUserName: '<user-1>', User: 'root' } },
  });
  assert.deepEqual(createRedactor({ maskWellKnownAccounts: true, keepUsers: ['svc_backup'] }).redact(sys), {
    Event: { EventData: { SubjectUserName: '<user-1>', TargetUserName: 'svc_backup', User: '<user-2>' } },
  });
  const hosts = { Computer: 'WS01', hostname: 'db01.corp.example.jp' };
  assert.deepEqual(createRedactor({ ...CORP, hostFields: false }).redact(hosts), {
    Computer: 'WS01',
    hostname: '<host-1>',
  });
  for (const bad of [
    { ips: 'some' },
    { internalNetworks: ['10.0.0.0/33'] },
    { internalDomains: ['bad domain'] },
    { typo: 1 },
  ]) {
    assert.throws(
      () => createRedactor(bad as never),
      (e: unknown) => e instanceof RedactError && e.code === 'OPTIONS_INVALID',
      JSON.stringify(bad),
    );
  }
});

test('learn() ahead of time masks a name in text seen before the field that names it', () => {
  const later = { Event: { EventData: { TargetUserName: 'k.suzuki' } } };
  const earlier = { Event: { EventData: { CommandLine: 'runas k.suzuki cmd' } } };
  const plain = createRedactor();
  assert.equal(plain.redact(earlier).Event.EventData.CommandLine, 'runas k.suzuki cmd');
  const primed = createRedactor();
  primed.learn([earlier, later]);
  assert.equal(primed.redact(earlier).Event.EventData.CommandLine, 'runas <user-1> cmd');
  assert.deepEqual(primed.report().masked.user, 1);
});

test('an exported mapping continues the numbering in a new redactor', () => {
  const a = createRedactor();
  assert.equal(a.redact('mail x@example.com from 10.0.0.1'), 'mail <email-1> from <ip-1>');
  const b = createRedactor({ mapping: a.exportMapping() });
  assert.equal(b.redact('10.0.0.1 y@example.com X@EXAMPLE.COM'), '<ip-1> <email-2> <email-1>');
  assert.equal(b.restore('<email-1>/<email-2>'), 'x@example.com/y@example.com');
  const broken = { ...a.exportMapping(), entries: [...a.exportMapping().entries, a.exportMapping().entries[0]!] };
  assert.throws(
    () => createRedactor({ mapping: broken }),
    (e: unknown) => e instanceof RedactError && e.code === 'MAPPING_INVALID',
  );
});

test('a long line is cut visibly, and nothing of a secret is left at the cut', () => {
  const r = createRedactor({ maxStringLength: 2048 });
  const s = `${'word '.repeat(400)}AKIAIOSFODNN7EXAMPLE ${'x'.repeat(5000)}`;
  const out = r.redact(s);
  assert.ok(out.length <= 2048, `${out.length}`);
  assert.match(out, /\[truncated: \d+ more characters\]$/);
  assert.ok(!out.includes('AKIA'));
  assert.equal(r.redact(out), out);
  assert.equal(r.report().truncatedStrings, 1);
});

test('performance: 1 MB hostile lines finish in bounded time (no catastrophic backtracking)', () => {
  const MB = 1 << 20;
  const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
  // each unit is the prefix or separator of one detector, repeated: the shapes that make naive regexes quadratic
  const units = [
    'eyJ',
    'sk-',
    'AKIA',
    'ghp_',
    'a@',
    'a@b.cc ',
    'password=',
    'token:',
    'password="',
    ' -p ',
    ' --password x',
    '\\Users\\',
    '/home/a',
    '\\\\a',
    'a:',
    '10.0.0.1 ',
    '1.',
    '4 ',
    '1-',
    '(0',
    '+8',
    'DE89',
    '-----BEGIN ',
    'QUFB',
    'net user ',
    'ConvertTo-SecureString ',
    'secret ',
    '$krb5tgs$',
    '<user-99999>',
    'a\u200b',
    'DC=a,',
    'CN=a,',
    'Bearer ',
    'https://a:',
    'Cookie: a=b;',
    'a::b:',
    'alice ',
    'CONTOSO\\',
    'a',
  ];
  const r = createRedactor(CORP);
  r.learn({ User: 'CONTOSO\\alice', Computer: 'WS01' });
  const slow: string[] = [];
  for (const u of units) {
    const line = `powershell mysql 7z curl ${fill(u)}`;
    const t0 = performance.now();
    r.redact({ CommandLine: line });
    const ms = performance.now() - t0;
    // measured ≤ 300 ms per line on the 2-CPU VM; a quadratic regex takes minutes
    if (ms > 2000) slow.push(`${JSON.stringify(u)}: ${ms.toFixed(0)} ms`);
  }
  assert.deepEqual(slow, []);
});

test('performance: 10 000 typical EVTX events in under 2 s', () => {
  const lines = readFileSync(
    new URL('../../../test/fixtures/evtx/sysmon-security.expected.jsonl', import.meta.url),
    'utf8',
  )
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { data: { Event: Record<string, Record<string, unknown>> } }).data);
  const events = Array.from({ length: 10_000 }, (_, i) => {
    const e = structuredClone(lines[i % lines.length]!);
    const sys = e.Event['System']!;
    sys['EventRecordID'] = i;
    const ed = e.Event['EventData'] ?? {};
    if (typeof ed['CommandLine'] === 'string')
      ed['CommandLine'] += ` --id ${i} -o C:\\Users\\user${i % 50}\\out${i}.txt`;
    if (ed['ProcessId'] !== undefined) ed['ProcessId'] = 1000 + i;
    return e;
  });
  const r = createRedactor(CORP);
  const t0 = performance.now();
  let masked = 0;
  for (const e of events) if (JSON.stringify(r.redact(e)).includes('<user-')) masked++;
  const ms = performance.now() - t0;
  // measured 400–600 ms (1 s with the string cache off) on the 2-CPU VM; 2 s leaves room for a loaded machine
  assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
  assert.ok(masked > 9000, `${masked} events had a user masked`);
});
