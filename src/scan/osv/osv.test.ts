import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { ScanError } from '../errors.ts';
import { decodeEntries, decodeHeader, encodeEntries, encodeHeader } from './codec.ts';
import { importZip } from './build.ts';
import { normalizePackageName } from './names.ts';
import { openOsvDb, OSV_INDEX_FILE } from './open.ts';
import { parseOsvJson, parseOsvRecord } from './schema.ts';
import { SqliteOsvStore } from './sqlite-store.ts';
import { extractZipMember, readZipDirectory } from './zip.ts';

const RECORD = {
  schema_version: '1.6.0',
  id: 'GHSA-aaaa-bbbb-cccc',
  modified: '2024-01-02T00:00:00Z',
  published: '2024-01-01T00:00:00Z',
  aliases: ['CVE-2024-0001'],
  summary: 'Prototype pollution',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'Foo.Bar', purl: 'pkg:pypi/foo-bar' },
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2' }] },
        { type: 'GIT', repo: 'https://github.com/x/y', events: [{ introduced: 'abc' }] },
      ],
      versions: ['1.0', '1.1'],
      database_specific: { anything: true },
    },
    { package: { ecosystem: 'npm', name: 'foo' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
  ],
  references: [{ type: 'ADVISORY', url: 'https://example.org/a' }],
  database_specific: { severity: 'HIGH' },
};

describe('OSV schema', () => {
  it('parses what matching needs', () => {
    const r = parseOsvRecord(RECORD);
    assert.ok(r.ok);
    assert.equal(r.record.id, 'GHSA-aaaa-bbbb-cccc');
    assert.equal(r.record.databaseSeverity, 'HIGH');
    assert.deepEqual(r.record.affected[0]?.ranges[0]?.events, [
      { kind: 'introduced', value: '0' },
      { kind: 'fixed', value: '1.2' },
    ]);
    assert.deepEqual(r.record.affected[0]?.versions, ['1.0', '1.1']);
  });

  it('drops decorative fields of the wrong shape and keeps the record', () => {
    const r = parseOsvRecord({ ...RECORD, summary: 42, references: 'x', severity: [{ type: 1 }], published: {} });
    assert.ok(r.ok);
    assert.equal(r.record.summary, undefined);
    assert.deepEqual(r.record.references, []);
    assert.deepEqual(r.record.severity, []);
  });

  const BAD: readonly (readonly [string, unknown, RegExp])[] = [
    ['no id', { ...RECORD, id: undefined }, /id/],
    ['empty id', { ...RECORD, id: '' }, /id/],
    [
      'an event with two kinds',
      {
        ...RECORD,
        affected: [
          {
            package: { ecosystem: 'npm', name: 'x' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1' }] }],
          },
        ],
      },
      /2 of introduced/,
    ],
    [
      'an event with none',
      {
        ...RECORD,
        affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{}] }] }],
      },
      /0 of introduced/,
    ],
    [
      'versions not strings',
      { ...RECORD, affected: [{ package: { ecosystem: 'npm', name: 'x' }, versions: [1] }] },
      /versions/,
    ],
    ['aliases not a list', { ...RECORD, aliases: 'CVE-1' }, /aliases/],
    ['withdrawn not a string', { ...RECORD, withdrawn: true }, /withdrawn/],
    [
      'a range without events',
      { ...RECORD, affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER' }] }] },
      /events/,
    ],
    ['an array', [], /not an OSV record/],
  ];
  for (const [name, value, reason] of BAD) {
    it(`refuses ${name}`, () => {
      const r = parseOsvRecord(value);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, reason);
    });
  }
  it('refuses bytes that are not JSON or not UTF-8', () => {
    assert.equal(parseOsvJson('{').ok, false);
    assert.equal(parseOsvJson(new Uint8Array([0xff, 0xfe, 0x7b])).ok, false);
  });
});

describe('package name normalisation', () => {
  const TABLE: readonly (readonly [string, string, string])[] = [
    ['PyPI', 'Foo.Bar_baz', 'foo-bar-baz'],
    ['PyPI', 'Werkzeug', 'werkzeug'],
    ['PyPI', 'zope..interface', 'zope-interface'],
    ['NuGet', 'Newtonsoft.Json', 'newtonsoft.json'],
    ['Packagist', 'GuzzleHttp/Psr7', 'guzzlehttp/psr7'],
    ['Pub', 'HTTP', 'http'],
    ['crates.io', 'Serde_JSON', 'serde-json'],
    ['Maven', 'com.fasterxml.jackson.core:jackson-databind', 'com.fasterxml.jackson.core:jackson-databind'],
    ['Maven', 'org.Example / Artifact', 'org.Example:Artifact'],
    ['Go', 'github.com/Sirupsen/logrus/', 'github.com/Sirupsen/logrus'],
    ['SwiftURL', 'https://GitHub.com/apple/swift-nio.git', 'github.com/apple/swift-nio'],
    ['npm', '@Scope/Pkg', '@Scope/Pkg'],
    ['AlmaLinux:9', ' openssl ', 'openssl'],
    ['Debian:12', 'libc6', 'libc6'],
  ];
  for (const [eco, name, key] of TABLE)
    it(`${eco} ${name} → ${key}`, () => assert.equal(normalizePackageName(eco, name), key));
});

