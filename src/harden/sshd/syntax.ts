// The real tool's verdict on a patched sshd configuration: `sshd -t -f` on a temporary copy of every file the
// configuration reads, each Include pointed into the copy (sshd resolves Include against the host's /etc/ssh).
// The host's sshd judges, which may be newer or older than the root's; without sshd (or its /run/sshd
// privilege-separation directory, which only the openssh package creates) there is no verdict.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { OverlayRoot } from '../root.ts';
import type { SyntaxVerdict } from '../run.ts';
import type { ConfigRoot } from '../types.ts';
import { includePath, loadSshdConfig, SSHD_CONFIG } from './load.ts';
import { parseSshdConfig } from './parse.ts';

const CANDIDATES = ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/sbin/sshd'];

/** The host's sshd, when it can run a syntax check here. */
export function sshdBinary(): string | undefined {
  if (!existsSync('/run/sshd')) return undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

let hostKey: string | undefined;
/** A throw-away host key (sshd -t wants one), made once per process in a private temporary directory. */
function key(dir: string): string | undefined {
  if (hostKey !== undefined && existsSync(hostKey)) return hostKey;
  const p = join(dir, 'hostkey');
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', p], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  hostKey = p;
  return p;
}

let keyDir: string | undefined;

export async function sshdSyntaxCheck(
  root: ConfigRoot,
  patched: ReadonlyMap<string, string>,
): Promise<SyntaxVerdict | undefined> {
  const sshd = sshdBinary();
  if (sshd === undefined) return undefined;
  const config = await loadSshdConfig(new OverlayRoot(root, patched), SSHD_CONFIG);
  if (config === undefined) return undefined;
  if (keyDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-sshd-key-'));
    keyDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const hk = key(keyDir);
  if (hk === undefined) return undefined;
  const copy = mkdtempSync(join(tmpdir(), 'mamori-sshd-t-'));
  try {
    for (const [rel, file] of config.files) {
      const text = parseSshdConfig(file.text)
        .map((l) =>
          l.kind === 'directive' && l.key === 'include'
            ? l.raw.slice(0, l.valueStart) +
              l.args.map((a) => join(copy, includePath(a))).join(' ') +
              l.raw.slice(l.valueEnd)
            : l.raw,
        )
        .join('\n');
      mkdirSync(dirname(join(copy, rel)), { recursive: true });
      writeFileSync(join(copy, rel), `${text}\n`, { mode: 0o600 });
    }
    const r = spawnSync(sshd, ['-t', '-f', join(copy, config.main), '-o', `HostKey=${hk}`], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    // sshd names the temporary copy: show root-relative paths instead
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.replaceAll(`${copy}/`, '');
    return { tool: 'sshd -t', ok: r.status === 0, output };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
