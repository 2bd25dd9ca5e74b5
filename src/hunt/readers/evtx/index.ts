// The EVTX reader: streams a Windows XML Event Log file chunk by chunk (64 KiB at a time, so memory stays flat
// whatever the file's size) and yields each record in the evtx_dump JSON shape. Damaged chunks and records are
// reported and skipped; a file that is only chunks (carved, no file header) is read too.
import type { LogEvent, LogReader } from '../../event.ts';
import {
  CHUNK_MAGIC,
  CHUNK_SIZE,
  FILE_HEADER_SIZE,
  FILE_MAGIC,
  parseFileHeader,
  readChunk,
  type EvtxRecord,
} from './parse.ts';

const BATCH = 512;

function startsWith(head: Uint8Array, magic: Buffer): boolean {
  if (head.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[i] !== magic[i]) return false;
  return true;
}

type Sys = {
  Computer?: unknown;
  EventRecordID?: unknown;
  TimeCreated?: { '#attributes'?: { SystemTime?: unknown } };
};

function toEvent(r: EvtxRecord, file: string): LogEvent {
  const sys = (r.data['Event'] as { System?: Sys } | null | undefined)?.System;
  const st = sys?.TimeCreated?.['#attributes']?.SystemTime;
  let time = typeof st === 'string' ? Date.parse(st) : NaN;
  if (Number.isNaN(time)) time = r.written;
  const host = sys?.Computer;
  // EventRecordID is what Windows, Chainsaw and Hayabusa show; the record header's id differs in re-saved logs
  const rid = sys?.EventRecordID;
  return {
    format: 'evtx',
    data: r.data,
    source: { file, recordId: typeof rid === 'number' ? rid : r.recordId, offset: r.offset },
    ...(Number.isFinite(time) ? { time } : {}),
    ...(typeof host === 'string' ? { host } : {}),
  };
}

export const evtxReader: LogReader = {
  format: 'evtx',
  sniff(head) {
    return startsWith(head, FILE_MAGIC) || startsWith(head, CHUNK_MAGIC);
  },
  async *read(input, options) {
    const file = input.path;
    const issue = (where: string, message: string, fatal = false): void =>
      options.onIssue?.({ file, where, message, ...(fatal ? { fatal } : {}) });
    // one reusable chunk buffer: decoded records keep no reference into it (nor into the pieces read)
    const buf = Buffer.allocUnsafe(CHUNK_SIZE);
    let fill = 0;
    let need = FILE_HEADER_SIZE;
    let inHeader = true;
    let offset = 0; // file offset of buf[0]
    let index = 0;
    let sawAny = false;
    let records: EvtxRecord[] = [];
    const problem = (p: { where: string; message: string }): void => issue(p.where, p.message);
    const header = (): void => {
      const h = parseFileHeader(buf.subarray(0, fill));
      if (!h) {
        issue('file header', 'no EVTX file signature (ElfFile); looking for chunks anyway');
      } else {
        if (!h.checksumOk) issue('file header', 'file header checksum mismatch; reading chunks anyway');
        if (h.majorVersion !== 3) issue('file header', `unexpected format version ${h.majorVersion}.${h.minorVersion}`);
      }
    };
    const flushChunk = (): void => {
      readChunk(buf.subarray(0, fill), offset, index, problem, records);
      index++;
    };
    for await (const piece of input.chunks({ reuse: true })) {
      if (options.signal?.aborted) return;
      let p = 0;
      if (!sawAny && piece.length > 0) {
        sawAny = true;
        if (startsWith(piece, CHUNK_MAGIC)) {
          // a bare chunk file (carved from disk or memory): no file header
          inHeader = false;
          need = CHUNK_SIZE;
        }
      }
      while (p < piece.length) {
        const n = Math.min(need - fill, piece.length - p);
        buf.set(piece.subarray(p, p + n), fill);
        fill += n;
        p += n;
        if (fill < need) break;
        if (inHeader) {
          header();
          inHeader = false;
          offset = FILE_HEADER_SIZE;
          need = CHUNK_SIZE;
        } else {
          flushChunk();
          offset += CHUNK_SIZE;
        }
        fill = 0;
        if (records.length >= BATCH) {
          yield records.map((r) => toEvent(r, file));
          records = [];
        }
      }
    }
    if (inHeader) {
      if (fill === 0) issue('file', 'empty file', true);
      else issue('file header', `file is ${fill} bytes, shorter than an EVTX file header`, true);
      return;
    }
    if (fill > 0) flushChunk();
    if (records.length) yield records.map((r) => toEvent(r, file));
  },
};
