// Windows log sources: which event log channels and event ids each Sigma `service` and `category` stands for.
// Facts from the Sigma taxonomy appendix (sigma-specification) and the channel list SigmaHQ's own regression
// checker uses (thor-field-mapping.yml); see docs/formats/logsources.md.

/** Sysmon's channel on Windows. */
export const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';
/** Sysmon for Linux writes the same event schema under this channel (to syslog, or converted to JSON). */
export const LINUX_SYSMON_CHANNEL = 'Linux-Sysmon/Operational';

const POWERSHELL_CHANNELS = ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'] as const;

/** `product: windows`, `service: X` → the channels that service's events are written to. */
export const WINDOWS_SERVICE_CHANNELS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['application', ['Application']],
  [
    'application-experience',
    [
      'Microsoft-Windows-Application-Experience/Program-Telemetry',
      'Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant',
    ],
  ],
  [
    'applocker',
    [
      'Microsoft-Windows-AppLocker/MSI and Script',
      'Microsoft-Windows-AppLocker/EXE and DLL',
      'Microsoft-Windows-AppLocker/Packaged app-Deployment',
      'Microsoft-Windows-AppLocker/Packaged app-Execution',
    ],
  ],
  ['appmodel-runtime', ['Microsoft-Windows-AppModel-Runtime/Admin']],
  ['appxdeployment-server', ['Microsoft-Windows-AppXDeploymentServer/Operational']],
  ['appxpackaging-om', ['Microsoft-Windows-AppxPackaging/Operational']],
  ['bitlocker', ['Microsoft-Windows-BitLocker/BitLocker Management']],
  ['bits-client', ['Microsoft-Windows-Bits-Client/Operational']],
  ['capi2', ['Microsoft-Windows-CAPI2/Operational']],
  [
    'certificateservicesclient-lifecycle-system',
    ['Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational'],
  ],
  ['codeintegrity-operational', ['Microsoft-Windows-CodeIntegrity/Operational']],
  ['dhcp', ['Microsoft-Windows-DHCP-Server/Operational']],
  ['diagnosis-scripted', ['Microsoft-Windows-Diagnosis-Scripted/Operational']],
  ['dns-client', ['Microsoft-Windows-DNS Client Events/Operational']],
  ['dns-server', ['DNS Server']],
  ['dns-server-analytic', ['Microsoft-Windows-DNS-Server/Analytical']],
  ['dns-server-audit', ['Microsoft-Windows-DNS-Server/Audit']],
  ['driver-framework', ['Microsoft-Windows-DriverFrameworks-UserMode/Operational']],
  ['firewall-as', ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall']],
  // the taxonomy names the provider; the channels on disk carry -Admin / -Operational
  [
    'hyper-v-worker',
    [
      'Microsoft-Windows-Hyper-V-Worker',
      'Microsoft-Windows-Hyper-V-Worker-Admin',
      'Microsoft-Windows-Hyper-V-Worker-Operational',
    ],
  ],
  ['iis-configuration', ['Microsoft-IIS-Configuration/Operational']],
  ['kernel-event-tracing', ['Microsoft-Windows-Kernel-EventTracing', 'Microsoft-Windows-Kernel-EventTracing/Admin']],
  [
    'kernel-shimengine',
    ['Microsoft-Windows-Kernel-ShimEngine/Operational', 'Microsoft-Windows-Kernel-ShimEngine/Diagnostic'],
  ],
  ['ldap', ['Microsoft-Windows-LDAP-Client/Debug']],
  // the taxonomy's name before v2.0.0
  ['ldap_debug', ['Microsoft-Windows-LDAP-Client/Debug']],
  ['lsa-server', ['Microsoft-Windows-LSA/Operational']],
  [
    'microsoft-servicebus-client',
    ['Microsoft-ServiceBus-Client', 'Microsoft-ServiceBus-Client/Operational', 'Microsoft-ServiceBus-Client/Admin'],
  ],
  ['msexchange-management', ['MSExchange Management']],
  ['ntfs', ['Microsoft-Windows-Ntfs/Operational']],
  ['ntlm', ['Microsoft-Windows-NTLM/Operational']],
  ['openssh', ['OpenSSH/Operational']],
  ['powershell', POWERSHELL_CHANNELS],
  ['powershell-classic', ['Windows PowerShell']],
  ['printservice-admin', ['Microsoft-Windows-PrintService/Admin']],
  ['printservice-operational', ['Microsoft-Windows-PrintService/Operational']],
  ['security', ['Security']],
  [
    'security-mitigations',
    ['Microsoft-Windows-Security-Mitigations/Kernel Mode', 'Microsoft-Windows-Security-Mitigations/User Mode'],
  ],
  ['sense', ['Microsoft-Windows-SENSE/Operational']],
  [
    'servicebus-client',
    ['Microsoft-ServiceBus-Client', 'Microsoft-ServiceBus-Client/Operational', 'Microsoft-ServiceBus-Client/Admin'],
  ],
  ['shell-core', ['Microsoft-Windows-Shell-Core/Operational']],
  ['smbclient-connectivity', ['Microsoft-Windows-SmbClient/Connectivity']],
  ['smbclient-security', ['Microsoft-Windows-SmbClient/Security']],
  ['smbserver-connectivity', ['Microsoft-Windows-SMBServer/Connectivity']],
  ['sysmon', [SYSMON_CHANNEL]],
  ['system', ['System']],
  ['taskscheduler', ['Microsoft-Windows-TaskScheduler/Operational']],
  ['terminalservices-localsessionmanager', ['Microsoft-Windows-TerminalServices-LocalSessionManager/Operational']],
  ['vhdmp', ['Microsoft-Windows-VHDMP/Operational']],
  ['windefend', ['Microsoft-Windows-Windows Defender/Operational']],
  ['wmi', ['Microsoft-Windows-WMI-Activity/Operational']],
]);

