// bindLogsource: a Sigma `logsource` → the index keys (and per-key conditions and field renames) under which its
// rules run, or the reason no reader here produces that log source. Tables in docs/formats/logsources.md.
import type { Logsource } from '../sigma/types.ts';
import { KEY, ZEEK_LOGS, channelKey, productKey, syslogKey } from './keys.ts';
import {
  DEFENDER_DETECTION_IDS,
  DEFENDER_FIELD_MAP,
  LINUX_SYSMON_CATEGORIES,
  LINUX_SYSMON_CHANNEL,
  WINDOWS_CATEGORIES,
  WINDOWS_SERVICE_CHANNELS,
  WINDOWS_UNSUPPORTED_CATEGORIES,
  type ChannelSource,
} from './windows.ts';

/** One way a rule's log source is read: events carrying `key`, meeting `where`, with fields renamed by `fieldMap`. */
export type RuleBinding = {
  /** Index key; events yield keys via eventKeys(). */
  readonly key: string;
  /** Extra conditions (e.g. EventType: CreateKey on Sysmon EID 12): ANDed across fields, ORed across values, case-insensitive equality. */
  readonly where?: Readonly<Record<string, readonly (string | number)[]>>;
  /** Sigma field → event field for this binding (e.g. Image → NewProcessName on Security 4688). */
  readonly fieldMap?: Readonly<Record<string, string>>;
  /** Human-readable, e.g. "windows/sysmon EID 1", for --explain, findings and docs. */
  readonly label: string;
  /**
   * Sigma fields this binding cannot supply. A rule that reads one inside a negated selection, or tests one for
   * absence (`null`, `|exists`), is not bound here (a missing field would make its filter pass).
   */
  readonly unavailable?: readonly string[];
};

export type BindResult = { bindings: RuleBinding[] } | { unsupported: string };

// ---- Linux: syslog programs per Sigma service ----

/** Programs whose messages /var/log/auth.log (auth, authpriv facilities) collects on Debian and RHEL systems. */
const AUTH_PROGRAMS = [
  'sshd',
  'sshd-session',
  'sshd-auth',
  'sudo',
  'su',
  'login',
  'systemd-logind',
  'polkitd',
  'pkexec',
  'passwd',
  'chpasswd',
  'chage',
  'useradd',
  'userdel',
  'usermod',
  'groupadd',
  'groupdel',
  'groupmod',
  'gpasswd',
  'newgrp',
  'unix_chkpwd',
  'gdm-password',
  'lightdm',
  'cron',
  'crond',
];

/** `product: linux`, `service: X` → the syslog programs (tags) that write that log. */
export const LINUX_SERVICE_PROGRAMS: ReadonlyMap<string, readonly string[]> = new Map([
  ['auth', AUTH_PROGRAMS],
  // OpenSSH 9.8 split the per-connection work into sshd-session (and 10.0 into sshd-auth)
  ['sshd', ['sshd', 'sshd-session', 'sshd-auth']],
  ['sudo', ['sudo']],
  ['cron', ['cron', 'crond', 'anacron']],
  ['clamav', ['clamd', 'freshclam', 'clamav-milter', 'clamscan', 'clamonacc']],
  ['guacamole', ['guacd']],
  ['vsftpd', ['vsftpd']],
]);

/** `service: apache|nginx` (no product): their error logs, when sent to syslog. */
const WEB_ERROR_PROGRAMS: ReadonlyMap<string, readonly string[]> = new Map([
  ['apache', ['apache2', 'httpd', 'apache']],
  ['nginx', ['nginx']],
]);

/** The syslog facility values that mean auth/authpriv, as a number or a name. */
const AUTH_FACILITIES: readonly (string | number)[] = [4, 10, 'auth', 'authpriv'];

// ---- GCP: rules written for Filebeat's gcp.audit fields, read from the native Cloud Logging LogEntry ----

const GCP_LOGENTRY_FIELD_MAP: Readonly<Record<string, string>> = {
  'gcp.audit.method_name': 'protoPayload.methodName',
  'gcp.audit.service_name': 'protoPayload.serviceName',
  'gcp.audit.resource_name': 'protoPayload.resourceName',
  'gcp.audit.principal_email': 'protoPayload.authenticationInfo.principalEmail',
  'gcp.audit.authentication_info.principal_email': 'protoPayload.authenticationInfo.principalEmail',
  'gcp.audit.authorization_info.permission': 'protoPayload.authorizationInfo.permission',
  'gcp.audit.authorization_info.granted': 'protoPayload.authorizationInfo.granted',
  'gcp.audit.request_metadata.caller_ip': 'protoPayload.requestMetadata.callerIp',
  'gcp.audit.status.code': 'protoPayload.status.code',
  // some rules wrap the LogEntry in `data`; resource and logName sit beside protoPayload, not inside it
  'data.protoPayload.methodName': 'protoPayload.methodName',
  'data.protoPayload.serviceName': 'protoPayload.serviceName',
  'data.protoPayload.authorizationInfo.permission': 'protoPayload.authorizationInfo.permission',
  'data.protoPayload.authorizationInfo.granted': 'protoPayload.authorizationInfo.granted',
  'data.protoPayload.resource.type': 'resource.type',
  'data.protoPayload.logName': 'logName',
};

