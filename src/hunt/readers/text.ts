// Small scanners shared by the line-oriented readers (syslog, web): no regular expressions on hostile lines.

/** True for an ASCII digit code. */
export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Digits of s[i..i+n) as a number, or -1 when one is not a digit. */
export function num(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** Month index of a three-letter English month name at s[i], or -1. */
export function monthAt(s: string, i: number): number {
  // pack the three lower-cased letters into one number: one switch, no substring
  const k = ((s.charCodeAt(i) | 0x20) << 16) | ((s.charCodeAt(i + 1) | 0x20) << 8) | (s.charCodeAt(i + 2) | 0x20);
  switch (k) {
    case 0x6a616e:
      return 0; // jan
    case 0x666562:
      return 1;
    case 0x6d6172:
      return 2;
    case 0x617072:
      return 3;
    case 0x6d6179:
      return 4;
    case 0x6a756e:
      return 5;
    case 0x6a756c:
      return 6;
    case 0x617567:
      return 7;
    case 0x736570:
      return 8;
    case 0x6f6374:
      return 9;
    case 0x6e6f76:
      return 10;
    case 0x646563:
      return 11;
    default:
      return -1;
  }
}
