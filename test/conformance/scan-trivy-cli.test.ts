// Trivy parity through the command line, as the issue states it: for each case under
// ../shared/data/osv/trivy-parity, `mamori scan <case>/project --db <case>/osv` reports exactly expected.json's
// (package, version, id) set — no extras, none missing. Names are compared after the ecosystem's normalisation
// (PEP 503 for PyPI, case-insensitive for NuGet and Packagist), as that folder's README says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pep503 } from '../../src/scan/ecosystems/pypi/pep503.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PARITY = join(ROOT, '..', 'shared', 'data', 'osv', 'trivy-parity');
const skip = existsSync(PARITY) ? false : `needs ${PARITY}: not present`;
const cases = skip
  ? []
  : readdirSync(PARITY)
      .filter((d) => existsSync(join(PARITY, d, 'expected.json')))
      .sort();

type Expected = { package: string; version: string; id: string };
type Line = {
  package: { name: string; version: string; ecosystem: string };
  vulnerability: { id: string; status: string };
};

function norm(ecosystem: string, name: string): string {
  const base = ecosystem.split(':')[0];
  if (base === 'PyPI') return pep503(name);
  if (base === 'NuGet' || base === 'Packagist') return name.toLowerCase();
  return name;
}

test('trivy parity via the CLI: the cases are there', { skip }, () => {
  assert.ok(cases.length >= 12, `found ${cases.length}`);
});

for (const name of cases) {
  test(`trivy parity via the CLI: ${name}`, { skip }, () => {
    const dir = join(PARITY, name);
    const info = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { ecosystems: string[] };
    const ecosystem = info.ecosystems[0] ?? '';
    const r = spawnSync(
      join(ROOT, 'bin', 'mamori'),
      ['scan', join(dir, 'project'), '--db', join(dir, 'osv'), '-f', 'jsonl', '-q'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
    assert.deepEqual(
      lines.filter((l) => l.vulnerability.status !== 'affected').map((l) => `${l.package.name} ${l.vulnerability.id}`),
      [],
      'nothing undetermined',
    );
    const got = new Set(
      lines.map((l) => `${norm(l.package.ecosystem, l.package.name)}@${l.package.version} ${l.vulnerability.id}`),
    );
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected[];
    const want = new Set(expected.map((e) => `${norm(ecosystem, e.package)}@${e.version} ${e.id}`));
    assert.deepEqual([...got].sort(), [...want].sort());
  });
}
