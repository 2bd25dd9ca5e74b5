import { compareNum, defineScheme, isPlausibleVersion, toNum, type Num, type Ordering } from '../../versions/scheme.ts';

/**
 * Debian and Ubuntu: Debian Policy §5.6.12 `[epoch:]upstream_version[-debian_revision]`, ordered as
 * `dpkg --compare-versions` (dpkg's `verrevcmp`): epochs as numbers; then upstream and revision, each as
 * alternating runs of non-digits (compared character by character, `~` below the end of the run, the end
 * below letters, letters below everything else) and runs of digits (compared as numbers). A missing revision
 * compares as `0`.
 *
 * Refused, fail closed: what dpkg reports as an error (empty parts, a non-numeric or too big epoch) and what
 * it only warns about (an upstream version that does not start with a digit, characters outside the
 * policy's sets), since neither occurs in a real package or advisory.
 */
export type DebianParsed = {
  readonly epoch: number;
  /** Alternating [non-digit key, number, non-digit key, number, ...] of the upstream version. */
  readonly upstream: readonly (string | Num)[];
  readonly revision: readonly (string | Num)[];
};

const UPSTREAM_RE = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION_RE = /^[A-Za-z0-9.+~]+$/;
const EPOCH_RE = /^[0-9]+$/;
const INT_MAX = 2147483647;

/** Ends every non-digit key; ranks above `~` and below every character. */
const END = '\u0002';

/** Maps a non-digit run to a string whose code-unit order is dpkg's character order. */
function key(run: string): string {
  let out = '';
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c === 126 /* ~ */) out += '\u0001';
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) out += String.fromCharCode(0x100 + c);
    else out += String.fromCharCode(0x200 + c);
  }
  return out + END;
}

function tokens(s: string): (string | Num)[] {
  const out: (string | Num)[] = [];
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j < s.length && !isDigit(s.charCodeAt(j))) j++;
    out.push(key(s.slice(i, j)));
    i = j;
    while (j < s.length && isDigit(s.charCodeAt(j))) j++;
    out.push(i === j ? 0 : toNum(s.slice(i, j)));
    i = j;
  }
  return out;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function compareTokens(a: readonly (string | Num)[], b: readonly (string | Num)[]): Ordering {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if ((i & 1) === 0) {
      const x = (a[i] as string | undefined) ?? END;
      const y = (b[i] as string | undefined) ?? END;
      if (x !== y) return x < y ? -1 : 1;
    } else {
      const c = compareNum((a[i] as Num | undefined) ?? 0, (b[i] as Num | undefined) ?? 0);
      if (c !== 0) return c;
    }
  }
  return 0;
}

export const debianVersion = defineScheme<DebianParsed>({
  id: 'debian',
  spec: 'Debian Policy 5.6.12, dpkg verrevcmp',
  parse(version) {
    if (!isPlausibleVersion(version)) return undefined;
    let epoch = 0;
    let rest = version;
    const colon = version.indexOf(':');
    if (colon !== -1) {
      const e = version.slice(0, colon);
      if (!EPOCH_RE.test(e) || e.length > 10) return undefined;
      epoch = Number(e);
      if (epoch > INT_MAX) return undefined;
      rest = version.slice(colon + 1);
    }
    const dash = rest.lastIndexOf('-');
    const upstream = dash === -1 ? rest : rest.slice(0, dash);
    const revision = dash === -1 ? '' : rest.slice(dash + 1);
    if (!UPSTREAM_RE.test(upstream)) return undefined;
    if (dash !== -1 && !REVISION_RE.test(revision)) return undefined;
    return { epoch, upstream: tokens(upstream), revision: tokens(revision) };
  },
  compare(a, b): Ordering {
    if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
    return compareTokens(a.upstream, b.upstream) || compareTokens(a.revision, b.revision);
  },
});
