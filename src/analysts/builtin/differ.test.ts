// The two built-in analysts fail differently (the requirement): builtin-rules reads what a finding says of
// itself and knows nothing of the fleet; builtin-rarity counts the fleet and knows nothing of what a rule means.
// On one realistic batch (twenty workstations, three days), each one's blind spot is where the other sees.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../core/finding.ts';
import type { Verdict } from '../../core/verdict.ts';
import type { Analyst } from '../analyst.ts';
import { createBuiltinAnalyst } from './registry.ts';
import { ctx, isoDaysAgo, NOW, sigmaRule, sysmonDetection } from './test-helpers.ts';

const ws = (i: number): string => `ws-${String(i).padStart(2, '0')}`;
let record = 100;

/** SigmaHQ's PsExec-service rule: high, and the IT team's nightly patch job trips it on every workstation. */
const PSEXEC_RULE = sigmaRule({
  id: 'fa91cc36-24c9-41ce-b3c8-3bbc3f2f67ba',
  title: 'PsExec Service Child Process Execution as LOCAL SYSTEM',
  level: 'high',
  status: 'test',
  tags: ['attack.execution', 'attack.lateral-movement', 'attack.t1569.002', 'attack.s0029'],
  falsepositives: ['Legitimate administrative use of PsExec by the IT team'],
  path: 'rules/windows/process_creation/proc_creation_win_sysinternals_psexesvc_as_system.yml',
});

/** A low-level discovery rule: a directory listing of a share. */
const DIR_RULE = sigmaRule({
  id: '7c9340a9-e2ee-4e43-94c5-c54ebbea1006',
  title: 'Recursive Directory Listing Of A Network Share',
  level: 'low',
  status: 'test',
  tags: ['attack.discovery', 'attack.t1083', 'attack.t1135'],
  falsepositives: ['Administrators and users browsing shares from the command line'],
  path: 'rules/windows/process_creation/proc_creation_win_cmd_dir_share.yml',
});

/** A critical credential-dumping rule. */
const DUMP_RULE = sigmaRule({
  id: '646ea171-dded-4578-8a4d-65e9822892e3',
  title: 'Process Memory Dump Via Comsvcs.DLL',
  level: 'critical',
  status: 'test',
  tags: ['attack.credential-access', 'attack.t1003.001', 'attack.defense-evasion'],
  falsepositives: ['Unlikely'],
  path: 'rules/windows/process_creation/proc_creation_win_rundll32_process_dump_via_comsvcs.yml',
});

function patchJob(i: number, daysAgo: number): Finding {
  return sysmonDetection(
    {
      host: ws(i),
      image: 'C:\\Windows\\System32\\cmd.exe',
      parentImage: 'C:\\Windows\\PSEXESVC.exe',
      parentCommandLine: 'C:\\Windows\\PSEXESVC.exe',
      commandLine: `cmd.exe /c "C:\\Windows\\Temp\\patch-${isoDaysAgo(daysAgo).slice(0, 10)}.cmd" /quiet /log ${4000 + i}`,
      user: 'NT AUTHORITY\\SYSTEM',
      time: isoDaysAgo(daysAgo, 2),
      recordId: record++,
    },
    PSEXEC_RULE,
  );
}

const shareListing = sysmonDetection(
  {
    host: ws(13),
    image: 'C:\\Windows\\System32\\cmd.exe',
    parentImage: 'C:\\Windows\\explorer.exe',
    commandLine: 'cmd.exe /c dir /s /b \\\\fs01\\finance$\\payroll > C:\\Users\\Public\\p.txt',
    user: 'CORP\\m.ito',
    time: isoDaysAgo(0, 15),
    recordId: record++,
  },
  DIR_RULE,
);

const lsassDump = sysmonDetection(
  {
    host: ws(5),
    image: 'C:\\Windows\\System32\\rundll32.exe',
    parentImage: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    commandLine: 'rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\Users\\Public\\l.dmp full',
    user: 'CORP\\k.sato',
    time: isoDaysAgo(0, 16),
    recordId: record++,
  },
  DUMP_RULE,
);

const batch: Finding[] = [
  ...[2, 1, 0].flatMap((d) => Array.from({ length: 20 }, (_, i) => patchJob(i + 1, d))),
  shareListing,
  lsassDump,
];

async function verdicts(f: Finding): Promise<{ rules: Verdict; rarity: Verdict }> {
  const rules: Analyst = await createBuiltinAnalyst('builtin-rules');
  const rarity: Analyst = await createBuiltinAnalyst('builtin-rarity', { now: () => NOW });
  await rarity.prepare?.(batch);
  const out = { rules: await rules.judge(f, ctx()), rarity: await rarity.judge(f, ctx()) };
  await rarity.close?.();
  return out;
}

describe('the built-in analysts fail differently', () => {
  it('a high-level rule on the patch job every workstation runs nightly: rules escalate, rarity says routine', async () => {
    const { rules, rarity } = await verdicts(patchJob(7, 0));
    // 0.85 × (1.25 + 0.8 - 0.5): the rule is high, lateral movement, and its authors expect admins
    assert.equal(rules.label, 'malicious');
    assert.match(rules.rationale, /level high \+1\.06; tactic lateral-movement \+0\.68/);
    assert.equal(rarity.label, 'benign');
    assert.match(rarity.rationale, /common: on 20 of 20 hosts; a standing practice \(3 days\)/);
    assert.ok(rarity.confidence >= 0.85);
    assert.notEqual(rules.label, rarity.label);
  });

  it('a low-level rule on a one-off command on one host of twenty: rules say benign, rarity says unusual', async () => {
    const { rules, rarity } = await verdicts(shareListing);
    // 0.85 × (-0.75 - 0.5 - 0.5)
    assert.equal(rules.label, 'benign');
    assert.match(rules.rationale, /level low -0\.64; tactic discovery -0\.42; a benign cause is known/);
    assert.equal(rarity.label, 'malicious');
    assert.match(rarity.rationale, /rare: on 1 host of 20; a one-off\)/);
    assert.ok(rarity.rationale.includes('\\\\\\\\<host>\\\\finance$\\\\payroll'), rarity.rationale);
    assert.notEqual(rules.label, rarity.label);
  });

  it('and they agree when both signals line up: a critical LSASS dump on one host', async () => {
    const { rules, rarity } = await verdicts(lsassDump);
    assert.equal(rules.label, 'malicious');
    assert.equal(rarity.label, 'malicious');
    assert.ok(rules.confidence > 0.8, String(rules.confidence));
  });
});
