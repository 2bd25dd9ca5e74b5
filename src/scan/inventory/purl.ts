// Package URLs (github.com/package-url/purl-spec, ECMA-427): parse, build, and map between purl types and OSV
// ecosystems. Pure: SBOM readers turn components into Packages through here, and every lockfile extractor
// fills `Package.purl` with `purlFor`.
import type { OsvEcosystem } from '../versions/index.ts';

/** A parsed purl. Namespace segments are joined with `/`; qualifier keys are lower case. */
export type Purl = {
  readonly type: string;
  readonly namespace?: string;
  readonly name: string;
  readonly version?: string;
  readonly qualifiers?: Readonly<Record<string, string>>;
  readonly subpath?: string;
};

export type PurlParse = { readonly ok: true; readonly purl: Purl } | { readonly ok: false; readonly reason: string };

// the purl comes from a third-party SBOM: bound it before splitting
const MAX_PURL_LENGTH = 4096;

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** Parses a purl string per the spec's "how to parse" steps, with the spec's per-type normalisations. */
export function parsePurl(text: string): PurlParse {
  if (text.length > MAX_PURL_LENGTH) return { ok: false, reason: `longer than ${MAX_PURL_LENGTH} characters` };
  let rest = text.trim();
  let subpath: string | undefined;
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    const segments: string[] = [];
    for (const seg of rest.slice(hash + 1).split('/')) {
      const d = decode(seg);
      if (d === undefined) return { ok: false, reason: 'bad percent-encoding in subpath' };
      if (d !== '' && d !== '.' && d !== '..') segments.push(d);
    }
    if (segments.length > 0) subpath = segments.join('/');
    rest = rest.slice(0, hash);
  }
  let pairs: [string, string][] | undefined;
  const question = rest.indexOf('?');
  if (question !== -1) {
    for (const pair of rest.slice(question + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const key = pair.slice(0, eq).toLowerCase();
      const value = decode(pair.slice(eq + 1));
      if (value === undefined) return { ok: false, reason: `bad percent-encoding in qualifier ${key}` };
      if (value === '') continue;
      (pairs ??= []).push([key, value]);
    }
    rest = rest.slice(0, question);
  }
  // fromEntries defines own properties: a `__proto__` key from the input stays a plain key
  const qualifiers = pairs === undefined ? undefined : (Object.fromEntries(pairs) as Record<string, string>);
  const colon = rest.indexOf(':');
  if (colon === -1 || rest.slice(0, colon).toLowerCase() !== 'pkg')
    return { ok: false, reason: 'does not start with pkg:' };
  rest = rest.slice(colon + 1).replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  if (slash <= 0) return { ok: false, reason: 'no type' };
  const type = rest.slice(0, slash).toLowerCase();
  if (!/^[a-z.+-][a-z0-9.+-]*$/.test(type)) return { ok: false, reason: `bad type ${JSON.stringify(type)}` };
  rest = rest.slice(slash + 1).replace(/\/+$/, '');
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  // an `@` before the last `/` is an unencoded npm scope, not the version separator
  if (at !== -1 && at > rest.lastIndexOf('/')) {
    const v = decode(rest.slice(at + 1));
    if (v === undefined) return { ok: false, reason: 'bad percent-encoding in version' };
    if (v !== '') version = v;
    rest = rest.slice(0, at);
  }
  const segments: string[] = [];
  for (const seg of rest.split('/')) {
    if (seg === '') continue;
    const d = decode(seg);
    if (d === undefined) return { ok: false, reason: 'bad percent-encoding in name' };
    segments.push(d);
  }
  let name = segments.pop();
  if (name === undefined || name === '') return { ok: false, reason: 'no name' };
  let namespace = segments.length > 0 ? segments.join('/') : undefined;
  // per-type rules of the spec's types/*.json
  switch (type) {
    case 'pypi':
      name = name.toLowerCase().replace(/_/g, '-');
      break;
    case 'github':
    case 'bitbucket':
    case 'composer':
    case 'hex':
      name = name.toLowerCase();
      namespace = namespace?.toLowerCase();
      break;
  }
  const purl: Purl = {
    type,
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(qualifiers !== undefined ? { qualifiers } : {}),
    ...(subpath !== undefined ? { subpath } : {}),
  };
  return { ok: true, purl };
}

// The spec's percent-encoding: everything but unreserved characters, and `:` which need not be encoded.
const PLAIN = /^[A-Za-z0-9._~:-]*$/;
function encode(part: string): string {
  if (PLAIN.test(part)) return part; // the common case, without the encoder's allocations
  return encodeURIComponent(part).replace(/%3A/gi, ':');
}

