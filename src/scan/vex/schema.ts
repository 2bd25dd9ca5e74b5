import { z } from 'zod';
import { MAX_GLOB_LENGTH } from './glob.ts';
import { SUPPRESSION_STATUSES, VEX_JUSTIFICATIONS, VEX_STATUSES } from './types.ts';

/**
 * The shapes of ignore files. The YAML ignore file is our own input and strict: an unknown key in an entry
 * (a typo such as `path:` would otherwise widen the entry to every path) refuses the entry. OpenVEX documents
 * come from vendors and carry JSON-LD extras, so unknown keys are let through there, but every field that
 * decides whether a finding is suppressed is checked.
 */

// the file may be hostile: bound every string and list before it reaches an index or a parser
const MAX_ID = 256;
const MAX_PURL = 4096;
const MAX_TEXT = 16_384;
const MAX_LIST = 100_000;

const Id = z.string().trim().min(1).max(MAX_ID);
const Text = z.string().max(MAX_TEXT);

/** A date as YAML gives it: a string (the core schema has no timestamps), or a Date from a YAML 1.1 tag. */
const DateValue = z.union([z.string().max(64), z.date()]);

/** One entry of `vulnerabilities:` in a .trivyignore.yaml-style file. */
export const YamlIgnoreEntry = z.strictObject({
  id: Id.optional(),
  purls: z.array(z.string().min(1).max(MAX_PURL)).max(MAX_LIST).optional(),
  paths: z.array(z.string().min(1).max(MAX_GLOB_LENGTH)).max(MAX_LIST).optional(),
  statement: z
    .string({ error: 'required (the reason for ignoring it)' })
    .trim()
    .min(1, 'required (the reason for ignoring it)')
    .max(MAX_TEXT),
  expired_at: DateValue.optional(),
  expires: DateValue.optional(),
  status: z.enum(SUPPRESSION_STATUSES).optional(),
});
export type YamlIgnoreEntry = z.infer<typeof YamlIgnoreEntry>;

/** A product or subcomponent: an IRI/purl string (v0.0.1) or a component struct (v0.0.2 and later). */
const Component = z.union([
  z.string().max(MAX_PURL),
  z.object({
    '@id': z.string().max(MAX_PURL).optional(),
    identifiers: z.object({ purl: z.string().max(MAX_PURL).optional() }).optional(),
  }),
]);

const Product = z.union([
  z.string().max(MAX_PURL),
  z.object({
    '@id': z.string().max(MAX_PURL).optional(),
    identifiers: z.object({ purl: z.string().max(MAX_PURL).optional() }).optional(),
    subcomponents: z.array(Component).max(MAX_LIST).optional(),
  }),
]);
export type OpenVexComponent = z.infer<typeof Component>;
export type OpenVexProduct = z.infer<typeof Product>;

/** The vulnerability: a struct with `name` and `aliases` (v0.2.0), or the bare id string of v0.0.1. */
const Vulnerability = z.union([
  Id,
  z.object({
    '@id': z.string().max(MAX_PURL).optional(),
    name: Id,
    aliases: z.array(Id).max(1000).optional(),
  }),
]);

/** One OpenVEX statement (spec v0.2.0, "Statement Fields"), plus our `mamori_expires` extension. */
export const OpenVexStatement = z.object({
  vulnerability: Vulnerability,
  products: z.array(Product).max(MAX_LIST).optional(),
  status: z.enum(VEX_STATUSES),
  justification: z.enum(VEX_JUSTIFICATIONS).optional(),
  impact_statement: Text.optional(),
  action_statement: Text.optional(),
  status_notes: Text.optional(),
  timestamp: z.string().max(64).optional(),
  last_updated: z.string().max(64).optional(),
  mamori_expires: z.string().max(64).optional(),
});
export type OpenVexStatement = z.infer<typeof OpenVexStatement>;

/** The first few problems zod found, as one line. */
export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
