// Secrets recognisable by their own shape: key blocks, vendor tokens with fixed prefixes, JWTs, password hashes
// in the formats attack tools print. (Secrets recognisable only by their name — `password=`, `-p` — are in
// pairs.ts.)
//
// Every regex here is linear in the input: each starts with a literal or a boundary look-behind (so a long run
// of token characters is entered at one place only, not at each of its characters), and the repeated part is
// either followed by nothing that can fail or is a class that excludes the character after it. A hostile 1 MB
// line of `eyJeyJeyJ...` or `sk-sk-sk-...` costs one pass.
import { PRIO, type Span, add, userValueSpans, type ScanContext } from './context.ts';

const PEM_BEGIN = '-----BEGIN ';
/** Characters that can follow a BEGIN line inside an (unterminated) key: base64, header lines, escaped newlines. */
const KEY_BODY = /[A-Za-z0-9+/=\s:,\\-]*/y;

/** Private key blocks (PEM, OpenSSH, PGP), whose body is masked and BEGIN/END lines kept so the model sees "a key". */
export function pemSpans(s: string, out: Span[]): void {
  let i = s.indexOf(PEM_BEGIN);
  while (i >= 0) {
    const labelEnd = s.indexOf('-----', i + PEM_BEGIN.length);
    if (labelEnd < 0) return;
    const label = s.slice(i + PEM_BEGIN.length, labelEnd);
    const bodyStart = labelEnd + 5;
    if (label.length > 64 || !label.includes('PRIVATE KEY')) {
      i = s.indexOf(PEM_BEGIN, bodyStart);
      continue;
    }
    // a truncated key (a log cut the line) has no END: mask what follows as long as it can be key material
    let bodyEnd = s.indexOf('-----END ', bodyStart);
    if (bodyEnd < 0) {
      KEY_BODY.lastIndex = bodyStart;
      KEY_BODY.exec(s);
      bodyEnd = KEY_BODY.lastIndex;
    }
    add(out, bodyStart, bodyEnd, 'secret', PRIO.pem);
    i = s.indexOf(PEM_BEGIN, bodyEnd);
  }
  // PuTTY .ppk: the private part follows "Private-Lines: N" up to the MAC line
  const p = s.indexOf('Private-Lines:');
  if (p >= 0) {
    const mac = s.indexOf('Private-MAC:', p);
    const end = mac >= 0 ? mac : s.length;
    add(out, p + 'Private-Lines:'.length, end, 'secret', PRIO.pem);
  }
}

/**
 * Vendor tokens by prefix. The regex finds a prefix at a token boundary and takes the run after it; the table
 * then says which characters belong to that vendor's token and how long it must be, so `AKIA` followed by
 * prose or a 12-character `sk-` word is not taken.
 */
const TOKEN_RE =
  /(?<![A-Za-z0-9_-])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|gl(?:pat|ptt|dt|rt|soat|cbt|ft|imt|agent|oas)-|xox[abposre]-|xapp-|[sr]k_(?:live|test)_|pk_live_|whsec_|AIza|ya29\.|GOCSPX-|sk-|eyJ|npm_|pypi-|hf_|dop_v1_|SG\.|shp(?:at|ss|ca|pa)_|glsa_)[A-Za-z0-9_.+/=-]*/g;

type TokenRule = { readonly prefix: RegExp; readonly body: RegExp; readonly min: number; readonly max: number };
const ALNUM = /[A-Za-z0-9]/;
const ALNUM_U = /[A-Za-z0-9_]/;
const ALNUM_UD = /[A-Za-z0-9_-]/;
const TOKEN_RULES: readonly TokenRule[] = [
  // AWS access key ids (not the AIDA/AROA unique ids of users and roles: those are not credentials)
  { prefix: /^(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)/, body: /[A-Z0-9]/, min: 20, max: 20 },
  { prefix: /^github_pat_/, body: ALNUM_U, min: 40, max: 255 },
  { prefix: /^gh[pousr]_/, body: ALNUM, min: 40, max: 255 },
  { prefix: /^gl[a-z]{1,5}-/, body: ALNUM_UD, min: 26, max: 255 },
  { prefix: /^xox[abposre]-|^xapp-/, body: /[A-Za-z0-9-]/, min: 15, max: 255 },
  { prefix: /^(?:[sr]k|pk)_(?:live|test)_/, body: ALNUM, min: 20, max: 255 },
  { prefix: /^whsec_/, body: ALNUM, min: 30, max: 255 },
  { prefix: /^AIza/, body: ALNUM_UD, min: 39, max: 39 },
  { prefix: /^ya29\./, body: /[A-Za-z0-9_.-]/, min: 30, max: 4096 },
  { prefix: /^GOCSPX-/, body: ALNUM_UD, min: 35, max: 64 },
  { prefix: /^npm_/, body: ALNUM, min: 40, max: 40 },
  { prefix: /^pypi-/, body: ALNUM_UD, min: 60, max: 512 },
  { prefix: /^hf_/, body: ALNUM, min: 37, max: 64 },
  { prefix: /^dop_v1_/, body: /[a-f0-9]/, min: 71, max: 71 },
  { prefix: /^SG\./, body: /[A-Za-z0-9_.-]/, min: 60, max: 80 },
  { prefix: /^shp(?:at|ss|ca|pa)_/, body: /[a-fA-F0-9]/, min: 38, max: 38 },
  { prefix: /^glsa_/, body: /[A-Za-z0-9_]/, min: 40, max: 64 },
];