/** Builds the canonical purl string (qualifiers sorted by key, empty values dropped). */
export function buildPurl(purl: Purl): string {
  let out = `pkg:${purl.type.toLowerCase()}/`;
  if (purl.namespace !== undefined && purl.namespace !== '') {
    out += purl.namespace
      .split('/')
      .filter((s) => s !== '')
      .map(encode)
      .join('/');
    out += '/';
  }
  out += encode(purl.name);
  if (purl.version !== undefined && purl.version !== '') out += `@${encode(purl.version)}`;
  if (purl.qualifiers !== undefined) {
    const keys = Object.keys(purl.qualifiers)
      .filter((k) => purl.qualifiers![k] !== '')
      .sort();
    if (keys.length > 0) out += `?${keys.map((k) => `${k.toLowerCase()}=${encode(purl.qualifiers![k]!)}`).join('&')}`;
  }
  if (purl.subpath !== undefined && purl.subpath !== '') {
    out += `#${purl.subpath
      .split('/')
      .filter((s) => s !== '' && s !== '.' && s !== '..')
      .map(encode)
      .join('/')}`;
  }
  return out;
}

/** purl type of each language ecosystem whose names map one to one (OS ecosystems need a distro: see below). */
const LANGUAGE_TYPES: ReadonlyMap<string, OsvEcosystem> = new Map<string, OsvEcosystem>([
  ['npm', 'npm'],
  ['pypi', 'PyPI'],
  ['maven', 'Maven'],
  ['golang', 'Go'],
  ['cargo', 'crates.io'],
  ['gem', 'RubyGems'],
  ['composer', 'Packagist'],
  ['nuget', 'NuGet'],
  ['pub', 'Pub'],
  ['hex', 'Hex'],
  ['conan', 'ConanCenter'],
  ['cocoapods', 'CocoaPods'],
  ['swift', 'SwiftURL'],
  ['cran', 'CRAN'],
  ['hackage', 'Hackage'],
  ['bitnami', 'Bitnami'],
  ['julia', 'Julia'],
  ['githubactions', 'GitHub Actions'],
]);

const PURL_TYPES: ReadonlyMap<OsvEcosystem, string> = new Map([...LANGUAGE_TYPES].map(([t, e]) => [e, t]));

/** OSV ecosystem name for a package's purl, with the release suffix where OSV keys records by release. */
export type PurlPackage = {
  readonly ecosystem: OsvEcosystem | `${OsvEcosystem}:${string}`;
  readonly name: string;
  readonly version?: string;
  readonly sourceName?: string;
  readonly sourceVersion?: string;
};

export type PurlMapping =
  { readonly ok: true; readonly pkg: PurlPackage } | { readonly ok: false; readonly reason: string };

/** Debian release codenames → the release OSV names (`Debian:12`). */
export const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  buzz: '1.1',
  rex: '1.2',
  bo: '1.3',
  hamm: '2.0',
  slink: '2.1',
  potato: '2.2',
  woody: '3.0',
  sarge: '3.1',
  etch: '4',
  lenny: '5',
  squeeze: '6',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
};

/** Ubuntu release codenames → `YY.MM`. */
export const UBUNTU_CODENAMES: Readonly<Record<string, string>> = {
  trusty: '14.04',
  xenial: '16.04',
  bionic: '18.04',
  focal: '20.04',
  groovy: '20.10',
  hirsute: '21.04',
  impish: '21.10',
  jammy: '22.04',
  kinetic: '22.10',
  lunar: '23.04',
  mantic: '23.10',
  noble: '24.04',
  oracular: '24.10',
  plucky: '25.04',
  questing: '25.10',
  resolute: '26.04',
};

/**
 * `YY.MM` of an Ubuntu release as OSV spells the ecosystem: with `:LTS` for LTS releases (`Ubuntu:22.04:LTS`),
 * known from os-release's VERSION when given, else from the release itself (LTS is every even year's .04).
 */
export function ubuntuSuffix(release: string, version: string | undefined): string {
  const lts = version !== undefined ? /\bLTS\b/.test(version) : /^\d[02468]\.04$/.test(release);
  return lts ? `${release}:LTS` : release;
}

