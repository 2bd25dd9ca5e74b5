// bench/hunt: the full SigmaHQ ruleset over EVTX-ATTACK-SAMPLES and over a ≥1 GB set made by repeating them;
// hunt single-threaded and with workers, beside a parse-only baseline measured in the same run.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism, cpus } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shared = join(root, '..', 'shared', 'data');
const samples = join(shared, 'evtx', 'attack-samples');
const sigma = join(shared, 'sigma');
const bigDir = join(root, 'bench', 'out', 'evtx-1g');
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
    [...process.execArgv, join(root, 'bench', 'hunt-child.ts'), mode, String(jobs), sigma, ...paths],
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

async function makeBig(files: string[]): Promise<void> {
  let have = 0;
  if (existsSync(bigDir)) {
    for (const f of await readdir(bigDir)) have += (await stat(join(bigDir, f))).size;
    if (have >= targetBytes) return;
    await rm(bigDir, { recursive: true, force: true });
    have = 0;
  }
  await mkdir(bigDir, { recursive: true });
  for (let copy = 0; have < targetBytes; copy++) {
    for (const [i, f] of files.entries()) {
      const dest = join(bigDir, `${String(copy).padStart(3, '0')}-${String(i).padStart(3, '0')}.evtx`);
      await copyFile(f, dest);
      have += (await stat(dest)).size;
    }
  }
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
