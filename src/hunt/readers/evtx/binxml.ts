// BinXML (MS-EVEN6 binary XML as stored in EVTX chunks): tokens, names, templates, substitution values, and the
// rendering of a record to the JSON shape the evtx_dump tool writes. Pure: takes a chunk's bytes, returns values.
// Every offset and length below comes from the file: each is bounded by the chunk before it is followed.

/** A problem in one record's BinXML. The chunk reader reports it with the record's position and skips the record. */
export class BinXmlError extends Error {
  override readonly name = 'BinXmlError';
}

// ---- the compiled tree ----------------------------------------------------------------------------------------

const K_TEXT = 0;
const K_SUB = 1;
const K_EL = 2;

type TText = { readonly k: typeof K_TEXT; readonly s: string };
type TSub = { readonly k: typeof K_SUB; readonly i: number; readonly opt: boolean };
/** An element of a template or a record: names resolved, substitutions left as slots. */
export type TElement = {
  readonly k: typeof K_EL;
  readonly name: string;
  readonly attrs: readonly TAttr[];
  readonly children: readonly TNode[];
};
type TAttr = { readonly name: string; readonly value: readonly (TText | TSub)[] };
type TNode = TText | TSub | TElement;

/** An element bound to the substitution values it is rendered with. */
type Bound = { readonly el: TElement; readonly subs: readonly Value[] };
/** Embedded BinXML (substitution type 0x21): what it contains, already bound to its own values. */
type Fragment = { readonly items: readonly (string | Bound)[] };
/** An array value (types 0x81–0x95). An element holding only an array repeats once per item, as in Windows. */
type Arr = { readonly arr: readonly Scalar[] };
type Scalar = number | boolean | string;

/**
 * A substitution value, typed the way evtx_dump renders it: integers and booleans stay JSON numbers/booleans;
 * every other type (hex integers, GUIDs, SIDs, times, binary, reals, arrays) is already its text.
 */
export type Value = null | Scalar | Fragment | Arr;

type Item = Scalar | null | Arr | Bound;

const NO_SUBS: readonly Value[] = [];

function isFragment(v: Value): v is Fragment {
  return typeof v === 'object' && v !== null && 'items' in v;
}

function isArr(v: Value | Item): v is Arr {
  return typeof v === 'object' && v !== null && 'arr' in v;
}

function isEmpty(v: Value | undefined): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (typeof v !== 'object') return false;
  return 'items' in v ? v.items.length === 0 : v.arr.length === 0;
}

// ---- reading ----------------------------------------------------------------------------------------------------

