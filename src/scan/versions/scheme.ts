/**
 * The contract every ecosystem's version order implements, and the small helpers they share.
 *
 * A scheme parses a version string once into an opaque value and then compares parsed values: scans compare
 * millions of pairs, so the string work happens once per distinct version, not once per comparison.
 *
 * Fail closed: `parse` returns `undefined` for anything that is not a version of the scheme (empty, over-long,
 * a character or shape the ecosystem's own tool rejects). The caller must treat that as "unknown", never as
 * "not affected".
 */

/** The result of a comparison: a < b, a = b, a > b. */
export type Ordering = -1 | 0 | 1;

/** The folder names under `src/scan/ecosystems/` that hold a `version.ts`. */
export type VersionSchemeId =
  | 'alpine'
  | 'bitnami'
  | 'cargo'
  | 'cocoapods'
  | 'cran'
  | 'debian'
  | 'go'
  | 'hackage'
  | 'hex'
  | 'maven'
  | 'npm'
  | 'nuget'
  | 'packagist'
  | 'pub'
  | 'pypi'
  | 'rpm'
  | 'rubygems'
  | 'swift';

/**
 * One ecosystem's version order.
 *
 * - `parse(v)` is pure and total: it never throws, and returns `undefined` when `v` is not a valid version.
 * - `compare(a, b)` is a total preorder on parsed values (versions the ecosystem considers equal, such as
 *   `1.0` and `1.0.0` in Maven, compare as 0) and is antisymmetric: `compare(a, b) === -compare(b, a)`.
 * - Parsed values of one scheme must never be handed to another scheme's `compare`; the registry helpers in
 *   `versions/index.ts` keep the two together.
 */
export interface VersionScheme<Parsed = unknown> {
  readonly id: VersionSchemeId;
  /** What the scheme follows, for messages and docs (e.g. "PEP 440", "dpkg verrevcmp"). */
  readonly spec: string;
  parse(version: string): Parsed | undefined;
  compare(a: Parsed, b: Parsed): Ordering;
}

/**
 * Upper bound on a version string's length: versions come from lockfiles and feeds we do not control, so the
 * parsers (some of which build lists per character) must not be handed megabytes.
 */
export const MAX_VERSION_LENGTH = 512;

/** A non-negative integer component: a `number` while exact, a `bigint` beyond 2^53 (OSV has such versions). */
export type Num = number | bigint;

/** Converts a string of ASCII digits (leading zeros allowed) to a `Num` without losing precision. */
export function toNum(digits: string): Num {
  return digits.length <= 15 ? Number(digits) : BigInt(digits);
}

/** Compares two `Num`s; `<` and `>` compare a number with a bigint exactly. */
export function compareNum(a: Num, b: Num): Ordering {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two strings by UTF-16 code units (ASCII byte order for the ASCII strings versions are made of). */
export function compareText(a: string, b: string): Ordering {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares lists of numbers part by part; a list that is a prefix of another ranks below it. */
export function compareNumLists(a: readonly Num[], b: readonly Num[]): Ordering {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareNum(a[i] as Num, b[i] as Num);
    if (c !== 0) return c;
  }
  return compareNum(a.length, b.length);
}

/** True for a string the parsers may look at: non-empty, bounded, no whitespace or control characters. */
export function isPlausibleVersion(v: string): boolean {
  if (v.length === 0 || v.length > MAX_VERSION_LENGTH) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** Builds a scheme object with its parse/compare pair typed together. */
export function defineScheme<Parsed>(scheme: VersionScheme<Parsed>): VersionScheme<Parsed> {
  return Object.freeze(scheme);
}
