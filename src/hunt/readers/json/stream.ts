// A streaming JSON element splitter: bytes in, the byte ranges of the records out, without ever holding the whole
// file. A record is each top-level value (JSONL, concatenated or pretty-printed objects), each element of a
// top-level array, or each element of the array under a wrapper key (`{"Records": [...]}` of CloudTrail,
// `{"records": [...]}` of Azure exports). It tracks the JSON grammar's structure (containers, keys, colons,
// commas) but not the content of numbers and literals: JSON.parse checks each record afterwards.
//
// Hostile input: a record's size is bounded (larger ones are reported and skipped while the scan goes on), and so
// is nesting. A structural error (a truncated record, a line break inside a string) ends that record; the scan
// resynchronises at the next line that starts a record at the broken record's column or left of it, so one
// broken record in a pretty-printed array or a JSONL file costs that record only. In a one-line (minified)
// array, the rest of that line is lost.

export type JsonElement = {
  /** The record's bytes; a view into the input, valid only during the callback. */
  readonly bytes: Uint8Array;
  /** 1-based line where the record starts. */
  readonly line: number;
  /** Byte offset where the record starts. */
  readonly offset: number;
};

export type SplitterOptions = {
  /** Records larger than this (bytes) are reported and skipped. */
  readonly maxElement: number;
  /** Wrapper keys: a top-level object whose first key is one of these, holding an array, yields that array's elements. */
  readonly unwrap?: readonly string[];
  readonly onElement: (el: JsonElement) => void;
  readonly onIssue: (line: number, message: string) => void;
};

/** Nesting deeper than this is a broken record (JSON from a file can be deep enough to exhaust a parser's stack). */
export const MAX_DEPTH = 512;

const OBJ = 1;
const ARR = 2;

// what may come next
const E_TOP = 0; // between top-level values (whitespace and stray commas allowed)
const E_VALUE = 1;
const E_VALUE_OR_CLOSE = 2; // just after [
const E_KEY_OR_CLOSE = 3; // just after {
const E_KEY = 4;
const E_COLON = 5;
const E_COMMA_OR_CLOSE = 6;

const LF = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isScalarStart(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e;
}

function isScalarEnd(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === LF || c === 0x2c || c === 0x5d || c === 0x7d || c === 0x3a;
}

