import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { atLeast, parseSeverity, SEVERITIES, type Severity } from '../../core/severity.ts';
import type { VulnerabilityFinding } from '../../scan/finding.ts';
import { openOsvDb, type OsvDbForm } from '../../scan/osv/open.ts';
import type { OsvDbStatus } from '../../scan/osv/store.ts';
import { scan, type ScanProgress, type ScanTarget } from '../../scan/run.ts';
import { cycloneDxBom } from '../../scan/report/cyclonedx.ts';
import { vulnerabilitySarif } from '../../scan/report/sarif.ts';
import { applyIgnores, parseIgnoreFile, type IgnoreRule } from '../../scan/vex/index.ts';
import { ScanError } from '../../scan/errors.ts';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../exit.ts';
import { byPlace, SCAN_FORMATS, scanSummary, scanSummaryText, scanTable, type ScanFormat } from '../output/scan.ts';
import { defaultOsvDir } from '../paths.ts';
import {
  addTriageOptions,
  INLINE_TRIAGE_HELP,
  prepareInlineTriage,
  writeTriage,
  type InlineTriageFlags,
} from './triage.ts';

type ScanFlags = {
  root?: string[];
  image?: string[];
  db?: string;
  format: ScanFormat;
  output?: string;
  failOn?: string;
  ignore?: string[];
  includeDev?: boolean;
  maxDbAge: string;
  progress: boolean;
  quiet?: boolean;
  showSuppressed?: boolean;
  platform?: string;
} & InlineTriageFlags;

const HELP_AFTER = `
What is scanned:
  PATH        a project checkout or a single file: lockfiles and manifests of npm (package-lock, shrinkwrap,
              yarn v1/berry, pnpm, bun.lock), PyPI (requirements.txt pins, Pipfile.lock, poetry.lock, uv.lock,
              pdm.lock, pylock.toml), Go (go.mod), Cargo.lock, Gemfile.lock, composer.lock, NuGet
              (packages.lock.json, packages.config, *.deps.json, Directory.Packages.props), Maven (pom.xml,
              gradle.lockfile, verification-metadata.xml, sbt), pub, mix, conan, CocoaPods, Swift, and
              CycloneDX / SPDX JSON SBOMs. Installed metadata (composer installed.json,
              node_modules/*/package.json) counts where no lockfile of its ecosystem covers it.
  --root DIR  a file-system root (a mounted host, an unpacked image): OS packages (dpkg, apk, rpm sqlite)
              and every installed language package too.
  --image TAR a container image: a 'docker save' tarball or an OCI layout (folder or tar).

Database: --db takes a Mamori index (what 'mamori db update' writes), a folder laid out <Ecosystem>/all.zip
(osv-scanner's offline layout), or a folder of OSV JSON records. Default: ${'$'}MAMORI_HOME/osv (~/.mamori/osv).
Nothing is sent anywhere: matching is offline. A warning is printed when the data is older than --max-db-age.

Output formats:
  table      grouped by the file each package was found in, with fixed versions and the upgrade that clears
             each package (default); summary after it
  jsonl      one Finding per (package, vulnerability): id, kind "vulnerability", severity, title, rule, asset,
             package{name,version,ecosystem,location,line?,purl?}, vulnerability{id,aliases,records,status,
             severity{level,score?,vector?,source},fixed,upgrade?,summary?,references}, evidence, details
  json       {"findings": [...], "summary": {...}}
  sarif      SARIF 2.1.0 (one rule per vulnerability, security-severity for code-scanning dashboards)
  cyclonedx  CycloneDX 1.6 JSON: every package found as a component, and the vulnerabilities that affect them
With the machine formats the summary goes to standard error (unless --quiet).

Ignore files (--ignore, repeatable): OpenVEX JSON (not_affected and fixed statements suppress, with their
justification or impact statement; "mamori_expires" on a statement sets an expiry), a YAML file in the form of
Trivy's .trivyignore.yaml (vulnerabilities: [{id, purls, paths, statement, expired_at}]; a statement, the
reason, is required), or a plain .trivyignore (CVE-… exp:YYYY-MM-DD # reason). An id matches the reported id
or any alias. Expired entries suppress nothing and are warned about, as are entries that matched nothing.
Suppressed findings do not count for --fail-on; SARIF marks them suppressed and CycloneDX records their analysis.

Undetermined: a record that cannot be evaluated against a version (a version the ecosystem cannot order, a
range type we do not know) is reported with status "unknown", never taken as "not affected".

Exit codes: 0 nothing at or above --fail-on (or --fail-on not given), 1 findings at or above it, 2 error.

Examples:
  mamori db update --ecosystem npm PyPI Go
  mamori scan . --fail-on high
  mamori scan --root /mnt/host --format jsonl --output vulns.jsonl
  mamori scan --image app.tar --format cyclonedx --output app.cdx.json
  mamori scan service/ --db ./osv-mirror --ignore .mamori-ignore.yaml`;

