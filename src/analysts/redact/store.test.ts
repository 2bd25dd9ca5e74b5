import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedactError, createRedactor } from './index.ts';
import { MAPPING_FILE, loadMapping, saveMapping } from './store.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-redact-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const isCode = (code: string) => (e: unknown) => e instanceof RedactError && e.code === code;

test('the mapping is written 0600 in a 0700 directory, without temporary files left', async () => {
  await withDir(async (root) => {
    const r = createRedactor();
    r.redact('mail alice@example.com from 10.0.0.1 with password=Hunter2');
    const dir = join(root, 'run-1');
    const path = await saveMapping(r.exportMapping(), { dir });
    assert.equal(path, join(dir, MAPPING_FILE));
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.deepEqual(await readdir(dir), [MAPPING_FILE]);
    // and read back into a new redactor, which restores and continues
    const again = createRedactor({ mapping: await loadMapping(path) });
    assert.equal(again.restore('<email-1> <ip-1> <secret-1>'), 'alice@example.com 10.0.0.1 Hunter2');
    assert.equal(again.redact('bob@example.com'), '<email-2>');
    // saving again replaces the file atomically
    await saveMapping(again.exportMapping(), { dir });
    assert.equal((await loadMapping(path)).entries.length, 4);
  });
});

test('a mapping readable by others, malformed, or not ours is refused', async () => {
  await withDir(async (dir) => {
    const path = await saveMapping(createRedactor().exportMapping(), { dir, name: 'm.json' });
    await chmod(path, 0o644);
    await assert.rejects(loadMapping(path), isCode('MAPPING_INSECURE'));
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{not json', { mode: 0o600 });
    await assert.rejects(loadMapping(bad), isCode('MAPPING_INVALID'));
    await writeFile(bad, JSON.stringify({ format: 'mamori-redaction-mapping', version: 2, entries: [] }), {
      mode: 0o600,
    });
    await assert.rejects(loadMapping(bad), isCode('MAPPING_INVALID'));
    await assert.rejects(loadMapping(join(dir, 'missing.json')), isCode('MAPPING_IO'));
    await assert.rejects(loadMapping(dir), isCode('MAPPING_IO'));
  });
});

test('the file name cannot leave the directory', async () => {
  await withDir(async (dir) => {
    const m = createRedactor().exportMapping();
    for (const name of ['../x.json', 'a/b.json', '..', '.hidden', '']) {
      await assert.rejects(saveMapping(m, { dir, name }), isCode('MAPPING_IO'), name);
    }
    assert.deepEqual(await readdir(dir), []);
  });
});
