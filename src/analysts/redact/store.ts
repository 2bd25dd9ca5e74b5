// The mapping file: mask → original, so a rationale quoting `<user-1>` can be shown with the real name later, on
// this machine. It holds every original in clear, so it is written like a private key: a directory of the
// caller's choosing created 0700, the file created 0600 under a temporary name and renamed into place (no moment
// where a half-written or world-readable file exists), and refused on load when anyone but the owner could read it.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RedactError } from './errors.ts';
import type { MaskMapping } from './masks.ts';
import { MaskMapping as MaskMappingSchema } from './schema.ts';

/** The default file name inside the caller's directory. */
export const MAPPING_FILE = 'redaction-mapping.json';

/** A file name, not a path: the caller names the directory, and `../` must not walk out of it. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Writes `mapping` to `<dir>/<name>` with mode 0600 and returns the path. */
export async function saveMapping(
  mapping: MaskMapping,
  opts: { readonly dir: string; readonly name?: string },
): Promise<string> {
  const name = opts.name ?? MAPPING_FILE;
  if (!SAFE_NAME.test(name) || name.includes('..'))
    throw new RedactError(
      'MAPPING_IO',
      `redaction mapping: "${name}" is not a plain file name; give a name without / or ..`,
    );
  const path = join(opts.dir, name);
  const tmp = join(opts.dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(opts.dir, { recursive: true, mode: 0o700 });
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(`${JSON.stringify(mapping)}\n`, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, 0o600); // the creation mode is masked by umask only downwards; make it exact anyway
    await rename(tmp, path);
    return path;
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof RedactError) throw e;
    throw new RedactError('MAPPING_IO', `redaction mapping: cannot write ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/**
 * Reads a mapping written by saveMapping. Refuses a file that group or others may read or write, or that another
 * user owns (someone could have read the originals, or planted a mapping that restores masks to lies).
 */
export async function loadMapping(path: string): Promise<MaskMapping> {
  let text: string;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new RedactError('MAPPING_IO', `redaction mapping: ${path} is not a file`);
    if ((st.mode & 0o077) !== 0)
      throw new RedactError(
        'MAPPING_INSECURE',
        `redaction mapping: ${path} has mode ${(st.mode & 0o777).toString(8)}; it holds originals in clear: chmod 600 it (and check who read it)`,
      );
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid)
      throw new RedactError(
        'MAPPING_INSECURE',
        `redaction mapping: ${path} is owned by uid ${st.uid}, not by this user`,
      );
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof RedactError) throw e;
    throw new RedactError('MAPPING_IO', `redaction mapping: cannot read ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RedactError('MAPPING_INVALID', `redaction mapping: ${path} is not JSON`, { cause: e });
  }
  const parsed = MaskMappingSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new RedactError(
      'MAPPING_INVALID',
      `redaction mapping: ${path}: ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
