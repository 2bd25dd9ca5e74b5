import { open as openFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanError } from '../errors.ts';
import { findEcosystemZips, importJsonDir, importZip, type ImportProgress } from './build.ts';
import { isSqliteHeader, SqliteOsvStore } from './sqlite-store.ts';
import type { OsvStore } from './store.ts';

/** The index file `mamori db update` writes beside the `<Ecosystem>/all.zip` archives it keeps. */
export const OSV_INDEX_FILE = 'osv-index.sqlite';

export type OpenOsvDbOptions = {
  /** Time source for the provenance of an index built in memory. */
  readonly now?: () => Date;
  readonly onProgress?: (p: ImportProgress) => void;
};

/** Which of the `--db` forms was found. */
export type OsvDbForm = 'index' | 'zip-folder' | 'json-folder';

/**
 * Opens the OSV database at `path`, in any of the forms `--db PATH` accepts:
 *
 * 1. a Mamori index file, or a folder holding one (`osv-index.sqlite`, as `mamori db update` leaves it): opened
 *    read-only, nothing loaded;
 * 2. a folder laid out `<Ecosystem>/all.zip` (osv-scanner's offline layout): indexed in memory;
 * 3. a folder of OSV JSON records, searched recursively: indexed in memory.
 *
 * Throws `ScanError('DB_NOT_FOUND')` when `path` is none of these.
 */
export async function openOsvDb(
  path: string,
  opts: OpenOsvDbOptions = {},
): Promise<{ store: OsvStore; form: OsvDbForm }> {
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) {
    throw new ScanError('DB_NOT_FOUND', `no OSV database at ${path}; run \`mamori db update\` or give --db a folder`);
  }
  if (st.isFile()) {
    const head = new Uint8Array(16);
    const fh = await openFile(path, 'r');
    try {
      await fh.read(head, 0, 16, 0);
    } finally {
      await fh.close();
    }
    if (!isSqliteHeader(head)) {
      throw new ScanError(
        'DB_INVALID',
        `${path} is not a Mamori OSV index; --db takes an index file, a folder of <Ecosystem>/all.zip, or a folder of OSV JSON records`,
      );
    }
    return { store: SqliteOsvStore.open(path), form: 'index' };
  }
  const indexFile = join(path, OSV_INDEX_FILE);
  if ((await stat(indexFile).catch(() => undefined))?.isFile())
    return { store: SqliteOsvStore.open(indexFile), form: 'index' };

  const importedAt = (opts.now ?? (() => new Date()))().toISOString();
  const zips = await findEcosystemZips(path);
  const store = SqliteOsvStore.create(':memory:');
  const w = store.writer();
  try {
    if (zips.length > 0) {
      for (const z of zips) {
        const bytes = await readFile(z.path);
        importZip(w, z.ecosystem, bytes, {
          source: z.path,
          importedAt,
          ...(opts.onProgress === undefined ? {} : { onProgress: opts.onProgress }),
        });
      }
      w.commit();
      return { store: relabel(store, `memory: ${path}`), form: 'zip-folder' };
    }
    const imports = await importJsonDir(w, path, { importedAt });
    if (imports.length === 0) {
      throw new ScanError(
        'DB_NOT_FOUND',
        `${path} holds no OSV index, no <Ecosystem>/all.zip and no OSV JSON records; run \`mamori db update\``,
      );
    }
    w.commit();
    return { store: relabel(store, `memory: ${path}`), form: 'json-folder' };
  } catch (err) {
    w.rollback();
    store.close();
    throw err;
  }
}

/** An in-memory store reports where its data came from rather than `:memory:`. */
function relabel(store: SqliteOsvStore, location: string): OsvStore {
  return {
    lookup: (e, n) => store.lookup(e, n),
    get: (id) => store.get(id),
    status: () => ({ ...store.status(), location }),
    close: () => store.close(),
  };
}
