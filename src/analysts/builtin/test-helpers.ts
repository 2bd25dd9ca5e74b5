// Test helpers for the built-in analysts' *.test.ts files (imported by them only): findings shaped as hunt, scan
// and harden write them, and analyst contexts with a fixed clock.
import type { Finding, RuleRef } from '../../core/finding.ts';
import { findingId } from '../../core/ids.ts';
import type { Severity } from '../../core/severity.ts';
import type { AnalystContext } from '../analyst.ts';

/** 2026-11-25T10:00:00Z: the tests' "today". */
export const NOW = Date.parse('2026-11-25T10:00:00.000Z');
export const DAY = 86_400_000;

/** An ISO time `days` days before NOW (negative: after), at `hour` UTC. */
export function isoDaysAgo(days: number, hour = 10): string {
  return new Date(NOW - days * DAY + (hour - 10) * 3_600_000).toISOString();
}

export function ctx(now = NOW): AnalystContext {
  return { signal: new AbortController().signal, deadline: now + 30_000, now: () => now };
}

export function abortedCtx(now = NOW): AnalystContext {
  const ac = new AbortController();
  ac.abort();
  return { signal: ac.signal, deadline: now, now: () => now };
}

export type ProcessEvent = {
  readonly host: string;
  readonly image: string;
  readonly commandLine?: string;
  readonly parentImage?: string;
  readonly parentCommandLine?: string;
  readonly user?: string;
  readonly time?: string;
  readonly recordId?: number;
};

/** A Sigma rule reference as hunt's ruleRef writes it. */
export function sigmaRule(r: Partial<RuleRef> & { level: Severity }): RuleRef {
  return {
    id: '5af54681-df95-4c26-854f-2565e13cfab0',
    title: 'Suspicious Command Line',
    tags: ['attack.execution', 'attack.t1059'],
    status: 'test',
    path: 'rules/windows/process_creation/proc_creation_win_susp_cmd.yml',
    ...r,
  };
}

/** A Sysmon process-creation (EID 1) detection, as `mamori hunt` writes it from an EVTX record. */
export function sysmonDetection(
  e: ProcessEvent,
  rule: RuleRef = sigmaRule({ level: 'high' }),
  asset: Partial<Finding['asset']> = {},
): Finding {
  const time = e.time ?? isoDaysAgo(0);
  const recordId = e.recordId ?? 4711;
  const eventData: Record<string, unknown> = {
    RuleName: '-',
    UtcTime: time.replace('T', ' ').replace('Z', ''),
    ProcessGuid: '{9a7c5c2e-1f00-6740-4b02-000000000a00}',
    ProcessId: 6420,
    Image: e.image,
    FileVersion: '10.0.19041.1',
    CommandLine: e.commandLine ?? e.image,
    CurrentDirectory: 'C:\\Windows\\system32\\',
    User: e.user ?? 'CORP\\svc-deploy',
    LogonId: '0x3e7',
    IntegrityLevel: 'System',
    Hashes: 'SHA256=8A1E6D0B3C2F4E5A6B7C8D9E0F1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C',
    ParentProcessGuid: '{9a7c5c2e-1e00-6740-4a02-000000000a00}',
    ParentProcessId: 4012,
    ParentImage: e.parentImage ?? 'C:\\Windows\\System32\\cmd.exe',
    ParentCommandLine: e.parentCommandLine ?? 'C:\\Windows\\system32\\cmd.exe',
  };
  const data = {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } },
        EventID: 1,
        EventRecordID: recordId,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: `${e.host}.corp.example.jp`,
        TimeCreated: { '#attributes': { SystemTime: time } },
      },
      EventData: eventData,
    },
  };
  return {
    id: findingId(['detection', rule.id, e.host, recordId, JSON.stringify(data)]),
    kind: 'detection',
    severity: rule.level,
    title: rule.title,
    rule,
    asset: { kind: 'host', name: `${e.host}.corp.example.jp`, ...asset },
    time,
    evidence: [{ source: { file: `C:\\logs\\${e.host}\\sysmon.evtx`, recordId }, time, data }],
    details: {
      format: 'evtx',
      logsource: 'windows/process_creation',
      matched: { Image: e.image, CommandLine: eventData.CommandLine },
    },
  };
}

export type VulnOptions = {
  readonly level?: Severity;
  readonly source?: 'cvss' | 'database' | 'summary' | 'none';
  readonly vector?: string;
  readonly fixed?: readonly string[];
  readonly upgrade?: string;
  readonly direct?: boolean;
  readonly status?: 'affected' | 'unknown';
  readonly suppressed?: { status: string; reason?: string; source?: string; expires?: string };
  readonly criticality?: Finding['asset']['criticality'];
};

