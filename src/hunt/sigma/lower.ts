/**
 * Lower-cased event strings, shared by every rule and by the prefilter while one event is matched: its values
 * are compared by many rules, and V8 caches a string's hash, so a lookup is far cheaper than lower-casing a long
 * command line again. Cleared for each event (forgetLowerCase): entries that outlive an event would be promoted
 * to the old generation and become garbage there, which grows the heap between full collections.
 */
const lowerCache = new Map<string, string>();
/** Bounds one event with a great many values (keyword search over a huge record). */
const LOWER_CACHE_MAX = 4096;

/** `s.toLowerCase()`, cached until the next forgetLowerCase. */
export function lower(s: string): string {
  let l = lowerCache.get(s);
  if (l === undefined) {
    if (lowerCache.size >= LOWER_CACHE_MAX) lowerCache.clear();
    l = s.toLowerCase();
    lowerCache.set(s, l);
  }
  return l;
}

/** Drops the cached lower-case strings: call when moving to the next event. */
export function forgetLowerCase(): void {
  if (lowerCache.size !== 0) lowerCache.clear();
}
