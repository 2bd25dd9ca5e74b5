// `mamori scan` and `mamori db` end to end through bin/mamori, on fixtures made here (test/fixtures/scan): a
// small project (npm lockfile with a dev dependency, a pinned requirements.txt) and a folder of OSV records.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'mamori');
const FIX = join(ROOT, 'test', 'fixtures', 'scan');
const PROJECT = join(FIX, 'project');
const OSV = join(FIX, 'osv');
let home = '';

function mamori(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, MAMORI_HOME: home }, maxBuffer: 1 << 26 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

type Line = {
  id: string;
  kind: string;
  severity: string;
  package: { name: string; version: string; ecosystem: string; location: string; line?: number; purl?: string };
  vulnerability: { id: string; aliases: string[]; fixed: string[]; status: string; upgrade?: string };
  evidence: { source: { file: string } }[];
};

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'mamori-scan-cli-'));
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

test('jsonl: one core Finding per (package, vulnerability), with the contract fields', () => {
  const r = mamori(['scan', PROJECT, '--db', OSV, '-f', 'jsonl', '-q']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
  const got = lines
    .map((l) => `${l.package.ecosystem} ${l.package.name}@${l.package.version} ${l.vulnerability.id}`)
    .sort();
  // the dev-only mocha advisory is left out by default, as Trivy and osv-scanner do
  assert.deepEqual(got, [
    'PyPI Django@3.2.10 CVE-2021-45115',
    'npm lodash@4.17.20 CVE-2020-28500',
    'npm lodash@4.17.20 CVE-2021-23337',
  ]);
  const django = lines.find((l) => l.package.name === 'Django')!;
  assert.equal(django.kind, 'vulnerability');
  assert.equal(django.severity, 'high');
  assert.equal(django.package.location, 'api/requirements.txt');
  assert.equal(django.package.line, 2);
  assert.deepEqual(django.vulnerability.aliases, ['GHSA-53qw-q765-4fww', 'PYSEC-2022-1']);
  assert.deepEqual(django.vulnerability.fixed, ['2.2.26', '3.1.14', '3.2.11']);
  assert.equal(django.vulnerability.upgrade, '3.2.11');
  assert.equal(django.evidence[0]?.source.file, 'api/requirements.txt');
  assert.match(django.id, /^f-[0-9a-f]{32}$/);
  // the same scan gives the same ids
  const again = mamori(['scan', PROJECT, '--db', OSV, '-f', 'jsonl', '-q']);
  assert.deepEqual(
    again.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as Line).id)
      .sort(),
    lines.map((l) => l.id).sort(),
  );
});

test('--include-dev matches dev dependencies too; --fail-on sets the exit code', () => {
  const dev = mamori(['scan', PROJECT, '--db', OSV, '-f', 'jsonl', '-q', '--include-dev']);
  assert.ok(dev.stdout.includes('"GHSA-xxxx-mocha-test"'));
  assert.equal(mamori(['scan', PROJECT, '--db', OSV, '-q', '--fail-on', 'high']).code, 1);
  assert.equal(mamori(['scan', PROJECT, '--db', OSV, '-q', '--fail-on', 'critical']).code, 0);
});

test('table: grouped by file, with fixed versions, the clearing upgrade and a summary', () => {
  const r = mamori(['scan', PROJECT, '--db', OSV, '--max-db-age', '100000']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^api\/requirements\.txt \(PyPI\) — 1 vulnerability$/m);
  assert.match(r.stdout, /^package-lock\.json \(npm\) — 2 vulnerabilities$/m);
  assert.match(r.stdout, /^HIGH\s+lodash\s+4\.17\.20\s+CVE-2021-23337\s+4\.17\.21\s+Command Injection in lodash$/m);
  assert.match(r.stdout, /→ upgrade lodash to 4\.17\.21 to clear all of the above/);
  assert.match(r.stdout, /vulnerabilities 3 \(2 high, 1 medium\) in 2 packages/);
  assert.equal(r.stderr, '', 'no stale-data warning when the data is recent enough');
});

test('json: findings and summary; a stale database is warned about', () => {
  const r = mamori(['scan', PROJECT, '--db', OSV, '-f', 'json', '--max-db-age', '0']);
  const doc = JSON.parse(r.stdout) as { findings: Line[]; summary: { findings: number; lookups: number } };
  assert.equal(doc.findings.length, 3);
  assert.equal(doc.summary.findings, 3);
  assert.match(r.stderr, /OSV data at .* is \d+ days old \(as of 2026-11-20\); run 'mamori db update'/);
});

test('errors: no target, a missing path, a missing database (exit 2, named)', () => {
  const none = mamori(['scan', '--db', OSV]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /nothing to scan/);
  const missing = mamori(['scan', join(FIX, 'no-such-dir'), '--db', OSV]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no-such-dir: no such file or directory/);
  const nodb = mamori(['scan', PROJECT]);
  assert.equal(nodb.code, 2);
  assert.match(nodb.stderr, /no OSV database at .*osv; run `mamori db update`/);
});

