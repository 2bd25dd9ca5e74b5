// Analyst names → analysts. The one place that knows every kind: `builtin-<name>` (offline), `openai:<model>`,
// `anthropic:<model>` and `openai-compatible:<model>@<URL>`. Every model analyst of a run shares one redactor (so
// a user is the same mask for every model, and the mapping is one file), one price table and one retry budget.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { Finding } from '../core/index.ts';
import type { Analyst } from './analyst.ts';
import { BUILTIN_ANALYST_NAMES, createBuiltinAnalyst, isBuiltinAnalystName } from './builtin/registry.ts';
import type { MamoriConfig } from './config.ts';
import { ModelAnalyst, RetryBudget } from './model/analyst.ts';
import { isModelAnalystName, parseModelAnalystName } from './model/names.ts';
import { AnthropicModelProvider } from './providers/anthropic.ts';
import { OpenAiModelProvider } from './providers/openai.ts';
import { bundledPriceTable, parsePriceTable, type PriceTable } from './providers/prices.ts';
import type { ModelProvider } from './providers/provider.ts';
import { createRedactor, type MaskingRedactor } from './redact/index.ts';
import { saveMapping } from './redact/store.ts';

export type AnalystSet = {
  readonly analysts: readonly Analyst[];
  /** Closes every analyst (flushing builtin-rarity's history) and writes the redaction mapping, if any. */
  close(): Promise<void>;
  /** Where the redaction mapping was written by close(), when a model analyst masked anything. */
  mappingFile(): string | undefined;
};

export type AnalystEnvironment = {
  readonly config: MamoriConfig;
  /** The providers' variables are read from here (tests pass their own). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Mamori's data directory: builtin-rarity's history and the redaction mapping live under it by default. */
  readonly home: string;
};

/** Every analyst kind, for error messages and --help. */
export function knownAnalystForms(): string[] {
  return [...BUILTIN_ANALYST_NAMES, 'openai:<model>', 'anthropic:<model>', 'openai-compatible:<model>@<URL>'];
}

async function priceTable(config: MamoriConfig): Promise<PriceTable> {
  const file = config.models.prices;
  if (file === undefined) return bundledPriceTable();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`models.prices: cannot read the price table ${file}: ${(err as Error).message}`);
  }
  return parsePriceTable(text, file);
}

function provider(name: string, { config, env }: AnalystEnvironment): { provider: ModelProvider; model: string } {
  const parsed = parseModelAnalystName(name);
  switch (parsed.vendor) {
    case 'openai':
      return { provider: new OpenAiModelProvider({ vendor: 'openai', env }), model: parsed.model };
    case 'anthropic':
      return { provider: new AnthropicModelProvider({ env }), model: parsed.model };
    case 'openai-compatible': {
      const keyEnv = config.models.compatible.apiKeyEnv;
      const apiKey = keyEnv === undefined ? undefined : env[keyEnv];
      if (keyEnv !== undefined && !apiKey) {
        throw new UsageError(`models.compatible.apiKeyEnv names ${keyEnv}, which is not set: export it`);
      }
      return {
        provider: new OpenAiModelProvider({
          vendor: 'openai-compatible',
          baseURL: parsed.baseURL,
          structured: config.models.compatible.structured,
          ...(apiKey ? { apiKey } : {}),
          env,
        }),
        model: parsed.model,
      };
    }
  }
}

/**
 * Creates the analysts `names` spell, in that order. Throws a UsageError for an unknown or repeated name, a
 * missing key, or a bad price table, before any analyst is used; analysts made before the failure are closed.
 */
export async function createAnalysts(names: readonly string[], environment: AnalystEnvironment): Promise<AnalystSet> {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new UsageError(`analyst "${n}" is named twice: each analyst judges once per finding`);
    seen.add(n);
  }
  const { config, home } = environment;
  const analysts: Analyst[] = [];
  let redactor: MaskingRedactor | undefined;
  let prices: PriceTable | undefined;
  let budget: RetryBudget | undefined;
  let mappingFile: string | undefined;
  const closeAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const a of analysts) {
      try {
        await a.close?.();
      } catch (err) {
        errors.push(err);
      }
    }
    if (redactor && redactor.exportMapping().entries.length > 0) {
      try {
        mappingFile = await saveMapping(redactor.exportMapping(), { dir: join(home, 'analysts') });
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw errors[0];
  };
  try {
    for (const name of names) {
      if (isBuiltinAnalystName(name)) {
        analysts.push(
          await createBuiltinAnalyst(name, {
            historyDir: config.builtin.historyDir ?? join(home, 'analysts', 'history'),
            ...(config.builtin.knownBenign ? { knownBenign: config.builtin.knownBenign } : {}),
          }),
        );
        continue;
      }
      if (!isModelAnalystName(name)) {
        throw new UsageError(`unknown analyst "${name}"; known: ${knownAnalystForms().join(', ')}`);
      }
      redactor ??= createRedactor(config.redaction);
      prices ??= await priceTable(config);
      budget ??= new RetryBudget(config.models.retryBudget);
      const { provider: p, model } = provider(name, environment);
      const analyst = new ModelAnalyst({
        name,
        model,
        provider: p,
        redactor,
        prices,
        retryBudget: budget,
        maxOutputTokens: config.models.maxOutputTokens,
        callTimeoutMs: config.models.callTimeoutSeconds * 1000,
        maxAttempts: config.models.maxAttempts,
      });
      const shared = redactor;
      // the redactor learns every user and host name of the batch first, so a name that appears only in a later
      // finding's command line is masked in the first one too
      analysts.push({
        name,
        judge: (finding, ctx) => analyst.judge(finding, ctx),
        prepare: (findings: readonly Finding[]) => shared.learn(findings),
      });
    }
  } catch (err) {
    await closeAll().catch(() => undefined);
    throw err;
  }
  return { analysts, close: closeAll, mappingFile: () => mappingFile };
}
