// What every detector shares: the compiled options, the names learned from fields, and the span type detectors
// produce. A detector never writes a mask itself; it reports a span, and one place (text.ts) chooses between
// overlapping spans and assigns masks, so numbering follows the text and no detector ever sees a mask.
import { type Cidr, inCidr, isNothingAddress, isPrivateIp, parseIp } from './checks.ts';
import { NON_HOSTS, WELL_KNOWN_DOMAINS, isPlaceholderValue, isWellKnownUser } from './fields.ts';
import type { MaskType } from './masks.ts';

/**
 * A piece of the text to replace. Either masked as `type` (the key and original default to the text itself),
 * replaced by a literal (`replace`), or kept as it is (`keep`: a mask already there, which nothing may overlap).
 */
export type Span = {
  readonly start: number;
  readonly end: number;
  /** Lower wins when spans overlap; then the longer one. */
  readonly prio: number;
  readonly type?: MaskType;
  readonly key?: string;
  readonly original?: string;
  readonly replace?: string;
  readonly keep?: true;
};

/** Span priorities: specific formats before generic ones, secrets before personal data before names. */
export const PRIO = {
  keep: -1,
  pem: 0,
  token: 1,
  pair: 2,
  url: 3,
  email: 4,
  number: 5,
  phone: 6,
  ip: 7,
  host: 8,
  user: 9,
  known: 10,
} as const;

/** A name learned from a field (a user, host or domain), masked wherever it appears later as a whole word. */
export type Known = { readonly type: 'user' | 'host' | 'domain'; readonly key: string; readonly original: string };

/** The compiled options and state detectors read. */
export type ScanContext = {
  readonly ips: 'private' | 'all' | 'none';
  readonly internalNetworks: readonly Cidr[];
  /** Mask internal host and domain names at all. */
  readonly hosts: boolean;
  /** Mask single-label names found in host fields (Computer, WorkstationName, hostname, ...). */
  readonly hostFields: boolean;
  /** Internal DNS suffixes, lower case, without a leading dot. */
  readonly internalSuffixes: readonly string[];
  /** Matches a name under one of the internal suffixes (undefined when there are none). */
  readonly internalHostRe: RegExp | undefined;
  /** User names never masked (lower case). */
  readonly keepUsers: ReadonlySet<string>;
  /** Learned names, by lower-case text. */
  readonly known: ReadonlyMap<string, Known>;
  /** Redacts text found inside other text (a decoded -EncodedCommand) with the same masks; undefined when nested. */
  readonly nested: ((text: string) => string) | undefined;
};

export function add(
  out: Span[],
  start: number,
  end: number,
  type: MaskType,
  prio: number,
  key?: string,
  original?: string,
): void {
  if (end <= start) return;
  out.push(key === undefined ? { start, end, type, prio } : { start, end, type, prio, key, original: original ?? key });
}

/** The internal suffix `name` falls under ('' for none). `name` must be lower case. */
export function internalSuffixOf(ctx: ScanContext, name: string): string {
  for (const suf of ctx.internalSuffixes) {
    if (name === suf || (name.length > suf.length && name.endsWith(suf) && name[name.length - suf.length - 1] === '.'))
      return suf;
  }
  return '';
}

/** Whether an address is masked under the options. */
export function ipMasked(ctx: ScanContext, text: string): boolean {
  if (ctx.ips === 'none') return false;
  const ip = parseIp(text);
  if (ip === undefined || isNothingAddress(ip)) return false;
  if (ctx.ips === 'all') return true;
  return isPrivateIp(ip) || ctx.internalNetworks.some((c) => inCidr(ip, c));
}

const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63}){0,126}\.?$/;
const IPISH = /^[0-9.]+$|:/;

/**
 * Spans for a value that names a host (a host field, `rhost=`, `-ComputerName`). Addresses follow the IP policy;
 * a dotted name is masked under an internal suffix, or always when it is the record's own `machine` (a Computer
 * field names an internal machine whatever its suffix); otherwise it is kept (public names like
 * `update.microsoft.com` are threat intelligence). A single label is masked when `single` (host fields) or when it
 * was learned. Returns false when the value is not a host name at all, so the caller can scan it as text instead.
 */
