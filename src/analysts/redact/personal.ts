// Personal data in free text: e-mail addresses, phone numbers (international, Japanese), payment cards, My Number,
// IBANs, and user names in profile paths. Numbers are taken only with their check digit (Luhn, the My Number
// check digit, mod-97) or a phone number's shape, so event ids, process ids, record numbers and timestamps stay.
import { ibanLength, ibanValid, isCardNumber, isMyNumber } from './checks.ts';
import { PRIO, type ScanContext, type Span, add, hostValueSpans, knownHostKey } from './context.ts';
import { SHARED_PROFILES, isWellKnownUser } from './fields.ts';

function isLocalChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 46 ||
    c === 95 ||
    c === 37 ||
    c === 43 ||
    c === 45
  );
}
function isDomainChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 45;
}
/** Tools where `name@host` is a login, not an address. */
const LOGIN_TOOLS = /(?<![A-Za-z0-9_-])(?:ssh|scp|sftp|rsync|plink|pscp|telnet|ftp|mosh)(?:\.exe)?(?![A-Za-z0-9_-])/i;

/** E-mail addresses; and `user@host` logins (ssh alice@ws01) as a user and a host. */
export function emailSpans(ctx: ScanContext, s: string, out: Span[]): void {
  let at = s.indexOf('@');
  let login: boolean | undefined;
  while (at >= 0) {
    let a = at;
    while (a > 0 && at - a < 64 && isLocalChar(s.charCodeAt(a - 1))) a--;
    while (a < at && s.charCodeAt(a) === 46) a++;
    let b = at + 1;
    while (b < s.length && b - at <= 253 && isDomainChar(s.charCodeAt(b))) b++;
    while (b > at + 1 && (s.charCodeAt(b - 1) === 46 || s.charCodeAt(b - 1) === 45)) b--;
    const next = s.indexOf('@', Math.max(b, at + 1));
    if (a < at && b > at + 1) {
      const local = s.slice(a, at);
      const domain = s.slice(at + 1, b);
      const dot = domain.lastIndexOf('.');
      const tld = dot >= 0 ? domain.slice(dot + 1) : '';
      if (
        dot > 0 &&
        /^(?:[A-Za-z]{2,24}|xn--[a-z0-9-]{1,59})$/.test(tld) &&
        !/^\d+x\./.test(domain) &&
        local !== 'git'
      ) {
        add(out, a, b, 'email', PRIO.email);
      } else if (dot < 0 || /^[0-9.]+$/.test(domain)) {
        login ??= LOGIN_TOOLS.test(s);
        const knownHost = ctx.known.get(domain.toLowerCase())?.type === 'host';
        if (login || knownHost) {
          const u = s.slice(a, at);
          if (!isWellKnownUser(u, ctx.keepUsers) && !/^\d+$/.test(u)) add(out, a, at, 'user', PRIO.user);
          hostValueSpans(ctx, s, at + 1, b, true, out);
        }
      }
    }
    at = next;
  }
}

/**
 * Candidates for numbers: a digit at a boundary, then digits and the separators people write numbers with.
 * The look-behind makes a long digit run one candidate, not one per digit.
 */
