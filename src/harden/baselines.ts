// Baselines are data: YAML files of CheckSpecs (src/harden/baselines/*.yaml ship with Mamori; `--baseline FILE`
// adds more). Adding a baseline is adding a file. Validated with zod, so a bad file names its problem and index.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { MamoriError } from '../core/errors.ts';
import { SEVERITIES } from '../core/severity.ts';
import type { CheckSpec } from './types.ts';

export type HardenErrorCode = 'BASELINE_INVALID' | 'PROFILE_UNKNOWN' | 'TARGET_NOT_FOUND' | 'APPLY_FAILED';
export class HardenError extends MamoriError<HardenErrorCode> {}

/** The baselines shipped with Mamori. */
export const BUNDLED_BASELINES = join(import.meta.dirname, 'baselines');

const expectation = z.union([
  z.object({ equals: z.string() }).strict(),
  z.object({ oneOf: z.array(z.string()).min(1) }).strict(),
  z.object({ excludes: z.array(z.string()).min(1) }).strict(),
  z.object({ present: z.literal(true) }).strict(),
  z
    .object({ min: z.number().optional(), max: z.number().optional() })
    .strict()
    .refine((v) => v.min !== undefined || v.max !== undefined, 'give min, max or both'),
]);

const check = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ -'),
    title: z.string().min(1),
    severity: z.enum(SEVERITIES as [string, ...string[]]),
    engine: z.string().min(1),
    key: z.string().min(1),
    expect: expectation,
    fix: z.coerce.string(),
    with: z.record(z.string(), z.coerce.string()).optional(),
    refs: z.array(z.string()).default([]),
    profiles: z.array(z.string()).default([]),
    rationale: z.string().optional(),
  })
  .strict()
  .refine((c) => c.with === undefined || c.engine === 'sshd', {
    message: 'only sshd checks take `with` (settings the fix writes beside its own)',
    path: ['with'],
  });

/** Parses one baseline file's text: a YAML list of checks (or `{checks: [...]}`). */
export function parseBaseline(text: string, path: string): CheckSpec[] {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new HardenError('BASELINE_INVALID', `${path}: ${(err as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { checks?: unknown } | null)?.checks;
  if (!Array.isArray(list)) throw new HardenError('BASELINE_INVALID', `${path}: expected a list of checks`);
  return list.map((item, i) => {
    const r = check.safeParse(item);
    if (!r.success) {
      const first = r.error.issues[0]!;
      const id = (item as { id?: unknown } | null)?.id;
      throw new HardenError(
        'BASELINE_INVALID',
        `${path}: check ${i + 1}${typeof id === 'string' ? ` (${id})` : ''}: ${first.path.join('.') || 'check'}: ${first.message}`,
      );
    }
    return r.data as CheckSpec;
  });
}

/** Every check of the bundled baselines and of the extra files given; ids must be unique across them. */
export async function loadBaselines(extra: readonly string[] = []): Promise<CheckSpec[]> {
  const files = (await readdir(BUNDLED_BASELINES).catch(() => [] as string[]))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(BUNDLED_BASELINES, f));
  const out: CheckSpec[] = [];
  const seen = new Map<string, string>();
  for (const file of [...files, ...extra]) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new HardenError('BASELINE_INVALID', `${file}: ${(err as Error).message}`);
    }
    for (const c of parseBaseline(text, file)) {
      const other = seen.get(c.id);
      if (other !== undefined) throw new HardenError('BASELINE_INVALID', `${file}: check ${c.id} is also in ${other}`);
      seen.set(c.id, file);
      out.push(c);
    }
  }
  return out;
}

/** The checks of a profile (every check when none is given); an unknown profile is an error naming the known ones. */
export function selectProfile(checks: readonly CheckSpec[], profile: string | undefined): CheckSpec[] {
  if (profile === undefined) return [...checks];
  const picked = checks.filter((c) => c.profiles.includes(profile));
  if (picked.length === 0) {
    const known = [...new Set(checks.flatMap((c) => c.profiles))].sort();
    throw new HardenError('PROFILE_UNKNOWN', `no check is in profile ${profile}; known profiles: ${known.join(', ')}`);
  }
  return picked;
}
