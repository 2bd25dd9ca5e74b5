// `mamori scan --root` and `--image` end to end: a Debian root (test/fixtures/rootfs/debian12), and a docker
// save archive built here whose layers hold that root's dpkg status, os-release and an npm lockfile (one of
// them later deleted by a whiteout).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress, dockerSave, tarOf } from '../../src/scan/image/testkit.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'mamori');
const DEBIAN = join(ROOT, 'test', 'fixtures', 'rootfs', 'debian12');
const OSV = join(ROOT, 'test', 'fixtures', 'scan', 'osv-os');
let dir = '';

type Line = {
  package: { name: string; version: string; ecosystem: string; location: string; sourceName?: string };
  vulnerability: { id: string; upgrade?: string };
};
const lines = (s: string): Line[] =>
  s
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
function mamori(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, MAMORI_HOME: dir } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-scan-targets-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('--root: dpkg packages of a Debian 12 root, matched by their source package', () => {
  const r = mamori(['scan', '--root', DEBIAN, '--db', OSV, '-f', 'jsonl', '-q']);
  assert.equal(r.code, 0, r.stderr);
  const got = lines(r.stdout);
  assert.deepEqual(
    got.map((l) => [l.package.name, l.package.version, l.package.ecosystem, l.package.location, l.vulnerability.id]),
    [['libssl3', '3.0.11-1~deb12u2', 'Debian:12', 'var/lib/dpkg/status', 'CVE-2023-5363']],
  );
  assert.equal(got[0]!.package.sourceName, 'openssl');
  assert.equal(got[0]!.vulnerability.upgrade, '3.0.11-1~deb12u3');
});

test('--image: a docker save archive, layers in order, whiteouts applied', async () => {
  const status = await readFile(join(DEBIAN, 'var', 'lib', 'dpkg', 'status'));
  const osRelease = await readFile(join(DEBIAN, 'etc', 'os-release'));
  const lock = (v: string): string =>
    JSON.stringify({
      name: 'app',
      lockfileVersion: 3,
      packages: { '': { name: 'app', dependencies: { lodash: '*' } }, 'node_modules/lodash': { version: v } },
    });
  const base = await tarOf([
    { name: 'etc/os-release', body: osRelease },
    { name: 'var/lib/dpkg/status', body: status },
    { name: 'srv/app/package-lock.json', body: lock('4.17.20') },
    { name: 'srv/old/package-lock.json', body: lock('4.17.15') },
  ]);
  const top = await tarOf([{ name: 'srv/old/.wh.package-lock.json' }]);
  const image = join(dir, 'app.tar');
  await writeFile(image, await dockerSave([compress(base, 'gzip'), top], { tags: ['bank/portal:1.4'] }));
  const r = mamori(['scan', '--image', image, '--db', OSV, '-f', 'jsonl', '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    lines(r.stdout)
      .map((l) => `${l.package.location} ${l.package.name}@${l.package.version} ${l.vulnerability.id}`)
      .sort(),
    [
      'srv/app/package-lock.json lodash@4.17.20 CVE-2021-23337',
      'var/lib/dpkg/status libssl3@3.0.11-1~deb12u2 CVE-2023-5363',
    ],
  );
  const table = mamori(['scan', '--image', image, '--db', OSV, '--max-db-age', '100000']);
  assert.match(table.stdout, new RegExp(`^${image.replaceAll('/', '\\/')}: var/lib/dpkg/status \\(Debian:12\\)`, 'm'));
  const bad = mamori(['scan', '--image', join(dir, 'none.tar'), '--db', OSV]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /none\.tar/);
});
