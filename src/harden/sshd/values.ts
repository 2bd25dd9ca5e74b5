// Values as `sshd -T` prints them: flags and states lower-case, times in seconds, LogLevel and SyslogFacility
// upper-case, algorithm lists resolved against the compiled-in default. A value sshd would refuse gives an
// error text, never a guess.
import type { KeywordInfo } from './keywords.ts';

export type Normalised = { readonly value: string } | { readonly error: string };

const LOG_LEVELS: Readonly<Record<string, string>> = {
  QUIET: 'QUIET',
  FATAL: 'FATAL',
  ERROR: 'ERROR',
  INFO: 'INFO',
  VERBOSE: 'VERBOSE',
  // log_level_name() prints the first name of a level: DEBUG1 reads back as DEBUG
  DEBUG: 'DEBUG',
  DEBUG1: 'DEBUG',
  DEBUG2: 'DEBUG2',
  DEBUG3: 'DEBUG3',
};
const FACILITIES = new Set(['DAEMON', 'USER', 'AUTH', 'AUTHPRIV', ...[0, 1, 2, 3, 4, 5, 6, 7].map((n) => `LOCAL${n}`)]);
const TIME_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Normalises the arguments of one directive (`args` as parsed) for a known keyword. */
export function normalise(info: KeywordInfo | undefined, args: readonly string[]): Normalised {
  const first = args[0] ?? '';
  if (!info) return { value: args.join(' ') };
  switch (info.kind) {
    case 'flag': {
      const v = first.toLowerCase();
      return v === 'yes' || v === 'no' ? { value: v } : { error: `${info.name} must be yes or no, not "${first}"` };
    }
    case 'multistate': {
      const v = info.states?.[first.toLowerCase()];
      return v !== undefined ? { value: v } : { error: `${info.name} does not accept "${first}"` };
    }
    case 'int':
      return /^\d{1,9}$/.test(first) ? { value: String(Number(first)) } : { error: `${info.name} needs a number` };
    case 'time': {
      const s = parseTime(first);
      return s === undefined ? { error: `${info.name} needs a time ("90", "1m30s")` } : { value: String(s) };
    }
    case 'loglevel': {
      const v = LOG_LEVELS[first.toUpperCase()];
      return v ? { value: v } : { error: `unknown LogLevel "${first}"` };
    }
    case 'facility': {
      const v = first.toUpperCase();
      return FACILITIES.has(v) ? { value: v } : { error: `unknown SyslogFacility "${first}"` };
    }
    case 'maxstartups': {
      const m = /^(\d+)(?::(\d+):(\d+))?$/.exec(first);
      if (!m) return { error: 'MaxStartups needs start:rate:full or one number' };
      // one number sets start and full and keeps the default rate (servconf.c)
      return { value: m[2] === undefined ? `${m[1]}:30:${m[1]}` : `${m[1]}:${m[2]}:${m[3]}` };
    }
    case 'algos':
      return { value: resolveAlgorithms(first, info.default ?? '').join(',') };
    case 'text': {
      if (info.name === 'PermitUserEnvironment') {
        const v = first.toLowerCase();
        if (v === 'yes' || v === 'no') return { value: v };
      }
      return { value: args.join(' ') };
    }
  }
}

/** convtime(): digits with optional s/m/h/d/w units, summed (`1h30m` is 5400); undefined when malformed. */
export function parseTime(text: string): number | undefined {
  if (!/^(\d+[smhdwSMHDW]?)+$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, u] of text.matchAll(/(\d+)([a-zA-Z]?)/g)) {
    total += Number(n) * (u ? TIME_UNITS[u.toLowerCase()]! : 1);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * An algorithm list as sshd resolves it (kex_assemble_names): `+x` appends to the default, `-x` removes
 * (patterns with `*`/`?` allowed), `^x` puts x first; a plain list replaces the default. Duplicates are dropped.
 */
export function resolveAlgorithms(spec: string, defaults: string): string[] {
  const def = splitList(defaults);
  const op = spec[0];
  const items = splitList(op === '+' || op === '-' || op === '^' ? spec.slice(1) : spec);
  let list: string[];
  if (op === '+') list = [...def, ...items];
  else if (op === '^') list = [...items, ...def];
  else if (op === '-') list = def.filter((a) => !items.some((p) => matchPattern(p, a)));
  else list = items;
  return [...new Set(list)];
}

export function splitList(list: string): string[] {
  return list.split(',').filter((s) => s !== '');
}

/** match_pattern(): `*` and `?` wildcards, the whole name. */
export function matchPattern(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(name);
}