export function registerScan(program: Command): void {
  const cmd = program
    .command('scan')
    .description(
      'Find known-vulnerable packages in lockfiles, manifests, SBOMs, OS package databases and container\n' +
        'images, against an offline OSV database.',
    )
    .argument('[path...]', 'project directories, lockfiles or SBOM files')
    .option('--root <dir>', 'a file-system root to scan for OS and installed packages (repeatable)', collect)
    .option('--image <tar>', "a container image: 'docker save' tarball or OCI layout (repeatable)", collect)
    .option('--platform <os/arch>', 'the image of a multi-platform OCI index to scan (e.g. linux/arm64)')
    .option('--db <path>', 'the OSV database: index file, <Ecosystem>/all.zip folder, or OSV JSON folder')
    .addOption(new Option('-f, --format <format>', 'output format').choices(SCAN_FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices([
        ...SEVERITIES,
        'info',
        'crit',
      ]),
    )
    .option('--ignore <file>', 'an OpenVEX document or ignore file: accepted findings, each with a reason', collect)
    .option('--show-suppressed', 'also list suppressed findings (marked) in table, json and jsonl output')
    .option('--include-dev', 'also match dev-only dependencies (left out by default, as Trivy and osv-scanner do)')
    .option('--max-db-age <days>', 'warn when the OSV data is older than this many days', '7')
    .option('--no-progress', 'no progress line on standard error')
    .option('-q, --quiet', 'no summary and no warnings on standard error');
  addTriageOptions(cmd)
    .addHelpText('after', HELP_AFTER + INLINE_TRIAGE_HELP)
    .action(async (paths: string[], flags: ScanFlags) => {
      process.exitCode = await runScanCommand(paths, flags);
    });
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

function severityFlag(flag: string, v: string | undefined): Severity | undefined {
  if (v === undefined) return undefined;
  const s = parseSeverity(v);
  if (!s) throw new UsageError(`${flag} must be one of ${SEVERITIES.join(', ')}`);
  return s;
}

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

/**
 * How old the data is: per ecosystem, the time it was downloaded (an index `db update` built) or, for a folder
 * indexed on the fly, the newest `modified` in it. The stalest ecosystem is the database's age.
 */
export function dataAsOf(status: OsvDbStatus, form: OsvDbForm): string | undefined {
  let oldest: string | undefined;
  for (const i of status.imports) {
    const t = form === 'index' ? i.importedAt : (i.newestModified ?? i.importedAt);
    if (oldest === undefined || t < oldest) oldest = t;
  }
  return oldest;
}

class ScanProgressLine {
  readonly #on: boolean;
  #drawn = false;
  #last = 0;
  constructor(on: boolean) {
    this.#on = on && process.stderr.isTTY === true;
  }
  update(p: ScanProgress): void {
    if (!this.#on) return;
    const now = performance.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    const line =
      p.phase === 'inventory'
        ? `inventory ${p.done + 1}/${p.total}: ${p.target}` +
          (p.walk ? `  ${p.walk.entries} entries, ${p.walk.read}/${p.walk.claimed} files read` : '')
        : `matching ${p.done}/${p.total} packages`;
    process.stderr.write(`\r${line.slice(0, (process.stderr.columns || 100) - 1)}\x1b[K`);
    this.#drawn = true;
  }
  clear(): void {
    if (this.#drawn) process.stderr.write('\r\x1b[K');
    this.#drawn = false;
  }
}

const VERSION = process.env['npm_package_version'] ?? '0.1.0';

/** How a warning names an ignore rule: where it was written and what it is about. */
function ruleName(r: IgnoreRule): string {
  const what = 'ids' in r ? r.ids.join(' / ') : (r.id ?? 'every vulnerability of the given packages');
  return `ignore rule ${r.source} (${what})`;
}

export async function runScanCommand(paths: string[], flags: ScanFlags): Promise<number> {
  const failOn = severityFlag('--fail-on', flags.failOn);
  const maxAge = Number(flags.maxDbAge);
  if (!Number.isFinite(maxAge) || maxAge < 0) throw new UsageError('--max-db-age must be a number of days, 0 or more');
  const targets: ScanTarget[] = [
    ...paths.map((p) => ({ kind: 'path' as const, path: p })),
    ...(flags.root ?? []).map((p) => ({ kind: 'root' as const, path: p })),
    ...(flags.image ?? []).map((p) => ({ kind: 'image' as const, path: p })),
  ];
  if (targets.length === 0) throw new UsageError('nothing to scan: give a PATH, --root DIR or --image TAR');
  const triaging = await prepareInlineTriage('scan', flags, flags.format);
  const warn = (s: string): void => {
    if (!flags.quiet) process.stderr.write(`mamori: ${s}\n`);
  };

  // ignore files first: a mistake in one is reported before the scan's work, not after
  const rules: IgnoreRule[] = [];
  for (const file of flags.ignore ?? []) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ScanError('IGNORE_INVALID', `--ignore ${file}: ${(err as Error).message}`);
    }
    const parsed = parseIgnoreFile(text, file);
    for (const i of parsed.issues)
      warn(
        `${i.location}${i.line ? `:${i.line}` : ''}${i.statement !== undefined ? ` (statement ${i.statement})` : ''}: ${i.message}`,
      );
    rules.push(...parsed.rules);
  }

  const dbPath = flags.db ?? defaultOsvDir();
  const bar = new ScanProgressLine(flags.progress && !flags.quiet);
  const { store, form } = await openOsvDb(dbPath);
  try {
    const status = store.status();
    const asOf = dataAsOf(status, form);
    const ageDays = asOf ? (Date.now() - Date.parse(asOf)) / 86_400_000 : undefined;
    if (status.imports.length === 0) warn(`the OSV database at ${dbPath} holds no ecosystem: nothing can match`);
    else if (ageDays !== undefined && ageDays > maxAge)
      warn(
        `the OSV data at ${dbPath} is ${Math.floor(ageDays)} days old (as of ${asOf!.slice(0, 10)}); ` +
          `run 'mamori db update' for current advisories`,
      );

    const result = await scan({
      targets,
      store,
      ...(flags.includeDev ? { includeDev: true } : {}),
      ...(flags.platform ? { platform: flags.platform } : {}),
      onProgress: (p) => bar.update(p),
    });
    bar.clear();
    for (const t of result.targets)
      for (const i of t.issues) warn(`${t.target.path}: ${i.location}${i.line ? `:${i.line}` : ''}: ${i.message}`);

    let kept: readonly VulnerabilityFinding[] = result.findings;
    let suppressedList: readonly VulnerabilityFinding[] = [];
    if (rules.length) {
      const applied = applyIgnores(result.findings, rules, new Date(), { targets: targets.map((t) => t.path) });
      kept = applied.kept;
      suppressedList = applied.suppressed;
      for (const e of applied.expired)
        warn(`${ruleName(e.rule)} has expired: it no longer suppresses (${e.matched} findings shown again)`);
      for (const u of applied.unused) warn(`${ruleName(u)} matched no finding`);
    }
    const shown: VulnerabilityFinding[] = [...kept, ...(flags.showSuppressed ? suppressedList : [])].sort(byPlace);
    const suppressed = suppressedList.length;
    const summary = scanSummary(result, shown, suppressed, {
      location: status.location,
      ...(asOf ? { asOf } : {}),
      ...(ageDays !== undefined ? { ageDays: Math.round(ageDays * 10) / 10 } : {}),
    });

    const out: Writable = flags.output ? createWriteStream(flags.output) : process.stdout;
    const toTerminal = !flags.output && process.stdout.isTTY === true;
    let live: readonly VulnerabilityFinding[] = kept;
    if (triaging) {
      if (!flags.quiet) process.stderr.write(scanSummaryText(summary));
      // suppressed by an ignore file means accepted: the analysts judge what is still open
      const judged = await writeTriage(
        [...kept].sort(byPlace),
        triaging,
        out,
        flags.format as 'table' | 'jsonl',
        flags.quiet ?? false,
      );
      live = judged.kept as VulnerabilityFinding[];
    } else
      switch (flags.format) {
        case 'jsonl':
          for (let i = 0; i < shown.length; i += 256)
            await write(
              out,
              shown
                .slice(i, i + 256)
                .map((f) => JSON.stringify(f) + '\n')
                .join(''),
            );
          break;
        case 'json':
          await write(out, JSON.stringify({ findings: shown, summary }, null, 2) + '\n');
          break;
        case 'sarif':
          await write(
            out,
            JSON.stringify(
              vulnerabilitySarif([...kept, ...suppressedList].sort(byPlace), {
                toolVersion: VERSION,
                target: targets.map((t) => t.path).join(', '),
              }),
              null,
              2,
            ) + '\n',
          );
          break;
        case 'cyclonedx':
          await write(
            out,
            JSON.stringify(
              cycloneDxBom({
                packages: result.targets.flatMap((t) => t.packages),
                findings: [...kept, ...suppressedList].sort(byPlace),
                target: { name: targets.map((t) => t.path).join(', ') },
                toolVersion: VERSION,
                timestamp: result.time,
              }),
              null,
              2,
            ) + '\n',
          );
          break;
        case 'table': {
          await write(
            out,
            scanTable(shown, { color: toTerminal, width: toTerminal ? process.stdout.columns || 160 : 200 }),
          );
          if (!flags.quiet) await write(out, '\n' + scanSummaryText(summary));
          break;
        }
      }
    if (flags.format !== 'table' && !flags.quiet && !triaging) process.stderr.write(scanSummaryText(summary));
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
    const failing = failOn !== undefined && live.some((f) => atLeast(f.severity, failOn));
    const nothingRead = result.targets.every((t) => t.files.length === 0 && t.issues.length > 0);
    if (nothingRead) return EXIT_ERROR;
    return failing ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    store.close();
  }
}
