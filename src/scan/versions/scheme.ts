/**
 * The contract every ecosystem's version order implements, and the small helpers they share.
 *
 * A scheme parses a version string once into an opaque value and then compares parsed values: scans compare
 * millions of pairs, so the string work happens once per distinct version, not once per comparison.
 *
 * Fail closed: `parse` returns `undefined` for anything that is not a version of the scheme (empty, over-long,
 * a character or shape the ecosystem's own tool rejects). The caller must treat that as "unknown", never as
 * "not affected".
 *
 * OSV orders a few more strings than that: ones the ecosystem's tool rejects (a PyPI legacy version such as
 * `2.0.0-final`, an apk string outside apk's grammar) but that OSV's ordering fixtures still place, by the
 * rules of osv-scalibr's `semantic` package. `parseLenient` accepts those too and `isLenient` flags them: their
 * place is OSV's convention, not the ecosystem's, so a matcher must not conclude "not affected" from a
 * comparison that involves one. Garbage (empty, whitespace, non-ASCII) stays unparsable either way.
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
 * - `parseLenient(v)`, where present, is `parse(v)` widened to the strings OSV also orders (see above); the
 *   values it adds are the ones `isLenient` flags.
 * - `compare(a, b)` is a total preorder on parsed values (versions the ecosystem considers equal, such as
 *   `1.0` and `1.0.0` in Maven, compare as 0) and is antisymmetric: `compare(a, b) === -compare(b, a)`.
 *   OSV's orders are not always transitive where lenient versions (or, in Maven, `.qualifier` against
 *   `-qualifier`) meet; antisymmetry always holds.
 * - Parsed values of one scheme must never be handed to another scheme's `compare`; the registry helpers in
 *   `versions/index.ts` keep the two together.
 */
export interface VersionScheme<Parsed = unknown> {
  readonly id: VersionSchemeId;
  /** What the scheme follows, for messages and docs (e.g. "PEP 440", "dpkg verrevcmp"). */
  readonly spec: string;
  parse(version: string): Parsed | undefined;
  compare(a: Parsed, b: Parsed): Ordering;
  /** Parses for OSV's order: `parse`, plus strings the tool rejects but OSV orders. Absent if there are none. */
  parseLenient?(version: string): Parsed | undefined;
  /** True for a value only `parseLenient` gives: a version the ecosystem's own tool rejects. */
  isLenient?(parsed: Parsed): boolean;
}

/** Parses a version for OSV's order (`parseLenient` where the scheme has one, else `parse`). */
export function parseForOsv<Parsed>(scheme: VersionScheme<Parsed>, version: string): Parsed | undefined {
  return scheme.parseLenient === undefined ? scheme.parse(version) : scheme.parseLenient(version);
}

/** Whether a parsed version is one only OSV orders, not the ecosystem's tool (`false` for `undefined`). */
export function isLenientVersion<Parsed>(scheme: VersionScheme<Parsed>, parsed: Parsed | undefined): boolean {
  return parsed !== undefined && scheme.isLenient !== undefined && scheme.isLenient(parsed);
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

/**
 * True for a string a lenient parser may still order: plausible (see above), printable ASCII only, and with at
 * least one letter or digit. Anything else (`---`, non-ASCII) is garbage and stays unparsable.
 */
export function isOrderableText(v: string): boolean {
  if (v.length === 0 || v.length > MAX_VERSION_LENGTH) return false;
  let alnum = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
    if (!alnum) alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  }
  return alnum;
}

/** Builds a scheme object with its parse/compare pair typed together. */
export function defineScheme<Parsed>(scheme: VersionScheme<Parsed>): VersionScheme<Parsed> {
  return Object.freeze(scheme);
}
