import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexBytes, looksLikeAudit, parseAuditLine, type AuditRecord } from './parse.ts';
import { mergeRecords } from './join.ts';
import { syscallName } from './syscalls.ts';

const hex = (s: string): string => Buffer.from(s).toString('hex').toUpperCase();
const fieldsOf = (r: AuditRecord): Record<string, unknown> => {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < r.fields.length; i += 2) o[r.fields[i] as string] = r.fields[i + 1];
  return o;
};

test('audit records: header, quoting, hex decoding, ENRICHED part', () => {
  const cases: { name: string; line: string; type: string; stamp: string; time: number; fields: object }[] = [
    {
      name: 'SYSCALL with ENRICHED interpretations',
      line: 'type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e syscall=59 a0=55d0 comm="ls" exe="/usr/bin/ls" key="exec"\x1dARCH=x86_64 SYSCALL=execve AUID="ops"',
      type: 'SYSCALL',
      stamp: '1700000000.123:456',
      time: 1700000000123,
      fields: {
        arch: 'c000003e',
        syscall: '59',
        a0: '55d0',
        comm: 'ls',
        exe: '/usr/bin/ls',
        key: 'exec',
        ARCH: 'x86_64',
        SYSCALL: 'execve',
        AUID: 'ops',
      },
    },
    {
      name: 'EXECVE arguments: quoted as is, hex decoded',
      line: `type=EXECVE msg=audit(1700000000.123:456): argc=3 a0="sh" a1="-c" a2=${hex('echo "hi" > /tmp/x')}`,
      type: 'EXECVE',
      stamp: '1700000000.123:456',
      time: 1700000000123,
      fields: { argc: '3', a0: 'sh', a1: '-c', a2: 'echo "hi" > /tmp/x' },
    },
    {
      name: 'EXECVE argument in pieces, back in order',
      line: `type=EXECVE msg=audit(1700000000.1:7): argc=3 a0="python3" a1_len=10 a1[0]=${hex('print')} a1[1]=${hex('(1+1)')} a2="x"`,
      type: 'EXECVE',
      stamp: '1700000000.1:7',
      time: 1700000000100,
      fields: { argc: '3', a0: 'python3', a1: 'print(1+1)', a2: 'x' },
    },
    {
      name: 'PROCTITLE: NUL separators become spaces',
      line: `type=PROCTITLE msg=audit(1700000000.000:1): proctitle=${hex('nc\0-e\0/bin/sh\0')}`,
      type: 'PROCTITLE',
      stamp: '1700000000.000:1',
      time: 1700000000000,
      fields: { proctitle: 'nc -e /bin/sh' },
    },
    {
      name: 'several keys of one rule (0x01 separated)',
      line: `type=SYSCALL msg=audit(1700000000.000:2): key=${hex('exec\x01priv_esc')}`,
      type: 'SYSCALL',
      stamp: '1700000000.000:2',
      time: 1700000000000,
      fields: { key: ['exec', 'priv_esc'] },
    },
    {
      name: 'a hex-looking numeric field is not decoded; (null) kept',
      line: 'type=SYSCALL msg=audit(1700000000.000:3): a0=40000 pid=1234 name=(null) key=(null)',
      type: 'SYSCALL',
      stamp: '1700000000.000:3',
      time: 1700000000000,
      fields: { a0: '40000', pid: '1234', name: '(null)', key: '(null)' },
    },
    {
      name: "user-space msg='…': its own fields, hex cmd decoded",
      line: `type=USER_CMD msg=audit(1700000000.000:4): pid=1 uid=1000 msg='cwd="/root" cmd=${hex('id -u')} exe="/usr/bin/sudo" res=success'\x1dUID="ops"`,
      type: 'USER_CMD',
      stamp: '1700000000.000:4',
      time: 1700000000000,
      fields: { pid: '1', uid: '1000', cwd: '/root', cmd: 'id -u', exe: '/usr/bin/sudo', res: 'success', UID: 'ops' },
    },
    {
      name: 'node= prefix',
      line: 'node=web01 type=DAEMON_START msg=audit(1700000000.000:5): op=start res=success',
      type: 'DAEMON_START',
      stamp: '1700000000.000:5',
      time: 1700000000000,
      fields: { op: 'start', res: 'success' },
    },
    {
      name: 'SELinux AVC text',
      line: 'type=AVC msg=audit(1700000000.000:6): avc:  denied  { read } for  pid=812 comm="nginx" tclass=file',
      type: 'AVC',
      stamp: '1700000000.000:6',
      time: 1700000000000,
      fields: { seresult: 'denied', seperms: 'read', pid: '812', comm: 'nginx', tclass: 'file' },
    },
    {
      name: '__proto__ from the file is dropped',
      line: 'type=SYSCALL msg=audit(1700000000.000:8): __proto__=x comm="a"',
      type: 'SYSCALL',
      stamp: '1700000000.000:8',
      time: 1700000000000,
      fields: { comm: 'a' },
    },
  ];
  for (const c of cases) {
    const r = parseAuditLine(c.line);
    assert.ok(typeof r !== 'string', `${c.name}: ${String(r)}`);
    assert.equal(r.type, c.type, c.name);
    assert.equal(r.stamp, c.stamp, c.name);
    assert.equal(r.time, c.time, c.name);
    assert.deepEqual(fieldsOf(r), c.fields, c.name);
  }
  assert.equal(
    (parseAuditLine('node=web01 type=X msg=audit(1.0:1): a=b') as AuditRecord).node,
    'web01',
    'node is kept on the record',
  );
});