/** A vulnerability finding as `mamori scan` writes it (package and vulnerability at the top level). */
export function vulnerabilityFinding(o: VulnOptions = {}): Finding {
  const level = o.level ?? 'high';
  const pkg = {
    name: 'lodash',
    version: '4.17.20',
    ecosystem: 'npm',
    location: 'package-lock.json',
    purl: 'pkg:npm/lodash@4.17.20',
    ...(o.direct !== undefined ? { direct: o.direct } : {}),
  };
  const vulnerability = {
    id: 'CVE-2021-23337',
    aliases: ['GHSA-35jh-r3h4-6jhm'],
    records: ['GHSA-35jh-r3h4-6jhm'],
    status: o.status ?? 'affected',
    ...(o.status === 'unknown' ? { reasons: ['no range could be evaluated'] } : {}),
    summary: 'Command Injection in lodash',
    severity:
      (o.source ?? 'cvss') === 'none'
        ? { level: 'medium', source: 'none' }
        : {
            level,
            source: o.source ?? 'cvss',
            ...(o.vector !== undefined ? { vector: o.vector, score: 7.2, cvssVersion: '3.1' } : {}),
          },
    fixed: o.fixed ?? [],
    ...(o.upgrade !== undefined ? { upgrade: o.upgrade } : {}),
    references: ['https://nvd.nist.gov/vuln/detail/CVE-2021-23337'],
  };
  const time = isoDaysAgo(0);
  return {
    id: findingId(['vulnerability', undefined, 'npm', 'lodash', '4.17.20', 'package-lock.json', vulnerability.id]),
    kind: 'vulnerability',
    severity: level,
    title: `${vulnerability.id}: lodash 4.17.20 — ${vulnerability.summary}`,
    rule: { id: vulnerability.id, title: vulnerability.summary, level, tags: [...vulnerability.aliases] },
    asset: {
      kind: 'package',
      name: pkg.purl,
      ...(o.criticality !== undefined ? { criticality: o.criticality } : {}),
    },
    time,
    evidence: [
      {
        source: { file: 'package-lock.json', line: 812 },
        time,
        data: { package: pkg, vulnerability: { id: vulnerability.id, records: vulnerability.records } },
      },
    ],
    ...{ package: pkg, vulnerability },
    ...(o.suppressed
      ? {
          suppressed: {
            reason: 'the vulnerable function is not reachable',
            source: '.mamori-ignore.yaml:3',
            ...o.suppressed,
          },
        }
      : {}),
  } as Finding;
}

export type HardenOptions = {
  readonly level?: Severity;
  readonly profiles?: readonly string[];
  readonly patch?: boolean;
  readonly verified?: boolean;
  readonly unfixable?: string;
  readonly current?: string;
  readonly criticality?: Finding['asset']['criticality'];
};

/** A misconfiguration finding as `mamori harden` writes it (an sshd check). */
export function misconfigurationFinding(o: HardenOptions = {}): Finding {
  const level = o.level ?? 'high';
  const time = isoDaysAgo(0);
  const current = o.current ?? 'yes';
  const patch =
    '--- a/etc/ssh/sshd_config\n+++ b/etc/ssh/sshd_config\n@@ -32 +32 @@\n-PermitRootLogin yes\n+PermitRootLogin no\n';
  return {
    id: findingId(['misconfiguration', '/', 'sshd-permit-root-login', undefined, 'etc/ssh/sshd_config', current]),
    kind: 'misconfiguration',
    severity: level,
    title: 'Disable SSH root login',
    rule: {
      id: 'sshd-permit-root-login',
      title: 'Disable SSH root login',
      level,
      tags: [...(o.profiles ?? ['cis-l1-server'])],
      refs: ['ssg:xccdf_org.ssgproject.content_rule_sshd_disable_root_login'],
    },
    asset: {
      kind: 'file',
      name: 'etc/ssh/sshd_config',
      ...(o.criticality !== undefined ? { criticality: o.criticality } : {}),
    },
    time,
    evidence: [
      {
        source: { file: 'etc/ssh/sshd_config', line: 32 },
        time,
        data: { current, expected: 'no', message: 'PermitRootLogin is yes' },
      },
    ],
    details: { target: '/', engine: 'sshd', key: 'PermitRootLogin', message: 'PermitRootLogin is yes' },
    ...{
      file: 'etc/ssh/sshd_config',
      line: 32,
      current,
      expected: 'no',
      ...(o.patch !== false && o.verified !== false && o.unfixable === undefined ? { patch, changedLines: 1 } : {}),
      ...(o.verified === false ? { verification: { ok: false, reasons: ['sshd -t rejected the result'] } } : {}),
      ...(o.verified === true ? { verification: { ok: true, reasons: [], tool: 'sshd -t' } } : {}),
      ...(o.unfixable !== undefined ? { unfixable: o.unfixable } : {}),
    },
  } as Finding;
}

/** An exposure finding (a service reachable where it should not be). */
export function exposureFinding(level: Severity = 'high', criticality?: Finding['asset']['criticality']): Finding {
  const time = isoDaysAgo(0);
  return {
    id: findingId(['exposure', '10.0.8.14:3389']),
    kind: 'exposure',
    severity: level,
    title: 'RDP reachable from the internet',
    rule: { id: 'exposure-rdp-internet', title: 'RDP reachable from the internet', level, tags: [] },
    asset: { kind: 'service', name: '10.0.8.14:3389', ...(criticality !== undefined ? { criticality } : {}) },
    time,
    evidence: [{ source: { file: 'exposure.jsonl', line: 1 }, time, data: { port: 3389, protocol: 'tcp' } }],
  };
}
