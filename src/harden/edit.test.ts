import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyEdits, changedLines, unifiedDiff } from './edit.ts';
import { DirectoryRoot, OverlayRoot } from './root.ts';

const SSHD =
  '# comment\nInclude /etc/ssh/sshd_config.d/*.conf\n\n#PermitRootLogin prohibit-password\nPermitRootLogin yes\nMatch User backup\n\tX11Forwarding yes\n';

test('edits: replace, insert, delete by original line numbers; comments and order kept', () => {
  const out = applyEdits(SSHD, [
    { kind: 'replace', line: 5, text: 'PermitRootLogin no' },
    { kind: 'insert', before: 6, lines: ['MaxAuthTries 4'] },
    { kind: 'delete', line: 3 },
  ]);
  assert.equal(
    out,
    '# comment\nInclude /etc/ssh/sshd_config.d/*.conf\n#PermitRootLogin prohibit-password\nPermitRootLogin no\nMaxAuthTries 4\nMatch User backup\n\tX11Forwarding yes\n',
  );
  assert.equal(changedLines({ path: 'x', edits: [{ kind: 'insert', before: 1, lines: ['a', 'b'] }] }), 2);
});

test('edits: CRLF and a missing final newline are kept; bad edits throw', () => {
  assert.equal(applyEdits('a\r\nb\r\n', [{ kind: 'replace', line: 2, text: 'c' }]), 'a\r\nc\r\n');
  assert.equal(applyEdits('a\nb', [{ kind: 'replace', line: 1, text: 'z' }]), 'z\nb');
  assert.equal(applyEdits('a\nb', [{ kind: 'insert', before: 3, lines: ['c'] }]), 'a\nb\nc\n');
  assert.equal(applyEdits('', [{ kind: 'insert', before: 1, lines: ['x = 1'] }]), 'x = 1\n');
  assert.throws(() => applyEdits('a\n', [{ kind: 'replace', line: 2, text: 'x' }]), RangeError);
  assert.throws(
    () =>
      applyEdits('a\n', [
        { kind: 'replace', line: 1, text: 'x' },
        { kind: 'delete', line: 1 },
      ]),
    RangeError,
  );
});

test('unified diff: a/ b/ paths, applies with patch -p1 from the root (when patch is installed)', (t) => {
  const edit = {
    path: 'etc/ssh/sshd_config',
    edits: [{ kind: 'replace' as const, line: 5, text: 'PermitRootLogin no' }],
  };
  const diff = unifiedDiff(edit, SSHD);
  assert.match(diff, /^--- a\/etc\/ssh\/sshd_config\n\+\+\+ b\/etc\/ssh\/sshd_config\n@@ -2,6 \+2,6 @@/m);
  assert.match(diff, /^-PermitRootLogin yes$/m);
  assert.match(diff, /^\+PermitRootLogin no$/m);
  const created = unifiedDiff(
    {
      path: 'etc/sysctl.d/60-mamori.conf',
      create: true,
      edits: [{ kind: 'insert', before: 1, lines: ['kernel.x = 1'] }],
    },
    undefined,
  );
  assert.match(created, /^--- \/dev\/null\n\+\+\+ b\/etc\/sysctl\.d\/60-mamori\.conf/m);
  if (spawnSync('patch', ['--version']).status !== 0) {
    t.skip('patch(1) is not installed');
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'mamori-edit-'));
  try {
    mkdirSync(join(root, 'etc', 'ssh'), { recursive: true });
    mkdirSync(join(root, 'etc', 'sysctl.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'ssh', 'sshd_config'), SSHD);
    const r = spawnSync('patch', ['-p1', '--forward', '--batch'], {
      cwd: root,
      input: diff + created,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(readFileSync(join(root, 'etc', 'ssh', 'sshd_config'), 'utf8'), applyEdits(SSHD, edit.edits));
    assert.equal(readFileSync(join(root, 'etc', 'sysctl.d', '60-mamori.conf'), 'utf8'), 'kernel.x = 1\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('roots: links resolve inside the root only; an overlay shows patched text, also through a link', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mamori-root-'));
  try {
    mkdirSync(join(root, 'etc', 'sysctl.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'sysctl.conf'), 'a = 1\n');
    symlinkSync('../sysctl.conf', join(root, 'etc', 'sysctl.d', '99-sysctl.conf'));
    symlinkSync('/etc/passwd', join(root, 'etc', 'abs-link'));
    symlinkSync('../../../../../../../../etc/hostname', join(root, 'etc', 'climb'));
    const dir = new DirectoryRoot(root);
    assert.equal(await dir.read('etc/sysctl.d/99-sysctl.conf'), 'a = 1\n');
    // an absolute link means the root's /etc/passwd (absent here), never the host's
    assert.equal(await dir.read('etc/abs-link'), undefined);
    assert.equal(await dir.read('etc/climb'), undefined);
    assert.deepEqual(await dir.list('etc/sysctl.d'), ['99-sysctl.conf']);
    const over = new OverlayRoot(
      dir,
      new Map([
        ['etc/sysctl.conf', 'a = 0\n'],
        ['etc/sysctl.d/60-new.conf', 'b = 1\n'],
      ]),
    );
    assert.equal(await over.read('etc/sysctl.d/99-sysctl.conf'), 'a = 0\n');
    assert.deepEqual(await over.list('etc/sysctl.d'), ['60-new.conf', '99-sysctl.conf']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
