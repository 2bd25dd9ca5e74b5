import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { osvEcosystemBase } from '../versions/index.ts';
import { parseOsvJson } from './schema.ts';
import type { OsvIndexWriter } from './sqlite-store.ts';
import type { OsvImport } from './store.ts';
import { extractZipMember, readZipDirectory } from './zip.ts';

/** Progress of an import: members read so far out of the archive's total. */
export type ImportProgress = { readonly ecosystem: string; readonly done: number; readonly total: number };

export type ZipImportOptions = {
  /** The URL or path the archive came from, kept as provenance. */
  readonly source: string;
  readonly importedAt: string;
  readonly onProgress?: (p: ImportProgress) => void;
};

const PROGRESS_EVERY = 1000;

/**
 * Fills partition `ecosystem` from an `all.zip` held in memory. The central directory must be readable (else
 * `ScanError('ARCHIVE_INVALID')` and nothing is written); a member that does not inflate, is not JSON or is not
 * an OSV record is skipped and reported with its name. Members not ending in `.json` are not records and are
 * not counted (osv-scalibr's reader does the same).
 */
export function importZip(
  writer: OsvIndexWriter,
  ecosystem: string,
  zip: Uint8Array,
  opts: ZipImportOptions,
): OsvImport {
  const members = readZipDirectory(zip, opts.source).filter((m) => m.name.endsWith('.json'));
  writer.begin(ecosystem);
  let done = 0;
  for (const m of members) {
    let bytes: Uint8Array;
    try {
      bytes = extractZipMember(zip, m, opts.source);
    } catch (err) {
      writer.skip(ecosystem, m.name, (err as Error).message);
      continue;
    }
    const parsed = parseOsvJson(bytes);
    if (parsed.ok) writer.put(ecosystem, parsed.record, m.name);
    else writer.skip(ecosystem, m.name, parsed.reason);
    if (++done % PROGRESS_EVERY === 0) opts.onProgress?.({ ecosystem, done, total: members.length });
  }
  opts.onProgress?.({ ecosystem, done: members.length, total: members.length });
  return writer.finish(ecosystem, {
    source: opts.source,
    importedAt: opts.importedAt,
    archiveBytes: zip.byteLength,
    archiveSha256: createHash('sha256').update(zip).digest('hex'),
  });
}

/** The `<Ecosystem>/all.zip` archives under `dir` (osv-scanner's offline layout), by folder name. */
export async function findEcosystemZips(dir: string): Promise<{ ecosystem: string; path: string }[]> {
  const out: { ecosystem: string; path: string }[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const path = join(dir, e.name, 'all.zip');
    try {
      const st = await readdir(join(dir, e.name));
      if (st.includes('all.zip')) out.push({ ecosystem: e.name, path });
    } catch {
      // unreadable folder: not part of the database
    }
  }
  return out.sort((a, b) => (a.ecosystem < b.ecosystem ? -1 : a.ecosystem > b.ecosystem ? 1 : 0));
}

/** Bounds on a folder of JSON records: it is user-given, but may be a checkout of a whole feed. */
const MAX_JSON_FILES = 2_000_000;
const MAX_JSON_BYTES = 64 << 20;

async function* jsonFiles(dir: string, count: { n: number }): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* jsonFiles(path, count);
    else if (e.isFile() && e.name.endsWith('.json')) {
      if (++count.n > MAX_JSON_FILES) return;
      yield path;
    }
  }
}

/**
 * Imports a folder of OSV JSON records (recursively, `*.json`), each into the partition of every base ecosystem
 * its entries name. Records that name no package are reported as skipped under the empty ecosystem name.
 */
export async function importJsonDir(
  writer: OsvIndexWriter,
  dir: string,
  opts: { readonly importedAt: string },
): Promise<OsvImport[]> {
  const seen = new Set<string>();
  const begin = (eco: string): void => {
    if (!seen.has(eco)) {
      writer.begin(eco);
      seen.add(eco);
    }
  };
  const count = { n: 0 };
  for await (const path of jsonFiles(dir, count)) {
    const member = relative(dir, path).split(sep).join('/');
    let text: Buffer;
    try {
      text = await readFile(path);
    } catch (err) {
      begin('');
      writer.skip('', member, `unreadable: ${(err as Error).message}`);
      continue;
    }
    if (text.byteLength > MAX_JSON_BYTES) {
      begin('');
      writer.skip('', member, `${text.byteLength} bytes is over the ${MAX_JSON_BYTES}-byte bound for one record`);
      continue;
    }
    const parsed = parseOsvJson(text);
    if (!parsed.ok) {
      begin('');
      writer.skip('', member, parsed.reason);
      continue;
    }
    const bases = new Set<string>();
    for (const a of parsed.record.affected) bases.add(osvEcosystemBase(a.ecosystem) ?? a.ecosystem.split(':')[0] ?? '');
    if (bases.size === 0) {
      begin('');
      writer.skip('', member, 'names no affected package');
      continue;
    }
    for (const b of bases) {
      begin(b);
      writer.put(b, parsed.record, member);
    }
  }
  return [...seen].sort().map((eco) => writer.finish(eco, { source: dir, importedAt: opts.importedAt }));
}
