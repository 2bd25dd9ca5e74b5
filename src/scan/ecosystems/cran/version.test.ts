import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { cranVersion } from './version.ts';

test('CRAN: package_version order', () => {
  checkTable(
    cranVersion,
    [
      ['1.0-1', '=', '1.0.1'],
      ['0.9', '<', '0.75'],
      ['0.01', '=', '0.1'],
      ['1.0', '<', '1.0.0'],
      ['1.2-10', '>', '1.2-9'],
      ['3.6.0.1', '>', '3.6.0'],
    ],
    ['', '1.0a', 'a', '1..0', '1.0-', '-1', '1.0 '],
  );
});
