import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TransientError, UsageError } from '../../core/errors.ts';
import { ScanError } from '../errors.ts';
import { findEcosystemZips, importZip } from './build.ts';
import { OSV_INDEX_FILE } from './open.ts';
import { SqliteOsvStore } from './sqlite-store.ts';
import type { OsvDbStatus, OsvImport } from './store.ts';
import { readZipDirectory } from './zip.ts';

/** The official OSV bucket: `<base><Ecosystem>/all.zip`. */
export const OSV_BUCKET_URL = 'https://osv-vulnerabilities.storage.googleapis.com/';
/** The largest archive accepted (the biggest ecosystems are a few hundred MB). */
export const DEFAULT_MAX_ARCHIVE_BYTES = 2 * 1024 ** 3;
/** Give up on a request when no byte has arrived for this long. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export type UpdateProgress =
  | { readonly ecosystem: string; readonly phase: 'download'; readonly received: number; readonly total?: number }
  | { readonly ecosystem: string; readonly phase: 'index'; readonly done: number; readonly total: number };

export type UpdateOptions = {
  /** The database folder: `<Ecosystem>/all.zip` archives and the index (`osv-index.sqlite`) live here. */
  readonly dir: string;
  /** A base URL (`http(s)://…/`, `file://…`) or a local folder laid out `<Ecosystem>/all.zip`. */
  readonly from?: string;
  /** Base ecosystems to fetch (`PyPI`, `crates.io`); default: those the current index holds. */
  readonly ecosystems?: readonly string[];
  readonly maxBytes?: number;
  readonly idleTimeoutMs?: number;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  readonly onProgress?: (p: UpdateProgress) => void;
};

export type UpdateResult = {
  /** The index now in place. */
  readonly index: string;
  /** The partitions this update replaced. */
  readonly updated: readonly OsvImport[];
  readonly status: OsvDbStatus;
};

/** Ecosystem names become a URL path segment and a folder name: letters, digits and ` ._+-` only. */
const ECOSYSTEM_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._+-]{0,63}$/;

function checkEcosystem(e: string): string {
  if (e.includes(':')) {
    throw new UsageError(
      `--ecosystem ${e}: give the base ecosystem (${e.slice(0, e.indexOf(':'))}); its archive holds every release`,
    );
  }
  if (!ECOSYSTEM_NAME.test(e) || e === '.' || e === '..' || e.startsWith('..')) {
    throw new UsageError(
      `--ecosystem ${JSON.stringify(e)} is not an OSV ecosystem name (for example PyPI, crates.io, Go)`,
    );
  }
  return e;
}

type Source = { kind: 'http'; base: string } | { kind: 'dir'; base: string };

