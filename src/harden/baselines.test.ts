import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HardenError, parseBaseline, selectProfile } from './baselines.ts';

const GOOD = `
- id: sshd-permit-root-login
  title: Disable SSH root login
  severity: medium
  engine: sshd
  key: PermitRootLogin
  expect: { equals: "no" }
  fix: "no"
  refs: [ssg:sshd_disable_root_login, cis:ubuntu2204:5.2.7]
  profiles: [cis-l1-server]
- id: sshd-max-auth-tries
  title: Limit authentication attempts
  severity: medium
  engine: sshd
  key: MaxAuthTries
  expect: { max: 4 }
  fix: 4
  profiles: [cis-l1-server, cis-l2-server]
`;

test('baselines: checks as data, validated; profiles select', () => {
  const checks = parseBaseline(GOOD, 'sshd.yaml');
  assert.equal(checks.length, 2);
  assert.equal(checks[1]!.fix, '4');
  assert.deepEqual(checks[1]!.refs, []);
  assert.deepEqual(
    selectProfile(checks, 'cis-l1-server').map((c) => c.id),
    ['sshd-permit-root-login', 'sshd-max-auth-tries'],
  );
  assert.deepEqual(
    selectProfile(checks, 'cis-l2-server').map((c) => c.id),
    ['sshd-max-auth-tries'],
  );
  assert.throws(
    () => selectProfile(checks, 'nope'),
    /no check is in profile nope; known profiles: cis-l1-server, cis-l2-server/,
  );
});

test('baselines: a bad check names the file, its index and the field', () => {
  const bad = (text: string, re: RegExp) =>
    assert.throws(
      () => parseBaseline(text, 'x.yaml'),
      (e: unknown) => e instanceof HardenError && re.test(e.message),
    );
  bad(
    '- id: a\n  title: t\n  severity: severe\n  engine: e\n  key: k\n  expect: {equals: "1"}\n  fix: "1"\n',
    /x\.yaml: check 1 \(a\): severity/,
  );
  bad(
    '- id: a\n  title: t\n  severity: low\n  engine: e\n  key: k\n  expect: {}\n  fix: "1"\n',
    /check 1 \(a\): expect/,
  );
  bad(
    '- id: a\n  title: t\n  severity: low\n  engine: e\n  key: k\n  expect: {equals: "1"}\n  fix: "1"\n  typo: 1\n',
    /check 1 \(a\)/,
  );
  bad('key: [unclosed', /x\.yaml/);
  bad('just: a map', /expected a list of checks/);
});