/** The release part of a `distro` qualifier: `debian-12.4` → `12.4`, `bookworm` → `bookworm`, `12` → `12`. */
function distroRelease(distro: string | undefined, prefixes: readonly string[]): string | undefined {
  if (distro === undefined) return undefined;
  let d = distro.trim().toLowerCase();
  for (const p of prefixes) {
    if (d.startsWith(`${p}-`)) {
      d = d.slice(p.length + 1);
      break;
    }
  }
  return d === '' ? undefined : d;
}

function debianRelease(distro: string | undefined): string | undefined {
  const r = distroRelease(distro, ['debian']);
  if (r === undefined) return undefined;
  if (Object.hasOwn(DEBIAN_CODENAMES, r)) return DEBIAN_CODENAMES[r];
  // OSV Debian records use the major release (`Debian:12`); point releases (12.4) are the same suite
  const m = /^(\d+)(?:\.\d+)*$/.exec(r);
  return m ? m[1] : undefined;
}

function ubuntuRelease(distro: string | undefined): string | undefined {
  const r = distroRelease(distro, ['ubuntu']);
  if (r === undefined) return undefined;
  const known = Object.hasOwn(UBUNTU_CODENAMES, r) ? UBUNTU_CODENAMES[r] : /^(\d\d\.\d\d)(?:\.\d+)?$/.exec(r)?.[1];
  return known === undefined ? undefined : ubuntuSuffix(known, undefined);
}

function majorRelease(distro: string | undefined, prefixes: readonly string[]): string | undefined {
  const r = distroRelease(distro, prefixes);
  const m = r === undefined ? null : /^(\d+)/.exec(r);
  return m ? m[1] : undefined;
}

function alpineRelease(distro: string | undefined): string | undefined {
  const r = distroRelease(distro, ['alpine']);
  const m = r === undefined ? null : /^v?(\d+\.\d+)/.exec(r);
  return m ? `v${m[1]}` : undefined;
}

/** `upstream=openssl@3.0.11-1` or `upstream=openssl` (deb, rpm `upstream` qualifier) → source name and version. */
function upstream(q: Readonly<Record<string, string>> | undefined): { sourceName?: string; sourceVersion?: string } {
  const u = q?.['upstream'];
  if (u === undefined) return {};
  const at = u.indexOf('@');
  if (at <= 0) return { sourceName: u };
  return { sourceName: u.slice(0, at), sourceVersion: u.slice(at + 1) };
}

function withRelease(base: OsvEcosystem, release: string | undefined): OsvEcosystem | `${OsvEcosystem}:${string}` {
  return release === undefined ? base : `${base}:${release}`;
}

function osPackage(purl: Purl): PurlMapping {
  const ns = purl.namespace?.toLowerCase();
  const q = purl.qualifiers;
  const distro = q?.['distro'];
  const common = { name: purl.name, ...(purl.version !== undefined ? { version: purl.version } : {}) };
  const src = upstream(q);
  const ok = (ecosystem: OsvEcosystem | `${OsvEcosystem}:${string}`): PurlMapping => ({
    ok: true,
    pkg: { ecosystem, ...common, ...src },
  });
  if (purl.type === 'deb') {
    if (ns === 'debian') return ok(withRelease('Debian', debianRelease(distro)));
    if (ns === 'ubuntu') return ok(withRelease('Ubuntu', ubuntuRelease(distro)));
    return { ok: false, reason: `deb namespace ${JSON.stringify(purl.namespace ?? '')} has no OSV ecosystem` };
  }
  if (purl.type === 'apk') {
    if (ns === 'alpine') return ok(withRelease('Alpine', alpineRelease(distro)));
    if (ns === 'wolfi') return ok('Wolfi');
    if (ns === 'chainguard') return ok('Chainguard');
    if (ns === 'alpaquita') return ok(withRelease('Alpaquita', distroRelease(distro, ['alpaquita'])));
    if (ns === 'minimos') return ok('MinimOS');
    return { ok: false, reason: `apk namespace ${JSON.stringify(purl.namespace ?? '')} has no OSV ecosystem` };
  }
  if (purl.type === 'rpm') {
    // the version of an rpm purl may carry the epoch as a qualifier: OSV writes `epoch:version-release`
    const epoch = q?.['epoch'];
    const version =
      purl.version !== undefined && epoch !== undefined && epoch !== '0' ? `${epoch}:${purl.version}` : purl.version;
    const okRpm = (ecosystem: OsvEcosystem | `${OsvEcosystem}:${string}`): PurlMapping => ({
      ok: true,
      pkg: { ecosystem, name: purl.name, ...(version !== undefined ? { version } : {}), ...src },
    });
    switch (ns) {
      case 'almalinux':
        return okRpm(withRelease('AlmaLinux', majorRelease(distro, ['almalinux', 'alma'])));
      case 'rocky':
      case 'rockylinux':
        return okRpm(withRelease('Rocky Linux', majorRelease(distro, ['rocky', 'rockylinux'])));
      case 'redhat':
      case 'rhel':
        return okRpm('Red Hat');
      case 'opensuse':
        return okRpm('openSUSE');
      case 'suse':
      case 'sles':
        return okRpm('SUSE');
      case 'mageia':
        return okRpm(withRelease('Mageia', majorRelease(distro, ['mageia'])));
      case 'openeuler':
        return okRpm('openEuler');
      case 'photon':
        return okRpm(withRelease('Photon OS', distroRelease(distro, ['photon'])));
      case 'azurelinux':
      case 'mariner':
        return okRpm(withRelease('Azure Linux', distroRelease(distro, ['azurelinux', 'mariner'])));
    }
    return { ok: false, reason: `rpm namespace ${JSON.stringify(purl.namespace ?? '')} has no OSV ecosystem` };
  }
  return { ok: false, reason: `purl type ${purl.type} has no OSV ecosystem` };
}

