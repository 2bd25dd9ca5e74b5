// What the built-in analysts read of a finding, read defensively. A Finding arrives typed, but it may have come
// from a JSONL file, an older Mamori or another tool: any field may be missing, of the wrong type, or huge. This
// module is the one place that looks inside; the analysts see a FindingView whose every field is checked, and
// each fact carries the path it came from, so a verdict can name the evidence it used.
import type { Asset, Finding, FindingKind } from '../../core/finding.ts';
import { isSeverity, type Severity } from '../../core/severity.ts';

/** The facts about a finding's evidence the analysts match and count. */
export const FACT_NAMES = [
  'image',
  'parentImage',
  'commandLine',
  'parentCommandLine',
  'user',
  'host',
  'sourceImage',
  'targetImage',
  'imageLoaded',
  'signature',
  'targetFilename',
  'targetObject',
  'serviceName',
  'serviceImage',
  'sourceIp',
  'userAgent',
  'url',
  'action',
] as const;
export type FactName = (typeof FACT_NAMES)[number];

/** A fact and where in the finding it was read (`evidence[0].data.Event.EventData.Image`). */
export type Fact = { readonly value: string; readonly path: string };

export type FindingView = {
  readonly id: string;
  /** Undefined when the finding's kind is not one Mamori knows. */
  readonly kind: FindingKind | undefined;
  /** The rule's level, else the finding's severity; undefined when neither is a Severity. */
  readonly level: Severity | undefined;
  readonly ruleId: string | undefined;
  readonly ruleTitle: string | undefined;
  /** Lower case (`stable`, `test`, `experimental`, ...). */
  readonly status: string | undefined;
  /** Lower case. */
  readonly tags: readonly string[];
  readonly falsepositives: readonly string[];
  readonly assetKind: Asset['kind'] | undefined;
  readonly assetName: string | undefined;
  readonly criticality: NonNullable<Asset['criticality']> | undefined;
  /** When it happened (finding time, else the first evidence's), epoch ms. */
  readonly timeMs: number | undefined;
  readonly facts: Readonly<Partial<Record<FactName, Fact>>>;
  /** The finding itself, for kind-specific fields; read it only through `at`. */
  readonly raw: unknown;
};

/** Facts longer than this are cut: a 32 KiB command line must not cost 32 KiB of regex work per pattern. */
export const MAX_FACT_CHARS = 8192;
/** Tags and false-positive notes beyond these counts are ignored (a rule file is input like any other). */
const MAX_LIST = 64;
const MAX_LIST_ITEM = 1024;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a path of keys, or undefined when any step is missing or not an object. */
export function at(v: unknown, ...keys: readonly (string | number)[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (typeof k === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[k];
    } else {
      if (!isObj(cur) || !Object.hasOwn(cur, k)) return undefined;
      cur = cur[k];
    }
  }
  return cur;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v.slice(0, MAX_LIST)) if (typeof x === 'string') out.push(x.slice(0, MAX_LIST_ITEM));
  return out;
}

/** A scalar as text; `{"#text": ...}` (evtx_dump) and arrays of scalars joined; empty and `-` mean absent. */
function text(v: unknown): string | undefined {
  let s: string | undefined;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' && Number.isFinite(v)) s = String(v);
  else if (typeof v === 'boolean') s = String(v);
  else if (isObj(v) && typeof v['#text'] === 'string') s = v['#text'];
  else if (Array.isArray(v) && v.length <= 64 && v.every((x) => typeof x === 'string' || typeof x === 'number'))
    s = v.join(' ');
  if (s === undefined) return undefined;
  s = s.trim();
  if (s === '' || s === '-') return undefined;
  return s.length > MAX_FACT_CHARS ? s.slice(0, MAX_FACT_CHARS) : s;
}

type Source = { readonly base: readonly string[]; readonly node: unknown };

/** Where named Windows event fields live: evtx_dump EventData, its UserData child, Winlogbeat's event_data. */
function windowsSources(data: unknown): Source[] {
  const out: Source[] = [];
  const ed = at(data, 'Event', 'EventData');
  if (isObj(ed)) out.push({ base: ['Event', 'EventData'], node: ed });
  const ud = at(data, 'Event', 'UserData');
  if (isObj(ud)) {
    for (const k of Object.keys(ud).slice(0, 4)) {
      if (k !== '#attributes' && isObj(ud[k])) out.push({ base: ['Event', 'UserData', k], node: ud[k] });
    }
  }
  const wl = at(data, 'winlog', 'event_data');
  if (isObj(wl)) out.push({ base: ['winlog', 'event_data'], node: wl });
  return out;
}

