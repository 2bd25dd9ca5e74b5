// `mamori harden --apply` and `--rollback`: verified patches written into the root atomically (each file
// replaced by rename, mode kept), the originals backed up first under $MAMORI_HOME/backups/harden/<id>/ with
// a manifest; a rollback restores them, refusing files changed since (it would lose someone's edit).
import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HardenError } from './baselines.ts';
import { DirectoryRoot } from './root.ts';

type ManifestFile = {
  /** Relative to the root. */
  readonly path: string;
  /** Whether it existed before (else the patch created it, and a rollback removes it). */
  readonly existed: boolean;
  readonly mode?: number;
  /** SHA-256 of what --apply wrote: a rollback restores only files still holding exactly that. */
  readonly written: string;
};
export type Manifest = {
  readonly id: string;
  readonly root: string;
  readonly created: string;
  readonly checks: readonly string[];
  readonly files: readonly ManifestFile[];
};

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

async function atomicWrite(abs: string, text: string, mode: number | undefined): Promise<void> {
  const tmp = join(dirname(abs), `.${randomBytes(6).toString('hex')}.mamori-tmp`);
  await writeFile(tmp, text, { mode: mode ?? 0o644 });
  if (mode !== undefined) await chmod(tmp, mode);
  await rename(tmp, abs);
}

/** The real path of `rel` inside the root (symlinks resolved inside it), refusing anything that leaves it. */
async function target(root: DirectoryRoot, rel: string): Promise<string> {
  const dir = await root.resolve(dirname(rel) === '.' ? '' : dirname(rel));
  if (dir === undefined) throw new HardenError('APPLY_FAILED', `${rel}: its directory does not exist in ${root.dir}`);
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  const real = (await root.resolve(rel)) ?? (dir === '' ? name : `${dir}/${name}`);
  return join(root.dir, real);
}

/**
 * Writes the patched texts into the root, after backing up every original. All files are backed up before
 * the first is written; if a write fails, the ones already written are restored.
 */
export async function applyFiles(
  rootDir: string,
  files: ReadonlyMap<string, string>,
  checks: readonly string[],
  backupsDir: string,
  now: Date = new Date(),
): Promise<Manifest> {
  const root = new DirectoryRoot(rootDir);
  const id = `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const dir = join(backupsDir, id);
  await mkdir(join(dir, 'files'), { recursive: true });
  const planned: { rel: string; abs: string; existed: boolean; mode?: number; text: string }[] = [];
  for (const [rel, text] of files) {
    const abs = await target(root, rel);
    const st = await stat(abs).catch(() => undefined);
    if (st !== undefined && !st.isFile()) throw new HardenError('APPLY_FAILED', `${rel} is not a regular file`);
    if (st !== undefined) {
      const backup = join(dir, 'files', rel);
      await mkdir(dirname(backup), { recursive: true });
      await writeFile(backup, await readFile(abs));
    }
    planned.push({ rel, abs, existed: st !== undefined, ...(st ? { mode: st.mode & 0o7777 } : {}), text });
  }
  const manifest: Manifest = {
    id,
    root: rootDir,
    created: now.toISOString(),
    checks,
    files: planned.map((p) => ({
      path: p.rel,
      existed: p.existed,
      ...(p.mode !== undefined ? { mode: p.mode } : {}),
      written: sha(p.text),
    })),
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  const done: typeof planned = [];
  try {
    for (const p of planned) {
      await atomicWrite(p.abs, p.text, p.mode);
      done.push(p);
    }
  } catch (err) {
    for (const p of done.reverse()) {
      if (p.existed)
        await atomicWrite(p.abs, await readFile(join(dir, 'files', p.rel), 'utf8'), p.mode).catch(() => {});
      else await rm(p.abs, { force: true }).catch(() => {});
    }
    throw new HardenError(
      'APPLY_FAILED',
      `writing ${planned[done.length]?.rel}: ${(err as Error).message}; nothing changed`,
    );
  }
  return manifest;
}

/** The backups of a root, newest first. */
export async function listBackups(backupsDir: string, rootDir: string): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const name of await readdir(backupsDir).catch(() => [] as string[])) {
    if (name.endsWith('.rolled-back')) continue;
    try {
      const m = JSON.parse(await readFile(join(backupsDir, name, 'manifest.json'), 'utf8')) as Manifest;
      if (m.root === rootDir) out.push(m);
    } catch {
      // not a backup of ours
    }
  }
  return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
}

/**
 * Restores a backup (the newest of the root when `id` is not given). Every file must still hold what --apply
 * wrote; otherwise nothing is restored and the changed files are named.
 */
export async function rollback(backupsDir: string, rootDir: string, id?: string): Promise<Manifest> {
  const all = await listBackups(backupsDir, rootDir);
  const m = id === undefined ? all[0] : all.find((x) => x.id === id);
  if (m === undefined)
    throw new HardenError(
      'APPLY_FAILED',
      id ? `no backup ${id} of ${rootDir}` : `no backup of ${rootDir} to roll back`,
    );
  const root = new DirectoryRoot(rootDir);
  const changed: string[] = [];
  for (const f of m.files) {
    const abs = await target(root, f.path);
    const now = await readFile(abs, 'utf8').catch(() => undefined);
    if (now === undefined || sha(now) !== f.written) changed.push(f.path);
  }
  if (changed.length)
    throw new HardenError('APPLY_FAILED', `changed since ${m.id} was applied, not rolled back: ${changed.join(', ')}`);
  for (const f of m.files) {
    const abs = await target(root, f.path);
    if (f.existed) await atomicWrite(abs, await readFile(join(backupsDir, m.id, 'files', f.path), 'utf8'), f.mode);
    else if ((await lstat(abs).catch(() => undefined))?.isFile()) await rm(abs);
  }
  await rename(join(backupsDir, m.id), join(backupsDir, `${m.id}.rolled-back`));
  return m;
}
