// Which index keys an event carries, and which FieldSource reads it. This runs once per event: property checks and
// Map lookups only, and the answer for a (channel, event id) or a syslog program is built once and then shared.
import type { LogEvent } from '../event.ts';
import { eventIdOf, isObj, messageOf, programOf, type Obj } from './fields.ts';
import { LINUX_SYSMON_CHANNEL } from './windows.ts';

/** How an event's fields are read (see fieldSourceOf). */
export type SourceKind = 'evtx' | 'ecs' | 'ecs-flat' | 'object' | 'syslog' | 'sysmon-xml' | 'none';

/** An event's class: its index keys and the way its fields are read. Shared between events; never mutated. */
export type EventClass = { readonly keys: readonly string[]; readonly kind: SourceKind };

// ---- key names (bindings are built from the same functions, so both sides always agree) ----

export function channelKey(channel: string, eventId: number | '*'): string {
  return `channel:${channel.toLowerCase()}:${eventId}`;
}
export function productKey(product: 'windows' | 'linux'): string {
  return `product:${product}`;
}
export function syslogKey(program: string | '*'): string {
  return `syslog:${program.toLowerCase()}`;
}
export const KEY = {
  auditd: 'auditd',
  web: 'web',
  proxy: 'proxy',
  cloudtrail: 'aws:cloudtrail',
  k8sAudit: 'kubernetes:audit',
  gcpLogEntry: 'gcp:auditlog',
  gcpEcs: 'gcp:ecs-gcp.audit',
  azureActivity: 'azure:activitylogs',
  azureSignin: 'azure:signinlogs',
  azureAudit: 'azure:auditlogs',
  azureRisk: 'azure:riskdetection',
  m365Audit: 'm365:audit',
  okta: 'okta:system',
  githubAudit: 'github:audit',
  bitbucketAudit: 'bitbucket:audit',
  onelogin: 'onelogin:events',
  duo: 'cisco:duo',
  opencanary: 'opencanary',
  zeek: (log: string): string => `zeek:${log}`,
} as const;

export const ZEEK_LOGS: readonly string[] = ['dce_rpc', 'dns', 'http', 'kerberos', 'rdp', 'smb_files', 'x509'];

const NONE: EventClass = Object.freeze({ keys: Object.freeze([]), kind: 'none' });

function fixed(kind: SourceKind, ...keys: string[]): EventClass {
  return Object.freeze({ keys: Object.freeze(keys), kind });
}

// ---- Windows channels (EVTX, evtx_dump JSON, Winlogbeat) ----

type ChannelClasses = { readonly noEid: EventClass; readonly byEid: Map<number, EventClass> };

// channel names and event ids come from the file: cap what is remembered, so crafted input cannot grow memory
const MAX_CHANNELS = 1024;
const MAX_EIDS_PER_CHANNEL = 4096;
const channelCache = new Map<SourceKind, Map<string, ChannelClasses>>();
const LINUX_SYSMON_LC = LINUX_SYSMON_CHANNEL.toLowerCase();

function productOfChannel(channel: string): string {
  return productKey(channel.toLowerCase() === LINUX_SYSMON_LC ? 'linux' : 'windows');
}

/** The class of a channel event; channels match case-insensitively. */
export function channelClass(kind: SourceKind, channel: string, eventId: number | undefined): EventClass {
  let byChannel = channelCache.get(kind);
  if (byChannel === undefined) channelCache.set(kind, (byChannel = new Map()));
  let cc = byChannel.get(channel);
  if (cc === undefined) {
    cc = { noEid: fixed(kind, channelKey(channel, '*'), productOfChannel(channel)), byEid: new Map() };
    if (byChannel.size < MAX_CHANNELS) byChannel.set(channel, cc);
  }
  if (eventId === undefined) return cc.noEid;
  let c = cc.byEid.get(eventId);
  if (c === undefined) {
    c = fixed(kind, channelKey(channel, eventId), channelKey(channel, '*'), productOfChannel(channel));
    if (cc.byEid.size < MAX_EIDS_PER_CHANNEL) cc.byEid.set(eventId, c);
  }
  return c;
}

function evtxClass(data: Obj): EventClass | undefined {
  const ev = data['Event'];
  if (!isObj(ev)) return undefined;
  const sys = ev['System'];
  if (!isObj(sys)) return undefined;
  const channel = sys['Channel'];
  if (typeof channel !== 'string') return NONE;
  return channelClass('evtx', channel, eventIdOf(sys['EventID']));
}

function ecsClass(data: Obj): EventClass | undefined {
  const w = data['winlog'];
  if (isObj(w)) {
    const channel = w['channel'];
    if (typeof channel !== 'string') return undefined;
    return channelClass('ecs', channel, eventIdOf(w['event_id']));
  }
  // the same document flattened to dotted keys (some exports do that)
  const channel = data['winlog.channel'];
  if (typeof channel !== 'string') return undefined;
  return channelClass('ecs-flat', channel, eventIdOf(data['winlog.event_id']));
}

// ---- syslog ----