/** Sigma's generic `dns` category fields → Zeek dns.log. */
const ZEEK_DNS_FIELD_MAP: Readonly<Record<string, string>> = {
  answer: 'answers',
  record_type: 'qtype_name',
};

// ---- what is deliberately not read, and why ----

const NETWORK_DEVICE =
  'network device logs (Cisco, Huawei, Juniper): no reader recognises their message formats, and running these keyword rules on every syslog line would match wrongly';
const APPLIANCE = 'firewall/VPN appliance logs (FortiGate, FortiOS, PAN-OS): no reader for their formats';
const APPLICATION =
  'application logs (free text of a framework or runtime): no reader tells one application’s log from another, and these keyword rules need that application’s own log';
const MACOS = 'macOS process and file events come from an EDR or the Endpoint Security framework: no reader here';

const UNSUPPORTED_PRODUCTS: ReadonlyMap<string, string> = new Map([
  ['macos', MACOS],
  ['cisco', NETWORK_DEVICE],
  ['huawei', NETWORK_DEVICE],
  ['juniper', NETWORK_DEVICE],
  ['fortigate', APPLIANCE],
  ['fortios', APPLIANCE],
  ['paloalto', APPLIANCE],
  ['qualys', 'Qualys scan results are not a log Mamori reads'],
  ['django', APPLICATION],
  ['python', APPLICATION],
  ['ruby_on_rails', APPLICATION],
  ['spring', APPLICATION],
  ['sql', APPLICATION],
  ['velocity', APPLICATION],
  ['nodejs', APPLICATION],
  ['jvm', APPLICATION],
]);

const UNSUPPORTED_GENERIC_CATEGORIES: ReadonlyMap<string, string> = new Map([
  [
    'firewall',
    'generic firewall logs (src_ip, dst_ip, dst_port, action): no reader produces these field names, and guessing them from arbitrary JSON would match wrongly',
  ],
  ['database', 'database query logs: no reader for them'],
]);

const UNSUPPORTED_SERVICES: ReadonlyMap<string, string> = new Map([
  ['netflow', 'NetFlow records are not a log format Mamori reads'],
  [
    'azure/pim',
    'PIM alerts (riskEventType) come from Microsoft Graph alert APIs; no recognised export shape carries them',
  ],
  [
    'gcp/google_workspace.admin',
    'the rules read eventService/eventName/setting_name, a flattened Admin SDK Reports shape that no reader or recognised export produces',
  ],
  [
    'm365/exchange',
    'the rules read eventSource/eventName/status, a normalised alert shape that Management Activity API records do not have',
  ],
  [
    'm365/threat_detection',
    'the rules read eventSource/eventName/status, a normalised alert shape that Management Activity API records do not have',
  ],
  [
    'm365/threat_management',
    'the rules read eventSource/eventName/status, a normalised alert shape that Management Activity API records do not have',
  ],
]);

/** The prefix of the reason given for a log source nobody has decided about (the conformance suite looks for it). */
export const UNKNOWN_LOGSOURCE = 'unknown log source';

// ---- builders ----

function channelBindings(src: ChannelSource, product: string, labelPrefix?: string): RuleBinding[] {
  const out: RuleBinding[] = [];
  for (const channel of src.channels) {
    for (const eid of src.eventIds) {
      const where = src.where ? ` where ${Object.keys(src.where).join(',')}` : '';
      const ch = src.channels.length > 1 ? ` (${channel})` : '';
      out.push({
        key: channelKey(channel, eid),
        label: `${labelPrefix ?? `${product}/${src.service}`} EID ${eid}${ch}${where}`,
        ...(src.where ? { where: src.where } : {}),
        ...(src.fieldMap ? { fieldMap: src.fieldMap } : {}),
        ...(src.unavailable ? { unavailable: src.unavailable } : {}),
      });
    }
  }
  return out;
}

