// The EVTX writer checked two ways: against the format (CRCs, tables, layout) by reading its bytes back here, and
// against python-evtx (Debian's python3-evtx), an independent parser, which must read every file and render the XML
// we meant. The python-evtx part skips when python-evtx is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  buildEvtx,
  buildEvtxLayout,
  el,
  evtxDumpJson,
  evtxFixtureSpecs,
  expectedRecords,
  filetimeIso,
  intArraysEvent,
  nameHash,
  opt,
  security4688,
  sub,
  sysmonProcessCreate,
  systemElement,
  toFiletime,
  unnamedDataEvent,
  userDataEvent,
  v,
  valueTypesEvent,
  type EvtxElement,
  type EvtxText,
  type EvtxFileSpec,
  type EvtxValue,
} from './evtx-writer.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'evtx');
const REGRESSION = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'sigma', 'regression_data');

// ---------------------------------------------------------------------------------------------------------------
// Reading our own bytes back

type Chunk = { readonly at: number; readonly bytes: Buffer };

function chunksOf(file: Buffer): Chunk[] {
  const out: Chunk[] = [];
  for (let at = 4096; at + 65536 <= file.length; at += 65536) out.push({ at, bytes: file.subarray(at, at + 65536) });
  return out;
}

/** Name strings reachable from the chunk's common string table: offset → name. */
function tableNames(chunk: Buffer): Map<number, string> {
  const names = new Map<number, string>();
  for (let i = 0; i < 64; i++) {
    for (let o = chunk.readUInt32LE(128 + 4 * i); o; o = chunk.readUInt32LE(o)) {
      const len = chunk.readUInt16LE(o + 6);
      const name = chunk.toString('utf16le', o + 8, o + 8 + 2 * len);
      assert.equal(chunk.readUInt16LE(o + 4), nameHash(name), `hash of ${name}`);
      assert.equal(nameHash(name) % 64, i, `bucket of ${name}`);
      names.set(o, name);
    }
  }
  return names;
}

function recordsOf(chunk: Buffer): { offset: number; id: bigint; size: number }[] {
  const out = [];
  const free = chunk.readUInt32LE(48);
  for (let o = 512; o < free;) {
    const size = chunk.readUInt32LE(o + 4);
    out.push({ offset: o, id: chunk.readBigUInt64LE(o + 8), size });
    o += size;
  }
  return out;
}

test('nameHash is the BinXml name hash (values seen in a Windows-written file)', () => {
  assert.equal(nameHash('Event'), 0x0cba);
  assert.equal(nameHash('xmlns'), 0x0fbc);
});

test('toFiletime and filetimeIso: 100 ns ticks since 1601, printed to the microsecond (truncated)', () => {
  assert.equal(toFiletime('1970-01-01T00:00:00Z'), 116444736000000000n);
  assert.equal(toFiletime(new Date(Date.UTC(2024, 0, 1))), toFiletime('2024-01-01T00:00:00Z'));
  assert.equal(filetimeIso(toFiletime('2025-12-03T07:42:38.2109375Z')), '2025-12-03T07:42:38.210937Z');
  assert.equal(filetimeIso(toFiletime('2024-01-01T00:00:00Z')), '2024-01-01T00:00:00.000000Z');
});

test('file header: signature, counts, version 3.1, block size, CRC32 of the first 120 bytes', () => {
  const spec = evtxFixtureSpecs()['sysmon-security.evtx']!;
  const file = buildEvtx(spec);
  assert.equal(file.length, 4096 + 2 * 65536);
  assert.equal(file.toString('latin1', 0, 8), 'ElfFile\0');
  assert.equal(file.readBigUInt64LE(8), 0n);
  assert.equal(file.readBigUInt64LE(16), 1n);
  assert.equal(file.readBigUInt64LE(24), 7n);
  assert.equal(file.readUInt32LE(32), 128);
  assert.equal(file.readUInt16LE(36), 1);
  assert.equal(file.readUInt16LE(38), 3);
  assert.equal(file.readUInt16LE(40), 4096);
  assert.equal(file.readUInt16LE(42), 2);
  assert.equal(file.readUInt32LE(120), 0);
  assert.equal(file.readUInt32LE(124), crc32(file.subarray(0, 120)));
});

