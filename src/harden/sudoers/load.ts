// The sudoers tree as sudo reads it: etc/sudoers, with each `@include` / `#include` file and each
// `@includedir` / `#includedir` directory read in place. In a directory, names ending in `~` or containing a
// `.` are skipped (sudoers(5): so editor backups and package-manager leftovers are not read) and the rest
// read in lexical order. A relative include is relative to the including file's directory (sudo 1.9.1+).
import { posix } from 'node:path';
import { normalisePath } from '../root.ts';
import type { ConfigRoot } from '../types.ts';
import { parseSudoers, type SudoersEntry } from './parse.ts';

export const SUDOERS = 'etc/sudoers';
/** sudo stops at 128 nested includes; we stop earlier (a loop is a bug or an attack, not a configuration). */
const MAX_DEPTH = 16;

/** An entry and the file it is in. */
export type Located = { readonly file: string; readonly entry: SudoersEntry };

export type SudoersTree = {
  /** Every entry in the order sudo applies them (includes expanded in place). */
  readonly entries: readonly Located[];
  /** Every file read, root-relative, with its text. */
  readonly files: ReadonlyMap<string, string>;
  /** Includes that name nothing readable, or go too deep. */
  readonly problems: readonly string[];
};

/** Where an include path points, root-relative (undefined: above the root). */
export function includeTarget(from: string, path: string): string | undefined {
  return normalisePath(path.startsWith('/') ? path : posix.join(posix.dirname(`/${from}`), path));
}

/** sudoers(5): files in an includedir whose name ends in `~` or contains `.` are skipped. */
export const skippedInIncludedir = (name: string): boolean => name.endsWith('~') || name.includes('.');

export async function loadSudoers(root: ConfigRoot, main = SUDOERS): Promise<SudoersTree | undefined> {
  const text = await root.read(main);
  if (text === undefined) return undefined;
  const entries: Located[] = [];
  const files = new Map<string, string>();
  const problems: string[] = [];
  const walk = async (file: string, body: string, depth: number): Promise<void> => {
    files.set(file, body);
    for (const entry of parseSudoers(body)) {
      entries.push({ file, entry });
      if (entry.kind !== 'include') continue;
      const where = `${file}:${entry.line}`;
      if (depth >= MAX_DEPTH) {
        problems.push(`${where}: includes nested deeper than ${MAX_DEPTH}, not followed`);
        continue;
      }
      const target = includeTarget(file, entry.path);
      if (target === undefined) {
        problems.push(`${where}: ${entry.path} is outside the root`);
        continue;
      }
      const names = entry.dir ? (await root.list(target)).filter((n) => !skippedInIncludedir(n)) : [''];
      for (const n of names) {
        const p = n === '' ? target : `${target}/${n}`;
        const t = await root.read(p);
        if (t === undefined) {
          if (!entry.dir) problems.push(`${where}: ${entry.path} cannot be read`);
          continue;
        }
        await walk(p, t, depth + 1);
      }
    }
  };
  await walk(main, text, 0);
  return { entries, files, problems };
}
