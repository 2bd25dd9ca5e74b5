import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { UsageError } from '../../core/errors.ts';
import { GOOD_VERDICT, refusedUrl, startModelServer, type ModelServer } from '../../../test/support/model-server.ts';
import { OpenAiModelProvider } from './openai.ts';
import { ModelProviderError, ModelTransientError, type ModelRequest } from './provider.ts';

const REQUEST: ModelRequest = {
  model: 'gpt-4.1-mini',
  system: 'You judge findings.',
  user: '<finding-data>{}</finding-data>',
  output: { name: 'verdict', schema: { type: 'object', properties: { label: { type: 'string' } } } },
  maxOutputTokens: 500,
};
const live = () => ({ signal: new AbortController().signal });

type Body = {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; strict: boolean; schema: unknown } };
  max_completion_tokens?: number;
  max_tokens?: number;
};

describe('OpenAiModelProvider against the fake server', () => {
  let server: ModelServer;
  let provider: OpenAiModelProvider;
  before(async () => {
    server = await startModelServer();
    provider = new OpenAiModelProvider({ baseURL: server.openaiBaseURL, apiKey: 'sk-test', env: {} });
  });
  after(() => server.close());
  afterEach(() => server.reset());

  it('sends a strict json_schema request and reads the reply, its usage, model and request id', async () => {
    server.script({
      kind: 'verdict',
      value: GOOD_VERDICT,
      model: 'gpt-4.1-mini-2025-04-14',
      usage: { input: 900, output: 70 },
    });
    const reply = await provider.complete(REQUEST, live());
    assert.deepEqual(reply.output, { kind: 'json', value: GOOD_VERDICT });
    assert.deepEqual(reply.usage, { inputTokens: 900, outputTokens: 70 });
    assert.equal(reply.model, 'gpt-4.1-mini-2025-04-14');
    assert.equal(reply.stopReason, 'stop');
    assert.equal(reply.truncated, false);
    assert.equal(reply.refusal, undefined);
    const [sent] = server.requests;
    assert.ok(sent);
    assert.equal(reply.requestId, sent.requestId);
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, 'Bearer sk-test');
    const body = sent.body as Body;
    assert.equal(body.model, 'gpt-4.1-mini');
    assert.deepEqual(body.messages, [
      { role: 'system', content: REQUEST.system },
      { role: 'user', content: REQUEST.user },
    ]);
    assert.deepEqual(body.response_format, {
      type: 'json_schema',
      json_schema: { name: 'verdict', schema: REQUEST.output.schema, strict: true },
    });
    assert.equal(body.max_completion_tokens, 500);
    assert.equal(body.max_tokens, undefined);
    assert.equal(provider.endpoint, `${server.openaiBaseURL}/chat/completions`);
  });

  it('leaves retrying to the caller: one 500 is one request', async () => {
    server.script({ kind: 'status', status: 500 }, { kind: 'verdict', value: GOOD_VERDICT });
    await assert.rejects(provider.complete(REQUEST, live()), ModelTransientError);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]?.headers['x-stainless-retry-count'], '0');
    await provider.complete(REQUEST, live()); // takes the scenario the SDK did not retry into
  });

  const failures: {
    name: string;
    scenario: Parameters<ModelServer['script']>[0];
    check: (err: unknown, requestId: string) => void;
  }[] = [
    {
      name: '429 with retry-after seconds',
      scenario: { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
      check: (err, id) => {
        assert.ok(err instanceof ModelTransientError);
        assert.equal(err.reason, 'rate-limit');
        assert.equal(err.retryAfterMs, 2000);
        assert.deepEqual(err.facts, { endpoint: provider.endpoint, status: 429, requestId: id });
        assert.match(err.message, new RegExp(`HTTP 429 from ${provider.endpoint} \\(request id ${id}\\)`));
      },
    },
    {
      name: '429 with retry-after-ms',
      scenario: { kind: 'status', status: 429, headers: { 'retry-after-ms': '250', 'retry-after': '9' } },
      check: (err) => assert.equal((err as ModelTransientError).retryAfterMs, 250),
    },
    {
      name: '429 insufficient_quota (waiting does not help)',
      scenario: { kind: 'status', status: 429, code: 'insufficient_quota' },
      check: (err) => {
        assert.ok(err instanceof ModelProviderError);
        assert.equal(err.code, 'MODEL_REQUEST_REJECTED');
      },
    },
    {
      name: '503 overloaded',
      scenario: { kind: 'overloaded' },
      check: (err) => {
        assert.ok(err instanceof ModelTransientError);
        assert.equal(err.reason, 'unavailable');
        assert.equal(err.facts.status, 503);
      },
    },
    {
      name: '500',
      scenario: { kind: 'status', status: 500 },
      check: (err) => assert.equal((err as ModelTransientError).reason, 'unavailable'),
    },
    {
      name: '401',
      scenario: { kind: 'status', status: 401, code: 'invalid_api_key' },
      check: (err, id) => {
        assert.ok(err instanceof ModelProviderError);
        assert.equal(err.code, 'MODEL_REQUEST_REJECTED');
        assert.equal(err.facts.requestId, id);
      },
    },
    {
      name: 'malformed JSON body',
      scenario: { kind: 'malformed' },
      check: (err, id) => {
        assert.ok(err instanceof ModelProviderError);
        assert.equal(err.code, 'MODEL_REPLY_INVALID');
        assert.deepEqual(err.facts, { endpoint: provider.endpoint, status: 200, requestId: id });
      },
    },
    {
      name: 'body cut short of its content-length',
      scenario: { kind: 'truncated' },
      check: (err) => {
        assert.ok(err instanceof ModelTransientError, String(err));
        assert.equal(err.reason, 'unavailable');
        assert.match(err.message, /closed before the reply was complete/);
      },
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
    });
  }

  it('reads refusals, length cuts and plain text', async () => {
    server.script(
      { kind: 'refusal', text: "I'm sorry, I can't help with that." },
      { kind: 'max-tokens' },
      { kind: 'text', text: 'benign' },
    );
    const refusal = await provider.complete(REQUEST, live());
    assert.equal(refusal.refusal, "I'm sorry, I can't help with that.");
    const cut = await provider.complete(REQUEST, live());
    assert.equal(cut.truncated, true);
    assert.equal(cut.stopReason, 'length');
    assert.equal(cut.output.kind, 'text');
    const text = await provider.complete(REQUEST, live());
    assert.deepEqual(text.output, { kind: 'text', text: 'benign' });
  });

  it('aborts a hanging request when its signal fires, and the server sees the client go', async () => {
    server.script({ kind: 'hang' });
    const started = Date.now();
    const err = await provider.complete(REQUEST, { signal: AbortSignal.timeout(150) }).catch((e: unknown) => e);
    assert.ok(err instanceof ModelTransientError);
    assert.equal(err.reason, 'timeout');
    assert.ok(Date.now() - started < 1000);
    await waitFor(() => server.requests[0]?.clientClosed === true);
  });

  it('maps connection refused to unavailable, naming the endpoint and the cause', async () => {
    const url = await refusedUrl();
    const refused = new OpenAiModelProvider({ baseURL: `${url}/v1`, apiKey: 'sk-test', env: {} });
    const err = await refused.complete(REQUEST, live()).catch((e: unknown) => e);
    assert.ok(err instanceof ModelTransientError);
    assert.equal(err.reason, 'unavailable');
    assert.match(err.message, new RegExp(`${url}/v1/chat/completions: connection failed: .*ECONNREFUSED`));
  });

  it('honours OPENAI_API_KEY and OPENAI_BASE_URL, and wants a key', async () => {
    const fromEnv = new OpenAiModelProvider({
      env: { OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: server.openaiBaseURL },
    });
    server.script({ kind: 'verdict', value: GOOD_VERDICT });
    await fromEnv.complete(REQUEST, live());
    assert.equal(server.requests[0]?.headers.authorization, 'Bearer sk-env');
    assert.throws(() => new OpenAiModelProvider({ env: {} }), UsageError);
  });
});

