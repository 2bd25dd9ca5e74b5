// Which operating system a scanned root holds, and the OSV ecosystem its packages are matched in. Pure: the
// extractors ask the walker for the release files (`related`) and pass their texts here.
//
// Release files, first found wins: `etc/os-release`, `usr/lib/os-release` (os-release(5); `etc/os-release` is
// often an absolute symlink the walker will not follow out of the root), `etc/lsb-release` (old Ubuntu),
// `etc/alpine-release`, `etc/redhat-release`, `etc/debian_version`.
//
// OSV ecosystem strings, as records spell them (ossf/osv-schema `ecosystems.json` and the "Defined ecosystems"
// table of docs/schema.md; the matcher compares the whole string, so they must be exact):
// - Debian `Debian:12`: the major release number (distro-info-data), point releases are the same suite.
// - Ubuntu `Ubuntu:22.04:LTS` for LTS releases, `Ubuntu:23.10` otherwise: the `:LTS` suffix is mandatory on LTS
//   releases. `Ubuntu:Pro:22.04:LTS` (ESM) and the other subscription streams (`Ubuntu:Pro:FIPS-updates:...`)
//   are not chosen: nothing in os-release says the host is attached to Ubuntu Pro.
// - Alpine `Alpine:v3.19`: major.minor with the required `v`.
// - AlmaLinux `AlmaLinux:9`, Rocky `Rocky Linux:9`, Mageia `Mageia:9`, Azure Linux `Azure Linux:3`: the major.
// - Photon OS `Photon OS:5.0`: VERSION_ID as written.
// - openSUSE `openSUSE:Leap 15.5`, `openSUSE:Leap Micro 5.5`, `openSUSE:Tumbleweed`.
// - Red Hat: records carry a product-stream CPE suffix (`Red Hat:enterprise_linux:9::baseos`,
//   `...::appstream`, `Red Hat:rhel_eus:9.2::baseos`), and which repository an installed rpm came from is not
//   in the rpm database; so bare `Red Hat`, which the matcher matches against every stream (fail closed).
// - SUSE: records are filed under the module that ships a package (`SUSE:Linux Enterprise Module for
//   Basesystem 15 SP5`) plus a support-phase suffix (`-LTSS`), neither in os-release: bare `SUSE`.
// - Wolfi, Chainguard, MinimOS: no release suffix (rolling).
// - openEuler, CBL-Mariner: bare base (the release suffix form is not settled here).
// - Amazon Linux, Oracle Linux, CentOS, Fedora and the rest: OSV defines no ecosystem; refused with a reason.
import type { OsvEcosystem } from '../versions/index.ts';
import type { RelatedFiles } from '../inventory/extract.ts';
import { DEBIAN_CODENAMES, UBUNTU_CODENAMES, ubuntuSuffix } from '../inventory/purl.ts';

/** The fields of a root's release files that decide its OSV ecosystem. */
export type OsRelease = {
  /** os-release `ID`, lower case (`debian`, `ubuntu`, `alpine`, `rhel`, `rocky`, `opensuse-leap`). */
  readonly id: string;
  /** `VERSION_ID` (`12`, `22.04`, `3.19.1`, `9.3`), when known. */
  readonly versionId?: string;
  readonly name?: string;
  readonly prettyName?: string;
  /** `VERSION` (`22.04.3 LTS (Jammy Jellyfish)`), which tells an Ubuntu LTS. */
  readonly version?: string;
  readonly versionCodename?: string;
  /** `UBUNTU_CODENAME` of Ubuntu derivatives (Mint, Pop!_OS): the Ubuntu release they are built on. */
  readonly ubuntuCodename?: string;
  /** `ID_LIKE`, lower case. */
  readonly idLike: readonly string[];
  /** The release file it was read from, relative to the scanned root. */
  readonly source: string;
};

/** The package database formats. */
export type PackageFamily = 'deb' | 'apk' | 'rpm';

