import type { OsvEventKind } from '../versions/index.ts';
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord } from './schema.ts';
import type { OsvRecordHeader } from './store.ts';

/**
 * The compact JSON the index stores per record and per (package, record). Short keys and flat arrays: the
 * `versions` lists and events are most of an OSV database, and the index is read a package at a time, so a
 * smaller row is a faster lookup. `GIT` ranges are not stored: packages are matched by version, and a GIT
 * range's commits say nothing about one (its `versions` list, which osv.dev fills from the tags, is kept).
 *
 * Entry:  {"e"?: ecosystem when it has a suffix, "n"?: name when it differs from the key,
 *          "r"?: [[type, kind, value, kind, value, ...], ...], "v"?: [versions], "s"?: [[type, score], ...],
 *          "p"?: purl}
 * Header: {"a"?: aliases, "rl"?: related, "s"?: summary, "sv"?: [[type, score]], "ds"?: database severity,
 *          "rf"?: [[type, url]], "pb"?: published}
 * `modified` and `withdrawn` have their own columns.
 */

const KIND_CODE: Readonly<Record<OsvEventKind, string>> = {
  introduced: 'i',
  fixed: 'f',
  last_affected: 'a',
  limit: 'l',
};
const CODE_KIND: Readonly<Record<string, OsvEventKind>> = {
  i: 'introduced',
  f: 'fixed',
  a: 'last_affected',
  l: 'limit',
};
const TYPE_CODE: Readonly<Record<string, string>> = { SEMVER: 'S', ECOSYSTEM: 'E' };
const CODE_TYPE: Readonly<Record<string, string>> = { S: 'SEMVER', E: 'ECOSYSTEM' };

type EncodedEntry = { e?: string; n?: string; r?: string[][]; v?: string[]; s?: string[][]; p?: string };
type EncodedHeader = {
  a?: string[];
  rl?: string[];
  s?: string;
  sv?: string[][];
  ds?: string;
  rf?: string[][];
  pb?: string;
};

/** Encodes the entries of one record for one (base ecosystem, normalised name) key. */
export function encodeEntries(entries: readonly OsvAffected[], base: string, key: string): string {
  const out: EncodedEntry[] = [];
  for (const a of entries) {
    const e: EncodedEntry = {};
    if (a.ecosystem !== base) e.e = a.ecosystem;
    if (a.name !== key) e.n = a.name;
    const ranges = a.ranges.filter((r) => r.type !== 'GIT');
    if (ranges.length > 0) {
      e.r = ranges.map((r) => {
        const flat = [TYPE_CODE[r.type] ?? r.type];
        for (const ev of r.events) flat.push(KIND_CODE[ev.kind], ev.value);
        return flat;
      });
    }
    if (a.versions.length > 0) e.v = [...a.versions];
    if (a.severity.length > 0) e.s = a.severity.map((s) => [s.type, s.score]);
    if (a.purl !== undefined) e.p = a.purl;
    out.push(e);
  }
  return JSON.stringify(out);
}

/** Decodes what `encodeEntries` wrote. */
export function decodeEntries(text: string, base: string, key: string): OsvAffected[] {
  const raw = JSON.parse(text) as EncodedEntry[];
  return raw.map((e) => {
    const ranges: OsvRange[] = (e.r ?? []).map((flat) => {
      const events: OsvEvent[] = [];
      for (let i = 1; i + 1 < flat.length; i += 2) {
        events.push({ kind: CODE_KIND[flat[i] as string] as OsvEventKind, value: flat[i + 1] as string });
      }
      const t = flat[0] as string;
      return { type: CODE_TYPE[t] ?? t, events };
    });
    return {
      ecosystem: e.e ?? base,
      name: e.n ?? key,
      ...(e.p === undefined ? {} : { purl: e.p }),
      ranges,
      versions: e.v ?? [],
      severity: (e.s ?? []).map(([type, score]) => ({ type: type as string, score: score as string })),
    };
  });
}

/** Encodes a record's header (everything but `affected`, `id`, `modified`, `withdrawn`). */
export function encodeHeader(r: OsvRecord): string {
  const h: EncodedHeader = {};
  if (r.aliases.length > 0) h.a = [...r.aliases];
  if (r.related.length > 0) h.rl = [...r.related];
  if (r.summary !== undefined) h.s = r.summary;
  if (r.severity.length > 0) h.sv = r.severity.map((s) => [s.type, s.score]);
  if (r.databaseSeverity !== undefined) h.ds = r.databaseSeverity;
  if (r.references.length > 0) h.rf = r.references.map((x) => [x.type, x.url]);
  if (r.published !== undefined) h.pb = r.published;
  return JSON.stringify(h);
}

export function decodeHeader(
  id: string,
  modified: string | null,
  withdrawn: string | null,
  text: string,
): OsvRecordHeader {
  const h = JSON.parse(text) as EncodedHeader;
  return {
    id,
    ...(modified === null ? {} : { modified }),
    ...(h.pb === undefined ? {} : { published: h.pb }),
    ...(withdrawn === null ? {} : { withdrawn }),
    aliases: h.a ?? [],
    related: h.rl ?? [],
    ...(h.s === undefined ? {} : { summary: h.s }),
    severity: (h.sv ?? []).map(([type, score]) => ({ type: type as string, score: score as string })),
    ...(h.ds === undefined ? {} : { databaseSeverity: h.ds }),
    references: (h.rf ?? []).map(([type, url]) => ({ type: type as string, url: url as string })),
  };
}