describe('OpenAiModelProvider for OpenAI-compatible servers', () => {
  let server: ModelServer;
  const saved = process.env['OPENAI_API_KEY'];
  before(async () => {
    server = await startModelServer();
    // the real environment too: a compatible server must not get it even from the SDK's own lookup
    process.env['OPENAI_API_KEY'] = 'sk-must-not-leak';
  });
  after(async () => {
    if (saved === undefined) delete process.env['OPENAI_API_KEY'];
    else process.env['OPENAI_API_KEY'] = saved;
    await server.close();
  });
  afterEach(() => server.reset());

  const compatible = (structured: 'json_schema' | 'json_object' | 'none', apiKey?: string) =>
    new OpenAiModelProvider({
      vendor: 'openai-compatible',
      baseURL: server.openaiBaseURL,
      structured,
      ...(apiKey ? { apiKey } : {}),
      env: { OPENAI_API_KEY: 'sk-must-not-leak', OPENAI_ORG_ID: 'org-secret' },
    });

  it('sends no credential, org or project to a keyless server, and uses max_tokens', async () => {
    server.script({ kind: 'verdict', value: GOOD_VERDICT });
    await compatible('json_schema').complete({ ...REQUEST, model: 'llama3.1:8b' }, live());
    const [sent] = server.requests;
    assert.equal(sent?.headers.authorization, undefined);
    assert.equal(sent?.headers['openai-organization'], undefined);
    assert.ok(!sent?.raw.includes('sk-must-not-leak'));
    const body = sent?.body as Body;
    assert.equal(body.model, 'llama3.1:8b');
    assert.equal(body.max_tokens, 500);
    assert.equal(body.max_completion_tokens, undefined);
    assert.equal(body.response_format?.type, 'json_schema');
  });

  it('sends its own key when given one', async () => {
    server.script({ kind: 'verdict', value: GOOD_VERDICT });
    await compatible('json_schema', 'local-key').complete(REQUEST, live());
    assert.equal(server.requests[0]?.headers.authorization, 'Bearer local-key');
  });

  it('json_object and none put the schema in the system prompt; none sends no response_format', async () => {
    server.script({ kind: 'verdict', value: GOOD_VERDICT }, { kind: 'text', text: '```json\n{"label":"benign"}\n```' });
    const objectReply = await compatible('json_object').complete(REQUEST, live());
    assert.deepEqual(objectReply.output, { kind: 'json', value: GOOD_VERDICT });
    const noneReply = await compatible('none').complete(REQUEST, live());
    // a fenced block is unwrapped; validating it is the caller's job
    assert.deepEqual(noneReply.output, { kind: 'json', value: { label: 'benign' } });
    const [asObject, asNone] = server.requests.map((r) => r.body as Body);
    assert.deepEqual(asObject?.response_format, { type: 'json_object' });
    assert.equal(asNone?.response_format, undefined);
    for (const body of [asObject, asNone]) {
      const system = body?.messages[0]?.content ?? '';
      assert.ok(system.startsWith(REQUEST.system));
      assert.ok(system.includes(JSON.stringify(REQUEST.output.schema)));
    }
  });

  it('needs a base URL', () => {
    assert.throws(() => new OpenAiModelProvider({ vendor: 'openai-compatible', env: {} }), UsageError);
  });
});

async function waitFor(condition: () => boolean, ms = 1000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) assert.fail('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
