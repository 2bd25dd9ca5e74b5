import { compareNum, compareText, isPlausibleVersion, toNum, type Num, type Ordering } from './scheme.ts';

/**
 * SemVer 2.0.0 (https://semver.org) precedence, shared by the ecosystems whose OSV ranges are SemVer: npm,
 * crates.io, Go, Hex, SwiftURL, Bitnami; Pub adds an order on build metadata (see `comparePubBuild`).
 *
 * Accepted beyond the strict grammar, as osv.dev itself does when it indexes SEMVER ranges: a leading `v`
 * (Go module versions, some tags) and a missing minor or patch (`1`, `1.2`, read as `1.0.0`, `1.2.0`).
 * Refused: leading zeros in numeric parts, empty identifiers, and more than three numeric components
 * (`1.2.3.4` is not SemVer, and reading its tail as build metadata would make `1.2.3.4` equal `1.2.3.5`).
 * Numbers have no size limit (strict SemVer has none; `semver` on npm stops at 2^53).
 */
export type SemverParsed = {
  readonly major: Num;
  readonly minor: Num;
  readonly patch: Num;
  /** Pre-release identifiers: numbers for numeric ones, strings otherwise; empty for a release. */
  readonly pre: readonly (Num | string)[];
  /** Build identifiers, in the same form; ignored by SemVer precedence. */
  readonly build: readonly (Num | string)[];
};

const NUM = '0|[1-9][0-9]*';
const PRE_ID = `(?:${NUM}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const BUILD_ID = '[0-9A-Za-z-]+';
const SEMVER_RE = new RegExp(
  `^v?(${NUM})(?:\\.(${NUM}))?(?:\\.(${NUM}))?(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);
const DIGITS_RE = /^[0-9]+$/;
const NONE: readonly (Num | string)[] = Object.freeze([]);

function identifiers(text: string | undefined): readonly (Num | string)[] {
  if (text === undefined) return NONE;
  return text.split('.').map((id) => (DIGITS_RE.test(id) ? toNum(id) : id));
}

/** Parses a SemVer 2.0.0 version (see the type's notes for what is accepted); `undefined` if it is not one. */
export function parseSemver(version: string): SemverParsed | undefined {
  if (!isPlausibleVersion(version)) return undefined;
  const m = SEMVER_RE.exec(version);
  if (m === null) return undefined;
  return {
    major: toNum(m[1] as string),
    minor: m[2] === undefined ? 0 : toNum(m[2]),
    patch: m[3] === undefined ? 0 : toNum(m[3]),
    pre: identifiers(m[4]),
    build: identifiers(m[5]),
  };
}

/** Compares identifier lists as SemVer §11.4 does: numeric < alphanumeric, numbers by value, text by ASCII. */
export function compareIdentifiers(a: readonly (Num | string)[], b: readonly (Num | string)[]): Ordering {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as Num | string;
    const y = b[i] as Num | string;
    const xs = typeof x === 'string';
    const ys = typeof y === 'string';
    if (xs !== ys) return xs ? 1 : -1;
    const c = xs ? compareText(x, y as string) : compareNum(x, y as Num);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** SemVer 2.0.0 precedence: build metadata is ignored. */
export function compareSemver(a: SemverParsed, b: SemverParsed): Ordering {
  const c = compareNum(a.major, b.major) || compareNum(a.minor, b.minor) || compareNum(a.patch, b.patch);
  if (c !== 0) return c;
  // a release ranks above its pre-releases
  if (a.pre.length === 0 || b.pre.length === 0) {
    return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
  }
  return compareIdentifiers(a.pre, b.pre);
}