/** Per-chunk state: names and templates are referenced by their offset inside the chunk. */
export class ChunkContext {
  readonly buf: Buffer;
  readonly #names = new Map<number, string>();
  readonly #templates = new Map<number, TElement>();
  /** Guards against templates or fragments that (through corrupt offsets) contain themselves. */
  #depth = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  #need(pos: number, n: number, end: number): void {
    if (pos + n > end || pos < 0) {
      throw new BinXmlError(`BinXML runs past its end at offset 0x${pos.toString(16)} (needs ${n} bytes)`);
    }
  }

  /** A name structure: next-offset (4), hash (2), character count (2), UTF-16 characters, NUL (2). */
  #nameAt(off: number): { name: string; size: number } {
    const cached = this.#names.get(off);
    const buf = this.buf;
    if (off < 0 || off + 8 > buf.length) throw new BinXmlError(`name offset 0x${off.toString(16)} outside the chunk`);
    const count = buf.readUInt16LE(off + 6);
    const size = 8 + count * 2 + 2;
    if (cached !== undefined) return { name: cached, size };
    if (off + 8 + count * 2 > buf.length) throw new BinXmlError(`name at 0x${off.toString(16)} runs past the chunk`);
    const name = buf.toString('utf16le', off + 8, off + 8 + count * 2);
    this.#names.set(off, name);
    return { name, size };
  }

  /** Reads a name reference at `pos`; a name stored inline (offset == pos + 4) is skipped over. */
  #name(pos: number, end: number): [string, number] {
    this.#need(pos, 4, end);
    const off = this.buf.readUInt32LE(pos);
    pos += 4;
    const { name, size } = this.#nameAt(off);
    if (off === pos) pos += size;
    return [name, pos];
  }

  #utf16(pos: number, end: number): [string, number] {
    this.#need(pos, 2, end);
    const n = this.buf.readUInt16LE(pos);
    pos += 2;
    this.#need(pos, n * 2, end);
    return [this.buf.toString('utf16le', pos, pos + n * 2), pos + n * 2];
  }

  /**
   * Parses one element starting at its open-start token. `dep`: the element header carries a dependency id
   * (template definitions do; elements written directly in a record or embedded BinXML do not).
   */
  #element(pos: number, end: number, dep: boolean): [TElement, number] {
    const buf = this.buf;
    if (++this.#depth > 256) throw new BinXmlError('elements nested deeper than 256 levels');
    try {
      this.#need(pos, 1, end);
      const tok = buf[pos]!;
      const hasAttrs = (tok & 0x40) !== 0;
      pos += 1;
      if (dep) pos += 2;
      this.#need(pos, 4, end);
      pos += 4; // data size: we walk the tokens instead
      let name: string;
      [name, pos] = this.#name(pos, end);
      const attrs: TAttr[] = [];
      if (hasAttrs) {
        this.#need(pos, 4, end);
        pos += 4; // attribute list size
        while (pos < end && (buf[pos]! & 0x0f) === 0x06) {
          pos += 1;
          let aname: string;
          [aname, pos] = this.#name(pos, end);
          const value: (TText | TSub)[] = [];
          pos = this.#attrValue(pos, end, value);
          attrs.push({ name: aname, value });
        }
      }
      this.#need(pos, 1, end);
      const close = buf[pos]!;
      pos += 1;
      const children: TNode[] = [];
      if (close === 0x03) return [{ k: K_EL, name, attrs, children }, pos];
      if (close !== 0x02) {
        throw new BinXmlError(`expected the end of <${name}>'s start tag, found token 0x${close.toString(16)}`);
      }
      for (;;) {
        this.#need(pos, 1, end);
        const t = buf[pos]!;
        switch (t & 0x0f) {
          case 0x04:
            return [{ k: K_EL, name, attrs, children }, pos + 1];
          case 0x01: {
            let child: TElement;
            [child, pos] = this.#element(pos, end, dep);
            children.push(child);
            break;
          }
          case 0x05: {
            this.#need(pos, 2, end);
            let s: string;
            [s, pos] = this.#utf16(pos + 2, end);
            children.push({ k: K_TEXT, s });
            break;
          }
          case 0x07: {
            let s: string;
            [s, pos] = this.#utf16(pos + 1, end);
            children.push({ k: K_TEXT, s });
            break;
          }
          case 0x08:
            this.#need(pos, 3, end);
            children.push({ k: K_TEXT, s: `&#${buf.readUInt16LE(pos + 1)};` });
            pos += 3;
            break;
          case 0x09: {
            let ent: string;
            [ent, pos] = this.#name(pos + 1, end);
            children.push({ k: K_TEXT, s: `&${ent};` });
            break;
          }
          case 0x0a:
            // processing instruction target: not part of the JSON shape
            [, pos] = this.#name(pos + 1, end);
            break;
          case 0x0b:
            [, pos] = this.#utf16(pos + 1, end);
            break;
          case 0x0d:
          case 0x0e:
            this.#need(pos, 4, end);
            children.push({ k: K_SUB, i: buf.readUInt16LE(pos + 1), opt: (t & 0x0f) === 0x0e });
            pos += 4;
            break;
          default:
            throw new BinXmlError(`unexpected token 0x${t.toString(16)} inside <${name}>`);
        }
      }
    } finally {
      this.#depth--;
    }
  }

  #attrValue(pos: number, end: number, out: (TText | TSub)[]): number {
    const buf = this.buf;
    for (;;) {
      this.#need(pos, 1, end);
      const t = buf[pos]!;
      switch (t & 0x0f) {
        case 0x05: {
          let s: string;
          [s, pos] = this.#utf16(pos + 2, end);
          out.push({ k: K_TEXT, s });
          break;
        }
        case 0x08:
          this.#need(pos, 3, end);
          out.push({ k: K_TEXT, s: `&#${buf.readUInt16LE(pos + 1)};` });
          pos += 3;
          break;
        case 0x09: {
          let ent: string;
          [ent, pos] = this.#name(pos + 1, end);
          out.push({ k: K_TEXT, s: `&${ent};` });
          break;
        }
        case 0x0d:
        case 0x0e:
          this.#need(pos, 4, end);
          out.push({ k: K_SUB, i: buf.readUInt16LE(pos + 1), opt: (t & 0x0f) === 0x0e });
          pos += 4;
          break;
        default:
          return pos;
      }
    }
  }

  /** A template definition at `off`: next (4), GUID (16), data size (4), then a fragment holding one element. */
  #template(off: number): { el: TElement; size: number } {
    const buf = this.buf;
    if (off < 0 || off + 24 > buf.length) {
      throw new BinXmlError(`template offset 0x${off.toString(16)} outside the chunk`);
    }
    const size = buf.readUInt32LE(off + 20);
    const cached = this.#templates.get(off);
    if (cached) return { el: cached, size };
    const start = off + 24;
    const end = start + size;
    if (end > buf.length) throw new BinXmlError(`template at 0x${off.toString(16)} runs past the chunk`);
    let pos = start;
    if (buf[pos] === 0x0f) pos += 4;
    if ((buf[pos]! & 0x0f) !== 0x01) {
      throw new BinXmlError(`template at 0x${off.toString(16)} does not start with an element`);
    }
    if (++this.#depth > 64) throw new BinXmlError('templates nested deeper than 64 levels');
    try {
      const [el] = this.#element(pos, end, true);
      this.#templates.set(off, el);
      return { el, size };
    } finally {
      this.#depth--;
    }
  }

  /** A template instance at its token: the template (inline or by offset) and its substitution values. */
  #instance(pos: number, end: number): [Bound, number] {
    const buf = this.buf;
    this.#need(pos, 10, end);
    const defOff = buf.readUInt32LE(pos + 6);
    pos += 10;
    const { el, size } = this.#template(defOff);
    if (defOff === pos) pos += 24 + size;
    this.#need(pos, 4, end);
    const n = buf.readUInt32LE(pos);
    pos += 4;
    // the count comes from the file: each descriptor takes 4 bytes, so it cannot exceed what is left
    if (n * 4 > end - pos) throw new BinXmlError(`template instance claims ${n} values, more than the record holds`);
    const subs: Value[] = new Array<Value>(n);
    let vpos = pos + n * 4;
    for (let i = 0; i < n; i++) {
      const d = pos + i * 4;
      const size = buf.readUInt16LE(d);
      const type = buf[d + 2]!;
      if (vpos + size > end) throw new BinXmlError(`substitution ${i} runs past the record`);
      subs[i] = this.#value(type, vpos, size);
      vpos += size;
    }
    return [{ el, subs }, vpos];
  }

  /** A BinXML fragment (a record's body, or embedded BinXML): template instances, elements and text. */
  fragment(pos: number, end: number): Fragment {
    const buf = this.buf;
    const items: (string | Bound)[] = [];
    if (++this.#depth > 64) throw new BinXmlError('embedded BinXML nested deeper than 64 levels');
    try {
      while (pos < end) {
        const t = buf[pos]!;
        switch (t & 0x0f) {
          case 0x00:
            return { items };
          case 0x0f:
            pos += 4;
            break;
          case 0x0c: {
            let b: Bound;
            [b, pos] = this.#instance(pos, end);
            items.push(b);
            break;
          }
          case 0x01: {
            let el: TElement;
            [el, pos] = this.#element(pos, end, false);
            items.push({ el, subs: NO_SUBS });
            break;
          }
          case 0x05: {
            let s: string;
            [s, pos] = this.#utf16(pos + 2, end);
            items.push(s);
            break;
          }
          default:
            throw new BinXmlError(`unexpected token 0x${t.toString(16)} at the top of a fragment`);
        }
      }
      return { items };
    } finally {
      this.#depth--;
    }
  }

  #value(type: number, p: number, size: number): Value {
    if (size === 0) return null;
    const buf = this.buf;
    switch (type) {
      case 0x00:
        return null;
      case 0x01:
        return cutNul(buf.toString('utf16le', p, p + (size & ~1)));
      case 0x02:
        return cutNul(ANSI.decode(buf.subarray(p, p + size)));
      case 0x03:
        return size >= 1 ? buf.readInt8(p) : null;
      case 0x04:
        return size >= 1 ? buf[p]! : null;
      case 0x05:
        return size >= 2 ? buf.readInt16LE(p) : null;
      case 0x06:
        return size >= 2 ? buf.readUInt16LE(p) : null;
      case 0x07:
        return size >= 4 ? buf.readInt32LE(p) : null;
      case 0x08:
        return size >= 4 ? buf.readUInt32LE(p) : null;
      case 0x09:
        return size >= 8 ? Number(buf.readBigInt64LE(p)) : null;
      case 0x0a:
        return size >= 8 ? Number(buf.readBigUInt64LE(p)) : null;
      case 0x0b:
        return size >= 4 ? float32Text(buf.readFloatLE(p)) : null;
      case 0x0c:
        return size >= 8 ? String(buf.readDoubleLE(p)) : null;
      case 0x0d:
        return size >= 4 ? buf.readUInt32LE(p) !== 0 : size >= 1 ? buf[p] !== 0 : null;
      case 0x0e:
        return buf.toString('hex', p, p + size).toUpperCase();
      case 0x0f:
        return size >= 16 ? guidText(buf, p) : null;
      case 0x10:
        return size >= 8 ? hex64(buf, p) : size >= 4 ? '0x' + buf.readUInt32LE(p).toString(16) : null;
      case 0x11:
        return size >= 8 ? filetimeText(buf.readBigUInt64LE(p)) : null;
      case 0x12:
        return size >= 16 ? systemtimeText(buf, p) : null;
      case 0x13:
        return sidText(buf, p, size);
      case 0x14:
        return size >= 4 ? '0x' + buf.readUInt32LE(p).toString(16) : null;
      case 0x15:
        return size >= 8 ? hex64(buf, p) : null;
      case 0x21:
        return this.fragment(p, p + size);
      case 0x81:
        return { arr: stringItems(buf.toString('utf16le', p, p + (size & ~1))) };
      case 0x82:
        return { arr: stringItems(ANSI.decode(buf.subarray(p, p + size))) };
      default:
        if (type > 0x82 && type <= 0x95) return this.#array(type & 0x7f, p, size);
        throw new BinXmlError(`substitution value type 0x${type.toString(16)} is not supported`);
    }
  }

  /** An array of fixed-size items (SIDs are variable: each carries its own length). */
  #array(type: number, p: number, size: number): Arr {
    const width = ARRAY_WIDTH[type];
    if (!width) throw new BinXmlError(`array value type 0x${(type | 0x80).toString(16)} is not supported`);
    if (type === 0x13) return { arr: sidItems(this.buf, p, size) };
    const out: Scalar[] = [];
    for (let q = p; q + width <= p + size; q += width) {
      const v = this.#value(type, q, width);
      out.push(v === null || typeof v === 'object' ? '' : v);
    }
    return { arr: out };
  }
}

