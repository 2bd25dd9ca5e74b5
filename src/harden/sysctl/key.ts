// sysctl key spelling. Both readers (systemd-sysctl and procps `sysctl`) map a key to a path under /proc/sys:
// when the FIRST separator is a dot, dots and slashes swap (`net.ipv4.conf.eth0/100.rp_filter` is
// net/ipv4/conf/eth0.100/rp_filter); when it is a slash the key is a path already (sysctl.d(5), systemd
// `sysctl_normalize`, procps `slashdot`). Keys are compared in that path form. Pure.

/** The /proc/sys path form of a key (`net/ipv4/ip_forward`): no leading or repeated slashes. */
export function keyPath(key: string): string {
  const k = key.trim();
  const first = k.search(/[./]/);
  const swapped = first >= 0 && k[first] === '.' ? k.replace(/[./]/g, (c) => (c === '.' ? '/' : '.')) : k;
  return swapped.replace(/\/{2,}/g, '/').replace(/^\//, '');
}

/** The dotted form of a path-form key, as `sysctl -a` prints it (`net.ipv4.conf.eth0/100.rp_filter`). */
export function dottedKey(path: string): string {
  return path.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}

/** Whether a key is a glob(7) pattern (systemd ≥ 245 and procps-ng ≥ 4.0.0 apply it to every matching key). */
export function isGlob(key: string): boolean {
  return /[*?[]/.test(key);
}

/**
 * Whether a path-form glob matches a path-form key, as glob(3) matches /proc/sys paths: `*`, `?` and `[...]`
 * never match a `/`, so segment counts must agree. Iterative star matching: a pattern from a file cannot make
 * it backtrack exponentially.
 */
export function globMatches(pattern: string, path: string): boolean {
  const ps = pattern.split('/');
  const ks = path.split('/');
  if (ps.length !== ks.length) return false;
  return ps.every((p, i) => segmentMatches(p, ks[i]!));
}

function segmentMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const step = p < pattern.length ? matchOne(pattern, p, text[t]!) : undefined;
    if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starT = t;
    } else if (step !== undefined) {
      p = step;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** If the pattern element at `p` (not `*`) matches `c`, the index after it. */
function matchOne(pattern: string, p: number, c: string): number | undefined {
  const ch = pattern[p]!;
  if (ch === '*') return undefined;
  if (ch === '?') return p + 1;
  if (ch === '\\' && p + 1 < pattern.length) return pattern[p + 1] === c ? p + 2 : undefined;
  if (ch !== '[') return ch === c ? p + 1 : undefined;
  // a bracket expression; one without its closing `]` is a literal `[`, as in fnmatch
  let i = p + 1;
  const negate = pattern[i] === '!' || pattern[i] === '^';
  if (negate) i++;
  let matched = false;
  let first = true;
  while (i < pattern.length && (first || pattern[i] !== ']')) {
    first = false;
    const lo = pattern[i]!;
    if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
      if (lo <= c && c <= pattern[i + 2]!) matched = true;
      i += 3;
    } else {
      if (lo === c) matched = true;
      i++;
    }
  }
  if (i >= pattern.length) return c === '[' ? p + 1 : undefined;
  return matched !== negate ? i + 1 : undefined;
}
