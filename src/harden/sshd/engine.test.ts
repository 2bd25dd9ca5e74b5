import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckResult, CheckSpec, ConfigRoot, FileEdit } from '../types.ts';
import { patchedRoot } from '../edit.ts';
import { SshdEngine } from './engine.ts';
import { CHECKS, dirRoot, FIXTURES, memRoot, VARIANTS, type Variant } from './testkit.ts';

const engine = new SshdEngine();

/** Per variant: check id (without `sshd-`) → status and where the effective value comes from. */
const FINDINGS: Readonly<Record<Variant, Readonly<Record<string, string>>>> = {
  debian12: {
    'permit-root-login': 'fail default',
    'password-auth': 'fail default',
    'max-auth-tries': 'fail default',
    'x11-forwarding': 'fail sshd_config:90',
    'permit-empty-passwords': 'pass default',
    'client-alive-interval': 'fail default',
    'login-grace-time': 'fail default',
    ciphers: 'pass default',
    'log-level': 'pass default',
  },
  'debian12-cloud-init': {
    'permit-root-login': 'pass sshd_config:34',
    'password-auth': 'fail sshd_config.d/50-cloud-init.conf:1',
    'max-auth-tries': 'pass sshd_config.d/60-admin.conf:2',
    'x11-forwarding': 'pass sshd_config:91',
    'permit-empty-passwords': 'pass default',
    'client-alive-interval': 'pass sshd_config.d/60-admin.conf:3',
    'login-grace-time': 'pass sshd_config.d/60-admin.conf:5',
    ciphers: 'pass default',
    'log-level': 'pass default',
  },
  'hand-edited': {
    'permit-root-login': 'fail sshd_config:6',
    'password-auth': 'fail sshd_config:8',
    'max-auth-tries': 'fail sshd_config:10',
    'x11-forwarding': 'fail sshd_config:18',
    'permit-empty-passwords': 'pass sshd_config:9',
    'client-alive-interval': 'fail sshd_config:12',
    'login-grace-time': 'fail sshd_config:11',
    ciphers: 'fail sshd_config:15',
    'log-level': 'fail sshd_config:17',
  },
  // the global lines pass but Match blocks set PasswordAuthentication yes, X11Forwarding yes and LogLevel DEBUG3
  'match-blocks': {
    'permit-root-login': 'fail sshd_config:4',
    'password-auth': 'fail sshd_config:5',
    'max-auth-tries': 'fail sshd_config:31',
    'x11-forwarding': 'fail sshd_config:7',
    'permit-empty-passwords': 'pass default',
    'client-alive-interval': 'fail default',
    'login-grace-time': 'pass sshd_config:8',
    ciphers: 'pass default',
    'log-level': 'fail default',
  },
  'crypto-dropins': {
    'permit-root-login': 'pass sshd_config.d/20-nested.conf:2',
    'password-auth': 'fail default',
    'max-auth-tries': 'fail default',
    'x11-forwarding': 'fail sshd_config:90',
    'permit-empty-passwords': 'pass default',
    'client-alive-interval': 'pass sshd_config.d/nested/timeouts.conf:2',
    'login-grace-time': 'pass sshd_config.d/nested/timeouts.conf:1',
    ciphers: 'fail sshd_config.d/10-legacy-crypto.conf:2',
    'log-level': 'pass default',
  },
};

function summary(r: CheckResult): string {
  return `${r.status} ${r.file ? `${r.file.replace('etc/ssh/', '')}:${r.line}` : 'default'}`;
}

/** Lines a fix changes: a replaced line counts one, an inserted line one. */
function changedLines(fix: readonly FileEdit[]): number {
  return fix.flatMap((f) => f.edits).reduce((n, e) => n + (e.kind === 'insert' ? e.lines.length : 1), 0);
}

function merge(fixes: readonly (readonly FileEdit[])[]): FileEdit[] {
  const byPath = new Map<string, FileEdit>();
  for (const f of fixes.flat()) {
    const prev = byPath.get(f.path);
    byPath.set(f.path, { path: f.path, edits: [...(prev?.edits ?? []), ...f.edits] });
  }
  return [...byPath.values()];
}

async function statuses(root: ConfigRoot): Promise<Map<string, string>> {
  return new Map((await engine.assess(root, CHECKS)).map((r) => [r.check.id, r.status]));
}

