import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import { parseGemfileLock } from './lockfile.ts';

const here = import.meta.dirname;

test('Gemfile.lock: GEM and GIT specs, PATH gems skipped, platforms dropped, direct from DEPENDENCIES', () => {
  const r = parseGemfileLock(fixture(here, 'Gemfile.lock'), 'Gemfile.lock');
  assert.deepEqual(ids(r), [
    'actionpack@6.1.4',
    'faraday@1.10.3',
    'nokogiri@1.13.6',
    'payments-sdk@2.1.0',
    'racc@1.6.0',
    'rack@2.2.3',
  ]);
  const m = byId(r);
  assert.equal(m.get('nokogiri@1.13.6')?.direct, true);
  assert.equal(m.get('rack@2.2.3')?.direct, false);
  assert.equal(m.get('nokogiri@1.13.6')?.line, 19);
  assert.equal(m.get('rack@2.2.3')?.purl, 'pkg:gem/rack@2.2.3');
  assert.deepEqual(r.issues, []);
  assert.equal(parseGemfileLock('hello', 'Gemfile.lock').issues.length, 1);
});
