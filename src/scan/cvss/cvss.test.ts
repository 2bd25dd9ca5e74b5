import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  bandSeverity,
  cvss4Score,
  cvssBand,
  parseCvss2,
  parseCvss3,
  parseCvss4,
  roundup30,
  roundup31,
  scoreSeverityVector,
} from './index.ts';

// Published scores: FIRST's specification examples (CVSS v3.1 "Examples" document, v4.0 spec and calculator) and
// NVD base scores of well-known CVEs.
const PUBLISHED: readonly (readonly [type: string, vector: string, score: number, source: string])[] = [
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'CVE-2014-6271 Shellshock (FIRST examples)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, 'CVE-2014-0160 Heartbleed (FIRST examples)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'CVE-2013-1937 phpMyAdmin XSS (FIRST examples)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4, 'CVE-2013-0375 MySQL (FIRST examples)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1, 'CVE-2014-3566 POODLE (FIRST examples)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9, 'CVE-2012-1516 VMware (FIRST examples)'],
  ['CVSS_V3', 'CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L', 4.2, 'CVE-2009-0783 Tomcat (FIRST examples)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8, 'CVE-2012-0384 Cisco IOS (FIRST examples)'],
  ['CVSS_V3', 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8, 'CVE-2015-1098 iWork (FIRST examples)'],
  [
    'CVSS_V3',
    'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N',
    6.8,
    'CVE-2008-1447 DNS cache poisoning (FIRST examples)',
  ],
  ['CVSS_V3', 'CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8, 'CVE-2014-2005 Sophos (FIRST examples)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N', 5.8, 'CVE-2010-0467 Joomla (FIRST examples)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'CVE-2019-11358 jQuery (NVD)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H', 9.1, 'CVE-2019-10744 lodash (NVD)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.1, 'CVE-2021-20190 jackson-databind (NVD)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10, 'CVE-2021-44228 Log4Shell (NVD)'],
  ['CVSS_V3', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'CVE-2017-5638 Struts (NVD, v3.0)'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0, 'no impact'],
  ['CVSS_V2', 'AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5, 'NVD v2, e.g. CVE-2014-6271 era web flaws'],
  ['CVSS_V2', 'AV:N/AC:L/Au:N/C:C/I:C/A:C', 10, 'NVD v2 maximum'],
  ['CVSS_V2', 'AV:N/AC:M/Au:N/C:N/I:P/A:N', 4.3, 'NVD v2 typical XSS'],
  ['CVSS_V2', 'AV:N/AC:L/Au:N/C:P/I:N/A:N', 5, 'NVD v2 CVE-2014-0160 Heartbleed'],
  ['CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'FIRST v4.0 calculator'],
  ['CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10, 'FIRST v4.0 calculator'],
  ['CVSS_V4', 'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0, 'no impact'],
  [
    'CVSS_V4',
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H',
    8.6,
    'x.x5 tie, reference fix of 2024-11',
  ],
];

describe('CVSS base scores: published examples', () => {
  for (const [type, vector, score, source] of PUBLISHED) {
    it(`${vector} = ${score} (${source})`, () => {
      assert.equal(scoreSeverityVector(type, vector)?.score, score);
    });
  }
});

// Random vectors scored by an independent implementation (ae-cvss-calculator 1.0.13, {metæffekt}, which follows
// the FIRST calculators, v4.0 with its 2024-11 rounding fix); the same vectors also agree with @pandatix/js-cvss
// except the four v4.0 x.x5 ties listed last, where that library still rounds down.
const CROSS = JSON.parse(readFileSync(new URL('./__fixtures__/cross-check.json', import.meta.url), 'utf8')) as Record<
  string,
  [string, number][]
>;

describe('CVSS: cross-check against an independent implementation', () => {
  for (const [kind, rows] of Object.entries(CROSS)) {
    it(`${kind}: ${rows.length} vectors`, () => {
      const type = kind.split(' ')[0] as string;
      const wrong: string[] = [];
      for (const [vector, expected] of rows) {
        const got =
          kind === 'CVSS_V4 full' ? cvss4Score(parseCvss4(vector)!) : scoreSeverityVector(type, vector)?.score;
        if (got !== expected) wrong.push(`${vector}: ${got} != ${expected}`);
      }
      assert.deepEqual(wrong, []);
    });
  }
});

describe('CVSS: rounding', () => {
  it('v3.1 Roundup is exact where the float is not (Appendix A)', () => {
    assert.equal(roundup31(4.000000000000001), 4.0);
    assert.equal(roundup31(4.02), 4.1);
    assert.equal(roundup31(4.0), 4.0);
    assert.equal(roundup30(4.02), 4.1);
    assert.equal(roundup30(4.0), 4.0);
  });
  it('a v4.0 vector with threat metrics: base score ignores them, the full score uses them', () => {
    const v = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P';
    assert.equal(scoreSeverityVector('CVSS_V4', v)?.score, 9.3);
    assert.equal(cvss4Score(parseCvss4(v)!), 8.9);
  });
});

describe('CVSS: vectors that are refused', () => {
  const BAD: readonly (readonly [string, string])[] = [
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H'],
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L'],
    ['CVSS_V3', 'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['CVSS_V3', 'CVSS:2.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['CVSS_V3', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1'],
    ['CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N'],
    ['CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N'],
    ['CVSS_V2', 'AV:N/AC:L/Au:N/C:P/I:P'],
    ['Ubuntu', 'high'],
  ];
  for (const [type, vector] of BAD) {
    it(`${type} ${vector}`, () => assert.equal(scoreSeverityVector(type, vector), undefined));
  }
  it('parsers refuse junk', () => {
    assert.equal(parseCvss3(''), undefined);
    assert.equal(parseCvss2('(AV:N/AC:L/Au:N/C:P/I:P/A:P)')?.base.AV, 'N');
    assert.equal(parseCvss4('CVSS:4.0'), undefined);
  });
});

describe('CVSS: bands', () => {
  const TABLE: readonly (readonly [number, string, string])[] = [
    [0, 'none', 'informational'],
    [0.1, 'low', 'low'],
    [3.9, 'low', 'low'],
    [4, 'medium', 'medium'],
    [6.9, 'medium', 'medium'],
    [7, 'high', 'high'],
    [8.9, 'high', 'high'],
    [9, 'critical', 'critical'],
    [10, 'critical', 'critical'],
  ];
  for (const [score, band, severity] of TABLE) {
    it(`${score} → ${band}`, () => {
      assert.equal(cvssBand(score), band);
      assert.equal(bandSeverity(cvssBand(score)), severity);
    });
  }
  it('v2 has no critical band', () => assert.equal(cvssBand(10, '2.0'), 'high'));
});
