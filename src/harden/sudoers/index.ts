// The sudoers engine (id `sudoers`). load.ts reads the tree sudo reads (includes expanded in place),
// parse.ts its entries. A check's key is a Defaults option name (`use_pty`, `logfile`), judged by the value
// sudo applies to every command: the LAST global `Defaults` setting of it wins (sudoers(5): later entries
// override earlier ones), a bare flag is `on`, `!flag` is `off` (for a string option: unset), `name=value` is
// the value; with no setting, sudo's compiled-in default (that of Debian 12's sudo 1.9.13: use_pty off).
// Scoped Defaults (`Defaults:alice`, `@host`, `>runas`, `!cmnd`) apply after the global ones to what they
// match: one that sets a failing value fails the check, named in the message, and is left to a human.
//
// The special key `nopasswd` means "every rule asks for a password": no user specification carries a
// `NOPASSWD:` tag and no Defaults turns `authenticate` off. It is never fixed automatically: removing a tag
// changes who can do what unattended (scripts, automation) and is a decision, not a patch.
//
// The fix edits the effective negation in place (`!use_pty` → `use_pty`, in whichever file holds it), or
// inserts one `Defaults\t<option>` line into etc/sudoers after its last global Defaults line (before the
// first include when there is none). The edit is kept only if re-reading the edited tree passes.
import { applyEdits, splitLines } from '../edit.ts';
import type { CheckResult, CheckSpec, ConfigRoot, Expectation, FileEdit, HardenEngine, LineEdit } from '../types.ts';
import { loadSudoers, SUDOERS, type Located, type SudoersTree } from './load.ts';
import { type DefaultsOption } from './parse.ts';
import { describeExpectation, withinBounds } from '../expect.ts';

export const SUDOERS_ENGINE_ID = 'sudoers';
export const NOPASSWD_KEY = 'nopasswd';

export { loadSudoers, SUDOERS, includeTarget, skippedInIncludedir } from './load.ts';
export type { Located, SudoersTree } from './load.ts';
export { logicalLines, parseSudoers } from './parse.ts';
export type { DefaultsOption, SudoersEntry } from './parse.ts';
export { visudoSyntaxCheck, visudoBinary } from './syntax.ts';

/** Flags, and sudo 1.9.13's default for them (sudo 1.9.14 turned use_pty on by default; Debian 12 has 1.9.13). */
const FLAG_DEFAULTS: Readonly<Record<string, 'on' | 'off'>> = {
  use_pty: 'off',
  requiretty: 'off',
  authenticate: 'on',
  noexec: 'off',
  env_reset: 'on',
  log_input: 'off',
  log_output: 'off',
  mail_badpass: 'off',
};

/** The value an option gives: `on`/`off` for flags, the value for the rest, undefined when unset. */
export function optionValue(o: DefaultsOption): string | undefined {
  if (o.value === undefined) return o.negated ? (o.name in FLAG_DEFAULTS ? 'off' : undefined) : 'on';
  return o.negated ? undefined : o.value;
}

export type Setting = { readonly file: string; readonly option: DefaultsOption; readonly scope: string };

/** Every Defaults setting of `name`, in the order sudo applies them; global ones first, as sudo does. */
export function settingsOf(tree: SudoersTree, name: string): { global: Setting[]; scoped: Setting[] } {
  const global: Setting[] = [];
  const scoped: Setting[] = [];
  for (const { file, entry } of tree.entries) {
    if (entry.kind !== 'defaults') continue;
    for (const option of entry.options)
      if (option.name === name) (entry.scope === '' ? global : scoped).push({ file, option, scope: entry.scope });
  }
  return { global, scoped };
}

/** The global value sudo applies for `name` and where it comes from (undefined setting: the default). */
export function effectiveDefault(
  tree: SudoersTree,
  name: string,
): { readonly value: string | undefined; readonly setting?: Setting } {
  const last = settingsOf(tree, name).global.at(-1);
  if (last) return { value: optionValue(last.option), setting: last };
  return { value: FLAG_DEFAULTS[name] };
}

