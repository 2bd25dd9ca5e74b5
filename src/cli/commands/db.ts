import { type Command, Option } from 'commander';
import { openOsvDb } from '../../scan/osv/open.ts';
import type { OsvDbStatus } from '../../scan/osv/store.ts';
import { OSV_BUCKET_URL, updateOsvDb, type UpdateProgress } from '../../scan/osv/update.ts';
import { EXIT_OK } from '../exit.ts';
import { defaultOsvDir } from '../paths.ts';
import { dataAsOf } from './scan.ts';

type UpdateFlags = { ecosystem?: string[]; from?: string; dir?: string; progress: boolean; quiet?: boolean };
type StatusFlags = { db?: string; format: 'table' | 'json' };

const UPDATE_HELP = `
Downloads <Ecosystem>/all.zip for each ecosystem (the layout osv-scanner's offline mode uses) from the
official OSV bucket (${OSV_BUCKET_URL}) or from --from (an http(s) mirror with the same layout, a
file:// URL, or a local folder), checks each archive, and replaces those ecosystems in the local index
atomically: a failed download leaves the previous data in place. Without --ecosystem, the ecosystems already
installed are refreshed. Ecosystem names are OSV's base names (PyPI, npm, Go, crates.io, Maven, NuGet,
Packagist, RubyGems, Pub, Hex, Debian, Ubuntu, Alpine, AlmaLinux, Rocky Linux, Red Hat, ...); an archive
holds every release (Debian:12, AlmaLinux:9).

Examples:
  mamori db update --ecosystem npm PyPI Go Debian
  mamori db update --from https://mirror.example.internal/osv/ --ecosystem Maven
  mamori db update --from /media/usb/osv`;

export function registerDb(program: Command): void {
  const db = program
    .command('db')
    .description('the offline OSV vulnerability database that `mamori scan` matches against');
  db.command('update')
    .description('fetch OSV exports and build the local index')
    .option('-e, --ecosystem <name...>', 'base ecosystems to fetch (default: those installed)')
    .option('--from <url|path>', `where to fetch from (default: ${OSV_BUCKET_URL})`)
    .option('--dir <dir>', 'the database folder (default: $MAMORI_HOME/osv)')
    .option('--no-progress', 'no progress line on standard error')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', UPDATE_HELP)
    .action(async (flags: UpdateFlags) => {
      process.exitCode = await runDbUpdate(flags);
    });
  db.command('status')
    .description('show the ecosystems, record counts, sources and age of the OSV database')
    .option('--db <path>', 'the database (default: $MAMORI_HOME/osv); any form `scan --db` accepts')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (flags: StatusFlags) => {
      process.exitCode = await runDbStatus(flags);
    });
}

function mb(n: number): string {
  return `${(n / 1048576).toFixed(1)} MB`;
}

async function runDbUpdate(flags: UpdateFlags): Promise<number> {
  const dir = flags.dir ?? defaultOsvDir();
  const live = flags.progress && !flags.quiet && process.stderr.isTTY === true;
  let last = 0;
  const progress = (p: UpdateProgress): void => {
    if (!live) return;
    const now = performance.now();
    if (now - last < 100) return;
    last = now;
    const text =
      p.phase === 'download'
        ? `${p.ecosystem}: downloading ${mb(p.received)}${p.total ? ` of ${mb(p.total)}` : ''}`
        : `${p.ecosystem}: indexing ${p.done}/${p.total} records`;
    process.stderr.write(`\r${text}\x1b[K`);
  };
  const r = await updateOsvDb({
    dir,
    ...(flags.from ? { from: flags.from } : {}),
    ...(flags.ecosystem?.length ? { ecosystems: flags.ecosystem } : {}),
    onProgress: progress,
  });
  if (live) process.stderr.write('\r\x1b[K');
  if (!flags.quiet) {
    for (const i of r.updated)
      process.stdout.write(
        `${i.ecosystem}: ${i.records} records (${i.withdrawn} withdrawn, ${i.skipped} refused) from ${i.source}\n`,
      );
    process.stdout.write(`index: ${r.index}\n`);
  }
  return EXIT_OK;
}

function statusTable(s: OsvDbStatus, asOf: string | undefined): string {
  const rows = s.imports.map((i) => [
    i.ecosystem,
    String(i.records),
    String(i.withdrawn),
    String(i.skipped),
    i.newestModified?.slice(0, 10) ?? '-',
    i.importedAt.slice(0, 19).replace('T', ' '),
    i.source,
  ]);
  const head = ['ecosystem', 'records', 'withdrawn', 'refused', 'newest', 'imported (UTC)', 'source'];
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string =>
    r
      .map((x, c) => (c === r.length - 1 ? x : x.padEnd(w[c]!)))
      .join('  ')
      .trimEnd();
  const age = asOf ? Math.floor((Date.now() - Date.parse(asOf)) / 86_400_000) : undefined;
  const out = [
    `database: ${s.location} (schema ${s.schemaVersion})`,
    ...(age !== undefined ? [`data as of ${asOf!.slice(0, 10)} (${age} days old)`] : []),
    '',
    line(head),
    ...rows.map(line),
  ];
  if (s.imports.length === 0) out.push('(no ecosystem installed: run `mamori db update --ecosystem NAME...`)');
  if (s.skippedTotal > 0) {
    out.push(
      '',
      `${s.skippedTotal} archive members refused${s.skipped.length < s.skippedTotal ? ', the first:' : ':'}`,
    );
    for (const k of s.skipped) out.push(`  ${k.ecosystem}/${k.member}: ${k.reason}`);
  }
  return out.join('\n') + '\n';
}

async function runDbStatus(flags: StatusFlags): Promise<number> {
  const path = flags.db ?? defaultOsvDir();
  const { store, form } = await openOsvDb(path);
  try {
    const s = store.status();
    const asOf = dataAsOf(s, form);
    if (flags.format === 'json')
      process.stdout.write(JSON.stringify({ ...s, form, ...(asOf ? { asOf } : {}) }, null, 2) + '\n');
    else process.stdout.write(statusTable(s, asOf));
  } finally {
    store.close();
  }
  return EXIT_OK;
}
