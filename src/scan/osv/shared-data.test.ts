import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { matchPackage } from '../match/index.ts';
import type { Package } from '../inventory/types.ts';
import { importZip } from './build.ts';
import { SqliteOsvStore } from './sqlite-store.ts';
import { readZipDirectory } from './zip.ts';

// The shared OSV snapshot (shared/data/osv, see its README): Go, crates.io, PyPI and AlmaLinux `all.zip`.
const DATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'osv');
const ECOSYSTEMS = ['Go', 'crates.io', 'PyPI', 'AlmaLinux'] as const;
const present = ECOSYSTEMS.every((e) => existsSync(join(DATA, e, 'all.zip')));
const skip = present ? false : `shared OSV data not found at ${DATA}`;

/** Record counts of the README (records, withdrawn). */
const EXPECTED: Readonly<Record<string, readonly [number, number]>> = {
  Go: [4291, 17],
  'crates.io': [1206, 13],
  PyPI: [2661, 10],
  AlmaLinux: [5637, 0],
};

function pkg(ecosystem: string, name: string, version: string): Package {
  return { ecosystem: ecosystem as Package['ecosystem'], name, version, location: 'test' };
}

describe('OSV index built from the shared snapshot', { skip }, () => {
  let dir: string;
  let file: string;
  let store: SqliteOsvStore;
  const members = new Map<string, number>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-osv-'));
    file = join(dir, 'osv-index.sqlite');
    const w = SqliteOsvStore.create(file);
    const writer = w.writer();
    for (const e of ECOSYSTEMS) {
      const zip = await readFile(join(DATA, e, 'all.zip'));
      members.set(e, readZipDirectory(zip, e).filter((m) => m.name.endsWith('.json')).length);
      importZip(writer, e, zip, { source: join(DATA, e, 'all.zip'), importedAt: '2026-08-22T00:00:00.000Z' });
    }
    writer.commit();
    w.close();
    store = SqliteOsvStore.open(file);
  });
  after(async () => {
    store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records per ecosystem = zip entries - reported bad ones, as the README counts them', () => {
    const st = store.status();
    for (const e of ECOSYSTEMS) {
      const imp = st.imports.find((i) => i.ecosystem === e);
      assert.ok(imp, e);
      assert.equal(imp.records, (members.get(e) as number) - imp.skipped, `${e}: records = members - skipped`);
      assert.deepEqual([imp.records, imp.withdrawn], EXPECTED[e], e);
      assert.equal(imp.skipped, 0, `${e}: no bad records in the snapshot`);
      assert.equal(imp.source, join(DATA, e, 'all.zip'));
      assert.equal(imp.importedAt, '2026-08-22T00:00:00.000Z');
      assert.match(imp.archiveSha256 ?? '', /^[0-9a-f]{64}$/);
    }
    assert.equal(st.imports.find((i) => i.ecosystem === 'PyPI')?.newestModified?.slice(0, 10), '2024-10-10');
  });

  it('opens in well under a second', () => {
    const t = performance.now();
    const s = SqliteOsvStore.open(file);
    assert.ok(s.lookup('Go', 'stdlib').length > 100);
    s.close();
    const ms = performance.now() - t;
    assert.ok(ms < 250, `open + first lookup took ${ms.toFixed(1)} ms`);
  });

  it('a Go module with a known vulnerability (gin < 1.6.0: GO-2020-0001, CVE-2020-36567)', () => {
    const m = matchPackage(store, pkg('Go', 'github.com/gin-gonic/gin', 'v1.5.0'));
    const v = m.vulnerabilities.find((x) => x.records.includes('GO-2020-0001'));
    assert.ok(v);
    assert.equal(v.id, 'CVE-2020-36567');
    assert.deepEqual(v.aliases, ['GHSA-6vm3-jj99-7229', 'GO-2020-0001']);
    assert.deepEqual(v.fixed, ['1.6.0']);
    const fixed = matchPackage(store, pkg('Go', 'github.com/gin-gonic/gin', 'v1.6.0'));
    assert.ok(!fixed.vulnerabilities.some((x) => x.records.includes('GO-2020-0001')));
  });

  it('a Go stdlib record with three CVEs reports once, by the earliest', () => {
    const m = matchPackage(store, pkg('Go', 'stdlib', '1.4.2'));
    const v = m.vulnerabilities.find((x) => x.records.includes('GO-2021-0159'));
    assert.equal(v?.id, 'CVE-2015-5739');
    assert.ok(v?.aliases.includes('CVE-2015-5741'));
  });

  it('withdrawn records are stored but never matched (GO-2022-0617, k8s.io/kubernetes)', () => {
    assert.equal(store.get('GO-2022-0617')[0]?.withdrawn !== undefined, true);
    const m = matchPackage(store, pkg('Go', 'k8s.io/kubernetes', 'v1.0.0'));
    assert.ok(!m.vulnerabilities.some((x) => x.records.includes('GO-2022-0617')));
  });

  it('an AlmaLinux:9 package does not match AlmaLinux:8 entries (sudo)', () => {
    const m = matchPackage(store, pkg('AlmaLinux:9', 'sudo', '1.8.29-7.el9'));
    assert.ok(m.vulnerabilities.length > 0);
    for (const v of m.vulnerabilities) assert.deepEqual(v.ecosystems, ['AlmaLinux:9'], v.id);
    const ids = m.vulnerabilities.flatMap((v) => v.records);
    assert.ok(!ids.includes('ALBA-2022:2080'), 'an AlmaLinux:8-only advisory');
    assert.ok(ids.includes('ALSA-2023:0282'));
    // without a release, both releases' advisories apply
    const any = matchPackage(store, pkg('AlmaLinux', 'sudo', '1.8.29-7.el9'));
    assert.ok(any.vulnerabilities.some((v) => v.records.includes('ALBA-2022:2080')));
    // severity from the advisory summary's Red Hat word
    assert.ok(m.vulnerabilities.every((v) => v.severity.source !== 'cvss'));
  });

  it('PyPI names are looked up by their PEP 503 form (Werkzeug, werkzeug)', () => {
    const a = store.lookup('PyPI', 'Werkzeug').map((c) => c.record.id);
    const b = store.lookup('PyPI', 'werkzeug').map((c) => c.record.id);
    assert.ok(a.length > 5);
    assert.deepEqual(a, b);
  });

  it('crates.io: CVSS v4 vectors grade findings', () => {
    const rec = store.get('RUSTSEC-2024-0445')[0];
    assert.ok(rec);
    const name = rec.affected[0]?.name as string;
    const m = matchPackage(store, pkg('crates.io', name, '0.0.1'));
    const v = m.vulnerabilities.find((x) => x.records.includes('RUSTSEC-2024-0445'));
    assert.equal(v?.severity.cvssVersion, '4.0');
  });

  it('get() gives the whole record back', () => {
    const [r] = store.get('GO-2020-0001');
    assert.equal(r?.affected[0]?.name, 'github.com/gin-gonic/gin');
    assert.deepEqual(r?.affected[0]?.ranges[0]?.events, [
      { kind: 'introduced', value: '0' },
      { kind: 'fixed', value: '1.6.0' },
    ]);
  });
});
