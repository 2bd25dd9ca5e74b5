// One line of /var/log/audit/audit.log → one record: `[node=N ]type=T msg=audit(SEC.MS:SERIAL): k=v …`, with
// auditd's ENRICHED part (after a 0x1d byte: `ARCH=x86_64 SYSCALL=execve AUID="ops" …`) when present.
// Values are unquoted; the fields the kernel writes "untrusted" (hex when they hold a space, a quote or a
// control character: exe, comm, cwd, name, proctitle, EXECVE arguments, …) are hex-decoded; EXECVE arguments
// split into pieces (`a1_len=… a1[0]=… a1[1]=…`) are put back together. Linear scanning, no regular expressions.

export type AuditValue = string | string[];

export type AuditRecord = {
  readonly node?: string;
  readonly type: string;
  /** `SEC.MS:SERIAL` as written: with the node, the identity of the event the record belongs to. */
  readonly stamp: string;
  /** Milliseconds UTC. */
  readonly time: number;
  /** Fields in order, decoded, flat: key, value, key, value, … (one array per record keeps allocation low). */
  readonly fields: readonly (string | string[])[];
};

/**
 * Fields the kernel and the audit user-space tools log with audit_log_untrustedstring (or its equivalent):
 * written "quoted" when plain, as hex otherwise. An unquoted value of one of these is hex (or `(null)`).
 */
const ENCODED = new Set([
  'proctitle',
  'comm',
  'exe',
  'cwd',
  'name',
  'path',
  'acct',
  'cmd',
  'key',
  'data',
  'ocomm',
  'dir',
  'watch',
  'file',
  'root_dir',
  'new-disk',
  'old-disk',
  'vm',
  'old-chardev',
  'new-chardev',
  'old-net',
  'new-net',
]);

const utf8 = new TextDecoder('utf-8');

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Bytes of an even-length hex string; undefined when it is not one. */
export function hexBytes(s: string): Uint8Array | undefined {
  if (s.length === 0 || s.length % 2 !== 0) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexVal(s.charCodeAt(2 * i));
    const lo = hexVal(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** An untrusted-string field's value: hex decoded when unquoted (proctitle's NUL separators become spaces). */
function decoded(key: string, raw: string): AuditValue {
  const bytes = hexBytes(raw);
  if (bytes === undefined) return raw;
  const text = utf8.decode(bytes);
  if (key === 'key') {
    // several audit keys on one rule are joined with 0x01
    const keys = text.split('\x01');
    return keys.length === 1 ? keys[0]! : keys;
  }
  return text.indexOf('\0') >= 0 ? text.replaceAll('\0', ' ').trimEnd() : text;
}

/** `a12` → 12, `a3[0]` → 3 (piece), else -1. */
function execveArg(key: string): { n: number; piece: boolean } | undefined {
  if (key.charCodeAt(0) !== 0x61 || key.length < 2) return undefined;
  let i = 1;
  let n = 0;
  for (; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
  }
  if (i === 1) return undefined;
  if (i === key.length) return { n, piece: false };
  if (key.charCodeAt(i) === 0x5b && key.charCodeAt(key.length - 1) === 0x5d) return { n, piece: true };
  if (key.slice(i) === '_len') return { n: -1, piece: false };
  return undefined;
}

type Sink = {
  /** key, value, key, value, … */
  fields: (string | string[])[];
  /** EXECVE argument pieces, hex, by argument number. */
  pieces?: Map<number, string>;
  /** Inner `msg='…'` text had words that are not key=value: keep it whole. */
  freeText?: boolean;
};

/**
 * The key=value pairs of s[from, to) into `sink`. `decode` is false for the ENRICHED part (already interpreted).
 * `execve` marks an EXECVE record, whose a0…aN are untrusted strings.
 */
function fieldsOf(s: string, from: number, to: number, sink: Sink, decode: boolean, execve: boolean): void {
  let i = from;
  while (i < to) {
    while (i < to && s.charCodeAt(i) === 0x20) i++;
    if (i >= to) return;
    const ks = i;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c === 0x3d || c === 0x20) break;
      i++;
    }
    if (i >= to || s.charCodeAt(i) !== 0x3d || i === ks) {
      // a word that is not key=value: SELinux AVC text (`avc:  denied  { read } for`), or free text
      const w = s.slice(ks, i);
      if (w === 'avc:') i = avcOf(s, i, to, sink);
      else if (w !== '{' && w !== '}' && w !== 'for') sink.freeText = true;
      continue;
    }
    const key = s.slice(ks, i);
    i++;
    const q = s.charCodeAt(i);
    let raw: string;
    let quoted = false;
    if (q === 0x22 || q === 0x27) {
      let close = s.indexOf(q === 0x22 ? '"' : "'", i + 1);
      if (close < 0 || close > to) close = to;
      raw = s.slice(i + 1, close);
      i = close + 1;
      if (q === 0x27 && key === 'msg') {
        // a user-space record's own fields, `msg='op=PAM:session_open acct="root" exe="/usr/sbin/cron" …'`
        const inner: Sink = { fields: sink.fields };
        fieldsOf(raw, 0, raw.length, inner, decode, false);
        if (inner.freeText) sink.fields.push('msg', raw);
        continue;
      }
      quoted = true;
    } else {
      let sp = s.indexOf(' ', i);
      if (sp < 0 || sp > to) sp = to;
      raw = s.slice(i, sp);
      i = sp;
    }
    if (execve) {
      const a = execveArg(key);
      if (a !== undefined) {
        if (a.n < 0) continue; // aN_len: bookkeeping of split arguments
        if (a.piece) {
          sink.pieces ??= new Map();
          sink.pieces.set(a.n, (sink.pieces.get(a.n) ?? '') + raw);
          continue;
        }
        sink.fields.push(key, quoted ? raw : decoded(key, raw));
        continue;
      }
    }
    // `__proto__` from a file must not become a prototype when the fields are put into an object
    if (key === '__proto__') continue;
    sink.fields.push(key, decode && !quoted && ENCODED.has(key) ? decoded(key, raw) : raw);
  }
}

