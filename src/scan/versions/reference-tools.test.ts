// Our orders against the ecosystems' own tools, where they are installed on this machine (each test says
// plainly when its tool is missing and skips). Pairs come from the OSV fixtures and from a seeded generator
// of tricky strings; both are reproducible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import semver from 'semver';
import { seededRandom } from '../../core/random.ts';
import { debianVersion } from '../ecosystems/debian/version.ts';
import { mavenVersion } from '../ecosystems/maven/version.ts';
import { npmVersion } from '../ecosystems/npm/version.ts';
import { pypiVersion } from '../ecosystems/pypi/version.ts';
import { rpmVersion } from '../ecosystems/rpm/version.ts';
import { rubygemsVersion } from '../ecosystems/rubygems/version.ts';
import type { VersionScheme } from './scheme.ts';
import { compareChecked, opOf, readListFixture, readOsvFixture, runTool, sample, type Op } from './testkit.ts';

/** Random strings built from pieces; `first` pieces start them. */
function generate(
  random: () => number,
  n: number,
  first: readonly string[],
  pieces: readonly string[],
  max = 6,
): string[] {
  const pick = (xs: readonly string[]): string => xs[Math.floor(random() * xs.length)] as string;
  const out = new Set<string>();
  while (out.size < n) {
    let s = pick(first);
    const k = 1 + Math.floor(random() * max);
    for (let i = 0; i < k; i++) s += pick(pieces);
    out.add(s);
  }
  return [...out];
}

/** Versions of the fixture files, or an empty list when the shared data is absent. */
function fixtureVersions(...files: string[]): string[] {
  const out = new Set<string>();
  for (const f of files) for (const l of readOsvFixture(f) ?? []) out.add(l.a).add(l.b);
  return [...out];
}

function pairsOf(versions: readonly string[], n: number, random: () => number): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    const [a, b] = sample(versions, 2, random);
    if (a !== undefined && b !== undefined) out.push([a, b]);
  }
  return out;
}

/** Compares our answers with the tool's on every pair both accept, and returns the disagreements. */
function disagreements<P>(
  scheme: VersionScheme<P>,
  pairs: readonly [string, string][],
  theirs: readonly Op[],
): string[] {
  const out: string[] = [];
  pairs.forEach(([a, b], i) => {
    const ours = compareChecked(scheme, a, b);
    if (ours !== 'unparsable' && opOf(ours) !== theirs[i])
      out.push(`${a} ? ${b}: ours ${opOf(ours)}, tool ${theirs[i]}`);
  });
  return out;
}

test('Debian: dpkg --compare-versions agrees', (t) => {
  if (runTool('dpkg', ['--version']) === undefined) {
    t.skip('dpkg is not installed');
    return;
  }
  const random = seededRandom(0xdeb);
  const fromFixture = fixtureVersions('debian-versions.txt', 'debian-versions-generated.txt');
  const tricky = generate(
    random,
    300,
    ['0', '1', '1:0', '2:1', '00', '9'],
    ['0', '1', '9', '10', '01', '.', '+', '~', '~~', 'a', 'z', 'A', 'Z', '-0', '-1', '-a', '-~', '.0', 'dfsg', ':1'],
  );
  const versions = [...fromFixture, ...tricky];
  const pairs = [
    ...pairsOf(fromFixture, 150, random),
    ...pairsOf(tricky, 250, random),
    ...pairsOf(versions, 100, random),
  ].filter(([a, b]) => debianVersion.parse(a) !== undefined && debianVersion.parse(b) !== undefined);
  // one shell, one dpkg per question: "lt", then "eq"
  const script =
    'while IFS=" " read -r a b; do if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then echo "<"; ' +
    'elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo "="; else echo ">"; fi; done';
  const out = runTool('bash', ['-c', script], pairs.map(([a, b]) => `${a} ${b}\n`).join(''));
  const theirs = (out ?? '').trim().split('\n') as Op[];
  assert.equal(theirs.length, pairs.length);
  assert.deepEqual(disagreements(debianVersion, pairs, theirs), []);
  // what we refuse, dpkg warns about or rejects
  const refused = tricky.filter((v) => debianVersion.parse(v) === undefined).slice(0, 40);
  const warned = runTool(
    'bash',
    [
      '-c',
      'while read -r v; do if dpkg --compare-versions "$v" eq "$v" 2>&1 | grep -q . ; then echo w; else echo ok; fi; done',
    ],
    refused.map((v) => `${v}\n`).join(''),
  );
  const silent = refused.filter((_, i) => (warned ?? '').trim().split('\n')[i] !== 'w');
  assert.deepEqual(silent, [], 'dpkg accepts these without a word, but we refuse them');
  t.diagnostic(`dpkg: ${pairs.length} pairs agree; ${refused.length} refused strings all draw a dpkg warning or error`);
});

