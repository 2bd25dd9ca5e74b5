// The Dockerfile engine: files named `Dockerfile`, `Containerfile`, `*.Dockerfile`, `Dockerfile.*` under the root
// (the bounded walk of ../kubernetes/walk.ts), judged per stage and for the final stage (what `docker build`
// produces without --target). parse.ts reads the file as BuildKit does, rules.ts says what each check sees.
//
// Instances: `stage 2 runtime (app/Dockerfile)` (the index counts from 1; the name when the stage has one);
// ADDs are judged one by one, `stage 1 build ADD src/ (app/Dockerfile)`, and global ARGs as `global ARGs (...)`.
// Lines are not part of an instance (a fix may move them); result.line has them.
//
// Fixes are offered only where the change is mechanical: `ADD` of local files → `COPY` (the keyword replaced in
// place), ` --no-install-recommends` after `apt-get install`, and `USER <uid>` inserted after the final stage's
// last build step (RUN, COPY, ADD, WORKDIR, USER) — verified against these checks only: the image must then work
// as that user, which only a build and a test run can tell; the message says so. Base image tags, HEALTHCHECK
// commands and secrets are the author's to choose: unfixable, with the reason.
import { applyEdits } from '../edit.ts';
import { findFiles } from '../kubernetes/walk.ts';
import type { CheckResult, CheckSpec, ConfigRoot, Expectation, HardenEngine, LineEdit } from '../types.ts';
import { parseDockerfile, positionOf, type Dockerfile, type Instruction, type Stage } from './parse.ts';
import {
  ADD_ONLY_FLAGS,
  adds,
  aptInstalls,
  declarations,
  effectiveUser,
  healthcheck,
  pinning,
  type Item,
  type Seen,
} from './rules.ts';
import { describeExpectation } from '../expect.ts';

export const DOCKERFILE_ENGINE_ID = 'dockerfile';
export { parseDockerfile } from './parse.ts';
export type { Dockerfile, Instruction, Stage } from './parse.ts';

/** `Dockerfile`, `Containerfile`, `Dockerfile.prod`, `api.Dockerfile` (any case of the base name). */
export const isDockerfileName = (name: string): boolean =>
  /^(?:docker|container)file(?:\.[\w.-]+)?$/i.test(name) || /\.(?:docker|container)file$/i.test(name);

/** The checks by key, and what each one is judged on. */
export const DOCKERFILE_KEYS = ['USER', 'HEALTHCHECK', 'FROM', 'ADD', 'secrets', 'apt-get-install'] as const;

export const dockerfileEngine: HardenEngine = {
  id: DOCKERFILE_ENGINE_ID,
  async applies(root: ConfigRoot): Promise<boolean> {
    return (await findFiles(root, isDockerfileName)).files.length > 0;
  },
  async assess(root: ConfigRoot, checks: readonly CheckSpec[]): Promise<CheckResult[]> {
    const { files } = await findFiles(root, isDockerfileName);
    const parsed: { path: string; text: string; df: Dockerfile }[] = [];
    for (const path of files) {
      const text = await root.read(path);
      if (text !== undefined) parsed.push({ path, text, df: parseDockerfile(text) });
    }
    return checks.flatMap((c) => parsed.flatMap((p) => assessDockerfile(p.path, p.text, p.df, c)));
  },
};

const stageLabel = (s: Stage, path: string, extra = ''): string =>
  `stage ${s.index + 1}${s.name ? ` ${s.name}` : ''}${extra} (${path})`;

