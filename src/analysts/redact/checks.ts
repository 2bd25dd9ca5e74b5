// Validators that keep the detectors honest: check digits (so a random 16-digit number is not a "card"), address
// parsing and range classification, entropy. Pure functions of strings; none allocates more than its input.
import type { MaskType } from './masks.ts';

/** Luhn (ISO/IEC 7812) over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * A payment card number: 13–19 digits, an issuer prefix that networks actually use (Visa, Mastercard incl. the
 * 2-series, Amex, JCB, Diners, Discover, UnionPay, Maestro) and a valid Luhn digit. The prefix check cuts the
 * one-in-ten Luhn pass rate of arbitrary numbers (record ids, counters) to a small fraction.
 */
export function isCardNumber(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  const p2 = Number(digits.slice(0, 2));
  const p4 = Number(digits.slice(0, 4));
  let issuer: boolean;
  switch (digits.charCodeAt(0) - 48) {
    case 2:
      issuer = p4 >= 2221 && p4 <= 2720 && n === 16;
      break;
    case 3:
      issuer =
        ((p2 === 34 || p2 === 37) && n === 15) ||
        (p4 >= 3528 && p4 <= 3589 && n >= 16) ||
        ((p2 === 36 || p2 === 38 || p2 === 39 || (p4 >= 3000 && p4 <= 3059) || p4 === 3095) && n >= 14);
      break;
    case 4:
      issuer = n === 13 || n === 16 || n === 19;
      break;
    case 5:
      // Mastercard 51–55 is always 16; the rest of the 5-series is Maestro (12–19)
      issuer = p2 >= 51 && p2 <= 55 ? n === 16 : true;
      break;
    case 6:
      // Discover, UnionPay, Maestro: 13–19 (checked above)
      issuer = true;
      break;
    default:
      issuer = false;
  }
  return issuer && luhnValid(digits);
}

/**
 * Japanese Individual Number (マイナンバー): 12 digits, the last a check digit over the first 11
 * (weights 2..7 then 2..6 from the right, mod 11; remainders 0 and 1 give 0).
 */
export function isMyNumber(digits: string): boolean {
  if (digits.length !== 12) return false;
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = digits.charCodeAt(11 - n) - 48;
    if (p < 0 || p > 9) return false;
    sum += p * (n <= 6 ? n + 1 : n - 5);
  }
  const r = sum % 11;
  const check = r <= 1 ? 0 : 11 - r;
  return digits.charCodeAt(11) - 48 === check;
}

/** IBAN lengths by country (ISO 13616 registry), so a look-alike of the wrong length is not taken. */
const IBAN_LENGTH: ReadonlyMap<string, number> = new Map(
  Object.entries({
    AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22,
    CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22,
    GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30,
    KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31,
    MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24,
    SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
  }),
); // prettier-ignore

/** The length an IBAN of this country must have, or undefined for a code that has no IBAN. */
export function ibanLength(country: string): number | undefined {
  return IBAN_LENGTH.get(country);
}

/** ISO 13616 mod-97 check over an IBAN without spaces (upper case). */
export function ibanValid(iban: string): boolean {
  if (IBAN_LENGTH.get(iban.slice(0, 2)) !== iban.length) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < moved.length; i++) {
    const c = moved.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

// ---- addresses ----

/** An IPv4 dotted quad as a 32-bit unsigned number; undefined unless exactly four octets 0..255. */
export function parseIPv4(s: string): number | undefined {
  let value = 0;
  let parts = 0;
  let i = 0;
  while (i <= s.length) {
    let j = i;
    let octet = 0;
    while (j < s.length && j - i < 4) {
      const c = s.charCodeAt(j);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      j++;
    }
    if (j === i || j - i > 3 || octet > 255) return undefined;
    value = value * 256 + octet;
    parts++;
    if (j === s.length) break;
    if (s.charCodeAt(j) !== 46 || parts === 4) return undefined;
    i = j + 1;
  }
  return parts === 4 ? value : undefined;
}

/** An IPv6 address (RFC 4291 text forms, embedded IPv4 allowed, zone id ignored) as eight 16-bit groups. */
export function parseIPv6(text: string): number[] | undefined {
  const pct = text.indexOf('%');
  const s = pct >= 0 ? text.slice(0, pct) : text;
  if (s.length < 2 || s.length > 45) return undefined;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const parse = (part: string, allowV4: boolean): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let g = 0; g < groups.length; g++) {
      const grp = groups[g]!;
      if (allowV4 && g === groups.length - 1 && grp.includes('.')) {
        const v4 = parseIPv4(grp);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
        continue;
      }
      if (!/^[0-9A-Fa-f]{1,4}$/.test(grp)) return undefined;
      out.push(parseInt(grp, 16));
    }
    return out;
  };
  const h = parse(head, dbl < 0);
  const t = parse(tail, true);
  if (h === undefined || t === undefined) return undefined;
  if (dbl < 0) return h.length === 8 ? h : undefined;
  if (h.length + t.length > 7) return undefined;
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/** The IPv4 inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), if it is one. */
export function mappedIPv4(g: readonly number[]): number | undefined {
  for (let i = 0; i < 5; i++) if (g[i] !== 0) return undefined;
  return g[5] === 0xffff ? g[6]! * 65536 + g[7]! : undefined;
}

