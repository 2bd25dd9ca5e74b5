import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import {
  depsJson,
  packagesProps,
  parseDepsJson,
  parsePackagesConfig,
  parsePackagesLock,
  parsePackagesProps,
} from './lockfile.ts';

const here = import.meta.dirname;

test('packages.lock.json: every target framework, project references skipped, direct', () => {
  const r = parsePackagesLock(fixture(here, 'packages.lock.json'), 'packages.lock.json');
  assert.deepEqual(ids(r), ['Newtonsoft.Json@12.0.3', 'NuGet.Frameworks@5.7.0']);
  const m = byId(r);
  assert.equal(m.get('Newtonsoft.Json@12.0.3')?.direct, true);
  assert.equal(m.get('NuGet.Frameworks@5.7.0')?.direct, false);
  assert.equal(m.get('Newtonsoft.Json@12.0.3')?.line, 5);
  assert.equal(m.get('Newtonsoft.Json@12.0.3')?.purl, 'pkg:nuget/Newtonsoft.Json@12.0.3');
});

test('packages.config: developmentDependency is dev', () => {
  const r = parsePackagesConfig(fixture(here, 'packages.config'), 'packages.config');
  assert.deepEqual(ids(r), [
    'Microsoft.AspNet.Mvc@5.2.7',
    'Microsoft.CodeDom.Providers.DotNetCompilerPlatform@2.0.1 (dev)',
    'jQuery@3.4.1',
  ]);
  assert.equal(byId(r).get('jQuery@3.4.1')?.line, 4);
});

test('.deps.json: package libraries, the project as root, references skipped', () => {
  const r = parseDepsJson(fixture(here, 'Service.deps.json'), 'bin/Service.deps.json');
  assert.deepEqual(ids(r), ['Serilog@2.10.0', 'Service@1.2.0 (root)']);
  assert.equal(byId(r).get('Serilog@2.10.0')?.line, 30);
  assert.ok(depsJson.matches('bin/Service.deps.json') && !depsJson.matches('deps.json.bak'));
});

test('Directory.Packages.props: properties expanded, exact ranges, the rest reported', () => {
  const r = parsePackagesProps(fixture(here, 'Directory.Packages.props'), 'Directory.Packages.props');
  assert.deepEqual(ids(r), [
    'Microsoft.AspNetCore.Authentication.JwtBearer@6.0.16',
    'Newtonsoft.Json@9.0.1',
    'Serilog@2.10.0',
    'StyleCop.Analyzers@1.1.118',
  ]);
  assert.deepEqual(
    r.issues.map((i) => i.line),
    [10, 11],
  );
  assert.match(r.issues[0]!.message, /Polly: version range/);
  assert.match(r.issues[1]!.message, /Dapper: .*property/);
  assert.ok(packagesProps.matches('src/Directory.Packages.props') && packagesProps.matches('packages.props'));
});

test('XML: invalid documents keep what parsed, with the line of the error', () => {
  const r = parsePackagesConfig(
    '<packages>\n  <package id="A" version="1.0.0" />\n  <package id="B" version="2.0.0">\n</packages>',
    'packages.config',
  );
  assert.deepEqual(ids(r), ['A@1.0.0', 'B@2.0.0']);
  assert.ok(r.issues.some((i) => i.line === 4));
  const deep = `${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`;
  assert.ok(parsePackagesProps(deep, 'Packages.props').issues.some((i) => /nested deeper/.test(i.message)));
});
