// Web server access logs → the W3C extended field names SigmaHQ's webserver rules read. NCSA common and combined
// (Apache, nginx), with a leading virtual host (`vhost_combined`) or trailing extra fields; and W3C extended
// (IIS, with its `#Fields:` header). Values are kept as written (URL-encoded text stays encoded: the rules look
// for `%2e%2e%2f` as well as `../`). Linear scanning, no regular expressions.
import { isDigit, monthAt, num } from '../text.ts';

export type WebRecord = { data: Record<string, unknown>; time?: number; host?: string };

/** A decimal integer as a number when the text is one (up to 15 digits), else undefined. */
export function intOf(s: string): number | undefined {
  if (s.length === 0 || s.length > 15) return undefined;
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return undefined;
  return Number(s);
}

/** `10/Oct/2000:13:55:36 -0700` (optionally `.mmm` after the seconds) → ms UTC; undefined when malformed. */
export function clfTime(s: string, i: number, end: number): number | undefined {
  const d = num(s, i, 2);
  const mo = monthAt(s, i + 3);
  const y = num(s, i + 7, 4);
  const h = num(s, i + 12, 2);
  const mi = num(s, i + 15, 2);
  const se = num(s, i + 18, 2);
  if (
    d < 1 ||
    d > 31 ||
    mo < 0 ||
    y < 0 ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    se < 0 ||
    se > 60 ||
    s.charCodeAt(i + 2) !== 0x2f ||
    s.charCodeAt(i + 6) !== 0x2f ||
    s.charCodeAt(i + 11) !== 0x3a
  )
    return undefined;
  let j = i + 20;
  let ms = 0;
  if (s.charCodeAt(j) === 0x2e) {
    const f0 = ++j;
    while (j < end && isDigit(s.charCodeAt(j))) j++;
    const digits = Math.min(3, j - f0);
    if (digits > 0) ms = num(s, f0, digits) * (digits === 1 ? 100 : digits === 2 ? 10 : 1);
  }
  let offset = 0;
  if (s.charCodeAt(j) === 0x20) {
    const sign = s.charCodeAt(j + 1);
    const oh = num(s, j + 2, 2);
    const om = num(s, j + 4, 2);
    if ((sign !== 0x2b && sign !== 0x2d) || oh < 0 || om < 0) return undefined;
    offset = (sign === 0x2d ? -1 : 1) * (oh * 60 + om) * 60e3;
  }
  return Date.UTC(y, mo, d, h, mi, se, ms) - offset;
}

/** The end (index of the closing quote) of a quoted field opened at s[i]; backslash escapes skipped. */
function closeQuote(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) return -1;
    // an escaped quote (\") is preceded by an odd number of backslashes
    let b = q - 1;
    while (b > i && s.charCodeAt(b) === 0x5c) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    j = q + 1;
  }
}

function isMethod(m: string): boolean {
  if (m.length === 0 || m.length > 24) return false;
  for (let i = 0; i < m.length; i++) {
    const c = m.charCodeAt(i);
    if (!((c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x5f)) return false;
  }
  return true;
}

/** `GET /a/b?c=d HTTP/1.1` → cs-method, cs-uri-stem, cs-uri-query, cs-version; else the raw `request`. */
function request(r: string, data: Record<string, unknown>): void {
  const sp1 = r.indexOf(' ');
  const sp2 = r.lastIndexOf(' ');
  const method = sp1 < 0 ? r : r.slice(0, sp1);
  if (sp1 > 0 && isMethod(method)) {
    let uri: string;
    if (sp2 > sp1 && r.startsWith('HTTP/', sp2 + 1)) {
      uri = r.slice(sp1 + 1, sp2);
      data['cs-method'] = method;
      uriParts(uri, data);
      data['cs-version'] = r.slice(sp2 + 1);
    } else {
      // HTTP/0.9 (`GET /`) or a request line cut by the server's limit
      data['cs-method'] = method;
      uriParts(r.slice(sp1 + 1), data);
    }
    return;
  }
  // not a request line: a TLS handshake sent to an HTTP port (`\x16\x03\x01…`), `-`, garbage
  data['request'] = r;
}

function uriParts(uri: string, data: Record<string, unknown>): void {
  const q = uri.indexOf('?');
  if (q < 0) data['cs-uri-stem'] = uri;
  else {
    data['cs-uri-stem'] = uri.slice(0, q);
    data['cs-uri-query'] = uri.slice(q + 1);
  }
}

/** The UTC date and time of `t` in W3C form (`2026-11-25`, `10:00:00`). */
function dateTime(t: number, data: Record<string, unknown>): void {
  const iso = new Date(t).toISOString();
  data['date'] = iso.slice(0, 10);
  data['time'] = iso.slice(11, 19);
}

/** A trailing extra field: a request time (number) or a host name, else kept in `extra`. */
function extraField(v: string, data: Record<string, unknown>, extra: string[]): void {
  if (v === '-') return;
  if (data['time-taken'] === undefined && isNumberText(v)) {
    data['time-taken'] = Number(v);
    return;
  }
  if (data['cs-host'] === undefined && isHostName(v)) {
    data['cs-host'] = v;
    return;
  }
  extra.push(v);
}

function isNumberText(v: string): boolean {
  if (v.length === 0 || v.length > 20) return false;
  let dot = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x2e && !dot && i > 0 && i < v.length - 1) dot = true;
    else if (!isDigit(c)) return false;
  }
  return true;
}

