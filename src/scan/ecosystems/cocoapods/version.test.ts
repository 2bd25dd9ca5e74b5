import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { cocoapodsVersion } from './version.ts';

test('CocoaPods: SemVer-like order with any number of parts', () => {
  checkTable(
    cocoapodsVersion,
    [
      ['1.0', '=', '1.0.0'],
      ['1.0.0-beta.1', '<', '1.0.0'],
      ['1.0.0-beta.1', '<', '1.0.0-beta.2'],
      ['1.0.0-beta.2', '<', '1.0.0-beta.10'],
      ['4.0.1.1', '>', '4.0.1'],
      ['2.0.0+build', '=', '2.0.0'],
    ],
    ['', '1.0.beta1', 'v1.0', '1.0.0-', 'a'],
  );
});
