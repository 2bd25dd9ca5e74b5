// What each Dockerfile check (CheckSpec `key`) observes: a scalar (the effective USER, HEALTHCHECK, the base image's
// pinning) or a list of items (ADD sources by kind, secret-looking ENV/ARG names, apt-get installs). Pure.
import type { Dockerfile, Instruction, Stage } from './parse.ts';
import { declaredNames, substitute } from './parse.ts';

export type Item = { readonly value: string; readonly ins: Instruction; readonly detail?: string };
export type Seen =
  | { readonly type: 'scalar'; readonly value?: string; readonly ins?: Instruction; readonly note?: string }
  | { readonly type: 'list'; readonly items: readonly Item[] };

/** The stage a stage builds on, when its FROM names an earlier stage of the file. */
export function parentStage(df: Dockerfile, s: Stage): Stage | undefined {
  const img = s.image.toLowerCase();
  return df.stages.slice(0, s.index).findLast((p) => p.name?.toLowerCase() === img);
}

/** The last `keyword` of a stage, else of the stage it builds on (instructions carry over to a child stage). */
function lastOf(df: Dockerfile, s: Stage, keyword: string): Instruction | undefined {
  for (let cur: Stage | undefined = s, depth = 0; cur && depth < 64; cur = parentStage(df, cur), depth++) {
    const hit = cur.instructions.findLast((i) => i.keyword === keyword);
    if (hit) return hit;
  }
  return undefined;
}

function vars(df: Dockerfile, s: Stage | undefined): Map<string, string> {
  const m = new Map<string, string>();
  const add = (ins: Instruction) => {
    for (const d of declaredNames(ins)) if (d.value !== undefined) m.set(d.name, d.value);
  };
  df.globalArgs.forEach(add);
  s?.instructions.filter((i) => i.keyword === 'ARG' || i.keyword === 'ENV').forEach(add);
  return m;
}

/** The final stage's user: its last USER (or its parent stage's), root when it is `root`/`0` before any `:`. */
export function effectiveUser(df: Dockerfile, s: Stage): Seen {
  const ins = lastOf(df, s, 'USER');
  if (!ins) return { type: 'scalar', note: "not set: the base image's user, root for most images" };
  const raw = ins.args.trim().split(/\s+/)[0] ?? '';
  const user = substitute(raw, vars(df, s));
  if (user === undefined) return { type: 'scalar', ins, note: `${raw} names a build variable with no value` };
  return { type: 'scalar', value: user.split(':')[0]!, ins };
}

export function healthcheck(df: Dockerfile, s: Stage): Seen {
  const ins = lastOf(df, s, 'HEALTHCHECK');
  if (!ins) return { type: 'scalar', note: 'no HEALTHCHECK; one from the base image is not seen' };
  if (/^NONE\b/i.test(ins.args.trim())) return { type: 'scalar', ins, note: 'HEALTHCHECK NONE disables it' };
  return { type: 'scalar', value: ins.args.trim(), ins };
}

/** How a stage's base image is pinned: digest, tagged, latest, untagged; `stage`/`scratch` when not an image. */
export function pinning(df: Dockerfile, s: Stage): Seen & { type: 'scalar' } {
  if (parentStage(df, s)) return { type: 'scalar', value: 'stage', ins: s.from, note: `builds on stage ${s.image}` };
  const ref = substitute(s.image, vars(df, undefined));
  if (ref === undefined)
    return { type: 'scalar', ins: s.from, note: `${s.image} names a build argument with no default` };
  if (ref.toLowerCase() === 'scratch') return { type: 'scalar', value: 'scratch', ins: s.from };
  if (ref.includes('@')) return { type: 'scalar', value: 'digest', ins: s.from, note: ref };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon <= slash) return { type: 'scalar', value: 'untagged', ins: s.from, note: `${ref} means ${ref}:latest` };
  const tag = ref.slice(colon + 1);
  return { type: 'scalar', value: tag === 'latest' ? 'latest' : 'tagged', ins: s.from, note: ref };
}

const ARCHIVE = /\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst)$/i;
const REMOTE = /^(?:https?:\/\/|git@|git:\/\/|ssh:\/\/)/i;
/** Flags only ADD knows: such an ADD cannot simply become COPY. */
export const ADD_ONLY_FLAGS = /(?:^|\s)--(?:checksum|keep-git-dir|unpack)\b/;

/** Splits ADD/COPY arguments into flags, sources and destination (JSON form too). */
export function addArgs(ins: Instruction): { flags: string[]; sources: string[]; dest?: string } {
  const a = ins.args.trim();
  const words = a.split(/\s+/).filter(Boolean);
  const flags = words.filter((w) => w.startsWith('--'));
  const rest = a.slice(flags.reduce((n, f) => a.indexOf(f, n) + f.length, 0)).trim();
  let list: string[];
  if (rest.startsWith('[')) {
    try {
      const j = JSON.parse(rest) as unknown;
      list = Array.isArray(j) ? j.map(String) : [];
    } catch {
      list = rest.split(/\s+/);
    }
  } else list = rest.split(/\s+/).filter(Boolean);
  if (ins.heredocs.length) list = [...ins.heredocs.map((h) => `<<${h}`), ...list.filter((w) => !w.startsWith('<<'))];
  return { flags, sources: list.slice(0, -1), ...(list.length ? { dest: list[list.length - 1]! } : {}) };
}

/** Each ADD of a stage: `local` (COPY does the same), `archive` (ADD unpacks it), `remote`, `remote-checksum`. */
export function adds(s: Stage): Seen {
  const items: Item[] = [];
  for (const ins of s.instructions.filter((i) => i.keyword === 'ADD')) {
    const { flags, sources } = addArgs(ins);
    const checksum = flags.some((f) => f.startsWith('--checksum'));
    const kind = sources.some((x) => REMOTE.test(x))
      ? checksum
        ? 'remote-checksum'
        : 'remote'
      : sources.some((x) => ARCHIVE.test(x))
        ? 'archive'
        : 'local';
    items.push({ value: kind, ins, detail: sources.join(' ') });
  }
  return { type: 'list', items };
}

/** ENV and ARG names of a stage (or of the global ARGs). */
export function declarations(list: readonly Instruction[]): Seen {
  const items: Item[] = [];
  for (const ins of list.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG'))
    for (const d of declaredNames(ins)) items.push({ value: d.name, ins, detail: ins.keyword });
  return { type: 'list', items };
}

/** Each `apt-get install` of a stage's RUNs: `no-recommends` when it passes --no-install-recommends (or the option). */
export function aptInstalls(s: Stage): Seen {
  const items: Item[] = [];
  for (const ins of s.instructions.filter((i) => i.keyword === 'RUN'))
    for (const seg of ins.args.split(/&&|\|\||;|\|/)) {
      if (!/\bapt-get\b/.test(seg) || !/\binstall\b/.test(seg.replace(/^[\s\S]*?\bapt-get\b/, ''))) continue;
      const ok = /--no-install-recommends\b|APT::Install-Recommends=(?:"?false"?|"?0"?)/i.test(seg);
      items.push({ value: ok ? 'no-recommends' : 'recommends', ins, detail: seg.trim() });
    }
  return { type: 'list', items };
}
