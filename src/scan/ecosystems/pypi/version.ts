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
 * PyPI: PEP 440 (packaging.python.org/en/latest/specifications/version-specifiers), with its normalisation:
 * case-insensitive, an optional leading `v`, `alpha`/`beta`/`c`/`pre`/`preview` for `a`/`b`/`rc`,
 * `rev`/`r` and a bare `-N` for post-releases, `.`/`-`/`_` separators, implicit pre/post/dev number 0,
 * trailing zeros of the release insignificant (`1.0` = `1.0.0`).
 *
 * "Legacy" versions that PEP 440 does not describe (`0.1-bulbasaur`, `2.0.0-final`) are refused by `parse`,
 * as `packaging` >= 22 and pip >= 24.1 refuse them. `parseLenient` accepts them, flagged by `isLenient`: OSV
 * orders them as `packaging` < 22 did with `LegacyVersion`, and as osv-scalibr does, below every PEP 440
 * version (so `2.0.0-final` < `0.1`) and among themselves by a key of their parts (see `legacyKey`). Both
 * refuse whitespace; `parseLenient` refuses garbage (see `isOrderableText`).
 */
export type PypiParsed = {
  readonly epoch: Num;
  /** The release segment without trailing zeros. */
  readonly release: readonly Num[];
  /** 0 `a`, 1 `b`, 2 `rc`, 3 none, -1 none but a dev release of the final version (sorts first). */
  readonly preRank: number;
  readonly preNum: Num;
  /** -1 when there is no post-release. */
  readonly post: Num;
  /** -1 when there is no dev release (sorts last). */
  readonly dev: Num;
  /** Local version label parts: numbers rank above text; empty when there is none. */
  readonly local: readonly (Num | string)[];
  /** The sort key of a legacy (non-PEP 440) version, `undefined` for a PEP 440 one. */
  readonly legacy: string | undefined;
};

const PEP440_RE = new RegExp(
  '^v?(?:([0-9]+)!)?([0-9]+(?:\\.[0-9]+)*)' +
    '(?:[-_.]?(alpha|beta|preview|pre|rc|a|b|c)[-_.]?([0-9]+)?)?' +
    '(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?' +
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?' +
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
  'i',
);
const DIGITS_RE = /^[0-9]+$/;
const LEGACY_PART_RE = /[0-9]+|[a-z]+|\.|-/g;
// a Map, not an object literal: the keys come from the version, and `constructor` must not find a prototype's
const LEGACY_SPELLING: ReadonlyMap<string, string> = new Map([
  ['pre', 'c'],
  ['preview', 'c'],
  ['rc', 'c'],
  ['-', 'final-'],
  ['dev', '@'],
]);
const NO_RELEASE: readonly Num[] = Object.freeze([]);
const NO_LOCAL: readonly (Num | string)[] = Object.freeze([]);

/**
 * The sort key of a legacy version, as setuptools' old `parse_version` built it: the lower-cased string's runs of
 * digits, runs of letters and dashes (other characters dropped, as osv-scalibr drops them), with `final`
 * appended; dots skipped; `pre`/`preview`/`rc` read as `c`, `dev` as `@` (below every letter), `-` as `final-`;
 * numbers zero-padded to 8 digits and words marked with `*`; before a pre-release word, trailing `final-` parts
 * go, and before any word, trailing zero numbers go. The parts are joined and the keys compared as text.
 */
function legacyKey(version: string): string {
  const parts: string[] = [];
  const runs = [...version.toLowerCase().matchAll(LEGACY_PART_RE)].map((m) => m[0]);
  // `final` ends every version, as a part of its own (`trunk` is `*trunk*final`, not `*trunkfinal`)
  runs.push('final');
  for (const raw of runs) {
    if (raw === '.') continue;
    const spelled = LEGACY_SPELLING.get(raw) ?? raw;
    const c = spelled.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      parts.push(spelled.padStart(8, '0'));
      continue;
    }
    const word = `*${spelled}`;
    if (word < '*final') while (parts.length > 0 && parts[parts.length - 1] === '*final-') parts.pop();
    while (parts.length > 0 && parts[parts.length - 1] === '00000000') parts.pop();
    parts.push(word);
  }
  return parts.join('');
}

