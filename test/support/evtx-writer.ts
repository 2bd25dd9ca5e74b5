// A test-only EVTX writer, written from the format descriptions (libyal's "Windows XML Event Log (EVTX)" document
// and [MS-EVEN6] BinXml): it builds small, valid .evtx files from a tree description of each event, and damaged ones
// on request, so reader tests need no binary fixtures. `evtxDumpJson` gives the JSON the Rust evtx_dump tool writes
// for the same event (the shape our reader must produce); the conventions it follows are listed above it.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

// ---------------------------------------------------------------------------------------------------------------
// The event description

/** Substitution value types, by the names used in the format documents. */
export type EvtxValueType =
  | 'null'
  | 'string'
  | 'ansi'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'real32'
  | 'real64'
  | 'bool'
  | 'binary'
  | 'guid'
  | 'sizet'
  | 'filetime'
  | 'systemtime'
  | 'sid'
  | 'hex32'
  | 'hex64'
  | 'binxml'
  | 'stringArray'
  | 'int8Array'
  | 'uint8Array'
  | 'int16Array'
  | 'uint16Array'
  | 'int32Array'
  | 'uint32Array'
  | 'int64Array'
  | 'uint64Array';

export type SystemTime = {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** 0 = Sunday; computed from the date when left out. */
  readonly dayOfWeek?: number;
};

/** One substitution value. 64-bit integers, FILETIMEs and sizes are bigints so no precision is lost on the way in. */
export type EvtxValue =
  | { readonly type: 'null' }
  | { readonly type: 'string' | 'ansi'; readonly value: string }
  | {
      readonly type: 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'real32' | 'real64' | 'hex32';
      readonly value: number;
    }
  | { readonly type: 'int64' | 'uint64' | 'hex64' | 'filetime'; readonly value: bigint }
  /** A size_t value (0x10) stored as such, 4 or 8 bytes. */
  | { readonly type: 'sizet'; readonly value: bigint; readonly width?: 4 | 8 }
  /**
   * A win:Pointer as Windows writes it: the template declares SizeT (0x10), the value descriptor says HexInt64 (0x15).
   * This is how Security events carry ProcessId/NewProcessId/HandleId.
   */
  | { readonly type: 'pointer'; readonly value: bigint }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'binary'; readonly value: Uint8Array }
  /** "5770385F-C22A-43E0-BF4C-06F5698FFBD9", braces and case optional. */
  | { readonly type: 'guid'; readonly value: string }
  /** "S-1-5-21-…". */
  | { readonly type: 'sid'; readonly value: string }
  | { readonly type: 'systemtime'; readonly value: SystemTime }
  | { readonly type: 'stringArray'; readonly value: readonly string[] }
  | {
      readonly type: 'int8Array' | 'uint8Array' | 'int16Array' | 'uint16Array' | 'int32Array' | 'uint32Array';
      readonly value: readonly number[];
    }
  | { readonly type: 'int64Array' | 'uint64Array'; readonly value: readonly bigint[] }
  /** An embedded BinXml fragment (0x21): written as fragment header + its own template instance. */
  | { readonly type: 'binxml'; readonly value: EvtxElement };

/** A substitution in the template: its value comes from the record's value array. */
export type EvtxSub = {
  readonly sub: EvtxValue;
  /** Optional substitution (0x0e) instead of normal (0x0d). */
  readonly optional?: boolean;
  /** Type written in the template's substitution token; defaults to the value's own type (needed for nulls). */
  readonly declared?: EvtxValueType;
};

/** Text content or attribute value: a literal (value text in the template) or a substitution. */
export type EvtxText = string | EvtxSub;

export type EvtxElement = {
  readonly name: string;
  /** In order; a literal or a substitution each. */
  readonly attrs?: Readonly<Record<string, EvtxText>>;
  readonly children?: readonly (EvtxElement | EvtxText)[];
};

export type EvtxRecordSpec = {
  /** Written in the record header; also the chunk's record number. */
  readonly recordId: number;
  /** Written time of the record: FILETIME ticks, a Date, or an ISO string (up to 7 fraction digits). */
  readonly time?: bigint | Date | string;
  readonly event: EvtxElement;
  /** Start a new chunk with this record. */
  readonly newChunk?: boolean;
  /** Template GUID; by default derived from the event's shape, so events of one shape share a template. */
  readonly templateGuid?: string;
};

/** Damage to apply after the file is built. Record ids name records, chunk indexes count from 0. */
export type EvtxCorruption =
  /** The chunk header CRC32 does not match. */
  | { readonly kind: 'chunk-header-crc'; readonly chunk: number }
  /** The event records CRC32 in the chunk header does not match. */
  | { readonly kind: 'chunk-events-crc'; readonly chunk: number }
  /** The chunk signature is not ElfChnk (CRCs left as they were). */
  | { readonly kind: 'chunk-magic'; readonly chunk: number }
  /** The record signature is not 0x2a2a0000 (chunk CRCs recomputed, so only the record is bad). */
  | { readonly kind: 'record-magic'; readonly recordId: number }
  /** The record size runs past the end of the chunk (chunk CRCs recomputed). */
  | { readonly kind: 'record-size-overrun'; readonly recordId: number }
  /** The record size and its copy disagree (chunk CRCs recomputed). */
  | { readonly kind: 'record-size-copy'; readonly recordId: number }
  /** The file ends `keep` bytes into chunk `chunk` (default: half a chunk); later chunks are gone. */
  | { readonly kind: 'truncate'; readonly chunk: number; readonly keep?: number }
  /**
   * The file header is "dirty" (flag 1) and its counts are stale: it claims one chunk fewer than the file holds
   * and an older next record id. Its CRC is valid for what it says. Readers must still read every chunk.
   */
  | { readonly kind: 'dirty-header' }
  /** The file header CRC32 does not match. */
  | { readonly kind: 'file-header-crc' };

export type EvtxFileSpec = {
  readonly records: readonly EvtxRecordSpec[];
  /** At most this many records in a chunk (a chunk also ends when the next record does not fit in 64 KiB). */
  readonly recordsPerChunk?: number;
  /** Format 3.1 (Vista and later, the default) or 3.2 (Windows 10 2004 and later). */
  readonly minorVersion?: 1 | 2;
  /** Value of the unknown flags dword at chunk offset 120 (real files have 1 there). */
  readonly chunkFlags?: number;
  readonly corrupt?: readonly EvtxCorruption[];
};

export type EvtxLayout = {
  readonly bytes: Buffer;
  readonly chunks: number;
  /** Where each record went, in file order. */
  readonly records: readonly { readonly recordId: number; readonly chunk: number; readonly offset: number }[];
};

// ---------------------------------------------------------------------------------------------------------------
// Building blocks for event trees

/** An element: `el('Data', { Name: 'Image' }, sub(v.string('C:\\x.exe')))`. */
export function el(name: string, attrs?: Readonly<Record<string, EvtxText>>, ...children: (EvtxElement | EvtxText)[]) {
  const out: { name: string; attrs?: Readonly<Record<string, EvtxText>>; children?: (EvtxElement | EvtxText)[] } = {
    name,
  };
  if (attrs && Object.keys(attrs).length) out.attrs = attrs;
  if (children.length) out.children = children;
  return out as EvtxElement;
}

/** A normal substitution. */
export function sub(value: EvtxValue, declared?: EvtxValueType): EvtxSub {
  return declared ? { sub: value, declared } : { sub: value };
}

/** An optional substitution (what Windows uses in the System part). */
export function opt(value: EvtxValue, declared?: EvtxValueType): EvtxSub {
  return declared ? { sub: value, optional: true, declared } : { sub: value, optional: true };
}

