import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { mavenVersion } from './version.ts';

test('Maven: ComparableVersion order', () => {
  checkTable(
    mavenVersion,
    [
      ['1', '=', '1.0.0'],
      ['1.0-alpha-1', '<', '1.0-alpha-2'],
      ['1.0-alpha-2', '<', '1.0-beta-1'],
      ['1.0-beta-1', '<', '1.0-milestone-1'],
      ['1.0-milestone-1', '<', '1.0-rc-1'],
      ['1.0-rc-1', '=', '1.0-cr-1'],
      ['1.0-rc-1', '<', '1.0-SNAPSHOT'],
      ['1.0-SNAPSHOT', '<', '1.0'],
      ['1.0', '=', '1.0-ga'],
      ['1.0', '=', '1.0.Final'],
      ['1.0', '<', '1.0-sp'],
      ['1.0-sp', '<', '1.0-foo'],
      ['1.0-foo', '<', '1.0-1'],
      ['1.0-1', '<', '1.0.1'],
      ['1a1', '=', '1-alpha-1'],
      ['2.9.0.RC1', '=', '2.9.0-RC1'],
      ['2.13.4.2', '>', '2.13.4'],
      ['5.3.20.RELEASE', '=', '5.3.20'],
      ['1.0-jre', '>', '1.0'], // unknown qualifiers rank above the release (Guava's 31.1-jre > 31.1),
      ['123456789012345678901234567890', '>', '123456789012345678901234567889'],
    ],
    ['', ' ', '1.0 beta'],
  );
});
