import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { changedLines } from '../edit.ts';
import { DirectoryRoot, OverlayRoot } from '../root.ts';
import { harden } from '../run.ts';
import type { CheckResult, CheckSpec, ConfigRoot, Expectation, FileEdit } from '../types.ts';
import { effectiveDef, LOGIN_DEFS, loginDefsEngine, pamDefs, shadowDefs } from './index.ts';
import { applied, getlong } from './values.ts';
import { MemoryRoot } from '../testkit.ts';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../../test/fixtures/harden/logindefs/${name}`, import.meta.url));

const check = (key: string, expect: Expectation, fix: string): CheckSpec => ({
  id: `login-defs-${key.toLowerCase().replaceAll('_', '-')}`,
  title: key,
  severity: 'medium',
  engine: 'login.defs',
  key,
  expect,
  fix,
  refs: [],
  profiles: ['cis-l1-server'],
});

const CIS: readonly CheckSpec[] = [
  check('PASS_MAX_DAYS', { max: 365 }, '365'),
  check('PASS_MIN_DAYS', { min: 1 }, '1'),
  check('PASS_WARN_AGE', { min: 7 }, '7'),
  check('UMASK', { equals: '027' }, '027'),
  check('ENCRYPT_METHOD', { oneOf: ['SHA512', 'YESCRYPT'] }, 'SHA512'),
];

const defs = (text: string): ConfigRoot => new MemoryRoot(new Map([[LOGIN_DEFS, text]]));

/** A tiny applier, independent of src/harden/edit.ts. */
function applyTiny(text: string, fe: FileEdit): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  for (let n = 1; n <= lines.length + 1; n++) {
    for (const e of fe.edits) if (e.kind === 'insert' && e.before === n) out.push(...e.lines);
    if (n > lines.length) break;
    const r = fe.edits.find((e) => e.kind !== 'insert' && e.line === n);
    if (r === undefined) out.push(lines[n - 1]!);
    else if (r.kind === 'replace') out.push(r.text);
  }
  return `${out.join('\n')}\n`;
}

const byKey = (rs: readonly CheckResult[], key: string): CheckResult => rs.find((r) => r.check.key === key)!;

test('readers: shadow takes the last line, case-sensitively; PAM the first, in any case', () => {
  const text = 'UMASK 022\numask 077\nUMASK\t"027"\n  PASS_MAX_DAYS   30\nPASS_MAX_DAYS\nFOO=1\n#UMASK 000\n';
  assert.equal(effectiveDef(text, 'shadow', 'UMASK')?.value, '027');
  assert.equal(effectiveDef(text, 'shadow', 'UMASK')?.line, 3);
  assert.equal(effectiveDef(text, 'pam_umask', 'UMASK')?.line, 1);
  // a name alone is skipped by shadow ("only 1 field"); FOO=1 is one field for shadow, a pair for PAM
  assert.equal(effectiveDef(text, 'shadow', 'PASS_MAX_DAYS')?.value, '30');
  assert.equal(
    shadowDefs(text).some((d) => d.key.startsWith('FOO')),
    false,
  );
  assert.equal(pamDefs(text).find((d) => d.key === 'FOO')?.value, '1');
  // PAM cuts at any '#', shadow keeps it in the value
  assert.equal(effectiveDef('UMASK 027 # x\n', 'shadow', 'UMASK')?.value, '027 # x');
  assert.equal(effectiveDef('UMASK 027 # x\n', 'pam_umask', 'UMASK')?.value, '027 ');
});

test('values: getlong is strtol base 0; pam_umask is strtoul base 8; methods', () => {
  const nums: [string, number | undefined][] = [
    ['022', 0o22],
    ['27', 27],
    ['0x1b', 27],
    ['-1', -1],
    ['99999', 99999],
    ['90 # CIS', undefined],
    ['08', undefined],
    ['', undefined],
  ];
  for (const [s, n] of nums) assert.equal(getlong(s), n, s);
  assert.equal(applied('shadow', 'UMASK', '27').text, '033');
  assert.equal(applied('pam_umask', 'UMASK', '27').text, '027');
  assert.equal(applied('pam_umask', 'UMASK', '027 # x').text, '027');
  assert.equal(applied('pam_umask', 'UMASK', '"027"').text, undefined);
  assert.equal(applied('shadow', 'ENCRYPT_METHOD', 'sha512').text, 'DES');
  assert.equal(applied('pam_unix', 'ENCRYPT_METHOD', 'sha512').text, 'SHA512');
  assert.equal(applied('pam_unix', 'ENCRYPT_METHOD', 'blowfish').text, 'BCRYPT');
  assert.equal(applied('shadow', 'PASS_MAX_DAYS', undefined).text, '-1 (no maximum)');
  assert.equal(applied('shadow', 'USERGROUPS_ENAB', 'YES').text, 'yes');
});

test('Debian 12 as shipped: the CIS findings, fixed in place', async () => {
  const root = new DirectoryRoot(fixture('debian12'));
  assert.equal(await loginDefsEngine.applies(root), true);
  const rs = await loginDefsEngine.assess(root, CIS);
  assert.deepEqual(
    rs.map((r) => [r.check.key, r.status, r.line, r.current]),
    [
      ['PASS_MAX_DAYS', 'fail', 165, '99999'],
      ['PASS_MIN_DAYS', 'fail', 166, '0'],
      ['PASS_WARN_AGE', 'pass', 167, '7'],
      ['UMASK', 'fail', 151, '022'],
      ['ENCRYPT_METHOD', 'pass', 294, 'SHA512'],
    ],
  );
  assert.equal(byKey(rs, 'UMASK').expected, '027 or stricter (masks at least these bits)');
  assert.match(byKey(rs, 'UMASK').message, /USERGROUPS_ENAB yes/);
  assert.deepEqual(byKey(rs, 'PASS_MAX_DAYS').fix, [
    { path: LOGIN_DEFS, edits: [{ kind: 'replace', line: 165, text: 'PASS_MAX_DAYS\t365' }] },
  ]);
  assert.deepEqual(byKey(rs, 'UMASK').fix, [
    { path: LOGIN_DEFS, edits: [{ kind: 'replace', line: 151, text: 'UMASK\t\t027' }] },
  ]);
});

test('duplicates, case, quotes and trailing "comments": each consumer judged, the failing line fixed', async () => {
  const rs = await loginDefsEngine.assess(new DirectoryRoot(fixture('messy')), CIS);
  const got = Object.fromEntries(rs.map((r) => [r.check.key, [r.status, r.line, r.fix?.[0]?.edits]]));
  assert.deepEqual(got, {
    // the last line is "90 # CIS 5.4.1.1": not a number, so shadow uses -1 (no maximum)
    PASS_MAX_DAYS: ['fail', 408, [{ kind: 'replace', line: 408, text: 'PASS_MAX_DAYS 365' }]],
    // "pass_min_days 7" is not PASS_MIN_DAYS to shadow
    PASS_MIN_DAYS: ['fail', 168, [{ kind: 'replace', line: 168, text: 'PASS_MIN_DAYS\t1' }]],
    PASS_WARN_AGE: ['pass', 169, undefined],
    // shadow takes the later `UMASK "027"`, pam_umask the first `UMASK 022`
    UMASK: ['fail', 151, [{ kind: 'replace', line: 151, text: 'UMASK\t\t027' }]],
    // shadow compares case-sensitively (falls back to DES), pam_unix does not
    ENCRYPT_METHOD: ['fail', 297, [{ kind: 'replace', line: 297, text: 'ENCRYPT_METHOD SHA512' }]],
  });
  assert.match(byKey(rs, 'UMASK').current!, /022 \[pam_umask\]/);
  assert.match(byKey(rs, 'ENCRYPT_METHOD').message, /falls back to DES/);
});

test('absent keys: inserted after the commented-out default, else appended', async () => {
  const root = new DirectoryRoot(fixture('debian12'));
  const rs = await loginDefsEngine.assess(root, [
    check('SHA_CRYPT_MIN_ROUNDS', { min: 5000 }, '65536'),
    check('HOME_MODE', { equals: '0700' }, '0700'),
    check('FAIL_DELAY', { min: 4 }, '4'),
  ]);
  assert.deepEqual(
    rs.map((r) => r.fix?.[0]?.edits),
    [
      [{ kind: 'insert', before: 311, lines: ['SHA_CRYPT_MIN_ROUNDS 65536'] }],
      [{ kind: 'insert', before: 157, lines: ['HOME_MODE\t0700'] }],
      [{ kind: 'insert', before: 403, lines: ['FAIL_DELAY 4'] }],
    ],
  );
});

test('applying each fix and re-assessing passes with no new failure', async () => {
  for (const name of ['debian12', 'messy']) {
    const base = new DirectoryRoot(fixture(name));
    const files = new Map<string, string>();
    for (let round = 0; round <= CIS.length; round++) {
      const before = await loginDefsEngine.assess(new OverlayRoot(base, files), CIS);
      const failed = before.find((r) => r.status === 'fail');
      if (!failed) break;
      assert.ok(failed.fix, `${failed.check.key}: ${failed.unfixable}`);
      for (const fe of failed.fix) {
        assert.ok(changedLines(fe) <= 2, failed.check.key);
        files.set(fe.path, applyTiny((await new OverlayRoot(base, files).read(fe.path))!, fe));
      }
      const after = await loginDefsEngine.assess(new OverlayRoot(base, files), CIS);
      assert.equal(byKey(after, failed.check.key).status, 'pass', `${name} ${failed.check.key}`);
      for (const r of after) if (byKey(before, r.check.key).status === 'pass') assert.equal(r.status, 'pass');
    }
    const final = await loginDefsEngine.assess(new OverlayRoot(base, files), CIS);
    assert.deepEqual(
      final.filter((r) => r.status !== 'pass').map((r) => r.check.key),
      [],
      name,
    );
  }
  const res = await harden(new DirectoryRoot(fixture('messy')), CIS, new Map([['login.defs', loginDefsEngine]]));
  assert.equal(res.combined.verification.ok, true, res.combined.verification.reasons.join('; '));
  assert.equal(res.combined.fixes, 4);
});

test('a definition hidden past byte 1023 of a comment line is found, and left to a human', async () => {
  const text = `PASS_MAX_DAYS 90\n# ${'x'.repeat(1021)}PASS_MAX_DAYS 99999\n`;
  const d = effectiveDef(text, 'shadow', 'PASS_MAX_DAYS');
  assert.deepEqual([d?.line, d?.value, d?.tail], [2, '99999', true]);
  const [r] = await loginDefsEngine.assess(defs(text), [CIS[0]!]);
  assert.equal(r?.status, 'fail');
  assert.equal(r?.fix, undefined);
  assert.match(r!.unfixable!, /byte 1023/);
});

