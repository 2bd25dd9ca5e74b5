// The OpenSCAP helper on two tiny roots: one built from our baselines' fix values (every SSG rule they cite must
// pass), one with wrong values (a handful of rules must fail); plus the platform facts that make SSG's verdicts
// flip without any config change, and the time of a whole CIS Level 1 Server evaluation.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import type { CheckSpec } from '../../src/harden/types.ts';
import { oscapEval, oscapMissing, oscapRun, parseXccdfResults, ssgProductFor, ubuntuRootFacts } from './oscap.ts';

const BASELINES = join(import.meta.dirname, '..', '..', 'src', 'harden', 'baselines');
const skip = oscapMissing() ?? false;

/** The checks of the engines this test writes compliant files for (compliantFiles). */
const ENGINES_HERE = new Set(['sshd', 'sysctl', 'login.defs']);

function baselines(): CheckSpec[] {
  return readdirSync(BASELINES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parse(readFileSync(join(BASELINES, f), 'utf8')) as CheckSpec[])
    .filter((c) => ENGINES_HERE.has(c.engine));
}

function ssgRule(c: CheckSpec): string | undefined {
  return c.refs.find((r) => r.startsWith('ssg:'))?.slice(4);
}

/** The lines our fix would write, per engine. */
function compliantFiles(checks: readonly CheckSpec[]): Record<string, string> {
  const lines = (engine: string, sep: string) =>
    checks
      .filter((c) => c.engine === engine)
      .map((c) => `${c.key}${sep}${c.fix}\n`)
      .join('');
  return {
    'etc/ssh/sshd_config': lines('sshd', ' '),
    'etc/sysctl.d/60-mamori.conf': lines('sysctl', ' = '),
    'etc/login.defs': lines('login.defs', '\t'),
  };
}

const WRONG: Record<string, string> = {
  'etc/ssh/sshd_config': 'PermitRootLogin yes\nMaxAuthTries 6\nClientAliveInterval 0\nClientAliveCountMax 3\n',
  'etc/sysctl.d/60-mamori.conf': 'net.ipv4.ip_forward = 1\nkernel.randomize_va_space = 0\n',
  'etc/login.defs': 'PASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\nPASS_WARN_AGE\t7\nUMASK\t022\n',
};
const FLIPS = [
  'sshd_disable_root_login',
  'sshd_set_max_auth_tries',
  'sshd_set_idle_timeout',
  'sysctl_net_ipv4_ip_forward',
  'sysctl_kernel_randomize_va_space',
  'accounts_maximum_age_login_defs',
  'accounts_minimum_age_login_defs',
  'accounts_umask_etc_login_defs',
];

