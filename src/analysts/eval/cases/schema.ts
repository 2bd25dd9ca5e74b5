// A labelled case: one finding as a detector writes it, the truth about it, where the case came from and why it
// is labelled so. A case file is JSON Lines, one case per line; a directory of cases is every *.jsonl in it,
// read in name order, so a set can be split by source (malicious.jsonl, benign-admin.jsonl, ...).
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { UsageError } from '../../../core/errors.ts';
import type { Finding } from '../../../core/index.ts';
import { parseFinding } from '../../../core/finding-schema.ts';
import type { Truth } from '../metrics.ts';

export const CaseLine = z
  .object({
    finding: z.unknown(),
    truth: z.enum(['malicious', 'benign']),
    /** Where the case came from: an EVTX sample's path, or a benign generator's name and seed. */
    source: z.string().min(1).max(500),
    /** Why it carries its label (the sample's technique, the admin activity it imitates). */
    note: z.string().max(2000).optional(),
  })
  .strict();

export type LabelledCase = {
  readonly finding: Finding;
  readonly truth: Truth;
  readonly source: string;
  readonly note?: string;
};

export type BadCase = { readonly file: string; readonly line: number; readonly message: string };

/** One line longer than this is not a case (a finding is a few KB). */
const MAX_LINE = 1024 * 1024;

/** Parses one line of a case file: the case, or why it is not one. */
export function parseCase(text: string): { case: LabelledCase } | { error: string } {
  if (text.length > MAX_LINE) return { error: `line is ${text.length} characters, over ${MAX_LINE}` };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON (${(e as Error).message})` };
  }
  const parsed = CaseLine.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { error: `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}` };
  }
  const f = parseFinding(parsed.data.finding);
  if ('error' in f) return { error: `finding: ${f.error}` };
  const { truth, source, note } = parsed.data;
  return { case: { finding: f.finding, truth, source, ...(note !== undefined ? { note } : {}) } };
}

/** The case files of `path`: the file itself, or every *.jsonl directly in the directory, in name order. */
async function caseFiles(path: string): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new UsageError(`--cases: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (st.isFile()) return [path];
  const names = (await readdir(path)).filter((n) => n.endsWith('.jsonl')).sort();
  return names.map((n) => join(path, n));
}

/** Reads every case under `path`. Lines that are not cases are returned in `bad` (file and line), not thrown. */
export async function readCases(path: string): Promise<{ cases: LabelledCase[]; bad: BadCase[] }> {
  const cases: LabelledCase[] = [];
  const bad: BadCase[] = [];
  for (const file of await caseFiles(path)) {
    const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let line = 0;
    for await (const text of rl) {
      line++;
      if (text.trim() === '') continue;
      const r = parseCase(text);
      if ('error' in r) bad.push({ file, line, message: r.error });
      else cases.push(r.case);
    }
  }
  return { cases, bad };
}

/** Writes cases as JSON Lines, atomically (a temporary file renamed into place). */
export async function writeCases(file: string, cases: readonly LabelledCase[]): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    for (const c of cases) await fh.write(`${JSON.stringify(c)}\n`);
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}