/** Value constructors. */
export const v = {
  null: (): EvtxValue => ({ type: 'null' }),
  string: (value: string): EvtxValue => ({ type: 'string', value }),
  ansi: (value: string): EvtxValue => ({ type: 'ansi', value }),
  int8: (value: number): EvtxValue => ({ type: 'int8', value }),
  uint8: (value: number): EvtxValue => ({ type: 'uint8', value }),
  int16: (value: number): EvtxValue => ({ type: 'int16', value }),
  uint16: (value: number): EvtxValue => ({ type: 'uint16', value }),
  int32: (value: number): EvtxValue => ({ type: 'int32', value }),
  uint32: (value: number): EvtxValue => ({ type: 'uint32', value }),
  int64: (value: bigint): EvtxValue => ({ type: 'int64', value }),
  uint64: (value: bigint): EvtxValue => ({ type: 'uint64', value }),
  real32: (value: number): EvtxValue => ({ type: 'real32', value }),
  real64: (value: number): EvtxValue => ({ type: 'real64', value }),
  bool: (value: boolean): EvtxValue => ({ type: 'bool', value }),
  binary: (value: Uint8Array): EvtxValue => ({ type: 'binary', value }),
  guid: (value: string): EvtxValue => ({ type: 'guid', value }),
  sizet: (value: bigint, width: 4 | 8 = 8): EvtxValue => ({ type: 'sizet', value, width }),
  pointer: (value: bigint): EvtxValue => ({ type: 'pointer', value }),
  filetime: (value: bigint | Date | string): EvtxValue => ({ type: 'filetime', value: toFiletime(value) }),
  systemtime: (value: SystemTime): EvtxValue => ({ type: 'systemtime', value }),
  sid: (value: string): EvtxValue => ({ type: 'sid', value }),
  hex32: (value: number): EvtxValue => ({ type: 'hex32', value }),
  hex64: (value: bigint): EvtxValue => ({ type: 'hex64', value }),
  stringArray: (value: readonly string[]): EvtxValue => ({ type: 'stringArray', value }),
  int32Array: (value: readonly number[]): EvtxValue => ({ type: 'int32Array', value }),
  uint16Array: (value: readonly number[]): EvtxValue => ({ type: 'uint16Array', value }),
  uint64Array: (value: readonly bigint[]): EvtxValue => ({ type: 'uint64Array', value }),
  binxml: (value: EvtxElement): EvtxValue => ({ type: 'binxml', value }),
};

const FILETIME_UNIX_EPOCH = 116444736000000000n;

/** FILETIME ticks (100 ns since 1601-01-01 UTC) from a Date or an ISO string with up to 7 fraction digits. */
export function toFiletime(t: bigint | Date | string): bigint {
  if (typeof t === 'bigint') return t;
  if (t instanceof Date) return BigInt(t.getTime()) * 10000n + FILETIME_UNIX_EPOCH;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?Z$/.exec(t);
  if (!m) throw new Error(`toFiletime: not an ISO UTC time with up to 7 fraction digits: ${t}`);
  const seconds = BigInt(Date.parse(`${m[1]}Z`) / 1000);
  const frac = BigInt((m[2] ?? '').padEnd(7, '0'));
  return seconds * 10000000n + frac + FILETIME_UNIX_EPOCH;
}

// ---------------------------------------------------------------------------------------------------------------
// Format constants (libyal EVTX document, sections "File header", "Chunk", "Binary XML")

const FILE_HEADER_BLOCK = 4096;
const CHUNK_SIZE = 65536;
const CHUNK_HEADER_SIZE = 512;
const RECORD_MAGIC = 0x00002a2a;

const TOKEN = {
  eof: 0x00,
  openStart: 0x01,
  closeStart: 0x02,
  closeEmpty: 0x03,
  end: 0x04,
  value: 0x05,
  attribute: 0x06,
  templateInstance: 0x0c,
  normalSub: 0x0d,
  optionalSub: 0x0e,
  fragmentHeader: 0x0f,
  /** "more data follows" / "has attributes" flag. */
  more: 0x40,
} as const;

const TYPE_CODE: Readonly<Record<EvtxValueType, number>> = {
  null: 0x00,
  string: 0x01,
  ansi: 0x02,
  int8: 0x03,
  uint8: 0x04,
  int16: 0x05,
  uint16: 0x06,
  int32: 0x07,
  uint32: 0x08,
  int64: 0x09,
  uint64: 0x0a,
  real32: 0x0b,
  real64: 0x0c,
  bool: 0x0d,
  binary: 0x0e,
  guid: 0x0f,
  sizet: 0x10,
  filetime: 0x11,
  systemtime: 0x12,
  sid: 0x13,
  hex32: 0x14,
  hex64: 0x15,
  binxml: 0x21,
  stringArray: 0x81,
  int8Array: 0x83,
  uint8Array: 0x84,
  int16Array: 0x85,
  uint16Array: 0x86,
  int32Array: 0x87,
  uint32Array: 0x88,
  int64Array: 0x89,
  uint64Array: 0x8a,
};

/** The value descriptor's type code (what the data is) for a value. */
function valueTypeCode(value: EvtxValue): number {
  return value.type === 'pointer' ? TYPE_CODE.hex64 : TYPE_CODE[value.type];
}

/** The type written in the template's substitution token. */
function declaredTypeCode(s: EvtxSub): number {
  if (s.declared) return TYPE_CODE[s.declared];
  return s.sub.type === 'pointer' ? TYPE_CODE.sizet : TYPE_CODE[s.sub.type];
}

/** The BinXml name hash: the low 16 bits of h = h * 65599 + code unit, over the UTF-16 code units. */
export function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 65599) + name.charCodeAt(i)) >>> 0;
  return h & 0xffff;
}

// ---------------------------------------------------------------------------------------------------------------
// Byte-level helpers

class Bytes {
  buf: Buffer;
  pos: number;
  constructor(size: number, pos = 0) {
    this.buf = Buffer.alloc(size);
    this.pos = pos;
  }
  private room(n: number): void {
    // the whole chunk (and then some) is allocated up front; a record larger than a chunk is a spec error
    if (this.pos + n > this.buf.length) throw new RangeError('evtx-writer: event does not fit in one chunk');
  }
  u8(x: number): void {
    this.room(1);
    this.buf.writeUInt8(x, this.pos);
    this.pos += 1;
  }
  u16(x: number): void {
    this.room(2);
    this.buf.writeUInt16LE(x, this.pos);
    this.pos += 2;
  }
  u32(x: number): void {
    this.room(4);
    this.buf.writeUInt32LE(x >>> 0, this.pos);
    this.pos += 4;
  }
  u64(x: bigint): void {
    this.room(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, x), this.pos);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  patch32(at: number, x: number): void {
    this.buf.writeUInt32LE(x >>> 0, at);
  }
  patch16(at: number, x: number): void {
    this.buf.writeUInt16LE(x, at);
  }
}

function utf16(s: string): Buffer {
  return Buffer.from(s, 'utf16le');
}

/** GUID text to its 16 bytes: Data1 (LE u32), Data2 (LE u16), Data3 (LE u16), Data4 (8 bytes as written). */
export function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/[{}]/g, '');
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(hex);
  if (!m) throw new Error(`evtx-writer: not a GUID: ${guid}`);
  const out = Buffer.alloc(16);
  out.writeUInt32LE(parseInt(m[1]!, 16), 0);
  out.writeUInt16LE(parseInt(m[2]!, 16), 4);
  out.writeUInt16LE(parseInt(m[3]!, 16), 6);
  Buffer.from(m[4]! + m[5]!, 'hex').copy(out, 8);
  return out;
}

/** SID text to bytes: revision, sub-authority count, 48-bit big-endian authority, LE u32 sub-authorities. */
export function sidBytes(sid: string): Buffer {
  const parts = sid.split('-');
  if (parts[0] !== 'S' || parts.length < 3) throw new Error(`evtx-writer: not a SID: ${sid}`);
  const subs = parts.slice(3).map((p) => Number(p));
  const out = Buffer.alloc(8 + 4 * subs.length);
  out.writeUInt8(Number(parts[1]), 0);
  out.writeUInt8(subs.length, 1);
  out.writeUIntBE(Number(parts[2]), 2, 6);
  subs.forEach((s, i) => out.writeUInt32LE(s, 8 + 4 * i));
  return out;
}

