import type { OsvAffected, OsvEvent } from '../osv/schema.ts';
import {
  AFTER_ALL,
  BEFORE_ALL,
  compareOsv,
  osvEcosystemBase,
  versionSchemeFor,
  type OsvBound,
  type VersionScheme,
} from '../versions/index.ts';
import { isLenientVersion, parseForOsv } from '../versions/scheme.ts';
import {
  compareSemver,
  isLenientSemver,
  parseSemver,
  parseSemverLenient,
  type SemverParsed,
} from '../versions/semver.ts';

/**
 * OSV's evaluation algorithm (ossf.github.io/osv-schema/#evaluation) for one package version against the
 * `affected[]` entries of one record, made fail-closed: wherever the answer depends on a version that cannot
 * be parsed, or on an order we do not have, the verdict is `unknown` with the reason, never "not affected".
 *
 * - An entry affects the version if the version is in its `versions` list, or in any of its ranges.
 * - `SEMVER` ranges are ordered by SemVer 2.0.0 (the ecosystem's own scheme where it is SemVer-based, so Pub's
 *   build order and Go's `v` prefix are honoured); `ECOSYSTEM` ranges by the ecosystem's scheme; `GIT` ranges
 *   and unknown types say nothing about a package version and are skipped.
 * - Events are sorted by version (`introduced: "0"` first), ties kept in the record's order, then walked:
 *   `introduced` ≤ v sets affected, `fixed` ≤ v clears it, `last_affected` < v clears it. A range with `limit`
 *   events only applies below one of them.
 * - Versions are parsed for OSV's order, which also places some strings the ecosystem's own tool rejects (a
 *   PyPI legacy version, an apk string outside apk's grammar; see `VersionScheme.isLenient`). Such a version
 *   can make a range `affected`, but never `not-affected`: where one took part, that answer is `unknown`.
 */
export type Verdict =
  | { readonly status: 'affected'; readonly via: 'versions' | 'range' }
  | { readonly status: 'not-affected' }
  | { readonly status: 'unknown'; readonly reason: string };

type Parsed = unknown;

/** The generic SemVer 2.0.0 order for `SEMVER` ranges of ecosystems whose own order is not SemVer. */
const SEMVER: VersionScheme<SemverParsed> = {
  id: 'npm',
  spec: 'SemVer 2.0.0',
  parse: parseSemver,
  parseLenient: parseSemverLenient,
  isLenient: isLenientSemver,
  compare: compareSemver,
};
/**
 * For `ECOSYSTEM` ranges of an ecosystem with no version order here (ConanCenter, GitHub Actions, Julia): plain
 * dotted numbers (`8.44`, `1.2.3`) are ordered part by part, missing parts read as 0, which every versioning
 * scheme in use agrees on; any other version stays unknown.
 */
const DOTTED: VersionScheme<readonly number[]> = {
  id: 'npm',
  spec: 'dotted numbers (no order defined for this ecosystem beyond them)',
  parse(v: string): readonly number[] | undefined {
    if (v.length > 64 || !/^[0-9]{1,15}(\.[0-9]{1,15}){0,7}$/.test(v)) return undefined;
    return v.split('.').map(Number);
  },
  compare(a, b) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const x = a[i] ?? 0;
      const y = b[i] ?? 0;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  },
};

/** Schemes that are SemVer 2.0.0 (possibly with extras), so a `SEMVER` range can use them directly. */
const SEMVER_FAMILY: ReadonlySet<string> = new Set(['npm', 'cargo', 'go', 'hex', 'swift', 'bitnami', 'pub']);

