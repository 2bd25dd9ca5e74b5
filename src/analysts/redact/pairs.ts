// Secrets and names recognisable by what precedes them: `password=...`, `Password: ...`, `--token ...`,
// `/p:...`, `-p ...` after a tool that means "password" by it, `net user alice P@ss`, `ConvertTo-SecureString "..."`,
// `https://user:pass@`, and the user names sshd, sudo and su write into their messages.
//
// Name/value pairs and flags are scanned by hand from each `=`/`:` and each flag, with the name read backwards at
// most 64 characters and the value forwards; after a value is taken the scan resumes behind it, so every
// character is read a bounded number of times. The few regexes start with a literal word.
import { looksLikeKeyMaterial } from './checks.ts';
import {
  PRIO,
  type ScanContext,
  type Span,
  add,
  domainValueSpans,
  hostValueSpans,
  knownHostKey,
  userValueSpans,
} from './context.ts';
import { type NameKind, isPlaceholderValue, nameKind, normalizeName } from './fields.ts';

function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}
/** Where an unquoted value ends. Passwords may hold most punctuation; these end a value in logs and shells. */
function endsValue(c: number): boolean {
  return (
    c === 32 ||
    c === 9 ||
    c === 10 ||
    c === 13 ||
    c === 34 ||
    c === 39 ||
    c === 96 ||
    c === 59 ||
    c === 38 ||
    c === 44 ||
    c === 60 ||
    c === 62 ||
    c === 124 ||
    c === 41 ||
    c === 93 ||
    c === 125
  );
}

/** The end of a quoted value starting after the quote at `from - 1`; the end of the line when it is not closed. */
function closeQuote(s: string, from: number, q: number): number {
  let k = from;
  while (k < s.length) {
    const c = s.charCodeAt(k);
    if (c === q || c === 10 || c === 13) return k;
    if (c === 92 && q !== 39 && k + 1 < s.length) k++; // \" inside "..."
    k++;
  }
  return k;
}

/** Common container names in DNs: `CN=Users,DC=...` names a container, not a person. Lower case. */
const CN_CONTAINERS = new Set([
  'users',
  'computers',
  'builtin',
  'system',
  'configuration',
  'schema',
  'domain admins',
  'enterprise admins',
  'schema admins',
  'administrators',
  'domain users',
  'domain computers',
  'domain controllers',
  'microsoftdns',
  'policies',
  'program data',
  'foreignsecurityprincipals',
  'managed service accounts',
  'keys',
  'sites',
  'services',
  'aggregate',
]);
const COOKIE_ATTRIBUTES = new Set([
  'path',
  'expires',
  'domain',
  'max-age',
  'samesite',
  'secure',
  'httponly',
  'priority',
  'partitioned',
  'version',
  'comment',
]);
const AUTH_SCHEME =
  /^(?:Bearer|Basic|Digest|NTLM|Negotiate|Kerberos|Token|Bot|AWS4-HMAC-SHA256|SharedKey|SharedAccessSignature|HMAC-SHA256|OAuth|ApiKey|Splunk|SSWS|GenieKey)[ \t]+/i;

/** A value of a secret name: the path exemption is for `PWD=/home/alice` (sudo's working directory, not a password). */
function secretValue(name: string, v: string): boolean {
  if (isPlaceholderValue(v)) return false;
  const k = normalizeName(name);
  if ((k === 'pwd' || k === 'oldpwd') && /^(?:[/~]|[A-Za-z]:[\\/])/.test(v)) return false;
  // openssl -pass env:VAR / file:path / fd:0 name where the password is, not the password
  if (/^(?:env|file|fd|stdin)(?::|$)/.test(v)) return false;
  // `$pw = ConvertTo-SecureString ...`, `$p = Read-Host -AsSecureString`: a command producing the secret
  if (/^(?:ConvertTo|ConvertFrom|Read|Get|New|Import|Invoke|Unprotect)-[A-Za-z]{2,40}$/i.test(v)) return false;
  return true;
}

/**
 * Handles one named value whose kind is known. Returns where the value ends (so the caller skips it), or -1 when
 * nothing was taken.
 */
