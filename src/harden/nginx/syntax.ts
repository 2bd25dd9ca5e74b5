// The real tool's verdict on a patched nginx configuration: `nginx -t` on a temporary copy of every file the
// configuration reads, includes pointed into the copy and certificate paths pointed at a throw-away
// self-signed pair (nginx -t loads them). nginx is never started. Without nginx (or openssl) there is no verdict.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { OverlayRoot } from '../root.ts';
import type { SyntaxVerdict } from '../run.ts';
import type { ConfigRoot } from '../types.ts';
import { includePath, loadNginxConfig, NGINX_CONF } from './load.ts';
import { parseNginx, type NginxDirective } from './parse.ts';
import { selfSignedPair } from '../certs.ts';

const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];
const CERT_ARGS = new Set(['ssl_certificate', 'ssl_trusted_certificate', 'ssl_client_certificate']);

/** The host's nginx binary, when installed. */
export function nginxBinary(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

function flatten(list: readonly NginxDirective[]): NginxDirective[] {
  return list.flatMap((d) => [d, ...flatten(d.block ?? [])]);
}

export async function nginxSyntaxCheck(
  root: ConfigRoot,
  patched: ReadonlyMap<string, string>,
): Promise<SyntaxVerdict | undefined> {
  const nginx = nginxBinary();
  if (nginx === undefined) return undefined;
  let config;
  try {
    config = await loadNginxConfig(new OverlayRoot(root, patched), NGINX_CONF);
  } catch (err) {
    return { tool: 'nginx -t', ok: false, output: (err as Error).message };
  }
  if (config === undefined) return undefined;
  const copy = mkdtempSync(join(tmpdir(), 'mamori-nginx-t-'));
  try {
    const pair = selfSignedPair(copy);
    if (pair === undefined) return undefined;
    for (const [rel, text] of config.files) {
      const lines = text.split('\n');
      // edit right to left so the columns of earlier arguments stay valid
      const targets = flatten(parseNginx(text, rel))
        .filter(
          (d) =>
            !d.block &&
            d.line === d.endLine &&
            (d.name === 'include' || CERT_ARGS.has(d.name) || d.name === 'ssl_certificate_key'),
        )
        .sort((a, b) => b.line - a.line || b.argsStart - a.argsStart);
      for (const d of targets) {
        const value =
          d.name === 'include'
            ? join(copy, includePath(d.args[0] ?? ''))
            : d.name === 'ssl_certificate_key'
              ? pair.key
              : pair.cert;
        const l = lines[d.line - 1]!;
        lines[d.line - 1] = `${l.slice(0, d.argsStart)}"${value}"${l.slice(d.argsEnd)}`;
      }
      mkdirSync(dirname(join(copy, rel)), { recursive: true });
      writeFileSync(join(copy, rel), lines.join('\n'), { mode: 0o600 });
    }
    const conf = join(copy, config.main);
    const r = spawnSync(nginx, ['-t', '-q', '-p', `${copy}/`, '-c', conf], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.replaceAll(`${copy}/`, '');
    return { tool: 'nginx -t', ok: r.status === 0, output };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
