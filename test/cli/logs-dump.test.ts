// `mamori logs dump` and `mamori hunt` on real EVTX files we built (test/fixtures/evtx), through bin/mamori.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'mamori');
const FIX = join(ROOT, 'test', 'fixtures', 'evtx');

function mamori(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function expectedData(name: string): Promise<unknown[]> {
  const text = await readFile(join(FIX, name.replace(/\.evtx$/, '.expected.jsonl')), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { data: unknown }).data);
}

test('logs dump --format jsonl prints each record in the evtx_dump shape, one per line', async () => {
  const r = mamori(['logs', 'dump', join(FIX, 'sysmon-security.evtx'), '--format', 'jsonl']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepStrictEqual(
    lines.map((l) => JSON.parse(l) as unknown),
    await expectedData('sysmon-security.evtx'),
  );
});

test('logs dump on a damaged file: the good records print, each problem is named on stderr, exit 0', () => {
  const r = mamori(['logs', 'dump', join(FIX, 'damaged.evtx')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 6);
  assert.match(r.stderr, /damaged\.evtx \(chunk 0 .*checksum/);
  assert.match(r.stderr, /bad record signature/);
});

test('logs dump: a missing file is an error (exit 2) and does not lose the other files', () => {
  const r = mamori(['logs', 'dump', join(FIX, 'nope.evtx'), join(FIX, 'value-types.evtx')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope\.evtx/);
  assert.equal(r.stdout.trim().split('\n').length, 4);
});

test('hunt over an EVTX file with a rule of our own: the finding carries EventRecordID, host and time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-evtx-hunt-'));
  try {
    const rule = join(dir, 'whoami.yml');
    await writeFile(
      rule,
      [
        'title: Whoami run',
        'id: 6f1f3c2e-3a7c-4c1e-9d8e-0c9f1b2a3d4e',
        'status: test',
        'logsource: { product: windows, category: process_creation }',
        'detection:',
        '  selection:',
        "    Image|endswith: '\\whoami.exe'",
        '  condition: selection',
        'level: high',
        '',
      ].join('\n'),
    );
    const r = mamori(['hunt', join(FIX, 'sysmon-security.evtx'), '--rules', rule, '--format', 'jsonl', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const findings = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            rule: { id: string };
            asset: { name: string };
            time: string;
            evidence: { source: { recordId: number } }[];
          },
      );
    assert.equal(findings.length, 4, 'the four Sysmon process creations, not the 4688 net.exe ones');
    assert.ok(findings.every((f) => f.rule.id === '6f1f3c2e-3a7c-4c1e-9d8e-0c9f1b2a3d4e'));
    assert.deepEqual(findings.map((f) => f.evidence[0]!.source.recordId).sort(), [1, 2, 4, 5]);
    assert.ok(findings.every((f) => f.asset.name.length > 0 && /^\d{4}-\d\d-\d\dT/.test(f.time)));
    const fail = mamori(['hunt', join(FIX, 'sysmon-security.evtx'), '--rules', rule, '--fail-on', 'high', '-q']);
    assert.equal(fail.code, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
