import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRules } from './load.ts';

const rule = (title: string): string =>
  [
    `title: ${title}`,
    'id: 5b0d7c3e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    'logsource: { product: windows, category: process_creation }',
    'detection:',
    '  sel:',
    "    Image|endswith: '\\\\x.exe'",
    '  condition: sel',
    '',
  ].join('\n');

test('the parsed-rule cache gives exactly what parsing gives, and a changed file is parsed again', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-rules-'));
  try {
    const rules = join(dir, 'rules');
    const cache = join(dir, 'cache');
    await import('node:fs/promises').then((fs) => fs.mkdir(rules));
    await writeFile(join(rules, 'a.yml'), rule('First'));
    await writeFile(join(rules, 'b.yml'), 'title: [unclosed');
    const plain = await loadRules([rules]);
    const cold = await loadRules([rules], { cacheDir: cache });
    assert.equal((await readdir(cache)).length, 1, 'the cache was written');
    const warm = await loadRules([rules], { cacheDir: cache });
    assert.deepStrictEqual(cold, plain);
    assert.deepStrictEqual(warm, plain);
    assert.equal(warm.issues.length, 1, 'a rule that fails to parse is reported from the cache too');
    await writeFile(join(rules, 'a.yml'), rule('Second'));
    const changed = await loadRules([rules], { cacheDir: cache });
    assert.equal(changed.documents[0]!.title, 'Second');
    // a damaged cache is ignored, not trusted
    const [file] = await readdir(cache);
    await writeFile(join(cache, file!), '{"version":1,"entries":{"x":');
    const again = await loadRules([rules], { cacheDir: cache });
    assert.equal(again.documents[0]!.title, 'Second');
    assert.match(await readFile(join(cache, file!), 'utf8'), /Second/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
