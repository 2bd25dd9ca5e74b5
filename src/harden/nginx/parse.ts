// The nginx configuration language, as ngx_conf_file.c reads it: tokens split by blanks, `;` ends a directive,
// `{` opens a block and `}` closes it, `#` starts a comment where a token could start, "..." and '...' quote
// (with backslash escapes), a backslash escapes outside quotes. Pure: (text, file) => directives.

/** One directive with where it is written; `block` is set for `name args { ... }`. */
export type NginxDirective = {
  readonly name: string;
  /** Arguments with quotes and escapes removed. */
  readonly args: readonly string[];
  readonly file: string;
  /** 1-based line of the directive's name. */
  readonly line: number;
  /** Line of its `;` or `{`. */
  readonly endLine: number;
  /** Column (0-based, in `line`) where the name starts, and where the arguments start and end (both in `line` when `endLine === line`). */
  readonly col: number;
  readonly argsStart: number;
  readonly argsEnd: number;
  readonly block?: readonly NginxDirective[];
  /** Line of the closing `}` of a block. */
  readonly closeLine?: number;
};

export class NginxSyntaxError extends Error {}

type Token =
  | { text: string; line: number; col: number; end: number; quoted: boolean }
  | { punct: ';' | '{' | '}'; line: number; col: number };

function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === ';' || c === '{' || c === '}') {
      out.push({ punct: c, line, col: i - lineStart });
      i++;
      continue;
    }
    const startLine = line;
    const col = i - lineStart;
    let value = '';
    let quoted = false;
    if (c === '"' || c === "'") {
      quoted = true;
      i++;
      while (i < n && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < n) i++;
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        value += text[i];
        i++;
      }
      if (i >= n) throw new NginxSyntaxError(`${file}:${startLine}: unterminated quoted string`);
      i++;
    } else {
      while (i < n && !/[\s;{}]/.test(text[i]!)) {
        if (text[i] === '\\' && i + 1 < n) i++;
        value += text[i];
        i++;
      }
    }
    // the end column only matters for single-line tokens (edits in place)
    out.push({ text: value, line: startLine, col, end: line === startLine ? i - lineStart : -1, quoted });
  }
  return out;
}

/** Parses one file's text into its directives (includes are not expanded here). */
export function parseNginx(text: string, file: string): NginxDirective[] {
  const tokens = tokenize(text, file);
  let pos = 0;
  const parseList = (depth: number): { list: NginxDirective[]; close?: number } => {
    const list: NginxDirective[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos]!;
      if ('punct' in t) {
        if (t.punct === '}') {
          if (depth === 0) throw new NginxSyntaxError(`${file}:${t.line}: unexpected "}"`);
          pos++;
          return { list, close: t.line };
        }
        throw new NginxSyntaxError(`${file}:${t.line}: unexpected "${t.punct}"`);
      }
      const args: Extract<Token, { text: string }>[] = [];
      pos++;
      let end: Extract<Token, { punct: string }> | undefined;
      while (pos < tokens.length) {
        const a = tokens[pos]!;
        pos++;
        if ('punct' in a) {
          end = a;
          break;
        }
        args.push(a);
      }
      if (!end || end.punct === '}')
        throw new NginxSyntaxError(`${file}:${t.line}: directive "${t.text}" is not terminated by ";"`);
      const last = args[args.length - 1];
      const base = {
        name: t.text,
        args: args.map((a) => a.text),
        file,
        line: t.line,
        endLine: end.line,
        col: t.col,
        argsStart: args[0]?.col ?? t.end,
        argsEnd: last ? last.end : t.end,
      };
      if (end.punct === '{') {
        if (depth >= 64) throw new NginxSyntaxError(`${file}:${t.line}: blocks nested too deeply`);
        const inner = parseList(depth + 1);
        if (inner.close === undefined)
          throw new NginxSyntaxError(`${file}:${t.line}: unexpected end of file, expecting "}"`);
        list.push({ ...base, block: inner.list, closeLine: inner.close });
      } else list.push(base);
    }
    if (depth > 0) throw new NginxSyntaxError(`${file}: unexpected end of file, expecting "}"`);
    return { list };
  };
  return parseList(0).list;
}
