import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { Finding } from '../../core/finding.ts';
import { UsageError } from '../../core/errors.ts';
import { atLeast, parseSeverity, SEVERITIES, type Severity } from '../../core/severity.ts';
import { LOG_FORMATS, type LogFormat, type ReadIssue } from '../../hunt/event.ts';
import { hunt } from '../../hunt/pipeline.ts';
import type { RulesReport } from '../../hunt/engine.ts';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../exit.ts';
import {
  CSV_HEADER,
  FINDING_FORMATS,
  csvRow,
  sarifLog,
  tableText,
  type FindingFormat,
  byTime,
} from '../output/findings.ts';
import { FindingTally, summarise, summaryText } from '../output/summary.ts';
import { ProgressBar } from '../progress.ts';
import { parseTimeArg } from '../time.ts';
import { dataDir, defaultRulePaths } from '../paths.ts';
import { join } from 'node:path';
import {
  addTriageOptions,
  INLINE_TRIAGE_HELP,
  prepareInlineTriage,
  writeTriage,
  type InlineTriageFlags,
} from './triage.ts';

type HuntFlags = {
  rules?: string[];
  minLevel?: string;
  status?: string;
  format: string;
  output?: string;
  since?: string;
  until?: string;
  jobs?: string;
  failOn?: string;
  inputFormat?: string;
  placeholders?: string;
  progress: boolean;
  summary?: boolean;
  quiet?: boolean;
  listRules?: boolean;
} & InlineTriageFlags;

const HELP_AFTER = `
Output formats:
  table   a timeline for people: time, level, host, rule, key fields (default); summary after it
  csv     the same timeline as CSV (header: ${CSV_HEADER.join(',')})
  jsonl   one Finding per line, streamed as found: id, kind, severity, title,
          rule{id,title,level,tags,...}, asset{kind:host,name}, time,
          evidence[{source{file,recordId|line}, time, data}], details{matched, logsource, ...}
  json    {"findings": [...], "summary": {...}}
  sarif   SARIF 2.1.0, for code-scanning dashboards
With json/jsonl/sarif/csv the summary goes to standard error (unless --quiet).

Rules: --rules takes a directory (searched recursively for .yml), a rule file or a .zip (e.g. SigmaHQ's
release archive); repeat it for several. Without --rules: Mamori's bundled rules, plus the SigmaHQ ruleset
installed by 'mamori rules update' if present.

Exit codes: 0 no detection at or above --fail-on (or --fail-on not given), 1 detections at or above it, 2 error.

Examples:
  mamori hunt ./logs --rules sigma/rules --min-level high
  mamori hunt Security.evtx --format jsonl --output findings.jsonl --fail-on high
  mamori hunt /var/log/auth.log /var/log/audit/audit.log --since 24h
  mamori hunt ./logs --triage --format jsonl --fail-on high
${INLINE_TRIAGE_HELP}`;

