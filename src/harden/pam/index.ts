// The PAM engine (id `pam`): password quality (pam_pwquality) and lockout (pam_faillock), judged by what the
// module on the stack really applies. A key is `<module>.<option>`: `pwquality.minlen`, `faillock.deny`.
//   - pam_pwquality (libpwquality 1.4.5, Debian 12): reads /etc/security/pwquality.conf.d/*.conf in ASCII
//     order FIRST, then /etc/security/pwquality.conf (pwquality.conf(5): later files override earlier ones, so
//     the main file wins), then its own arguments on the `password` line of /etc/pam.d/common-password, which
//     override the files. Defaults: minlen 8 (never below 6), d/u/l/ocredit 0, minclass 0, retry 1.
//   - pam_faillock (Linux-PAM 1.5.2): reads /etc/security/faillock.conf (or the file its `conf=` names), then
//     its arguments on each `auth ... pam_faillock.so` line of /etc/pam.d/common-auth; every such line is
//     judged (preauth and authfail both count failures). Defaults: deny 3, fail_interval 900, unlock_time 600;
//     unlock_time 0 (or `never`) means never unlocked: stricter than any number of seconds.
// A setting no module reads does not count: without the module on the stack the check fails, with an
// `unfixable` reason (adding a module to the PAM stack, pam-auth-update's job, is out of scope).
//
// The fix edits the line the failing value comes from, in place: the module argument (`minlen=8` →
// `minlen=14`) when an argument is what fails, else the last file line that sets it (prefix kept); with no
// line, `name = value` is inserted after the commented default (`# minlen = 8`) of the main file, or appended.
// When an argument overrides the file the message says so and the file is left alone. The edit is kept only
// if re-assessing the edited files passes.
import { applyEdits, splitLines } from '../edit.ts';
import type { CheckResult, CheckSpec, ConfigRoot, Expectation, FileEdit, HardenEngine, LineEdit } from '../types.ts';
import { commentedDefault, isModule, parseConf, parsePamFile, type PamLine } from './parse.ts';
import { describeExpectation, withinBounds } from '../expect.ts';

export const PAM_ENGINE_ID = 'pam';
export const COMMON_PASSWORD = 'etc/pam.d/common-password';
export const COMMON_AUTH = 'etc/pam.d/common-auth';
export const PWQUALITY_CONF = 'etc/security/pwquality.conf';
export const FAILLOCK_CONF = 'etc/security/faillock.conf';

export { commentedDefault, parseConf, parsePamFile } from './parse.ts';
export type { ConfSetting, PamArg, PamLine } from './parse.ts';

type ModuleSpec = {
  readonly module: string;
  readonly type: string;
  readonly stack: string;
  readonly conf: string;
  /** Drop-in directory read BEFORE the main file (pwquality). */
  readonly confDir?: string;
  readonly defaults: Readonly<Record<string, number>>;
};

const MODULES: Readonly<Record<string, ModuleSpec>> = {
  pwquality: {
    module: 'pam_pwquality.so',
    type: 'password',
    stack: COMMON_PASSWORD,
    conf: PWQUALITY_CONF,
    confDir: 'etc/security/pwquality.conf.d',
    // prettier-ignore
    defaults: { minlen: 8, dcredit: 0, ucredit: 0, lcredit: 0, ocredit: 0, minclass: 0, retry: 1, difok: 1,
      maxrepeat: 0, maxclassrepeat: 0, dictcheck: 1, maxsequence: 0 },
  },
  faillock: {
    module: 'pam_faillock.so',
    type: 'auth',
    stack: COMMON_AUTH,
    conf: FAILLOCK_CONF,
    defaults: { deny: 3, fail_interval: 900, unlock_time: 600, root_unlock_time: 600 },
  },
};

/** Where a value comes from. */
type Source =
  | { readonly kind: 'arg'; readonly file: string; readonly line: number; readonly text: string }
  | { readonly kind: 'file'; readonly file: string; readonly line: number; readonly prefix: string }
  | { readonly kind: 'default' };

type View = {
  readonly pam: PamLine;
  readonly raw: string | undefined;
  readonly num: number | undefined;
  readonly source: Source;
  /** A file setting the argument overrides. */
  readonly overridden?: { readonly file: string; readonly line: number; readonly value: string | undefined };
  readonly ok: boolean;
};

const NUMBER = /^[+-]?\d+$/;

/** The number a module applies for a value (unlock_time `never`/0: never unlocked, +Infinity). */
function numberOf(mod: string, option: string, raw: string): number | undefined {
  if (mod === 'faillock' && option.endsWith('unlock_time')) {
    if (raw === 'never') return Number.POSITIVE_INFINITY;
    if (NUMBER.test(raw)) return Number(raw) === 0 ? Number.POSITIVE_INFINITY : Number(raw);
    return undefined;
  }
  if (!NUMBER.test(raw)) return undefined;
  const n = Number(raw);
  return mod === 'pwquality' && option === 'minlen' ? Math.max(n, 6) : n;
}