function runOf(m: string, from: number, body: RegExp): number {
  let j = from;
  while (j < m.length && body.test(m[j]!)) j++;
  return j;
}

/** Mixed case and digits: generated, not a hyphenated word like `sk-learn-examples-for-beginners`. */
function generated(body: string): boolean {
  return /[a-z]/.test(body) && /[A-Z]/.test(body) && /[0-9]/.test(body);
}

export function tokenSpans(s: string, out: Span[]): void {
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(s); m !== null; m = TOKEN_RE.exec(s)) {
    const t = m[0];
    const at = m.index;
    if (t.startsWith('eyJ')) {
      const n = jwtLength(t);
      if (n > 0) add(out, at, at + n, 'secret', PRIO.token);
      continue;
    }
    if (t.startsWith('sk-')) {
      // OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-) and Anthropic (sk-ant-api03-, sk-ant-admin01-) keys
      const end = runOf(t, 3, ALNUM_UD);
      const body = t.slice(3, end).replace(/^(?:proj|svcacct|admin|ant-(?:api|admin|oat)\d\d)-/, '');
      if (body.length >= 20 && generated(body)) add(out, at, at + end, 'secret', PRIO.token);
      continue;
    }
    for (const r of TOKEN_RULES) {
      const p = r.prefix.exec(t);
      if (p === null) continue;
      const end = runOf(t, p[0].length, r.body);
      // the token must end where the vendor's alphabet ends, not in the middle of a longer word
      const next = t[end];
      const clean = next === undefined || !ALNUM.test(next);
      if (end >= r.min && end <= r.max && clean) add(out, at, at + end, 'secret', PRIO.token);
      break;
    }
  }
}

/** Length of a JWT (JWS: 3 segments, JWE: 5) at the start of `t`, or 0. */
function jwtLength(t: string): number {
  const ends: number[] = [];
  let i = 0;
  while (ends.length < 5) {
    const j = runOf(t, i, ALNUM_UD);
    if (ends.length < 2 && j - i < 10) return 0; // header and payload are base64url JSON: never tiny
    if (ends.length >= 3 && j === i) break; // a full stop after the token, not a fourth segment
    ends.push(j);
    if (t[j] !== '.') break;
    i = j + 1;
  }
  if (ends.length === 5) return ends[4]!;
  return ends.length >= 3 ? ends[2]! : 0;
}

/** LM:NT pairs (pwdump, secretsdump, `-hashes`): two 32-hex halves with a colon. A lone MD5 stays (it is an IOC). */
const LMNT_RE = /(?<![0-9A-Fa-f])[0-9A-Fa-f]{32}:[0-9A-Fa-f]{32}(?![0-9A-Fa-f])/g;
/** `user:RID:LM:NT:::` lines: the account name before the hashes. */
const PWDUMP_RE = /(?:^|[\r\n])([^:\r\n]{1,64}):\d{1,10}:[0-9A-Fa-f]{32}:[0-9A-Fa-f]{32}:/g;
/** NetNTLMv1/v2 as Responder and hashcat print them: user::domain:challenge:response:blob. */
const NETNTLM_RE =
  /(?<![^\s"'=])([^\s:"'\\]{1,64})::([^\s:"']{1,64}):([0-9A-Fa-f]{16,96}:[0-9A-Fa-f]{32,96}:[0-9A-Fa-f]{16,16384})/g;
