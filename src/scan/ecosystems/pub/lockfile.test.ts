import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import { parsePubspecLock } from './lockfile.ts';

const here = import.meta.dirname;

test('pubspec.lock: hosted packages, sdk and path skipped, direct dev is dev', () => {
  const r = parsePubspecLock(fixture(here, 'pubspec.lock'), 'pubspec.lock');
  assert.deepEqual(ids(r), ['async@2.11.0', 'http@0.13.2', 'lints@2.1.1 (dev)']);
  assert.equal(byId(r).get('http@0.13.2')?.direct, true);
  assert.equal(byId(r).get('async@2.11.0')?.direct, false);
  assert.equal(byId(r).get('http@0.13.2')?.purl, 'pkg:pub/http@0.13.2');
  assert.equal(parsePubspecLock('packages: [', 'pubspec.lock').issues.length, 1);
});
