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
 * Refused, fail closed: anything outside that grammar, which `apk version -c` reports as invalid (`1.2_blah`,
 * `1.0bc`, `1-ruff`, upper-case letters, leading dots), and `~hash` commit suffixes, whose order apk-tools
 * versions disagree on.
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
};

const APK_RE =
  /^([0-9]+(?:\.[0-9]+)*)(?:([a-z])([0-9]*))?((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*)(?:-r([0-9]*))?$/;
const SUFFIX_RE = /_(alpha|beta|pre|rc|cvs|svn|git|hg|p)([0-9]*)/g;
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

export const alpineVersion = defineScheme<AlpineParsed>({
  id: 'alpine',
  spec: 'apk-tools version order',
  parse(version) {
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
    };
  },
  compare(a, b): Ordering {
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
