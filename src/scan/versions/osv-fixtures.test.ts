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
import { isLenientVersion, parseForOsv, type VersionScheme } from './scheme.ts';
import { compareChecked, opOf, OSV_FIXTURE_DIR, readListFixture, readOsvFixture } from './testkit.ts';

/** Fixture versions the ecosystem's own tool rejects and that we order leniently (see each list's header). */
const pypiLenient = readListFixture(new URL('../ecosystems/pypi/__fixtures__/osv-lenient.txt', import.meta.url));
const alpineLenient = readListFixture(new URL('../ecosystems/alpine/__fixtures__/osv-lenient.txt', import.meta.url));
/** `1.1.3.4.5` is not SemVer (nor pub_semver): more than three numeric components. */
const notSemver = ['1.1.3.4.5'];
/** `Gem::Version.correct?('1beta')` is false: RubyGems raises "Malformed version number string". */
const notGem = ['1beta', '1gamma'];

/** A fixture file, the scheme it orders, and exactly which of its versions that scheme may accept leniently. */
type Suite = { readonly file: string; readonly scheme: VersionScheme; readonly lenient: readonly string[] };
const suites: Suite[] = [
  ...[npmVersion, cargoVersion, goVersion, hexVersion].map((s) => ({
    file: 'semver-versions.txt',
    scheme: s,
    lenient: notSemver,
  })),
  { file: 'pub-versions.txt', scheme: pubVersion, lenient: notSemver },
  { file: 'pypi-versions.txt', scheme: pypiVersion, lenient: pypiLenient },
  { file: 'pypi-versions-generated.txt', scheme: pypiVersion, lenient: pypiLenient },
  { file: 'maven-versions.txt', scheme: mavenVersion, lenient: [] },
  { file: 'maven-versions-generated.txt', scheme: mavenVersion, lenient: [] },
  { file: 'packagist-versions.txt', scheme: packagistVersion, lenient: [] },
  { file: 'packagist-versions-generated.txt', scheme: packagistVersion, lenient: [] },
  { file: 'rubygems-versions.txt', scheme: rubygemsVersion, lenient: notGem },
  { file: 'rubygems-versions-generated.txt', scheme: rubygemsVersion, lenient: notGem },
  { file: 'debian-versions.txt', scheme: debianVersion, lenient: [] },
  { file: 'debian-versions-generated.txt', scheme: debianVersion, lenient: [] },
  { file: 'alpine-versions.txt', scheme: alpineVersion, lenient: alpineLenient },
  { file: 'alpine-versions-generated.txt', scheme: alpineVersion, lenient: alpineLenient },
  { file: 'cran-versions.txt', scheme: cranVersion, lenient: [] },
  { file: 'cran-versions-generated.txt', scheme: cranVersion, lenient: [] },
  { file: 'nuget-versions.txt', scheme: nugetVersion, lenient: [] },
  { file: 'redhat-versions.txt', scheme: rpmVersion, lenient: [] },
  { file: 'hackage-versions.txt', scheme: hackageVersion, lenient: [] },
];

for (const { file, scheme, lenient } of suites) {
  test(`OSV fixture ${file} with ${scheme.id}`, (t) => {
    const lines = readOsvFixture(file);
    if (lines === undefined) {
      t.skip(`${OSV_FIXTURE_DIR}${file} is absent (the shared OSV data is not beside this checkout)`);
      return;
    }
    const allowed = new Set(lenient);
    const failures: string[] = [];
    const lenientSeen = new Set<string>();
    let passed = 0;
    for (const line of lines) {
      const where = `${file}:${line.lineNo} ${line.text}`;
      // every line must hold, in both directions (compareChecked asserts cmp(b, a) = -cmp(a, b))
      const got = compareChecked(scheme, line.a, line.b);
      if (got === 'unparsable') {
        const bad = [line.a, line.b].filter((v) => parseForOsv(scheme, v) === undefined);
        failures.push(`${where}: ${bad.join(', ')} did not parse`);
        continue;
      }
      if (opOf(got) === line.op) passed++;
      else failures.push(`${where}: got ${opOf(got)}`);
      // and a version may be lenient only if it is documented as one the ecosystem's tool rejects
      for (const v of [line.a, line.b]) {
        if (!isLenientVersion(scheme, parseForOsv(scheme, v))) continue;
        lenientSeen.add(v);
        if (!allowed.has(v)) failures.push(`${where}: ${v} is parsed leniently, but it is not on the documented list`);
      }
    }
    t.diagnostic(`${file} (${scheme.id}): ${passed}/${lines.length} hold, ${lenientSeen.size} versions lenient`);
    assert.deepEqual(failures, []);
  });
}

test('OSV fixtures: every documented lenient version is refused by parse and ordered by parseLenient', () => {
  const lists: [VersionScheme, readonly string[]][] = [
    [pypiVersion, pypiLenient],
    [alpineVersion, alpineLenient],
    ...[npmVersion, cargoVersion, goVersion, hexVersion, pubVersion].map((s): [VersionScheme, string[]] => [
      s,
      notSemver,
    ]),
    [rubygemsVersion, notGem],
  ];
  const wrong = lists.flatMap(([scheme, list]) =>
    list
      .filter((v) => scheme.parse(v) !== undefined || !isLenientVersion(scheme, parseForOsv(scheme, v)))
      .map((v) => `${scheme.id}: ${v}`),
  );
  assert.deepEqual(wrong, []);
});
