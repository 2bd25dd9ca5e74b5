import { createWriteStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { Finding, Outcome } from '../../core/index.ts';
import { defaultConfig, parseConfig, type MamoriConfig } from '../../analysts/config.ts';
import { findPolicy, policyNames, type PolicySpec } from '../../analysts/consensus/policy.ts';
import { triage } from '../../analysts/consensus/triage.ts';
import { createAnalysts } from '../../analysts/registry.ts';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../exit.ts';
import { readFindings, type BadInput } from '../findings-input.ts';
import { tableLine, TriageTotals, triageRecord } from '../output/triage.ts';
import { dataDir } from '../paths.ts';

export const TRIAGE_FORMATS = ['table', 'jsonl'] as const;
type TriageFormat = (typeof TRIAGE_FORMATS)[number];

export type TriageFlags = {
  findings?: string;
  analysts?: string;
  policy?: string;
  format: TriageFormat;
  config?: string;
  deadline?: string;
  concurrency?: string;
  output?: string;
  failOn?: string;
  quiet?: boolean;
};

const HELP_AFTER = `
Every finding goes to every analyst at once; no analyst sees another's verdict. The policy compares the
verdicts and decides: escalate, suppress, or review (a person decides). Disagreement goes to review.

Analysts (--analysts, comma-separated; default from mamori.yaml, else builtin-rules,builtin-rarity):
  builtin-rules                   offline: rule metadata, asset criticality, known-benign patterns
  builtin-rarity                  offline: how rare the behaviour is across the fleet's own history
  openai:<model>                  OpenAI (OPENAI_API_KEY; OPENAI_BASE_URL honoured)
  anthropic:<model>               Anthropic (ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL honoured)
  openai-compatible:<model>@<URL> any OpenAI-compatible server: Ollama, vLLM, llama.cpp
Anything sent to a model is redacted first (secrets, personal data, internal hosts and addresses; the mapping
stays on this machine). A reply that fails the verdict schema, times out or refuses is an abstention.

Policies (--policy; default unanimous): unanimous, majority, weighted, any (the single-analyst baseline),
and those defined in mamori.yaml under policies:.

Input (--findings FILE, or - for standard input): the jsonl of 'mamori hunt|scan|harden --format jsonl', or
a JSON document with a list of findings. A bad line is reported with its line number and skipped.

Output formats:
  table   a line per finding: outcome, severity, title, asset, each analyst's verdict; then a summary
  jsonl   one object per finding: finding, verdicts [{analyst, label, confidence, rationale, evidence,
          latencyMs, tokens {input, output}, costUsd?, abstained?, requestIds?, model?}], outcome,
          policy {name, version}, reason, time

Configuration: --config FILE, else $MAMORI_CONFIG, else ./mamori.yaml, else $MAMORI_HOME/mamori.yaml
(see docs/triage.md).

Exit codes: 0 done (or nothing at or above --fail-on), 1 a decision at or above --fail-on (review < escalate),
2 error (bad flags or configuration, unreadable input; decisions for the good lines are still written).

Examples:
  mamori hunt logs/ --format jsonl | mamori triage --findings -
  mamori triage --findings findings.jsonl --analysts builtin-rules,openai:gpt-4.1-mini --policy unanimous
  mamori triage --findings f.jsonl --analysts builtin-rules,openai-compatible:llama3.1:8b@http://127.0.0.1:11434/v1`;

export function registerTriage(program: Command): void {
  program
    .command('triage')
    .description(
      'Have two or more independent analysts judge findings, and let a consensus policy decide what escalates.',
    )
    .requiredOption('--findings <file>', "findings to judge (jsonl of hunt/scan/harden; '-' for standard input)")
    .option('--analysts <list>', 'comma-separated analyst names (see below)')
    .option('--policy <name>', 'consensus policy')
    .addOption(new Option('-f, --format <format>', 'output format').choices(TRIAGE_FORMATS).default('table'))
    .option('--config <file>', 'configuration file (mamori.yaml)')
    .option('--deadline <seconds>', 'per finding, all analysts together')
    .option('--concurrency <n>', 'findings judged at once')
    .addOption(
      new Option('--fail-on <outcome>', 'exit 1 when a decision is at least this').choices(['review', 'escalate']),
    )
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option('-q, --quiet', 'no summary on standard error')
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: TriageFlags) => {
      process.exitCode = await runTriageCommand(flags);
    });
}

