import { alpineVersion } from '../ecosystems/alpine/version.ts';
import { bitnamiVersion } from '../ecosystems/bitnami/version.ts';
import { cargoVersion } from '../ecosystems/cargo/version.ts';
import { cocoapodsVersion } from '../ecosystems/cocoapods/version.ts';
import { cranVersion } from '../ecosystems/cran/version.ts';
import { debianVersion } from '../ecosystems/debian/version.ts';
import { goVersion } from '../ecosystems/go/version.ts';
import { hackageVersion } from '../ecosystems/hackage/version.ts';
import { hexVersion } from '../ecosystems/hex/version.ts';
import { mavenVersion } from '../ecosystems/maven/version.ts';
import { npmVersion } from '../ecosystems/npm/version.ts';
import { nugetVersion } from '../ecosystems/nuget/version.ts';
import { packagistVersion } from '../ecosystems/packagist/version.ts';
import { pubVersion } from '../ecosystems/pub/version.ts';
import { pypiVersion } from '../ecosystems/pypi/version.ts';
import { rpmVersion } from '../ecosystems/rpm/version.ts';
import { rubygemsVersion } from '../ecosystems/rubygems/version.ts';
import { swiftVersion } from '../ecosystems/swift/version.ts';
import type { Ordering, VersionScheme, VersionSchemeId } from './scheme.ts';

export type { Ordering, VersionScheme, VersionSchemeId } from './scheme.ts';
export { isLenientVersion, parseForOsv } from './scheme.ts';
export {
  AFTER_ALL,
  BEFORE_ALL,
  compareOsv,
  parseOsvEvent,
  type OsvBound,
  type OsvEventKind,
  type OsvEventParse,
} from './osv.ts';

/**
 * Every OSV ecosystem name we know, spelled exactly as OSV does (ossf.github.io/osv-schema/#defined-ecosystems).
 * Records may add a suffix after `:` (`Debian:12`, `AlmaLinux:9`, `Alpine:v3.19`, `Ubuntu:22.04:LTS`); the
 * order is the base's (see `osvEcosystemBase`).
 */
export const OSV_ECOSYSTEMS = [
  'AlmaLinux',
  'Alpaquita',
  'Alpine',
  'Android',
  'Azure Linux',
  'BellSoft Hardened Containers',
  'Bioconductor',
  'Bitnami',
  'Chainguard',
  'CocoaPods',
  'ConanCenter',
  'CRAN',
  'crates.io',
  'Debian',
  'GHC',
  'GIT',
  'GitHub Actions',
  'Go',
  'Hackage',
  'Hex',
  'Julia',
  'Linux',
  'Mageia',
  'Maven',
  'MinimOS',
  'npm',
  'NuGet',
  'openEuler',
  'openSUSE',
  'OSS-Fuzz',
  'Packagist',
  'Photon OS',
  'Pub',
  'PyPI',
  'Red Hat',
  'Rocky Linux',
  'RubyGems',
  'SUSE',
  'SwiftURL',
  'Ubuntu',
  'Wolfi',
] as const;
export type OsvEcosystem = (typeof OSV_ECOSYSTEMS)[number];

/** Every version scheme, one per folder under `src/scan/ecosystems/` that has a `version.ts`. */
export const VERSION_SCHEMES: ReadonlyMap<VersionSchemeId, VersionScheme> = new Map<VersionSchemeId, VersionScheme>(
  [
    alpineVersion,
    bitnamiVersion,
    cargoVersion,
    cocoapodsVersion,
    cranVersion,
    debianVersion,
    goVersion,
    hackageVersion,
    hexVersion,
    mavenVersion,
    npmVersion,
    nugetVersion,
    packagistVersion,
    pubVersion,
    pypiVersion,
    rpmVersion,
    rubygemsVersion,
    swiftVersion,
  ].map((s) => [s.id, s]),
);