export function hostValueSpans(
  ctx: ScanContext,
  s: string,
  start: number,
  end: number,
  single: boolean,
  out: Span[],
  machine = false,
): boolean {
  let a = start;
  let b = end;
  while (a < b && s.charCodeAt(a) === 0x5c) a++; // \\WS01 in WorkstationName
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x2e)) b--;
  let name = s.slice(a, b);
  const colon = name.lastIndexOf(':');
  if (colon > 0 && /^:\d{1,5}$/.test(name.slice(colon)) && !name.slice(0, colon).includes(':')) {
    b = a + colon; // host:port
    name = name.slice(0, colon);
  }
  if (name.length === 0) return true;
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (IPISH.test(bare) && parseIp(bare) !== undefined) {
    if (ipMasked(ctx, bare)) add(out, a, b, 'ip', PRIO.ip);
    return true;
  }
  const dollar = name.length > 1 && name.endsWith('$') ? 1 : 0; // a machine account name
  if (!HOSTNAME.test(dollar ? name.slice(0, -1) : name)) return false;
  if (!ctx.hosts) return true;
  const lower = name.toLowerCase();
  if (NON_HOSTS.has(lower)) return true;
  const host = lower.slice(0, lower.length - dollar);
  if (/^[0-9.]+$/.test(host)) return true; // a port or a number, not a name
  if (host.includes('.')) {
    const suf = internalSuffixOf(ctx, host);
    if (suf !== '' && suf === host) add(out, a, b - dollar, 'domain', PRIO.host);
    else if (suf !== '' || machine) add(out, a, b - dollar, 'host', PRIO.host, ...knownHostKey(ctx, host));
    return true;
  }
  const known = ctx.known.get(host);
  if (known !== undefined && known.type === 'host')
    add(out, a, b - dollar, 'host', PRIO.host, known.key, known.original);
  else if (single) add(out, a, b - dollar, 'host', PRIO.host);
  return true;
}

/**
 * Spans for a value that names a domain (SubjectDomainName, `/domain:`, the `CONTOSO` of `CONTOSO\alice`). With
 * `directory` the value is known to be an Active Directory domain (a Windows domain field, a DN's DC= parts), which
 * is internal whatever its suffix; otherwise a dotted name is masked only under an internal suffix.
 */
export function domainValueSpans(
  ctx: ScanContext,
  s: string,
  start: number,
  end: number,
  out: Span[],
  directory = true,
): boolean {
  const raw = s.slice(start, end);
  const name = raw.trim();
  if (name.length > 253 || /[\r\n<>=:]/.test(name)) return false;
  const lower = name.toLowerCase();
  if (!ctx.hosts || name.length === 0 || WELL_KNOWN_DOMAINS.has(lower) || NON_HOSTS.has(lower)) return true;
  if (!HOSTNAME.test(name)) return /^[A-Za-z0-9 _.-]+$/.test(name);
  const a = start + (raw.length - raw.trimStart().length);
  if (/^\d+$/.test(lower)) return true;
  if (directory || !lower.includes('.') || internalSuffixOf(ctx, lower) !== '')
    add(out, a, a + name.length, 'domain', PRIO.host);
  return true;
}

const NUMERIC_OR_SID = /^(?:\d{1,20}|S-1-[0-9-]{1,200}|0x[0-9a-fA-F]{1,16})$/;
const EMAIL_SHAPE = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,20}$/;

/**
 * Spans for a value that names a user: `alice`, `CONTOSO\alice`, `alice@corp.example.jp` (an e-mail), `WS01$`
 * (a computer account: a host), and with `splitColon` `alice:secret` (curl -u). Well-known accounts, numbers and
 * SIDs (uid=0, S-1-5-18) are kept. Returns false when the value does not look like a name, so the caller scans it
 * as text.
 */
export function userValueSpans(
  ctx: ScanContext,
  s: string,
  start: number,
  end: number,
  out: Span[],
  splitColon = false,
): boolean {
  let a = start;
  let b = end;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  if (a === b) return true;
  const v = s.slice(a, b);
  if (v.length > 256 || /[\r\n=<>"]/.test(v)) return false;
  if (isPlaceholderValue(v) || NUMERIC_OR_SID.test(v)) return true;
  if (splitColon) {
    const c = v.indexOf(':');
    if (c > 0 && c < v.length - 1 && !/^\d+:\d+$/.test(v)) {
      userValueSpans(ctx, s, a, a + c, out);
      const pw = v.slice(c + 1);
      if (!isPlaceholderValue(pw)) add(out, a + c + 1, b, 'secret', PRIO.pair);
      return true;
    }
  }
  if (isWellKnownUser(v, ctx.keepUsers) || WELL_KNOWN_DOMAINS.has(v.toLowerCase())) return true;
  // DOMAIN\user (one or, in escaped text, two backslashes)
  const bs = v.lastIndexOf('\\');
  if (bs >= 0) {
    let d = bs;
    while (d > 0 && v.charCodeAt(d - 1) === 0x5c) d--;
    if (d > 0) domainValueSpans(ctx, s, a, a + d, out);
    if (bs + 1 < v.length) userValueSpans(ctx, s, a + bs + 1, b, out);
    return true;
  }
  if (EMAIL_SHAPE.test(v)) {
    add(out, a, b, 'email', PRIO.email);
    return true;
  }
  if (v.endsWith('$') && v.length > 1 && !v.includes(' ')) {
    if (ctx.hosts) add(out, a, b - 1, 'host', PRIO.host, ...knownHostKey(ctx, v.slice(0, -1)));
    return true;
  }
  if (v.includes('@')) return false;
  add(out, a, b, 'user', PRIO.user);
  return true;
}

/** The key and original of a learned host (so `WS01` shares the mask of `WS01.corp.example.jp`), or none. */
export function knownHostKey(ctx: ScanContext, name: string): [] | [string, string] {
  const k = ctx.known.get(name.toLowerCase());
  return k !== undefined && k.type === 'host' ? [k.key, k.original] : [];
}
