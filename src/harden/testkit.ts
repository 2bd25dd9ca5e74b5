// Test helpers shared by the harden engines' tests.
import type { ConfigRoot } from './types.ts';

/** A root over in-memory files (`{ 'etc/ssh/sshd_config': '...' }`); directories are implied by the paths. */
export class MemoryRoot implements ConfigRoot {
  readonly files: Map<string, string>;
  constructor(files: Readonly<Record<string, string>> | ReadonlyMap<string, string>) {
    this.files = new Map(files instanceof Map ? files : Object.entries(files));
  }
  async read(path: string): Promise<string | undefined> {
    return this.files.get(path);
  }
  async list(dir: string): Promise<readonly string[]> {
    const prefix = dir === '' ? '' : `${dir}/`;
    const names = new Set<string>();
    for (const p of this.files.keys()) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]!);
    return [...names].sort();
  }
}

export function memRoot(files: Readonly<Record<string, string>>): ConfigRoot {
  return new MemoryRoot(files);
}
