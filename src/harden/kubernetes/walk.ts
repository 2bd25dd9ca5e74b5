// Which files the Kubernetes engine reads: `*.yaml` / `*.yml` found by a bounded walk of the root (the Dockerfile
// engine walks the same way for its names). A root can be
// a whole file system (`/`), so the walk is shallow and skips trees that hold no manifests of the user's but a
// great many files; point `--root` at the directory of the manifests for anything deeper. Reads only names.
import type { ConfigRoot } from '../types.ts';

/** How deep the walk goes below the root, and how many directories and files it looks at in all. */
export const WALK_LIMITS = { depth: 6, dirs: 2000, files: 1000 } as const;

/** Directories never entered: VCS data, dependencies, build output, kernel and package-manager trees. */
const SKIP = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  'vendor',
  '.terraform',
  '.venv',
  '__pycache__',
  'dist',
  'proc',
  'sys',
  'dev',
  'run',
  'tmp',
  'usr',
  'lib',
  'lib32',
  'lib64',
  'libx32',
  'bin',
  'sbin',
  'boot',
  'snap',
  'var',
]);

export const isManifestName = (name: string): boolean => /\.ya?ml$/i.test(name);

/** The YAML files under the root, sorted, within WALK_LIMITS; `truncated` says a limit was reached. */
export function findManifests(root: ConfigRoot): Promise<{ files: string[]; truncated: boolean }> {
  return findFiles(root, isManifestName);
}

/** The files under the root whose name `wanted` accepts, sorted, within WALK_LIMITS. */
export async function findFiles(
  root: ConfigRoot,
  wanted: (name: string) => boolean,
): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  let dirs = 0;
  let truncated = false;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (++dirs > WALK_LIMITS.dirs) {
      truncated = true;
      return;
    }
    for (const name of await root.list(dir)) {
      if (files.length >= WALK_LIMITS.files) {
        truncated = true;
        return;
      }
      const path = dir === '' ? name : `${dir}/${name}`;
      if (wanted(name)) {
        files.push(path);
        continue;
      }
      if (SKIP.has(name) || name.startsWith('.') || depth >= WALK_LIMITS.depth) continue;
      // a regular file lists as [] and is skipped by the loop
      await walk(path, depth + 1);
    }
  };
  await walk('', 0);
  return { files: files.sort(), truncated };
}
