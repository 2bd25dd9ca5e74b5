import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TransientError, UsageError } from '../../core/errors.ts';
import { SHARED_ECOSYSTEMS, SHARED_OSV, startOsvServer, type OsvServer } from '../../../test/support/osv-server.ts';
import { ScanError } from '../errors.ts';
import { openOsvDb, OSV_INDEX_FILE } from './open.ts';
import { updateOsvDb, type UpdateProgress } from './update.ts';

const present = SHARED_ECOSYSTEMS.every((e) => existsSync(join(SHARED_OSV, e, 'all.zip')));
const skip = present ? false : `shared OSV data not found at ${SHARED_OSV}`;

async function sha(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** The files of the database folder and their hashes: what "left intact" means. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      const p = join(e.parentPath, e.name);
      out[p.slice(dir.length)] = await sha(p);
    }
  }
  return out;
}

describe('db update against a fake OSV bucket on 127.0.0.1', { skip }, () => {
  let server: OsvServer;
  let dir: string;
  let clock = 0;
  const now = (): Date => new Date(Date.UTC(2026, 7, 22, 0, 0, clock++));

  before(async () => {
    server = await startOsvServer();
    dir = await mkdtemp(join(tmpdir(), 'mamori-osv-update-'));
  });
  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses to guess when nothing is installed and no ecosystem is named', async () => {
    await assert.rejects(
      updateOsvDb({ dir, from: server.url, now }),
      (e: unknown) => e instanceof ScanError && e.code === 'NOTHING_TO_UPDATE',
    );
  });

  it('installs the named ecosystems, with progress and provenance', async () => {
    const progress: UpdateProgress[] = [];
    const r = await updateOsvDb({
      dir,
      from: server.url,
      ecosystems: [...SHARED_ECOSYSTEMS],
      now,
      onProgress: (p) => progress.push(p),
    });
    assert.equal(r.index, join(dir, OSV_INDEX_FILE));
    assert.deepEqual(
      r.status.imports.map((i) => [i.ecosystem, i.records, i.skipped]),
      [
        ['AlmaLinux', 5637, 0],
        ['Go', 4291, 0],
        ['PyPI', 2661, 0],
        ['crates.io', 1206, 0],
      ],
    );
    assert.equal(r.status.imports.find((i) => i.ecosystem === 'crates.io')?.source, `${server.url}crates.io/all.zip`);
    for (const e of SHARED_ECOSYSTEMS) {
      assert.equal(await sha(join(dir, e, 'all.zip')), await sha(join(SHARED_OSV, e, 'all.zip')), e);
      const last = progress.filter((p) => p.ecosystem === e && p.phase === 'download').at(-1);
      assert.ok(last && last.phase === 'download' && last.received === last.total, `${e}: download progress`);
      assert.ok(
        progress.some((p) => p.ecosystem === e && p.phase === 'index'),
        `${e}: index progress`,
      );
    }
    // no temporaries left
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.startsWith('.')),
      [],
    );
    const { store, form } = await openOsvDb(dir);
    assert.equal(form, 'index');
    assert.ok(store.lookup('Go', 'github.com/gin-gonic/gin').length > 0);
    store.close();
  });

  const FAILURES: readonly {
    name: string;
    failure: Parameters<OsvServer['fail']>[1];
    check: (e: unknown) => boolean;
    idleTimeoutMs?: number;
  }[] = [
    {
      name: '404',
      failure: { kind: 'status', status: 404 },
      check: (e) =>
        e instanceof ScanError && e.code === 'DOWNLOAD_FAILED' && /PyPI\/all\.zip: HTTP 404/.test(e.message),
    },
    {
      name: '503 (transient)',
      failure: { kind: 'status', status: 503 },
      check: (e) => e instanceof TransientError && /PyPI\/all\.zip: HTTP 503/.test(e.message),
    },
    {
      name: 'a truncated zip',
      failure: { kind: 'truncated-zip', bytes: 100_000 },
      check: (e) =>
        e instanceof ScanError && e.code === 'ARCHIVE_INVALID' && /PyPI\/all\.zip: .*truncated/.test(e.message),
    },
    {
      name: 'a transfer cut short',
      failure: { kind: 'cut', bytes: 65_536 },
      check: (e) => e instanceof TransientError && /PyPI\/all\.zip: transfer cut/.test(e.message),
    },
    {
      name: 'a server that never answers (idle timeout)',
      failure: { kind: 'hang' },
      idleTimeoutMs: 300,
      check: (e) => e instanceof TransientError && /PyPI\/all\.zip: no data for/.test(e.message),
    },
  ];
  for (const f of FAILURES) {
    it(`${f.name}: fails naming the URL and leaves the previous index and archives intact`, async () => {
      const before = await snapshot(dir);
      server.fail('PyPI', f.failure);
      try {
        await assert.rejects(
          updateOsvDb({
            dir,
            from: server.url,
            ecosystems: ['Go', 'PyPI'],
            now,
            ...(f.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: f.idleTimeoutMs }),
          }),
          f.check,
        );
      } finally {
        server.fail('PyPI', undefined);
      }
      assert.deepEqual(await snapshot(dir), before);
    });
  }

  it('a size bound refuses an archive larger than allowed', async () => {
    const before = await snapshot(dir);
    await assert.rejects(
      updateOsvDb({ dir, from: server.url, ecosystems: ['PyPI'], maxBytes: 1000, now }),
      (e: unknown) =>
        e instanceof ScanError && e.code === 'DOWNLOAD_FAILED' && /over the 1000-byte bound/.test(e.message),
    );
    assert.deepEqual(await snapshot(dir), before);
  });

  it('refuses ecosystem names that are not names', async () => {
    for (const bad of ['../etc', 'a/b', 'Debian:12', '']) {
      await assert.rejects(updateOsvDb({ dir, from: server.url, ecosystems: [bad], now }), UsageError, bad);
    }
  });

  it('updating one ecosystem replaces only its partition; with none named, all installed ones', async () => {
    const old = (await openOsvDb(dir)).store;
    const before = old.status().imports;
    old.close();
    const r = await updateOsvDb({ dir, from: server.url, ecosystems: ['crates.io'], now });
    assert.deepEqual(
      r.updated.map((i) => i.ecosystem),
      ['crates.io'],
    );
    for (const i of r.status.imports) {
      const was = before.find((b) => b.ecosystem === i.ecosystem);
      if (i.ecosystem === 'crates.io') assert.notEqual(i.importedAt, was?.importedAt);
      else assert.deepEqual(i, was);
    }
    const all = await updateOsvDb({ dir, from: server.url, now });
    assert.deepEqual(all.updated.map((i) => i.ecosystem).sort(), ['AlmaLinux', 'Go', 'PyPI', 'crates.io']);
  });

  it('--from a local folder laid out <Ecosystem>/all.zip', async () => {
    const local = await mkdtemp(join(tmpdir(), 'mamori-osv-local-'));
    try {
      const r = await updateOsvDb({ dir: local, from: SHARED_OSV, ecosystems: ['crates.io'], now });
      assert.deepEqual(
        r.status.imports.map((i) => [i.ecosystem, i.records, i.source]),
        [['crates.io', 1206, join(SHARED_OSV, 'crates.io', 'all.zip')]],
      );
      await assert.rejects(
        updateOsvDb({ dir: local, from: SHARED_OSV, ecosystems: ['npm'], now }),
        (e: unknown) =>
          e instanceof ScanError && e.code === 'DOWNLOAD_FAILED' && e.message.includes(join(SHARED_OSV, 'npm')),
      );
    } finally {
      await rm(local, { recursive: true, force: true });
    }
  });
});
