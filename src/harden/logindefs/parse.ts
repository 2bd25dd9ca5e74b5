// etc/login.defs as its two kinds of readers parse it. They disagree, and both matter:
//   - shadow-utils (useradd, passwd, chage, login, ...; lib/getdef.c `def_load`): lines read with
//     fgets(buf, 1024) — a longer line goes on as a new line after 1023 bytes; `#` starts a comment only as
//     the first non-blank character; the name ends at a blank and a line with no value is skipped; the
//     value starts after blanks and double quotes and ends at the next `"` (trailing text such as
//     `# comment` is part of it); names match case-sensitively (strcmp) and a later line REPLACES an
//     earlier one (putdef_str frees the old value): the LAST line wins.
//   - Linux-PAM (libpam/pam_modutil_searchkey.c, used by pam_umask for UMASK and pam_unix for
//     ENCRYPT_METHOD): `#` anywhere ends the line; the name ends at a blank or `=`; names match
//     case-INsensitively (strcasecmp) and the search stops at the FIRST match.
// Pure.
import { splitLines } from '../edit.ts';

export type Def = {
  /** 1-based physical line. */
  readonly line: number;
  readonly key: string;
  readonly value: string;
  /** The line up to where the value starts (indentation, name, separator): a replacement keeps it. */
  readonly prefix: string;
  /** shadow only: the def sits in the tail of an over-long line (fgets split it), not at its start. */
  readonly tail: boolean;
};

/** fgets(buf, 1024): at most 1023 bytes per read. */
const FGETS_BYTES = 1023;
const C_SPACE = ' \t\n\v\f\r';

/** The physical line cut as fgets with a 1024-byte buffer reads it (the newline counts). */
function fgetsChunks(raw: string): string[] {
  const bytes = new TextEncoder().encode(`${raw}\n`);
  if (bytes.length <= FGETS_BYTES) return [raw];
  const dec = new TextDecoder();
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += FGETS_BYTES) out.push(dec.decode(bytes.subarray(i, i + FGETS_BYTES)));
  return out;
}

function shadowLine(s: string): { key: string; value: string; prefix: string } | undefined {
  let end = s.length;
  while (end > 0 && C_SPACE.includes(s[end - 1]!)) end--;
  const buf = s.slice(0, end);
  let i = 0;
  while (i < buf.length && (buf[i] === ' ' || buf[i] === '\t')) i++;
  if (i >= buf.length || buf[i] === '#') return undefined;
  let j = i;
  while (j < buf.length && buf[j] !== ' ' && buf[j] !== '\t') j++;
  if (j >= buf.length) return undefined; // "only 1 field??"
  let k = j + 1;
  while (k < buf.length && (buf[k] === ' ' || buf[k] === '\t' || buf[k] === '"')) k++;
  const rest = buf.slice(k);
  const q = rest.indexOf('"');
  let p = j;
  while (p < buf.length && (buf[p] === ' ' || buf[p] === '\t')) p++;
  return { key: buf.slice(i, j), value: q < 0 ? rest : rest.slice(0, q), prefix: buf.slice(0, p) };
}

/** Every definition shadow-utils reads, in file order (the last of a key is the effective one). */
export function shadowDefs(text: string): Def[] {
  const out: Def[] = [];
  splitLines(text).forEach((raw, n) => {
    fgetsChunks(raw).forEach((chunk, c) => {
      const d = shadowLine(chunk);
      if (d) out.push({ line: n + 1, ...d, tail: c > 0 });
    });
  });
  return out;
}

/** Every definition PAM's search sees, in file order (the first of a key, in any case, is the effective one). */
export function pamDefs(text: string): Def[] {
  const out: Def[] = [];
  splitLines(text).forEach((raw, n) => {
    const hash = raw.indexOf('#');
    const s = hash < 0 ? raw : raw.slice(0, hash);
    let i = 0;
    while (i < s.length && C_SPACE.includes(s[i]!)) i++;
    if (i >= s.length) return;
    let j = i;
    while (j < s.length && s[j] !== ' ' && s[j] !== '\t' && s[j] !== '=') j++;
    let k = j;
    while (k < s.length && (C_SPACE.includes(s[k]!) || s[k] === '=')) k++;
    out.push({ line: n + 1, key: s.slice(i, j), value: s.slice(k), prefix: s.slice(0, k), tail: false });
  });
  return out;
}
