import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import { parseConanLock, parseConanRef } from './lockfile.ts';

const here = import.meta.dirname;

test('conan.lock 0.4 (Conan 1): nodes, the consumer skipped, build context dev, direct from node 0', () => {
  const r = parseConanLock(fixture(here, 'conan-v1.lock'), 'conan.lock');
  assert.deepEqual(ids(r), ['cmake@3.25.1 (dev)', 'openssl@1.1.1q', 'zlib@1.2.12']);
  const m = byId(r);
  assert.equal(m.get('openssl@1.1.1q')?.direct, true);
  assert.equal(m.get('zlib@1.2.12')?.direct, false);
  assert.equal(m.get('openssl@1.1.1q')?.line, 12);
  assert.equal(m.get('zlib@1.2.12')?.purl, 'pkg:conan/zlib@1.2.12');
});

test('conan.lock 0.5 (Conan 2): requires, build_requires dev', () => {
  const r = parseConanLock(fixture(here, 'conan-v2.lock'), 'conan.lock');
  assert.deepEqual(ids(r), ['cmake@3.28.1 (dev)', 'openssl@3.2.1', 'zlib@1.3']);
  assert.equal(byId(r).get('zlib@1.3')?.line, 4);
  assert.deepEqual(parseConanRef('fmt/10.2.1@user/testing#abc%1'), { name: 'fmt', version: '10.2.1' });
  assert.equal(parseConanRef('nonsense'), undefined);
});
