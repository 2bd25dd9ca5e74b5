// FieldSources: what the Sigma engine sees of one event. Built per event on the hot path, so each one is a thin
// wrapper that looks fields up in place; anything derived (UserData leaves, names without spaces, the keyword
// text list) is built on first need and at most once per event.
import type { FieldSource } from '../event.ts';

export type Obj = Record<string, unknown>;

const hasOwn = Object.hasOwn;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Nesting below this is not walked: JSON from a file can be deep enough to exhaust the stack. */
const MAX_DEPTH = 64;

// Dotted names come from rules (a bounded set); the cap only guards against callers passing event-derived names.
const SEGMENTS = new Map<string, readonly string[]>();
const SEGMENTS_MAX = 16384;

function segments(name: string): readonly string[] {
  let s = SEGMENTS.get(name);
  if (s === undefined) {
    s = name.split('.');
    if (SEGMENTS.size < SEGMENTS_MAX) SEGMENTS.set(name, s);
  }
  return s;
}

/**
 * A field value as the engine takes it: primitives and null as they are; XML-ish `{"#text": v}` unwrapped; an
 * element with only attributes is present but empty (null); other objects as their JSON text (so `contains`
 * still finds text inside them); arrays element-wise.
 */
export function normalize(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (const el of v) {
      if (el !== null && typeof el === 'object') return v.map(normalize);
    }
    return v;
  }
  const o = v as Obj;
  if (hasOwn(o, '#text')) return normalize(o['#text']);
  let only = true;
  for (const k in o) {
    if (k !== '#attributes') {
      only = false;
      break;
    }
  }
  if (only) return null;
  try {
    return JSON.stringify(o);
  } catch {
    // nested too deep to print (crafted input): present, but with no text to match
    return null;
  }
}

/** The value at a dotted path; arrays on the way are walked element-wise and their results gathered. */
export function pathValue(cur: unknown, segs: readonly string[], i: number, depth = 0): unknown {
  for (; i < segs.length; i++) {
    if (Array.isArray(cur)) {
      if (depth >= MAX_DEPTH) return undefined;
      let out: unknown[] | undefined;
      for (const el of cur) {
        const v = pathValue(el, segs, i, depth + 1);
        if (v === undefined) continue;
        out ??= [];
        if (Array.isArray(v)) for (const x of v) out.push(x);
        else out.push(v);
      }
      return out;
    }
    if (!isObj(cur)) return undefined;
    const s = segs[i]!;
    if (!hasOwn(cur, s)) return undefined;
    cur = cur[s];
  }
  return normalize(cur);
}

/**
 * `o[name]` when it is the object's own data. One keyed load instead of hasOwn + load: JSON values are never
 * functions, so a function is Object.prototype showing through (`constructor`, `toString`), as is `__proto__`.
 */
function own(o: Obj, name: string): unknown {
  const v = o[name];
  return typeof v === 'function' || name === '__proto__' ? undefined : v;
}

/** A field of a plain object: the literal key first (`id.orig_h` in Zeek JSON), then the dotted path. */
export function objectField(data: Obj, name: string): unknown {
  const v = own(data, name);
  if (v !== undefined) return normalize(v);
  if (name.indexOf('.') > 0) return pathValue(data, segments(name), 0);
  return undefined;
}

/** Every leaf value under `v` as text (null and empty elements and `xmlns` left out), in document order. */
export function leafTexts(v: unknown, out: string[], depth = 0): string[] {
  if (v === null || v === undefined) return out;
  switch (typeof v) {
    case 'string':
      out.push(v);
      return out;
    case 'number':
    case 'boolean':
    case 'bigint':
      out.push(String(v));
      return out;
    case 'object':
      if (depth >= MAX_DEPTH) return out;
      if (Array.isArray(v)) for (const x of v) leafTexts(x, out, depth + 1);
      else {
        for (const k in v as Obj) {
          // XML namespace URIs are the same in every event: as keywords they would only add false matches
          if (k !== 'xmlns') leafTexts((v as Obj)[k], out, depth + 1);
        }
      }
      return out;
    default:
      return out;
  }
}

