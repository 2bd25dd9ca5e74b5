import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { pypiVersion } from './version.ts';

test('PyPI: PEP 440 order and normalisation', () => {
  checkTable(
    pypiVersion,
    [
      ['1.0.dev0', '<', '1.0a1'],
      ['1.0a1', '<', '1.0a2.dev1'],
      ['1.0a2.dev1', '<', '1.0a2'],
      ['1.0a2', '<', '1.0b1'],
      ['1.0b1', '<', '1.0rc1'],
      ['1.0rc1', '<', '1.0'],
      ['1.0', '<', '1.0+local'],
      ['1.0+local', '<', '1.0.post1.dev1'],
      ['1.0.post1.dev1', '<', '1.0.post1'],
      ['1.0.post1', '<', '1.1.dev1'],
      ['1.0', '=', '1.0.0'],
      ['1.0', '=', 'v1.0'],
      ['1.0ALPHA1', '=', '1.0a1'],
      ['1.0-c1', '=', '1.0rc1'],
      ['1.0.preview_2', '=', '1.0rc2'],
      ['1.0-1', '=', '1.0.post1'],
      ['1.0.rev', '=', '1.0.post0'],
      ['1.0a', '=', '1.0a0'],
      ['2!0.1', '>', '1!9.9'],
      ['1!0.1', '>', '9.9'],
      ['1.0+abc.5', '<', '1.0+abc.10'],
      ['1.0+abc', '<', '1.0+5'],
      ['1.0+ubuntu-1', '=', '1.0+ubuntu.1'],
      ['1.0.dev456', '<', '1.0a1.dev1'],
      // legacy versions (not PEP 440, lenient): below every PEP 440 version, then by setuptools' old key
      ['2.0.0-final', '<', '0.1'],
      ['2.0.0-final', '<', '0!0.dev0'],
      ['2.0.0-final', '>', '1.0.0-final'],
      ['1.0.0-final', '=', '1.0-final'],
      ['0.1-bulbasaur', '<', '0.1-charmander'],
      ['1.0-dev-1-a', '<', '1.0-bulbasaur'],
      ['foo', '=', 'FOO'],
      ['1..0', '=', '1...0'],
      ['trunk', '<', 'trunkfinal'], // `final` ends the key as a part of its own
      ['x1rc1', '=', 'x1c1'], // legacy spellings: rc, pre, preview are c
      ['x1dev', '<', 'x1a'], // and dev sorts below every word
    ],
    ['', ' 1.0', '1.0 ', '---', 'é1', '1.0\u0000'],
    [
      '1.0-bulbasaur',
      '0.1-bulbasaur',
      '0.1-charmander',
      'foo',
      'FOO',
      '2.0.0-final',
      '1.0.0-final',
      '1.0-final',
      '1..0',
      '1...0',
      'trunk',
      'trunkfinal',
      'x1rc1',
      'x1c1',
      'x1dev',
      'x1a',
      '1.0+',
      '1.0+a+b',
      'v',
      '1.0a1b1',
      '1.0-dev-1-a',
    ],
  );
});