export function registerHunt(program: Command): void {
  const cmd = program
    .command('hunt')
    .description(
      'Hunt through logs with Sigma rules (the whole specification, the whole SigmaHQ ruleset): EVTX,\n' +
        'JSON/JSONL (evtx_dump, Winlogbeat/ECS), syslog, auditd, web access logs, CloudTrail; gzip too.',
    )
    .argument('<path...>', 'log files or directories (searched recursively)')
    .option('-r, --rules <path>', 'rules: directory, .yml file or .zip (repeatable)', collect)
    .addOption(
      new Option('--min-level <level>', 'only rules at or above this level').choices([...SEVERITIES, 'info', 'crit']),
    )
    .option(
      '--status <list>',
      'only rules with these statuses, comma-separated (default: all but deprecated,unsupported)',
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(FINDING_FORMATS).default('table'))
    .option('-o, --output <file>', 'write findings to a file instead of standard output')
    .option('--since <time>', 'only events at or after this time (ISO 8601, or 30m/24h/7d ago)')
    .option('--until <time>', 'only events at or before this time (ISO 8601, or a duration ago)')
    .option(
      '-j, --jobs <n>',
      'threads matching files in parallel (default: up to the number of CPUs, one per 64 MB of input)',
    )
    .addOption(
      new Option('--fail-on <level>', 'exit 1 when a detection is at or above this level').choices([
        ...SEVERITIES,
        'info',
        'crit',
      ]),
    )
    .addOption(
      new Option('--input-format <format>', 'force the input format instead of detecting it').choices(LOG_FORMATS),
    )
    .option('--placeholders <file>', 'YAML map of Sigma placeholder names to values for |expand (name: [v1, v2])')
    .option('--no-progress', 'no progress bar on standard error')
    .option('-q, --quiet', 'no summary and no read warnings on standard error')
    .option('--list-rules', 'also list rejected rules and rules whose log source is not read here, with reasons');
  addTriageOptions(cmd)
    .addHelpText('after', HELP_AFTER)
    .action(async (paths: string[], flags: HuntFlags) => {
      process.exitCode = await runHuntCommand(paths, flags);
    });
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

function level(flag: string, v: string | undefined): Severity | undefined {
  if (v === undefined) return undefined;
  const s = parseSeverity(v);
  if (!s) throw new UsageError(`${flag} must be one of ${SEVERITIES.join(', ')}`);
  return s;
}

async function loadPlaceholders(path: string): Promise<Map<string, string[]>> {
  let doc: unknown;
  try {
    doc = parseYaml(await readFile(path, 'utf8'), { maxAliasCount: 100 });
  } catch (err) {
    throw new UsageError(`--placeholders ${path}: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UsageError(`--placeholders ${path}: expected a map of placeholder names to lists of values`);
  }
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(doc)) {
    const list = Array.isArray(v) ? v : [v];
    out.set(k.replace(/^%|%$/g, ''), list.map(String));
  }
  return out;
}

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

function reportRules(r: RulesReport, list: boolean): void {
  if (!list) return;
  for (const i of r.rejected)
    process.stderr.write(`rejected  ${i.path}${i.title ? ` (${i.title})` : ''}: ${i.reason}\n`);
  for (const i of r.unbound)
    process.stderr.write(`not read  ${i.path}${i.title ? ` (${i.title})` : ''}: ${i.reason}\n`);
}

export async function runHuntCommand(paths: string[], flags: HuntFlags): Promise<number> {
  const format = flags.format as FindingFormat;
  const minLevel = level('--min-level', flags.minLevel);
  const failOn = level('--fail-on', flags.failOn);
  const since = flags.since ? parseTimeArg('--since', flags.since) : undefined;
  const until = flags.until ? parseTimeArg('--until', flags.until) : undefined;
  if (since !== undefined && until !== undefined && since > until) throw new UsageError('--since is after --until');
  const jobs = flags.jobs === undefined ? availableParallelism() : Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256)
    throw new UsageError(`--jobs must be a whole number from 1 to 256`);
  const status = flags.status
    ?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const placeholders = flags.placeholders ? await loadPlaceholders(flags.placeholders) : undefined;
  const triaging = await prepareInlineTriage('hunt', flags, format);

  const out: Writable = flags.output ? createWriteStream(flags.output) : process.stdout;
  const toTerminal = !flags.output && process.stdout.isTTY === true;
  const bar = new ProgressBar(flags.progress && !flags.quiet);
  const tally = new FindingTally();
  const kept: Finding[] = [];
  let failing = false;
  let pending: Promise<void> = Promise.resolve();
  let jsonlBuffer = '';
  const flush = (): void => {
    if (!jsonlBuffer) return;
    const s = jsonlBuffer;
    jsonlBuffer = '';
    pending = pending.then(() => write(out, s));
  };

  const result = await hunt(
    {
      paths,
      selection: {
        rules: flags.rules?.length ? flags.rules : defaultRulePaths(),
        ...(minLevel ? { minLevel } : {}),
        ...(status?.length ? { status } : {}),
        ...(placeholders ? { placeholders } : {}),
        // parsed rules are cached by content: a second run skips ~2 s of YAML parsing for the SigmaHQ set
        ...(process.env['MAMORI_NO_RULE_CACHE'] ? {} : { cacheDir: join(dataDir(), 'cache') }),
      },
      ...(flags.inputFormat ? { format: flags.inputFormat as LogFormat } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
      jobs,
      autoJobs: flags.jobs === undefined,
    },
    {
      finding: (f) => {
        tally.add(f);
        if (failOn && atLeast(f.severity, failOn)) failing = true;
        if (format === 'jsonl' && !triaging) {
          jsonlBuffer += JSON.stringify(f) + '\n';
          if (jsonlBuffer.length > 1 << 16) flush();
        } else kept.push(f);
      },
      issue: (i: ReadIssue) => {
        if (flags.quiet) return;
        bar.clear();
        process.stderr.write(`mamori: ${i.file}${i.where ? ` (${i.where})` : ''}: ${i.message}\n`);
      },
      progress: (p) => {
        bar.update(p);
        flush();
      },
      rulesReady: (r) => reportRules(r, flags.listRules === true),
    },
  );
  bar.clear();
  flush();
  await pending;

  const summary = summarise(tally, result);
  const version = process.env['npm_package_version'] ?? '0.1.0';
  if (triaging) {
    if (!flags.quiet) process.stderr.write(summaryText(summary, process.stderr.isTTY === true));
    const { kept: live } = await writeTriage(
      kept.sort(byTime),
      triaging,
      out,
      format as 'table' | 'jsonl',
      flags.quiet ?? false,
    );
    failing = failOn !== undefined && live.some((f) => atLeast(f.severity, failOn));
  } else
    switch (format) {
      case 'jsonl':
        break;
      case 'json':
        await write(out, JSON.stringify({ findings: kept.sort(byTime), summary }, null, 2) + '\n');
        break;
      case 'sarif':
        await write(out, JSON.stringify(sarifLog(kept.sort(byTime), version), null, 2) + '\n');
        break;
      case 'csv':
        await write(
          out,
          CSV_HEADER.join(',') + '\n' + kept.sort(byTime).map(csvRow).join('\n') + (kept.length ? '\n' : ''),
        );
        break;
      case 'table': {
        const width = toTerminal ? process.stdout.columns || 160 : 200;
        await write(out, tableText(kept, { color: toTerminal, width }));
        if (!flags.quiet) await write(out, '\n' + summaryText(summary, toTerminal));
        break;
      }
    }
  if (format !== 'table' && !flags.quiet && !triaging)
    process.stderr.write(summaryText(summary, process.stderr.isTTY === true));
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  if (result.issues > 0 && result.events === 0) return EXIT_ERROR;
  return failing ? EXIT_FINDINGS : EXIT_OK;
}