const ARRAY_WIDTH: Readonly<Record<number, number>> = {
  0x03: 1,
  0x04: 1,
  0x05: 2,
  0x06: 2,
  0x07: 4,
  0x08: 4,
  0x09: 8,
  0x0a: 8,
  0x0b: 4,
  0x0c: 8,
  0x0d: 4,
  0x0f: 16,
  0x10: 8,
  0x11: 8,
  0x12: 16,
  0x13: 1,
  0x14: 4,
  0x15: 8,
};

const ANSI = new TextDecoder('windows-1252');

function cutNul(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

function stringItems(s: string): string[] {
  const parts = s.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

function hex64(buf: Buffer, p: number): string {
  return '0x' + buf.readBigUInt64LE(p).toString(16);
}

function float32Text(f: number): string {
  if (!Number.isFinite(f)) return String(f);
  // the shortest decimal that reads back as the same 32-bit float
  for (let digits = 1; digits <= 9; digits++) {
    const s = f.toPrecision(digits);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

function guidText(b: Buffer, p: number): string {
  const h = (i: number): string => HEX[b[p + i]!]!;
  return (
    h(3) +
    h(2) +
    h(1) +
    h(0) +
    '-' +
    h(5) +
    h(4) +
    '-' +
    h(7) +
    h(6) +
    '-' +
    h(8) +
    h(9) +
    '-' +
    h(10) +
    h(11) +
    h(12) +
    h(13) +
    h(14) +
    h(15)
  );
}

function sidText(b: Buffer, p: number, size: number): string {
  if (size < 8) return 'S-?';
  const count = b[p + 1]!;
  let auth = 0;
  for (let i = 2; i < 8; i++) auth = auth * 256 + b[p + i]!;
  let s = `S-${b[p]!}-${auth}`;
  for (let i = 0; i < count && p + 8 + i * 4 + 4 <= p + size; i++) s += '-' + b.readUInt32LE(p + 8 + i * 4);
  return s;
}

function sidItems(b: Buffer, p: number, size: number): string[] {
  const out: string[] = [];
  let q = p;
  while (q + 8 <= p + size) {
    const len = 8 + b[q + 1]! * 4;
    out.push(sidText(b, q, Math.min(len, p + size - q)));
    q += len;
  }
  return out;
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** FILETIME (100 ns ticks since 1601) as evtx_dump prints it: `2026-04-17T05:24:53.092051Z`. */
export function filetimeText(ticks: bigint): string {
  const micros = ticks / 10n;
  const ms = Number(micros / 1000n) - 11644473600000;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return ticks.toString();
  return isoText(d, Number(micros % 1000000n));
}

/** Milliseconds since the Unix epoch of a FILETIME. */
export function filetimeMs(ticks: bigint): number {
  return Number(ticks / 10000n) - 11644473600000;
}

function isoText(d: Date, micros: number): string {
  const y = d.getUTCFullYear();
  return (
    String(y).padStart(4, '0') +
    '-' +
    pad2(d.getUTCMonth() + 1) +
    '-' +
    pad2(d.getUTCDate()) +
    'T' +
    pad2(d.getUTCHours()) +
    ':' +
    pad2(d.getUTCMinutes()) +
    ':' +
    pad2(d.getUTCSeconds()) +
    '.' +
    String(micros).padStart(6, '0') +
    'Z'
  );
}

function systemtimeText(b: Buffer, p: number): string {
  const [y, mo, , d, h, mi, s, ms] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => b.readUInt16LE(p + i * 2)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (Number.isNaN(date.getTime())) return '';
  return isoText(date, ms * 1000);
}

// ---- rendering to the evtx_dump JSON shape ----------------------------------------------------------------------

type Json = unknown;
type Obj = Record<string, Json>;

/** Sets a key even when it is `__proto__` (names come from the file). */
function put(o: Obj, k: string, v: Json): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function itemText(x: Item): string {
  if (x === null) return '';
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  if (isArr(x)) return x.arr.join(',');
  return '';
}

function itemEmpty(x: Item): boolean {
  return x === null || x === '';
}

// what content() saw, kept in module state so the hot path allocates no result object
let sawText = false;
let sawElement = false;

/** The content of an element (or an attribute), substitutions resolved; embedded BinXML gives elements. */
function content(nodes: readonly TNode[], subs: readonly Value[], out: Item[]): void {
  let text = false;
  let el = false;
  for (const c of nodes) {
    if (c.k === K_TEXT) {
      out.push(c.s);
      if (c.s !== '') text = true;
    } else if (c.k === K_EL) {
      const only = c.children.length === 1 ? c.children[0]! : undefined;
      const v = only?.k === K_SUB ? subs[only.i] : undefined;
      if (v !== undefined && isArr(v) && only?.k === K_SUB) {
        // an element whose content is one array value is written once per item (evtx_dump and Windows alike)
        for (const item of v.arr) {
          const one = subs.slice();
          one[only.i] = item;
          out.push({ el: c, subs: one });
        }
      } else out.push({ el: c, subs });
      el = true;
    } else {
      const v = subs[c.i];
      if (v === undefined) continue;
      if (isFragment(v)) {
        for (const it of v.items) {
          out.push(it);
          if (typeof it === 'string') {
            if (it !== '') text = true;
          } else el = true;
        }
      } else if (c.opt && isEmpty(v)) {
        continue;
      } else {
        out.push(v);
        if (!isEmpty(v)) text = true;
      }
    }
  }
  sawText = text;
  sawElement = el;
}

function isBound(x: Item): x is Bound {
  return typeof x === 'object' && x !== null && 'el' in x;
}

/** Text content as a JSON value: a lone integer/boolean value stays one; anything else is concatenated text. */
function scalar(items: readonly Item[]): Json {
  if (items.length === 1) {
    const x = items[0]!;
    if (typeof x === 'number' || typeof x === 'boolean') return x;
    return itemText(x).trimEnd();
  }
  let s = '';
  for (const x of items) if (!isBound(x)) s += itemText(x);
  return s.trimEnd();
}

/** `#text` of an element that also has attributes or children: a lone non-empty number stays a number. */
function scalarBesideElements(items: readonly Item[]): Json {
  let single: number | boolean | undefined;
  let count = 0;
  for (const x of items) {
    if (isBound(x) || itemEmpty(x)) continue;
    if (typeof x === 'string') {
      count = 2;
      break;
    }
    if (typeof x === 'number' || typeof x === 'boolean') {
      single = x;
      count++;
    }
  }
  if (count === 1 && single !== undefined) return single;
  let s = '';
  for (const x of items) if (!isBound(x)) s += itemText(x);
  return s.trimEnd();
}

/** An attribute's value as JSON, or undefined when it is empty (evtx_dump leaves empty attributes out). */
function attrValue(a: TAttr, subs: readonly Value[]): Json {
  if (a.value.length === 1) {
    // the usual cases, without building a content list: one literal, or one substitution
    const c = a.value[0]!;
    if (c.k === K_TEXT) return c.s === '' ? undefined : c.s.trimEnd();
    const v = subs[c.i];
    if (v === undefined || isEmpty(v) || isFragment(v)) return undefined;
    if (isArr(v)) return v.arr.join(',').trimEnd();
    return typeof v === 'string' ? v.trimEnd() : v;
  }
  const items: Item[] = [];
  content(a.value, subs, items);
  return sawText ? scalar(items) : undefined;
}

function attributes(el: TElement, subs: readonly Value[]): Obj | undefined {
  let out: Obj | undefined;
  for (const a of el.attrs) {
    const v = attrValue(a, subs);
    if (v === undefined) continue;
    out ??= {};
    put(out, a.name, v);
  }
  return out;
}

function nameAttr(el: TElement, subs: readonly Value[]): string | undefined {
  for (const a of el.attrs) {
    if (a.name !== 'Name') continue;
    const v = attrValue(a, subs);
    return v === undefined ? undefined : String(v);
  }
  return undefined;
}

const CONTAINERS = new Set(['EventData', 'UserData']);

function dataValue(b: Bound): Json {
  const items: Item[] = [];
  content(b.el.children, b.subs, items);
  const text = sawText;
  const el = sawElement;
  if (!text && !el) return '';
  if (el) return body(b.el, b.subs, items, text, false);
  return scalar(items);
}

function body(el: TElement, subs: readonly Value[], items: readonly Item[], text: boolean, container: boolean): Obj {
  const o: Obj = {};
  const attrs = el.attrs.length ? attributes(el, subs) : undefined;
  if (attrs) o['#attributes'] = attrs;
  if (text) o['#text'] = scalarBesideElements(items);
  let flatten = false;
  let positional = 0;
  if (container) {
    for (const x of items) {
      if (!isBound(x) || x.el.name !== 'Data') continue;
      if (nameAttr(x.el, x.subs) !== undefined) {
        flatten = true;
        break;
      }
      positional++;
    }
  }
  let counts: Map<string, number> | undefined;
  let positionalDone = false;
  for (const x of items) {
    if (!isBound(x)) continue;
    const name = x.el.name;
    if (container && name === 'Data') {
      if (flatten) {
        const key = nameAttr(x.el, x.subs);
        if (key !== undefined) put(o, key, dataValue(x));
      } else if (!positionalDone) {
        positionalDone = true;
        const values: Json[] = [];
        for (const y of items) if (isBound(y) && y.el.name === 'Data') values.push(dataValue(y));
        o['Data'] = { '#text': positional === 1 ? values[0] : values };
      }
      continue;
    }
    const v = element(x, CONTAINERS.has(name));
    if (!Object.hasOwn(o, name)) put(o, name, v);
    else {
      counts ??= new Map();
      const n = counts.get(name) ?? 1;
      counts.set(name, n + 1);
      put(o, `${name}_${n}`, v);
    }
  }
  return o;
}

function element(b: Bound, container: boolean): Json {
  const items: Item[] = [];
  content(b.el.children, b.subs, items);
  const text = sawText;
  const el = sawElement;
  const attrs = b.el.attrs.length ? attributes(b.el, b.subs) : undefined;
  if (!el && !text && !attrs) return null;
  if (!el && !attrs) return scalar(items);
  return body(b.el, b.subs, items, text, container);
}

/**
 * One record's BinXML (`start`..`end` in the chunk) as the evtx_dump JSON object: `{ "Event": { ... } }` —
 * element names as keys, `#attributes`, `#text`, `EventData`/`UserData` `<Data Name=…>` flattened to keys.
 */
export function renderRecord(ctx: ChunkContext, start: number, end: number): Obj {
  const frag = ctx.fragment(start, end);
  for (const it of frag.items) {
    if (typeof it === 'string') continue;
    const o: Obj = {};
    put(o, it.el.name, element(it, false));
    return o;
  }
  throw new BinXmlError('record holds no element');
}
