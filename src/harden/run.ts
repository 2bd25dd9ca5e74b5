// Assessment and patch verification. Every failed check's fix is applied to a copy (an overlay of the root),
// the whole selection is re-assessed — the finding must be gone and no other check may newly fail — and the
// patched files are syntax-checked with the real tool when one is installed. Only then is the patch offered.
import { applyEdits, changedLines, unifiedTextDiff } from './edit.ts';
import { CachedDirectoryRoot, DirectoryRoot, OverlayRoot, RecordingRoot } from './root.ts';
import type { CheckResult, CheckSpec, ConfigRoot, FileEdit, HardenEngine } from './types.ts';

/** A syntax check of patched files by the service's own tool (`sshd -t -f`, `visudo -c -f`, `nginx -t`). */
export type SyntaxChecker = (
  engine: string,
  root: ConfigRoot,
  patched: ReadonlyMap<string, string>,
) => Promise<SyntaxVerdict | undefined>;
export type SyntaxVerdict = { readonly tool: string; readonly ok: boolean; readonly output: string };

export type Verification = {
  readonly ok: boolean;
  /** Why a patch is not offered (the re-assessment still fails, a new failure, the tool refused it). */
  readonly reasons: readonly string[];
  readonly syntax?: SyntaxVerdict;
};

export type AssessedCheck = {
  readonly result: CheckResult;
  /** For a failed check with a fix: the unified diff, offered only when verification passed. */
  readonly patch?: string;
  readonly changedLines?: number;
  readonly verification?: Verification;
};

export type HardenResult = {
  readonly checks: readonly AssessedCheck[];
  /** Every verified fix together, and whether that combination verifies too. */
  readonly combined: { readonly patch: string; readonly verification: Verification; readonly fixes: number };
};

/** The identity of one result: its check, and the instance when a check is judged per place. */
export function resultKey(r: CheckResult): string {
  return r.instance === undefined ? r.check.id : `${r.check.id}\u0000${r.instance}`;
}

const label = (r: CheckResult): string => (r.instance === undefined ? r.check.id : `${r.check.id} (${r.instance})`);

/** Runs every engine over its checks; checks whose engine is unknown or does not apply say so. */
export async function assess(
  root: ConfigRoot,
  checks: readonly CheckSpec[],
  engines: ReadonlyMap<string, HardenEngine>,
  opts: {
    /** Filled with what each engine read (its RecordingRoot), for `reassess`. */
    readonly record?: Map<string, RecordingRoot>;
    /** Only these engines are run; the others' checks are left out of the result. */
    readonly only?: ReadonlySet<string>;
  } = {},
): Promise<CheckResult[]> {
  const byEngine = new Map<string, CheckSpec[]>();
  for (const c of checks) byEngine.set(c.engine, [...(byEngine.get(c.engine) ?? []), c]);
  const out: CheckResult[] = [];
  for (const [id, list] of byEngine) {
    if (opts.only && !opts.only.has(id)) continue;
    const engine = engines.get(id);
    if (engine === undefined) {
      for (const check of list)
        out.push({ check, status: 'error', expected: '', message: `no engine "${id}" reads this check` });
      continue;
    }
    let seen = root;
    if (opts.record) {
      const r = new RecordingRoot(root);
      opts.record.set(id, r);
      seen = r;
    }
    if (!(await engine.applies(seen))) {
      for (const check of list)
        out.push({ check, status: 'not-applicable', expected: '', message: `nothing for ${id} in this root` });
      continue;
    }
    try {
      out.push(...(await engine.assess(seen, list)));
    } catch (err) {
      for (const check of list)
        out.push({ check, status: 'error', expected: '', message: `${id}: ${(err as Error).message}` });
    }
  }
  const order = new Map(checks.map((c, i) => [c.id, i]));
  // by check order; a check's instances keep the engine's order (a stable sort)
  return out.sort((a, b) => order.get(a.check.id)! - order.get(b.check.id)!);
}

/**
 * The assessment of `root` with `files` patched over it, re-running only the engines whose reads the patch
 * reaches (`deps`, recorded when `before` was assessed) and keeping `before`'s results for the rest. Without
 * `deps`, everything is re-assessed.
 */
