// The sysctl engine: kernel parameters as set at boot by systemd-sysctl and by procps `sysctl --system`
// (load.ts says which files each reads, effective.ts which line wins). A check passes only when BOTH readers
// end up with a compliant value: they disagree when a file sorting after 99-sysctl.conf overrides
// etc/sysctl.conf, or when etc/sysctl.conf is not linked into sysctl.d — a disagreement is a failure.
//
// A fix is the smallest edit that makes both readers compliant, tried in this order and kept only when
// re-evaluating the edited texts passes:
//   1. replace the value on the line each failing reader takes it from, when that line is under etc/ — one
//      changed line, formatting kept but for blanks after the value (a line in run/ is gone at reboot, one in
//      usr/lib is the package's and is overwritten by the next upgrade: those are overridden instead); lines
//      under etc/ that a later line overrides but that carry a failing value are corrected too (deadLines);
//   2. otherwise add `key = value` to etc/sysctl.d/60-mamori-hardening.conf (created, or appended to), the
//      local-administrator range sysctl.d(5) recommends — it works only when no later file sets the key,
//      which the re-evaluation checks;
//   3. otherwise insert into etc/sysctl.conf after the commented-out example of the key if there is one
//      (the SSG way), else at its end: read last by procps and, through 99-sysctl.conf, late by systemd.
// Editing an existing line beats adding one; adding a line to an existing file beats creating a file.
import { applyEdits, splitLines } from '../edit.ts';
import type { CheckResult, CheckSpec, ConfigRoot, FileEdit, HardenEngine, LineEdit } from '../types.ts';
import { effectiveProcps, effectiveSystemd, lastSetter, type Effective, type Placed } from './effective.ts';
import { dottedKey, isGlob, keyPath } from './key.ts';
import {
  buildTree,
  READERS,
  readingOrder,
  readSysctlRaw,
  SYSCTL_CONF,
  withTexts,
  type Reader,
  type SysctlTree,
} from './load.ts';
import { describeExpectation } from '../expect.ts';
import { satisfies } from './values.ts';

export const SYSCTL_ENGINE_ID = 'sysctl';
export const HARDENING_DROP_IN_NAME = '60-mamori-hardening.conf';
export const HARDENING_DROP_IN = `etc/sysctl.d/${HARDENING_DROP_IN_NAME}`;

export { buildTree, readSysctlRaw } from './load.ts';
export type { Reader, SysctlTree } from './load.ts';
export type { Effective } from './effective.ts';

/** The value one reader applies for a key (path or dotted form). */
export function effectiveFor(tree: SysctlTree, reader: Reader, key: string): Effective {
  const files = readingOrder(tree, reader);
  return reader === 'systemd-sysctl' ? effectiveSystemd(files, keyPath(key)) : effectiveProcps(files, keyPath(key));
}

export const sysctlEngine: HardenEngine = {
  id: SYSCTL_ENGINE_ID,
  async applies(root: ConfigRoot): Promise<boolean> {
    const raw = await readSysctlRaw(root);
    return [...raw.texts.values()].some((t) => t !== undefined) || [...raw.listings.values()].some((l) => l.length);
  },
  async assess(root: ConfigRoot, checks: readonly CheckSpec[]): Promise<CheckResult[]> {
    const tree = buildTree(await readSysctlRaw(root));
    return checks.map((c) => assessSysctlCheck(tree, c));
  },
};

type View = { readonly reader: Reader; readonly eff: Effective; readonly ok: boolean };

const valueOf = (e: Effective): string | undefined => (e.state === 'set' ? e.value : undefined);
const at = (e: Placed): string => `${e.file}:${e.line}`;

function describeEffective(e: Effective): string {
  switch (e.state) {
    case 'set':
      return e.via === 'glob' ? `${e.value} (glob ${dottedKey(e.entry.key)})` : e.value;
    case 'excluded':
      return `(not set: excluded by -${e.entry.keyText} at ${at(e.entry)})`;
    case 'absent':
      return '(not set: the kernel default applies)';
  }
}

