// bench/evtx-decode: EVTX decoding alone (records to the evtx_dump JSON shape), over EVTX-ATTACK-SAMPLES held in
// memory and decoded ROUNDS times, beside python-evtx (the reference decoder) on the same files in the same run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { evtxReader } from '../src/hunt/readers/evtx/index.ts';
import { bytesSource } from '../src/hunt/input.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const samples = join(root, '..', 'shared', 'data', 'evtx', 'attack-samples');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 20);

if (process.argv[2] === 'child') {
  // one measured decode in its own process, so peak RSS is this run's alone
  const files: string[] = [];
  for (const e of await readdir(samples, { recursive: true, withFileTypes: true }))
    if (e.isFile() && e.name.toLowerCase().endsWith('.evtx')) files.push(join(e.parentPath, e.name));
  const bufs = await Promise.all(files.map(async (f) => [f, await readFile(f)] as const));
  const bytes = bufs.reduce((s, [, b]) => s + b.length, 0);
  let events = 0;
  // one warm-up round, not counted: the JIT has to see the code first
  for (const [f, b] of bufs) for await (const batch of evtxReader.read(bytesSource(f, b), {})) void batch;
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++)
    for (const [f, b] of bufs) for await (const batch of evtxReader.read(bytesSource(f, b), {})) events += batch.length;
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    JSON.stringify({ events, bytes: bytes * ROUNDS, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n',
  );
  process.exit(0);
}

if (!existsSync(samples)) {
  console.log('bench/evtx-decode: skipped — needs ../shared/data/evtx/attack-samples');
  process.exit(0);
}
console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}`);
const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'child'], {
  encoding: 'utf8',
});
const m = JSON.parse(out.trim().split('\n').pop()!) as {
  events: number;
  bytes: number;
  seconds: number;
  maxRssMB: number;
};
const ours = m.events / m.seconds;
console.log('| decoder | records | seconds | records/s | MB/s | peak RSS MB |');
console.log('|---|---|---|---|---|---|');
console.log(
  `| mamori (${ROUNDS} rounds, 1 thread) | ${m.events} | ${m.seconds.toFixed(2)} | ${Math.round(ours)} | ${(m.bytes / 1e6 / m.seconds).toFixed(0)} | ${Math.round(m.maxRssMB)} |`,
);
// python-evtx renders XML (evtx_dump.py's work), once over the set
const py = `
import sys, time, resource, os, Evtx.Evtx as E
n=0; t=time.time()
for d,_,fs in os.walk(sys.argv[1]):
  for f in fs:
    if not f.lower().endswith('.evtx'): continue
    try:
      with E.Evtx(os.path.join(d,f)) as log:
        for r in log.records():
          try: r.xml(); n+=1
          except Exception: pass
    except Exception: pass
print(n, time.time()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)
`;
const r = spawnSync('/usr/bin/python3', ['-c', py, samples], { encoding: 'utf8' });
if (r.status === 0) {
  const [n, s, rss] = r.stdout.trim().split(/\s+/).map(Number) as [number, number, number];
  console.log(
    `| python-evtx 0.6 (baseline, 1 round) | ${n} | ${s.toFixed(2)} | ${Math.round(n / s)} | – | ${Math.round(rss)} |`,
  );
  console.log(`\nmamori decodes ${(ours / (n / s)).toFixed(0)}× as many records per second as python-evtx.`);
} else {
  console.log('| python-evtx (baseline) | not installed: apt-get install python3-evtx | | | | |');
}