test('audit: malformed lines give the reason', () => {
  const cases: [string, RegExp][] = [
    ['', /no type=/],
    ['hello', /no type=/],
    ['type=SYSCALL', /no msg=audit/],
    ['type=SYSCALL msg=audit(abc:1): x=1', /time stamp/],
    ['type=SYSCALL msg=audit(1700000000.123): x=1', /time stamp/],
    ['type=SYSCALL msg=audit(1700000000.123:): x=1', /serial/],
    ['type=SYSCALL msg=audit(1700000000.123:45', /serial/],
    ['node=', /no record after node=/],
  ];
  for (const [line, re] of cases) {
    const r = parseAuditLine(line);
    assert.equal(typeof r, 'string', line);
    assert.match(r as string, re, line);
  }
  // unterminated quotes and odd hex end the value at the end of the line, without throwing
  const r = parseAuditLine('type=SYSCALL msg=audit(1.0:1): comm="abc exe=ABC proctitle=ABC');
  assert.ok(typeof r !== 'string');
  assert.deepEqual(fieldsOf(r), { comm: 'abc exe=ABC proctitle=ABC' });
  assert.equal(hexBytes('ABC'), undefined);
  assert.equal(hexBytes('ZZ'), undefined);
  assert.deepEqual([...hexBytes('00ff')!], [0, 255]);
  assert.ok(looksLikeAudit('type=EOE msg=audit(1.0:1): '));
  assert.ok(!looksLikeAudit('Nov 25 10:00:00 host audit: type=1400 audit(1.0:1): x'));
});

test('merging an event: type list, repeated fields as lists, syscall named from the table', () => {
  const recs = [
    'type=SYSCALL msg=audit(1.0:1): arch=c000003e syscall=59 a0=55d0 a1=55d1 exe="/usr/bin/nc"',
    'type=EXECVE msg=audit(1.0:1): argc=2 a0="nc" a1="-e"',
    'type=PATH msg=audit(1.0:1): item=0 name="/usr/bin/nc" nametype=NORMAL',
    'type=PATH msg=audit(1.0:1): item=1 name="/lib64/ld-linux-x86-64.so.2" nametype=NORMAL',
    'type=PROCTITLE msg=audit(1.0:1): proctitle=6E63002D65',
  ].map((l) => parseAuditLine(l) as AuditRecord);
  assert.deepEqual(mergeRecords(recs), {
    type: ['SYSCALL', 'EXECVE', 'PATH', 'PROCTITLE'],
    arch: 'c000003e',
    syscall: '59',
    a0: ['55d0', 'nc'],
    a1: ['55d1', '-e'],
    exe: '/usr/bin/nc',
    argc: '2',
    item: ['0', '1'],
    name: ['/usr/bin/nc', '/lib64/ld-linux-x86-64.so.2'],
    nametype: 'NORMAL',
    proctitle: 'nc -e',
    ARCH: 'x86_64',
    SYSCALL: 'execve',
  });
  const names: [string, string, string | undefined][] = [
    ['c000003e', '59', 'execve'],
    ['c000003e', '103', 'syslog'],
    ['c000003e', '135', 'personality'],
    ['c000003e', '319', 'memfd_create'],
    ['C000003E', '133', 'mknod'],
    ['c00000b7', '221', 'execve'],
    ['c00000b7', '33', 'mknodat'],
    ['c00000b7', '435', 'clone3'],
    ['c000003e', '9999', undefined],
    ['c000003e', '-1', undefined],
    ['40000003', '11', undefined],
  ];
  for (const [arch, nr, want] of names) assert.equal(syscallName(arch, nr), want, `${arch} ${nr}`);
});

test('audit: hostile lines are parsed in linear time', () => {
  const lines = [
    `type=AVC msg=audit(1.0:1): ${'avc: denied { '.repeat(50_000)}`,
    `type=SYSCALL msg=audit(1.0:1): ${'a="b '.repeat(100_000)}`,
    `type=EXECVE msg=audit(1.0:1): ${'a1[0]=41 '.repeat(100_000)}`,
    `type=SYSCALL msg=audit(1.0:1): msg='${"x y='z ".repeat(50_000)}'`,
  ];
  for (const l of lines) {
    const t0 = performance.now();
    assert.notEqual(typeof parseAuditLine(l), 'string');
    // linear is a few ms per line; quadratic would be many seconds. The bound leaves room for a loaded CI machine.
    assert.ok(performance.now() - t0 < 3000, l.slice(0, 40));
  }
});
