// bench/harden: a full root assessment by `mamori harden` beside `oscap xccdf eval` on the same root. The root is
// this machine's own sshd, sysctl and login.defs files, copied into a scratch directory (the real /etc is only
// read), plus the Ubuntu 22.04 facts SSG's content needs (test/support/oscap.ts). Each run is its own process,
// measured by GNU time (wall seconds, peak RSS); the median of RUNS runs is shown, with the largest peak RSS.
//   - mamori harden --root ROOT --profile cis-l1-server -f json -q: what the command does, i.e. assessment plus a
//     verified patch for every failed check (re-assessment of the patched overlay, sshd -t on sshd patches);
//   - the same assessment alone (assess() in a child process, no patches), to show what verification costs;
//   - oscap with the whole CIS Level 1 Server profile, and with only the SSG rules our checks cite.
// Then the patch-size table: every bundled check over every fixture root under test/fixtures/harden, each patch
// verified (re-assessment and the real tool where installed), the combined patch applied and the root re-assessed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadBaselines, selectProfile } from '../src/harden/baselines.ts';
import { ENGINES } from '../src/harden/engines.ts';
import { DirectoryRoot } from '../src/harden/root.ts';
import { assess, harden, resultKey } from '../src/harden/run.ts';
import { syntaxCheck } from '../src/harden/engines.ts';
import { oscapMissing, oscapRun, ubuntuRootFacts } from '../test/support/oscap.ts';

const here = import.meta.dirname;
const PROFILE = 'cis-l1-server';
const RUNS = Number(process.env['BENCH_HARDEN_RUNS'] ?? 3);
const TIME = '/usr/bin/time';

// `node bench/harden.ts --assess-only ROOT`: the child that assesses without patches and prints the check count
if (process.argv[2] === '--assess-only') {
  const checks = selectProfile(await loadBaselines(), PROFILE);
  const results = await assess(new DirectoryRoot(process.argv[3]!), checks, ENGINES);
  process.stdout.write(`${JSON.stringify({ checks: results.length })}\n`);
  process.exit(0);
}

/** This machine's files that the engines read, as they are (symlinks kept: 99-sysctl.conf → ../sysctl.conf). */
const HOST = [
  'etc/ssh/sshd_config',
  'etc/ssh/sshd_config.d',
  'etc/sysctl.conf',
  'etc/sysctl.d',
  'usr/lib/sysctl.d',
  'etc/login.defs',
];

async function buildRoot(dir: string): Promise<string[]> {
  const copied: string[] = [];
  for (const rel of HOST) {
    const src = join('/', rel);
    if (!existsSync(src)) continue;
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await cp(src, join(dir, rel), { recursive: true, verbatimSymlinks: true });
    copied.push(rel);
  }
  for (const [path, text] of Object.entries(ubuntuRootFacts())) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return copied;
}

type Measure = { seconds: number; maxRssMB: number; stdout: string };

