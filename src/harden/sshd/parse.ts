// sshd_config lines as sshd 9.2 splits them (servconf.c: strdelim for the keyword, argv_split for the
// arguments): keyword, then whitespace or one `=` (with optional whitespace), then arguments with double or
// single quotes and backslash escapes; a `#` starting an argument ends the line. Positions are kept so a fix can
// rewrite only the value and keep indentation, keyword spelling, separator and a trailing comment.
import { canonicalKey } from './keywords.ts';

/** One line of an sshd_config file. Columns are 0-based offsets into `raw`. */
export type SshdLine =
  | { readonly kind: 'blank' | 'comment'; readonly line: number; readonly raw: string }
  | { readonly kind: 'invalid'; readonly line: number; readonly raw: string; readonly reason: string }
  | SshdDirective;

export type SshdDirective = {
  readonly kind: 'directive';
  readonly line: number;
  readonly raw: string;
  /** The keyword as written (`passwordauthentication`). */
  readonly keyword: string;
  /** Lower-case, old aliases mapped to their successor (`kbdinteractiveauthentication`). */
  readonly key: string;
  /** Arguments with quotes and escapes removed. */
  readonly args: readonly string[];
  /** Where the value text starts and ends (end excludes trailing whitespace and a trailing comment). */
  readonly valueStart: number;
  readonly valueEnd: number;
};

const WS = new Set([' ', '\t', '\r', '\f', '\v']);

/** Splits a file into lines (`\n`, keeping a `\r` in `raw`) and reads each. Never throws. */
export function parseSshdConfig(text: string): SshdLine[] {
  const lines = text.split('\n');
  // a final newline ends the last line; it does not start another
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((raw, i) => parseLine(raw, i + 1));
}

export function parseLine(raw: string, line: number): SshdLine {
  let i = 0;
  while (i < raw.length && WS.has(raw[i]!)) i++;
  if (i === raw.length) return { kind: 'blank', line, raw };
  if (raw[i] === '#') return { kind: 'comment', line, raw };
  const kwStart = i;
  while (i < raw.length && !WS.has(raw[i]!) && raw[i] !== '=') i++;
  const keyword = raw.slice(kwStart, i);
  // separator: whitespace, at most one `=`, whitespace (strdelim)
  while (i < raw.length && WS.has(raw[i]!)) i++;
  if (raw[i] === '=') {
    i++;
    while (i < raw.length && WS.has(raw[i]!)) i++;
  }
  const valueStart = i;
  const split = splitArgs(raw, valueStart);
  if (typeof split === 'string') return { kind: 'invalid', line, raw, reason: split };
  if (keyword === '') return { kind: 'invalid', line, raw, reason: 'no keyword' };
  if (split.args.length === 0) return { kind: 'invalid', line, raw, reason: `no argument after keyword "${keyword}"` };
  return {
    kind: 'directive',
    line,
    raw,
    keyword,
    key: canonicalKey(keyword),
    args: split.args,
    valueStart,
    valueEnd: split.end,
  };
}

function splitArgs(raw: string, from: number): { args: string[]; end: number } | string {
  const args: string[] = [];
  let i = from;
  let end = from;
  for (;;) {
    while (i < raw.length && WS.has(raw[i]!)) i++;
    if (i >= raw.length || raw[i] === '#') break;
    let arg = '';
    let quote: string | undefined;
    while (i < raw.length) {
      const c = raw[i]!;
      const next = raw[i + 1];
      if (quote === undefined && WS.has(c)) break;
      if (c === '\\' && (next === '"' || next === "'" || next === '\\' || (quote === undefined && next === ' '))) {
        arg += next;
        i += 2;
      } else if (quote !== undefined && c === quote) {
        quote = undefined;
        i++;
      } else if (quote === undefined && (c === '"' || c === "'")) {
        quote = c;
        i++;
      } else {
        arg += c;
        i++;
      }
    }
    if (quote !== undefined) return 'invalid quotes';
    args.push(arg);
    end = i;
  }
  return { args, end };
}