/** The order of each OSV ecosystem's versions. */
export const ECOSYSTEM_VERSION_SCHEMES: ReadonlyMap<OsvEcosystem, VersionScheme> = new Map<OsvEcosystem, VersionScheme>(
  [
    ['npm', npmVersion],
    ['crates.io', cargoVersion],
    ['Go', goVersion],
    ['Hex', hexVersion],
    ['SwiftURL', swiftVersion],
    ['Bitnami', bitnamiVersion],
    ['Pub', pubVersion],
    ['NuGet', nugetVersion],
    ['PyPI', pypiVersion],
    ['Maven', mavenVersion],
    ['RubyGems', rubygemsVersion],
    ['Packagist', packagistVersion],
    ['CocoaPods', cocoapodsVersion],
    ['CRAN', cranVersion],
    ['Bioconductor', cranVersion],
    ['Hackage', hackageVersion],
    ['GHC', hackageVersion],
    ['Debian', debianVersion],
    ['Ubuntu', debianVersion],
    ['Alpine', alpineVersion],
    ['Wolfi', alpineVersion],
    ['Chainguard', alpineVersion],
    ['MinimOS', alpineVersion],
    ['Alpaquita', alpineVersion],
    ['BellSoft Hardened Containers', alpineVersion],
    ['Red Hat', rpmVersion],
    ['AlmaLinux', rpmVersion],
    ['Rocky Linux', rpmVersion],
    ['openSUSE', rpmVersion],
    ['SUSE', rpmVersion],
    ['Mageia', rpmVersion],
    ['openEuler', rpmVersion],
    ['Photon OS', rpmVersion],
    ['Azure Linux', rpmVersion],
  ],
);

/**
 * OSV ecosystems with no version order here, each for a reason: their ranges are `GIT` commits or exact
 * `versions` lists (Android, Linux, OSS-Fuzz, GIT), or their version rules are not implemented yet
 * (ConanCenter, GitHub Actions, Julia). Comparing their versions gives `unsupported-ecosystem`, which the
 * matcher must treat as unknown.
 */
export const UNORDERED_ECOSYSTEMS: ReadonlySet<OsvEcosystem> = new Set<OsvEcosystem>([
  'Android',
  'ConanCenter',
  'GIT',
  'GitHub Actions',
  'Julia',
  'Linux',
  'OSS-Fuzz',
]);

const KNOWN: ReadonlySet<string> = new Set(OSV_ECOSYSTEMS);

/** The base of an OSV ecosystem name (`Debian:12` → `Debian`), or `undefined` for a name OSV does not define. */
export function osvEcosystemBase(ecosystem: string): OsvEcosystem | undefined {
  const colon = ecosystem.indexOf(':');
  const base = colon === -1 ? ecosystem : ecosystem.slice(0, colon);
  return KNOWN.has(base) ? (base as OsvEcosystem) : undefined;
}

/** The version order of an OSV ecosystem (suffix allowed), or `undefined` when there is none. */
export function versionSchemeFor(ecosystem: string): VersionScheme | undefined {
  const base = osvEcosystemBase(ecosystem);
  return base === undefined ? undefined : ECOSYSTEM_VERSION_SCHEMES.get(base);
}

export type VersionComparison =
  | { readonly ok: true; readonly order: Ordering }
  | { readonly ok: false; readonly reason: 'unsupported-ecosystem'; readonly ecosystem: string }
  | { readonly ok: false; readonly reason: 'unparsable'; readonly ecosystem: string; readonly version: string };

/**
 * Compares two version strings of an OSV ecosystem. Convenient for one-off comparisons; a matcher comparing
 * many pairs should parse each version once with `versionSchemeFor(e).parse` and compare parsed values.
 */
export function compareVersions(ecosystem: string, a: string, b: string): VersionComparison {
  const scheme = versionSchemeFor(ecosystem);
  if (scheme === undefined) return { ok: false, reason: 'unsupported-ecosystem', ecosystem };
  const pa = scheme.parse(a);
  if (pa === undefined) return { ok: false, reason: 'unparsable', ecosystem, version: a };
  const pb = scheme.parse(b);
  if (pb === undefined) return { ok: false, reason: 'unparsable', ecosystem, version: b };
  return { ok: true, order: scheme.compare(pa, pb) };
}
