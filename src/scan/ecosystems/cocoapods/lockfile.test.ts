import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import { parsePodfileLock } from './lockfile.ts';

const here = import.meta.dirname;

test('Podfile.lock: pods, subspecs folded into their pod, direct from DEPENDENCIES', () => {
  const r = parsePodfileLock(fixture(here, 'Podfile.lock'), 'ios/Podfile.lock');
  assert.deepEqual(ids(r), [
    'Alamofire@5.6.4',
    'Firebase@10.3.0',
    'FirebaseCore@10.3.0',
    'GoogleUtilities@7.11.0',
    'PromisesObjC@2.1.1',
  ]);
  assert.equal(byId(r).get('Firebase@10.3.0')?.direct, true);
  assert.equal(byId(r).get('PromisesObjC@2.1.1')?.direct, false);
  assert.equal(byId(r).get('Alamofire@5.6.4')?.purl, 'pkg:cocoapods/Alamofire@5.6.4');
  assert.deepEqual(r.issues, []);
});
