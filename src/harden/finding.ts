// The Finding of `mamori harden`: one per failed check. A core Finding of kind `misconfiguration` with, at the
// top level as the jsonl contract names them, the file and line, the current and expected values and
// the verified patch (absent when verification refused it: `verification.reasons` says why).
import type { Finding } from '../core/finding.ts';
import { findingId } from '../core/ids.ts';
import type { AssessedCheck } from './run.ts';

export type HardenFinding = Finding & {
  readonly kind: 'misconfiguration';
  /** The file the effective setting is in, relative to the root; absent when the built-in default applies. */
  readonly file?: string;
  readonly line?: number;
  /** The effective value as the service applies it (`(default) yes` when nothing sets it). */
  readonly current?: string;
  readonly expected: string;
  /** The verified unified diff (`patch -p1` from the root); absent when there is none or it failed verification. */
  readonly patch?: string;
  /** Lines the patch changes. */
  readonly changedLines?: number;
  readonly verification?: { readonly ok: boolean; readonly reasons: readonly string[]; readonly tool?: string };
  /** Why no fix is proposed, when the engine has none. */
  readonly unfixable?: string;
  /** The place a per-place check was judged at (a server block, a container). */
  readonly instance?: string;
};

export function hardenFinding(a: AssessedCheck, target: string, time: string): HardenFinding {
  const r = a.result;
  const c = r.check;
  const where = r.file ?? `(default: ${c.engine})`;
  return {
    id: findingId(['misconfiguration', target, c.id, r.instance, r.file, r.current]),
    kind: 'misconfiguration',
    severity: c.severity,
    title: c.title,
    rule: {
      id: c.id,
      title: c.title,
      level: c.severity,
      tags: [...c.profiles],
      refs: c.refs,
      ...(c.rationale !== undefined ? { description: c.rationale } : {}),
    },
    asset: { kind: 'file', name: r.file ?? target },
    time,
    evidence: [
      {
        source: { file: where, ...(r.line !== undefined ? { line: r.line } : {}) },
        time,
        data: { current: r.current ?? null, expected: r.expected, message: r.message },
      },
    ],
    details: { target, engine: c.engine, key: c.key, message: r.message },
    ...(r.file !== undefined ? { file: r.file } : {}),
    ...(r.line !== undefined ? { line: r.line } : {}),
    ...(r.current !== undefined ? { current: r.current } : {}),
    expected: r.expected,
    ...(a.patch !== undefined ? { patch: a.patch } : {}),
    ...(a.changedLines !== undefined ? { changedLines: a.changedLines } : {}),
    ...(a.verification
      ? {
          verification: {
            ok: a.verification.ok,
            reasons: a.verification.reasons,
            ...(a.verification.syntax ? { tool: a.verification.syntax.tool } : {}),
          },
        }
      : {}),
    ...(r.unfixable !== undefined ? { unfixable: r.unfixable } : {}),
    ...(r.instance !== undefined ? { instance: r.instance } : {}),
  };
}