test('chunks: ElfChnk header, record ranges, offsets, both CRCs, string and template tables', () => {
  const layout = buildEvtxLayout(evtxFixtureSpecs()['sysmon-security.evtx']!);
  const chunks = chunksOf(layout.bytes);
  assert.equal(chunks.length, 2);
  chunks.forEach(({ bytes: c }, i) => {
    assert.equal(c.toString('latin1', 0, 8), 'ElfChnk\0');
    const recs = recordsOf(c);
    assert.deepEqual(
      recs.map((r) => r.id),
      i === 0 ? [1n, 2n, 3n] : [4n, 5n, 6n],
    );
    assert.equal(c.readBigUInt64LE(8), recs[0]!.id);
    assert.equal(c.readBigUInt64LE(16), recs[2]!.id);
    assert.equal(c.readBigUInt64LE(24), recs[0]!.id);
    assert.equal(c.readBigUInt64LE(32), recs[2]!.id);
    assert.equal(c.readUInt32LE(40), 128);
    assert.equal(c.readUInt32LE(44), recs[2]!.offset);
    const free = c.readUInt32LE(48);
    assert.equal(free, recs[2]!.offset + recs[2]!.size);
    assert.equal(c.readUInt32LE(52), crc32(c.subarray(512, free)));
    assert.equal(c.readUInt32LE(124), crc32(Buffer.concat([c.subarray(0, 120), c.subarray(128, 512)])));
    for (const r of recs) {
      assert.equal(c.readUInt32LE(r.offset), 0x00002a2a);
      assert.equal(c.readUInt32LE(r.offset + r.size - 4), r.size, 'size copy');
      assert.equal(r.size % 8, 0);
    }
    // every name is stored once per chunk and reachable from the table
    const names = [...tableNames(c).values()];
    assert.equal(new Set(names).size, names.length);
    for (const n of ['Event', 'System', 'EventData', 'Data', 'Name', 'xmlns', 'Provider', 'Guid'])
      assert.ok(names.includes(n), n);
    // templates: each pointer is preceded by its template instance (token 0x0c … offset = pointer)
    let templates = 0;
    for (let b = 0; b < 32; b++) {
      for (let o = c.readUInt32LE(384 + 4 * b); o; o = c.readUInt32LE(o)) {
        assert.equal(c[o - 10], 0x0c);
        assert.equal(c.readUInt32LE(o - 4), o);
        assert.equal(c.readUInt32LE(o - 8), c.readUInt32LE(o + 4), 'template id = first dword of the GUID');
        templates++;
      }
    }
    // chunk 0: Sysmon (flat) and 4688; chunk 1: Sysmon (outer + nested EventData) and 4688
    assert.equal(templates, i === 0 ? 2 : 3);
  });
});

test('templates are defined once per chunk, then referenced by offset', () => {
  const layout = buildEvtxLayout(evtxFixtureSpecs()['sysmon-security.evtx']!);
  const c = chunksOf(layout.bytes)[0]!.bytes;
  const [r1, r2] = recordsOf(c);
  // record: 24-byte header, fragment header (4), then 0x0c 0x01 id(4) offset(4)
  const def1 = c.readUInt32LE(r1!.offset + 24 + 4 + 6);
  const def2 = c.readUInt32LE(r2!.offset + 24 + 4 + 6);
  assert.equal(def1, r1!.offset + 24 + 4 + 10, 'first use: the definition follows the instance');
  assert.equal(def2, def1, 'second use: a reference back');
  assert.ok(r2!.size < r1!.size / 2);
});