async function reassess(
  root: ConfigRoot,
  checks: readonly CheckSpec[],
  engines: ReadonlyMap<string, HardenEngine>,
  files: ReadonlyMap<string, string>,
  before: ReadonlyMap<string, CheckResult>,
  deps: ReadonlyMap<string, RecordingRoot> | undefined,
): Promise<CheckResult[]> {
  const overlay = new OverlayRoot(root, files);
  if (deps === undefined) return assess(overlay, checks, engines);
  const touched = [...files.keys()];
  const all = new Set(checks.map((c) => c.engine));
  // an engine not recorded (none of its checks was assessed) is re-run: nothing is known of what it reads
  const only = new Set([...all].filter((id) => deps.get(id)?.reaches(touched) ?? true));
  const fresh = await assess(overlay, checks, engines, { only });
  const kept = [...before.values()].filter((r) => !only.has(r.check.engine));
  const order = new Map(checks.map((c, i) => [c.id, i]));
  return [...kept, ...fresh].sort((a, b) => order.get(a.check.id)! - order.get(b.check.id)!);
}

/** Edits named by the real file (symlinks resolved inside the root), so one file reached two ways is one file. */
async function canonicalEdits(root: ConfigRoot, edits: readonly FileEdit[]): Promise<FileEdit[]> {
  const out: FileEdit[] = [];
  for (const e of edits) {
    const real = e.create === true ? undefined : await root.canonical?.(e.path);
    out.push(real !== undefined && real !== e.path ? { ...e, path: real } : e);
  }
  return out;
}

/** The patched texts of the files a set of edits touches (edits of one file merged), or the conflict. */
async function patchedFiles(
  root: ConfigRoot,
  raw: readonly FileEdit[],
): Promise<{ files: Map<string, string>; originals: Map<string, string | undefined> } | { conflict: string }> {
  const edits = await canonicalEdits(root, raw);
  const merged = new Map<string, FileEdit>();
  for (const e of edits) {
    const m = merged.get(e.path);
    merged.set(
      e.path,
      m ? { ...m, create: m.create === true && e.create === true, edits: [...m.edits, ...e.edits] } : e,
    );
  }
  const files = new Map<string, string>();
  const originals = new Map<string, string | undefined>();
  for (const [path, e] of merged) {
    const original = await root.read(path);
    if (original === undefined && e.create !== true) return { conflict: `${path} does not exist` };
    if (original !== undefined && e.create === true) return { conflict: `${path} exists already` };
    try {
      files.set(path, applyEdits(original ?? '', e.edits));
    } catch (err) {
      return { conflict: `${path}: ${(err as Error).message}` };
    }
    originals.set(path, original);
  }
  return { files, originals };
}

/** Judges patched texts: the fixed results pass, none vanished, nothing newly fails, the real tool accepts them. */
async function judgePatched(
  root: ConfigRoot,
  checks: readonly CheckSpec[],
  engines: ReadonlyMap<string, HardenEngine>,
  before: ReadonlyMap<string, CheckResult>,
  fixing: ReadonlySet<string>,
  files: ReadonlyMap<string, string>,
  syntax: SyntaxChecker | undefined,
  deps?: ReadonlyMap<string, RecordingRoot>,
): Promise<Verification> {
  const after = await reassess(root, checks, engines, files, before, deps);
  const reasons: string[] = [];
  const seen = new Set<string>();
  for (const r of after) {
    const k = resultKey(r);
    seen.add(k);
    if (fixing.has(k) && r.status !== 'pass')
      reasons.push(`${label(r)} still ${r.status} after the patch: ${r.message}`);
    else if (before.get(k)?.status !== 'fail' && r.status === 'fail')
      reasons.push(`the patch makes ${label(r)} fail: ${r.message}`);
  }
  // a passing result that is gone after the patch (a server block lost, a container dropped) means the patch
  // broke something; a fixed one may go (an `ADD` made `COPY` is no longer an ADD to judge)
  for (const [k, r] of before)
    if (!seen.has(k) && r.status === 'pass' && !fixing.has(k))
      reasons.push(`${label(r)} is no longer judged after the patch`);
  let verdict: SyntaxVerdict | undefined;
  if (syntax) {
    const engineIds = new Set([...fixing].map((k) => before.get(k)?.check.engine).filter((e) => e !== undefined));
    for (const id of engineIds) {
      const v = await syntax(id, root, files);
      if (v === undefined) continue;
      verdict = v;
      if (!v.ok) reasons.push(`${v.tool} rejects the patched configuration: ${v.output.trim().split('\n')[0] ?? ''}`);
    }
  }
  return { ok: reasons.length === 0, reasons, ...(verdict ? { syntax: verdict } : {}) };
}

/** The unified diff of patched texts against the root's originals, file by file in path order. */
async function diffOf(root: ConfigRoot, files: ReadonlyMap<string, string>): Promise<string> {
  const out: string[] = [];
  for (const path of [...files.keys()].sort()) out.push(unifiedTextDiff(path, await root.read(path), files.get(path)!));
  return out.join('');
}