describe('sshd engine on the fixtures', () => {
  for (const variant of VARIANTS) {
    describe(variant, () => {
      const root = dirRoot(FIXTURES + variant);
      it('finds what sshd applies', async () => {
        const results = await engine.assess(root, CHECKS);
        const got = Object.fromEntries(results.map((r) => [r.check.id.replace(/^sshd-/, ''), summary(r)]));
        assert.deepEqual(got, FINDINGS[variant]);
        for (const r of results) {
          assert.ok(r.message.length > 0);
          if (r.status === 'fail') assert.ok(r.fix, `${r.check.id} has a fix: ${r.unfixable ?? ''}`);
        }
      });
      it('each fix is one FileEdit of at most 2 lines, passes, and breaks nothing else', async () => {
        const before = await statuses(root);
        for (const r of await engine.assess(root, CHECKS)) {
          if (!r.fix) continue;
          assert.equal(r.fix.length, 1, r.check.id);
          assert.ok(changedLines(r.fix) <= 2, r.check.id);
          const after = await statuses(patchedRoot(root, r.fix));
          assert.equal(after.get(r.check.id), 'pass', `${r.check.id} passes after its fix`);
          for (const [id, status] of before) {
            if (status === 'pass') assert.equal(after.get(id), 'pass', `${id} still passes after ${r.check.id}'s fix`);
          }
        }
      });
      it('all fixes together make every check pass', async () => {
        const fixes = (await engine.assess(root, CHECKS)).flatMap((r) => (r.fix ? [r.fix] : []));
        const after = await statuses(patchedRoot(root, merge(fixes)));
        assert.deepEqual(
          [...after.values()].filter((s) => s !== 'pass'),
          [],
        );
      });
    });
  }
});

describe('fix shape', () => {
  async function fixOf(variant: Variant, id: string): Promise<FileEdit | undefined> {
    const r = (await engine.assess(dirRoot(FIXTURES + variant), CHECKS)).find((x) => x.check.id === `sshd-${id}`);
    return r?.fix?.[0];
  }
  it('keeps spelling, indentation and trailing comment; a `=` separator becomes a blank', async () => {
    const texts = await Promise.all(
      ['permit-root-login', 'password-auth', 'max-auth-tries', 'client-alive-interval', 'ciphers'].map(async (id) => {
        const e = (await fixOf('hand-edited', id))?.edits[0];
        return e?.kind === 'replace' ? e.text : undefined;
      }),
    );
    assert.deepEqual(texts, [
      'permitrootlogin no\t\t# the backup job logs in as root',
      'PasswordAuthentication no',
      '  maxauthtries 4',
      'ClientAliveInterval\t300\t# ten minutes',
      'ciphers aes256-ctr,aes128-gcm@openssh.com',
    ]);
  });
  it('edits the drop-in that wins, not the main file', async () => {
    assert.deepEqual(await fixOf('debian12-cloud-init', 'password-auth'), {
      path: 'etc/ssh/sshd_config.d/50-cloud-init.conf',
      edits: [{ kind: 'replace', line: 1, text: 'PasswordAuthentication no' }],
    });
  });
  it('inserts after the commented default of the stock file', async () => {
    assert.deepEqual(await fixOf('debian12', 'permit-root-login'), {
      path: 'etc/ssh/sshd_config',
      edits: [{ kind: 'insert', before: 34, lines: ['PermitRootLogin no'] }],
    });
  });
  it('set only in a Match block: adds a global line (and the count it needs) before the Match', async () => {
    // the Match User backup line (ClientAliveInterval 120) passes and is left alone
    assert.deepEqual(await fixOf('match-blocks', 'client-alive-interval'), {
      path: 'etc/ssh/sshd_config',
      edits: [{ kind: 'insert', before: 12, lines: ['ClientAliveInterval 300', 'ClientAliveCountMax 3'] }],
    });
  });
  it('pins ClientAliveCountMax after its own commented default, and only when no line sets it', async () => {
    assert.deepEqual(await fixOf('debian12', 'client-alive-interval'), {
      path: 'etc/ssh/sshd_config',
      edits: [
        { kind: 'insert', before: 100, lines: ['ClientAliveInterval 300'] },
        { kind: 'insert', before: 101, lines: ['ClientAliveCountMax 3'] },
      ],
    });
    const e = (await fixOf('hand-edited', 'client-alive-interval'))?.edits;
    assert.equal(e?.length, 1, 'hand-edited sets ClientAliveCountMax 0: that is its own check, not pinned over');
  });
  it('edits a failing Match-block line in place, beside the global one', async () => {
    const r = (await engine.assess(dirRoot(`${FIXTURES}match-blocks`), CHECKS)).find(
      (x) => x.check.id === 'sshd-permit-root-login',
    );
    assert.deepEqual(r?.fix, [
      {
        path: 'etc/ssh/sshd_config',
        edits: [
          { kind: 'replace', line: 4, text: 'PermitRootLogin no' },
          { kind: 'replace', line: 16, text: '\tPermitRootLogin no' },
        ],
      },
    ]);
    assert.match(
      r?.message ?? '',
      /Match Address 10\.0\.0\.0\/8,192\.168\.0\.0\/16 .* sets yes .*would fail this check/,
    );
  });
  it('edits the Match all line that overrides the global value', async () => {
    assert.deepEqual(await fixOf('match-blocks', 'max-auth-tries'), {
      path: 'etc/ssh/sshd_config',
      edits: [{ kind: 'replace', line: 31, text: '\tMaxAuthTries 4' }],
    });
  });
  it('removes excluded entries and keeps the + form when the default is clean', async () => {
    const root = memRoot({ 'etc/ssh/sshd_config': 'Ciphers +aes256-cbc,aes128-gcm@openssh.com,3des-cbc\n' });
    const r = (await engine.assess(root, CHECKS)).find((x) => x.check.key === 'Ciphers');
    assert.deepEqual(r?.fix?.[0]?.edits, [{ kind: 'replace', line: 1, text: 'Ciphers +aes128-gcm@openssh.com' }]);
    const minus = memRoot({ 'etc/ssh/sshd_config': 'Ciphers -chacha20*\n' });
    const m = (await engine.assess(minus, [cipherCheck(['aes128-ctr'])]))[0];
    assert.deepEqual(m?.fix?.[0]?.edits, [{ kind: 'replace', line: 1, text: 'Ciphers -chacha20*,aes128-ctr' }]);
  });
});

