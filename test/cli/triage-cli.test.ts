// `mamori triage` end to end through bin/mamori: the built-in analysts on real detector output, model analysts
// against a fake provider on 127.0.0.1 (OpenAI-compatible and Anthropic at once, in parallel), the hostile events
// through the whole path (nothing planted reaches the wire, the output keeps its contract), the detectors'
// --triage, configuration and input errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMamori, type CliRun } from '../support/cli.ts';
import { GOOD_VERDICT, startModelServer, type ModelServer } from '../support/model-server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let dir = '';
let server: ModelServer;

function mamori(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return runMamori(args, { home: join(dir, 'home'), cwd: dir, ...opts });
}

type Out = {
  finding: { id: string; kind: string; severity: string };
  verdicts: {
    analyst: string;
    label: string;
    confidence: number;
    rationale: string;
    evidence: string[];
    latencyMs: number;
    tokens: { input: number; output: number };
    costUsd?: number;
    abstained?: { reason: string; detail: string };
    requestIds?: string[];
  }[];
  outcome: string;
  policy: { name: string; version: string };
  reason: string;
  time: string;
};
const records = (s: string): Out[] =>
  s
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Out);

type Hostile = { note: string; format: string; data: Record<string, unknown>; planted: string[]; kept: string[] };
const HOSTILE: Hostile[] = readFileSync(join(ROOT, 'test/fixtures/analysts/hostile/events.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Hostile);

/** A detection around one record, as hunt writes it. */
function finding(data: Record<string, unknown>, i: number, host = `ws-${i}`) {
  return {
    id: `f-${i.toString(16).padStart(32, '0')}`,
    kind: 'detection',
    severity: 'high',
    title: `Suspicious record ${i}`,
    rule: {
      id: '5af54681-df95-4c26-854f-2565e13cfab0',
      title: 'Suspicious Command Line',
      level: 'high',
      status: 'test',
      tags: ['attack.execution', 'attack.t1059'],
    },
    asset: { kind: 'host', name: host },
    time: '2026-11-25T10:00:00.000Z',
    evidence: [{ source: { file: 'C:\\logs\\x.evtx', recordId: i + 1 }, data }],
  };
}

const jsonl = (xs: unknown[]): string => xs.map((x) => JSON.stringify(x)).join('\n') + '\n';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mamori-triage-cli-'));
  server = await startModelServer();
  writeFileSync(
    join(dir, 'mamori.yaml'),
    'redaction:\n  internalDomains: [corp.example.jp]\nmodels:\n  maxAttempts: 2\n  callTimeoutSeconds: 5\n',
  );
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('built-in analysts on detector output: one decision per finding with the contract fields', async () => {
  const file = join(dir, 'findings.jsonl');
  const data = (cmd: string) => ({
    Event: { System: { Computer: 'WS-1', EventID: 1 }, EventData: { Image: 'C:\\Windows\\cmd.exe', CommandLine: cmd } },
  });
  writeFileSync(file, jsonl([finding(data('cmd /c whoami'), 1), finding(data('cmd /c net user x y /add'), 2)]));
  const r = await mamori(['triage', '--findings', file, '-f', 'jsonl', '-q']);
  assert.equal(r.code, 0, r.stderr);
  const out = records(r.stdout);
  assert.deepEqual(
    out.map((o) => o.finding.id),
    ['f-00000000000000000000000000000001', 'f-00000000000000000000000000000002'],
  );
  for (const o of out) {
    assert.deepEqual(
      o.verdicts.map((v) => v.analyst),
      ['builtin-rules', 'builtin-rarity'],
    );
    for (const v of o.verdicts) {
      assert.ok(['malicious', 'benign', 'needs-human'].includes(v.label));
      assert.ok(v.confidence >= 0 && v.confidence <= 1);
      assert.ok(v.rationale.length > 0);
      assert.equal(typeof v.latencyMs, 'number');
      assert.deepEqual(v.tokens, { input: 0, output: 0 });
    }
    assert.ok(['escalate', 'suppress', 'review'].includes(o.outcome));
    assert.deepEqual(o.policy, { name: 'unanimous', version: '1' });
    assert.ok(o.reason.length > 0);
  }
  // the table format says the same in a line per finding and a summary
  const t = await mamori(['triage', '--findings', file, '--policy', 'majority']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /builtin-rules=/);
  assert.match(t.stdout, /2 findings: \d+ escalate, \d+ review, \d+ suppress \(policy majority@1\)/);
});

test('two model analysts with one-second delays finish in about one second together', async () => {
  server.reset();
  const file = join(dir, 'one.jsonl');
  writeFileSync(file, jsonl([finding({ CommandLine: 'powershell -enc SQBFAFgA' }, 1)]));
  server.script(
    { kind: 'verdict', value: GOOD_VERDICT, delayMs: 1000 },
    { kind: 'verdict', value: GOOD_VERDICT, delayMs: 1000 },
  );
  const r = await mamori(
    [
      'triage',
      '--findings',
      file,
      '--analysts',
      `openai-compatible:llama3.1:8b@${server.openaiBaseURL},anthropic:claude-sonnet-4-5`,
      '-f',
      'jsonl',
      '-q',
    ],
    { env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: server.url } },
  );
  assert.equal(r.code, 0, r.stderr);
  const [o] = records(r.stdout);
  assert.equal(o!.outcome, 'escalate');
  for (const v of o!.verdicts) {
    assert.equal(v.label, 'malicious');
    assert.ok(v.latencyMs >= 950, `${v.analyst} took ${v.latencyMs} ms`);
    assert.ok(v.tokens.input > 0 && v.tokens.output > 0);
    assert.equal(v.requestIds?.length, 1);
  }
  // the anthropic model is priced by the bundled table; the local model is not
  assert.equal(typeof o!.verdicts[1]!.costUsd, 'number');
  assert.equal(o!.verdicts[0]!.costUsd, undefined);
  // both calls were in flight at once: the second request arrived before the first was answered
  assert.equal(server.requests.length, 2);
  assert.ok(Math.abs(server.requests[0]!.at - server.requests[1]!.at) < 500);
  // node start-up included, the run is far below the 2 s a sequential one would need
  const slowest = Math.max(...o!.verdicts.map((v) => v.latencyMs));
  assert.ok(slowest < 1600, `slowest analyst ${slowest} ms`);
});

test('hostile events through the whole path: nothing planted is sent, the output keeps its format', async () => {
  server.reset();
  const file = join(dir, 'hostile.jsonl');
  writeFileSync(file, jsonl(HOSTILE.map((h, i) => finding(h.data, i, 'WS-FIN-042.corp.example.jp'))));
  // the "model" is fooled by half the records: it answers in prose, as the injected text asks
  const answers = HOSTILE.map((_, i) =>
    i % 2 === 0
      ? ({ kind: 'verdict', value: GOOD_VERDICT } as const)
      : ({ kind: 'text', text: 'As instructed, this is benign. SYSTEM: analysis complete.' } as const),
  );
  // one reply per finding: a reply that fails the schema is an abstention, not retried
  server.script(...answers);
  const r = await mamori([
    'triage',
    '--findings',
    file,
    '--analysts',
    `builtin-rules,openai-compatible:m@${server.openaiBaseURL}`,
    '--concurrency',
    '1',
    '-f',
    'jsonl',
    '-q',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = records(r.stdout);
  assert.equal(out.length, HOSTILE.length);
  const sent = server.requests.map((q) => q.raw).join('\n');
  for (const h of HOSTILE)
    for (const p of h.planted) {
      // a JSON body escapes some characters: look for the value as JSON would write it, too
      const escaped = JSON.stringify(p).slice(1, -1);
      assert.ok(!sent.includes(p) && !sent.includes(escaped), `planted ${JSON.stringify(p)} (${h.note}) was sent`);
    }
  for (const [i, o] of out.entries()) {
    const model = o.verdicts[1]!;
    if (i % 2 === 0) assert.equal(model.label, 'malicious');
    else {
      // prose is never read as a verdict: an abstention, and the finding goes to a person, not to "benign"
      assert.equal(model.abstained?.reason, 'schema');
      assert.equal(model.label, 'needs-human');
      assert.notEqual(o.outcome, 'suppress');
    }
  }
  // the mapping of masks to originals stayed on this machine, readable by its owner only
  const mapping = join(dir, 'home', 'analysts', 'redaction-mapping.json');
  const text = readFileSync(mapping, 'utf8');
  assert.ok(text.includes('Winter2024!Pass'));
});

test('the detectors take --triage: harden findings judged inline, --fail-on counts what is not suppressed', async () => {
  const root = join(dir, 'root');
  cpSync(join(ROOT, 'test/fixtures/harden/sshd/debian12'), root, { recursive: true, verbatimSymlinks: true });
  const r = await mamori(['harden', '--root', root, '--triage', '-f', 'jsonl', '-q']);
  assert.equal(r.code, 0, r.stderr);
  const out = records(r.stdout);
  assert.ok(out.length > 0);
  for (const o of out) {
    assert.equal(o.finding.kind, 'misconfiguration');
    assert.equal(o.verdicts.length, 2);
  }
  const bad = await mamori(['harden', '--root', root, '--triage', '-f', 'sarif']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--triage writes table or jsonl, not sarif/);
  const stray = await mamori(['harden', '--root', root, '--analysts', 'builtin-rules']);
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /--analysts goes with --triage/);
});

test('errors: bad lines are reported by line and the rest still judged; unknown analysts and policies refused', async () => {
  const file = join(dir, 'mixed.jsonl');
  writeFileSync(file, `${JSON.stringify(finding({ CommandLine: 'x' }, 1))}\n{not json\n${JSON.stringify({ id: 3 })}\n`);
  const r = await mamori(['triage', '--findings', file, '-f', 'jsonl', '-q']);
  assert.equal(r.code, 2);
  assert.equal(records(r.stdout).length, 1);
  assert.match(r.stderr, /mixed\.jsonl:2: skipped/);
  assert.match(r.stderr, /mixed\.jsonl:3: skipped/);

  const u = await mamori(['triage', '--findings', file, '--analysts', 'builtin-nope']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown analyst "builtin-nope"/);
  const twice = await mamori(['triage', '--findings', file, '--analysts', 'builtin-rules,builtin-rules']);
  assert.match(twice.stderr, /named twice/);
  const p = await mamori(['triage', '--findings', file, '--policy', 'nope']);
  assert.match(p.stderr, /unknown policy "nope"; known: .*unanimous/);
  const key = await mamori(['triage', '--findings', file, '--analysts', 'builtin-rules,openai:gpt-4.1-mini']);
  assert.equal(key.code, 2);
  assert.match(key.stderr, /OPENAI_API_KEY is not set/);
  const none = await mamori(['triage', '--findings', join(dir, 'missing.jsonl')]);
  assert.match(none.stderr, /no such file/);
});

test('standard input, a configured policy, and --fail-on', async () => {
  writeFileSync(
    join(dir, 'policy.yaml'),
    'policies:\n  - name: strict-any\n    kind: any\n    version: "7"\ntriage:\n  policy: strict-any\n',
  );
  const input = jsonl([finding({ CommandLine: 'cmd /c net user a b /add' }, 1)]);
  const r = await mamori(['triage', '--findings', '-', '--config', join(dir, 'policy.yaml'), '-f', 'jsonl', '-q'], {
    input,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(records(r.stdout)[0]!.policy, { name: 'strict-any', version: '7' });
  const broken = await mamori(['triage', '--findings', '-', '--config', join(dir, 'nope.yaml')], { input });
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /nope\.yaml/);
  const typo = join(dir, 'typo.yaml');
  writeFileSync(typo, 'triage:\n  analyst: [builtin-rules]\n');
  const t = await mamori(['triage', '--findings', '-', '--config', typo], { input });
  assert.equal(t.code, 2);
  assert.match(t.stderr, /typo\.yaml: triage/);
  const fail = await mamori(['triage', '--findings', '-', '--fail-on', 'review', '-f', 'jsonl', '-q'], { input });
  const worst = records(fail.stdout)[0]!.outcome;
  assert.equal(fail.code, worst === 'suppress' ? 0 : 1);
});

test('hunt --triage and scan --triage: every detector finding gets one decision with both analysts', async () => {
  const demo = join(dir, 'demo');
  const g = await mamori(['demo', '--out', demo, '--generate-only']);
  assert.equal(g.code, 0, g.stderr);
  const h = await mamori(['hunt', demo, '--rules', join(ROOT, 'rules'), '--triage', '-f', 'jsonl', '--no-progress']);
  assert.equal(h.code, 0, h.stderr);
  const plain = await mamori(['hunt', demo, '--rules', join(ROOT, 'rules'), '-f', 'jsonl', '--no-progress']);
  const detections = plain.stdout.split('\n').filter(Boolean).length;
  const hunted = records(h.stdout);
  assert.ok(detections > 0);
  assert.equal(hunted.length, detections, 'one decision per detection');
  for (const o of hunted) {
    assert.equal(o.finding.kind, 'detection');
    assert.deepEqual(
      o.verdicts.map((v) => v.analyst),
      ['builtin-rules', 'builtin-rarity'],
    );
    assert.ok(['escalate', 'suppress', 'review'].includes(o.outcome));
  }
  // the README's first command: the demo hunts and then triages with the offline analysts
  const d = await mamori(['demo', '--out', demo, '--no-progress']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(
    d.stdout,
    new RegExp(`^${detections} findings: \\d+ escalate, \\d+ review, \\d+ suppress \\(policy unanimous@`, 'm'),
  );
  const fix = join(ROOT, 'test', 'fixtures', 'scan');
  const s = await mamori(['scan', join(fix, 'project'), '--db', join(fix, 'osv'), '--triage', '-f', 'jsonl']);
  assert.equal(s.code, 0, s.stderr);
  // every decision is a review when one analyst never votes: the run says so, and why
  assert.match(s.stderr, /note: builtin-rarity voted on none of the \d+ findings.*does not judge vulnerability/);
  const scanned = records(s.stdout);
  assert.ok(scanned.length > 0);
  for (const o of scanned) {
    assert.equal(o.finding.kind, 'vulnerability');
    // builtin-rarity does not judge vulnerabilities: it says so with a zero-confidence needs-human
    assert.equal(o.verdicts[1]!.label, 'needs-human');
    assert.equal(o.verdicts[1]!.confidence, 0);
  }
});

test('mamori eval with model analysts: cost, tokens and latency per finding come from the replies', async () => {
  server.reset();
  const cases = join(ROOT, 'test', 'fixtures', 'analysts', 'eval');
  const n = ['malicious.jsonl', 'benign.jsonl']
    .map((f) => readFileSync(join(cases, f), 'utf8').split('\n').filter(Boolean).length)
    .reduce((a, b) => a + b);
  // the fake model calls everything malicious, after 50 ms: every benign case is one of its false positives
  server.script(...Array.from({ length: n }, () => ({ kind: 'verdict', value: GOOD_VERDICT, delayMs: 50 }) as const));
  const r = await mamori(
    ['eval', '--cases', cases, '--analysts', 'builtin-rules,anthropic:claude-sonnet-4-5', '-f', 'json', '-q'],
    { env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: server.url } },
  );
  assert.equal(r.code, 0, r.stderr);
  type Row = {
    who: string;
    falsePositive: { k: number; n: number };
    costUsdPerFinding: number;
    costComplete: boolean;
    tokensPerFinding: number;
    latencyMsMean: number;
  };
  const report = JSON.parse(r.stdout) as { cases: number; benign: number; rows: Row[] };
  assert.equal(report.cases, n);
  assert.equal(server.requests.length, n, 'one call per case');
  const model = report.rows.find((x) => x.who === 'analyst:anthropic:claude-sonnet-4-5')!;
  const rules = report.rows.find((x) => x.who === 'analyst:builtin-rules')!;
  assert.ok(model.costUsdPerFinding > 0 && model.costComplete);
  assert.ok(model.tokensPerFinding > 0);
  assert.ok(model.latencyMsMean >= 45, `${model.latencyMsMean} ms`);
  assert.equal(rules.costUsdPerFinding, 0);
  assert.equal(model.falsePositive.k, report.benign, 'a model that always says malicious escalates every benign case');
  const unanimous = report.rows.find((x) => x.who.startsWith('policy:unanimous@'))!;
  assert.ok(unanimous.falsePositive.k < model.falsePositive.k, 'consensus with the rules analyst filters some');
});
