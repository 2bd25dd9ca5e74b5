import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { atLeast, parseSeverity, SEVERITIES, type Severity } from '../../core/severity.ts';
import { applyFiles, rollback } from '../../harden/apply.ts';
import { HardenError, loadBaselines, selectProfile } from '../../harden/baselines.ts';
import { ENGINES, syntaxCheck } from '../../harden/engines.ts';
import { hardenFinding, type HardenFinding } from '../../harden/finding.ts';
import { DirectoryRoot, normalisePath } from '../../harden/root.ts';
import { combine, harden, resultKey, type HardenResult } from '../../harden/run.ts';
import type { CheckSpec, ConfigRoot } from '../../harden/types.ts';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../exit.ts';
import { sarifLog } from '../output/findings.ts';
import { dataDir } from '../paths.ts';
import type { Finding } from '../../core/index.ts';
import {
  addTriageOptions,
  INLINE_TRIAGE_HELP,
  prepareInlineTriage,
  writeTriage,
  type InlineTriageFlags,
} from './triage.ts';

const FORMATS = ['table', 'json', 'jsonl', 'sarif', 'patch'] as const;
type HardenFormat = (typeof FORMATS)[number];

type HardenFlags = {
  root?: string;
  profile?: string;
  baseline?: string[];
  format: HardenFormat;
  output?: string;
  apply?: boolean;
  only?: string[];
  rollback?: string | boolean;
  failOn?: string;
  listChecks?: boolean;
  quiet?: boolean;
} & InlineTriageFlags;

const HELP_AFTER = `
What is assessed: a file-system root (--root DIR: /, a mounted host, an unpacked image), or single files
(FILE...: an sshd_config, a sysctl.conf or sysctl.d/*.conf, a login.defs), against the bundled baselines
(src/harden/baselines/*.yaml; --baseline FILE adds more) or one profile of them (--profile).

Every failed check comes with a minimal patch: the effective line edited in place (comments, indentation and
order kept), or one line inserted where the service reads it. A patch is offered only after it was verified:
applied to a copy, the whole selection re-assessed (the finding gone, nothing newly failing), and the
patched files checked by the service's own tool when installed (sshd -t). Patches are unified diffs with
paths relative to the root: 'cd ROOT && patch -p1 < fixes.patch'.

Output formats:
  table   failed checks with file:line, current and expected values and the patch status; summary (default)
  jsonl   one Finding per failed check: id, kind "misconfiguration", severity, title, rule{id, refs (ssg:...,
          cis:...), tags (profiles)}, file, line, current, expected, patch, changedLines, verification
  json    {"findings": [...], "passed": [...], "summary": {...}}
  sarif   SARIF 2.1.0
  patch   the combined patch of every verified fix (also verified as a whole)

--apply writes the verified fixes (all, or --only ID...) into the root atomically, after backing up every
file it changes under $MAMORI_HOME/backups/harden; --rollback [ID] restores the newest backup of the root (or
ID), refusing files edited since.

Exit codes: 0 no failed check at or above --fail-on (or --fail-on not given), 1 failed checks at or above it,
2 error.

Examples:
  mamori harden --root / --profile cis-l1-server
  mamori harden --root /mnt/host --format patch > fixes.patch
  mamori harden /etc/ssh/sshd_config --format jsonl
  mamori harden --root /srv/image-root --apply --only sshd-permit-root-login
  mamori harden --root /srv/image-root --rollback`;

