import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { pubVersion } from './version.ts';

test('Pub: SemVer with ordered build metadata', () => {
  checkTable(
    pubVersion,
    [
      ['1.0.0-dev', '<', '1.0.0'],
      ['1.0.0', '<', '1.0.0+1'],
      ['1.0.0+1', '<', '1.0.0+2'],
      ['1.0.0+2', '<', '1.0.0+10'],
      ['1.0.0+10', '<', '1.0.0+a'],
      ['1.0.0-pre+1', '<', '1.0.0'],
      ['1.0.0+1', '<', '1.0.1-dev'],
      ['1.0.0+a.1', '>', '1.0.0+a'],
      ['1.1.3.4.5', '=', '1.1.3.4.5'], // not pub_semver; OSV orders it (lenient)
      ['1.0.0.0', '<', '1.0.0.0+1'],
    ],
    ['', '1.0.0+', '1.0.0-01'],
    ['1.1.3.4.5', '1.0.0.0', '1.0.0.0+1'],
  );
});
