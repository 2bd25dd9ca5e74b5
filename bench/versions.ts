// Version ordering cost per ecosystem: parse once, then compare parsed values, as a scan does.
// Versions come from the OSV ordering fixtures (../shared/data/osv/versions); a scheme without one is skipped.
import { seededRandom } from '../src/core/random.ts';
import { VERSION_SCHEMES } from '../src/scan/versions/index.ts';
import type { VersionSchemeId } from '../src/scan/versions/scheme.ts';
import { readOsvFixture } from '../src/scan/versions/testkit.ts';

const fixtures: Partial<Record<VersionSchemeId, string[]>> = {
  npm: ['semver-versions.txt'],
  pypi: ['pypi-versions-generated.txt'],
  maven: ['maven-versions-generated.txt'],
  packagist: ['packagist-versions-generated.txt'],
  rubygems: ['rubygems-versions-generated.txt'],
  debian: ['debian-versions-generated.txt'],
  alpine: ['alpine-versions-generated.txt'],
  rpm: ['redhat-versions.txt'],
  nuget: ['nuget-versions.txt'],
  pub: ['pub-versions.txt'],
  cran: ['cran-versions-generated.txt'],
  hackage: ['hackage-versions.txt'],
};

const PAIRS = 1 << 20;
const rows: string[] = [];
for (const [id, files] of Object.entries(fixtures) as [VersionSchemeId, string[]][]) {
  const scheme = VERSION_SCHEMES.get(id)!;
  const strings = [...new Set(files.flatMap((f) => (readOsvFixture(f) ?? []).flatMap((l) => [l.a, l.b])))];
  if (strings.length === 0) continue;
  // parse: repeat until ~200k parses so the figure is stable
  const reps = Math.max(1, Math.ceil(200_000 / strings.length));
  let parsed: unknown[] = [];
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) parsed = strings.map((s) => scheme.parse(s)).filter((p) => p !== undefined);
  const parseNs = Number(process.hrtime.bigint() - t0) / (reps * strings.length);
  // compare: random pairs of parsed values, indexes drawn up front
  const random = seededRandom(42);
  const ia = new Uint32Array(PAIRS);
  const ib = new Uint32Array(PAIRS);
  for (let i = 0; i < PAIRS; i++) {
    ia[i] = Math.floor(random() * parsed.length);
    ib[i] = Math.floor(random() * parsed.length);
  }
  let sink = 0;
  for (let i = 0; i < PAIRS; i++) sink += scheme.compare(parsed[ia[i]!], parsed[ib[i]!]); // warm-up
  const t1 = process.hrtime.bigint();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < PAIRS; i++) sink += scheme.compare(parsed[ia[i]!], parsed[ib[i]!]);
  }
  const compareNs = Number(process.hrtime.bigint() - t1) / (3 * PAIRS);
  // sort: a whole package history, as a matcher building an index does
  const t2 = process.hrtime.bigint();
  const sorted = parsed.slice().sort((x, y) => scheme.compare(x, y));
  const sortMs = Number(process.hrtime.bigint() - t2) / 1e6;
  if (sink === Number.MIN_VALUE) console.log(sink); // keeps the loops from being optimised away
  rows.push(
    `| ${id} | ${strings.length} | ${parseNs.toFixed(0)} | ${compareNs.toFixed(1)} | ${sortMs.toFixed(1)} (${sorted.length}) |`,
  );
}
console.log('| scheme | distinct versions | parse ns/op | compare ns/op (parsed, random pairs) | sort ms (n) |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(r);