export type OsvEcosystemName = OsvEcosystem | `${OsvEcosystem}:${string}`;

/** Where a root's packages go: the OSV ecosystem and how to spell their purls. */
export type OsvTarget = {
  readonly ecosystem: OsvEcosystemName;
  readonly purlType: PackageFamily;
  /** purl namespace (the vendor): `debian`, `ubuntu`, `alpine`, `rocky`, `redhat`. */
  readonly purlNamespace: string;
  /** purl `distro` qualifier: `debian-12`, `ubuntu-22.04`, `alpine-3.19.1`. */
  readonly distro?: string;
  /** Why the choice is approximate (no release suffix, a derivative), to report as an issue. */
  readonly note?: string;
};

export type OsvTargetResult =
  { readonly ok: true; readonly target: OsvTarget } | { readonly ok: false; readonly reason: string };

/** The release files, in the order they are tried. */
export const RELEASE_FILES = [
  'etc/os-release',
  'usr/lib/os-release',
  'etc/lsb-release',
  'etc/alpine-release',
  'etc/redhat-release',
  'etc/debian_version',
] as const;

// release files are a few hundred bytes; a hostile root may put anything there: read only the start
const MAX_RELEASE_CHARS = 64 * 1024;

/**
 * The `KEY=value` assignments of an os-release (or lsb-release) file, values unquoted as os-release(5) says:
 * double quotes with `\"`, `\\`, `\$` and `` \` `` escapes, single quotes literal. Bad lines are skipped.
 */
export function parseOsReleaseText(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const body = text.length > MAX_RELEASE_CHARS ? text.slice(0, MAX_RELEASE_CHARS) : text;
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m === null) continue;
    const value = unquote(m[2]!);
    if (value !== undefined && !out.has(m[1]!)) out.set(m[1]!, value);
  }
  return out;
}

function unquote(v: string): string | undefined {
  if (v.startsWith('"')) {
    let out = '';
    for (let i = 1; i < v.length; i++) {
      const c = v[i]!;
      if (c === '\\' && i + 1 < v.length) {
        out += v[++i];
      } else if (c === '"') {
        return out;
      } else out += c;
    }
    return undefined; // unterminated
  }
  if (v.startsWith("'")) {
    const end = v.indexOf("'", 1);
    return end === -1 ? undefined : v.slice(1, end);
  }
  return v.replace(/\\(.)/g, '$1').trim();
}

function fromOsRelease(f: Map<string, string>, source: string): OsRelease | undefined {
  const id = f.get('ID')?.trim().toLowerCase();
  if (id === undefined || id === '') return undefined;
  return withOptional({
    id,
    idLike: (f.get('ID_LIKE') ?? '')
      .toLowerCase()
      .split(/\s+/)
      .filter((s) => s !== ''),
    source,
    versionId: f.get('VERSION_ID'),
    name: f.get('NAME'),
    prettyName: f.get('PRETTY_NAME'),
    version: f.get('VERSION'),
    versionCodename: f.get('VERSION_CODENAME')?.toLowerCase(),
    ubuntuCodename: f.get('UBUNTU_CODENAME')?.toLowerCase(),
  });
}

function fromLsbRelease(f: Map<string, string>, source: string): OsRelease | undefined {
  const id = f.get('DISTRIB_ID')?.trim().toLowerCase();
  if (id === undefined || id === '') return undefined;
  return withOptional({
    id,
    idLike: [],
    source,
    versionId: f.get('DISTRIB_RELEASE'),
    name: f.get('DISTRIB_ID'),
    prettyName: f.get('DISTRIB_DESCRIPTION'),
    version: f.get('DISTRIB_DESCRIPTION'),
    versionCodename: f.get('DISTRIB_CODENAME')?.toLowerCase(),
  });
}

