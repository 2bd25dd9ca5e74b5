import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEvent, LogFormat } from '../event.ts';
import { fieldSourceOf } from './index.ts';
import { sudoFields, xmlText } from './fields.ts';

function ev(format: LogFormat, data: Record<string, unknown>): LogEvent {
  return { format, data, source: { file: 'test' } };
}

const system = {
  Provider: {
    '#attributes': { Name: 'Microsoft-Windows-Security-Auditing', Guid: '{54849625-5478-4994-A5BA-3E3B0328C30D}' },
  },
  EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 4688 },
  Version: 2,
  Level: 0,
  Task: 13312,
  Opcode: 0,
  Keywords: '0x8020000000000000',
  TimeCreated: { '#attributes': { SystemTime: '2024-01-02T03:04:05.678901Z' } },
  EventRecordID: 991,
  Correlation: { '#attributes': { ActivityID: '{11111111-2222-3333-4444-555555555555}' } },
  Execution: { '#attributes': { ProcessID: 4, ThreadID: 88 } },
  Channel: 'Security',
  Computer: 'WS01.corp.example',
  Security: { '#attributes': { UserID: 'S-1-5-18' } },
};

const evtx4688 = ev('evtx', {
  Event: {
    '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
    System: system,
    EventData: {
      SubjectUserName: 'WS01$',
      NewProcessName: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'cmd.exe /c whoami',
      ParentProcessName: 'C:\\Windows\\explorer.exe',
      TokenElevationType: '%%1936',
      Empty: null,
      'Threat Name': 'Tool:Win32/Mimikatz',
      Detail: { '#attributes': { a: 1 } },
    },
  },
});

const userDataEvent = ev('evtx', {
  Event: {
    System: { ...system, EventID: 5858, Channel: 'Microsoft-Windows-WMI-Activity/Operational' },
    UserData: {
      Operation_ClientFailure: {
        '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2006/windows/WMI' },
        Operation: 'Start IWbemServices::ExecMethod',
        ClientProcessId: 25920,
        Nested: { Operation: 'second, not first', Deep: 'deep value' },
        Channel: 'userdata channel',
      },
    },
  },
});

const classicPowerShell = ev('json', {
  Event: {
    System: { ...system, EventID: 400, Channel: 'Windows PowerShell' },
    EventData: { Data: { '#text': ['Available', 'None', '\tNewEngineState=Available\n\tHostName=ConsoleHost'] } },
  },
});

const ecs = ev('json', {
  '@timestamp': '2024-01-02T03:04:05.678Z',
  log: { level: 'information' },
  winlog: {
    channel: 'Microsoft-Windows-Sysmon/Operational',
    event_id: '1',
    provider_name: 'Microsoft-Windows-Sysmon',
    computer_name: 'WS02',
    record_id: 42,
    process: { pid: 3000, thread: { id: 3100 } },
    user: { identifier: 'S-1-5-18' },
    event_data: { Image: 'C:\\Windows\\System32\\whoami.exe', 'Process Name': 'spaced' },
  },
});

const ecsFlat = ev('json', {
  'winlog.channel': 'Microsoft-Windows-Sysmon/Operational',
  'winlog.event_id': 1,
  'winlog.event_data.Image': 'C:\\Windows\\System32\\whoami.exe',
  'winlog.computer_name': 'WS03',
});

