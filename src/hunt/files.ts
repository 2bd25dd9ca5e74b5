import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HuntError } from './errors.ts';

export type InputFile = { readonly path: string; readonly size: number; readonly explicit: boolean };

async function walk(dir: string, out: InputFile[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.')) await walk(p, out);
    } else if (e.isFile()) {
      out.push({ path: p, size: (await stat(p)).size, explicit: false });
    }
  }
}

/**
 * Expands the PATH arguments into files: files as given, directories recursively (hidden ones skipped).
 * Files found in directories whose format is not recognised are skipped later, quietly counted; a file named
 * on the command line whose format is not recognised is an error.
 */
export async function expandInputs(paths: readonly string[]): Promise<InputFile[]> {
  const out: InputFile[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch (err) {
      throw new HuntError(
        'NO_INPUT',
        `cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    if (st.isDirectory()) await walk(p, out);
    else out.push({ path: p, size: st.size, explicit: true });
  }
  return out;
}
