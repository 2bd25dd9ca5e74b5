// bench/hunt: the full SigmaHQ ruleset over EVTX-ATTACK-SAMPLES and over a ≥1 GB set made by repeating them;
// hunt single-threaded and with workers, beside a parse-only baseline measured in the same run.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism, cpus } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shared = join(root, '..', 'shared', 'data');
const samples = join(shared, 'evtx', 'attack-samples');
const sigma = join(shared, 'sigma');
const bigDir = join(root, 'bench', 'out', 'evtx-1g-big');
/** The full SigmaHQ ruleset as `mamori rules update` installs it (rules, emerging threats, threat hunting). */
const ruleDirs = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(sigma, d));
const targetBytes = Number(process.env['BENCH_BIG_BYTES'] ?? 1.05e9);

type Run = {
  mode: string;
  jobs: number;
  events: number;
  detections: number;
  bytes: number;
  seconds: number;
  maxRssMB: number;
  rules?: Record<string, number>;
};

function run(mode: 'hunt' | 'parse', jobs: number, paths: string[]): Run {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, join(root, 'bench', 'hunt-child.ts'), mode, String(jobs), ruleDirs.join(','), ...paths],
    { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Run;
}

async function evtxFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.toLowerCase().endsWith('.evtx')) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

/**
 * The ≥1 GB set: the samples' chunks (those holding records) repeated into 128 MB EVTX files behind a valid file
 * header, so the big run measures a few large logs as a SOC collects them, not thousands of tiny files.
 */
async function makeBig(files: string[]): Promise<void> {
  const marker = join(bigDir, '.complete');
  if (existsSync(marker)) return;
  await rm(bigDir, { recursive: true, force: true });
  await mkdir(bigDir, { recursive: true });
  const chunks: Buffer[] = [];
  let header: Buffer | undefined;
  for (const f of files) {
    const b = await readFile(f);
    if (b.subarray(0, 8).toString('latin1') !== 'ElfFile\0') continue;
    header ??= Buffer.from(b.subarray(0, 4096));
    for (let o = 4096; o + 65536 <= b.length; o += 65536) {
      const c = b.subarray(o, o + 65536);
      if (c.subarray(0, 8).toString('latin1') === 'ElfChnk\0') chunks.push(c);
    }
  }
  if (!header || chunks.length === 0) throw new Error('bench/hunt: no EVTX chunks in the samples');
  const perFile = Math.floor((128 << 20) / 65536);
  let written = 0;
  for (let n = 0, k = 0; written < targetBytes; n++) {
    const count = Math.min(perFile, Math.ceil((targetBytes - written) / 65536));
    const h = Buffer.from(header);
    h.writeUInt16LE(Math.min(count, 0xffff), 42);
    h.writeUInt32LE(crc32(h.subarray(0, 120)), 124);
    const parts: Buffer[] = [h];
    for (let i = 0; i < count; i++, k++) parts.push(chunks[k % chunks.length]!);
    const body = Buffer.concat(parts);
    await writeFile(join(bigDir, `big-${String(n).padStart(2, '0')}.evtx`), body);
    written += body.length;
  }
  await writeFile(marker, '');
}

function line(name: string, r: Run, base?: Run): string {
  const evs = Math.round(r.events / r.seconds);
  const mbs = (r.bytes / 1e6 / r.seconds).toFixed(1);
  const ratio = base ? `  ${(r.seconds / base.seconds).toFixed(2)}× baseline time` : '';
  return `| ${name} | ${r.jobs} | ${r.events} | ${r.detections} | ${r.seconds.toFixed(2)} | ${evs} | ${mbs} | ${Math.round(r.maxRssMB)} |${ratio}`;
}

if (!existsSync(samples) || !existsSync(sigma)) {
  console.log('bench/hunt: skipped — needs ../shared/data (evtx/attack-samples and sigma)');
  process.exit(0);
}
const files = await evtxFiles(samples);
const jobs = availableParallelism();
console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}`);
console.log('| run | threads | events | detections | seconds | events/s | MB/s | peak RSS MB |');
console.log('|---|---|---|---|---|---|---|---|');
const parse1 = run('parse', 1, [samples]);
console.log(line('attack samples: parse only (baseline)', parse1));
const hunt1 = run('hunt', 1, [samples]);
console.log(line('attack samples: full ruleset', hunt1, parse1));
const huntN = run('hunt', jobs, [samples]);
console.log(line('attack samples: full ruleset', huntN, parse1));
console.log(`rules: ${JSON.stringify(hunt1.rules)}`);
if (process.env['BENCH_SKIP_BIG'] !== '1') {
  await makeBig(files);
  const bigParse = run('parse', 1, [bigDir]);
  console.log(line('≥1 GB: parse only (baseline)', bigParse));
  const big1 = run('hunt', 1, [bigDir]);
  console.log(line('≥1 GB: full ruleset', big1, bigParse));
  const bigN = run('hunt', jobs, [bigDir]);
  console.log(line('≥1 GB: full ruleset', bigN, bigParse));
}