/** A Windows EventID as a number: `4688`, `"4688"`, or `{"#attributes": {"Qualifiers": …}, "#text": 4688}`. */
export function eventIdOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string') {
    if (v.length === 0 || v.length > 10) return undefined;
    const n = Number(v);
    return Number.isInteger(n) ? n : undefined;
  }
  if (isObj(v) && hasOwn(v, '#text')) return eventIdOf(v['#text']);
  return undefined;
}

function attr(o: unknown, name: string): unknown {
  if (!isObj(o)) return undefined;
  const a = o['#attributes'];
  if (!isObj(a) || !hasOwn(a, name)) return undefined;
  return normalize(a[name]);
}

/** The System fields of an evtx_dump event under the names Sigma rules use. */
function evtxSystemField(sys: Obj, name: string): unknown {
  switch (name) {
    case 'EventID':
      return eventIdOf(sys['EventID']);
    case 'Qualifiers':
      return attr(sys['EventID'], 'Qualifiers');
    case 'Channel':
    case 'Computer':
    case 'Level':
    case 'Task':
    case 'Opcode':
    case 'Keywords':
    case 'EventRecordID':
    case 'Version':
      return hasOwn(sys, name) ? normalize(sys[name]) : undefined;
    case 'Provider_Name':
      return attr(sys['Provider'], 'Name');
    case 'Provider_Guid':
      return attr(sys['Provider'], 'Guid');
    case 'Provider_EventSourceName':
    case 'EventSourceName':
      return attr(sys['Provider'], 'EventSourceName');
    case 'ProcessID':
    case 'Execution_ProcessID':
      return attr(sys['Execution'], 'ProcessID');
    case 'ThreadID':
    case 'Execution_ThreadID':
      return attr(sys['Execution'], 'ThreadID');
    case 'UserID':
    case 'SecurityUserID':
    case 'Security_UserID':
      return attr(sys['Security'], 'UserID');
    case 'SystemTime':
    case 'TimeCreated':
    case 'TimeCreated_SystemTime':
      return attr(sys['TimeCreated'], 'SystemTime');
    case 'ActivityID':
    case 'Correlation_ActivityID':
      return attr(sys['Correlation'], 'ActivityID');
    case 'RelatedActivityID':
    case 'Correlation_RelatedActivityID':
      return attr(sys['Correlation'], 'RelatedActivityID');
    default:
      return undefined;
  }
}

const PROCESS_PID = ['process', 'pid'];
const PROCESS_THREAD_ID = ['process', 'thread', 'id'];
const USER_IDENTIFIER = ['user', 'identifier'];
const LOG_LEVEL = ['log', 'level'];

/** Winlogbeat's (ECS) names for the same System fields. */
function ecsSystemField(w: Obj, data: Obj, name: string): unknown {
  switch (name) {
    case 'EventID':
      return eventIdOf(w['event_id']);
    case 'Channel':
      return normalize(w['channel']);
    case 'Provider_Name':
      return normalize(w['provider_name']);
    case 'Provider_Guid':
      return normalize(w['provider_guid']);
    case 'Computer':
      return normalize(w['computer_name']);
    case 'EventRecordID':
      return normalize(w['record_id']);
    case 'Task':
      return normalize(w['task']);
    case 'Opcode':
      return normalize(w['opcode']);
    case 'Keywords':
      return normalize(w['keywords']);
    case 'Version':
      return normalize(w['version']);
    case 'ProcessID':
    case 'Execution_ProcessID':
      return pathValue(w, PROCESS_PID, 0);
    case 'ThreadID':
    case 'Execution_ThreadID':
      return pathValue(w, PROCESS_THREAD_ID, 0);
    case 'UserID':
    case 'SecurityUserID':
    case 'Security_UserID':
      return pathValue(w, USER_IDENTIFIER, 0);
    case 'ActivityID':
    case 'Correlation_ActivityID':
      return normalize(w['activity_id']);
    case 'RelatedActivityID':
    case 'Correlation_RelatedActivityID':
      return normalize(w['related_activity_id']);
    case 'Level':
      return pathValue(data, LOG_LEVEL, 0);
    case 'SystemTime':
    case 'TimeCreated':
    case 'TimeCreated_SystemTime':
      return normalize(data['@timestamp']);
    default:
      return undefined;
  }
}

