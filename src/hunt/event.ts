import type { SourceRef } from '../core/finding.ts';

/** The log formats Mamori reads. `--input-format` takes these names. */
export type LogFormat = 'evtx' | 'json' | 'syslog' | 'auditd' | 'web' | 'cloudtrail';

export const LOG_FORMATS: readonly LogFormat[] = ['evtx', 'json', 'syslog', 'auditd', 'web', 'cloudtrail'];

/**
 * One decoded log record, as every reader produces it.
 *
 * `data` is JSON-compatible (only objects, arrays, strings, finite numbers, booleans, null) so it can be
 * printed as is. For EVTX it is exactly the evtx_dump shape: `{ "Event": { "#attributes": ..., "System": ...,
 * "EventData" | "UserData": ... } }`. For other formats the reader documents its shape in its folder.
 */
export type LogEvent = {
  readonly format: LogFormat;
  readonly data: Record<string, unknown>;
  readonly source: SourceRef;
  /** Event time in milliseconds since the Unix epoch (UTC), when the record has one. */
  readonly time?: number;
  /** The host the record is about (EVTX Computer, syslog HOSTNAME, …), when known. */
  readonly host?: string;
};

/** A problem met while reading, reported and skipped: a corrupt chunk, an unparsable line. Never a crash. */
export type ReadIssue = {
  readonly file: string;
  /** Where in the file: "chunk 3", "record 1234", "line 17", "offset 0x1f000". */
  readonly where?: string;
  readonly message: string;
  /** True when the rest of the file could not be read. */
  readonly fatal?: boolean;
};

export type ReadOptions = {
  /** Receives every skipped record or region. Readers never throw for bad content, only for I/O. */
  readonly onIssue?: (issue: ReadIssue) => void;
  readonly signal?: AbortSignal;
};

/** The bytes of one input file, already decompressed when it was gzip. */
export type ByteSource = {
  /** Path as the user gave it (used in SourceRef.file and messages). */
  readonly path: string;
  /**
   * The file's bytes in order, in pieces of any size. May be called once. With `reuse`, the consumer is done with
   * a piece before it asks for the next, so the source may read every piece into the same buffer (a reader that
   * copies what it keeps then costs one buffer, not a fresh megabyte per read waiting for the collector).
   */
  chunks(opts?: { readonly reuse?: boolean }): AsyncIterable<Uint8Array>;
};

/**
 * A log reader: recognises its format from the first bytes and streams decoded records in batches
 * (batches keep the per-event async overhead off the hot path; a batch is typically 100–1000 events).
 */
export interface LogReader {
  readonly format: LogFormat;
  /** True when `head` (the first up to 64 KiB, decompressed) looks like this format. */
  sniff(head: Uint8Array, path: string): boolean;
  read(input: ByteSource, options: ReadOptions): AsyncIterable<LogEvent[]>;
}

/**
 * What the Sigma engine sees of an event: field values by (already mapped) field name.
 * Built from a LogEvent by the logsource layer (src/hunt/logsource), which knows each format's layout.
 */
export interface FieldSource {
  /**
   * The value of a field: undefined when the event has no such field, null when it is present and null/empty
   * element, a string/number/boolean, or an array when the field holds several values.
   */
  get(name: string): unknown;
  /** Every leaf value of the event as text, for Sigma keyword (field-less) search. */
  values(): readonly string[];
}
