// Apache httpd configuration text to a tree of directives, as httpd's config reader sees it: one directive a
// line (a trailing backslash continues it), `#` comments on their own line only, names case-insensitive,
// arguments blank-separated with "double" or 'single' quotes, `<Section args>` ... `</Section>` blocks.
// Pure: positions are kept so a directive can be edited in place.

/** One directive or section. `name` is lower-cased; `spelling` is as written. Lines are 1-based. */
export type ApacheDirective = {
  readonly name: string;
  readonly spelling: string;
  readonly args: readonly string[];
  readonly file: string;
  readonly line: number;
  /** The last physical line (continuations). */
  readonly endLine: number;
  /** Column where the arguments start (after the name and its blanks) on `line`. */
  readonly argsStart: number;
  /** Children of a section (`<VirtualHost>`, `<IfModule>`), and the line of its closing tag. */
  readonly block?: readonly ApacheDirective[];
  readonly closeLine?: number;
};

export class ApacheSyntaxError extends Error {}

/** Splits an argument string as httpd's ap_getword_conf does (quotes group, backslash escapes a quote). */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    const q = s[i] === '"' || s[i] === "'" ? s[i]! : undefined;
    let word = '';
    if (q) {
      i++;
      while (i < s.length && s[i] !== q) {
        if (s[i] === '\\' && s[i + 1] === q) i++;
        word += s[i++];
      }
      i++;
    } else while (i < s.length && !/\s/.test(s[i]!)) word += s[i++];
    out.push(word);
  }
  return out;
}

type Open = { name: string; spelling: string; args: string[]; line: number; endLine: number; argsStart: number };

/** Parses one file; throws ApacheSyntaxError (file:line) on unbalanced sections. */
export function parseApache(text: string, file: string): ApacheDirective[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const stack: { open?: Open; children: ApacheDirective[] }[] = [{ children: [] }];
  for (let n = 0; n < lines.length; n++) {
    const first = n;
    let logical = lines[n]!;
    while (/\\$/.test(logical) && n + 1 < lines.length) logical = logical.slice(0, -1) + lines[++n]!;
    const body = logical.trim();
    if (body === '' || body.startsWith('#')) continue;
    const top = stack[stack.length - 1]!;
    if (body.startsWith('</')) {
      const name = body.slice(2).replace(/>\s*$/, '').trim().toLowerCase();
      if (!top.open || top.open.name !== name)
        throw new ApacheSyntaxError(`${file}:${first + 1}: </${name}> without a matching <${name}>`);
      stack.pop();
      const { open } = top;
      stack[stack.length - 1]!.children.push({ ...open, file, block: top.children, closeLine: n + 1 });
      continue;
    }
    const section = body.startsWith('<');
    const m = /^(<?)([^\s>]+)(\s*)/.exec(logical.trimStart())!;
    const indent = logical.length - logical.trimStart().length;
    const argsStart = indent + m[0].length;
    let rest = logical.slice(argsStart);
    if (section) rest = rest.replace(/>\s*$/, '');
    const d: Open = {
      name: m[2]!.toLowerCase(),
      spelling: m[2]!,
      args: splitArgs(rest),
      line: first + 1,
      endLine: n + 1,
      argsStart,
    };
    if (section) stack.push({ open: d, children: [] });
    else top.children.push({ ...d, file });
  }
  if (stack.length > 1) {
    const open = stack[stack.length - 1]!.open!;
    throw new ApacheSyntaxError(`${file}:${open.line}: <${open.spelling}> is never closed`);
  }
  return stack[0]!.children;
}