test('RPM: rpm.ver / rpm.vercmp agree', (t) => {
  const probe = runTool('rpm', ['--eval', '%{lua: print(rpm.vercmp("1", "2"))}']);
  if (probe === undefined || probe.trim() !== '-1') {
    t.skip('rpm (with its lua rpm.vercmp) is not installed: apt-get install rpm');
    return;
  }
  const random = seededRandom(0x5e4);
  const fromFixture = fixtureVersions('redhat-versions.txt').filter((v) => /^[\x21-\x7e]+$/.test(v));
  const tricky = generate(
    random,
    300,
    ['0', '1', '2', '1:1', '0:', '10'],
    ['0', '1', '01', '10', '.', '_', '+', '~', '^', 'a', 'b', 'Z', 'rc', 'git', 'el9', '-1', '-0.1', '.el9_2'],
  );
  const pairs = [...pairsOf(fromFixture, 150, random), ...pairsOf(tricky, 350, random)].filter(
    ([a, b]) => rpmVersion.parse(a) !== undefined && rpmVersion.parse(b) !== undefined,
  );
  // rpm.ver compares [epoch:]version[-release] as rpm does; the strings go in as Lua long strings
  const lua = pairs.map(([a, b]) => `{[==[${a}]==],[==[${b}]==]}`).join(',');
  const out = runTool('rpm', [
    '--eval',
    `%{lua: local r = {}; for _, p in ipairs({${lua}}) do local x, y = rpm.ver(p[1]), rpm.ver(p[2]); ` +
      `r[#r+1] = (x < y) and "<" or ((x == y) and "=" or ">") end; print(table.concat(r, " "))}`,
  ]);
  const theirs = (out ?? '').trim().split(' ') as Op[];
  assert.equal(theirs.length, pairs.length);
  assert.deepEqual(disagreements(rpmVersion, pairs, theirs), []);
  t.diagnostic(`rpm: ${pairs.length} pairs agree`);
});

const PACKAGING = `
import json, sys
from packaging.version import Version, InvalidVersion
data = json.load(sys.stdin)
def parse(v):
    try:
        return Version(v)
    except InvalidVersion:
        return None
valid = [parse(v) is not None for v in data["versions"]]
ops = []
for a, b in data["pairs"]:
    x, y = Version(a), Version(b)
    ops.append("<" if x < y else ("=" if x == y else ">"))
print(json.dumps({"valid": valid, "ops": ops}))
`;

