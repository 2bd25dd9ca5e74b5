import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyFiles, listBackups, rollback } from './apply.ts';

test('apply writes atomically with a backup; rollback restores, removes created files, refuses edited ones', async () => {
  const base = mkdtempSync(join(tmpdir(), 'mamori-apply-'));
  try {
    const root = join(base, 'root');
    const backups = join(base, 'backups');
    mkdirSync(join(root, 'etc', 'ssh'), { recursive: true });
    mkdirSync(join(root, 'etc', 'sysctl.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'ssh', 'sshd_config'), 'PermitRootLogin yes\n');
    chmodSync(join(root, 'etc', 'ssh', 'sshd_config'), 0o600);
    const files = new Map([
      ['etc/ssh/sshd_config', 'PermitRootLogin no\n'],
      ['etc/sysctl.d/60-mamori-hardening.conf', 'kernel.randomize_va_space = 2\n'],
    ]);
    const m = await applyFiles(
      root,
      files,
      ['sshd-permit-root-login', 'sysctl-aslr'],
      backups,
      new Date('2026-12-01T10:00:00Z'),
    );
    assert.equal(readFileSync(join(root, 'etc', 'ssh', 'sshd_config'), 'utf8'), 'PermitRootLogin no\n');
    assert.equal(statSync(join(root, 'etc', 'ssh', 'sshd_config')).mode & 0o777, 0o600, 'mode kept');
    assert.equal(
      readFileSync(join(backups, m.id, 'files', 'etc', 'ssh', 'sshd_config'), 'utf8'),
      'PermitRootLogin yes\n',
    );
    assert.deepEqual(
      (await listBackups(backups, root)).map((x) => x.id),
      [m.id],
    );

    // an edit made after --apply blocks the rollback, naming the file
    writeFileSync(join(root, 'etc', 'sysctl.d', '60-mamori-hardening.conf'), 'kernel.randomize_va_space = 1\n');
    await assert.rejects(
      rollback(backups, root),
      /changed since .* was applied, not rolled back: etc\/sysctl\.d\/60-mamori-hardening\.conf/,
    );
    writeFileSync(join(root, 'etc', 'sysctl.d', '60-mamori-hardening.conf'), 'kernel.randomize_va_space = 2\n');
    await rollback(backups, root);
    assert.equal(readFileSync(join(root, 'etc', 'ssh', 'sshd_config'), 'utf8'), 'PermitRootLogin yes\n');
    assert.equal(existsSync(join(root, 'etc', 'sysctl.d', '60-mamori-hardening.conf')), false);
    await assert.rejects(rollback(backups, root), /no backup of .* to roll back/);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('apply refuses a directory it cannot write into, and changes nothing', async () => {
  const base = mkdtempSync(join(tmpdir(), 'mamori-apply-'));
  try {
    const root = join(base, 'root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'login.defs'), 'PASS_MAX_DAYS 99999\n');
    await assert.rejects(
      applyFiles(
        root,
        new Map([
          ['etc/login.defs', 'PASS_MAX_DAYS 365\n'],
          ['nope/x.conf', 'a\n'],
        ]),
        [],
        join(base, 'b'),
      ),
      /nope\/x\.conf: its directory does not exist/,
    );
    assert.equal(readFileSync(join(root, 'etc', 'login.defs'), 'utf8'), 'PASS_MAX_DAYS 99999\n');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