/** UserData's leaves by element name, first in document order winning; attributes are not fields. */
function userDataLeaves(ud: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const visit = (o: Obj, depth: number): void => {
    for (const k in o) {
      if (k === '#attributes') continue;
      const v = o[k];
      if (isObj(v) && !hasOwn(v, '#text') && depth < MAX_DEPTH) {
        visit(v, depth + 1);
      } else if (!out.has(k)) {
        out.set(k, normalize(v));
      }
    }
  };
  if (isObj(ud)) visit(ud, 0);
  return out;
}

/**
 * EventData names with spaces ("Threat Name", "Process Name" in Defender events), under the name without
 * spaces that SigmaHQ rules use (ThreatName, ProcessName). Null when the event has none.
 */
function spacelessNames(ed: Obj): Map<string, unknown> | null {
  let out: Map<string, unknown> | null = null;
  for (const k in ed) {
    if (k.indexOf(' ') < 0) continue;
    out ??= new Map();
    const bare = k.replaceAll(' ', '');
    if (!hasOwn(ed, bare) && !out.has(bare)) out.set(bare, normalize(ed[k]));
  }
  return out;
}

const MAP_AFTER_LOOKUPS = 16;

function ownMap(o: Obj): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const k of Object.keys(o)) m.set(k, o[k]);
  return m;
}

/**
 * A Windows event: evtx_dump shape (`Event.System`, `Event.EventData` | `Event.UserData`) or Winlogbeat/ECS
 * (`winlog.event_data`, `winlog.user_data`, `winlog.channel`, …). Lookup order for a bare name: EventData,
 * UserData leaves, System, the dotted path from the top (`Event.System.EventID`, `winlog.event_data.Image`),
 * then EventData names with their spaces removed.
 */
export class WindowsFieldSource implements FieldSource {
  readonly #data: Obj;
  readonly #eventData: Obj | undefined;
  readonly #userData: unknown;
  /** evtx_dump System, or null for ECS. */
  readonly #system: Obj | null;
  /** ECS `winlog`, or null for evtx_dump. */
  readonly #winlog: Obj | null;
  #userLeaves: Map<string, unknown> | undefined;
  #spaceless: Map<string, unknown> | null | undefined;
  #values: readonly string[] | undefined;
  /** EventData as a Map, built once an event has been asked for enough fields that it pays (see get). */
  #eventDataMap: Map<string, unknown> | undefined;
  #lookups = 0;

  private constructor(data: Obj, eventData: unknown, userData: unknown, system: Obj | null, winlog: Obj | null) {
    this.#data = data;
    this.#eventData = isObj(eventData) ? eventData : undefined;
    this.#userData = userData ?? undefined;
    this.#system = system;
    this.#winlog = winlog;
  }

  /** For `{"Event": {"System": …}}`; undefined when `data` is not that shape. */
  static evtx(data: Obj): WindowsFieldSource | undefined {
    const ev = data['Event'];
    if (!isObj(ev)) return undefined;
    const sys = ev['System'];
    return new WindowsFieldSource(data, ev['EventData'], ev['UserData'], isObj(sys) ? sys : {}, null);
  }

  /** For Winlogbeat/ECS `{"winlog": {…}}`; undefined when `data` is not that shape. */
  static ecs(data: Obj): WindowsFieldSource | undefined {
    const w = data['winlog'];
    if (!isObj(w)) return undefined;
    return new WindowsFieldSource(data, w['event_data'], w['user_data'], null, w);
  }

