// Syslog lines: RFC 3164 (BSD, with or without <PRI>, as in /var/log/auth.log), RFC 5424, and the RFC 3339
// timestamp form rsyslog writes by default on Debian 12 (`2026-11-25T10:00:00.123456+00:00 host sshd[1]: msg`).
// Hand-written scanning with indexOf and char codes, no regular expressions: a hostile line costs linear time.
import { isDigit, monthAt, num } from '../text.ts';

/** The decoded fields of one line. Keys are only present when the line has them. */
export type SyslogData = {
  facility?: string;
  severity?: string;
  hostname?: string;
  appname?: string;
  pid?: number | string;
  msgid?: string;
  structured_data?: Record<string, Record<string, string | string[]>>;
  message: string;
};

export type SyslogRecord = { data: SyslogData; time?: number; host?: string };

const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

const DAY_MS = 86400e3;

/**
 * The year of RFC 3164 timestamps, which carry none. The first one gets the year of `now` — or the year before,
 * when that would put it more than a day in the future (a log is written before it is read). After that the year
 * only moves forward: a timestamp more than six months before the previous one is taken as a new year
 * (December → January), so times in one file never go back by a year. One instance per file.
 */
export class YearGuess {
  readonly #now: number;
  #year: number | undefined;
  #lastMonth = 0;

  constructor(now: number) {
    this.#now = now;
  }

