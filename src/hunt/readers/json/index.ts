import type { LogEvent, LogReader } from '../../event.ts';

/** Lines longer than this are reported and skipped, not buffered without bound. */
const MAX_LINE = 16 << 20;
const BATCH = 500;

function timeOf(o: Record<string, unknown>): number | undefined {
  const sys = (o['Event'] as { System?: { TimeCreated?: { '#attributes'?: { SystemTime?: unknown } } } } | undefined)
    ?.System;
  const cands = [
    sys?.TimeCreated?.['#attributes']?.SystemTime,
    o['@timestamp'],
    o['timestamp'],
    o['time'],
    o['eventTime'],
    o['ts'],
    o['date'],
  ];
  for (const c of cands) {
    if (typeof c === 'number') return c > 1e11 ? c : c * 1000;
    if (typeof c === 'string') {
      const t = Date.parse(c);
      if (!Number.isNaN(t)) return t;
    }
  }
  return undefined;
}

function hostOf(o: Record<string, unknown>): string | undefined {
  const sys = (o['Event'] as { System?: { Computer?: unknown } } | undefined)?.System;
  const host = o['host'] as { name?: unknown; hostname?: unknown } | string | undefined;
  const winlog = o['winlog'] as { computer_name?: unknown } | undefined;
  const c =
    sys?.Computer ??
    winlog?.computer_name ??
    (typeof host === 'object' ? (host?.name ?? host?.hostname) : host) ??
    o['hostname'];
  return typeof c === 'string' ? c : undefined;
}

/**
 * JSON lines (one object per line). This first version reads JSONL and a single object per line; whole-file JSON
 * arrays are read when the file is one array that fits a line (see docs/formats/logs.md for what is left).
 */
export const jsonReader: LogReader = {
  format: 'json',
  sniff(head) {
    let i = 0;
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
    while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
    return head[i] === 0x7b || head[i] === 0x5b;
  },
  async *read(input, options) {
    const decoder = new TextDecoder('utf-8');
    let rest = '';
    let lineNo = 0;
    let batch: LogEvent[] = [];
    const take = function* (line: string): Generator<LogEvent> {
      lineNo++;
      const t = line.trim();
      if (!t) return;
      let v: unknown;
      try {
        v = JSON.parse(t.charCodeAt(0) === 0xfeff ? t.slice(1) : t);
      } catch (err) {
        options.onIssue?.({
          file: input.path,
          where: `line ${lineNo}`,
          message: `not JSON: ${(err as Error).message}`,
        });
        return;
      }
      const items = Array.isArray(v) ? v : [v];
      for (const o of items) {
        if (!o || typeof o !== 'object' || Array.isArray(o)) continue;
        const data = o as Record<string, unknown>;
        const time = timeOf(data);
        const rid = (data['Event'] as { System?: { EventRecordID?: unknown } } | undefined)?.System?.EventRecordID;
        const host = hostOf(data);
        yield {
          format: 'json',
          data,
          source: { file: input.path, line: lineNo, ...(typeof rid === 'number' ? { recordId: rid } : {}) },
          ...(time !== undefined ? { time } : {}),
          ...(host ? { host } : {}),
        };
      }
    };
    for await (const chunk of input.chunks()) {
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        for (const e of take(line)) batch.push(e);
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (rest.length > MAX_LINE) {
        options.onIssue?.({
          file: input.path,
          where: `line ${lineNo + 1}`,
          message: `line longer than ${MAX_LINE} bytes skipped`,
        });
        rest = '';
        lineNo++;
      }
    }
    rest += decoder.decode();
    for (const e of take(rest)) batch.push(e);
    if (batch.length) yield batch;
  },
};
