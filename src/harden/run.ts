// Assessment and patch verification. Every failed check's fix is applied to a copy (an overlay of the root),
// the whole selection is re-assessed — the finding must be gone and no other check may newly fail — and the
// patched files are syntax-checked with the real tool when one is installed. Only then is the patch offered.
import { applyEdits, changedLines, unifiedDiff } from './edit.ts';
import { OverlayRoot } from './root.ts';
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
): Promise<CheckResult[]> {
  const byEngine = new Map<string, CheckSpec[]>();
  for (const c of checks) byEngine.set(c.engine, [...(byEngine.get(c.engine) ?? []), c]);
  const out: CheckResult[] = [];
  for (const [id, list] of byEngine) {
    const engine = engines.get(id);
    if (engine === undefined) {
      for (const check of list)
        out.push({ check, status: 'error', expected: '', message: `no engine "${id}" reads this check` });
      continue;
    }
    if (!(await engine.applies(root))) {
      for (const check of list)
        out.push({ check, status: 'not-applicable', expected: '', message: `nothing for ${id} in this root` });
      continue;
    }
    try {
      out.push(...(await engine.assess(root, list)));
    } catch (err) {
      for (const check of list)
        out.push({ check, status: 'error', expected: '', message: `${id}: ${(err as Error).message}` });
    }
  }
  const order = new Map(checks.map((c, i) => [c.id, i]));
  // by check order; a check's instances keep the engine's order (a stable sort)
  return out.sort((a, b) => order.get(a.check.id)! - order.get(b.check.id)!);
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

async function verify(
  root: ConfigRoot,
  checks: readonly CheckSpec[],
  engines: ReadonlyMap<string, HardenEngine>,
  failing: ReadonlySet<string>,
  fixing: ReadonlySet<string>,
  edits: readonly FileEdit[],
  syntax: SyntaxChecker | undefined,
): Promise<{ verification: Verification; patch: string; changed: number }> {
  const p = await patchedFiles(root, edits);
  if ('conflict' in p) return { verification: { ok: false, reasons: [p.conflict] }, patch: '', changed: 0 };
  const after = await assess(new OverlayRoot(root, p.files), checks, engines);
  const reasons: string[] = [];
  for (const r of after) {
    const k = resultKey(r);
    if (fixing.has(k) && r.status !== 'pass')
      reasons.push(`${label(r)} still ${r.status} after the patch: ${r.message}`);
    else if (!failing.has(k) && r.status === 'fail') reasons.push(`the patch makes ${label(r)} fail: ${r.message}`);
  }
  let verdict: SyntaxVerdict | undefined;
  if (syntax) {
    const engineIds = new Set(after.filter((r) => fixing.has(resultKey(r))).map((r) => r.check.engine));
    for (const id of engineIds) {
      const v = await syntax(id, root, p.files);
      if (v === undefined) continue;
      verdict = v;
      if (!v.ok) reasons.push(`${v.tool} rejects the patched configuration: ${v.output.trim().split('\n')[0] ?? ''}`);
    }
  }
  const merged = new Map<string, FileEdit>();
  for (const e of await canonicalEdits(root, edits)) {
    const m = merged.get(e.path);
    merged.set(e.path, m ? { ...m, edits: [...m.edits, ...e.edits] } : e);
  }
  const patch = [...merged.values()].map((e) => unifiedDiff(e, p.originals.get(e.path))).join('');
  const changed = [...merged.values()].reduce((s, e) => s + changedLines(e), 0);
  return {
    verification: { ok: reasons.length === 0, reasons, ...(verdict ? { syntax: verdict } : {}) },
    patch,
    changed,
  };
}

/** Assesses the root and verifies a patch for every failed check that has a fix. */
export async function harden(
  root: ConfigRoot,
  checks: readonly CheckSpec[],
  engines: ReadonlyMap<string, HardenEngine>,
  opts: { readonly syntax?: SyntaxChecker } = {},
): Promise<HardenResult> {
  const results = await assess(root, checks, engines);
  const failing = new Set(results.filter((r) => r.status === 'fail').map(resultKey));
  const assessed: AssessedCheck[] = [];
  const good: CheckResult[] = [];
  for (const result of results) {
    if (result.status !== 'fail' || !result.fix?.length) {
      assessed.push({ result });
      continue;
    }
    const v = await verify(root, checks, engines, failing, new Set([resultKey(result)]), result.fix, opts.syntax);
    if (v.verification.ok) good.push(result);
    assessed.push({
      result,
      ...(v.verification.ok ? { patch: v.patch } : {}),
      changedLines: v.changed,
      verification: v.verification,
    });
  }
  const all = good.flatMap((r) => r.fix ?? []);
  const combined = good.length
    ? await verify(root, checks, engines, failing, new Set(good.map(resultKey)), all, opts.syntax)
    : { verification: { ok: true, reasons: [] }, patch: '', changed: 0 };
  return {
    checks: assessed,
    combined: { patch: combined.patch, verification: combined.verification, fixes: good.length },
  };
}
