// Compares the engine with the real sshd: `sshd -T` on each fixture must print the values we compute, and
// `sshd -t` must accept the fixtures once all our fixes are applied. Skipped when sshd is not installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FileEdit } from '../types.ts';
import { applyEdits } from '../edit.ts';
import { effectiveValue } from './effective.ts';
import { SshdEngine } from './engine.ts';
import { keywordInfo } from './keywords.ts';
import { includePath, loadSshdConfig } from './load.ts';
import { parseSshdConfig } from './parse.ts';
import { CHECKS, dirRoot, FIXTURES, VARIANTS } from './testkit.ts';

const SSHD = ['/usr/sbin/sshd', '/usr/local/sbin/sshd'].find((p) => existsSync(p));
const KEYGEN = ['/usr/bin/ssh-keygen', '/usr/local/bin/ssh-keygen'].find((p) => existsSync(p));

/** Keys compared with sshd -T (ListenAddress/HostKey differ by construction: -o HostKey, ports appended). */
const KEYS = [
  'permitrootlogin',
  'passwordauthentication',
  'permitemptypasswords',
  'maxauthtries',
  'x11forwarding',
  'logingracetime',
  'clientaliveinterval',
  'clientalivecountmax',
  'maxsessions',
  'maxstartups',
  'ignorerhosts',
  'hostbasedauthentication',
  'permituserenvironment',
  'loglevel',
  'syslogfacility',
  'banner',
  'usepam',
  'kbdinteractiveauthentication',
  'ciphers',
  'macs',
  'kexalgorithms',
  'allowtcpforwarding',
  'allowagentforwarding',
  'printmotd',
  'acceptenv',
  'port',
];

function skipReason(): string | false {
  if (!SSHD || !KEYGEN)
    return 'sshd or ssh-keygen not installed (apt-get install openssh-server to compare with sshd -T)';
  // sshd -T checks that its privilege separation directory exists before printing anything
  if (!existsSync('/run/sshd')) {
    try {
      mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    } catch {
      return 'sshd needs /run/sshd and it cannot be created here';
    }
  }
  return false;
}
const skip = skipReason();

const work = skip ? '' : mkdtempSync(join(tmpdir(), 'mamori-sshd-'));
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});
const hostKey = join(work, 'host_ed25519');
if (!skip) {
  const r = spawnSync(KEYGEN!, ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

function files(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(join(dir, rel)).isDirectory() ? files(dir, rel) : [rel];
  });
}

/** Copies a fixture with `fixes` applied: once as a root for the engine, once with Includes made absolute for sshd. */
function materialise(variant: string, fixes: readonly FileEdit[] = []): { root: string; main: string } {
  const src = FIXTURES + variant;
  const out = mkdtempSync(join(work, `${variant}-`));
  const root = join(out, 'root');
  const forSshd = join(out, 'sshd');
  for (const rel of files(src)) {
    const edits = fixes.filter((f) => f.path === rel).flatMap((f) => f.edits);
    const text = applyEdits(readFileSync(join(src, rel), 'utf8'), edits);
    // sshd resolves Include against the real /etc/ssh: point each one into the copy (line numbers unchanged)
    const rewritten = parseSshdConfig(text)
      .map((l) =>
        l.kind === 'directive' && l.key === 'include'
          ? l.raw.slice(0, l.valueStart) +
            l.args.map((a) => join(forSshd, includePath(a))).join(' ') +
            l.raw.slice(l.valueEnd)
          : l.raw,
      )
      .join('\n');
    for (const [base, body] of [
      [root, text],
      [forSshd, `${rewritten}\n`],
    ] as const) {
      mkdirSync(dirname(join(base, rel)), { recursive: true });
      writeFileSync(join(base, rel), body);
    }
  }
  return { root, main: join(forSshd, 'etc/ssh/sshd_config') };
}

function sshdT(main: string): Map<string, string> {
  const r = spawnSync(SSHD!, ['-T', '-f', main, '-o', `HostKey=${hostKey}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `sshd -T failed: ${r.stderr}`);
  const values = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const key = line.slice(0, sp);
    const prev = values.get(key);
    values.set(key, prev === undefined ? line.slice(sp + 1) : `${prev} ${line.slice(sp + 1)}`);
  }
  return values;
}

async function compare(root: string, main: string): Promise<void> {
  const config = await loadSshdConfig(dirRoot(root));
  assert.ok(config);
  const theirs = sshdT(main);
  const diff = KEYS.filter((k) => effectiveValue(config, k).value !== theirs.get(k)).map(
    (k) => `${k}: ours ${effectiveValue(config, k).value}, sshd ${theirs.get(k)}`,
  );
  assert.deepEqual(diff, []);
}

describe('against the real sshd', { skip }, () => {
  it('our compiled-in defaults are the ones sshd -T prints for an empty file', () => {
    const empty = join(work, 'empty_config');
    writeFileSync(empty, '');
    const diff = [...sshdT(empty)].flatMap(([key, value]) => {
      const ours = keywordInfo(key)?.default;
      return ours === undefined || ours === value ? [] : [`${key}: ours ${ours}, sshd ${value}`];
    });
    assert.deepEqual(diff, []);
  });
  for (const variant of VARIANTS) {
    it(`${variant}: sshd -T prints the values we compute`, async () => {
      const { root, main } = materialise(variant);
      await compare(root, main);
    });
    it(`${variant}: sshd -t accepts the patched files, and sshd -T agrees that every check passes`, async () => {
      const results = await new SshdEngine().assess(dirRoot(FIXTURES + variant), CHECKS);
      const fixes = results.flatMap((r) => r.fix ?? []);
      const { root, main } = materialise(variant, fixes);
      const t = spawnSync(SSHD!, ['-t', '-f', main, '-o', `HostKey=${hostKey}`], { encoding: 'utf8' });
      assert.equal(t.status, 0, `sshd -t: ${t.stderr}`);
      await compare(root, main);
      const again = await new SshdEngine().assess(dirRoot(root), CHECKS);
      assert.deepEqual(
        again.filter((r) => r.status !== 'pass').map((r) => r.message),
        [],
      );
    });
  }
});
