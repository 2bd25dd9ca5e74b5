// The smallest YAML edit that makes a control pass for one container or pod, computed from the positions the
// parser gives: a value written on a line is replaced in place (the key, quotes around nothing else,
// indentation and a trailing comment kept); a missing value is inserted as the few key lines it needs under the
// deepest mapping that exists (`securityContext:`, `capabilities:`), right after that mapping's key line, at
// the column of its first key — or, when the container has no `securityContext`, after its `name:` line at the
// container's column, nested by the file's own indentation step. Flow mappings (`{...}`) are not inserted
// into. Pure.
import { isMap, isScalar, isSeq, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { LineEdit } from '../types.ts';
import { colOf, lineOf, pairOf, type Container, type Manifest } from './manifest.ts';

export type Planned = { readonly edits: readonly LineEdit[] } | { readonly unfixable: string };

/** Replaces a single-line scalar's source text with `value`, keeping everything else on its line. */
export function replaceScalar(m: Manifest, node: Scalar, value: string): Planned {
  const r = node.range;
  if (!r) return { unfixable: 'the value has no source position' };
  const line = lineOf(m.lineCounter, r[0]);
  if (lineOf(m.lineCounter, r[1]) !== line && !(r[1] > r[0] && lineOf(m.lineCounter, r[1] - 1) === line))
    return { unfixable: `the value on line ${line} spans several lines: edit it by hand` };
  const start = m.lineCounter.lineStarts[line - 1] ?? 0;
  const text = m.lines[line - 1] ?? '';
  const a = r[0] - start;
  const b = Math.min(r[1] - start, text.length);
  return { edits: [{ kind: 'replace', line, text: `${text.slice(0, a)}${value}${text.slice(b)}` }] };
}

/** The key lines for `path` (the last key gets `value`), starting at `col`, nested by `step`. */
function keyLines(path: readonly string[], value: string, col: number, step: number): string[] {
  return path.map((k, i) => `${' '.repeat(col + i * step)}${k}:${i === path.length - 1 ? ` ${value}` : ''}`);
}

const keyNode = (m: YAMLMap, key: string): Node | undefined => pairOf(m, key)?.key as Node | undefined;

/** Inserts `path: value` under a container (path[0] is `securityContext`). */
export function insertUnder(m: Manifest, c: Container, path: readonly string[], value: string): Planned {
  if (c.map.flow) return { unfixable: `container ${c.name} is a flow mapping ({...}): edit it by hand` };
  let map: YAMLMap = c.map;
  let i = 0;
  let header: Node | undefined;
  let empty = false;
  while (i < path.length - 1) {
    const p = pairOf(map, path[i]!);
    if (!p) break;
    const v = p.value;
    if (isMap(v)) {
      if (v.flow)
        return {
          unfixable: `${path.slice(0, i + 1).join('.')} of container ${c.name} is a flow mapping ({...}): edit it by hand`,
        };
      header = p.key as Node;
      map = v;
      i++;
      continue;
    }
    const src = isScalar(v) && v.range ? m.text.slice(v.range[0], v.range[1]).trim() : '';
    if (v === null || (isScalar(v) && v.value === null && src === '')) {
      header = p.key as Node;
      empty = true;
      i++;
      break;
    }
    return { unfixable: `${path.slice(0, i + 1).join('.')} of container ${c.name} is not a mapping: edit it by hand` };
  }
  const rest = path.slice(i);
  const step = m.indentStep;
  if (header === undefined) {
    // nothing of the path exists: after the container's `name:` line, at the container's column
    const name = keyNode(c.map, 'name');
    const nv = pairOf(c.map, 'name')?.value as Node | undefined;
    if (!name?.range || !nv?.range || isMap(nv) || isSeq(nv))
      return { unfixable: `container ${c.name} has no plain name: line to insert after` };
    const line = lineOf(m.lineCounter, nv.range[1] > nv.range[0] ? nv.range[1] - 1 : nv.range[0]);
    if (line !== lineOf(m.lineCounter, name.range[0])) return { unfixable: `the name of ${c.name} spans lines` };
    const col = colOf(m.lineCounter, name.range[0]);
    return { edits: [{ kind: 'insert', before: line + 1, lines: keyLines(rest, value, col, step) }] };
  }
  const hr = header.range!;
  const hline = lineOf(m.lineCounter, hr[0]);
  const first = empty ? undefined : (map.items[0]?.key as Node | undefined);
  const col = first?.range ? colOf(m.lineCounter, first.range[0]) : colOf(m.lineCounter, hr[0]) + step;
  return { edits: [{ kind: 'insert', before: hline + 1, lines: keyLines(rest, value, col, step) }] };
}

/** Adds `item` to an existing block sequence (`drop:` list), before its first item at that item's column. */
export function insertSeqItem(m: Manifest, seq: unknown, item: string, what: string): Planned | undefined {
  if (!isSeq(seq)) return undefined;
  if (seq.flow) return { unfixable: `${what} is a flow sequence ([...]): edit it by hand` };
  const first = seq.items[0] as Node | undefined;
  if (!first?.range || !seq.range) return undefined;
  const line = lineOf(m.lineCounter, first.range[0]);
  const text = m.lines[line - 1] ?? '';
  const dash = text.lastIndexOf('-', colOf(m.lineCounter, first.range[0]));
  if (dash < 0 || text.slice(0, dash).trim() !== '')
    return { unfixable: `${what} is not one item a line: edit it by hand` };
  const gap = text.slice(dash + 1, colOf(m.lineCounter, first.range[0]));
  return { edits: [{ kind: 'insert', before: line, lines: [`${text.slice(0, dash)}-${gap || ' '}${item}`] }] };
}