test('records are placed by size: a chunk ends when the next record does not fit', () => {
  const records = Array.from({ length: 60 }, (_, i) => ({
    recordId: i + 1,
    event: sysmonProcessCreate({
      recordId: i + 1,
      time: '2024-01-01T00:00:00Z',
      image: 'C:\\a.exe',
      commandLine: 'x'.repeat(1200 + i),
    }),
  }));
  const layout = buildEvtxLayout({ records });
  assert.ok(layout.chunks >= 2);
  assert.deepEqual(
    layout.records.map((r) => r.recordId),
    records.map((r) => r.recordId),
  );
  for (const { bytes } of chunksOf(layout.bytes)) assert.ok(bytes.readUInt32LE(48) <= 65536);
});

test('damage: each kind breaks what it says and nothing else', () => {
  const base: EvtxFileSpec = {
    records: [1, 2, 3, 4].map((id) => ({
      recordId: id,
      event: security4688({ recordId: id, time: '2024-01-01T00:00:00Z', newProcessName: 'a', commandLine: 'b' }),
    })),
    recordsPerChunk: 2,
  };
  const good = buildEvtx(base);
  const bad = (c: EvtxFileSpec['corrupt']) => buildEvtx({ ...base, corrupt: c });
  const chunk = (f: Buffer, i: number) => chunksOf(f)[i]!.bytes;
  const headerCrcOk = (c: Buffer) =>
    c.readUInt32LE(124) === crc32(Buffer.concat([c.subarray(0, 120), c.subarray(128, 512)]));
  const eventsCrcOk = (c: Buffer) => c.readUInt32LE(52) === crc32(c.subarray(512, c.readUInt32LE(48)));

  let f = bad([{ kind: 'chunk-header-crc', chunk: 1 }]);
  assert.ok(headerCrcOk(chunk(f, 0)) && !headerCrcOk(chunk(f, 1)) && eventsCrcOk(chunk(f, 1)));
  f = bad([{ kind: 'chunk-events-crc', chunk: 0 }]);
  assert.ok(!eventsCrcOk(chunk(f, 0)) && headerCrcOk(chunk(f, 0)));
  f = bad([{ kind: 'chunk-magic', chunk: 0 }]);
  assert.notEqual(chunk(f, 0).toString('latin1', 0, 8), 'ElfChnk\0');
  f = bad([{ kind: 'record-magic', recordId: 2 }]);
  assert.notEqual(chunk(f, 0).readUInt32LE(recordsOf(chunk(good, 0))[1]!.offset), 0x2a2a);
  assert.ok(headerCrcOk(chunk(f, 0)) && eventsCrcOk(chunk(f, 0)));
  f = bad([{ kind: 'record-size-overrun', recordId: 3 }]);
  const r3 = recordsOf(chunk(good, 1))[0]!;
  assert.ok(r3.offset + chunk(f, 1).readUInt32LE(r3.offset + 4) > 65536);
  f = bad([{ kind: 'truncate', chunk: 1, keep: 1000 }]);
  assert.equal(f.length, 4096 + 65536 + 1000);
  f = bad([{ kind: 'dirty-header' }]);
  assert.equal(f.readUInt32LE(120), 1);
  assert.equal(f.readUInt16LE(42), 1, 'stale chunk count');
  assert.equal(f.readBigUInt64LE(24), 3n, 'stale next record id');
  assert.equal(f.readUInt32LE(124), crc32(f.subarray(0, 120)));
  assert.equal(f.length, good.length);
  f = bad([{ kind: 'file-header-crc' }]);
  assert.notEqual(f.readUInt32LE(124), crc32(f.subarray(0, 120)));

  const marks = expectedRecords({
    ...base,
    corrupt: [
      { kind: 'record-magic', recordId: 2 },
      { kind: 'truncate', chunk: 1 },
    ],
  });
  assert.deepEqual(
    marks.map((m) => [m.recordId, m.damage ?? 'intact']),
    [
      [1, 'intact'],
      [2, 'record-magic'],
      [3, 'truncated'],
      [4, 'truncated'],
    ],
  );
});