function parseSource(from: string | undefined): Source {
  const f = from ?? OSV_BUCKET_URL;
  if (/^https?:\/\//i.test(f)) return { kind: 'http', base: f.endsWith('/') ? f : `${f}/` };
  if (/^file:\/\//i.test(f)) return { kind: 'dir', base: fileURLToPath(f) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(f))
    throw new UsageError(`--from ${f}: only http(s) URLs, file:// URLs and folders`);
  return { kind: 'dir', base: isAbsolute(f) ? f : resolve(f) };
}

function archiveUrl(src: Source, ecosystem: string): string {
  return src.kind === 'http'
    ? `${src.base}${encodeURIComponent(ecosystem)}/all.zip`
    : join(src.base, ecosystem, 'all.zip');
}

/**
 * Fetches `all.zip` for each ecosystem, checks it, and replaces those ecosystems in the index, atomically: the
 * archives and a new index are written to temporary files in `dir`, and only when every archive downloaded,
 * read and indexed are they renamed into place. A failure at any step leaves the previous archives and index
 * as they were.
 *
 * Errors: `UsageError` (bad ecosystem name or source), `ScanError('NOTHING_TO_UPDATE' | 'DOWNLOAD_FAILED' |
 * 'ARCHIVE_INVALID')`, `TransientError` (429/5xx, timeouts, a transfer cut short: retrying may help). Each
 * message names the URL or path.
 */
export async function updateOsvDb(opts: UpdateOptions): Promise<UpdateResult> {
  const dir = resolve(opts.dir);
  const indexPath = join(dir, OSV_INDEX_FILE);
  const src = parseSource(opts.from);
  const now = opts.now ?? (() => new Date());

  // the current index, if any, and whether it can be updated in place (same schema)
  let current: SqliteOsvStore | undefined;
  if ((await stat(indexPath).catch(() => undefined))?.isFile()) {
    try {
      current = SqliteOsvStore.open(indexPath);
    } catch {
      current = undefined; // unreadable or another schema: rebuilt from the archives below
    }
  }
  // installed: what the index holds, else (no usable index) the archives the folder keeps
  const installed =
    current?.status().imports.map((i) => i.ecosystem) ?? (await findEcosystemZips(dir)).map((z) => z.ecosystem);
  current?.close();
  const ecosystems = [...new Set((opts.ecosystems?.length ? opts.ecosystems : installed).map(checkEcosystem))];
  if (ecosystems.length === 0) {
    throw new ScanError(
      'NOTHING_TO_UPDATE',
      `no OSV ecosystems installed in ${dir}: name them, e.g. \`mamori db update --ecosystem PyPI npm Go\``,
    );
  }

  await mkdir(dir, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temps: string[] = [];
  const fresh = new Map<string, { path: string; source: string }>();
  try {
    for (const e of ecosystems) {
      const tmp = join(dir, `.download-${encodeURIComponent(e)}-${tag}.zip`);
      temps.push(tmp);
      const source = archiveUrl(src, e);
      if (src.kind === 'http') await download(source, tmp, e, opts);
      else await copyLocal(source, tmp, e, opts);
      fresh.set(e, { path: tmp, source });
    }

    // the new index: a copy of the current one with these partitions replaced, or built anew
    const tmpIndex = join(dir, `.osv-index-${tag}.sqlite`);
    temps.push(tmpIndex);
    const reuse = current !== undefined;
    if (reuse) await copyFile(indexPath, tmpIndex);
    const store = SqliteOsvStore.create(tmpIndex);
    const updated: OsvImport[] = [];
    try {
      const w = store.writer();
      try {
        const importedAt = now().toISOString();
        const jobs: { ecosystem: string; path: string; source: string }[] = [...fresh].map(([ecosystem, f]) => ({
          ecosystem,
          ...f,
        }));
        if (!reuse) {
          // no usable index: the archives already in the folder come back in too
          for (const z of await findEcosystemZips(dir)) {
            if (!fresh.has(z.ecosystem)) jobs.push({ ecosystem: z.ecosystem, path: z.path, source: z.path });
          }
        }
        for (const j of jobs) {
          const zip = await readFile(j.path);
          const imp = importZip(w, j.ecosystem, zip, {
            source: j.source,
            importedAt,
            onProgress: (p) =>
              opts.onProgress?.({ ecosystem: p.ecosystem, phase: 'index', done: p.done, total: p.total }),
          });
          if (fresh.has(j.ecosystem)) updated.push(imp);
        }
        w.commit();
      } catch (err) {
        w.rollback();
        throw err;
      }
      // replaced partitions leave free pages behind
      if (reuse) store.compact();
    } finally {
      store.close();
    }

    // swap: archives first, the index last (the index is what scans read)
    for (const [e, f] of fresh) {
      await mkdir(join(dir, e), { recursive: true });
      await rename(f.path, join(dir, e, 'all.zip'));
    }
    await rename(tmpIndex, indexPath);
    const done = SqliteOsvStore.open(indexPath);
    try {
      return { index: indexPath, updated, status: done.status() };
    } finally {
      done.close();
    }
  } finally {
    for (const t of temps) await rm(t, { force: true });
  }
}

async function copyLocal(path: string, dest: string, ecosystem: string, opts: UpdateOptions): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) {
    throw new ScanError(
      'DOWNLOAD_FAILED',
      `no OSV archive for ${ecosystem} at ${path} (expected <folder>/<Ecosystem>/all.zip)`,
    );
  }
  const max = opts.maxBytes ?? DEFAULT_MAX_ARCHIVE_BYTES;
  if (st.size > max) throw new ScanError('DOWNLOAD_FAILED', `${path}: ${st.size} bytes is over the ${max}-byte bound`);
  await copyFile(path, dest);
  opts.onProgress?.({ ecosystem, phase: 'download', received: st.size, total: st.size });
  checkArchive(await readFile(dest), path);
}

function checkArchive(bytes: Uint8Array, what: string): void {
  readZipDirectory(bytes, what); // throws ARCHIVE_INVALID naming the URL or path
}

/** Downloads to `dest`, streaming, with an idle timeout and a size bound; then checks the zip directory. */
async function download(url: string, dest: string, ecosystem: string, opts: UpdateOptions): Promise<void> {
  const fetchImpl = opts.fetch ?? fetch;
  const max = opts.maxBytes ?? DEFAULT_MAX_ARCHIVE_BYTES;
  const idle = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const ac = new AbortController();
  let timedOut = false;
  const expire = (): void => {
    timedOut = true;
    ac.abort();
  };
  let timer = setTimeout(expire, idle);
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(expire, idle);
  };
  const timeoutError = (received: number): TransientError =>
    new TransientError(
      `${url}: no data for ${Math.round(idle / 1000)} s${received > 0 ? ` after ${received} bytes` : ''}; try again, or use --from with a mirror`,
    );
  let received = 0;
  try {
    let res: Response;
    try {
      res = await fetchImpl(url, { signal: ac.signal, redirect: 'follow' });
    } catch (err) {
      if (timedOut) throw timeoutError(0);
      throw new TransientError(`cannot reach ${url}: ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      const what = `${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
      if (res.status === 429 || res.status >= 500)
        throw new TransientError(`${what}; the server may be busy, try again later`);
      if (res.status === 404) {
        throw new ScanError(
          'DOWNLOAD_FAILED',
          `${what}: no OSV archive for ecosystem "${ecosystem}" there (names are case-sensitive: PyPI, crates.io, Go, npm, Maven, …)`,
        );
      }
      throw new ScanError('DOWNLOAD_FAILED', what);
    }
    const lengthHeader = res.headers.get('content-length');
    const total = lengthHeader === null ? undefined : Number(lengthHeader);
    if (total !== undefined && total > max) {
      await res.body?.cancel().catch(() => undefined);
      throw new ScanError('DOWNLOAD_FAILED', `${url}: ${total} bytes is over the ${max}-byte bound`);
    }
    if (res.body === null) throw new TransientError(`${url}: empty response`);
    const fh = await open(dest, 'w');
    try {
      opts.onProgress?.({ ecosystem, phase: 'download', received: 0, ...(total === undefined ? {} : { total }) });
      try {
        for await (const chunk of res.body) {
          touch();
          received += chunk.byteLength;
          // the server chooses the length: bound it whatever the header said
          if (received > max) {
            ac.abort();
            throw new ScanError('DOWNLOAD_FAILED', `${url}: more than ${max} bytes; refused`);
          }
          await fh.write(chunk);
          opts.onProgress?.({ ecosystem, phase: 'download', received, ...(total === undefined ? {} : { total }) });
        }
      } catch (err) {
        if (err instanceof ScanError) throw err;
        if (timedOut) throw timeoutError(received);
        throw new TransientError(
          `${url}: transfer cut after ${received} bytes (${(err as Error).message}); try again`,
          {
            cause: err,
          },
        );
      }
    } finally {
      await fh.close();
    }
    if (total !== undefined && Number.isFinite(total) && received !== total) {
      throw new TransientError(`${url}: transfer cut after ${received} of ${total} bytes; try again`);
    }
  } finally {
    clearTimeout(timer);
  }
  checkArchive(await readFile(dest), url);
}
