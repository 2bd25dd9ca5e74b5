// bench/scan: `mamori scan` end to end. The OSV index: build time and size (the shared ecosystems plus a
// generated npm partition). Scans: generated package-lock.json files of 10k and 100k entries, and this
// machine's own dpkg status (copied into a scratch root with its os-release), each in its own process for
// peak RSS, beside a baseline that only reads and JSON-parses the same lockfile.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { seededRandom } from '../src/core/random.ts';
import { updateOsvDb } from '../src/scan/osv/update.ts';

const here = import.meta.dirname;
const out = join(here, 'out', 'scan');
const shared = join(here, '..', '..', 'shared', 'data', 'osv');
const SHARED = ['Go', 'crates.io', 'PyPI', 'AlmaLinux'].filter((e) => existsSync(join(shared, e, 'all.zip')));
const random = seededRandom(11);
const ver = (): string => `${Math.floor(random() * 20)}.${Math.floor(random() * 50)}.${Math.floor(random() * 100)}`;
const NAMES = 100_000;
const names = Array.from({ length: NAMES }, (_, i) => (i % 7 === 0 ? `@scope${i % 97}/pkg-${i}` : `pkg-${i}`));
const versions = names.map(ver);

/** A synthetic npm partition: one advisory for every 20th package, half of them affecting the locked version. */
function npmArchive(): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < NAMES; i += 20) {
    const [maj, min, pat] = versions[i]!.split('.').map(Number) as [number, number, number];
    const fixed = i % 40 === 0 ? `${maj}.${min}.${pat + 1}` : `${maj}.${min}.${Math.max(0, pat)}`;
    const id = `GHSA-bench-${i}`;
    files[`${id}.json`] = strToU8(
      JSON.stringify({
        id,
        modified: '2026-11-30T00:00:00Z',
        aliases: [`CVE-2026-${10000 + i}`],
        summary: `synthetic advisory ${i}`,
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
        affected: [
          {
            package: { ecosystem: 'npm', name: names[i] },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }],
          },
        ],
      }),
    );
  }
  return zipSync(files, { level: 1 });
}

/** A synthetic Debian partition naming this machine's installed source packages (dpkg scan figures only). */
async function debianArchive(status: string, release: string): Promise<Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const sources = new Set<string>();
  for (const block of status.split('\n\n')) {
    const src = /^Source: (\S+)/m.exec(block)?.[1] ?? /^Package: (\S+)/m.exec(block)?.[1];
    if (src) sources.add(src);
  }
  let n = 0;
  for (const s of sources) {
    if (n++ % 3 !== 0) continue;
    const id = `DEBIAN-BENCH-${n}`;
    files[`${id}.json`] = strToU8(
      JSON.stringify({
        id,
        modified: '2026-11-30T00:00:00Z',
        affected: [
          {
            package: { ecosystem: `Debian:${release}`, name: s },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '99:0' }] }],
          },
        ],
      }),
    );
  }
  return zipSync(files, { level: 1 });
}

function lockfile(n: number): string {
  const packages: Record<string, unknown> = { '': { name: 'big', version: '1.0.0' } };
  for (let i = 0; i < n; i++) {
    packages[`node_modules/${names[i]}`] = {
      version: versions[i],
      resolved: `https://registry.npmjs.org/${names[i]}/-/x-${versions[i]}.tgz`,
      integrity: 'sha512-' + 'A'.repeat(86) + '==',
    };
  }
  return JSON.stringify({ name: 'big', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2);
}

type Run = { mode: string; packages: number; findings: number; lookups: number; seconds: number; maxRssMB: number };
function run(mode: 'scan' | 'parse', db: string, target: string): Run {
  const o = execFileSync(process.execPath, [...process.execArgv, join(here, 'scan-child.ts'), mode, db, target], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(o.trim().split('\n').at(-1)!) as Run;
}

await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'mirror', 'npm'), { recursive: true });
await writeFile(join(out, 'mirror', 'npm', 'all.zip'), npmArchive());
for (const e of SHARED) {
  await mkdir(join(out, 'mirror', e), { recursive: true });
  await copyFile(join(shared, e, 'all.zip'), join(out, 'mirror', e, 'all.zip'));
}
const dpkg = existsSync('/var/lib/dpkg/status') && existsSync('/etc/os-release');
const release = dpkg ? (/^VERSION_ID="?(\d+)/m.exec(await readFile('/etc/os-release', 'utf8'))?.[1] ?? '') : '';
if (dpkg && release) {
  await mkdir(join(out, 'mirror', 'Debian'), { recursive: true });
  await writeFile(
    join(out, 'mirror', 'Debian', 'all.zip'),
    await debianArchive(await readFile('/var/lib/dpkg/status', 'utf8'), release),
  );
}
const ecosystems = ['npm', ...SHARED, ...(dpkg && release ? ['Debian'] : [])];

console.log(
  `machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
const t0 = performance.now();
const db = join(out, 'db');
const up = await updateOsvDb({ dir: db, from: join(out, 'mirror'), ecosystems });
const buildS = (performance.now() - t0) / 1000;
const indexMB = (await stat(up.index)).size / 2 ** 20;
const records = up.status.imports.reduce((s, i) => s + i.records, 0);
console.log(
  `index: ${records} records in ${ecosystems.length} ecosystems (${ecosystems.join(', ')}), built in ${buildS.toFixed(2)} s, ${indexMB.toFixed(1)} MB`,
);

console.log('| run | packages | findings | seconds | packages/s | peak RSS MB |');
console.log('|---|---|---|---|---|---|');
const row = (name: string, r: Run, base?: Run): string =>
  `| ${name} | ${r.packages} | ${r.findings} | ${r.seconds.toFixed(2)} | ${Math.round(r.packages / r.seconds)} | ${Math.round(r.maxRssMB)} |` +
  (base ? ` ${(r.seconds / base.seconds).toFixed(1)}× baseline time` : '');
for (const n of [10_000, 100_000]) {
  const dir = join(out, `lock-${n}`);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'package-lock.json');
  await writeFile(file, lockfile(n));
  const base = run('parse', db, file);
  console.log(row(`package-lock.json ${n / 1000}k entries: read + JSON.parse (baseline)`, base));
  console.log(row(`package-lock.json ${n / 1000}k entries: scan`, run('scan', db, dir), base));
}
if (dpkg) {
  const root = join(out, 'root');
  await mkdir(join(root, 'var', 'lib', 'dpkg'), { recursive: true });
  await mkdir(join(root, 'etc'), { recursive: true });
  await copyFile('/var/lib/dpkg/status', join(root, 'var', 'lib', 'dpkg', 'status'));
  await copyFile('/etc/os-release', join(root, 'etc', 'os-release'));
  console.log(row(`this machine's dpkg status (Debian ${release})`, run('scan', db, `root:${root}`)));
}
