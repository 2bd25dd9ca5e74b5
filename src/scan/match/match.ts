import type { Package } from '../inventory/types.ts';
import type { OsvAffected, OsvReference, OsvSeverity } from '../osv/schema.ts';
import type { OsvCandidate, OsvRecordHeader, OsvStore } from '../osv/store.ts';
import { versionSchemeFor } from '../versions/index.ts';
import { evaluateEntries, VersionCache, type Verdict } from './evaluate.ts';
import { assessSeverity, type FindingSeverity } from './severity.ts';

/**
 * Matching one package against the OSV records of its name: which records apply, merged by alias into one
 * vulnerability each, with fixed versions, severity, and the upgrade that clears the package.
 *
 * Entry choice by release: a package of `AlmaLinux:9` (or `Debian:12`) only matches entries of exactly
 * `AlmaLinux:9`; a package without a release (`AlmaLinux`, `PyPI`) matches the entries of its base ecosystem
 * whatever their release, as osv-scalibr does, since nothing tells which release it is (fail closed; the
 * finding lists the entry ecosystems that matched).
 */
export type VulnerabilityMatch = {
  /** The id reported: a CVE when the vulnerability has one (as Trivy), else a GHSA id, else the record's id. */
  readonly id: string;
  /** Every other id it is known by (record ids and their aliases), sorted. */
  readonly aliases: readonly string[];
  /** The OSV records merged here. */
  readonly records: readonly string[];
  /** `affected`, or `unknown` when the records could not be evaluated (see `reasons`). */
  readonly status: 'affected' | 'unknown';
  readonly reasons: readonly string[];
  readonly summary?: string;
  readonly severity: FindingSeverity;
  /** The `fixed` versions of the matched entries, in the ecosystem's order. */
  readonly fixed: readonly string[];
  /** The entry ecosystems that matched (`AlmaLinux:9`, `PyPI`). */
  readonly ecosystems: readonly string[];
  readonly published?: string;
  readonly modified?: string;
  readonly references: readonly OsvReference[];
};

export type PackageMatch = {
  readonly package: Package;
  /** Vulnerabilities affecting the installed version. */
  readonly vulnerabilities: readonly VulnerabilityMatch[];
  /** Vulnerabilities whose effect could not be decided: reported, never taken as "not affected". */
  readonly unknown: readonly VulnerabilityMatch[];
  /**
   * The smallest `fixed` version above the installed one at which no record of the package applies (affected
   * or unknown), when there is one. Absent when nothing affects the package or no known version clears it.
   */
  readonly upgrade?: string;
};

export type MatchOptions = { readonly cache?: VersionCache };

const sharedCache = new VersionCache();

/**
 * Ecosystems whose OSV records name the SOURCE package (Debian's `openssl`, not `libssl3`), at its version:
 * an installed binary package is matched by its source. Red Hat-family and SUSE records name binary rpms.
 */
const KEYED_BY_SOURCE = new Set(['Debian', 'Ubuntu', 'Alpine', 'Wolfi', 'Chainguard', 'MinimOS']);

/** The (name, version) OSV records know a package by: its source package where the ecosystem is keyed so. */
export function osvIdentity(pkg: Package): { name: string; version: string } {
  const base = pkg.ecosystem.split(':')[0]!;
  if (!KEYED_BY_SOURCE.has(base) || pkg.sourceName === undefined) return { name: pkg.name, version: pkg.version };
  return { name: pkg.sourceName, version: pkg.sourceVersion ?? pkg.version };
}

/** Looks the package up in the store and matches it (by its source package where OSV keys records so). */
export function matchPackage(store: OsvStore, pkg: Package, opts: MatchOptions = {}): PackageMatch {
  const id = osvIdentity(pkg);
  if (id.name === pkg.name && id.version === pkg.version)
    return matchCandidates(pkg, store.lookup(pkg.ecosystem, pkg.name), opts);
  const m = matchCandidates({ ...pkg, ...id }, store.lookup(pkg.ecosystem, id.name), opts);
  return { ...m, package: pkg };
}

/** The entries that apply to a package of ecosystem `ecosystem` (release rules above). */
export function selectEntries(ecosystem: string, entries: readonly OsvAffected[]): readonly OsvAffected[] {
  if (!ecosystem.includes(':')) return entries;
  return entries.filter((e) => e.ecosystem === ecosystem);
}

