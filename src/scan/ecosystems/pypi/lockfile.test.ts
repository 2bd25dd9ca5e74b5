import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import { parsePdmLock, parsePipfileLock, parsePoetryLock, parsePylock, parseUvLock, pylock } from './lockfile.ts';
import { isRequirementsFile, parseRequirements } from './requirements.ts';

const here = import.meta.dirname;

test('requirements.txt: pins only, extras, markers, hashes, continuations, comments; includes are issues', () => {
  const r = parseRequirements(fixture(here, 'requirements.txt'), 'requirements.txt');
  assert.deepEqual(ids(r), [
    'Django@3.2.4',
    'Flask@2.0.0',
    'Werkzeug@0.11',
    'cryptography@3.3.2',
    'requests@2.25.1',
    'zope.interface@5.4.0',
  ]);
  const m = byId(r);
  assert.equal(m.get('Django@3.2.4')?.line, 6);
  assert.equal(m.get('cryptography@3.3.2')?.line, 11, 'a continued requirement keeps its first line');
  assert.equal(m.get('Werkzeug@0.11')?.purl, 'pkg:pypi/werkzeug@0.11');
  const messages = r.issues.map((i) => `${i.line}: ${i.message}`);
  assert.equal(messages.length, 3);
  assert.match(messages[0]!, /^2: includes requirements file requirements-base.txt/);
  assert.match(messages[1]!, /^4: includes constraints file constraints.txt/);
  assert.match(messages[2]!, /^18: numpy: "not-a-version" is not a PEP 440 version/);
});

test('requirements: UTF-8 BOM, CRLF, and which files are requirements files', () => {
  assert.deepEqual(ids(parseRequirements('\ufeffclick==8.0.0\r\nflask==2.0.0\r\n', 'requirements.txt')), [
    'click@8.0.0',
    'flask@2.0.0',
  ]);
  assert.ok(isRequirementsFile('requirements.txt'));
  assert.ok(isRequirementsFile('svc/requirements-dev.txt'));
  assert.ok(isRequirementsFile('requirements/prod.txt'));
  assert.ok(!isRequirementsFile('notes.txt'));
  assert.ok(!isRequirementsFile('requirements.in'));
});

test('Pipfile.lock: default and develop (dev), git entries skipped, lines', () => {
  const r = parsePipfileLock(fixture(here, 'Pipfile.lock'), 'Pipfile.lock');
  assert.deepEqual(ids(r), ['jinja2@3.1.2', 'pytest@7.4.0 (dev)']);
  assert.equal(byId(r).get('jinja2@3.1.2')?.line, 19);
});

test('poetry.lock with pyproject.toml: directory sources skipped, dev groups, direct', () => {
  const r = parsePoetryLock(fixture(here, 'poetry.lock'), 'poetry.lock', fixture(here, 'poetry.pyproject.toml'));
  assert.deepEqual(ids(r), ['certifi@2023.7.22', 'iniconfig@2.0.0 (dev)', 'pytest@7.4.0 (dev)', 'requests@2.31.0']);
  const m = byId(r);
  assert.equal(m.get('requests@2.31.0')?.direct, true);
  assert.equal(m.get('certifi@2023.7.22')?.direct, false);
  assert.equal(m.get('pytest@7.4.0')?.line, 34);
});

test('poetry.lock: a broken package table costs only itself', () => {
  const text = fixture(here, 'poetry.lock').replace('version = "2.0.0"', 'version = 2.0.0.0');
  const r = parsePoetryLock(text, 'poetry.lock');
  assert.deepEqual(ids(r), ['certifi@2023.7.22', 'pytest@7.4.0', 'requests@2.31.0']);
  assert.equal(r.issues.length, 1);
  assert.equal(r.issues[0]?.line, 15);
});

test('uv.lock: the editable project is the root, dev-dependencies are dev, git sources skipped', () => {
  const r = parseUvLock(fixture(here, 'uv.lock'), 'uv.lock');
  assert.deepEqual(ids(r), [
    'anyio@4.2.0',
    'idna@3.6',
    'iniconfig@2.0.0 (dev)',
    'pytest@8.0.0 (dev)',
    'sniffio@1.3.0',
    'web-app@1.4.0 (root)',
  ]);
  assert.equal(byId(r).get('anyio@4.2.0')?.direct, true);
  assert.equal(byId(r).get('idna@3.6')?.direct, false);
});

test('pdm.lock: groups without default are dev', () => {
  assert.deepEqual(ids(parsePdmLock(fixture(here, 'pdm.lock'), 'pdm.lock')), ['click@8.1.7', 'ruff@0.1.9 (dev)']);
});

test('pylock.toml (PEP 751): packages with a version; directory entries skipped; file names', () => {
  const r = parsePylock(fixture(here, 'pylock.toml'), 'pylock.toml');
  assert.deepEqual(ids(r), ['Attrs@23.2.0', 'urllib3@2.0.7']);
  assert.equal(byId(r).get('Attrs@23.2.0')?.purl, 'pkg:pypi/attrs@23.2.0');
  assert.ok(pylock.matches('pylock.toml') && pylock.matches('pylock.dev.toml') && !pylock.matches('pylock.a.b.toml'));
});

test('invalid TOML and JSON give issues with lines', () => {
  const r = parseUvLock('version = 1\n[[package]\nname = "x"\n', 'uv.lock');
  assert.equal(r.packages.length, 0);
  assert.equal(r.issues[0]?.line, 2);
  const p = parsePipfileLock('{"default": {"a": {"version": "==1"}}', 'Pipfile.lock');
  assert.equal(p.issues.length, 1);
});
