// Dates of ignore and VEX files: `YYYY-MM-DD` (Trivy's `expired_at`, `exp:`) and RFC 3339 timestamps (OpenVEX),
// checked field by field rather than handed to `Date.parse`, which accepts many forms and rolls 02-30 over.

/** A date or timestamp read from a file: the instant and the text to show back. */
export type FileTime = {
  /** Milliseconds since the epoch; a date alone is its midnight UTC (as Trivy reads `expired_at`). */
  readonly ms: number;
  /** `YYYY-MM-DD` as written for a date, the UTC ISO form for a timestamp. */
  readonly text: string;
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const STAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/;

function validDay(y: number, m: number, d: number): boolean {
  if (y < 1000 || m < 1 || m > 12 || d < 1) return false;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= last;
}

/** Parses `YYYY-MM-DD` or an RFC 3339 timestamp; `undefined` for anything else (including impossible dates). */
export function parseFileTime(text: string): FileTime | undefined {
  const s = text.trim();
  if (s.length > 64) return undefined;
  const d = DATE.exec(s);
  if (d !== null) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    if (!validDay(y, m, day)) return undefined;
    return { ms: Date.UTC(y, m - 1, day), text: s };
  }
  const t = STAMP.exec(s);
  if (t === null) return undefined;
  const [y, m, day, hh, mm, ss] = [1, 2, 3, 4, 5, 6].map((i) => Number(t[i])) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // a leap second (:60) is the last instant of its minute
  if (!validDay(y, m, day) || hh > 23 || mm > 59 || ss > 60) return undefined;
  let offset = 0;
  if (t[9] !== undefined) {
    const oh = Number(t[10]);
    const om = Number(t[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (t[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = t[7] === undefined ? 0 : Math.floor(Number(`0.${t[7]}`) * 1000);
  const ms = Date.UTC(y, m - 1, day, hh, mm, Math.min(ss, 59)) + fraction - offset * 60_000;
  return { ms, text: new Date(ms).toISOString() };
}
