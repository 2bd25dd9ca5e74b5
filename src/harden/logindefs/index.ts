// The login.defs engine. parse.ts has the readers (shadow-utils: last line wins, case-sensitive names;
// Linux-PAM: first line wins, any case), values.ts what each makes of a value. A check passes only when
// every consumer of the key applies a compliant value: shadow for all keys, and pam_umask for UMASK,
// pam_unix for ENCRYPT_METHOD — a duplicate `UMASK` line can give shadow one value and PAM another.
//
// The fix edits the line each failing consumer takes its value from, keeping its indentation, name and
// separator and dropping what followed the value (in login.defs a `# ...` after a value is part of the
// value); when a consumer finds no line, `KEY value` is inserted after the commented-out default
// (`#PASS_MAX_DAYS ...`) if the file has one, else appended. The edit is kept only if re-reading the edited
// text passes.
import { applyEdits, splitLines } from '../edit.ts';
import type { CheckResult, CheckSpec, ConfigRoot, FileEdit, HardenEngine, LineEdit } from '../types.ts';
import { pamDefs, shadowDefs, type Def } from './parse.ts';
import { applied, consumersOf, describeExpectation, satisfies, type Applied, type Consumer } from './values.ts';

export const LOGIN_DEFS_ENGINE_ID = 'login.defs';
export const LOGIN_DEFS = 'etc/login.defs';

export { pamDefs, shadowDefs } from './parse.ts';
export type { Def } from './parse.ts';

export const loginDefsEngine: HardenEngine = {
  id: LOGIN_DEFS_ENGINE_ID,
  async applies(root: ConfigRoot): Promise<boolean> {
    return (await root.read(LOGIN_DEFS)) !== undefined;
  },
  async assess(root: ConfigRoot, checks: readonly CheckSpec[]): Promise<CheckResult[]> {
    const text = await root.read(LOGIN_DEFS);
    return checks.map((c) =>
      text === undefined
        ? { check: c, status: 'not-applicable', expected: '', message: `${LOGIN_DEFS} does not exist` }
        : assessLoginDefsCheck(text, c),
    );
  },
};

/** The line a consumer takes a key from. */
export function effectiveDef(text: string, consumer: Consumer, key: string): Def | undefined {
  if (consumer === 'shadow') return shadowDefs(text).findLast((d) => d.key === key);
  const k = key.toLowerCase();
  return pamDefs(text).find((d) => d.key.toLowerCase() === k);
}

type View = { readonly consumer: Consumer; readonly def?: Def; readonly applied: Applied; readonly ok: boolean };

function views(text: string, check: CheckSpec): View[] {
  return consumersOf(check.key).map((consumer) => {
    const def = effectiveDef(text, consumer, check.key);
    const a = applied(consumer, check.key, def?.value);
    return { consumer, ...(def ? { def } : {}), applied: a, ok: satisfies(check.key, check.expect, a) };
  });
}

const LABEL: Readonly<Record<Consumer, string>> = {
  shadow: 'shadow-utils',
  pam_umask: 'pam_umask',
  pam_unix: 'pam_unix',
};

function describe(a: Applied): string {
  if (a.text === undefined) return `(${a.note ?? 'not set'})`;
  return a.note === undefined ? a.text : `${a.text} (${a.note})`;
}

function phrase(check: CheckSpec, v: View): string {
  const where = v.def ? ` (${LOGIN_DEFS}:${v.def.line})` : '';
  return `${LABEL[v.consumer]} applies ${check.key} ${describe(v.applied)}${where}`;
}

