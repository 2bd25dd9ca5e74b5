import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { changedLines } from '../edit.ts';
import { DirectoryRoot, OverlayRoot } from '../root.ts';
import { harden } from '../run.ts';
import type { CheckResult, CheckSpec, ConfigRoot, Expectation, FileEdit } from '../types.ts';
import { buildTree, effectiveFor, HARDENING_DROP_IN, readSysctlRaw, sysctlEngine } from './index.ts';
import { MemoryRoot } from '../testkit.ts';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../../test/fixtures/harden/sysctl/${name}`, import.meta.url));

const check = (key: string, expect: Expectation, fix: string, id = key): CheckSpec => ({
  id: `sysctl-${id}`,
  title: `${key}`,
  severity: 'medium',
  engine: 'sysctl',
  key,
  expect,
  fix,
  refs: [],
  profiles: ['cis-l1-server'],
});

/** The CIS-style set of the brief. */
const CIS: readonly CheckSpec[] = [
  check('net.ipv4.ip_forward', { equals: '0' }, '0'),
  check('net.ipv4.conf.all.send_redirects', { equals: '0' }, '0'),
  check('net.ipv4.conf.default.accept_source_route', { equals: '0' }, '0'),
  check('net.ipv4.tcp_syncookies', { equals: '1' }, '1'),
  check('kernel.randomize_va_space', { equals: '2' }, '2'),
  check('fs.suid_dumpable', { equals: '0' }, '0'),
  check('net.ipv6.conf.all.accept_ra', { equals: '0' }, '0'),
];
const EXTRA: readonly CheckSpec[] = [
  check('net.ipv4.conf.all.rp_filter', { oneOf: ['1', '2'] }, '1'),
  check('net.ipv4.conf.eth1.rp_filter', { oneOf: ['1', '2'] }, '1'),
  check('net/ipv4/conf/eth0.100/rp_filter', { equals: '1' }, '1', 'eth0-vlan'),
  check('kernel.dmesg_restrict', { equals: '1' }, '1'),
];

/** A tiny applier, independent of src/harden/edit.ts: original line numbers, inserts before, `\n` endings. */
function applyTiny(text: string | undefined, fe: FileEdit): string {
  const lines = text === undefined || text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  for (let n = 1; n <= lines.length + 1; n++) {
    for (const e of fe.edits) if (e.kind === 'insert' && e.before === n) out.push(...e.lines);
    if (n > lines.length) break;
    const r = fe.edits.find((e) => e.kind !== 'insert' && e.line === n);
    if (r === undefined) out.push(lines[n - 1]!);
    else if (r.kind === 'replace') out.push(r.text);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

async function treeOf(root: ConfigRoot) {
  return buildTree(await readSysctlRaw(root));
}

const byId = (rs: readonly CheckResult[], key: string): CheckResult => {
  const r = rs.find((x) => x.check.key === key);
  assert.ok(r, key);
  return r;
};

test('reading order: sysctl.d files by name across directories, /etc over /run over /usr, masks, sysctl.conf', async () => {
  const tree = await treeOf(new DirectoryRoot(fixture('layered')));
  assert.deepEqual(
    tree.dropIns.map((d) => d.path + (d.file ? '' : ' (masked)') + (d.aliasOf ? ` = ${d.aliasOf}` : '')),
    [
      'etc/sysctl.d/10-network.conf',
      'etc/sysctl.d/10-vendor-tuning.conf',
      'usr/local/lib/sysctl.d/20-local-app.conf',
      'etc/sysctl.d/30-docker.conf',
      'run/sysctl.d/40-runtime.conf',
      'usr/lib/sysctl.d/50-coredump.conf',
      'usr/lib/sysctl.d/50-default.conf',
      'usr/lib/sysctl.d/50-pid-max.conf',
      'etc/sysctl.d/60-vendor-tuning.conf (masked)',
      'usr/lib/sysctl.d/70-vendor-ra.conf',
      'etc/sysctl.d/80-site.conf',
      'usr/lib/sysctl.d/99-protect-links.conf',
      'etc/sysctl.d/99-sysctl.conf = etc/sysctl.conf',
      'etc/sysctl.d/99-zz-local.conf',
    ],
  );
  assert.deepEqual(tree.shadowed, [
    'usr/lib/sysctl.d/10-vendor-tuning.conf',
    'usr/lib/sysctl.d/60-vendor-tuning.conf',
    'lib/sysctl.d/10-vendor-tuning.conf',
  ]);
});

test('effective values: last wins, per reader; explicit beats glob; exclusions; / keys; - prefix', async () => {
  const tree = await treeOf(new DirectoryRoot(fixture('layered')));
  const eff = (reader: 'systemd-sysctl' | 'sysctl --system', key: string): string => {
    const e = effectiveFor(tree, reader, key);
    return e.state === 'absent'
      ? 'absent'
      : `${e.state === 'set' ? e.value : 'excluded'} @${e.entry.file}:${e.entry.line}`;
  };
  // 99-zz-local.conf sorts after 99-sysctl.conf: systemd takes it, procps reads sysctl.conf last
  assert.equal(eff('systemd-sysctl', 'net.ipv4.ip_forward'), '1 @etc/sysctl.d/99-zz-local.conf:2');
  assert.equal(eff('sysctl --system', 'net.ipv4.ip_forward'), '0 @etc/sysctl.conf:28');
  // the slash-form key in 10-network.conf is the same key; 40-runtime.conf sorts later
  assert.equal(eff('systemd-sysctl', 'net.ipv4.conf.all.send_redirects'), '1 @run/sysctl.d/40-runtime.conf:2');
  // same name in /etc replaces the vendor file, a /dev/null link masks one
  assert.equal(eff('systemd-sysctl', 'kernel.randomize_va_space'), '2 @etc/sysctl.d/10-vendor-tuning.conf:2');
  assert.equal(eff('sysctl --system', 'kernel.randomize_va_space'), '2 @etc/sysctl.d/10-vendor-tuning.conf:2');
  // `-key = 0` still assigns; sysctl.conf (via 99-sysctl.conf for systemd) sets 1 later
  assert.equal(eff('systemd-sysctl', 'net.ipv4.tcp_syncookies'), '1 @etc/sysctl.conf:25');
  // duplicates: the later, indented line wins
  assert.equal(eff('systemd-sysctl', 'net.ipv4.conf.default.accept_source_route'), '1 @etc/sysctl.d/80-site.conf:3');
  assert.equal(eff('systemd-sysctl', 'fs.suid_dumpable'), '2 @usr/lib/sysctl.d/50-coredump.conf:7');
  // globs: all is excluded, eth1 takes the glob, eth0.100 (written eth0/100) has an explicit line that wins
  assert.equal(eff('systemd-sysctl', 'net.ipv4.conf.all.rp_filter'), 'excluded @usr/lib/sysctl.d/50-default.conf:14');
  assert.equal(eff('sysctl --system', 'net.ipv4.conf.eth1.rp_filter'), '2 @usr/lib/sysctl.d/50-default.conf:13');
  assert.equal(eff('systemd-sysctl', 'net/ipv4/conf/eth0.100/rp_filter'), '1 @etc/sysctl.d/10-network.conf:3');
  assert.equal(eff('systemd-sysctl', 'kernel.dmesg_restrict'), '1 # restrict dmesg @etc/sysctl.d/80-site.conf:4');
  assert.equal(eff('systemd-sysctl', 'net.ipv4.tcp_timestamps'), 'absent');
});

test('layered root: findings, file/line, minimal fixes', async () => {
  const root = new DirectoryRoot(fixture('layered'));
  assert.equal(await sysctlEngine.applies(root), true);
  const rs = await sysctlEngine.assess(root, [...CIS, ...EXTRA]);
  const status = Object.fromEntries(rs.map((r) => [r.check.key, r.status]));
  assert.deepEqual(status, {
    'net.ipv4.ip_forward': 'fail',
    'net.ipv4.conf.all.send_redirects': 'fail',
    'net.ipv4.conf.default.accept_source_route': 'fail',
    'net.ipv4.tcp_syncookies': 'pass',
    'kernel.randomize_va_space': 'pass',
    'fs.suid_dumpable': 'fail',
    'net.ipv6.conf.all.accept_ra': 'fail',
    'net.ipv4.conf.all.rp_filter': 'fail',
    'net.ipv4.conf.eth1.rp_filter': 'pass',
    'net/ipv4/conf/eth0.100/rp_filter': 'pass',
    'kernel.dmesg_restrict': 'fail',
  });

  const fwd = byId(rs, 'net.ipv4.ip_forward');
  assert.equal(fwd.file, 'etc/sysctl.d/99-zz-local.conf');
  assert.equal(fwd.line, 2);
  assert.match(fwd.current!, /1 \[systemd-sysctl\]; 0 \[sysctl --system\]/);
  // 30-docker.conf's line loses to 99-zz-local.conf but says 1 too: corrected with it, so no file says 1
  assert.deepEqual(fwd.fix, [
    { path: 'etc/sysctl.d/99-zz-local.conf', edits: [{ kind: 'replace', line: 2, text: 'net.ipv4.ip_forward = 0' }] },
    { path: 'etc/sysctl.d/30-docker.conf', edits: [{ kind: 'replace', line: 2, text: 'net.ipv4.ip_forward = 0' }] },
  ]);
  // a line in run/ is not edited (gone at reboot): the drop-in, which sorts after 40-runtime.conf, is created
  assert.deepEqual(byId(rs, 'net.ipv4.conf.all.send_redirects').fix, [
    {
      path: HARDENING_DROP_IN,
      create: true,
      edits: [{ kind: 'insert', before: 1, lines: ['net.ipv4.conf.all.send_redirects = 0'] }],
    },
  ]);
  // indentation of the effective line is kept; the blanks after its value go (SSG reads `0   ` as no number)
  assert.deepEqual(byId(rs, 'net.ipv4.conf.default.accept_source_route').fix, [
    {
      path: 'etc/sysctl.d/80-site.conf',
      edits: [{ kind: 'replace', line: 3, text: '  net.ipv4.conf.default.accept_source_route = 0' }],
    },
  ]);
  // 70-vendor-ra.conf sorts after the drop-in: the fix goes to sysctl.conf (read after it by both readers)
  const ra = byId(rs, 'net.ipv6.conf.all.accept_ra');
  assert.equal(ra.fix?.[0]?.path, 'etc/sysctl.conf');
  assert.deepEqual(ra.fix?.[0]?.edits, [{ kind: 'insert', before: 69, lines: ['net.ipv6.conf.all.accept_ra = 0'] }]);
  // an exclusion (not set) is fixed by an explicit line
  assert.equal(byId(rs, 'net.ipv4.conf.all.rp_filter').fix?.[0]?.path, HARDENING_DROP_IN);
  const dm = byId(rs, 'kernel.dmesg_restrict');
  assert.match(dm.message, /no trailing comments/);
  assert.deepEqual(dm.fix?.[0]?.edits, [{ kind: 'replace', line: 4, text: 'kernel.dmesg_restrict = 1' }]);
  for (const r of rs) if (r.status === 'fail') assert.ok(r.fix, `${r.check.key}: ${r.unfixable}`);
  for (const r of rs) for (const fe of r.fix ?? []) assert.ok(changedLines(fe) <= 2, r.check.key);
});

test('Debian 12 as shipped: nothing set, every CIS check fails with a one-line drop-in', async () => {
  const root = new DirectoryRoot(fixture('debian12'));
  const tree = await treeOf(root);
  assert.equal(tree.dropIns.find((d) => d.name === '99-sysctl.conf')?.aliasOf, 'etc/sysctl.conf');
  const rs = await sysctlEngine.assess(root, CIS);
  for (const r of rs) {
    assert.equal(r.status, 'fail', r.check.key);
    assert.equal(r.file, undefined);
    assert.equal(r.current, '(not set: the kernel default applies)');
    assert.deepEqual(r.fix, [
      {
        path: HARDENING_DROP_IN,
        create: true,
        edits: [{ kind: 'insert', before: 1, lines: [`${r.check.key} = ${r.check.fix}`] }],
      },
    ]);
  }
});

/** Applies one fix at a time with the tiny applier and re-assesses: the check passes, nothing else breaks. */
async function fixAll(base: ConfigRoot, checks: readonly CheckSpec[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (let round = 0; round < checks.length + 1; round++) {
    const root = new OverlayRoot(base, files);
    const before = await sysctlEngine.assess(root, checks);
    const failed = before.find((r) => r.status === 'fail');
    if (!failed) return files;
    assert.ok(failed.fix, `${failed.check.key}: ${failed.unfixable}`);
    for (const fe of failed.fix) {
      const original = await root.read(fe.path);
      assert.equal(original === undefined, fe.create === true, fe.path);
      // writing through the 99-sysctl.conf link is writing sysctl.conf: the overlay keys files by real path
      files.set(fe.path, applyTiny(original, fe));
    }
    const after = await sysctlEngine.assess(new OverlayRoot(base, files), checks);
    assert.equal(byId(after, failed.check.key).status, 'pass', failed.check.key);
    for (const r of after)
      if (byId(before, r.check.key).status === 'pass') assert.equal(r.status, 'pass', `${r.check.key} broke`);
  }
  assert.fail('fixes did not converge');
}

test('applying each fix and re-assessing passes with no new failure (layered, Debian 12)', async () => {
  for (const name of ['layered', 'debian12']) {
    const base = new DirectoryRoot(fixture(name));
    const files = await fixAll(base, [...CIS, ...EXTRA]);
    const final = await sysctlEngine.assess(new OverlayRoot(base, files), [...CIS, ...EXTRA]);
    assert.deepEqual(
      final.filter((r) => r.status !== 'pass').map((r) => r.check.key),
      [],
      name,
    );
    if (name === 'debian12')
      assert.equal(files.get(HARDENING_DROP_IN)?.split('\n').length, CIS.length + EXTRA.length + 1);
  }
});

test('the harden verifier accepts every fix and the combined patch', async () => {
  const root = new DirectoryRoot(fixture('layered'));
  const res = await harden(root, [...CIS, ...EXTRA], new Map([['sysctl', sysctlEngine]]));
  for (const c of res.checks)
    if (c.result.status === 'fail')
      assert.equal(c.verification?.ok, true, `${c.result.check.key}: ${c.verification?.reasons}`);
  assert.equal(res.combined.verification.ok, true, res.combined.verification.reasons.join('; '));
  assert.equal(res.combined.fixes, 7);
});

test('without the 99-sysctl.conf link systemd-sysctl ignores /etc/sysctl.conf', async () => {
  const root = new MemoryRoot({ 'etc/sysctl.conf': 'kernel.randomize_va_space = 2\n' });
  const [r] = await sysctlEngine.assess(root, [check('kernel.randomize_va_space', { equals: '2' }, '2')]);
  assert.equal(r?.status, 'fail');
  assert.match(r!.message, /^systemd-sysctl does not set kernel\.randomize_va_space/);
  assert.equal(r?.fix?.[0]?.path, HARDENING_DROP_IN);
});

test('systemd: a later -key exclusion unsets an earlier assignment (procps still writes it)', async () => {
  const root = new MemoryRoot({
    'etc/sysctl.d/10-a.conf': 'net.ipv4.conf.all.rp_filter = 1\n',
    'etc/sysctl.d/20-b.conf': '# keep globs off all\n-net.ipv4.conf.all.rp_filter\n',
  });
  const tree = await treeOf(root);
  assert.equal(effectiveFor(tree, 'systemd-sysctl', 'net.ipv4.conf.all.rp_filter').state, 'excluded');
  assert.equal(effectiveFor(tree, 'sysctl --system', 'net.ipv4.conf.all.rp_filter').state, 'set');
  const [r] = await sysctlEngine.assess(root, [check('net.ipv4.conf.all.rp_filter', { equals: '1' }, '1')]);
  assert.deepEqual(r?.fix, [
    { path: 'etc/sysctl.d/20-b.conf', edits: [{ kind: 'replace', line: 2, text: 'net.ipv4.conf.all.rp_filter = 1' }] },
  ]);
});

test('an existing drop-in is appended to; hidden files are read by procps only; numbers compare base 0', async () => {
  const root = new MemoryRoot({
    [HARDENING_DROP_IN]: '# local\nkernel.kptr_restrict = 0x1\n',
    'etc/sysctl.d/.hidden.conf': 'kernel.yama.ptrace_scope = 3\n',
    'usr/lib/sysctl.d/50-vendor.conf': 'kernel.kptr_restrict = 0\n',
  });
  const rs = await sysctlEngine.assess(root, [
    check('kernel.kptr_restrict', { min: 1 }, '1'),
    check('kernel.yama.ptrace_scope', { equals: '3' }, '3'),
    check('kernel.perf_event_paranoid', { min: 2 }, '3'),
  ]);
  assert.equal(rs[0]?.status, 'pass');
  assert.equal(rs[1]?.status, 'fail');
  assert.match(rs[1]!.current!, /\[systemd-sysctl\]/);
  assert.deepEqual(rs[2]?.fix, [
    { path: HARDENING_DROP_IN, edits: [{ kind: 'insert', before: 3, lines: ['kernel.perf_event_paranoid = 3'] }] },
  ]);
});

test('no edit under etc/ can win: unfixable, with the reason', async () => {
  const root = new MemoryRoot({ 'usr/lib/sysctl.d/zz-vendor.conf': 'kernel.sysrq = 1\n', 'etc/sysctl.conf': '' });
  const [r] = await sysctlEngine.assess(root, [check('kernel.sysrq', { equals: '0' }, '0')]);
  assert.equal(r?.status, 'fail');
  assert.equal(r?.fix, undefined);
  assert.match(r!.unfixable!, /usr\/lib\/sysctl.d\/zz-vendor.conf:1/);
});

test('bad checks are errors, not passes', async () => {
  const root = new MemoryRoot({ 'etc/sysctl.conf': '' });
  const rs = await sysctlEngine.assess(root, [
    check('net.ipv4.conf.*.rp_filter', { equals: '1' }, '1'),
    check('kernel.sysrq', { equals: '0' }, '1'),
    { ...check('kernel.sysrq', { equals: '0' }, '0'), engine: 'sshd' },
  ]);
  assert.deepEqual(
    rs.map((r) => r.status),
    ['error', 'error', 'error'],
  );
  assert.equal(await sysctlEngine.applies(new MemoryRoot({})), false);
});
