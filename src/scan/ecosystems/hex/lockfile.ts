// Elixir mix.lock: an Elixir map, one dependency per line, `"key": {:hex, :package, "version", …}`. Git and
// path dependencies (`{:git, …}`, `{:path, …}`) have no Hex release. Read line by line: no Elixir evaluation.
import { baseName, Collector, stripBom, type Extractor, type RelatedFiles } from '../../inventory/extract.ts';
import type { Extracted } from '../../inventory/types.ts';

const HEX_ENTRY = /^\s*"([^"]+)"\s*:\s*\{\s*:hex\s*,\s*:(?:"([^"]+)"|([A-Za-z0-9_]+))\s*,\s*"([^"]+)"/;
const ANY_ENTRY = /^\s*"([^"]+)"\s*:\s*\{\s*:(\w+)/;

/** Parses mix.lock text. */
export function parseMixLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'Hex');
  const lines = stripBom(text).split(/\r?\n/);
  let sawMap = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim().startsWith('%{')) sawMap = true;
    const m = HEX_ENTRY.exec(line);
    if (m !== null) {
      // the Hex package name is the atom; the key may be an alias (`"my_dep": {:hex, :real_dep, …}`)
      c.add({ name: m[2] ?? m[3]!, version: m[4]!, line: i + 1 });
      continue;
    }
    const other = ANY_ENTRY.exec(line);
    if (other !== null && other[2] !== 'git' && other[2] !== 'path')
      c.issue(`${other[1]!}: unknown source :${other[2]!}`, i + 1);
  }
  if (!sawMap && c.size === 0) c.issue('no %{ … } map: not a mix.lock?');
  return c.result();
}

export const mixLock: Extractor = {
  id: 'hex/mix-lock',
  ecosystem: 'Hex',
  kind: 'lockfile',
  matches: (path) => baseName(path) === 'mix.lock' && !/(^|\/)deps\//.test(path),
  extract: (text: string, path: string, _related?: RelatedFiles) => parseMixLock(text, path),
};

/** This folder's extractors. */
export const hexExtractors: readonly Extractor[] = [mixLock];
