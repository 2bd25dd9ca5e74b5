// Dockerfiles as BuildKit's frontend reads them: parser directives at the very top (`# syntax=`, `# escape=`),
// comment lines dropped anywhere (also inside a continued instruction), lines continued by the escape character
// (`\`, or `` ` `` with `# escape=`), heredocs (`RUN <<EOF` ... `EOF`, `<<-` strips leading tabs) whose content is
// not instructions, and stages from each FROM. Every instruction keeps its physical lines so a fix can edit
// the line a word is on. Pure.

export type Piece = { readonly line: number; readonly text: string; readonly offset: number };

export type Instruction = {
  /** Upper-cased (instructions are case-insensitive). */
  readonly keyword: string;
  /** The keyword as written (a fix keeps its case). */
  readonly written: string;
  /** Everything after the keyword, continuation lines joined (the escape and newline removed). */
  readonly args: string;
  /** 1-based first and last line, heredoc content included. */
  readonly line: number;
  readonly endLine: number;
  /** The physical lines that make up `keyword args`, and where each starts in `keyword + ' ' + args` terms. */
  readonly pieces: readonly Piece[];
  /** Offset of `args` in the joined text of the pieces. */
  readonly argsAt: number;
  readonly heredocs: readonly string[];
};

export type Stage = {
  readonly index: number;
  /** The FROM image as written, and its `AS` name. */
  readonly image: string;
  readonly name?: string;
  readonly from: Instruction;
  readonly instructions: readonly Instruction[];
};

export type Dockerfile = {
  readonly directives: Readonly<Record<string, string>>;
  readonly escape: string;
  /** ARGs before the first FROM (usable in FROM lines). */
  readonly globalArgs: readonly Instruction[];
  readonly stages: readonly Stage[];
  readonly lines: readonly string[];
};

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$/;
const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;
/** Instructions a heredoc may follow (BuildKit). */
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const directives: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!);
    if (!m) break;
    const k = m[1]!.toLowerCase();
    if (k in directives) break;
    directives[k] = m[2]!;
  }
  const escape = directives.escape === '`' ? '`' : '\\';
  const isComment = (l: string) => /^\s*#/.test(l);
  const out: Instruction[] = [];
  while (i < lines.length) {
    const first = lines[i]!;
    if (first.trim() === '' || isComment(first)) {
      i++;
      continue;
    }
    const start = i;
    const pieces: Piece[] = [];
    let joined = '';
    let cur = first;
    let n = i;
    for (;;) {
      const t = cur.replace(/\s+$/, '');
      const continued = t.endsWith(escape);
      const text = continued ? t.slice(0, -1) : cur;
      pieces.push({ line: n + 1, text, offset: joined.length });
      joined += text;
      if (!continued) break;
      n++;
      while (n < lines.length && (isComment(lines[n]!) || lines[n]!.trim() === '')) n++;
      if (n >= lines.length) break;
      cur = lines[n]!;
    }
    const m = /^\s*(\S+)\s*/.exec(joined);
    const written = m?.[1] ?? '';
    const keyword = written.toUpperCase();
    const argsAt = m?.[0].length ?? 0;
    const args = joined.slice(argsAt);
    let end = n;
    const heredocs: string[] = [];
    if (HEREDOC_KEYWORDS.has(keyword)) {
      for (const h of args.matchAll(HEREDOC)) {
        const strip = h[1] === '-';
        const delim = h[3]!;
        heredocs.push(delim);
        let k = end + 1;
        while (k < lines.length && (strip ? lines[k]!.replace(/^\t+/, '') : lines[k]!) !== delim) k++;
        end = Math.min(k, lines.length - 1);
      }
    }
    out.push({ keyword, written, args, line: start + 1, endLine: end + 1, pieces, argsAt, heredocs });
    i = end + 1;
  }
  const globalArgs: Instruction[] = [];
  const stages: { index: number; image: string; name?: string; from: Instruction; instructions: Instruction[] }[] = [];
  for (const ins of out) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => w !== '' && !w.startsWith('--'));
      const name = words[1]?.toLowerCase() === 'as' ? words[2] : undefined;
      stages.push({
        index: stages.length,
        image: words[0] ?? '',
        ...(name ? { name } : {}),
        from: ins,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') globalArgs.push(ins);
    } else stages[stages.length - 1]!.instructions.push(ins);
  }
  return { directives, escape, globalArgs, stages, lines };
}

/** The physical line and column of an offset into an instruction's joined text. */
export function positionOf(ins: Instruction, offset: number): { line: number; col: number } {
  let p = ins.pieces[0]!;
  for (const q of ins.pieces) if (q.offset <= offset) p = q;
  return { line: p.line, col: offset - p.offset };
}

/** `NAME=value` pairs (or `NAME value` in the old one-pair form) of an ENV or ARG instruction. */
export function declaredNames(ins: Instruction): { name: string; value?: string }[] {
  const a = ins.args.trim();
  if (ins.keyword === 'ENV' && !/^[^\s=]+=/.test(a)) {
    const m = /^(\S+)(?:\s+(.*))?$/.exec(a);
    return m ? [{ name: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}) }] : [];
  }
  const out: { name: string; value?: string }[] = [];
  for (const m of a.matchAll(/([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g)) {
    const v = m[2];
    out.push({ name: m[1]!, ...(v !== undefined ? { value: v.replace(/^(["'])(.*)\1$/, '$2') } : {}) });
  }
  return out;
}

/** Replaces `$NAME`, `${NAME}`, `${NAME:-default}` from `vars`; undefined when a name has no value. */
export function substitute(s: string, vars: ReadonlyMap<string, string>): string | undefined {
  let missing = false;
  const r = s.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, a, d, b) => {
    const name = (a ?? b) as string;
    const v = vars.get(name);
    if (v !== undefined && v !== '') return v;
    if (d !== undefined) return d as string;
    missing = true;
    return '';
  });
  return missing ? undefined : r;
}