function namedValue(
  ctx: ScanContext,
  s: string,
  name: string,
  kind: NameKind,
  vs0: number,
  out: Span[],
  spaced: boolean,
): number {
  const n = s.length;
  let vs = vs0;
  let ve: number;
  let next: number;
  const q = s.charCodeAt(vs);
  const lineValue = kind === 'auth' || kind === 'cookie';
  if (q === 34 || q === 39 || q === 96) {
    vs++;
    ve = closeQuote(s, vs, q);
    next = Math.min(n, ve + 1);
  } else if (q === 123 && kind === 'secret') {
    // ODBC quotes a password with braces: PWD={a b;c}
    vs++;
    ve = s.indexOf('}', vs);
    if (ve < 0 || ve - vs > 4096) ve = vs;
    next = ve + 1;
  } else {
    ve = vs;
    if (lineValue) while (ve < n && !/[\r\n"']/.test(s[ve]!)) ve++;
    else while (ve < n && !endsValue(s.charCodeAt(ve))) ve++;
    // a connection string's password runs to the `;` even with a space in it (Password=P@ss word;)
    if (kind === 'secret' && !spaced && isSpace(s.charCodeAt(ve))) {
      let k = ve;
      while (k < n && k - ve < 128 && !/[;=\r\n"']/.test(s[k]!)) k++;
      if (s[k] === ';') ve = k;
    }
    next = ve;
  }
  if (ve <= vs) return -1;
  const v = s.slice(vs, ve);
  if (spaced && v.startsWith('-')) return -1;
  switch (kind) {
    case 'secret': {
      if (!secretValue(name, v)) return -1;
      // openssl -pass pass:X: the literal follows the pass: prefix
      const off = v.startsWith('pass:') ? 5 : 0;
      add(out, vs + off, ve, 'secret', PRIO.pair);
      return next;
    }
    case 'keyish':
      if (!looksLikeKeyMaterial(v)) return -1;
      add(out, vs, ve, 'secret', PRIO.pair);
      return next;
    case 'user':
      return userValueSpans(ctx, s, vs, ve, out, spaced) ? next : -1;
    case 'host':
    case 'machine':
      return hostValueSpans(ctx, s, vs, ve, true, out, kind === 'machine') ? next : -1;
    case 'domain':
      domainValueSpans(ctx, s, vs, ve, out, false);
      return next;
    case 'auth':
      authValueSpans(s, vs, ve, out);
      return next;
    case 'cookie':
      cookieSpans(s, vs, ve, out);
      return next;
  }
}

/** An Authorization header value: the scheme (Bearer, Basic, NTLM, ...) stays, the credentials are masked. */
export function authValueSpans(s: string, vs: number, ve: number, out: Span[]): void {
  const m = AUTH_SCHEME.exec(s.slice(vs, ve));
  const from = vs + (m === null ? 0 : m[0].length);
  const cred = s.slice(from, ve).trimEnd();
  if (cred.length > 0 && !isPlaceholderValue(cred)) add(out, from, from + cred.length, 'secret', PRIO.pair);
}

/** A Cookie / Set-Cookie value: cookie names and attributes stay, every value is masked. */
export function cookieSpans(s: string, start: number, end: number, out: Span[]): void {
  let i = start;
  while (i < end) {
    let semi = s.indexOf(';', i);
    if (semi < 0 || semi > end) semi = end;
    const eq = s.indexOf('=', i);
    if (eq > 0 && eq < semi) {
      const name = s.slice(i, eq).trim().toLowerCase();
      const v = s.slice(eq + 1, semi).trim();
      const vs = eq + 1 + (s.slice(eq + 1, semi).length - s.slice(eq + 1, semi).trimStart().length);
      if (!COOKIE_ATTRIBUTES.has(name) && !isPlaceholderValue(v)) add(out, vs, vs + v.length, 'secret', PRIO.pair);
    }
    i = semi + 1;
  }
}

/** `name=value`, `name: value`, `"name": "value"`, `/name:value`, `$name = 'value'`, `Account Name: value`. */
export function pairSpans(ctx: ScanContext, s: string, out: Span[]): void {
  const n = s.length;
  let i = 0;
  // next '=' and ':' at or after i, each searched again only when passed (one search per separator, not per step)
  let eq = -2;
  let co = -2;
  for (;;) {
    if (eq !== -1 && eq < i) eq = s.indexOf('=', i);
    if (co !== -1 && co < i) co = s.indexOf(':', i);
    const at = eq < 0 ? co : co < 0 ? eq : Math.min(eq, co);
    if (at < 0) return;
    i = at + 1;
    const sep = s.charCodeAt(at);
    const after = s.charCodeAt(at + 1);
    if (after === sep) {
      i = at + 2; // `==`, `::`
      continue;
    }
    const before = at > 0 ? s.charCodeAt(at - 1) : 0;
    if (sep === 61 && (before === 33 || before === 60 || before === 62 || before === 61)) continue; // != <= >=
    // the name, read backwards over spaces and one closing quote
    let j = at;
    let sp = 0;
    while (j > 0 && isSpace(s.charCodeAt(j - 1)) && sp < 8) {
      j--;
      sp++;
    }
    if (j > 0 && (s.charCodeAt(j - 1) === 34 || s.charCodeAt(j - 1) === 39)) j--;
    const nameEnd = j;
    while (j > 0 && nameEnd - j < 64 && isNameChar(s.charCodeAt(j - 1))) j--;
    if (j === nameEnd) continue;
    let name = s.slice(j, nameEnd);
    if (sep === 58 && name.length === 1 && (after === 92 || after === 47)) continue; // C:\ and C:/
    if (sep === 58 && after === 47 && s.charCodeAt(at + 2) === 47) continue; // scheme://
    const prefix = j > 0 ? s[j - 1]! : '';
    let kind = nameKind(name, prefix);
    // Windows messages spell names in words: "Account Name:", "Workstation Name:", "User ID=" (ODBC)
    if (kind === undefined && j > 1 && s.charCodeAt(j - 1) === 32) {
      let w = j - 1;
      while (w > 0 && w > j - 40 && isNameChar(s.charCodeAt(w - 1))) w--;
      if (w < j - 1) {
        const two = `${s.slice(w, j - 1)} ${name}`;
        const k2 = nameKind(two);
        if (k2 !== undefined || normalizeName(two) === 'userid') {
          kind = k2 ?? 'user';
          name = two;
        }
      }
    }
    // the value, after up to 8 spaces
    let vs = at + 1;
    sp = 0;
    while (vs < n && isSpace(s.charCodeAt(vs)) && sp < 8) {
      vs++;
      sp++;
    }
    if (vs >= n) return;
    const lname = name.toLowerCase();
    if (kind === undefined && sep === 61 && (lname === 'cn' || lname === 'dc')) {
      const next = lname === 'cn' ? cnSpans(ctx, s, vs, out) : dcSpans(ctx, s, j, out);
      if (next > i) i = next;
      continue;
    }
    if (kind === undefined) continue;
    const next = namedValue(ctx, s, name, kind, vs, out, false);
    if (next > i) i = next;
  }
}

/** `CN=Alice Smith,OU=...`: the common name of a person (containers and built-in groups are kept). */
function cnSpans(ctx: ScanContext, s: string, vs: number, out: Span[]): number {
  let ve = vs;
  while (ve < s.length) {
    const c = s.charCodeAt(ve);
    if (c === 92) {
      ve += 2; // DN escape: \,
      continue;
    }
    if (c === 44 || c === 43 || c === 59 || c === 34 || c === 10 || c === 13 || c === 47) break;
    ve++;
  }
  ve = Math.min(ve, s.length);
  const v = s.slice(vs, ve).trim();
  if (v.length === 0 || CN_CONTAINERS.has(v.toLowerCase())) return ve;
  if (v.endsWith('$') || ctx.known.get(v.toLowerCase())?.type === 'host') {
    if (ctx.hosts)
      add(out, vs, vs + v.replace(/\$$/, '').length, 'host', PRIO.host, ...knownHostKey(ctx, v.replace(/\$$/, '')));
    return ve;
  }
  userValueSpans(ctx, s, vs, vs + v.length, out);
  return ve;
}

const DC_RUN = /(?:DC|dc)=([A-Za-z0-9-]{1,63})(?:,[ ]?(?:DC|dc)=[A-Za-z0-9-]{1,63}){0,16}/y;
/** `DC=corp,DC=example,DC=jp`: an Active Directory domain, masked as one domain over all its parts. */
function dcSpans(ctx: ScanContext, s: string, nameStart: number, out: Span[]): number {
  DC_RUN.lastIndex = nameStart;
  const m = DC_RUN.exec(s);
  if (m === null) return nameStart + 3;
  const end = nameStart + m[0].length;
  const labels = m[0].split(',').map((p) => p.trim().slice(3));
  const first = nameStart + 3;
  // keyed by the dotted name (so DC=corp,DC=example,DC=jp and corp.example.jp share a mask); restored as written
  if (ctx.hosts) add(out, first, end, 'domain', PRIO.host, labels.join('.').toLowerCase(), s.slice(first, end));
  return end;
}

/**
 * A secret's name followed by its value without `=`: `aws configure set aws_secret_access_key wJalr...`,
 * `export TOKEN "..."`, `set-secret api_key 9f8e...`. Without a separator anything could follow the name (prose:
 * "the token expired"), so the value is taken only when it looks generated.
 */
const SECRET_WORD_RE =
  /(?<![A-Za-z0-9_])[A-Za-z_]{0,40}(?:secret|token|password|passwd|api_?key|access_?key|private_?key)[A-Za-z_]{0,20}["']?[ \t]{1,8}["']?([A-Za-z0-9+/=_.-]{16,4096})/gi;

export function secretWordSpans(s: string, out: Span[]): void {
  SECRET_WORD_RE.lastIndex = 0;
  for (let m = SECRET_WORD_RE.exec(s); m !== null; m = SECRET_WORD_RE.exec(s)) {
    const v = m[1]!;
    if (!looksLikeKeyMaterial(v.replace(/[.]+$/, ''))) continue;
    const at = m.index + m[0].length - v.length;
    add(out, at, at + v.replace(/[.]+$/, '').length, 'secret', PRIO.pair);
  }
}

// ---- flags ----

/** A flag and its spaced value: `--password x`, `-Password 'x'`, `/P x`, `-p x`. */
const FLAG_RE =
  /(?<![^\s"'(])(--?|\/)([A-Za-z][A-Za-z0-9_-]{0,40})[ \t]{1,8}(?!-)("[^"\r\n]{0,4096}"|'[^'\r\n]{0,4096}'|[^\s"']{1,4096})/g;
/** A short flag with its value attached: `-pS3cret` (mysql, 7z), `-uroot`. */
const ATTACHED_RE = /(?<![^\s"'])-([pPuU])([^\s"']{1,4096})/g;

/** Tools whose short flags take a password or user, by what their manuals say. */
type ShortFlags = Readonly<Record<string, 'secret' | 'user' | 'userpct' | 'userpass'>>;
const TOOL_FLAGS: ReadonlyArray<readonly [RegExp, ShortFlags, ShortFlags?]> = [
  // [tool, spaced flags, attached flags]
  [/^(?:mysql\w*|mariadb(?:-\w+)?)$/, { u: 'user' }, { p: 'secret', u: 'user' }],
  [/^sshpass$/, { p: 'secret' }],
  [
    /^(?:psexec(?:64)?|paexec|crackmapexec|cme|nxc|netexec|evil-winrm|smbmap|winexe|rdesktop|medusa|ncrack)$/,
    { p: 'secret', u: 'user', H: 'secret' },
  ],
  [/^hydra$/, { p: 'secret', l: 'user' }],
  [/^(?:sqlcmd|osql|bcp|isql)$/, { P: 'secret', U: 'user' }, { P: 'secret', U: 'user' }],
  [/^(?:7z|7za|7zr|rar|unrar|winrar)$/, {}, { p: 'secret' }],
  [/^(?:zip|unzip)$/, { P: 'secret' }],
  [/^redis-cli$/, { a: 'secret' }],
  [/^ldap\w+$/, { w: 'secret' }],
  [/^curl$/, { u: 'userpass' }],
  [/^(?:smbclient|rpcclient)$/, { U: 'userpct' }],
  [/^(?:ssh|scp|sftp|plink)$/, { l: 'user', pw: 'secret' }],
  [
    /^(?:schtasks|systeminfo|tasklist|taskkill|gpresult|eventcreate|getmac|driverquery)$/,
    { P: 'secret', U: 'user', RP: 'secret', RU: 'user', p: 'secret', u: 'user', rp: 'secret', ru: 'user' },
  ],
  [/^(?:docker|podman)-login$/, { p: 'secret', u: 'user' }],
];
const TOOL_RE =
  /(?<![A-Za-z0-9_-])(mysql\w*|mariadb(?:-\w+)?|sshpass|psexec(?:64)?|paexec|hydra|medusa|ncrack|crackmapexec|cme|nxc|netexec|evil-winrm|smbmap|winexe|rdesktop|sqlcmd|osql|bcp|isql|7z|7za|7zr|rar|unrar|winrar|zip|unzip|redis-cli|ldap[a-z]+|curl|smbclient|rpcclient|ssh|scp|sftp|plink|schtasks|systeminfo|tasklist|taskkill|gpresult|eventcreate|getmac|driverquery|powershell|pwsh|docker|podman)(?:\.exe)?(?![A-Za-z0-9_-])/gi;
/** PowerShell accepts any prefix of -EncodedCommand (and -ec). */
const ENCODED_FLAG =
  /^(?:e|ec|en|enc|enco|encod|encode|encoded|encodedc|encodedco|encodedcom|encodedcomm|encodedcomma|encodedcomman|encodedcommand)$/i;

type Tools = {
  readonly spaced: Map<string, string>;
  readonly attached: Map<string, string>;
  readonly names: Set<string>;
};

function toolsIn(s: string): Tools {
  const spaced = new Map<string, string>();
  const attached = new Map<string, string>();
  const names = new Set<string>();
  TOOL_RE.lastIndex = 0;
  for (let m = TOOL_RE.exec(s); m !== null; m = TOOL_RE.exec(s)) {
    let t = m[1]!.toLowerCase();
    if ((t === 'docker' || t === 'podman') && /^\s+login\b/.test(s.slice(TOOL_RE.lastIndex, TOOL_RE.lastIndex + 12)))
      t = `${t}-login`;
    names.add(t);
    for (const [re, sp, at] of TOOL_FLAGS) {
      if (!re.test(t)) continue;
      for (const [f, k] of Object.entries(sp)) spaced.set(f, k);
      for (const [f, k] of Object.entries(at ?? {})) attached.set(f, k);
    }
  }
  return { spaced, attached, names };
}

export function flagSpans(ctx: ScanContext, s: string, out: Span[]): void {
  if (!/(?:^|[\s"'(])(?:--?|\/)[A-Za-z]/.test(s)) return;
  const tools = toolsIn(s);
  // encoded commands are redacted after the scan: that runs every detector again (re-entering these regexes)
  const encoded: [number, string][] = [];
  FLAG_RE.lastIndex = 0;
  for (let m = FLAG_RE.exec(s); m !== null; m = FLAG_RE.exec(s)) {
    const prefix = m[1]!;
    const name = m[2]!;
    const vs = m.index + m[0].length - m[3]!.length;
    let kind: NameKind | 'userpct' | 'userpass' | 'encoded' | undefined;
    const short = prefix !== '--' && name.length <= 2;
    if (short) {
      kind = tools.spaced.get(name) as typeof kind;
      if (kind === undefined && prefix === '-' && ENCODED_FLAG.test(name)) kind = 'encoded';
    } else if (prefix === '-' && ENCODED_FLAG.test(name)) kind = 'encoded';
    else if (normalizeName(name) === 'credential') kind = 'user';
    else if (normalizeName(name) === 'hashes')
      kind = 'secret'; // impacket -hashes LM:NT
    else kind = nameKind(name, prefix === '/' ? '' : prefix);
    if (kind === undefined) continue;
    if (kind === 'encoded') {
      if (tools.names.has('powershell') || tools.names.has('pwsh')) encoded.push([vs, m[3]!]);
      continue;
    }
    if (kind === 'userpct' || kind === 'userpass') {
      const raw = m[3]!;
      const quoted = raw.startsWith('"') || raw.startsWith("'");
      const a = vs + (quoted ? 1 : 0);
      const b = vs + raw.length - (quoted && raw.length > 1 ? 1 : 0);
      const v = s.slice(a, b);
      const cut = v.indexOf(kind === 'userpct' ? '%' : ':');
      if (cut < 0) userValueSpans(ctx, s, a, b, out);
      else {
        userValueSpans(ctx, s, a, a + cut, out);
        if (!isPlaceholderValue(v.slice(cut + 1))) add(out, a + cut + 1, b, 'secret', PRIO.pair);
      }
      continue;
    }
    namedValue(ctx, s, name, kind, vs, out, true);
  }
  if (tools.attached.size > 0) {
    ATTACHED_RE.lastIndex = 0;
    for (let m = ATTACHED_RE.exec(s); m !== null; m = ATTACHED_RE.exec(s)) {
      const kind = tools.attached.get(m[1]!);
      const v = m[2]!;
      const vs = m.index + 2;
      if (kind === 'secret' && !isPlaceholderValue(v)) add(out, vs, vs + v.length, 'secret', PRIO.pair);
      else if (kind === 'user') userValueSpans(ctx, s, vs, vs + v.length, out);
    }
  }
  for (const [vs, raw] of encoded) encodedSpans(ctx, s, vs, raw, out);
}

/**
 * `powershell -enc <base64>`: the command is UTF-16LE inside base64, where a password or a hidden instruction would
 * pass every text detector. Decode it, redact the text with the same masks, and re-encode when anything changed,
 * so the model can still decode the command but not the secret.
 */
function encodedSpans(ctx: ScanContext, s: string, vs: number, raw: string, out: Span[]): void {
  if (ctx.nested === undefined) return;
  const quoted = raw.startsWith('"') || raw.startsWith("'");
  const b64 = quoted ? raw.slice(1, -1) : raw;
  if (b64.length < 8 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return;
  const text = Buffer.from(b64, 'base64').toString('utf16le');
  let printable = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if ((c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13 || c >= 0xa0) printable++;
  }
  if (text.length === 0 || printable < text.length * 0.9) return;
  const redacted = ctx.nested(text);
  if (redacted === text) return;
  const start = vs + (quoted ? 1 : 0);
  out.push({
    start,
    end: start + b64.length,
    prio: PRIO.token,
    replace: Buffer.from(redacted, 'utf16le').toString('base64'),
  });
}

// ---- commands ----

const NET_USER_RE =
  /\bnet1?(?:\.exe)?["']?[ \t]{1,8}user[ \t]{1,8}("[^"\r\n]{1,64}"|[^\s"/][^\s"]{0,63})(?:[ \t]{1,8}("[^"\r\n]{1,256}"|[^\s"/][^\s"]{0,255}))?/gi;
const NET_GROUP_RE =
  /\bnet1?(?:\.exe)?["']?[ \t]{1,8}(?:local)?group[ \t]{1,8}(?:"[^"\r\n]{1,64}"|[^\s"/][^\s"]{0,63})[ \t]{1,8}("[^"\r\n]{1,64}"|[^\s"/][^\s"]{0,63})/gi;
const NET_USE_RE = /\bnet1?(?:\.exe)?["']?[ \t]{1,8}use\b([^\r\n|&]{0,2048})/gi;
const CTS_RE =
  /ConvertTo-SecureString(?:[ \t]{1,8}-(?:AsPlainText|Force|String)\b){0,4}[ \t]{1,8}("(?:[^"\r\n`]|`.){0,4096}"|'(?:[^'\r\n]|''){0,4096}'|[^\s"'()|;$-][^\s"'()|;]{0,4095})/gi;
const CRED_RE =
  /(?:NetworkCredential|PSCredential)(?:\]::new|["']?[ \t]{0,4}-ArgumentList)?[ \t]{0,4}\(?[ \t]{0,4}(["'])([^"'\r\n]{1,128})\1(?:[ \t]{0,4},[ \t]{0,4}(["'])([^"'\r\n]{0,256})\3)?/gi;
/** impacket's target syntax: [domain/]user[:password]@host. */
const IMPACKET_RE = /(?<![\w@/.:-])(?:([\w.-]{1,64})\/)?([\w.$-]{1,64}):([^\s@'"]{1,256})@([\w.-]{1,253})/g;
const IMPACKET_TOOL =
  /impacket|\b(?:secretsdump|psexec|wmiexec|smbexec|atexec|dcomexec|GetUserSPNs|GetNPUsers|ticketer|getTGT|getST|mssqlclient|lookupsid|reg|rpcdump|samrdump)\.py\b/i;

function unquote(s: string, start: number, raw: string): [number, number] {
  const q = raw.startsWith('"') || raw.startsWith("'");
  return q ? [start + 1, start + raw.length - 1] : [start, start + raw.length];
}

export function commandSpans(ctx: ScanContext, s: string, out: Span[]): void {
  if (/net1?(?:\.exe)?["']?[ \t]/i.test(s)) {
    NET_USER_RE.lastIndex = 0;
    for (let m = NET_USER_RE.exec(s); m !== null; m = NET_USER_RE.exec(s)) {
      const u = m.index + m[0].indexOf(m[1]!, m[0].toLowerCase().indexOf('user') + 4);
      const [ua, ub] = unquote(s, u, m[1]!);
      userValueSpans(ctx, s, ua, ub, out);
      const pw = m[2];
      if (pw !== undefined && pw !== '*' && !isPlaceholderValue(pw)) {
        const [pa, pb] = unquote(s, m.index + m[0].length - pw.length, pw);
        add(out, pa, pb, 'secret', PRIO.pair);
      }
    }
    NET_GROUP_RE.lastIndex = 0;
    for (let m = NET_GROUP_RE.exec(s); m !== null; m = NET_GROUP_RE.exec(s)) {
      const [ua, ub] = unquote(s, m.index + m[0].length - m[1]!.length, m[1]!);
      userValueSpans(ctx, s, ua, ub, out);
    }
    NET_USE_RE.lastIndex = 0;
    for (let m = NET_USE_RE.exec(s); m !== null; m = NET_USE_RE.exec(s))
      netUseSpans(s, m.index + m[0].length - m[1]!.length, m[1]!, out);
  }
  if (/ConvertTo-SecureString/i.test(s)) {
    CTS_RE.lastIndex = 0;
    for (let m = CTS_RE.exec(s); m !== null; m = CTS_RE.exec(s)) {
      const [a, b] = unquote(s, m.index + m[0].length - m[1]!.length, m[1]!);
      if (!isPlaceholderValue(s.slice(a, b))) add(out, a, b, 'secret', PRIO.pair);
    }
  }
  if (/Credential/i.test(s)) {
    CRED_RE.lastIndex = 0;
    for (let m = CRED_RE.exec(s); m !== null; m = CRED_RE.exec(s)) {
      const userAt = m.index + m[0].indexOf(m[1]! + m[2]! + m[1]!) + 1;
      userValueSpans(ctx, s, userAt, userAt + m[2]!.length, out);
      if (m[4] !== undefined && m[4].length > 0 && !isPlaceholderValue(m[4])) {
        const pwAt = m.index + m[0].length - 1 - m[4].length;
        add(out, pwAt, pwAt + m[4].length, 'secret', PRIO.pair);
      }
    }
  }
  if (s.includes('@') && IMPACKET_TOOL.test(s)) {
    IMPACKET_RE.lastIndex = 0;
    for (let m = IMPACKET_RE.exec(s); m !== null; m = IMPACKET_RE.exec(s)) {
      let k = m.index;
      if (m[1] !== undefined) {
        domainValueSpans(ctx, s, k, k + m[1].length, out);
        k += m[1].length + 1;
      }
      userValueSpans(ctx, s, k, k + m[2]!.length, out);
      k += m[2]!.length + 1;
      if (!isPlaceholderValue(m[3]!)) add(out, k, k + m[3]!.length, 'secret', PRIO.pair);
      k += m[3]!.length + 1;
      hostValueSpans(ctx, s, k, k + m[4]!.length, true, out);
    }
  }
}

/** `net use Z: \\host\share <password> /user:DOMAIN\name`: the one bare argument that is not a drive, share or switch. */
function netUseSpans(s: string, start: number, args: string, out: Span[]): void {
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(args); m !== null; m = re.exec(args)) {
    const tok = m[1] ?? m[2]!;
    if (tok.startsWith('/') || tok.startsWith('\\') || /^[A-Za-z]:$/.test(tok) || tok === '*' || tok === '') continue;
    if (/^(?:delete|del|persistent:\w+|yes|no)$/i.test(tok)) continue;
    const a = start + m.index + (m[1] !== undefined ? 1 : 0);
    if (!isPlaceholderValue(tok)) add(out, a, a + tok.length, 'secret', PRIO.pair);
    return;
  }
}

// ---- URLs ----

/** scheme://user:password@ and scheme://token@ (git clone https://ghp_...@github.com). */
const URL_USERINFO_RE =
  /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,19}:\/\/([^\s/?#@:"'<>\\]{1,256})(?::([^\s/?#@"'<>\\]{0,1024}))?@/g;

export function urlUserinfoSpans(ctx: ScanContext, s: string, out: Span[]): void {
  if (!s.includes('://')) return;
  URL_USERINFO_RE.lastIndex = 0;
  for (let m = URL_USERINFO_RE.exec(s); m !== null; m = URL_USERINFO_RE.exec(s)) {
    const u = m.index + m[0].indexOf('://') + 3;
    const user = m[1]!;
    const pw = m[2];
    if (pw === undefined) {
      // one part: a token used as user name, or a plain user
      if (looksLikeKeyMaterial(user) || /^(?:gh[pousr]_|glpat-|x-access-token)/.test(user))
        add(out, u, u + user.length, 'secret', PRIO.url);
      else userValueSpans(ctx, s, u, u + user.length, out);
      continue;
    }
    if (user.toLowerCase() === 'x-access-token' || user.toLowerCase() === 'oauth2') {
      // GitHub/GitLab token-in-URL conventions: the user part is a fixed word
    } else userValueSpans(ctx, s, u, u + user.length, out);
    if (pw.length > 0 && !isPlaceholderValue(pw)) {
      const p = u + user.length + 1;
      add(out, p, p + pw.length, 'secret', PRIO.url);
    }
  }
}

// ---- user names in messages ----

const MESSAGE_USER_RES: readonly RegExp[] = [
  // sshd: "Failed password for invalid user admin from", "Accepted publickey for alice from"
  /\bfor (?:invalid |illegal )?user ([^\s()'",;]{1,64})/g,
  /\b(?:Accepted|Failed) [a-z/-]{4,40} for (?!invalid |illegal )([^\s()'",;]{1,64}) from /g,
  /\b(?:[Ii]nvalid|[Ii]llegal) user ([^\s()'",;]{1,64})/g,
  // pam/su: "session opened for user root(uid=0) by alice(uid=1000)", "(to root) alice on pts/0"
  /\bby ([A-Za-z0-9._$-]{1,64})\(uid=/g,
  /\(to ([^)\s]{1,64})\) ([A-Za-z0-9._$-]{1,64}) on /g,
  // sudo: "alice : TTY=pts/0 ; PWD=... ; USER=root ; COMMAND=..."
  /(?:^|sudo:)[ \t]*([A-Za-z0-9._$\\-]{1,64}) : (?:TTY|PWD|USER|COMMAND|HOST)=/g,
  // shadow-utils: "new user: name=alice", "delete user 'alice'", "password changed for alice"
  /\bnew user: name=([^\s,]{1,64})/g,
  /\b(?:delete|add|change|lock|unlock|remove)d? user '([^'\s]{1,64})'/g,
  /\bpassword (?:changed|updated) for ([^\s,]{1,64})/g,
];

export function messageUserSpans(ctx: ScanContext, s: string, out: Span[]): void {
  if (!/user|for | : |\(to |uid=/.test(s)) return;
  for (const re of MESSAGE_USER_RES) {
    re.lastIndex = 0;
    for (let m = re.exec(s); m !== null; m = re.exec(s)) {
      let from = m.index;
      for (let g = 1; g < m.length; g++) {
        const v = m[g];
        if (v === undefined) continue;
        const at = s.indexOf(v, from);
        userValueSpans(ctx, s, at, at + v.length, out);
        from = at + v.length;
      }
    }
  }
}
