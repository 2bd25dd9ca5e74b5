import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Package } from '../inventory/types.ts';
import type { OsvAffected, OsvEvent } from '../osv/schema.ts';
import type { OsvCandidate, OsvRecordHeader } from '../osv/store.ts';
import { canonicalId, matchCandidates, matchPackage } from './index.ts';
import type { OsvStore } from '../osv/store.ts';

type Ev = [OsvEvent['kind'], string];

function range(type: string, ...events: Ev[]): OsvAffected['ranges'][number] {
  return { type, events: events.map(([kind, value]) => ({ kind, value })) };
}

function entry(
  ecosystem: string,
  name: string,
  ranges: OsvAffected['ranges'] = [],
  versions: string[] = [],
): OsvAffected {
  return { ecosystem, name, ranges, versions, severity: [] };
}

function candidate(id: string, entries: OsvAffected[], header: Partial<OsvRecordHeader> = {}): OsvCandidate {
  return {
    record: { id, aliases: [], related: [], severity: [], references: [], ...header },
    entries,
  };
}

function pkg(ecosystem: string, name: string, version: string): Package {
  return { ecosystem: ecosystem as Package['ecosystem'], name, version, location: 'test' };
}

/** The ids reported as affected, and as unknown, for one package. */
function ids(p: Package, cands: OsvCandidate[]): { affected: string[]; unknown: string[] } {
  const m = matchCandidates(p, cands);
  return { affected: m.vulnerabilities.map((v) => v.id), unknown: m.unknown.map((v) => v.id) };
}

type RangeCase = {
  readonly name: string;
  readonly ecosystem: string;
  readonly ranges: OsvAffected['ranges'];
  readonly versions?: string[];
  /** version → expected verdict */
  readonly expect: Readonly<Record<string, 'affected' | 'not' | 'unknown'>>;
};

