// Conan lockfiles: version 0.4 (Conan 1: `graph_lock.nodes`, node "0" the consumer; build-context nodes are
// build tools, dev) and version 0.5 (Conan 2: `requires`, `build_requires`, `python_requires` reference
// lists). A reference is `name/version[@user/channel][#revision[%timestamp]]`.
import {
  baseName,
  Collector,
  entries,
  isRecord,
  str,
  type Extractor,
  type RelatedFiles,
} from '../../inventory/extract.ts';
import { jsonObjectOf, keyLines, keyPath } from '../../inventory/json.ts';
import type { Extracted } from '../../inventory/types.ts';

/** `zlib/1.2.13@user/channel#rev%123` → zlib, 1.2.13. */
export function parseConanRef(ref: string): { name: string; version: string } | undefined {
  const base = ref.split('#')[0]!.split('@')[0]!.trim();
  const slash = base.indexOf('/');
  if (slash <= 0 || slash === base.length - 1) return undefined;
  return { name: base.slice(0, slash), version: base.slice(slash + 1) };
}

/** Parses conan.lock text (Conan 1 or 2). */
export function parseConanLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'ConanCenter');
  const top = jsonObjectOf(text, c, 'conan.lock');
  if (!top) return c.result();
  const lock = top;
  const graph = isRecord(lock['graph_lock']) ? lock['graph_lock'] : undefined;
  if (graph !== undefined && isRecord(graph['nodes'])) {
    const nodes = graph['nodes'];
    const lines = keyLines(text, 3, new Set(['nodes']));
    const root = nodes['0'];
    const direct = new Set<string>();
    if (isRecord(root) && Array.isArray(root['requires'])) for (const id of root['requires']) direct.add(String(id));
    for (const [id, node] of entries(nodes)) {
      if (!isRecord(node)) continue;
      const ref = str(node['ref']);
      if (ref === undefined) continue; // the consumer (conanfile) itself
      const p = parseConanRef(ref);
      if (p === undefined) {
        c.issue(
          `node ${id}: reference ${JSON.stringify(ref)} is not name/version`,
          lines.get(keyPath('graph_lock', 'nodes', id)),
        );
        continue;
      }
      const line = lines.get(keyPath('graph_lock', 'nodes', id));
      c.add({
        ...p,
        ...(line !== undefined ? { line } : {}),
        dev: node['context'] === 'build',
        direct: direct.has(id),
      });
    }
    return c.result();
  }
  const lines = keyLines(text, 2, new Set(['requires', 'build_requires', 'python_requires']));
  let any = false;
  for (const field of ['requires', 'build_requires', 'python_requires'] as const) {
    const list = lock[field];
    if (!Array.isArray(list)) continue;
    any = true;
    list.forEach((ref: unknown, i) => {
      if (typeof ref !== 'string') return;
      const p = parseConanRef(ref);
      if (p === undefined) return;
      const line = lines.get(keyPath(field, i));
      c.add({ ...p, ...(line !== undefined ? { line } : {}), dev: field !== 'requires' });
    });
  }
  if (!any) c.issue('not a conan.lock: neither graph_lock.nodes (Conan 1) nor requires (Conan 2)');
  return c.result();
}

export const conanLock: Extractor = {
  id: 'conan/conan-lock',
  ecosystem: 'ConanCenter',
  kind: 'lockfile',
  matches: (path) => baseName(path) === 'conan.lock',
  extract: (text: string, path: string, _related?: RelatedFiles) => parseConanLock(text, path),
};

/** This folder's extractors. */
export const conanExtractors: readonly Extractor[] = [conanLock];
