import type { LogEvent, LogReader } from '../../event.ts';
import { BATCH, IssueLog } from '../lines.ts';
import { probeJson, readJsonRecords } from './stream.ts';

/** One record larger than this is reported and skipped, not buffered without bound. */
const MAX_RECORD = 16 << 20;

/** Wrapper keys whose array holds the records: `{"records": [...]}` (Azure Monitor exports), `{"Records": [...]}`. */
const WRAPPERS = ['records', 'Records'];

export type JsonReaderOptions = { readonly maxRecord?: number };

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
    if (typeof c === 'number' && Number.isFinite(c)) return c > 1e11 ? c : c * 1000;
    if (typeof c === 'string' && c.length <= 64) {
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

function recordIdOf(o: Record<string, unknown>): number | undefined {
  const rid =
    (o['Event'] as { System?: { EventRecordID?: unknown } } | undefined)?.System?.EventRecordID ??
    (o['winlog'] as { record_id?: unknown } | undefined)?.record_id;
  return typeof rid === 'number' && Number.isSafeInteger(rid) ? rid : undefined;
}

/**
 * JSON logs: JSONL, concatenated or pretty-printed objects, a top-level array, or a wrapper object whose first key
 * is `records`/`Records` (its array's elements are the records), all streamed (json/stream.ts). Each object is one
 * event, its JSON as `data`; time and host are found for evtx_dump, Winlogbeat/ECS and common shapes.
 */
export function createJsonReader(opts: JsonReaderOptions = {}): LogReader {
  const maxRecord = opts.maxRecord ?? MAX_RECORD;
  return {
    format: 'json',
    sniff(head) {
      let i = 0;
      if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
      while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
      if (head[i] !== 0x7b && head[i] !== 0x5b) return false;
      // `[2026-11-25 10:00:00] app started` is not JSON: the first record must be well-formed as far as it goes
      return !probeJson(head, WRAPPERS).broken;
    },
    read(input, options) {
      const file = input.path;
      const issues = new IssueLog(file, options.onIssue);
      return (async function* () {
        yield* readJsonRecords<LogEvent>(
          input.chunks(),
          {
            maxElement: maxRecord,
            unwrap: WRAPPERS,
            batch: BATCH,
            ...(options.signal ? { signal: options.signal } : {}),
            onIssue: (line, message) => issues.report(line, message),
          },
          (data, el) => {
            const time = timeOf(data);
            const host = hostOf(data);
            const rid = recordIdOf(data);
            return {
              format: 'json',
              data,
              source: { file, line: el.line, offset: el.offset, ...(rid !== undefined ? { recordId: rid } : {}) },
              ...(time !== undefined ? { time } : {}),
              ...(host ? { host } : {}),
            };
          },
        );
        issues.finish();
      })();
    },
  };
}

export const jsonReader: LogReader = createJsonReader();