const RANGE_CASES: readonly RangeCase[] = [
  {
    name: 'introduced 0, fixed',
    ecosystem: 'npm',
    ranges: [range('SEMVER', ['introduced', '0'], ['fixed', '1.2.3'])],
    expect: { '0.0.1': 'affected', '1.2.2': 'affected', '1.2.3-rc.1': 'affected', '1.2.3': 'not', '2.0.0': 'not' },
  },
  {
    name: 'two intervals in one range (schema example)',
    ecosystem: 'npm',
    ranges: [range('SEMVER', ['introduced', '1.0.0'], ['fixed', '1.0.2'], ['introduced', '3.0.0'], ['fixed', '3.2.5'])],
    expect: {
      '0.9.0': 'not',
      '1.0.0': 'affected',
      '1.0.1': 'affected',
      '1.0.2': 'not',
      '2.0.0': 'not',
      '3.1.0': 'affected',
      '3.2.5': 'not',
    },
  },
  {
    name: 'events out of order are sorted first',
    ecosystem: 'npm',
    ranges: [range('SEMVER', ['fixed', '2.0.0'], ['introduced', '1.0.0'])],
    expect: { '0.5.0': 'not', '1.5.0': 'affected', '2.0.0': 'not' },
  },
  {
    name: 'last_affected is inclusive (schema example)',
    ecosystem: 'Maven',
    ranges: [range('ECOSYSTEM', ['introduced', '0'], ['last_affected', '2.1.214'])],
    expect: { '1.0': 'affected', '2.1.214': 'affected', '2.1.215': 'not' },
  },
  {
    name: 'introduced only: every later version',
    ecosystem: 'PyPI',
    ranges: [range('ECOSYSTEM', ['introduced', '1.0'])],
    expect: { '0.9': 'not', '1.0': 'affected', '99.0': 'affected' },
  },
  {
    name: 'limit bounds the range',
    ecosystem: 'npm',
    ranges: [range('SEMVER', ['introduced', '1.0.0'], ['limit', '2.0.0'])],
    expect: { '0.1.0': 'not', '1.5.0': 'affected', '2.0.0': 'not', '3.0.0': 'not' },
  },
  {
    name: 'limit "*" is no bound',
    ecosystem: 'npm',
    ranges: [range('SEMVER', ['introduced', '1.0.0'], ['limit', '*'])],
    expect: { '0.1.0': 'not', '9.0.0': 'affected' },
  },
  {
    name: 'equal versions keep the record order: fixed then re-introduced at 1.0',
    ecosystem: 'npm',
    ranges: [range('SEMVER', ['introduced', '0'], ['fixed', '1.0.0'], ['introduced', '1.0.0'], ['fixed', '2.0.0'])],
    expect: { '0.5.0': 'affected', '1.0.0': 'affected', '1.5.0': 'affected', '2.0.0': 'not' },
  },
  {
    name: 'equal versions keep the record order: an empty interval affects nothing',
    ecosystem: 'npm',
    ranges: [range('SEMVER', ['introduced', '1.0.0'], ['fixed', '1.0.0'])],
    expect: { '0.5.0': 'not', '1.0.0': 'not', '2.0.0': 'not' },
  },
  {
    name: 'several ranges are ORed',
    ecosystem: 'PyPI',
    ranges: [
      range('ECOSYSTEM', ['introduced', '0'], ['fixed', '0.11.6']),
      range('ECOSYSTEM', ['introduced', '0.12'], ['fixed', '0.15.3']),
    ],
    expect: { '0.11.1': 'affected', '0.11.6': 'not', '0.12': 'affected', '0.14': 'affected', '0.15.3': 'not' },
  },
  {
    name: 'versions list: same string, or equal in the ecosystem order (PEP 440 1.0 == 1.0.0)',
    ecosystem: 'PyPI',
    ranges: [],
    versions: ['1.0.0', '1.1'],
    expect: { '1.0': 'affected', '1.0.0': 'affected', '1.1.0': 'affected', '1.2': 'not' },
  },
  {
    name: 'versions list ORed with ranges',
    ecosystem: 'PyPI',
    ranges: [range('ECOSYSTEM', ['introduced', '2.0'], ['fixed', '2.1'])],
    versions: ['1.0'],
    expect: { '1.0': 'affected', '1.5': 'not', '2.0.5': 'affected' },
  },
  {
    name: 'GIT ranges say nothing of versions; the versions list decides',
    ecosystem: 'PyPI',
    ranges: [range('GIT', ['introduced', 'abc123'], ['fixed', 'def456'])],
    versions: ['1.0'],
    expect: { '1.0': 'affected', '2.0': 'not' },
  },
  {
    name: 'only GIT ranges and no versions: unknown',
    ecosystem: 'PyPI',
    ranges: [range('GIT', ['introduced', 'abc123'])],
    expect: { '1.0': 'unknown' },
  },
  {
    name: 'an unparsable installed version is unknown, never not-affected',
    ecosystem: 'PyPI',
    ranges: [range('ECOSYSTEM', ['introduced', '0'], ['fixed', '2.0'])],
    expect: { 'not a version!': 'unknown', '': 'unknown' },
  },
  {
    name: 'an unparsable event is unknown',
    ecosystem: 'npm',
    ranges: [range('SEMVER', ['introduced', '0'], ['fixed', 'release-2'])],
    expect: { '1.0.0': 'unknown' },
  },
  {
    name: 'an ecosystem without a version order: dotted numbers compare, anything else is unknown',
    ecosystem: 'ConanCenter',
    ranges: [range('ECOSYSTEM', ['introduced', '0'], ['fixed', '8.44'])],
    versions: ['8.40-rc1'],
    expect: {
      '8.40-rc1': 'affected',
      '8.41': 'affected',
      '8.44.0': 'not',
      '8.45': 'not',
      '8.41-rc1': 'unknown',
      cci20230101: 'unknown',
    },
  },
  {
    name: 'an unordered ecosystem with a non-numeric event is unknown',
    ecosystem: 'GitHub Actions',
    ranges: [range('ECOSYSTEM', ['introduced', '0'], ['fixed', '2.0.0-beta'])],
    expect: { '1.0.0': 'unknown' },
  },
  {
    name: 'an ecosystem OSV does not define: unknown',
    ecosystem: 'Nonesuch',
    ranges: [range('ECOSYSTEM', ['introduced', '0'], ['fixed', '2'])],
    expect: { '1': 'unknown' },
  },
  {
    name: 'SEMVER range of a non-SemVer ecosystem uses SemVer order',
    ecosystem: 'ConanCenter',
    ranges: [range('SEMVER', ['introduced', '0'], ['fixed', '1.2.0'])],
    expect: { '1.1.0': 'affected', '1.2.0': 'not' },
  },
  {
    name: 'Go: installed versions keep their v, +incompatible is build metadata',
    ecosystem: 'Go',
    ranges: [range('SEMVER', ['introduced', '0'], ['fixed', '2.8.0'])],
    expect: { 'v2.7.1+incompatible': 'affected', 'v2.8.0+incompatible': 'not', 'v2.8.0': 'not', '2.7.0': 'affected' },
  },
  {
    name: 'RPM (AlmaLinux): epoch and release',
    ecosystem: 'AlmaLinux:9',
    ranges: [range('ECOSYSTEM', ['introduced', '0'], ['fixed', '1:2.4.6-1.el9'])],
    expect: { '1:2.4.5-3.el9': 'affected', '1:2.4.6-1.el9': 'not', '2.4.7-1.el9': 'affected', '1:2.5-1.el9': 'not' },
  },
];

