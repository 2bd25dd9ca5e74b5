import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { walkInventory } from './walk.ts';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mamori-walk-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const lock = (name: string, version: string) =>
  JSON.stringify({ lockfileVersion: 3, packages: { '': {}, [`node_modules/${name}`]: { version } } }, null, 2);

test('walks a project: locations relative to the root, VCS and node_modules skipped, related files read', async () => {
  const root = tree({
    'package-lock.json': lock('lodash', '4.17.20'),
    'services/api/requirements.txt': 'flask==2.0.0\n',
    'services/api/node_modules/x/package.json': '{"name": "x", "version": "1.0.0"}',
    'node_modules/lodash/package.json': '{"name": "lodash", "version": "4.17.20"}',
    'node_modules/dep/yarn.lock': 'dep@^1:\n  version "1.0.0"\n',
    '.git/packed/package-lock.json': lock('evil', '1.0.0'),
    'web/yarn.lock': 'jquery@3.2.1:\n  version "3.2.1"\n\npromise@^8.0.3:\n  version "8.0.3"\n',
    'web/package.json': JSON.stringify({
      name: 'web',
      version: '1.0.0',
      dependencies: { jquery: '3.2.1' },
      devDependencies: { promise: '^8.0.3' },
    }),
    'README.md': '# nothing here',
  });
  const r = await walkInventory(root);
  assert.deepEqual(
    r.packages.map((p) => `${p.location} ${p.name}@${p.version}${p.dev ? ' dev' : ''}${p.root ? ' root' : ''}`),
    [
      'package-lock.json lodash@4.17.20',
      'services/api/requirements.txt flask@2.0.0',
      'web/yarn.lock jquery@3.2.1',
      'web/yarn.lock promise@8.0.3 dev',
      'web/yarn.lock web@1.0.0 root',
    ],
  );
  assert.deepEqual(
    r.files.map((f) => `${f.path} ${f.extractor}`),
    ['package-lock.json npm/package-lock', 'services/api/requirements.txt pypi/requirements', 'web/yarn.lock npm/yarn'],
  );
  assert.deepEqual(r.issues, []);
});

test('rootfs mode reads installed packages, including node_modules/**/package.json and installed.json', async () => {
  const root = tree({
    'app/node_modules/lodash/package.json': '{"name": "lodash", "version": "4.17.20"}',
    'app/node_modules/.pnpm/jquery@3.3.9/node_modules/jquery/package.json': '{"name": "jquery", "version": "3.3.9"}',
    'app/node_modules/lodash/test/fixture/package-lock.json': lock('ignored', '1.0.0'),
    'srv/vendor/composer/installed.json': '{"packages": [{"name": "psr/log", "version": "1.1.4"}]}',
  });
  const r = await walkInventory(root, { mode: 'rootfs' });
  assert.deepEqual(r.packages.map((p) => `${p.location} ${p.name}`).sort(), [
    'app/node_modules/.pnpm/jquery@3.3.9/node_modules/jquery/package.json jquery',
    'app/node_modules/lodash/package.json lodash',
    'srv/vendor/composer/installed.json psr/log',
  ]);
  assert.equal((await walkInventory(root)).packages.length, 0, 'a project walk reads none of them');
});

test('hostile trees: symlink loops, links out of the root, oversized files, depth, broken files', async () => {
  const outside = tree({ 'package-lock.json': lock('outside', '1.0.0') });
  const root = tree({
    'a/package-lock.json': lock('a', '1.0.0'),
    'big/package-lock.json': lock('big', '1.0.0') + ' '.repeat(2000),
    'deep/1/2/3/4/5/package-lock.json': lock('deep', '1.0.0'),
    'bad/Cargo.lock': '[[package]\nname = "x"\n',
    'l/README': 'links below',
  });
  symlinkSync(join(root, 'a'), join(root, 'a', 'loop'));
  symlinkSync(root, join(root, 'a', 'up'));
  symlinkSync(outside, join(root, 'escape'));
  symlinkSync(join(outside, 'package-lock.json'), join(root, 'l', 'package-lock.json'));
  symlinkSync(join(root, 'missing'), join(root, 'dangling'));
  const r = await walkInventory(root, { maxFileBytes: 1500, maxDepth: 4 });
  assert.deepEqual(
    r.packages.map((p) => `${p.location} ${p.name}`),
    ['a/package-lock.json a'],
  );
  const issues = r.issues.map((i) => `${i.location}${i.line ? `:${i.line}` : ''} ${i.message}`);
  assert.equal(issues.length, 4, issues.join('\n'));
  assert.match(issues[0]!, /^bad\/Cargo.lock:1 invalid TOML/);
  assert.match(issues[1]!, /^big\/package-lock.json \d+ bytes, over the 1500-byte limit/);
  assert.match(issues[2]!, /^deep\/1\/2\/3\/4 deeper than 4 directory levels/);
  assert.match(issues[3]!, /^l\/package-lock.json links outside the scanned directory/);
});

test('a single file as the root; a missing root is an issue', async () => {
  const root = tree({ 'ci/poetry.lock': '[[package]]\nname = "click"\nversion = "8.1.3"\n' });
  const r = await walkInventory(join(root, 'ci', 'poetry.lock'));
  assert.deepEqual(
    r.packages.map((p) => `${p.location} ${p.name}@${p.version} ${p.line}`),
    ['poetry.lock click@8.1.3 1'],
  );
  const missing = await walkInventory(join(root, 'nope'));
  assert.equal(missing.issues.length, 1);
});

test('UTF-16 requirements files are decoded', async () => {
  const root = tree({});
  const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Django==3.2.4\r\n', 'utf16le')]);
  writeFileSync(join(root, 'requirements.txt'), bytes);
  const r = await walkInventory(root);
  assert.deepEqual(
    r.packages.map((p) => `${p.name}@${p.version}`),
    ['Django@3.2.4'],
  );
});
