// TOML for extractors (Cargo.lock, poetry.lock, uv.lock, pdm.lock, pylock.toml, pyproject.toml, Cargo.toml),
// on smol-toml. When a whole file fails, its array-of-tables blocks (`[[package]]`) are parsed one by one so
// one broken entry costs only itself.
import { parse, TomlError } from 'smol-toml';
import { errorMessage } from './extract.ts';

export type TomlParse =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly message: string; readonly line?: number };

// hostile input: inline arrays/tables nested this deep are refused by the parser, not recursed into
const OPTIONS = { maxDepth: 64, unsafeKeyBehaviour: 'drop' as const, integersAsBigInt: false as const };

/** Parses a TOML document. Never throws. */
export function parseToml(text: string): TomlParse {
  try {
    return { ok: true, value: parse(text, OPTIONS) as Record<string, unknown> };
  } catch (e) {
    const message = `invalid TOML: ${errorMessage(e).replace(/^Invalid TOML document: /, '')}`;
    if (e instanceof TomlError) return { ok: false, message, line: e.line };
    return { ok: false, message };
  }
}

/** 1-based lines of every `[[name]]` header, in order (the i-th header starts the i-th table of `name`). */
export function arrayTableLines(text: string, name: string): number[] {
  const lines: number[] = [];
  const header = `[[${name}]]`;
  let line = 1;
  let start = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = n;
    // a header may be indented and followed by a comment
    let i = start;
    while (i < end && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
    if (text.startsWith(header, i)) lines.push(line);
    line++;
    start = end + 1;
  }
  return lines;
}

export type TomlBlocks = {
  /** Tables of `[[name]]` that parsed, with the line of their header. */
  readonly tables: readonly { readonly value: Record<string, unknown>; readonly line: number }[];
  /** The top-level keys before the first header, when they parsed. */
  readonly head?: Record<string, unknown>;
  readonly errors: readonly { readonly message: string; readonly line: number }[];
};

/**
 * Salvage of a broken TOML document made of `[[name]]` tables: the text is cut at each header line and every
 * piece parsed alone (sub-tables such as `[package.dependencies]` stay with their package).
 */
export function parseTomlBlocks(text: string, name: string): TomlBlocks {
  const headers = arrayTableLines(text, name);
  const lines = text.split('\n');
  const tables: { value: Record<string, unknown>; line: number }[] = [];
  const errors: { message: string; line: number }[] = [];
  const firstHeader = headers[0] ?? lines.length + 1;
  let head: Record<string, unknown> | undefined;
  const before = lines.slice(0, firstHeader - 1).join('\n');
  const h = parseToml(before);
  if (h.ok) head = h.value;
  else errors.push({ message: h.message, line: h.line ?? 1 });
  for (let k = 0; k < headers.length; k++) {
    const from = headers[k]!;
    const to = headers[k + 1] ?? lines.length + 1;
    const r = parseToml(lines.slice(from - 1, to - 1).join('\n'));
    if (!r.ok) {
      // the parser counts from the chunk's first line: shift to the file's
      errors.push({ message: r.message, line: r.line === undefined ? from : from - 1 + r.line });
      continue;
    }
    const arr = r.value[name];
    const table = Array.isArray(arr) ? (arr[0] as unknown) : undefined;
    if (typeof table === 'object' && table !== null)
      tables.push({ value: table as Record<string, unknown>, line: from });
  }
  return head === undefined ? { tables, errors } : { tables, head, errors };
}