// ---------------------------------------------------------------------------------------------------------------
// The evtx_dump JSON conventions, pinned by hand (see the list in evtx-writer.ts)

test('evtxDumpJson: value types', () => {
  const data = (evtxDumpJson(valueTypesEvent(1)).Event as Record<string, unknown>).EventData;
  assert.deepEqual(data, {
    Null: '',
    String: 'h\u00e9llo <w\u00f6rld> & "quotes" \u2713',
    EmptyString: '',
    Ansi: 'plain ansi',
    Int8: -5,
    UInt8: 200,
    Int16: -30000,
    UInt16: 65000,
    Int32: -2000000000,
    UInt32: 4000000000,
    Int64: -9007199254740991,
    UInt64: 9007199254740991,
    Real32: '1.5',
    Real64: '-0.25',
    BoolTrue: true,
    BoolFalse: false,
    Binary: '0001ABFF',
    Guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9',
    SizeT: '0x1000',
    Pointer: '0x858',
    FileTime: '2024-05-06T07:08:09.987654Z',
    SystemTime: '2024-05-06T07:08:09.123000Z',
    Sid: 'S-1-5-21-3960063115-309473240-3247002503-500',
    Hex32: '0x1f',
    Hex64: '0x8000000000000000',
    StringArray: 'beta', // two <Data Name="StringArray"> after array expansion: the last one wins
    OptionalNull: '',
    Literal: 'literal text',
    Mixed: 'pid=42 done',
  });
  const arrays = (evtxDumpJson(intArraysEvent(2)).Event as Record<string, unknown>).EventData;
  assert.deepEqual(arrays, { Int32Array: 3, UInt16Array: 65535, UInt64Array: 2 ** 64 });
});

test('evtxDumpJson: System, unnamed Data, UserData, #text, repeated names', () => {
  const ev = evtxDumpJson(userDataEvent(7)).Event as Record<string, unknown>;
  assert.deepEqual(ev['#attributes'], { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' });
  assert.deepEqual(ev.System, {
    Provider: { '#attributes': { Name: 'Mamori-Test', Guid: '0B9AD457-2554-44C1-82C2-D56A99C42377' } },
    EventID: 53,
    Version: 0,
    Level: 4,
    Task: 0,
    Opcode: 0,
    Keywords: '0x4000000000000000',
    TimeCreated: { '#attributes': { SystemTime: '2024-05-06T07:08:12.000000Z' } },
    EventRecordID: 7,
    Correlation: { '#attributes': { ActivityID: '6B3DFF46-F4E6-4CDA-983B-76B101728AA5' } },
    Execution: { '#attributes': { ProcessID: 100, ThreadID: 200 } },
    Channel: 'Application',
    Computer: 'host.example',
    Security: null,
  });
  assert.deepEqual(ev.UserData, {
    CryptRetrieve: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events' },
      URL: { '#attributes': { scheme: 'http' }, '#text': 'http://crl.example/root.crl' },
      Headers: { Header: 'HTTP/1.1 200 OK', Header_1: 'Connection: keep-alive', Header_2: 'x-ms-version: 2009' },
      Flags: { '#attributes': { value: '202005', CRYPT_WIRE_ONLY_RETRIEVAL: 'true' } },
      Timeout: 'PT9.984S',
      Result: { '#attributes': { value: '0x0' } },
    },
  });
  const unnamed = evtxDumpJson(unnamedDataEvent(8)).Event as Record<string, unknown>;
  assert.deepEqual(unnamed.EventData, {
    Data: { '#text': ['10.00.', '15063', '', 'Multiprocessor Free'] },
    Binary: 'DEAD',
  });
  const one = evtxDumpJson(el('EventData', undefined, el('Data', undefined, sub(v.string('x')))));
  assert.deepEqual(one, { EventData: { Data: { '#text': 'x' } } });
  // a string array in an unnamed Data repeats the element: one #text item per string; one item is just text
  const arr = evtxDumpJson(
    el('EventData', undefined, el('Data', undefined, sub(v.stringArray(['sa', ' Reason: x ', ''])))),
  );
  assert.deepEqual(arr, { EventData: { Data: { '#text': ['sa', ' Reason: x', ''] } } });
  const single = evtxDumpJson(el('EventData', undefined, el('Data', { Name: 'N' }, sub(v.int32Array([7])))));
  assert.deepEqual(single, { EventData: { N: '7' } });
  // named Data win over unnamed ones; Data outside EventData/UserData is an ordinary element
  const mixed = evtxDumpJson(
    el(
      'EventData',
      undefined,
      el('Data', { Name: 'A' }, sub(v.uint32(1))),
      el('Data', undefined, sub(v.string('lost'))),
    ),
  );
  assert.deepEqual(mixed, { EventData: { A: 1 } });
  const elsewhere = evtxDumpJson(el('X', undefined, el('Data', { Name: 'A' }, 'v')));
  assert.deepEqual(elsewhere, { X: { Data: { '#attributes': { Name: 'A' }, '#text': 'v' } } });
  // empty text and empty attributes count as absent
  assert.deepEqual(evtxDumpJson(el('T', { a: '', b: sub(v.string('')) }, sub(v.string('')))), { T: null });
  const eventIdWithQualifiers = evtxDumpJson(el('EventID', { Qualifiers: opt(v.uint16(16384)) }, opt(v.uint16(1))));
  assert.deepEqual(eventIdWithQualifiers, { EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 1 } });
});

