// What each consumer makes of a login.defs value, and how a check compares it. Pure.
//   - shadow numbers: getlong() = strtol(value, &end, 0) that must consume everything (`022` is octal,
//     `0x12` hex, `27` DECIMAL); unparseable → the tool's default. PASS_MAX_DAYS below 0 means no maximum.
//   - shadow booleans: strcasecmp(value, "yes"), anything else is no.
//   - shadow ENCRYPT_METHOD: strcmp against DES, MD5, SHA256, SHA512, BCRYPT, YESCRYPT (lib/salt.c): case
//     matters, anything else falls back to DES.
//   - pam_umask UMASK: strtoul(value, &end, 8) & 0777, trailing text ignored; no digits → umask untouched.
//   - pam_unix ENCRYPT_METHOD: strncasecmp prefix against its hash options (md5, bigcrypt, sha256, sha512,
//     blowfish, gost_yescrypt, yescrypt); unrecognised → pam_unix keeps its own default.
// UMASK checks are about strictness: `equals: "027"` passes for any umask that masks at least 027's bits
// (077 passes, 022 does not); the expected text says so.
import type { Expectation } from '../types.ts';
import { describeExpectation as describeShared, withinBounds } from '../expect.ts';

export type Consumer = 'shadow' | 'pam_umask' | 'pam_unix';

/** A value as one consumer applies it: `text` for messages, `num` for numbers, undefined `text`: not set. */
export type Applied = { readonly text?: string; readonly num?: number; readonly note?: string };

// prettier-ignore
const NUMERIC = new Set([
  'PASS_MAX_DAYS', 'PASS_MIN_DAYS', 'PASS_WARN_AGE', 'PASS_MIN_LEN', 'PASS_MAX_LEN', 'PASS_CHANGE_TRIES',
  'UMASK', 'HOME_MODE', 'TTYPERM', 'ERASECHAR', 'KILLCHAR', 'ULIMIT',
  'UID_MIN', 'UID_MAX', 'GID_MIN', 'GID_MAX', 'SYS_UID_MIN', 'SYS_UID_MAX', 'SYS_GID_MIN', 'SYS_GID_MAX',
  'SUB_UID_MIN', 'SUB_UID_MAX', 'SUB_UID_COUNT', 'SUB_GID_MIN', 'SUB_GID_MAX', 'SUB_GID_COUNT',
  'LOGIN_RETRIES', 'LOGIN_TIMEOUT', 'FAIL_DELAY', 'MAX_MEMBERS_PER_GROUP', 'LASTLOG_UID_MAX',
  'SHA_CRYPT_MIN_ROUNDS', 'SHA_CRYPT_MAX_ROUNDS', 'BCRYPT_MIN_ROUNDS', 'BCRYPT_MAX_ROUNDS', 'YESCRYPT_COST_FACTOR',
]);

// prettier-ignore
const BOOLEAN = new Set([
  'CREATE_HOME', 'DEFAULT_HOME', 'FAILLOG_ENAB', 'LOG_OK_LOGINS', 'LOG_UNKFAIL_ENAB', 'LASTLOG_ENAB',
  'MAIL_CHECK_ENAB', 'MD5_CRYPT_ENAB', 'OBSCURE_CHECKS_ENAB', 'PORTTIME_CHECKS_ENAB', 'QUOTAS_ENAB',
  'SU_WHEEL_ONLY', 'SYSLOG_SG_ENAB', 'SYSLOG_SU_ENAB', 'USERGROUPS_ENAB', 'FORCE_SHADOW', 'GRANT_AUX_GROUP_SUBIDS',
  'CHFN_AUTH', 'CHSH_AUTH', 'PASS_ALWAYS_WARN',
]);

/** The value shadow-utils uses when a number is missing or unparseable (login.defs(5), getdef defaults). */
const NUMERIC_DEFAULT: Readonly<Record<string, number>> = {
  PASS_MAX_DAYS: -1,
  PASS_MIN_DAYS: 0,
  PASS_WARN_AGE: -1,
  UMASK: 0o22,
};

const SHADOW_METHODS = new Set(['DES', 'MD5', 'SHA256', 'SHA512', 'BCRYPT', 'YESCRYPT']);
/** pam_unix's hash options in the order its _set_ctrl tries them, and shadow's name for each. */
const PAM_UNIX_METHODS: readonly [string, string][] = [
  ['md5', 'MD5'],
  ['bigcrypt', 'BIGCRYPT'],
  ['sha256', 'SHA256'],
  ['sha512', 'SHA512'],
  ['blowfish', 'BCRYPT'],
  ['gost_yescrypt', 'GOST_YESCRYPT'],
  ['yescrypt', 'YESCRYPT'],
];

