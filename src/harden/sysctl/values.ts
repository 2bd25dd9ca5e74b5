// Comparing sysctl values as the kernel reads them. Integer sysctls go through proc_dointvec & co., which
// parse with base 0 (`0x10`, `010` octal, `16`) and reject trailing junk; multi-number values (`tcp_rmem`) are
// blank-separated, any run of blanks being one. Anything else compares as written. Pure.
import type { Expectation } from '../types.ts';
import { withinBounds } from '../expect.ts';

const C_INTEGER = /^[+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

/** A C `strtol(s, &end, 0)` that must consume the whole string; undefined when it would not. */
export function parseCInteger(s: string): number | undefined {
  const t = s.trim();
  if (!C_INTEGER.test(t)) return undefined;
  const neg = t.startsWith('-');
  const u = t.replace(/^[+-]/, '');
  const n = /^0[xX]/.test(u) ? parseInt(u.slice(2), 16) : u.length > 1 && u[0] === '0' ? parseInt(u, 8) : Number(u);
  return neg ? -n : n;
}

/** Canonical text: blanks collapsed, each integer token in decimal. */
export function normaliseValue(v: string): string {
  return v
    .trim()
    .split(/\s+/)
    .map((tok) => {
      const n = parseCInteger(tok);
      return n === undefined ? tok : String(n);
    })
    .join(' ');
}

/** Whether a value (undefined: not set) satisfies an expectation. Unparseable numbers never do. */
export function satisfies(e: Expectation, value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = normaliseValue(value);
  if ('equals' in e) return v === normaliseValue(e.equals);
  if ('oneOf' in e) return e.oneOf.some((o) => normaliseValue(o) === v);
  if ('excludes' in e) {
    const tokens = new Set(v.split(/[\s,]+/));
    return !e.excludes.some((x) => tokens.has(normaliseValue(x)));
  }
  if ('present' in e) return true;
  const n = parseCInteger(value);
  if (n === undefined) return false;
  return withinBounds(e, n);
}
