import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { UsageError } from '../../core/errors.ts';
import {
  invalidReply,
  parseJsonText,
  toModelError,
  type ModelCallContext,
  type ModelProvider,
  type ModelReply,
  type ModelRequest,
  type SdkErrorKinds,
  type StructuredOutput,
} from './provider.ts';

/**
 * How the reply is constrained. `json_schema`: OpenAI's strict structured output. `json_object`: JSON mode only
 * (servers without schema support). `none`: plain text. In the last two the schema goes into the system prompt and
 * only our own validation holds the model to it.
 */
export type StructuredMode = 'json_schema' | 'json_object' | 'none';

export type OpenAiProviderOptions = {
  /**
   * `openai`: api.openai.com, or `OPENAI_BASE_URL`; the key from `OPENAI_API_KEY`. `openai-compatible`: the given
   * `baseURL` (Ollama, vLLM, llama.cpp); an optional key, never taken from the environment.
   */
  readonly vendor?: 'openai' | 'openai-compatible';
  readonly baseURL?: string;
  readonly apiKey?: string;
  readonly structured?: StructuredMode;
  /** The environment to read (tests pass their own); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
};

const KINDS: SdkErrorKinds = {
  isApiError: (err): err is APIError => err instanceof APIError,
  isTimeout: (err) => err instanceof APIConnectionTimeoutError,
  isConnection: (err) => err instanceof APIConnectionError,
  requestIdHeader: 'x-request-id',
  isQuotaExhausted: (err) => err instanceof APIError && err.code === 'insufficient_quota',
};

// only what we read of a chat completion; a compatible server's reply is checked as strictly as OpenAI's
const ChatReply = z.object({
  model: z.string().optional(),
  choices: z.array(
    z.object({
      finish_reason: z.string().nullish(),
      message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
    }),
  ),
  usage: z.object({ prompt_tokens: z.number().int().min(0), completion_tokens: z.number().int().min(0) }).nullish(),
});

/** Chat Completions through the official SDK, for OpenAI and for servers that speak the same API. */
export class OpenAiModelProvider implements ModelProvider {
  readonly vendor: 'openai' | 'openai-compatible';
  readonly endpoint: string;
  readonly structured: StructuredMode;
  readonly #client: OpenAI;

  constructor(options: OpenAiProviderOptions = {}) {
    const env = options.env ?? process.env;
    this.vendor = options.vendor ?? 'openai';
    this.structured = options.structured ?? 'json_schema';
    const compatible = this.vendor === 'openai-compatible';
    // An empty variable is an unset one (as the SDKs read them).
    // A compatible server is whatever host the user named: it never gets the OpenAI key, org or project.
    const baseURL = compatible
      ? options.baseURL
      : options.baseURL || env['OPENAI_BASE_URL'] || 'https://api.openai.com/v1';
    if (!baseURL) throw new UsageError('openai-compatible needs a base URL: openai-compatible:<model>@<http(s) URL>');
    const apiKey = compatible ? options.apiKey : options.apiKey || env['OPENAI_API_KEY'];
    if (!apiKey && !compatible) {
      throw new UsageError(
        'OPENAI_API_KEY is not set: export it, or use openai-compatible:<model>@<URL> for a local server',
      );
    }
    this.endpoint = `${baseURL.replace(/\/+$/, '')}/chat/completions`;
    this.#client = new OpenAI({
      baseURL,
      // the SDK insists on a credential; a keyless local server gets none sent (the header is removed below)
      apiKey: apiKey || 'unused',
      ...(apiKey ? {} : { defaultHeaders: { Authorization: null } }),
      adminAPIKey: null,
      organization: compatible ? null : env['OPENAI_ORG_ID'] || null,
      project: compatible ? null : env['OPENAI_PROJECT_ID'] || null,
      webhookSecret: null,
      // ModelAnalyst retries (it knows the deadline and the run's budget, and keeps every attempt's request id)
      maxRetries: 0,
    });
  }

  async complete(request: ModelRequest, ctx: ModelCallContext): Promise<ModelReply> {
    const json = this.structured !== 'json_schema';
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: request.model,
      messages: [
        {
          role: 'system',
          content: json ? `${request.system}\n\n${schemaInstruction(request.output)}` : request.system,
        },
        { role: 'user', content: request.user },
      ],
      // OpenAI's reasoning models refuse `max_tokens`; compatible servers mostly know only `max_tokens`
      ...(this.vendor === 'openai'
        ? { max_completion_tokens: request.maxOutputTokens }
        : { max_tokens: request.maxOutputTokens }),
      ...responseFormat(this.structured, request.output),
    };
    const pending = this.#client.chat.completions.create(body, { signal: ctx.signal });
    let data: unknown;
    try {
      data = await pending;
    } catch (err) {
      // a body that fails to parse still came with headers: keep its status and request id
      const response = await pending.asResponse().catch(() => undefined);
      throw toModelError(err, KINDS, this.endpoint, ctx.signal, response);
    }
    const requestId = (data as { _request_id?: string | null })._request_id ?? undefined;
    const reply = ChatReply.safeParse(data);
    const choice = reply.data?.choices[0];
    if (!reply.success || !choice) {
      throw invalidReply(this.endpoint, requestId, 'a chat completion with one choice', reply.error);
    }
    const { usage, model } = reply.data;
    const content = choice.message.content ?? '';
    const stopReason = choice.finish_reason ?? 'unknown';
    const refusal =
      choice.message.refusal ??
      (stopReason === 'content_filter'
        ? 'the content filter stopped the reply (finish_reason content_filter)'
        : undefined);
    return {
      model: model ?? request.model,
      output: parseJsonText(content),
      usage: { inputTokens: usage?.prompt_tokens ?? 0, outputTokens: usage?.completion_tokens ?? 0 },
      ...(requestId ? { requestId } : {}),
      stopReason,
      truncated: stopReason === 'length',
      ...(refusal ? { refusal } : {}),
    };
  }
}

function responseFormat(
  mode: StructuredMode,
  output: StructuredOutput,
): Pick<ChatCompletionCreateParamsNonStreaming, 'response_format'> {
  if (mode === 'json_schema') {
    return {
      response_format: {
        type: 'json_schema',
        json_schema: { name: output.name, schema: { ...output.schema }, strict: true },
      },
    };
  }
  return mode === 'json_object' ? { response_format: { type: 'json_object' } } : {};
}

// without schema-constrained decoding the model learns the shape from the prompt (JSON mode also needs "JSON" there)
function schemaInstruction(output: StructuredOutput): string {
  return `Reply with one JSON object and nothing else, matching this JSON schema (${output.name}):\n${JSON.stringify(output.schema)}`;
}
