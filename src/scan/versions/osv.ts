import type { Ordering, VersionScheme } from './scheme.ts';

/**
 * OSV range semantics on top of a scheme's order (ossf.github.io/osv-schema/#affectedranges-field).
 *
 * `introduced: "0"` means "from the first version on": it is below every version, including versions the
 * scheme itself orders below `0` (`0~1` in Debian, `0.dev0` in PyPI, `0-alpha` in Maven). `limit: "*"`
 * is above every version. Every other event value is parsed with the scheme, and one that does not parse is
 * reported, so the matcher can say "unknown" rather than "not affected".
 */
export type OsvEventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

/** Below every version (`introduced: "0"`). */
export const BEFORE_ALL: unique symbol = Symbol('osv: before every version');
/** Above every version (`limit: "*"`). */
export const AFTER_ALL: unique symbol = Symbol('osv: after every version');

/** A range event's value, parsed once. */
export type OsvBound<Parsed> = Parsed | typeof BEFORE_ALL | typeof AFTER_ALL;

export type OsvEventParse<Parsed> =
  | { readonly ok: true; readonly bound: OsvBound<Parsed> }
  | { readonly ok: false; readonly reason: 'unparsable'; readonly kind: OsvEventKind; readonly value: string };

/** Parses one range event's value (`{"fixed": "1.2.3"}` gives kind `fixed`, value `1.2.3`). */
export function parseOsvEvent<Parsed>(
  scheme: VersionScheme<Parsed>,
  kind: OsvEventKind,
  value: string,
): OsvEventParse<Parsed> {
  if (kind === 'introduced' && value === '0') return { ok: true, bound: BEFORE_ALL };
  if (kind === 'limit' && value === '*') return { ok: true, bound: AFTER_ALL };
  const parsed = scheme.parse(value);
  return parsed === undefined ? { ok: false, reason: 'unparsable', kind, value } : { ok: true, bound: parsed };
}

/** Compares a parsed version, or a bound, with a bound: the sentinels sit outside the scheme's order. */
export function compareOsv<Parsed>(scheme: VersionScheme<Parsed>, a: OsvBound<Parsed>, b: OsvBound<Parsed>): Ordering {
  if (a === b && (a === BEFORE_ALL || a === AFTER_ALL)) return 0;
  if (a === BEFORE_ALL || b === AFTER_ALL) return -1;
  if (a === AFTER_ALL || b === BEFORE_ALL) return 1;
  return scheme.compare(a, b);
}
