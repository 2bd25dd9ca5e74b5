import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { loadBaselines } from './baselines.ts';
import { ENGINES } from './engines.ts';
import { DirectoryRoot, RecordingRoot } from './root.ts';
import { harden } from './run.ts';
import type { CheckResult, CheckSpec, HardenEngine, LineEdit } from './types.ts';
import { MemoryRoot } from './testkit.ts';

/**
 * A toy engine over etc/toy.conf (`key = value` lines). Its fix for `key` replaces the line, but a key named
 * `sloppy` is "fixed" by writing the wrong value, and `clobber` also breaks the `guard` line: what verification
 * must catch.
 */
const toy: HardenEngine = {
  id: 'toy',
  applies: async (root) => (await root.read('etc/toy.conf')) !== undefined,
  async assess(root, checks) {
    const lines = ((await root.read('etc/toy.conf')) ?? '').split('\n');
    return checks.map((check): CheckResult => {
      const i = lines.findIndex((l) => l.startsWith(`${check.key} =`));
      const current = i >= 0 ? lines[i]!.split('=')[1]!.trim() : undefined;
      const want = (check.expect as { equals: string }).equals;
      if (current === want)
        return {
          check,
          status: 'pass',
          expected: want,
          message: 'ok',
          ...(i >= 0 ? { file: 'etc/toy.conf', line: i + 1 } : {}),
        };
      const text = `${check.key} = ${check.key === 'sloppy' ? 'wrong' : check.fix}`;
      const edits: LineEdit[] =
        i >= 0 ? [{ kind: 'replace', line: i + 1, text }] : [{ kind: 'insert', before: lines.length, lines: [text] }];
      const g = lines.findIndex((l) => l.startsWith('guard ='));
      if (check.key === 'clobber' && g >= 0) edits.push({ kind: 'replace', line: g + 1, text: 'guard = off' });
      return {
        check,
        status: 'fail',
        expected: want,
        ...(current !== undefined ? { current } : {}),
        message: `${check.key} is ${current ?? 'unset'}`,
        fix: [{ path: 'etc/toy.conf', edits }],
      };
    });
  },
};
const engines = new Map([['toy', toy]]);
const spec = (key: string, value: string): CheckSpec => ({
  id: `toy-${key}`,
  title: key,
  severity: 'medium',
  engine: 'toy',
  key,
  expect: { equals: value },
  fix: value,
  refs: [],
  profiles: ['p'],
});

test('a fix that works is offered as a patch; one that does not, or breaks another check, is not', async () => {
  const root = new MemoryRoot({ 'etc/toy.conf': 'a = 1\nb = 2\nguard = on\nsloppy = 0\nclobber = 0\n' });
  const checks = [
    spec('a', '0'),
    spec('b', '2'),
    spec('guard', 'on'),
    spec('sloppy', '1'),
    spec('clobber', '1'),
    spec('c', '5'),
  ];
  const r = await harden(root, checks, engines);
  const by = new Map(r.checks.map((c) => [c.result.check.id, c]));
  assert.equal(by.get('toy-b')!.result.status, 'pass');
  assert.match(by.get('toy-a')!.patch!, /^-a = 1\n\+a = 0$/m);
  assert.equal(by.get('toy-a')!.changedLines, 1);
  assert.equal(by.get('toy-sloppy')!.patch, undefined);
  assert.match(by.get('toy-sloppy')!.verification!.reasons[0]!, /toy-sloppy still fail after the patch/);
  assert.equal(by.get('toy-clobber')!.patch, undefined);
  assert.match(by.get('toy-clobber')!.verification!.reasons.join('\n'), /the patch makes toy-guard fail/);
  assert.match(by.get('toy-c')!.patch!, /^\+c = 5$/m);
  // the combined patch holds the two verified fixes and verifies as a whole
  assert.equal(r.combined.fixes, 2);
  assert.ok(r.combined.verification.ok, r.combined.verification.reasons.join('; '));
  assert.match(r.combined.patch, /^\+a = 0$/m);
  assert.match(r.combined.patch, /^\+c = 5$/m);
  assert.equal(r.combined.patch.match(/^--- a\/etc\/toy\.conf$/gm)?.length, 1, 'one hunk set per file');
});

test('checks of an engine that does not apply are not-applicable; an unknown engine is an error', async () => {
  const r = await harden(new MemoryRoot({}), [spec('a', '0'), { ...spec('x', '1'), engine: 'nope' }], engines);
  assert.deepEqual(
    r.checks.map((c) => [c.result.check.id, c.result.status]),
    [
      ['toy-a', 'not-applicable'],
      ['toy-x', 'error'],
    ],
  );
});

test('a syntax checker that rejects the patched file keeps the patch back', async () => {
  const root = new MemoryRoot({ 'etc/toy.conf': 'a = 1\n' });
  const r = await harden(root, [spec('a', '0')], engines, {
    syntax: async (_e, _r, files) => ({
      tool: 'toycheck',
      ok: !files.get('etc/toy.conf')!.includes('a = 0'),
      output: 'line 1: bad\n',
    }),
  });
  assert.equal(r.checks[0]!.patch, undefined);
  assert.match(r.checks[0]!.verification!.reasons[0]!, /toycheck rejects the patched configuration: line 1: bad/);
});

/**
 * A per-place toy engine over etc/srv.conf (`server <name> tls = <version>` lines): one result per server.
 * `greedy` makes the fix of server a also delete the line after it, which verification must refuse.
 */
