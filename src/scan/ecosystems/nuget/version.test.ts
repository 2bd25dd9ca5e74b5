import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { nugetVersion } from './version.ts';

test('NuGet: four parts, case-insensitive labels, metadata ignored', () => {
  checkTable(
    nugetVersion,
    [
      ['1.0', '=', '1.0.0.0'],
      ['1.0.0.1', '>', '1.0.0'],
      ['1.01', '=', '1.1'],
      ['1.0.0-Beta', '=', '1.0.0-beta'],
      ['1.0.0-beta.2', '<', '1.0.0-beta.10'],
      ['1.0.0-beta.10', '<', '1.0.0-beta.a'],
      ['1.0.0-beta', '<', '1.0.0'],
      ['1.0.0+sha.1', '=', '1.0.0+sha.2'],
      ['4.0.0-rc.1', '<', '4.0.0.1-alpha'],
      ['6.0.0-preview.7.21377.19', '<', '6.0.0-rc.1.21451.13'],
    ],
    ['', '1.0.0.0.0', 'v1.0.0', '1.0.0-', '1.0.0-beta_1', '1.0.0 '],
  );
});
