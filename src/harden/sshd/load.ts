// Reads sshd_config and what it includes, in the order sshd reads it: each `Include` is expanded in place
// (glob matches in lexical order, relative paths under etc/ssh), and every directive carries its file, line
// and the `Match` context it sits in. A `Match` inside an included file ends at the end of that file, as in
// sshd, whose included file restores the including file's Match state when it returns.
import type { ConfigRoot } from '../types.ts';
import { parseSshdConfig, type SshdDirective, type SshdLine } from './parse.ts';

/** The main file, relative to the root. */
export const SSHD_CONFIG = 'etc/ssh/sshd_config';
/** sshd's SERVCONF_MAX_DEPTH: deeper includes are refused (a loop would never end). */
export const MAX_INCLUDE_DEPTH = 16;

export type MatchRef = { readonly file: string; readonly line: number; readonly criteria: string };

/** `global`: applies to every connection. `all`: after `Match all`, which sshd applies to every connection too. */
export type MatchContext =
  | { readonly kind: 'global' }
  | { readonly kind: 'all'; readonly match: MatchRef }
  | { readonly kind: 'match'; readonly match: MatchRef };

export type PlacedDirective = SshdDirective & { readonly file: string; readonly context: MatchContext };

export type ConfigFile = { readonly path: string; readonly text: string; readonly lines: readonly SshdLine[] };

export type SshdConfig = {
  readonly main: string;
  readonly files: ReadonlyMap<string, ConfigFile>;
  /** Every directive in reading order, Includes expanded (a file included twice appears twice). */
  readonly directives: readonly PlacedDirective[];
  /** What sshd would complain about or what we skipped, `file:line: text`. */
  readonly notes: readonly string[];
};

const GLOBAL: MatchContext = { kind: 'global' };

/** Loads the configuration; undefined when the main file does not exist. */
export async function loadSshdConfig(root: ConfigRoot, main: string = SSHD_CONFIG): Promise<SshdConfig | undefined> {
  const files = new Map<string, ConfigFile>();
  const directives: PlacedDirective[] = [];
  const notes: string[] = [];

  const read = async (path: string): Promise<ConfigFile | undefined> => {
    const cached = files.get(path);
    if (cached) return cached;
    const text = await root.read(path);
    if (text === undefined) return undefined;
    const file = { path, text, lines: parseSshdConfig(text) };
    files.set(path, file);
    return file;
  };

  // `never`: included from a Match that is not active, so sshd never activates a Match inside (SSHCFG_NEVERMATCH)
  const walk = async (file: ConfigFile, start: MatchContext, depth: number, never: boolean): Promise<void> => {
    let ctx = start;
    for (const l of file.lines) {
      if (l.kind === 'invalid') notes.push(`${file.path}:${l.line}: ${l.reason} (sshd refuses the file)`);
      if (l.kind !== 'directive') continue;
      if (l.key === 'match') {
        const match = { file: file.path, line: l.line, criteria: l.args.join(' ') };
        const all = l.args.length === 1 && l.args[0]!.toLowerCase() === 'all';
        ctx = all && !never ? { kind: 'all', match } : { kind: 'match', match };
        continue;
      }
      directives.push({ ...l, file: file.path, context: ctx });
      if (l.key !== 'include') continue;
      if (depth + 1 > MAX_INCLUDE_DEPTH) {
        notes.push(`${file.path}:${l.line}: includes nested deeper than ${MAX_INCLUDE_DEPTH} (sshd refuses this)`);
        continue;
      }
      for (const pattern of l.args) {
        if (pattern.startsWith('~')) {
          notes.push(`${file.path}:${l.line}: Include ${pattern}: sshd does not expand ~; skipped`);
          continue;
        }
        for (const path of await expandGlob(root, includePath(pattern))) {
          const inc = await read(path);
          if (inc) await walk(inc, ctx, depth + 1, never || ctx.kind === 'match');
        }
      }
    }
  };

  const top = await read(main);
  if (!top) return undefined;
  await walk(top, GLOBAL, 0, false);
  return { main, files, directives, notes };
}

/** An Include argument as a root-relative path: absolute paths lose their `/`, relative ones live under etc/ssh. */
export function includePath(arg: string): string {
  const full = arg.startsWith('/') ? arg : `/etc/ssh/${arg}`;
  const out: string[] = [];
  for (const seg of full.split('/')) {
    if (seg === '' || seg === '.') continue;
    // `..` stops at the root, as it does in a chroot: an included path never leaves the scanned tree
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

const MAGIC = /[*?[]/;

/** glob(3) over the root: `*`, `?` and `[...]` in any segment, no match for a leading dot, results sorted. */
export async function expandGlob(root: ConfigRoot, pattern: string): Promise<string[]> {
  if (!MAGIC.test(pattern)) return [pattern];
  let paths = [''];
  for (const seg of pattern.split('/')) {
    const next: string[] = [];
    for (const base of paths) {
      const prefix = base === '' ? '' : `${base}/`;
      if (!MAGIC.test(seg)) {
        next.push(prefix + seg);
        continue;
      }
      const re = segmentRegExp(seg);
      for (const name of await root.list(base)) {
        if (name.startsWith('.') && !seg.startsWith('.')) continue;
        if (re.test(name)) next.push(prefix + name);
      }
    }
    paths = next;
  }
  // glob(3) sorts its matches; sshd runs in the C locale, so the order is by bytes
  return paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, close);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}
