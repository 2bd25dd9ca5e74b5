import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { parsePurl, purlToPackage, type Purl } from '../inventory/purl.ts';
import { byId, ids } from '../inventory/testkit.ts';
import { extractZipMember, readZipDirectory } from '../osv/zip.ts';
import { parseRpmHeader, parseSourceRpm, rpmEvr, RPM_TYPE, RPMTAG } from './rpm-header.ts';
import { parseRpmSqlite, rpmSqlite } from './rpm-sqlite.ts';

const ROOTFS = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'rootfs');
const ROCKY = new Map([['etc/os-release', readFileSync(join(ROOTFS, 'rocky9/etc/os-release'), 'utf8')]]);
const DB = 'var/lib/rpm/rpmdb.sqlite';

type Entry = { tag: number; type: number; value: string | number; count?: number; offset?: number };

/** A header blob as the spec lays it out (il, dl, index entries, data); `offset`/`count` override for damage. */
function headerBlob(entries: readonly Entry[], opts: { magic?: boolean; il?: number; dl?: number } = {}): Uint8Array {
  const data: number[] = [];
  const index: number[][] = [];
  for (const e of entries) {
    let offset: number;
    if (typeof e.value === 'number') {
      while (data.length % 4 !== 0) data.push(0);
      offset = data.length;
      data.push((e.value >>> 24) & 255, (e.value >>> 16) & 255, (e.value >>> 8) & 255, e.value & 255);
    } else {
      offset = data.length;
      data.push(...new TextEncoder().encode(e.value), 0);
    }
    index.push([e.tag, e.type, e.offset ?? offset, e.count ?? 1]);
  }
  const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  const out = [
    ...(opts.magic === true ? [0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0] : []),
    ...u32(opts.il ?? index.length),
    ...u32(opts.dl ?? data.length),
    ...index.flatMap((i) => i.flatMap(u32)),
    ...data,
  ];
  return new Uint8Array(out);
}

const PKG: readonly Entry[] = [
  { tag: 63, type: 7, value: 'region-ish' },
  { tag: RPMTAG.NAME, type: RPM_TYPE.STRING, value: 'openssl-libs' },
  { tag: RPMTAG.VERSION, type: RPM_TYPE.STRING, value: '3.0.7' },
  { tag: RPMTAG.RELEASE, type: RPM_TYPE.STRING, value: '27.el9' },
  { tag: RPMTAG.EPOCH, type: RPM_TYPE.INT32, value: 1 },
  { tag: RPMTAG.ARCH, type: RPM_TYPE.STRING, value: 'x86_64' },
  { tag: RPMTAG.SOURCERPM, type: RPM_TYPE.STRING, value: 'openssl-3.0.7-27.el9.src.rpm' },
];

test('rpm header blob: the identity tags, with or without the header magic', () => {
  const want = {
    ok: true,
    header: {
      name: 'openssl-libs',
      version: '3.0.7',
      release: '27.el9',
      epoch: 1,
      arch: 'x86_64',
      sourceRpm: 'openssl-3.0.7-27.el9.src.rpm',
    },
  };
  assert.deepEqual(parseRpmHeader(headerBlob(PKG)), want);
  assert.deepEqual(parseRpmHeader(headerBlob(PKG, { magic: true })), want);
  // the summary is an I18NSTRING array: the first string is used
  const i18n = parseRpmHeader(headerBlob([{ tag: RPMTAG.NAME, type: RPM_TYPE.I18NSTRING, value: 'x', count: 2 }]));
  assert.deepEqual(i18n, { ok: true, header: { name: 'x' } });
});

