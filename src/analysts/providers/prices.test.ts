import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../core/errors.ts';
import { bundledPriceTable, costOf, parsePriceTable } from './prices.ts';

const TABLE = `
version: 'test-1'
date: '2026-12-01'
currency: USD
unit: per million tokens
openai:
  - match: ['gpt-x', 'gpt-x-{date}']
    input: 2
    output: 8
anthropic:
  - match: ['claude-y']
    input: 3
    output: 15
`;

describe('price table', () => {
  it('ships a versioned, dated table that prices current models and their snapshots', () => {
    const table = bundledPriceTable();
    assert.match(table.version, /^\d{4}-\d{2}-\d{2}\.\d+$/);
    assert.match(table.date, /^\d{4}-\d{2}-\d{2}$/);
    for (const [vendor, model] of [
      ['openai', 'gpt-4.1-mini'],
      ['openai', 'gpt-4.1-mini-2025-04-14'],
      ['openai', 'gpt-5.4-mini'],
      ['anthropic', 'claude-haiku-4-5'],
      ['anthropic', 'claude-haiku-4-5-20251001'],
      ['anthropic', 'claude-sonnet-4-6'],
    ] as const) {
      const price = table.price(vendor, model);
      assert.ok(price && price.input > 0 && price.output > price.input, `${vendor}:${model}`);
    }
  });

  const lookups: [
    name: string,
    vendor: 'openai' | 'anthropic' | 'openai-compatible',
    model: string,
    expected?: { input: number; output: number },
  ][] = [
    ['exact', 'openai', 'gpt-x', { input: 2, output: 8 }],
    ['dashed snapshot', 'openai', 'gpt-x-2026-01-31', { input: 2, output: 8 }],
    ['compact snapshot', 'openai', 'gpt-x-20260131', { input: 2, output: 8 }],
    ['a longer name is another model', 'openai', 'gpt-x-mini', undefined],
    ['a prefix is another model', 'openai', 'gpt-', undefined],
    ['no snapshot pattern listed', 'anthropic', 'claude-y-20260101', undefined],
    ['the other vendor', 'anthropic', 'gpt-x', undefined],
    ['compatible servers have no price', 'openai-compatible', 'gpt-x', undefined],
    ['dots are literal', 'openai', 'gptxx', undefined],
  ];
  for (const [name, vendor, model, expected] of lookups) {
    it(`looks up ${name}`, () => assert.deepEqual(parsePriceTable(TABLE).price(vendor, model), expected));
  }

  it('costs tokens at the table price, with its version; unknown models get tokens but no dollars', () => {
    const table = parsePriceTable(TABLE);
    assert.deepEqual(costOf(table, 'openai', 'gpt-x-2026-01-31', { inputTokens: 1_000, outputTokens: 500 }), {
      inputTokens: 1_000,
      outputTokens: 500,
      usd: 0.006,
      priceTable: 'test-1',
    });
    assert.deepEqual(costOf(table, 'openai', 'gpt-unknown', { inputTokens: 10, outputTokens: 5 }), {
      inputTokens: 10,
      outputTokens: 5,
    });
    assert.deepEqual(costOf(undefined, 'openai', 'gpt-x', { inputTokens: 10, outputTokens: 5 }), {
      inputTokens: 10,
      outputTokens: 5,
    });
  });

  const broken: [name: string, text: string, message: RegExp][] = [
    ['not YAML', 'version: [', /not YAML/],
    ['no version', TABLE.replace("version: 'test-1'", ''), /version/],
    ['a bad date', TABLE.replace("'2026-12-01'", "'last week'"), /date/],
    ['another currency', TABLE.replace('USD', 'EUR'), /currency/],
    ['a negative price', TABLE.replace('input: 2', 'input: -2'), /openai\.0\.input/],
    ['an unknown field', TABLE.replace('output: 8', 'output: 8\n    cached: 1'), /cached|unrecognized/i],
    ['a name listed twice', TABLE.replace("'gpt-x-{date}'", "'gpt-x'"), /listed twice/],
    ['a glob', TABLE.replace("'gpt-x-{date}'", "'gpt-*'"), /model name/],
  ];
  for (const [name, text, message] of broken) {
    it(`refuses a table with ${name}`, () =>
      assert.throws(
        () => parsePriceTable(text, 'prices.yaml'),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      ));
  }
});
