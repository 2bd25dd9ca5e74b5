import type { LogReader } from '../../event.ts';
import { IssueLog, headLines, readLines } from '../lines.ts';
import { YearGuess, parseSyslogLine } from './parse.ts';

/** A syslog line longer than this is reported and skipped (rsyslog's default maximum is 8 KiB). */
const MAX_LINE = 1 << 20;

export type SyslogReaderOptions = {
  /** The clock that gives RFC 3164 timestamps their year (see YearGuess); Date.now by default. */
  readonly now?: () => number;
  readonly maxLine?: number;
};

/** Lines of the head tried when sniffing, and the share of them that must parse. */
const SNIFF_LINES = 20;
const SNIFF_SHARE = 0.6;

/**
 * Syslog files and streams: RFC 3164 (`/var/log/auth.log`, `syslog`, `messages`; with or without `<PRI>`),
 * RFC 5424, and rsyslog's RFC 3339 timestamp lines. `data` is `{facility?, severity?, hostname?, appname?, pid?,
 * msgid?, structured_data?, message}` (docs/formats/logs.md).
 */
export function createSyslogReader(opts: SyslogReaderOptions = {}): LogReader {
  const now = opts.now ?? Date.now;
  const maxLine = opts.maxLine ?? MAX_LINE;
  return {
    format: 'syslog',
    sniff(head) {
      const lines = headLines(head, SNIFF_LINES);
      if (lines.length === 0) return false;
      const years = new YearGuess(now());
      let ok = 0;
      for (const l of lines) {
        const r = parseSyslogLine(l, years);
        // a program tag or a PRI: a bare timestamp followed by text is too weak a sign
        if (r && (r.data.appname !== undefined || r.data.facility !== undefined)) ok++;
      }
      return ok > 0 && ok >= lines.length * SNIFF_SHARE;
    },
    read(input, options) {
      const issues = new IssueLog(input.path, options.onIssue);
      const years = new YearGuess(now());
      const file = input.path;
      return readLines(input, options, issues, maxLine, {
        line(text, lineNo, out) {
          if (text.length === 0) return;
          const r = parseSyslogLine(text, years);
          if (r === undefined) {
            issues.report(lineNo, 'not a syslog line (no RFC 3164, RFC 5424 or RFC 3339 timestamp)');
            return;
          }
          out.push({
            format: 'syslog',
            data: r.data,
            source: { file, line: lineNo },
            ...(r.time !== undefined ? { time: r.time } : {}),
            ...(r.host !== undefined ? { host: r.host } : {}),
          });
        },
      });
    },
  };
}

export const syslogReader: LogReader = createSyslogReader();
