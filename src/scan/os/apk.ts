// The apk database of Alpine, Wolfi, Chainguard and MinimOS: `lib/apk/db/installed`, one blank-line separated
// entry per installed package of single-letter fields (`P:` name, `V:` version, `A:` architecture, `o:` origin,
// i.e. the source package, which OSV Alpine records are keyed by; the file lists `F:`/`R:` lines too).
// Every entry there is installed. Refused, as issues with their line: entries without P or V, lines that are
// not `X:value`.
import { Collector, type Extractor, type RelatedFiles } from '../inventory/extract.ts';
import type { Extracted } from '../inventory/types.ts';
import { osPurl, prefixOf, releaseFilesFor, resolveTarget } from './common.ts';

const INSTALLED = 'lib/apk/db/installed';
// apk package names: letters, digits and a few marks (apk's own check is laxer; this only refuses garbage)
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

type Field = { readonly value: string; readonly line: number };

/** Parses `lib/apk/db/installed`. */
export function parseApkInstalled(text: string, path: string, related?: RelatedFiles): Extracted {
  const prefix = prefixOf(path, [INSTALLED]) ?? '';
  const resolved = resolveTarget(path, prefix, related, 'apk');
  if (!resolved.ok) return { packages: [], issues: [resolved.issue] };
  const t = resolved.target;
  const c = new Collector(path, t.ecosystem);
  if (t.note !== undefined) c.issue(t.note);

  let fields = new Map<string, Field>();
  let start = 0;
  const flush = () => {
    if (start === 0) return;
    const f = fields;
    const at = start;
    fields = new Map();
    start = 0;
    const p = f.get('P');
    const v = f.get('V');
    if (p === undefined || p.value === '') {
      c.issue('entry without a P: (name) line: skipped', at);
      return;
    }
    if (!NAME.test(p.value)) {
      c.issue(`package name ${JSON.stringify(p.value)} is not an apk name: skipped`, p.line);
      return;
    }
    if (v === undefined || v.value === '') {
      c.issue(`${p.value}: no V: (version) line: skipped`, p.line);
      return;
    }
    const origin = f.get('o')?.value;
    const sourceName = origin !== undefined && NAME.test(origin) ? origin : p.value;
    if (origin !== undefined && sourceName !== origin)
      c.issue(`${p.value}: origin ${JSON.stringify(origin)} is not an apk name: ignored`, f.get('o')!.line);
    const arch = f.get('A')?.value;
    c.add({
      name: p.value,
      version: v.value,
      line: p.line,
      sourceName,
      sourceVersion: v.value,
      purl: osPurl(t, p.value, v.value, { ...(arch !== undefined ? { arch } : {}), sourceName }),
    });
  };

  let lineNo = 0;
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    let line = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.length < 2 || line[1] !== ':' || !/[A-Za-z]/.test(line[0]!)) {
      c.issue(`not an "X:value" line: ${JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line)}`, lineNo);
      continue;
    }
    const key = line[0]!;
    if (key === 'P' && fields.has('P')) {
      // a new package without the blank line: take it as one, but say so
      c.issue('P: line without a blank line before it: a new entry is started', lineNo);
      flush();
    }
    if (start === 0) start = lineNo;
    if (key !== 'P' && key !== 'V' && key !== 'A' && key !== 'o') continue;
    if (fields.has(key)) {
      c.issue(`${key}: given twice in one entry: the first is used`, lineNo);
      continue;
    }
    fields.set(key, { value: line.slice(2).trim(), line: lineNo });
  }
  flush();
  return c.result();
}

/** `lib/apk/db/installed` of a rootfs. */
export const apkInstalled: Extractor = {
  id: 'os/apk',
  ecosystem: 'Alpine',
  kind: 'installed',
  matches(path) {
    return prefixOf(path, [INSTALLED]) !== undefined;
  },
  related(path) {
    return releaseFilesFor(path, [INSTALLED]);
  },
  extract(text, path, related) {
    return parseApkInstalled(text, path, related);
  },
};