/** RFC 5952 text of an IPv6 address (lower case, longest zero run compressed). */
export function formatIPv6(g: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function formatIPv4(v: number): string {
  return `${Math.floor(v / 16777216)}.${Math.floor(v / 65536) % 256}.${Math.floor(v / 256) % 256}.${v % 256}`;
}

/**
 * Addresses that name something inside an organisation: RFC 1918, loopback, link-local, CGNAT shared space
 * (RFC 6598, used inside large networks), and for IPv6 loopback, ULA (fc00::/7), link-local and the deprecated
 * site-local range. 0.0.0.0 and the limited broadcast name nothing and are not "private".
 */
export function isPrivateIPv4(v: number): boolean {
  const a = Math.floor(v / 16777216);
  const b = Math.floor(v / 65536) % 256;
  return (
    a === 10 ||
    a === 127 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

export function isPrivateIPv6(g: readonly number[]): boolean {
  const v4 = mappedIPv4(g);
  if (v4 !== undefined) return isPrivateIPv4(v4);
  const loopback = g.slice(0, 7).every((x) => x === 0) && g[7] === 1;
  const first = g[0]!;
  return loopback || (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0;
}

/** Addresses that identify nothing (unspecified, broadcast): never worth a mask. */
export function isNothingAddress(ip: ParsedIp): boolean {
  if (ip.v === 4) return ip.v4 === 0 || ip.v4 === 0xffffffff;
  return ip.groups.every((x) => x === 0);
}

export type ParsedIp =
  { readonly v: 4; readonly v4: number } | { readonly v: 6; readonly groups: readonly number[]; readonly v4?: number };

export function parseIp(s: string): ParsedIp | undefined {
  if (s.includes(':')) {
    const g = parseIPv6(s);
    if (g === undefined) return undefined;
    const v4 = mappedIPv4(g);
    return v4 === undefined ? { v: 6, groups: g } : { v: 6, groups: g, v4 };
  }
  const v4 = parseIPv4(s);
  return v4 === undefined ? undefined : { v: 4, v4 };
}

/** Canonical text, so `::ffff:10.0.0.1`, `10.0.0.1` and `::FFFF:a00:1` share one mask. */
export function canonicalIp(ip: ParsedIp): string {
  if (ip.v === 4) return formatIPv4(ip.v4);
  return ip.v4 !== undefined ? formatIPv4(ip.v4) : formatIPv6(ip.groups);
}

export function isPrivateIp(ip: ParsedIp): boolean {
  if (ip.v === 4) return isPrivateIPv4(ip.v4);
  return isPrivateIPv6(ip.groups);
}

/** A CIDR block, IPv4 or IPv6, as 128-bit bigint bounds (IPv4 as ::ffff:0:0/96, so mapped addresses match). */
export type Cidr = { readonly lo: bigint; readonly hi: bigint };

function ipBig(ip: ParsedIp): bigint {
  if (ip.v === 4 || ip.v4 !== undefined) return 0xffff00000000n + BigInt(ip.v4!);
  let x = 0n;
  for (const g of ip.groups) x = (x << 16n) | BigInt(g);
  return x;
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  const isV4 = ip.v === 4;
  const max = isV4 ? 32 : 128;
  const bitsText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > max) return undefined;
  const total = BigInt(isV4 ? bits + 96 : bits);
  const hostBits = 128n - total;
  const base = (ipBig(ip) >> hostBits) << hostBits;
  return { lo: base, hi: base + (1n << hostBits) - 1n };
}

export function inCidr(ip: ParsedIp, c: Cidr): boolean {
  const x = ipBig(ip);
  return x >= c.lo && x <= c.hi;
}

// ---- other ----

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * A token that looks like generated key material rather than a word: 16+ characters of one key alphabet (hex,
 * base64, base64url), letters and digits mixed, and enough entropy. Used only where the context already says
 * "key" (an `api_key=` value, a `-Key` flag), never on free text: file hashes and encoded commands stay visible.
 */
export function looksLikeKeyMaterial(s: string): boolean {
  if (s.length < 16 || s.length > 8192) return false;
  let digit = false;
  let alpha = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digit = true;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) alpha = true;
    else if (c !== 43 && c !== 47 && c !== 61 && c !== 45 && c !== 95) return false;
  }
  if (!digit || !alpha) return false;
  const hex = /^[0-9a-fA-F]+$/.test(s);
  return entropy(s) >= (hex ? 3 : 3.5);
}

/**
 * How two occurrences are compared: case-insensitive for names and addresses (DNS and Windows are), digits
 * only for numbers written with separators, exact for secrets (a password differs by case).
 */
export function maskKey(type: MaskType, original: string): string {
  switch (type) {
    case 'email':
    case 'user':
    case 'domain':
      return original.toLowerCase();
    case 'host':
      return original.toLowerCase().replace(/\.$/, '');
    case 'ip': {
      const ip = parseIp(original.replace(/^\[|\]$/g, ''));
      return ip === undefined ? original.toLowerCase() : canonicalIp(ip);
    }
    case 'card':
    case 'mynumber':
      return original.replace(/\D/g, '');
    case 'phone': {
      const digits = original.replace(/\D/g, '');
      if (original.trimStart().startsWith('+')) return `+${digits}`;
      // a Japanese national number: the same line as +81 without the trunk 0
      return digits.startsWith('0') ? `+81${digits.slice(1)}` : digits;
    }
    case 'iban':
      return original.replace(/\s/g, '').toUpperCase();
    case 'secret':
      return original;
  }
}