/** One fix on its own: patched, judged, rendered. */
async function verifyOne(
  root: ConfigRoot,
  checks: readonly CheckSpec[],
  engines: ReadonlyMap<string, HardenEngine>,
  before: ReadonlyMap<string, CheckResult>,
  result: CheckResult,
  syntax: SyntaxChecker | undefined,
  deps?: ReadonlyMap<string, RecordingRoot>,
): Promise<{ verification: Verification; patch: string; changed: number }> {
  const edits = await canonicalEdits(root, result.fix ?? []);
  const p = await patchedFiles(root, edits);
  if ('conflict' in p) return { verification: { ok: false, reasons: [p.conflict] }, patch: '', changed: 0 };
  const fixing = new Set([resultKey(result)]);
  const verification = await judgePatched(root, checks, engines, before, fixing, p.files, syntax, deps);
  const changed = edits.reduce((s, e) => s + changedLines(e), 0);
  return { verification, patch: await diffOf(root, p.files), changed };
}

/**
 * Several fixes together: applied one after another, each taken from a fresh assessment of the root as the
 * previous ones left it (two fixes that each add a `securityContext:` to one container would otherwise write it
 * twice), then the result judged as a whole. Returns the patched texts for --apply.
 */
export async function combine(
  root: ConfigRoot,
  checks: readonly CheckSpec[],
  engines: ReadonlyMap<string, HardenEngine>,
  keys: ReadonlySet<string>,
  opts: { readonly syntax?: SyntaxChecker; readonly before?: readonly CheckResult[] } = {},
): Promise<{ files: Map<string, string>; patch: string; verification: Verification; fixes: number }> {
  const before = new Map((opts.before ?? (await assess(root, checks, engines))).map((r) => [resultKey(r), r]));
  const files = new Map<string, string>();
  const todo = new Set(keys);
  const reasons: string[] = [];
  while (todo.size) {
    const now = await assess(new OverlayRoot(root, files), checks, engines);
    const next = now.find((r) => todo.has(resultKey(r)) && r.status === 'fail');
    if (next === undefined) break;
    todo.delete(resultKey(next));
    if (!next.fix?.length) {
      reasons.push(`${label(next)}: no fix once the other fixes are applied`);
      continue;
    }
    const overlay = new OverlayRoot(root, files);
    const p = await patchedFiles(overlay, await canonicalEdits(overlay, next.fix));
    if ('conflict' in p) {
      reasons.push(`${label(next)}: ${p.conflict}`);
      continue;
    }
    for (const [path, text] of p.files) files.set(path, text);
  }
  const judged = await judgePatched(root, checks, engines, before, keys, files, opts.syntax);
  const verification = { ...judged, ok: judged.ok && reasons.length === 0, reasons: [...reasons, ...judged.reasons] };
  return { files, patch: await diffOf(root, files), verification, fixes: keys.size };
}

/** Assesses the root and verifies a patch for every failed check that has a fix. */
export async function harden(
  root: ConfigRoot,
  checks: readonly CheckSpec[],
  engines: ReadonlyMap<string, HardenEngine>,
  opts: {
    readonly syntax?: SyntaxChecker;
    /** Re-assess every engine for every patch, not only those it can reach (for tests: same results, slower). */
    readonly fullReassess?: boolean;
  } = {},
): Promise<HardenResult> {
  // nothing writes to the root while it is assessed and verified: every file is read once
  if (root instanceof DirectoryRoot && !(root instanceof CachedDirectoryRoot)) root = new CachedDirectoryRoot(root.dir);
  // what each engine reads, so that each patch is re-assessed only by the engines it can reach
  const recorded = new Map<string, RecordingRoot>();
  const results = await assess(root, checks, engines, { record: recorded });
  const deps = opts.fullReassess ? undefined : recorded;
  const before = new Map(results.map((r) => [resultKey(r), r]));
  const assessed: AssessedCheck[] = [];
  const good = new Set<string>();
  for (const result of results) {
    if (result.status !== 'fail' || !result.fix?.length) {
      assessed.push({ result });
      continue;
    }
    const v = await verifyOne(root, checks, engines, before, result, opts.syntax, deps);
    if (v.verification.ok) good.add(resultKey(result));
    assessed.push({
      result,
      ...(v.verification.ok ? { patch: v.patch } : {}),
      changedLines: v.changed,
      verification: v.verification,
    });
  }
  const combined = good.size
    ? await combine(root, checks, engines, good, { ...(opts.syntax ? { syntax: opts.syntax } : {}), before: results })
    : { patch: '', verification: { ok: true, reasons: [] }, fixes: 0 };
  return {
    checks: assessed,
    combined: { patch: combined.patch, verification: combined.verification, fixes: combined.fixes },
  };
}
