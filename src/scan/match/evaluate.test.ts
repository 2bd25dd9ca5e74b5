// Lenient versions (ones only OSV's order places, not the ecosystem's tool) may make a range affected, never
// clear it; garbage stays unknown as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OsvAffected, OsvEvent } from '../osv/schema.ts';
import { evaluateEntry, VersionCache, type Verdict } from './evaluate.ts';

function entry(ecosystem: string, events: readonly [OsvEvent['kind'], string][], versions: string[] = []): OsvAffected {
  return {
    ecosystem,
    name: 'pkg',
    ranges: [
      { type: ecosystem === 'npm' ? 'SEMVER' : 'ECOSYSTEM', events: events.map(([kind, value]) => ({ kind, value })) },
    ],
    versions,
    severity: [],
  };
}

function status(v: Verdict): string {
  return v.status === 'unknown' ? `unknown: ${v.reason}` : v.status;
}

const cases: [name: string, version: string, entry: OsvAffected, want: RegExp][] = [
  // strict versions: unchanged
  [
    'PyPI: a PEP 440 version in the range',
    '1.5',
    entry('PyPI', [
      ['introduced', '1.0'],
      ['fixed', '2.0'],
    ]),
    /^affected$/,
  ],
  [
    'PyPI: a PEP 440 version past the fix',
    '3.0',
    entry('PyPI', [
      ['introduced', '1.0'],
      ['fixed', '2.0'],
    ]),
    /^not-affected$/,
  ],
  // garbage: unknown, as before
  [
    'PyPI: garbage',
    '---',
    entry('PyPI', [
      ['introduced', '0'],
      ['fixed', '2.0'],
    ]),
    /^unknown: version "---" is not a valid PyPI/,
  ],
  [
    'PyPI: no version',
    ' ',
    entry('PyPI', [
      ['introduced', '0'],
      ['fixed', '2.0'],
    ]),
    /^unknown: the package has no version/,
  ],
  // a legacy version ranks below every PEP 440 one: affected from "0", and never cleared
  [
    'PyPI: legacy, below the fix',
    '2.0.0-final',
    entry('PyPI', [
      ['introduced', '0'],
      ['fixed', '1.5'],
    ]),
    /^affected$/,
  ],
  [
    'PyPI: legacy, below the introduction',
    '2.0.0-final',
    entry('PyPI', [
      ['introduced', '1.0'],
      ['fixed', '3.0'],
    ]),
    /^unknown: "2\.0\.0-final" is not a valid PyPI version \(PEP 440\): only OSV's order places it, so that it falls/,
  ],
  [
    'PyPI: a legacy fix does not clear a PEP 440 version',
    '3.0',
    entry('PyPI', [
      ['introduced', '0'],
      ['fixed', '2.0.0-final'],
    ]),
    /^unknown: "2\.0\.0-final" is not a valid PyPI version .*so that "3\.0" falls outside the range/,
  ],
  [
    'PyPI: a legacy version listed by name is affected',
    '2.0.0-final',
    entry('PyPI', [['introduced', '5.0']], ['2.0.0-final']),
    /^affected$/,
  ],
  // apk strings outside the grammar
  [
    'Alpine: leftover below the fix',
    '1.2_blah',
    entry('Alpine:v3.19', [
      ['introduced', '0'],
      ['fixed', '1.2-r0'],
    ]),
    /^affected$/,
  ],
  [
    'Alpine: leftover past the fix',
    '1.3_blah',
    entry('Alpine:v3.19', [
      ['introduced', '0'],
      ['fixed', '1.2-r0'],
    ]),
    /^unknown: "1\.3_blah" is not a valid Alpine:v3\.19 version/,
  ],
  // SemVer with four numbers, and a limit
  [
    'npm: four numbers past a limit',
    '1.2.3.4',
    entry('npm', [
      ['introduced', '0'],
      ['limit', '1.0.0'],
    ]),
    /^unknown: "1\.2\.3\.4" is not a valid npm version/,
  ],
  [
    'npm: four numbers in the range',
    '1.2.3.4',
    entry('npm', [
      ['introduced', '1.0.0'],
      ['fixed', '1.2.4'],
    ]),
    /^affected$/,
  ],
];

for (const [name, version, e, want] of cases) {
  test(`evaluateEntry: ${name}`, () => {
    assert.match(status(evaluateEntry(version, e.ecosystem, e, new VersionCache())), want);
  });
}
