// Path globs of ignore rules (`paths:` in .trivyignore.yaml), matched against a finding's package location:
// `*` and `?` stay within a path segment, `**` as a whole segment crosses them (`**/x` also matches `x` at the
// root, as doublestar, which Trivy uses, does). Everything else is literal.
//
// Matched by dynamic programming over (pattern token, text position), O(pattern × text) whatever the pattern:
// a pattern comes from a file and a regular expression built from it could backtrack exponentially.

type Token =
  | { readonly k: 'char'; readonly c: string }
  | { readonly k: 'one' }
  | { readonly k: 'star' }
  | { readonly k: 'any' }
  | { readonly k: 'dirs' };

/** A compiled glob. */
export type Glob = { readonly pattern: string; readonly tokens: readonly Token[] };

/** Longest pattern accepted: longer ones are refused by the parser (a path is not that long). */
export const MAX_GLOB_LENGTH = 1024;

/** Leading `./` and `/` dropped, backslashes as slashes: locations are relative, `/`-separated paths. */
export function normalizePath(p: string): string {
  let s = p.replaceAll('\\', '/');
  for (;;) {
    if (s.startsWith('./')) s = s.slice(2);
    else if (s.startsWith('/')) s = s.slice(1);
    else return s;
  }
}

export function compileGlob(pattern: string): Glob {
  const p = normalizePath(pattern);
  const tokens: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') {
      let j = i;
      while (p[j + 1] === '*') j++;
      const whole = j > i && (i === 0 || p[i - 1] === '/') && (j + 1 === p.length || p[j + 1] === '/');
      if (whole && p[j + 1] === '/') {
        tokens.push({ k: 'dirs' });
        i = j + 1; // the slash is part of `**/`
      } else {
        tokens.push({ k: whole ? 'any' : 'star' });
        i = j;
      }
    } else if (c === '?') tokens.push({ k: 'one' });
    else tokens.push({ k: 'char', c });
  }
  return { pattern: p, tokens };
}

export function globMatch(glob: Glob, path: string): boolean {
  const s = normalizePath(path);
  const n = s.length;
  let dp = new Uint8Array(n + 1);
  dp[0] = 1;
  for (const t of glob.tokens) {
    const next = new Uint8Array(n + 1);
    switch (t.k) {
      case 'char':
        for (let j = 0; j < n; j++) if (dp[j] && s[j] === t.c) next[j + 1] = 1;
        break;
      case 'one':
        for (let j = 0; j < n; j++) if (dp[j] && s[j] !== '/') next[j + 1] = 1;
        break;
      case 'star':
        for (let j = 0; j <= n; j++) next[j] = dp[j] || (j > 0 && next[j - 1] && s[j - 1] !== '/') ? 1 : 0;
        break;
      case 'any':
        for (let j = 0; j <= n; j++) next[j] = dp[j] || (j > 0 && next[j - 1]) ? 1 : 0;
        break;
      case 'dirs': {
        // nothing, or anything that ends with a slash
        let seen = false;
        for (let j = 0; j <= n; j++) {
          next[j] = dp[j] || (seen && s[j - 1] === '/') ? 1 : 0;
          if (dp[j]) seen = true;
        }
        break;
      }
    }
    dp = next;
  }
  return dp[n] === 1;
}
