// Sigma's time modifiers (specification v2.1: minute, hour, day, week, month, year): a part of a date/time field
// value, as a number, to compare with the rule's value. Parts are taken in UTC: a value with an offset is converted,
// a value without one (Sysmon's UtcTime, evtx_dump's SystemTime ends in Z) is taken as UTC already.

export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

export const TIME_PARTS: ReadonlySet<string> = new Set<TimePart>(['minute', 'hour', 'day', 'week', 'month', 'year']);

const DAY_MS = 86_400_000;

// 2026-11-02, 2026-11-02T10:14, 2026-11-02 10:14:00.000, 2026-11-02T10:14:00.123456Z, …+09:00, …-0500
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?[ ]?(?:([Zz])|([+-])(\d{2}):?(\d{2})?)?$/;

/** Milliseconds since the epoch of an ISO 8601 date or date-time (UTC unless it has an offset); undefined if not one. */
export function parseUtc(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  // Date.UTC rolls 2026-02-30 over into March: such a date is not a date
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  let t = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
  if (m[8] !== undefined) {
    const offHours = Number(m[9]);
    const offMinutes = m[10] === undefined ? 0 : Number(m[10]);
    if (offHours > 23 || offMinutes > 59) return undefined;
    t -= (m[8] === '-' ? -1 : 1) * (offHours * 60 + offMinutes) * 60_000;
  }
  return t;
}

/** ISO 8601 week of the year (1-53): weeks start on Monday, week 1 holds the year's first Thursday. */
function isoWeek(t: number): number {
  const midnight = t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
  const weekday = (new Date(midnight).getUTCDay() + 6) % 7;
  const thursday = midnight + (3 - weekday) * DAY_MS;
  const jan1 = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return 1 + Math.floor((thursday - jan1) / (7 * DAY_MS));
}

/** The part of a UTC instant a time modifier takes. */
export function timePart(t: number, part: TimePart): number {
  const d = new Date(t);
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'week':
      return isoWeek(t);
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
  }
}
