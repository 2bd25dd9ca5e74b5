import { z } from 'zod';
import type { OsvEventKind } from '../versions/index.ts';

/**
 * OSV records (ossf.github.io/osv-schema) as the feed gives them, parsed into what matching needs.
 *
 * Permissive where a field only decorates a finding (summary, references, severity, dates): a value of the
 * wrong shape is dropped and the record kept. Strict where matching depends on it (id, withdrawn, aliases,
 * affected packages, ranges, events, versions): a record that is wrong there is refused whole, so that the
 * importer reports it by name instead of half-matching it.
 */

/** Identifiers, names and versions come from the feed: bound them before they reach an index or a parser. */
const MAX_ID = 256;
const MAX_NAME = 1024;
const MAX_VERSION = 512;

const Id = z.string().min(1).max(MAX_ID);

const EVENT_KINDS: readonly OsvEventKind[] = ['introduced', 'fixed', 'last_affected', 'limit'];

/** One event: exactly one of `introduced`, `fixed`, `last_affected`, `limit` (the schema's rule). */
const RawEvent = z
  .object({
    introduced: z.string().max(MAX_VERSION).optional(),
    fixed: z.string().max(MAX_VERSION).optional(),
    last_affected: z.string().max(MAX_VERSION).optional(),
    limit: z.string().max(MAX_VERSION).optional(),
  })
  .transform((e, ctx): OsvEvent => {
    const present = EVENT_KINDS.filter((k) => e[k] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `an event has ${present.length} of introduced/fixed/last_affected/limit`,
      });
      return z.NEVER;
    }
    const kind = present[0] as OsvEventKind;
    return { kind, value: e[kind] as string };
  });

const RawRange = z.object({
  type: z.string().min(1).max(64),
  repo: z.string().max(MAX_NAME).optional().catch(undefined),
  events: z.array(RawEvent),
});

/** `severity[]` entries; a malformed one is dropped (it only grades a finding). */
const RawSeverity = z
  .array(z.unknown())
  .transform((items) =>
    items.flatMap((s): OsvSeverity[] => {
      if (typeof s !== 'object' || s === null) return [];
      const { type, score } = s as { type?: unknown; score?: unknown };
      return typeof type === 'string' && typeof score === 'string' && score.length <= 512 ? [{ type, score }] : [];
    }),
  )
  .optional()
  .catch(undefined);

const RawAffected = z.object({
  package: z
    .object({
      ecosystem: z.string().min(1).max(MAX_NAME),
      name: z.string().min(1).max(MAX_NAME),
      purl: z.string().max(MAX_NAME).optional().catch(undefined),
    })
    .optional(),
  ranges: z.array(RawRange).optional(),
  versions: z.array(z.string().max(MAX_VERSION)).nullish(),
  severity: RawSeverity,
});

const RawReferences = z
  .array(z.unknown())
  .transform((items) =>
    items.flatMap((r): OsvReference[] => {
      if (typeof r !== 'object' || r === null) return [];
      const { type, url } = r as { type?: unknown; url?: unknown };
      return typeof url === 'string' && url.length <= 4096
        ? [{ type: typeof type === 'string' ? type : 'WEB', url }]
        : [];
    }),
  )
  .optional()
  .catch(undefined);

const optionalText = (max: number) => z.string().max(max).optional().catch(undefined);

export const RawOsvRecord = z.object({
  id: Id,
  modified: optionalText(64),
  published: optionalText(64),
  withdrawn: z.string().max(64).optional(),
  aliases: z.array(Id).nullish(),
  related: z.array(z.string()).nullish().catch(undefined),
  summary: optionalText(4096),
  severity: RawSeverity,
  affected: z.array(RawAffected).nullish(),
  references: RawReferences,
  database_specific: z.record(z.string(), z.unknown()).nullish().catch(undefined),
});

export type OsvEvent = { readonly kind: OsvEventKind; readonly value: string };
export type OsvRange = {
  /** `SEMVER`, `ECOSYSTEM` or `GIT` (others are kept and ignored by the matcher). */
  readonly type: string;
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
};
export type OsvSeverity = { readonly type: string; readonly score: string };
export type OsvReference = { readonly type: string; readonly url: string };

/** One `affected[]` entry that names a package (entries without `package` only describe GIT commits). */
export type OsvAffected = {
  /** As the record spells it, suffix included (`AlmaLinux:9`). */
  readonly ecosystem: string;
  /** As the record spells it (the index keys it by the ecosystem's normalised form). */
  readonly name: string;
  readonly purl?: string;
  readonly ranges: readonly OsvRange[];
  readonly versions: readonly string[];
  readonly severity: readonly OsvSeverity[];
};

/** What Mamori keeps of an OSV record. */
export type OsvRecord = {
  readonly id: string;
  readonly modified?: string;
  readonly published?: string;
  /** Set when the record was withdrawn: the matcher ignores it. */
  readonly withdrawn?: string;
  readonly aliases: readonly string[];
  readonly related: readonly string[];
  readonly summary?: string;
  readonly severity: readonly OsvSeverity[];
  /** `database_specific.severity` when it is a word (GHSA: LOW, MODERATE, HIGH, CRITICAL). */
  readonly databaseSeverity?: string;
  readonly references: readonly OsvReference[];
  readonly affected: readonly OsvAffected[];
};

export type RecordParse =
  { readonly ok: true; readonly record: OsvRecord } | { readonly ok: false; readonly reason: string };

/** Validates a decoded JSON value as an OSV record. Never throws. */
export function parseOsvRecord(value: unknown): RecordParse {
  const r = RawOsvRecord.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, reason: `not an OSV record${at}: ${issue?.message ?? 'invalid'}` };
  }
  const raw = r.data;
  const dbSeverity = raw.database_specific?.['severity'];
  const affected: OsvAffected[] = [];
  for (const a of raw.affected ?? []) {
    if (a.package === undefined) continue;
    affected.push({
      ecosystem: a.package.ecosystem,
      name: a.package.name,
      ...(a.package.purl === undefined ? {} : { purl: a.package.purl }),
      ranges: (a.ranges ?? []).map((g) => ({
        type: g.type,
        ...(g.repo === undefined ? {} : { repo: g.repo }),
        events: g.events,
      })),
      versions: a.versions ?? [],
      severity: a.severity ?? [],
    });
  }
  const record: OsvRecord = {
    id: raw.id,
    ...(raw.modified === undefined ? {} : { modified: raw.modified }),
    ...(raw.published === undefined ? {} : { published: raw.published }),
    ...(raw.withdrawn === undefined ? {} : { withdrawn: raw.withdrawn }),
    aliases: raw.aliases ?? [],
    related: raw.related ?? [],
    ...(raw.summary === undefined ? {} : { summary: raw.summary }),
    severity: raw.severity ?? [],
    ...(typeof dbSeverity === 'string' && dbSeverity.length <= 32 ? { databaseSeverity: dbSeverity } : {}),
    references: raw.references ?? [],
    affected,
  };
  return { ok: true, record };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes and validates one record file (`<ID>.json`). Never throws. */
export function parseOsvJson(bytes: Uint8Array | string): RecordParse {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : utf8.decode(bytes));
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  return parseOsvRecord(value);
}