export function assessLoginDefsCheck(text: string, check: CheckSpec): CheckResult {
  const key = check.key;
  const expected = describeExpectation(key, check.expect);
  const error = (message: string): CheckResult => ({ check, status: 'error', expected, message });
  if (check.engine !== LOGIN_DEFS_ENGINE_ID) return error(`check is for engine "${check.engine}", not login.defs`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return error(`"${key}" is not a login.defs variable name`);
  if (!/^\S(?:.*\S)?$/.test(check.fix) || check.fix.includes('"') || check.fix.includes('#'))
    return error(`baseline error: the fix value "${check.fix}" cannot be written to login.defs as is`);
  for (const c of consumersOf(key))
    if (!satisfies(key, check.expect, applied(c, key, check.fix)))
      return error(`baseline error: the fix value "${check.fix}" does not satisfy "${expected}" for ${LABEL[c]}`);

  const vs = views(text, check);
  const failing = vs.filter((v) => !v.ok);
  const primary = failing[0] ?? vs[0]!;
  const loc = primary.def ? { file: LOGIN_DEFS, line: primary.def.line } : {};
  const agree = vs.every((v) => v.def?.line === vs[0]!.def?.line && v.applied.text === vs[0]!.applied.text);
  const current = agree
    ? describe(vs[0]!.applied)
    : vs.map((v) => `${describe(v.applied)} [${LABEL[v.consumer]}]`).join('; ');
  const notes = notesFor(text, key);
  if (failing.length === 0)
    return {
      check,
      status: 'pass',
      ...loc,
      current,
      expected,
      message: [...vs.map((v) => phrase(check, v)), ...notes].join('; '),
    };
  const message = [...failing.map((v) => phrase(check, v)), `expected ${expected}`, ...notes].join('; ');
  const plan = planFix(text, check, failing);
  return { check, status: 'fail', ...loc, current, expected, message, ...plan };
}

function notesFor(text: string, key: string): string[] {
  const notes: string[] = [];
  if (key.startsWith('PASS_')) notes.push('applies to accounts created from now on (existing ones: chage)');
  if (
    key === 'UMASK' &&
    applied('shadow', 'USERGROUPS_ENAB', effectiveDef(text, 'shadow', 'USERGROUPS_ENAB')?.value).text === 'yes'
  )
    notes.push('USERGROUPS_ENAB yes gives private-group users group bits equal to their owner bits');
  return notes;
}

function planFix(
  text: string,
  check: CheckSpec,
  failing: readonly View[],
): { fix: FileEdit[] } | { unfixable: string } {
  const edits = new Map<number, LineEdit>();
  let insert = false;
  for (const v of failing) {
    if (v.def?.tail)
      return {
        unfixable: `${check.key} on ${LOGIN_DEFS}:${v.def.line} sits past byte 1023 of an over-long line, where shadow reads it as a line of its own: fix that line by hand`,
      };
    if (v.def) {
      const sep = /[\s=]$/.test(v.def.prefix) ? '' : ' ';
      edits.set(v.def.line, { kind: 'replace', line: v.def.line, text: `${v.def.prefix}${sep}${check.fix}` });
    } else insert = true;
  }
  const list: LineEdit[] = [...edits.values()];
  if (insert) {
    const { before, sep } = insertionPoint(text, check.key);
    list.push({ kind: 'insert', before, lines: [`${check.key}${sep}${check.fix}`] });
  }
  const after = applyEdits(text, list);
  const still = views(after, check).filter((v) => !v.ok);
  if (still.length)
    return { unfixable: `editing ${LOGIN_DEFS} did not satisfy ${still.map((v) => LABEL[v.consumer]).join(', ')}` };
  return { fix: [{ path: LOGIN_DEFS, edits: list }] };
}

/**
 * After the commented-out default (`#KEY value`, and any run of them), with its separator; else the end. A bare
 * `#KEY` (Debian lists options PAM took over that way) is not a default.
 */
function insertionPoint(text: string, key: string): { before: number; sep: string } {
  const lines = splitLines(text);
  const re = new RegExp(`^#${key}([ \\t]+)\\S`);
  const first = lines.findIndex((l) => re.test(l));
  if (first < 0) return { before: lines.length + 1, sep: ' ' };
  let last = first;
  while (last + 1 < lines.length && re.test(lines[last + 1]!)) last++;
  return { before: last + 2, sep: re.exec(lines[first]!)?.[1] || ' ' };
}
