// The value a reader ends up writing for one key. Later assignments win; an explicit assignment beats every
// glob, whatever the order (sysctl.d(5): "Keys for which an explicit pattern exists will be excluded from any
// glob matching"). The readers differ in the corners, both modelled:
//   - systemd keeps one entry per key in an ordered map (a changed value moves it to the end, the same value
//     keeps its place), so a later `-key` exclusion REPLACES an earlier `key = value`: the key is not set;
//   - procps keeps every line in a list: `-key` only stops globs, explicit assignments are still written.
//     (procps-ng 4.0.0 added globs; exclusions came later — an older procps ignores `-key` lines and lets
//     the glob through. Modelling the exclusion errs towards "not set", i.e. towards a failure.)
import { globMatches } from './key.ts';
import type { SysctlEntry } from './parse.ts';
import type { SysctlFile } from './load.ts';

export type Placed = SysctlEntry & { readonly file: string };

export type Effective =
  | { readonly state: 'set'; readonly value: string; readonly entry: Placed; readonly via: 'explicit' | 'glob' }
  /** `-key` keeps globs off it and nothing assigns it. */
  | { readonly state: 'excluded'; readonly entry: Placed }
  | { readonly state: 'absent' };

function placed(files: readonly SysctlFile[]): Placed[] {
  return files.flatMap((f) => f.entries.map((e) => ({ ...e, file: f.path })));
}

export function effectiveSystemd(files: readonly SysctlFile[], key: string): Effective {
  const map = new Map<string, Placed>();
  let last: Placed | undefined;
  for (const e of placed(files)) {
    if (!e.glob && e.key === key) last = e;
    const old = map.get(e.key);
    if (old && old.value === e.value) continue;
    map.delete(e.key);
    map.set(e.key, e);
  }
  const own = map.get(key);
  if (own && last) {
    return own.value === undefined
      ? { state: 'excluded', entry: last }
      : { state: 'set', value: own.value, entry: last, via: 'explicit' };
  }
  let glob: Placed | undefined;
  for (const e of map.values()) if (e.glob && e.value !== undefined && globMatches(e.key, key)) glob = e;
  return glob ? { state: 'set', value: glob.value!, entry: glob, via: 'glob' } : { state: 'absent' };
}

export function effectiveProcps(files: readonly SysctlFile[], key: string): Effective {
  let assign: Placed | undefined;
  let exclude: Placed | undefined;
  let glob: Placed | undefined;
  for (const e of placed(files)) {
    if (e.glob) {
      if (e.kind === 'assign' && globMatches(e.key, key)) glob = e;
    } else if (e.key === key) {
      if (e.kind === 'assign') assign = e;
      else exclude = e;
    }
  }
  if (assign) return { state: 'set', value: assign.value!, entry: assign, via: 'explicit' };
  if (exclude) return { state: 'excluded', entry: exclude };
  return glob ? { state: 'set', value: glob.value!, entry: glob, via: 'glob' } : { state: 'absent' };
}

/** The line a fix should edit for this reader: the last non-glob line naming the key (systemd: exclusions too). */
export function lastSetter(files: readonly SysctlFile[], key: string, withExclusions: boolean): Placed | undefined {
  let last: Placed | undefined;
  for (const e of placed(files)) if (!e.glob && e.key === key && (withExclusions || e.kind === 'assign')) last = e;
  return last;
}