const cases: readonly { name: string; event: LogEvent; field: string; want: unknown }[] = [
  { name: 'EventData field', event: evtx4688, field: 'NewProcessName', want: 'C:\\Windows\\System32\\cmd.exe' },
  { name: 'EventData null element is present', event: evtx4688, field: 'Empty', want: null },
  { name: 'attribute-only element is present but empty', event: evtx4688, field: 'Detail', want: null },
  { name: 'absent field', event: evtx4688, field: 'OriginalFileName', want: undefined },
  { name: 'EventID with qualifiers', event: evtx4688, field: 'EventID', want: 4688 },
  { name: 'Qualifiers', event: evtx4688, field: 'Qualifiers', want: 16384 },
  { name: 'Channel', event: evtx4688, field: 'Channel', want: 'Security' },
  { name: 'Computer', event: evtx4688, field: 'Computer', want: 'WS01.corp.example' },
  { name: 'Provider_Name', event: evtx4688, field: 'Provider_Name', want: 'Microsoft-Windows-Security-Auditing' },
  { name: 'Provider_Guid', event: evtx4688, field: 'Provider_Guid', want: '{54849625-5478-4994-A5BA-3E3B0328C30D}' },
  { name: 'Level', event: evtx4688, field: 'Level', want: 0 },
  { name: 'Task', event: evtx4688, field: 'Task', want: 13312 },
  { name: 'Keywords', event: evtx4688, field: 'Keywords', want: '0x8020000000000000' },
  { name: 'EventRecordID', event: evtx4688, field: 'EventRecordID', want: 991 },
  { name: 'Version', event: evtx4688, field: 'Version', want: 2 },
  { name: 'ProcessID from Execution', event: evtx4688, field: 'ProcessID', want: 4 },
  { name: 'ThreadID from Execution', event: evtx4688, field: 'ThreadID', want: 88 },
  { name: 'UserID from Security', event: evtx4688, field: 'UserID', want: 'S-1-5-18' },
  { name: 'SecurityUserID', event: evtx4688, field: 'SecurityUserID', want: 'S-1-5-18' },
  { name: 'Security_UserID', event: evtx4688, field: 'Security_UserID', want: 'S-1-5-18' },
  { name: 'TimeCreated', event: evtx4688, field: 'TimeCreated', want: '2024-01-02T03:04:05.678901Z' },
  { name: 'ActivityID', event: evtx4688, field: 'ActivityID', want: '{11111111-2222-3333-4444-555555555555}' },
  { name: 'dotted System path', event: evtx4688, field: 'Event.System.Computer', want: 'WS01.corp.example' },
  { name: 'dotted EventData path', event: evtx4688, field: 'Event.EventData.CommandLine', want: 'cmd.exe /c whoami' },
  { name: 'dotted path to #text', event: evtx4688, field: 'Event.System.EventID', want: 4688 },
  { name: 'EventData name without its spaces', event: evtx4688, field: 'ThreatName', want: 'Tool:Win32/Mimikatz' },
  { name: 'EventData name with its spaces', event: evtx4688, field: 'Threat Name', want: 'Tool:Win32/Mimikatz' },
  { name: 'UserData leaf', event: userDataEvent, field: 'Operation', want: 'Start IWbemServices::ExecMethod' },
  { name: 'UserData deeper leaf', event: userDataEvent, field: 'Deep', want: 'deep value' },
  { name: 'UserData number', event: userDataEvent, field: 'ClientProcessId', want: 25920 },
  { name: 'UserData wins over System', event: userDataEvent, field: 'Channel', want: 'userdata channel' },
  { name: 'UserData attributes are not fields', event: userDataEvent, field: 'xmlns', want: undefined },
  { name: 'UserData EventID from System', event: userDataEvent, field: 'EventID', want: 5858 },
  {
    name: 'unnamed Data as an array',
    event: classicPowerShell,
    field: 'Data',
    want: ['Available', 'None', '\tNewEngineState=Available\n\tHostName=ConsoleHost'],
  },
  { name: 'ECS event_data', event: ecs, field: 'Image', want: 'C:\\Windows\\System32\\whoami.exe' },
  { name: 'ECS EventID from a string', event: ecs, field: 'EventID', want: 1 },
  { name: 'ECS Channel', event: ecs, field: 'Channel', want: 'Microsoft-Windows-Sysmon/Operational' },
  { name: 'ECS Provider_Name', event: ecs, field: 'Provider_Name', want: 'Microsoft-Windows-Sysmon' },
  { name: 'ECS Computer', event: ecs, field: 'Computer', want: 'WS02' },
  { name: 'ECS EventRecordID', event: ecs, field: 'EventRecordID', want: 42 },
  { name: 'ECS ProcessID', event: ecs, field: 'ProcessID', want: 3000 },
  { name: 'ECS ThreadID', event: ecs, field: 'ThreadID', want: 3100 },
  { name: 'ECS UserID', event: ecs, field: 'UserID', want: 'S-1-5-18' },
  { name: 'ECS Level', event: ecs, field: 'Level', want: 'information' },
  { name: 'ECS TimeCreated', event: ecs, field: 'TimeCreated', want: '2024-01-02T03:04:05.678Z' },
  { name: 'ECS dotted path', event: ecs, field: 'winlog.event_data.Image', want: 'C:\\Windows\\System32\\whoami.exe' },
  { name: 'ECS name without spaces', event: ecs, field: 'ProcessName', want: 'spaced' },
  { name: 'flattened ECS field', event: ecsFlat, field: 'Image', want: 'C:\\Windows\\System32\\whoami.exe' },
  { name: 'flattened ECS Computer', event: ecsFlat, field: 'Computer', want: 'WS03' },
  {
    name: 'flattened ECS dotted name',
    event: ecsFlat,
    field: 'winlog.event_data.Image',
    want: 'C:\\Windows\\System32\\whoami.exe',
  },
];

