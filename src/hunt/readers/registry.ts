import type { LogFormat, LogReader } from '../event.ts';
import { evtxReader } from './evtx/index.ts';
import { cloudtrailReader } from './cloudtrail/index.ts';
import { auditdReader } from './auditd/index.ts';
import { syslogReader } from './syslog/index.ts';
import { webReader } from './web/index.ts';
import { jsonReader } from './json/index.ts';

/**
 * Every log reader, one folder each under src/hunt/readers/. Order is the sniffing order: the most specific
 * formats first (CloudTrail is JSON too, so it must be tried before generic JSON).
 */
export const READERS: ReadonlyMap<LogFormat, LogReader> = new Map<LogFormat, LogReader>([
  ['evtx', evtxReader],
  ['cloudtrail', cloudtrailReader],
  ['auditd', auditdReader],
  ['syslog', syslogReader],
  ['web', webReader],
  ['json', jsonReader],
]);

/** Picks the reader for a file from its first (decompressed) bytes; undefined when none recognises it. */
export function detectFormat(head: Uint8Array, path: string): LogReader | undefined {
  for (const reader of READERS.values()) if (reader.sniff(head, path)) return reader;
  return undefined;
}