const SYSLOG_ANY = fixed('syslog', syslogKey('*'), productKey('linux'));
const MAX_PROGRAMS = 1024;
const programCache = new Map<string, EventClass>();
const sysmonXmlCache = new Map<number, EventClass>();
const SYSMON_XML_NO_EID = fixed(
  'sysmon-xml',
  channelKey(LINUX_SYSMON_CHANNEL, '*'),
  syslogKey('sysmon'),
  syslogKey('*'),
  productKey('linux'),
);

function sysmonXmlEventId(message: string): number | undefined {
  const open = message.indexOf('<EventID>');
  if (open < 0) return undefined;
  const close = message.indexOf('</EventID>', open);
  return close < 0 ? undefined : eventIdOf(message.slice(open + 9, close));
}

/** Sysmon for Linux: program `sysmon`, message one XML `<Event>`. */
export function sysmonXmlOf(data: Obj, program: string | undefined): string | undefined {
  if (program === undefined || program.length !== 6 || program.toLowerCase() !== 'sysmon') return undefined;
  const m = messageOf(data);
  if (m === undefined) return undefined;
  const at = m.indexOf('<Event');
  // only leading whitespace may come before the element
  return at >= 0 && m.slice(0, at).trim() === '' ? m.slice(at) : undefined;
}

function syslogClass(data: Obj): EventClass {
  const program = programOf(data);
  if (program === undefined || program === '') return SYSLOG_ANY;
  const xml = sysmonXmlOf(data, program);
  if (xml !== undefined) {
    const eid = sysmonXmlEventId(xml);
    if (eid === undefined) return SYSMON_XML_NO_EID;
    let c = sysmonXmlCache.get(eid);
    if (c === undefined) {
      c = fixed(
        'sysmon-xml',
        channelKey(LINUX_SYSMON_CHANNEL, eid),
        channelKey(LINUX_SYSMON_CHANNEL, '*'),
        syslogKey('sysmon'),
        syslogKey('*'),
        productKey('linux'),
      );
      if (sysmonXmlCache.size < MAX_EIDS_PER_CHANNEL) sysmonXmlCache.set(eid, c);
    }
    return c;
  }
  let c = programCache.get(program);
  if (c === undefined) {
    c = fixed('syslog', syslogKey(program), syslogKey('*'), productKey('linux'));
    if (programCache.size < MAX_PROGRAMS) programCache.set(program, c);
  }
  return c;
}

// ---- JSON: recognised shapes only; an unrecognised record carries no key, so no rule runs on it ----

const C = {
  cloudtrail: fixed('object', KEY.cloudtrail),
  k8s: fixed('object', KEY.k8sAudit),
  gcpLogEntry: fixed('object', KEY.gcpLogEntry),
  gcpEcs: fixed('object', KEY.gcpEcs),
  azureActivity: fixed('object', KEY.azureActivity),
  azureSignin: fixed('object', KEY.azureSignin),
  azureAudit: fixed('object', KEY.azureAudit),
  azureRisk: fixed('object', KEY.azureRisk),
  m365: fixed('object', KEY.m365Audit),
  okta: fixed('object', KEY.okta),
  github: fixed('object', KEY.githubAudit),
  bitbucket: fixed('object', KEY.bitbucketAudit),
  onelogin: fixed('object', KEY.onelogin),
  duo: fixed('object', KEY.duo),
  opencanary: fixed('object', KEY.opencanary),
  proxy: fixed('object', KEY.proxy),
  web: fixed('object', KEY.web),
  auditd: fixed('object', KEY.auditd, productKey('linux')),
};
const ZEEK: ReadonlyMap<string, EventClass> = new Map(ZEEK_LOGS.map((l) => [l, fixed('object', KEY.zeek(l))]));

/** Azure Monitor diagnostic-setting exports name the log in `category`; Log Analytics exports in `Type`. */
const AZURE_CATEGORY: ReadonlyMap<string, EventClass> = new Map([
  ['Administrative', C.azureActivity],
  ['Security', C.azureActivity],
  ['ServiceHealth', C.azureActivity],
  ['Alert', C.azureActivity],
  ['Recommendation', C.azureActivity],
  ['Policy', C.azureActivity],
  ['Autoscale', C.azureActivity],
  ['ResourceHealth', C.azureActivity],
  ['SignInLogs', C.azureSignin],
  ['NonInteractiveUserSignInLogs', C.azureSignin],
  ['ServicePrincipalSignInLogs', C.azureSignin],
  ['ManagedIdentitySignInLogs', C.azureSignin],
  ['AuditLogs', C.azureAudit],
  ['UserRiskEvents', C.azureRisk],
  ['RiskyUsers', C.azureRisk],
  ['ServicePrincipalRiskEvents', C.azureRisk],
]);
const AZURE_LA_TYPE: ReadonlyMap<string, EventClass> = new Map([
  ['AzureActivity', C.azureActivity],
  ['SigninLogs', C.azureSignin],
  ['AADNonInteractiveUserSignInLogs', C.azureSignin],
  ['AADServicePrincipalSignInLogs', C.azureSignin],
  ['AADManagedIdentitySignInLogs', C.azureSignin],
  ['AuditLogs', C.azureAudit],
  ['AADUserRiskEvents', C.azureRisk],
  ['AADRiskyUsers', C.azureRisk],
]);

