import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveValue } from './effective.ts';
import { keywordInfo } from './keywords.ts';
import { loadSshdConfig } from './load.ts';
import { dirRoot, FIXTURES, memRoot, type Variant } from './testkit.ts';
import { normalise, parseTime, resolveAlgorithms } from './values.ts';

describe('values as sshd -T prints them', () => {
  const cases: ReadonlyArray<[string, string, string]> = [
    ['PasswordAuthentication', 'YES', 'yes'],
    ['PermitRootLogin', 'Prohibit-Password', 'without-password'],
    ['AllowTcpForwarding', 'all', 'yes'],
    ['LoginGraceTime', '1m', '60'],
    ['LoginGraceTime', '1h30m', '5400'],
    ['ClientAliveInterval', '300', '300'],
    ['LogLevel', 'verbose', 'VERBOSE'],
    ['LogLevel', 'debug1', 'DEBUG'],
    ['MaxStartups', '5', '5:30:5'],
    ['MaxStartups', '10:30:60', '10:30:60'],
    ['MaxAuthTries', '007', '7'],
    ['Compression', 'delayed', 'yes'],
    ['SyslogFacility', 'authpriv', 'AUTHPRIV'],
  ];
  for (const [key, input, out] of cases) {
    it(`${key} ${input} → ${out}`, () => assert.deepEqual(normalise(keywordInfo(key), [input]), { value: out }));
  }
  it('refuses what sshd refuses', () => {
    assert.ok('error' in normalise(keywordInfo('PermitRootLogin'), ['no#x']));
    assert.ok('error' in normalise(keywordInfo('MaxAuthTries'), ['-1']));
    assert.ok('error' in normalise(keywordInfo('LoginGraceTime'), ['2 minutes']));
    assert.equal(parseTime('1x'), undefined);
  });
  it('resolves + - ^ algorithm lists and drops duplicates', () => {
    const def = 'a,b,c-1,c-2';
    assert.deepEqual(resolveAlgorithms('+x,a', def), ['a', 'b', 'c-1', 'c-2', 'x']);
    assert.deepEqual(resolveAlgorithms('-c-*,b', def), ['a']);
    assert.deepEqual(resolveAlgorithms('^c-2', def), ['c-2', 'a', 'b', 'c-1']);
    assert.deepEqual(resolveAlgorithms('x,y,x', def), ['x', 'y']);
  });
});

/** The effective value of some keys per fixture, as `sshd -T` prints them (the sshd test compares for real). */
const EXPECTED: Readonly<Record<Variant, Readonly<Record<string, string>>>> = {
  debian12: {
    permitrootlogin: 'without-password',
    x11forwarding: 'yes',
    usepam: 'yes',
    kbdinteractiveauthentication: 'no',
    printmotd: 'no',
    acceptenv: 'LANG LC_*',
    logingracetime: '120',
  },
  'debian12-cloud-init': {
    passwordauthentication: 'yes',
    permitrootlogin: 'no',
    maxauthtries: '3',
    clientaliveinterval: '300',
    logingracetime: '30',
  },
  'hand-edited': {
    port: '22 2222',
    permitrootlogin: 'yes',
    passwordauthentication: 'yes',
    maxauthtries: '10',
    logingracetime: '120',
    loglevel: 'DEBUG',
    ciphers: 'aes128-cbc,aes256-ctr,3des-cbc,aes128-gcm@openssh.com',
    banner: '/etc/issue.net',
    kbdinteractiveauthentication: 'no',
    x11forwarding: 'yes',
  },
  'match-blocks': {
    passwordauthentication: 'no',
    permitrootlogin: 'without-password',
    maxauthtries: '8',
    clientaliveinterval: '0',
    loglevel: 'INFO',
    allowagentforwarding: 'yes',
    logingracetime: '60',
  },
  'crypto-dropins': {
    permitrootlogin: 'no',
    logingracetime: '60',
    clientaliveinterval: '300',
    macs: 'umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1',
  },
};

describe('effective values of the fixtures', () => {
  for (const [variant, keys] of Object.entries(EXPECTED)) {
    it(variant, async () => {
      const config = await loadSshdConfig(dirRoot(FIXTURES + variant));
      assert.ok(config);
      for (const [key, value] of Object.entries(keys)) assert.equal(effectiveValue(config, key).value, value, key);
    });
  }
  it('a drop-in read at the top beats the main file, and the main file line is reported as ignored', async () => {
    const config = await loadSshdConfig(dirRoot(`${FIXTURES}debian12-cloud-init`));
    const eff = effectiveValue(config!, 'PasswordAuthentication');
    assert.equal(eff.source?.file, 'etc/ssh/sshd_config.d/50-cloud-init.conf');
    assert.deepEqual(
      eff.ignored.map((d) => `${d.file}:${d.line}`),
      ['etc/ssh/sshd_config:58'],
    );
  });
  it('Match all overrides the global value of keywords allowed after Match, not of the others', async () => {
    const text = 'MaxAuthTries 3\nCiphers aes256-ctr\nMatch all\nMaxAuthTries 2\nCiphers aes128-ctr\n';
    const config = await loadSshdConfig(memRoot({ 'etc/ssh/sshd_config': text }));
    assert.equal(effectiveValue(config!, 'maxauthtries').value, '2');
    assert.equal(effectiveValue(config!, 'ciphers').value, 'aes256-ctr');
  });
  it('conditional Match blocks are overrides, never the global value', async () => {
    const config = await loadSshdConfig(dirRoot(`${FIXTURES}match-blocks`));
    const eff = effectiveValue(config!, 'ClientAliveInterval');
    assert.equal(eff.source, undefined);
    assert.deepEqual(
      eff.overrides.map((d) => d.line),
      [20],
    );
  });
});