// `<name> release <version> (<codename>)` as /etc/redhat-release writes it
const REDHAT_NAMES: readonly (readonly [RegExp, string])[] = [
  [/^red hat enterprise linux/i, 'rhel'],
  [/^rocky linux/i, 'rocky'],
  [/^almalinux/i, 'almalinux'],
  [/^centos stream/i, 'centos'],
  [/^centos/i, 'centos'],
  [/^fedora/i, 'fedora'],
  [/^oracle linux/i, 'ol'],
  [/^amazon linux/i, 'amzn'],
];

function firstLine(text: string): string {
  const body = text.length > MAX_RELEASE_CHARS ? text.slice(0, MAX_RELEASE_CHARS) : text;
  return (body.split('\n')[0] ?? '').trim();
}

function fromRedhatRelease(text: string, source: string): OsRelease | undefined {
  const line = firstLine(text);
  const m = /^(.+?)\s+release\s+(\d+(?:\.\d+)*)/i.exec(line);
  if (m === null) return undefined;
  const id = REDHAT_NAMES.find(([re]) => re.test(m[1]!))?.[1];
  if (id === undefined) return undefined;
  return { id, idLike: [], source, versionId: m[2]!, name: m[1]!, prettyName: line };
}

function fromAlpineRelease(text: string, source: string): OsRelease | undefined {
  const line = firstLine(text);
  if (!/^\d+\.\d+/.test(line)) return undefined;
  return { id: 'alpine', idLike: [], source, versionId: line, name: 'Alpine Linux' };
}

function fromDebianVersion(text: string, source: string): OsRelease | undefined {
  const line = firstLine(text);
  if (/^\d+(\.\d+)*$/.test(line)) return { id: 'debian', idLike: [], source, versionId: line, name: 'Debian' };
  // testing and unstable write `<codename>/sid`
  const m = /^([a-z]+)\/sid$/.exec(line);
  if (m !== null) return { id: 'debian', idLike: [], source, versionCodename: m[1]!, name: 'Debian' };
  return undefined;
}

function withOptional(r: {
  id: string;
  idLike: string[];
  source: string;
  [k: string]: string | string[] | undefined;
}): OsRelease {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined && v !== '') out[k] = v;
  return out as OsRelease;
}

/** The directory a rootfs path sits in: the part of `path` before `suffix` (`''` at the scanned root). */
export function rootPrefix(path: string, suffix: string): string | undefined {
  if (path === suffix) return '';
  if (path.endsWith(`/${suffix}`)) return path.slice(0, path.length - suffix.length);
  return undefined;
}

/** The release files under a rootfs prefix (`''` or `img/`), for an extractor's `related`. */
export function releaseFilesUnder(prefix: string): string[] {
  return RELEASE_FILES.map((f) => `${prefix}${f}`);
}

/** Reads the release from the texts the walker found, first file of `RELEASE_FILES` that says something. */
export function detectRelease(related: RelatedFiles | undefined, prefix: string): OsRelease | undefined {
  if (related === undefined) return undefined;
  for (const f of RELEASE_FILES) {
    const path = `${prefix}${f}`;
    const text = related.get(path);
    if (text === undefined) continue;
    let r: OsRelease | undefined;
    switch (f) {
      case 'etc/os-release':
      case 'usr/lib/os-release':
        r = fromOsRelease(parseOsReleaseText(text), path);
        break;
      case 'etc/lsb-release':
        r = fromLsbRelease(parseOsReleaseText(text), path);
        break;
      case 'etc/alpine-release':
        r = fromAlpineRelease(text, path);
        break;
      case 'etc/redhat-release':
        r = fromRedhatRelease(text, path);
        break;
      case 'etc/debian_version':
        r = fromDebianVersion(text, path);
        break;
    }
    if (r !== undefined) return r;
  }
  return undefined;
}

const own = (table: Readonly<Record<string, string>>, key: string | undefined): string | undefined =>
  key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;

function major(v: string | undefined): string | undefined {
  const m = v === undefined ? null : /^(\d+)/.exec(v);
  return m === null ? undefined : m[1]!.replace(/^0+(?=\d)/, '');
}

