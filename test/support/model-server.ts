import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake model provider on 127.0.0.1 speaking OpenAI's `POST /v1/chat/completions` and Anthropic's
 * `POST /v1/messages` with the JSON shapes and request-id headers the real APIs use. Each request takes the next
 * scripted scenario; every request body is recorded so tests can assert what was sent.
 */

export type Protocol = 'openai' | 'anthropic';

/** What the fake model says. `delayMs` waits before answering (a slow provider). */
export type Scenario = { readonly delayMs?: number } & (
  | {
      /** A structured answer: OpenAI message content (JSON text), Anthropic `tool_use` input. Valid or not. */
      readonly kind: 'verdict';
      readonly value: unknown;
      /** The model named in the reply (a dated snapshot, say); default the one asked for. */
      readonly model?: string;
      readonly usage?: { readonly input: number; readonly output: number };
    }
  /** A plain-text answer: OpenAI content, Anthropic text block without a tool call. */
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'refusal'; readonly text: string }
  /** Cut at the output-token limit: `finish_reason: length` / `stop_reason: max_tokens`. */
  | { readonly kind: 'max-tokens' }
  /** OpenAI 503 "overloaded", Anthropic 529 `overloaded_error`. */
  | { readonly kind: 'overloaded'; readonly headers?: Readonly<Record<string, string>> }
  /** An error status with the protocol's error body. */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      /** OpenAI `error.code` / Anthropic `error.type`. */
      readonly code?: string;
    }
  /** Accept the request and never answer. */
  | { readonly kind: 'hang' }
  /** 200 with a JSON content-type and a body that is not JSON. */
  | { readonly kind: 'malformed' }
  /** 200 whose content-length promises more than is sent before the socket closes. */
  | { readonly kind: 'truncated' }
  /** Close the connection without any reply. */
  | { readonly kind: 'reset' }
);

export type RecordedRequest = {
  readonly protocol: Protocol | undefined;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body text, and parsed when it is JSON. */
  readonly raw: string;
  readonly body: unknown;
  /** `Date.now()` when the request arrived (to measure backoff between attempts). */
  readonly at: number;
  readonly requestId: string;
  /** Set once the client went away before the reply was complete (an abort, a timeout). */
  clientClosed: boolean;
};

export type ModelServer = {
  /** `http://127.0.0.1:<port>`: Anthropic's base URL (the SDK adds `/v1/messages`). */
  readonly url: string;
  /** `<url>/v1`: OpenAI's base URL (the SDK adds `/chat/completions`). */
  readonly openaiBaseURL: string;
  readonly requests: RecordedRequest[];
  /** Queues scenarios, answered in order, one per request. An empty queue answers 500 "no scenario left". */
  script(...scenarios: Scenario[]): void;
  /** Forgets unanswered scenarios and recorded requests (between tests, so one failure does not cascade). */
  reset(): void;
  close(): Promise<void>;
};

const PATHS: Readonly<Record<string, Protocol>> = { '/v1/chat/completions': 'openai', '/v1/messages': 'anthropic' };

/** A verdict that validates, for scenarios that only need "the model answered". */
export const GOOD_VERDICT = {
  label: 'malicious',
  confidence: 0.9,
  rationale: 'An encoded PowerShell command launched from Word is a common malware stager.',
  evidence: ['evidence[0].data.Event.EventData.CommandLine', 'rule.title'],
} as const;