/** Judges one check on a parsed Dockerfile: one result per place the check looks at. */
export function assessDockerfile(
  path: string,
  text: string,
  df: Dockerfile,
  check: CheckSpec,
  plan = true,
): CheckResult[] {
  const key = check.key;
  if (check.engine !== DOCKERFILE_ENGINE_ID || !(DOCKERFILE_KEYS as readonly string[]).includes(key))
    return [
      {
        check,
        status: 'error',
        expected: '',
        message: `"${key}" is not a Dockerfile check (${DOCKERFILE_KEYS.join(', ')})`,
      },
    ];
  const final = df.stages[df.stages.length - 1];
  if (!final)
    return [
      { check, instance: path, status: 'not-applicable', file: path, expected: '', message: `${path} has no FROM` },
    ];
  const ctx: Ctx = { path, text, df, check, plan, instance: '' };
  switch (key) {
    case 'USER':
      return [judgeScalar(ctx, final, stageLabel(final, path), effectiveUser(df, final))];
    case 'HEALTHCHECK':
      return [judgeScalar(ctx, final, stageLabel(final, path), healthcheck(df, final))];
    case 'FROM':
      return df.stages.map((s) => judgeScalar(ctx, s, stageLabel(s, path), pinning(df, s)));
    case 'ADD': {
      const out: CheckResult[] = [];
      for (const s of df.stages) {
        const seen = adds(s);
        const names = new Map<string, number>();
        for (const item of seen.type === 'list' ? seen.items : []) {
          const n = (names.get(item.detail ?? '') ?? 0) + 1;
          names.set(item.detail ?? '', n);
          const label = stageLabel(s, path, ` ADD ${item.detail ?? ''}${n > 1 ? ` #${n}` : ''}`);
          out.push(judgeList(ctx, s, label, [item]));
        }
      }
      return out;
    }
    case 'secrets': {
      const out: CheckResult[] = [];
      const g = declarations(df.globalArgs);
      if (g.type === 'list' && g.items.length) out.push(judgeList(ctx, undefined, `global ARGs (${path})`, g.items));
      for (const s of df.stages) {
        const d = declarations(s.instructions);
        out.push(judgeList(ctx, s, stageLabel(s, path), d.type === 'list' ? d.items : []));
      }
      return out;
    }
    default: {
      const out: CheckResult[] = [];
      for (const s of df.stages) {
        const a = aptInstalls(s);
        if (a.type === 'list' && a.items.length) out.push(judgeList(ctx, s, stageLabel(s, path), a.items));
      }
      return out;
    }
  }
}

type Ctx = {
  readonly path: string;
  readonly text: string;
  readonly df: Dockerfile;
  readonly check: CheckSpec;
  /** Whether to plan fixes (not when re-reading an edit). */
  readonly plan: boolean;
  /** The place being judged. */
  readonly instance: string;
};

/** Secret-looking names: every `_`-separated word of a pattern appears, in order and adjacent, in the name. */
function nameMatches(name: string, pattern: string): boolean {
  const words = name.toLowerCase().split(/[_-]/);
  const pat = pattern.toLowerCase().split(/[_-]/);
  for (let i = 0; i + pat.length <= words.length; i++) if (pat.every((p, j) => words[i + j] === p)) return true;
  return false;
}

function itemOk(key: string, e: Expectation, v: string): boolean {
  if ('excludes' in e) return !e.excludes.some((x) => (key === 'secrets' ? nameMatches(v, x) : v === x));
  if ('oneOf' in e) return e.oneOf.includes(v);
  if ('equals' in e) return v === e.equals;
  return true;
}

function describe(e: Expectation, key: string): string {
  if ('excludes' in e && key === 'secrets') return `no ENV/ARG named like ${e.excludes.join(', ')}`;
  return describeExpectation(e);
}

function judgeScalar(c: Ctx, s: Stage, instance: string, seen: Seen): CheckResult {
  const ctx = { ...c, instance };
  const { check, path } = ctx;
  const o = seen.type === 'scalar' ? seen : { type: 'scalar' as const };
  const e = check.expect;
  const expected = describe(e, check.key);
  const line = o.ins?.line ?? s.from.line;
  const current =
    o.value === undefined
      ? `(${o.note ?? 'not set'})`
      : o.note && check.key === 'FROM'
        ? `${o.value} (${o.note})`
        : o.value;
  const base = { check, instance, file: path, line, current, expected };
  // the base image of a stage built on another stage, or scratch, is not pulled: nothing to pin
  const notImage = check.key === 'FROM' && (o.value === 'stage' || o.value === 'scratch');
  const ok = notImage || (o.value !== undefined && ('present' in e ? true : itemOk(check.key, e, o.value)));
  const where = `${path}:${line}`;
  if (ok) return { ...base, status: 'pass', message: `${check.key} ${current} (${where})` };
  const message = `${check.key} is ${current}, expected ${expected} (${where})`;
  if (check.key !== 'USER')
    return { ...base, status: 'fail', message, unfixable: UNFIXABLE[check.key] ?? 'fix by hand' };
  if (!ctx.plan) return { ...base, status: 'fail', message };
  return { ...base, status: 'fail', message: `${message}${USER_NOTE}`, ...planUser(ctx, s, o.ins, o.value) };
}

const USER_NOTE =
  '; the image must then work as that user (files it writes owned by it, ports above 1023): build and test it';

const UNFIXABLE: Readonly<Record<string, string>> = {
  HEALTHCHECK: 'only the author knows what command says the service is healthy: add a HEALTHCHECK by hand',
  FROM: 'only the author knows which release to pin: pin a version tag (or a digest) by hand',
  secrets:
    'values in ENV/ARG stay in the image history: use a build secret (RUN --mount=type=secret) or a runtime secret',
};

function judgeList(c: Ctx, s: Stage | undefined, instance: string, items: readonly Item[]): CheckResult {
  const ctx = { ...c, instance };
  const { check, path } = ctx;
  const bad = items.filter((i) => !itemOk(check.key, check.expect, i.value));
  const line = (bad[0] ?? items[0])?.ins.line ?? s?.from.line ?? 1;
  const show = (i: Item) => (check.key === 'secrets' ? `${i.detail} ${i.value}` : `${i.value} (${i.detail})`);
  const current = items.length ? items.map(show).join('; ') : '(none)';
  const expected = describe(check.expect, check.key);
  const base = { check, instance, file: path, line, current, expected };
  if (!bad.length) return { ...base, status: 'pass', message: `${check.key}: ${current} (${path}:${line})` };
  const message = `${check.key}: ${bad.map(show).join('; ')}, expected ${expected} (${path}:${line})`;
  if (!ctx.plan) return { ...base, status: 'fail', message };
  return { ...base, status: 'fail', message, ...planList(ctx, bad) };
}

type Plan = { fix: [{ path: string; edits: LineEdit[] }] } | { unfixable: string };

function planList(ctx: Ctx, bad: readonly Item[]): Plan {
  const { check } = ctx;
  if (check.key === 'ADD') {
    const item = bad[0]!;
    if (item.value !== 'local')
      return {
        unfixable:
          'COPY cannot fetch a URL: download it in a RUN with a checksum check, or use ADD --checksum=sha256:...',
      };
    return planAddToCopy(ctx, item.ins);
  }
  if (check.key === 'apt-get-install') return planApt(ctx, bad);
  return { unfixable: UNFIXABLE[check.key] ?? 'fix by hand' };
}

function planAddToCopy(ctx: Ctx, ins: Instruction): Plan {
  if (ADD_ONLY_FLAGS.test(ins.args)) return { unfixable: 'the ADD uses a flag COPY does not have: edit it by hand' };
  const line = ins.pieces[0]!.line;
  const text = ctx.df.lines[line - 1]!;
  const m = /^(\s*)(add)\b/i.exec(text);
  if (!m) return { unfixable: 'the ADD keyword is not at the start of its line' };
  const copy = m[2] === m[2]!.toLowerCase() ? 'copy' : 'COPY';
  return checked(ctx, [{ kind: 'replace', line, text: `${m[1]}${copy}${text.slice(m[0].length)}` }]);
}

function planApt(ctx: Ctx, bad: readonly Item[]): Plan {
  // columns to insert at, per physical line (several installs may share one)
  const at = new Map<number, number[]>();
  for (const item of bad) {
    const ins = item.ins;
    const joined = ins.pieces.map((p) => p.text).join('');
    const segStart = joined.indexOf(item.detail ?? '', ins.argsAt);
    const m = /\bapt-get\b[\s\S]*?\binstall\b/.exec(joined.slice(segStart));
    if (segStart < 0 || !m) return { unfixable: 'the apt-get install could not be located' };
    const end = segStart + m.index + m[0].length;
    const pos = positionOf(ins, end - 1);
    at.set(pos.line, [...(at.get(pos.line) ?? []), pos.col + 1]);
  }
  const edits: LineEdit[] = [];
  for (const [line, cols] of at) {
    let text = ctx.df.lines[line - 1]!;
    for (const c of [...new Set(cols)].sort((a, b) => b - a))
      text = `${text.slice(0, c)} --no-install-recommends${text.slice(c)}`;
    edits.push({ kind: 'replace', line, text });
  }
  return checked(ctx, edits);
}

/** After the final stage's last build step, or after its FROM. */
function planUser(ctx: Ctx, s: Stage, ins: Instruction | undefined, value: string | undefined): Plan {
  const { check } = ctx;
  if (ins && value === undefined) return { unfixable: 'USER names a build variable with no value: set it by hand' };
  if (!itemOk('USER', check.expect, check.fix) || /\s/.test(check.fix) || check.fix === '')
    return { unfixable: `baseline error: the fix value "${check.fix}" is not a non-root user` };
  const steps = s.instructions.filter((i) => ['RUN', 'COPY', 'ADD', 'WORKDIR', 'USER'].includes(i.keyword));
  const after = steps[steps.length - 1] ?? s.from;
  const kw = s.from.written === s.from.written.toLowerCase() ? 'user' : 'USER';
  return checked(ctx, [{ kind: 'insert', before: after.endLine + 1, lines: [`${kw} ${check.fix}`] }]);
}

/** Keeps an edit only when re-reading the edited file passes (or no longer has) the place, with no new failure. */
function checked(ctx: Ctx, edits: LineEdit[]): Plan {
  const after = applyEdits(ctx.text, edits);
  const df = parseDockerfile(after);
  if (df.stages.length !== ctx.df.stages.length) return { unfixable: 'the edit would change the stages of the file' };
  const failing = (text: string, d: Dockerfile) =>
    new Set(
      assessDockerfile(ctx.path, text, d, ctx.check, false)
        .filter((r) => r.status === 'fail')
        .map((r) => r.instance),
    );
  const before = failing(ctx.text, ctx.df);
  const still = failing(after, df);
  if (still.has(ctx.instance)) return { unfixable: `the edit did not make ${ctx.check.key} pass: fix it by hand` };
  if ([...still].some((i) => !before.has(i))) return { unfixable: 'the edit would make another place fail' };
  return { fix: [{ path: ctx.path, edits }] };
}
