import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { walkInventory } from '../inventory/walk.ts';
import { OSV_ECOSYSTEMS } from '../versions/index.ts';
import { OS_EXTRACTORS } from './index.ts';

const ROOTFS = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'rootfs');

test('OS extractor registry: os/ ids, installed kind, OSV base ecosystems, keys are the ids', () => {
  assert.deepEqual([...OS_EXTRACTORS.keys()].sort(), ['os/apk', 'os/dpkg', 'os/dpkg-distroless', 'os/rpm-sqlite']);
  for (const [id, e] of OS_EXTRACTORS) {
    assert.equal(e.id, id);
    assert.equal(e.kind, 'installed', id);
    assert.ok((OSV_ECOSYSTEMS as readonly string[]).includes(e.ecosystem), `${id}: ${e.ecosystem}`);
    assert.ok(e.related !== undefined, `${id} asks for the release files`);
  }
});

test('each database path is claimed by exactly one OS extractor', () => {
  const paths = [
    'var/lib/dpkg/status',
    'var/lib/dpkg/status.d/libc6',
    'lib/apk/db/installed',
    'var/lib/rpm/rpmdb.sqlite',
    'usr/lib/sysimage/rpm/rpmdb.sqlite',
    'var/lib/rpm/Packages',
    'usr/lib/sysimage/rpm/Packages.db',
  ];
  for (const p of paths) {
    const claimed = [...OS_EXTRACTORS.values()].filter((e) => e.matches(p)).map((e) => e.id);
    assert.equal(claimed.length, 1, `${p}: ${claimed.join(', ')}`);
  }
  for (const p of ['etc/os-release', 'package-lock.json', 'var/lib/dpkg/available', 'var/lib/rpm/Basenames'])
    assert.ok(![...OS_EXTRACTORS.values()].some((e) => e.matches(p)), p);
});

test('every module of the folder is reachable from the registry or a helper (no stray extractor)', () => {
  const files = readdirSync(import.meta.dirname)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  assert.deepEqual(files, [
    'apk.ts',
    'common.ts',
    'dpkg.ts',
    'index.ts',
    'release.ts',
    'rpm-header.ts',
    'rpm-sqlite.ts',
  ]);
});

test('the walker runs the OS extractors over the rootfs fixtures', async () => {
  const extractors = [...OS_EXTRACTORS.values()];
  const debian = await walkInventory(join(ROOTFS, 'debian12'), { mode: 'rootfs', extractors });
  assert.equal(debian.packages.length, 5);
  assert.ok(debian.packages.every((p) => p.ecosystem === 'Debian:12' && p.location === 'var/lib/dpkg/status'));
  const distroless = await walkInventory(join(ROOTFS, 'distroless'), { mode: 'rootfs', extractors });
  assert.deepEqual(distroless.packages.map((p) => `${p.name} ${p.ecosystem}`).sort(), [
    'libc6 Debian:12',
    'tzdata Debian:12',
  ]);
  const alpine = await walkInventory(join(ROOTFS, 'alpine319'), { mode: 'rootfs', extractors });
  assert.equal(alpine.packages.length, 3);
  // a repository scan does not run them
  const repo = await walkInventory(join(ROOTFS, 'debian12'), { mode: 'repo', extractors });
  assert.equal(repo.packages.length, 0);
  // rpm needs the bytes: listed once the walker passes them to extractBytes, an issue until then
  const rocky = await walkInventory(join(ROOTFS, 'rocky9'), { mode: 'rootfs', extractors });
  const listed = rocky.packages.length === 3 && rocky.packages.every((p) => p.ecosystem === 'Rocky Linux:9');
  const needsBytes = rocky.issues.some((i) => /extractBytes/.test(i.message));
  assert.ok(listed || needsBytes, JSON.stringify(rocky.issues));
  const centos = await walkInventory(join(ROOTFS, 'centos7'), { mode: 'rootfs', extractors });
  assert.match(centos.issues.map((i) => i.message).join('\n'), /BerkeleyDB/);
});
