// The OSV ordering fixtures (../shared/data/osv/versions, from osv-scalibr): every line must hold both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alpineVersion } from '../ecosystems/alpine/version.ts';
import { cargoVersion } from '../ecosystems/cargo/version.ts';
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
import type { VersionScheme } from './scheme.ts';
import { compareChecked, opOf, OSV_FIXTURE_DIR, readListFixture, readOsvFixture, type Op } from './testkit.ts';

const pypiRefused = readListFixture(new URL('../ecosystems/pypi/__fixtures__/osv-refused.txt', import.meta.url));
const alpineRefused = readListFixture(new URL('../ecosystems/alpine/__fixtures__/osv-refused.txt', import.meta.url));

/** `1.1.3.4.5` is not SemVer: reading `.4.5` as build metadata, as the fixture's comment does, would make
 * `1.1.3.4` equal `1.1.3.5`. */
const notSemver = ['1.1.3.4.5'];
/** `Gem::Version.correct?('1beta')` is false: RubyGems raises "Malformed version number string". */
const notGem = ['1beta', '1gamma'];

/** Lines we answer differently, with the evidence in the file's header; each must give our answer. */
const disputed = new Map<string, Op>(
  readListFixture(new URL('../ecosystems/maven/__fixtures__/osv-disputed.txt', import.meta.url)).map((l) => {
    const [line, ours] = l.split(' => ');
    return [line as string, ours as Op];
  }),
);

type Suite = { readonly file: string; readonly scheme: VersionScheme; readonly refused: readonly string[] };
const suites: Suite[] = [
  ...[npmVersion, cargoVersion, goVersion, hexVersion].map((s) => ({
    file: 'semver-versions.txt',
    scheme: s,
    refused: notSemver,
  })),
  { file: 'pub-versions.txt', scheme: pubVersion, refused: notSemver },
  { file: 'pypi-versions.txt', scheme: pypiVersion, refused: pypiRefused },
  { file: 'pypi-versions-generated.txt', scheme: pypiVersion, refused: pypiRefused },
  { file: 'maven-versions.txt', scheme: mavenVersion, refused: [] },
  { file: 'maven-versions-generated.txt', scheme: mavenVersion, refused: [] },
  { file: 'packagist-versions.txt', scheme: packagistVersion, refused: [] },
  { file: 'packagist-versions-generated.txt', scheme: packagistVersion, refused: [] },
  { file: 'rubygems-versions.txt', scheme: rubygemsVersion, refused: notGem },
  { file: 'rubygems-versions-generated.txt', scheme: rubygemsVersion, refused: notGem },
  { file: 'debian-versions.txt', scheme: debianVersion, refused: [] },
  { file: 'debian-versions-generated.txt', scheme: debianVersion, refused: [] },
  { file: 'alpine-versions.txt', scheme: alpineVersion, refused: alpineRefused },
  { file: 'alpine-versions-generated.txt', scheme: alpineVersion, refused: alpineRefused },
  { file: 'cran-versions.txt', scheme: cranVersion, refused: [] },
  { file: 'cran-versions-generated.txt', scheme: cranVersion, refused: [] },
  { file: 'nuget-versions.txt', scheme: nugetVersion, refused: [] },
  { file: 'redhat-versions.txt', scheme: rpmVersion, refused: [] },
  { file: 'hackage-versions.txt', scheme: hackageVersion, refused: [] },
];

for (const { file, scheme, refused } of suites) {
  test(`OSV fixture ${file} with ${scheme.id}`, (t) => {
    const lines = readOsvFixture(file);
    if (lines === undefined) {
      t.skip(`${OSV_FIXTURE_DIR}${file} is absent (the shared OSV data is not beside this checkout)`);
      return;
    }
    const refusedSet = new Set(refused);
    const failures: string[] = [];
    let passed = 0;
    let refusedLines = 0;
    let disputedLines = 0;
    for (const line of lines) {
      const got = compareChecked(scheme, line.a, line.b);
      const where = `${file}:${line.lineNo} ${line.text}`;
      if (got === 'unparsable') {
        const bad = [line.a, line.b].filter((v) => scheme.parse(v) === undefined);
        if (bad.every((v) => refusedSet.has(v))) refusedLines++;
        else failures.push(`${where}: refused ${bad.join(', ')}, which is not on the documented list`);
        continue;
      }
      const want = scheme.id === 'maven' ? disputed.get(line.text) : undefined;
      if (want !== undefined) {
        disputedLines++;
        if (opOf(got) !== want) failures.push(`${where}: disputed line, expected our answer ${want}, got ${opOf(got)}`);
        continue;
      }
      if (opOf(got) === line.op) passed++;
      else failures.push(`${where}: got ${opOf(got)}`);
    }
    // every documented refusal must really be refused (and so stay documented only while true)
    for (const v of refused) assert.equal(scheme.parse(v), undefined, `${scheme.id} should refuse ${v}`);
    t.diagnostic(
      `${file} (${scheme.id}): ${passed}/${lines.length} hold, ${refusedLines} refused as invalid, ${disputedLines} disputed`,
    );
    assert.deepEqual(failures, []);
  });
}
