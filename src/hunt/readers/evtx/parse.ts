// EVTX file and chunk structure: the file header, 64 KiB chunks, event records. Pure: bytes in, records out.
// Layout facts from the libyal EVTX format documentation; the BinXML inside each record is in binxml.ts.
import { crc32 } from 'node:zlib';
import { BinXmlError, ChunkContext, filetimeMs, renderRecord } from './binxml.ts';

export const FILE_HEADER_SIZE = 4096;
export const CHUNK_SIZE = 65536;
const CHUNK_HEADER_SIZE = 512;
const RECORD_MAGIC = 0x00002a2a;

export const FILE_MAGIC = Buffer.from('ElfFile\0', 'latin1');
export const CHUNK_MAGIC = Buffer.from('ElfChnk\0', 'latin1');

export type FileHeader = {
  readonly firstChunk: number;
  readonly lastChunk: number;
  readonly nextRecordId: number;
  readonly minorVersion: number;
  readonly majorVersion: number;
  readonly chunkCount: number;
  /** Flag 1: the log was not closed cleanly, so its counts may be stale (chunks past `chunkCount` are still read). */
  readonly dirty: boolean;
  readonly full: boolean;
  readonly checksumOk: boolean;
};

export function parseFileHeader(b: Buffer): FileHeader | undefined {
  if (b.length < 128 || !b.subarray(0, 8).equals(FILE_MAGIC)) return undefined;
  const flags = b.readUInt32LE(120);
  return {
    firstChunk: Number(b.readBigUInt64LE(8)),
    lastChunk: Number(b.readBigUInt64LE(16)),
    nextRecordId: Number(b.readBigUInt64LE(24)),
    minorVersion: b.readUInt16LE(36),
    majorVersion: b.readUInt16LE(38),
    chunkCount: b.readUInt16LE(42),
    dirty: (flags & 1) !== 0,
    full: (flags & 2) !== 0,
    checksumOk: crc32(b.subarray(0, 120)) === b.readUInt32LE(124),
  };
}

/** One decoded event record. */
export type EvtxRecord = {
  readonly recordId: number;
  /** The record header's written time, ms since the Unix epoch. */
  readonly written: number;
  /** Byte offset of the record in the file. */
  readonly offset: number;
  readonly data: Record<string, unknown>;
};

export type ChunkProblem = { readonly where: string; readonly message: string };

const ZEROS = Buffer.alloc(CHUNK_SIZE);

function isZero(b: Buffer, start: number, end: number): boolean {
  return b.subarray(start, end).equals(ZEROS.subarray(0, end - start));
}

/**
 * Decodes the records of one chunk. `chunk` may be shorter than 64 KiB when the file is truncated: records that
 * lie wholly inside it are read. Problems (bad checksums, broken records) are passed to `problem`, and a broken
 * record is skipped by looking for the next record signature, so one bad record does not lose the chunk.
 */
export function readChunk(
  chunk: Buffer,
  fileOffset: number,
  index: number,
  problem: (p: ChunkProblem) => void,
  out: EvtxRecord[],
): void {
  const where = `chunk ${index} (offset 0x${fileOffset.toString(16)})`;
  if (chunk.length < CHUNK_HEADER_SIZE) {
    if (!isZero(chunk, 0, chunk.length)) problem({ where, message: `truncated chunk of ${chunk.length} bytes` });
    return;
  }
  if (!chunk.subarray(0, 8).equals(CHUNK_MAGIC)) {
    // never-used chunks at the end of a pre-allocated log are all zeros: not damage
    if (!isZero(chunk, 0, chunk.length)) problem({ where, message: 'not a chunk (bad signature); skipped' });
    return;
  }
  if (chunk.length < CHUNK_SIZE) {
    problem({
      where,
      message: `file ends inside this chunk (${chunk.length} of ${CHUNK_SIZE} bytes): read as far as it goes`,
    });
  }
  const headerCrc = crc32(chunk.subarray(128, 512), crc32(chunk.subarray(0, 120)));
  if (headerCrc !== chunk.readUInt32LE(124)) {
    problem({ where, message: 'chunk header checksum mismatch (dirty or damaged); records read anyway' });
  }
  let free = chunk.readUInt32LE(48);
  // the free-space offset comes from the file: bound it to the chunk
  if (free < CHUNK_HEADER_SIZE || free > CHUNK_SIZE) {
    problem({ where, message: `free-space offset 0x${free.toString(16)} is invalid; reading records until one fails` });
    free = CHUNK_SIZE;
  } else if (chunk.length >= free && crc32(chunk.subarray(CHUNK_HEADER_SIZE, free)) !== chunk.readUInt32LE(52)) {
    problem({ where, message: 'event records checksum mismatch; records read one by one' });
  }
  const limit = Math.min(free, chunk.length);
  const ctx = new ChunkContext(chunk);
  let pos = CHUNK_HEADER_SIZE;
  while (pos + 24 <= limit) {
    const magic = chunk.readUInt32LE(pos);
    const size = chunk.readUInt32LE(pos + 4);
    const sane =
      magic === RECORD_MAGIC && size >= 28 && pos + size <= chunk.length && chunk.readUInt32LE(pos + size - 4) === size;
    if (!sane) {
      if (magic === 0 && size === 0 && isZero(chunk, pos, limit)) return;
      const next = resync(chunk, pos + 4, limit);
      problem({
        where: `${where}, record at 0x${(fileOffset + pos).toString(16)}`,
        message:
          magic !== RECORD_MAGIC
            ? 'bad record signature'
            : `bad record size ${size}` + (next < 0 ? '' : `; skipped ${next - pos} bytes to the next record`),
      });
      if (next < 0) return;
      pos = next;
      continue;
    }
    const recordId = Number(chunk.readBigUInt64LE(pos + 8));
    try {
      const data = renderRecord(ctx, pos + 24, pos + size - 4);
      out.push({ recordId, written: filetimeMs(chunk.readBigUInt64LE(pos + 16)), offset: fileOffset + pos, data });
    } catch (err) {
      if (!(err instanceof BinXmlError) && !(err instanceof RangeError)) throw err;
      problem({ where: `${where}, record ${recordId}`, message: `unreadable BinXML: ${err.message}; record skipped` });
    }
    pos += size;
  }
}

/** The next offset (8-byte aligned, as records are) where a plausible record starts, or -1. */
function resync(chunk: Buffer, from: number, limit: number): number {
  for (let p = (from + 7) & ~7; p + 28 <= limit; p += 8) {
    if (chunk.readUInt32LE(p) !== RECORD_MAGIC) continue;
    const size = chunk.readUInt32LE(p + 4);
    if (size >= 28 && p + size <= chunk.length && chunk.readUInt32LE(p + size - 4) === size) return p;
  }
  return -1;
}