/** `www.example.com` or `www.example.com:443`: letters, digits, dots and dashes, at least one dot and one letter. */
function isHostName(v: string): boolean {
  if (v.length < 3 || v.length > 255) return false;
  let dot = false;
  let letter = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i) | 0x20;
    if (c >= 0x61 && c <= 0x7a) letter = true;
    else if (c === 0x2e) dot = true;
    else if (!(isDigit(c) || c === 0x2d || c === 0x3a)) return false;
  }
  return dot && letter;
}

/**
 * One NCSA common/combined line: `host ident user [time] "request" status bytes ["referer" "agent"] [extra…]`,
 * optionally `vhost[:port]` first. Undefined when the line is not one.
 */
export function parseClfLine(line: string): WebRecord | undefined {
  const lb = line.indexOf(' [');
  if (lb <= 0 || lb > 1024) return undefined;
  const rb = line.indexOf(']', lb + 2);
  if (rb < 0 || rb - lb > 40) return undefined;
  const head = line.slice(0, lb).split(' ');
  if (head.length !== 3 && head.length !== 4) return undefined;
  const time = clfTime(line, lb + 2, rb);
  if (time === undefined) return undefined;
  if (line.charCodeAt(rb + 1) !== 0x20 || line.charCodeAt(rb + 2) !== 0x22) return undefined;
  const rq = closeQuote(line, rb + 2);
  if (rq < 0) return undefined;
  const data: Record<string, unknown> = {};
  const vhost = head.length === 4 ? head[0]! : undefined;
  const [ip, , user] = head.length === 4 ? head.slice(1) : head;
  // `-` is "no value", as in W3C logs: rules test that with `null` (`cs-referer: null`)
  data['c-ip'] = ip!;
  if (vhost !== undefined && vhost !== '-') data['cs-host'] = vhost;
  if (user !== '-') data['cs-username'] = user!;
  dateTime(time, data);
  const req = line.slice(rb + 3, rq);
  if (req !== '-') request(req, data);
  // status and bytes
  let i = rq + 1;
  if (line.charCodeAt(i) !== 0x20) return undefined;
  let sp = line.indexOf(' ', i + 1);
  if (sp < 0) sp = line.length;
  const status = line.slice(i + 1, sp);
  const st = intOf(status);
  if (st === undefined && status !== '-') return undefined;
  if (st !== undefined) data['sc-status'] = st;
  i = sp;
  if (i < line.length) {
    sp = line.indexOf(' ', i + 1);
    if (sp < 0) sp = line.length;
    const bytes = intOf(line.slice(i + 1, sp));
    if (bytes !== undefined) data['sc-bytes'] = bytes;
    i = sp;
  }
  // the rest: "referer" "user agent", then whatever the log format adds
  const quoted: string[] = [];
  const extra: string[] = [];
  while (i < line.length) {
    while (line.charCodeAt(i) === 0x20) i++;
    if (i >= line.length) break;
    let v: string;
    let wasQuoted = false;
    if (line.charCodeAt(i) === 0x22) {
      const q = closeQuote(line, i);
      if (q < 0) {
        v = line.slice(i + 1);
        i = line.length;
      } else {
        v = line.slice(i + 1, q);
        i = q + 1;
      }
      wasQuoted = true;
    } else {
      let e = line.indexOf(' ', i);
      if (e < 0) e = line.length;
      v = line.slice(i, e);
      i = e;
    }
    if (wasQuoted && quoted.length < 2 && extra.length === 0 && data['time-taken'] === undefined) quoted.push(v);
    else extraField(v, data, extra);
  }
  if (quoted.length > 0 && quoted[0] !== '-') data['cs-referer'] = quoted[0]!;
  if (quoted.length > 1 && quoted[1] !== '-') {
    data['cs-user-agent'] = quoted[1]!;
    // SigmaHQ's webserver rules use both names for the same header
    data['c-useragent'] = quoted[1]!;
  }
  if (extra.length) data['extra'] = extra;
  const host = data['cs-host'];
  return { data, time, ...(typeof host === 'string' ? { host: hostOnly(host) } : {}) };
}