/** One way a category's events appear in a channel. */
export type ChannelSource = {
  /** The service name used in labels ("sysmon", "security", …). */
  readonly service: string;
  readonly channels: readonly string[];
  readonly eventIds: readonly number[];
  readonly where?: Readonly<Record<string, readonly (string | number)[]>>;
  readonly fieldMap?: Readonly<Record<string, string>>;
  /**
   * Sigma fields this source cannot supply (or supplies in another value format). A rule that tests one of them
   * for absence, or reads one inside a negated selection, is not bound here: the missing field would make its
   * filter pass and the rule fire on everything its positive part matches.
   */
  readonly unavailable?: readonly string[];
};

function sysmon(...eventIds: number[]): ChannelSource {
  return { service: 'sysmon', channels: [SYSMON_CHANNEL], eventIds };
}

/**
 * Security 4688 carries the new process's path and command line, and the creator's account and logon id; the
 * Sysmon-only enrichments (PE version info, hashes, integrity level as a word, the parent's command line, the
 * working directory) do not exist, and PIDs are hexadecimal text. `User` is not mapped: 4688 splits the account
 * into SubjectUserName/SubjectDomainName of the *creator*, while Sysmon's User is `DOMAIN\name` of the new
 * process, so a mapped value would compare wrongly (e.g. `User|contains: 'AUTHORI'`).
 */
export const SECURITY_4688_FIELD_MAP: Readonly<Record<string, string>> = {
  Image: 'NewProcessName',
  ParentImage: 'ParentProcessName',
};

export const SECURITY_4688_UNAVAILABLE: readonly string[] = [
  'OriginalFileName',
  'Description',
  'Product',
  'Company',
  'FileVersion',
  'Hashes',
  'Imphash',
  'imphash',
  'md5',
  'sha1',
  'sha256',
  'IntegrityLevel',
  'User',
  'ParentUser',
  'ParentCommandLine',
  'CurrentDirectory',
  'LogonGuid',
  'LogonId',
  'TerminalSessionId',
  'ProcessGuid',
  'ParentProcessGuid',
  'ProcessId',
  'ParentProcessId',
  'UtcTime',
  'RuleName',
  'GrandParentImage',
];

/**
 * Defender events that name a threat and a path (the `antivirus` category): SigmaHQ's checker list (1006–1012,
 * 1017–1019, 1115, 1116) plus 1117–1119 (action taken / failed on a detection), which carry the same fields.
 */
export const DEFENDER_DETECTION_IDS: readonly number[] = [
  1006, 1007, 1008, 1009, 1010, 1011, 1012, 1017, 1018, 1019, 1115, 1116, 1117, 1118, 1119,
];

