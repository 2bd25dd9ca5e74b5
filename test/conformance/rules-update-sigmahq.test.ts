import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';
import { startServer, bytesRoute } from '../support/http-server.ts';
import { updateRules } from '../../src/cli/commands/rules.ts';

const SIGMA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'sigma');
const skip = existsSync(SIGMA) ? false : 'needs ../shared/data/sigma: not present';

test('rules update installs a SigmaHQ-style release archive made from the shared ruleset', { skip }, async () => {
  // the release archive holds the rules* folders at its top level, as sigma_all_rules.zip does
  const files: Record<string, Uint8Array> = {};
  for (const top of (await readdir(SIGMA)).filter((d) => d.startsWith('rules'))) {
    for (const e of await readdir(join(SIGMA, top), { recursive: true, withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith('.yml')) {
        const p = join(e.parentPath, e.name);
        files[relative(SIGMA, p)] = await readFile(p);
      }
    }
  }
  const count = Object.keys(files).length;
  assert.ok(count > 3000, `expected the whole ruleset, found ${count} files`);
  const server = await startServer({
    '/SigmaHQ/sigma/releases/latest/download/sigma_all_rules.zip': bytesRoute(zipSync(files, { level: 1 })),
  });
  const dir = await mkdtemp(join(tmpdir(), 'mamori-sigmahq-'));
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  try {
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    const rc = await updateRules({
      from: `${server.url}/SigmaHQ/sigma/releases/latest/download/sigma_all_rules.zip`,
      dest: join(dir, 'sigma'),
    });
    process.stdout.write = out;
    process.stderr.write = err;
    assert.equal(rc, 0);
    const source = JSON.parse(await readFile(join(dir, 'sigma', 'MAMORI_SOURCE.json'), 'utf8')) as {
      files: number;
      rejected: number;
    };
    assert.equal(source.files, count);
    assert.equal(source.rejected, 0, 'every SigmaHQ rule parses');
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
