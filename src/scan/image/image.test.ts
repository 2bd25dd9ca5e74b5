import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { WalkResult } from '../inventory/walk.ts';
import { ImageError, openImage, walkImage } from './index.ts';
import {
  compress,
  dockerSave,
  layoutDir,
  layoutTar,
  lock,
  ociLayout,
  pkg,
  sha256,
  tarOf,
  tempDir,
  type TarEntry,
} from './testkit.ts';

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (bytes: Buffer) => {
  const p = join(dir, `image-${++n}.tar`);
  writeFileSync(p, bytes);
  return p;
};

const found = (r: WalkResult) => r.packages.map((p) => `${p.location} ${p.name}@${p.version}`).sort();
const issues = (r: { issues: readonly { location: string; message: string }[] }) =>
  r.issues.map((i) => `${i.location}: ${i.message}`);

// three layers: plain, gzip, zstd — replacement, whiteout, opaque directory, links
const layer1: TarEntry[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/os-release', body: 'ID=debian\n' },
  { name: 'app/package-lock.json', body: lock('lodash', '4.17.20') },
  { name: 'app/node_modules/x/package.json', body: pkg('x', '1.0.0') },
  { name: 'old/package-lock.json', body: lock('removed', '1.0.0') },
  { name: 'opq/node_modules/gone/package.json', body: pkg('gone', '1.0.0') },
  { name: 'data/lock.json', body: lock('linked', '2.0.0') },
  { name: 'usr/lib/', type: 'directory' },
  { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
];
const layer2: TarEntry[] = [
  { name: 'app/package-lock.json', body: lock('lodash', '4.17.21') },
  { name: 'old/.wh.package-lock.json' },
  { name: 'opq/node_modules/new/package.json', body: pkg('new', '2.0.0') },
  // the opaque marker after this layer's own file: it still only hides the lower layers
  { name: 'opq/.wh..wh..opq' },
  { name: 'srv/package-lock.json', type: 'symlink', linkname: '/data/lock.json' },
  { name: 'escape/package-lock.json', type: 'symlink', linkname: '../../../../etc/shadow' },
  // written through the `lib -> usr/lib` symlink of the layer below
  { name: 'lib/node_modules/via-link/package.json', body: pkg('via-link', '3.0.0') },
];
const layer3: TarEntry[] = [
  {
    name: 'web/package.json',
    body: JSON.stringify({ name: 'web', version: '1.0.0', dependencies: { jquery: '3.2.1' } }),
  },
  { name: 'web/yarn.lock', body: 'jquery@3.2.1:\n  version "3.2.1"\n' },
  { name: 'copy/package-lock.json', type: 'link', linkname: 'app/package-lock.json' },
];

const expected = [
  'app/node_modules/x/package.json x@1.0.0',
  'app/package-lock.json lodash@4.17.21',
  'copy/package-lock.json lodash@4.17.21',
  'opq/node_modules/new/package.json new@2.0.0',
  'srv/package-lock.json linked@2.0.0',
  'usr/lib/node_modules/via-link/package.json via-link@3.0.0',
  'web/yarn.lock jquery@3.2.1',
  'web/yarn.lock web@1.0.0',
];

async function threeLayers() {
  return [
    compress(await tarOf(layer1), 'none'),
    compress(await tarOf(layer2), 'gzip'),
    compress(await tarOf(layer3), 'zstd'),
  ];
}

test('docker save: layers in order, whiteouts, opaque directory, links; metadata', async () => {
  const layers = await threeLayers();
  const path = file(await dockerSave(layers, { tags: ['example/app:1.0'] }));
  const r = await walkImage(path);
  assert.deepEqual(found(r), expected);
  assert.deepEqual(issues(r), ['escape/package-lock.json: links outside the image: not read']);
  const img = r.image;
  assert.equal(img.format, 'docker-save');
  assert.deepEqual(img.repoTags, ['example/app:1.0']);
  assert.equal(img.reference, 'example/app:1.0');
  assert.match(img.configDigest ?? '', /^sha256:[a-f0-9]{64}$/);
  assert.equal(`${img.os}/${img.architecture}`, 'linux/amd64');
  assert.equal(img.created, '2024-05-01T10:00:00Z');
  assert.equal(img.history.length, 1);
  assert.deepEqual(
    img.layers.map((l) => `${l.compression} ${l.digest === sha256(layers[l.index]!)} ${l.size}`),
    layers.map((l, i) => `${['none', 'gzip', 'zstd'][i]} true ${l.length}`),
  );
});

test('docker save, legacy layout (<id>/layer.tar, <hex>.json): diff_ids checked for plain layers', async () => {
  const l1 = await tarOf(layer1);
  const good = file(await dockerSave([l1], { legacy: true, config: { diffIds: [sha256(l1)] } }));
  const r = await walkImage(good);
  assert.deepEqual(issues(r), []);
  assert.ok(found(r).includes('app/package-lock.json lodash@4.17.20'));
  const bad = file(await dockerSave([l1], { legacy: true, config: { diffIds: [sha256('other')] } }));
  assert.match(issues(await walkImage(bad)).join('\n'), /layer 1 of 1: digest mismatch: .*diff_id/);
});

test('OCI layout, as a directory and as a tar: an index of two platforms, linux/amd64 by default', async () => {
  const amd = [await tarOf([{ name: 'a/package-lock.json', body: lock('amd-only', '1.0.0') }])];
  const arm = [gzipSync(await tarOf([{ name: 'a/package-lock.json', body: lock('arm-only', '1.0.0') }]))];
  const files = ociLayout(
    [
      { layers: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { layers: amd, platform: { os: 'linux', architecture: 'amd64' } },
    ],
    { refName: 'registry.example/app:2.0', attestation: true },
  );
  for (const path of [layoutDir(files, dir), file(await layoutTar(files))]) {
    const r = await walkImage(path);
    assert.deepEqual(found(r), ['a/package-lock.json amd-only@1.0.0'], path);
    assert.deepEqual(issues(r), []);
    assert.equal(r.image.format, 'oci-layout');
    assert.deepEqual(r.image.platforms, ['linux/arm64/v8', 'linux/amd64']);
    assert.deepEqual(r.image.repoTags, ['registry.example/app:2.0']);
    assert.match(r.image.manifestDigest ?? '', /^sha256:/);
    const arm64 = await walkImage(path, { platform: 'linux/arm64' });
    assert.deepEqual(found(arm64), ['a/package-lock.json arm-only@1.0.0']);
    assert.equal(arm64.image.variant, 'v8');
    await assert.rejects(walkImage(path, { platform: 'linux/s390x' }), { code: 'IMAGE_NOT_IN_ARCHIVE' });
    await assert.rejects(walkImage(path, { reference: 'other:1' }), { code: 'IMAGE_NOT_IN_ARCHIVE' });
    assert.equal((await walkImage(path, { reference: 'registry.example/app:2.0' })).packages.length, 1);
  }
  // without linux/amd64 and nothing to choose by: an error that lists the choices
  const two = ociLayout(
    [
      { layers: arm, platform: { os: 'linux', architecture: 'arm64' } },
      { layers: arm, platform: { os: 'linux', architecture: 's390x' } },
    ],
    { flat: true },
  );
  await assert.rejects(walkImage(layoutDir(two, dir)), (e: unknown) => {
    assert.ok(e instanceof ImageError);
    assert.equal(e.code, 'IMAGE_AMBIGUOUS');
    assert.match(e.message, /linux\/arm64, linux\/s390x/);
    return true;
  });
});

test('a truncated or corrupt layer is an issue naming it; earlier and later layers are kept', async () => {
  const [l1, l2, l3] = await threeLayers();
  const cut = l2!.subarray(0, l2!.length - 20);
  const r = await walkImage(file(await dockerSave([l1!, cut, l3!])));
  const text = issues(r).join('\n');
  assert.match(text, new RegExp(`blobs/sha256/${sha256(cut).slice(7)}: layer 2 of 3: corrupt gzip data`));
  assert.ok(found(r).includes('app/node_modules/x/package.json x@1.0.0'), 'layer 1 kept');
  assert.ok(found(r).includes('web/yarn.lock jquery@3.2.1'), 'layer 3 applied');

  // a plain tar cut inside an entry: the entries before it stand
  const plain = await tarOf(layer2);
  const cutTar = plain.subarray(0, 512 * 3 + 100);
  const r2 = await walkImage(file(await dockerSave([l1!, cutTar])));
  assert.match(issues(r2).join('\n'), /layer 2 of 2: corrupt or truncated tar .* after \d+ entries \(last: /);
  assert.ok(found(r2).includes('app/package-lock.json lodash@4.17.21'), 'the first entry of the cut layer stands');

  // garbage where a layer should be
  const r3 = await walkImage(file(await dockerSave([l1!, Buffer.from('not a tar'.repeat(100))])));
  assert.match(issues(r3).join('\n'), /layer 2 of 2: corrupt or truncated tar/);
  assert.ok(found(r3).includes('app/package-lock.json lodash@4.17.20'));
});

test('a missing blob and a digest mismatch are issues; the other layers are read', async () => {
  const l1 = await tarOf([{ name: 'one/package-lock.json', body: lock('one', '1.0.0') }]);
  const l2 = await tarOf([{ name: 'two/package-lock.json', body: lock('two', '1.0.0') }]);
  const l3 = await tarOf([{ name: 'three/package-lock.json', body: lock('three', '1.0.0') }]);
  const files = ociLayout([{ layers: [l1, l2, l3], digests: [undefined, undefined, sha256('something else')] }], {
    omit: [sha256(l2)],
  });
  const r = await walkImage(layoutDir(files, dir));
  assert.deepEqual(found(r), ['one/package-lock.json one@1.0.0', 'three/package-lock.json three@1.0.0']);
  const text = issues(r);
  assert.equal(text.length, 2, text.join('\n'));
  assert.match(text[0]!, /^blobs\/sha256\/[a-f0-9]{64}: layer 2 of 3: the blob is missing from the image/);
  assert.match(text[1]!, /layer 3 of 3: digest mismatch: the blob hashes to sha256:/);
  // docker save too
  const d = await walkImage(file(await dockerSave([l1, l2], { omit: [sha256(l1)] })));
  assert.deepEqual(found(d), ['two/package-lock.json two@1.0.0']);
  assert.match(issues(d).join('\n'), /layer 1 of 2: the blob is missing/);
});

test('not an image, a compressed archive, several images: ImageError with a code', async () => {
  await assert.rejects(walkImage(join(dir, 'nope.tar')), { code: 'IMAGE_NOT_FOUND' });
  await assert.rejects(walkImage(file(Buffer.from('hello'.repeat(200)))), { code: 'IMAGE_INVALID' });
  await assert.rejects(walkImage(file(await tarOf([{ name: 'README', body: 'x' }]))), { code: 'IMAGE_INVALID' });
  const l1 = await tarOf(layer1);
  await assert.rejects(walkImage(file(gzipSync(await dockerSave([l1])))), { code: 'IMAGE_UNSUPPORTED' });
  const many = ociLayout(
    [
      { layers: [l1], platform: { os: 'linux', architecture: 'amd64' } },
      { layers: [l1], platform: { os: 'linux', architecture: 'amd64' } },
    ].map((img, i) => ({ ...img, layers: [Buffer.concat([img.layers[0]!, Buffer.alloc(i * 512)])] })),
    { flat: true },
  );
  await assert.rejects(walkImage(layoutDir(many, dir)), { code: 'IMAGE_AMBIGUOUS' });
});

test('a layer of 20k irrelevant files is streamed through: only the claimed file is held', async () => {
  const entries: TarEntry[] = [];
  for (let i = 0; i < 20_000; i++)
    entries.push({ name: `usr/share/doc/pkg${i % 200}/file${i}.txt`, body: 'x'.repeat(200) });
  entries.push({ name: 'app/package-lock.json', body: lock('needle', '1.0.0') });
  const big = await tarOf(entries);
  const path = file(await dockerSave([compress(big, 'gzip')]));
  const started = performance.now();
  const r = await walkImage(path);
  const ms = performance.now() - started;
  assert.deepEqual(found(r), ['app/package-lock.json needle@1.0.0']);
  // a loose bound (CI machines vary): it catches per-entry work that grows with the layer, not milliseconds
  assert.ok(ms < 15_000, `${ms} ms`);
  const image = await openImage(path, { wanted: (p) => p.endsWith('package-lock.json') });
  try {
    assert.equal(image.tree.heldBytes, lock('needle', '1.0.0').length, 'only the lockfile bytes are kept');
    assert.equal(image.info.layers[0]!.entries, 20_001);
  } finally {
    await image.close();
  }
});

test('openImage: the tree reads files the first pass did not keep, by streaming their layer again', async () => {
  const layers = await threeLayers();
  const image = await openImage(file(await dockerSave(layers)));
  try {
    assert.equal(image.tree.heldBytes, 0);
    const t = image.tree.resolveSync('lib/node_modules/via-link/package.json');
    assert.ok(t.ok && t.path === 'usr/lib/node_modules/via-link/package.json');
    const bytes = await image.tree.read('etc/os-release', 1000);
    assert.equal(new TextDecoder().decode(bytes), 'ID=debian\n');
    await assert.rejects(image.tree.read('old/package-lock.json', 1000), /no such file/);
  } finally {
    await image.close();
  }
});

test('archive forms: a layout one directory down in its tar, docker save linking a repeated layer', async () => {
  const l1 = await tarOf([{ name: 'a/package-lock.json', body: lock('a', '1.0.0') }]);
  const files = ociLayout([{ layers: [l1], platform: { os: 'linux', architecture: 'amd64' } }]);
  const nested = await tarOf([...files].map(([name, body]) => ({ name: `my-image/${name}`, body })));
  assert.deepEqual(found(await walkImage(file(nested))), ['a/package-lock.json a@1.0.0']);

  const config = JSON.stringify({ os: 'linux', architecture: 'arm64', rootfs: { diff_ids: [] } });
  const configName = `${sha256(config).slice(7)}.json`;
  const legacy = await tarOf([
    { name: 'one/layer.tar', body: l1 },
    { name: 'two/layer.tar', type: 'symlink', linkname: '../one/layer.tar' },
    { name: configName, body: config },
    {
      name: 'manifest.json',
      body: JSON.stringify([{ Config: configName, RepoTags: null, Layers: ['one/layer.tar', 'two/layer.tar'] }]),
    },
  ]);
  const r = await walkImage(file(legacy));
  assert.deepEqual(found(r), ['a/package-lock.json a@1.0.0']);
  assert.deepEqual(issues(r), []);
  assert.deepEqual(r.image.repoTags, []);
  assert.equal(r.image.architecture, 'arm64');
  assert.deepEqual(
    r.image.layers.map((l) => l.digest),
    [sha256(l1), sha256(l1)],
  );
});

test('OS packages: dpkg status replaced by a later layer, os-release through its usual symlink', async () => {
  const status = (version: string) =>
    `Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: ${version}\n\n`;
  const l1 = await tarOf([
    { name: 'usr/lib/os-release', body: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n' },
    { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { name: 'var/lib/dpkg/status', body: status('3.0.11-1~deb12u1') },
  ]);
  const l2 = gzipSync(await tarOf([{ name: 'var/lib/dpkg/status', body: status('3.0.11-1~deb12u2') }]));
  const r = await walkImage(file(await dockerSave([l1, l2])));
  assert.deepEqual(issues(r), []);
  assert.deepEqual(
    r.packages.map((p) => `${p.location} ${p.name}@${p.version} ${p.ecosystem} ${p.sourceName}`),
    ['var/lib/dpkg/status libssl3@3.0.11-1~deb12u2 Debian:12 openssl'],
  );
});
