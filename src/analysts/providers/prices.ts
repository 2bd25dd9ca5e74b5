import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../../core/errors.ts';
import type { VerdictCost } from '../../core/verdict.ts';
import type { ModelUsage, ModelVendor } from './provider.ts';

/** US dollars per million tokens. */
export type ModelPrice = { readonly input: number; readonly output: number };

export type PriceTable = {
  readonly version: string;
  /** When the figures were checked (ISO date). */
  readonly date: string;
  /** The price of a model as the provider names it in its reply; undefined when the table does not list it. */
  price(vendor: ModelVendor, model: string): ModelPrice | undefined;
};

const Name = z.string().regex(/^(?:[A-Za-z0-9._:/-]|\{date\})+$/, 'a model name; `{date}` stands for a snapshot date');
const Entry = z.strictObject({
  match: z.array(Name).min(1),
  input: z.number().min(0),
  output: z.number().min(0),
});
const Table = z.strictObject({
  version: z.string().min(1),
  date: z.iso.date(),
  currency: z.literal('USD'),
  unit: z.literal('per million tokens'),
  openai: z.array(Entry).default([]),
  anthropic: z.array(Entry).default([]),
});

const DATE = String.raw`(?:\d{4}-\d{2}-\d{2}|\d{8})`;

/** Parses a price table (YAML). Strict: a table that does not validate, or lists one name twice, is refused. */
export function parsePriceTable(text: string, source = 'price table'): PriceTable {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${source}: not YAML: ${(err as Error).message}`, { cause: err });
  }
  const parsed = Table.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${source}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const { version, date } = parsed.data;
  const compiled = new Map<ModelVendor, { pattern: RegExp; price: ModelPrice }[]>();
  for (const vendor of ['openai', 'anthropic'] as const) {
    const seen = new Set<string>();
    const rows: { pattern: RegExp; price: ModelPrice }[] = [];
    for (const { match, input, output } of parsed.data[vendor]) {
      for (const name of match) {
        if (seen.has(name)) throw new UsageError(`${source}: ${vendor}: ${name} is listed twice`);
        seen.add(name);
        const body = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll(String.raw`\{date\}`, DATE);
        rows.push({ pattern: new RegExp(`^${body}$`), price: { input, output } });
      }
    }
    compiled.set(vendor, rows);
  }
  return {
    version,
    date,
    price: (vendor, model) => compiled.get(vendor)?.find((row) => row.pattern.test(model))?.price,
  };
}

let bundled: PriceTable | undefined;

/** The table shipped beside this module (`prices.yaml`), read once. */
export function bundledPriceTable(): PriceTable {
  const url = new URL('./prices.yaml', import.meta.url);
  bundled ??= parsePriceTable(readFileSync(url, 'utf8'), url.pathname);
  return bundled;
}

/** Tokens and, when the table prices the model, dollars (rounded to a nano-dollar so sums stay readable). */
export function costOf(
  table: PriceTable | undefined,
  vendor: ModelVendor,
  model: string | undefined,
  usage: ModelUsage,
): VerdictCost {
  const price = model === undefined ? undefined : table?.price(vendor, model);
  if (!table || !price) return { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
  const usd = (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    usd: Math.round(usd * 1e9) / 1e9,
    priceTable: table.version,
  };
}