function hostOnly(h: string): string {
  const c = h.lastIndexOf(':');
  return c > 0 && intOf(h.slice(c + 1)) !== undefined ? h.slice(0, c) : h;
}

// ---- W3C extended log format ----

/** W3C field names → the names the rules use. */
const W3C_NAMES: ReadonlyMap<string, readonly string[]> = new Map([
  ['cs(user-agent)', ['cs-user-agent', 'c-useragent']],
  ['cs-user-agent', ['cs-user-agent', 'c-useragent']],
  ['cs(referer)', ['cs-referer']],
  ['cs(referrer)', ['cs-referer']],
  ['cs(cookie)', ['cs-cookie']],
  ['cs(host)', ['cs-host']],
  ['cs(content-type)', ['cs-content-type']],
]);

const W3C_NUMBERS = new Set([
  'sc-status',
  'sc-substatus',
  'sc-win32-status',
  'sc-bytes',
  'cs-bytes',
  'time-taken',
  's-port',
  'c-port',
]);

/** A `#Fields:` directive's field names, each as the list of data keys it fills. */
export function w3cFields(directive: string): (readonly string[])[] {
  return directive
    .slice(directive.indexOf(':') + 1)
    .split(' ')
    .filter((f) => f !== '')
    .map((f) => W3C_NAMES.get(f.toLowerCase()) ?? [f]);
}

/**
 * One W3C data line, its values in `#Fields:` order. `-` is "no value": the field is left out. `+` in the user
 * agent is IIS's encoding of a space and is turned back.
 */
export function parseW3cLine(line: string, fields: readonly (readonly string[])[]): WebRecord | undefined {
  const data: Record<string, unknown> = {};
  let i = 0;
  let f = 0;
  let date: string | undefined;
  let time: string | undefined;
  while (i < line.length && f < fields.length) {
    while (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x09) i++;
    if (i >= line.length) break;
    let v: string;
    if (line.charCodeAt(i) === 0x22) {
      const q = closeQuote(line, i);
      v = q < 0 ? line.slice(i + 1) : line.slice(i + 1, q);
      i = q < 0 ? line.length : q + 1;
    } else {
      let e = i;
      while (e < line.length && line.charCodeAt(e) !== 0x20 && line.charCodeAt(e) !== 0x09) e++;
      v = line.slice(i, e);
      i = e;
    }
    const names = fields[f++]!;
    if (v === '-') continue;
    const name = names[0]!;
    if (name === 'date') date = v;
    else if (name === 'time') time = v;
    let value: unknown = v;
    if (W3C_NUMBERS.has(name)) value = intOf(v) ?? v;
    else if (name === 'cs-user-agent') value = v.replaceAll('+', ' ');
    for (const n of names) if (n !== '__proto__') data[n] = value;
  }
  while (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x09) i++;
  // as many values as fields, or the line is not of this header
  if (f < fields.length || i < line.length) return undefined;
  let t: number | undefined;
  if (date !== undefined && time !== undefined) {
    const p = Date.parse(`${date}T${time}Z`);
    if (!Number.isNaN(p)) t = p;
  }
  const host = data['s-computername'] ?? data['cs-host'];
  return {
    data,
    ...(t !== undefined ? { time: t } : {}),
    ...(typeof host === 'string' ? { host: hostOnly(host) } : {}),
  };
}