export function registerHarden(program: Command): void {
  const cmd = program
    .command('harden')
    .description(
      'Assess configuration against hardening baselines (OpenSSH, kernel parameters, login.defs, ...), with a\n' +
        'minimal, verified patch for every failed check.',
    )
    .argument('[file...]', 'single configuration files (sshd_config, sysctl.conf, sysctl.d/*.conf, login.defs)')
    .option('--root <dir>', 'a file-system root to assess')
    .option('-p, --profile <profile>', 'only the checks of this profile (cis-l1-server, cis-l2-server, ...)')
    .option('--baseline <file>', 'an extra baseline file (YAML list of checks; repeatable)', collect)
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--apply', 'write the verified fixes into the root (with a backup)')
    .option('--only <id...>', 'with --apply: only these checks')
    .option('--rollback [id]', 'restore the newest backup of the root (or the one given)')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a failed check is at or above this severity').choices([
        ...SEVERITIES,
        'info',
        'crit',
      ]),
    )
    .option('--list-checks', 'list the checks (of --profile) and exit')
    .option('-q, --quiet', 'no summary on standard error');
  addTriageOptions(cmd)
    .addHelpText('after', HELP_AFTER + INLINE_TRIAGE_HELP)
    .action(async (files: string[], flags: HardenFlags) => {
      process.exitCode = await runHardenCommand(files, flags);
    });
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

function backupsDir(): string {
  return join(dataDir(), 'backups', 'harden');
}

/** Where a single file sits in a root, by its name: the place the service reads it from. */
function standardPath(file: string): string | undefined {
  const name = basename(file);
  const parent = basename(dirname(resolve(file)));
  if (name === 'sshd_config') return 'etc/ssh/sshd_config';
  if (parent === 'sshd_config.d' && name.endsWith('.conf')) return `etc/ssh/sshd_config.d/${name}`;
  if (name === 'sysctl.conf') return 'etc/sysctl.conf';
  if (parent === 'sysctl.d' && name.endsWith('.conf')) return `etc/sysctl.d/${name}`;
  if (name === 'login.defs') return 'etc/login.defs';
  return undefined;
}