function satisfies(e: Expectation, n: number | undefined, raw: string | undefined): boolean {
  if ('present' in e) return raw !== undefined;
  if (n === undefined) return false;
  if ('equals' in e) return String(n) === e.equals;
  if ('oneOf' in e) return e.oneOf.includes(String(n));
  if ('excludes' in e) return !e.excludes.includes(String(n));
  return withinBounds(e, n);
}

/** The file settings in the order the module reads them (root-relative file, parsed). */
async function confFiles(root: ConfigRoot, spec: ModuleSpec, confArg: string | undefined) {
  const files: { file: string; text: string }[] = [];
  if (spec.confDir && confArg === undefined)
    for (const n of await root.list(spec.confDir)) {
      if (!n.endsWith('.conf')) continue;
      const t = await root.read(`${spec.confDir}/${n}`);
      if (t !== undefined) files.push({ file: `${spec.confDir}/${n}`, text: t });
    }
  const main = confArg ?? spec.conf;
  const t = await root.read(main);
  if (t !== undefined) files.push({ file: main, text: t });
  return files;
}

async function views(root: ConfigRoot, mod: string, option: string, check: CheckSpec): Promise<View[] | string> {
  const spec = MODULES[mod]!;
  const stack = await root.read(spec.stack);
  if (stack === undefined) return `${spec.stack} does not exist`;
  const lines = parsePamFile(stack).filter((l) => l.type === spec.type && isModule(l, spec.module));
  const out: View[] = [];
  for (const pam of lines) {
    const conf = pam.args.findLast((a) => a.name === 'conf')?.value;
    const confPath = conf === undefined ? undefined : conf.replace(/^\/+/, '');
    let fileSet: (NonNullable<View['overridden']> & { prefix: string }) | undefined;
    for (const f of await confFiles(root, spec, confPath))
      for (const s of parseConf(f.text))
        if (s.name === option) fileSet = { file: f.file, line: s.line, value: s.value, prefix: s.prefix };
    const arg = pam.args.findLast((a) => a.name === option);
    let source: Source;
    let raw: string | undefined;
    if (arg) {
      source = { kind: 'arg', file: spec.stack, line: pam.line, text: arg.text };
      raw = arg.value ?? '';
    } else if (fileSet) {
      source = { kind: 'file', file: fileSet.file, line: fileSet.line, prefix: fileSet.prefix };
      raw = fileSet.value ?? '';
    } else {
      source = { kind: 'default' };
      const d = spec.defaults[option];
      raw = d === undefined ? undefined : String(d);
    }
    const num = raw === undefined ? undefined : numberOf(mod, option, raw);
    out.push({
      pam,
      raw,
      num,
      source,
      ...(arg && fileSet ? { overridden: { file: fileSet.file, line: fileSet.line, value: fileSet.value } } : {}),
      ok: satisfies(check.expect, num, raw),
    });
  }
  return out;
}

function phrase(mod: string, option: string, v: View): string {
  const value = v.raw === undefined ? '(not set)' : v.raw;
  const at = `${MODULES[mod]!.stack}:${v.pam.line}`;
  const from =
    v.source.kind === 'arg'
      ? `its argument ${v.source.text}`
      : v.source.kind === 'file'
        ? `${v.source.file}:${v.source.line}`
        : 'its built-in default';
  const note = v.overridden
    ? ` (overriding ${option} = ${v.overridden.value ?? ''} at ${v.overridden.file}:${v.overridden.line})`
    : '';
  return `pam_${mod} (${at}) applies ${option} ${value} from ${from}${note}`;
}

export const pamEngine: HardenEngine = {
  id: PAM_ENGINE_ID,
  async applies(root: ConfigRoot): Promise<boolean> {
    return (await root.read(COMMON_PASSWORD)) !== undefined || (await root.read(COMMON_AUTH)) !== undefined;
  },
  async assess(root: ConfigRoot, checks: readonly CheckSpec[]): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    for (const c of checks) out.push(await assessPamCheck(root, c));
    return out;
  },
};

