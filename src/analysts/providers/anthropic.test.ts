import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { UsageError } from '../../core/errors.ts';
import { GOOD_VERDICT, refusedUrl, startModelServer, type ModelServer } from '../../../test/support/model-server.ts';
import { AnthropicModelProvider } from './anthropic.ts';
import { ModelProviderError, ModelTransientError, type ModelRequest } from './provider.ts';

const REQUEST: ModelRequest = {
  model: 'claude-haiku-4-5',
  system: 'You judge findings.',
  user: '<finding-data>{}</finding-data>',
  output: { name: 'verdict', schema: { type: 'object', properties: { label: { type: 'string' } } } },
  maxOutputTokens: 500,
};
const live = () => ({ signal: new AbortController().signal });

type Body = {
  model: string;
  max_tokens: number;
  system: string;
  messages: { role: string; content: string }[];
  tools: { name: string; input_schema: unknown }[];
  tool_choice: { type: string; name: string };
};

describe('AnthropicModelProvider against the fake server', () => {
  let server: ModelServer;
  let provider: AnthropicModelProvider;
  before(async () => {
    server = await startModelServer();
    provider = new AnthropicModelProvider({ baseURL: server.url, apiKey: 'sk-ant-test', env: {} });
  });
  after(() => server.close());
  afterEach(() => server.reset());

  it('forces the one verdict tool and reads its input, usage, model and request id', async () => {
    server.script({
      kind: 'verdict',
      value: GOOD_VERDICT,
      model: 'claude-haiku-4-5-20251001',
      usage: { input: 1500, output: 90 },
    });
    const reply = await provider.complete(REQUEST, live());
    assert.deepEqual(reply.output, { kind: 'json', value: GOOD_VERDICT });
    assert.deepEqual(reply.usage, { inputTokens: 1500, outputTokens: 90 });
    assert.equal(reply.model, 'claude-haiku-4-5-20251001');
    assert.equal(reply.stopReason, 'tool_use');
    assert.equal(reply.truncated, false);
    const [sent] = server.requests;
    assert.ok(sent);
    assert.equal(reply.requestId, sent.requestId);
    assert.equal(sent.path, '/v1/messages');
    // this SDK version sends the key as a bearer token
    assert.equal(sent.headers.authorization, 'Bearer sk-ant-test');
    assert.ok(sent.headers['anthropic-version']);
    assert.equal(sent.headers['x-stainless-retry-count'], '0');
    const body = sent.body as Body;
    assert.equal(body.model, 'claude-haiku-4-5');
    assert.equal(body.max_tokens, 500);
    assert.equal(body.system, REQUEST.system);
    assert.deepEqual(body.messages, [{ role: 'user', content: REQUEST.user }]);
    assert.equal(body.tools.length, 1);
    assert.equal(body.tools[0]?.name, 'verdict');
    assert.deepEqual(body.tools[0]?.input_schema, REQUEST.output.schema);
    assert.deepEqual(body.tool_choice, { type: 'tool', name: 'verdict', disable_parallel_tool_use: true });
    assert.equal(provider.endpoint, `${server.url}/v1/messages`);
  });

  it('reads a refusal, a max_tokens cut and a text answer without the tool', async () => {
    server.script(
      { kind: 'refusal', text: 'I cannot help with this request.' },
      { kind: 'max-tokens' },
      { kind: 'text', text: 'Ignore that: it is benign.' },
    );
    const refusal = await provider.complete(REQUEST, live());
    assert.equal(refusal.stopReason, 'refusal');
    assert.equal(refusal.refusal, 'I cannot help with this request.');
    const cut = await provider.complete(REQUEST, live());
    assert.equal(cut.truncated, true);
    assert.equal(cut.stopReason, 'max_tokens');
    const text = await provider.complete(REQUEST, live());
    assert.deepEqual(text.output, { kind: 'text', text: 'Ignore that: it is benign.' });
    assert.equal(text.refusal, undefined);
  });

  const failures: {
    name: string;
    scenario: Parameters<ModelServer['script']>[0];
    check: (err: unknown, requestId: string) => void;
  }[] = [
    {
      name: '429 rate_limit_error with retry-after',
      scenario: { kind: 'status', status: 429, headers: { 'retry-after': '3' } },
      check: (err, id) => {
        assert.ok(err instanceof ModelTransientError);
        assert.equal(err.reason, 'rate-limit');
        assert.equal(err.retryAfterMs, 3000);
        assert.deepEqual(err.facts, { endpoint: provider.endpoint, status: 429, requestId: id });
      },
    },
    {
      name: '529 overloaded_error',
      scenario: { kind: 'overloaded' },
      check: (err, id) => {
        assert.ok(err instanceof ModelTransientError);
        assert.equal(err.reason, 'unavailable');
        assert.equal(err.facts.status, 529);
        assert.match(err.message, new RegExp(`HTTP 529 from ${provider.endpoint} \\(request id ${id}\\)`));
      },
    },
    {
      name: '500 api_error',
      scenario: { kind: 'status', status: 500 },
      check: (err) => assert.equal((err as ModelTransientError).reason, 'unavailable'),
    },
    {
      name: '400 invalid_request_error',
      scenario: { kind: 'status', status: 400 },
      check: (err) => assert.equal((err as ModelProviderError).code, 'MODEL_REQUEST_REJECTED'),
    },
    {
      name: 'malformed JSON body',
      scenario: { kind: 'malformed' },
      check: (err, id) => {
        assert.ok(err instanceof ModelProviderError);
        assert.equal(err.code, 'MODEL_REPLY_INVALID');
        assert.equal(err.facts.requestId, id);
      },
    },
    {
      name: 'body cut short of its content-length',
      scenario: { kind: 'truncated' },
      check: (err) => assert.equal((err as ModelTransientError).reason, 'unavailable'),
    },
    {
      name: 'connection closed without a reply',
      scenario: { kind: 'reset' },
      check: (err) => assert.equal((err as ModelTransientError).reason, 'unavailable'),
    },
  ];
  for (const { name, scenario, check } of failures) {
    it(`maps ${name}`, async () => {
      server.script(scenario);
      const err = await provider.complete(REQUEST, live()).then(
        () => assert.fail('expected a rejection'),
        (e: unknown) => e,
      );
      check(err, server.requests[0]?.requestId ?? '');
      assert.equal(server.requests.length, 1, 'the SDK does not retry');
    });
  }

  it('aborts a hanging request when its signal fires', async () => {
    server.script({ kind: 'hang' });
    const err = await provider.complete(REQUEST, { signal: AbortSignal.timeout(150) }).catch((e: unknown) => e);
    assert.ok(err instanceof ModelTransientError);
    assert.equal(err.reason, 'timeout');
  });

  it('maps connection refused to unavailable', async () => {
    const refused = new AnthropicModelProvider({ baseURL: await refusedUrl(), apiKey: 'k', env: {} });
    const err = await refused.complete(REQUEST, live()).catch((e: unknown) => e);
    assert.ok(err instanceof ModelTransientError);
    assert.equal(err.reason, 'unavailable');
    assert.match(err.message, /ECONNREFUSED/);
  });

  it('honours ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL, and wants a credential', async () => {
    const fromEnv = new AnthropicModelProvider({
      env: { ANTHROPIC_API_KEY: 'sk-ant-env', ANTHROPIC_BASE_URL: server.url },
    });
    server.script({ kind: 'verdict', value: GOOD_VERDICT });
    await fromEnv.complete(REQUEST, live());
    assert.equal(server.requests[0]?.headers.authorization, 'Bearer sk-ant-env');
    assert.throws(() => new AnthropicModelProvider({ env: {} }), UsageError);
  });
});
