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
 * Maven: the order of `org.apache.maven.artifact.versioning.ComparableVersion` (as in Maven 3.8.7, including the
 * MNG-6964 comparison of a whole sub-list against nothing), written from its documented rules
 * (maven.apache.org/pom.html#version-order-specification):
 *
 * - the version is lower-cased and split into items at `.`, at `-` (which opens a sub-list) and at every
 *   switch between digits and letters (which also opens a sub-list); an empty item is `0`; a qualifier that
 *   is followed by digits or ends the version opens a sub-list of its own too (`1.0.0.Beta14` = `1-beta-14`,
 *   `1.0.a` = `1-a`), as Maven 3.8.7 does;
 * - trailing "null" items (`0`, `""`, `final`, `ga`, `release`, an empty sub-list) are dropped from each list;
 * - qualifiers order `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < `""` = `final` = `ga` =
 *   `release` < `sp` < any other qualifier (those by text); `a1`, `b1`, `m1` mean `alpha-1`, `beta-1`,
 *   `milestone-1` when a digit follows the letter;
 * - a number ranks above a qualifier and above a sub-list; a sub-list ranks above a qualifier.
 *
 * Every non-empty string is a Maven version, so only empty, over-long or whitespace-bearing strings are
 * refused.
 */
export type MavenItem = Num | MavenQualifier | MavenList;
/** A qualifier, reduced to its comparable key (see `qualifierKey`). */
export type MavenQualifier = { readonly q: string };
export type MavenList = readonly MavenItem[];

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_KEY = String(QUALIFIERS.indexOf(''));

function qualifierKey(raw: string, followedByDigit: boolean): string {
  let v = raw;
  if (followedByDigit && v.length === 1) {
    if (v === 'a') v = 'alpha';
    else if (v === 'b') v = 'beta';
    else if (v === 'm') v = 'milestone';
  }
  v = ALIASES[v] ?? v;
  const i = QUALIFIERS.indexOf(v);
  return i === -1 ? `${QUALIFIERS.length}-${v}` : String(i);
}

function isNullItem(item: MavenItem): boolean {
  if (typeof item === 'number' || typeof item === 'bigint') return item == 0;
  if (Array.isArray(item)) return item.length === 0;
  return (item as MavenQualifier).q === RELEASE_KEY;
}

function normalize(list: MavenItem[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i] as MavenItem;
    if (isNullItem(item)) list.splice(i, 1);
    else if (!Array.isArray(item)) break;
  }
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Splits a version into ComparableVersion's item tree. */
export function parseMavenItems(version: string): MavenList {
  const s = version.toLowerCase();
  const root: MavenItem[] = [];
  let list = root;
  const stack: MavenItem[][] = [root];
  let isDigit = false;
  let start = 0;
  const item = (text: string, followedByDigit: boolean): MavenItem =>
    isDigit ? toNum(text) : { q: qualifierKey(text, followedByDigit) };
  const open = (): void => {
    const sub: MavenItem[] = [];
    list.push(sub);
    list = sub;
    stack.push(sub);
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */ || c === 45 /* - */) {
      list.push(i === start ? 0 : item(s.slice(start, i), false));
      start = i + 1;
      if (c === 45) open();
    } else if (isDigitCode(c)) {
      if (!isDigit && i > start) {
        // a qualifier followed by digits ("1.0.0.Beta14") opens its own sub-list, as if after a hyphen
        if (list.length > 0) open();
        list.push(item(s.slice(start, i), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(item(s.slice(start, i), false));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (s.length > start) {
    // so does a final qualifier ("1.0.Final", "1.x"): ".X" reads as "-X"
    if (!isDigit && list.length > 0) open();
    list.push(item(s.slice(start), false));
  }
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i] as MavenItem[]);
  return root;
}

type Kind = 0 | 1 | 2; // number, qualifier, list

function kindOf(item: MavenItem): Kind {
  if (typeof item === 'number' || typeof item === 'bigint') return 0;
  return Array.isArray(item) ? 2 : 1;
}

/** Compares one item with another, or with nothing (`undefined`), as ComparableVersion's `Item.compareTo`. */
function compareItem(a: MavenItem, b: MavenItem | undefined): Ordering {
  const ka = kindOf(a);
  if (b === undefined) {
    if (ka === 0) return (a as Num) == 0 ? 0 : 1;
    if (ka === 1) return compareText((a as MavenQualifier).q, RELEASE_KEY);
    for (const x of a as MavenList) {
      const c = compareItem(x, undefined);
      if (c !== 0) return c;
    }
    return 0;
  }
  const kb = kindOf(b);
  if (ka === 0) return kb === 0 ? compareNum(a as Num, b as Num) : 1;
  if (ka === 1) return kb === 1 ? compareText((a as MavenQualifier).q, (b as MavenQualifier).q) : -1;
  if (kb === 0) return -1;
  if (kb === 1) return 1;
  return compareList(a as MavenList, b as MavenList);
}

function compareList(a: MavenList, b: MavenList): Ordering {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    const c = x === undefined ? (y === undefined ? 0 : -compareItem(y, undefined)) : compareItem(x, y);
    if (c !== 0) return c as Ordering;
  }
  return 0;
}

export const mavenVersion = defineScheme<MavenList>({
  id: 'maven',
  spec: 'Maven ComparableVersion',
  parse(version) {
    return isPlausibleVersion(version) ? parseMavenItems(version) : undefined;
  },
  compare: compareList,
});
