import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandGlob, includePath, loadSshdConfig, MAX_INCLUDE_DEPTH } from './load.ts';
import { parseLine, parseSshdConfig, type SshdLine } from './parse.ts';
import { dirRoot, FIXTURES, memRoot } from './testkit.ts';

function directive(l: SshdLine) {
  assert.equal(l.kind, 'directive', `${l.raw} should be a directive`);
  return l as Extract<SshdLine, { kind: 'directive' }>;
}

describe('parseLine', () => {
  const cases: ReadonlyArray<[string, string, string, string[], string]> = [
    // raw, keyword, key, args, value text (valueStart..valueEnd)
    ['PermitRootLogin no', 'PermitRootLogin', 'permitrootlogin', ['no'], 'no'],
    ['permitrootlogin\tyes\t\t# the backup job', 'permitrootlogin', 'permitrootlogin', ['yes'], 'yes'],
    ['PasswordAuthentication=yes', 'PasswordAuthentication', 'passwordauthentication', ['yes'], 'yes'],
    ['  maxauthtries = 10', 'maxauthtries', 'maxauthtries', ['10'], '10'],
    ['MaxAuthTries =3', 'MaxAuthTries', 'maxauthtries', ['3'], '3'],
    ['Banner "/etc/issue net"', 'Banner', 'banner', ['/etc/issue net'], '"/etc/issue net"'],
    ['AcceptEnv LANG LC_*   ', 'AcceptEnv', 'acceptenv', ['LANG', 'LC_*'], 'LANG LC_*'],
    [
      'Subsystem\tsftp\t/usr/lib/openssh/sftp-server',
      'Subsystem',
      'subsystem',
      ['sftp', '/usr/lib/openssh/sftp-server'],
      'sftp\t/usr/lib/openssh/sftp-server',
    ],
    [
      'ChallengeResponseAuthentication no',
      'ChallengeResponseAuthentication',
      'kbdinteractiveauthentication',
      ['no'],
      'no',
    ],
    ['ForceCommand echo a\\ b', 'ForceCommand', 'forcecommand', ['echo', 'a b'], 'echo a\\ b'],
    [
      'Ciphers aes256-ctr#not-a-comment',
      'Ciphers',
      'ciphers',
      ['aes256-ctr#not-a-comment'],
      'aes256-ctr#not-a-comment',
    ],
    ['LogLevel VERBOSE\r', 'LogLevel', 'loglevel', ['VERBOSE'], 'VERBOSE'],
  ];
  for (const [raw, keyword, key, args, value] of cases) {
    it(JSON.stringify(raw), () => {
      const d = directive(parseLine(raw, 1));
      assert.equal(d.keyword, keyword);
      assert.equal(d.key, key);
      assert.deepEqual(d.args, args);
      assert.equal(raw.slice(d.valueStart, d.valueEnd), value);
    });
  }
  it('comments, blanks and bad lines', () => {
    assert.equal(parseLine('   ', 1).kind, 'blank');
    assert.equal(parseLine('  #PermitRootLogin yes', 1).kind, 'comment');
    assert.equal(parseLine('PermitRootLogin', 1).kind, 'invalid');
    assert.equal(parseLine('PermitRootLogin # nothing', 1).kind, 'invalid');
    assert.equal(parseLine('Banner "/etc/issue', 1).kind, 'invalid');
  });
  it('numbers lines from 1 and does not invent a line after the final newline', () => {
    const lines = parseSshdConfig('# a\n\nPort 22\n');
    assert.deepEqual(
      lines.map((l) => [l.line, l.kind]),
      [
        [1, 'comment'],
        [2, 'blank'],
        [3, 'directive'],
      ],
    );
  });
});

describe('Include', () => {
  it('resolves paths as sshd does, never leaving the root', () => {
    assert.equal(includePath('/etc/ssh/sshd_config.d/*.conf'), 'etc/ssh/sshd_config.d/*.conf');
    assert.equal(includePath('sshd_config.d/a.conf'), 'etc/ssh/sshd_config.d/a.conf');
    assert.equal(includePath('../../../../etc/shadow'), 'etc/shadow');
  });
  it('globs lexically, skips dot files and non-matching names', async () => {
    const root = memRoot({
      'etc/ssh/d/10-b.conf': '',
      'etc/ssh/d/9-a.conf': '',
      'etc/ssh/d/.hidden.conf': '',
      'etc/ssh/d/README': '',
      'etc/ssh/d/a1.conf': '',
      'etc/ssh/e/x/1.conf': '',
    });
    assert.deepEqual(await expandGlob(root, 'etc/ssh/d/*.conf'), [
      'etc/ssh/d/10-b.conf',
      'etc/ssh/d/9-a.conf',
      'etc/ssh/d/a1.conf',
    ]);
    assert.deepEqual(await expandGlob(root, 'etc/ssh/d/a?.conf'), ['etc/ssh/d/a1.conf']);
    assert.deepEqual(await expandGlob(root, 'etc/ssh/d/[19]*.conf'), ['etc/ssh/d/10-b.conf', 'etc/ssh/d/9-a.conf']);
    assert.deepEqual(await expandGlob(root, 'etc/ssh/*/x/*.conf'), ['etc/ssh/e/x/1.conf']);
  });
  it('expands in place, scopes a Match to its file, and tolerates a missing file', async () => {
    const config = await loadSshdConfig(dirRoot(`${FIXTURES}match-blocks`));
    assert.ok(config);
    const order = config.directives.map((d) => `${d.file.replace('etc/ssh/', '')}:${d.line}:${d.context.kind}`);
    assert.deepEqual(order.slice(0, 4), [
      'sshd_config:2:global',
      'sshd_config.d/20-ops.conf:4:match',
      'sshd_config.d/20-ops.conf:5:match',
      'sshd_config:4:global',
    ]);
    assert.equal(order.at(-1), 'sshd_config:31:all');
    const crypto = await loadSshdConfig(dirRoot(`${FIXTURES}crypto-dropins`));
    assert.deepEqual(crypto?.notes, []);
    assert.ok(crypto?.files.has('etc/ssh/sshd_config.d/nested/timeouts.conf'));
  });
  it('an Include under a Match carries the Match into the included file', async () => {
    const root = memRoot({
      'etc/ssh/sshd_config': 'Match User bob\n  Include inc.conf\nMatch all\n  Include inc.conf\n',
      'etc/ssh/inc.conf': 'X11Forwarding yes\n',
    });
    const config = await loadSshdConfig(root);
    assert.deepEqual(
      config?.directives.filter((d) => d.key === 'x11forwarding').map((d) => d.context.kind),
      ['match', 'all'],
    );
  });
  it(`stops a recursive Include at depth ${MAX_INCLUDE_DEPTH}`, async () => {
    const config = await loadSshdConfig(memRoot({ 'etc/ssh/sshd_config': 'Include sshd_config\nPort 22\n' }));
    assert.ok(config);
    assert.equal(config.directives.filter((d) => d.key === 'port').length, MAX_INCLUDE_DEPTH + 1);
    assert.match(config.notes[0] ?? '', /deeper than 16/);
  });
  it('is undefined without a main file', async () => {
    assert.equal(await loadSshdConfig(memRoot({})), undefined);
  });
});
