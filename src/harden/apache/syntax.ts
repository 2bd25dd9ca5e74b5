// The real tool's verdict on a patched Apache configuration: `apache2 -t` on a temporary copy of every file the
// configuration reads, ServerRoot and absolute Include paths pointed into the copy, certificate paths pointed at
// a throw-away self-signed pair (mod_ssl loads them at -t), and the APACHE_* variables Debian's envvars would
// set pointed at the copy. httpd is never started. Without apache2 (or openssl) there is no verdict.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { selfSignedPair } from '../certs.ts';
import { OverlayRoot } from '../root.ts';
import type { SyntaxVerdict } from '../run.ts';
import type { ConfigRoot } from '../types.ts';
import { APACHE_CONF, loadApacheConfig } from './load.ts';
import { parseApache, type ApacheDirective } from './parse.ts';

const CANDIDATES = ['/usr/sbin/apache2', '/usr/local/apache2/bin/httpd', '/usr/sbin/httpd'];
const CERTS = new Set(['sslcertificatefile', 'sslcertificatechainfile', 'sslcacertificatefile']);
const PATHS = new Set(['include', 'includeoptional', 'serverroot', 'sslcertificatekeyfile', ...CERTS]);

/** The host's httpd binary, when installed. */
export function apacheBinary(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

const flatten = (list: readonly ApacheDirective[]): ApacheDirective[] =>
  list.flatMap((d) => [d, ...flatten(d.block ?? [])]);

/** `apache2 -t` on a copy of the configuration with `patched` applied; undefined when httpd is not installed. */
export async function apacheSyntaxCheck(
  root: ConfigRoot,
  patched: ReadonlyMap<string, string>,
): Promise<SyntaxVerdict | undefined> {
  const httpd = apacheBinary();
  if (httpd === undefined) return undefined;
  let config;
  try {
    config = await loadApacheConfig(new OverlayRoot(root, patched), APACHE_CONF);
  } catch (err) {
    return { tool: 'apache2 -t', ok: false, output: (err as Error).message };
  }
  if (config === undefined) return undefined;
  const copy = mkdtempSync(join(tmpdir(), 'mamori-apache-t-'));
  try {
    const pair = selfSignedPair(copy);
    if (pair === undefined) return undefined;
    for (const [rel, text] of config.files) {
      const lines = text.split('\n');
      for (const d of flatten(parseApache(text, rel))) {
        if (d.block || d.line !== d.endLine || !PATHS.has(d.name) || d.args[0] === undefined) continue;
        const arg = d.args[0];
        const value =
          d.name === 'sslcertificatekeyfile'
            ? pair.key
            : CERTS.has(d.name)
              ? pair.cert
              : arg.startsWith('/')
                ? join(copy, arg)
                : undefined;
        if (value === undefined) continue;
        const l = lines[d.line - 1]!;
        lines[d.line - 1] = `${l.slice(0, d.argsStart)}"${value}"`;
      }
      mkdirSync(dirname(join(copy, rel)), { recursive: true });
      writeFileSync(join(copy, rel), lines.join('\n'), { mode: 0o600 });
    }
    const run = join(copy, 'run');
    mkdirSync(run, { recursive: true });
    const env = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      APACHE_RUN_DIR: run,
      APACHE_LOCK_DIR: run,
      APACHE_LOG_DIR: run,
      APACHE_PID_FILE: join(run, 'apache2.pid'),
      APACHE_RUN_USER: 'www-data',
      APACHE_RUN_GROUP: 'www-data',
    };
    const serverRoot = join(copy, dirname(config.main));
    const r = spawnSync(httpd, ['-t', '-f', join(copy, config.main), '-d', serverRoot], {
      encoding: 'utf8',
      timeout: 10_000,
      env,
    });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.replaceAll(`${copy}/`, '');
    return { tool: 'apache2 -t', ok: r.status === 0, output };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
