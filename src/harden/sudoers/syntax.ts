// The real tool's verdict on a patched sudoers tree: `visudo -c -f` on a temporary copy of every file sudo
// reads, each include directive pointed into the copy (sudo resolves them against the host's /etc). The host's
// visudo judges, which may be newer or older than the root's sudo; without visudo there is no verdict.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { OverlayRoot } from '../root.ts';
import type { SyntaxVerdict } from '../run.ts';
import type { ConfigRoot } from '../types.ts';
import { includeTarget, loadSudoers } from './load.ts';
import { splitLines } from '../edit.ts';

const CANDIDATES = ['/usr/sbin/visudo', '/usr/local/sbin/visudo', '/sbin/visudo', '/usr/bin/visudo'];

/** The host's visudo, when installed. */
export function visudoBinary(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

const INCLUDE = /^([ \t]*[@#]include(?:dir)?[ \t]+)(.+?)([ \t]*)$/;

/** `visudo -c -f` on a copy of the patched tree; undefined when visudo is not installed or there is no sudoers. */
export async function visudoSyntaxCheck(
  root: ConfigRoot,
  patched: ReadonlyMap<string, string>,
): Promise<SyntaxVerdict | undefined> {
  const visudo = visudoBinary();
  if (visudo === undefined) return undefined;
  const over = new OverlayRoot(root, patched);
  const tree = await loadSudoers(over);
  if (tree === undefined) return undefined;
  const copy = mkdtempSync(join(tmpdir(), 'mamori-visudo-'));
  try {
    for (const [rel, text] of tree.files) {
      const lines = splitLines(text).map((l) => {
        const m = INCLUDE.exec(l);
        if (!m) return l;
        const raw = m[2]!.replace(/^"(.*)"$/, '$1');
        const target = includeTarget(rel, raw);
        if (target === undefined) return l;
        // an included directory must exist in the copy even when nothing in it is read
        if (/includedir/.test(m[1]!)) mkdirSync(join(copy, target), { recursive: true });
        const p = join(copy, target);
        return `${m[1]}${/[\s"]/.test(p) ? `"${p.replace(/(["\\])/g, '\\$1')}"` : p}${m[3]}`;
      });
      mkdirSync(dirname(join(copy, rel)), { recursive: true });
      writeFileSync(join(copy, rel), `${lines.join('\n')}\n`, { mode: 0o440 });
    }
    const r = spawnSync(visudo, ['-c', '-f', join(copy, 'etc/sudoers')], { encoding: 'utf8', timeout: 10_000 });
    // visudo names the temporary copy: show root-relative paths instead
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.replaceAll(`${copy}/`, '');
    return { tool: 'visudo -c', ok: r.status === 0, output };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