const NUMBER_RE = /(?<=^|[^0-9A-Za-z_]|\\[nrt])[+(]?\d[\d ().-]{6,60}/g;

type Group = { readonly start: number; readonly end: number; readonly digits: string };

export function numberSpans(s: string, out: Span[]): void {
  NUMBER_RE.lastIndex = 0;
  for (let m = NUMBER_RE.exec(s); m !== null; m = NUMBER_RE.exec(s)) {
    let text = m[0];
    const start = m.index;
    // trailing separators belong to the sentence
    while (text.length > 0 && /[ ().-]/.test(text[text.length - 1]!)) text = text.slice(0, -1);
    if (text.length === 0) continue;
    const end = start + text.length;
    // a candidate glued to letters or digits after it is part of a longer token (a hash, an id)
    const after = s.charCodeAt(end);
    if ((after >= 48 && after <= 57) || (after >= 65 && after <= 90) || (after >= 97 && after <= 122) || after === 95)
      continue;
    const prev = start > 0 ? s.charCodeAt(start - 1) : 0;
    const prev2 = start > 1 ? s.charCodeAt(start - 2) : 0;
    // the tail of a GUID, version or CVE id (`-000000000900`, `.1234`) is not a number of its own
    const gluedBefore = (prev === 45 || prev === 46) && /[0-9A-Za-z]/.test(String.fromCharCode(prev2));
    if (text.startsWith('+')) {
      if (!gluedBefore) intlPhone(text, start, out);
      continue;
    }
    if (!gluedBefore && japanesePhone(text)) {
      add(out, start, end, 'phone', PRIO.phone);
      continue;
    }
    const groups: Group[] = [];
    const seps: string[] = [];
    const re = /\d+|[^\d]+/g;
    for (let g = re.exec(text); g !== null; g = re.exec(text)) {
      if (/^\d/.test(g[0])) groups.push({ start: start + g.index, end: start + g.index + g[0].length, digits: g[0] });
      else seps.push(g[0]);
    }
    cardLike(groups, seps, gluedBefore, out);
  }
}

/**
 * +CC then more digits, grouped by single spaces, dots or hyphens, with at most one parenthesised group (an area
 * code): 8–15 digits in all (E.164). Checked by hand: a regex with nested optional groups would backtrack badly.
 */
function intlPhone(text: string, start: number, out: Span[]): void {
  if (text.length > 32 || text.charCodeAt(1) === 48) return;
  let digits = 0;
  let parens = 0;
  let open = false;
  let prevSep = true;
  for (let k = 1; k < text.length; k++) {
    const c = text[k]!;
    if (c >= '0' && c <= '9') {
      digits++;
      prevSep = false;
    } else if (c === '(') {
      if (open || parens > 0) return;
      open = true;
      parens++;
    } else if (c === ')') {
      if (!open || prevSep) return;
      open = false;
    } else {
      if (prevSep) return; // "+81--3", "+ 81"
      prevSep = true;
    }
  }
  if (!open && !prevSep && digits >= 8 && digits <= 15) add(out, start, start + text.length, 'phone', PRIO.phone);
}

/**
 * Japanese numbers: 0 + area code + subscriber, 10 digits (landline, 0120 free dial) or 11 (070/080/090 mobile,
 * 050 IP, 0800). Written 03-1234-5678, 090-1234-5678, 03(1234)5678, (03) 1234-5678, or unbroken 09012345678.
 */
function japanesePhone(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  if (digits.length < 10 || digits.length > 11 || digits[0] !== '0' || digits[1] === '0') return false;
  if (digits.length === 11 && !/^0(?:[5789]0|800)/.test(digits)) return false;
  if (/^\d+$/.test(text)) return true;
  return (
    /^0\d{1,4}-\d{1,4}-\d{3,4}$/.test(text) ||
    /^0\d{1,4} \d{1,4} \d{3,4}$/.test(text) ||
    /^0\d{1,4}\(\d{1,4}\)\d{3,4}$/.test(text) ||
    /^\(0\d{1,4}\) ?\d{1,4}-\d{3,4}$/.test(text)
  );
}

/**
 * Cards (13–19 digits, Luhn and an issuer prefix) and My Number (12 digits with its check digit), written unbroken
 * or in groups (4-4-4-4, 4-6-5, 4-4-4). Tried on every window of whole groups, so a card inside a longer list of
 * numbers is still found.
 */
function cardLike(groups: readonly Group[], seps: readonly string[], gluedBefore: boolean, out: Span[]): void {
  for (let i = 0; i < groups.length; i++) {
    // a window starts at the candidate's start or after a space (not inside a hyphenated id)
    if (i > 0 && seps[i - 1] !== ' ') continue;
    // a window of several groups starts with a group of 4–6, and a single group needs 12+ digits
    if (groups[i]!.digits.length < 4) continue;
    let digits = '';
    // the longest valid window from here: 4111 1111 1111 1111 is one card, not a My Number and a spare group
    let best: { end: number; j: number; type: 'card' | 'mynumber' } | undefined;
    for (let j = i; j < groups.length; j++) {
      // one separator throughout the window, a single space or hyphen
      if (j > i && (seps[j - 1] !== seps[i] || (seps[i] !== ' ' && seps[i] !== '-'))) break;
      digits += groups[j]!.digits;
      if (digits.length > 19) break;
      const endsHere = j === groups.length - 1 || seps[j] === ' ';
      if (!endsHere) continue;
      if (j > i) {
        const prev = groups[j - 1]!.digits.length;
        if (prev < 4 || prev > 6) break; // every group but the last is 4–6 digits
      }
      const sizes = groups.slice(i, j + 1).map((g) => g.digits.length);
      if (digits.length >= 13 && isCardNumber(digits)) best = { end: groups[j]!.end, j, type: 'card' };
      else if (
        digits.length === 12 &&
        !(i === 0 && gluedBefore) &&
        (sizes.length === 1 || sizes.every((n) => n === 4)) &&
        isMyNumber(digits)
      )
        best = { end: groups[j]!.end, j, type: 'mynumber' };
    }
    if (best !== undefined) {
      add(out, groups[i]!.start, best.end, best.type, PRIO.number);
      i = best.j;
    }
  }
}

const IBAN_RE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32}/g;

