import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { Decision } from '../../core/index.ts';
import { findPolicy, policyNames, type PolicySpec } from '../../analysts/consensus/policy.ts';
import { triage } from '../../analysts/consensus/triage.ts';
import { readCases } from '../../analysts/eval/cases/schema.ts';
import { evaluate, renderReport, type JudgedCase } from '../../analysts/eval/metrics.ts';
import { EXIT_ERROR, EXIT_OK } from '../exit.ts';
import { triageRecord } from '../output/triage.ts';
import { triageSetup } from './triage.ts';

export const EVAL_FORMATS = ['table', 'json'] as const;
type EvalFormat = (typeof EVAL_FORMATS)[number];

type EvalFlags = {
  cases: string;
  analysts?: string;
  policies?: string;
  format: EvalFormat;
  config?: string;
  deadline?: string;
  concurrency?: string;
  decisions?: string;
  output?: string;
  quiet?: boolean;
};

const HELP_AFTER = `
Runs every labelled case through the analysts (as 'mamori triage' would, all analysts on each finding at
once), then reports, for each analyst taken alone and for each consensus policy over the same verdicts:
  true positives    malicious cases escalated
  false positives   benign cases escalated (what consensus is meant to cut)
  missed            malicious cases suppressed (what it must not buy that with)
  to a human        cases sent to review
  abstentions       verdicts that were no verdict (schema failure, timeout, refusal, rate limit, ...)
  cost, latency     per finding (a policy's latency is its slowest analyst's)
and how often every analyst was wrong together. Rates carry 95% Wilson score intervals.
An analyst alone escalates what it calls malicious, suppresses what it calls benign, and sends the rest
to a human.

Cases (--cases DIR): *.jsonl files, one {"finding", "truth": "malicious"|"benign", "source", "note"} per
line, and an optional MANIFEST.json (docs/eval-set.md says how Mamori's own set is built). A bad line is
reported with its file and line and left out.

builtin-rarity counts behaviour across the cases themselves and keeps no history between runs here: an
evaluation never changes what 'mamori triage' will consider common.

Exit codes: 0 report written, 2 error (bad flags, no cases, bad lines: the report of the good ones is still
written).

Examples:
  mamori eval --cases test/fixtures/analysts/eval
  mamori eval --cases bench/out/eval-cases --analysts builtin-rules,builtin-rarity,openai:gpt-4.1-mini
  mamori eval --cases DIR --policies unanimous,majority --format json`;

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description(
      'Measure analysts and consensus policies on labelled cases: true/false-positive rates, misses, reviews,\n' +
        'abstentions, cost and latency, with confidence intervals.',
    )
    .requiredOption('--cases <dir>', 'directory of labelled cases (*.jsonl)')
    .option('--analysts <list>', 'comma-separated analyst names (default from mamori.yaml, else the built-in ones)')
    .option('--policies <list>', 'comma-separated policies to compare (default: every built-in and configured one)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(EVAL_FORMATS).default('table'))
    .option('--config <file>', 'configuration file (mamori.yaml)')
    .option('--deadline <seconds>', 'per finding, all analysts together')
    .option('--concurrency <n>', 'findings judged at once')
    .option('--decisions <file>', "also write every case's triage record (jsonl, as 'mamori triage' writes it)")
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('-q, --quiet', 'no progress on standard error')
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: EvalFlags) => {
      process.exitCode = await runEvalCommand(flags);
    });
}

function policiesOf(list: string | undefined, configured: readonly PolicySpec[]): PolicySpec[] {
  if (list === undefined) {
    return policyNames(configured).map((n) => findPolicy(n, configured)!);
  }
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError('--policies: give at least one policy');
  return names.map((n) => {
    const p = findPolicy(n, configured);
    if (!p) {
      throw new UsageError(`--policies: unknown policy "${n}"; known: ${policyNames(configured).join(', ')}`);
    }
    return p;
  });
}

export async function runEvalCommand(flags: EvalFlags): Promise<number> {
  const { cases, bad } = await readCases(flags.cases);
  for (const b of bad) process.stderr.write(`mamori eval: ${b.file}:${b.line}: skipped: ${b.message}\n`);
  if (cases.length === 0) throw new UsageError(`--cases: no labelled cases in ${flags.cases}`);
  const history = await mkdtemp(join(tmpdir(), 'mamori-eval-'));
  try {
    const setup = await triageSetup({ ...flags, historyDir: history });
    const policies = policiesOf(flags.policies, setup.config.policies);
    const decisions: Decision[] = [];
    const records: string[] = [];
    const t0 = performance.now();
    try {
      let i = 0;
      for await (const [f, d] of triage(
        cases.map((c) => c.finding),
        setup.analysts,
        setup.policy,
        { deadlineMs: setup.deadlineMs, concurrency: setup.concurrency },
      )) {
        decisions.push(d);
        if (flags.decisions) records.push(JSON.stringify({ ...triageRecord(f, d), truth: cases[i]!.truth }));
        i++;
        if (!flags.quiet && process.stderr.isTTY && i % 25 === 0)
          process.stderr.write(`\rmamori eval: ${i}/${cases.length} cases judged`);
      }
    } finally {
      await setup.close();
    }
    if (!flags.quiet && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    // triage yields in input order, so the i-th decision is the i-th case's (ids may repeat across sources)
    const judgedCases: JudgedCase[] = decisions.map((d, i) => ({ truth: cases[i]!.truth, verdicts: d.verdicts }));
    const report = evaluate(judgedCases, policies);
    const seconds = (performance.now() - t0) / 1000;
    const text =
      flags.format === 'json'
        ? `${JSON.stringify({ ...report, policies: policies.map((p) => ({ name: p.name, version: p.version })), seconds })}\n`
        : `${renderReport(report)}\n`;
    if (flags.decisions) await writeFile(flags.decisions, records.length ? `${records.join('\n')}\n` : '');
    if (flags.output) {
      const out = createWriteStream(flags.output);
      out.end(text);
      await once(out, 'finish');
    } else process.stdout.write(text);
    if (!flags.quiet) process.stderr.write(`mamori eval: ${cases.length} cases in ${seconds.toFixed(1)} s\n`);
    return bad.length ? EXIT_ERROR : EXIT_OK;
  } finally {
    await rm(history, { recursive: true, force: true });
  }
}
