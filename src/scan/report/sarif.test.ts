import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finding, pkg } from '../vex/testkit.ts';
import { artifactUri, resultMessage, vulnerabilitySarif, type SarifResult } from './sarif.ts';
import { APPLIED, FINDINGS } from './testkit.ts';

const log = vulnerabilitySarif(FINDINGS, { toolVersion: '0.1.0', target: '.' });
const run = log.runs[0]!;
const rule = (id: string) => run.tool.driver.rules.find((r) => r.id === id);
const results = (id: string): SarifResult[] => run.results.filter((r) => r.ruleId === id);

describe('SARIF for vulnerability findings', () => {
  it('is one SARIF 2.1.0 run by mamori', () => {
    assert.equal(log.version, '2.1.0');
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.runs.length, 1);
    assert.equal(run.tool.driver.name, 'mamori');
    assert.equal(run.tool.driver.version, '0.1.0');
    assert.deepEqual(run.properties, { target: '.' });
  });

  it('has one rule per vulnerability id, and every result points at its rule', () => {
    const ids = new Set(FINDINGS.map((f) => f.vulnerability.id));
    assert.equal(run.tool.driver.rules.length, ids.size);
    assert.equal(run.results.length, FINDINGS.length);
    for (const r of run.results) assert.equal(run.tool.driver.rules[r.ruleIndex]?.id, r.ruleId);
    assert.equal(results('CVE-2021-23337').length, 2);
  });

  it('rules carry the summary, the first reference and the security-severity GitHub ranks by', () => {
    const r = rule('CVE-2021-23337')!;
    assert.equal(r.shortDescription.text, 'Command Injection in lodash');
    assert.equal(r.helpUri, 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337');
    assert.equal(r.properties['security-severity'], '7.2');
    assert.deepEqual(r.properties.tags, ['security', 'vulnerability', 'high']);
    assert.deepEqual(r.properties.aliases, ['GHSA-35jh-r3h4-6jhm']);
    assert.equal(r.defaultConfiguration.level, 'error');
    assert.match(r.help.markdown, /\*\*CVE-2021-23337\*\*/);
    // no CVSS score: the level's representative score (critical 9.5, medium 5.5), and no helpUri without a reference
    assert.equal(rule('GHSA-67hx-6x53-jw92')!.properties['security-severity'], '9.5');
    assert.equal(rule('GO-2020-0001')!.properties['security-severity'], '5.5');
    assert.equal(rule('GO-2020-0001')!.helpUri, undefined);
    assert.equal(rule('GO-2020-0001')!.shortDescription.text, 'Arbitrary log line injection');
    assert.equal(rule('CVE-2021-44228')!.properties['security-severity'], '10.0');
    assert.equal(rule('CVE-2099-0001')!.properties['security-severity'], '0.0');
    for (const x of run.tool.driver.rules) assert.match(x.properties['security-severity'], /^\d{1,2}\.\d$/);
  });

  it('levels follow the severity', () => {
    const levels = Object.fromEntries(run.results.map((r) => [r.ruleId, r.level]));
    assert.equal(levels['CVE-2021-44228'], 'error');
    assert.equal(levels['CVE-2021-23337'], 'error');
    assert.equal(levels['GO-2020-0001'], 'warning');
    assert.equal(levels['CVE-2023-5678'], 'note');
    assert.equal(levels['CVE-2099-0001'], 'note');
  });

  it('results locate the package file and line, and fingerprint the finding id', () => {
    const [root, web] = results('CVE-2021-23337');
    assert.deepEqual(root!.locations[0]!.physicalLocation, {
      artifactLocation: { uri: 'package-lock.json' },
      region: { startLine: 12 },
    });
    assert.equal(web!.locations[0]!.physicalLocation.artifactLocation.uri, 'web/package-lock.json');
    const ids = FINDINGS.filter((f) => f.vulnerability.id === 'CVE-2021-23337').map((f) => f.id);
    assert.deepEqual(
      [root!.partialFingerprints['mamori/findingId'], web!.partialFingerprints['mamori/findingId']],
      ids,
    );
    // no line known: no region
    assert.equal(results('GO-2020-0001')[0]!.locations[0]!.physicalLocation.region, undefined);
  });

  it('artifact URIs are relative and percent-encoded; image paths lose their prefix', () => {
    assert.equal(
      results('CVE-2099-0001')[0]!.locations[0]!.physicalLocation.artifactLocation.uri,
      'space%20dir/package-lock.json',
    );
    assert.equal(artifactUri('image:/var/lib/dpkg/status'), 'var/lib/dpkg/status');
    assert.equal(artifactUri('a\\b#c?.json'), 'a/b%23c%3F.json');
  });

  it('the message names the package, version, fixed versions and upgrade', () => {
    const text = results('CVE-2021-23337')[0]!.message.text;
    assert.match(
      text,
      /^lodash 4\.17\.20 \(npm, package-lock\.json:12\) is affected by CVE-2021-23337: Command Injection in lodash/,
    );
    assert.match(text, /Severity: high \(CVSS 3\.1 7\.2\)/);
    assert.match(text, /Fixed in: 4\.17\.21/);
    assert.match(text, /Upgrade to 4\.17\.21/);
    assert.match(text, /Also known as: GHSA-35jh-r3h4-6jhm/);
    const unknown = results('CVE-2023-5678')[0]!.message.text;
    assert.match(unknown, /may be affected/);
    assert.match(unknown, /Not decided: DEBIAN-CVE-2023-5678/);
    assert.match(unknown, /no fixed version is known/);
  });

  it('bounds the fixed versions a message lists', () => {
    const many = Array.from({ length: 40 }, (_, i) => `1.${i}.0`);
    const f = finding(pkg('npm', 'x', '0.1.0'), { id: 'CVE-2000-1', fixed: many });
    assert.match(resultMessage(f), /1\.9\.0 and 30 more/);
  });

  it('suppressed findings carry a SARIF suppression; kept ones none', () => {
    const log4j = results('CVE-2021-44228')[0]!;
    assert.deepEqual(log4j.suppressions, [
      {
        kind: 'external',
        status: 'accepted',
        justification: 'JNDI lookups are disabled',
        properties: { status: 'not_affected', source: 'vex.json#statement-1' },
      },
    ]);
    assert.equal(results('PYSEC-2021-98')[0]!.suppressions?.[0]?.properties['expires'], '2030-01-01');
    const kept = vulnerabilitySarif(APPLIED.kept, { toolVersion: '0.1.0' }).runs[0]!;
    assert.ok(kept.results.every((r) => r.suppressions === undefined));
    assert.equal(kept.properties, undefined);
    // a VEX note on a kept finding is passed along
    assert.equal((results('CVE-2022-0002')[0]!.properties['vex'] as { status: string }).status, 'affected');
  });

  it('is plain JSON (a round trip through JSON changes nothing)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(log)), log);
  });
});
