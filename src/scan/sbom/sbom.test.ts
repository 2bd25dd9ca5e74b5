import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../inventory/testkit.ts';
import { isCycloneDxPath, parseCycloneDx } from './cyclonedx.ts';
import { SBOM_EXTRACTORS } from './index.ts';
import { isSpdxPath, parseSpdx } from './spdx.ts';

const here = import.meta.dirname;

test('CycloneDX: components and nested components through their purls, the subject left out', () => {
  const r = parseCycloneDx(fixture(here, 'app.cdx.json'), 'sbom/app.cdx.json');
  assert.deepEqual(
    r.packages.map((p) => `${p.ecosystem} ${p.name}@${p.version}`),
    [
      'npm lodash@4.17.20',
      'Maven com.fasterxml.jackson.core:jackson-databind@2.9.1',
      'Debian:12 openssl@3.0.11-1~deb12u2',
      'Maven com.fasterxml.jackson.core:jackson-annotations@2.9.0',
    ],
  );
  assert.equal(r.packages[0]?.line, 16);
  assert.equal(r.packages[0]?.location, 'sbom/app.cdx.json');
  assert.equal(r.packages[1]?.purl, 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.1?type=jar');
  const messages = r.issues.map((i) => i.message);
  assert.equal(messages.length, 3);
  assert.match(messages[0]!, /component broken: purl "npm\/broken@1.0.0" is invalid/);
  assert.match(messages[1]!, /1 components without a purl/);
  assert.match(messages[2]!, /1 components of purl type generic/);
});

test('CycloneDX: not CycloneDX, invalid JSON, hostile nesting', () => {
  assert.match(parseCycloneDx('{"spdxVersion": "SPDX-2.3"}', 'bom.json').issues[0]!.message, /not a CycloneDX/);
  assert.equal(parseCycloneDx('{"bomFormat": ', 'bom.json').issues.length, 1);
  let comp = '{"name": "leaf", "purl": "pkg:npm/leaf@1.0.0"}';
  for (let i = 0; i < 100; i++) comp = `{"name": "n${i}", "purl": "pkg:npm/n${i}@1.0.0", "components": [${comp}]}`;
  const r = parseCycloneDx(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [${comp}]}`, 'bom.json');
  assert.equal(r.packages.length, 64);
  assert.ok(r.issues.some((i) => /nested deeper/.test(i.message)));
});

test('SPDX: packages with purl external references (both category spellings), versionInfo as fallback', () => {
  const r = parseSpdx(fixture(here, 'image.spdx.json'), 'image.spdx.json');
  assert.deepEqual(
    r.packages.map((p) => `${p.ecosystem} ${p.name}@${p.version}${p.sourceName ? ` (${p.sourceName})` : ''}`),
    ['PyPI werkzeug@0.11', 'Alpine:v3.18 musl@1.2.4-r2 (musl)', 'Go github.com/gin-gonic/gin@v1.9.0'],
  );
  assert.equal(r.packages[0]?.line, 12);
  assert.deepEqual(
    r.issues.map((i) => i.message),
    ['1 components without a purl were skipped'],
  );
  assert.match(parseSpdx('{"bomFormat": "CycloneDX"}', 'x.spdx.json').issues[0]!.message, /not an SPDX/);
});

test('SBOM file names', () => {
  assert.ok(isCycloneDxPath('bom.json') && isCycloneDxPath('out/app.cdx.json') && isCycloneDxPath('x.cyclonedx.json'));
  assert.ok(isSpdxPath('image.spdx.json') && !isSpdxPath('spdx.txt'));
  assert.deepEqual([...SBOM_EXTRACTORS.keys()], ['sbom/cyclonedx', 'sbom/spdx']);
});
