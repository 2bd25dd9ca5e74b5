import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import { parseCargoLock } from './lockfile.ts';

const here = import.meta.dirname;

test('Cargo.lock alone: registry crates, path crates skipped, versions told apart', () => {
  const r = parseCargoLock(fixture(here, 'Cargo.lock'), 'Cargo.lock');
  assert.deepEqual(ids(r), [
    'cfg-if@1.0.0',
    'hashbrown@0.12.3',
    'hashbrown@0.14.3',
    'indexmap@1.9.3',
    'tempfile@3.8.1',
  ]);
  assert.equal(byId(r).get('hashbrown@0.14.3')?.line, 17);
  assert.equal(byId(r).get('cfg-if@1.0.0')?.purl, 'pkg:cargo/cfg-if@1.0.0');
});

test('Cargo.lock with Cargo.toml: the root, renames, target and dev dependencies', () => {
  const r = parseCargoLock(fixture(here, 'Cargo.lock'), 'Cargo.lock', fixture(here, 'Cargo.toml'));
  assert.deepEqual(ids(r), [
    'cfg-if@1.0.0',
    'hashbrown@0.12.3',
    'hashbrown@0.14.3',
    'indexmap@1.9.3',
    'ledger-cli@0.4.0 (root)',
    'tempfile@3.8.1 (dev)',
  ]);
  const m = byId(r);
  assert.equal(m.get('hashbrown@0.14.3')?.direct, true, 'renamed in Cargo.toml');
  assert.equal(m.get('hashbrown@0.12.3')?.direct, false);
  assert.equal(m.get('cfg-if@1.0.0')?.dev, false, 'also a dependency of tempfile, but a target dependency first');
});

test('Cargo.lock: a broken table is skipped, the rest kept', () => {
  const text = fixture(here, 'Cargo.lock').replace('version = "0.12.3"', 'version = "0.12.3');
  const r = parseCargoLock(text, 'Cargo.lock');
  assert.equal(r.packages.length, 4);
  assert.equal(r.issues[0]?.line, 13);
});
