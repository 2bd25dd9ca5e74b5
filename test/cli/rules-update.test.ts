import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { startServer, bytesRoute } from '../support/http-server.ts';
import { updateRules } from '../../src/cli/commands/rules.ts';

const RULE = (n: number): string => `title: Test rule ${n}
id: 00000000-0000-4000-8000-00000000000${n}
status: test
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: ${4600 + n}
    condition: selection
level: medium
`;

function archive(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));
}

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

test('rules update downloads an archive from a loopback server and installs it atomically', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-rules-'));
  const v1 = archive({
    'rules/windows/a.yml': RULE(1),
    'rules/windows/b.yml': RULE(2),
    'LICENSE.Detection.Rules.md': 'DRL 1.1',
  });
  const v2 = archive({ 'rules/windows/c.yml': RULE(3) });
  let body = v1;
  const server = await startServer({ '/sigma_all_rules.zip': (req, res) => bytesRoute(body)(req, res) });
  try {
    const dest = join(dir, 'sigma');
    assert.equal(await quietly(() => updateRules({ from: `${server.url}/sigma_all_rules.zip`, dest })), 0);
    assert.ok(existsSync(join(dest, 'rules/windows/a.yml')));
    const source = JSON.parse(await readFile(join(dest, 'MAMORI_SOURCE.json'), 'utf8')) as {
      rules: number;
      from: string;
    };
    assert.equal(source.rules, 2);
    assert.equal(source.from, `${server.url}/sigma_all_rules.zip`);
    // an update replaces the whole tree: rules gone upstream are gone here
    body = v2;
    await quietly(() => updateRules({ from: `${server.url}/sigma_all_rules.zip`, dest }));
    assert.ok(!existsSync(join(dest, 'rules/windows/a.yml')));
    assert.ok(existsSync(join(dest, 'rules/windows/c.yml')));
    // no staging or backup folders are left behind
    assert.deepEqual((await readdir(dir)).sort(), ['sigma']);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a failed download or a bad archive leaves the installed rules untouched and says what failed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-rules-'));
  const server = await startServer({
    '/good.zip': bytesRoute(archive({ 'r/a.yml': RULE(1) })),
    '/broken.zip': bytesRoute(strToU8('this is not a zip')),
    '/empty.zip': bytesRoute(archive({ 'README.md': 'no rules here' })),
    '/error': (_req, res) => {
      res.statusCode = 503;
      res.end('overloaded');
    },
  });
  try {
    const dest = join(dir, 'sigma');
    await quietly(() => updateRules({ from: `${server.url}/good.zip`, dest }));
    await assert.rejects(
      quietly(() => updateRules({ from: `${server.url}/error`, dest })),
      /HTTP 503/,
    );
    await assert.rejects(
      quietly(() => updateRules({ from: `${server.url}/broken.zip`, dest })),
      /not a readable zip archive/,
    );
    await assert.rejects(
      quietly(() => updateRules({ from: `${server.url}/empty.zip`, dest })),
      /holds no \.yml rules/,
    );
    await assert.rejects(
      quietly(() => updateRules({ from: `${server.url}/missing.zip`, dest })),
      /HTTP 404/,
    );
    assert.ok(existsSync(join(dest, 'r/a.yml')), 'the earlier install survives');
    await writeFile(join(dir, 'local.zip'), archive({ 'x/b.yml': RULE(2) }));
    assert.equal(await quietly(() => updateRules({ from: join(dir, 'local.zip'), dest })), 0);
    assert.ok(existsSync(join(dest, 'x/b.yml')));
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('archive members cannot escape the destination', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-rules-'));
  try {
    const evil = archive({ '../../escaped.yml': RULE(1), 'ok/a.yml': RULE(2) });
    await writeFile(join(dir, 'evil.zip'), evil);
    await quietly(() => updateRules({ from: join(dir, 'evil.zip'), dest: join(dir, 'inner', 'sigma') }));
    assert.ok(!existsSync(join(dir, 'escaped.yml')));
    assert.ok(!existsSync(join(tmpdir(), 'escaped.yml')));
    assert.ok(existsSync(join(dir, 'inner', 'sigma', 'ok', 'a.yml')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
