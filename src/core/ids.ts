import { createHash } from 'node:crypto';

declare const brand: unique symbol;
/** A nominal type: a string that has been checked to be a T. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Stable id of a finding: a hash of what was found (kind, rule, asset, evidence), so re-runs do not duplicate. */
export type FindingId = Brand<string, 'FindingId'>;
export type Sha256Hex = Brand<string, 'Sha256Hex'>;

export function sha256Hex(data: string | Uint8Array): Sha256Hex {
  return createHash('sha256').update(data).digest('hex') as Sha256Hex;
}

/**
 * Derives a FindingId from its identifying parts. Parts are joined with a separator that cannot occur in them
 * unescaped, so ("a|b","c") and ("a","b|c") differ.
 */
export function findingId(parts: readonly (string | number | undefined)[]): FindingId {
  const text = parts
    .map((p) => (p === undefined ? '\u0000' : String(p).replaceAll('\\', '\\\\').replaceAll('|', '\\|')))
    .join('|');
  return `f-${sha256Hex(text).slice(0, 32)}` as FindingId;
}