function pathText(base: readonly string[], key: string): string {
  const parts = ['evidence[0]', 'data', ...base, key].map((p, i) =>
    i < 2 || /^[A-Za-z_#@$][\w#@$-]*$/.test(p) ? p : `[${JSON.stringify(p)}]`,
  );
  return parts.join('.').replaceAll('.[', '[');
}

/** The first present field among `names`, in any of the sources, with its path. */
function pick(sources: readonly Source[], names: readonly string[], accept?: (v: string) => boolean): Fact | undefined {
  for (const n of names) {
    for (const s of sources) {
      if (!isObj(s.node) || !Object.hasOwn(s.node, n)) continue;
      const v = text(s.node[n]);
      if (v !== undefined && (accept === undefined || accept(v))) return { value: v, path: pathText(s.base, n) };
    }
  }
  return undefined;
}

/** A nested path in the evidence data (ECS `process.executable`, or the same written as one dotted key). */
function pickPath(data: unknown, dotted: string): Fact | undefined {
  const keys = dotted.split('.');
  const nested = text(at(data, ...keys));
  if (nested !== undefined) return { value: nested, path: pathText(keys.slice(0, -1), keys.at(-1) ?? '') };
  const flat = isObj(data) ? text(data[dotted]) : undefined;
  if (flat !== undefined) return { value: flat, path: pathText([], dotted) };
  return undefined;
}

function firstOf(...fs: (Fact | undefined)[]): Fact | undefined {
  for (const f of fs) if (f !== undefined) return f;
  return undefined;
}

function withDomain(sources: readonly Source[], user: Fact | undefined, domainField: string): Fact | undefined {
  if (user === undefined || user.value.includes('\\')) return user;
  const d = pick(sources, [domainField]);
  return d ? { value: `${d.value}\\${user.value}`, path: user.path } : user;
}

/** The facts of the first evidence record, whatever log format it came from. */
export function factsOf(
  data: unknown,
  matched: unknown,
  asset: { kind?: unknown; name?: unknown },
): Partial<Record<FactName, Fact>> {
  const win = windowsSources(data);
  const top: Source[] = [{ base: [], node: data }];
  const m: Source[] = isObj(matched) ? [{ base: [], node: matched }] : [];
  const fromMatched = (names: readonly string[]): Fact | undefined => {
    const f = pick(m, names);
    return f ? { value: f.value, path: `details.matched.${f.path.slice('evidence[0].data.'.length)}` } : undefined;
  };
  const notMachine = (v: string): boolean => !v.endsWith('$');
  const facts: Partial<Record<FactName, Fact>> = {};
  const set = (k: FactName, f: Fact | undefined): void => {
    if (f !== undefined) facts[k] = f;
  };

  set(
    'image',
    firstOf(
      pick(win, ['Image', 'NewProcessName']),
      pickPath(data, 'process.executable'),
      pick(top, ['exe']),
      fromMatched(['Image', 'NewProcessName']),
    ),
  );
  set(
    'parentImage',
    firstOf(
      pick(win, ['ParentImage', 'ParentProcessName']),
      pickPath(data, 'process.parent.executable'),
      fromMatched(['ParentImage', 'ParentProcessName']),
    ),
  );
  set(
    'commandLine',
    firstOf(
      pick(win, ['CommandLine']),
      pickPath(data, 'process.command_line'),
      pick(top, ['proctitle']),
      pick(win, ['ScriptBlockText']),
      fromMatched(['CommandLine']),
    ),
  );
  set('parentCommandLine', firstOf(pick(win, ['ParentCommandLine']), pickPath(data, 'process.parent.command_line')));
  set(
    'user',
    firstOf(
      pick(win, ['User']),
      withDomain(win, pick(win, ['SubjectUserName'], notMachine), 'SubjectDomainName'),
      withDomain(win, pick(win, ['TargetUserName'], notMachine), 'TargetDomainName'),
      pickPath(data, 'user.name'),
      pickPath(data, 'userIdentity.arn'),
      pick(top, ['AUID', 'auid', 'acct']),
      fromMatched(['User']),
    ),
  );
  set('sourceImage', pick(win, ['SourceImage']));
  set('targetImage', pick(win, ['TargetImage']));
  set('imageLoaded', pick(win, ['ImageLoaded']));
  set('signature', pick(win, ['Signature']));
  set('targetFilename', pick(win, ['TargetFilename']));
  set('targetObject', pick(win, ['TargetObject']));
  set('serviceName', pick(win, ['ServiceName']));
  set('serviceImage', pick(win, ['ImagePath', 'ServiceFileName']));
  set(
    'sourceIp',
    firstOf(pick(win, ['IpAddress', 'SourceIp']), pick(top, ['c-ip', 'sourceIPAddress']), pickPath(data, 'source.ip')),
  );
  set(
    'userAgent',
    firstOf(pick(top, ['cs-user-agent', 'c-useragent', 'userAgent']), pickPath(data, 'user_agent.original')),
  );
  const stem = pick(top, ['cs-uri-stem']);
  if (stem) {
    const q = pick(top, ['cs-uri-query']);
    set('url', q ? { value: `${stem.value}?${q.value}`.slice(0, MAX_FACT_CHARS), path: stem.path } : stem);
  }
  // What was done, for records that are not process starts: an HTTP method and path, a syslog program, an API call.
  const method = pick(top, ['cs-method']);
  const src = pick(top, ['eventSource']);
  const name = pick(top, ['eventName']);
  set(
    'action',
    firstOf(
      method && stem ? { value: `${method.value} ${stem.value}`, path: stem.path } : undefined,
      src && name ? { value: `${src.value}:${name.value}`, path: name.path } : undefined,
      pick(top, ['appname']),
    ),
  );
  set('host', hostFact(data, asset));
  return facts;
}

/** Placeholder host names detectors write when the log names none. */
const NO_HOST = new Set(['', 'unknown', '-', 'localhost', '(none)']);

function hostFact(data: unknown, asset: { kind?: unknown; name?: unknown }): Fact | undefined {
  if (asset.kind === 'host') {
    const n = text(asset.name);
    if (n !== undefined && !NO_HOST.has(n.toLowerCase())) return { value: n, path: 'asset.name' };
  }
  const cands: (Fact | undefined)[] = [
    pickPath(data, 'Event.System.Computer'),
    pickPath(data, 'winlog.computer_name'),
    pickPath(data, 'host.name'),
    pick([{ base: [], node: data }], ['hostname']),
  ];
  for (const c of cands) if (c !== undefined && !NO_HOST.has(c.value.toLowerCase())) return c;
  return undefined;
}

const KINDS: ReadonlySet<string> = new Set<FindingKind>(['detection', 'vulnerability', 'misconfiguration', 'exposure']);
const CRITICALITIES: ReadonlySet<string> = new Set(['low', 'medium', 'high', 'critical']);

function timeOf(v: unknown): number | undefined {
  if (typeof v !== 'string' || v.length > 64) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Views of frozen findings (what triage hands every analyst: one shared copy), so the analysts of a finding read
 * it once between them. Only frozen objects are cached: a mutable one could change after it was read.
 */
const VIEWS = new WeakMap<object, FindingView>();

/** Reads a finding (or anything claiming to be one) into a checked view. Never throws. */
export function viewOf(finding: Finding | unknown): FindingView {
  const frozen = typeof finding === 'object' && finding !== null && Object.isFrozen(finding);
  if (frozen) {
    const hit = VIEWS.get(finding);
    if (hit) return hit;
  }
  const view = readView(finding);
  if (frozen) VIEWS.set(finding as object, view);
  return view;
}

function readView(finding: unknown): FindingView {
  const f: unknown = finding;
  const kind = str(at(f, 'kind'));
  const level = str(at(f, 'rule', 'level'));
  const sev = str(at(f, 'severity'));
  const crit = str(at(f, 'asset', 'criticality'));
  const assetKind = str(at(f, 'asset', 'kind'));
  const asset = { kind: assetKind, name: at(f, 'asset', 'name') };
  const ruleId = text(at(f, 'rule', 'id'));
  const evidence0 = at(f, 'evidence', 0);
  return {
    id: (str(at(f, 'id')) ?? '').slice(0, 256),
    kind: kind !== undefined && KINDS.has(kind) ? (kind as FindingKind) : undefined,
    level: level !== undefined && isSeverity(level) ? level : sev !== undefined && isSeverity(sev) ? sev : undefined,
    ruleId: ruleId?.slice(0, 512),
    ruleTitle: text(at(f, 'rule', 'title'))?.slice(0, 512),
    status: text(at(f, 'rule', 'status'))
      ?.toLowerCase()
      .slice(0, 64),
    tags: strList(at(f, 'rule', 'tags')).map((t) => t.toLowerCase()),
    falsepositives: strList(at(f, 'rule', 'falsepositives')),
    assetKind:
      assetKind !== undefined && ['host', 'file', 'package', 'image', 'service'].includes(assetKind)
        ? (assetKind as Asset['kind'])
        : undefined,
    assetName: text(asset.name)?.slice(0, 1024),
    criticality: crit !== undefined && CRITICALITIES.has(crit) ? (crit as FindingView['criticality']) : undefined,
    timeMs: timeOf(at(f, 'time')) ?? timeOf(at(evidence0, 'time')),
    facts: factsOf(at(evidence0, 'data'), at(f, 'details', 'matched'), asset),
    raw: f,
  };
}

/** A host name as the fleet counts it: lower case, without its domain (unless it is an address). */
export function hostKey(name: string): string {
  const h = name.trim().toLowerCase();
  if (/^[\d.]+$/.test(h) || h.includes(':')) return h;
  const dot = h.indexOf('.');
  return dot > 0 ? h.slice(0, dot) : h;
}