describe('matching: OSV range evaluation', () => {
  for (const c of RANGE_CASES) {
    describe(c.name, () => {
      for (const [version, want] of Object.entries(c.expect)) {
        it(`${c.ecosystem} ${JSON.stringify(version)} → ${want}`, () => {
          const cand = candidate('OSV-1', [entry(c.ecosystem, 'p', c.ranges, c.versions ?? [])]);
          const got = ids(pkg(c.ecosystem, 'p', version), [cand]);
          const verdict = got.affected.length > 0 ? 'affected' : got.unknown.length > 0 ? 'unknown' : 'not';
          assert.equal(verdict, want);
        });
      }
    });
  }
});

describe('matching: records', () => {
  const vuln = [range('ECOSYSTEM', ['introduced', '0'], ['fixed', '2.0'])];

  it('withdrawn records are ignored', () => {
    const c = candidate('PYSEC-1', [entry('PyPI', 'p', vuln)], { withdrawn: '2024-01-01T00:00:00Z' });
    assert.deepEqual(ids(pkg('PyPI', 'p', '1.0'), [c]), { affected: [], unknown: [] });
  });

  it('records naming each other merge into one vulnerability, reported by its CVE', () => {
    const cands = [
      candidate('GHSA-aaaa-bbbb-cccc', [entry('PyPI', 'p', vuln)], { aliases: ['CVE-2020-1234'] }),
      candidate('PYSEC-2020-9', [entry('PyPI', 'p', vuln)], { aliases: ['CVE-2020-1234', 'GHSA-aaaa-bbbb-cccc'] }),
      candidate('PYSEC-2021-1', [entry('PyPI', 'p', vuln)], { aliases: ['CVE-2021-1'] }),
    ];
    const m = matchCandidates(pkg('PyPI', 'p', '1.0'), cands);
    assert.deepEqual(
      m.vulnerabilities.map((v) => [v.id, v.aliases, v.records]),
      [
        ['CVE-2020-1234', ['GHSA-aaaa-bbbb-cccc', 'PYSEC-2020-9'], ['GHSA-aaaa-bbbb-cccc', 'PYSEC-2020-9']],
        ['CVE-2021-1', ['PYSEC-2021-1'], ['PYSEC-2021-1']],
      ],
    );
  });

  it('aliases join transitively (A names B, C names B)', () => {
    const cands = [
      candidate('GO-2022-1', [entry('Go', 'm', [range('SEMVER', ['introduced', '0'])])], { aliases: ['GHSA-x'] }),
      candidate('GHSA-y', [entry('Go', 'm', [range('SEMVER', ['introduced', '0'])])], { aliases: ['GHSA-x'] }),
    ];
    const m = matchCandidates(pkg('Go', 'm', 'v1.0.0'), cands);
    assert.deepEqual(
      m.vulnerabilities.map((v) => v.id),
      ['GHSA-x'],
    );
  });

  it('canonical id: earliest CVE, else GHSA, else the record id', () => {
    assert.equal(canonicalId(['GO-2021-0159'], ['CVE-2015-5741', 'CVE-2015-5739', 'CVE-2015-5740']), 'CVE-2015-5739');
    assert.equal(canonicalId(['CVE-2019-99999'], ['CVE-2019-100000']), 'CVE-2019-99999');
    assert.equal(canonicalId(['RUSTSEC-2023-0001'], ['GHSA-7rrj-xr53-82p7']), 'GHSA-7rrj-xr53-82p7');
    assert.equal(canonicalId(['ALSA-2024:0265'], []), 'ALSA-2024:0265');
  });

  it('unknown and affected records of one vulnerability: affected wins', () => {
    const cands = [
      candidate('GHSA-1', [entry('npm', 'p', [range('SEMVER', ['introduced', '0'], ['fixed', 'bogus'])])], {
        aliases: ['CVE-1'],
      }),
      candidate('OSV-2', [entry('npm', 'p', [range('SEMVER', ['introduced', '0'], ['fixed', '2.0.0'])])], {
        aliases: ['CVE-1'],
      }),
    ];
    const m = matchCandidates(pkg('npm', 'p', '1.0.0'), cands);
    assert.deepEqual([m.vulnerabilities.length, m.unknown.length], [1, 0]);
  });

  it('unknown findings carry the reason', () => {
    const m = matchCandidates(pkg('PyPI', 'p', '1.0 final final'), [candidate('PYSEC-1', [entry('PyPI', 'p', vuln)])]);
    assert.equal(m.unknown.length, 1);
    assert.match(m.unknown[0]?.reasons[0] ?? '', /PYSEC-1: version "1.0 final final" is not a valid PyPI version/);
  });
});