type Evaluated = { record: OsvRecordHeader; entries: readonly OsvAffected[]; verdict: Verdict };

/** Matches a package against candidates already looked up (pure: no store). */
export function matchCandidates(
  pkg: Package,
  candidates: readonly OsvCandidate[],
  opts: MatchOptions = {},
): PackageMatch {
  const cache = opts.cache ?? sharedCache;
  const live: { record: OsvRecordHeader; entries: readonly OsvAffected[] }[] = [];
  for (const c of candidates) {
    if (c.record.withdrawn !== undefined) continue;
    const entries = selectEntries(pkg.ecosystem, c.entries);
    if (entries.length > 0) live.push({ record: c.record, entries });
  }
  const hits: Evaluated[] = [];
  for (const c of live) {
    const verdict = evaluateEntries(pkg.version, pkg.ecosystem, c.entries, cache);
    if (verdict.status !== 'not-affected') hits.push({ ...c, verdict });
  }
  if (hits.length === 0) return { package: pkg, vulnerabilities: [], unknown: [] };

  const groups = groupByAlias(hits);
  const vulnerabilities: VulnerabilityMatch[] = [];
  const unknown: VulnerabilityMatch[] = [];
  for (const g of groups) {
    const v = describe(pkg, g, cache);
    (v.status === 'affected' ? vulnerabilities : unknown).push(v);
  }
  const byId = (a: VulnerabilityMatch, b: VulnerabilityMatch): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  vulnerabilities.sort(byId);
  unknown.sort(byId);
  const upgrade = findUpgrade(pkg, live, cache);
  return { package: pkg, vulnerabilities, unknown, ...(upgrade === undefined ? {} : { upgrade }) };
}