function sameEffect(a: Effective, b: Effective): boolean {
  if (a.state !== b.state) return false;
  if (a.state === 'absent' || b.state === 'absent') return true;
  return a.entry.file === b.entry.file && a.entry.line === b.entry.line && valueOf(a) === valueOf(b);
}

function phrase(key: string, v: View): string {
  const e = v.eff;
  const where = e.state === 'absent' ? '' : ` (${at(e.entry)})`;
  const what =
    e.state === 'set'
      ? `sets ${key} = ${e.value}${e.via === 'glob' ? ` through the glob ${dottedKey(e.entry.key)}` : ''}`
      : e.state === 'excluded'
        ? `leaves ${key} unset (excluded from globs)`
        : `does not set ${key} (the kernel default applies, which a file on disk does not guarantee)`;
  const junk =
    e.state === 'set' && /\s#|\s;/.test(e.value)
      ? '; sysctl has no trailing comments, the text after = is all value'
      : '';
  return `${v.reader} ${what}${where}${junk}`;
}

export function assessSysctlCheck(tree: SysctlTree, check: CheckSpec): CheckResult {
  const expected = describeExpectation(check.expect);
  const error = (message: string): CheckResult => ({ check, status: 'error', expected, message });
  if (check.engine !== SYSCTL_ENGINE_ID) return error(`check is for engine "${check.engine}", not sysctl`);
  const key = keyPath(check.key);
  if (key === '' || isGlob(key)) return error(`a sysctl check names one key, not a pattern: "${check.key}"`);
  if (!satisfies(check.expect, check.fix))
    return error(`baseline error: the fix value "${check.fix}" does not satisfy "${expected}"`);

  const views: View[] = READERS.map((reader) => {
    const eff = effectiveFor(tree, reader, key);
    return { reader, eff, ok: satisfies(check.expect, valueOf(eff)) };
  });
  const failing = views.filter((v) => !v.ok);
  const primary = failing[0] ?? views[0]!;
  const loc = primary.eff.state === 'absent' ? {} : { file: primary.eff.entry.file, line: primary.eff.entry.line };
  const agree = views.every((v) => sameEffect(v.eff, views[0]!.eff));
  const current = agree
    ? describeEffective(views[0]!.eff)
    : views.map((v) => `${describeEffective(v.eff)} [${v.reader}]`).join('; ');
  const name = dottedKey(key);
  if (failing.length === 0)
    return { check, status: 'pass', ...loc, current, expected, message: views.map((v) => phrase(name, v)).join('; ') };

  const message = `${failing.map((v) => phrase(name, v)).join('; ')}; expected ${expected}`;
  const plan = planFix(tree, check, key);
  return {
    check,
    status: 'fail',
    ...loc,
    current,
    expected,
    message,
    ...('edits' in plan ? { fix: plan.edits } : { unfixable: plan.unfixable }),
  };
}

type Plan = { readonly edits: FileEdit[] } | { readonly unfixable: string };

