import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { mavenVersion } from './version.ts';

test('Maven: the POM reference order, as OSV', () => {
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
      // MNG-7559: ComparableVersion since Maven 3.8.7 has these equal; OSV (and Maven <= 3.8.6) keep ".0.RC1"
      ['2.9.0.RC1', '>', '2.9.0-RC1'],
      ['2.9.0.RC1', '<', '2.9.0'],
      ['1-1', '=', '1-ga-1'], // null tokens are trimmed at each hyphen
      ['1.0.0-RC16', '<', '1.0.0.RC8-beta'],
      ['1constructor', '>', '1'], // qualifier names are looked up in Maps, not objects with prototypes
      ['2.13.4.2', '>', '2.13.4'],
      ['5.3.20.RELEASE', '=', '5.3.20'],
      ['1.0-jre', '>', '1.0'], // unknown qualifiers rank above the release (Guava's 31.1-jre > 31.1),
      ['123456789012345678901234567890', '>', '123456789012345678901234567889'],
    ],
    ['', ' ', '1.0 beta'],
  );
});