function satisfies(e: Expectation, v: string | undefined): boolean {
  if ('present' in e) return v !== undefined && v !== 'off';
  if (v === undefined) return false;
  if ('equals' in e) return v === e.equals;
  if ('oneOf' in e) return e.oneOf.includes(v);
  if ('excludes' in e) return !e.excludes.some((x) => v.split(/[\s,]+/).includes(x));
  const n = Number(v);
  if (!/^-?\d+(\.\d+)?$/.test(v)) return false;
  return withinBounds(e, n);
}

const show = (v: string | undefined): string => v ?? '(unset)';
const at = (s: Setting): string => `${s.file}:${s.option.line}`;

/** How an option is written to give `value` (`use_pty`, `!use_pty`, `logfile="/var/log/sudo.log"`). */
export function optionText(name: string, value: string): string {
  if (value === 'on' && name in FLAG_DEFAULTS) return name;
  if (value === 'off' && name in FLAG_DEFAULTS) return `!${name}`;
  return `${name}="${value.replace(/(["\\])/g, '\\$1')}"`;
}

export const sudoersEngine: HardenEngine = {
  id: SUDOERS_ENGINE_ID,
  async applies(root: ConfigRoot): Promise<boolean> {
    return (await root.read(SUDOERS)) !== undefined;
  },
  async assess(root: ConfigRoot, checks: readonly CheckSpec[]): Promise<CheckResult[]> {
    const tree = await loadSudoers(root);
    const out: CheckResult[] = [];
    for (const check of checks) {
      if (tree === undefined)
        out.push({ check, status: 'not-applicable', expected: '', message: `${SUDOERS} does not exist` });
      else out.push(await assessSudoersCheck(root, tree, check));
    }
    return out;
  },
};

function nopasswdResult(tree: SudoersTree, check: CheckSpec): CheckResult {
  const expected = 'no NOPASSWD rule and authenticate not turned off';
  const places: { file: string; line: number; what: string }[] = [];
  for (const { file, entry } of tree.entries) {
    if (entry.kind === 'spec')
      for (const line of entry.nopasswd) places.push({ file, line, what: `NOPASSWD in "${entry.text}"` });
    if (entry.kind === 'defaults')
      for (const o of entry.options)
        if (o.name === 'authenticate' && optionValue(o) === 'off')
          places.push({ file, line: o.line, what: `Defaults${entry.scope} ${o.raw}` });
  }
  const { value, setting } = effectiveDefault(tree, 'authenticate');
  // a global `!authenticate` undone by a later global `authenticate` does not count
  const live = places.filter(
    (p) => !p.what.startsWith('Defaults ') || (value === 'off' && setting && at(setting) === `${p.file}:${p.line}`),
  );
  if (live.length === 0)
    return { check, status: 'pass', current: 'every rule asks for a password', expected, message: 'no NOPASSWD' };
  const first = live[0]!;
  return {
    check,
    status: 'fail',
    file: first.file,
    line: first.line,
    current: `${live.length} rule(s) without a password`,
    expected,
    message: live.map((p) => `${p.file}:${p.line}: ${p.what}`).join('; '),
    unfixable:
      'removing NOPASSWD (or !authenticate) changes what runs unattended (scripts, automation): a decision for a human, not an automatic patch',
  };
}

