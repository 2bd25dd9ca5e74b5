import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import { parsePackageResolved, swiftPackageName } from './lockfile.ts';

const here = import.meta.dirname;

test('Package.resolved v1: repositoryURL names the package, branch pins skipped', () => {
  const r = parsePackageResolved(fixture(here, 'Package.resolved.v1'), 'Package.resolved');
  assert.deepEqual(ids(r), ['github.com/apple/swift-nio@2.41.0']);
  assert.equal(r.packages[0]?.line, 4);
  assert.equal(r.packages[0]?.purl, 'pkg:swift/github.com/apple/swift-nio@2.41.0');
});

test('Package.resolved v2/v3: location, SSH URLs', () => {
  const r = parsePackageResolved(fixture(here, 'Package.resolved.v2'), 'Package.resolved');
  assert.deepEqual(ids(r), ['github.com/apple/swift-log@1.5.4', 'github.com/grpc/grpc-swift@1.21.0']);
  assert.equal(byId(r).get('github.com/grpc/grpc-swift@1.21.0')?.line, 13);
  assert.equal(swiftPackageName('ssh://git@gitlab.com/team/lib.git/'), 'gitlab.com/team/lib');
});
