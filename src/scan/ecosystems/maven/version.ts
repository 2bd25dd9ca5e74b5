import {
  compareNum,
  compareText,
  defineScheme,
  isPlausibleVersion,
  toNum,
  type Num,
  type Ordering,
} from '../../versions/scheme.ts';

/**
 * Maven, in the order OSV uses: the POM reference's "Version Order Specification"
 * (maven.apache.org/pom.html#version-order-specification) as osv.dev and osv-scalibr implement it. It gives the
 * same answers as Maven's `ComparableVersion` up to 3.8.6, with which OSV's fixtures were generated, on every
 * line of them; `ComparableVersion` from 3.8.7 on (MNG-7559) differs on some, listed with the reason in
 * `__fixtures__/osv-vs-comparable-version.txt`.
 *
 * - The version is lower-cased and split into tokens at `.`, at `-` and at every switch between digits and
 *   other characters; each token keeps the separator before it, and a switch counts as `-`. An empty token is
 *   `0`; numbers lose their leading zeros; `cr` is `rc`; `ga`, `final` and `release` are `""`; `a`, `b`, `m`
 *   straight before digits are `alpha`, `beta`, `milestone`.
 * - Trimming: from the end, "null" tokens (`0`, `""`) are dropped; at the first token that is not null, skip
 *   back to the token that opens its `-` group and go on dropping from the token before it. The first token
 *   always stays.
 * - Comparing: token by token, the shorter list padded with nulls that take the other side's separator (`.0`
 *   for `.`, but `.""` against `.sp`; `-""` for `-`). Same separator: numbers by value; a number above a
 *   qualifier unless it is a padded null, which then counts as the unknown qualifier `0`; qualifiers
 *   `alpha` < `beta` < `milestone` < `rc` < `snapshot` < `""` < `sp` < unknown ones, those by text.
 *   Different separators: `.qualifier` < `-qualifier` < `-number` < `.number`.
 *
 * Every non-empty string is a Maven version, so only empty, over-long or whitespace-bearing strings are
 * refused, and none is lenient.
 */
export type MavenToken = {
  readonly sep: Sep;
  /** The value of a number token, `undefined` for a qualifier. */
  readonly num: Num | undefined;
  /** A qualifier's sort key (see `qualifierKey`); `''` for a number. */
  readonly key: string;
  /** A padding null, made up during a comparison. */
  readonly pad: boolean;
};
export type MavenParsed = readonly MavenToken[];

/** The separator before a token: none (the first token), `.`, `-` (or a digit/letter switch). */
type Sep = 0 | 1 | 2;
const NONE: Sep = 0;
const DOT: Sep = 1;
const DASH: Sep = 2;

const QUALIFIERS: ReadonlyMap<string, number> = new Map(
  ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'].map((q, i) => [q, i]),
);
// a Map, not an object literal: the keys come from the version, and `constructor` must not find a prototype's
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['cr', 'rc'],
  ['ga', ''],
  ['final', ''],
  ['release', ''],
]);
const SHORT: ReadonlyMap<string, string> = new Map([
  ['a', 'alpha'],
  ['b', 'beta'],
  ['m', 'milestone'],
]);

/** Known qualifiers sort first, by rank (`\0` and a digit), then unknown ones by text (`\u0001` and the text). */
function qualifierKey(q: string): string {
  const rank = QUALIFIERS.get(q);
  return rank === undefined ? `\u0001${q}` : `\u0000${rank}`;
}
const EMPTY_KEY = qualifierKey('');
const SP_KEY = qualifierKey('sp');
/** How a padded `.0` sorts against a qualifier: as the unknown qualifier `0`. */
const PAD_ZERO_KEY = qualifierKey('0');

const PAD_DOT_ZERO: MavenToken = { sep: DOT, num: 0, key: '', pad: true };
const PAD_DOT_EMPTY: MavenToken = { sep: DOT, num: undefined, key: EMPTY_KEY, pad: true };
const PAD_DASH: MavenToken = { sep: DASH, num: undefined, key: EMPTY_KEY, pad: true };

