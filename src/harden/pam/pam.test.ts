import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parseBaseline } from '../baselines.ts';
import { applyEdits, changedLines } from '../edit.ts';
import { DirectoryRoot, OverlayRoot } from '../root.ts';
import { harden } from '../run.ts';
import type { CheckResult, CheckSpec, ConfigRoot, HardenEngine } from '../types.ts';
import { commentedDefault, parseConf, parsePamFile, pamEngine, PWQUALITY_CONF } from './index.ts';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../../test/fixtures/harden/pam/${name}`, import.meta.url));
const baselinePath = fileURLToPath(new URL('../baselines/pam.yaml', import.meta.url));
const CHECKS: readonly CheckSpec[] = parseBaseline(await readFile(baselinePath, 'utf8'), baselinePath);
const byId = (id: string): CheckSpec => CHECKS.find((c) => c.id === id)!;
const ENGINES: ReadonlyMap<string, HardenEngine> = new Map([[pamEngine.id, pamEngine]]);

const statuses = (rs: readonly CheckResult[]): Record<string, string> =>
  Object.fromEntries(rs.map((r) => [r.check.id, r.status]));

test('the baseline names SSG rules, CIS ids and the profiles', () => {
  assert.equal(CHECKS.length, 10);
  for (const c of CHECKS) {
    // faillock rules are upstream ComplianceAsCode ids (cac:), not in SSG 0.1.65's data stream
    assert.ok(
      c.refs.some((r) => r.startsWith('ssg:') || r.startsWith('cac:')) &&
        c.refs.some((r) => r.startsWith('cis:ubuntu2204:')),
    );
    assert.deepEqual(c.profiles, ['cis-l1-server', 'cis-l2-server']);
  }
});

test('pwquality.conf: `name = value`, bare flags, comments; commented defaults found', () => {
  const s = parseConf('# minlen = 8\nminlen=9\n  minlen = 12 # site\nenforce_for_root\nbad line here\n');
  assert.deepEqual(
    s.map((x) => [x.line, x.name, x.value, x.prefix]),
    [
      [2, 'minlen', '9', 'minlen='],
      [3, 'minlen', '12', '  minlen = '],
      [4, 'enforce_for_root', undefined, 'enforce_for_root'],
    ],
  );
  assert.equal(commentedDefault('# Defaults:\n# minlen = 8\n', 'minlen'), 2);
  assert.equal(commentedDefault('# minlength\n', 'minlen'), undefined);
});

test('pam.d lines: bracketed controls, `-` types, arguments', () => {
  const l = parsePamFile(
    '# c\npassword\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt\n-auth required /lib/security/pam_faillock.so preauth deny=4\n@include common-auth\n',
  );
  assert.equal(l.length, 2);
  assert.deepEqual(
    [l[0]?.type, l[0]?.control, l[0]?.module],
    ['password', '[success=1 default=ignore]', 'pam_unix.so'],
  );
  assert.deepEqual(
    [l[1]?.type, l[1]?.optional, l[1]?.args.at(-1)],
    ['auth', true, { text: 'deny=4', name: 'deny', value: '4' }],
  );
});

test('Debian 12 without libpam-pwquality or pam_faillock: every check fails, unfixable', async () => {
  const rs = await pamEngine.assess(new DirectoryRoot(fixture('debian12')), CHECKS);
  for (const r of rs) {
    assert.equal(r.status, 'fail', r.check.id);
    assert.equal(r.fix, undefined);
    assert.match(r.unfixable ?? '', /out of scope/);
  }
  assert.match(rs[0]!.message, /no password line of etc\/pam.d\/common-password loads pam_pwquality.so/);
});

test('effective values: drop-ins, then pwquality.conf, then the module arguments', async () => {
  const root = new DirectoryRoot(fixture('pwquality'));
  const rs = await pamEngine.assess(root, CHECKS);
  assert.deepEqual(statuses(rs), {
    'pam-pwquality-minlen': 'fail', // pwquality.conf's 10 beats the drop-in's 12
    'pam-pwquality-minclass': 'pass', // from the drop-in (README is not a .conf: not read)
    'pam-pwquality-dcredit': 'fail',
    'pam-pwquality-ucredit': 'fail',
    'pam-pwquality-lcredit': 'fail',
    'pam-pwquality-ocredit': 'fail',
    'pam-pwquality-retry': 'pass', // retry=3 argument
    'pam-faillock-deny': 'fail', // authfail deny=5; preauth's default 3 passes
    'pam-faillock-unlock-time': 'fail', // default 600
    'pam-faillock-fail-interval': 'pass', // default 900
  });
  const minlen = rs[0]!;
  assert.equal(minlen.file, PWQUALITY_CONF);
  assert.equal(minlen.line, 12);
  assert.equal(minlen.current, '10');
  const minclass = rs[1]!;
  assert.equal(minclass.file, 'etc/security/pwquality.conf.d/50-site.conf');
  const deny = rs[7]!;
  assert.equal(deny.file, 'etc/pam.d/common-auth');
  assert.match(deny.message, /its argument deny=5/);
});

test('fixes: file lines edited in place or inserted after the commented default; a failing argument edited', async () => {
  const root = new DirectoryRoot(fixture('pwquality'));
  const rs = await pamEngine.assess(root, CHECKS);
  const fix = (id: string) => rs.find((r) => r.check.id === id)?.fix;
  assert.deepEqual(fix('pam-pwquality-minlen'), [
    { path: PWQUALITY_CONF, edits: [{ kind: 'replace', line: 12, text: 'minlen = 14' }] },
  ]);
  assert.deepEqual(fix('pam-pwquality-dcredit'), [
    { path: PWQUALITY_CONF, edits: [{ kind: 'insert', before: 17, lines: ['dcredit = -1'] }] },
  ]);
  assert.deepEqual(fix('pam-faillock-deny'), [
    {
      path: 'etc/pam.d/common-auth',
      edits: [{ kind: 'replace', line: 19, text: 'auth\t[default=die]\t\t\tpam_faillock.so authfail deny=3' }],
    },
  ]);
  const ut = fix('pam-faillock-unlock-time');
  assert.equal(ut?.length, 1);
  assert.equal(ut?.[0]?.path, 'etc/security/faillock.conf');
  for (const r of rs) for (const fe of r.fix ?? []) assert.ok(changedLines(fe) <= 2, r.check.id);
});

test('an argument that overrides the file is named; the file is not edited when the argument passes', async () => {
  const base = new DirectoryRoot(fixture('pwquality'));
  const pw = (await base.read('etc/pam.d/common-password'))!.replace('retry=3', 'retry=3 minlen=16');
  const root = new OverlayRoot(base, new Map([['etc/pam.d/common-password', pw]]));
  const [r] = await pamEngine.assess(root, [byId('pam-pwquality-minlen')]);
  assert.equal(r?.status, 'pass');
  assert.match(
    r?.message ?? '',
    /its argument minlen=16 \(overriding minlen = 10 at etc\/security\/pwquality.conf:12\)/,
  );
  const low = (await base.read('etc/pam.d/common-password'))!.replace('retry=3', 'retry=5 minlen=8');
  const [f, retry] = await pamEngine.assess(new OverlayRoot(base, new Map([['etc/pam.d/common-password', low]])), [
    byId('pam-pwquality-minlen'),
    byId('pam-pwquality-retry'),
  ]);
  assert.equal(f?.fix?.[0]?.path, 'etc/pam.d/common-password');
  const edit = f?.fix?.[0]?.edits[0];
  assert.ok(edit?.kind === 'replace' && edit.text.endsWith('pam_pwquality.so retry=5 minlen=14'));
  assert.ok(retry?.fix?.[0]?.edits[0]?.kind === 'replace');
});

test('unlock_time 0 (never) passes; a value that is not a number fails closed', async () => {
  const base = new DirectoryRoot(fixture('pwquality'));
  const conf = (v: string): ConfigRoot =>
    new OverlayRoot(base, new Map([['etc/security/faillock.conf', `unlock_time = ${v}\n`]]));
  const ut = byId('pam-faillock-unlock-time');
  assert.equal((await pamEngine.assess(conf('0'), [ut]))[0]?.status, 'pass');
  assert.equal((await pamEngine.assess(conf('never'), [ut]))[0]?.status, 'pass');
  assert.equal((await pamEngine.assess(conf('1800'), [ut]))[0]?.status, 'pass');
  assert.equal((await pamEngine.assess(conf('15m'), [ut]))[0]?.status, 'fail');
});

test('harden() verifies every fix and the combination; applying them all passes everything fixable', async () => {
  const root = new DirectoryRoot(fixture('pwquality'));
  const res = await harden(root, CHECKS, ENGINES);
  for (const c of res.checks)
    if (c.result.fix)
      assert.equal(c.verification?.ok, true, `${c.result.check.id}: ${c.verification?.reasons.join('; ')}`);
  assert.equal(res.combined.verification.ok, true, res.combined.verification.reasons.join('; '));
  assert.equal(res.combined.fixes, 7);
  const patched = new Map<string, string>();
  for (const c of res.checks)
    for (const fe of c.patch ? (c.result.fix ?? []) : [])
      patched.set(fe.path, applyEdits(patched.get(fe.path) ?? (await root.read(fe.path))!, fe.edits));
  const again = await pamEngine.assess(new OverlayRoot(root, patched), CHECKS);
  assert.ok(
    again.every((r) => r.status === 'pass'),
    again
      .filter((r) => r.status !== 'pass')
      .map((r) => r.message)
      .join('\n'),
  );
});