test('PyPI: Python packaging agrees (order and validity)', (t) => {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  if (runTool(python, ['-c', 'import packaging.version']) === undefined) {
    t.skip('python3 with packaging is not installed: apt-get install python3-packaging');
    return;
  }
  const random = seededRandom(0x440);
  const fromFixture = fixtureVersions('pypi-versions.txt', 'pypi-versions-generated.txt');
  const tricky = generate(
    random,
    400,
    ['0', '1', '1!1', 'v1', 'V2', '01', '2.0'],
    [
      '.0',
      '.1',
      '.10',
      'a',
      'b',
      'c',
      'rc',
      'alpha',
      'Beta',
      'pre',
      'preview',
      '-',
      '_',
      '.',
      'post',
      'rev',
      'r',
      '-1',
      'dev',
      'DEV',
      '+local',
      '+1.a',
      '+a-1',
      '1',
      '0',
    ],
    5,
  );
  const versions = [...fromFixture, ...tricky];
  // legacy versions only parseLenient accepts: packaging must refuse exactly what parse refuses
  const ours = versions.map((v) => pypiVersion.parse(v) !== undefined);
  const candidates = versions.filter((_, i) => ours[i]);
  const pairs = [...pairsOf(candidates, 1500, random)];
  const out = runTool(python, ['-c', PACKAGING], JSON.stringify({ versions, pairs }));
  const res = JSON.parse(out ?? '{}') as { valid: boolean[]; ops: Op[] };
  const validity = versions.filter((v, i) => res.valid[i] !== ours[i]).map((v, i) => `${v}: ours ${ours[i]}`);
  assert.deepEqual(validity, [], 'packaging and we disagree on which strings are versions');
  assert.deepEqual(disagreements(pypiVersion, pairs, res.ops), []);
  t.diagnostic(`packaging: ${versions.length} strings classified alike, ${pairs.length} pairs agree`);
});

/** A known difference: `a op b` in OSV's order (ours), `theirs` in ComparableVersion's (Maven >= 3.8.7). */
type KnownDifference = { readonly a: string; readonly op: Op; readonly b: string; readonly theirs: Op };

test('Maven: ComparableVersion (maven-artifact) agrees, except the listed differences', (t) => {
  const jar = ['/usr/share/maven/lib/maven-artifact-3.x.jar', '/usr/share/java/maven-artifact.jar'].find((p) =>
    existsSync(p),
  );
  if (jar === undefined || runTool('java', ['-version']) === undefined) {
    t.skip('java and maven-artifact are not installed: apt-get install maven');
    return;
  }
  // we follow OSV's order (the POM reference's, as osv-scalibr); ComparableVersion since 3.8.7 differs on these
  const known: KnownDifference[] = readListFixture(
    new URL('../ecosystems/maven/__fixtures__/osv-vs-comparable-version.txt', import.meta.url),
  ).map((l) => {
    const [a, op, b, arrow, theirs] = l.split(' ');
    assert.equal(arrow, '=>', `not "A <op> B => <op>": ${l}`);
    return { a: a as string, op: op as Op, b: b as string, theirs: theirs as Op };
  });
  const listed = new Set(known.flatMap((k) => [`${k.a} ${k.b}`, `${k.b} ${k.a}`]));
  // separate generators, so the tricky pairs are the same whether or not the shared fixtures are present
  const fixtureRandom = seededRandom(0x3a7);
  const fromFixture = sample(fixtureVersions('maven-versions.txt', 'maven-versions-generated.txt'), 400, fixtureRandom);
  const random = seededRandom(0x3a8);
  const tricky = generate(
    random,
    400,
    ['1', '0', '2', '1.0', 'a'],
    [
      '.',
      '-',
      '0',
      '1',
      '10',
      'a',
      'b',
      'm',
      'alpha',
      'beta',
      'rc',
      'cr',
      'ga',
      'final',
      'release',
      'sp',
      'snapshot',
      'SNAPSHOT',
      'x',
      'Final',
      '.RELEASE',
      '-1',
    ],
  );
  const pairs: [string, string][] = [
    ...known.map((k): [string, string] => [k.a, k.b]),
    ...pairsOf(fromFixture, 400, fixtureRandom),
    ...pairsOf(tricky, 400, random),
  ];
  // ComparableVersion's main compares each argument with the next: hand it the pairs in a row, keep every other
  const out =
    runTool('java', ['-cp', jar, 'org.apache.maven.artifact.versioning.ComparableVersion', ...pairs.flat()]) ?? '';
  const theirs = [...out.matchAll(/^ {3}\S+ (<|>|==) \S+$/gm)]
    .map((m) => (m[1] === '==' ? '=' : m[1]) as Op)
    .filter((_, i) => i % 2 === 0);
  assert.equal(theirs.length, pairs.length);
  // each listed difference is real: we give OSV's answer, the installed ComparableVersion the listed one
  const stale = known.flatMap((k, i) => {
    const ours = compareChecked(mavenVersion, k.a, k.b);
    const got = ours === 'unparsable' ? ours : opOf(ours);
    return got === k.op && theirs[i] === k.theirs ? [] : [`${k.a} ${k.op} ${k.b}: ours ${got}, tool ${theirs[i]}`];
  });
  assert.deepEqual(stale, [], 'listed differences that no longer hold');
  // and every other disagreement is listed (reported in the list's own format)
  const unlisted = pairs.flatMap(([a, b], i) => {
    if (listed.has(`${a} ${b}`)) return [];
    const ours = compareChecked(mavenVersion, a, b);
    return ours !== 'unparsable' && opOf(ours) !== theirs[i] ? [`${a} ${opOf(ours)} ${b} => ${theirs[i]}`] : [];
  });
  assert.deepEqual(unlisted, [], 'differences from ComparableVersion that are not listed');
  t.diagnostic(
    `ComparableVersion: ${pairs.length - known.length} pairs agree, but for listed ones; ${known.length} listed differ`,
  );
});

