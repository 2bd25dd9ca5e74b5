import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import { goMod, parseGoMod } from './lockfile.ts';

const here = import.meta.dirname;

test('go.mod: require lines and blocks, quoted paths, indirect, replace applied, local replacements dropped', () => {
  const r = parseGoMod(fixture(here, 'go.mod'), 'go.mod');
  assert.deepEqual(ids(r), [
    'github.com/docker/distribution@v2.7.1+incompatible',
    'github.com/gin-gonic/gin@v1.9.0',
    'github.com/quoted/mod@v1.0.0',
    'golang.org/x/net@v0.23.0',
    'gopkg.in/yaml.v3@v3.0.0-20200313102051-9f266ea9e77c',
  ]);
  const m = byId(r);
  assert.equal(m.get('github.com/gin-gonic/gin@v1.9.0')?.direct, true, 'a replace for another version does not apply');
  assert.equal(m.get('golang.org/x/net@v0.23.0')?.direct, false);
  assert.equal(m.get('golang.org/x/net@v0.23.0')?.line, 20, 'the replace line');
  assert.equal(
    m.get('github.com/docker/distribution@v2.7.1+incompatible')?.purl,
    'pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible',
  );
  assert.equal(r.issues.length, 1);
  assert.match(r.issues[0]!.message, /excluded/);
});

test('go.mod before go 1.17: go.sum adds the modules go.mod does not list', () => {
  const r = parseGoMod(fixture(here, 'go116.mod'), 'sub/go.mod', fixture(here, 'go116.sum'));
  assert.deepEqual(ids(r), [
    'github.com/davecgh/go-spew@v1.1.0',
    'github.com/docker/distribution@v2.7.1+incompatible',
    'github.com/stretchr/testify@v1.7.0',
  ]);
  assert.equal(byId(r).get('github.com/stretchr/testify@v1.7.0')?.direct, false);
  // go 1.17+ lists every module itself: go.sum is not merged
  assert.equal(parseGoMod(fixture(here, 'go.mod'), 'go.mod', fixture(here, 'go116.sum')).packages.length, 5);
});

test('go.mod: hostile input gives issues', () => {
  const r = parseGoMod('module x\nrequire (\n\tgithub.com/a/b\n', 'go.mod');
  assert.equal(r.packages.length, 0);
  assert.deepEqual(
    r.issues.map((i) => i.line),
    [3, undefined],
  );
  assert.ok(goMod.matches('svc/go.mod') && !goMod.matches('vendor/x/go.mod'));
  assert.deepEqual(goMod.related?.('svc/go.mod'), ['svc/go.sum']);
});
