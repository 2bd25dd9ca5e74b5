import { test } from 'node:test';
import { checkTable } from '../../versions/testkit.ts';
import { goVersion } from './version.ts';

test('Go: module versions, with or without v, +incompatible ignored', () => {
  checkTable(
    goVersion,
    [
      ['v1.2.3', '=', '1.2.3'],
      ['v2.7.1+incompatible', '=', '2.7.1'],
      ['v2.7.1+incompatible', '<', 'v2.7.2'],
      ['v0.0.0-20191109021931-daa7c04131f5', '<', 'v0.0.0-20200101000000-000000000000'],
      ['v0.0.0-20191109021931-daa7c04131f5', '<', 'v0.0.1'],
      ['v1.2.4-0.20191109021931-daa7c04131f5', '>', 'v1.2.3'],
      ['v1.2.4-0.20191109021931-daa7c04131f5', '<', 'v1.2.4'],
      ['v1.18.0-rc.1', '<', 'v1.18.0'],
      ['v1', '=', 'v1.0.0'],
      ['v1.2.3.4', '>', 'v1.2.3'], // not a Go version; OSV orders it (lenient)
    ],
    ['', 'vv1.2.3', 'v01.2.3', 'master', 'v1.2.3-'],
    ['v1.2.3.4'],
  );
});
