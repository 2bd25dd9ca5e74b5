import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { alpineVersion } from './version.ts';

test('Alpine: apk order', () => {
  checkTable(
    alpineVersion,
    [
      ['1.2.3-r0', '<', '1.2.3-r1'],
      ['1.2.3-r9', '<', '1.2.3-r10'],
      ['1.2.3', '<', '1.2.3-r0'],
      ['1.2_alpha1', '<', '1.2_beta1'],
      ['1.2_beta1', '<', '1.2_pre1'],
      ['1.2_pre1', '<', '1.2_rc1'],
      ['1.2_rc1', '<', '1.2'],
      ['1.2', '<', '1.2_cvs1'],
      ['1.2_git20240101', '<', '1.2_p1'],
      ['1.2_p1', '<', '1.2a'],
      ['1.2a', '<', '1.2.1'],
      ['1.2', '<', '1.2.0'],
      ['1.02', '<', '1.1'],
      ['9.3_p2-r0', '>', '9.3_p1-r9'],
      ['6.6.2p1-r0', '>', '6.6.2-r9'],
      ['1.2_alpha', '<', '1.2_alpha0'],
      ['3.0.13-r0', '<', '3.1.4-r0'],
      // outside apk's grammar (lenient): the parts read compare as usual, then leftover ranks below none
      ['1.2', '>', '1.2_blah'],
      ['1.3', '>', '1.2_blah'],
      ['1.0', '<', '1.0bc'],
      ['1.2A', '<', '1.2a'],
      ['1', '>', '1-ruff'],
      ['1-ruff1', '=', '1-ruff2'],
      ['1.2-r1-r2', '<', '1.2-r1'],
      ['1.2-r1-r2', '>', '1.2-r0'],
      ['1.2~abc123-r0', '=', '1.2-r0'], // the commit hash is ignored, as osv-scalibr does
      // ... and two whose leftover does not start with -r compare as text
      ['.2', '>', '.1'],
      ['a', '<', 'b'],
      ['.1', '<', '1'],
    ],
    ['', ' 1.2', '1.2 ', '---', '1.2é'],
    [
      '1.2_blah',
      '1.0bc',
      '1.2A',
      '1-ruff',
      '1-ruff1',
      '1-ruff2',
      '1.2-r1-r2',
      '1.2~abc123-r0',
      '.1',
      '.2',
      'a',
      'b',
      'v1.2',
    ],
  );
});
