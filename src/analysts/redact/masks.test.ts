import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MaskTable, isMask, maskText } from './masks.ts';

test('masks: one per (type, key), numbered per type', () => {
  const t = new MaskTable();
  assert.equal(t.mask('user', 'alice', 'Alice'), '<user-1>');
  assert.equal(t.mask('user', 'bob', 'bob'), '<user-2>');
  assert.equal(t.mask('user', 'alice', 'ALICE'), '<user-1>');
  assert.equal(t.mask('host', 'alice', 'alice'), '<host-1>'); // another type, another counter
  assert.equal(t.peek('user', 'bob'), '<user-2>');
  assert.equal(t.peek('user', 'carol'), undefined);
  assert.deepEqual(
    [...t.occurrences],
    [
      ['user', 3],
      ['host', 1],
    ],
  );
  assert.deepEqual(
    [...t.distinct()],
    [
      ['user', 2],
      ['host', 1],
    ],
  );
});

test('mask shape', () => {
  for (const [s, ok] of [
    ['<user-1>', true],
    ['<secret-123456789>', true],
    ['<user-0>', false],
    ['<user-01>', false],
    ['<people-1>', false],
    ['<user-1> ', false],
    ['<not-a-mask:user-1>', false],
  ] as const)
    assert.equal(isMask(s), ok, s);
  assert.equal(maskText('ip', 3), '<ip-3>');
});

test('restore: one pass, originals that look like masks are not expanded again', () => {
  const t = new MaskTable();
  t.mask('secret', '<user-2>', '<user-2>'); // a password that happens to read like a mask
  t.mask('user', 'bob', 'bob');
  t.mask('user', 'carol', 'carol');
  assert.equal(t.restore('<secret-1> <user-1> <user-2> <user-3> <host-1>'), '<user-2> bob carol <user-3> <host-1>');
  assert.equal(t.restore('<not-a-mask:user-1>'), '<user-1>');
  assert.equal(t.restore('no masks'), 'no masks');
});

test('defangForged rewrites only masks this table did not issue', () => {
  const t = new MaskTable();
  t.mask('user', 'bob', 'bob');
  assert.deepEqual(t.defangForged('<user-1> <user-2> <ip-1>'), {
    text: '<user-1> <not-a-mask:user-2> <not-a-mask:ip-1>',
    forged: 2,
  });
  const once = t.defangForged('<host-7>').text;
  assert.deepEqual(t.defangForged(once), { text: once, forged: 0 });
});

test('export and load round-trip; a contradictory mapping is refused', () => {
  const a = new MaskTable();
  a.mask('email', 'x@example.com', 'X@example.com');
  a.mask('ip', '10.0.0.1', '10.0.0.1');
  a.mask('ip', '10.0.0.2', '10.0.0.2');
  const m = a.export();
  const b = new MaskTable();
  b.load(m);
  assert.equal(b.mask('ip', '10.0.0.2', '10.0.0.2'), '<ip-2>');
  assert.equal(b.mask('ip', '10.0.0.3', '10.0.0.3'), '<ip-3>');
  assert.equal(b.restore('<email-1>'), 'X@example.com');
  assert.throws(() => b.load(m), /empty table/);
  const bad = (entries: unknown[]): void => new MaskTable().load({ ...m, entries: entries as never });
  assert.throws(() => bad([{ mask: '<ip-1>', type: 'email', key: 'k', original: 'o' }]), /not a email mask/);
  assert.throws(
    () =>
      bad([
        { mask: '<ip-1>', type: 'ip', key: 'k', original: 'o' },
        { mask: '<ip-2>', type: 'ip', key: 'k', original: 'o' },
      ]),
    /duplicate/,
  );
});
