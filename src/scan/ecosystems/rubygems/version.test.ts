import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { rubygemsVersion } from './version.ts';

test('RubyGems: Gem::Version order', () => {
  checkTable(
    rubygemsVersion,
    [
      ['1.0', '=', '1'],
      ['1.0.0.0', '=', '1'],
      ['1.0.a', '<', '1.0'],
      ['1.0.a', '<', '1.0.b'],
      ['1.0.b1', '<', '1.0.b2'],
      ['1.0.rc1', '<', '1.0'],
      ['1.0.a10', '>', '1.0.a9'],
      ['1.0-beta', '=', '1.0.pre.beta'],
      ['7.0.8.1', '>', '7.0.8'],
      ['3.10', '>', '3.9'],
      ['1.0.a', '=', '1.0.a.0'],
      // Gem::Version rejects a letter straight after the first digits; OSV reads it as a dot (lenient)
      ['1beta', '<', '1'],
      ['1beta', '=', '1.beta'],
      ['1beta', '>', '1alpha'],
      ['1beta', '>', '0.9'],
    ],
    ['', 'a', '1.0 ', '1..0', '1.0_1', '-1'],
    ['1beta', '1alpha'],
  );
});