describe('matching: release suffixes', () => {
  const r = (fixed: string) => [range('ECOSYSTEM', ['introduced', '0'], ['fixed', fixed])];
  const cands = [
    candidate('ALSA-8', [entry('AlmaLinux:8', 'openssl', r('1:9.0-1.el8'))]),
    candidate('ALSA-9', [entry('AlmaLinux:9', 'openssl', r('1:9.0-1.el9'))]),
    candidate('ALSA-89', [
      entry('AlmaLinux:8', 'openssl', r('1:9.0-1.el8')),
      entry('AlmaLinux:9', 'openssl', r('1:9.0-1.el9')),
    ]),
    candidate('ALSA-any', [entry('AlmaLinux', 'openssl', r('1:9.0-1'))]),
  ];
  it('a package of AlmaLinux:9 matches only AlmaLinux:9 entries', () => {
    assert.deepEqual(ids(pkg('AlmaLinux:9', 'openssl', '1:3.0.7-1.el9'), cands).affected, ['ALSA-89', 'ALSA-9']);
  });
  it('a package of AlmaLinux:8 matches only AlmaLinux:8 entries', () => {
    assert.deepEqual(ids(pkg('AlmaLinux:8', 'openssl', '1:1.1.1k-1.el8'), cands).affected, ['ALSA-8', 'ALSA-89']);
  });
  it('a package without a release matches every entry of the base ecosystem (release unknown: fail closed)', () => {
    const m = matchCandidates(pkg('AlmaLinux', 'openssl', '1:1.0-1'), cands);
    assert.deepEqual(
      m.vulnerabilities.map((v) => [v.id, v.ecosystems]),
      [
        ['ALSA-8', ['AlmaLinux:8']],
        ['ALSA-89', ['AlmaLinux:8', 'AlmaLinux:9']],
        ['ALSA-9', ['AlmaLinux:9']],
        ['ALSA-any', ['AlmaLinux']],
      ],
    );
  });
  it('Debian releases likewise', () => {
    const d = [
      candidate('DSA-12', [entry('Debian:12', 'curl', r('7.88.1-10+deb12u5'))]),
      candidate('DSA-11', [entry('Debian:11', 'curl', r('7.74.0-1.3+deb11u11'))]),
    ];
    assert.deepEqual(ids(pkg('Debian:12', 'curl', '7.88.1-10+deb12u4'), d).affected, ['DSA-12']);
  });
});