/** Who reads a key: PAM too for UMASK (pam_umask) and ENCRYPT_METHOD (pam_unix). */
export function consumersOf(key: string): readonly Consumer[] {
  if (key === 'UMASK') return ['shadow', 'pam_umask'];
  if (key === 'ENCRYPT_METHOD') return ['shadow', 'pam_unix'];
  return ['shadow'];
}

const C_INTEGER = /^[\t\n\v\f\r ]*[+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

/** strtol(s, &end, 0) with `*end == '\0'` required (shadow's getlong). */
export function getlong(s: string): number | undefined {
  if (!C_INTEGER.test(s)) return undefined;
  const t = s.trim();
  const neg = t.startsWith('-');
  const u = t.replace(/^[+-]/, '');
  const n = /^0[xX]/.test(u) ? parseInt(u.slice(2), 16) : u.length > 1 ? parseInt(u, u[0] === '0' ? 8 : 10) : Number(u);
  return neg ? -n : n;
}

export const octal = (n: number): string => `0${(n & 0o777).toString(8).padStart(2, '0')}`;

function numberText(key: string, n: number): string {
  if (key === 'UMASK') return octal(n);
  if (key === 'PASS_MAX_DAYS' && n < 0) return `${n} (no maximum)`;
  if (key === 'PASS_WARN_AGE' && n < 0) return `${n} (no warning)`;
  return String(n);
}

/** How `consumer` applies `value` (undefined: no line for the key). */
export function applied(consumer: Consumer, key: string, value: string | undefined): Applied {
  if (consumer === 'pam_umask') {
    if (value === undefined) return { note: 'pam_umask finds no UMASK and leaves the umask as it is' };
    const m = /^[\t\n\v\f\r ]*\+?([0-7]+)/.exec(value);
    if (!m) return { note: `pam_umask cannot read "${value}" and leaves the umask as it is` };
    const n = parseInt(m[1]!, 8) & 0o777;
    return { text: octal(n), num: n };
  }
  if (consumer === 'pam_unix') {
    if (value === undefined) return { note: 'pam_unix finds no ENCRYPT_METHOD and uses its own default' };
    const hit = PAM_UNIX_METHODS.find(([tok]) => value.toLowerCase().startsWith(tok));
    if (!hit) return { note: `pam_unix does not recognise "${value}" and uses its own default` };
    return { text: hit[1] };
  }
  if (NUMERIC.has(key)) {
    const n = value === undefined ? undefined : getlong(value);
    if (n !== undefined) return { text: numberText(key, n), num: n };
    const dflt = NUMERIC_DEFAULT[key];
    const why = value === undefined ? 'not set' : `"${value}" is not a number`;
    if (dflt === undefined) return { note: `${why}, no default` };
    return { text: numberText(key, dflt), num: dflt, note: `${why}: shadow uses the default` };
  }
  if (BOOLEAN.has(key)) {
    if (value === undefined) return { text: 'no', note: 'not set: no' };
    return { text: value.toLowerCase() === 'yes' ? 'yes' : 'no' };
  }
  if (key === 'ENCRYPT_METHOD' && value !== undefined && !SHADOW_METHODS.has(value))
    return { text: 'DES', note: `"${value}" is not a method shadow knows (case matters): it falls back to DES` };
  return value === undefined ? { note: 'not set' } : { text: value };
}

/** A umask written in a check is octal whatever its leading digit (`027`, `27`, `0027`). */
const umaskOf = (s: string): number | undefined => (/^\s*[0-7]+\s*$/.test(s) ? parseInt(s, 8) & 0o777 : undefined);

export function describeExpectation(key: string, e: Expectation): string {
  const u = 'equals' in e && key === 'UMASK' ? umaskOf(e.equals) : undefined;
  return u === undefined ? describeShared(e) : `${octal(u)} or stricter (masks at least these bits)`;
}

function sameValue(key: string, a: Applied, want: string): boolean {
  if (key === 'UMASK') {
    const w = umaskOf(want);
    return a.num !== undefined && w !== undefined && (a.num & w) === w;
  }
  if (a.num !== undefined) return a.num === getlong(want);
  if (BOOLEAN.has(key)) return a.text === want.toLowerCase();
  return a.text === want;
}

/** Whether an applied value satisfies an expectation; a missing value never does (the defaults are weak). */
export function satisfies(key: string, e: Expectation, a: Applied): boolean {
  if (a.text === undefined) return false;
  if ('equals' in e) return sameValue(key, a, e.equals);
  if ('oneOf' in e) return e.oneOf.some((o) => sameValue(key, a, o));
  if ('excludes' in e) return !e.excludes.some((x) => sameValue(key, a, x));
  if ('present' in e) return a.note === undefined || !a.note.startsWith('not set');
  if (a.num === undefined) return false;
  // PASS_MAX_DAYS -1 disables expiry: it is not "at most 365"
  const n = key === 'PASS_MAX_DAYS' && a.num < 0 ? Infinity : a.num;
  return withinBounds(e, n);
}
