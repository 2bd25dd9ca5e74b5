// What a check expects, in words (CheckResult.expected), and the numeric bound every engine applies the same
// way. Engines normalise values their own way (sshd -T forms, kernel numbers, octal umasks) before comparing.
import type { Expectation } from './types.ts';

export function describeExpectation(e: Expectation): string {
  if ('equals' in e) return e.equals;
  if ('oneOf' in e) return `one of ${e.oneOf.join(', ')}`;
  if ('excludes' in e) return `none of ${e.excludes.join(', ')}`;
  if ('present' in e) return 'set explicitly';
  if (e.min !== undefined && e.max !== undefined) return `between ${e.min} and ${e.max}`;
  if (e.min !== undefined) return `at least ${e.min}`;
  return `at most ${e.max ?? ''}`;
}

/** Whether `n` lies within a `{min, max}` expectation (inclusive; an absent bound does not limit). */
export function withinBounds(e: { readonly min?: number; readonly max?: number }, n: number): boolean {
  return (e.min === undefined || n >= e.min) && (e.max === undefined || n <= e.max);
}