function dayOfWeek(t: SystemTime): number {
  return t.dayOfWeek ?? new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay();
}

// ---------------------------------------------------------------------------------------------------------------
// Templates: the event tree with substitutions numbered in document order

type Shape = { readonly key: string; readonly subs: readonly EvtxSub[] };

function isSub(x: EvtxElement | EvtxText): x is EvtxSub {
  return typeof x === 'object' && 'sub' in x;
}

/** Numbers the substitutions (attributes first, then content, depth first) and gives the template's identity. */
function shapeOf(root: EvtxElement): Shape {
  const subs: EvtxSub[] = [];
  const text = (t: EvtxText): unknown => {
    if (typeof t === 'string') return t;
    subs.push(t);
    return { i: subs.length - 1, t: declaredTypeCode(t), o: t.optional === true };
  };
  const walk = (e: EvtxElement): unknown => ({
    n: e.name,
    a: Object.entries(e.attrs ?? {}).map(([k, a]) => [k, text(a)]),
    c: (e.children ?? []).map((c) => (typeof c === 'object' && !isSub(c) ? walk(c) : text(c))),
  });
  return { key: JSON.stringify(walk(root)), subs };
}

function guidFromShape(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// One chunk being filled

type ChunkState = {
  pos: number;
  names: Map<string, number>;
  nameHeads: number[];
  templates: Map<string, number>;
  templateHeads: number[];
};

class ChunkWriter {
  readonly out = new Bytes(CHUNK_SIZE * 2, CHUNK_HEADER_SIZE);
  /** Chunk offset of each name string written so far (names are shared within a chunk only). */
  names = new Map<string, number>();
  nameHeads: number[] = new Array<number>(64).fill(0);
  /** Chunk offset of each template definition written so far, by GUID (lower case). */
  templates = new Map<string, number>();
  templateHeads: number[] = new Array<number>(32).fill(0);
  records: { recordId: number; offset: number }[] = [];

  save(): ChunkState {
    return {
      pos: this.out.pos,
      names: new Map(this.names),
      nameHeads: [...this.nameHeads],
      templates: new Map(this.templates),
      templateHeads: [...this.templateHeads],
    };
  }

  restore(s: ChunkState): void {
    this.out.buf.fill(0, s.pos);
    this.out.pos = s.pos;
    this.names = s.names;
    this.nameHeads = s.nameHeads;
    this.templates = s.templates;
    this.templateHeads = s.templateHeads;
  }

  /** Writes a name offset; the first use of a name in the chunk puts the name string right after the offset. */
  nameRef(name: string): void {
    const o = this.out;
    const known = this.names.get(name);
    if (known !== undefined) {
      o.u32(known);
      return;
    }
    const at = o.pos + 4;
    o.u32(at);
    const hash = nameHash(name);
    const bucket = hash % 64;
    o.u32(this.nameHeads[bucket]!); // next name in the same bucket of the common string table
    o.u16(hash);
    o.u16(name.length);
    o.bytes(utf16(name));
    o.u16(0);
    this.nameHeads[bucket] = at;
    this.names.set(name, at);
  }

  valueText(s: string, more = false): void {
    const o = this.out;
    o.u8(TOKEN.value | (more ? TOKEN.more : 0));
    o.u8(TYPE_CODE.string);
    o.u16(s.length);
    o.bytes(utf16(s));
  }

  subToken(s: EvtxSub, index: number): void {
    const o = this.out;
    o.u8(s.optional ? TOKEN.optionalSub : TOKEN.normalSub);
    o.u16(index);
    o.u8(declaredTypeCode(s));
  }

  element(e: EvtxElement, indexOf: Map<EvtxSub, number>): void {
    const o = this.out;
    const attrs = Object.entries(e.attrs ?? {});
    const start = o.pos;
    o.u8(TOKEN.openStart | (attrs.length ? TOKEN.more : 0));
    o.u16(0xffff); // dependency identifier: not set
    o.u32(0); // data size, patched below
    this.nameRef(e.name);
    if (attrs.length) {
      const listAt = o.pos;
      o.u32(0);
      attrs.forEach(([name, value], i) => {
        o.u8(TOKEN.attribute | (i < attrs.length - 1 ? TOKEN.more : 0));
        this.nameRef(name);
        if (typeof value === 'string') this.valueText(value);
        else this.subToken(value, indexOf.get(value)!);
      });
      o.patch32(listAt, o.pos - listAt - 4);
    }
    const children = e.children ?? [];
    if (!children.length) o.u8(TOKEN.closeEmpty);
    else {
      o.u8(TOKEN.closeStart);
      for (const c of children) {
        if (typeof c === 'string') this.valueText(c);
        else if (isSub(c)) this.subToken(c, indexOf.get(c)!);
        else this.element(c, indexOf);
      }
      o.u8(TOKEN.end);
    }
    // the size counts everything after the token, dependency identifier and size fields (7 bytes)
    o.patch32(start + 3, o.pos - start - 7);
  }

  /** Fragment header + template instance (definition inline the first time in this chunk) + its values. */
  fragment(root: EvtxElement, guidText?: string): void {
    const o = this.out;
    const shape = shapeOf(root);
    const guid = (guidText ?? guidFromShape(shape.key)).replace(/[{}]/g, '').toLowerCase();
    const g = guidBytes(guid);
    const indexOf = new Map(shape.subs.map((s, i) => [s, i] as const));
    o.bytes(Buffer.from([TOKEN.fragmentHeader, 1, 1, 0]));
    o.u8(TOKEN.templateInstance);
    o.u8(0x01);
    o.u32(g.readUInt32LE(0)); // template identifier: the GUID's first 4 bytes, as Windows writes it
    const known = this.templates.get(guid);
    if (known !== undefined) o.u32(known);
    else {
      const defAt = o.pos + 4;
      o.u32(defAt);
      const bucket = g.readUInt32LE(0) % 32;
      o.u32(this.templateHeads[bucket]!); // next template definition in the same bucket
      o.bytes(g);
      const sizeAt = o.pos;
      o.u32(0);
      o.bytes(Buffer.from([TOKEN.fragmentHeader, 1, 1, 0]));
      this.element(root, indexOf);
      o.u8(TOKEN.eof);
      o.patch32(sizeAt, o.pos - sizeAt - 4);
      this.templateHeads[bucket] = defAt;
      this.templates.set(guid, defAt);
    }
    // template instance data: count, descriptors (size, type, 0), then the values
    o.u32(shape.subs.length);
    const descAt = o.pos;
    for (let i = 0; i < shape.subs.length; i++) o.u32(0);
    shape.subs.forEach((s, i) => {
      const from = o.pos;
      this.value(s.sub);
      o.patch16(descAt + 4 * i, o.pos - from);
      o.buf.writeUInt8(valueTypeCode(s.sub), descAt + 4 * i + 2);
    });
  }

  value(val: EvtxValue): void {
    const o = this.out;
    const b = Buffer.alloc(16);
    switch (val.type) {
      case 'null':
        return;
      case 'string':
        return o.bytes(utf16(val.value));
      case 'ansi':
        return o.bytes(Buffer.from(val.value, 'latin1'));
      case 'int8':
        b.writeInt8(val.value);
        return o.bytes(b.subarray(0, 1));
      case 'uint8':
        return o.u8(val.value);
      case 'int16':
        b.writeInt16LE(val.value);
        return o.bytes(b.subarray(0, 2));
      case 'uint16':
        return o.u16(val.value);
      case 'int32':
        b.writeInt32LE(val.value);
        return o.bytes(b.subarray(0, 4));
      case 'uint32':
      case 'hex32':
        return o.u32(val.value);
      case 'int64':
      case 'uint64':
      case 'hex64':
      case 'filetime':
      case 'pointer':
        return o.u64(val.value);
      case 'sizet':
        if (val.width === 4) return o.u32(Number(val.value));
        return o.u64(val.value);
      case 'real32':
        b.writeFloatLE(val.value);
        return o.bytes(b.subarray(0, 4));
      case 'real64':
        b.writeDoubleLE(val.value);
        return o.bytes(b.subarray(0, 8));
      case 'bool':
        return o.u32(val.value ? 1 : 0);
      case 'binary':
        return o.bytes(val.value);
      case 'guid':
        return o.bytes(guidBytes(val.value));
      case 'sid':
        return o.bytes(sidBytes(val.value));
      case 'systemtime': {
        const t = val.value;
        for (const x of [t.year, t.month, dayOfWeek(t), t.day, t.hour, t.minute, t.second, t.millisecond]) o.u16(x);
        return;
      }
      case 'stringArray':
        for (const s of val.value) {
          o.bytes(utf16(s));
          o.u16(0);
        }
        return;
      case 'int8Array':
        for (const x of val.value) {
          b.writeInt8(x);
          o.bytes(b.subarray(0, 1));
        }
        return;
      case 'uint8Array':
        for (const x of val.value) o.u8(x);
        return;
      case 'int16Array':
        for (const x of val.value) {
          b.writeInt16LE(x);
          o.bytes(b.subarray(0, 2));
        }
        return;
      case 'uint16Array':
        for (const x of val.value) o.u16(x);
        return;
      case 'int32Array':
        for (const x of val.value) {
          b.writeInt32LE(x);
          o.bytes(b.subarray(0, 4));
        }
        return;
      case 'uint32Array':
        for (const x of val.value) o.u32(x);
        return;
      case 'int64Array':
      case 'uint64Array':
        for (const x of val.value) o.u64(x);
        return;
      case 'binxml':
        return this.fragment(val.value);
    }
  }

  /** Appends a record; false (and nothing written) when it does not fit in what is left of the chunk. */
  record(r: EvtxRecordSpec): boolean {
    const saved = this.save();
    const o = this.out;
    const start = o.pos;
    o.u32(RECORD_MAGIC);
    o.u32(0);
    o.u64(BigInt(r.recordId));
    o.u64(r.time === undefined ? toFiletime('2024-01-01T00:00:00Z') : toFiletime(r.time));
    this.fragment(r.event, r.templateGuid);
    // Windows pads the record to a multiple of 8 bytes; the first pad byte reads as end-of-stream
    while ((o.pos + 4 - start) % 8) o.u8(0);
    o.u32(o.pos + 4 - start);
    o.patch32(start + 4, o.pos - start);
    if (o.pos > CHUNK_SIZE) {
      this.restore(saved);
      return false;
    }
    this.records.push({ recordId: r.recordId, offset: start });
    return true;
  }

  /** The finished 64 KiB chunk with its header and CRCs. */
  finish(flags: number): Buffer {
    const chunk = Buffer.from(this.out.buf.subarray(0, CHUNK_SIZE));
    const first = this.records[0]!;
    const last = this.records[this.records.length - 1]!;
    chunk.write('ElfChnk\0', 0, 'latin1');
    chunk.writeBigUInt64LE(BigInt(first.recordId), 8); // first event record number
    chunk.writeBigUInt64LE(BigInt(last.recordId), 16); // last event record number
    chunk.writeBigUInt64LE(BigInt(first.recordId), 24); // first event record identifier
    chunk.writeBigUInt64LE(BigInt(last.recordId), 32); // last event record identifier
    chunk.writeUInt32LE(128, 40); // header size
    chunk.writeUInt32LE(last.offset, 44); // last event record data offset
    chunk.writeUInt32LE(this.out.pos, 48); // free space offset
    chunk.writeUInt32LE(flags >>> 0, 120);
    this.nameHeads.forEach((x, i) => chunk.writeUInt32LE(x, 128 + 4 * i));
    this.templateHeads.forEach((x, i) => chunk.writeUInt32LE(x, 384 + 4 * i));
    sealChunk(chunk);
    return chunk;
  }
}

/** Recomputes a chunk's event-records CRC (bytes 512..free space) and header CRC (bytes 0..120 and 128..512). */
function sealChunk(chunk: Buffer): void {
  const free = chunk.readUInt32LE(48);
  chunk.writeUInt32LE(crc32(chunk.subarray(CHUNK_HEADER_SIZE, free)), 52);
  chunk.writeUInt32LE(crc32(Buffer.concat([chunk.subarray(0, 120), chunk.subarray(128, 512)])), 124);
}

function fileHeader(o: {
  firstChunk: number;
  lastChunk: number;
  nextRecordId: number;
  chunks: number;
  minor: number;
  flags: number;
}): Buffer {
  const h = Buffer.alloc(FILE_HEADER_BLOCK);
  h.write('ElfFile\0', 0, 'latin1');
  h.writeBigUInt64LE(BigInt(o.firstChunk), 8);
  h.writeBigUInt64LE(BigInt(o.lastChunk), 16);
  h.writeBigUInt64LE(BigInt(o.nextRecordId), 24);
  h.writeUInt32LE(128, 32);
  h.writeUInt16LE(o.minor, 36);
  h.writeUInt16LE(3, 38);
  h.writeUInt16LE(FILE_HEADER_BLOCK, 40);
  h.writeUInt16LE(o.chunks, 42);
  h.writeUInt32LE(o.flags, 120);
  h.writeUInt32LE(crc32(h.subarray(0, 120)), 124);
  return h;
}

// ---------------------------------------------------------------------------------------------------------------
// The file

/** Builds an .evtx file and tells where each record went. */
export function buildEvtxLayout(spec: EvtxFileSpec): EvtxLayout {
  const flags = spec.chunkFlags ?? 1;
  const chunks: Buffer[] = [];
  const placed: { recordId: number; chunk: number; offset: number }[] = [];
  let cw = new ChunkWriter();
  const close = () => {
    if (!cw.records.length) return;
    for (const r of cw.records) placed.push({ recordId: r.recordId, chunk: chunks.length, offset: r.offset });
    chunks.push(cw.finish(flags));
    cw = new ChunkWriter();
  };
  for (const r of spec.records) {
    if (r.newChunk || (spec.recordsPerChunk !== undefined && cw.records.length >= spec.recordsPerChunk)) close();
    if (cw.record(r)) continue;
    close();
    if (!cw.record(r)) throw new RangeError(`evtx-writer: record ${r.recordId} does not fit in an empty chunk`);
  }
  close();

  const corrupt = spec.corrupt ?? [];
  const where = (recordId: number) => {
    const p = placed.find((x) => x.recordId === recordId);
    if (!p) throw new Error(`evtx-writer: no record ${recordId} to corrupt`);
    return { chunk: chunks[p.chunk]!, offset: p.offset };
  };
  // record damage first (then the chunk CRCs are made to match, so only the record is wrong) …
  for (const c of corrupt) {
    if (c.kind === 'record-magic') {
      const { chunk, offset } = where(c.recordId);
      chunk.writeUInt32LE(0x00002b2b, offset);
      sealChunk(chunk);
    } else if (c.kind === 'record-size-overrun') {
      const { chunk, offset } = where(c.recordId);
      chunk.writeUInt32LE(CHUNK_SIZE - offset + 0x100, offset + 4);
      sealChunk(chunk);
    } else if (c.kind === 'record-size-copy') {
      const { chunk, offset } = where(c.recordId);
      const size = chunk.readUInt32LE(offset + 4);
      chunk.writeUInt32LE(size + 8, offset + size - 4);
      sealChunk(chunk);
    }
  }
  // … then chunk damage
  for (const c of corrupt) {
    if (c.kind === 'chunk-header-crc' || c.kind === 'chunk-events-crc' || c.kind === 'chunk-magic') {
      const chunk = chunks[c.chunk];
      if (!chunk) throw new Error(`evtx-writer: no chunk ${c.chunk} to corrupt`);
      if (c.kind === 'chunk-header-crc') chunk.writeUInt32LE((chunk.readUInt32LE(124) ^ 0xdeadbeef) >>> 0, 124);
      else if (c.kind === 'chunk-events-crc') {
        // the events CRC sits inside the header CRC's range: recompute that one so only the events CRC is wrong
        chunk.writeUInt32LE((chunk.readUInt32LE(52) ^ 0xdeadbeef) >>> 0, 52);
        chunk.writeUInt32LE(crc32(Buffer.concat([chunk.subarray(0, 120), chunk.subarray(128, 512)])), 124);
      } else chunk.write('ElfChnX\0', 0, 'latin1');
    }
  }

  const dirty = corrupt.some((c) => c.kind === 'dirty-header');
  const lastId = placed.length ? placed[placed.length - 1]!.recordId : 0;
  const staleChunks = Math.max(chunks.length - 1, 1);
  const staleNext = placed.filter((p) => p.chunk < staleChunks).reduce((m, p) => Math.max(m, p.recordId), 0) + 1;
  const header = fileHeader({
    firstChunk: 0,
    lastChunk: dirty ? staleChunks - 1 : Math.max(chunks.length - 1, 0),
    nextRecordId: dirty ? staleNext : lastId + 1,
    chunks: dirty ? staleChunks : chunks.length,
    minor: spec.minorVersion ?? 1,
    flags: dirty ? 1 : 0,
  });
  if (corrupt.some((c) => c.kind === 'file-header-crc'))
    header.writeUInt32LE((header.readUInt32LE(124) ^ 1) >>> 0, 124);

  let bytes = Buffer.concat([header, ...chunks]);
  const cut = corrupt.find((c) => c.kind === 'truncate');
  if (cut) bytes = bytes.subarray(0, FILE_HEADER_BLOCK + cut.chunk * CHUNK_SIZE + (cut.keep ?? CHUNK_SIZE / 2));
  return { bytes, chunks: chunks.length, records: placed };
}

/** Builds an .evtx file. */
export function buildEvtx(spec: EvtxFileSpec): Buffer {
  return buildEvtxLayout(spec).bytes;
}

// ---------------------------------------------------------------------------------------------------------------
// The evtx_dump JSON for an event
//
// What current evtx_dump (the evtx crate's JSON renderer) writes; checked against all 118 SigmaHQ regression
// events (python-evtx's view of each record, run through evtxDumpJson, equals the .json once two known errors in
// one .json are set aside). Rules those events do not exercise follow the evtx crate's source and tests and are
// marked "(crate)"; where older evtx_dump releases wrote something else it says so, as "was: …".
//  - `{"Event": {...}}`. Attributes go in `"#attributes"`, in document order; an attribute whose value is null
//    or empty is left out. An element left with no attributes, no text and no child elements is `null`
//    (`"Correlation": null`, `"Security": null`; also an element whose only text is an empty string).
//  - An element with no attributes and no child elements is its value (`"EventID": 4688`); with attributes and
//    text `{"#attributes": {...}, "#text": value}`; with child elements an object of them.
//  - A lone integer value (8–64 bit) is a JSON number, also in attributes (ProcessID); a lone bool is true/false.
//    Everything else is a string: GUID upper case without braces, SID "S-1-5-…", hex32/hex64 and size_t/win:Pointer
//    "0x" + lower-case hex without padding, FILETIME and SYSTEMTIME "YYYY-MM-DDTHH:MM:SS.ffffffZ" (microseconds,
//    truncated), binary upper-case hex, reals their shortest decimal text "1.5" (crate; was: a JSON number).
//    Several text pieces in one element are joined into one string. String values lose trailing white space
//    (all 45 cases in the regression samples); CR LF inside a value stays.
//  - Directly under EventData/UserData, `<Data Name="X">v</Data>` is `"X": v`, an empty one `"X": ""` (crate;
//    was: null); when there are named Data elements, unnamed ones are dropped. With no named Data, unnamed ones
//    are `"Data": {"#text": v}`, or `{"#text": [v1, v2, …]}` when there are several ("" for an empty one).
//  - Other repeated sibling names: `Name`, `Name_1`, `Name_2`, … in document order (crate; was: the last value
//    under `Name` and the earlier ones under `Name_1`…). Repeated named Data keys are written twice by evtx_dump;
//    a JSON parser keeps the last, and so does this function.
//  - An array value (0x81…) with more than one item repeats its element once per item (MS-EVEN6 array expansion;
//    an empty string item gives an empty element), so `<Data>` + string array gives `{"#text": [items]}`; a
//    one-item array is its item as text (crate; was: a JSON array either way).
//  - An embedded BinXml value (0x21) is expanded in place, as if its elements were written inline.

/** The evtx_dump JSON value of one scalar value (not arrays or `binxml`, which change the element tree). */
export function evtxDumpValue(val: EvtxValue): unknown {
  switch (val.type) {
    case 'null':
      return null;
    case 'string':
    case 'ansi':
      // evtx_dump drops trailing white space from string values (all 45 such values in the regression samples)
      return val.value.trimEnd();
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
      return val.value;
    case 'real32':
      return floatText(Math.fround(val.value), true);
    case 'real64':
      return floatText(val.value, false);
    case 'int64':
    case 'uint64':
      // evtx_dump prints the exact integer; JSON.parse (and so our reader) rounds beyond 2^53
      return Number(val.value);
    case 'bool':
      return val.value;
    case 'binary':
      return Buffer.from(val.value).toString('hex').toUpperCase();
    case 'guid':
      return guidText(guidBytes(val.value));
    case 'sid':
      return val.value;
    case 'hex32':
      return `0x${(val.value >>> 0).toString(16)}`;
    case 'hex64':
    case 'sizet':
    case 'pointer':
      return `0x${BigInt.asUintN(64, val.value).toString(16)}`;
    case 'filetime':
      return filetimeIso(val.value);
    case 'systemtime': {
      const t = val.value;
      const p = (n: number, w = 2) => String(n).padStart(w, '0');
      return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}T${p(t.hour)}:${p(t.minute)}:${p(t.second)}.${p(t.millisecond * 1000, 6)}Z`;
    }
    default:
      throw new Error(`evtxDumpValue: a ${val.type} value changes the element tree; use evtxDumpJson`);
  }
}

/** "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" in upper case, from the 16 stored bytes. */
export function guidText(b: Buffer): string {
  const h = (x: number, w: number) => x.toString(16).padStart(w, '0');
  const tail = b.subarray(8).toString('hex');
  return `${h(b.readUInt32LE(0), 8)}-${h(b.readUInt16LE(4), 4)}-${h(b.readUInt16LE(6), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`.toUpperCase();
}

/** FILETIME as evtx_dump prints it: UTC, microseconds (truncated), Z. */
export function filetimeIso(ticks: bigint): string {
  const sinceUnix = ticks - FILETIME_UNIX_EPOCH;
  const micros = sinceUnix / 10n - (sinceUnix < 0n && sinceUnix % 10n ? 1n : 0n);
  const ms = micros / 1000n - (micros < 0n && micros % 1000n ? 1n : 0n);
  const iso = new Date(Number(ms)).toISOString().slice(0, 19);
  const us = Number(((micros % 1000000n) + 1000000n) % 1000000n);
  return `${iso}.${String(us).padStart(6, '0')}Z`;
}

/** The shortest decimal that reads back as the same float (f32 or f64), with ".0" on whole numbers (unverified). */
function floatText(x: number, single: boolean): string {
  if (!Number.isFinite(x)) return String(x);
  let s = String(x);
  if (single) {
    for (let p = 1; p <= 9; p++) {
      const c = Number(x.toPrecision(p));
      if (Math.fround(c) === x) {
        s = String(c);
        break;
      }
    }
  }
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

type Piece = { readonly text: unknown };

type Resolved = {
  readonly name: string;
  readonly attrs: readonly (readonly [string, unknown])[];
  readonly content: readonly (Resolved | Piece)[];
};

function isResolved(x: Resolved | Piece): x is Resolved {
  return 'name' in x;
}

type ArrayValue = Extract<EvtxValue, { readonly value: readonly unknown[] }>;

function isArray(val: EvtxValue): val is ArrayValue {
  return Array.isArray((val as { value?: unknown }).value);
}

/** Item `i` of an array value as a scalar value. */
function arrayItem(val: ArrayValue, i: number): EvtxValue {
  const item = val.value[i]!;
  const scalar = val.type.replace(/Array$/, '') as EvtxValueType;
  if (scalar === 'string') return { type: 'string', value: item as string };
  if (scalar === 'int64' || scalar === 'uint64') return { type: scalar, value: item as bigint };
  return { type: scalar, value: item as number } as EvtxValue;
}

/** A one-item array as evtx_dump renders it: its items joined by commas, as a string. */
function arrayText(val: ArrayValue): string {
  return val.value.map((_, i) => textOf(evtxDumpValue(arrayItem(val, i)))).join(',');
}

/**
 * Fills in the substitutions: the element(s) evtx_dump sees after template expansion. An array substitution with
 * more than one item repeats the element once per item (children first, then attributes, as the crate scans).
 */
function resolve(e: EvtxElement): Resolved[] {
  const children = e.children ?? [];
  const attrs = Object.entries(e.attrs ?? {});
  const multi = (t: EvtxElement | EvtxText) =>
    typeof t === 'object' && isSub(t) && isArray(t.sub) && t.sub.value.length > 1;
  const at = children.findIndex(multi);
  const attrAt = at < 0 ? attrs.findIndex(([, a]) => multi(a)) : -1;
  if (at >= 0 || attrAt >= 0) {
    const s = (at >= 0 ? children[at] : attrs[attrAt]![1]) as EvtxSub;
    const arr = s.sub as ArrayValue;
    return arr.value.flatMap((_, i) => {
      const item = arrayItem(arr, i);
      // an empty string item leaves the element (or attribute) empty
      const rep: EvtxText[] = item.type === 'string' && item.value === '' ? [] : [{ sub: item }];
      if (at >= 0) return resolve({ ...e, children: [...children.slice(0, at), ...rep, ...children.slice(at + 1)] });
      const next = Object.fromEntries(attrs.flatMap(([k, a], j) => (j !== attrAt ? [[k, a]] : rep.map((r) => [k, r]))));
      return resolve({ ...e, attrs: next });
    });
  }
  const rattrs: (readonly [string, unknown])[] = [];
  for (const [name, a] of attrs) {
    const t = pieceOf(a);
    if (t !== undefined && t !== '') rattrs.push([name, t]);
  }
  const content: (Resolved | Piece)[] = [];
  for (const c of children) {
    if (typeof c === 'object' && !isSub(c)) content.push(...resolve(c));
    else if (typeof c === 'object' && c.sub.type === 'binxml') content.push(...resolve(c.sub.value));
    else {
      const t = pieceOf(c);
      if (t !== undefined && t !== '') content.push({ text: t });
    }
  }
  return [{ name: e.name, attrs: rattrs, content }];
}

/** The JSON value of a literal or a scalar substitution; undefined for null. */
function pieceOf(t: EvtxText): unknown {
  if (typeof t === 'string') return t;
  if (t.sub.type === 'binxml') throw new Error('evtx-writer: a binxml value cannot be an attribute');
  if (isArray(t.sub)) return arrayText(t.sub);
  const v = evtxDumpValue(t.sub);
  return v === null ? undefined : v;
}

function textOf(x: unknown): string {
  return String(x);
}

/** The element's own text: a lone value keeps its JSON type, several pieces are joined as a string. */
function ownText(n: Resolved): unknown {
  const texts = n.content.filter((c): c is Piece => !isResolved(c)).map((c) => c.text);
  if (!texts.length) return undefined;
  return texts.length === 1 ? texts[0] : texts.map(textOf).join('');
}

function elementJson(n: Resolved): unknown {
  const elems = n.content.filter(isResolved);
  const text = ownText(n);
  if (!n.attrs.length && !elems.length) return text === undefined ? null : text;
  const obj: Record<string, unknown> = {};
  if (n.attrs.length) obj['#attributes'] = Object.fromEntries(n.attrs);
  if (text !== undefined) obj['#text'] = text;
  const container = n.name === 'EventData' || n.name === 'UserData';
  const named = container && elems.some((c) => c.name === 'Data' && c.attrs.some(([k]) => k === 'Name'));
  const unnamed: unknown[] = [];
  const counts = new Map<string, number>();
  for (const c of elems) {
    if (container && c.name === 'Data') {
      const name = c.attrs.find(([k]) => k === 'Name');
      const value = dataValue(c);
      if (named) {
        if (name) obj[textOf(name[1])] = value; // a repeated name: evtx_dump writes the key twice, the last wins
      } else unnamed.push(value);
      if (!named && unnamed.length === 1) obj.Data = { '#text': value };
      continue;
    }
    const k = counts.get(c.name) ?? 0;
    counts.set(c.name, k + 1);
    obj[k ? `${c.name}_${k}` : c.name] = elementJson(c);
  }
  if (unnamed.length > 1) obj.Data = { '#text': unnamed };
  return obj;
}

/** A Data element's value: its text ("" when empty), or the object of its children. */
function dataValue(c: Resolved): unknown {
  if (c.content.some(isResolved)) return elementJson({ ...c, attrs: [] });
  const t = ownText(c);
  return t === undefined ? '' : t;
}

/** The JSON evtx_dump writes for one event (one line of `evtx_dump -o jsonl`). */
export function evtxDumpJson(event: EvtxElement): Record<string, unknown> {
  const [root, ...more] = resolve(event);
  if (!root || more.length) throw new Error('evtxDumpJson: the root element cannot repeat');
  return { [root.name]: elementJson(root) };
}

export type ExpectedRecord = {
  readonly recordId: number;
  readonly chunk: number;
  /** Why a reader cannot or should not give this record; absent when the record is intact. */
  readonly damage?:
    | 'record-magic'
    | 'record-size-overrun'
    | 'record-size-copy'
    | 'chunk-header-crc'
    | 'chunk-events-crc'
    | 'chunk-magic'
    | 'truncated'
    /** Follows a record whose size runs past the chunk, in the same chunk: unreachable by walking sizes. */
    | 'after-bad-record-size';
  readonly json: Record<string, unknown>;
};

/** Every record of a spec with its expected JSON, in file order, marked with the damage that touches it. */
export function expectedRecords(spec: EvtxFileSpec): ExpectedRecord[] {
  const layout = buildEvtxLayout({ ...spec, corrupt: [] });
  const byId = new Map(spec.records.map((r) => [r.recordId, r] as const));
  const corrupt = spec.corrupt ?? [];
  const cut = corrupt.find((c) => c.kind === 'truncate');
  const overrun = new Set(corrupt.flatMap((c) => (c.kind === 'record-size-overrun' ? [c.recordId] : [])));
  let lostChunk = -1;
  return layout.records.map((p) => {
    const r = byId.get(p.recordId)!;
    let damage: ExpectedRecord['damage'];
    if (cut && p.chunk >= cut.chunk) damage = 'truncated';
    else {
      const hit = corrupt.find(
        (c) =>
          c.kind !== 'truncate' &&
          (('recordId' in c && c.recordId === p.recordId) || ('chunk' in c && c.chunk === p.chunk)),
      );
      if (hit) damage = hit.kind as ExpectedRecord['damage'];
      else if (lostChunk === p.chunk) damage = 'after-bad-record-size';
    }
    // a size that runs past the chunk leaves no way to the records after it in that chunk
    if (overrun.has(p.recordId)) lostChunk = p.chunk;
    return { recordId: p.recordId, chunk: p.chunk, ...(damage ? { damage } : {}), json: evtxDumpJson(r.event) };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Events shaped like real ones (template layout and value types as in the SigmaHQ regression samples)

const EVENT_NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

export type SystemFields = {
  readonly provider: string;
  readonly providerGuid: string;
  readonly eventId: number;
  readonly version: number;
  readonly level: number;
  readonly task: number;
  readonly opcode: number;
  readonly keywords: bigint;
  readonly time: bigint | Date | string;
  readonly recordId: number;
  readonly activityId?: string;
  readonly processId: number;
  readonly threadId: number;
  readonly channel: string;
  readonly computer: string;
  readonly userId?: string;
};

/** The System element as Windows templates it: optional substitutions, Computer as literal text. */
export function systemElement(s: SystemFields): EvtxElement {
  return el(
    'System',
    undefined,
    el('Provider', { Name: opt(v.string(s.provider)), Guid: opt(v.guid(s.providerGuid)) }),
    el('EventID', { Qualifiers: opt(v.null(), 'uint16') }, opt(v.uint16(s.eventId))),
    el('Version', undefined, opt(v.uint8(s.version))),
    el('Level', undefined, opt(v.uint8(s.level))),
    el('Task', undefined, opt(v.uint16(s.task))),
    el('Opcode', undefined, opt(v.uint8(s.opcode))),
    el('Keywords', undefined, opt(v.hex64(s.keywords))),
    el('TimeCreated', { SystemTime: opt(v.filetime(s.time)) }),
    el('EventRecordID', undefined, opt(v.uint64(BigInt(s.recordId)))),
    el('Correlation', {
      ActivityID: opt(s.activityId ? v.guid(s.activityId) : v.null(), 'guid'),
      RelatedActivityID: opt(v.null(), 'guid'),
    }),
    el('Execution', { ProcessID: opt(v.uint32(s.processId)), ThreadID: opt(v.uint32(s.threadId)) }),
    el('Channel', undefined, opt(v.string(s.channel))),
    el('Computer', undefined, s.computer),
    el('Security', { UserID: opt(s.userId ? v.sid(s.userId) : v.null(), 'sid') }),
  );
}

/** `<EventData>` of named Data elements, each a normal substitution. */
export function eventData(fields: readonly (readonly [string, EvtxValue])[]): EvtxElement {
  return el('EventData', undefined, ...fields.map(([name, value]) => el('Data', { Name: name }, sub(value))));
}

/**
 * An Event: System plus EventData. `nested: true` puts EventData in a BinXml substitution (0x21) of the outer
 * template, as in the SigmaHQ regression samples (events that went through a forwarded or exported log).
 */
export function eventElement(system: SystemFields, data: EvtxElement, nested = false): EvtxElement {
  return el('Event', { xmlns: EVENT_NS }, systemElement(system), nested ? opt(v.binxml(data)) : data);
}

export type SysmonProcessCreate = {
  readonly recordId: number;
  readonly time: string;
  readonly computer?: string;
  readonly image: string;
  readonly commandLine: string;
  readonly parentImage?: string;
  readonly parentCommandLine?: string;
  readonly user?: string;
  readonly processId?: number;
  readonly parentProcessId?: number;
  readonly processGuid?: string;
  readonly parentProcessGuid?: string;
  readonly hashes?: string;
  readonly nested?: boolean;
};

/** A Sysmon EID 1 (process creation) event, fields and types as Sysmon 15 writes them. */
export function sysmonProcessCreate(p: SysmonProcessCreate): EvtxElement {
  const utc = p.time.replace('T', ' ').replace(/(\.\d{3})\d*Z$/, '$1');
  return eventElement(
    {
      provider: 'Microsoft-Windows-Sysmon',
      providerGuid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9',
      eventId: 1,
      version: 5,
      level: 4,
      task: 1,
      opcode: 0,
      keywords: 0x8000000000000000n,
      time: p.time,
      recordId: p.recordId,
      processId: 3116,
      threadId: 1656,
      channel: 'Microsoft-Windows-Sysmon/Operational',
      computer: p.computer ?? 'workstation01',
      userId: 'S-1-5-18',
    },
    eventData([
      ['RuleName', v.string('-')],
      ['UtcTime', v.string(utc)],
      ['ProcessGuid', v.guid(p.processGuid ?? '0197231E-E9EE-692F-B004-000000000900')],
      ['ProcessId', v.uint32(p.processId ?? 9720)],
      ['Image', v.string(p.image)],
      ['FileVersion', v.string('10.0.26100.1 (WinBuild.160101.0800)')],
      ['Description', v.string('Windows PowerShell')],
      ['Product', v.string('Microsoft® Windows® Operating System')],
      ['Company', v.string('Microsoft Corporation')],
      ['OriginalFileName', v.string('PowerShell.EXE')],
      ['CommandLine', v.string(p.commandLine)],
      ['CurrentDirectory', v.string('C:\\Users\\alice\\')],
      ['User', v.string(p.user ?? 'CONTOSO\\alice')],
      ['LogonGuid', v.guid('0197231E-BBFB-692F-3C8C-050000000000')],
      ['LogonId', v.hex64(0x58c3cn)],
      ['TerminalSessionId', v.uint32(1)],
      ['IntegrityLevel', v.string('Medium')],
      ['Hashes', v.string(p.hashes ?? 'MD5=1736263E02468939F808C0528E8DBB7E,IMPHASH=68A9FF9C8D0D4655E46E1A7A190A41D2')],
      ['ParentProcessGuid', v.guid(p.parentProcessGuid ?? '0197231E-E967-692F-A904-000000000900')],
      ['ParentProcessId', v.uint32(p.parentProcessId ?? 9076)],
      ['ParentImage', v.string(p.parentImage ?? 'C:\\Windows\\System32\\cmd.exe')],
      ['ParentCommandLine', v.string(p.parentCommandLine ?? '"C:\\WINDOWS\\system32\\cmd.exe"')],
      ['ParentUser', v.string(p.user ?? 'CONTOSO\\alice')],
    ]),
    p.nested ?? false,
  );
}

export type Security4688 = {
  readonly recordId: number;
  readonly time: string;
  readonly computer?: string;
  readonly newProcessName: string;
  readonly commandLine: string;
  readonly parentProcessName?: string;
  readonly subjectUserName?: string;
  readonly newProcessId?: bigint;
  readonly processId?: bigint;
  readonly nested?: boolean;
};

/** A Security 4688 (a new process has been created) event, version 2, types as the Security-Auditing manifest. */
export function security4688(p: Security4688): EvtxElement {
  return eventElement(
    {
      provider: 'Microsoft-Windows-Security-Auditing',
      providerGuid: '54849625-5478-4994-A5BA-3E3B0328C30D',
      eventId: 4688,
      version: 2,
      level: 0,
      task: 13312,
      opcode: 0,
      keywords: 0x8020000000000000n,
      time: p.time,
      recordId: p.recordId,
      activityId: '8E521E2B-7C26-0003-031F-528E267CDB01',
      processId: 4,
      threadId: 7924,
      channel: 'Security',
      computer: p.computer ?? 'dc01.contoso.local',
    },
    eventData([
      ['SubjectUserSid', v.sid('S-1-5-21-2555720767-1205513275-3893774561-1001')],
      ['SubjectUserName', v.string(p.subjectUserName ?? 'alice')],
      ['SubjectDomainName', v.string('CONTOSO')],
      ['SubjectLogonId', v.hex64(0x3144cn)],
      ['NewProcessId', v.pointer(p.newProcessId ?? 0x1a2cn)],
      ['NewProcessName', v.string(p.newProcessName)],
      ['TokenElevationType', v.string('%%1938')],
      ['ProcessId', v.pointer(p.processId ?? 0x858n)],
      ['CommandLine', v.string(p.commandLine)],
      ['TargetUserSid', v.sid('S-1-0-0')],
      ['TargetUserName', v.string('-')],
      ['TargetDomainName', v.string('-')],
      ['TargetLogonId', v.hex64(0n)],
      ['ParentProcessName', v.string(p.parentProcessName ?? 'C:\\Windows\\explorer.exe')],
      ['MandatoryLabel', v.sid('S-1-16-8192')],
    ]),
    p.nested ?? false,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Sample events and files (the writer's tests check them with python-evtx; test/fixtures/evtx holds their bytes)

const SAMPLE_SYSTEM = {
  provider: 'Mamori-Test',
  providerGuid: '{0B9AD457-2554-44C1-82C2-D56A99C42377}',
  version: 0,
  level: 4,
  task: 0,
  opcode: 0,
  keywords: 0x4000000000000000n,
  processId: 100,
  threadId: 200,
  channel: 'Application',
  computer: 'host.example',
} as const;

/** One Data element per value type that python-evtx can render (all but the integer arrays). */
export function valueTypesEvent(recordId: number): EvtxElement {
  const d = (name: string, ...content: EvtxText[]) => el('Data', { Name: name }, ...content);
  return eventElement(
    { ...SAMPLE_SYSTEM, eventId: 1000, time: '2024-05-06T07:08:09.1234567Z', recordId, userId: 'S-1-5-18' },
    el(
      'EventData',
      undefined,
      d('Null', sub(v.null(), 'string')),
      d('String', sub(v.string('h\u00e9llo <w\u00f6rld> & "quotes" \u2713'))),
      d('EmptyString', sub(v.string(''))),
      d('Ansi', sub(v.ansi('plain ansi'))),
      d('Int8', sub(v.int8(-5))),
      d('UInt8', sub(v.uint8(200))),
      d('Int16', sub(v.int16(-30000))),
      d('UInt16', sub(v.uint16(65000))),
      d('Int32', sub(v.int32(-2000000000))),
      d('UInt32', sub(v.uint32(4000000000))),
      d('Int64', sub(v.int64(-9007199254740991n))),
      d('UInt64', sub(v.uint64(9007199254740991n))),
      d('Real32', sub(v.real32(1.5))),
      d('Real64', sub(v.real64(-0.25))),
      d('BoolTrue', sub(v.bool(true))),
      d('BoolFalse', sub(v.bool(false))),
      d('Binary', sub(v.binary(Uint8Array.from([0x00, 0x01, 0xab, 0xff])))),
      d('Guid', sub(v.guid('{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'))),
      d('SizeT', sub(v.sizet(4096n))),
      d('Pointer', sub(v.pointer(0x858n))),
      d('FileTime', sub(v.filetime('2024-05-06T07:08:09.9876543Z'))),
      d(
        'SystemTime',
        sub(v.systemtime({ year: 2024, month: 5, day: 6, hour: 7, minute: 8, second: 9, millisecond: 123 })),
      ),
      d('Sid', sub(v.sid('S-1-5-21-3960063115-309473240-3247002503-500'))),
      d('Hex32', sub(v.hex32(0x1f))),
      d('Hex64', sub(v.hex64(0x8000000000000000n))),
      d('StringArray', sub(v.stringArray(['alpha', 'beta']))),
      d('OptionalNull', opt(v.null(), 'uint32')),
      d('Literal', 'literal text'),
      d('Mixed', 'pid=', sub(v.uint32(42)), ' done'),
    ),
  );
}

/** The integer arrays (python-evtx cannot render these; evtx_dump writes JSON arrays). */
export function intArraysEvent(recordId: number): EvtxElement {
  return eventElement(
    { ...SAMPLE_SYSTEM, eventId: 1001, time: '2024-05-06T07:08:10Z', recordId },
    eventData([
      ['Int32Array', v.int32Array([1, -2, 3])],
      ['UInt16Array', v.uint16Array([7, 65535])],
      ['UInt64Array', v.uint64Array([1n, 18446744073709551615n])],
    ]),
  );
}

/** Unnamed Data elements and a Binary element, like the classic EventLog 6009 event. */
export function unnamedDataEvent(recordId: number): EvtxElement {
  return eventElement(
    {
      ...SAMPLE_SYSTEM,
      provider: 'EventLog',
      eventId: 6009,
      time: '2024-05-06T07:08:11Z',
      recordId,
      channel: 'System',
    },
    el(
      'EventData',
      undefined,
      el('Data', undefined, sub(v.string('10.00.'))),
      el('Data', undefined, sub(v.string('15063'))),
      el('Data', undefined, sub(v.string(''))),
      el('Data', undefined, sub(v.string('Multiprocessor Free'))),
      el('Binary', undefined, sub(v.binary(Uint8Array.from([0xde, 0xad])))),
    ),
  );
}

/** UserData with an embedded BinXml value, an element with attributes and text, and repeated element names. */
export function userDataEvent(recordId: number): EvtxElement {
  const inner = el(
    'CryptRetrieve',
    { xmlns: 'http://schemas.microsoft.com/win/2004/08/events' },
    el('URL', { scheme: sub(v.string('http')) }, sub(v.string('http://crl.example/root.crl'))),
    el(
      'Headers',
      undefined,
      ...['HTTP/1.1 200 OK', 'Connection: keep-alive', 'x-ms-version: 2009'].map((h) =>
        el('Header', undefined, sub(v.string(h))),
      ),
    ),
    el('Flags', { value: '202005', CRYPT_WIRE_ONLY_RETRIEVAL: 'true' }),
    el('Timeout', undefined, 'PT9.984S'),
    el('Result', { value: sub(v.hex32(0)) }),
  );
  return el(
    'Event',
    { xmlns: EVENT_NS },
    systemElement({
      ...SAMPLE_SYSTEM,
      eventId: 53,
      time: '2024-05-06T07:08:12Z',
      recordId,
      activityId: '6B3DFF46-F4E6-4CDA-983B-76B101728AA5',
    }),
    el('UserData', undefined, sub(v.binxml(inner))),
  );
}

/** The sample files kept in test/fixtures/evtx (file name → spec). */
export function evtxFixtureSpecs(): Record<string, EvtxFileSpec> {
  const t = (s: number) => `2025-12-03T07:42:${String(s).padStart(2, '0')}.2109375Z`;
  const sysmon = (id: number, nested: boolean) => ({
    recordId: id,
    time: t(id),
    event: sysmonProcessCreate({
      recordId: id,
      time: t(id),
      image: 'C:\\Windows\\System32\\whoami.exe',
      commandLine: `whoami /all #${id}`,
      nested,
    }),
  });
  const sec = (id: number) => ({
    recordId: id,
    time: t(id),
    event: security4688({
      recordId: id,
      time: t(id),
      newProcessName: 'C:\\Windows\\System32\\net.exe',
      commandLine: `net user #${id}`,
    }),
  });
  return {
    // two chunks; Sysmon in both template layouts, Security 4688; templates and names reused within a chunk
    'sysmon-security.evtx': {
      records: [sysmon(1, false), sysmon(2, false), sec(3), sysmon(4, true), sysmon(5, true), sec(6)],
      recordsPerChunk: 3,
    },
    'value-types.evtx': {
      records: [
        { recordId: 1, time: t(1), event: valueTypesEvent(1) },
        { recordId: 2, time: t(2), event: unnamedDataEvent(2) },
        { recordId: 3, time: t(3), event: userDataEvent(3) },
        { recordId: 4, time: t(4), event: intArraysEvent(4) },
      ],
      minorVersion: 2,
    },
    // chunk 0 has a bad header CRC, record 4 a bad signature, record 7 a size past the chunk end (so 8, after it
    // in the same chunk, cannot be reached); the file header is dirty and says 2 chunks where there are 3
    'damaged.evtx': {
      records: [1, 2, 3, 4, 5, 6, 7, 8].map((id) => (id % 2 ? sysmon(id, false) : sec(id))),
      recordsPerChunk: 3,
      corrupt: [
        { kind: 'chunk-header-crc', chunk: 0 },
        { kind: 'record-magic', recordId: 4 },
        { kind: 'record-size-overrun', recordId: 7 },
        { kind: 'dirty-header' },
      ],
    },
    // the second of two chunks is cut in the middle
    'truncated.evtx': {
      records: [1, 2, 3, 4].map((id) => sysmon(id, false)),
      recordsPerChunk: 2,
      corrupt: [{ kind: 'truncate', chunk: 1 }],
    },
  };
}
