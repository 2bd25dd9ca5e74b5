import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { byId, ids } from '../inventory/testkit.ts';
import { dpkgStatus, dpkgStatusD, parseDpkgStatus } from './dpkg.ts';

const ROOTFS = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'rootfs');
const read = (p: string) => readFileSync(join(ROOTFS, p), 'utf8');
const DEBIAN12 = new Map([['etc/os-release', read('debian12/etc/os-release')]]);

test('dpkg status: installed entries only, Source forms, epochs, multi-line fields, issues with lines', () => {
  const r = parseDpkgStatus(read('debian12/var/lib/dpkg/status'), 'var/lib/dpkg/status', DEBIAN12);
  assert.deepEqual(ids(r), [
    'after-garbage@1.0-1',
    'libfoo1@1.2-3+b1',
    'libssl3@3.0.11-1~deb12u2',
    'libtrig@5.0-2',
    'mamori-tools@1:2.0-1',
  ]);
  const m = byId(r);
  const ssl = m.get('libssl3@3.0.11-1~deb12u2')!;
  assert.equal(ssl.ecosystem, 'Debian:12');
  assert.equal(ssl.sourceName, 'openssl');
  assert.equal(ssl.sourceVersion, '3.0.11-1~deb12u2');
  assert.equal(ssl.line, 1);
  assert.equal(ssl.location, 'var/lib/dpkg/status');
  assert.equal(ssl.purl, 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl');
  const foo = m.get('libfoo1@1.2-3+b1')!;
  assert.equal(foo.sourceName, 'foo');
  assert.equal(foo.sourceVersion, '1.2-3', 'the version in "Source: foo (1.2-3)"');
  assert.equal(foo.purl, 'pkg:deb/debian/libfoo1@1.2-3%2Bb1?arch=amd64&distro=debian-12&upstream=foo%401.2-3');
  const tools = m.get('mamori-tools@1:2.0-1')!;
  assert.equal(tools.sourceName, 'mamori-tools', 'no Source field: the binary is its own source');
  assert.equal(tools.sourceVersion, '1:2.0-1');
  assert.equal(tools.purl, 'pkg:deb/debian/mamori-tools@1:2.0-1?arch=all&distro=debian-12');
  assert.equal(m.get('after-garbage@1.0-1')?.line, 54);
  assert.deepEqual(
    r.issues.map((i) => [i.line, i.message]),
    [
      [49, 'noversion: no Version: skipped'],
      [53, 'not a "Field: value" line: "this line is not a field"'],
    ],
  );
});

test('dpkg status: CRLF, BOM, bad Status, duplicate fields, bad names, bad Source, stray continuations', () => {
  const text = [
    '\ufeffPackage: a',
    'Status: install ok installed',
    'Version: 1.0-1',
    'Version: 2.0-1',
    '',
    ' continuation first',
    'Package: b',
    'Status: install ok',
    'Version: 1',
    '',
    'Package: Bad_Name',
    'Status: install ok installed',
    'Version: 1',
    '',
    'Package: c',
    'Status: install ok installed',
    'Version: 3.0',
    ' wrapped',
    'Source: c-src (3.0',
    '',
    'Version: 9',
    'Status: install ok installed',
    '',
    'Package: d',
    'Version: 1.0',
    '',
  ].join('\r\n');
  const r = parseDpkgStatus(text, 'var/lib/dpkg/status', DEBIAN12);
  assert.deepEqual(ids(r), ['a@1.0-1', 'c@3.0']);
  assert.equal(byId(r).get('c@3.0')?.sourceName, 'c');
  assert.deepEqual(
    r.issues.map((i) => [i.line, i.message]),
    [
      [4, 'field Version given twice in one entry: the first is used'],
      [6, 'continuation line outside a field: ignored'],
      [8, 'b: Status "install ok" is not "<want> <flag> <status>": skipped'],
      [11, 'package name "Bad_Name" is not a dpkg name: skipped'],
      [18, 'field version continues on a second line: the continuation is ignored'],
      [19, 'c: Source "c-src (3.0" is not "name" or "name (version)": ignored'],
      [21, 'entry without a Package field: skipped'],
      [24, 'd: no Status field: skipped'],
    ],
  );
});

test('dpkg status: garbage never throws, and its issues are bounded', () => {
  for (const text of ['', '\n\n\n', '\u0000\u0001\u0002', 'Package:', ':::', 'Package: x\nStatus: \n']) {
    const r = parseDpkgStatus(text, 'var/lib/dpkg/status', DEBIAN12);
    assert.equal(r.packages.length, 0, JSON.stringify(text));
  }
  const r = parseDpkgStatus('garbage\n'.repeat(50_000), 'var/lib/dpkg/status', DEBIAN12);
  assert.ok(r.issues.length <= 1001);
  assert.match(r.issues.at(-1)?.message ?? '', /more issues not listed/);
});

test('dpkg status: the release comes from the rootfs the database is in; none → Debian with an issue', () => {
  assert.deepEqual(dpkgStatus.related?.('img/var/lib/dpkg/status').slice(0, 2), [
    'img/etc/os-release',
    'img/usr/lib/os-release',
  ]);
  const text = 'Package: curl\nStatus: install ok installed\nVersion: 8.5.0-2ubuntu10.1\nArchitecture: amd64\n';
  const ubuntu = new Map([
    ['img/etc/os-release', 'ID=ubuntu\nVERSION_ID="24.04"\nVERSION="24.04 LTS (Noble Numbat)"\n'],
  ]);
  const r = parseDpkgStatus(text, 'img/var/lib/dpkg/status', ubuntu);
  assert.equal(r.packages[0]?.ecosystem, 'Ubuntu:24.04:LTS');
  assert.equal(r.packages[0]?.purl, 'pkg:deb/ubuntu/curl@8.5.0-2ubuntu10.1?arch=amd64&distro=ubuntu-24.04');
  assert.deepEqual(r.issues, []);
  const bare = parseDpkgStatus(text, 'var/lib/dpkg/status', new Map());
  assert.equal(bare.packages[0]?.ecosystem, 'Debian');
  assert.match(bare.issues[0]?.message ?? '', /no os-release/);
  const alpine = parseDpkgStatus(text, 'var/lib/dpkg/status', new Map([['etc/os-release', 'ID=alpine\n']]));
  assert.equal(alpine.packages.length, 0);
  assert.match(alpine.issues[0]?.message ?? '', /no OSV ecosystem for deb packages/);
});

test('dpkg paths: status and distroless status.d entries, not md5sums or look-alikes', () => {
  assert.ok(dpkgStatus.matches('var/lib/dpkg/status'));
  assert.ok(dpkgStatus.matches('layers/1/var/lib/dpkg/status'));
  assert.ok(!dpkgStatus.matches('var/lib/dpkg/status-old'));
  assert.ok(!dpkgStatus.matches('var/lib/dpkg/status.d/libc6'));
  assert.ok(!dpkgStatus.matches('myvar/lib/dpkg/status'));
  assert.ok(dpkgStatusD.matches('var/lib/dpkg/status.d/libc6'));
  assert.ok(!dpkgStatusD.matches('var/lib/dpkg/status.d/libc6.md5sums'));
  assert.ok(!dpkgStatusD.matches('var/lib/dpkg/status.d/sub/libc6'));
  assert.ok(!dpkgStatusD.matches('var/lib/dpkg/status'));
  assert.deepEqual(dpkgStatusD.related?.('r/var/lib/dpkg/status.d/libc6').slice(0, 2), [
    'r/etc/os-release',
    'r/usr/lib/os-release',
  ]);
});

test('distroless status.d: entries without Status are installed; usr/lib/os-release is the fallback', () => {
  const related = new Map([['usr/lib/os-release', read('distroless/usr/lib/os-release')]]);
  const libc = dpkgStatusD.extract(
    read('distroless/var/lib/dpkg/status.d/libc6'),
    'var/lib/dpkg/status.d/libc6',
    related,
  );
  assert.deepEqual(ids(libc), ['libc6@2.36-9+deb12u4']);
  assert.equal(libc.packages[0]?.sourceName, 'glibc');
  assert.equal(libc.packages[0]?.ecosystem, 'Debian:12');
  assert.deepEqual(libc.issues, []);
  const tz = dpkgStatusD.extract(
    read('distroless/var/lib/dpkg/status.d/tzdata'),
    'var/lib/dpkg/status.d/tzdata',
    related,
  );
  assert.deepEqual(ids(tz), ['tzdata@2024a-0+deb12u1']);
});

// this machine's own database, compared with what dpkg-query says
const STATUS = '/var/lib/dpkg/status';
let dpkgQuery: string | undefined;
try {
  dpkgQuery = execFileSync(
    'dpkg-query',
    ['-W', '-f', '${db:Status-Status}\\t${Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\n'],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
} catch {
  dpkgQuery = undefined;
}
const skipHost = !existsSync(STATUS)
  ? `${STATUS} not found`
  : dpkgQuery === undefined
    ? 'dpkg-query not available'
    : false;

test("this machine's dpkg status agrees with dpkg-query", { skip: skipHost }, () => {
  const related = new Map<string, string>();
  for (const f of ['/etc/os-release', '/usr/lib/os-release'])
    if (existsSync(f)) related.set(f.slice(1), readFileSync(f, 'utf8'));
  const r = parseDpkgStatus(readFileSync(STATUS, 'utf8'), 'var/lib/dpkg/status', related);
  const got = new Map(r.packages.map((p) => [`${p.name} ${p.version}`, p]));
  const want = new Set<string>();
  for (const line of dpkgQuery!.split('\n')) {
    const [status, name, version, srcName, srcVersion] = line.split('\t');
    if (status === undefined || name === undefined || version === undefined) continue;
    if (!['installed', 'triggers-awaited', 'triggers-pending'].includes(status)) continue;
    const key = `${name} ${version}`;
    want.add(key);
    const p = got.get(key);
    assert.ok(p !== undefined, `${key} from dpkg-query is missing`);
    assert.equal(p.sourceName, srcName, `${key}: source name`);
    assert.equal(p.sourceVersion, srcVersion, `${key}: source version`);
  }
  assert.ok(want.size > 10, `only ${want.size} installed packages`);
  assert.equal(got.size, want.size, 'no package dpkg-query does not list');
  assert.deepEqual(r.issues, []);
});