function cipherCheck(excludes: string[]): CheckSpec {
  return { ...CHECKS.find((c) => c.key === 'Ciphers')!, expect: { excludes } };
}

describe('sshd engine edge cases', () => {
  const base = CHECKS[0]!;
  it('is not applicable without sshd_config and ignores other engines', async () => {
    const root = memRoot({});
    assert.equal(await engine.applies(root), false);
    const results = await engine.assess(root, [base, { ...base, id: 'sysctl-x', engine: 'sysctl' }]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['not-applicable'],
    );
  });
  it('fails closed on a value sshd refuses', async () => {
    const root = memRoot({ 'etc/ssh/sshd_config': 'PermitRootLogin nope\n' });
    const [r] = await engine.assess(root, [base]);
    assert.equal(r?.status, 'error');
    assert.equal(r?.line, 1);
  });
  it('says so when the baseline fix value does not meet the expectation', async () => {
    const root = memRoot({ 'etc/ssh/sshd_config': 'MaxAuthTries 9\n' });
    const [r] = await engine.assess(root, [{ ...CHECKS[2]!, fix: '10' }]);
    assert.equal(r?.status, 'fail');
    assert.equal(r?.fix, undefined);
    assert.match(r?.unfixable ?? '', /does not meet its own expectation/);
  });
  it('present: the default does not count', async () => {
    const check: CheckSpec = {
      ...base,
      id: 'sshd-banner',
      key: 'Banner',
      expect: { present: true },
      fix: '/etc/issue.net',
    };
    const [r] = await engine.assess(memRoot({ 'etc/ssh/sshd_config': 'Port 22\n' }), [check]);
    assert.equal(r?.status, 'fail');
    assert.deepEqual(r?.fix, [
      { path: 'etc/ssh/sshd_config', edits: [{ kind: 'insert', before: 2, lines: ['Banner /etc/issue.net'] }] },
    ]);
  });
  it('fails a passing global value that a Match block weakens, and names the Match', async () => {
    const [r] = await engine.assess(dirRoot(`${FIXTURES}match-blocks`), [CHECKS[1]!]);
    assert.equal(r?.status, 'fail');
    assert.match(r?.message ?? '', /^PasswordAuthentication is no .*but a Match block sets a failing value/);
    assert.match(
      r?.message ?? '',
      /Match Address 10\.0\.0\.0\/8,192\.168\.0\.0\/16 .* sets yes .*would fail this check/,
    );
    assert.deepEqual(r?.fix, [
      { path: 'etc/ssh/sshd_config', edits: [{ kind: 'replace', line: 15, text: '\tPasswordAuthentication no' }] },
    ]);
  });
  it('a stricter Match block is reported, not failed', async () => {
    const root = memRoot({ 'etc/ssh/sshd_config': 'X11Forwarding no\nMatch User ops\n  X11Forwarding no\n' });
    const check = CHECKS.find((c) => c.key === 'X11Forwarding')!;
    const [r] = await engine.assess(root, [check]);
    assert.equal(r?.status, 'pass');
    assert.match(r?.message ?? '', /Match User ops .* sets no for matching connections/);
  });
  it('knows the alias ChallengeResponseAuthentication', async () => {
    const root = memRoot({
      'etc/ssh/sshd_config': 'ChallengeResponseAuthentication yes\nKbdInteractiveAuthentication no\n',
    });
    const check: CheckSpec = { ...base, key: 'KbdInteractiveAuthentication', expect: { equals: 'no' }, fix: 'no' };
    const [r] = await engine.assess(root, [check]);
    assert.equal(r?.status, 'fail');
    assert.equal(r?.line, 1);
  });
});

describe('sshd: dead duplicates', () => {
  it('a fix also corrects later lines sshd ignores (first value wins) and failing Match lines', async () => {
    const root = memRoot({
      'etc/ssh/sshd_config':
        'PermitRootLogin yes\nPermitRootLogin without-password\nPermitRootLogin no\nMatch User backup\n  PermitRootLogin yes\n',
    });
    const check = CHECKS.find((c) => c.key === 'PermitRootLogin')!;
    const [r] = await new SshdEngine().assess(root, [check]);
    assert.equal(r!.status, 'fail');
    assert.deepEqual(r!.fix, [
      {
        path: 'etc/ssh/sshd_config',
        edits: [
          { kind: 'replace', line: 1, text: 'PermitRootLogin no' },
          { kind: 'replace', line: 2, text: 'PermitRootLogin no' },
          { kind: 'replace', line: 5, text: '  PermitRootLogin no' },
        ],
      },
    ]);
  });
});
