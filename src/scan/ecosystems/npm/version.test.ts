import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { npmVersion } from './version.ts';

test('npm: SemVer 2.0.0 precedence, pre-releases included', () => {
  checkTable(
    npmVersion,
    [
      ['1.0.0-alpha', '<', '1.0.0-alpha.1'],
      ['1.0.0-alpha.1', '<', '1.0.0-alpha.beta'],
      ['1.0.0-beta.2', '<', '1.0.0-beta.11'],
      ['1.0.0-rc.1', '<', '1.0.0'],
      ['1.0.0', '<', '1.0.1'],
      ['2.0.0-0', '>', '1.99.99'],
      ['1.2.3+build.1', '=', '1.2.3+build.2'],
      ['1.2.3-a-b', '>', '1.2.3-a'],
      ['v1.2.3', '=', '1.2.3'],
      ['1.2', '=', '1.2.0'],
      ['9007199254740993.0.0', '>', '9007199254740992.0.0'],
      // more than three numbers: not SemVer, but OSV orders them (lenient), the extra ones after the patch
      ['1.2.3.4', '>', '1.2.3'],
      ['1.2.3.4', '<', '1.2.3.5'],
      ['1.2.3.5', '<', '1.2.4'],
      ['1.1.3.4.5', '=', '1.1.3.4.5'],
      ['1.2.3.4-beta', '<', '1.2.3.4'],
    ],
    [
      '',
      '01.2.3',
      '1.02.3',
      '1.2.3-01',
      '1.2.3-',
      '1.2.3+',
      '1.2.3-a..b',
      '=1.2.3',
      ' 1.2.3',
      '1.2.3 ',
      'x',
      '^1.2.3',
      '1.2.x',
    ],
    ['1.2.3.4', '1.2.3.5', '1.1.3.4.5', '1.2.3.4-beta'],
  );
});