const GEM = `
require "json"
data = JSON.parse($stdin.read)
valid = data["versions"].map { |v| Gem::Version.correct?(v) ? true : false }
ops = data["pairs"].map { |a, b| c = Gem::Version.new(a) <=> Gem::Version.new(b); c < 0 ? "<" : (c > 0 ? ">" : "=") }
puts JSON.generate({ "valid" => valid, "ops" => ops })
`;

test('RubyGems: Gem::Version agrees (order and validity)', (t) => {
  if (runTool('ruby', ['-e', 'Gem::Version']) === undefined) {
    t.skip('ruby is not installed: apt-get install ruby');
    return;
  }
  const random = seededRandom(0x9e3);
  const fromFixture = fixtureVersions('rubygems-versions.txt', 'rubygems-versions-generated.txt');
  const tricky = generate(
    random,
    300,
    ['0', '1', '2', '1.0'],
    ['.0', '.1', '.a', '.b1', '.pre', '.rc2', '-beta', '-1', '.10', 'a', '0', '.', '.Z'],
    5,
  );
  const versions = [...fromFixture, ...tricky];
  const ours = versions.map((v) => rubygemsVersion.parse(v) !== undefined);
  const pairs = pairsOf(
    versions.filter((_, i) => ours[i]),
    1000,
    random,
  );
  const out = runTool('ruby', ['-e', GEM], JSON.stringify({ versions, pairs }));
  const res = JSON.parse(out ?? '{}') as { valid: boolean[]; ops: Op[] };
  const validity = versions.filter((v, i) => res.valid[i] !== ours[i]);
  assert.deepEqual(validity, [], 'Gem::Version and we disagree on which strings are versions');
  assert.deepEqual(disagreements(rubygemsVersion, pairs, res.ops), []);
  t.diagnostic(`Gem::Version: ${versions.length} strings classified alike, ${pairs.length} pairs agree`);
});

test('npm: the semver package agrees on strict SemVer', () => {
  const random = seededRandom(0x5e3);
  const tricky = generate(
    random,
    600,
    ['0.0.0', '1.0.0', '1.2.3', '0.1.0', '10.20.30'],
    ['-0', '-1', '-a', '-alpha', '-beta', '.1', '.a', '-01', '+b', '+1.2', '.0', '-x-y', '-A', '.10', '.2'],
    4,
  );
  const versions = [
    ...fixtureVersions('semver-versions.txt').filter((v) => semver.valid(v) !== null && !v.startsWith('v')),
    ...tricky,
  ];
  const both = versions.filter((v) => semver.valid(v) !== null);
  // on full x.y.z strings the two agree on validity too
  assert.deepEqual(
    versions.filter((v) => (semver.valid(v) !== null) !== (npmVersion.parse(v) !== undefined)),
    [],
    'semver and we disagree on which strings are versions',
  );
  const pairs = pairsOf(both, 2000, random);
  const theirs = pairs.map(([a, b]) => opOf(semver.compare(a, b)));
  assert.deepEqual(disagreements(npmVersion, pairs, theirs), []);
});
