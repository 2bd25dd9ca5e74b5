import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseBaseline } from '../baselines.ts';
import { DirectoryRoot } from '../root.ts';
import { harden } from '../run.ts';
import { memRoot } from '../sshd/testkit.ts';
import { apacheEngine, judgeAll, scope } from './engine.ts';
import { loadApacheConfig } from './load.ts';
import { parseApache } from './parse.ts';
import { apacheBinary, apacheSyntaxCheck } from './syntax.ts';

const FIXTURE = new URL('../../../test/fixtures/harden/apache/debian12-tls/', import.meta.url).pathname;
const CHECKS = parseBaseline(readFileSync(new URL('../baselines/apache.yaml', import.meta.url), 'utf8'), 'apache.yaml');
const ENGINES = new Map([['apache', apacheEngine]]);
const DEFAULT_SSL = 'vhost *:443 (etc/apache2/sites-enabled/default-ssl.conf)';
const LEGACY = 'vhost legacy.example.org (etc/apache2/sites-enabled/legacy.example.org.conf)';
const MODERN = 'vhost modern.example.org (etc/apache2/sites-enabled/legacy.example.org.conf)';
const check = (id: string) => CHECKS.find((c) => c.id === id)!;

describe('apache parse', () => {
  it('reads sections, quotes, continuations and positions', () => {
    const [vh] = parseApache(
      '<VirtualHost *:443>\n  Header always set X "a b"\n  SSLProtocol all \\\n   -SSLv3\n</VirtualHost>\n',
      'f',
    );
    assert.equal(vh!.name, 'virtualhost');
    const [h, p] = vh!.block!;
    assert.deepEqual([h!.args, h!.line, h!.argsStart], [['always', 'set', 'X', 'a b'], 2, 9]);
    assert.deepEqual([p!.args, p!.line, p!.endLine], [['all', '-SSLv3'], 3, 4]);
    assert.equal(vh!.closeLine, 5);
    assert.throws(() => parseApache('<VirtualHost *:443>\n', 'f'), /never closed/);
  });
  it('expands Include/IncludeOptional globs relative to the ServerRoot', async () => {
    const cfg = (await loadApacheConfig(new DirectoryRoot(FIXTURE)))!;
    assert.ok(cfg.files.has('etc/apache2/mods-enabled/ssl.conf'));
    assert.ok(cfg.files.has('etc/apache2/conf-enabled/security.conf'));
    const s = scope(cfg);
    assert.deepEqual(
      s.vhosts.map((v) => [v.instance, v.tls]),
      [
        ['vhost *:80 (etc/apache2/sites-enabled/000-default.conf)', false],
        [DEFAULT_SSL, true],
        [LEGACY, true],
        [MODERN, true],
      ],
    );
  });
  it('judges <IfModule> by the modules loaded so far; the last line of a context wins', async () => {
    const root = memRoot({
      'etc/apache2/apache2.conf':
        '<IfModule ssl_module>\nSSLProtocol all\n</IfModule>\nLoadModule ssl_module m.so\nsslprotocol TLSv1.2\nSSLPROTOCOL all -SSLv3 -TLSv1 -TLSv1.1\n<VirtualHost *:443>\nSSLEngine on\n</VirtualHost>\n',
    });
    const [r] = judgeAll((await loadApacheConfig(root))!, check('apache-ssl-protocol'));
    assert.equal(r!.status, 'pass');
    assert.equal(r!.current, 'TLSv1.2 TLSv1.3');
    assert.equal(r!.line, 6);
  });
});

