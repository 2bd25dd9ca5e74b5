import {
  compareNum,
  compareText,
  defineScheme,
  isOrderableText,
  isPlausibleVersion,
  toNum,
  type Num,
  type Ordering,
} from '../../versions/scheme.ts';

/**
 * Alpine and the other apk distributions (Wolfi, Chainguard, MinimOS, Alpaquita, BellSoft Hardened
 * Containers): apk-tools' version order for the grammar of apk-package(5),
 * `number{.number}...{letter}{_suffix{number}}...{-r#}`:
 *
 * - numbers part by part; the first as a number, later ones as text when either starts with `0` (apk reads
 *   `1.02` as a fraction, so `1.02` < `1.1`), as numbers otherwise; more numbers rank higher (`1.2` < `1.2.0`);
 * - then the optional lower-case letter (none < `a` < … < `z`) and the digits apk-tools 2 accepts straight
 *   after it (`6.6.2p1`, which real openssh packages used; none < any number);
 * - then the suffixes in turn: `_alpha` < `_beta` < `_pre` < `_rc` < none < `_cvs` < `_svn` < `_git` < `_hg`
 *   < `_p`, each with its optional number (a missing number ranks below `0`);
 * - then the package revision `-rN` (missing ranks below `-r0`).
 *
 * Refused by `parse`, fail closed: anything outside that grammar, which `apk version -c` reports as invalid
 * (`1.2_blah`, `1.0bc`, `1-ruff`, upper-case letters, leading dots), and `~hash` commit suffixes, whose order
 * apk-tools versions disagree on. `parseLenient` accepts them (flagged by `isLenient`) if they are printable
 * ASCII with a letter or digit, because the OSV fixture still orders them, as osv-scalibr does. The string
 * is read as far as the grammar goes (numbers, letter, suffixes, `~hash`, which is ignored, `-r` with optional
 * digits); what is left over makes it lenient:
 *
 * - two versions whose leftover does not start with `-r` ("invalid" ones: `1.2_blah`, `.1`, `0..8`) compare as
 *   plain text;
 * - otherwise the parts read compare as above, except that a missing `-r` counts as `-r0`, and then a version
 *   with no leftover ranks above one with leftover (`1.2` > `1.2_blah`, `1` > `1-ruff`); two leftovers are equal
 *   (`1-ruff1` = `1-ruff2`, as apk has it).
 *
 * `parseLenient` refuses empty, whitespace, non-ASCII, no letter or digit at all.
 */
export type AlpineParsed = {
  /** The numeric parts as written, and their values. */
  readonly texts: readonly string[];
  readonly numbers: readonly Num[];
  /** Char code of the letter, 0 when there is none. */
  readonly letter: number;
  /** Digits straight after the letter (`6.6.2p1`, openssh before 7.x), -1 when there are none. */
  readonly letterNumber: Num;
  /** Pairs of (suffix rank, number or -1): rank 0..3 pre-releases, 5..9 post-releases. */
  readonly suffixes: readonly number[];
  readonly suffixNumbers: readonly Num[];
  /** -1 when there is no `-r`. */
  readonly revision: Num;
  /** `undefined` for a version of apk's grammar; set for a lenient one. */
  readonly lenient: AlpineLeftover | undefined;
};

type AlpineLeftover = {
  /** The whole string, which "invalid" versions compare by. */
  readonly original: string;
  /** The leftover does not start with `-r`. */
  readonly invalid: boolean;
  /** Something is left over after the `-r` part. */
  readonly leftover: boolean;
};

