import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { cargoVersion } from './version.ts';

test('crates.io: SemVer 2.0.0 precedence', () => {
  checkTable(
    cargoVersion,
    [
      ['0.1.0', '<', '0.1.1'],
      ['0.9.0', '<', '0.10.0'],
      ['1.0.0-alpha.1', '<', '1.0.0-alpha.beta'],
      ['1.0.0-beta.11', '>', '1.0.0-beta.2'],
      ['1.0.0-rc.1', '<', '1.0.0'],
      ['1.0.0+001', '=', '1.0.0+20130313144700'],
      // more than three numbers: not SemVer, but OSV orders them (lenient), the extra ones after the patch
      ['1.0.0.0', '>', '1.0.0'],
      ['1.0.0.0', '<', '1.0.0.1'],
      ['1.0.0.1', '<', '1.0.1'],
    ],
    ['', '01.0.0', '1.0.0-', 'latest', '1.0.0 '],
    ['1.0.0.0', '1.0.0.1'],
  );
});
