import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { threadId } from 'node:worker_threads';
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
    const paths: string[] = [];
    for await (const p of walk(path)) paths.push(p);
    // thousands of small files: read many at once rather than waiting on each in turn
    const out: RuleText[] = new Array<RuleText>(paths.length);
    let next = 0;
    const reader = async (): Promise<void> => {
      for (let i = next++; i < paths.length; i = next++)
        out[i] = { path: paths[i]!, text: await readFile(paths[i]!, 'utf8') };
    };
    await Promise.all(Array.from({ length: Math.min(32, paths.length) }, reader));
    return out;
  }
  const bytes = await readFile(path);
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return rulesFromZip(path, bytes);
  }
  return [{ path, text: bytes.toString('utf8') }];
}

type Parsed = ReturnType<typeof parseSigmaText>;

/** Bumped whenever the parsed shape changes, so an old cache is never read as the new shape. */
const CACHE_VERSION = 1;

/**
 * Parsed rules from an earlier run, keyed by a hash of each file's path and text: YAML parsing of the whole
 * SigmaHQ set costs ~2 s and JSON ~50 ms. A changed file simply misses; a damaged cache is ignored and rewritten.
 */
async function readCache(file: string): Promise<Map<string, Parsed>> {
  try {
    const o = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown; entries?: Record<string, Parsed> };
    if (o.version !== CACHE_VERSION || !o.entries || typeof o.entries !== 'object') return new Map();
    return new Map(Object.entries(o.entries));
  } catch {
    return new Map();
  }
}

async function writeCache(file: string, entries: Map<string, Parsed>): Promise<void> {
  try {
    await mkdir(join(file, '..'), { recursive: true });
    // hunt workers of one process may write at once: the temporary name is theirs alone
    const tmp = `${file}.${process.pid}.${threadId}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: CACHE_VERSION, entries: Object.fromEntries(entries) }));
    await rename(tmp, file);
  } catch {
    // a cache we cannot write only costs time next run
  }
}

export type LoadOptions = {
  /** A directory for the parsed-rule cache; without it every rule is parsed from YAML. */
  readonly cacheDir?: string;
};

/** Loads and parses every rule under the given paths. Unusable documents are issues, never silently lost. */
export async function loadRules(paths: readonly string[], opts: LoadOptions = {}): Promise<LoadedRules> {
  const documents: SigmaDocument[] = [];
  const issues: RuleIssue[] = [];
  let files = 0;
  const cacheFile = opts.cacheDir
    ? join(opts.cacheDir, `rules-${createHash('sha256').update(paths.join('\0')).digest('hex').slice(0, 16)}.json`)
    : undefined;
  const cache = cacheFile ? await readCache(cacheFile) : new Map<string, Parsed>();
  const used = new Map<string, Parsed>();
  let misses = 0;
  for (const p of paths) {
    const texts = await readRuleTexts(p);
    if (texts.length === 0 && paths.length === 1)
      throw new HuntError('RULES_NOT_FOUND', `no .yml rule files under ${p}`);
    for (const t of texts) {
      files++;
      const key = cacheFile ? createHash('sha1').update(t.path).update('\0').update(t.text).digest('base64') : '';
      let parsed = cacheFile ? cache.get(key) : undefined;
      if (!parsed) {
        parsed = parseSigmaText(t.text, t.path);
        misses++;
      }
      if (cacheFile) used.set(key, parsed);
      documents.push(...parsed.documents);
      issues.push(...parsed.issues);
    }
  }
  if (cacheFile && (misses > 0 || used.size !== cache.size)) await writeCache(cacheFile, used);
  return { documents, issues, files };
}

/** Short display path of a rule relative to the working directory. */
export function displayPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}
