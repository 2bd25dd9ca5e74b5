import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import {
  AFTER_ALL,
  BEFORE_ALL,
  compareOsv,
  compareVersions,
  ECOSYSTEM_VERSION_SCHEMES,
  OSV_ECOSYSTEMS,
  osvEcosystemBase,
  parseOsvEvent,
  UNORDERED_ECOSYSTEMS,
  VERSION_SCHEMES,
  versionSchemeFor,
  type OsvBound,
  type VersionScheme,
} from './index.ts';

const ecosystemsDir = new URL('../ecosystems/', import.meta.url);
const folders = readdirSync(ecosystemsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`${d.name}/version.ts`, ecosystemsDir)))
  .map((d) => d.name)
  .sort();

test('registry: one scheme per ecosystems/<id>/version.ts, named after its folder', async () => {
  assert.deepEqual([...VERSION_SCHEMES.keys()].sort(), folders);
  for (const id of folders) {
    const mod = (await import(new URL(`${id}/version.ts`, ecosystemsDir).href)) as Record<string, unknown>;
    const schemes = Object.values(mod).filter(
      (v): v is VersionScheme => typeof v === 'object' && v !== null && 'compare' in v,
    );
    assert.equal(schemes.length, 1, `${id}/version.ts should export exactly one scheme`);
    assert.equal(schemes[0]?.id, id);
    assert.equal(VERSION_SCHEMES.get(schemes[0]!.id), schemes[0], `${id}: the registry holds the folder's own scheme`);
  }
});

test('registry: every OSV ecosystem has an order or is listed as unordered, never both', () => {
  for (const e of OSV_ECOSYSTEMS) {
    assert.notEqual(ECOSYSTEM_VERSION_SCHEMES.has(e), UNORDERED_ECOSYSTEMS.has(e), e);
  }
  for (const scheme of ECOSYSTEM_VERSION_SCHEMES.values()) assert.equal(VERSION_SCHEMES.get(scheme.id), scheme);
  // every scheme serves at least one ecosystem
  const used = new Set([...ECOSYSTEM_VERSION_SCHEMES.values()].map((s) => s.id));
  assert.deepEqual([...used].sort(), folders);
});

test('registry: the ecosystems that share an order', () => {
  const cases: [string, string][] = [
    ['npm', 'npm'],
    ['PyPI', 'pypi'],
    ['Maven', 'maven'],
    ['Go', 'go'],
    ['RubyGems', 'rubygems'],
    ['crates.io', 'cargo'],
    ['NuGet', 'nuget'],
    ['Packagist', 'packagist'],
    ['Debian:12', 'debian'],
    ['Ubuntu:22.04:LTS', 'debian'],
    ['AlmaLinux:9', 'rpm'],
    ['Rocky Linux:8', 'rpm'],
    ['Red Hat:enterprise_linux:9::appstream', 'rpm'],
    ['openSUSE:Leap 15.5', 'rpm'],
    ['SUSE:Linux Enterprise Server 15 SP5', 'rpm'],
    ['Mageia:9', 'rpm'],
    ['openEuler:22.03-LTS', 'rpm'],
    ['Photon OS:5.0', 'rpm'],
    ['Azure Linux:3', 'rpm'],
    ['Alpine:v3.19', 'alpine'],
    ['Wolfi', 'alpine'],
    ['Chainguard', 'alpine'],
    ['Pub', 'pub'],
    ['Hex', 'hex'],
    ['CRAN', 'cran'],
    ['Bioconductor', 'cran'],
    ['Hackage', 'hackage'],
    ['GHC', 'hackage'],
    ['SwiftURL', 'swift'],
    ['CocoaPods', 'cocoapods'],
    ['Bitnami', 'bitnami'],
  ];
  for (const [ecosystem, id] of cases) assert.equal(versionSchemeFor(ecosystem)?.id, id, ecosystem);
  // unknown spellings and unordered ecosystems give no scheme: the matcher must say "unknown"
  for (const e of ['pypi', 'NPM', 'Debian12', '', ':12', 'Linux', 'OSS-Fuzz', 'GIT', 'Android', 'ConanCenter']) {
    assert.equal(versionSchemeFor(e), undefined, e);
  }
  assert.equal(osvEcosystemBase('Debian:12'), 'Debian');
  assert.equal(osvEcosystemBase('debian:12'), undefined);
});

test('compareVersions: results, never a guess', () => {
  assert.deepEqual(compareVersions('Debian:12', '1.0-1', '1.0-1~deb12u1'), { ok: true, order: 1 });
  assert.deepEqual(compareVersions('PyPI', '1.0', 'not a version'), {
    ok: false,
    reason: 'unparsable',
    ecosystem: 'PyPI',
    version: 'not a version',
  });
  assert.deepEqual(compareVersions('Linux', '6.1', '6.2'), {
    ok: false,
    reason: 'unsupported-ecosystem',
    ecosystem: 'Linux',
  });
  assert.deepEqual(compareVersions('Nope', '1', '2'), {
    ok: false,
    reason: 'unsupported-ecosystem',
    ecosystem: 'Nope',
  });
});

test('OSV events: introduced "0" is below everything, limit "*" above', () => {
  const cases: [string, string][] = [
    ['Debian', '0~~'],
    ['PyPI', '0.dev0'],
    ['Maven', '0-alpha'],
    ['npm', '0.0.0-0'],
    ['RubyGems', '0.a'],
    ['Alpine', '0_alpha'],
    ['Red Hat', '0~1'],
  ];
  for (const [ecosystem, lowest] of cases) {
    const scheme = versionSchemeFor(ecosystem)!;
    const zero = parseOsvEvent(scheme, 'introduced', '0');
    const star = parseOsvEvent(scheme, 'limit', '*');
    assert.ok(zero.ok && star.ok);
    const v = scheme.parse(lowest);
    assert.notEqual(v, undefined, `${ecosystem} ${lowest}`);
    const low = v as OsvBound<unknown>;
    assert.equal(compareOsv(scheme, zero.bound, low), -1, ecosystem);
    assert.equal(compareOsv(scheme, low, zero.bound), 1, ecosystem);
    assert.equal(compareOsv(scheme, low, star.bound), -1, ecosystem);
    assert.equal(compareOsv(scheme, star.bound, low), 1, ecosystem);
    assert.equal(compareOsv(scheme, zero.bound, zero.bound), 0);
    assert.equal(compareOsv(scheme, star.bound, star.bound), 0);
    assert.equal(compareOsv(scheme, zero.bound, star.bound), -1);
    // "0" is the sentinel only for introduced; elsewhere it is the version 0
    const fixed = parseOsvEvent(scheme, 'fixed', '0');
    if (fixed.ok) assert.notEqual(fixed.bound, BEFORE_ALL);
    const fixedStar = parseOsvEvent(scheme, 'fixed', '*');
    if (fixedStar.ok) assert.notEqual(fixedStar.bound, AFTER_ALL);
  }
  assert.deepEqual(parseOsvEvent(versionSchemeFor('PyPI')!, 'fixed', '1.0-bulbasaur'), {
    ok: false,
    reason: 'unparsable',
    kind: 'fixed',
    value: '1.0-bulbasaur',
  });
});