describe('index codec', () => {
  it('round-trips a record (GIT ranges dropped)', () => {
    const r = parseOsvRecord({ ...RECORD, affected: [RECORD.affected[0]] });
    assert.ok(r.ok);
    const key = normalizePackageName('PyPI', 'Foo.Bar');
    const entries = decodeEntries(encodeEntries(r.record.affected, 'PyPI', key), 'PyPI', key);
    assert.deepEqual(entries, [{ ...r.record.affected[0], ranges: [r.record.affected[0]?.ranges[0]] }]);
    const { affected: _a, ...header } = r.record;
    assert.deepEqual(decodeHeader(r.record.id, r.record.modified ?? null, null, encodeHeader(r.record)), header);
  });
});

function makeZip(files: Record<string, string | Uint8Array>): Uint8Array {
  const input: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(files)) input[k] = typeof v === 'string' ? strToU8(v) : v;
  return zipSync(input, { level: 6, mtime: new Date('2026-01-01T00:00:00Z') });
}

describe('zip reader', () => {
  const zip = makeZip({ 'A.json': JSON.stringify(RECORD), 'B.json': '{"id": "B"}', 'README.txt': 'x' });

  it('lists and extracts members', () => {
    const members = readZipDirectory(zip, 'test.zip');
    assert.deepEqual(members.map((m) => m.name).sort(), ['A.json', 'B.json', 'README.txt']);
    const b = members.find((m) => m.name === 'B.json');
    assert.ok(b);
    assert.equal(new TextDecoder().decode(extractZipMember(zip, b, 'test.zip')), '{"id": "B"}');
  });

  it('a truncated archive is refused, naming it', () => {
    for (const cut of [10, zip.length / 2, zip.length - 5]) {
      assert.throws(
        () => readZipDirectory(zip.subarray(0, Math.floor(cut)), 'http://x/all.zip'),
        (e: unknown) =>
          e instanceof ScanError && e.code === 'ARCHIVE_INVALID' && e.message.includes('http://x/all.zip'),
      );
    }
  });

  it('a damaged member is refused, naming the member', () => {
    const big = makeZip({ 'A.json': JSON.stringify({ ...RECORD, details: 'x'.repeat(5000) }) });
    const m = readZipDirectory(big, 'z')[0];
    assert.ok(m);
    const damaged = big.slice();
    const at = m.localOffset + 30 + m.name.length + 10;
    damaged[at] = (damaged[at] as number) ^ 0xff;
    assert.throws(() => extractZipMember(damaged, m, 'z'), /member A\.json/);
  });

  it('a member over the size bound is refused', () => {
    const m = readZipDirectory(zip, 'z').find((x) => x.name === 'A.json');
    assert.ok(m);
    assert.throws(() => extractZipMember(zip, m, 'z', 10), /bound/);
  });
});

