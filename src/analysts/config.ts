// mamori.yaml: the one configuration file of triage — which analysts judge by default, the consensus policies,
// model call limits, redaction. Secrets never live in it: a provider's key comes from the environment (the
// providers' usual variables, or the variable a `apiKeyEnv` names). Our own input, so strict: an unknown key is a
// typo that would otherwise silently change nothing.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';
import { PolicySpec, DEFAULT_POLICY } from './consensus/policy.ts';
import { RedactorOptions } from './redact/schema.ts';

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

export const MamoriConfig = z
  .object({
    triage: z
      .object({
        /** Analyst names as on the command line; two or more independent ones. */
        analysts: z.array(z.string().min(1)).min(1).default(['builtin-rules', 'builtin-rarity']),
        policy: z.string().default(DEFAULT_POLICY),
        /** Per finding, all analysts together. */
        deadlineSeconds: z.number().positive().max(3600).default(60),
        /** Findings in flight at once. */
        concurrency: z.number().int().min(1).max(256).default(4),
      })
      .strict()
      .default({
        analysts: ['builtin-rules', 'builtin-rarity'],
        policy: DEFAULT_POLICY,
        deadlineSeconds: 60,
        concurrency: 4,
      }),
    models: z
      .object({
        /** One HTTP attempt. */
        callTimeoutSeconds: z.number().positive().max(600).default(30),
        /** Attempts per finding per model, the first included. */
        maxAttempts: z.number().int().min(1).max(10).default(3),
        /** Retries across a whole run, shared by every model analyst (a storm of 429s ends, it does not loop). */
        retryBudget: z.number().int().min(0).default(100),
        maxOutputTokens: z.number().int().min(64).max(32_768).default(1024),
        /** A price table to use instead of the bundled one (same format as src/analysts/providers/prices.yaml). */
        prices: z.string().optional(),
        compatible: z
          .object({
            /** What the server supports: OpenAI's json_schema, json_object, or plain text validated by us. */
            structured: z.enum(['json_schema', 'json_object', 'none']).default('json_schema'),
            /** The variable holding its key, if it needs one (a compatible server never gets OPENAI_API_KEY). */
            apiKeyEnv: EnvName.optional(),
          })
          .strict()
          .default({ structured: 'json_schema' }),
      })
      .strict()
      .default({
        callTimeoutSeconds: 30,
        maxAttempts: 3,
        retryBudget: 100,
        maxOutputTokens: 1024,
        compatible: { structured: 'json_schema' },
      }),
    /** What is masked before anything reaches a model outside the machine. */
    redaction: RedactorOptions.omit({ mapping: true }).default(RedactorOptions.omit({ mapping: true }).parse({})),
    /** Consensus policies; a name here replaces the built-in one of that name. */
    policies: z.array(PolicySpec).default([]),
    builtin: z
      .object({
        /** Where builtin-rarity keeps the fleet's history (default $MAMORI_HOME/analysts/history). */
        historyDir: z.string().optional(),
        /** Extra known-benign patterns for builtin-rules (YAML, the bundled file's format). */
        knownBenign: z.string().optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type MamoriConfig = z.infer<typeof MamoriConfig>;

/** The defaults, as if mamori.yaml were empty. */
export function defaultConfig(): MamoriConfig {
  return MamoriConfig.parse({});
}

/** Parses mamori.yaml's text; the error names the file and the first bad key. */
export function parseConfig(text: string, path: string): MamoriConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new UsageError(`${path}: not valid YAML: ${(err as Error).message}`);
  }
  const r = MamoriConfig.safeParse(doc);
  if (!r.success) {
    const first = r.error.issues[0]!;
    throw new UsageError(`${path}: ${first.path.join('.') || 'top level'}: ${first.message}`);
  }
  const names = r.data.policies.map((p) => p.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`${path}: policies: "${dup}" is defined twice`);
  return r.data;
}
