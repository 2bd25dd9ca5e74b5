import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parseCycloneDx } from '../sbom/index.ts';
import { cycloneDxBom, vulnerabilitySource, type CdxVulnerability } from './cyclonedx.ts';
import { FINDINGS, INVENTORY } from './testkit.ts';

const SERIAL = 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79';
const bom = cycloneDxBom({
  packages: INVENTORY,
  findings: FINDINGS,
  target: { name: 'shop', type: 'application', version: '1.0.0' },
  toolVersion: '0.1.0',
  timestamp: '2024-05-01T12:00:00.000Z',
  serialNumber: SERIAL,
});
const vuln = (id: string): CdxVulnerability[] => bom.vulnerabilities.filter((v) => v.id === id);

describe('CycloneDX 1.6 BOM', () => {
  it('has the 1.6 header, metadata, the tool and the target', () => {
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.serialNumber, SERIAL);
    assert.equal(bom.version, 1);
    assert.equal(bom.metadata.timestamp, '2024-05-01T12:00:00.000Z');
    assert.deepEqual(
      bom.metadata.tools.components.map((t) => [t.name, t.version]),
      [['mamori', '0.1.0']],
    );
    assert.deepEqual(bom.metadata.component, {
      type: 'application',
      'bom-ref': 'mamori:target',
      name: 'shop',
      version: '1.0.0',
    });
  });

  it('a random urn:uuid serial number when none is given; a malformed one is refused', () => {
    const a = cycloneDxBom({ packages: [], toolVersion: '0', timestamp: '2024-05-01T12:00:00.000Z' });
    const b = cycloneDxBom({ packages: [], toolVersion: '0', timestamp: '2024-05-01T12:00:00.000Z' });
    assert.match(a.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.notEqual(a.serialNumber, b.serialNumber);
    assert.deepEqual(a.components, []);
    assert.deepEqual(a.vulnerabilities, []);
    assert.throws(() => cycloneDxBom({ packages: [], toolVersion: '0', timestamp: 'x', serialNumber: '42' }));
  });

  it('lists every scanned package once per purl, with each place it was found', () => {
    assert.equal(bom.components.length, INVENTORY.length - 1); // lodash is in two lockfiles
    const refs = bom.components.map((c) => c['bom-ref']);
    assert.equal(new Set(refs).size, refs.length);
    assert.deepEqual(refs, [...refs].sort());
    const lodash = bom.components.find((c) => c.name === 'lodash')!;
    assert.equal(lodash['bom-ref'], 'pkg:npm/lodash@4.17.20');
    assert.equal(lodash.purl, 'pkg:npm/lodash@4.17.20');
    assert.deepEqual(lodash.evidence?.occurrences, [
      { location: 'package-lock.json', line: 12 },
      { location: 'web/package-lock.json', line: 40 },
    ]);
    assert.deepEqual(lodash.properties, [
      { name: 'mamori:ecosystem', value: 'npm' },
      { name: 'mamori:location', value: 'package-lock.json:12' },
      { name: 'mamori:location', value: 'web/package-lock.json:40' },
      { name: 'mamori:direct', value: 'true' },
    ]);
    const log4j = bom.components.find((c) => c.name === 'log4j-core')!;
    assert.equal(log4j.group, 'org.apache.logging.log4j');
    const babel = bom.components.find((c) => c.name === 'core')!;
    assert.equal(babel.group, '@babel');
    assert.equal(bom.components.find((c) => c.purl?.startsWith('pkg:golang/'))?.name, 'github.com/gin-gonic/gin');
  });

  it('a vulnerable package outside the inventory still becomes a component', () => {
    const b = cycloneDxBom({
      packages: [],
      findings: FINDINGS.slice(0, 1),
      toolVersion: '0',
      timestamp: '2024-05-01T12:00:00.000Z',
    });
    assert.equal(b.components.length, 1);
    assert.equal(b.vulnerabilities[0]?.affects[0]?.ref, b.components[0]?.['bom-ref']);
  });

  it('vulnerabilities name their source, aliases, ratings, recommendation and advisories', () => {
    const [lodash, ...more] = vuln('CVE-2021-23337');
    assert.equal(more.length, 0, 'the same vulnerability of one component in two files is one entry');
    assert.deepEqual(lodash!.source, { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' });
    assert.deepEqual(lodash!.references, [
      { id: 'GHSA-35jh-r3h4-6jhm', source: { name: 'GHSA', url: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm' } },
    ]);
    assert.deepEqual(lodash!.ratings, [
      { score: 7.2, severity: 'high', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' },
    ]);
    assert.equal(lodash!.recommendation, 'Upgrade lodash to 4.17.21');
    assert.deepEqual(lodash!.advisories, [
      { url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' },
      { url: 'https://github.com/lodash/lodash/commit/3469357' },
    ]);
    assert.equal(lodash!.description, 'Command Injection in lodash');
    assert.equal(lodash!.published, '2021-02-15T13:15:00Z');
    assert.equal(lodash!.updated, '2022-09-13T21:25:02Z');
    assert.deepEqual(lodash!.affects, [
      { ref: 'pkg:npm/lodash@4.17.20', versions: [{ version: '4.17.20', status: 'affected' }] },
    ]);
    assert.equal(lodash!.properties?.filter((p) => p.name === 'mamori:finding-id').length, 2);
    assert.equal(lodash!.analysis, undefined);

    assert.equal(vuln('CVE-2022-0002')[0]!.ratings[0]!.method, 'CVSSv4');
    assert.equal(vuln('PYSEC-2021-98')[0]!.ratings[0]!.method, 'CVSSv2');
    assert.deepEqual(vuln('GHSA-67hx-6x53-jw92')[0]!.ratings[0], {
      severity: 'critical',
      method: 'other',
      justification: 'severity given by the database: CRITICAL',
    });
    assert.equal(
      vuln('GHSA-67hx-6x53-jw92')[0]!.recommendation,
      'Upgrade @babel/core to a fixed version: 7.23.2, 8.0.0-alpha.4',
    );
    assert.equal(vuln('GO-2020-0001')[0]!.ratings[0]!.severity, 'unknown');
    assert.equal(vuln('GO-2020-0001')[0]!.recommendation, undefined);
    assert.deepEqual(vuln('GO-2020-0001')[0]!.source, {
      name: 'OSV',
      url: 'https://osv.dev/vulnerability/GO-2020-0001',
    });
    assert.equal(vuln('CVE-2099-0001')[0]!.ratings[0]!.severity, 'none');
    assert.equal(vuln('CVE-2023-5678')[0]!.affects[0]!.versions[0]!.status, 'unknown');
  });

  it('records the analysis of suppressed findings and of VEX statements', () => {
    assert.deepEqual(vuln('CVE-2021-44228')[0]!.analysis, {
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail: 'JNDI lookups are disabled (vex.json#statement-1)',
    });
    assert.deepEqual(vuln('PYSEC-2021-98')[0]!.analysis, {
      state: 'exploitable',
      response: ['will_not_fix'],
      detail: 'not exposed (.mamori-ignore.yaml:2, until 2030-01-01)',
    });
    assert.deepEqual(vuln('CVE-2022-0002')[0]!.analysis, {
      state: 'exploitable',
      response: ['update'],
      detail: 'upgrade to 1.2.6 (vex.json#statement-2)',
    });
  });

  it('vulnerability sources by id', () => {
    assert.equal(vulnerabilitySource('CVE-2024-1234').name, 'NVD');
    assert.equal(vulnerabilitySource('GHSA-xxxx-yyyy-zzzz').name, 'GHSA');
    assert.equal(vulnerabilitySource('PYSEC-2021-98').name, 'OSV');
    assert.equal(vulnerabilitySource('a/b').url, 'https://osv.dev/vulnerability/a%2Fb');
  });

  it('our CycloneDX reader reads the packages back', () => {
    const back = parseCycloneDx(JSON.stringify(bom, null, 2), 'bom.cdx.json');
    assert.deepEqual(back.issues, []);
    const key = (p: { ecosystem: string; name: string; version: string }) =>
      // the PyPI purl carries the PEP 503 name
      `${p.ecosystem}|${p.ecosystem === 'PyPI' ? p.name.toLowerCase() : p.name}|${p.version}`;
    assert.deepEqual(back.packages.map(key).sort(), [...new Set(INVENTORY.map(key))].sort());
    assert.ok(back.packages.every((p) => p.location === 'bom.cdx.json' && p.purl !== undefined));
  });

  // The CycloneDX 1.6 JSON schema is not a dependency of the project. To check against it, install the
  // reference library's validator in a scratch folder and point MAMORI_CYCLONEDX_VALIDATOR at it:
  //   npm install --prefix /tmp/cdx @cyclonedx/cyclonedx-library ajv ajv-formats ajv-formats-draft2019
  //   MAMORI_CYCLONEDX_VALIDATOR=/tmp/cdx node --test src/scan/report/cyclonedx.test.ts
  const validatorDir = process.env['MAMORI_CYCLONEDX_VALIDATOR'];
  const library =
    validatorDir === undefined ? undefined : join(validatorDir, 'node_modules', '@cyclonedx', 'cyclonedx-library');
  it(
    'validates against the CycloneDX 1.6 JSON schema (strict)',
    { skip: library === undefined || !existsSync(library) ? 'MAMORI_CYCLONEDX_VALIDATOR is not set' : false },
    async () => {
      type Cdx = {
        Validation: { JsonStrictValidator: new (v: unknown) => { validate(json: string): Promise<unknown> } };
        Spec: { Version: { v1dot6: unknown } };
      };
      const mod = (await import(pathToFileURL(join(library as string, 'dist.node', 'index.node.js')).href)) as {
        default?: Cdx;
      } & Cdx;
      const cdx = mod.default ?? mod;
      const validator = new cdx.Validation.JsonStrictValidator(cdx.Spec.Version.v1dot6);
      assert.equal(await validator.validate(JSON.stringify(bom)), null);
      const bad = structuredClone(bom) as unknown as { vulnerabilities: { ratings: { method: string }[] }[] };
      bad.vulnerabilities[0]!.ratings[0]!.method = 'CVSSv99';
      assert.notEqual(await validator.validate(JSON.stringify(bad)), null);
    },
  );
});
