import { UsageError } from '../core/errors.ts';

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/**
 * Parses a --since/--until value: an ISO 8601 date or date-time (UTC when no offset is given), or a duration
 * back from now such as `30m`, `24h`, `7d`, `2w`.
 */
export function parseTimeArg(flag: string, s: string, now: number = Date.now()): number {
  const rel = /^(\d+)([smhdw])$/.exec(s.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  let text = s.trim();
  // a bare date or a date-time without an offset is taken as UTC: logs are compared in UTC
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00Z';
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text = text.replace(' ', 'T') + 'Z';
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new UsageError(
      `${flag} '${s}' is not a time: use an ISO 8601 date/time (2024-05-01, 2024-05-01T12:00:00Z) or a duration ago (30m, 24h, 7d)`,
    );
  }
  return t;
}