describe('apache engine', () => {
  it('judges each TLS vhost by what it inherits', async () => {
    const results = await apacheEngine.assess(new DirectoryRoot(FIXTURE), CHECKS);
    const got = Object.fromEntries(
      results.map((r) => [`${r.check.id} ${r.instance}`, `${r.status} ${r.file ?? 'default'}:${r.line ?? ''}`]),
    );
    assert.equal(got[`apache-ssl-protocol ${DEFAULT_SSL}`], 'fail etc/apache2/mods-enabled/ssl.conf:71');
    assert.equal(got[`apache-ssl-protocol ${LEGACY}`], 'fail etc/apache2/sites-enabled/legacy.example.org.conf:10');
    assert.equal(got[`apache-ssl-protocol ${MODERN}`], 'pass etc/apache2/sites-enabled/legacy.example.org.conf:22');
    assert.equal(got[`apache-ssl-cipher-suite ${DEFAULT_SSL}`], 'fail etc/apache2/mods-enabled/ssl.conf:57');
    assert.equal(got[`apache-ssl-honor-cipher-order ${DEFAULT_SSL}`], 'pass default:');
    assert.equal(
      got[`apache-ssl-session-tickets ${LEGACY}`],
      'fail etc/apache2/sites-enabled/legacy.example.org.conf:13',
    );
    assert.equal(got[`apache-hsts ${DEFAULT_SSL}`], 'fail default:');
    assert.equal(got[`apache-hsts ${MODERN}`], 'pass etc/apache2/sites-enabled/legacy.example.org.conf:24');
    assert.equal(got['apache-server-tokens undefined'], 'fail etc/apache2/conf-enabled/security.conf:12');
    const shared = results.filter((r) => r.check.id === 'apache-server-signature');
    assert.equal(shared.filter((r) => r.fix).length, 1);
    assert.match(shared[1]!.unfixable ?? '', /same shared line/);
  });

  it('a vhost Header overrides the global one; unset removes it; a missing one goes after SSLEngine on', async () => {
    const conf = (vhost: string) =>
      memRoot({
        'etc/apache2/apache2.conf': `LoadModule headers_module m.so\nHeader always set Strict-Transport-Security "max-age=100"\n<VirtualHost *:443>\n    ServerName a\n    SSLEngine On\n${vhost}</VirtualHost>\n`,
      });
    const hsts = [check('apache-hsts')];
    const [global] = await apacheEngine.assess(conf(''), hsts);
    assert.deepEqual(global!.fix, [
      {
        path: 'etc/apache2/apache2.conf',
        edits: [{ kind: 'replace', line: 2, text: 'Header always set Strict-Transport-Security "max-age=63072000"' }],
      },
    ]);
    const [own] = await apacheEngine.assess(
      conf('    Header always set strict-transport-security "max-age=63072000"\n'),
      hsts,
    );
    assert.equal(own!.status, 'pass');
    const r = await harden(conf('    Header always unset Strict-Transport-Security\n'), hsts, ENGINES);
    assert.deepEqual(r.checks[0]!.result.fix, [
      {
        path: 'etc/apache2/apache2.conf',
        edits: [
          { kind: 'insert', before: 7, lines: ['    Header always set Strict-Transport-Security "max-age=63072000"'] },
        ],
      },
    ]);
    assert.equal(r.checks[0]!.verification?.ok, true);
  });

  it('without mod_headers the header is not patched', async () => {
    const root = memRoot({ 'etc/apache2/apache2.conf': '<VirtualHost *:443>\nSSLEngine on\n</VirtualHost>\n' });
    const [r] = await apacheEngine.assess(root, [check('apache-hsts')]);
    assert.match(r!.unfixable ?? '', /a2enmod headers/);
  });

  it('every fix is at most 2 lines and verifies; the combined patch too', async () => {
    const r = await harden(new DirectoryRoot(FIXTURE), CHECKS, ENGINES);
    const fixed = r.checks.filter((c) => c.patch !== undefined);
    assert.equal(fixed.length, 10);
    for (const c of fixed) assert.ok(c.changedLines! <= 2, `${c.result.check.id}: ${c.changedLines}`);
    assert.deepEqual(r.combined.verification.reasons, []);
    const after = await apacheEngine.assess(new DirectoryRoot(FIXTURE), CHECKS);
    assert.ok(after.some((a) => a.status === 'fail'));
  });

  it(
    'apache2 -t accepts the patched copy',
    { skip: apacheBinary() === undefined ? 'apache2 is not installed' : false },
    async () => {
      const r = await harden(new DirectoryRoot(FIXTURE), CHECKS, ENGINES, {
        syntax: (_e, root, patched) => apacheSyntaxCheck(root, patched),
      });
      assert.equal(r.combined.verification.syntax?.tool, 'apache2 -t');
      assert.equal(r.combined.verification.ok, true, r.combined.verification.reasons.join('\n'));
      const broken = await apacheSyntaxCheck(
        new DirectoryRoot(FIXTURE),
        new Map([['etc/apache2/mods-available/ssl.conf', 'SSLProtocol TLSv9\n']]),
      );
      assert.equal(broken?.ok, false);
    },
  );
});
