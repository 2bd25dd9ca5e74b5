import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Extractor } from './extract.ts';
import { walkInventory, walkTree, type FileTree, type TreeEntry, type TreeTarget } from './walk.ts';

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

/** A FileTree in memory: files by path, symlinks as `{ link: target }` (relative to the link's directory). */
class MemoryTree implements FileTree {
  readonly label = 'the test tree';
  readonly deferLinkedDirs: boolean;
  readonly prefetched: string[][] = [];
  readonly reads: string[] = [];
  readonly #nodes = new Map<string, string | { link: string } | 'dir'>();

  constructor(files: Record<string, string | { link: string }>, deferLinkedDirs = false) {
    this.deferLinkedDirs = deferLinkedDirs;
    this.#nodes.set('', 'dir');
    for (const [path, v] of Object.entries(files)) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) this.#nodes.set(parts.slice(0, i).join('/'), 'dir');
      this.#nodes.set(path, v);
    }
  }

  async list(path: string): Promise<TreeEntry[]> {
    const out: TreeEntry[] = [];
    for (const [p, v] of this.#nodes) {
      if (p === '' || p.slice(0, p.lastIndexOf('/') === -1 ? 0 : p.lastIndexOf('/')) !== path) continue;
      const name = p.slice(p.lastIndexOf('/') + 1);
      out.push({ name, type: v === 'dir' ? 'dir' : typeof v === 'string' ? 'file' : 'symlink' });
    }
    return out;
  }

  async resolve(path: string): Promise<TreeTarget> {
    let p = path;
    for (let hops = 0; hops < 10; hops++) {
      const v = this.#nodes.get(p);
      if (v === undefined) return { ok: false, reason: 'missing', message: 'ENOENT' };
      if (v === 'dir') return { ok: true, path: p, type: 'dir', size: 0 };
      if (typeof v === 'string') return { ok: true, path: p, type: 'file', size: v.length };
      if (v.link.startsWith('..')) return { ok: false, reason: 'outside', message: 'outside' };
      p = p.includes('/') ? `${p.slice(0, p.lastIndexOf('/'))}/${v.link}` : v.link;
    }
    return { ok: false, reason: 'error', message: 'loop' };
  }

  async read(path: string): Promise<Uint8Array> {
    this.reads.push(path);
    return new TextEncoder().encode(this.#nodes.get(path) as string);
  }

  async prefetch(paths: readonly string[]): Promise<void> {
    this.prefetched.push([...paths]);
  }
}

test('walkTree: any FileTree; prefetch told every file and related file once; links deferred when asked', async () => {
  const files = {
    'usr/lib/node_modules/x/package.json': '{"name": "x", "version": "1.0.0"}',
    lib: { link: 'usr/lib' },
    'web/yarn.lock': 'jquery@3.2.1:\n  version "3.2.1"\n',
    'web/package.json': '{"name": "web", "version": "1.0.0", "dependencies": {"jquery": "3.2.1"}}',
    'srv/package-lock.json': { link: '../../outside/package-lock.json' },
  };
  const tree = new MemoryTree(files, true);
  const r = await walkTree(tree, { mode: 'rootfs' });
  assert.deepEqual(
    r.packages.map((p) => `${p.location} ${p.name}@${p.version}`),
    ['usr/lib/node_modules/x/package.json x@1.0.0', 'web/yarn.lock jquery@3.2.1', 'web/yarn.lock web@1.0.0'],
  );
  assert.deepEqual(r.issues, [{ location: 'srv/package-lock.json', message: 'links outside the test tree: not read' }]);
  assert.deepEqual(tree.prefetched, [['usr/lib/node_modules/x/package.json', 'web/yarn.lock', 'web/package.json']]);
  // without deferral the link comes first in name order, and names the place
  const eager = await walkTree(new MemoryTree(files), { mode: 'rootfs' });
  assert.equal(eager.packages[0]!.location, 'lib/node_modules/x/package.json');
});

test('an extractor with extractBytes gets the bytes, undecoded', async () => {
  const seen: number[][] = [];
  const binary: Extractor = {
    id: 'test/binary',
    ecosystem: 'npm',
    kind: 'installed',
    matches: (p) => p.endsWith('.db'),
    extract: () => ({ packages: [], issues: [{ location: 'x', message: 'needs bytes' }] }),
    extractBytes: (bytes, path) => {
      seen.push([...bytes]);
      return { packages: [{ name: 'b', version: '1', ecosystem: 'npm', location: path }], issues: [] };
    },
  };
  const root = tree({});
  writeFileSync(join(root, 'pkgs.db'), Buffer.from([0xff, 0xfe, 0x00, 0x01]));
  const r = await walkInventory(root, { mode: 'rootfs', extractors: [binary] });
  assert.deepEqual(seen, [[0xff, 0xfe, 0x00, 0x01]]);
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.files, [{ path: 'pkgs.db', extractor: 'test/binary', packages: 1 }]);
});

test('progress: entries walked (every 4,096) and each claimed file as it is read', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mamori-walk-progress-'));
  try {
    mkdirSync(join(root, 'many'));
    for (let i = 0; i < 5000; i++) writeFileSync(join(root, 'many', `f${i}.txt`), '');
    writeFileSync(join(root, 'requirements.txt'), 'flask==2.0.0\n');
    writeFileSync(join(root, 'many', 'requirements.txt'), 'requests==2.31.0\n');
    const seen: { entries: number; claimed: number; read: number }[] = [];
    const r = await walkInventory(root, { onProgress: (p) => seen.push(p) });
    assert.equal(r.packages.length, 2);
    assert.ok(
      seen.some((p) => p.entries === 4096 && p.read === 0),
      'a walk tick',
    );
    assert.deepEqual(
      seen.filter((p) => p.entries > 5000).map((p) => [p.claimed, p.read]),
      [
        [2, 0],
        [2, 1],
      ],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
