// `mamori eval` end to end through bin/mamori on the committed labelled fixture (test/fixtures/analysts/eval):
// the built-in analysts only (no keys, no network), every output, the decisions file, bad lines, bad policies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMamori, type CliRun } from '../support/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CASES = join(ROOT, 'test', 'fixtures', 'analysts', 'eval');
const POLICIES = ['unanimous', 'majority', 'weighted', 'any'];
const ANALYSTS = ['builtin-rules', 'builtin-rarity'];
let dir = '';

function mamori(args: string[]): Promise<CliRun> {
  return runMamori(args, { home: join(dir, 'home'), cwd: dir });
}

const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const fixtureCases = (): number =>
  lines(join(CASES, 'malicious.jsonl')).length + lines(join(CASES, 'benign.jsonl')).length;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mamori-eval-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('mamori eval: the table, the JSON report, the decisions file, bad lines and bad policies', async (t) => {
  const bad = join(dir, 'bad-set');
  mkdirSync(bad);
  copyFileSync(join(CASES, 'malicious.jsonl'), join(bad, 'a-malicious.jsonl'));
  const goodLine = lines(join(CASES, 'benign.jsonl'))[0]!;
  writeFileSync(join(bad, 'b-benign.jsonl'), `${goodLine}\n{"finding": {}, "truth": "maybe"}\nnot json\n`);
  const decisions = join(dir, 'decisions.jsonl');
  // independent runs at once: the whole test stays within a few seconds
  const [table, json, withDecisions, badLines, badPolicy] = await Promise.all([
    mamori(['eval', '--cases', CASES]),
    mamori(['eval', '--cases', CASES, '-f', 'json', '--quiet']),
    mamori(['eval', '--cases', CASES, '--decisions', decisions, '--policies', 'unanimous,any']),
    mamori(['eval', '--cases', bad]),
    mamori(['eval', '--cases', CASES, '--policies', 'unanimous,nope']),
  ]);
  const n = fixtureCases();

  await t.test('table: every analyst and every policy with true- and false-positive columns', () => {
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      new RegExp(`^${n} cases \\(\\d+ malicious, \\d+ benign\\); analysts: builtin-rules, builtin-rarity`),
    );
    const header = table.stdout.split('\n').find((l) => l.startsWith('| analyst / policy'));
    assert.ok(header, table.stdout);
    for (const h of [
      'true positives',
      'false positives',
      'missed',
      'to a human',
      'abstentions',
      'cost / finding',
      'latency',
    ])
      assert.ok(header.includes(h), `no "${h}" column in ${header}`);
    const rows = table.stdout.split('\n').filter((l) => /^\| (analyst|policy):/.test(l));
    assert.deepEqual(
      rows.map((r) => r.split('|')[1]!.trim()),
      [...ANALYSTS.map((a) => `analyst:${a}`), ...POLICIES.map((p) => `policy:${p}@1`)],
    );
    for (const r of rows) assert.match(r, /\d+\.\d% \[\d+\.\d–\d+\.\d\]/);
    assert.match(table.stdout, /All analysts wrong together: /);
    assert.match(table.stderr, new RegExp(`mamori eval: ${n} cases in`));
  });

  await t.test('-f json: per-analyst and per-policy rows with rates and intervals', () => {
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.stderr, '');
    type Rate = { k: number; n: number; rate: number; low: number; high: number };
    const report = JSON.parse(json.stdout) as {
      cases: number;
      malicious: number;
      benign: number;
      analysts: string[];
      rows: { who: string; truePositive: Rate; falsePositive: Rate; missed: Rate; toHuman: Rate; abstentions: Rate }[];
      allWrong: Rate;
      policies: { name: string; version: number }[];
    };
    assert.equal(report.cases, n);
    assert.equal(report.malicious + report.benign, n);
    assert.deepEqual(report.analysts, ANALYSTS);
    assert.deepEqual(
      report.policies.map((p) => p.name),
      POLICIES,
    );
    assert.deepEqual(
      report.rows.map((r) => r.who),
      [...ANALYSTS.map((a) => `analyst:${a}`), ...POLICIES.map((p) => `policy:${p}@1`)],
    );
    for (const r of report.rows) {
      assert.equal(r.truePositive.n, report.malicious, r.who);
      assert.equal(r.falsePositive.n, report.benign, r.who);
      for (const rate of [r.truePositive, r.falsePositive, r.missed, r.toHuman, r.abstentions]) {
        assert.ok(rate.low <= rate.rate && rate.rate <= rate.high, `${r.who}: ${JSON.stringify(rate)}`);
        assert.ok(rate.low >= 0 && rate.high <= 1);
      }
    }
    assert.ok(report.allWrong.n === n);
  });

  await t.test('--decisions: one triage record per case, with its truth', () => {
    assert.equal(withDecisions.code, 0, withDecisions.stderr);
    const recs = lines(decisions).map(
      (l) => JSON.parse(l) as { truth: string; finding: { id: string }; verdicts: { analyst: string }[] },
    );
    assert.equal(recs.length, n);
    const truths = [...lines(join(CASES, 'benign.jsonl')), ...lines(join(CASES, 'malicious.jsonl'))].map(
      (l) => (JSON.parse(l) as { truth: string }).truth,
    );
    // cases are read in file-name order: benign.jsonl, then malicious.jsonl
    assert.deepEqual(
      recs.map((r) => r.truth),
      truths,
    );
    for (const r of recs) assert.deepEqual(r.verdicts.map((v) => v.analyst).sort(), [...ANALYSTS].sort());
    const rows = withDecisions.stdout.split('\n').filter((l) => /^\| (analyst|policy):/.test(l));
    assert.equal(rows.length, ANALYSTS.length + 2);
  });

  await t.test('bad lines: file:line on standard error, exit 2, the rest still evaluated', () => {
    assert.equal(badLines.code, 2, badLines.stderr);
    assert.match(badLines.stderr, /b-benign\.jsonl:2: skipped: /);
    assert.match(badLines.stderr, /b-benign\.jsonl:3: skipped: not JSON/);
    const good = lines(join(CASES, 'malicious.jsonl')).length + 1;
    assert.match(badLines.stdout, new RegExp(`^${good} cases \\(${good - 1} malicious, 1 benign\\)`));
  });

  await t.test('--policies nope: exit 2 with the known policies listed', () => {
    assert.equal(badPolicy.code, 2);
    assert.match(badPolicy.stderr, /unknown policy "nope"/);
    for (const p of POLICIES) assert.ok(badPolicy.stderr.includes(p), badPolicy.stderr);
    assert.equal(badPolicy.stdout, '');
  });
});