let tmp = '';
async function makeRoot(name: string, files: Record<string, string>): Promise<string> {
  const root = join(tmp, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mamori-oscap-test-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('parseXccdfResults: the TestResult rule results, without notselected', () => {
  const xml = `<?xml version="1.0"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2">
  <Rule id="xccdf_org.ssgproject.content_rule_a"><title>not a result</title></Rule>
  <TestResult id="t">
    <rule-result idref="xccdf_org.ssgproject.content_rule_a"><result>pass</result></rule-result>
    <rule-result idref="xccdf_org.ssgproject.content_rule_b"><result> fail </result><ident>x</ident></rule-result>
    <rule-result idref="xccdf_org.ssgproject.content_rule_c"><result>notselected</result></rule-result>
    <rule-result idref="other_rule"><result>notapplicable</result></rule-result>
  </TestResult>
</Benchmark>`;
  assert.deepEqual(
    [...parseXccdfResults(xml)],
    [
      ['a', 'pass'],
      ['b', 'fail'],
      ['other_rule', 'notapplicable'],
    ],
  );
  assert.throws(
    () => parseXccdfResults('<TestResult><rule-result idref="r"><result>maybe</result></rule-result></TestResult>'),
    /unknown result "maybe"/,
  );
});

test('ssgProductFor: os-release to SSG product', () => {
  const cases: [string, string | undefined][] = [
    ['ID=ubuntu\nVERSION_ID="22.04"\n', 'ubuntu2204'],
    ['NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n', 'debian12'],
    ['ID=ubuntu\nVERSION_ID="23.10"\n', undefined],
    ['ID=fedora\nVERSION_ID=40\n', undefined],
  ];
  for (const [text, want] of cases) assert.equal(ssgProductFor(text), want, text);
});

test('oscap: the baselines fix values pass every SSG rule they cite', { skip }, async () => {
  const checks = baselines();
  const rules = [...new Set(checks.map(ssgRule).filter((r): r is string => r !== undefined))];
  assert.ok(rules.length >= 40, `${rules.length} rules`);
  const root = await makeRoot('compliant', { ...ubuntuRootFacts(), ...compliantFiles(checks) });
  const results = await oscapEval(root, rules);
  const notPass = [...results].filter(([, r]) => r !== 'pass');
  assert.deepEqual(notPass, [], 'rules that do not pass on the compliant root');
});

test('oscap: wrong values flip a handful of rules to fail', { skip }, async () => {
  const checks = baselines();
  const good = await makeRoot('good', { ...ubuntuRootFacts(), ...compliantFiles(checks) });
  const bad = await makeRoot('bad', { ...ubuntuRootFacts(), ...WRONG });
  const [g, b] = await Promise.all([oscapEval(good, FLIPS), oscapEval(bad, FLIPS)]);
  for (const rule of FLIPS) {
    assert.equal(g.get(rule), 'pass', `${rule} on the good root`);
    assert.equal(b.get(rule), 'fail', `${rule} on the bad root`);
  }
});

test('oscap: platform facts decide applicability (not our config engines)', { skip }, async () => {
  const rules = ['sshd_disable_root_login', 'accounts_maximum_age_login_defs'];
  const facts = ubuntuRootFacts();
  // no lsb-release: not Ubuntu 22.04, so the whole benchmark is notapplicable
  const { 'etc/lsb-release': _lsb, ...noLsb } = facts;
  const notUbuntu = await makeRoot('not-ubuntu', { ...noLsb, ...WRONG });
  // dpkg lists neither openssh-server nor login: sshd rules pass whatever the config, login.defs ones do not apply
  const noPackages = await makeRoot('no-packages', { ...ubuntuRootFacts(['libpam-runtime']), ...WRONG });
  const [a, b] = await Promise.all([oscapEval(notUbuntu, rules), oscapEval(noPackages, rules)]);
  assert.deepEqual(Object.fromEntries(a), {
    sshd_disable_root_login: 'notapplicable',
    accounts_maximum_age_login_defs: 'notapplicable',
  });
  assert.deepEqual(Object.fromEntries(b), {
    sshd_disable_root_login: 'pass',
    accounts_maximum_age_login_defs: 'notapplicable',
  });
});

test('oscap: sshd_config.d drop-ins are not read (a deliberate difference)', { skip }, async () => {
  const root = await makeRoot('drop-in', {
    ...ubuntuRootFacts(),
    'etc/ssh/sshd_config': 'Include /etc/ssh/sshd_config.d/*.conf\n',
    'etc/ssh/sshd_config.d/50-mamori.conf': 'PermitRootLogin no\n',
  });
  assert.equal((await oscapEval(root, ['sshd_disable_root_login'])).get('sshd_disable_root_login'), 'fail');
});

test('oscap: a root without var/lib/dpkg/status is refused, not misjudged', { skip }, async () => {
  const root = await makeRoot('no-dpkg', { 'etc/lsb-release': ubuntuRootFacts()['etc/lsb-release'] ?? '' });
  await assert.rejects(oscapEval(root, ['sshd_disable_root_login']), { code: 'NO_DPKG_STATUS' });
});

test('oscap: time of a whole CIS Level 1 Server evaluation', { skip }, async (t) => {
  const root = await makeRoot('whole', { ...ubuntuRootFacts(), ...compliantFiles(baselines()) });
  const run = await oscapRun(root, [], { profile: 'cis-l1-server' });
  const counts = new Map<string, number>();
  for (const r of run.results.values()) counts.set(r, (counts.get(r) ?? 0) + 1);
  assert.ok(run.results.size > 150, `${run.results.size} rules evaluated`);
  t.diagnostic(
    `oscap xccdf eval, CIS L1 server, ${run.results.size} rules: ${(run.evalMs / 1000).toFixed(2)} s ` +
      `(${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')})`,
  );
});