function serviceChannelBindings(service: string, channels: readonly string[]): RuleBinding[] {
  return channels.map((channel) => ({
    key: channelKey(channel, '*'),
    label: `windows/${service}${channels.length > 1 ? ` (${channel})` : ''}`,
  }));
}

function programBindings(label: string, programs: readonly string[]): RuleBinding[] {
  return programs.map((p) => ({ key: syslogKey(p), label: `${label} (syslog ${p})` }));
}

function windowsCategory(category: string, service: string | undefined): BindResult | undefined {
  const sources = WINDOWS_CATEGORIES.get(category);
  if (sources) {
    const wanted = service ? WINDOWS_SERVICE_CHANNELS.get(service) : undefined;
    if (service && !wanted) return { unsupported: `${UNKNOWN_LOGSOURCE}: windows service '${service}'` };
    const bindings: RuleBinding[] = [];
    for (const src of sources) {
      if (wanted && !src.channels.some((c) => wanted.includes(c))) continue;
      bindings.push(...channelBindings(src, 'windows'));
    }
    if (bindings.length === 0)
      return { unsupported: `category '${category}' is not written to the channels of service '${service}'` };
    return { bindings };
  }
  const reason = WINDOWS_UNSUPPORTED_CATEGORIES.get(category);
  return reason ? { unsupported: reason } : undefined;
}

function windows(category: string | undefined, service: string | undefined): BindResult {
  if (category === 'antivirus') return antivirus();
  if (category) {
    return (
      windowsCategory(category, service) ?? { unsupported: `${UNKNOWN_LOGSOURCE}: windows category '${category}'` }
    );
  }
  if (service) {
    const channels = WINDOWS_SERVICE_CHANNELS.get(service);
    if (channels) return { bindings: serviceChannelBindings(service, channels) };
    return { unsupported: `${UNKNOWN_LOGSOURCE}: windows service '${service}'` };
  }
  return { bindings: [{ key: productKey('windows'), label: 'windows (any channel)' }] };
}

function linux(category: string | undefined, service: string | undefined): BindResult {
  if (category) {
    const ids = LINUX_SYSMON_CATEGORIES.get(category);
    if (!ids) return { unsupported: `${UNKNOWN_LOGSOURCE}: linux category '${category}'` };
    return {
      bindings: channelBindings(
        { service: 'sysmon', channels: [LINUX_SYSMON_CHANNEL], eventIds: ids },
        'linux',
        'linux/sysmon',
      ),
    };
  }
  if (service === undefined) return { bindings: [{ key: productKey('linux'), label: 'linux (any log)' }] };
  if (service === 'auditd') return { bindings: [{ key: KEY.auditd, label: 'linux/auditd' }] };
  if (service === 'syslog') return { bindings: [{ key: syslogKey('*'), label: 'linux/syslog' }] };
  const programs = LINUX_SERVICE_PROGRAMS.get(service);
  if (!programs) return { unsupported: `${UNKNOWN_LOGSOURCE}: linux service '${service}'` };
  const bindings = programBindings(`linux/${service}`, programs);
  if (service === 'auth') {
    // records that carry their facility (from a syslog PRI) are auth.log material whatever their program
    bindings.push({
      key: syslogKey('*'),
      where: { facility: AUTH_FACILITIES },
      label: 'linux/auth (syslog auth facility)',
    });
  }
  return { bindings };
}

function antivirus(): BindResult {
  const channel = WINDOWS_SERVICE_CHANNELS.get('windefend')![0]!;
  return {
    bindings: DEFENDER_DETECTION_IDS.map((eid) => ({
      key: channelKey(channel, eid),
      fieldMap: DEFENDER_FIELD_MAP,
      label: `antivirus (windows/windefend EID ${eid})`,
    })),
  };
}

function one(key: string, label: string, extra?: Partial<RuleBinding>): BindResult {
  return { bindings: [{ key, label, ...extra }] };
}

function clean(v: string | undefined): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  return t === '' ? undefined : t;
}