function describe(r: OsRelease): string {
  return r.prettyName ?? (r.versionId === undefined ? r.id : `${r.id} ${r.versionId}`);
}

const refuse = (reason: string): OsvTargetResult => ({ ok: false, reason });

/** A target: `ecosystem` spelt with `purlType`/`purlNamespace` purls, `note` when the choice is approximate. */
function to(
  ecosystem: OsvEcosystemName,
  purlType: PackageFamily,
  purlNamespace: string,
  distro: string | undefined,
  note?: string,
): OsvTargetResult {
  return {
    ok: true,
    target: {
      ecosystem,
      purlType,
      purlNamespace,
      ...(distro !== undefined ? { distro } : {}),
      ...(note !== undefined ? { note } : {}),
    },
  };
}

/** The bare base ecosystem, which the matcher matches against all its releases; `why` says why. */
function everyRelease(
  base: OsvEcosystem,
  purlType: PackageFamily,
  ns: string,
  why: string,
  distro?: string,
): OsvTargetResult {
  return to(base, purlType, ns, distro, `${why}: matched against every ${base} release`);
}

const distroOf = (id: string, v: string | undefined) => (v === undefined ? undefined : `${id}-${v}`);

function debTarget(r: OsRelease | undefined): OsvTargetResult {
  if (r === undefined) return everyRelease('Debian', 'deb', 'debian', 'no os-release');
  if (r.id === 'ubuntu') {
    const v = /^\d\d\.\d\d/.exec(r.versionId ?? '')?.[0] ?? own(UBUNTU_CODENAMES, r.versionCodename);
    if (v === undefined) return everyRelease('Ubuntu', 'deb', 'ubuntu', `${describe(r)}: release unknown`);
    return to(`Ubuntu:${ubuntuSuffix(v, r.version)}`, 'deb', 'ubuntu', distroOf('ubuntu', v));
  }
  if (r.id === 'debian') {
    const v = major(r.versionId) ?? own(DEBIAN_CODENAMES, r.versionCodename);
    if (v === undefined) return everyRelease('Debian', 'deb', 'debian', `${describe(r)}: release unknown`);
    return to(`Debian:${v}`, 'deb', 'debian', distroOf('debian', r.versionId ?? v));
  }
  // derivatives: the release they are built on, from the codename they declare
  const ubuntu = own(UBUNTU_CODENAMES, r.ubuntuCodename);
  if (ubuntu !== undefined)
    return to(
      `Ubuntu:${ubuntuSuffix(ubuntu, undefined)}`,
      'deb',
      'ubuntu',
      distroOf('ubuntu', ubuntu),
      `${describe(r)} is built on Ubuntu ${ubuntu}: matched as Ubuntu`,
    );
  if (r.idLike.includes('ubuntu'))
    return everyRelease('Ubuntu', 'deb', 'ubuntu', `${describe(r)} is an Ubuntu derivative of unknown release`);
  if (r.idLike.includes('debian')) {
    const v = own(DEBIAN_CODENAMES, r.versionCodename);
    if (v === undefined)
      return everyRelease('Debian', 'deb', 'debian', `${describe(r)} is a Debian derivative of unknown release`);
    return to(
      `Debian:${v}`,
      'deb',
      'debian',
      distroOf('debian', v),
      `${describe(r)} is built on Debian ${v}: matched as Debian`,
    );
  }
  return refuse(`${describe(r)} has no OSV ecosystem for deb packages`);
}