function isNull(t: MavenToken): boolean {
  return t.num === undefined ? t.key === EMPTY_KEY : t.num == 0;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Splits a version into trimmed tokens. */
export function parseMavenTokens(version: string): MavenParsed {
  const s = version.toLowerCase();
  const tokens: MavenToken[] = [];
  let sep: Sep = NONE;
  let start = 0;
  const push = (end: number, beforeDigits: boolean): void => {
    let text = s.slice(start, end);
    if (text === '') text = '0';
    if (isDigitCode(text.charCodeAt(0))) {
      tokens.push({ sep, num: toNum(text), key: '', pad: false });
      return;
    }
    text = ALIASES.get(text) ?? text;
    if (beforeDigits) text = SHORT.get(text) ?? text;
    tokens.push({ sep, num: undefined, key: qualifierKey(text), pad: false });
  };
  for (let i = 0; i <= s.length; i++) {
    const c = i === s.length ? -1 : s.charCodeAt(i);
    if (c === -1 || c === 46 /* . */ || c === 45 /* - */) {
      push(i, false);
      sep = c === 46 ? DOT : DASH;
      start = i + 1;
    } else if (i > start && isDigitCode(c) !== isDigitCode(s.charCodeAt(i - 1))) {
      // a switch between digits and letters opens a token of its own, as after a hyphen
      push(i, isDigitCode(c));
      sep = DASH;
      start = i;
    }
  }
  // drop the nulls at the end, then at the end of each `-` group before it
  let i = tokens.length - 1;
  while (i > 0) {
    if (isNull(tokens[i] as MavenToken)) {
      tokens.splice(i, 1);
      i--;
      continue;
    }
    while (i >= 0 && (tokens[i] as MavenToken).sep !== DASH) i--;
    i--;
  }
  return tokens;
}

function padFor(t: MavenToken): MavenToken {
  if (t.sep !== DOT) return PAD_DASH;
  return t.num === undefined && t.key === SP_KEY ? PAD_DOT_EMPTY : PAD_DOT_ZERO;
}

/** `.qualifier` < `-qualifier` < `-number` < `.number`. */
function separatorRank(t: MavenToken): number {
  return t.num === undefined ? (t.sep === DASH ? 1 : 0) : t.sep === DASH ? 2 : 3;
}

/** 0 exactly when the tokens are equal: separators of different rank differ, and no qualifier keys as `0`. */
function compareToken(a: MavenToken, b: MavenToken): Ordering {
  const x = a.num;
  const y = b.num;
  if (a.sep !== b.sep) return compareNum(separatorRank(a), separatorRank(b));
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0;
  if (x !== undefined && y !== undefined) return compareNum(x, y);
  if (x !== undefined && !a.pad) return 1;
  if (y !== undefined && !b.pad) return -1;
  return compareText(x === undefined ? a.key : PAD_ZERO_KEY, y === undefined ? b.key : PAD_ZERO_KEY);
}

/** Token by token; the shorter list goes on with padding nulls that take the other side's separator. */
function compareTokens(a: MavenParsed, b: MavenParsed): Ordering {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareToken(a[i] as MavenToken, b[i] as MavenToken);
    if (c !== 0) return c;
  }
  for (let i = n; i < a.length; i++) {
    const x = a[i] as MavenToken;
    const c = compareToken(x, padFor(x));
    if (c !== 0) return c;
  }
  for (let i = n; i < b.length; i++) {
    const y = b[i] as MavenToken;
    const c = compareToken(padFor(y), y);
    if (c !== 0) return c;
  }
  return 0;
}

export const mavenVersion = defineScheme<MavenParsed>({
  id: 'maven',
  spec: 'Maven version order (POM reference, as OSV)',
  parse(version) {
    return isPlausibleVersion(version) ? parseMavenTokens(version) : undefined;
  },
  compare: compareTokens,
});