export async function startModelServer(): Promise<ModelServer> {
  const queue: Scenario[] = [];
  const requests: RecordedRequest[] = [];
  let counter = 0;
  const server = createServer((req, res) => {
    void receive(req).then((raw) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const protocol = PATHS[path];
      counter++;
      // shaped like the real ids: OpenAI `req_<hex>`, Anthropic `req_011<base62>`
      const requestId =
        protocol === 'anthropic'
          ? `req_011Fake${String(counter).padStart(6, '0')}`
          : `req_${counter.toString(16).padStart(12, '0')}`;
      const record: RecordedRequest = {
        protocol,
        path,
        headers: req.headers,
        raw,
        body: parseOrRaw(raw),
        at: Date.now(),
        requestId,
        clientClosed: false,
      };
      requests.push(record);
      res.on('close', () => {
        if (!res.writableFinished) record.clientClosed = true;
      });
      if (!protocol || req.method !== 'POST') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const scenario = queue.shift() ?? { kind: 'status', status: 500, code: 'no scenario left' };
      const act = () => {
        if (!res.destroyed) answer(protocol, scenario, record, res);
      };
      if (scenario.delayMs) setTimeout(act, scenario.delayMs);
      else act();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    openaiBaseURL: `${url}/v1`,
    requests,
    script: (...scenarios) => void queue.push(...scenarios),
    reset: () => {
      queue.splice(0);
      requests.splice(0);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL where nothing listens (connection refused). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function receive(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parseOrRaw(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function answer(protocol: Protocol, scenario: Scenario, record: RecordedRequest, res: ServerResponse): void {
  const idHeader = protocol === 'openai' ? 'x-request-id' : 'request-id';
  const headers = { 'content-type': 'application/json', [idHeader]: record.requestId };
  const model = String((record.body as { model?: unknown }).model ?? 'unknown');
  switch (scenario.kind) {
    case 'hang':
      return;
    case 'reset':
      res.socket?.destroy();
      return;
    case 'malformed':
      res.writeHead(200, headers).end('{"id": "chatcmpl-1", "choices": [{"message": ');
      return;
    case 'truncated': {
      const body = JSON.stringify(success(protocol, { kind: 'verdict', value: GOOD_VERDICT }, model));
      res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
      res.write(body.slice(0, body.length >> 1));
      // flush what was written, then cut the connection short of content-length
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    case 'overloaded':
      return protocol === 'openai'
        ? sendError(
            res,
            503,
            { ...headers, ...scenario.headers },
            protocol,
            'server_error',
            'The server is overloaded or not ready yet.',
            record,
          )
        : sendError(res, 529, { ...headers, ...scenario.headers }, protocol, 'overloaded_error', 'Overloaded', record);
    case 'status': {
      const code = scenario.code ?? defaultCode(protocol, scenario.status);
      return sendError(
        res,
        scenario.status,
        { ...headers, ...scenario.headers },
        protocol,
        code,
        `fake ${scenario.status}: ${code}`,
        record,
      );
    }
    default:
      res.writeHead(200, headers).end(JSON.stringify(success(protocol, scenario, model)));
  }
}

type Answer = Extract<Scenario, { kind: 'verdict' | 'text' | 'refusal' | 'max-tokens' }>;

function success(protocol: Protocol, scenario: Answer, asked: string): unknown {
  const model = (scenario.kind === 'verdict' && scenario.model) || asked;
  const usage = scenario.kind === 'verdict' && scenario.usage ? scenario.usage : { input: 1200, output: 80 };
  return protocol === 'openai' ? openAiCompletion(scenario, model, usage) : anthropicMessage(scenario, model, usage);
}

function openAiCompletion(scenario: Answer, model: string, usage: { input: number; output: number }): unknown {
  const message =
    scenario.kind === 'refusal'
      ? { role: 'assistant', content: null, refusal: scenario.text, annotations: [] }
      : {
          role: 'assistant',
          content:
            scenario.kind === 'verdict'
              ? JSON.stringify(scenario.value)
              : scenario.kind === 'text'
                ? scenario.text
                : '{"label": "malicious", "confidence": 0.8, "rationale": "The command line dec',
          refusal: null,
          annotations: [],
        };
  return {
    id: 'chatcmpl-Fake0001',
    object: 'chat.completion',
    created: 1_764_633_600,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: scenario.kind === 'max-tokens' ? 'length' : 'stop' }],
    usage: {
      prompt_tokens: usage.input,
      completion_tokens: usage.output,
      total_tokens: usage.input + usage.output,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

function anthropicMessage(scenario: Answer, model: string, usage: { input: number; output: number }): unknown {
  const tool = (input: unknown) => ({ type: 'tool_use', id: 'toolu_01Fake', name: 'verdict', input });
  const [content, stop] =
    scenario.kind === 'verdict'
      ? [[tool(scenario.value)], 'tool_use']
      : scenario.kind === 'text'
        ? [[{ type: 'text', text: scenario.text }], 'end_turn']
        : scenario.kind === 'refusal'
          ? [[{ type: 'text', text: scenario.text }], 'refusal']
          : [[tool({ label: 'malicious', confidence: 0.8 })], 'max_tokens'];
  return {
    id: 'msg_01Fake',
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: {
      input_tokens: usage.input,
      output_tokens: usage.output,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      service_tier: 'standard',
    },
  };
}

function defaultCode(protocol: Protocol, status: number): string {
  if (protocol === 'openai')
    return status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 401) return 'authentication_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}

function sendError(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  protocol: Protocol,
  code: string,
  message: string,
  record: RecordedRequest,
): void {
  const body =
    protocol === 'openai'
      ? { error: { message, type: status === 429 ? 'requests' : code, param: null, code } }
      : { type: 'error', error: { type: code, message }, request_id: record.requestId };
  res.writeHead(status, headers).end(JSON.stringify(body));
}