/** The bindings of a Sigma logsource, or why no reader here produces it. Pure and cheap; call once per rule. */
export function bindLogsource(ls: Logsource): BindResult {
  const product = clean(ls.product);
  const category = clean(ls.category);
  const service = clean(ls.service);
  const what = `product: ${product ?? '-'}, category: ${category ?? '-'}, service: ${service ?? '-'}`;
  const unknown: BindResult = { unsupported: `${UNKNOWN_LOGSOURCE} (${what}): no reader is known to produce it` };
  if (!product && !category && !service) return { unsupported: 'the rule names no log source (empty logsource)' };

  const decided = UNSUPPORTED_SERVICES.get(product ? `${product}/${service}` : (service ?? ''));
  if (decided) return { unsupported: decided };

  switch (product) {
    case 'windows':
      return windows(category, service);
    case 'linux':
      return linux(category, service);
    case 'aws':
      return service === 'cloudtrail' ? one(KEY.cloudtrail, 'aws/cloudtrail') : unknown;
    case 'azure':
      switch (service) {
        case 'activitylogs':
          return one(KEY.azureActivity, 'azure/activitylogs');
        case 'signinlogs':
          return one(KEY.azureSignin, 'azure/signinlogs');
        case 'auditlogs':
          return one(KEY.azureAudit, 'azure/auditlogs');
        case 'riskdetection':
          return one(KEY.azureRisk, 'azure/riskdetection');
        default:
          return unknown;
      }
    case 'gcp':
      if (service === 'gcp.audit') {
        return {
          bindings: [
            { key: KEY.gcpEcs, label: 'gcp/gcp.audit (Filebeat ECS)' },
            { key: KEY.gcpLogEntry, label: 'gcp/gcp.audit (Cloud Logging AuditLog)', fieldMap: GCP_LOGENTRY_FIELD_MAP },
          ],
        };
      }
      if (service === 'google_workspace.login') {
        return one(KEY.gcpLogEntry, 'gcp/google_workspace.login (Cloud Logging AuditLog)', {
          where: { 'protoPayload.serviceName': ['login.googleapis.com'] },
        });
      }
      return unknown;
    case 'm365':
      return service === 'audit' ? one(KEY.m365Audit, 'm365/audit (Management Activity API)') : unknown;
    case 'okta':
      return service === 'okta' ? one(KEY.okta, 'okta/okta (System Log)') : unknown;
    case 'github':
      return service === 'audit' ? one(KEY.githubAudit, 'github/audit') : unknown;
    case 'bitbucket':
      return service === 'audit' ? one(KEY.bitbucketAudit, 'bitbucket/audit') : unknown;
    case 'onelogin':
      return service === 'onelogin.events' ? one(KEY.onelogin, 'onelogin/onelogin.events') : unknown;
    case 'kubernetes':
      return service === 'audit' ? one(KEY.k8sAudit, 'kubernetes/audit') : unknown;
    case 'opencanary':
      return one(KEY.opencanary, 'opencanary');
    case 'rpc_firewall':
      // RPC Firewall writes to its own event log, RPCFW; the rules name it with the old EventLog field
      return one(channelKey('RPCFW', '*'), 'rpc_firewall (windows channel RPCFW)', {
        fieldMap: { EventLog: 'Channel' },
      });
    case 'zeek':
      return service && ZEEK_LOGS.includes(service) ? one(KEY.zeek(service), `zeek/${service}`) : unknown;
    case 'apache':
    case 'nginx':
    case 'iis':
      if (category === 'webserver' || service === 'access') return one(KEY.web, `webserver (${product} access log)`);
      if (service === 'error')
        return { bindings: programBindings(`${product} error log`, WEB_ERROR_PROGRAMS.get(product) ?? []) };
      return unknown;
    case undefined:
      break;
    default: {
      if (product === 'cisco' && service === 'duo') return one(KEY.duo, 'cisco/duo');
      const reason = UNSUPPORTED_PRODUCTS.get(product);
      return reason ? { unsupported: reason } : unknown;
    }
  }

  // no product: generic categories and services
  if (category) {
    switch (category) {
      case 'webserver':
        return one(KEY.web, 'webserver (access log)');
      case 'proxy':
        return one(KEY.proxy, 'proxy (W3C fields)');
      case 'dns':
        return one(KEY.zeek('dns'), 'dns (zeek dns.log)', { fieldMap: ZEEK_DNS_FIELD_MAP });
      case 'antivirus':
        return antivirus();
    }
    const reason = UNSUPPORTED_GENERIC_CATEGORIES.get(category);
    if (reason) return { unsupported: reason };
    // a category without product: every product that has it
    const w = windowsCategory(category, undefined);
    const l = LINUX_SYSMON_CATEGORIES.has(category) ? linux(category, undefined) : undefined;
    const bindings = [...(w && 'bindings' in w ? w.bindings : []), ...(l && 'bindings' in l ? l.bindings : [])];
    if (bindings.length) return { bindings };
    if (w && 'unsupported' in w) return w;
    return unknown;
  }
  const errorPrograms = service ? WEB_ERROR_PROGRAMS.get(service) : undefined;
  if (errorPrograms) return { bindings: programBindings(`${service} error log`, errorPrograms) };
  return unknown;
}
