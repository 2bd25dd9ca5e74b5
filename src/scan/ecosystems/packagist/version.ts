import { compareNum, defineScheme, isPlausibleVersion, toNum, type Num, type Ordering } from '../../versions/scheme.ts';

/**
 * Packagist (Composer): PHP's `version_compare` after dropping a leading `v`/`V`, which is how Composer
 * compares versions and how OSV's Packagist ordering is defined.
 *
 * The version is canonicalised (`-`, `_`, `+` become `.`; a `.` goes between a digit and a non-digit) and
 * split at `.`. Parts compare pairwise: numbers as numbers; words by their special-form rank, found by
 * prefix: `dev` < `alpha` = `a` < `beta` = `b` < `RC` = `rc` < `#` < `pl` = `p`, any other word below `dev`;
 * a number counts as `#` against a word. When one version runs out, the next part of the other decides: a
 * number makes it greater, a word is ranked against `#` (so `1.0` < `1.0pl1` but `1.0rc1` < `1.0`).
 *
 * Numbers are exact (PHP's `strtol` saturates at 2^63, making huge parts equal). Refused: empty parts
 * (leading, trailing or doubled separators) and non-ASCII, whose treatment depends on PHP's C locale.
 */
export type PackagistParsed = readonly Part[];
/** A number, or the special-form rank of a word (negative numbers can't be part values). */
type Part = { readonly num: Num } | { readonly rank: number };

const NUMBER_RANK = 4; // the rank of '#', which stands for a number against a word
const FORMS: readonly (readonly [string, number])[] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function rankOf(word: string): number {
  for (const [form, rank] of FORMS) if (word.startsWith(form)) return rank;
  return -6;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** php_canonicalize_version, returning the parts. */
function canonicalParts(v: string): string[] | undefined {
  let out = v[0] as string;
  for (let i = 1; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const p = v.charCodeAt(i - 1);
    const last = out.charCodeAt(out.length - 1);
    if (c === 45 || c === 95 || c === 43) {
      if (last !== 46) out += '.';
    } else if ((p !== 46 && !isDigit(p) && isDigit(c)) || (isDigit(p) && c !== 46 && !isDigit(c))) {
      if (last !== 46) out += '.';
      out += v[i];
    } else {
      out += v[i];
    }
  }
  const parts = out.split('.');
  return parts.some((x) => x === '') ? undefined : parts;
}

function comparePart(a: Part, b: Part): Ordering {
  if ('num' in a && 'num' in b) return compareNum(a.num, b.num);
  return compareNum('rank' in a ? a.rank : NUMBER_RANK, 'rank' in b ? b.rank : NUMBER_RANK);
}

/** Ranks what is left of the longer version against the end of the shorter one. */
function compareRest(rest: readonly Part[], from: number): Ordering {
  for (let i = from; i < rest.length; i++) {
    const p = rest[i] as Part;
    if ('num' in p) return 1;
    const c = compareNum(p.rank, NUMBER_RANK);
    if (c !== 0) return c;
  }
  return 0;
}

export const packagistVersion = defineScheme<PackagistParsed>({
  id: 'packagist',
  spec: 'PHP version_compare (Composer)',
  parse(version) {
    if (!isPlausibleVersion(version)) return undefined;
    let s = version;
    let k = 0;
    while (k < s.length && (s[k] === 'v' || s[k] === 'V')) k++;
    s = s.slice(k);
    if (s.length === 0 || !/^[\x21-\x7e]+$/.test(s)) return undefined;
    const parts = canonicalParts(s);
    if (parts === undefined) return undefined;
    return parts.map((p) => (isDigit(p.charCodeAt(0)) ? { num: toNum(p) } : { rank: rankOf(p) }));
  },
  compare(a, b): Ordering {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = comparePart(a[i] as Part, b[i] as Part);
      if (c !== 0) return c;
    }
    if (a.length > n) return compareRest(a, n);
    if (b.length > n) return (-compareRest(b, n) || 0) as Ordering;
    return 0;
  },
});