/** The taxonomy's antivirus field names → Defender's EventData names. */
export const DEFENDER_FIELD_MAP: Readonly<Record<string, string>> = {
  Signature: 'Threat Name',
  Filename: 'Path',
  Action: 'Action Name',
};

/** `product: windows`, `category: X` → the channel sources. */
export const WINDOWS_CATEGORIES: ReadonlyMap<string, readonly ChannelSource[]> = new Map<
  string,
  readonly ChannelSource[]
>([
  [
    'process_creation',
    [
      sysmon(1),
      {
        service: 'security',
        channels: ['Security'],
        eventIds: [4688],
        fieldMap: SECURITY_4688_FIELD_MAP,
        unavailable: SECURITY_4688_UNAVAILABLE,
      },
    ],
  ],
  ['file_change', [sysmon(2)]],
  ['network_connection', [sysmon(3)]],
  ['sysmon_status', [sysmon(4, 16)]],
  ['process_termination', [sysmon(5)]],
  ['driver_load', [sysmon(6)]],
  ['image_load', [sysmon(7)]],
  ['create_remote_thread', [sysmon(8)]],
  ['raw_access_thread', [sysmon(9)]],
  ['process_access', [sysmon(10)]],
  ['file_event', [sysmon(11)]],
  ['registry_event', [sysmon(12, 13, 14)]],
  [
    'registry_add',
    [{ service: 'sysmon', channels: [SYSMON_CHANNEL], eventIds: [12], where: { EventType: ['CreateKey'] } }],
  ],
  [
    'registry_delete',
    [
      {
        service: 'sysmon',
        channels: [SYSMON_CHANNEL],
        eventIds: [12],
        where: { EventType: ['DeleteKey', 'DeleteValue'] },
      },
    ],
  ],
  ['registry_set', [sysmon(13)]],
  ['registry_rename', [sysmon(14)]],
  ['create_stream_hash', [sysmon(15)]],
  ['pipe_created', [sysmon(17, 18)]],
  ['wmi_event', [sysmon(19, 20, 21)]],
  ['dns_query', [sysmon(22)]],
  // taxonomy v1.3 lists 23 and 26 for file_delete; 26 (delete logged, not archived) carries the same fields
  ['file_delete', [sysmon(23, 26)]],
  ['clipboard_capture', [sysmon(24)]],
  ['clipboard_change', [sysmon(24)]],
  ['process_tampering', [sysmon(25)]],
  ['file_delete_detected', [sysmon(26)]],
  ['file_block_executable', [sysmon(27)]],
  ['file_block_shredding', [sysmon(28)]],
  ['file_executable_detected', [sysmon(29)]],
  ['sysmon_error', [sysmon(255)]],
  ['ps_module', [{ service: 'powershell', channels: POWERSHELL_CHANNELS, eventIds: [4103] }]],
  ['ps_script', [{ service: 'powershell', channels: POWERSHELL_CHANNELS, eventIds: [4104] }]],
  ['ps_classic_start', [{ service: 'powershell-classic', channels: ['Windows PowerShell'], eventIds: [400] }]],
  ['ps_classic_provider_start', [{ service: 'powershell-classic', channels: ['Windows PowerShell'], eventIds: [600] }]],
  ['ps_classic_script', [{ service: 'powershell-classic', channels: ['Windows PowerShell'], eventIds: [800] }]],
]);

/** Windows categories no EVTX channel carries: said plainly rather than guessed. */
export const WINDOWS_UNSUPPORTED_CATEGORIES: ReadonlyMap<string, string> = new Map([
  [
    'file_access',
    'file_access comes from the Microsoft-Windows-Kernel-File ETW provider (an EDR or ETW collector), not from an event log channel Mamori reads',
  ],
  [
    'file_rename',
    'file_rename comes from the Microsoft-Windows-Kernel-File ETW provider (an EDR or ETW collector), not from an event log channel Mamori reads',
  ],
]);

/** Sysmon for Linux: the categories its event ids cover (the same schema as on Windows). */
export const LINUX_SYSMON_CATEGORIES: ReadonlyMap<string, readonly number[]> = new Map([
  ['process_creation', [1]],
  ['network_connection', [3]],
  ['sysmon_status', [4, 16]],
  ['process_termination', [5]],
  ['raw_access_thread', [9]],
  ['file_event', [11]],
  ['file_delete', [23]],
  ['sysmon_error', [255]],
]);