class EditSet {
  readonly #files = new Map<string, { create: boolean; edits: LineEdit[] }>();
  add(path: string, edit: LineEdit, create = false): void {
    const f = this.#files.get(path) ?? { create, edits: [] };
    if (edit.kind !== 'insert' && f.edits.some((e) => e.kind !== 'insert' && e.line === edit.line)) return;
    f.edits.push(edit);
    this.#files.set(path, f);
  }
  copy(): EditSet {
    const c = new EditSet();
    for (const [p, f] of this.#files) for (const e of f.edits) c.add(p, e, f.create);
    return c;
  }
  toFileEdits(): FileEdit[] {
    return [...this.#files].map(([path, f]) => ({ path, ...(f.create ? { create: true } : {}), edits: f.edits }));
  }
}

/** The line with the value replaced; blanks after the value go (both readers strip them; SSG's pattern does not). */
function replacement(e: Placed, fix: string): string {
  if (e.kind === 'exclude') return `${e.indent}${e.keyText} = ${fix}`;
  return (e.raw.slice(0, e.valueStart) + fix + e.raw.slice(e.valueEnd)).replace(/[ \t]+(\r?)$/, '$1');
}

/**
 * Lines under etc/ that set the key to a failing value although a later line wins: corrected with the fix, so the
 * files no longer say two things (the dead line becomes live when the later file goes, and a person or a tool
 * reading it is misled). Globs are left alone: their value reaches other keys too.
 */
function deadLines(tree: SysctlTree, check: CheckSpec, key: string): Placed[] {
  const files = [
    ...tree.dropIns.flatMap((d) => (d.file && d.aliasOf === undefined && d.path.startsWith('etc/') ? [d.file] : [])),
    ...(tree.sysctlConf ? [tree.sysctlConf] : []),
  ];
  return files.flatMap((f) =>
    f.entries
      .filter((e) => e.kind === 'assign' && !e.glob && e.key === key && !satisfies(check.expect, e.value))
      .map((e) => ({ ...e, file: f.path })),
  );
}

function planFix(tree: SysctlTree, check: CheckSpec, key: string): Plan {
  const line = `${check.key.trim()} = ${check.fix}`;
  const base = new EditSet();
  let needLine = false;
  const elsewhere: string[] = [];
  for (const reader of READERS) {
    if (satisfies(check.expect, valueOf(effectiveFor(tree, reader, key)))) continue;
    const target = lastSetter(readingOrder(tree, reader), key, reader === 'systemd-sysctl');
    if (target && target.file.startsWith('etc/'))
      base.add(target.file, { kind: 'replace', line: target.line, text: replacement(target, check.fix) });
    else {
      needLine = true;
      if (target) elsewhere.push(at(target));
    }
  }
  for (const d of deadLines(tree, check, key))
    base.add(d.file, { kind: 'replace', line: d.line, text: replacement(d, check.fix) });
  const candidates: EditSet[] = [];
  if (!needLine) candidates.push(base);
  else {
    const dropIn = tree.dropIns.find((d) => d.name === HARDENING_DROP_IN_NAME);
    if (dropIn === undefined) {
      const c = base.copy();
      c.add(HARDENING_DROP_IN, { kind: 'insert', before: 1, lines: [line] }, true);
      candidates.push(c);
    } else if (dropIn.path === HARDENING_DROP_IN && dropIn.file && dropIn.aliasOf === undefined) {
      const c = base.copy();
      const n = splitLines(tree.raw.texts.get(HARDENING_DROP_IN) ?? '').length;
      c.add(HARDENING_DROP_IN, { kind: 'insert', before: n + 1, lines: [line] });
      candidates.push(c);
    }
    const conf = tree.raw.texts.get(SYSCTL_CONF);
    const c = base.copy();
    if (conf === undefined) c.add(SYSCTL_CONF, { kind: 'insert', before: 1, lines: [line] }, true);
    else c.add(SYSCTL_CONF, { kind: 'insert', before: afterCommentedExample(conf, key), lines: [line] });
    candidates.push(c);
  }
  for (const c of candidates) {
    const edits = c.toFileEdits();
    if (fixes(tree, check, key, edits)) return { edits };
  }
  const why = elsewhere.length ? ` (set in ${elsewhere.join(', ')}, outside etc/)` : '';
  return {
    unfixable: `no edit under etc/ makes both systemd-sysctl and sysctl --system apply ${check.fix}${why}: a later file overrides every place tried; review the sysctl.d files by hand`,
  };
}

/** The line before which to insert into sysctl.conf: after the last `#key = ...` example, else at the end. */
function afterCommentedExample(text: string, key: string): number {
  const lines = splitLines(text);
  let after = lines.length;
  lines.forEach((l, i) => {
    const m = /^\s*[#;]\s*([A-Za-z0-9_./-]+)\s*=/.exec(l);
    if (m && keyPath(m[1]!) === key) after = i + 1;
  });
  return after + 1;
}

/** Whether the edits, applied to the texts, make every reader compliant. */
function fixes(tree: SysctlTree, check: CheckSpec, key: string, edits: readonly FileEdit[]): boolean {
  const changed = new Map<string, string>();
  for (const fe of edits) changed.set(fe.path, applyEdits(tree.raw.texts.get(fe.path) ?? '', fe.edits));
  const after = withTexts(tree, changed);
  return READERS.every((r) => satisfies(check.expect, valueOf(effectiveFor(after, r, key))));
}