describe('matching: OS packages by their source package', () => {
  const r = (fixed: string) => [range('ECOSYSTEM', ['introduced', '0'], ['fixed', fixed])];
  const records: Record<string, OsvCandidate[]> = {
    openssl: [candidate('DSA-5532-1', [entry('Debian:12', 'openssl', r('3.0.11-1~deb12u2'))])],
    'openssl-libs': [candidate('ALSA-2024:1', [entry('AlmaLinux:9', 'openssl-libs', r('1:3.0.7-25.el9'))])],
  };
  const looked: string[] = [];
  const store = {
    lookup: (_e: string, name: string) => (looked.push(name), records[name] ?? []),
  } as unknown as OsvStore;
  it('a Debian binary package (libssl3) is matched as its source (openssl) at the source version', () => {
    const p: Package = {
      ...pkg('Debian:12', 'libssl3', '3.0.11-1~deb12u1+b1'),
      sourceName: 'openssl',
      sourceVersion: '3.0.11-1~deb12u1',
    };
    const m = matchPackage(store, p);
    assert.deepEqual(
      m.vulnerabilities.map((v) => v.id),
      ['DSA-5532-1'],
    );
    assert.equal(m.package, p, 'the finding still names the installed binary package');
    assert.equal(m.upgrade, '3.0.11-1~deb12u2');
  });
  it('Red Hat-family rpms are matched by their binary name', () => {
    looked.length = 0;
    const p: Package = { ...pkg('AlmaLinux:9', 'openssl-libs', '1:3.0.7-24.el9'), sourceName: 'openssl' };
    assert.deepEqual(
      matchPackage(store, p).vulnerabilities.map((v) => v.id),
      ['ALSA-2024:1'],
    );
    assert.deepEqual(looked, ['openssl-libs']);
  });
});

