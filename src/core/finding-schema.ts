import { z } from 'zod';
import type { Finding } from './finding.ts';
import { SEVERITIES } from './severity.ts';

const severity = z.enum(SEVERITIES as unknown as [string, ...string[]]);

/**
 * A Finding as the detectors write it (`hunt`/`scan`/`harden` jsonl). Strict on what every consumer relies on,
 * open to the kind-specific fields detectors add at the top level (scan's `package`, harden's `patch`), which are
 * kept as they are.
 */
export const FindingSchema = z.looseObject({
  id: z.string().regex(/^f-[0-9a-f]{32}$/, 'a Mamori finding id (f- and 32 hex digits)'),
  kind: z.enum(['detection', 'vulnerability', 'misconfiguration', 'exposure']),
  severity,
  title: z.string(),
  rule: z.looseObject({
    id: z.string().min(1),
    title: z.string(),
    level: severity,
    tags: z.array(z.string()),
  }),
  asset: z.looseObject({
    kind: z.enum(['host', 'file', 'package', 'image', 'service']),
    name: z.string(),
    criticality: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  }),
  time: z.string().optional(),
  evidence: z.array(z.looseObject({ source: z.looseObject({ file: z.string() }), data: z.unknown() })),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** Parses one finding; the error names the first bad field. */
export function parseFinding(value: unknown): { finding: Finding } | { error: string } {
  const r = FindingSchema.safeParse(value);
  if (r.success) return { finding: r.data as unknown as Finding };
  const first = r.error.issues[0]!;
  return { error: `${first.path.join('.') || 'finding'}: ${first.message}` };
}
