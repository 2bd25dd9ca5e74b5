// Shared plumbing of the line-oriented readers (syslog, auditd, web): bytes → lines → events in batches, with
// line length bounded and issue reports capped. Decoding is done once per chunk up to its last newline, so a
// multi-byte UTF-8 sequence is never cut; invalid UTF-8 becomes U+FFFD rather than an error.
import type { ByteSource, LogEvent, ReadIssue, ReadOptions } from '../event.ts';

/** Events handed to the engine per batch. */
export const BATCH = 500;

/** Detailed issues reported per file; after that one summary at the end says how many more were skipped. */
export const MAX_REPORTED_ISSUES = 100;

/**
 * Reports a reader's issues for one file, the first MAX_REPORTED_ISSUES in full. Hostile or mis-detected input
 * (a binary file forced as syslog) would otherwise produce one issue per "line", millions of them.
 */
export class IssueLog {
  readonly #file: string;
  readonly #sink: ((issue: ReadIssue) => void) | undefined;
  #count = 0;

  constructor(file: string, sink: ((issue: ReadIssue) => void) | undefined) {
    this.#file = file;
    this.#sink = sink;
  }

  /** Number of issues so far (reported or not). */
  get count(): number {
    return this.#count;
  }

  report(line: number | undefined, message: string): void {
    this.#count++;
    if (this.#count > MAX_REPORTED_ISSUES || this.#sink === undefined) return;
    this.#sink({ file: this.#file, ...(line !== undefined ? { where: `line ${line}` } : {}), message });
  }

  /** Call once at the end of the file. */
  finish(): void {
    const more = this.#count - MAX_REPORTED_ISSUES;
    if (more > 0 && this.#sink !== undefined) {
      this.#sink({ file: this.#file, message: `${more} more skipped records not reported one by one` });
    }
  }
}

/**
 * Splits bytes into lines (LF or CRLF). A line longer than `maxLine` bytes is reported and skipped without being
 * buffered: the length of a line comes from the file, so it must not decide how much memory we hold.
 */
export class LineSplitter {
  readonly #maxLine: number;
  readonly #onLine: (line: string, lineNo: number) => void;
  readonly #onLong: (lineNo: number) => void;
  readonly #decoder = new TextDecoder('utf-8');
  #carry: Uint8Array[] = [];
  #carryBytes = 0;
  #skipping = false;
  #lineNo = 0;

  constructor(maxLine: number, onLine: (line: string, lineNo: number) => void, onLong: (lineNo: number) => void) {
    this.#maxLine = maxLine;
    this.#onLine = onLine;
    this.#onLong = onLong;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    if (this.#skipping) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) return;
      this.#skipping = false;
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(0x0a);
    if (last < start) {
      this.#hold(chunk.subarray(start));
      return;
    }
    if (this.#carryBytes > 0) {
      // the line begun in an earlier chunk ends at this chunk's first newline
      const firstNl = chunk.indexOf(0x0a, start);
      const head = chunk.subarray(start, firstNl);
      if (this.#carryBytes + head.length > this.#maxLine) this.#onLong(++this.#lineNo);
      else {
        this.#carry.push(head);
        this.#lines(this.#decoder.decode(concat(this.#carry, this.#carryBytes + head.length)));
      }
      this.#carry = [];
      this.#carryBytes = 0;
      start = firstNl + 1;
    }
    if (start <= last) this.#lines(this.#decoder.decode(chunk.subarray(start, last)));
    this.#hold(chunk.subarray(last + 1));
  }

  end(): void {
    if (this.#skipping || this.#carryBytes === 0) return;
    const text = this.#decoder.decode(concat(this.#carry, this.#carryBytes));
    this.#carry = [];
    this.#carryBytes = 0;
    this.#lines(text);
  }

  #hold(rest: Uint8Array): void {
    if (rest.length === 0) return;
    if (this.#carryBytes + rest.length > this.#maxLine) {
      this.#carry = [];
      this.#carryBytes = 0;
      this.#skipping = true;
      this.#onLong(++this.#lineNo);
      return;
    }
    this.#carry.push(rest);
    this.#carryBytes += rest.length;
  }

  /** Every line of `text` (which holds whole lines, the last one without its newline). */
  #lines(text: string): void {
    const max = this.#maxLine;
    let i = 0;
    for (;;) {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? text.length : nl;
      const no = ++this.#lineNo;
      if (end - i > max) this.#onLong(no);
      else {
        let line = text.slice(i, text.charCodeAt(end - 1) === 0x0d && end > i ? end - 1 : end);
        if (no === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
        this.#onLine(line, no);
      }
      if (nl < 0) return;
      i = nl + 1;
    }
  }
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What a line reader does with each line: parse it, push any finished events into `out`. */
export interface LineHandler {
  line(text: string, lineNo: number, out: LogEvent[]): void;
  /** End of input: push whatever is still held (auditd's open events). */
  end?(out: LogEvent[]): void;
}

/**
 * Streams a line-oriented file through `handler` and yields its events in batches of BATCH. Only I/O errors
 * (from `input.chunks()`) throw; an aborted signal ends the stream early.
 */
export async function* readLines(
  input: ByteSource,
  options: ReadOptions,
  issues: IssueLog,
  maxLine: number,
  handler: LineHandler,
): AsyncIterable<LogEvent[]> {
  let pending: LogEvent[] = [];
  const splitter = new LineSplitter(
    maxLine,
    (line, no) => handler.line(line, no, pending),
    (no) => issues.report(no, `line longer than ${maxLine} bytes skipped`),
  );
  for await (const chunk of input.chunks()) {
    if (options.signal?.aborted) return;
    splitter.push(chunk);
    if (pending.length >= BATCH) {
      let i = 0;
      for (; pending.length - i >= BATCH; i += BATCH) yield pending.slice(i, i + BATCH);
      pending = pending.slice(i);
    }
  }
  splitter.end();
  handler.end?.(pending);
  issues.finish();
  for (let i = 0; i < pending.length; i += BATCH) yield pending.slice(i, i + BATCH);
}

/**
 * The complete lines at the start of `head` for sniffing: at most `max` non-empty ones. The last line is left out
 * when the head may have cut it (it fills the 64 KiB window and does not end with a newline).
 */
export function headLines(head: Uint8Array, max: number): string[] {
  let text = new TextDecoder('utf-8').decode(head.subarray(0, Math.min(head.length, 65536)));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const cut = head.length >= 65536 && !text.endsWith('\n');
  const all = text.split('\n');
  if (cut) all.pop();
  const out: string[] = [];
  for (const l of all) {
    const t = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (t.trim() === '') continue;
    out.push(t);
    if (out.length >= max) break;
  }
  return out;
}
