import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import { parseBunLock } from './bun.ts';
import { packageLock, parsePackageLock } from './lockfile.ts';
import { installedPackageJson, parseInstalledPackageJson } from './package-json.ts';
import { parsePnpmLock } from './pnpm.ts';
import { parseYarnLock, yarnLock } from './yarn.ts';

const here = import.meta.dirname;

test('package-lock v1: nested copies, dev flags, npm: aliases, git dependencies skipped, lines', () => {
  const r = parsePackageLock(fixture(here, 'package-lock-v1.json'), 'package-lock.json');
  assert.deepEqual(ids(r), [
    'debug@2.6.9',
    'lodash@4.17.15',
    'lodash@4.17.21',
    'mocha@6.2.2 (dev)',
    'ms@2.0.0',
    'ms@2.1.2',
  ]);
  const m = byId(r);
  assert.equal(m.get('debug@2.6.9')?.line, 7);
  assert.equal(m.get('ms@2.0.0')?.line, 15, 'the nested copy keeps its own line');
  assert.equal(m.get('lodash@4.17.21')?.purl, 'pkg:npm/lodash@4.17.21');
  assert.equal(m.get('debug@2.6.9')?.ecosystem, 'npm');
  assert.deepEqual(r.issues, []);
});

test('package-lock v3: links and workspace folders skipped, file: tarballs skipped, aliases, direct and dev', () => {
  const r = parsePackageLock(fixture(here, 'package-lock-v3.json'), 'app/package-lock.json');
  assert.deepEqual(ids(r), [
    'express@4.17.1',
    'jest@29.7.0 (dev)',
    'lodash@4.17.21',
    'qs@6.11.0 (dev)',
    'qs@6.7.0',
    'strip-ansi@6.0.1',
  ]);
  const m = byId(r);
  assert.equal(m.get('express@4.17.1')?.direct, true);
  assert.equal(m.get('qs@6.7.0')?.direct, false, 'nested under express');
  assert.equal(m.get('lodash@4.17.21')?.direct, true, "a workspace's dependency is direct");
  assert.equal(m.get('strip-ansi@6.0.1')?.direct, true);
  assert.equal(m.get('express@4.17.1')?.location, 'app/package-lock.json');
  assert.equal(m.get('express@4.17.1')?.line, 25);
});

test('package-lock: invalid JSON is an issue with its line, never a throw', () => {
  const r = parsePackageLock('{\n  "lockfileVersion": 2,\n  "packages": {,\n}', 'package-lock.json');
  assert.equal(r.packages.length, 0);
  assert.equal(r.issues.length, 1);
  assert.equal(r.issues[0]?.line, 3);
  assert.equal(r.issues[0]?.location, 'package-lock.json');
  assert.equal(parsePackageLock('[]', 'package-lock.json').issues.length, 1);
});

test('package-lock: deep nesting is bounded', () => {
  let lock = '"x": {"version": "1.0.0"}';
  for (let i = 0; i < 300; i++) lock = `"d${i}": {"version": "1.0.${i}", "dependencies": {${lock}}}`;
  const r = parsePackageLock(`{"lockfileVersion": 1, "dependencies": {${lock}}}`, 'package-lock.json');
  assert.ok(r.packages.length > 150 && r.packages.length < 301);
  assert.match(r.issues[0]?.message ?? '', /nested deeper/);
});

test('package-lock matches its file names, not copies inside node_modules', () => {
  assert.ok(packageLock.matches('package-lock.json'));
  assert.ok(packageLock.matches('svc/npm-shrinkwrap.json'));
  assert.ok(!packageLock.matches('node_modules/x/package-lock.json'));
  assert.ok(!packageLock.matches('package.json'));
});

test('yarn v1: patterns, scoped names, aliases, git sources skipped; package.json marks root, direct and dev', () => {
  const r = parseYarnLock(fixture(here, 'yarn-v1.lock'), 'yarn.lock', fixture(here, 'yarn-v1.package.json'));
  assert.deepEqual(ids(r), [
    '@babel/code-frame@7.8.3 (dev)',
    '@babel/highlight@7.9.0 (dev)',
    'asap@2.0.6 (dev)',
    'jquery@3.2.1',
    'js-tokens@4.0.0 (dev)',
    'promise@8.0.3 (dev)',
    'storefront@1.0.0 (root)',
    'string-width@4.2.3',
  ]);
  const m = byId(r);
  assert.equal(m.get('jquery@3.2.1')?.line, 24);
  assert.equal(m.get('jquery@3.2.1')?.direct, true);
  assert.equal(m.get('asap@2.0.6')?.direct, false);
  assert.equal(m.get('@babel/code-frame@7.8.3')?.purl, 'pkg:npm/%40babel/code-frame@7.8.3');
  assert.deepEqual(r.issues, []);
});

test('yarn v1 without package.json: everything, nothing marked', () => {
  const r = parseYarnLock(fixture(here, 'yarn-v1.lock'), 'yarn.lock');
  assert.equal(r.packages.length, 7);
  assert.ok(r.packages.every((p) => p.dev === undefined && p.root === undefined));
});

