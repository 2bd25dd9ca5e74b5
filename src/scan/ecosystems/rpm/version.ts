import { compareNum, defineScheme, isPlausibleVersion, toNum, type Num, type Ordering } from '../../versions/scheme.ts';

/** The markers `~` and `^`, as unique objects so that no number or text can be mistaken for them. */
const TILDE_MARK = Object.freeze({ mark: '~' });
const CARET_MARK = Object.freeze({ mark: '^' });
/** One rpmvercmp segment: a number, a run of ASCII letters, or a marker. */
export type RpmSegment = Num | string | typeof TILDE_MARK | typeof CARET_MARK;
type Segment = RpmSegment;

export type RpmParsed = {
  readonly epoch: Num;
  readonly version: readonly RpmSegment[];
  /** `undefined` when the string has no `-`. */
  readonly release: readonly RpmSegment[] | undefined;
};

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Splits a version or release into rpmvercmp's segments. */
function segments(s: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 126) {
      out.push(TILDE_MARK);
      i++;
    } else if (c === 94) {
      out.push(CARET_MARK);
      i++;
    } else if (isDigit(c)) {
      let j = i + 1;
      while (j < s.length && isDigit(s.charCodeAt(j))) j++;
      out.push(toNum(s.slice(i, j)));
      i = j;
    } else if (isAlpha(c)) {
      let j = i + 1;
      while (j < s.length && isAlpha(s.charCodeAt(j))) j++;
      out.push(s.slice(i, j));
      i = j;
    } else {
      i++; // a separator
    }
  }
  return out;
}

/** `rpmvercmp` on pre-split segments. */
function compareSegments(a: readonly Segment[], b: readonly Segment[]): Ordering {
  let i = 0;
  for (;;) {
    const x = a[i];
    const y = b[i];
    const xTilde = x === TILDE_MARK;
    const yTilde = y === TILDE_MARK;
    if (xTilde || yTilde) {
      if (!xTilde) return 1;
      if (!yTilde) return -1;
      i++;
      continue;
    }
    const xCaret = x === CARET_MARK;
    const yCaret = y === CARET_MARK;
    if (xCaret || yCaret) {
      if (x === undefined) return -1;
      if (y === undefined) return 1;
      if (!xCaret) return 1;
      if (!yCaret) return -1;
      i++;
      continue;
    }
    if (x === undefined || y === undefined) {
      return x === undefined ? (y === undefined ? 0 : -1) : 1;
    }
    const xs = typeof x === 'string';
    const ys = typeof y === 'string';
    // a numeric segment is newer than an alphabetic one
    if (xs !== ys) return xs ? -1 : 1;
    if (xs) {
      if (x !== y) return x < (y as string) ? -1 : 1;
    } else {
      const c = compareNum(x as Num, y as Num);
      if (c !== 0) return c;
    }
    i++;
  }
}

/**
 * The RPM family (Red Hat, AlmaLinux, Rocky Linux, SUSE, openSUSE, Mageia, openEuler, Photon OS, Azure
 * Linux): `[epoch:]version[-release]`, ordered as rpm's `rpmvercmp` and `rpm.labelCompare` do.
 *
 * - The epoch is the digits before a first `:` (a colon after anything else is part of the version, as
 *   `1.m+e2:1` in module streams); a missing epoch is 0. The release is what follows the last `-`.
 * - `rpmvercmp`: separators (anything but ASCII letters, digits, `~` and `^`) only split segments; runs of
 *   digits compare as numbers and rank above runs of letters; letters compare by ASCII; `~` sorts below
 *   everything, even the end (`1.0~rc1` < `1.0`); `^` sorts above the end but below any other segment
 *   (`1.0` < `1.0^git1` < `1.0.1`).
 * - A version without a release ranks below the same version with one, even an empty one (`1` < `1-`),
 *   as `labelCompare` orders a missing field below a present one.
 *
 * Every non-empty string without whitespace is an RPM version, so only those with an empty version part
 * are refused.
 */
export const rpmVersion = defineScheme<RpmParsed>({
  id: 'rpm',
  spec: 'rpmvercmp, labelCompare',
  parse(evr) {
    if (!isPlausibleVersion(evr)) return undefined;
    let i = 0;
    while (i < evr.length && isDigit(evr.charCodeAt(i))) i++;
    let epoch: Num = 0;
    let rest = evr;
    if (i < evr.length && evr.charCodeAt(i) === 58 /* : */) {
      epoch = i === 0 ? 0 : toNum(evr.slice(0, i));
      rest = evr.slice(i + 1);
    }
    const dash = rest.lastIndexOf('-');
    const version = dash === -1 ? rest : rest.slice(0, dash);
    if (version.length === 0) return undefined;
    return {
      epoch,
      version: segments(version),
      release: dash === -1 ? undefined : segments(rest.slice(dash + 1)),
    };
  },
  compare(a, b): Ordering {
    const c = compareNum(a.epoch, b.epoch) || compareSegments(a.version, b.version);
    if (c !== 0) return c;
    if (a.release === undefined || b.release === undefined) {
      return a.release === b.release ? 0 : a.release === undefined ? -1 : 1;
    }
    return compareSegments(a.release, b.release);
  },
});
