// Reads nginx.conf under a root with every `include` expanded in place, as nginx does: a path relative to the
// configuration prefix (etc/nginx), glob matches in sorted order (glob(3) without GLOB_NOSORT; byte order
// here), a glob that matches nothing is fine, a missing plain file is an error (nginx -t refuses it).
import type { ConfigRoot } from '../types.ts';
import { parseNginx, type NginxDirective } from './parse.ts';

export const NGINX_CONF = 'etc/nginx/nginx.conf';
const PREFIX = 'etc/nginx';
/** nginx itself has no limit; a hostile root could include a file into itself. */
export const MAX_INCLUDE_DEPTH = 16;

/** A directive after include expansion; `via` lists the include lines it came through, outermost first. */
export type Placed = Omit<NginxDirective, 'block'> & {
  readonly block?: readonly Placed[];
  readonly via: readonly NginxDirective[];
};

export type NginxConfig = {
  readonly main: string;
  readonly tree: readonly Placed[];
  /** Every file read, with its text (for indentation and edits). */
  readonly files: ReadonlyMap<string, string>;
};

export class NginxLoadError extends Error {}

/** The root-relative path an `include` argument names. */
export function includePath(arg: string): string {
  const p = arg.startsWith('/') ? arg.slice(1) : `${PREFIX}/${arg}`;
  return p
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

function globRe(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = seg.indexOf(']', i + 1);
      if (j < 0) re += '\\[';
      else {
        re += `[${seg
          .slice(i + 1, j)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = j;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const isGlob = (s: string): boolean => /[*?[]/.test(s);

/** Paths matching a root-relative glob, sorted; hidden names only when the pattern starts with a dot. */
export async function expandGlob(root: ConfigRoot, pattern: string): Promise<string[]> {
  let current = [''];
  for (const seg of pattern.split('/')) {
    const next: string[] = [];
    for (const dir of current) {
      if (!isGlob(seg)) {
        next.push(dir === '' ? seg : `${dir}/${seg}`);
        continue;
      }
      const re = globRe(seg);
      for (const name of await root.list(dir))
        if (re.test(name) && (!name.startsWith('.') || seg.startsWith('.')))
          next.push(dir === '' ? name : `${dir}/${name}`);
    }
    current = next;
  }
  return current.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Loads the configuration, or undefined when there is no main file. Throws NginxLoadError (what, where). */
export async function loadNginxConfig(root: ConfigRoot, main: string = NGINX_CONF): Promise<NginxConfig | undefined> {
  const text = await root.read(main);
  if (text === undefined) return undefined;
  const files = new Map<string, string>([[main, text]]);
  const expand = async (list: readonly NginxDirective[], via: readonly NginxDirective[]): Promise<Placed[]> => {
    const out: Placed[] = [];
    for (const d of list) {
      if (d.name === 'include' && !d.block) {
        if (via.length >= MAX_INCLUDE_DEPTH)
          throw new NginxLoadError(`${d.file}:${d.line}: includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
        const pattern = includePath(d.args[0] ?? '');
        const paths = isGlob(pattern) ? await expandGlob(root, pattern) : [pattern];
        for (const p of paths) {
          const t = files.get(p) ?? (await root.read(p));
          if (t === undefined) {
            if (isGlob(pattern)) continue;
            throw new NginxLoadError(`${d.file}:${d.line}: include ${d.args[0] ?? ''}: no such file`);
          }
          files.set(p, t);
          out.push(...(await expand(parseNginx(t, p), [...via, d])));
        }
        continue;
      }
      const { block, ...rest } = d;
      out.push(block ? { ...rest, via, block: await expand(block, via) } : { ...rest, via });
    }
    return out;
  };
  return { main, tree: await expand(parseNginx(text, main), []), files };
}