/** Single files seen as a root: each at its standard place, nothing else present. */
class FilesRoot implements ConfigRoot {
  readonly #map: ReadonlyMap<string, string>;
  constructor(map: ReadonlyMap<string, string>) {
    this.#map = map;
  }
  async read(path: string): Promise<string | undefined> {
    const real = this.#map.get(normalisePath(path) ?? '');
    return real === undefined ? undefined : new DirectoryRoot(dirname(real)).read(basename(real));
  }
  async list(dir: string): Promise<readonly string[]> {
    const d = normalisePath(dir) ?? '';
    return [...this.#map.keys()]
      .filter((p) => dirname(p) === (d === '' ? '.' : d))
      .map((p) => basename(p))
      .sort();
  }
}

function severityFlag(v: string | undefined): Severity | undefined {
  if (v === undefined) return undefined;
  const s = parseSeverity(v);
  if (!s) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
  return s;
}

export async function runHardenCommand(files: string[], flags: HardenFlags): Promise<number> {
  const failOn = severityFlag(flags.failOn);
  if (flags.root !== undefined && files.length) throw new UsageError('give --root DIR or FILE..., not both');
  if (flags.root === undefined && files.length === 0 && !flags.listChecks)
    throw new UsageError('nothing to assess: give --root DIR or FILE...');
  if ((flags.apply || flags.rollback !== undefined) && flags.root === undefined)
    throw new UsageError('--apply and --rollback work on a --root');
  if (flags.only?.length && !flags.apply) throw new UsageError('--only goes with --apply');
  if (flags.triage && (flags.apply || flags.rollback !== undefined || flags.listChecks))
    throw new UsageError('--triage judges findings; it does not go with --apply, --rollback or --list-checks');
  const triaging = await prepareInlineTriage('harden', flags, flags.format);

  if (flags.rollback !== undefined) {
    const root = resolve(flags.root!);
    const m = await rollback(backupsDir(), root, typeof flags.rollback === 'string' ? flags.rollback : undefined);
    process.stdout.write(`rolled back ${m.id}: ${m.files.map((f) => f.path).join(', ')}\n`);
    return EXIT_OK;
  }

  const checks = selectProfile(await loadBaselines(flags.baseline ?? []), flags.profile);
  if (flags.listChecks) {
    for (const c of checks)
      process.stdout.write(`${c.id.padEnd(44)} ${c.severity.padEnd(8)} ${c.title}  [${c.refs.join(' ')}]\n`);
    return EXIT_OK;
  }

  let root: ConfigRoot;
  let target: string;
  /** Single files: standard path → the path given (patch headers are rewritten to the latter). */
  const given = new Map<string, string>();
  if (flags.root !== undefined) {
    target = resolve(flags.root);
    if (!(await stat(target).catch(() => undefined))?.isDirectory())
      throw new HardenError('TARGET_NOT_FOUND', `--root ${flags.root}: not a directory`);
    root = new DirectoryRoot(target);
  } else {
    const map = new Map<string, string>();
    for (const f of files) {
      const st = await stat(f).catch(() => undefined);
      if (!st?.isFile()) throw new HardenError('TARGET_NOT_FOUND', `${f}: no such file`);
      const p = standardPath(f);
      if (p === undefined)
        throw new UsageError(
          `${f}: not a file a baseline reads (sshd_config, sysctl.conf, sysctl.d/*.conf, login.defs)`,
        );
      map.set(p, resolve(f));
      given.set(p, f.replace(/^\/+/, ''));
    }
    root = new FilesRoot(map);
    target = files.join(', ');
  }

  const result = await harden(root, checks, ENGINES, { syntax: syntaxCheck });
  const time = new Date().toISOString();
  const rewrite = (patch: string): string => {
    let out = patch;
    for (const [std, real] of given)
      out = out.replaceAll(`a/${std}\n`, `a/${real}\n`).replaceAll(`b/${std}\n`, `b/${real}\n`);
    return out;
  };
  const failed = result.checks.filter((c) => c.result.status === 'fail');
  const findings: HardenFinding[] = failed.map((c) => {
    const f = hardenFinding(c, target, time);
    return f.patch !== undefined ? { ...f, patch: rewrite(f.patch) } : f;
  });
  const summary = hardenSummary(result, target, flags.profile);

  if (flags.apply) return applyCommand(flags, result, root, target, checks);

  const out: Writable = flags.output ? createWriteStream(flags.output) : process.stdout;
  let live: readonly Finding[] = findings;
  if (triaging) {
    if (!flags.quiet) process.stderr.write(summaryText(summary));
    live = (await writeTriage(findings, triaging, out, flags.format as 'table' | 'jsonl', flags.quiet ?? false)).kept;
  } else
    switch (flags.format) {
      case 'jsonl':
        for (const f of findings) await write(out, JSON.stringify(f) + '\n');
        break;
      case 'json':
        await write(
          out,
          JSON.stringify(
            {
              findings,
              passed: result.checks.filter((c) => c.result.status === 'pass').map((c) => c.result.check.id),
              summary,
            },
            null,
            2,
          ) + '\n',
        );
        break;
      case 'sarif':
        await write(
          out,
          JSON.stringify(sarifLog(findings, process.env['npm_package_version'] ?? '0.1.0'), null, 2) + '\n',
        );
        break;
      case 'patch':
        await write(out, rewrite(result.combined.patch));
        if (!result.combined.verification.ok)
          process.stderr.write(
            `mamori: the combined patch does not verify: ${result.combined.verification.reasons.join('; ')}\n`,
          );
        break;
      case 'table':
        await write(out, hardenTable(findings));
        if (!flags.quiet) await write(out, '\n' + summaryText(summary));
        break;
    }
  if (flags.format !== 'table' && !flags.quiet && !triaging) process.stderr.write(summaryText(summary));
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  if (result.checks.every((c) => c.result.status === 'not-applicable' || c.result.status === 'error')) {
    process.stderr.write(`mamori: nothing in ${target} that these checks read\n`);
    return EXIT_ERROR;
  }
  return failOn !== undefined && live.some((f) => atLeast(f.severity, failOn)) ? EXIT_FINDINGS : EXIT_OK;
}

async function applyCommand(
  flags: HardenFlags,
  result: HardenResult,
  root: ConfigRoot,
  target: string,
  checks: readonly CheckSpec[],
): Promise<number> {
  const verified = result.checks.filter((c) => c.patch !== undefined);
  const wanted = flags.only?.length ? verified.filter((c) => flags.only!.includes(c.result.check.id)) : verified;
  for (const id of flags.only ?? [])
    if (!wanted.some((c) => c.result.check.id === id)) {
      const c = result.checks.find((x) => x.result.check.id === id);
      throw new UsageError(
        c === undefined
          ? `--only ${id}: no such check in this selection`
          : c.result.status !== 'fail'
            ? `--only ${id}: the check does not fail (${c.result.status})`
            : `--only ${id}: no verified patch (${c.verification?.reasons.join('; ') ?? c.result.unfixable ?? 'no fix'})`,
      );
    }
  if (wanted.length === 0) {
    process.stdout.write('nothing to apply: no failed check has a verified patch\n');
    return EXIT_OK;
  }
  // the fixes applied one after another, as the combined patch is built, and verified together before writing
  const combined = await combine(root, checks, ENGINES, new Set(wanted.map((c) => resultKey(c.result))), {
    syntax: syntaxCheck,
  });
  if (!combined.verification.ok)
    throw new HardenError(
      'APPLY_FAILED',
      `the fixes do not verify together: ${combined.verification.reasons.join('; ')}`,
    );
  const texts = combined.files;
  const m = await applyFiles(
    target,
    texts,
    wanted.map((c) => c.result.check.id),
    backupsDir(),
  );
  process.stdout.write(
    `applied ${wanted.length} fixes to ${m.files.length} files (${m.files.map((f) => f.path).join(', ')}); backup ${m.id}\n` +
      `undo with: mamori harden --root ${target} --rollback ${m.id}\n`,
  );
  return EXIT_OK;
}

type Summary = {
  readonly target: string;
  readonly profile?: string;
  readonly checks: number;
  readonly passed: number;
  readonly failed: number;
  readonly notApplicable: number;
  readonly errors: number;
  readonly patches: number;
  readonly refused: number;
  readonly combinedOk: boolean;
};

function hardenSummary(r: HardenResult, target: string, profile: string | undefined): Summary {
  const n = (s: string) => r.checks.filter((c) => c.result.status === s).length;
  return {
    target,
    ...(profile ? { profile } : {}),
    checks: r.checks.length,
    passed: n('pass'),
    failed: n('fail'),
    notApplicable: n('not-applicable'),
    errors: n('error'),
    patches: r.checks.filter((c) => c.patch !== undefined).length,
    refused: r.checks.filter((c) => c.verification && !c.verification.ok).length,
    combinedOk: r.combined.verification.ok,
  };
}

function summaryText(s: Summary): string {
  return (
    [
      'Summary',
      `  assessed   ${s.target}${s.profile ? ` (profile ${s.profile})` : ''}: ${s.checks} checks`,
      `  result     ${s.failed} failed, ${s.passed} passed, ${s.notApplicable} not applicable${s.errors ? `, ${s.errors} errors` : ''}`,
      `  patches    ${s.patches} verified${s.refused ? `, ${s.refused} refused by verification` : ''}; combined patch ${s.combinedOk ? 'verifies' : 'does NOT verify'}`,
    ].join('\n') + '\n'
  );
}

function hardenTable(findings: readonly HardenFinding[]): string {
  if (findings.length === 0) return 'No failed checks.\n';
  const out: string[] = [];
  const order = [...findings].sort(
    (a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || (a.rule.id < b.rule.id ? -1 : 1),
  );
  for (const f of order) {
    const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '(built-in default)';
    out.push(`${f.severity.toUpperCase().padEnd(8)} ${f.rule.id}  ${f.title}${f.instance ? ` — ${f.instance}` : ''}`);
    out.push(`         ${where}: ${f.current ?? '(unset)'} → expected ${f.expected}`);
    const refs = f.rule.refs?.length ? `         refs: ${f.rule.refs.join(' ')}` : undefined;
    if (refs) out.push(refs);
    if (f.patch !== undefined) out.push(`         patch: verified, ${f.changedLines ?? 0} line(s) changed`);
    else if (f.verification && !f.verification.ok)
      out.push(`         patch: not offered — ${f.verification.reasons.join('; ')}`);
    else if (f.unfixable) out.push(`         patch: none — ${f.unfixable}`);
  }
  return out.join('\n') + '\n';
}