export async function assessSudoersCheck(root: ConfigRoot, tree: SudoersTree, check: CheckSpec): Promise<CheckResult> {
  const expected = describeExpectation(check.expect);
  const error = (message: string): CheckResult => ({ check, status: 'error', expected, message });
  if (check.engine !== SUDOERS_ENGINE_ID) return error(`check is for engine "${check.engine}", not sudoers`);
  if (check.key === NOPASSWD_KEY) return nopasswdResult(tree, check);
  if (!/^[a-z_][a-z0-9_]*$/.test(check.key)) return error(`"${check.key}" is not a sudoers Defaults option name`);
  if (!satisfies(check.expect, check.fix) || /[\n\r]/.test(check.fix))
    return error(`baseline error: the fix value "${check.fix}" does not satisfy "${expected}"`);

  const problems = tree.problems.length ? [`include problems: ${tree.problems.join('; ')}`] : [];
  const { value, setting } = effectiveDefault(tree, check.key);
  const where = setting ? { file: setting.file, line: setting.option.line } : {};
  const current = setting ? show(value) : `(default) ${show(value)}`;
  const source = setting ? `Defaults ${setting.option.raw} (${at(setting)})` : 'no global Defaults sets it';
  const badScoped = settingsOf(tree, check.key).scoped.filter((s) => !satisfies(check.expect, optionValue(s.option)));
  const scopedText = badScoped.map((s) => `Defaults${s.scope} ${s.option.raw} (${at(s)})`);
  const globalOk = satisfies(check.expect, value);
  if (globalOk && badScoped.length === 0)
    return { check, status: 'pass', ...where, current, expected, message: [`${source}`, ...problems].join('; ') };
  const message = [
    ...(globalOk ? [] : [`sudo applies ${check.key} ${current}: ${source}; expected ${expected}`]),
    ...(badScoped.length ? [`scoped Defaults override it for what they match: ${scopedText.join(', ')}`] : []),
    ...problems,
  ].join('; ');
  const base = { check, status: 'fail' as const, ...where, current, expected, message };
  if (badScoped.length)
    return {
      ...base,
      unfixable: `scoped Defaults (${scopedText.join(', ')}) were written for a reason: review them by hand`,
    };
  const plan = planFix(tree, check, setting);
  if ('unfixable' in plan) return { ...base, unfixable: plan.unfixable };
  // keep the edit only if the edited tree passes
  const patched = new Map<string, string>();
  for (const fe of plan.fix) patched.set(fe.path, applyEdits(tree.files.get(fe.path) ?? '', fe.edits));
  const over: ConfigRoot = { read: async (p) => patched.get(p) ?? root.read(p), list: (d) => root.list(d) };
  const after = await loadSudoers(over);
  if (!after || !satisfies(check.expect, effectiveDefault(after, check.key).value))
    return { ...base, unfixable: `editing ${plan.fix[0]!.path} did not make ${check.key} ${expected}` };
  return { ...base, fix: plan.fix };
}

function planFix(
  tree: SudoersTree,
  check: CheckSpec,
  setting: Setting | undefined,
): { fix: FileEdit[] } | { unfixable: string } {
  const text = optionText(check.key, check.fix);
  if (setting) {
    const lines = splitLines(tree.files.get(setting.file) ?? '');
    const old = lines[setting.option.line - 1] ?? '';
    const i = old.indexOf(setting.option.raw);
    if (i < 0) return { unfixable: `${at(setting)}: ${setting.option.raw} spans continued lines: edit it by hand` };
    const edit: LineEdit = {
      kind: 'replace',
      line: setting.option.line,
      text: old.slice(0, i) + text + old.slice(i + setting.option.raw.length),
    };
    return { fix: [{ path: setting.file, edits: [edit] }] };
  }
  const main = tree.entries.filter((e: Located) => e.file === SUDOERS);
  const lastDefaults = main.findLast((e) => e.entry.kind === 'defaults' && e.entry.scope === '');
  const firstInclude = main.find((e) => e.entry.kind === 'include');
  const count = splitLines(tree.files.get(SUDOERS) ?? '').length;
  const before =
    lastDefaults?.entry.kind === 'defaults'
      ? lastDefaults.entry.lastLine + 1
      : firstInclude
        ? firstInclude.entry.line
        : count + 1;
  return { fix: [{ path: SUDOERS, edits: [{ kind: 'insert', before, lines: [`Defaults\t${text}`] }] }] };
}