function parseLegacy(version: string): PypiParsed | undefined {
  if (!isOrderableText(version)) return undefined;
  // the epoch -1 puts every legacy version below every PEP 440 one
  return {
    epoch: -1,
    release: NO_RELEASE,
    preRank: 3,
    preNum: 0,
    post: -1,
    dev: -1,
    local: NO_LOCAL,
    legacy: legacyKey(version),
  };
}

function preRankOf(letter: string): number {
  switch (letter.toLowerCase()) {
    case 'a':
    case 'alpha':
      return 0;
    case 'b':
    case 'beta':
      return 1;
    default:
      return 2; // rc, c, pre, preview
  }
}

function parsePep440(version: string): PypiParsed | undefined {
  if (!isPlausibleVersion(version)) return undefined;
  const m = PEP440_RE.exec(version);
  if (m === null) return undefined;
  const release = (m[2] as string).split('.').map(toNum);
  while (release.length > 1 && release[release.length - 1] == 0) release.pop();
  const hasPost = m[5] !== undefined || m[6] !== undefined;
  const hasDev = m[8] !== undefined;
  let preRank = 3;
  let preNum: Num = 0;
  if (m[3] !== undefined) {
    preRank = preRankOf(m[3]);
    preNum = m[4] === undefined ? 0 : toNum(m[4]);
  } else if (!hasPost && hasDev) {
    preRank = -1;
  }
  return {
    epoch: m[1] === undefined ? 0 : toNum(m[1]),
    release,
    preRank,
    preNum,
    post: m[5] !== undefined ? toNum(m[5]) : m[7] !== undefined ? toNum(m[7]) : hasPost ? 0 : -1,
    dev: !hasDev ? -1 : m[9] === undefined ? 0 : toNum(m[9]),
    local:
      m[10] === undefined
        ? NO_LOCAL
        : m[10]
            .toLowerCase()
            .split(/[-_.]/)
            .map((p) => (DIGITS_RE.test(p) ? toNum(p) : p)),
    legacy: undefined,
  };
}

export const pypiVersion = defineScheme<PypiParsed>({
  id: 'pypi',
  spec: 'PEP 440',
  parse: parsePep440,
  parseLenient: (version) => parsePep440(version) ?? parseLegacy(version),
  isLenient: (v) => v.legacy !== undefined,
  compare(a, b): Ordering {
    let c = compareNum(a.epoch, b.epoch);
    if (c !== 0) return c;
    if (a.legacy !== undefined) return compareText(a.legacy, b.legacy as string); // same epoch: both legacy
    const n = Math.min(a.release.length, b.release.length);
    for (let i = 0; i < n; i++) {
      c = compareNum(a.release[i] as Num, b.release[i] as Num);
      if (c !== 0) return c;
    }
    c = compareNum(a.release.length, b.release.length);
    if (c !== 0) return c;
    c = compareNum(a.preRank, b.preRank) || compareNum(a.preNum, b.preNum) || compareNum(a.post, b.post);
    if (c !== 0) return c;
    // no dev release sorts after every dev release
    if (a.dev !== b.dev) {
      if (a.dev === -1) return 1;
      if (b.dev === -1) return -1;
      c = compareNum(a.dev, b.dev);
      if (c !== 0) return c;
    }
    return compareLocal(a.local, b.local);
  },
});

function compareLocal(a: readonly (Num | string)[], b: readonly (Num | string)[]): Ordering {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as Num | string;
    const y = b[i] as Num | string;
    const xs = typeof x === 'string';
    const ys = typeof y === 'string';
    // PEP 440: numeric local segments rank above alphanumeric ones
    if (xs !== ys) return xs ? -1 : 1;
    const c = xs ? (x < (y as string) ? -1 : x > (y as string) ? 1 : 0) : compareNum(x, y as Num);
    if (c !== 0) return c;
  }
  return compareNum(a.length, b.length);
}