/** Parses versions once per scheme: the same versions recur across records and packages. */
export class VersionCache {
  readonly #maps = new Map<VersionScheme, Map<string, Parsed | null>>();
  readonly #limit: number;
  constructor(limit = 200_000) {
    this.#limit = limit;
  }
  parse(scheme: VersionScheme, v: string): Parsed | undefined {
    let m = this.#maps.get(scheme);
    if (m === undefined) this.#maps.set(scheme, (m = new Map()));
    const hit = m.get(v);
    if (hit !== undefined) return hit === null ? undefined : hit;
    const p = parseForOsv(scheme, v);
    if (m.size >= this.#limit) m.clear();
    m.set(v, p === undefined ? null : p);
    return p;
  }
}

const defaultCache = new VersionCache();

/** The scheme a range of this type is ordered by, for this package ecosystem. */
export function schemeForRange(ecosystem: string, type: string): VersionScheme | undefined {
  const own = versionSchemeFor(ecosystem);
  if (type === 'SEMVER') return own !== undefined && SEMVER_FAMILY.has(own.id) ? own : (SEMVER as VersionScheme);
  if (type === 'ECOSYSTEM')
    return own ?? (osvEcosystemBase(ecosystem) === undefined ? undefined : (DOTTED as VersionScheme));
  return undefined;
}

type RangeVerdict = 'affected' | 'not-affected' | { reason: string };

function evaluateRange(
  version: string,
  ecosystem: string,
  type: string,
  events: readonly OsvEvent[],
  cache: VersionCache,
): RangeVerdict | undefined {
  if (type !== 'SEMVER' && type !== 'ECOSYSTEM') return undefined;
  const scheme = schemeForRange(ecosystem, type);
  if (scheme === undefined) return { reason: `no version order for ${ecosystem} (${type} range)` };
  const v = cache.parse(scheme, version);
  if (v === undefined)
    return { reason: `version ${JSON.stringify(version)} is not a valid ${ecosystem} version (${scheme.spec})` };
  // the first version taking part that only OSV's order places: it may make the range affected, never clear it
  let lenient = isLenientVersion(scheme, v) ? version : undefined;
  const bounds: { kind: OsvEvent['kind']; bound: OsvBound<Parsed>; order: number }[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as OsvEvent;
    let bound: OsvBound<Parsed>;
    if (e.kind === 'introduced' && e.value === '0') bound = BEFORE_ALL;
    else if (e.kind === 'limit' && e.value === '*') bound = AFTER_ALL;
    else {
      const p = cache.parse(scheme, e.value);
      if (p === undefined) {
        return { reason: `the record's ${e.kind} ${JSON.stringify(e.value)} is not a valid ${ecosystem} version` };
      }
      if (lenient === undefined && isLenientVersion(scheme, p)) lenient = e.value;
      bound = p;
    }
    bounds.push({ kind: e.kind, bound, order: i });
  }
  const cmp = (a: OsvBound<Parsed>, b: OsvBound<Parsed>): number => compareOsv(scheme, a, b);
  const notAffected: RangeVerdict =
    lenient === undefined
      ? 'not-affected'
      : {
          reason:
            `${JSON.stringify(lenient)} is not a valid ${ecosystem} version (${scheme.spec}): only OSV's order ` +
            `places it, so that ${version === lenient ? 'it' : JSON.stringify(version)} falls outside the range ` +
            'does not show the package is unaffected',
        };
  // limits: with any, the version must be below one of them
  let limited = false;
  let below = false;
  for (const b of bounds) {
    if (b.kind !== 'limit') continue;
    limited = true;
    if (cmp(v, b.bound) < 0) below = true;
  }
  if (limited && !below) return notAffected;
  // Array.prototype.sort is stable: equal versions keep the record's order
  bounds.sort((a, b) => cmp(a.bound, b.bound));
  let affected = false;
  for (const b of bounds) {
    if (b.kind === 'introduced') {
      if (cmp(v, b.bound) >= 0) affected = true;
    } else if (b.kind === 'fixed') {
      if (cmp(v, b.bound) >= 0) affected = false;
    } else if (b.kind === 'last_affected') {
      if (cmp(v, b.bound) > 0) affected = false;
    }
  }
  return affected ? 'affected' : notAffected;
}

/** Whether `version` is in a `versions` list: same string, or equal in the ecosystem's order. */
function inVersions(version: string, ecosystem: string, versions: readonly string[], cache: VersionCache): boolean {
  if (versions.length === 0) return false;
  if (versions.includes(version)) return true;
  const scheme = versionSchemeFor(ecosystem);
  if (scheme === undefined) return false;
  const v = cache.parse(scheme, version);
  if (v === undefined) return false;
  for (const x of versions) {
    const p = cache.parse(scheme, x);
    if (p !== undefined && scheme.compare(v, p) === 0) return true;
  }
  return false;
}

/** Evaluates one entry (already chosen for the package's ecosystem and name). */
export function evaluateEntry(version: string, ecosystem: string, entry: OsvAffected, cache = defaultCache): Verdict {
  if (version.trim() === '') return { status: 'unknown', reason: 'the package has no version' };
  if (inVersions(version, ecosystem, entry.versions, cache)) return { status: 'affected', via: 'versions' };
  let unknown: string | undefined;
  let usable = entry.versions.length > 0;
  for (const r of entry.ranges) {
    const verdict = evaluateRange(version, ecosystem, r.type, r.events, cache);
    if (verdict === undefined) continue;
    usable = true;
    if (verdict === 'affected') return { status: 'affected', via: 'range' };
    if (typeof verdict === 'object') unknown ??= verdict.reason;
  }
  if (unknown !== undefined) return { status: 'unknown', reason: unknown };
  if (!usable) return { status: 'unknown', reason: 'the record gives no versions or version ranges for this package' };
  return { status: 'not-affected' };
}

/** Evaluates a record's entries for one package: affected if any entry is, else unknown if any is. */
export function evaluateEntries(
  version: string,
  ecosystem: string,
  entries: readonly OsvAffected[],
  cache = defaultCache,
): Verdict {
  let unknown: Verdict | undefined;
  for (const e of entries) {
    const v = evaluateEntry(version, ecosystem, e, cache);
    if (v.status === 'affected') return v;
    if (v.status === 'unknown') unknown ??= v;
  }
  return unknown ?? { status: 'not-affected' };
}