function apkTarget(r: OsRelease | undefined): OsvTargetResult {
  if (r === undefined) return everyRelease('Alpine', 'apk', 'alpine', 'no os-release');
  const v = r.versionId;
  switch (r.id) {
    case 'alpine': {
      const m = /^(\d+)\.(\d+)/.exec(v ?? '');
      if (m === null) return everyRelease('Alpine', 'apk', 'alpine', `${describe(r)}: release unknown`);
      return to(`Alpine:v${major(m[1])}.${major(m[2])}`, 'apk', 'alpine', distroOf('alpine', v));
    }
    case 'wolfi':
      return to('Wolfi', 'apk', 'wolfi', distroOf('wolfi', v));
    case 'chainguard':
      return to('Chainguard', 'apk', 'chainguard', distroOf('chainguard', v));
    case 'minimos':
      return to('MinimOS', 'apk', 'minimos', distroOf('minimos', v));
  }
  if (r.idLike.includes('alpine'))
    return everyRelease('Alpine', 'apk', 'alpine', `${describe(r)} is an Alpine derivative of unknown release`);
  return refuse(`${describe(r)} has no OSV ecosystem for apk packages`);
}

// rpm distributions OSV has no ecosystem for, named in the refusal
const NO_OSV_RPM: Readonly<Record<string, string>> = {
  amzn: 'Amazon Linux',
  ol: 'Oracle Linux',
  centos: 'CentOS',
  fedora: 'Fedora',
};

/** `<base>:<release>` when the release is known, else the bare base with a note. */
function released(
  base: OsvEcosystem,
  release: string | undefined,
  ns: string,
  r: OsRelease,
  format: (release: string) => string = (x) => x,
): OsvTargetResult {
  if (release === undefined) return everyRelease(base, 'rpm', ns, `${describe(r)}: release unknown`);
  return to(`${base}:${format(release)}`, 'rpm', ns, distroOf(r.id, r.versionId));
}

function rpmTarget(r: OsRelease | undefined): OsvTargetResult {
  if (r === undefined)
    return refuse('no os-release: which rpm distribution this is, and so its OSV ecosystem, is unknown');
  const v = r.versionId;
  const m = major(v);
  switch (r.id) {
    case 'almalinux':
      return released('AlmaLinux', m, 'almalinux', r);
    case 'rocky':
      return released('Rocky Linux', m, 'rocky', r);
    case 'rhel':
      return everyRelease(
        'Red Hat',
        'rpm',
        'redhat',
        `${describe(r)}: Red Hat records are scoped to a product stream (repository), which the rpm database does not record`,
        distroOf(r.id, v),
      );
    case 'opensuse-leap':
      return released('openSUSE', v, 'opensuse', r, (x) => `Leap ${x}`);
    case 'opensuse-leap-micro':
      return released('openSUSE', v, 'opensuse', r, (x) => `Leap Micro ${x}`);
    case 'opensuse-tumbleweed':
      return to('openSUSE:Tumbleweed', 'rpm', 'opensuse', distroOf(r.id, v));
    case 'sles':
    case 'sled':
    case 'sles_sap':
    case 'sle-micro':
    case 'sl-micro':
      return everyRelease(
        'SUSE',
        'rpm',
        'suse',
        `${describe(r)}: SUSE records are filed by product module and support phase, which os-release does not tell`,
        distroOf(r.id, v),
      );
    case 'mageia':
      return released('Mageia', m, 'mageia', r);
    case 'photon':
      return released('Photon OS', v, 'photon', r);
    case 'azurelinux':
      return released('Azure Linux', m, 'azurelinux', r);
    case 'mariner':
      return everyRelease(
        'Azure Linux',
        'rpm',
        'mariner',
        `${describe(r)}: CBL-Mariner's OSV release name is not settled`,
      );
    case 'openeuler':
      return everyRelease(
        'openEuler',
        'rpm',
        'openeuler',
        `${describe(r)}: openEuler's OSV release name is not settled`,
      );
  }
  return refuse(`${own(NO_OSV_RPM, r.id) ?? describe(r)} has no OSV ecosystem: its rpm packages cannot be matched`);
}

/** The OSV ecosystem and purl spelling for the packages of `family` on the release `r` (undefined: none found). */
export function osvTarget(r: OsRelease | undefined, family: PackageFamily): OsvTargetResult {
  switch (family) {
    case 'deb':
      return debTarget(r);
    case 'apk':
      return apkTarget(r);
    case 'rpm':
      return rpmTarget(r);
  }
}
