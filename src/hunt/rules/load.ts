import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { unzipSync } from 'fflate';
import { HuntError } from '../errors.ts';
import { parseSigmaText } from '../sigma/index.ts';
import type { RuleIssue, SigmaDocument } from '../sigma/types.ts';

/** Where rule text came from and the text itself, before parsing. */
export type RuleText = { readonly path: string; readonly text: string };

export type LoadedRules = {
  readonly documents: SigmaDocument[];
  readonly issues: RuleIssue[];
  /** Number of rule files read. */
  readonly files: number;
};

const RULE_EXT = /\.ya?ml$/i;
/** A ruleset archive is a few MB; a bigger one is not a Sigma ruleset (or is a zip bomb): bound it. */
const MAX_ARCHIVE_ENTRY_BYTES = 4 << 20;
const MAX_ARCHIVE_TOTAL_BYTES = 512 << 20;

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name.startsWith('.')) continue;
      yield* walk(p);
    } else if (e.isFile() && RULE_EXT.test(e.name)) yield p;
  }
}

/** Reads the YAML members of a zip archive (the SigmaHQ release archives, or any zip of rules). */
export function rulesFromZip(zipPath: string, bytes: Uint8Array): RuleText[] {
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!RULE_EXT.test(f.name)) return false;
        // sizes come from the archive: bound them before inflating
        if (f.originalSize > MAX_ARCHIVE_ENTRY_BYTES) return false;
        total += f.originalSize;
        return total <= MAX_ARCHIVE_TOTAL_BYTES;
      },
    });
  } catch (err) {
    throw new HuntError('ARCHIVE_INVALID', `${zipPath}: not a readable zip archive (${(err as Error).message})`, {
      cause: err,
    });
  }
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return Object.keys(files)
    .sort()
    .map((name) => ({ path: `${zipPath}!${name}`, text: decoder.decode(files[name]) }));
}

/** Collects the rule texts under one `--rules` argument: a directory (recursive), a YAML file or a zip. */
export async function readRuleTexts(path: string): Promise<RuleText[]> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw new HuntError('RULES_NOT_FOUND', `rules not found: ${path} (give a directory, a .yml file or a .zip)`, {
      cause: err,
    });
  }
  if (st.isDirectory()) {
    const out: RuleText[] = [];
    for await (const p of walk(path)) out.push({ path: p, text: await readFile(p, 'utf8') });
    return out;
  }
  const bytes = await readFile(path);
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return rulesFromZip(path, bytes);
  }
  return [{ path, text: bytes.toString('utf8') }];
}

/** Loads and parses every rule under the given paths. Unusable documents are issues, never silently lost. */
export async function loadRules(paths: readonly string[]): Promise<LoadedRules> {
  const documents: SigmaDocument[] = [];
  const issues: RuleIssue[] = [];
  let files = 0;
  for (const p of paths) {
    const texts = await readRuleTexts(p);
    if (texts.length === 0 && paths.length === 1)
      throw new HuntError('RULES_NOT_FOUND', `no .yml rule files under ${p}`);
    for (const t of texts) {
      files++;
      const parsed = parseSigmaText(t.text, t.path);
      documents.push(...parsed.documents);
      issues.push(...parsed.issues);
    }
  }
  return { documents, issues, files };
}

/** Short display path of a rule relative to the working directory. */
export function displayPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}