test('db update from a local mirror folder, db status, then scan with the installed index', async () => {
  const mirror = join(home, 'mirror');
  const files: Record<string, Record<string, Uint8Array>> = { npm: {}, PyPI: {} };
  for (const f of await readdir(OSV)) {
    const text = await readFile(join(OSV, f), 'utf8');
    const eco = text.includes('"PyPI"') ? 'PyPI' : 'npm';
    files[eco]![f] = strToU8(text);
  }
  for (const [eco, members] of Object.entries(files)) {
    await mkdir(join(mirror, eco), { recursive: true });
    await writeFile(join(mirror, eco, 'all.zip'), zipSync(members));
  }
  const up = mamori(['db', 'update', '--from', mirror, '--ecosystem', 'npm', 'PyPI']);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /^npm: 3 records \(0 withdrawn, 0 refused\) from /m);
  assert.match(up.stdout, /^PyPI: 1 records/m);
  const st = mamori(['db', 'status']);
  assert.equal(st.code, 0, st.stderr);
  assert.match(st.stdout, /^npm\s+3\s+0\s+0\s+2026-11-20/m);
  const js = JSON.parse(mamori(['db', 'status', '-f', 'json']).stdout) as { form: string; imports: unknown[] };
  assert.equal(js.form, 'index');
  assert.equal(js.imports.length, 2);
  // without --db, scan uses the installed index
  const r = mamori(['scan', PROJECT, '-f', 'jsonl', '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 3);
});

test('--ignore: a reasoned entry suppresses (by alias too), an expired one does not and is warned about', async () => {
  const file = join(home, 'ignore.yaml');
  await writeFile(
    file,
    [
      'vulnerabilities:',
      '  - id: GHSA-35jh-r3h4-6jhm',
      '    statement: lodash template() never sees user input here',
      '    expired_at: 2099-01-01',
      '  - id: CVE-2021-45115',
      '    statement: accepted until the Django 4 migration',
      '    expired_at: 2026-01-01',
      '  - id: CVE-1999-0001',
      '    statement: left over',
      '',
    ].join('\n'),
  );
  const r = mamori(['scan', PROJECT, '--db', OSV, '-f', 'jsonl', '--ignore', file, '--fail-on', 'high']);
  const ids = r.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as Line).vulnerability.id)
    .sort();
  assert.deepEqual(ids, ['CVE-2020-28500', 'CVE-2021-45115']);
  assert.equal(r.code, 1, 'the expired acceptance of a high finding fails the run again');
  assert.match(r.stderr, /ignore\.yaml:5 \(CVE-2021-45115\) has expired/);
  assert.match(r.stderr, /ignore\.yaml:8 \(CVE-1999-0001\) matched no finding/);
  assert.match(r.stderr, /suppressed\s+1 by the ignore file/);
  const shown = mamori(['scan', PROJECT, '--db', OSV, '-f', 'jsonl', '-q', '--ignore', file, '--show-suppressed']);
  const lodash = shown.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line & { suppressed?: { reason: string; expires?: string } })
    .find((l) => l.vulnerability.id === 'CVE-2021-23337');
  assert.match(lodash?.suppressed?.reason ?? '', /never sees user input/);
  const bad = mamori(['scan', PROJECT, '--db', OSV, '--ignore', join(home, 'missing.yaml')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--ignore .*missing\.yaml: ENOENT/);
});

test('sarif and cyclonedx outputs', () => {
  const sarif = JSON.parse(mamori(['scan', PROJECT, '--db', OSV, '-f', 'sarif', '-q']).stdout) as {
    version: string;
    runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string }[] }[];
  };
  assert.equal(sarif.version, '2.1.0');
  assert.deepEqual(sarif.runs[0]!.results.map((x) => x.ruleId).sort(), [
    'CVE-2020-28500',
    'CVE-2021-23337',
    'CVE-2021-45115',
  ]);
  const bom = JSON.parse(mamori(['scan', PROJECT, '--db', OSV, '-f', 'cyclonedx', '-q']).stdout) as {
    bomFormat: string;
    specVersion: string;
    components: { purl?: string }[];
    vulnerabilities: { id: string; affects: { ref: string }[] }[];
  };
  assert.equal(bom.bomFormat, 'CycloneDX');
  assert.equal(bom.specVersion, '1.6');
  // every package scanned is a component, the vulnerable ones and the rest
  assert.deepEqual(bom.components.map((c) => c.purl).sort(), [
    'pkg:npm/lodash@4.17.20',
    'pkg:npm/minimist@1.2.8',
    'pkg:pypi/django@3.2.10',
    'pkg:pypi/requests@2.31.0',
  ]);
  assert.deepEqual(bom.vulnerabilities.map((v) => v.id).sort(), ['CVE-2020-28500', 'CVE-2021-23337', 'CVE-2021-45115']);
});
