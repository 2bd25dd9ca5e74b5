// Conformance with Trivy's lockfile goldens (shared/data/osv/trivy-parity, see its README): for each case, the
// packages Trivy reported (expected.json) and the packages it listed (trivy.json.golden with --list-all-pkgs)
// are matched against the case's own OSV database, and exactly the expected (package, version, id) set must
// come out. Packages are built directly from those files, so this does not depend on the lockfile parsers.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Package } from '../../src/scan/inventory/types.ts';
import { matchPackage } from '../../src/scan/match/index.ts';
import { openOsvDb } from '../../src/scan/osv/open.ts';
import type { OsvStore } from '../../src/scan/osv/store.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'osv', 'trivy-parity');
const cases = existsSync(ROOT)
  ? readdirSync(ROOT, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(ROOT, d.name, 'expected.json')))
      .map((d) => d.name)
      .sort()
  : [];

type Expected = { package: string; version: string; id: string };
type CaseJson = {
  ecosystems: string[];
  findings_with_targets: { package: string; version: string; ecosystem: string }[];
};
type Golden = { Results?: { Class?: string; Packages?: { Name: string; Version: string }[] | null }[] };

const key = (e: Expected): string => `${e.package}@${e.version} ${e.id}`;

describe(
  'scan: Trivy parity of matching (package, version, id)',
  { skip: cases.length === 0 ? `no cases at ${ROOT}` : false },
  () => {
    for (const name of cases) {
      describe(name, () => {
        const dir = join(ROOT, name);
        const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected[];
        const info = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseJson;
        const golden = JSON.parse(readFileSync(join(dir, 'trivy.json.golden'), 'utf8')) as Golden;
        // the ecosystem of each reported package, from case.json's findings; listed packages take the case's
        const ecosystemOf = new Map(info.findings_with_targets.map((f) => [`${f.package}@${f.version}`, f.ecosystem]));
        const defaultEcosystem = info.ecosystems[0] as string;
        const packages = new Map<string, Package>();
        const add = (n: string, v: string): void => {
          const ecosystem = (ecosystemOf.get(`${n}@${v}`) ?? defaultEcosystem) as Package['ecosystem'];
          packages.set(`${n}@${v}`, { name: n, version: v, ecosystem, location: name });
        };
        for (const e of expected) add(e.package, e.version);
        const listed = (golden.Results ?? [])
          .filter((r) => r.Class === 'lang-pkgs')
          .flatMap((r) => r.Packages ?? [])
          .map((p) => [p.Name, p.Version] as const);
        for (const [n, v] of listed) add(n, v);

        let store: OsvStore;
        before(async () => {
          store = (await openOsvDb(join(dir, 'osv'))).store;
        });
        after(() => store?.close());

        it(`exactly the ${expected.length} expected findings, none unknown`, () => {
          const got: Expected[] = [];
          const unknown: string[] = [];
          for (const p of packages.values()) {
            const m = matchPackage(store, p);
            for (const v of m.vulnerabilities) got.push({ package: p.name, version: p.version, id: v.id });
            for (const v of m.unknown) unknown.push(`${p.name}@${p.version} ${v.id}: ${v.reasons.join('; ')}`);
          }
          assert.deepEqual(got.map(key).sort(), expected.map(key).sort());
          assert.deepEqual(unknown, []);
        });

        const clean = listed.filter(([n, v]) => !expected.some((e) => e.package === n && e.version === v));
        if (clean.length > 0) {
          it(`the ${clean.length} packages Trivy lists as not vulnerable get nothing`, () => {
            for (const [n, v] of clean) {
              const m = matchPackage(store, packages.get(`${n}@${v}`) as Package);
              assert.deepEqual(
                [...m.vulnerabilities, ...m.unknown].map((x) => x.id),
                [],
                `${n}@${v}`,
              );
            }
          });
        }
      });
    }
  },
);