/** Joins records that name each other (id or alias in common) into one vulnerability: union-find over ids. */
function groupByAlias(hits: readonly Evaluated[]): Evaluated[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    let y = x;
    while (parent.get(y) !== r) {
      const next = parent.get(y) as string;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  const add = (x: string): void => {
    if (!parent.has(x)) parent.set(x, x);
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const h of hits) {
    add(h.record.id);
    for (const a of h.record.aliases) {
      add(a);
      union(h.record.id, a);
    }
  }
  const groups = new Map<string, Evaluated[]>();
  for (const h of hits) {
    const root = find(h.record.id);
    const g = groups.get(root);
    if (g === undefined) groups.set(root, [h]);
    else g.push(h);
  }
  return [...groups.values()];
}

const CVE = /^CVE-(\d{4})-(\d+)$/;

function compareIds(a: string, b: string): number {
  const ca = CVE.exec(a);
  const cb = CVE.exec(b);
  if (ca !== null && cb !== null) {
    return Number(ca[1]) - Number(cb[1]) || Number(ca[2]) - Number(cb[2]) || (a < b ? -1 : a > b ? 1 : 0);
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The id a merged vulnerability is reported by: the earliest CVE among all its ids, else the first GHSA id,
 * else the first record id (sorted). Trivy reports CVE ids where they exist and GHSA ids otherwise, so this
 * is what users comparing the two tools see.
 */
export function canonicalId(recordIds: readonly string[], aliases: readonly string[]): string {
  const all = [...recordIds, ...aliases];
  const cves = all.filter((i) => CVE.test(i)).sort(compareIds);
  if (cves.length > 0) return cves[0] as string;
  const ghsa = all.filter((i) => i.startsWith('GHSA-')).sort(compareIds);
  if (ghsa.length > 0) return ghsa[0] as string;
  return [...recordIds].sort(compareIds)[0] as string;
}

function describe(pkg: Package, group: readonly Evaluated[], cache: VersionCache): VulnerabilityMatch {
  const recordIds = [...new Set(group.map((g) => g.record.id))].sort(compareIds);
  const aliasSet = new Set<string>();
  for (const g of group) for (const a of g.record.aliases) aliasSet.add(a);
  const id = canonicalId(recordIds, [...aliasSet]);
  const aliases = [...new Set([...recordIds, ...aliasSet])].filter((x) => x !== id).sort(compareIds);
  const affected = group.some((g) => g.verdict.status === 'affected');
  const reasons = affected
    ? []
    : [
        ...new Set(
          group.flatMap((g) => (g.verdict.status === 'unknown' ? [`${g.record.id}: ${g.verdict.reason}`] : [])),
        ),
      ];
  const entrySeverity: OsvSeverity[] = group.flatMap((g) => g.entries.flatMap((e) => e.severity));
  const fixedRaw = new Set<string>();
  const ecosystems = new Set<string>();
  for (const g of group) {
    for (const e of g.entries) {
      ecosystems.add(e.ecosystem);
      for (const r of e.ranges) for (const ev of r.events) if (ev.kind === 'fixed') fixedRaw.add(ev.value);
    }
  }
  // the primary record for text: the one whose id is reported, else the first
  const primary = group.find((g) => g.record.id === id)?.record ?? group[0]?.record;
  const summary = primary?.summary ?? group.find((g) => g.record.summary !== undefined)?.record.summary;
  const refs = new Map<string, OsvReference>();
  for (const g of group) for (const r of g.record.references) if (!refs.has(r.url)) refs.set(r.url, r);
  const published = minDefined(group.map((g) => g.record.published));
  const modified = maxDefined(group.map((g) => g.record.modified));
  return {
    id,
    aliases,
    records: recordIds,
    status: affected ? 'affected' : 'unknown',
    reasons,
    ...(summary === undefined ? {} : { summary }),
    severity: assessSeverity(
      group.map((g) => g.record),
      entrySeverity,
    ),
    fixed: sortVersions(pkg.ecosystem, [...fixedRaw], cache),
    ecosystems: [...ecosystems].sort(),
    ...(published === undefined ? {} : { published }),
    ...(modified === undefined ? {} : { modified }),
    references: [...refs.values()],
  };
}

function minDefined(xs: readonly (string | undefined)[]): string | undefined {
  let m: string | undefined;
  for (const x of xs) if (x !== undefined && (m === undefined || x < m)) m = x;
  return m;
}
function maxDefined(xs: readonly (string | undefined)[]): string | undefined {
  let m: string | undefined;
  for (const x of xs) if (x !== undefined && (m === undefined || x > m)) m = x;
  return m;
}

/** Versions in the ecosystem's order; ones that do not parse go last, by text. */
function sortVersions(ecosystem: string, versions: readonly string[], cache: VersionCache): string[] {
  const scheme = versionSchemeFor(ecosystem);
  if (scheme === undefined) return [...versions].sort();
  const parsed = versions.map((v) => ({ v, p: cache.parse(scheme, v) }));
  parsed.sort((a, b) => {
    if (a.p === undefined || b.p === undefined) {
      if (a.p !== b.p) return a.p === undefined ? 1 : -1;
      return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    }
    return scheme.compare(a.p, b.p) || (a.v < b.v ? -1 : a.v > b.v ? 1 : 0);
  });
  return parsed.map((x) => x.v);
}

/**
 * The upgrade that clears the package: the smallest `fixed` version (of any record of the package) above the
 * installed one at which no record of the package applies. Records that do not affect the installed version
 * are checked too, so the upgrade does not step into another known vulnerability; an `unknown` verdict at a
 * candidate does not clear it.
 */
function findUpgrade(
  pkg: Package,
  live: readonly { record: OsvRecordHeader; entries: readonly OsvAffected[] }[],
  cache: VersionCache,
): string | undefined {
  const scheme = versionSchemeFor(pkg.ecosystem);
  if (scheme === undefined) return undefined;
  const installed = cache.parse(scheme, pkg.version);
  if (installed === undefined) return undefined;
  const candidates = new Map<string, unknown>();
  for (const h of live) {
    for (const e of h.entries) {
      for (const r of e.ranges) {
        for (const ev of r.events) {
          if (ev.kind !== 'fixed' || candidates.has(ev.value)) continue;
          const p = cache.parse(scheme, ev.value);
          if (p !== undefined && scheme.compare(p, installed) > 0) candidates.set(ev.value, p);
        }
      }
    }
  }
  const ordered = [...candidates].sort((a, b) => scheme.compare(a[1], b[1]));
  for (const [version] of ordered) {
    if (live.every((c) => evaluateEntries(version, pkg.ecosystem, c.entries, cache).status === 'not-affected')) {
      return version;
    }
  }
  return undefined;
}
