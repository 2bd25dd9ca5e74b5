// Sniffing across readers: every fixture beside a text-format reader is recognised as that reader's format, no
// other reader stealing it in the registry's order; and the folders on disk and the registry agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FORMATS } from '../event.ts';
import { READERS, detectFormat } from './registry.ts';

const HERE = import.meta.dirname;

test('each reader folder is registered, and each fixture is detected as its folder', () => {
  const folders = readdirSync(HERE, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  assert.deepEqual(folders, [...LOG_FORMATS].sort());
  assert.deepEqual([...READERS.keys()].sort(), folders);
  let checked = 0;
  // the text formats (EVTX has its own tests, with damaged files among its fixtures)
  for (const format of ['syslog', 'auditd', 'web', 'cloudtrail', 'json']) {
    let files: string[];
    try {
      files = readdirSync(join(HERE, format, '__fixtures__'));
    } catch {
      continue;
    }
    for (const f of files) {
      const head = readFileSync(join(HERE, format, '__fixtures__', f)).subarray(0, 65536);
      assert.equal(detectFormat(head, f)?.format, format, `${format}/__fixtures__/${f}`);
      checked++;
    }
  }
  assert.ok(checked >= 10, `only ${checked} fixtures`);
});

test('text that is none of the formats is not detected', () => {
  const none = [
    'plain text\nmore text\n',
    '2026-11-25 10:00:00,123 INFO app started\n',
    '[2026-11-25 10:00:00] started\n',
    '\u0000\u0001\u0002binary',
    '',
  ];
  for (const s of none) assert.equal(detectFormat(Buffer.from(s), 'x'), undefined, JSON.stringify(s));
});
