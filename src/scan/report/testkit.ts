// A small scan for the report tests: an inventory of several ecosystems and findings of every kind the
// writers handle (CVSS v3.1/v4/v2 scores, database words, no severity, unknown status, suppressed, VEX notes).
import type { VulnerabilityFinding } from '../finding.ts';
import { purlFor } from '../inventory/purl.ts';
import type { Package } from '../inventory/types.ts';
import { applyIgnores, parseIgnoreFile } from '../vex/index.ts';
import { finding, pkg } from '../vex/testkit.ts';

const npm = (name: string, version: string, location = 'package-lock.json', line?: number): Package =>
  pkg('npm', name, version, location, {
    purl: purlFor('npm', name, version),
    ...(line !== undefined ? { line } : {}),
    direct: true,
  });

export const INVENTORY: readonly Package[] = [
  npm('lodash', '4.17.20', 'package-lock.json', 12),
  npm('lodash', '4.17.20', 'web/package-lock.json', 40),
  npm('@babel/core', '7.0.0', 'package-lock.json', 30),
  npm('minimist', '1.2.5', 'package-lock.json', 50),
  pkg('Maven', 'org.apache.logging.log4j:log4j-core', '2.14.1', 'pom.xml', {
    purl: purlFor('Maven', 'org.apache.logging.log4j:log4j-core', '2.14.1'),
  }),
  pkg('PyPI', 'Django', '3.2.0', 'requirements.txt', { purl: purlFor('PyPI', 'Django', '3.2.0'), line: 3 }),
  pkg('Go', 'github.com/gin-gonic/gin', 'v1.6.0', 'go.mod', {
    purl: purlFor('Go', 'github.com/gin-gonic/gin', 'v1.6.0'),
  }),
  pkg('Debian:12', 'openssl', '3.0.11-1~deb12u1', 'image:var/lib/dpkg/status', {
    purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12',
    sourceName: 'openssl',
  }),
  pkg('npm', 'left-pad', '1.0.0', 'space dir/package-lock.json', { purl: purlFor('npm', 'left-pad', '1.0.0') }),
];

const at = (name: string, location?: string): Package => {
  const p = INVENTORY.find((x) => x.name === name && (location === undefined || x.location === location));
  if (p === undefined) throw new Error(`no ${name} in the inventory`);
  return p;
};

const VEX = JSON.stringify({
  '@context': 'https://openvex.dev/ns/v0.2.0',
  timestamp: '2024-01-01T00:00:00Z',
  statements: [
    {
      vulnerability: { name: 'CVE-2021-44228' },
      products: [{ '@id': 'pkg:maven/org.apache.logging.log4j/log4j-core' }],
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      impact_statement: 'JNDI lookups are disabled',
    },
    {
      vulnerability: { name: 'CVE-2022-0002' },
      products: ['pkg:npm/minimist'],
      status: 'affected',
      action_statement: 'upgrade to 1.2.6',
    },
  ],
});

const RAW: readonly VulnerabilityFinding[] = [
  finding(
    at('lodash', 'package-lock.json'),
    {
      id: 'CVE-2021-23337',
      aliases: ['GHSA-35jh-r3h4-6jhm'],
      summary: 'Command Injection in lodash',
      severity: {
        level: 'high',
        source: 'cvss',
        score: 7.2,
        cvssVersion: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
      },
      fixed: ['4.17.21'],
      upgrade: '4.17.21',
      references: [
        'https://nvd.nist.gov/vuln/detail/CVE-2021-23337',
        'https://github.com/lodash/lodash/commit/3469357',
      ],
      published: '2021-02-15T13:15:00Z',
      modified: '2022-09-13T21:25:02Z',
    },
    '.',
  ),
  finding(
    at('lodash', 'web/package-lock.json'),
    {
      id: 'CVE-2021-23337',
      aliases: ['GHSA-35jh-r3h4-6jhm'],
      summary: 'Command Injection in lodash',
      severity: {
        level: 'high',
        source: 'cvss',
        score: 7.2,
        cvssVersion: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
      },
      fixed: ['4.17.21'],
      upgrade: '4.17.21',
      references: ['https://nvd.nist.gov/vuln/detail/CVE-2021-23337'],
    },
    '.',
  ),
  finding(
    at('@babel/core'),
    {
      id: 'GHSA-67hx-6x53-jw92',
      summary: 'Babel vulnerable to arbitrary code execution',
      severity: { level: 'critical', source: 'database', label: 'CRITICAL' },
      fixed: ['7.23.2', '8.0.0-alpha.4'],
      references: ['https://github.com/advisories/GHSA-67hx-6x53-jw92'],
    },
    '.',
  ),
  finding(
    at('minimist'),
    {
      id: 'CVE-2022-0002',
      severity: {
        level: 'critical',
        source: 'cvss',
        score: 9.3,
        cvssVersion: '4.0',
        vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      },
      fixed: ['1.2.6'],
      upgrade: '1.2.6',
    },
    '.',
  ),
  finding(
    at('org.apache.logging.log4j:log4j-core'),
    {
      id: 'CVE-2021-44228',
      aliases: ['GHSA-jfh8-c2jp-5v3q'],
      summary: 'Remote code injection in Log4j',
      severity: {
        level: 'critical',
        source: 'cvss',
        score: 10,
        cvssVersion: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
      },
      fixed: ['2.15.0'],
      upgrade: '2.17.1',
      references: ['https://logging.apache.org/log4j/2.x/security.html'],
    },
    '.',
  ),
  finding(
    at('Django'),
    {
      id: 'PYSEC-2021-98',
      severity: {
        level: 'medium',
        source: 'cvss',
        score: 5.0,
        cvssVersion: '2.0',
        vector: 'AV:N/AC:L/Au:N/C:N/I:N/A:P',
      },
      fixed: ['3.2.1'],
    },
    '.',
  ),
  finding(at('github.com/gin-gonic/gin'), { id: 'GO-2020-0001', summary: 'Arbitrary log line injection' }, '.'),
  finding(
    at('openssl'),
    {
      id: 'CVE-2023-5678',
      status: 'unknown',
      reasons: ['DEBIAN-CVE-2023-5678: version 3.0.11-1~deb12u1 does not parse'],
      severity: { level: 'low', source: 'summary', label: 'Low' },
    },
    '.',
  ),
  finding(
    at('left-pad'),
    {
      id: 'CVE-2099-0001',
      severity: {
        level: 'informational',
        source: 'cvss',
        score: 0,
        cvssVersion: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N',
      },
    },
    '.',
  ),
];

const IGNORE = 'vulnerabilities:\n  - id: PYSEC-2021-98\n    statement: not exposed\n    expires: 2030-01-01\n';

/** The findings after the VEX and ignore rules above: kept ones and suppressed ones. */
export const APPLIED = applyIgnores(
  RAW,
  [...parseIgnoreFile(VEX, 'vex.json').rules, ...parseIgnoreFile(IGNORE, '.mamori-ignore.yaml').rules],
  new Date('2024-05-01T00:00:00Z'),
);

/** Every finding, kept then suppressed. */
export const FINDINGS: readonly VulnerabilityFinding[] = [...APPLIED.kept, ...APPLIED.suppressed];
