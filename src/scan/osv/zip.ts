import { crc32, inflateRawSync } from 'node:zlib';
import { ScanError } from '../errors.ts';

/**
 * A small reader for the zip archives OSV publishes (`<Ecosystem>/all.zip`: tens of thousands of small JSON
 * members). It reads the central directory (zip64 included: the big ecosystems pass 65,535 members), then
 * inflates one member at a time, so peak memory is the archive plus one record.
 *
 * Everything in the archive comes from the network: offsets, sizes and counts are bounded by the buffer, each
 * member's output is bounded, and its CRC-32 and length are checked.
 */
export type ZipMember = {
  readonly name: string;
  /** 0 stored, 8 deflate; anything else is refused when extracted. */
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
};

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** An OSV record is a few KB; the largest (Linux kernel, huge `versions` lists) a few MB. */
export const MAX_MEMBER_BYTES = 64 << 20;

const utf8 = new TextDecoder('utf-8');

function invalid(what: string, message: string): ScanError {
  return new ScanError('ARCHIVE_INVALID', `${what}: ${message}`);
}

function u64(view: DataView, at: number): number {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  // offsets past 2^53 cannot be in a buffer anyway: the bounds checks below reject them
  return hi * 0x1_0000_0000 + lo;
}

/**
 * Lists the members of a zip archive held in memory. `what` names the archive in messages (its path or URL).
 * Throws `ScanError('ARCHIVE_INVALID')` for a truncated archive or a damaged central directory.
 */
export function readZipDirectory(buf: Uint8Array, what: string): ZipMember[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const len = buf.byteLength;
  if (len < 22) throw invalid(what, `not a zip archive (${len} bytes); the download may be truncated`);
  // the end record sits in the last 22 + 65,535 (comment) bytes
  let eocd = -1;
  for (let i = len - 22; i >= Math.max(0, len - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw invalid(what, 'no end-of-central-directory record: the archive is truncated or not a zip');
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== ZIP64_LOCATOR_SIG) throw invalid(what, 'zip64 locator missing');
    const rec = u64(view, loc + 8);
    if (rec + 56 > len || view.getUint32(rec, true) !== ZIP64_EOCD_SIG) throw invalid(what, 'zip64 end record damaged');
    count = u64(view, rec + 32);
    cdSize = u64(view, rec + 40);
    cdOffset = u64(view, rec + 48);
  }
  if (cdOffset + cdSize > len) throw invalid(what, 'central directory runs past the end: the archive is truncated');
  // each central entry is at least 46 bytes: a count beyond that is a lie
  if (count * 46 > cdSize) throw invalid(what, `central directory too small for ${count} members`);
  const members: ZipMember[] = [];
  let p = cdOffset;
  const end = cdOffset + cdSize;
  for (let n = 0; n < count; n++) {
    if (p + 46 > end || view.getUint32(p, true) !== CENTRAL_SIG) {
      throw invalid(what, `central directory entry ${n + 1} of ${count} is damaged`);
    }
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localOffset = view.getUint32(p + 42, true);
    const nameStart = p + 46;
    const extraStart = nameStart + nameLen;
    const next = extraStart + extraLen + commentLen;
    if (next > end) throw invalid(what, `central directory entry ${n + 1} runs past the directory`);
    const name = utf8.decode(buf.subarray(nameStart, extraStart));
    // zip64 extended information: the 0xFFFFFFFF fields, in this order
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      let q = extraStart;
      const qEnd = extraStart + extraLen;
      while (q + 4 <= qEnd) {
        const id = view.getUint16(q, true);
        const sz = view.getUint16(q + 2, true);
        if (id === 0x0001) {
          let r = q + 4;
          const rEnd = r + sz;
          if (size === 0xffffffff && r + 8 <= rEnd) {
            size = u64(view, r);
            r += 8;
          }
          if (compressedSize === 0xffffffff && r + 8 <= rEnd) {
            compressedSize = u64(view, r);
            r += 8;
          }
          if (localOffset === 0xffffffff && r + 8 <= rEnd) localOffset = u64(view, r);
          break;
        }
        q += 4 + sz;
      }
    }
    members.push({ name, method, flags, crc, compressedSize, size, localOffset });
    p = next;
  }
  return members;
}

/**
 * The bytes of one member, checked (bounds, method, length, CRC-32). Throws `ScanError('ARCHIVE_INVALID')`
 * naming the member; callers reading a feed report it and go on with the next.
 */
export function extractZipMember(buf: Uint8Array, m: ZipMember, what: string, maxBytes = MAX_MEMBER_BYTES): Uint8Array {
  const where = `${what}: member ${m.name}`;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (m.flags & 1) throw invalid(where, 'encrypted members are not supported');
  if (m.size > maxBytes) throw invalid(where, `${m.size} bytes is over the ${maxBytes}-byte bound for one record`);
  if (m.localOffset + 30 > buf.byteLength || view.getUint32(m.localOffset, true) !== LOCAL_SIG) {
    throw invalid(where, 'local header missing: the archive is truncated or damaged');
  }
  const start =
    m.localOffset + 30 + view.getUint16(m.localOffset + 26, true) + view.getUint16(m.localOffset + 28, true);
  const stop = start + m.compressedSize;
  if (stop > buf.byteLength) throw invalid(where, 'data runs past the end: the archive is truncated');
  const raw = buf.subarray(start, stop);
  let out: Uint8Array;
  if (m.method === 0) out = raw;
  else if (m.method === 8) {
    try {
      out = inflateRawSync(raw, { maxOutputLength: Math.max(1, m.size) });
    } catch (err) {
      throw new ScanError('ARCHIVE_INVALID', `${where}: does not inflate (${(err as Error).message})`, { cause: err });
    }
  } else throw invalid(where, `compression method ${m.method} is not supported`);
  if (out.byteLength !== m.size) throw invalid(where, `${out.byteLength} bytes where the directory says ${m.size}`);
  if (crc32(out) >>> 0 !== m.crc >>> 0) throw invalid(where, 'CRC-32 mismatch: the member is damaged');
  return out;
}
