// The EVTX reader on files we build ourselves (test/support/evtx-writer.ts, written from the format specification
// and checked against python-evtx): exact evtx_dump JSON, damage reported and survived, gzip, streaming, fuzzing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { evtxReader } from './index.ts';
import { bytesSource, openInput } from '../../input.ts';
import type { ByteSource, LogEvent, ReadIssue } from '../../event.ts';
import { seededRandom } from '../../../core/random.ts';
import {
  buildEvtx,
  expectedRecords,
  evtxFixtureSpecs,
  sysmonProcessCreate,
} from '../../../../test/support/evtx-writer.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'evtx');

async function readAll(src: ByteSource): Promise<{ events: LogEvent[]; issues: ReadIssue[] }> {
  const events: LogEvent[] = [];
  const issues: ReadIssue[] = [];
  for await (const batch of evtxReader.read(src, { onIssue: (i) => issues.push(i) })) events.push(...batch);
  return { events, issues };
}

type Expected = { recordId: number; chunk: number; damage?: string; data: Record<string, unknown> };

async function expected(name: string): Promise<Expected[]> {
  const text = await readFile(join(FIXTURES, name.replace(/\.evtx$/, '.expected.jsonl')), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Expected);
}

test('sniff: the file signature, or a bare chunk', () => {
  assert.equal(evtxReader.sniff(Buffer.from('ElfFile\0rest'), 'a.evtx'), true);
  assert.equal(evtxReader.sniff(Buffer.from('ElfChnk\0rest'), 'carved.bin'), true);
  assert.equal(evtxReader.sniff(Buffer.from('{"Event":{}}'), 'a.evtx'), false);
  assert.equal(evtxReader.sniff(Buffer.from('Elf'), 'a.evtx'), false);
});

for (const name of ['sysmon-security.evtx', 'value-types.evtx']) {
  test(`${name}: every record is exactly the evtx_dump JSON, with no issue`, async () => {
    const { events, issues } = await readAll(await openInput(join(FIXTURES, name)));
    const want = await expected(name);
    assert.deepEqual(issues, []);
    assert.equal(events.length, want.length);
    for (const [i, w] of want.entries()) {
      assert.deepStrictEqual(events[i]!.data, w.data, `record ${w.recordId}`);
      assert.equal(events[i]!.source.recordId, w.recordId);
      assert.equal(events[i]!.format, 'evtx');
    }
    const sys = (want[0]!.data['Event'] as { System: { Computer: string } }).System;
    assert.equal(events[0]!.host, sys.Computer);
    assert.equal(typeof events[0]!.time, 'number');
  });
}

test('damaged.evtx: bad checksum read anyway, bad records skipped and reported, the rest recovered', async () => {
  const { events, issues } = await readAll(await openInput(join(FIXTURES, 'damaged.evtx')));
  const want = await expected('damaged.evtx');
  const unreadable = new Set(['record-magic', 'record-size-overrun']);
  const readable = want.filter((w) => !w.damage || !unreadable.has(w.damage));
  assert.deepEqual(
    events.map((e) => e.source.recordId),
    readable.map((w) => w.recordId),
  );
  for (const [i, w] of readable.entries()) assert.deepStrictEqual(events[i]!.data, w.data, `record ${w.recordId}`);
  const text = issues.map((i) => `${i.where}: ${i.message}`).join('\n');
  assert.match(text, /chunk 0 .*header checksum mismatch/);
  assert.match(text, /bad record signature/);
  assert.match(text, /bad record size/);
  assert.ok(
    issues.every((i) => !i.fatal),
    'nothing here stops the file',
  );
});

test('truncated.evtx: the whole records of a cut chunk are read and the cut is reported', async () => {
  const { events, issues } = await readAll(await openInput(join(FIXTURES, 'truncated.evtx')));
  const want = await expected('truncated.evtx');
  const intact = want.filter((w) => !w.damage);
  assert.ok(events.length >= intact.length);
  for (const [i, w] of intact.entries()) assert.deepStrictEqual(events[i]!.data, w.data);
  // whatever is read from the cut chunk is exactly right, never garbage
  for (const e of events.slice(intact.length)) {
    const w = want.find((x) => x.recordId === e.source.recordId);
    assert.ok(w, `record ${e.source.recordId} is one of the file's`);
    assert.deepStrictEqual(e.data, w.data);
  }
  assert.ok(issues.some((i) => /file ends inside this chunk/.test(i.message)));
});

