// OSV index figures: build time and size for the shared ecosystems, open time, lookups per second, and
// match throughput. Run: `npx node bench/scan-db.ts [path/to/shared/data/osv]`.
import { readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { importZip } from '../src/scan/osv/build.ts';
import { SqliteOsvStore } from '../src/scan/osv/sqlite-store.ts';
import { matchPackage } from '../src/scan/match/index.ts';
import { updateOsvDb } from '../src/scan/osv/update.ts';
import type { Package } from '../src/scan/inventory/types.ts';

const dataDir = process.argv[2] ?? join(import.meta.dirname, '..', '..', 'shared', 'data', 'osv');
const ECOSYSTEMS = ['Go', 'crates.io', 'PyPI', 'AlmaLinux'];
const file = join(tmpdir(), `mamori-bench-osv-${process.pid}.sqlite`);

const ms = (t: number): string => `${t.toFixed(1)} ms`;

async function main(): Promise<void> {
  await rm(file, { force: true });
  const zips = new Map<string, Uint8Array>();
  for (const e of ECOSYSTEMS) zips.set(e, await readFile(join(dataDir, e, 'all.zip')));

  // build: one partition at a time, then all in one writer, as `db update` does
  const t0 = performance.now();
  const store = SqliteOsvStore.create(file);
  const w = store.writer();
  const perEco: string[] = [];
  for (const e of ECOSYSTEMS) {
    const t = performance.now();
    const imp = importZip(w, e, zips.get(e) as Uint8Array, { source: e, importedAt: new Date().toISOString() });
    perEco.push(`  ${e.padEnd(10)} ${String(imp.records).padStart(5)} records  ${ms(performance.now() - t)}`);
  }
  w.commit();
  store.close();
  const buildMs = performance.now() - t0;
  const size = (await stat(file)).size;
  const zipBytes = [...zips.values()].reduce((n, z) => n + z.byteLength, 0);
  console.log(
    `build (4 ecosystems): ${ms(buildMs)}; index ${(size / 1048576).toFixed(1)} MiB (zips ${(zipBytes / 1048576).toFixed(1)} MiB)`,
  );
  for (const l of perEco) console.log(l);

  // open: a fresh process would pay this; the OS page cache is warm here, as on a second scan
  const opens: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const s = SqliteOsvStore.open(file);
    s.lookup('Go', 'stdlib');
    s.close();
    opens.push(performance.now() - t);
  }
  opens.sort((a, b) => a - b);
  console.log(`open + first lookup: median ${ms(opens[10] as number)}, max ${ms(opens[19] as number)}`);

  // lookups: names that exist (hits) and names that do not (misses)
  const s = SqliteOsvStore.open(file);
  const names: [string, string][] = [];
  const { DatabaseSync } = await import('node:sqlite');
  const raw = new DatabaseSync(file, { readOnly: true });
  for (const row of raw.prepare('SELECT DISTINCT ecosystem, name FROM affected').all() as {
    ecosystem: string;
    name: string;
  }[]) {
    names.push([row.ecosystem, row.name]);
  }
  raw.close();
  let t = performance.now();
  let found = 0;
  for (const [e, n] of names) found += s.lookup(e, n).length;
  let el = performance.now() - t;
  console.log(
    `lookups (hits): ${names.length} packages, ${found} candidates in ${ms(el)}: ${Math.round((names.length / el) * 1000)}/s`,
  );
  t = performance.now();
  const misses = 20000;
  for (let i = 0; i < misses; i++) s.lookup('PyPI', `no-such-package-${i}`);
  el = performance.now() - t;
  console.log(`lookups (misses): ${misses} in ${ms(el)}: ${Math.round((misses / el) * 1000)}/s`);

  // matching: every package name at a mid version, full evaluation (ranges, aliases, fixes, severity)
  const versions: Record<string, string> = { Go: '1.0.0', 'crates.io': '0.1.0', PyPI: '1.0', AlmaLinux: '1.0-1.el9' };
  t = performance.now();
  let findings = 0;
  for (const [e, n] of names) {
    const eco = e === 'AlmaLinux' ? 'AlmaLinux:9' : e;
    const pkg: Package = {
      name: n,
      version: versions[e] ?? '1.0.0',
      ecosystem: eco as Package['ecosystem'],
      location: 'bench',
    };
    findings += matchPackage(s, pkg).vulnerabilities.length;
  }
  el = performance.now() - t;
  console.log(
    `match: ${names.length} packages, ${findings} vulnerabilities in ${ms(el)}: ${Math.round((names.length / el) * 1000)} packages/s`,
  );
  s.close();
  await rm(file, { force: true });

  // `db update` from a local copy of the bucket: everything, then one ecosystem replaced in place
  const dbDir = join(tmpdir(), `mamori-bench-db-${process.pid}`);
  await rm(dbDir, { recursive: true, force: true });
  t = performance.now();
  await updateOsvDb({ dir: dbDir, from: dataDir, ecosystems: ECOSYSTEMS });
  console.log(`db update (4 ecosystems, copy + check + index + swap): ${ms(performance.now() - t)}`);
  for (const e of ['PyPI', 'AlmaLinux']) {
    t = performance.now();
    await updateOsvDb({ dir: dbDir, from: dataDir, ecosystems: [e] });
    console.log(`db update --ecosystem ${e} (partition replaced, VACUUM): ${ms(performance.now() - t)}`);
  }
  await rm(dbDir, { recursive: true, force: true });
}

await main();