export async function assessPamCheck(root: ConfigRoot, check: CheckSpec): Promise<CheckResult> {
  const expected = describeExpectation(check.expect);
  const error = (message: string): CheckResult => ({ check, status: 'error', expected, message });
  if (check.engine !== PAM_ENGINE_ID) return error(`check is for engine "${check.engine}", not pam`);
  const m = /^(pwquality|faillock)\.([a-z_]+)$/.exec(check.key);
  if (!m) return error(`"${check.key}" is not a pam key (pwquality.<option> or faillock.<option>)`);
  const [, mod, option] = m as unknown as [string, string, string];
  if (!satisfies(check.expect, numberOf(mod, option, check.fix), check.fix))
    return error(`baseline error: the fix value "${check.fix}" does not satisfy "${expected}"`);
  const spec = MODULES[mod]!;
  const vs = await views(root, mod, option, check);
  if (typeof vs === 'string') return { check, status: 'not-applicable', expected, message: vs };
  if (vs.length === 0) {
    const files = await confFiles(root, spec, undefined);
    const set = files.flatMap((f) =>
      parseConf(f.text)
        .filter((s) => s.name === option)
        .map(() => f.file),
    );
    return {
      check,
      status: 'fail',
      current: `(${spec.module} not in the stack)`,
      expected,
      message:
        `no ${spec.type} line of ${spec.stack} loads ${spec.module}: nothing applies ${option}` +
        (set.length ? ` (${[...new Set(set)].join(', ')} sets it, but no module reads it)` : ''),
      unfixable: `adding ${spec.module} to the PAM stack (install its package, pam-auth-update) is out of scope`,
    };
  }
  const failing = vs.filter((v) => !v.ok);
  const primary = failing[0] ?? vs[0]!;
  const loc = primary.source.kind === 'default' ? {} : { file: primary.source.file, line: primary.source.line };
  const current = `${primary.raw ?? '(not set)'}${primary.source.kind === 'default' ? ' (default)' : ''}`;
  if (failing.length === 0)
    return {
      check,
      status: 'pass',
      ...loc,
      current,
      expected,
      message: vs.map((v) => phrase(mod, option, v)).join('; '),
    };
  const message = [...failing.map((v) => phrase(mod, option, v)), `expected ${expected}`].join('; ');
  const base = { check, status: 'fail' as const, ...loc, current, expected, message };
  const plan = await planFix(root, spec, option, check.fix, failing);
  if ('unfixable' in plan) return { ...base, unfixable: plan.unfixable };
  const patched = new Map<string, string>();
  for (const fe of plan.fix) patched.set(fe.path, applyEdits((await root.read(fe.path)) ?? '', fe.edits));
  const over: ConfigRoot = { read: async (p) => patched.get(p) ?? root.read(p), list: (d) => root.list(d) };
  const after = await views(over, mod, option, check);
  if (typeof after === 'string' || after.some((v) => !v.ok))
    return { ...base, unfixable: `editing ${plan.fix.map((f) => f.path).join(', ')} did not satisfy ${expected}` };
  return { ...base, fix: plan.fix };
}

async function planFix(
  root: ConfigRoot,
  spec: ModuleSpec,
  option: string,
  fix: string,
  failing: readonly View[],
): Promise<{ fix: FileEdit[] } | { unfixable: string }> {
  const byFile = new Map<string, Map<number, LineEdit>>();
  const add = (path: string, e: LineEdit): void => {
    const m = byFile.get(path) ?? new Map<number, LineEdit>();
    m.set(e.kind === 'insert' ? -e.before : e.line, e);
    byFile.set(path, m);
  };
  let create: string | undefined;
  for (const v of failing) {
    const s = v.source;
    if (s.kind === 'arg') {
      const i = v.pam.raw.indexOf(s.text);
      if (i < 0) return { unfixable: `${s.file}:${s.line}: ${s.text} is on a continued line: edit it by hand` };
      const prev = byFile.get(s.file)?.get(s.line);
      const base = prev?.kind === 'replace' ? prev.text : v.pam.raw;
      const j = base.indexOf(s.text);
      add(s.file, {
        kind: 'replace',
        line: s.line,
        text: `${base.slice(0, j)}${option}=${fix}${base.slice(j + s.text.length)}`,
      });
    } else if (s.kind === 'file') {
      const lines = splitLines((await root.read(s.file)) ?? '');
      const old = lines[s.line - 1] ?? '';
      const sep = s.prefix.includes('=') ? '' : ' = ';
      const hash = old.indexOf('#', s.prefix.length);
      const tail = hash < 0 ? '' : ` ${old.slice(hash)}`;
      add(s.file, { kind: 'replace', line: s.line, text: `${s.prefix}${sep}${fix}${tail}` });
    } else {
      const confArg = v.pam.args.findLast((a) => a.name === 'conf')?.value?.replace(/^\/+/, '');
      const path = confArg ?? spec.conf;
      const text = await root.read(path);
      if (text === undefined) {
        create = path;
        add(path, { kind: 'insert', before: 1, lines: [`${option} = ${fix}`] });
        continue;
      }
      const after = commentedDefault(text, option);
      add(path, {
        kind: 'insert',
        before: after === undefined ? splitLines(text).length + 1 : after + 1,
        lines: [`${option} = ${fix}`],
      });
    }
  }
  const fixes: FileEdit[] = [...byFile].map(([path, m]) => ({
    path,
    ...(path === create ? { create: true } : {}),
    edits: [...m.values()],
  }));
  return { fix: fixes };
}
