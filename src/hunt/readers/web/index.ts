import type { LogReader } from '../../event.ts';
import { IssueLog, headLines, readLines } from '../lines.ts';
import { parseClfLine, parseW3cLine, w3cFields } from './parse.ts';

/** Servers cap request lines at 8–16 KiB; a longer log line is reported and skipped. */
const MAX_LINE = 1 << 20;

export type WebReaderOptions = { readonly maxLine?: number };

/**
 * Web server access logs: NCSA common/combined (Apache, nginx; vhost first or extra fields last) and W3C extended
 * (IIS). `data` uses the W3C names SigmaHQ's webserver rules read (docs/formats/logs.md).
 */
export function createWebReader(opts: WebReaderOptions = {}): LogReader {
  const maxLine = opts.maxLine ?? MAX_LINE;
  return {
    format: 'web',
    sniff(head) {
      const lines = headLines(head, 20);
      if (lines.length === 0) return false;
      let ok = 0;
      for (const l of lines) {
        if (l.startsWith('#Fields:')) return true;
        if (parseClfLine(l)) ok++;
      }
      return ok > 0 && ok >= lines.length * 0.6;
    },
    read(input, options) {
      const file = input.path;
      const issues = new IssueLog(file, options.onIssue);
      let fields: (readonly string[])[] | undefined;
      return readLines(input, options, issues, maxLine, {
        line(text, lineNo, out) {
          if (text.length === 0) return;
          if (text.charCodeAt(0) === 0x23 /* # */) {
            // W3C directives; a server restart writes a new header, and the fields may change with it
            if (text.startsWith('#Fields:')) fields = w3cFields(text);
            return;
          }
          const r = fields ? parseW3cLine(text, fields) : parseClfLine(text);
          if (r === undefined) {
            issues.report(
              lineNo,
              fields ? 'line does not match the #Fields: header' : 'not an access log line (NCSA common/combined)',
            );
            return;
          }
          out.push({
            format: 'web',
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

export const webReader: LogReader = createWebReader();