  get(name: string): unknown {
    const ed = this.#eventData;
    if (ed !== undefined) {
      // a few lookups go straight to the object; an event that meets many rules (Sysmon EID 1 meets about a
      // thousand) gets its EventData copied into a Map once, which answers varying names several times faster
      let v: unknown;
      if (this.#eventDataMap !== undefined) v = this.#eventDataMap.get(name);
      else if (++this.#lookups > MAP_AFTER_LOOKUPS) v = (this.#eventDataMap = ownMap(ed)).get(name);
      else v = own(ed, name);
      if (v !== undefined) return normalize(v);
    }
    if (this.#userData !== undefined) {
      const v = (this.#userLeaves ??= userDataLeaves(this.#userData)).get(name);
      if (v !== undefined) return v;
    }
    const s =
      this.#system !== null ? evtxSystemField(this.#system, name) : ecsSystemField(this.#winlog!, this.#data, name);
    if (s !== undefined) return s;
    if (name.indexOf('.') > 0) {
      const v = objectField(this.#data, name);
      if (v !== undefined) return v;
    }
    if (ed !== undefined) {
      if (this.#spaceless === undefined) this.#spaceless = spacelessNames(ed);
      if (this.#spaceless !== null) return this.#spaceless.get(name);
    }
    return undefined;
  }

  values(): readonly string[] {
    return (this.#values ??= leafTexts(this.#data, []));
  }
}

/** Any JSON-like record: top-level keys, then dotted paths into nested objects and arrays. */
export class ObjectFieldSource implements FieldSource {
  readonly #data: Obj;
  #values: readonly string[] | undefined;

  constructor(data: Obj) {
    this.#data = data;
  }

  get(name: string): unknown {
    return objectField(this.#data, name);
  }

  values(): readonly string[] {
    return (this.#values ??= leafTexts(this.#data, []));
  }
}

/** The program (tag) of a syslog record, as the syslog reader names it. */
export function programOf(data: Obj): string | undefined {
  const p = data['appname'] ?? data['program'] ?? data['app_name'] ?? data['ident'];
  return typeof p === 'string' ? p : undefined;
}

export function messageOf(data: Obj): string | undefined {
  const m = data['message'] ?? data['msg'];
  return typeof m === 'string' ? m : undefined;
}

/** sudo's `user : TTY=pts/0 ; PWD=/home/u ; USER=root ; COMMAND=/bin/id` → TTY, PWD, USER, COMMAND. */
export function sudoFields(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(' ; ')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    let key = part.slice(0, eq).trim();
    const sp = key.lastIndexOf(' ');
    if (sp >= 0) key = key.slice(sp + 1);
    if (key && !out.has(key)) out.set(key, part.slice(eq + 1).trim());
  }
  return out;
}

/** A syslog record; sudo's `KEY=value ;` pairs are fields too (the `USER` of sudo rules). */
export class SyslogFieldSource implements FieldSource {
  readonly #data: Obj;
  readonly #sudo: boolean;
  #sudoFields: Map<string, string> | undefined;
  #values: readonly string[] | undefined;

  constructor(data: Obj, program: string | undefined) {
    this.#data = data;
    this.#sudo = program === 'sudo';
  }

  get(name: string): unknown {
    const v = objectField(this.#data, name);
    if (v !== undefined || !this.#sudo) return v;
    this.#sudoFields ??= sudoFields(messageOf(this.#data) ?? '');
    return this.#sudoFields.get(name);
  }

  values(): readonly string[] {
    return (this.#values ??= leafTexts(this.#data, []));
  }
}

const XML_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML text → string: the five named entities and numeric references; anything else left as written. */
export function xmlText(s: string): string {
  if (s.indexOf('&') < 0) return s;
  let out = '';
  let i = 0;
  for (;;) {
    const amp = s.indexOf('&', i);
    if (amp < 0) return out + s.slice(i);
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 10) {
      out += s.slice(i, amp + 1);
      i = amp + 1;
      continue;
    }
    const ent = s.slice(amp + 1, semi);
    let rep: string | undefined = XML_ENTITIES[ent];
    if (rep === undefined && ent.startsWith('#')) {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      if (Number.isInteger(code) && code >= 0 && code <= 0x10ffff) rep = String.fromCodePoint(code);
    }
    out += s.slice(i, amp) + (rep ?? s.slice(amp, semi + 1));
    i = semi + 1;
  }
}

/** The text of the first `<tag>…</tag>` in `xml`. */
export function xmlTagText(xml: string, tag: string): string | undefined {
  const open = xml.indexOf(`<${tag}>`);
  if (open < 0) return undefined;
  const start = open + tag.length + 2;
  const end = xml.indexOf(`</${tag}>`, start);
  return end < 0 ? undefined : xmlText(xml.slice(start, end));
}

function xmlAttr(xml: string, tag: string, name: string): string | undefined {
  const open = xml.indexOf(`<${tag} `);
  if (open < 0) return undefined;
  const close = xml.indexOf('>', open);
  const head = close < 0 ? xml.slice(open) : xml.slice(open, close);
  const at = head.indexOf(` ${name}="`);
  if (at < 0) return undefined;
  const start = at + name.length + 3;
  const end = head.indexOf('"', start);
  return end < 0 ? undefined : xmlText(head.slice(start, end));
}

/** `<Data Name="X">v</Data>` pairs of a Sysmon XML event; `<Data Name="X"/>` is present and null. */
function xmlEventData(xml: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  let i = 0;
  for (;;) {
    const at = xml.indexOf('<Data Name="', i);
    if (at < 0) return out;
    const nameStart = at + 12;
    const nameEnd = xml.indexOf('"', nameStart);
    if (nameEnd < 0) return out;
    const name = xmlText(xml.slice(nameStart, nameEnd));
    const gt = xml.indexOf('>', nameEnd);
    if (gt < 0) return out;
    if (xml[gt - 1] === '/') {
      if (!out.has(name)) out.set(name, null);
      i = gt + 1;
      continue;
    }
    const end = xml.indexOf('</Data>', gt + 1);
    if (end < 0) return out;
    if (!out.has(name)) out.set(name, xmlText(xml.slice(gt + 1, end)));
    i = end + 7;
  }
}

/**
 * Sysmon for Linux logs its events to syslog as one XML `<Event>` per message. Fields: the `<Data Name=…>`
 * values, then System (EventID, Channel, Computer, Provider_Name, …), then the syslog record's own fields.
 */
export class SysmonXmlFieldSource implements FieldSource {
  readonly #data: Obj;
  readonly #xml: string;
  #eventData: Map<string, string | null> | undefined;
  #values: readonly string[] | undefined;

  constructor(data: Obj, xml: string) {
    this.#data = data;
    this.#xml = xml;
  }

  get(name: string): unknown {
    this.#eventData ??= xmlEventData(this.#xml);
    const v = this.#eventData.get(name);
    if (v !== undefined) return v;
    const s = this.#system(name);
    if (s !== undefined) return s;
    return objectField(this.#data, name);
  }

  #system(name: string): unknown {
    const xml = this.#xml;
    switch (name) {
      case 'EventID':
        return eventIdOf(xmlTagText(xml, 'EventID'));
      case 'Channel':
      case 'Computer':
      case 'Level':
      case 'Task':
      case 'Opcode':
      case 'Keywords':
      case 'EventRecordID':
      case 'Version':
        return xmlTagText(xml, name);
      case 'Provider_Name':
        return xmlAttr(xml, 'Provider', 'Name');
      case 'Provider_Guid':
        return xmlAttr(xml, 'Provider', 'Guid');
      case 'ProcessID':
        return xmlAttr(xml, 'Execution', 'ProcessID');
      case 'ThreadID':
        return xmlAttr(xml, 'Execution', 'ThreadID');
      case 'UserID':
      case 'Security_UserID':
        return xmlAttr(xml, 'Security', 'UserId') ?? xmlAttr(xml, 'Security', 'UserID');
      case 'SystemTime':
      case 'TimeCreated':
        return xmlAttr(xml, 'TimeCreated', 'SystemTime');
      default:
        return undefined;
    }
  }

  values(): readonly string[] {
    if (this.#values) return this.#values;
    this.#eventData ??= xmlEventData(this.#xml);
    const out = leafTexts(this.#data, []);
    for (const v of this.#eventData.values()) if (v !== null) out.push(v);
    return (this.#values = out);
  }
}