function describe(c: number): string {
  return c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** Bytes as Latin-1 text: enough to compare with an ASCII key. */
function keyText(buf: Uint8Array, start: number, end: number): string {
  let key = '';
  for (let k = start; k < end; k++) key += String.fromCharCode(buf[k]!);
  return key;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits a JSON byte stream into records; see the module comment. Feed it with push() and finish with end(). */
export class JsonSplitter {
  readonly #max: number;
  readonly #unwrap: readonly string[];
  readonly #onElement: (el: JsonElement) => void;
  readonly #onIssue: (line: number, message: string) => void;

  readonly #stack = new Uint8Array(MAX_DEPTH + 1);
  #depth = 0;
  #expect = E_TOP;
  #inString = false;
  #stringIsKey = false;
  #escape = false;
  #inScalar = false;

  #line = 1;
  #lineStart = 0; // absolute offset of the current line
  #lastContent = -1; // absolute offset of the last byte that was not whitespace
  #base = 0; // absolute offset of the current chunk
  #bomAt = 0; // bytes of a leading UTF-8 BOM seen so far; -1 once past the start

  /** Depth at which values are records: 0 top level, 1 inside a top-level array, 2 inside a wrapper's array, -1 none. */
  #level = 0;
  #inElem = false;
  #elemLine = 0;
  #elemOffset = 0;
  #elemCol = 0;
  #elemIsObject = false;
  #capture = false;
  #capStart = 0; // index in the current chunk where the captured bytes begin
  #pieces: Uint8Array[] = [];
  #pieceBytes = 0;
  #lastElemCol = Number.POSITIVE_INFINITY;

  #keyStart = -1; // index in the current chunk of the first key of a top-level object, when it may be a wrapper
  #keyHead = ''; // the part of that key in earlier chunks
  #pendingWrapper: string | undefined;
  #wrapper: string | undefined;

  #resync = false;
  #resyncCol = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(opts: SplitterOptions) {
    this.#max = opts.maxElement;
    this.#unwrap = opts.unwrap ?? [];
    this.#onElement = opts.onElement;
    this.#onIssue = opts.onIssue;
  }

  /** The wrapper key whose array is being (or was) read, when the input is such a wrapper. */
  get wrapper(): string | undefined {
    return this.#wrapper;
  }

  /** Stops at once: later input is ignored (for sniffing, after the first record). */
  stop(): void {
    this.#stopped = true;
  }

  push(buf: Uint8Array): void {
    if (this.#stopped) return;
    const n = buf.length;
    let i = 0;
    // a UTF-8 BOM at the very start, possibly split across pieces
    while (this.#bomAt >= 0 && i < n) {
      if (buf[i] !== BOM[this.#bomAt]) {
        this.#bomAt = -1;
        break;
      }
      i++;
      if (++this.#bomAt === 3) this.#bomAt = -1;
    }
    for (; i < n; i++) {
      if (this.#stopped) return;
      let c = buf[i]!;
      if (this.#resync) {
        if (c === LF) {
          this.#newline(i);
          continue;
        }
        if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
        const col = this.#base + i - this.#lineStart;
        const starts = c === 0x7b || (c === 0x5b && this.#level <= 0);
        const lineHasContent = this.#lastContent >= this.#lineStart;
        this.#lastContent = this.#base + i;
        if (lineHasContent || !starts || col > this.#resyncCol) continue;
        this.#resync = false;
      }
      if (this.#inString) {
        // the body of a string: only the closing quote, escapes and a raw line break matter
        let j = i;
        let esc = this.#escape;
        for (; j < n; j++) {
          const d = buf[j]!;
          if (esc) esc = false;
          else if (d === BACKSLASH) esc = true;
          else if (d === QUOTE || d === LF) break;
        }
        this.#escape = esc;
        if (j >= n) break;
        i = j;
        if (buf[j] === LF) {
          // JSON strings cannot hold a raw line break: the string (and its record) was cut short
          this.#fail('line break inside a string');
          this.#newline(i);
          continue;
        }
        this.#inString = false;
        if (this.#stringIsKey) {
          this.#expect = E_COLON;
          if (this.#keyStart >= 0) this.#checkWrapper(buf, this.#keyStart, i);
          this.#keyStart = -1;
        } else this.#valueDone(buf, i + 1);
        continue;
      }
      if (this.#inScalar) {
        if (!isScalarEnd(c)) continue;
        this.#inScalar = false;
        this.#valueDone(buf, i);
        if (this.#stopped) return;
        c = buf[i]!;
      }
      switch (c) {
        case 0x20:
        case 0x09:
        case 0x0d:
          continue;
        case LF:
          if (
            this.#inElem &&
            this.#depth > this.#level &&
            this.#line === this.#elemLine &&
            this.#lastContent > this.#elemOffset
          ) {
            // JSON Lines style: a record with content on its first line ends on that line; this one was cut
            this.#fail('cut short at the end of its line');
            this.#newline(i);
            continue;
          }
          this.#newline(i);
          continue;
        case 0x7b: // {
          if (!this.#valueStart(buf, i, OBJ)) break;
          if (!this.#push(OBJ)) continue;
          this.#expect = E_KEY_OR_CLOSE;
          this.#lastContent = this.#base + i;
          continue;
        case 0x5b: // [
          if (!this.#valueStart(buf, i, ARR)) break;
          if (!this.#push(ARR)) continue;
          this.#expect = E_VALUE_OR_CLOSE;
          this.#lastContent = this.#base + i;
          continue;
        case QUOTE:
          if (this.#expect === E_KEY || this.#expect === E_KEY_OR_CLOSE) {
            this.#stringIsKey = true;
            this.#keyHead = '';
            this.#keyStart =
              this.#unwrap.length > 0 &&
              this.#expect === E_KEY_OR_CLOSE &&
              this.#depth === 1 &&
              this.#level === 0 &&
              this.#inElem
                ? i + 1
                : -1;
          } else {
            // a top-level string is not a record format: text, not JSON
            if (this.#depth === 0 || !this.#valueStart(buf, i, 0)) break;
            this.#stringIsKey = false;
          }
          this.#inString = true;
          this.#escape = false;
          this.#lastContent = this.#base + i;
          continue;
        case 0x3a: // :
          if (this.#expect !== E_COLON) break;
          this.#expect = E_VALUE;
          this.#lastContent = this.#base + i;
          continue;
        case 0x2c: // ,
          if (this.#expect === E_COMMA_OR_CLOSE) {
            this.#expect = this.#stack[this.#depth - 1] === OBJ ? E_KEY : E_VALUE;
          } else if (this.#expect !== E_TOP) break;
          this.#lastContent = this.#base + i;
          continue;
        case 0x7d: // }
          if (
            this.#depth === 0 ||
            this.#stack[this.#depth - 1] !== OBJ ||
            (this.#expect !== E_KEY_OR_CLOSE && this.#expect !== E_COMMA_OR_CLOSE)
          )
            break;
          this.#pop();
          this.#lastContent = this.#base + i;
          this.#valueDone(buf, i + 1);
          continue;
        case 0x5d: // ]
          if (
            this.#depth === 0 ||
            this.#stack[this.#depth - 1] !== ARR ||
            (this.#expect !== E_VALUE_OR_CLOSE && this.#expect !== E_COMMA_OR_CLOSE)
          )
            break;
          this.#pop();
          this.#lastContent = this.#base + i;
          this.#valueDone(buf, i + 1);
          continue;
        default:
          if (!isScalarStart(c) || this.#depth === 0 || !this.#valueStart(buf, i, 0)) break;
          this.#inScalar = true;
          this.#lastContent = this.#base + i;
          continue;
      }
      // every `break` above is a byte the grammar does not allow here
      this.#fail(`unexpected ${describe(c)}`);
      // the byte may itself start the next record: look at it again in resync mode
      i--;
    }
    if (this.#stopped) return;
    if (this.#inElem && this.#capture) {
      const part = buf.subarray(this.#capStart);
      this.#pieces.push(part);
      this.#pieceBytes += part.length;
      if (this.#pieceBytes > this.#max) this.#dropCapture();
    }
    this.#capStart = 0;
    if (this.#keyStart >= 0) {
      // a wrapper key cut by the chunk boundary: keep its first part (bounded)
      if (this.#keyHead.length + n - this.#keyStart > 32) this.#keyStart = -1;
      else {
        this.#keyHead += keyText(buf, this.#keyStart, n);
        this.#keyStart = 0;
      }
    }
    this.#base += n;
  }

  /** End of input: reports a record or container left open. */
  end(): void {
    if (this.#stopped) return;
    if (this.#inScalar && !this.#inString) {
      this.#inScalar = false;
      // a scalar at the very end: complete it with what was captured
      this.#valueDone(new Uint8Array(0), 0);
    }
    if (this.#inElem) {
      this.#onIssue(this.#elemLine, 'JSON record cut off: the file ends inside it');
      this.#inElem = false;
      this.#pieces = [];
    } else if (this.#depth > 0 && !this.#resync) {
      this.#onIssue(this.#line, 'the file ends inside a JSON array or object (truncated?)');
    }
  }

  #newline(i: number): void {
    this.#line++;
    this.#lineStart = this.#base + i + 1;
  }

  #push(kind: number): boolean {
    if (this.#depth >= MAX_DEPTH) {
      this.#fail(`nested deeper than ${MAX_DEPTH}`);
      return false;
    }
    this.#stack[this.#depth++] = kind;
    return true;
  }

  #pop(): void {
    this.#depth--;
    if (this.#depth < this.#level) {
      // the array of records closed: a top-level array ends; a wrapper's array leaves the wrapper's other members
      this.#level = this.#level === 1 ? 0 : -1;
    } else if (this.#depth === 0 && this.#level === -1) {
      this.#level = 0;
    }
  }

  /** A value begins at buf[i]; false (after reporting) when no value may come here. */
  #valueStart(buf: Uint8Array, i: number, kind: number): boolean {
    const e = this.#expect;
    if (e !== E_VALUE && e !== E_VALUE_OR_CLOSE && e !== E_TOP) return false;
    const pending = this.#pendingWrapper;
    if (pending !== undefined) {
      this.#pendingWrapper = undefined;
      if (kind === ARR && this.#depth === 1 && this.#inElem) {
        // `{"Records": [` — the wrapper is not a record; its array's elements are
        this.#inElem = false;
        this.#capture = false;
        this.#pieces = [];
        this.#pieceBytes = 0;
        this.#wrapper = pending;
        this.#level = 2;
        return true;
      }
    }
    if (this.#depth !== this.#level || this.#inElem) return true;
    if (kind === ARR && this.#depth === 0) {
      // a top-level array: its elements are the records
      this.#level = 1;
      return true;
    }
    this.#inElem = true;
    this.#elemIsObject = kind === OBJ;
    this.#capture = true;
    this.#capStart = i;
    this.#pieces = [];
    this.#pieceBytes = 0;
    this.#elemLine = this.#line;
    this.#elemOffset = this.#base + i;
    this.#elemCol = this.#base + i - this.#lineStart;
    return true;
  }

  /** A value ended just before buf[end]. */
  #valueDone(buf: Uint8Array, end: number): void {
    this.#expect = this.#depth === 0 ? E_TOP : E_COMMA_OR_CLOSE;
    if (!this.#inElem || this.#depth !== this.#level) return;
    this.#inElem = false;
    this.#lastElemCol = this.#elemCol;
    if (!this.#elemIsObject) {
      this.#onIssue(this.#elemLine, 'a JSON value that is not an object is not a record: skipped');
      this.#pieces = [];
      return;
    }
    if (!this.#capture) {
      this.#onIssue(this.#elemLine, `JSON record larger than ${this.#max} bytes skipped`);
      return;
    }
    const tail = buf.subarray(this.#capStart, end);
    const total = this.#pieceBytes + tail.length;
    if (total > this.#max) {
      this.#pieces = [];
      this.#onIssue(this.#elemLine, `JSON record larger than ${this.#max} bytes skipped`);
      return;
    }
    const bytes = this.#pieces.length ? concat([...this.#pieces, tail], total) : tail;
    this.#pieces = [];
    this.#pieceBytes = 0;
    this.#onElement({ bytes, line: this.#elemLine, offset: this.#elemOffset });
  }

  #dropCapture(): void {
    this.#capture = false;
    this.#pieces = [];
    this.#pieceBytes = 0;
  }

  #checkWrapper(buf: Uint8Array, start: number, end: number): void {
    if (this.#keyHead.length + end - start > 32) return;
    const key = this.#keyHead + keyText(buf, start, end);
    this.#keyHead = '';
    if (this.#unwrap.includes(key)) this.#pendingWrapper = key;
  }

  /** A structural error at buf[i]: report, drop the record being read, and resynchronise (see the module comment). */
  #fail(reason: string): void {
    if (this.#inElem) {
      const at = this.#line === this.#elemLine ? '' : ` at line ${this.#line}`;
      this.#onIssue(this.#elemLine, `broken JSON record skipped: ${reason}${at}`);
      this.#resyncCol = this.#elemCol;
    } else {
      this.#onIssue(this.#line, `not JSON: ${reason}`);
      this.#resyncCol = this.#lastElemCol;
    }
    this.#inElem = false;
    this.#capture = false;
    this.#pieces = [];
    this.#pieceBytes = 0;
    this.#inString = false;
    this.#inScalar = false;
    this.#escape = false;
    this.#pendingWrapper = undefined;
    this.#keyStart = -1;
    if (this.#level < 0) this.#level = 0;
    this.#depth = this.#level;
    this.#expect = this.#depth === 0 ? E_TOP : E_VALUE;
    this.#resync = true;
  }
}

// ---- readers on top of the splitter ----

const utf8 = new TextDecoder('utf-8');

/** What sniffing learns from the first bytes of a file. */
export type JsonProbe = {
  /** The first record, parsed, when it is complete within the head. */
  readonly first?: unknown;
  /** The wrapper key (`Records`), when the head opens one. */
  readonly wrapper?: string;
  /** A structural error came before the first record was complete: not JSON (or not this kind). */
  readonly broken: boolean;
};

/** Runs the splitter over `head` up to its first record. */
export function probeJson(head: Uint8Array, unwrap: readonly string[] = []): JsonProbe {
  let first: unknown;
  let done = false;
  let broken = false;
  const s: JsonSplitter = new JsonSplitter({
    maxElement: head.length + 1,
    unwrap,
    onElement: (el) => {
      try {
        first = JSON.parse(utf8.decode(el.bytes));
      } catch {
        broken = true;
      }
      done = true;
      s.stop();
    },
    onIssue: () => {
      if (!done) broken = true;
      done = true;
      s.stop();
    },
  });
  s.push(head);
  return { ...(first !== undefined ? { first } : {}), ...(s.wrapper ? { wrapper: s.wrapper } : {}), broken };
}

/** Turns one parsed record into an event; undefined (after reporting) to skip it. */
export type ToEvent<E> = (record: Record<string, unknown>, el: JsonElement) => E | undefined;

/**
 * Streams the records of a JSON input in batches: each record decoded (invalid UTF-8 as U+FFFD), parsed with
 * JSON.parse (failures reported with their line and skipped) and given to `toEvent`.
 */
export async function* readJsonRecords<E>(
  chunks: AsyncIterable<Uint8Array>,
  opts: {
    readonly maxElement: number;
    readonly unwrap?: readonly string[];
    readonly batch: number;
    readonly signal?: AbortSignal;
    readonly onIssue: (line: number, message: string) => void;
  },
  toEvent: ToEvent<E>,
): AsyncIterable<E[]> {
  let pending: E[] = [];
  const splitter = new JsonSplitter({
    maxElement: opts.maxElement,
    ...(opts.unwrap ? { unwrap: opts.unwrap } : {}),
    onIssue: opts.onIssue,
    onElement: (el) => {
      let v: unknown;
      try {
        v = JSON.parse(utf8.decode(el.bytes));
      } catch (err) {
        opts.onIssue(el.line, `broken JSON record skipped: ${(err as Error).message}`);
        return;
      }
      const e = toEvent(v as Record<string, unknown>, el);
      if (e !== undefined) pending.push(e);
    },
  });
  for await (const chunk of chunks) {
    if (opts.signal?.aborted) return;
    splitter.push(chunk);
    if (pending.length >= opts.batch) {
      let i = 0;
      for (; pending.length - i >= opts.batch; i += opts.batch) yield pending.slice(i, i + opts.batch);
      pending = pending.slice(i);
    }
  }
  splitter.end();
  for (let i = 0; i < pending.length; i += opts.batch) yield pending.slice(i, i + opts.batch);
}