for (const c of cases) {
  test(`Windows field source: ${c.name}`, () => {
    assert.deepEqual(fieldSourceOf(c.event).get(c.field), c.want);
  });
}

test('Windows values(): every leaf as text, XML namespaces left out', () => {
  const v = fieldSourceOf(evtx4688).values();
  assert.ok(v.includes('cmd.exe /c whoami'));
  assert.ok(v.includes('4688'), 'numbers as text');
  assert.ok(v.includes('WS01.corp.example'), 'System values too');
  assert.ok(!v.some((x) => x.includes('schemas.microsoft.com')), 'no xmlns');
  assert.equal(fieldSourceOf(evtx4688).values().length, v.length);
});

test('values() is built once per FieldSource', () => {
  const fs = fieldSourceOf(evtx4688);
  assert.equal(fs.values(), fs.values());
});

const cloudtrail = ev('cloudtrail', {
  eventVersion: '1.08',
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateAccessKey',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/a', sessionContext: { sessionIssuer: { type: 'Role' } } },
  requestParameters: {
    containerDefinitions: [{ command: ['sh', '-c', 'id'] }, { command: ['true'] }],
    enable: false,
  },
  responseElements: { ConsoleLogin: 'Failure' },
  resources: [{ ARN: 'a' }, { ARN: 'b' }],
});

const zeek = ev('json', { ts: 1.5, uid: 'C1', 'id.orig_h': '10.0.0.1', 'id.resp_p': 53, query: 'example.org' });

const objectCases: readonly { name: string; event: LogEvent; field: string; want: unknown }[] = [
  { name: 'top-level key', event: cloudtrail, field: 'eventName', want: 'CreateAccessKey' },
  { name: 'nested path', event: cloudtrail, field: 'userIdentity.type', want: 'IAMUser' },
  { name: 'deep path', event: cloudtrail, field: 'userIdentity.sessionContext.sessionIssuer.type', want: 'Role' },
  { name: 'false is a value', event: cloudtrail, field: 'requestParameters.enable', want: false },
  {
    name: 'path through an array gathers every element',
    event: cloudtrail,
    field: 'requestParameters.containerDefinitions.command',
    want: ['sh', '-c', 'id', 'true'],
  },
  { name: 'path into arrays of objects', event: cloudtrail, field: 'resources.ARN', want: ['a', 'b'] },
  { name: 'object as its JSON text', event: cloudtrail, field: 'responseElements', want: '{"ConsoleLogin":"Failure"}' },
  { name: 'missing path', event: cloudtrail, field: 'userIdentity.nothing', want: undefined },
  { name: 'literal dotted key (Zeek)', event: zeek, field: 'id.orig_h', want: '10.0.0.1' },
  { name: 'number', event: zeek, field: 'id.resp_p', want: 53 },
  { name: 'no prototype fields', event: zeek, field: 'constructor', want: undefined },
  {
    name: 'auditd list field',
    event: ev('auditd', { type: ['SYSCALL', 'EXECVE'], a0: 'nc', exe: '/usr/bin/nc' }),
    field: 'type',
    want: ['SYSCALL', 'EXECVE'],
  },
  {
    name: 'web W3C name',
    event: ev('web', { 'cs-method': 'GET', 'cs-uri-query': 'id=1 union select', 'sc-status': 200 }),
    field: 'cs-uri-query',
    want: 'id=1 union select',
  },
];

for (const c of objectCases) {
  test(`object field source: ${c.name}`, () => {
    assert.deepEqual(fieldSourceOf(c.event).get(c.field), c.want);
  });
}

