import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexTar, type ReadAt } from './tar-index.ts';
import { tarOf } from './testkit.ts';

const reader =
  (b: Uint8Array): ReadAt =>
  async (offset, length) =>
    b.subarray(offset, offset + length);

test('indexes members by header: ustar prefixes and pax long names, links, bodies located', async () => {
  const long = `blobs/${'d'.repeat(150)}/${'x'.repeat(120)}`;
  const bytes = await tarOf([
    { name: 'manifest.json', body: '[]' },
    { name: long, body: 'long body' },
    { name: 'dir/', type: 'directory' },
    { name: 'dir/link', type: 'symlink', linkname: '../manifest.json' },
  ]);
  const { members, damaged } = await indexTar(reader(bytes), bytes.length, 100);
  assert.equal(damaged, undefined);
  assert.deepEqual(
    members.map((m) => `${m.name} ${m.type} ${m.size}${m.linkname ? ` -> ${m.linkname}` : ''}`),
    ['manifest.json file 2', `${long} file 9`, 'dir/ dir 0', 'dir/link symlink 0 -> ../manifest.json'],
  );
  const m = members[1]!;
  assert.equal(new TextDecoder().decode(bytes.subarray(m.offset, m.offset + m.size)), 'long body');
});

test('a cut archive keeps the members before the cut; a non-tar throws; a member bound is kept', async () => {
  const bytes = await tarOf([
    { name: 'a', body: 'x'.repeat(600) },
    { name: 'b', body: 'y'.repeat(600) },
  ]);
  const cut = bytes.subarray(0, 512 * 4 + 100);
  const r = await indexTar(reader(cut), cut.length, 100);
  assert.deepEqual(
    r.members.map((m) => `${m.name} ${m.size}`),
    ['a 600', 'b 100'],
  );
  assert.match(r.damaged ?? '', /ends inside b/);
  await assert.rejects(indexTar(reader(Buffer.from('x'.repeat(1024))), 1024, 100), /not a tar archive/);
  const bounded = await indexTar(reader(bytes), bytes.length, 1);
  assert.equal(bounded.members.length, 1);
  assert.match(bounded.damaged ?? '', /more than 1 members/);
});