test('UMASK strictness, pam-only spellings, and bad checks', async () => {
  const umask = CIS[3]!;
  const status = async (text: string) => (await loginDefsEngine.assess(defs(text), [umask]))[0]!;
  assert.equal((await status('UMASK 077\n')).status, 'pass');
  assert.equal((await status('UMASK 0027\n')).status, 'pass');
  // 27 is decimal to shadow (033, which leaves group read... and misses 027's group/other bits) yet octal to PAM
  assert.equal((await status('UMASK 27\n')).status, 'fail');
  assert.equal((await status('UMASK 023\n')).status, 'fail');
  // `UMASK=077` is a pair to PAM only: shadow has no UMASK (022 default), so a line is inserted for it
  const eq = await status('UMASK=077\n');
  assert.equal(eq.status, 'fail');
  assert.deepEqual(eq.fix?.[0]?.edits, [{ kind: 'insert', before: 2, lines: ['UMASK 027'] }]);
  const rs = await loginDefsEngine.assess(defs('UMASK 022\n'), [
    check('UMASK', { equals: '027' }, '022'),
    check('PASS MAX', { max: 1 }, '1'),
    { ...umask, engine: 'sysctl' },
  ]);
  assert.deepEqual(
    rs.map((r) => r.status),
    ['error', 'error', 'error'],
  );
  const none = await loginDefsEngine.assess(new MemoryRoot(new Map()), [umask]);
  assert.equal(none[0]?.status, 'not-applicable');
});
