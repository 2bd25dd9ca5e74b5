import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OSV_ECOSYSTEMS } from '../versions/index.ts';
import { EXTRACTOR_FOLDERS, EXTRACTORS, extractorsFor } from './extractors.ts';

const here = import.meta.dirname;

test('the registry and the folders on disk agree', () => {
  const onDisk = readdirSync(here, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'lockfile.ts')))
    .map((d) => d.name)
    .sort();
  assert.deepEqual(
    Object.keys(EXTRACTOR_FOLDERS).sort(),
    onDisk,
    'every folder with a lockfile.ts is registered, and only those',
  );
  for (const [folder, list] of Object.entries(EXTRACTOR_FOLDERS)) {
    assert.ok(list.length > 0, folder);
    for (const e of list) assert.ok(e.id.startsWith(`${folder}/`), `${e.id} is registered under ${folder}`);
  }
  const ids = Object.values(EXTRACTOR_FOLDERS).flatMap((l) => l.map((e) => e.id));
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  assert.equal(EXTRACTORS.size, ids.length);
  for (const e of EXTRACTORS.values())
    assert.ok((OSV_ECOSYSTEMS as readonly string[]).includes(e.ecosystem), `${e.id}: ${e.ecosystem}`);
});

test('each well-known file name is claimed by exactly the extractor meant for it', () => {
  const cases: [string, string][] = [
    ['package-lock.json', 'npm/package-lock'],
    ['npm-shrinkwrap.json', 'npm/package-lock'],
    ['yarn.lock', 'npm/yarn'],
    ['pnpm-lock.yaml', 'npm/pnpm'],
    ['bun.lock', 'npm/bun'],
    ['requirements.txt', 'pypi/requirements'],
    ['Pipfile.lock', 'pypi/pipfile-lock'],
    ['poetry.lock', 'pypi/poetry'],
    ['uv.lock', 'pypi/uv'],
    ['pdm.lock', 'pypi/pdm'],
    ['pylock.toml', 'pypi/pylock'],
    ['go.mod', 'go/gomod'],
    ['Cargo.lock', 'cargo/cargo-lock'],
    ['Gemfile.lock', 'rubygems/gemfile-lock'],
    ['composer.lock', 'packagist/composer-lock'],
    ['vendor/composer/installed.json', 'packagist/installed-json'],
    ['packages.lock.json', 'nuget/packages-lock'],
    ['packages.config', 'nuget/packages-config'],
    ['app.deps.json', 'nuget/deps-json'],
    ['Directory.Packages.props', 'nuget/packages-props'],
    ['pom.xml', 'maven/pom'],
    ['gradle.lockfile', 'maven/gradle-lockfile'],
    ['gradle/verification-metadata.xml', 'maven/gradle-verification-metadata'],
    ['build.sbt.lock', 'maven/sbt-lock'],
    ['pubspec.lock', 'pub/pubspec-lock'],
    ['mix.lock', 'hex/mix-lock'],
    ['conan.lock', 'conan/conan-lock'],
    ['Podfile.lock', 'cocoapods/podfile-lock'],
    ['Package.resolved', 'swift/package-resolved'],
    ['node_modules/lodash/package.json', 'npm/package-json'],
  ];
  for (const [path, id] of cases)
    assert.deepEqual(
      extractorsFor(path).map((e) => e.id),
      [id],
      path,
    );
  for (const path of ['package.json', 'README.md', 'go.sum', 'Cargo.toml', 'pyproject.toml', 'composer.json']) {
    assert.deepEqual(extractorsFor(path), [], `${path} is only read beside its lockfile`);
  }
});

test('no extractor throws on garbage', () => {
  const junk = [
    '',
    '\u0000\u0001\u0002',
    '{',
    '[[[',
    '<<<>',
    'a = [',
    '%{ "x": {:hex',
    '\ufeff'.repeat(3),
    'null',
    '[]',
    '"s"',
  ];
  for (const e of EXTRACTORS.values()) {
    for (const text of junk) {
      const r = e.extract(
        text,
        'x',
        new Map([
          ['package.json', text],
          ['Cargo.toml', text],
          ['pyproject.toml', text],
          ['go.sum', text],
        ]),
      );
      assert.ok(Array.isArray(r.packages) && Array.isArray(r.issues), e.id);
    }
  }
});
