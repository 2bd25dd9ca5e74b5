// `mamori harden` end to end through bin/mamori, on a root assembled from the Debian 12 fixtures (shipped
// sshd_config, sysctl.conf with its 99-sysctl.conf link, login.defs): findings and their contract fields, the
// combined patch applied with patch(1), --apply with its backup and --rollback, single files, errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'mamori');
const FIX = join(ROOT, 'test', 'fixtures', 'harden');
let dir = '';

function mamori(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, {
    encoding: 'utf8',
    env: { ...process.env, MAMORI_HOME: join(dir, 'home') },
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh root: Debian 12's sshd_config, sysctl files and login.defs. */
function debianRoot(name: string): string {
  const root = join(dir, name);
  for (const part of ['sshd/debian12', 'sysctl/debian12', 'logindefs/debian12'])
    cpSync(join(FIX, part), root, { recursive: true, verbatimSymlinks: true });
  return root;
}

type Line = {
  kind: string;
  severity: string;
  rule: { id: string; refs: string[] };
  file?: string;
  line?: number;
  current?: string;
  expected: string;
  patch?: string;
  changedLines?: number;
  verification?: { ok: boolean };
};
const lines = (s: string): Line[] =>
  s
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mamori-harden-cli-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('jsonl: one Finding per failed check, with refs, file/line, current/expected and a verified small patch', () => {
  const root = debianRoot('r1');
  const r = mamori(['harden', '--root', root, '--profile', 'cis-l1-server', '-f', 'jsonl', '-q']);
  assert.equal(r.code, 0, r.stderr);
  const got = lines(r.stdout);
  const ids = got.map((l) => l.rule.id);
  for (const id of [
    'sshd-permit-root-login',
    'sshd-max-auth-tries',
    'sysctl-kernel-randomize-va-space',
    'login-defs-pass-max-days',
  ])
    assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
  const maxDays = got.find((l) => l.rule.id === 'login-defs-pass-max-days')!;
  assert.equal(maxDays.kind, 'misconfiguration');
  assert.equal(maxDays.file, 'etc/login.defs');
  assert.equal(maxDays.current, '99999');
  assert.ok(maxDays.rule.refs.includes('ssg:accounts_maximum_age_login_defs'), maxDays.rule.refs.join(' '));
  assert.match(maxDays.patch!, /^-PASS_MAX_DAYS\t99999$/m);
  for (const l of got) {
    assert.ok(l.verification?.ok, `${l.rule.id} verified`);
    assert.ok((l.changedLines ?? 0) <= 2, `${l.rule.id} changes ${l.changedLines} lines`);
  }
});

test('--format patch: the combined patch applies with patch -p1 and the root then passes', (t) => {
  if (spawnSync('patch', ['--version']).status !== 0) return t.skip('patch(1) is not installed');
  const root = debianRoot('r2');
  const before = lines(mamori(['harden', '--root', root, '--profile', 'cis-l1-server', '-f', 'jsonl', '-q']).stdout);
  const patch = mamori(['harden', '--root', root, '--profile', 'cis-l1-server', '-f', 'patch', '-q']);
  assert.equal(patch.code, 0, patch.stderr);
  const p = spawnSync('patch', ['-p1', '--batch', '--forward'], { cwd: root, input: patch.stdout, encoding: 'utf8' });
  assert.equal(p.status, 0, p.stdout + p.stderr);
  const afterward = lines(mamori(['harden', '--root', root, '--profile', 'cis-l1-server', '-f', 'jsonl', '-q']).stdout);
  const fixed = new Set(before.filter((l) => l.patch).map((l) => l.rule.id));
  assert.deepEqual(
    afterward.filter((l) => fixed.has(l.rule.id)).map((l) => l.rule.id),
    [],
  );
  // comments kept: the shipped file's commented defaults are all still there
  const sshd = readFileSync(join(root, 'etc', 'ssh', 'sshd_config'), 'utf8');
  assert.match(sshd, /^#PermitRootLogin prohibit-password$/m);
  assert.match(sshd, /^PermitRootLogin no$/m);
});

test('--apply writes the verified fixes with a backup; --rollback restores the root byte for byte', () => {
  const root = debianRoot('r3');
  const original = readFileSync(join(root, 'etc', 'login.defs'), 'utf8');
  const a = mamori([
    'harden',
    '--root',
    root,
    '--profile',
    'cis-l1-server',
    '--apply',
    '--only',
    'login-defs-pass-max-days',
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /applied 1 fixes to 1 files \(etc\/login\.defs\); backup \S+/);
  assert.match(readFileSync(join(root, 'etc', 'login.defs'), 'utf8'), /^PASS_MAX_DAYS\t365$/m);
  const after1 = lines(mamori(['harden', '--root', root, '--profile', 'cis-l1-server', '-f', 'jsonl', '-q']).stdout);
  assert.ok(!after1.some((l) => l.rule.id === 'login-defs-pass-max-days'));
  const r = mamori(['harden', '--root', root, '--rollback']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(root, 'etc', 'login.defs'), 'utf8'), original);
  const bad = mamori(['harden', '--root', root, '--apply', '--only', 'no-such-check']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--only no-such-check: no such check/);
});

test('single files, --list-checks, and errors', () => {
  const file = join(dir, 'sshd_config');
  writeFileSync(file, 'PermitRootLogin yes\nMaxAuthTries 10\n');
  const r = mamori(['harden', file, '-f', 'jsonl', '-q']);
  const got = lines(r.stdout);
  const root = got.find((l) => l.rule.id === 'sshd-permit-root-login')!;
  assert.equal(root.current, 'yes');
  assert.equal(root.line, 1);
  assert.match(root.patch!, new RegExp(`^--- a/${file.slice(1).replaceAll('/', '\\/')}$`, 'm'));
  const list = mamori(['harden', '--list-checks', '--profile', 'cis-l2-server']);
  assert.match(list.stdout, /^sshd-x11-forwarding\s+medium/m);
  assert.equal(mamori(['harden']).code, 2);
  const nodir = mamori(['harden', '--root', join(dir, 'nope')]);
  assert.equal(nodir.code, 2);
  assert.match(nodir.stderr, /not a directory/);
  const unknown = mamori(['harden', join(ROOT, 'package.json')]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /not a file a baseline reads/);
  const prof = mamori(['harden', '--root', dir, '--profile', 'nope']);
  assert.match(prof.stderr, /no check is in profile nope/);
  assert.equal(mamori(['harden', '--root', debianRoot('r4'), '-q', '--fail-on', 'medium']).code, 1);
});