const GCP_AUDIT_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';

function has(d: Obj, k: string): boolean {
  return Object.hasOwn(d, k);
}

function zeekClass(d: Obj): EventClass | undefined {
  const path = d['_path'];
  if (typeof path === 'string') return ZEEK.get(path);
  if (!has(d, 'ts')) return undefined;
  if (has(d, 'uid') && (has(d, 'id.orig_h') || isObj(d['id']))) {
    if (has(d, 'trans_id') && has(d, 'query')) return ZEEK.get('dns');
    if (has(d, 'trans_depth') && (has(d, 'method') || has(d, 'status_code') || has(d, 'uri')) && !has(d, 'mailfrom'))
      return ZEEK.get('http');
    const action = d['action'];
    if (typeof action === 'string' && action.startsWith('SMB::FILE_')) return ZEEK.get('smb_files');
    if (has(d, 'request_type') && (has(d, 'client') || has(d, 'service') || has(d, 'cipher')))
      return ZEEK.get('kerberos');
    if (has(d, 'endpoint') && has(d, 'operation')) return ZEEK.get('dce_rpc');
    if (has(d, 'cookie') || has(d, 'security_protocol') || has(d, 'keyboard_layout')) return ZEEK.get('rdp');
    return undefined;
  }
  if (has(d, 'certificate.serial') || (isObj(d['certificate']) && has(d['certificate'] as Obj, 'serial')))
    return ZEEK.get('x509');
  return undefined;
}

/** What a JSON record is, from its shape. Cheap checks in a fixed order, most common first. */
function jsonClass(d: Obj): EventClass {
  const win = evtxClass(d) ?? ecsClass(d);
  if (win !== undefined) return win;

  if (typeof d['eventSource'] === 'string' && typeof d['eventName'] === 'string') {
    if (has(d, 'awsRegion') || has(d, 'eventVersion')) return C.cloudtrail;
  }
  const apiVersion = d['apiVersion'];
  if (typeof apiVersion === 'string' && apiVersion.startsWith('audit.k8s.io/') && d['kind'] === 'Event') return C.k8s;
  const proto = d['protoPayload'];
  if (isObj(proto) && proto['@type'] === GCP_AUDIT_TYPE) return C.gcpLogEntry;
  const ecsEvent = d['event'];
  const dataset = isObj(ecsEvent) ? ecsEvent['dataset'] : d['event.dataset'];
  if (dataset === 'gcp.audit') return C.gcpEcs;

  const category = d['category'];
  if (typeof category === 'string' && (has(d, 'operationName') || has(d, 'resourceId'))) {
    const c = AZURE_CATEGORY.get(category);
    if (c) return c;
  }
  const laType = d['Type'];
  if (typeof laType === 'string') {
    const c = AZURE_LA_TYPE.get(laType);
    if (c) return c;
  }
  if (typeof d['Workload'] === 'string' && typeof d['Operation'] === 'string' && has(d, 'RecordType')) return C.m365;
  if (typeof d['eventType'] === 'string' && typeof d['published'] === 'string' && isObj(d['actor'])) return C.okta;
  if (typeof d['action'] === 'string') {
    if (has(d, '_document_id')) return C.github;
    if (has(d, 'actor') && (has(d, 'org') || has(d, 'business')) && (has(d, '@timestamp') || has(d, 'created_at')))
      return C.github;
  }
  const auditType = d['auditType'];
  if (isObj(auditType) && typeof auditType['action'] === 'string') return C.bitbucket;
  if (typeof d['event_type_id'] === 'number' && has(d, 'account_id')) return C.onelogin;
  if (typeof d['txid'] === 'string' && typeof d['event_type'] === 'string') return C.duo;
  if (typeof d['logtype'] === 'number' && has(d, 'node_id')) return C.opencanary;
  const zeek = zeekClass(d);
  if (zeek !== undefined) return zeek;
  // W3C extended log field names: Sigma's proxy taxonomy (c-uri, c-useragent, r-dns) or a web server's
  if (has(d, 'c-uri') || has(d, 'c-useragent') || has(d, 'r-dns')) return C.proxy;
  if (has(d, 'cs-uri-stem') || has(d, 'cs-uri-query') || has(d, 'cs-method')) return C.web;
  return NONE;
}

/** The class of any event, by its reader's format. */
export function classify(ev: LogEvent): EventClass {
  const d = ev.data;
  if (!isObj(d)) return NONE;
  switch (ev.format) {
    case 'evtx':
      return evtxClass(d) ?? NONE;
    case 'json':
      return jsonClass(d);
    case 'syslog':
      return syslogClass(d);
    case 'auditd':
      return C.auditd;
    case 'web':
      return C.web;
    case 'cloudtrail':
      return C.cloudtrail;
    default:
      return NONE;
  }
}
