import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { rpmVersion } from './version.ts';

test('RPM: rpmvercmp and labelCompare order', () => {
  checkTable(
    rpmVersion,
    [
      ['1.0~rc1', '<', '1.0'],
      ['1.0', '<', '1.0^git1'],
      ['1.0^git1', '<', '1.0.1'],
      ['1.0a', '>', '1.0'],
      ['1.0.1', '>', '1.0a'],
      ['1.0010', '=', '1.10'],
      ['1.0_1', '=', '1.0.1'],
      ['0:1.0-1.el9', '=', '1.0-1.el9'],
      ['1:1.0-1', '>', '2.0-1'],
      ['1.0-1.el9', '<', '1.0-1.el9_2'],
      ['3.10.0-229.el7', '<', '3.10.0-229.1.2.el7'],
      ['1.0', '<', '1.0-1'],
      ['1.module+el8.3.0+8', '<', '1.module+el8.4.0+1'],
    ],
    ['', '1:', '-1', '1.0 1'],
  );
});
