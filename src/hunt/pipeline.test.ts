import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hunt } from './pipeline.ts';
import { HuntError } from './errors.ts';
import { generateDemo } from './demo/generate.ts';

const RULES = join(import.meta.dirname, '..', '..', 'rules');

/** Writes the seeded demo logs under `dir`. */
async function writeDemo(dir: string): Promise<void> {
  for (const [name, text] of generateDemo({ start: Date.UTC(2026, 10, 2) })) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}

async function ids(paths: string[], jobs: number, cacheDir?: string): Promise<string[]> {
  const out: string[] = [];
  await hunt(
    { paths, selection: { rules: [RULES], ...(cacheDir ? { cacheDir } : {}) }, jobs },
    { finding: (f) => void out.push(f.id) },
  );
  return out.sort();
}

test('workers load the rules themselves: a cold cache is filled once, and they find what one thread finds', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-pipeline-'));
  try {
    const demo = join(dir, 'demo');
    await writeDemo(demo);
    const one = await ids([demo], 1);
    assert.ok(one.length > 0);
    const cache = join(dir, 'cache');
    assert.deepEqual(await ids([demo], 3, cache), one);
    // every worker may write the cache at once: one file is left, no temporary one
    const files = await readdir(cache);
    assert.equal(files.length, 1, files.join(', '));
    assert.match(files[0]!, /^rules-[0-9a-f]{16}\.json$/);
    // and a warm cache gives the same again
    assert.deepEqual(await ids([demo], 3, cache), one);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a rules path the workers cannot read fails the hunt with its own error code', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-pipeline-'));
  try {
    const demo = join(dir, 'demo');
    await writeDemo(demo);
    await assert.rejects(
      hunt({ paths: [demo], selection: { rules: [join(dir, 'no-such-rules')] }, jobs: 2 }, { finding: () => {} }),
      (err: unknown) => err instanceof HuntError && err.code === 'RULES_NOT_FOUND' && /no-such-rules/.test(err.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