/** `avc:  denied  { read write } for …` → seresult, seperms; returns where the key=value part resumes. */
function avcOf(s: string, i: number, to: number, sink: Sink): number {
  while (i < to && s.charCodeAt(i) === 0x20) i++;
  let e = s.indexOf(' ', i);
  if (e < 0 || e > to) e = to;
  const result = s.slice(i, e);
  if (result === 'denied' || result === 'granted') sink.fields.push('seresult', result);
  // the permissions follow at once; look no further than a short window (a hostile line repeats `avc:`)
  let open = e;
  while (open < to && s.charCodeAt(open) === 0x20) open++;
  if (s.charCodeAt(open) !== 0x7b) return e;
  const close = s.indexOf('}', open);
  if (close < 0 || close > to || close - open > 512) return e;
  const perms = s
    .slice(open + 1, close)
    .split(' ')
    .filter((p) => p !== '');
  if (perms.length) sink.fields.push('seperms', perms.length === 1 ? perms[0]! : perms);
  return close + 1;
}

function digitsEnd(s: string, i: number, max: number): number {
  const start = i;
  while (i < s.length && i - start < max) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  return i;
}

/** A quick look for sniffing: `[node=… ]type=… msg=audit(`. */
export function looksLikeAudit(line: string): boolean {
  let i = 0;
  if (line.startsWith('node=')) {
    i = line.indexOf(' ') + 1;
    if (i <= 0) return false;
  }
  if (!line.startsWith('type=', i)) return false;
  const m = line.indexOf(' msg=audit(', i);
  return m > i && m - i < 64;
}

/** Lines of `ausearch` output around the records (`----`, `time->…`): not records, not errors. */
export function isAusearchSeparator(line: string): boolean {
  return line.startsWith('----') || line.startsWith('time->');
}

/** One audit.log line → its record, or the reason it is not one. */
export function parseAuditLine(line: string): AuditRecord | string {
  let i = 0;
  let node: string | undefined;
  if (line.startsWith('node=')) {
    const sp = line.indexOf(' ');
    if (sp < 0) return 'no record after node=';
    node = line.slice(5, sp);
    i = sp + 1;
  }
  if (!line.startsWith('type=', i)) return 'no type= field';
  const tEnd = line.indexOf(' ', i + 5);
  if (tEnd < 0) return 'no msg=audit(…) after type=';
  const type = line.slice(i + 5, tEnd);
  if (!line.startsWith('msg=audit(', tEnd + 1)) return 'no msg=audit(…) after type=';
  const st = tEnd + 11;
  const secEnd = digitsEnd(line, st, 12);
  if (secEnd === st || line.charCodeAt(secEnd) !== 0x2e) return 'malformed audit(…) time stamp';
  const msEnd = digitsEnd(line, secEnd + 1, 9);
  if (msEnd === secEnd + 1 || line.charCodeAt(msEnd) !== 0x3a) return 'malformed audit(…) time stamp';
  const serEnd = digitsEnd(line, msEnd + 1, 20);
  if (serEnd === msEnd + 1 || line.charCodeAt(serEnd) !== 0x29) return 'malformed audit(…) serial';
  const stamp = line.slice(st, serEnd);
  const msDigits = line.slice(secEnd + 1, Math.min(msEnd, secEnd + 4)).padEnd(3, '0');
  const time = Number(line.slice(st, secEnd)) * 1000 + Number(msDigits);
  let body = serEnd + 1;
  if (line.charCodeAt(body) === 0x3a) body++;
  const gs = line.indexOf('\x1d', body);
  const end = gs < 0 ? line.length : gs;
  const sink: Sink = { fields: [] };
  fieldsOf(line, body, end, sink, true, type === 'EXECVE');
  if (sink.pieces) {
    for (const [n, hex] of sink.pieces) sink.fields.push(`a${n}`, decoded(`a${n}`, hex));
    sink.fields = argsInOrder(sink.fields);
  }
  if (gs >= 0) fieldsOf(line, gs + 1, line.length, sink, false, false);
  return { ...(node !== undefined ? { node } : {}), type, stamp, time, fields: sink.fields };
}

/** EXECVE fields with a0, a1, … in argument order, whether whole or put back together from pieces. */
function argsInOrder(fields: (string | string[])[]): (string | string[])[] {
  const pairs: [string, string | string[], number][] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const k = fields[i] as string;
    const a = execveArg(k);
    pairs.push([k, fields[i + 1]!, a !== undefined && !a.piece && a.n >= 0 ? a.n : -1]);
  }
  pairs.sort((x, y) => x[2] - y[2]);
  return pairs.flatMap(([k, v]) => [k, v]);
}