test('rpm header blob: damage is a reason, never a throw or a read out of bounds', () => {
  const bad = (blob: Uint8Array, re: RegExp) => {
    const r = parseRpmHeader(blob);
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, re);
  };
  bad(new Uint8Array(0), /truncated/);
  bad(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0]), /0 index entries/);
  bad(headerBlob(PKG, { il: 0x10000 }), /65536 index entries/);
  bad(headerBlob(PKG, { dl: 0x7fffffff }), /over rpm's limit/);
  bad(headerBlob(PKG, { dl: 5000 }), /more than its/);
  bad(headerBlob(PKG).subarray(0, 60), /more than its/);
  bad(headerBlob([{ tag: RPMTAG.NAME, type: RPM_TYPE.STRING, value: 'x', offset: 999 }]), /no NAME.*out of the data/);
  bad(headerBlob([{ tag: RPMTAG.NAME, type: RPM_TYPE.INT32, value: 7 }]), /no NAME/);
  bad(headerBlob([{ tag: RPMTAG.NAME, type: 3, value: 'x' }]), /no NAME \(tag 1000 has type 3\)/);
  // a string without its NUL
  const noNul = headerBlob([{ tag: RPMTAG.NAME, type: RPM_TYPE.STRING, value: 'abc' }]);
  bad(noNul.subarray(0, noNul.length - 1), /more than its/);
  const cut = headerBlob([{ tag: RPMTAG.NAME, type: RPM_TYPE.STRING, value: 'abc' }], { dl: 3 });
  bad(cut.subarray(0, cut.length - 1), /string runs past the data/);
  // an epoch that runs past the data is dropped, the rest is kept
  const epoch = parseRpmHeader(
    headerBlob([
      { tag: RPMTAG.NAME, type: RPM_TYPE.STRING, value: 'abc' },
      { tag: RPMTAG.EPOCH, type: RPM_TYPE.INT32, value: 'xy', offset: 5 },
    ]),
  );
  assert.deepEqual(epoch, { ok: true, header: { name: 'abc' } });
});

test('rpm versions and source rpm names', () => {
  assert.equal(rpmEvr({ version: '3.0.7', release: '27.el9' }), '3.0.7-27.el9');
  assert.equal(rpmEvr({ version: '3.0.7', release: '27.el9', epoch: 0 }), '3.0.7-27.el9', 'epoch 0 is not written');
  assert.equal(rpmEvr({ version: '1.8.0.402.b06', release: '2.el8', epoch: 1 }), '1:1.8.0.402.b06-2.el8');
  assert.deepEqual(parseSourceRpm('openssl-3.0.7-27.el9.src.rpm'), {
    name: 'openssl',
    version: '3.0.7',
    release: '27.el9',
  });
  assert.deepEqual(parseSourceRpm('java-1.8.0-openjdk-1.8.0.402.b06-2.el8.src.rpm'), {
    name: 'java-1.8.0-openjdk',
    version: '1.8.0.402.b06',
    release: '2.el8',
  });
  assert.deepEqual(parseSourceRpm('kernel-5.14.0-362.el9.nosrc.rpm')?.name, 'kernel');
  assert.equal(parseSourceRpm('garbage.rpm'), undefined);
  assert.equal(parseSourceRpm('name-1.src.rpm'), undefined);
});

const fixtureBytes = () => new Uint8Array(readFileSync(join(ROOTFS, 'rocky9', DB)));

test('rpmdb.sqlite fixture (WAL mode, as rpm leaves it): Rocky Linux 9 packages, gpg-pubkey skipped', () => {
  const bytes = fixtureBytes();
  assert.equal(bytes[18], 2, 'the fixture is in WAL mode');
  const r = rpmSqlite.extractBytes!(bytes, DB, ROCKY);
  assert.deepEqual(ids(r), ['mamori-demo-libs@2:1.4.2-3.el9', 'mamori-demo@2:1.4.2-3.el9', 'mamori-plain@0.9-1']);
  assert.deepEqual(r.issues, []);
  assert.equal(bytes[18], 2, 'the caller’s bytes are not changed');
  const m = byId(r);
  const libs = m.get('mamori-demo-libs@2:1.4.2-3.el9')!;
  assert.equal(libs.ecosystem, 'Rocky Linux:9');
  assert.equal(libs.location, DB);
  assert.equal(libs.sourceName, 'mamori-demo');
  assert.equal(libs.sourceVersion, '2:1.4.2-3.el9');
  assert.equal(
    libs.purl,
    'pkg:rpm/rocky/mamori-demo-libs@1.4.2-3.el9?arch=noarch&distro=rocky-9.3&epoch=2&upstream=mamori-demo',
  );
  const plain = m.get('mamori-plain@0.9-1')!;
  assert.equal(plain.purl, 'pkg:rpm/rocky/mamori-plain@0.9-1?arch=x86_64&distro=rocky-9.3');
  // the purls map back to the OSV package, epoch included
  const purl = (parsePurl(libs.purl!) as { ok: true; purl: Purl }).purl;
  assert.deepEqual(purlToPackage(purl), {
    ok: true,
    pkg: { ecosystem: 'Rocky Linux:9', name: 'mamori-demo-libs', version: '2:1.4.2-3.el9', sourceName: 'mamori-demo' },
  });
});