test('syslog: sudo KEY=value pairs are fields', () => {
  const fs = fieldSourceOf(
    ev('syslog', {
      hostname: 'h',
      appname: 'sudo',
      message: '   alice : TTY=pts/0 ; PWD=/home/alice ; USER=#-1 ; COMMAND=/bin/bash',
    }),
  );
  assert.equal(fs.get('USER'), '#-1');
  assert.equal(fs.get('TTY'), 'pts/0');
  assert.equal(fs.get('COMMAND'), '/bin/bash');
  assert.equal(fs.get('hostname'), 'h');
  // only sudo's messages are split this way
  const other = fieldSourceOf(ev('syslog', { appname: 'sshd', message: 'x : USER=root ; A=b' }));
  assert.equal(other.get('USER'), undefined);
});

test('sudoFields table', () => {
  const cases: readonly [string, Record<string, string>][] = [
    [
      'bob : TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/usr/bin/id -u',
      { TTY: 'pts/1', PWD: '/', USER: 'root', COMMAND: '/usr/bin/id -u' },
    ],
    ['pam_unix(sudo:session): session opened', {}],
    ['bob : 3 incorrect password attempts ; TTY=pts/1 ; USER=root', { TTY: 'pts/1', USER: 'root' }],
  ];
  for (const [msg, want] of cases) assert.deepEqual(Object.fromEntries(sudoFields(msg)), want, msg);
});

test('xmlText decodes entities', () => {
  const cases: readonly [string, string][] = [
    ['a &amp; b', 'a & b'],
    ['&lt;tag&gt; &quot;q&quot; &apos;s&apos;', `<tag> "q" 's'`],
    ['&#65;&#x42;', 'AB'],
    ['&unknown; & alone', '&unknown; & alone'],
    ['plain', 'plain'],
  ];
  for (const [input, want] of cases) assert.equal(xmlText(input), want, input);
});

const sysmonLinux =
  '<Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>1</EventID>' +
  '<Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>' +
  '<TimeCreated SystemTime="2024-01-02T03:04:05.678901000Z"/><EventRecordID>77</EventRecordID><Correlation/>' +
  '<Execution ProcessID="1234" ThreadID="1234"/><Channel>Linux-Sysmon/Operational</Channel><Computer>web01</Computer>' +
  '<Security UserId="0"/></System><EventData><Data Name="RuleName">-</Data>' +
  '<Data Name="Image">/usr/bin/bash</Data><Data Name="CommandLine">bash -c "echo &gt; /dev/tcp/10.0.0.9/4444"</Data>' +
  '<Data Name="ParentImage"/><Data Name="User">root</Data></EventData></Event>';

test('Sysmon for Linux in syslog: XML fields, System fields, syslog fields', () => {
  const fs = fieldSourceOf(ev('syslog', { hostname: 'web01', appname: 'sysmon', message: sysmonLinux }));
  const cases: readonly [string, unknown][] = [
    ['Image', '/usr/bin/bash'],
    ['CommandLine', 'bash -c "echo > /dev/tcp/10.0.0.9/4444"'],
    ['ParentImage', null],
    ['User', 'root'],
    ['EventID', 1],
    ['Channel', 'Linux-Sysmon/Operational'],
    ['Computer', 'web01'],
    ['Provider_Name', 'Linux-Sysmon'],
    ['ProcessID', '1234'],
    ['UserID', '0'],
    ['TimeCreated', '2024-01-02T03:04:05.678901000Z'],
    ['hostname', 'web01'],
    ['Missing', undefined],
  ];
  for (const [f, want] of cases) assert.deepEqual(fs.get(f), want, f);
  assert.ok(fs.values().includes('/usr/bin/bash'));
});

test('odd data does not crash the field source', () => {
  const deep: Record<string, unknown> = {};
  let cur = deep;
  for (let i = 0; i < 10000; i++) cur = (cur['a'] = {}) as Record<string, unknown>;
  const shapes: Record<string, unknown>[] = [
    { Event: null },
    { Event: { System: 'x', EventData: [1, 2] } },
    { Event: { System: {}, UserData: 'text' } },
    { winlog: { channel: 5 } },
    deep,
  ];
  for (const data of shapes) {
    for (const format of ['evtx', 'json', 'syslog'] as LogFormat[]) {
      const fs = fieldSourceOf(ev(format, data));
      fs.get('EventID');
      fs.get('a.a.a.a');
      fs.values();
    }
  }
});
