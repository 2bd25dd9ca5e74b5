import type { LogEvent, LogReader } from '../../event.ts';
import { IssueLog, headLines, readLines } from '../lines.ts';
import { AuditJoiner, DEFAULT_JOIN_LIMITS, type JoinLimits, type JoinedEvent } from './join.ts';
import { isAusearchSeparator, looksLikeAudit, parseAuditLine } from './parse.ts';

/** The kernel limits a record to 8970 bytes (MAX_AUDIT_MESSAGE_LENGTH); ENRICHED adds the interpretations. */
const MAX_LINE = 1 << 20;

export type AuditdReaderOptions = { readonly limits?: JoinLimits; readonly maxLine?: number };

/**
 * The Linux audit log (/var/log/audit/audit.log, raw or ENRICHED; `ausearch --raw` and plain `ausearch` output).
 * The records of one event are joined into one LogEvent: `data` is `{type: [record types], …fields}` (see
 * mergeRecords and docs/formats/logs.md).
 */
export function createAuditdReader(opts: AuditdReaderOptions = {}): LogReader {
  const limits = opts.limits ?? DEFAULT_JOIN_LIMITS;
  const maxLine = opts.maxLine ?? MAX_LINE;
  return {
    format: 'auditd',
    sniff(head) {
      const lines = headLines(head, 20).filter((l) => !isAusearchSeparator(l));
      if (lines.length === 0) return false;
      let ok = 0;
      for (const l of lines) if (looksLikeAudit(l)) ok++;
      return ok > 0 && ok >= lines.length * 0.6;
    },
    read(input, options) {
      const file = input.path;
      const issues = new IssueLog(file, options.onIssue);
      const joiner = new AuditJoiner(limits, (line, n) =>
        issues.report(line, `audit event with more than ${n} records: read as several events`),
      );
      const joined: JoinedEvent[] = [];
      const move = (out: LogEvent[]): void => {
        for (const j of joined) {
          out.push({
            format: 'auditd',
            data: j.data,
            source: { file, line: j.line },
            time: j.time,
            ...(j.host !== undefined ? { host: j.host } : {}),
          });
        }
        joined.length = 0;
      };
      return readLines(input, options, issues, maxLine, {
        line(text, lineNo, out) {
          if (text.length === 0 || isAusearchSeparator(text)) return;
          const r = parseAuditLine(text);
          if (typeof r === 'string') {
            issues.report(lineNo, `not an audit record: ${r}`);
            return;
          }
          joiner.add(r, lineNo, joined);
          if (joined.length) move(out);
        },
        end(out) {
          joiner.end(joined);
          move(out);
        },
      });
    },
  };
}

export const auditdReader: LogReader = createAuditdReader();
