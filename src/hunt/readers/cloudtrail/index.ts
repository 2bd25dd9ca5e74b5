import type { LogEvent, LogReader } from '../../event.ts';
import { BATCH, IssueLog } from '../lines.ts';
import { probeJson, readJsonRecords } from '../json/stream.ts';

/** CloudTrail caps an event at 256 KB; a record larger than this is reported and skipped. */
const MAX_RECORD = 4 << 20;

export type CloudTrailReaderOptions = { readonly maxRecord?: number };

/** The fields by which a JSON object is a CloudTrail event (the same test as the logsource layer's). */
export function isCloudTrailRecord(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o['eventSource'] === 'string' &&
    typeof o['eventName'] === 'string' &&
    (Object.hasOwn(o, 'awsRegion') || Object.hasOwn(o, 'eventVersion'))
  );
}

const latin1 = new TextDecoder('latin1');

/**
 * AWS CloudTrail: the files CloudTrail delivers (`{"Records": [...]}`, gzip or not) and CloudTrail events one per
 * line or in a top-level array (CloudTrail Lake, CloudWatch Logs exports). Each record is one event with its JSON
 * as `data`; time is `eventTime`; host is the account the event was delivered to (`recipientAccountId`, else
 * `userIdentity.accountId`). Streamed: a file's records are never held together.
 */
export function createCloudTrailReader(opts: CloudTrailReaderOptions = {}): LogReader {
  const maxRecord = opts.maxRecord ?? MAX_RECORD;
  return {
    format: 'cloudtrail',
    sniff(head) {
      const p = probeJson(head, ['Records']);
      if (p.wrapper === 'Records') return true;
      if (p.broken) return false;
      if (p.first !== undefined) return isCloudTrailRecord(p.first);
      // the first record does not fit the head: recognise it by its keys
      const text = latin1.decode(head);
      return text.includes('"eventVersion"') && text.includes('"eventSource"') && text.includes('"eventName"');
    },
    read(input, options) {
      const file = input.path;
      const issues = new IssueLog(file, options.onIssue);
      return (async function* () {
        yield* readJsonRecords<LogEvent>(
          input.chunks(),
          {
            maxElement: maxRecord,
            unwrap: ['Records'],
            batch: BATCH,
            ...(options.signal ? { signal: options.signal } : {}),
            onIssue: (line, message) => issues.report(line, message),
          },
          (data, el) => {
            const et = data['eventTime'];
            const t = typeof et === 'string' && et.length <= 64 ? Date.parse(et) : NaN;
            const ui = data['userIdentity'];
            const account =
              data['recipientAccountId'] ??
              (typeof ui === 'object' && ui !== null ? (ui as Record<string, unknown>)['accountId'] : undefined);
            return {
              format: 'cloudtrail',
              data,
              source: { file, line: el.line, offset: el.offset },
              ...(Number.isNaN(t) ? {} : { time: t }),
              ...(typeof account === 'string' && account !== '' ? { host: account } : {}),
            };
          },
        );
        issues.finish();
      })();
    },
  };
}

export const cloudtrailReader: LogReader = createCloudTrailReader();
