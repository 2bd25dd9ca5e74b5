// Test helpers for extractor tests: read a fixture beside the test, and view a result compactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Extracted, Package } from './types.ts';

/** Text of `__fixtures__/<name>` in the folder of `dir` (pass `import.meta.dirname`). */
export function fixture(dir: string, name: string): string {
  return readFileSync(join(dir, '__fixtures__', name), 'utf8');
}

/** `name@version` → package, asserting each appears once. */
export function byId(r: Extracted): Map<string, Package> {
  const m = new Map<string, Package>();
  for (const p of r.packages) {
    const id = `${p.name}@${p.version}`;
    if (m.has(id)) throw new Error(`${id} listed twice`);
    m.set(id, p);
  }
  return m;
}

/** Sorted `name@version` list, `(dev)` appended for dev packages, `(root)` for the project itself. */
export function ids(r: Extracted): string[] {
  return r.packages
    .map((p) => `${p.name}@${p.version}${p.dev === true ? ' (dev)' : ''}${p.root === true ? ' (root)' : ''}`)
    .sort();
}
