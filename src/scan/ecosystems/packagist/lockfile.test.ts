import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import { installedJson, parseComposerLock, parseInstalledJson } from './lockfile.ts';

const here = import.meta.dirname;

test('composer.lock: packages and packages-dev, branch versions skipped, direct from composer.json', () => {
  const r = parseComposerLock(fixture(here, 'composer.lock'), 'composer.lock', fixture(here, 'composer.json'));
  assert.deepEqual(ids(r), ['guzzlehttp/guzzle@7.4.4', 'guzzlehttp/psr7@1.8.3', 'phpunit/phpunit@9.5.20 (dev)']);
  const m = byId(r);
  assert.equal(m.get('guzzlehttp/guzzle@7.4.4')?.direct, true, 'package names are case-insensitive');
  assert.equal(m.get('guzzlehttp/psr7@1.8.3')?.direct, false);
  assert.equal(m.get('guzzlehttp/guzzle@7.4.4')?.line, 9);
  assert.equal(m.get('guzzlehttp/psr7@1.8.3')?.purl, 'pkg:composer/guzzlehttp/psr7@1.8.3');
});

test('installed.json: format 1 (an array) and format 2 (dev-package-names)', () => {
  assert.deepEqual(ids(parseInstalledJson(fixture(here, 'installed-v1.json'), 'vendor/composer/installed.json')), [
    'monolog/monolog@2.3.5',
    'psr/log@1.1.4',
  ]);
  const v2 =
    '{"packages": [{"name": "a/b", "version": "1.0.0"}, {"name": "c/d", "version": "2.0.0"}], "dev": true, "dev-package-names": ["c/d"]}';
  assert.deepEqual(ids(parseInstalledJson(v2, 'vendor/composer/installed.json')), ['a/b@1.0.0', 'c/d@2.0.0 (dev)']);
  assert.equal(parseInstalledJson('{', 'vendor/composer/installed.json').issues.length, 1);
  assert.equal(parseInstalledJson('{', 'other/installed.json').issues.length, 0, "not composer's: no noise");
  assert.equal(installedJson.kind, 'installed');
});