/** IBANs, unbroken or in groups of four, of the registered length for their country and with a valid mod-97. */
export function ibanSpans(s: string, out: Span[]): void {
  IBAN_RE.lastIndex = 0;
  for (let m = IBAN_RE.exec(s); m !== null; m = IBAN_RE.exec(s)) {
    const t = m[0];
    const len = ibanLength(t.slice(0, 2));
    if (len === undefined) continue;
    let compact = '';
    let k = 0;
    while (k < t.length && compact.length < len) {
      if (t[k] !== ' ') compact += t[k];
      k++;
    }
    if (compact.length !== len) continue;
    const next = s.charCodeAt(m.index + k);
    if ((next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122)) continue;
    if (ibanValid(compact)) add(out, m.index, m.index + k, 'iban', PRIO.number);
  }
}

/**
 * The profile folder in `C:\Users\<name>\`, `\\host\c$\Users\<name>`, `/home/<name>/`, `/Users/<name>/` (one or,
 * in escaped text, two backslashes). Shared profiles (Public, Default) and wildcards in rule text are kept.
 */
const PROFILE_RE =
  /(?<![A-Za-z0-9_])(?:Users|Documents and Settings|home)(\\{1,2}|\/)([^\\/"'<>|:*?\r\n\t%$;=,+[\]]{1,64})/gi;

export function profilePathSpans(ctx: ScanContext, s: string, out: Span[]): void {
  PROFILE_RE.lastIndex = 0;
  for (let m = PROFILE_RE.exec(s); m !== null; m = PROFILE_RE.exec(s)) {
    const before = m.index > 0 ? s[m.index - 1] : '';
    if (before !== '\\' && before !== '/') continue;
    let seg = m[2]!;
    const a = m.index + m[0].length - seg.length;
    // Windows profile names may hold a space ("C:\Users\John Smith\"), but only when a separator closes them;
    // Unix names never do ("/home/alice ; USER=root")
    const terminated = /[\\/]/.test(s[a + seg.length] ?? '');
    if (!terminated || m[1] === '/') seg = seg.split(/\s/)[0]!;
    seg = seg.trimEnd();
    if (seg.length === 0 || seg === '.' || seg === '..') continue;
    const lower = seg.toLowerCase();
    if (SHARED_PROFILES.has(lower) || isWellKnownUser(seg, ctx.keepUsers) || seg.startsWith('<')) continue;
    // a second profile for the same name gets the domain appended: C:\Users\alice.CONTOSO
    const dot = seg.lastIndexOf('.');
    if (dot > 0) {
      const dom = ctx.known.get(lower.slice(dot + 1));
      if (dom?.type === 'domain') {
        add(out, a, a + dot, 'user', PRIO.user);
        add(out, a + dot + 1, a + seg.length, 'domain', PRIO.host, dom.key, dom.original);
        continue;
      }
    }
    add(out, a, a + seg.length, 'user', PRIO.user);
  }
}

/** `\\host\share`: the host of a UNC path (one or two escaped backslash pairs); not `C:\\Users` (escaped). */
const UNC_RE = /(?<![\\A-Za-z0-9:])\\\\(?:\\\\)?([A-Za-z0-9_][A-Za-z0-9_.-]{0,62})(?=\\|$|[\s"'])/g;

export function uncSpans(ctx: ScanContext, s: string, out: Span[]): void {
  if (!ctx.hosts || !s.includes('\\\\')) return;
  UNC_RE.lastIndex = 0;
  for (let m = UNC_RE.exec(s); m !== null; m = UNC_RE.exec(s)) {
    const a = m.index + m[0].length - m[1]!.length;
    const name = m[1]!;
    if (name.toLowerCase() === 'tsclient' || name.toLowerCase() === 'wsl.localhost') continue;
    const k = knownHostKey(ctx, name);
    if (!name.includes('.') && k.length === 0) add(out, a, a + name.length, 'host', PRIO.host);
    else hostValueSpans(ctx, s, a, a + name.length, true, out);
  }
}
