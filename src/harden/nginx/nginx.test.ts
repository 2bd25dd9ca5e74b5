import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseBaseline } from '../baselines.ts';
import { DirectoryRoot } from '../root.ts';
import { harden } from '../run.ts';
import { memRoot } from '../sshd/testkit.ts';
import { resolveCipherString } from './ciphers.ts';
import { nginxEngine } from './engine.ts';
import { loadNginxConfig } from './load.ts';
import { parseNginx } from './parse.ts';
import { nginxBinary, nginxSyntaxCheck } from './syntax.ts';

const FIXTURE = new URL('../../../test/fixtures/harden/nginx/debian12-tls/', import.meta.url).pathname;
const CHECKS = parseBaseline(readFileSync(new URL('../baselines/nginx.yaml', import.meta.url), 'utf8'), 'nginx.yaml');
const ENGINES = new Map([['nginx', nginxEngine]]);
const SHOP = 'server shop.example.org (etc/nginx/sites-enabled/shop.example.org)';
const ADMIN = 'server admin.example.org (etc/nginx/sites-enabled/shop.example.org)';

describe('nginx parse', () => {
  it('reads blocks, quotes, comments and positions', () => {
    const [http] = parseNginx('http {\n  add_header X "a;b" always; # c\n}\n', 'f');
    const d = http!.block![0]!;
    assert.deepEqual(
      [d.name, d.args, d.line, d.argsStart, d.argsEnd],
      ['add_header', ['X', 'a;b', 'always'], 2, 13, 27],
    );
    assert.equal(http!.closeLine, 3);
    assert.throws(() => parseNginx('http {\n', 'f'), /expecting "}"/);
  });
  it('expands includes with globs relative to etc/nginx', async () => {
    const cfg = await loadNginxConfig(new DirectoryRoot(FIXTURE));
    const http = cfg!.tree.find((d) => d.name === 'http')!;
    assert.equal(http.block!.filter((d) => d.name === 'server').length, 3);
    assert.ok(cfg!.files.has('etc/nginx/snippets/ssl-params.conf'));
  });
});

describe('cipher strings', () => {
  const table: [string, string, boolean][] = [
    ['default', 'HIGH:!aNULL:!MD5', true],
    ['mozilla', CHECKS.find((c) => c.id === 'nginx-ssl-ciphers')!.fix, false],
    ['explicit legacy', 'ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA', true],
    ['negated', 'ECDHE+AESGCM:!ECDSA', false],
  ];
  for (const [name, spec, weak] of table)
    it(name, () => {
      const sel = resolveCipherString(spec);
      assert.ok(sel.suites.length > 0);
      const bad = sel.suites.filter((s) => /CBC|-SHA$|^AES|DES|RC4/.test(s));
      assert.equal(bad.length > 0, weak, bad.join(','));
    });
});

describe('nginx engine', () => {
  it('judges each TLS server by what it inherits', async () => {
    const results = await nginxEngine.assess(new DirectoryRoot(FIXTURE), CHECKS);
    const got = Object.fromEntries(
      results.map((r) => [`${r.check.id} ${r.instance}`, `${r.status} ${r.file ?? 'default'}:${r.line ?? ''}`]),
    );
    assert.equal(got[`nginx-ssl-protocols ${SHOP}`], 'fail etc/nginx/snippets/ssl-params.conf:2');
    assert.equal(got[`nginx-ssl-protocols ${ADMIN}`], 'pass etc/nginx/sites-enabled/shop.example.org:30');
    assert.equal(got[`nginx-ssl-ciphers ${ADMIN}`], 'fail default:');
    assert.equal(got[`nginx-ssl-prefer-server-ciphers ${ADMIN}`], 'fail etc/nginx/nginx.conf:34');
    assert.equal(got[`nginx-hsts ${SHOP}`], 'fail etc/nginx/snippets/ssl-params.conf:5');
    assert.equal(got[`nginx-server-tokens server _ (etc/nginx/sites-enabled/default)`], 'fail default:');
    const hsts = results.find((r) => r.check.id === 'nginx-hsts' && r.instance === SHOP)!;
    assert.match(hsts.message, /location \/api\/ .* drops the inherited Strict-Transport-Security/);
    // a shared line is edited once: the second server points at the first one's patch
    const shared = results.find((r) => r.check.id === 'nginx-ssl-prefer-server-ciphers' && r.instance === ADMIN)!;
    assert.equal(shared.fix, undefined);
    assert.match(shared.unfixable ?? '', /same shared line/);
  });

  it('an add_header in the server drops http headers; the fix keeps them', async () => {
    const root = memRoot({
      'etc/nginx/nginx.conf':
        'http {\n    add_header X-Frame-Options DENY;\n    server {\n        listen 443 ssl;\n        server_name a;\n    }\n}\n',
    });
    const r = await harden(
      root,
      CHECKS.filter((c) => c.id === 'nginx-hsts'),
      ENGINES,
    );
    const fix = r.checks[0]!.result.fix!;
    assert.deepEqual(fix, [
      {
        path: 'etc/nginx/nginx.conf',
        edits: [
          { kind: 'insert', before: 3, lines: ['    add_header Strict-Transport-Security "max-age=63072000" always;'] },
        ],
      },
    ]);
    assert.equal(r.checks[0]!.verification?.ok, true);
  });

  it('every fix is at most 2 lines and verifies; the combined patch too', async () => {
    const r = await harden(new DirectoryRoot(FIXTURE), CHECKS, ENGINES);
    const fixed = r.checks.filter((c) => c.patch !== undefined);
    assert.equal(fixed.length, 9);
    for (const c of fixed) assert.ok(c.changedLines! <= 2, `${c.result.check.id}: ${c.changedLines}`);
    assert.deepEqual(r.combined.verification.reasons, []);
  });

  it(
    'nginx -t accepts the patched copy',
    { skip: nginxBinary() === undefined ? 'nginx is not installed' : false },
    async () => {
      const r = await harden(new DirectoryRoot(FIXTURE), CHECKS, ENGINES, {
        syntax: (_e, root, patched) => nginxSyntaxCheck(root, patched),
      });
      assert.equal(r.combined.verification.syntax?.tool, 'nginx -t');
      assert.equal(r.combined.verification.ok, true, r.combined.verification.reasons.join('\n'));
      const broken = await nginxSyntaxCheck(
        new DirectoryRoot(FIXTURE),
        new Map([['etc/nginx/snippets/ssl-params.conf', 'ssl_protocols TLSv9;\n']]),
      );
      assert.equal(broken?.ok, false);
    },
  );
});
