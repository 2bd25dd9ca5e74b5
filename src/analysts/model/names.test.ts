import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../core/errors.ts';
import { isModelAnalystName, parseModelAnalystName } from './names.ts';

describe('model analyst names', () => {
  const good: [string, Readonly<Record<string, string>>][] = [
    ['openai:gpt-4.1-mini', { vendor: 'openai', model: 'gpt-4.1-mini' }],
    ['anthropic:claude-haiku-4-5-20251001', { vendor: 'anthropic', model: 'claude-haiku-4-5-20251001' }],
    [
      'openai:ft:gpt-4o-mini-2024-07-18:acme::abc123',
      { vendor: 'openai', model: 'ft:gpt-4o-mini-2024-07-18:acme::abc123' },
    ],
    [
      'openai-compatible:llama3.1:8b@http://localhost:11434/v1',
      { vendor: 'openai-compatible', model: 'llama3.1:8b', baseURL: 'http://localhost:11434/v1' },
    ],
    [
      'openai-compatible:hf.co/org/model:Q4_K_M@https://gpu.internal:8000/v1/',
      { vendor: 'openai-compatible', model: 'hf.co/org/model:Q4_K_M', baseURL: 'https://gpu.internal:8000/v1' },
    ],
  ];
  for (const [text, expected] of good) {
    it(`parses ${text}`, () => {
      assert.deepEqual(parseModelAnalystName(text), { ...expected, name: text });
      assert.equal(isModelAnalystName(text), true);
    });
  }

  const bad: [string, RegExp][] = [
    ['builtin-rules', /unknown analyst.*expected openai:<model>/],
    ['gemini:pro', /unknown analyst/],
    ['openai:', /model is missing/],
    ['anthropic:claude haiku', /not a model name/],
    ['openai:gpt-4.1@http://localhost:1234', /only openai-compatible takes a base URL/],
    ['openai-compatible:llama3', /needs a base URL/],
    ['openai-compatible:@http://localhost:11434/v1', /model is missing/],
    ['openai-compatible:llama3@localhost:11434', /must be http or https/],
    ['openai-compatible:llama3@ftp://host/v1', /must be http or https/],
    ['openai-compatible:llama3@not a url', /is not a URL/],
    ['openai-compatible:llama3@http://user:secret@host/v1', /must not hold credentials/],
    ['openai-compatible:llama3@http://host/v1?key=1', /query or fragment/],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${text}`, () =>
      assert.throws(
        () => parseModelAnalystName(text),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      ));
  }

  it('tells model names from others by prefix only', () => {
    assert.equal(isModelAnalystName('builtin-rules'), false);
    assert.equal(isModelAnalystName('openai-compatible:x'), true);
  });
});