/** Finds and reads mamori.yaml (defaults when there is none). */
export async function loadConfig(explicit?: string): Promise<{ config: MamoriConfig; path?: string }> {
  const candidates = explicit
    ? [explicit]
    : [process.env['MAMORI_CONFIG'], 'mamori.yaml', join(dataDir(), 'mamori.yaml')].filter((p): p is string => !!p);
  for (const [i, p] of candidates.entries()) {
    const must = explicit !== undefined || (i === 0 && process.env['MAMORI_CONFIG'] !== undefined);
    if (!must && !existsSync(p)) continue;
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read the configuration ${p}: ${(err as Error).message}`);
    }
    return { config: parseConfig(text, p), path: resolve(p) };
  }
  return { config: defaultConfig() };
}

function positive(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, not "${v}"`);
  return n;
}

export type TriageSetup = {
  readonly analysts?: string;
  readonly policy?: string;
  readonly config?: string;
  readonly deadline?: string;
  readonly concurrency?: string;
  /** builtin-rarity's history elsewhere than configured (eval uses a throw-away one). */
  readonly historyDir?: string;
};

/** Analysts, policy and limits from flags over mamori.yaml over defaults. */
export async function triageSetup(flags: TriageSetup) {
  const loaded = (await loadConfig(flags.config)).config;
  const config: MamoriConfig = flags.historyDir
    ? { ...loaded, builtin: { ...loaded.builtin, historyDir: flags.historyDir } }
    : loaded;
  const names = (flags.analysts?.split(',') ?? config.triage.analysts).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--analysts: give at least one analyst');
  const policyName = flags.policy ?? config.triage.policy;
  const policy: PolicySpec | undefined = findPolicy(policyName, config.policies);
  if (!policy) {
    throw new UsageError(`unknown policy "${policyName}"; known: ${policyNames(config.policies).join(', ')}`);
  }
  const deadlineMs = (positive('--deadline', flags.deadline) ?? config.triage.deadlineSeconds) * 1000;
  const concurrency = Math.floor(positive('--concurrency', flags.concurrency) ?? config.triage.concurrency);
  const set = await createAnalysts(names, { config, env: process.env, home: dataDir() });
  return { config, policy, deadlineMs, concurrency, ...set };
}

const RANK: Record<Outcome, number> = { suppress: 0, review: 1, escalate: 2 };

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

/**
 * Judges findings and writes one decision per finding; shared by `triage` and the detectors' `--triage`.
 * Returns the highest outcome written (undefined for none) and the findings the policy did not suppress.
 */
export async function writeTriage(
  findings: Iterable<Finding> | AsyncIterable<Finding>,
  setup: Awaited<ReturnType<typeof triageSetup>>,
  out: Writable,
  format: TriageFormat,
  quiet: boolean,
): Promise<{ worst: Outcome | undefined; kept: Finding[] }> {
  const totals = new TriageTotals();
  const kept: Finding[] = [];
  const t0 = performance.now();
  // model analysts take seconds per finding: a terminal sees the run move (at most twice a second), unless the
  // decisions themselves are printed on it
  const progress = !quiet && process.stderr.isTTY === true && !(out === process.stdout && process.stdout.isTTY);
  let shown = t0;
  let worst: Outcome | undefined;
  /** Per analyst: findings it voted malicious or benign on, of those it saw, and its first rationale. */
  const silent = new Map<string, { votes: number; total: number; why: string }>();
  try {
    for await (const [f, d] of triage(findings, setup.analysts, setup.policy, {
      deadlineMs: setup.deadlineMs,
      concurrency: setup.concurrency,
    })) {
      totals.add(d);
      for (const v of d.verdicts) {
        const c = silent.get(v.analyst) ?? { votes: 0, total: 0, why: v.rationale };
        c.total++;
        if (v.label !== 'needs-human' && !v.abstained) c.votes++;
        silent.set(v.analyst, c);
      }
      if (progress && performance.now() - shown > 500) {
        shown = performance.now();
        const o = totals.outcomes;
        process.stderr.write(
          `\rmamori: ${o.escalate + o.review + o.suppress} findings judged: ${o.escalate} escalate, ${o.review} review, ${o.suppress} suppress`,
        );
      }
      if (worst === undefined || RANK[d.outcome] > RANK[worst]) worst = d.outcome;
      if (d.outcome !== 'suppress') kept.push(f);
      await write(out, format === 'jsonl' ? `${JSON.stringify(triageRecord(f, d))}\n` : `${tableLine(f, d)}\n`);
    }
  } finally {
    if (progress && shown !== t0) process.stderr.write('\r\x1b[K');
    await setup.close();
  }
  const summary = totals.summary(setup.policy, (performance.now() - t0) / 1000);
  if (format === 'table') await write(out, `\n${summary}\n`);
  else if (!quiet) process.stderr.write(`${summary}\n`);
  // an analyst that never votes makes every decision a review: say so once, with its own reason
  if (!quiet && setup.analysts.length > 1)
    for (const [name, c] of silent)
      if (c.total > 0 && c.votes === 0) {
        const why = c.why.length > 200 ? `${c.why.slice(0, 199)}…` : c.why;
        process.stderr.write(
          `mamori: note: ${name} voted on none of the ${c.total} findings, so none had every analyst's vote ` +
            `(its first answer: "${why}"); add or choose analysts with --analysts\n`,
        );
      }
  return { worst, kept };
}