describe('matching: fixed versions and the upgrade that clears the package', () => {
  it('fixed versions per finding, in version order', () => {
    const c = candidate('GHSA-1', [
      entry('npm', 'p', [
        range('SEMVER', ['introduced', '0'], ['fixed', '2.29.1']),
        range('SEMVER', ['introduced', '2.39.0'], ['fixed', '2.39.1']),
        range('SEMVER', ['introduced', '2.41.0'], ['fixed', '2.42.0']),
      ]),
    ]);
    const m = matchCandidates(pkg('npm', 'p', '2.41.0'), [c]);
    assert.deepEqual(m.vulnerabilities[0]?.fixed, ['2.29.1', '2.39.1', '2.42.0']);
    assert.equal(m.upgrade, '2.42.0');
  });
  it('the smallest fixed version outside every range of every record', () => {
    const cands = [
      candidate('A', [entry('PyPI', 'p', [range('ECOSYSTEM', ['introduced', '0'], ['fixed', '1.5'])])]),
      candidate('B', [entry('PyPI', 'p', [range('ECOSYSTEM', ['introduced', '1.2'], ['fixed', '2.0'])])]),
    ];
    assert.equal(matchCandidates(pkg('PyPI', 'p', '1.3'), cands).upgrade, '2.0');
    assert.equal(matchCandidates(pkg('PyPI', 'p', '1.0'), cands).upgrade, '2.0');
  });
  it('an upgrade does not step into a vulnerability the installed version does not have', () => {
    const cands = [
      candidate('A', [entry('PyPI', 'p', [range('ECOSYSTEM', ['introduced', '0'], ['fixed', '2.0'])])]),
      candidate('C', [entry('PyPI', 'p', [range('ECOSYSTEM', ['introduced', '2.0'], ['fixed', '2.1'])])]),
    ];
    const m = matchCandidates(pkg('PyPI', 'p', '1.0'), cands);
    assert.deepEqual(
      m.vulnerabilities.map((v) => v.id),
      ['A'],
    );
    assert.equal(m.upgrade, '2.1');
  });
  it('no upgrade when nothing is fixed, or the version is unknown', () => {
    const open = [candidate('A', [entry('PyPI', 'p', [range('ECOSYSTEM', ['introduced', '0'])])])];
    assert.equal(matchCandidates(pkg('PyPI', 'p', '1.0'), open).upgrade, undefined);
    const fixed = [candidate('A', [entry('PyPI', 'p', [range('ECOSYSTEM', ['introduced', '0'], ['fixed', '2'])])])];
    assert.equal(matchCandidates(pkg('PyPI', 'p', 'bogus version'), fixed).upgrade, undefined);
  });
  it('no upgrade is offered when the package is not affected', () => {
    const c = [candidate('A', [entry('PyPI', 'p', [range('ECOSYSTEM', ['introduced', '0'], ['fixed', '2'])])])];
    assert.equal(matchCandidates(pkg('PyPI', 'p', '3.0'), c).upgrade, undefined);
  });
});

describe('matching: severity of a finding', () => {
  const vuln = [range('ECOSYSTEM', ['introduced', '0'])];
  const sev = (header: Partial<OsvRecordHeader>[]) =>
    matchCandidates(
      pkg('PyPI', 'p', '1.0'),
      header.map((h, i) => candidate(`R-${i}`, [entry('PyPI', 'p', vuln)], { aliases: ['CVE-1'], ...h })),
    ).vulnerabilities[0]?.severity;

  it('the highest CVSS base score of all merged records', () => {
    const s = sev([
      { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N' }] },
      { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] },
    ]);
    assert.deepEqual([s?.level, s?.score, s?.source], ['critical', 9.8, 'cvss']);
  });
  it('CVSS v4 vectors count', () => {
    const s = sev([
      { severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }] },
    ]);
    assert.deepEqual([s?.level, s?.score, s?.cvssVersion], ['critical', 9.3, '4.0']);
  });
  it('else the database word (GHSA MODERATE)', () => {
    const s = sev([{ databaseSeverity: 'MODERATE' }, { databaseSeverity: 'LOW' }]);
    assert.deepEqual([s?.level, s?.source, s?.label], ['medium', 'database', 'MODERATE']);
  });
  it('else the Red Hat word that opens the summary (AlmaLinux)', () => {
    const s = sev([{ summary: 'Important: kernel security update' }]);
    assert.deepEqual([s?.level, s?.source], ['high', 'summary']);
  });
  it('else unknown, reported as medium', () => {
    assert.deepEqual(sev([{}]), { level: 'medium', source: 'none' });
  });
  it('an unparsable vector falls through to the next evidence', () => {
    const s = sev([{ severity: [{ type: 'CVSS_V3', score: 'garbage' }], databaseSeverity: 'HIGH' }]);
    assert.deepEqual([s?.level, s?.source], ['high', 'database']);
  });
});