test('gzip is read transparently, and pieces of any size stream the same records', async () => {
  const raw = await readFile(join(FIXTURES, 'sysmon-security.evtx'));
  const plain = await readAll(bytesSource('x.evtx', raw));
  const dir = await mkdtemp(join(tmpdir(), 'mamori-evtx-'));
  try {
    await writeFile(join(dir, 'x.evtx.gz'), gzipSync(raw));
    const gz = await readAll(await openInput(join(dir, 'x.evtx.gz')));
    assert.deepStrictEqual(
      gz.events.map((e) => e.data),
      plain.events.map((e) => e.data),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const rnd = seededRandom(7);
  const pieces: ByteSource = {
    path: 'x.evtx',
    chunks: async function* () {
      for (let p = 0; p < raw.length;) {
        const n = 1 + Math.floor(rnd() * 9000);
        yield raw.subarray(p, p + n);
        p += n;
      }
    },
  };
  const streamed = await readAll(pieces);
  assert.deepStrictEqual(
    streamed.events.map((e) => e.data),
    plain.events.map((e) => e.data),
  );
});

test('empty and tiny files are reported, not thrown', async () => {
  const empty = await readAll(bytesSource('e.evtx', Buffer.alloc(0)));
  assert.equal(empty.events.length, 0);
  assert.ok(empty.issues[0]?.fatal);
  const tiny = await readAll(bytesSource('t.evtx', Buffer.from('ElfFile\0')));
  assert.match(tiny.issues[0]!.message, /shorter than an EVTX file header/);
});

test('many records over many chunks: every one read, in order, with its EventRecordID', async () => {
  const records = Array.from({ length: 600 }, (_, i) => ({
    recordId: i + 1,
    time: '2025-01-01T00:00:00.5Z',
    event: sysmonProcessCreate({
      recordId: 1000 + i,
      time: '2025-01-01T00:00:00.5Z',
      image: 'C:\\Windows\\System32\\cmd.exe',
      commandLine: `cmd /c echo ${'x'.repeat(i % 97)}`,
    }),
  }));
  const spec = { records, recordsPerChunk: 150 };
  const { events, issues } = await readAll(bytesSource('big.evtx', buildEvtx(spec)));
  assert.deepEqual(issues, []);
  assert.equal(events.length, 600);
  assert.deepEqual(
    events.map((e) => e.source.recordId),
    records.map((_, i) => 1000 + i),
  );
  const want = expectedRecords(spec);
  assert.deepStrictEqual(events[599]!.data, want[599]!.json);
});

test('fuzz: mutated, cut and overwritten files never throw and never hang', async () => {
  const bases = await Promise.all(
    Object.keys(evtxFixtureSpecs()).map((n) => readFile(join(FIXTURES, n)).then((b) => b)),
  );
  const rnd = seededRandom(20261201);
  const deadline = Date.now() + 3000;
  let runs = 0;
  while (Date.now() < deadline) {
    const base = bases[runs % bases.length]!;
    let b = Buffer.from(base);
    const mode = rnd();
    if (mode < 0.5) {
      for (let i = 0, n = 1 + Math.floor(rnd() * 64); i < n; i++)
        b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    } else if (mode < 0.75) {
      b = b.subarray(0, Math.floor(rnd() * b.length));
    } else {
      const at = 4096 + Math.floor(rnd() * (b.length - 4096));
      for (let i = 0; i < 2048 && at + i < b.length; i++) b[at + i] = Math.floor(rnd() * 256);
    }
    const t0 = Date.now();
    const { events } = await readAll(bytesSource('f.evtx', b));
    for (const e of events) JSON.stringify(e.data);
    assert.ok(Date.now() - t0 < 1000, 'one file must not take a second');
    runs++;
  }
  assert.ok(runs > 50, `only ${runs} runs`);
});
