import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { hackageVersion } from './version.ts';

test('Hackage: Cabal Version order', () => {
  checkTable(
    hackageVersion,
    [
      ['1.0', '<', '1.0.0'],
      ['0.11.3.0', '<', '1.0'],
      ['2.0', '>', '1.9.9.9'],
      ['0.10', '>', '0.9'],
      ['1.2.3', '=', '1.2.3'],
    ],
    ['', '1.0-rc1', '01.0', '1.00', 'a', '1..0', '1.'],
  );
});
