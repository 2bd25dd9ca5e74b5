// The member index of an uncompressed tar (the outer archive of `docker save` or of an OCI layout): headers read
// one block at a time with positional reads, bodies skipped, so a multi-gigabyte image is indexed by reading a
// few kilobytes. Pure apart from the `readAt` it is given. Handles ustar prefixes, pax `path`/`linkpath`/`size`
// records, GNU long names and base-256 sizes; the layers inside are read by tar-stream.

export type TarMemberType = 'file' | 'dir' | 'symlink' | 'link' | 'other';

export type TarMember = {
  readonly name: string;
  readonly type: TarMemberType;
  /** Byte offset of the body in the archive. */
  readonly offset: number;
  readonly size: number;
  readonly linkname?: string;
};

export type TarIndex = {
  readonly members: TarMember[];
  /** Set when the archive ends early or a header is damaged: the members before it are still listed. */
  readonly damaged?: string;
};

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

const BLOCK = 512;
// long names and pax records come from the file: bound them
const MAX_LONG_HEADER = 1024 * 1024;

const textDecoder = new TextDecoder('utf-8');

function cstring(b: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && b[end] !== 0) end++;
  return textDecoder.decode(b.subarray(start, end));
}

/** A numeric field: octal text, or base-256 when the high bit of the first byte is set. */
function numeric(b: Uint8Array, start: number, length: number): number {
  if ((b[start]! & 0x80) !== 0) {
    let v = b[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) {
      v = v * 256 + b[i]!;
      if (v > Number.MAX_SAFE_INTEGER) return Number.NaN;
    }
    return v;
  }
  const text = cstring(b, start, length).trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : Number.NaN;
}

function checksumOk(b: Uint8Array): boolean {
  const stored = numeric(b, 148, 8);
  let sum = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : b[i]!;
    sum += v;
    signed += v > 127 ? v - 256 : v;
  }
  // some old tars summed signed bytes
  return sum === stored || signed === stored;
}

/** Pax extended header records: `<length> <key>=<value>\n`. */
export function parsePax(b: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < b.length) {
    let j = i;
    while (j < b.length && b[j] !== 0x20) j++;
    const len = parseInt(textDecoder.decode(b.subarray(i, j)), 10);
    if (!(len > 0) || i + len > b.length) break;
    const record = textDecoder.decode(b.subarray(j + 1, i + len - 1));
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

const isZero = (b: Uint8Array) => b.every((x) => x === 0);

const TYPES: Record<string, TarMemberType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'link',
  '2': 'symlink',
  '5': 'dir',
};

/**
 * Lists the members of a tar of `size` bytes. Throws only when the first header is not a tar header (not a tar);
 * later damage ends the listing with `damaged` set.
 */
export async function indexTar(readAt: ReadAt, size: number, maxMembers: number): Promise<TarIndex> {
  const members: TarMember[] = [];
  let offset = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Map<string, string> | undefined;
  for (;;) {
    // an archive cut after its last member, without the two zero blocks, is accepted
    if (offset >= size) return offset === 0 ? notTar('empty file') : { members };
    if (offset + BLOCK > size) return { members, damaged: `ends inside a header at byte ${offset}` };
    const h = await readAt(offset, BLOCK);
    if (h.length < BLOCK) return { members, damaged: `ends inside a header at byte ${offset}` };
    if (isZero(h)) return offset === 0 ? notTar('starts with a zero block') : { members };
    if (!checksumOk(h)) {
      if (offset === 0) return notTar('the first header has a bad checksum');
      return { members, damaged: `bad header checksum at byte ${offset}` };
    }
    const flag = String.fromCharCode(h[156]!);
    let bodySize = numeric(h, 124, 12);
    if (Number.isNaN(bodySize)) return { members, damaged: `bad size field at byte ${offset}` };
    const body = offset + BLOCK;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (bodySize > MAX_LONG_HEADER)
        return { members, damaged: `a ${bodySize}-byte extended header at byte ${offset}` };
      const data = await readAt(body, bodySize);
      if (data.length < bodySize) return { members, damaged: `ends inside an extended header at byte ${offset}` };
      if (flag === 'x') pax = parsePax(data);
      else if (flag === 'L') longName = cstring(data, 0, data.length);
      else if (flag === 'K') longLink = cstring(data, 0, data.length);
      offset = body + Math.ceil(bodySize / BLOCK) * BLOCK;
      continue;
    }
    let name = cstring(h, 0, 100);
    // POSIX ustar ("ustar\0") has a prefix field; GNU ("ustar  ") uses those bytes for other things
    if (cstring(h, 257, 6) === 'ustar' && h[262] === 0) {
      const prefix = cstring(h, 345, 155);
      if (prefix !== '') name = `${prefix}/${name}`;
    }
    let linkname = cstring(h, 157, 100);
    if (longName !== undefined) name = longName;
    if (longLink !== undefined) linkname = longLink;
    const paxPath = pax?.get('path');
    if (paxPath !== undefined) name = paxPath;
    const paxLink = pax?.get('linkpath');
    if (paxLink !== undefined) linkname = paxLink;
    const paxSize = pax?.get('size');
    if (paxSize !== undefined && /^\d+$/.test(paxSize)) bodySize = Number(paxSize);
    longName = longLink = pax = undefined;
    const type = TYPES[flag] ?? 'other';
    if (members.length >= maxMembers)
      return { members, damaged: `more than ${maxMembers} members: the rest not listed` };
    if (body + bodySize > size) {
      members.push({ name, type, offset: body, size: Math.max(0, size - body), ...(linkname ? { linkname } : {}) });
      return { members, damaged: `ends inside ${name} (${bodySize} bytes declared)` };
    }
    members.push({ name, type, offset: body, size: type === 'file' ? bodySize : 0, ...(linkname ? { linkname } : {}) });
    offset = body + Math.ceil(bodySize / BLOCK) * BLOCK;
  }
}

function notTar(why: string): never {
  throw new Error(`not a tar archive (${why})`);
}