function perServer(greedy = false): HardenEngine {
  return {
    id: 'srv',
    applies: async () => true,
    async assess(root, checks) {
      const lines = ((await root.read('etc/srv.conf')) ?? '').split('\n');
      const out: CheckResult[] = [];
      for (const check of checks)
        lines.forEach((l, i) => {
          const m = /^server (\w+) tls = (\S+)$/.exec(l);
          if (!m) return;
          const ok = m[2] === check.fix;
          const edits: LineEdit[] = [{ kind: 'replace', line: i + 1, text: `server ${m[1]} tls = ${check.fix}` }];
          if (greedy && m[1] === 'a') edits.push({ kind: 'delete', line: i + 2 });
          out.push({
            check,
            instance: `server ${m[1]}`,
            status: ok ? 'pass' : 'fail',
            expected: check.fix,
            current: m[2]!,
            message: `${m[1]}: ${m[2]}`,
            file: 'etc/srv.conf',
            line: i + 1,
            ...(ok ? {} : { fix: [{ path: 'etc/srv.conf', edits }] }),
          });
        });
      return out;
    },
  };
}
const SERVERS = 'server a tls = 1.0\nserver b tls = 1.3\nserver c tls = 1.1\n';

test('a check judged per place: each instance is its own result, verified on its own', async () => {
  const r = await harden(
    new MemoryRoot({ 'etc/srv.conf': SERVERS }),
    [{ ...spec('tls', '1.3'), engine: 'srv' }],
    new Map([['srv', perServer()]]),
  );
  assert.deepEqual(
    r.checks.map((c) => [c.result.instance, c.result.status, c.verification?.ok ?? null]),
    [
      ['server a', 'fail', true],
      ['server b', 'pass', null],
      ['server c', 'fail', true],
    ],
  );
  assert.equal(r.combined.fixes, 2);
  assert.ok(r.combined.verification.ok);
});

test('a patch that makes a passing result vanish is refused', async () => {
  // fixing server a by deleting server b's line: b (which passed) is no longer judged
  const r = await harden(
    new MemoryRoot({ 'etc/srv.conf': SERVERS }),
    [{ ...spec('tls', '1.3'), engine: 'srv' }],
    new Map([['srv', perServer(true)]]),
  );
  const a = r.checks.find((c) => c.result.instance === 'server a')!;
  assert.equal(a.patch, undefined);
  assert.match(a.verification!.reasons.join('\n'), /tls \(server b\) is no longer judged after the patch/);
  assert.ok(r.checks.find((c) => c.result.instance === 'server c')!.patch);
});

test('a patch is re-assessed by every engine that read what it touches, and only by those', async () => {
  // `peek` reads the toy file's guard line too: toy's clobber fix must still be caught breaking it
  let peekRuns = 0;
  let otherRuns = 0;
  const peek: HardenEngine = {
    id: 'peek',
    applies: async () => true,
    async assess(root, cs) {
      peekRuns++;
      const on = ((await root.read('etc/toy.conf')) ?? '').includes('guard = on');
      return cs.map((check) => ({ check, status: on ? 'pass' : 'fail', expected: 'on', message: 'guard' }));
    },
  };
  const other: HardenEngine = {
    id: 'other',
    applies: async () => true,
    async assess(root, cs) {
      otherRuns++;
      await root.list('etc/other.d');
      await root.read('etc/other.conf');
      return cs.map((check) => ({ check, status: 'pass', expected: 'x', message: 'ok' }));
    },
  };
  const root = new MemoryRoot({ 'etc/toy.conf': 'a = 1\nguard = on\nclobber = 0\n', 'etc/other.conf': 'x\n' });
  const checks = [
    spec('a', '0'),
    spec('clobber', '1'),
    { ...spec('peek', 'on'), id: 'peek-guard', engine: 'peek' },
    { ...spec('other', 'x'), id: 'other-x', engine: 'other' },
  ];
  const r = await harden(root, checks, new Map([...engines, ['peek', peek], ['other', other]]));
  const by = new Map(r.checks.map((c) => [c.result.check.id, c]));
  assert.ok(by.get('toy-a')!.patch);
  assert.match(by.get('toy-clobber')!.verification!.reasons.join('\n'), /the patch makes peek-guard fail/);
  // peek: the assessment, each of the two patches, the combined patch's judgement; other: only the assessment
  // and the combined patch (combine re-assesses everything once)
  assert.equal(peekRuns, 1 + 2 + 1 + 1);
  assert.equal(otherRuns, 1 + 1 + 1);

  const rec = new RecordingRoot(root);
  await rec.read('etc/other.conf');
  await rec.list('etc/other.d');
  assert.ok(rec.reaches(['etc/other.conf']));
  assert.ok(rec.reaches(['etc/other.d/new.conf']), 'a file created in a listed directory');
  assert.ok(rec.reaches(['etc/other.d/sub/new.conf']), 'a new subdirectory changes the listing');
  assert.ok(!rec.reaches(['etc/toy.conf', 'etc/other.conf.d/x']));
});

test('on every fixture root, re-assessing only the reached engines verifies exactly as re-assessing all', async () => {
  const checks = await loadBaselines();
  const base = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'harden');
  for (const kind of readdirSync(base)) {
    for (const name of readdirSync(join(base, kind))) {
      const root = new DirectoryRoot(join(base, kind, name));
      const quick = await harden(root, checks, ENGINES);
      const full = await harden(root, checks, ENGINES, { fullReassess: true });
      assert.deepEqual(quick, full, `${kind}/${name}`);
    }
  }
});