/** One process under GNU time: `%e %M` (wall seconds, peak RSS in KiB) written to a file of its own. */
function timed(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Measure {
  const out = join(work, `time-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(TIME, ['-o', out, '-f', '%e %M', cmd, ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`bench/harden: ${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ...parseTime(readFileSync(out, 'utf8')), stdout: r.stdout };
}

function parseTime(text: string): { seconds: number; maxRssMB: number } {
  const [s, kb] = text.trim().split('\n').pop()!.split(/\s+/).map(Number) as [number, number];
  return { seconds: s, maxRssMB: kb / 1024 };
}

type Row = { tool: string; evaluated: string; seconds: number; maxRssMB: number };

function best(runs: readonly { seconds: number; maxRssMB: number }[]): { seconds: number; maxRssMB: number } {
  const s = runs.map((r) => r.seconds).sort((a, b) => a - b);
  return { seconds: s[Math.floor(s.length / 2)]!, maxRssMB: Math.max(...runs.map((r) => r.maxRssMB)) };
}

const missing = [
  ...(existsSync(TIME) ? [] : ['GNU time (apt-get install time)']),
  ...(oscapMissing() ? [oscapMissing()!] : []),
];
if (missing.length) {
  console.log(`bench/harden: skipped — ${missing.join('; ')}`);
  process.exit(0);
}

const work = await mkdtemp(join(tmpdir(), 'mamori-bench-harden-'));
try {
  const root = join(work, 'root');
  const copied = await buildRoot(root);
  const rows: Row[] = [];
  const mamori = join(here, '..', 'bin', 'mamori');

  let summary: { checks: number; failed: number; passed: number; patches: number } | undefined;
  const full = Array.from({ length: RUNS }, () => {
    const m = timed(mamori, ['harden', '--root', root, '--profile', PROFILE, '-f', 'json', '-q']);
    summary = (JSON.parse(m.stdout) as { summary: typeof summary }).summary;
    return m;
  });
  rows.push({
    tool: 'mamori harden (assess + verify every patch, sshd -t)',
    evaluated: `${summary!.checks} checks (${summary!.failed} failed, ${summary!.patches} verified patches)`,
    ...best(full),
  });

  let assessed = 0;
  const assessOnly = Array.from({ length: RUNS }, () => {
    const m = timed(process.execPath, [...process.execArgv, join(here, 'harden.ts'), '--assess-only', root]);
    assessed = (JSON.parse(m.stdout.trim().split('\n').pop()!) as { checks: number }).checks;
    return m;
  });
  rows.push({ tool: 'mamori assess only (no patches)', evaluated: `${assessed} checks`, ...best(assessOnly) });

  // oscap through the helper (APT cache scaffolding, OSCAP_PROBE_ROOT), with `oscap` on PATH wrapped in GNU time
  const shim = join(work, 'shim');
  await mkdir(shim);
  const real = execFileSync('sh', ['-c', 'command -v oscap'], { encoding: 'utf8' }).trim();
  await writeFile(join(shim, 'oscap'), `#!/bin/sh\nexec ${TIME} -o "$MAMORI_BENCH_TIME" -f '%e %M' ${real} "$@"\n`);
  await chmod(join(shim, 'oscap'), 0o755);
  const oscap = async (
    rules: readonly string[],
  ): Promise<{ seconds: number; maxRssMB: number; rules: number; verdicts: number }> => {
    const timeFile = join(work, `oscap-time-${Math.random().toString(36).slice(2)}`);
    const saved = { path: process.env['PATH'], time: process.env['MAMORI_BENCH_TIME'] };
    process.env['PATH'] = `${shim}:${saved.path ?? ''}`;
    process.env['MAMORI_BENCH_TIME'] = timeFile;
    try {
      const run = await oscapRun(root, rules, { profile: PROFILE, scaffold: 'in-place' });
      const verdicts = [...run.results.values()].filter((r) => r === 'pass' || r === 'fail').length;
      return { ...parseTime(await readFile(timeFile, 'utf8')), rules: run.results.size, verdicts };
    } finally {
      process.env['PATH'] = saved.path;
      if (saved.time === undefined) delete process.env['MAMORI_BENCH_TIME'];
      else process.env['MAMORI_BENCH_TIME'] = saved.time;
    }
  };
  const cited = [
    ...new Set(
      selectProfile(await loadBaselines(), PROFILE).flatMap((c) =>
        c.refs.filter((r) => r.startsWith('ssg:')).map((r) => r.slice(4)),
      ),
    ),
  ];
  for (const [tool, rules] of [
    [`oscap xccdf eval, whole ${PROFILE} profile`, []],
    ['oscap xccdf eval, the SSG rules our checks cite', cited],
  ] as const) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await oscap(rules));
    const last = runs[runs.length - 1]!;
    rows.push({ tool, evaluated: `${last.rules} rules (${last.verdicts} pass/fail)`, ...best(runs) });
  }

  const base = rows[0]!;
  const files = (await readdir(root, { recursive: true })).length;
  console.log(
    `machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}, ${RUNS} runs each`,
  );
  console.log(`root: this machine's ${copied.join(', ')} (${files} entries with the Ubuntu facts)`);
  console.log('| tool | evaluated | seconds | peak RSS MB | time vs mamori harden |');
  console.log('|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.tool} | ${r.evaluated} | ${r.seconds.toFixed(2)} | ${Math.round(r.maxRssMB)} | ${(r.seconds / base.seconds).toFixed(2)}× |`,
    );
  await patchSizes();
} finally {
  await rm(work, { recursive: true, force: true });
}

async function patchSizes(): Promise<void> {
  const fixtures = join(here, '../test/fixtures/harden');
  const checks = await loadBaselines();
  console.log('');
  console.log(
    '| fixture | checks judged | failed | verified patches | lines changed per finding (max / mean) | failed after the combined patch |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const family of (await readdir(fixtures)).sort()) {
    for (const variant of (await readdir(join(fixtures, family))).sort()) {
      const root = new DirectoryRoot(join(fixtures, family, variant));
      const r = await harden(root, checks, ENGINES, { syntax: syntaxCheck });
      const judged = r.checks.filter((c) => c.result.status !== 'not-applicable');
      if (judged.length === 0) continue;
      const failed = judged.filter((c) => c.result.status === 'fail');
      const patched = failed.filter((c) => c.patch !== undefined);
      const sizes = patched.map((c) => c.changedLines ?? 0);
      // the combined patch, applied to a copy with patch -p1 as a user would
      const copy = join(work, `patched-${family}-${variant}`);
      await cp(join(fixtures, family, variant), copy, { recursive: true, verbatimSymlinks: true });
      if (patched.length) {
        const p = spawnSync('patch', ['-p1', '--batch', '--forward', '-s'], { cwd: copy, input: r.combined.patch });
        if (p.status !== 0) throw new Error(`${family}/${variant}: the combined patch does not apply: ${p.stderr}`);
      }
      const after = await assess(new DirectoryRoot(copy), checks, ENGINES);
      const ids = new Set(patched.map((c) => resultKey(c.result)));
      const still = after.filter((x) => x.status === 'fail');
      const size = sizes.length
        ? `${Math.max(...sizes)} / ${(sizes.reduce((a, b) => a + b, 0) / sizes.length).toFixed(2)}`
        : '- / -';
      console.log(
        `| ${family}/${variant} | ${judged.length} | ${failed.length} | ${patched.length} | ${size} | ${still.length} (${still.filter((x) => ids.has(resultKey(x))).length} of the patched) |`,
      );
    }
  }
}
