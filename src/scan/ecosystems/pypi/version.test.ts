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
    ],
    [
      '',
      '1.0-bulbasaur',
      'foo',
      '1.0.0-final',
      '1..0',
      '1.0+',
      '1.0+a+b',
      ' 1.0',
      '1.0 ',
      'v',
      '1.0a1b1',
      '1.0-dev-1-a',
    ],
  );
});