/**
 * The OSV ecosystem and package name a purl stands for: `pkg:maven/org.a/b@1` → Maven `org.a:b`,
 * `pkg:golang/github.com/x/y@v1` → Go `github.com/x/y`, `pkg:deb/debian/curl@7?distro=debian-12` → `Debian:12`.
 */
export function purlToPackage(purl: Purl): PurlMapping {
  const ecosystem = LANGUAGE_TYPES.get(purl.type);
  if (ecosystem === undefined) return osPackage(purl);
  const ns = purl.namespace;
  let name: string;
  switch (ecosystem) {
    case 'Maven':
      if (ns === undefined) return { ok: false, reason: 'maven purl without a group (namespace)' };
      name = `${ns}:${purl.name}`;
      break;
    case 'npm':
    case 'Go':
    case 'Packagist':
    case 'SwiftURL':
    case 'GitHub Actions':
      name = ns === undefined ? purl.name : `${ns}/${purl.name}`;
      break;
    case 'CocoaPods':
      // a subspec is the subpath: pkg:cocoapods/GoogleUtilities@7.5.2#NSData+zlib
      name = purl.subpath === undefined ? purl.name : `${purl.name}/${purl.subpath}`;
      break;
    default:
      // hex organisations, conan user/channel and the like are namespaces that OSV names do not carry
      name = purl.name;
  }
  return { ok: true, pkg: { ecosystem, name, ...(purl.version !== undefined ? { version: purl.version } : {}) } };
}

/**
 * The purl of a package found by a language extractor, or `undefined` for ecosystems without a purl type.
 * `qualifiers` are added as given.
 */
export function purlFor(
  ecosystem: OsvEcosystem | `${OsvEcosystem}:${string}`,
  name: string,
  version: string,
  qualifiers?: Readonly<Record<string, string>>,
): string | undefined {
  const colon = ecosystem.indexOf(':');
  const base = (colon === -1 ? ecosystem : ecosystem.slice(0, colon)) as OsvEcosystem;
  const type = PURL_TYPES.get(base);
  if (type === undefined || name === '') return undefined;
  let namespace: string | undefined;
  let n = name;
  let subpath: string | undefined;
  switch (base) {
    case 'Maven': {
      const c = name.indexOf(':');
      if (c === -1) return undefined;
      namespace = name.slice(0, c);
      n = name.slice(c + 1);
      break;
    }
    case 'npm':
    case 'Go':
    case 'Packagist':
    case 'SwiftURL':
    case 'GitHub Actions': {
      const s = name.lastIndexOf('/');
      if (s !== -1) {
        namespace = name.slice(0, s);
        n = name.slice(s + 1);
      }
      break;
    }
    case 'CocoaPods': {
      const s = name.indexOf('/');
      if (s !== -1) {
        subpath = name.slice(s + 1);
        n = name.slice(0, s);
      }
      break;
    }
    case 'PyPI':
      n = name.toLowerCase().replace(/[-_.]+/g, '-');
      break;
  }
  if (base === 'Packagist') {
    namespace = namespace?.toLowerCase();
    n = n.toLowerCase();
  }
  return buildPurl({
    type,
    name: n,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(version !== '' ? { version } : {}),
    ...(qualifiers !== undefined ? { qualifiers } : {}),
    ...(subpath !== undefined ? { subpath } : {}),
  });
}
