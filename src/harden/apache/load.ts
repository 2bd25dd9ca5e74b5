// Reads apache2.conf under a root with Include and IncludeOptional expanded in place, as httpd does: paths
// relative to the ServerRoot (etc/apache2, or a ServerRoot line before the include), wildcards in the last
// component or any directory (matches sorted, hidden names skipped), a directory meaning every file in it.
// Include of a plain file that is missing is an error; IncludeOptional and a wildcard that matches nothing
// are fine.
import { expandGlob } from '../nginx/load.ts';
import type { ConfigRoot } from '../types.ts';
import { parseApache, type ApacheDirective } from './parse.ts';

export const APACHE_CONF = 'etc/apache2/apache2.conf';
const SERVER_ROOT = 'etc/apache2';
/** httpd stops at 128 nested includes; a hostile root could include a file into itself. */
export const MAX_INCLUDE_DEPTH = 16;

/** A directive after include expansion; `via` lists the Include lines it came through, outermost first. */
export type Placed = Omit<ApacheDirective, 'block'> & {
  readonly block?: readonly Placed[];
  readonly via: readonly ApacheDirective[];
};

export type ApacheConfig = {
  readonly main: string;
  readonly tree: readonly Placed[];
  /** Every file read, with its text. */
  readonly files: ReadonlyMap<string, string>;
};

export class ApacheLoadError extends Error {}

const clean = (p: string): string =>
  p
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');

/** The root-relative path an Include argument names (`${VAR}` left as written). */
export function includePath(arg: string, serverRoot: string = SERVER_ROOT): string {
  return clean(arg.startsWith('/') ? arg : `${serverRoot}/${arg}`);
}

const isGlob = (s: string): boolean => /[*?[]/.test(s);

/** Loads the configuration, or undefined when there is no main file. Throws ApacheLoadError (what, where). */
export async function loadApacheConfig(
  root: ConfigRoot,
  main: string = APACHE_CONF,
): Promise<ApacheConfig | undefined> {
  const text = await root.read(main);
  if (text === undefined) return undefined;
  const files = new Map<string, string>([[main, text]]);
  let serverRoot = SERVER_ROOT;
  const readOne = async (p: string, d: ApacheDirective, optional: boolean, via: readonly ApacheDirective[]) => {
    const t = files.get(p) ?? (await root.read(p));
    if (t === undefined) {
      const entries = await root.list(p);
      if (entries.length) {
        const out: Placed[] = [];
        for (const e of entries) if (!e.startsWith('.')) out.push(...(await readOne(`${p}/${e}`, d, true, via)));
        return out;
      }
      if (optional) return [];
      throw new ApacheLoadError(`${d.file}:${d.line}: Include ${d.args[0] ?? ''}: no such file`);
    }
    files.set(p, t);
    return expand(parseApache(t, p), [...via, d]);
  };
  const expand = async (list: readonly ApacheDirective[], via: readonly ApacheDirective[]): Promise<Placed[]> => {
    const out: Placed[] = [];
    for (const d of list) {
      if (d.name === 'serverroot' && !d.block && d.args[0]) serverRoot = clean(d.args[0]);
      if ((d.name === 'include' || d.name === 'includeoptional') && !d.block) {
        if (via.length >= MAX_INCLUDE_DEPTH)
          throw new ApacheLoadError(`${d.file}:${d.line}: includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
        const pattern = includePath(d.args[0] ?? '', serverRoot);
        const glob = isGlob(pattern);
        const paths = glob ? await expandGlob(root, pattern) : [pattern];
        for (const p of paths) out.push(...(await readOne(p, d, glob || d.name === 'includeoptional', via)));
        continue;
      }
      const { block, ...rest } = d;
      out.push(block ? { ...rest, via, block: await expand(block, via) } : { ...rest, via });
    }
    return out;
  };
  return { main, tree: await expand(parseApache(text, main), []), files };
}