test('rpmdb.sqlite: the release decides the ecosystem; an rpm distribution OSV lacks is refused with a count', () => {
  const alma = parseRpmSqlite(fixtureBytes(), DB, new Map([['etc/os-release', 'ID="almalinux"\nVERSION_ID="9.3"\n']]));
  assert.equal(alma.packages[0]?.ecosystem, 'AlmaLinux:9');
  assert.match(alma.packages[0]?.purl ?? '', /^pkg:rpm\/almalinux\//);
  const rhel = parseRpmSqlite(fixtureBytes(), DB, new Map([['etc/os-release', 'ID="rhel"\nVERSION_ID="9.3"\n']]));
  assert.equal(rhel.packages[0]?.ecosystem, 'Red Hat');
  assert.match(rhel.issues[0]?.message ?? '', /product stream/);
  assert.match(rhel.packages[0]?.purl ?? '', /^pkg:rpm\/redhat\/.*distro=rhel-9\.3/);
  const amzn = parseRpmSqlite(fixtureBytes(), DB, new Map([['etc/os-release', 'ID="amzn"\nVERSION_ID="2023"\n']]));
  assert.deepEqual(amzn, {
    packages: [],
    issues: [
      {
        location: DB,
        message: 'Amazon Linux has no OSV ecosystem: its rpm packages cannot be matched: 3 packages not listed',
      },
    ],
  });
  const none = parseRpmSqlite(fixtureBytes(), DB, new Map());
  assert.equal(none.packages.length, 0);
  assert.match(none.issues[0]?.message ?? '', /no os-release/);
});

function sqliteBytes(sql: string): Uint8Array {
  const db = new DatabaseSync(':memory:');
  db.exec(sql);
  const out = db.serialize();
  db.close();
  return out;
}

test('rpmdb.sqlite: not a database, no Packages table, a view, damaged rows, a truncated file', () => {
  const one = (bytes: Uint8Array) => parseRpmSqlite(bytes, DB, ROCKY);
  assert.match(one(new TextEncoder().encode('hello')).issues[0]?.message ?? '', /not an SQLite database/);
  assert.match(one(sqliteBytes('CREATE TABLE x(a)')).issues[0]?.message ?? '', /no Packages table/);
  // a view could be an endless recursive query: not run
  const view = sqliteBytes(
    "CREATE VIEW Packages AS WITH RECURSIVE c(hnum, blob) AS (SELECT 1, x'00' UNION ALL SELECT hnum + 1, blob FROM c) SELECT * FROM c",
  );
  assert.match(one(view).issues[0]?.message ?? '', /Packages is a view/);
  const db = new DatabaseSync(':memory:');
  db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
  const ins = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
  ins.run(headerBlob(PKG));
  ins.run(new Uint8Array([1, 2, 3]));
  ins.run('text, not a blob');
  ins.run(headerBlob([{ tag: RPMTAG.NAME, type: RPM_TYPE.STRING, value: 'noversion' }]));
  ins.run(
    headerBlob([
      { tag: RPMTAG.NAME, type: RPM_TYPE.STRING, value: 'odd' },
      { tag: RPMTAG.VERSION, type: RPM_TYPE.STRING, value: '1' },
      { tag: RPMTAG.SOURCERPM, type: RPM_TYPE.STRING, value: 'weird' },
    ]),
  );
  const bytes = db.serialize();
  db.close();
  const r = one(bytes);
  assert.deepEqual(ids(r), ['odd@1', 'openssl-libs@1:3.0.7-27.el9']);
  assert.equal(byId(r).get('openssl-libs@1:3.0.7-27.el9')?.sourceVersion, '1:3.0.7-27.el9');
  assert.deepEqual(
    r.issues.map((i) => i.message),
    [
      'package #2: header of 3 bytes is truncated: skipped',
      'package #3: blob is not binary: skipped',
      'package #4 noversion: no VERSION: skipped',
      'odd: SOURCERPM "weird" is not name-version-release.src.rpm',
    ],
  );
  // a cut file: an issue, whatever sqlite makes of it
  const cut = one(fixtureBytes().subarray(0, 3000));
  assert.ok(cut.packages.length <= 3);
  const garbage = fixtureBytes();
  for (let i = 512; i < garbage.length; i += 7) garbage[i] = (garbage[i]! * 31 + 7) & 255;
  assert.doesNotThrow(() => one(garbage));
});

test('rpm paths: sqlite in the three rpm folders, the BerkeleyDB and ndb forms claimed to say they are not read', () => {
  for (const p of [
    DB,
    'usr/lib/sysimage/rpm/rpmdb.sqlite',
    'usr/share/rpm/rpmdb.sqlite',
    'img/var/lib/rpm/rpmdb.sqlite',
  ])
    assert.ok(rpmSqlite.matches(p), p);
  for (const p of ['var/lib/rpm/Packages', 'usr/lib/sysimage/rpm/Packages.db']) assert.ok(rpmSqlite.matches(p), p);
  for (const p of ['var/lib/rpm/Name', 'rpmdb.sqlite', 'var/lib/rpm/rpmdb.sqlite-wal', 'opt/var/lib/rpmx/rpmdb.sqlite'])
    assert.ok(!rpmSqlite.matches(p), p);
  assert.deepEqual(rpmSqlite.related?.('img/var/lib/rpm/rpmdb.sqlite').slice(0, 1), ['img/etc/os-release']);
  assert.ok(rpmSqlite.related?.('var/lib/rpm/Packages').includes('usr/lib/sysimage/rpm/rpmdb.sqlite'));
  // the text hook cannot read a binary file
  assert.match(rpmSqlite.extract('SQLite format 3', DB, ROCKY).issues[0]?.message ?? '', /binary/);
});

test('BerkeleyDB Packages without rpmdb.sqlite: an issue; beside an rpmdb.sqlite: nothing', () => {
  const path = 'var/lib/rpm/Packages';
  const bytes = new Uint8Array(readFileSync(join(ROOTFS, 'centos7', path)));
  const r = rpmSqlite.extractBytes!(bytes, path, new Map([['etc/os-release', 'ID="centos"\n']]));
  assert.equal(r.packages.length, 0);
  assert.match(r.issues[0]?.message ?? '', /^rpm database in BerkeleyDB form, which is not read/);
  assert.match(rpmSqlite.extract('', path, new Map()).issues[0]?.message ?? '', /BerkeleyDB form/);
  assert.match(
    rpmSqlite.extractBytes!(new Uint8Array(16), 'var/lib/rpm/Packages.db', new Map()).issues[0]?.message ?? '',
    /ndb \(by its name/,
  );
  assert.match(
    rpmSqlite.extractBytes!(new TextEncoder().encode('RpmP....'), 'var/lib/rpm/Packages.db', new Map()).issues[0]
      ?.message ?? '',
    /in ndb form/,
  );
  const beside = new Map([['var/lib/rpm/rpmdb.sqlite', '(binary)']]);
  assert.deepEqual(rpmSqlite.extractBytes!(bytes, path, beside), { packages: [], issues: [] });
});

// AlmaLinux OSV records name binary rpms: the reason packages are listed by their binary name
const ALMA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'osv', 'AlmaLinux', 'all.zip');
test(
  'AlmaLinux OSV records name binary rpms (openssl-libs, krb5-libs), not source rpms',
  { skip: existsSync(ALMA) ? false : `${ALMA} not found` },
  () => {
    const buf = new Uint8Array(readFileSync(ALMA));
    const names = new Set<string>();
    for (const m of readZipDirectory(buf, ALMA)) {
      if (!m.name.endsWith('.json')) continue;
      const rec = JSON.parse(new TextDecoder().decode(extractZipMember(buf, m, ALMA))) as {
        affected?: { package?: { name?: string } }[];
      };
      for (const a of rec.affected ?? []) if (a.package?.name !== undefined) names.add(a.package.name);
    }
    for (const binary of ['openssl-libs', 'krb5-libs', 'glibc-common', 'python3-libs'])
      assert.ok(names.has(binary), binary);
    assert.ok(!names.has('krb5'), 'krb5 is only a source rpm');
  },
);

// A real database: rpmbuild two tiny packages, install them into a fresh sqlite rpmdb, compare with rpm -qa.
const have = (cmd: string) => {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const skipRpm = !have('rpm') ? 'rpm not available' : !have('rpmbuild') ? 'rpmbuild not available' : false;

const SPECS: Readonly<Record<string, string>> = {
  'mamori-demo.spec': `Name: mamori-demo
Epoch: 2
Version: 1.4.2
Release: 3.el9
Summary: Tiny test package
License: MIT
BuildArch: noarch
%description
Tiny.
%package libs
Summary: Tiny libs
%description libs
Tiny libs.
%install
mkdir -p %{buildroot}/usr/share/mamori-demo
echo hi > %{buildroot}/usr/share/mamori-demo/hi
%files
/usr/share/mamori-demo/hi
%files libs
`,
  'mamori-plain.spec': `Name: mamori-plain
Version: 0.9
Release: 1
Summary: Tiny test package without epoch
License: MIT
%description
Tiny.
%files
`,
};

test('rpmdb.sqlite written by rpm agrees with rpm -qa', { skip: skipRpm }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-rpm-'));
  try {
    const top = join(dir, 'build');
    mkdirSync(join(top, 'SPECS'), { recursive: true });
    for (const [name, spec] of Object.entries(SPECS)) {
      writeFileSync(join(top, 'SPECS', name), spec);
      execFileSync('rpmbuild', ['--define', `_topdir ${top}`, '-bb', join(top, 'SPECS', name)], { stdio: 'ignore' });
    }
    const rpms: string[] = [];
    for (const arch of readdirSync(join(top, 'RPMS')))
      for (const f of readdirSync(join(top, 'RPMS', arch))) rpms.push(join(top, 'RPMS', arch, f));
    const dbpath = join(dir, 'root', 'var', 'lib', 'rpm');
    mkdirSync(dbpath, { recursive: true });
    execFileSync('rpm', ['--dbpath', dbpath, '--initdb'], { stdio: 'ignore' });
    execFileSync('rpm', ['--dbpath', dbpath, '-i', '--justdb', '--nodeps', '--ignorearch', '--ignoreos', ...rpms], {
      stdio: 'ignore',
    });
    const file = join(dbpath, 'rpmdb.sqlite');
    if (!existsSync(file)) {
      t.skip('this rpm does not write the sqlite backend by default');
      return;
    }
    const qa = execFileSync(
      'rpm',
      [
        '--dbpath',
        dbpath,
        '-qa',
        '--qf',
        '%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n',
      ],
      { encoding: 'utf8' },
    );
    const want = qa
      .trim()
      .split('\n')
      .map((l) => {
        const [name, epoch, version, release, arch, srpm] = l.split('\t');
        const evr = rpmEvr({ version: version!, release: release!, epoch: Number(epoch) });
        return `${name}@${evr} ${arch} ${parseSourceRpm(srpm!)?.name}`;
      })
      .sort();
    const r = parseRpmSqlite(new Uint8Array(readFileSync(file)), DB, ROCKY);
    assert.deepEqual(r.issues, []);
    const got = r.packages
      .map((p) => `${p.name}@${p.version} ${/arch=([^&]+)/.exec(p.purl ?? '')?.[1]} ${p.sourceName}`)
      .sort();
    assert.deepEqual(got, want);
    assert.equal(got.length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