export async function runTriageCommand(flags: TriageFlags): Promise<number> {
  const setup = await triageSetup(flags);
  if (setup.analysts.length < 2 && !flags.quiet)
    process.stderr.write(
      `mamori triage: only one analyst (${setup.analysts[0]!.name}): no consensus, its verdict alone decides\n`,
    );
  const out: Writable = flags.output ? createWriteStream(flags.output) : process.stdout;
  const bad: BadInput[] = [];
  const file = flags.findings!;
  if (file !== '-' && !existsSync(file)) {
    await setup.close();
    throw new UsageError(`--findings: no such file: ${file}`);
  }
  // findings are read whole first: analysts such as builtin-rarity weigh each one against the whole batch
  const findings: Finding[] = [];
  for await (const f of readFindings(file, bad)) findings.push(f);
  const { worst } = await writeTriage(findings, setup, out, flags.format, flags.quiet ?? false);
  if (flags.output) {
    out.end();
    await once(out, 'finish');
  }
  for (const b of bad) process.stderr.write(`mamori triage: ${b.where}: skipped: ${b.why}\n`);
  if (bad.length) return EXIT_ERROR;
  const failOn = flags.failOn as Outcome | undefined;
  return failOn && worst !== undefined && RANK[worst] >= RANK[failOn] ? EXIT_FINDINGS : EXIT_OK;
}

/** The flags `hunt`, `scan` and `harden` take to triage their findings inline. */
export type InlineTriageFlags = {
  triage?: boolean;
  analysts?: string;
  policy?: string;
  config?: string;
};

/** Adds --triage and the options that go with it to a detector's command. */
export function addTriageOptions(cmd: Command): Command {
  return cmd
    .option('--triage', "judge every finding with the analysts and a consensus policy, as 'mamori triage' does")
    .option('--analysts <list>', 'with --triage: comma-separated analyst names (see mamori triage --help)')
    .option('--policy <name>', 'with --triage: consensus policy (default unanimous)')
    .option('--config <file>', 'with --triage: configuration file (mamori.yaml)');
}

export const INLINE_TRIAGE_HELP = `
--triage: after detection, every finding goes to the analysts (default builtin-rules,builtin-rarity) and
the policy decides escalate, suppress or review; the output is then triage's (table, or jsonl: one
{finding, verdicts, outcome, policy, reason, time} per finding), and --fail-on counts only findings the
policy did not suppress. See 'mamori triage --help'.`;

/**
 * Checks the inline-triage flags before any detection work, so a bad analyst name or key fails fast. Returns the
 * analysts to use (close them through finishInlineTriage), or undefined without --triage.
 */
export async function prepareInlineTriage(
  command: string,
  flags: InlineTriageFlags,
  format: string,
): Promise<Awaited<ReturnType<typeof triageSetup>> | undefined> {
  if (!flags.triage) {
    for (const f of ['analysts', 'policy', 'config'] as const)
      if (flags[f] !== undefined) throw new UsageError(`${command}: --${f} goes with --triage`);
    return undefined;
  }
  if (!(TRIAGE_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`${command} --triage writes ${TRIAGE_FORMATS.join(' or ')}, not ${format}`);
  return triageSetup(flags);
}