/** Kerberoasting / AS-REP roasting output and cached domain credentials. */
const KRB_RE = /\$krb5(?:tgs|asrep|pa|tgt)\$[^\s"'<>]{8,16384}|\$DCC2\$\d{1,6}#[^#\s]{1,64}#[0-9A-Fa-f]{32}/gi;
/** crypt(3) hashes as in /etc/shadow (MD5, bcrypt, SHA-256/512, yescrypt, argon2). */
const CRYPT_RE = /(?<![A-Za-z0-9$])\$(?:1|2[abxy]|5|6|y|gy|7|argon2(?:id|i|d))\$[A-Za-z0-9./$=,+-]{8,512}/g;
/** The account before a shadow-style hash: `alice:$6$...`. */
const SHADOW_USER_RE = /(?<![^\s"'])([a-z_][a-z0-9_.-]{0,31}):\$(?:1|2[abxy]|5|6|y|gy|7|argon2(?:id|i|d))\$/g;

export function hashSpans(ctx: ScanContext, s: string, out: Span[]): void {
  if (s.includes(':')) {
    LMNT_RE.lastIndex = 0;
    for (let m = LMNT_RE.exec(s); m !== null; m = LMNT_RE.exec(s))
      add(out, m.index, m.index + m[0].length, 'secret', PRIO.token);
    PWDUMP_RE.lastIndex = 0;
    for (let m = PWDUMP_RE.exec(s); m !== null; m = PWDUMP_RE.exec(s)) {
      const u = m.index + m[0].indexOf(m[1]!);
      userValueSpans(ctx, s, u, u + m[1]!.length, out);
    }
    NETNTLM_RE.lastIndex = 0;
    for (let m = NETNTLM_RE.exec(s); m !== null; m = NETNTLM_RE.exec(s)) {
      const u = m.index;
      userValueSpans(ctx, s, u, u + m[1]!.length, out);
      const d = u + m[1]!.length + 2;
      add(out, d, d + m[2]!.length, 'domain', PRIO.host);
      const h = d + m[2]!.length + 1;
      add(out, h, h + m[3]!.length, 'secret', PRIO.token);
    }
  }
  if (s.includes('$')) {
    KRB_RE.lastIndex = 0;
    for (let m = KRB_RE.exec(s); m !== null; m = KRB_RE.exec(s))
      add(out, m.index, m.index + m[0].length, 'secret', PRIO.token);
    CRYPT_RE.lastIndex = 0;
    for (let m = CRYPT_RE.exec(s); m !== null; m = CRYPT_RE.exec(s))
      add(out, m.index, m.index + m[0].length, 'secret', PRIO.token);
    SHADOW_USER_RE.lastIndex = 0;
    for (let m = SHADOW_USER_RE.exec(s); m !== null; m = SHADOW_USER_RE.exec(s))
      userValueSpans(ctx, s, m.index, m.index + m[1]!.length, out);
  }
}

/** `Bearer <token>` and `Basic <base64 of user:password>` anywhere (headers quoted in messages, curl -H). */
const SCHEME_RE = /(?<![A-Za-z0-9_])(Bearer|Basic)[ \t]{1,4}([A-Za-z0-9._~+/-]{8,}=*)/g;

export function authSchemeSpans(s: string, out: Span[]): void {
  if (!s.includes('Bearer') && !s.includes('Basic')) return;
  SCHEME_RE.lastIndex = 0;
  for (let m = SCHEME_RE.exec(s); m !== null; m = SCHEME_RE.exec(s)) {
    const tok = m[2]!;
    const at = m.index + m[0].length - tok.length;
    if (m[1] === 'Bearer') {
      if (tok.length >= 16 && /[0-9]/.test(tok) && /[A-Za-z]/.test(tok))
        add(out, at, at + tok.length, 'secret', PRIO.token);
    } else if (isBasicCredential(tok)) add(out, at, at + tok.length, 'secret', PRIO.token);
  }
}

/** True when `tok` is base64 of printable `user:password`: the test that tells it from the word "Basic auth". */
export function isBasicCredential(tok: string): boolean {
  if (tok.length % 4 !== 0 || !/^[A-Za-z0-9+/]+=*$/.test(tok)) return false;
  const text = Buffer.from(tok, 'base64').toString('latin1');
  return text.includes(':') && /^[\x20-\x7e]+$/.test(text);
}
