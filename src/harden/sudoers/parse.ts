// sudoers(5) text as sudo's parser reads it, down to what the checks need. Pure.
//   - a line ending in `\` continues on the next one (a logical line keeps the physical lines it spans);
//   - `#` starts a comment, EXCEPT `#include` / `#includedir` (the pre-1.9.1 spelling of `@include` /
//     `@includedir`: a directive, not a comment) and `#<digits>` (a uid, `#1000 ALL=...`); inside double
//     quotes `#` is text;
//   - `Defaults` (optionally scoped: `Defaults:user`, `Defaults@host`, `Defaults>runas`, `Defaults!cmnd`)
//     takes comma-separated options `flag`, `!flag`, `name=value`, `name+=value`, `name-=value`; values may be
//     double-quoted (commas inside quotes are text) and `\` escapes a character;
//   - anything else that is not an alias definition is a user specification; its `NOPASSWD:` tags matter here.
import { splitLines } from '../edit.ts';

/** A physical line of a logical one: 1-based number and text. */
export type Physical = { readonly line: number; readonly text: string };

export type DefaultsOption = {
  readonly name: string;
  /** `!name` (a negated flag, or an unset list / string). */
  readonly negated: boolean;
  /** `=` / `+=` / `-=` value, unquoted; undefined for a bare flag. */
  readonly value?: string;
  readonly op?: '=' | '+=' | '-=';
  /** The option as written (`!use_pty`, `logfile="/var/log/sudo.log"`). */
  readonly raw: string;
  /** The physical line the option starts on. */
  readonly line: number;
};

export type SudoersEntry =
  | { readonly kind: 'include'; readonly dir: boolean; readonly path: string; readonly line: number }
  | {
      readonly kind: 'defaults';
      /** `''` for global Defaults, else the scope as written (`:alice`, `@host1`, `>root`, `!/bin/ls`). */
      readonly scope: string;
      readonly options: readonly DefaultsOption[];
      readonly line: number;
      readonly lastLine: number;
    }
  | { readonly kind: 'alias'; readonly line: number }
  | {
      readonly kind: 'spec';
      readonly text: string;
      readonly line: number;
      /** `NOPASSWD:` tags in it, by physical line. */
      readonly nopasswd: readonly number[];
    };

/** Logical lines: physical ones joined where a line ends in an (unescaped) backslash. */
export function logicalLines(text: string): Physical[][] {
  const out: Physical[][] = [];
  let cur: Physical[] = [];
  splitLines(text).forEach((t, i) => {
    cur.push({ line: i + 1, text: t });
    const m = /(\\+)$/.exec(t);
    if (!m || m[1]!.length % 2 === 0) {
      out.push(cur);
      cur = [];
    }
  });
  if (cur.length) out.push(cur);
  return out;
}

const INCLUDE = /^[ \t]*[@#](include|includedir)[ \t]+(.+?)[ \t]*$/;

/** Where an unquoted, unescaped comment starts in `s` (`#` not followed by a digit), or -1. */
function commentStart(s: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '#' && !quoted && !/[0-9]/.test(s[i + 1] ?? '')) return i;
  }
  return -1;
}

/** Splits a Defaults option list at unquoted, unescaped commas; each piece keeps its starting offset. */
function splitOptions(s: string, offset: number): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (i === s.length || (c === ',' && !quoted)) {
      const piece = s.slice(start, i);
      const lead = piece.length - piece.trimStart().length;
      if (piece.trim() !== '') out.push({ text: piece.trim(), at: offset + start + lead });
      start = i + 1;
    }
  }
  return out;
}

function unquote(v: string): string {
  const t = v.trim();
  const inner = t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
  return inner.replace(/\\(.)/g, '$1');
}

function parseOption(text: string, line: number): DefaultsOption | undefined {
  const m = /^(!*)[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?:(\+=|-=|=)[ \t]*(.*))?$/s.exec(text);
  if (!m) return undefined;
  const negated = m[1]!.length % 2 === 1;
  const op = m[3] as '=' | '+=' | '-=' | undefined;
  return {
    name: m[2]!,
    negated,
    raw: text,
    line,
    ...(op !== undefined ? { op, value: unquote(m[4] ?? '') } : {}),
  };
}

/** The entries of one sudoers file, in order. */
export function parseSudoers(text: string): SudoersEntry[] {
  const out: SudoersEntry[] = [];
  for (const phys of logicalLines(text)) {
    const first = phys[0]!;
    const inc = INCLUDE.exec(first.text);
    if (inc && phys.length === 1) {
      out.push({ kind: 'include', dir: inc[1] === 'includedir', path: unquote(inc[2]!), line: first.line });
      continue;
    }
    // join the physical lines (minus their continuation backslash), remembering where each one starts
    let joined = '';
    const starts: { at: number; line: number }[] = [];
    phys.forEach((p, i) => {
      starts.push({ at: joined.length, line: p.line });
      joined += i < phys.length - 1 ? `${p.text.slice(0, -1)} ` : p.text;
    });
    const cut = commentStart(joined);
    const body = (cut < 0 ? joined : joined.slice(0, cut)).trimEnd();
    if (body.trim() === '') continue;
    const lineAt = (at: number): number => starts.findLast((s) => s.at <= at)?.line ?? first.line;
    const last = phys[phys.length - 1]!.line;
    const d = /^([ \t]*Defaults)([:@>!][^ \t]*)?(?=[ \t]|$)/.exec(body);
    if (d) {
      const offset = d[0].length;
      const options = splitOptions(body.slice(offset), offset)
        .map((o) => parseOption(o.text, lineAt(o.at)))
        .filter((o) => o !== undefined);
      out.push({ kind: 'defaults', scope: d[2] ?? '', options, line: first.line, lastLine: last });
      continue;
    }
    if (/^[ \t]*(User|Runas|Host|Cmnd|Cmd)_Alias\b/.test(body)) {
      out.push({ kind: 'alias', line: first.line });
      continue;
    }
    const nopasswd: number[] = [];
    for (const m of body.matchAll(/\bNOPASSWD[ \t]*:/g)) nopasswd.push(lineAt(m.index));
    out.push({ kind: 'spec', text: body.trim(), line: first.line, nopasswd });
  }
  return out;
}
