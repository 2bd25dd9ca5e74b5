// Applies LineEdits to a text in memory. The engine uses it to verify each fix before offering it (the real
// patch renderer lives elsewhere); tests use it to apply fixes and re-assess.
import type { ConfigRoot, FileEdit, LineEdit } from '../types.ts';

/** Applies edits whose lines refer to the original text; keeps the final newline (adds one to a new file). */
export function applyLineEdits(text: string, edits: readonly LineEdit[]): string {
  const lines = text === '' ? [] : text.split('\n');
  const finalNewline = text === '' || text.endsWith('\n');
  if (text.endsWith('\n')) lines.pop();
  const out: string[] = [];
  for (let n = 1; n <= lines.length + 1; n++) {
    for (const e of edits) if (e.kind === 'insert' && e.before === n) out.push(...e.lines);
    if (n > lines.length) break;
    const own = edits.find((e) => e.kind !== 'insert' && e.line === n);
    if (own?.kind === 'replace') out.push(own.text);
    else if (own?.kind !== 'delete') out.push(lines[n - 1]!);
  }
  return out.join('\n') + (finalNewline && out.length > 0 ? '\n' : '');
}

/** A root that sees `edits` applied on top of `root`. */
export function patchedRoot(root: ConfigRoot, edits: readonly FileEdit[]): ConfigRoot {
  return {
    read: async (path) => {
      const mine = edits.filter((f) => f.path === path);
      if (mine.length === 0) return root.read(path);
      const base = (await root.read(path)) ?? '';
      return applyLineEdits(
        base,
        mine.flatMap((f) => f.edits),
      );
    },
    list: (dir) => root.list(dir),
  };
}
