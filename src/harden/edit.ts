// Line edits (src/harden/types.ts) applied to text, and rendered as the unified diff a finding carries: paths
// relative to the root with a/ and b/ prefixes, so `patch -p1` applies it from the root. Pure.
import { createTwoFilesPatch } from 'diff';
import type { ConfigRoot, FileEdit, LineEdit } from './types.ts';

/** The line ending a file uses (kept by edits): CRLF when its first line ends so. */
function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * A text's lines as edits number them: `\n`-separated, a final `\r` dropped, no empty tail after a final
 * newline. Engines split with this so the line numbers of their edits are the applier's.
 */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/**
 * Applies edits (1-based lines of the ORIGINAL text, never overlapping) and returns the new text. Line endings
 * and a missing final newline are kept. Throws on an edit outside the file or two edits of one line: an
 * engine's bug, never silently applied.
 */
export function applyEdits(text: string, edits: readonly LineEdit[]): string {
  const eol = eolOf(text);
  const lines = splitLines(text);
  const final = text === '' || text.endsWith('\n');
  const replaced = new Map<number, string | null>();
  const inserted = new Map<number, string[]>();
  for (const e of edits) {
    if (e.kind === 'insert') {
      if (e.before < 1 || e.before > lines.length + 1)
        throw new RangeError(`insert before line ${e.before} of ${lines.length}`);
      inserted.set(e.before, [...(inserted.get(e.before) ?? []), ...e.lines]);
      continue;
    }
    if (e.line < 1 || e.line > lines.length) throw new RangeError(`${e.kind} of line ${e.line} of ${lines.length}`);
    if (replaced.has(e.line)) throw new RangeError(`line ${e.line} edited twice`);
    replaced.set(e.line, e.kind === 'replace' ? e.text : null);
  }
  const out: string[] = [];
  for (let n = 1; n <= lines.length + 1; n++) {
    out.push(...(inserted.get(n) ?? []));
    if (n > lines.length) break;
    const r = replaced.get(n);
    if (r === undefined) out.push(lines[n - 1]!);
    else if (r !== null) out.push(r);
  }
  if (out.length === 0) return '';
  // a file that had no final newline keeps none, unless lines were appended after its last line
  const appended = (inserted.get(lines.length + 1)?.length ?? 0) > 0;
  return out.join(eol) + (final || appended ? eol : '');
}

/** The unified diff of one file's edit: `a/<path>` → `b/<path>` (`/dev/null` for a created file), 3 lines of context. */
export function unifiedDiff(edit: FileEdit, original: string | undefined): string {
  return unifiedTextDiff(edit.path, original, applyEdits(original ?? '', edit.edits));
}

/** The unified diff of a file's text before (undefined: created) and after, with `a/` `b/` paths. */
export function unifiedTextDiff(path: string, original: string | undefined, after: string): string {
  const before = original ?? '';
  const created = original === undefined;
  const patch = createTwoFilesPatch(created ? '/dev/null' : `a/${path}`, `b/${path}`, before, after, '', '', {
    context: 3,
  });
  // jsdiff starts with an "Index:"-less '====' line only in createPatch; strip the empty header dates it writes
  return patch
    .split('\n')
    .filter((l, i) => !(i === 0 && l.startsWith('===')))
    .map((l) => (l.startsWith('--- ') || l.startsWith('+++ ') ? l.replace(/\t$/, '') : l))
    .join('\n');
}

/** Lines a file edit changes: replaced, inserted and deleted lines counted once each (the patch-size figure). */
export function changedLines(edit: FileEdit): number {
  let n = 0;
  for (const e of edit.edits) n += e.kind === 'insert' ? e.lines.length : 1;
  return n;
}

/** A root that reads `edits` applied on top of `root` (how an engine re-checks its own fix before offering it). */
export function patchedRoot(root: ConfigRoot, edits: readonly FileEdit[]): ConfigRoot {
  return {
    read: async (path) => {
      const mine = edits.filter((f) => f.path === path).flatMap((f) => f.edits);
      return mine.length === 0 ? root.read(path) : applyEdits((await root.read(path)) ?? '', mine);
    },
    list: (dir) => root.list(dir),
  };
}
