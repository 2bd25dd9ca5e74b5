import {
  compareNum,
  compareNumLists,
  compareText,
  isPlausibleVersion,
  toNum,
  type Num,
  type Ordering,
} from './scheme.ts';

/**
 * SemVer 2.0.0 (https://semver.org) precedence, shared by the ecosystems whose OSV ranges are SemVer: npm,
 * crates.io, Go, Hex, SwiftURL, Bitnami; Pub adds an order on build metadata (see `comparePubBuild`).
 *
 * Accepted beyond the strict grammar, as osv.dev itself does when it indexes SEMVER ranges: a leading `v`
 * (Go module versions, some tags) and a missing minor or patch (`1`, `1.2`, read as `1.0.0`, `1.2.0`).
 * Lenient (`parseSemverLenient`, flagged by `isLenientSemver`): more than three numeric components
 * (`1.1.3.4.5`, which the OSV fixture `semver-versions.txt` orders). No SemVer tool accepts them; osv-scalibr
 * reads the extra numbers as a build string. We order them as numbers right after the patch (`1.1.3` <
 * `1.1.3.0` < `1.1.3.4` < `1.1.3.5` < `1.1.4`), which keeps `1.1.3.4` and `1.1.3.5` apart, where ignoring them
 * as build metadata would make them equal.
 * Refused: leading zeros in numeric parts, empty identifiers. Numbers have no size limit (strict SemVer has
 * none; `semver` on npm stops at 2^53).
 */
export type SemverParsed = {
  readonly major: Num;
  readonly minor: Num;
  readonly patch: Num;
  /** Numeric components after the patch; empty for SemVer proper, non-empty only for a lenient version. */
  readonly extra: readonly Num[];
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
/** SEMVER_RE with more numeric components after the patch (group 4), tried only when SEMVER_RE fails. */
const LENIENT_RE = new RegExp(
  `^v?(${NUM})\\.(${NUM})\\.(${NUM})((?:\\.(?:${NUM})){1,64})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);
const DIGITS_RE = /^[0-9]+$/;
const NONE: readonly (Num | string)[] = Object.freeze([]);
const NO_EXTRA: readonly Num[] = Object.freeze([]);

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
    extra: NO_EXTRA,
    pre: identifiers(m[4]),
    build: identifiers(m[5]),
  };
}

/** `parseSemver`, also accepting more than three numeric components, for OSV's order. */
export function parseSemverLenient(version: string): SemverParsed | undefined {
  const strict = parseSemver(version);
  if (strict !== undefined || !isPlausibleVersion(version)) return strict;
  const m = LENIENT_RE.exec(version);
  if (m === null) return undefined;
  return {
    major: toNum(m[1] as string),
    minor: toNum(m[2] as string),
    patch: toNum(m[3] as string),
    // the group starts with a dot: drop it before splitting
    extra: (m[4] as string).slice(1).split('.').map(toNum),
    pre: identifiers(m[5]),
    build: identifiers(m[6]),
  };
}

/** True for a version with more than three numeric components, which only OSV's order accepts. */
export function isLenientSemver(v: SemverParsed): boolean {
  return v.extra.length > 0;
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
  let c = compareNum(a.major, b.major) || compareNum(a.minor, b.minor) || compareNum(a.patch, b.patch);
  if (c !== 0) return c;
  if (a.extra !== b.extra) {
    c = compareNumLists(a.extra, b.extra);
    if (c !== 0) return c;
  }
  // a release ranks above its pre-releases
  if (a.pre.length === 0 || b.pre.length === 0) {
    return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
  }
  return compareIdentifiers(a.pre, b.pre);
}
