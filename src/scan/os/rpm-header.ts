// The rpm header blob (rpm's lib/header.c layout; "Package File Format" of the LSB spec): the form each row of
// the rpm database's Packages table holds, and the one an .rpm file carries after its lead and signature.
//
//   [magic 8e ad e8 01, 4 reserved bytes]   only in .rpm files and some tools' output; absent in the database
//   il: uint32 BE                           number of index entries
//   dl: uint32 BE                           length of the data store
//   il × { tag, type, offset, count }       uint32 BE each
//   dl bytes of data                        strings NUL-terminated, integers big-endian
//
// Only the tags that name a package are read. Everything comes from the scanned file: every count and
// offset is checked against the blob before it is used.
const MAGIC = [0x8e, 0xad, 0xe8, 0x01] as const;
// rpm's own limits (header_internal.h HEADER_TAGS_MAX, HEADER_DATA_MAX)
const MAX_ENTRIES = 0xffff;
const MAX_DATA = 0x0fffffff;

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  ARCH: 1022,
  SOURCERPM: 1044,
} as const;

export const RPM_TYPE = {
  INT32: 4,
  STRING: 6,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

/** The identity of an installed rpm. */
export type RpmHeader = {
  readonly name: string;
  readonly version?: string;
  readonly release?: string;
  readonly epoch?: number;
  readonly arch?: string;
  /** `openssl-3.0.7-27.el9.src.rpm`; absent for gpg-pubkey and source-less packages. */
  readonly sourceRpm?: string;
};

export type RpmHeaderParse =
  { readonly ok: true; readonly header: RpmHeader } | { readonly ok: false; readonly reason: string };

const utf8 = new TextDecoder('utf-8');
const WANTED: ReadonlySet<number> = new Set(Object.values(RPMTAG));

/** Parses one header blob. Never throws: a damaged blob gives the reason. */
export function parseRpmHeader(blob: Uint8Array): RpmHeaderParse {
  let base = 0;
  if (blob.length >= 8 && MAGIC.every((b, i) => blob[i] === b)) base = 8;
  if (blob.length < base + 8) return { ok: false, reason: `header of ${blob.length} bytes is truncated` };
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getUint32(base);
  const dl = view.getUint32(base + 4);
  if (il === 0 || il > MAX_ENTRIES) return { ok: false, reason: `header has ${il} index entries` };
  if (dl > MAX_DATA) return { ok: false, reason: `header data of ${dl} bytes is over rpm's limit` };
  const indexAt = base + 8;
  const dataAt = indexAt + il * 16;
  if (dataAt + dl > blob.length)
    return { ok: false, reason: `header says ${il} entries and ${dl} data bytes, more than its ${blob.length} bytes` };
  const data = blob.subarray(dataAt, dataAt + dl);

  const found = new Map<number, string | number>();
  let bad: string | undefined;
  for (let i = 0; i < il; i++) {
    const at = indexAt + i * 16;
    const tag = view.getUint32(at);
    if (!WANTED.has(tag) || found.has(tag)) continue;
    const type = view.getUint32(at + 4);
    const offset = view.getUint32(at + 8);
    const count = view.getUint32(at + 12);
    if (offset >= dl || count === 0) {
      bad ??= `tag ${tag}: offset ${offset} or count ${count} is out of the data`;
      continue;
    }
    if (type === RPM_TYPE.STRING || type === RPM_TYPE.STRING_ARRAY || type === RPM_TYPE.I18NSTRING) {
      const end = data.indexOf(0, offset);
      if (end === -1) {
        bad ??= `tag ${tag}: string runs past the data`;
        continue;
      }
      found.set(tag, utf8.decode(data.subarray(offset, end)));
    } else if (type === RPM_TYPE.INT32) {
      if (offset + 4 > dl) {
        bad ??= `tag ${tag}: integer runs past the data`;
        continue;
      }
      found.set(tag, new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(offset));
    } else {
      bad ??= `tag ${tag} has type ${type}`;
    }
  }
  const str = (tag: number): string | undefined => {
    const v = found.get(tag);
    return typeof v === 'string' ? v : undefined;
  };
  const name = str(RPMTAG.NAME);
  if (name === undefined || name === '')
    return { ok: false, reason: bad === undefined ? 'header has no NAME' : `header has no NAME (${bad})` };
  const epoch = found.get(RPMTAG.EPOCH);
  const header: { -readonly [K in keyof RpmHeader]: RpmHeader[K] } = { name };
  const version = str(RPMTAG.VERSION);
  const release = str(RPMTAG.RELEASE);
  const arch = str(RPMTAG.ARCH);
  const sourceRpm = str(RPMTAG.SOURCERPM);
  if (version !== undefined) header.version = version;
  if (release !== undefined) header.release = release;
  if (typeof epoch === 'number') header.epoch = epoch;
  if (arch !== undefined) header.arch = arch;
  if (sourceRpm !== undefined && sourceRpm !== '') header.sourceRpm = sourceRpm;
  return { ok: true, header };
}

/** `[epoch:]version-release`, the form OSV Red Hat-family records write (no epoch when it is absent or 0). */
export function rpmEvr(h: { epoch?: number; version: string; release?: string }): string {
  const vr = h.release === undefined || h.release === '' ? h.version : `${h.version}-${h.release}`;
  return h.epoch !== undefined && h.epoch !== 0 ? `${h.epoch}:${vr}` : vr;
}

/** The name, version and release of a source rpm file name (`openssl-3.0.7-27.el9.src.rpm`). */
export function parseSourceRpm(file: string): { name: string; version: string; release: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file);
  return m === null ? undefined : { name: m[1]!, version: m[2]!, release: m[3]! };
}