test('evtxDumpJson agrees with a SigmaHQ regression sample on System (skips without ../shared/data)', (t) => {
  const dir = join(
    REGRESSION,
    'rules',
    'windows',
    'builtin',
    'security',
    'win_security_susp_scheduled_task_delete_or_disable',
  );
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.json')) : undefined;
  if (!file) return t.skip('needs ../shared/data/sigma/regression_data');
  const want = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { Event: { System: Record<string, unknown> } };
  const got = evtxDumpJson(
    systemElement({
      provider: 'Microsoft-Windows-Security-Auditing',
      providerGuid: '54849625-5478-4994-A5BA-3E3B0328C30D',
      eventId: 4701,
      version: 1,
      level: 0,
      task: 12804,
      opcode: 0,
      keywords: 0x8020000000000000n,
      time: '2026-03-11T05:16:41.8163275Z',
      recordId: 27732,
      activityId: '8E521E2B-7C26-0003-031F-528E267CDB01',
      processId: 852,
      threadId: 968,
      channel: 'Security',
      computer: 'swachchhanda',
    }),
  );
  assert.deepEqual(got.System, want.Event.System);
});

// ---------------------------------------------------------------------------------------------------------------
// python-evtx

const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => {
  try {
    execFileSync(p, ['-c', 'import Evtx.Evtx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
const noPython = PYTHON ? false : 'needs python-evtx (apt-get install -y python3-evtx): not installed';

/** Walks a file the way python-evtx does and reports everything it sees, as JSON. */
const PY_DUMP = `
import json, sys, binascii
import Evtx.Evtx as evtx
out = {}
with evtx.Evtx(sys.argv[1]) as log:
    h = log.get_file_header()
    out['header'] = dict(verify=h.verify(), magic=h.check_magic(), crc=h.checksum() == h.calculate_checksum(),
                         dirty=h.is_dirty(), chunkCount=h.chunk_count(), nextRecord=h.next_record_number(),
                         minor=h.minor_version(), major=h.major_version())
    chunks = []
    for c in log.chunks():
        info = dict(magic=c.check_magic(), headerCrc=c.calculate_header_checksum() == c.header_checksum(),
                    dataCrc=c.calculate_data_checksum() == c.data_checksum(), records=[])
        try:
            for r in c.records():
                rec = dict(num=r.record_num(), offset=r.offset() - c.offset(), magic=r.magic(), size=r.size(), sizeOk=r.verify())
                try:
                    rec['xml'] = r.xml()
                except Exception as e:
                    rec['error'] = type(e).__name__ + ': ' + str(e)
                info['records'].append(rec)
        except Exception as e:
            info['error'] = type(e).__name__ + ': ' + str(e)
        chunks.append(info)
    out['chunks'] = chunks
print(json.dumps(out))
`;

type PyRecord = {
  num: number;
  offset: number;
  magic: number;
  size: number;
  sizeOk: boolean;
  xml?: string;
  error?: string;
};
type PyDump = {
  header: {
    verify: boolean;
    magic: boolean;
    crc: boolean;
    dirty: boolean;
    chunkCount: number;
    nextRecord: number;
    minor: number;
  };
  chunks: { magic: boolean; headerCrc: boolean; dataCrc: boolean; records: PyRecord[]; error?: string }[];
};

function pythonEvtx(bytes: Buffer): PyDump {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-evtx-'));
  try {
    const path = join(dir, 'x.evtx');
    writeFileSync(path, bytes);
    return JSON.parse(
      execFileSync(PYTHON!, ['-c', PY_DUMP, path], { encoding: 'utf8', maxBuffer: 64 << 20 }),
    ) as PyDump;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The XML python-evtx renders for an event, to compare with: its own conventions, not evtx_dump's (GUIDs in braces
// and lower case, hex zero-padded, bool True/False, binary base64, FILETIME via a float, SYSTEMTIME milliseconds
// printed as microseconds, only & < > escaped and non-ASCII as &#N;, a newline after every closing tag).
function pyEscape(s: string): string {
  let out = '';
  for (const ch of s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')) {
    const cp = ch.codePointAt(0)!;
    // python-evtx drops the C0 controls other than tab, LF and CR, and DEL
    if ((cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || cp === 0x7f) continue;
    out += cp > 0x7f ? `&#${cp};` : ch;
  }
  return out;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function pyFiletime(ticks: bigint): string {
  const t = Number(ticks) * 1e-7 - 11644473600; // python-evtx: datetime.utcfromtimestamp(float(q) * 1e-7 - 11644473600)
  let secs = Math.trunc(t);
  let us = roundHalfEven((t - secs) * 1e6);
  if (us >= 1e6) {
    us -= 1e6;
    secs += 1;
  }
  const base = new Date(secs * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return us ? `${base}.${String(us).padStart(6, '0')}` : base;
}

function pyValue(val: EvtxValue): string {
  const hex = (x: bigint, digits: number) =>
    `0x${BigInt.asUintN(digits * 4, x)
      .toString(16)
      .padStart(digits, '0')}`;
  switch (val.type) {
    case 'null':
      return '';
    case 'string':
    case 'ansi':
    case 'sid':
      return val.value;
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
      return String(val.value);
    case 'int64':
    case 'uint64':
    case 'sizet':
      return val.value.toString();
    case 'real32':
    case 'real64': {
      const x = val.type === 'real32' ? Math.fround(val.value) : val.value;
      return Number.isInteger(x) ? `${x}.0` : String(x);
    }
    case 'bool':
      return val.value ? 'True' : 'False';
    case 'binary':
      return Buffer.from(val.value).toString('base64');
    case 'guid':
      return `{${val.value.replace(/[{}]/g, '').toLowerCase()}}`;
    case 'hex32':
      return hex(BigInt(val.value), 8);
    case 'hex64':
    case 'pointer':
      return hex(val.value, 16);
    case 'filetime':
      return pyFiletime(val.value);
    case 'systemtime': {
      const s = val.value;
      const p = (n: number, w = 2) => String(n).padStart(w, '0');
      const base = `${p(s.year, 4)}-${p(s.month)}-${p(s.day)} ${p(s.hour)}:${p(s.minute)}:${p(s.second)}`;
      return s.millisecond ? `${base}.${p(s.millisecond, 6)}` : base;
    }
    case 'stringArray':
      return val.value.map((s) => `<string>${s}</string>\n`).join('');
    default:
      throw new Error(`python-evtx cannot render ${val.type}`);
  }
}

function usesIntArrays(e: EvtxElement): boolean {
  const isIntArray = (t: EvtxText) =>
    typeof t !== 'string' && t.sub.type.endsWith('Array') && t.sub.type !== 'stringArray';
  return (
    Object.values(e.attrs ?? {}).some(isIntArray) ||
    (e.children ?? []).some((c) => (typeof c === 'string' || 'sub' in c ? isIntArray(c) : usesIntArrays(c)))
  );
}

function pyXml(e: EvtxElement): string {
  const text = (t: EvtxElement | EvtxText): string => {
    if (typeof t === 'string') return pyEscape(t);
    if ('sub' in t) return t.sub.type === 'binxml' ? pyXml(t.sub.value) : pyEscape(pyValue(t.sub));
    return pyXml(t);
  };
  const attrs = Object.entries(e.attrs ?? {})
    .map(([k, a]) => ` ${k}="${typeof a === 'string' ? pyEscape(a) : pyEscape(pyValue(a.sub))}"`)
    .join('');
  return `<${e.name}${attrs}>${(e.children ?? []).map(text).join('')}</${e.name}>\n`;
}

test('python-evtx reads the sample files and renders every event as intended', { skip: noPython }, () => {
  for (const [name, spec] of Object.entries(evtxFixtureSpecs())) {
    if (spec.corrupt?.length) continue;
    const dump = pythonEvtx(buildEvtx(spec));
    assert.equal(dump.header.crc, true, name);
    assert.equal(dump.header.minor, spec.minorVersion ?? 1, name);
    const seen = dump.chunks.flatMap((c) => {
      assert.ok(c.magic && c.headerCrc && c.dataCrc && !c.error, `${name}: chunk checks`);
      return c.records;
    });
    assert.deepEqual(
      seen.map((r) => r.num),
      spec.records.map((r) => r.recordId),
      name,
    );
    spec.records.forEach((r, i) => {
      const got = seen[i]!;
      assert.equal(got.magic, 0x2a2a);
      assert.ok(got.sizeOk);
      if (usesIntArrays(r.event)) {
        // python-evtx has no integer array types (KeyError on the type code): the record is there, not renderable
        assert.match(got.error ?? '', /KeyError/, `${name} record ${r.recordId}`);
        return;
      }
      assert.equal(got.error, undefined, `${name} record ${r.recordId}: ${got.error}`);
      assert.equal(got.xml, pyXml(r.event), `${name} record ${r.recordId}`);
    });
  }
});

test('python-evtx: many records over several chunks, templates shared', { skip: noPython }, () => {
  const records = Array.from({ length: 150 }, (_, i) => {
    const id = 1000 + i;
    const time = `2024-02-03T04:05:${String(i % 60).padStart(2, '0')}.${String(i * 7919).padStart(7, '0')}Z`;
    const event =
      i % 3 === 2
        ? security4688({ recordId: id, time, newProcessName: `C:\\bin\\p${i}.exe`, commandLine: `p${i} --flag` })
        : sysmonProcessCreate({
            recordId: id,
            time,
            image: `C:\\bin\\p${i}.exe`,
            commandLine: 'y'.repeat(i * 9),
            nested: i % 2 === 0,
          });
    return { recordId: id, time, event };
  });
  const layout = buildEvtxLayout({ records });
  assert.ok(layout.chunks >= 3, `${layout.chunks} chunks`);
  const dump = pythonEvtx(layout.bytes);
  assert.equal(dump.header.verify, true);
  const seen = dump.chunks.flatMap((c) => {
    assert.ok(c.headerCrc && c.dataCrc);
    return c.records;
  });
  assert.equal(seen.length, records.length);
  records.forEach((r, i) => assert.equal(seen[i]!.xml, pyXml(r.event), `record ${r.recordId}`));
});

test('python-evtx sees the damage the writer was asked for', { skip: noPython }, () => {
  const spec = evtxFixtureSpecs()['damaged.evtx']!;
  const dump = pythonEvtx(buildEvtx(spec));
  assert.equal(dump.header.dirty, true);
  assert.equal(dump.header.crc, true);
  assert.equal(dump.header.chunkCount, 2, 'stale: the file has 3 chunks');
  assert.equal(dump.chunks.length, 3, 'python-evtx reads every chunk anyway');
  assert.equal(dump.chunks[0]!.headerCrc, false);
  assert.ok(dump.chunks.slice(1).every((c) => c.headerCrc && c.dataCrc));
  const byNum = new Map(dump.chunks.flatMap((c) => c.records).map((r) => [r.num, r]));
  assert.notEqual(byNum.get(4)!.magic, 0x2a2a, 'python-evtx does not check the record signature');
  // record 7's size runs past its chunk (here the end of the file): python-evtx gives up on that chunk
  assert.match(dump.chunks[2]!.error ?? '', /OverrunBufferException/);
  assert.equal(byNum.has(7) || byNum.has(8), false);
  for (const id of [1, 2, 3, 5, 6]) assert.equal(byNum.get(id)!.error, undefined, `record ${id}`);
  assert.deepEqual(
    expectedRecords(spec).map((r) => [r.recordId, r.damage ?? 'intact']),
    [
      [1, 'chunk-header-crc'],
      [2, 'chunk-header-crc'],
      [3, 'chunk-header-crc'],
      [4, 'record-magic'],
      [5, 'intact'],
      [6, 'intact'],
      [7, 'record-size-overrun'],
      [8, 'after-bad-record-size'],
    ],
  );

  const cut = pythonEvtx(buildEvtx(evtxFixtureSpecs()['truncated.evtx']!));
  assert.equal(cut.chunks.length, 1, 'python-evtx ignores the partial last chunk');
  assert.deepEqual(
    cut.chunks.flatMap((c) => c.records.map((r) => r.num)),
    [1, 2],
  );
});

// ---------------------------------------------------------------------------------------------------------------
// The files kept in test/fixtures/evtx are exactly what the specs build (MAMORI_UPDATE_FIXTURES=1 rewrites them)

test('test/fixtures/evtx holds the sample files and their expected JSON', () => {
  for (const [name, spec] of Object.entries(evtxFixtureSpecs())) {
    const bytes = buildEvtx(spec);
    const jsonl = expectedRecords(spec)
      .map((r) =>
        JSON.stringify({
          recordId: r.recordId,
          chunk: r.chunk,
          ...(r.damage ? { damage: r.damage } : {}),
          data: r.json,
        }),
      )
      .join('\n');
    const evtxPath = join(FIXTURES, name);
    const jsonPath = join(FIXTURES, name.replace(/\.evtx$/, '.expected.jsonl'));
    if (process.env.MAMORI_UPDATE_FIXTURES === '1') {
      writeFileSync(evtxPath, bytes);
      writeFileSync(jsonPath, `${jsonl}\n`);
    }
    assert.ok(readFileSync(evtxPath).equals(bytes), `${name} is stale: run with MAMORI_UPDATE_FIXTURES=1`);
    assert.equal(readFileSync(jsonPath, 'utf8'), `${jsonl}\n`, `${jsonPath} is stale`);
  }
});