describe('import: bad records are skipped and reported by member name', () => {
  it('counts records = members - skipped, non-JSON members ignored', () => {
    const zip = makeZip({
      'GHSA-aaaa-bbbb-cccc.json': JSON.stringify(RECORD),
      'BROKEN.json': '{"id": ',
      'NOT-OSV.json': '{"title": "no id"}',
      'DUP.json': JSON.stringify(RECORD),
      'notes.txt': 'ignored',
    });
    const store = SqliteOsvStore.create(':memory:');
    const w = store.writer();
    const imp = importZip(w, 'PyPI', zip, { source: 'mem', importedAt: '2026-01-01T00:00:00.000Z' });
    w.commit();
    assert.deepEqual([imp.members, imp.records, imp.skipped], [4, 1, 3]);
    const st = store.status();
    assert.deepEqual(
      st.skipped.map((s) => [s.member, s.reason.split(':')[0]]),
      [
        ['BROKEN.json', 'not JSON'],
        ['DUP.json', 'duplicate id GHSA-aaaa-bbbb-cccc'],
        ['NOT-OSV.json', 'not an OSV record at id'],
      ],
    );
    // only the partition's own ecosystem is indexed: the npm entry waits for the npm archive
    assert.equal(store.lookup('PyPI', 'foo_bar').length, 1);
    assert.equal(store.lookup('npm', 'foo').length, 0);
    store.close();
  });

  it('re-importing a partition replaces it and leaves the others', () => {
    const store = SqliteOsvStore.create(':memory:');
    let w = store.writer();
    importZip(w, 'PyPI', makeZip({ 'a.json': JSON.stringify(RECORD) }), { source: 'one', importedAt: 't1' });
    importZip(w, 'npm', makeZip({ 'a.json': JSON.stringify(RECORD) }), { source: 'npm', importedAt: 't1' });
    w.commit();
    w = store.writer();
    const other = { ...RECORD, id: 'PYSEC-2', aliases: [] };
    importZip(w, 'PyPI', makeZip({ 'b.json': JSON.stringify(other) }), { source: 'two', importedAt: 't2' });
    w.commit();
    assert.deepEqual(
      store.lookup('PyPI', 'foo-bar').map((c) => c.record.id),
      ['PYSEC-2'],
    );
    assert.deepEqual(
      store.lookup('npm', 'foo').map((c) => c.record.id),
      ['GHSA-aaaa-bbbb-cccc'],
    );
    assert.deepEqual(
      store.status().imports.map((i) => [i.ecosystem, i.source]),
      [
        ['PyPI', 'two'],
        ['npm', 'npm'],
      ],
    );
    store.close();
  });

  it('a rolled-back writer leaves the index as it was', () => {
    const store = SqliteOsvStore.create(':memory:');
    let w = store.writer();
    importZip(w, 'PyPI', makeZip({ 'a.json': JSON.stringify(RECORD) }), { source: 'one', importedAt: 't1' });
    w.commit();
    w = store.writer();
    w.begin('PyPI');
    w.rollback();
    assert.equal(store.lookup('PyPI', 'foo-bar').length, 1);
    store.close();
  });
});

describe('openOsvDb: the three --db forms', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-osv-open-'));
    await mkdir(join(dir, 'zips', 'PyPI'), { recursive: true });
    await writeFile(join(dir, 'zips', 'PyPI', 'all.zip'), makeZip({ 'a.json': JSON.stringify(RECORD) }));
    await mkdir(join(dir, 'json', 'nested', 'deeper'), { recursive: true });
    await writeFile(join(dir, 'json', 'nested', 'deeper', 'a.json'), JSON.stringify(RECORD));
    await writeFile(join(dir, 'json', 'bad.json'), '{');
    await mkdir(join(dir, 'empty'));
    await writeFile(join(dir, 'not-an-index'), 'hello world, not sqlite');
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a folder of <Ecosystem>/all.zip', async () => {
    const { store, form } = await openOsvDb(join(dir, 'zips'));
    assert.equal(form, 'zip-folder');
    assert.equal(store.lookup('PyPI', 'Foo.Bar').length, 1);
    assert.match(store.status().location, /^memory: /);
    store.close();
  });

  it('a folder of JSON records, recursive, each record in every ecosystem it names', async () => {
    const { store, form } = await openOsvDb(join(dir, 'json'));
    assert.equal(form, 'json-folder');
    assert.equal(store.lookup('PyPI', 'foo-bar').length, 1);
    assert.equal(store.lookup('npm', 'foo').length, 1);
    assert.deepEqual(
      store.status().skipped.map((s) => s.member),
      ['bad.json'],
    );
    store.close();
  });

  it('an index file, and a folder holding one', async () => {
    const file = join(dir, 'idx', OSV_INDEX_FILE);
    await mkdir(join(dir, 'idx'));
    const s = SqliteOsvStore.create(file);
    const w = s.writer();
    importZip(w, 'PyPI', makeZip({ 'a.json': JSON.stringify(RECORD) }), { source: 'x', importedAt: 't' });
    w.commit();
    s.close();
    for (const p of [file, join(dir, 'idx')]) {
      const { store, form } = await openOsvDb(p);
      assert.equal(form, 'index');
      assert.equal(store.lookup('PyPI', 'foo-bar').length, 1);
      store.close();
    }
  });

  it('refuses what is none of them', async () => {
    await assert.rejects(
      openOsvDb(join(dir, 'missing')),
      (e: unknown) => e instanceof ScanError && e.code === 'DB_NOT_FOUND',
    );
    await assert.rejects(
      openOsvDb(join(dir, 'empty')),
      (e: unknown) => e instanceof ScanError && e.code === 'DB_NOT_FOUND',
    );
    await assert.rejects(
      openOsvDb(join(dir, 'not-an-index')),
      (e: unknown) => e instanceof ScanError && e.code === 'DB_INVALID',
    );
  });
});
