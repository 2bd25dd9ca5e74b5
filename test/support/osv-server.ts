import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type Route } from './http-server.ts';

/** The shared OSV snapshot the fake server serves by default (shared/data/osv). */
export const SHARED_OSV = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'osv');
export const SHARED_ECOSYSTEMS = ['Go', 'crates.io', 'PyPI', 'AlmaLinux'] as const;

/** A failure to inject for one ecosystem's `all.zip`. */
export type OsvFailure =
  /** Answer with this HTTP status (404, 503, 429, …) and a short body. */
  | { readonly kind: 'status'; readonly status: number }
  /** Send the first `bytes` of the archive with a Content-Length that says so: a well-formed but truncated zip. */
  | { readonly kind: 'truncated-zip'; readonly bytes: number }
  /** Announce the full length, send `bytes`, then drop the connection. */
  | { readonly kind: 'cut'; readonly bytes: number }
  /** Accept the request and never answer (for timeouts). */
  | { readonly kind: 'hang' };

export type OsvServer = {
  /** Base URL with a trailing slash: `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** Request paths seen, in order. */
  readonly hits: string[];
  /** Sets (or, with `undefined`, clears) the failure for an ecosystem. */
  fail(ecosystem: string, failure: OsvFailure | undefined): void;
  /** Replaces the archive served for an ecosystem. */
  serve(ecosystem: string, zip: Uint8Array): void;
  close(): Promise<void>;
};

/**
 * A fake OSV bucket on 127.0.0.1: `GET /<Ecosystem>/all.zip` for each ecosystem given (by default the shared
 * snapshot's), with programmable failures. Loopback only, like every test server here.
 */
export async function startOsvServer(
  archives: Readonly<Record<string, Uint8Array>> = loadShared(),
): Promise<OsvServer> {
  const zips = new Map(Object.entries(archives));
  const failures = new Map<string, OsvFailure>();
  const hung: (() => void)[] = [];
  const route =
    (eco: string): Route =>
    (_req, res) => {
      const zip = zips.get(eco) as Uint8Array;
      const f = failures.get(eco);
      if (f === undefined) {
        res.setHeader('content-type', 'application/zip');
        res.setHeader('content-length', String(zip.length));
        res.end(zip);
      } else if (f.kind === 'status') {
        res.statusCode = f.status;
        res.end(`failure injected: ${f.status}`);
      } else if (f.kind === 'truncated-zip') {
        const part = zip.subarray(0, f.bytes);
        res.setHeader('content-length', String(part.length));
        res.end(part);
      } else if (f.kind === 'cut') {
        res.setHeader('content-length', String(zip.length));
        res.write(zip.subarray(0, f.bytes), () => res.destroy());
      } else {
        hung.push(() => res.destroy());
      }
    };
  const routes: Record<string, Route> = {};
  for (const eco of zips.keys()) routes[`/${encodeURIComponent(eco)}/all.zip`] = route(eco);
  const s = await startServer(routes);
  return {
    url: `${s.url}/`,
    hits: s.hits,
    fail: (eco, failure) => {
      if (failure === undefined) failures.delete(eco);
      else failures.set(eco, failure);
    },
    serve: (eco, zip) => {
      if (!zips.has(eco)) throw new Error(`osv-server: ${eco} was not served at start`);
      zips.set(eco, zip);
    },
    close: async () => {
      for (const h of hung) h();
      await s.close();
    },
  };
}

function loadShared(): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const e of SHARED_ECOSYSTEMS) out[e] = readFileSync(join(SHARED_OSV, e, 'all.zip'));
  return out;
}