  /** Milliseconds UTC of a timestamp without a year (taken as UTC). */
  time(month: number, day: number, h: number, m: number, s: number, ms: number): number {
    if (this.#year === undefined) {
      let y = new Date(this.#now).getUTCFullYear();
      if (Date.UTC(y, month, day, h, m, s, ms) > this.#now + DAY_MS) y--;
      this.#year = y;
    } else if (month < this.#lastMonth && this.#lastMonth - month >= 6) {
      this.#year++;
    }
    this.#lastMonth = month;
    return Date.UTC(this.#year, month, day, h, m, s, ms);
  }
}

type Stamp = { time: number; end: number };

/**
 * An RFC 3339 timestamp at s[i] (`2026-11-25T10:00:00[.ffffff](Z|±hh:mm|±hhmm)`; no zone is taken as UTC).
 * `end` is the index after it. Undefined when s[i] does not start one.
 */
export function isoStampAt(s: string, i: number): Stamp | undefined {
  if (s.length < i + 19) return undefined;
  const y = num(s, i, 4);
  const mo = num(s, i + 5, 2);
  const d = num(s, i + 8, 2);
  const h = num(s, i + 11, 2);
  const mi = num(s, i + 14, 2);
  const se = num(s, i + 17, 2);
  const t = s.charCodeAt(i + 10);
  if (
    y < 0 ||
    s.charCodeAt(i + 4) !== 0x2d ||
    s.charCodeAt(i + 7) !== 0x2d ||
    (t !== 0x54 && t !== 0x74) ||
    s.charCodeAt(i + 13) !== 0x3a ||
    s.charCodeAt(i + 16) !== 0x3a ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > 31 ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    se < 0 ||
    se > 60
  )
    return undefined;
  let j = i + 19;
  let ms = 0;
  if (s.charCodeAt(j) === 0x2e) {
    j++;
    const f0 = j;
    while (j < s.length && isDigit(s.charCodeAt(j))) j++;
    if (j === f0 || j - f0 > 9) return undefined;
    // milliseconds from the first three fraction digits
    const digits = Math.min(3, j - f0);
    ms = num(s, f0, digits) * (digits === 1 ? 100 : digits === 2 ? 10 : 1);
  }
  let offset = 0;
  const z = s.charCodeAt(j);
  if (z === 0x5a || z === 0x7a) j++;
  else if (z === 0x2b || z === 0x2d) {
    const oh = num(s, j + 1, 2);
    let om: number;
    if (s.charCodeAt(j + 3) === 0x3a) {
      om = num(s, j + 4, 2);
      j += 6;
    } else {
      om = num(s, j + 3, 2);
      j += 5;
    }
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return undefined;
    offset = (z === 0x2d ? -1 : 1) * (oh * 60 + om) * 60e3;
  }
  return { time: Date.UTC(y, mo - 1, d, h, mi, se, ms) - offset, end: j };
}

/** `Mmm dd hh:mm:ss` (day space-padded or not; optional `.fff` and year after the time, as some devices write). */
function bsdStampAt(s: string, i: number, years: YearGuess): Stamp | undefined {
  const month = monthAt(s, i);
  if (month < 0 || s.charCodeAt(i + 3) !== 0x20) return undefined;
  let j = i + 4;
  if (s.charCodeAt(j) === 0x20) j++;
  let day = 0;
  const d0 = j;
  while (j < d0 + 2 && isDigit(s.charCodeAt(j))) day = day * 10 + (s.charCodeAt(j++) - 0x30);
  if (j === d0 || day < 1 || day > 31 || s.charCodeAt(j) !== 0x20) return undefined;
  j++;
  // some devices put the year before the time: `Nov 25 2026 10:00:00`
  let year = -1;
  if (s.charCodeAt(j + 4) === 0x20 && isDigit(s.charCodeAt(j + 3))) {
    year = num(s, j, 4);
    if (year < 0) return undefined;
    j += 5;
  }
  const h = num(s, j, 2);
  const m = num(s, j + 3, 2);
  const se = num(s, j + 6, 2);
  if (s.charCodeAt(j + 2) !== 0x3a || s.charCodeAt(j + 5) !== 0x3a || h < 0 || h > 23 || m < 0 || m > 59)
    return undefined;
  if (se < 0 || se > 60) return undefined;
  j += 8;
  let ms = 0;
  if (s.charCodeAt(j) === 0x2e) {
    const f0 = ++j;
    while (j < s.length && isDigit(s.charCodeAt(j))) j++;
    const digits = Math.min(3, j - f0);
    if (digits > 0) ms = num(s, f0, digits) * (digits === 1 ? 100 : digits === 2 ? 10 : 1);
  }
  if (year < 0 && s.charCodeAt(j) === 0x20 && isDigit(s.charCodeAt(j + 1)) && s.charCodeAt(j + 5) === 0x20) {
    const y = num(s, j + 1, 4);
    if (y >= 1970) {
      year = y;
      j += 5;
    }
  }
  const time = year >= 0 ? Date.UTC(year, month, day, h, m, se, ms) : years.time(month, day, h, m, se, ms);
  return { time, end: j };
}

/** A process id as a number when it is one (up to 10 digits), else as written. */
function pidOf(s: string): number | string {
  if (s.length === 0 || s.length > 10) return s;
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return s;
  return Number(s);
}

/** Longest program tag read; a longer first word is message text, not a tag. */
const MAX_TAG = 128;

/**
 * `TAG[PID]: MSG` or `TAG: MSG` at s[i], into `data`. When the text has no tag (`-- MARK --`), the whole text is
 * the message.
 */
function tagAndMessage(s: string, i: number, data: SyslogData): void {
  const limit = Math.min(s.length, i + MAX_TAG + 1);
  let j = i;
  for (; j < limit; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x5b /* [ */ || c === 0x3a /* : */ || c === 0x20) break;
  }
  const c = s.charCodeAt(j);
  if (j > i && c === 0x5b) {
    const close = s.indexOf(']', j + 1);
    if (close > 0 && close - j <= 24 && s.charCodeAt(close + 1) === 0x3a) {
      data.appname = s.slice(i, j);
      data.pid = pidOf(s.slice(j + 1, close));
      data.message = s.slice(s.charCodeAt(close + 2) === 0x20 ? close + 3 : close + 2);
      return;
    }
  } else if (j > i && c === 0x3a && (j + 1 === s.length || s.charCodeAt(j + 1) === 0x20)) {
    data.appname = s.slice(i, j);
    data.message = s.slice(j + 2);
    return;
  }
  data.message = s.slice(i);
}

/** The hostname field: a word; undefined when the word is really the tag of a line without hostname. */
function hostAt(s: string, i: number): { host: string | undefined; next: number } {
  let sp = s.indexOf(' ', i);
  if (sp < 0) sp = s.length;
  const word = s.slice(i, sp);
  // `<13>Nov 25 10:00:00 sshd[1]: …` from a device that sends no hostname
  if (word.endsWith(':') || word.includes('[')) return { host: undefined, next: i };
  return { host: word, next: sp + 1 };
}

function priOf(s: string): { pri: number; next: number } | undefined {
  if (s.charCodeAt(0) !== 0x3c) return { pri: -1, next: 0 };
  let j = 1;
  let pri = 0;
  while (j < 5 && isDigit(s.charCodeAt(j))) pri = pri * 10 + (s.charCodeAt(j++) - 0x30);
  if (j === 1 || s.charCodeAt(j) !== 0x3e || pri > 191) return undefined;
  return { pri, next: j + 1 };
}

/**
 * RFC 5424 STRUCTURED-DATA at s[i]: `[id name="value" …][id2 …]`. Values unescape `\"`, `\\` and `\]`. A
 * repeated parameter name gives an array. Undefined (and `end` -1) when malformed.
 */
export function structuredDataAt(
  s: string,
  i: number,
): { sd: Record<string, Record<string, string | string[]>>; end: number } | undefined {
  const sd: Record<string, Record<string, string | string[]>> = {};
  let j = i;
  while (s.charCodeAt(j) === 0x5b) {
    j++;
    let k = j;
    while (k < s.length) {
      const c = s.charCodeAt(k);
      if (c === 0x20 || c === 0x5d || c === 0x3d || c === 0x22) break;
      k++;
    }
    if (k === j || k >= s.length) return undefined;
    const id = s.slice(j, k);
    const params: Record<string, string | string[]> = Object.hasOwn(sd, id) ? sd[id]! : {};
    j = k;
    for (;;) {
      const c = s.charCodeAt(j);
      if (c === 0x5d) {
        j++;
        break;
      }
      if (c !== 0x20) return undefined;
      j++;
      const eq = s.indexOf('=', j);
      if (eq <= j || eq - j > 32 || s.charCodeAt(eq + 1) !== 0x22) return undefined;
      const name = s.slice(j, eq);
      let v = '';
      let p = eq + 2;
      let from = p;
      for (;;) {
        if (p >= s.length) return undefined;
        const ch = s.charCodeAt(p);
        if (ch === 0x5c) {
          const nx = s.charCodeAt(p + 1);
          if (nx === 0x22 || nx === 0x5c || nx === 0x5d) {
            v += s.slice(from, p);
            from = p + 1;
          }
          p += 2;
          continue;
        }
        if (ch === 0x22) break;
        p++;
      }
      v += s.slice(from, p);
      const prev = params[name];
      // names from the line must not reach an object's prototype
      if (name === '__proto__') {
        /* dropped */
      } else if (prev === undefined || !Object.hasOwn(params, name)) params[name] = v;
      else if (Array.isArray(prev)) prev.push(v);
      else params[name] = [prev, v];
      j = p + 1;
    }
    if (id !== '__proto__') sd[id] = params;
  }
  return j === i ? undefined : { sd, end: j };
}

/** A 5424 header field: the word at s[i] (up to a space or the end), '-' (nil) as undefined. */
function word(s: string, i: number): { v: string | undefined; next: number } | undefined {
  let sp = s.indexOf(' ', i);
  if (sp < 0) sp = s.length;
  if (sp <= i) return undefined;
  const w = s.slice(i, sp);
  return { v: w === '-' ? undefined : w, next: sp + 1 };
}

function rfc5424(s: string, i: number, data: SyslogData): SyslogRecord | undefined {
  let time: number | undefined;
  if (s.charCodeAt(i) === 0x2d && s.charCodeAt(i + 1) === 0x20) i += 2;
  else {
    const st = isoStampAt(s, i);
    if (!st || s.charCodeAt(st.end) !== 0x20) return undefined;
    time = st.time;
    i = st.end + 1;
  }
  const host = word(s, i);
  if (!host) return undefined;
  const app = word(s, host.next);
  if (!app) return undefined;
  const procid = word(s, app.next);
  if (!procid) return undefined;
  const msgid = word(s, procid.next);
  if (!msgid) return undefined;
  if (host.v !== undefined) data.hostname = host.v;
  if (app.v !== undefined) data.appname = app.v;
  if (procid.v !== undefined) data.pid = pidOf(procid.v);
  if (msgid.v !== undefined) data.msgid = msgid.v;
  let j = msgid.next;
  if (s.charCodeAt(j) === 0x2d) j++;
  else if (s.charCodeAt(j) === 0x5b) {
    const sd = structuredDataAt(s, j);
    if (sd) {
      data.structured_data = sd.sd;
      j = sd.end;
    }
    // malformed structured data stays in the message rather than losing the record
  }
  if (s.charCodeAt(j) === 0x20) j++;
  // MSG may start with a UTF-8 BOM
  if (s.charCodeAt(j) === 0xfeff) j++;
  data.message = s.slice(j);
  return { data, ...(time !== undefined ? { time } : {}), ...(data.hostname ? { host: data.hostname } : {}) };
}

/**
 * One syslog line → its record; undefined when the line is not syslog (no recognisable timestamp). `years`
 * supplies the year of RFC 3164 timestamps (one per file, see YearGuess).
 */
export function parseSyslogLine(line: string, years: YearGuess): SyslogRecord | undefined {
  const p = priOf(line);
  if (!p) return undefined;
  const data = {} as SyslogData;
  if (p.pri >= 0) {
    data.facility = FACILITIES[p.pri >> 3]!;
    data.severity = SEVERITIES[p.pri & 7]!;
  }
  let i = p.next;
  const c = line.charCodeAt(i);
  // RFC 5424: VERSION (1, up to 2 digits) then a space
  if (p.pri >= 0 && isDigit(c)) {
    const sp =
      line.charCodeAt(i + 1) === 0x20 ? 1 : isDigit(line.charCodeAt(i + 1)) && line.charCodeAt(i + 2) === 0x20 ? 2 : 0;
    if (sp > 0) {
      const r = rfc5424(line, i + sp + 1, data);
      if (r) return r;
    }
  }
  const st = isDigit(c) ? isoStampAt(line, i) : bsdStampAt(line, i, years);
  if (!st || line.charCodeAt(st.end) !== 0x20) return undefined;
  i = st.end + 1;
  const h = hostAt(line, i);
  if (h.host !== undefined) data.hostname = h.host;
  tagAndMessage(line, h.next, data);
  return { data, time: st.time, ...(h.host !== undefined ? { host: h.host } : {}) };
}
