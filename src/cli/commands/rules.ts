import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import type { Command } from 'commander';
import { unzipSync } from 'fflate';
import { HuntError } from '../../hunt/errors.ts';
import { loadRules } from '../../hunt/rules/load.ts';
import { HuntEngine } from '../../hunt/engine.ts';
import { installedSigmaDir, defaultRulePaths } from '../paths.ts';
import { EXIT_FINDINGS, EXIT_OK } from '../exit.ts';

/** SigmaHQ's official release archive with every rule (core, emerging threats, threat hunting, …). */
export const SIGMAHQ_RELEASE_URL = 'https://github.com/SigmaHQ/sigma/releases/latest/download/sigma_all_rules.zip';
/** Sigma release archives are ~5 MB; refuse anything absurd before buffering it. */
const MAX_DOWNLOAD_BYTES = 256 << 20;
const DOWNLOAD_TIMEOUT_MS = 120_000;

type UpdateFlags = { from?: string; dest?: string };

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('install, update and check Sigma rulesets');
  rules
    .command('update')
    .description(
      'Install or update the SigmaHQ ruleset from its official release archive, or from --from.\n' +
        'The archive is checked (every rule parsed) before it replaces the installed one, atomically.',
    )
    .option('--from <url|path>', `an http(s) URL or a local .zip (default: ${SIGMAHQ_RELEASE_URL})`)
    .option('--dest <dir>', 'install here instead of the data directory ($MAMORI_HOME/rules/sigma)')
    .action(async (flags: UpdateFlags) => {
      process.exitCode = await updateRules(flags);
    });
  rules
    .command('check')
    .description(
      'Load, compile and index rules; report what runs, what is rejected (with reasons) and what has no log source here',
    )
    .argument('[path...]', 'rule directories, files or zips (default: the rules hunt uses)')
    .option('--json', 'print the report as JSON')
    .action(async (paths: string[], flags: { json?: boolean }) => {
      process.exitCode = await checkRules(paths.length ? paths : defaultRulePaths(), flags.json === true);
    });
}

async function download(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'follow' });
  } catch (err) {
    throw new HuntError(
      'DOWNLOAD_FAILED',
      `cannot download ${url}: ${(err as Error).message} (try --from with a local archive)`,
      {
        cause: err,
      },
    );
  }
  if (!res.ok) throw new HuntError('DOWNLOAD_FAILED', `cannot download ${url}: HTTP ${res.status} ${res.statusText}`);
  const len = Number(res.headers.get('content-length') ?? 0);
  if (len > MAX_DOWNLOAD_BYTES) throw new HuntError('DOWNLOAD_FAILED', `${url}: archive of ${len} bytes is too large`);
  const parts: Uint8Array[] = [];
  let total = 0;
  if (!res.body) throw new HuntError('DOWNLOAD_FAILED', `${url}: empty response`);
  for await (const chunk of res.body) {
    total += chunk.length;
    if (total > MAX_DOWNLOAD_BYTES)
      throw new HuntError('DOWNLOAD_FAILED', `${url}: archive larger than ${MAX_DOWNLOAD_BYTES} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** Archive member names come from the archive: keep them inside the destination (no `..`, no absolute paths). */
function safeMember(name: string): string | undefined {
  const n = normalize(name).replace(/^([/\\])+/, '');
  if (n.split(/[/\\]/).includes('..') || n === '' || n === '.') return undefined;
  return n;
}

export async function updateRules(flags: UpdateFlags): Promise<number> {
  const from = flags.from ?? SIGMAHQ_RELEASE_URL;
  const dest = flags.dest ?? installedSigmaDir();
  process.stderr.write(`mamori: fetching ${from}\n`);
  const bytes = /^https?:\/\//i.test(from) ? await download(from) : await readFile(from);
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (f) => /\.ya?ml$|(^|\/)(LICENSE[^/]*|README\.md)$/i.test(f.name) && f.originalSize < 4 << 20,
    });
  } catch (err) {
    throw new HuntError('ARCHIVE_INVALID', `${from}: not a readable zip archive (${(err as Error).message})`, {
      cause: err,
    });
  }
  const names = Object.keys(members).filter((n) => /\.ya?ml$/i.test(n));
  if (names.length === 0) throw new HuntError('ARCHIVE_INVALID', `${from}: the archive holds no .yml rules`);

  // stage next to the destination so the final swap is a rename on one file system
  const stage = `${dest}.new-${process.pid}`;
  const old = `${dest}.old-${process.pid}`;
  await rm(stage, { recursive: true, force: true });
  for (const [name, data] of Object.entries(members)) {
    const safe = safeMember(name);
    if (!safe) continue;
    const target = join(stage, safe);
    if (!target.startsWith(stage + sep)) continue;
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
  }
  const loaded = await loadRules([stage]);
  const rules = loaded.documents.length;
  if (rules === 0) {
    await rm(stage, { recursive: true, force: true });
    throw new HuntError('ARCHIVE_INVALID', `${from}: no usable rule in the archive (${loaded.issues.length} rejected)`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await writeFile(
    join(stage, 'MAMORI_SOURCE.json'),
    JSON.stringify(
      {
        from,
        sha256,
        installedAt: new Date().toISOString(),
        files: loaded.files,
        rules,
        rejected: loaded.issues.length,
      },
      null,
      2,
    ) + '\n',
  );
  await mkdir(dirname(dest), { recursive: true });
  let hadOld = false;
  try {
    await rename(dest, old);
    hadOld = true;
  } catch {
    // first install: nothing to move aside
  }
  try {
    await rename(stage, dest);
  } catch (err) {
    if (hadOld) await rename(old, dest);
    throw err;
  }
  if (hadOld) await rm(old, { recursive: true, force: true });
  process.stdout.write(
    `installed ${rules} rule documents from ${loaded.files} files into ${dest} (sha256 ${sha256.slice(0, 16)}…)` +
      (loaded.issues.length ? `; ${loaded.issues.length} could not be parsed (run 'mamori rules check ${dest}')` : '') +
      '\n',
  );
  return EXIT_OK;
}

async function checkRules(paths: string[], json: boolean): Promise<number> {
  const engine = await HuntEngine.create({ rules: paths });
  const r = engine.report;
  if (json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  } else {
    for (const i of r.rejected)
      process.stdout.write(`rejected  ${i.path}${i.title ? ` (${i.title})` : ''}: ${i.reason}\n`);
    for (const i of r.unbound)
      process.stdout.write(`not read  ${i.path}${i.title ? ` (${i.title})` : ''}: ${i.reason}\n`);
    process.stdout.write(
      `${r.files} files, ${r.documents} documents: ${r.active} rules run on the log sources Mamori reads, ` +
        `${r.correlations} correlations, ${r.unbound.length} for other log sources, ${r.rejected.length} rejected, ` +
        `${r.deselected} deselected; loaded in ${(r.loadMs / 1000).toFixed(2)} s, compiled in ${(r.compileMs / 1000).toFixed(2)} s\n`,
    );
  }
  return r.rejected.length ? EXIT_FINDINGS : EXIT_OK;
}
