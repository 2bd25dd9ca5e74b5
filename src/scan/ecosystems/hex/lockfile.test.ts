import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import { parseMixLock } from './lockfile.ts';

const here = import.meta.dirname;

test('mix.lock: hex entries by package name (aliases resolved), git skipped, lines', () => {
  const r = parseMixLock(fixture(here, 'mix.lock'), 'mix.lock');
  assert.deepEqual(ids(r), ['castore@0.1.18', 'jason@1.4.0', 'phoenix@1.6.13', 'plug@1.14.0']);
  assert.equal(byId(r).get('phoenix@1.6.13')?.line, 5);
  assert.equal(byId(r).get('plug@1.14.0')?.purl, 'pkg:hex/plug@1.14.0');
  assert.deepEqual(r.issues, []);
  assert.equal(parseMixLock('garbage', 'mix.lock').issues.length, 1);
});
