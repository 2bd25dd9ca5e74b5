// Trivy parity of the inventory: for each case under ../shared/data/osv/trivy-parity/<case>/ (Trivy's own
// integration fixtures, see that folder's README section 3), the walker over `project/`, run the way Trivy
// was (`trivy repo` → mode repo, `trivy rootfs` → mode rootfs, per case.json), must
//  1. find every (package, version) of expected.json — the packages Trivy found vulnerable, spelled as Trivy
//     reports them (Go versions keep their `v`); names compared after PEP 503 for PyPI and case-insensitively
//     for NuGet and Packagist;
//  2. where Trivy ran with --list-all-pkgs, list per target (lockfile) exactly Trivy's packages: ours minus dev
//     packages (Trivy leaves dev dependencies out by default) against the golden's Results[].Packages.
// Differences we accept on purpose are listed in ACCEPTED with the reason; today there are none.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pep503 } from '../../src/scan/ecosystems/pypi/pep503.ts';
import type { Package } from '../../src/scan/inventory/types.ts';
import { walkInventory } from '../../src/scan/inventory/walk.ts';

const PARITY = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'osv', 'trivy-parity');
const skip = existsSync(PARITY) ? false : 'needs ../shared/data/osv/trivy-parity: not present';

/** case → target → differences we accept, with the reason. */
const ACCEPTED: Record<string, Record<string, { extra?: string[]; missing?: string[]; reason: string }>> = {};

type Case = { case: string; trivy_invocation: string; ecosystems: string[] };
type Golden = { Results?: { Target: string; Class: string; Packages?: { Name: string; Version?: string }[] }[] };

function normalise(ecosystem: string, name: string): string {
  if (ecosystem === 'PyPI') return pep503(name);
  if (ecosystem === 'NuGet' || ecosystem === 'Packagist') return name.toLowerCase();
  return name;
}

const cases = skip
  ? []
  : readdirSync(PARITY)
      .filter((d) => existsSync(join(PARITY, d, 'case.json')))
      .sort();

test('trivy parity: the cases are there', { skip }, () => {
  assert.ok(cases.length >= 12, `found ${cases.length} cases`);
});

for (const name of cases) {
  test(`trivy parity: ${name}`, { skip }, async (t) => {
    const dir = join(PARITY, name);
    const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Case;
    const mode = /\btrivy rootfs\b/.test(meta.trivy_invocation) ? 'rootfs' : 'repo';
    const ecosystem = meta.ecosystems[0] ?? '';
    const r = await walkInventory(join(dir, 'project'), { mode });
    const prod = r.packages.filter((p) => p.dev !== true);
    // Go: both sides keep the `v` today; a golden written without it (older Trivy) still compares equal
    const ver = (v: string) => (ecosystem === 'Go' ? v.replace(/^v/, '') : v);
    const key = (p: Pick<Package, 'name' | 'version'>) => `${normalise(ecosystem, p.name)}@${ver(p.version)}`;
    t.diagnostic(
      `${mode}: ${r.packages.length} packages (${r.packages.length - prod.length} dev) from ${r.files.map((f) => f.path).join(', ')}`,
    );
    for (const i of r.issues) t.diagnostic(`issue ${i.location}${i.line ? `:${i.line}` : ''}: ${i.message}`);

    // 1. every vulnerable package Trivy reported is in our (non-dev) inventory
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
      package: string;
      version: string;
    }[];
    const ours = new Set(prod.map(key));
    const missing = [...new Set(expected.map((e) => key({ name: e.package, version: e.version })))].filter(
      (k) => !ours.has(k),
    );
    assert.deepEqual(missing, [], `${name}: Trivy's vulnerable packages not found`);

    // 2. with --list-all-pkgs, the same package set per target
    if (!/--list-all-pkgs/.test(meta.trivy_invocation)) return;
    const golden = JSON.parse(readFileSync(join(dir, 'trivy.json.golden'), 'utf8')) as Golden;
    for (const result of golden.Results ?? []) {
      if (result.Class !== 'lang-pkgs' || result.Packages === undefined) continue;
      const theirs = new Set(
        result.Packages.filter((p) => (p.Version ?? '') !== '').map((p) => key({ name: p.Name, version: p.Version! })),
      );
      const mine = new Set(prod.filter((p) => p.location === result.Target).map(key));
      const accepted = ACCEPTED[name]?.[result.Target];
      const extra = [...mine].filter((k) => !theirs.has(k) && !(accepted?.extra ?? []).includes(k)).sort();
      const lacking = [...theirs].filter((k) => !mine.has(k) && !(accepted?.missing ?? []).includes(k)).sort();
      t.diagnostic(
        `${result.Target}: Trivy ${theirs.size}, ours ${mine.size}${accepted ? ` (accepted: ${accepted.reason})` : ''}`,
      );
      assert.deepEqual(
        { extra, missing: lacking },
        { extra: [], missing: [] },
        `${name}/${result.Target}: package set differs from Trivy's`,
      );
    }
  });
}
