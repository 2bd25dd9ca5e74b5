import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEvent, LogFormat } from '../event.ts';
import type { CompiledRule, Logsource, SigmaRule } from '../sigma/types.ts';
import { bindLogsource, eventKeys, RuleSet, UNKNOWN_LOGSOURCE } from './index.ts';

function ev(format: LogFormat, data: Record<string, unknown>): LogEvent {
  return { format, data, source: { file: 'test' } };
}

function win(channel: string, eventId: unknown, eventData: Record<string, unknown> = {}, format: LogFormat = 'evtx') {
  return ev(format, { Event: { System: { Channel: channel, EventID: eventId }, EventData: eventData } });
}

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

/** One sample of every kind of event the readers produce (and the JSON shapes recognised). */
const EVENTS: Readonly<Record<string, LogEvent>> = {
  sysmon1: win(SYSMON, 1, { Image: 'C:\\x.exe' }),
  sysmon1LowerCaseJson: win(SYSMON.toLowerCase(), '1', {}, 'json'),
  sysmon3: win(SYSMON, 3),
  sysmon12Create: win(SYSMON, 12, { EventType: 'CreateKey' }),
  sysmon12Delete: win(SYSMON, 12, { EventType: 'deletevalue' }),
  sysmon13: win(SYSMON, 13, { EventType: 'SetValue' }),
  sysmon23: win(SYSMON, 23),
  sysmon26: win(SYSMON, 26),
  security4688: win('Security', { '#attributes': { Qualifiers: 0 }, '#text': 4688 }),
  security4624Ecs: ev('json', { winlog: { channel: 'Security', event_id: 4624, event_data: {} } }),
  system7045: win('System', 7045),
  ps4104Core: win('PowerShellCore/Operational', 4104),
  ps4103: win('Microsoft-Windows-PowerShell/Operational', 4103),
  classic400: win('Windows PowerShell', 400),
  defender1116: win('Microsoft-Windows-Windows Defender/Operational', 1116),
  defender5007: win('Microsoft-Windows-Windows Defender/Operational', 5007),
  applockerExe: win('Microsoft-Windows-AppLocker/EXE and DLL', 8004),
  rpcfw: win('RPCFW', 3),
  linuxSysmonJson: win('Linux-Sysmon/Operational', 1, {}, 'json'),
  linuxSysmonSyslog: ev('syslog', {
    appname: 'sysmon',
    message: '<Event><System><EventID>1</EventID><Channel>Linux-Sysmon/Operational</Channel></System></Event>',
  }),
  linuxSysmonSyslog11: ev('syslog', {
    program: 'sysmon',
    message: ' <Event><System><EventID>11</EventID></System></Event>',
  }),
  sshd: ev('syslog', { appname: 'sshd', message: 'Failed password for root' }),
  sshdSession: ev('syslog', { program: 'sshd-session', message: 'Accepted publickey' }),
  sudo: ev('syslog', { appname: 'sudo', message: 'a : USER=root ; COMMAND=/bin/id' }),
  cron: ev('syslog', { appname: 'CRON', message: '(root) CMD (run-parts)' }),
  authFacility: ev('syslog', { appname: 'custom-pam', facility: 'authpriv', message: 'x' }),
  kernel: ev('syslog', { appname: 'kernel', facility: 0, message: 'eth0 entered promiscuous mode' }),
  apacheError: ev('syslog', { appname: 'apache2', message: 'exit signal Segmentation Fault' }),
  auditd: ev('auditd', { type: ['SYSCALL', 'EXECVE'], a0: 'nc' }),
  web: ev('web', { 'cs-method': 'GET', 'cs-uri-query': 'a=b' }),
  webJson: ev('json', { 'cs-uri-stem': '/index.php', 'cs-method': 'POST' }),
  proxyJson: ev('json', { 'c-uri': 'http://x/y', 'c-useragent': 'curl', 'cs-method': 'GET' }),
  cloudtrail: ev('cloudtrail', { eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', awsRegion: 'eu-west-1' }),
  cloudtrailJson: ev('json', { eventVersion: '1.08', eventSource: 's3.amazonaws.com', eventName: 'GetObject' }),
  k8s: ev('json', { kind: 'Event', apiVersion: 'audit.k8s.io/v1', verb: 'create' }),
  gcpLogin: ev('json', {
    protoPayload: { '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', serviceName: 'login.googleapis.com' },
  }),
  gcpCompute: ev('json', {
    protoPayload: { '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', serviceName: 'compute.googleapis.com' },
  }),
  gcpEcs: ev('json', { event: { dataset: 'gcp.audit' }, gcp: { audit: { method_name: 'x' } } }),
  azureSignin: ev('json', { category: 'SignInLogs', operationName: 'Sign-in activity', properties: {} }),
  azureActivity: ev('json', { category: 'Administrative', operationName: 'MICROSOFT.X/DELETE', resourceId: '/s' }),
  azureAuditLa: ev('json', { Type: 'AuditLogs', OperationName: 'Add member to role' }),
  azureRisk: ev('json', { Type: 'AADUserRiskEvents', riskEventType: 'anonymizedIPAddress' }),
  m365: ev('json', { Workload: 'Exchange', Operation: 'New-InboxRule', RecordType: 1 }),
  okta: ev('json', { eventType: 'user.session.start', published: '2024-01-01T00:00:00Z', actor: {}, uuid: 'u' }),
  github: ev('json', { action: 'repo.destroy', _document_id: 'd', actor: 'a' }),
  bitbucket: ev('json', { auditType: { action: 'Project deleted', category: 'Projects' } }),
  onelogin: ev('json', { event_type_id: 13, account_id: 1 }),
  duo: ev('json', { txid: 't', event_type: 'authentication', reason: 'user_marked_fraud' }),
  opencanary: ev('json', { logtype: 5001, node_id: 'canary-1', dst_port: 22 }),
  zeekDns: ev('json', { ts: 1, uid: 'C', 'id.orig_h': '10.0.0.1', trans_id: 7, query: 'evil.example' }),
  zeekHttpPath: ev('json', { _path: 'http', ts: 1, uid: 'C', method: 'GET' }),
  zeekSmb: ev('json', { ts: 1, uid: 'C', id: { orig_h: '10.0.0.1' }, action: 'SMB::FILE_OPEN', name: 'x' }),
  zeekX509: ev('json', { ts: 1, id: 'F', 'certificate.serial': '01' }),
  unknownJson: ev('json', { hello: 'world', category: 'Other' }),
};

/** Log source → the sample events it applies to (every other sample must not). */
const CASES: readonly { ls: Logsource; yes: readonly string[] }[] = [
  {
    ls: { product: 'windows', category: 'process_creation' },
    yes: ['sysmon1', 'sysmon1LowerCaseJson', 'security4688'],
  },
  { ls: { product: 'windows', category: 'network_connection' }, yes: ['sysmon3'] },
  { ls: { product: 'windows', category: 'registry_event' }, yes: ['sysmon12Create', 'sysmon12Delete', 'sysmon13'] },
  { ls: { product: 'windows', category: 'registry_add' }, yes: ['sysmon12Create'] },
  { ls: { product: 'windows', category: 'registry_delete' }, yes: ['sysmon12Delete'] },
  { ls: { product: 'windows', category: 'registry_set' }, yes: ['sysmon13'] },
  { ls: { product: 'windows', category: 'file_delete' }, yes: ['sysmon23', 'sysmon26'] },
  { ls: { product: 'windows', category: 'file_delete_detected' }, yes: ['sysmon26'] },
  { ls: { product: 'windows', category: 'ps_script' }, yes: ['ps4104Core'] },
  { ls: { product: 'windows', category: 'ps_module' }, yes: ['ps4103'] },
  { ls: { product: 'windows', category: 'ps_classic_start' }, yes: ['classic400'] },
  { ls: { product: 'Windows', service: 'Security' }, yes: ['security4688', 'security4624Ecs'] },
  { ls: { product: 'windows', service: 'system' }, yes: ['system7045'] },
  {
    ls: { product: 'windows', service: 'sysmon' },
    yes: [
      'sysmon1',
      'sysmon1LowerCaseJson',
      'sysmon3',
      'sysmon12Create',
      'sysmon12Delete',
      'sysmon13',
      'sysmon23',
      'sysmon26',
    ],
  },
  { ls: { product: 'windows', service: 'powershell' }, yes: ['ps4104Core', 'ps4103'] },
  { ls: { product: 'windows', service: 'powershell-classic' }, yes: ['classic400'] },
  { ls: { product: 'windows', service: 'windefend' }, yes: ['defender1116', 'defender5007'] },
  { ls: { product: 'windows', service: 'applocker' }, yes: ['applockerExe'] },
  { ls: { category: 'antivirus' }, yes: ['defender1116'] },
  { ls: { product: 'rpc_firewall', category: 'application' }, yes: ['rpcfw'] },
  {
    ls: { product: 'windows' },
    yes: [
      'sysmon1',
      'sysmon1LowerCaseJson',
      'sysmon3',
      'sysmon12Create',
      'sysmon12Delete',
      'sysmon13',
      'sysmon23',
      'sysmon26',
      'security4688',
      'security4624Ecs',
      'system7045',
      'ps4104Core',
      'ps4103',
      'classic400',
      'defender1116',
      'defender5007',
      'applockerExe',
      'rpcfw',
    ],
  },
  { ls: { product: 'linux', category: 'process_creation' }, yes: ['linuxSysmonJson', 'linuxSysmonSyslog'] },
  { ls: { product: 'linux', category: 'file_event' }, yes: ['linuxSysmonSyslog11'] },
  { ls: { product: 'linux', service: 'sshd' }, yes: ['sshd', 'sshdSession'] },
  { ls: { product: 'linux', service: 'sudo' }, yes: ['sudo'] },
  { ls: { product: 'linux', service: 'cron' }, yes: ['cron'] },
  { ls: { product: 'linux', service: 'auth' }, yes: ['sshd', 'sshdSession', 'sudo', 'cron', 'authFacility'] },
  { ls: { product: 'linux', service: 'auditd' }, yes: ['auditd'] },
  {
    ls: { product: 'linux', service: 'syslog' },
    yes: [
      'linuxSysmonSyslog',
      'linuxSysmonSyslog11',
      'sshd',
      'sshdSession',
      'sudo',
      'cron',
      'authFacility',
      'kernel',
      'apacheError',
    ],
  },
  {
    ls: { product: 'linux' },
    yes: [
      'linuxSysmonJson',
      'linuxSysmonSyslog',
      'linuxSysmonSyslog11',
      'sshd',
      'sshdSession',
      'sudo',
      'cron',
      'authFacility',
      'kernel',
      'apacheError',
      'auditd',
    ],
  },
  { ls: { service: 'apache' }, yes: ['apacheError'] },
  { ls: { category: 'webserver' }, yes: ['web', 'webJson'] },
  { ls: { category: 'proxy' }, yes: ['proxyJson'] },
  { ls: { category: 'dns' }, yes: ['zeekDns'] },
  { ls: { product: 'aws', service: 'cloudtrail' }, yes: ['cloudtrail', 'cloudtrailJson'] },
  { ls: { product: 'kubernetes', category: 'application', service: 'audit' }, yes: ['k8s'] },
  { ls: { product: 'gcp', service: 'gcp.audit' }, yes: ['gcpLogin', 'gcpCompute', 'gcpEcs'] },
  { ls: { product: 'gcp', service: 'google_workspace.login' }, yes: ['gcpLogin'] },
  { ls: { product: 'azure', service: 'signinlogs' }, yes: ['azureSignin'] },
  { ls: { product: 'azure', service: 'activitylogs' }, yes: ['azureActivity'] },
  { ls: { product: 'azure', service: 'auditlogs' }, yes: ['azureAuditLa'] },
  { ls: { product: 'azure', service: 'riskdetection' }, yes: ['azureRisk'] },
  { ls: { product: 'm365', service: 'audit' }, yes: ['m365'] },
  { ls: { product: 'okta', service: 'okta' }, yes: ['okta'] },
  { ls: { product: 'github', service: 'audit' }, yes: ['github'] },
  { ls: { product: 'bitbucket', service: 'audit' }, yes: ['bitbucket'] },
  { ls: { product: 'onelogin', service: 'onelogin.events' }, yes: ['onelogin'] },
  { ls: { product: 'cisco', service: 'duo' }, yes: ['duo'] },
  { ls: { product: 'opencanary', category: 'application' }, yes: ['opencanary'] },
  { ls: { product: 'zeek', service: 'dns' }, yes: ['zeekDns'] },
  { ls: { product: 'zeek', service: 'http' }, yes: ['zeekHttpPath'] },
  { ls: { product: 'zeek', service: 'smb_files' }, yes: ['zeekSmb'] },
  { ls: { product: 'zeek', service: 'x509' }, yes: ['zeekX509'] },
];

function rule(ls: Logsource): SigmaRule {
  return {
    kind: 'rule',
    title: 'r',
    references: [],
    tags: [],
    level: 'medium',
    falsepositives: [],
    fields: [],
    logsource: ls,
    detection: { selection: { X: 1 }, condition: 'selection' },
    path: 'r.yml',
    raw: {},
  };
}

const always = (r: SigmaRule): CompiledRule => ({ rule: r, fields: [], match: () => true });

for (const c of CASES) {
  test(`binding matrix: ${JSON.stringify(c.ls)}`, () => {
    const set = new RuleSet([rule(c.ls)], always);
    assert.equal(set.compiled, 1, 'bound');
    const got = Object.entries(EVENTS)
      .filter(([, e]) => set.match(e).length > 0)
      .map(([name]) => name);
    assert.deepEqual(got.sort(), [...c.yes].sort());
  });
}

test('every sample event is claimed by at least one log source, except the unrecognised one', () => {
  const set = new RuleSet(
    CASES.map((c) => rule(c.ls)),
    always,
  );
  for (const [name, e] of Object.entries(EVENTS)) {
    assert.equal(set.match(e).length > 0, name !== 'unknownJson', name);
  }
  assert.deepEqual(eventKeys(EVENTS['unknownJson']!), []);
});

test('Security 4688 binding maps Image and ParentImage, and knows what it lacks', () => {
  const b = bindLogsource({ product: 'windows', category: 'process_creation' });
  assert.ok('bindings' in b);
  const sec = b.bindings.find((x) => x.key === 'channel:security:4688');
  assert.ok(sec);
  assert.equal(sec.label, 'windows/security EID 4688');
  assert.deepEqual(sec.fieldMap, { Image: 'NewProcessName', ParentImage: 'ParentProcessName' });
  assert.ok(sec.unavailable?.includes('OriginalFileName'));
  const sysmon = b.bindings.find((x) => x.key === 'channel:microsoft-windows-sysmon/operational:1');
  assert.equal(sysmon?.label, 'windows/sysmon EID 1');
  assert.equal(sysmon?.fieldMap, undefined);
});

test('antivirus maps the taxonomy fields to Defender names', () => {
  const b = bindLogsource({ category: 'antivirus' });
  assert.ok('bindings' in b);
  assert.deepEqual(b.bindings[0]?.fieldMap, { Signature: 'Threat Name', Filename: 'Path', Action: 'Action Name' });
});

const UNSUPPORTED: readonly { ls: Logsource; reason: RegExp }[] = [
  { ls: { product: 'windows', category: 'file_access' }, reason: /ETW/ },
  { ls: { product: 'windows', category: 'file_rename' }, reason: /ETW/ },
  { ls: { product: 'macos', category: 'process_creation' }, reason: /macOS/ },
  { ls: { product: 'cisco', service: 'aaa' }, reason: /network device/ },
  { ls: { category: 'firewall' }, reason: /firewall/ },
  { ls: { product: 'm365', service: 'threat_management' }, reason: /eventSource/ },
  { ls: { product: 'azure', service: 'pim' }, reason: /PIM/ },
  { ls: { product: 'django', category: 'application' }, reason: /application logs/ },
  { ls: {}, reason: /names no log source/ },
  { ls: { product: 'windows', service: 'no-such-service' }, reason: new RegExp(`^${UNKNOWN_LOGSOURCE}`) },
  { ls: { product: 'windows', category: 'no_such_category' }, reason: new RegExp(`^${UNKNOWN_LOGSOURCE}`) },
  { ls: { product: 'acme', service: 'widget' }, reason: new RegExp(`^${UNKNOWN_LOGSOURCE}`) },
  { ls: { product: 'windows', category: 'ps_script', service: 'security' }, reason: /not written to the channels/ },
];

for (const c of UNSUPPORTED) {
  test(`unsupported: ${JSON.stringify(c.ls)}`, () => {
    const b = bindLogsource(c.ls);
    assert.ok('unsupported' in b, 'should be unsupported');
    assert.match(b.unsupported, c.reason);
  });
}

test('category with a service narrows to that service’s channels', () => {
  const b = bindLogsource({ product: 'windows', category: 'process_creation', service: 'sysmon' });
  assert.ok('bindings' in b);
  assert.deepEqual(
    b.bindings.map((x) => x.key),
    ['channel:microsoft-windows-sysmon/operational:1'],
  );
});