test('yarn berry: resolution names the package; workspaces and patches skipped; dev from package.json', () => {
  const r = parseYarnLock(fixture(here, 'yarn-berry.lock'), 'yarn.lock', fixture(here, 'yarn-berry.package.json'));
  assert.deepEqual(ids(r), [
    '@types/node@20.11.5 (dev)',
    'lodash@4.17.20',
    'resolve@1.22.8',
    'undici-types@5.26.5 (dev)',
  ]);
  assert.equal(byId(r).get('lodash@4.17.20')?.line, 17);
});

test('yarn: a hostile file gives issues, not a crash', () => {
  const r = parseYarnLock('this is not\n  a lockfile\n"@x@^1":\n  version "1.0.0"\n', 'yarn.lock', '{not json');
  assert.deepEqual(ids(r), ['@x@1.0.0']);
  assert.ok(r.issues.some((i) => i.line === 1));
  assert.ok(r.issues.some((i) => /package.json/.test(i.message)));
  assert.ok(yarnLock.matches('web/yarn.lock') && !yarnLock.matches('node_modules/a/yarn.lock'));
  assert.deepEqual(yarnLock.related?.('web/yarn.lock'), ['web/package.json']);
});

test('pnpm v5: /name/version keys, peer suffixes dropped, dev flags', () => {
  const r = parsePnpmLock(fixture(here, 'pnpm-v5.yaml'), 'pnpm-lock.yaml');
  assert.deepEqual(ids(r), ['@babel/core@7.21.8 (dev)', 'lodash@4.17.10', 'loose-envify@1.4.0', 'react-dom@16.13.1']);
  const m = byId(r);
  assert.equal(m.get('react-dom@16.13.1')?.direct, true);
  assert.equal(m.get('loose-envify@1.4.0')?.direct, false);
});

test('pnpm v6: /name@version keys and specifier/version maps', () => {
  const r = parsePnpmLock(fixture(here, 'pnpm-v6.yaml'), 'pnpm-lock.yaml');
  assert.deepEqual(ids(r), ['axios@0.21.1', 'follow-redirects@1.15.2', 'typescript@5.0.4 (dev)']);
});

test('pnpm v9: importers and snapshots, dev by reachability, workspace links skipped', () => {
  const r = parsePnpmLock(fixture(here, 'pnpm-v9.yaml'), 'pnpm-lock.yaml');
  assert.deepEqual(ids(r), [
    'js-tokens@4.0.0',
    'loose-envify@1.4.0',
    'lru-cache@6.0.0',
    'react@18.2.0',
    'semver@7.5.2',
    'tinypool@0.8.4 (dev)',
    'vitest@1.6.0 (dev)',
    'yallist@4.0.0',
  ]);
  assert.equal(byId(r).get('react@18.2.0')?.direct, true, "a workspace importer's dependency");
});

test('pnpm: invalid YAML is an issue with its line', () => {
  const r = parsePnpmLock('lockfileVersion: 5.4\npackages:\n  /a/1.0.0: {\n', 'pnpm-lock.yaml');
  assert.equal(r.packages.length, 0);
  assert.equal(r.issues.length, 1);
  assert.ok(r.issues[0]?.line !== undefined);
});

test('bun.lock: JSONC (comments, trailing commas), nested install paths, dev by reachability, lines', () => {
  const r = parseBunLock(fixture(here, 'bun.lock'), 'bun.lock');
  assert.deepEqual(ids(r), [
    '@types/bun@1.1.0 (dev)',
    '@types/node@20.12.14 (dev)',
    '@types/ws@8.5.12 (dev)',
    'bun-types@1.1.0 (dev)',
    'hono@4.0.5',
    'undici-types@5.26.5',
    'undici-types@5.28.4 (dev)',
    'zod@3.22.2',
  ]);
  const m = byId(r);
  // @types/node resolves its own nested copy: the top-level one is reached by nothing, so left unmarked
  assert.equal(m.get('undici-types@5.26.5')?.dev, undefined);
  assert.equal(m.get('undici-types@5.28.4')?.line, 31);
  assert.equal(m.get('hono@4.0.5')?.line, 25);
  assert.equal(m.get('hono@4.0.5')?.direct, true);
});

test('installed package.json: only node_modules/<name>/package.json', () => {
  assert.ok(installedPackageJson.matches('node_modules/jquery/package.json'));
  assert.ok(installedPackageJson.matches('node_modules/@babel/core/package.json'));
  assert.ok(installedPackageJson.matches('node_modules/.pnpm/lodash@4.17.4/node_modules/lodash/package.json'));
  assert.ok(!installedPackageJson.matches('package.json'));
  assert.ok(!installedPackageJson.matches('node_modules/x/test/fixture/package.json'));
  assert.deepEqual(
    ids(parseInstalledPackageJson('{"name": "jquery", "version": "3.3.9"}', 'node_modules/jquery/package.json')),
    ['jquery@3.3.9'],
  );
  assert.equal(parseInstalledPackageJson('{"name": "x"}', 'node_modules/x/package.json').packages.length, 0);
});
