import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { packagistVersion } from './version.ts';

test('Packagist: version_compare order', () => {
  checkTable(
    packagistVersion,
    [
      ['1.0-dev', '<', '1.0alpha1'],
      ['1.0alpha1', '=', '1.0a1'],
      ['1.0a1', '<', '1.0b1'],
      ['1.0b1', '<', '1.0RC1'],
      ['1.0RC1', '=', '1.0rc1'],
      ['1.0rc1', '<', '1.0'],
      ['1.0', '<', '1.0pl1'],
      ['1.0', '<', '1.0.0'],
      ['v2.1.3', '=', '2.1.3'],
      ['V2.1.3', '=', 'v2.1.3'],
      ['5.4.0-beta.2', '=', '5.4.0beta2'],
      ['dev-main', '<', '0.0.1'],
      ['1.10', '>', '1.9'],
      ['2.0.0-RC1', '>', '2.0.0-beta3'],
    ],
    ['', 'v', '1..0', '1.0.', '.1', '1.0 ', 'é'],
  );
});