const APK_RE =
  /^([0-9]+(?:\.[0-9]+)*)(?:([a-z])([0-9]*))?((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*)(?:-r([0-9]*))?$/;
const SUFFIX_RE = /_(alpha|beta|pre|rc|cvs|svn|git|hg|p)([0-9]*)/g;
/** The grammar's parts, each optional, read from the start of a lenient string (`y`: sticky, at `lastIndex`). */
const LENIENT_NUMBERS_RE = /[0-9]+(?:\.[0-9]+)*/y;
const LENIENT_LETTER_RE = /([a-z])([0-9]*)/y;
const LENIENT_SUFFIX_RE = /_(alpha|beta|pre|rc|cvs|svn|git|hg|p)([0-9]*)/y;
const LENIENT_HASH_RE = /~[0-9a-f]+/y;
const LENIENT_REVISION_RE = /-r([0-9]*)/y;
/** No suffix sits between the pre-releases and the post-releases. */
const NO_SUFFIX = 4;
const SUFFIX_RANK: Readonly<Record<string, number>> = {
  alpha: 0,
  beta: 1,
  pre: 2,
  rc: 3,
  cvs: 5,
  svn: 6,
  git: 7,
  hg: 8,
  p: 9,
};

function parseApk(version: string): AlpineParsed | undefined {
  if (!isPlausibleVersion(version)) return undefined;
  const m = APK_RE.exec(version);
  if (m === null) return undefined;
  const texts = (m[1] as string).split('.');
  const suffixes: number[] = [];
  const suffixNumbers: Num[] = [];
  for (const s of (m[4] as string).matchAll(SUFFIX_RE)) {
    suffixes.push(SUFFIX_RANK[s[1] as string] as number);
    suffixNumbers.push(s[2] === '' ? -1 : toNum(s[2] as string));
  }
  return {
    texts,
    numbers: texts.map(toNum),
    letter: m[2] === undefined ? 0 : m[2].charCodeAt(0),
    letterNumber: m[3] === undefined || m[3] === '' ? -1 : toNum(m[3]),
    suffixes,
    suffixNumbers,
    revision: m[5] === undefined ? -1 : m[5] === '' ? 0 : toNum(m[5]),
    lenient: undefined,
  };
}

export const alpineVersion = defineScheme<AlpineParsed>({
  id: 'alpine',
  spec: 'apk-tools version order',
  parse: parseApk,
  parseLenient: (version) => parseApk(version) ?? readLenient(version),
  isLenient: (v) => v.lenient !== undefined,
  compare(a, b): Ordering {
    if (a.lenient !== undefined || b.lenient !== undefined) return compareLenient(a, b);
    // the strict order inline (the hot path); compareLenient reuses it in parts
    const n = Math.min(a.numbers.length, b.numbers.length);
    for (let i = 0; i < n; i++) {
      const ta = a.texts[i] as string;
      const tb = b.texts[i] as string;
      const c =
        i > 0 && (ta.charCodeAt(0) === 48 || tb.charCodeAt(0) === 48)
          ? compareText(ta, tb)
          : compareNum(a.numbers[i] as Num, b.numbers[i] as Num);
      if (c !== 0) return c;
    }
    let c =
      compareNum(a.numbers.length, b.numbers.length) ||
      compareNum(a.letter, b.letter) ||
      compareNum(a.letterNumber, b.letterNumber);
    if (c !== 0) return c;
    const m = Math.max(a.suffixes.length, b.suffixes.length);
    for (let i = 0; i < m; i++) {
      c =
        compareNum(a.suffixes[i] ?? NO_SUFFIX, b.suffixes[i] ?? NO_SUFFIX) ||
        compareNum(a.suffixNumbers[i] ?? -1, b.suffixNumbers[i] ?? -1);
      if (c !== 0) return c;
    }
    return compareNum(a.revision, b.revision);
  },
});

function compareNumbers(a: AlpineParsed, b: AlpineParsed): Ordering {
  const n = Math.min(a.numbers.length, b.numbers.length);
  for (let i = 0; i < n; i++) {
    const ta = a.texts[i] as string;
    const tb = b.texts[i] as string;
    const c =
      i > 0 && (ta.charCodeAt(0) === 48 || tb.charCodeAt(0) === 48)
        ? compareText(ta, tb)
        : compareNum(a.numbers[i] as Num, b.numbers[i] as Num);
    if (c !== 0) return c;
  }
  return (
    compareNum(a.numbers.length, b.numbers.length) ||
    compareNum(a.letter, b.letter) ||
    compareNum(a.letterNumber, b.letterNumber)
  );
}

function compareSuffixes(a: AlpineParsed, b: AlpineParsed): Ordering {
  const m = Math.max(a.suffixes.length, b.suffixes.length);
  for (let i = 0; i < m; i++) {
    const c =
      compareNum(a.suffixes[i] ?? NO_SUFFIX, b.suffixes[i] ?? NO_SUFFIX) ||
      compareNum(a.suffixNumbers[i] ?? -1, b.suffixNumbers[i] ?? -1);
    if (c !== 0) return c;
  }
  return 0;
}

/** The order when either side is lenient (see the type's notes). */
function compareLenient(a: AlpineParsed, b: AlpineParsed): Ordering {
  const la = a.lenient;
  const lb = b.lenient;
  if (la !== undefined && lb !== undefined && la.invalid && lb.invalid) return compareText(la.original, lb.original);
  const c =
    compareNumbers(a, b) ||
    compareSuffixes(a, b) ||
    compareNum(a.revision === -1 ? 0 : a.revision, b.revision === -1 ? 0 : b.revision);
  if (c !== 0) return c;
  const xa = la !== undefined && la.leftover;
  const xb = lb !== undefined && lb.leftover;
  return xa === xb ? 0 : xa ? -1 : 1;
}

/** Reads a string outside apk's grammar as far as the grammar goes. */
function readLenient(version: string): AlpineParsed | undefined {
  if (!isOrderableText(version)) return undefined;
  let at = 0;
  const take = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = at;
    const m = re.exec(version);
    if (m !== null) at = re.lastIndex;
    return m;
  };
  const numbers = take(LENIENT_NUMBERS_RE);
  const texts = numbers === null ? [] : numbers[0].split('.');
  const letter = take(LENIENT_LETTER_RE);
  const suffixes: number[] = [];
  const suffixNumbers: Num[] = [];
  for (let s = take(LENIENT_SUFFIX_RE); s !== null; s = take(LENIENT_SUFFIX_RE)) {
    suffixes.push(SUFFIX_RANK[s[1] as string] as number);
    suffixNumbers.push(s[2] === '' ? -1 : toNum(s[2] as string));
  }
  take(LENIENT_HASH_RE);
  const revision = take(LENIENT_REVISION_RE);
  const invalid = revision === null && at < version.length;
  return {
    texts,
    numbers: texts.map(toNum),
    letter: letter === null ? 0 : (letter[1] as string).charCodeAt(0),
    letterNumber: letter === null || letter[2] === '' ? -1 : toNum(letter[2] as string),
    suffixes,
    suffixNumbers,
    revision: revision === null ? -1 : revision[1] === '' ? 0 : toNum(revision[1] as string),
    lenient: { original: version, invalid, leftover: at < version.length },
  };
}
