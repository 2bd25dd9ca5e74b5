import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { UsageError } from '../../core/errors.ts';
import {
  invalidReply,
  toModelError,
  type ModelCallContext,
  type ModelProvider,
  type ModelReply,
  type ModelRequest,
  type SdkErrorKinds,
} from './provider.ts';

export type AnthropicProviderOptions = {
  /** Default `ANTHROPIC_BASE_URL`, else https://api.anthropic.com. */
  readonly baseURL?: string;
  /** Default `ANTHROPIC_API_KEY` (or `ANTHROPIC_AUTH_TOKEN` when only that is set). */
  readonly apiKey?: string;
  /** The environment to read (tests pass their own); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
};

const KINDS: SdkErrorKinds = {
  isApiError: (err): err is APIError => err instanceof APIError,
  isTimeout: (err) => err instanceof APIConnectionTimeoutError,
  isConnection: (err) => err instanceof APIConnectionError,
  requestIdHeader: 'request-id',
};

// only what we read of a Messages reply
const MessageReply = z.object({
  model: z.string().optional(),
  content: z.array(
    z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      name: z.string().optional(),
      input: z.unknown().optional(),
    }),
  ),
  stop_reason: z.string().nullish(),
  usage: z.object({ input_tokens: z.number().int().min(0), output_tokens: z.number().int().min(0) }).optional(),
});

/**
 * Anthropic Messages through the official SDK. The structured output is a single forced tool: the model must call
 * `request.output.name` with the schema as its input, and the tool_use input is the answer.
 */
export class AnthropicModelProvider implements ModelProvider {
  readonly vendor = 'anthropic';
  readonly endpoint: string;
  readonly #client: Anthropic;

  constructor(options: AnthropicProviderOptions = {}) {
    const env = options.env ?? process.env;
    const baseURL = options.baseURL || env['ANTHROPIC_BASE_URL'] || 'https://api.anthropic.com';
    const apiKey = options.apiKey || env['ANTHROPIC_API_KEY'];
    const authToken = apiKey ? undefined : env['ANTHROPIC_AUTH_TOKEN'] || undefined;
    // without a key the SDK would go looking for profiles on disk; we want one explicit credential or a clear error
    if (!apiKey && !authToken) throw new UsageError('ANTHROPIC_API_KEY is not set: export it to use anthropic:<model>');
    this.endpoint = `${baseURL.replace(/\/+$/, '')}/v1/messages`;
    this.#client = new Anthropic({
      baseURL,
      ...(apiKey ? { apiKey, authToken: null } : { apiKey: null, authToken: authToken ?? null }),
      // ModelAnalyst retries (it knows the deadline and the run's budget, and keeps every attempt's request id)
      maxRetries: 0,
      // our signal bounds each call; an explicit timeout also spares the SDK's "non-streaming is too long" check
      timeout: 10 * 60_000,
    });
  }

  async complete(request: ModelRequest, ctx: ModelCallContext): Promise<ModelReply> {
    const tool = request.output.name;
    const body: MessageCreateParamsNonStreaming = {
      model: request.model,
      max_tokens: request.maxOutputTokens,
      system: request.system,
      messages: [{ role: 'user', content: request.user }],
      tools: [
        {
          name: tool,
          description: 'Record your verdict on the finding. This is the only way to answer.',
          input_schema: { ...request.output.schema, type: 'object' },
        },
      ],
      tool_choice: { type: 'tool', name: tool, disable_parallel_tool_use: true },
    };
    const pending = this.#client.messages.create(body, { signal: ctx.signal });
    let data: unknown;
    try {
      data = await pending;
    } catch (err) {
      // a body that fails to parse still came with headers: keep its status and request id
      const response = await pending.asResponse().catch(() => undefined);
      throw toModelError(err, KINDS, this.endpoint, ctx.signal, response);
    }
    const requestId = (data as { _request_id?: string | null })._request_id ?? undefined;
    const reply = MessageReply.safeParse(data);
    if (!reply.success) throw invalidReply(this.endpoint, requestId, 'an Anthropic message', reply.error);
    const { content, stop_reason, usage, model } = reply.data;
    const call = content.find((block) => block.type === 'tool_use' && block.name === tool);
    const text = content.flatMap((block) => (block.type === 'text' && block.text ? [block.text] : [])).join('\n');
    const stopReason = stop_reason ?? 'unknown';
    return {
      model: model ?? request.model,
      output: call ? { kind: 'json', value: call.input } : { kind: 'text', text },
      usage: { inputTokens: usage?.input_tokens ?? 0, outputTokens: usage?.output_tokens ?? 0 },
      ...(requestId ? { requestId } : {}),
      stopReason,
      truncated: stopReason === 'max_tokens' || stopReason === 'model_context_window_exceeded',
      ...(stopReason === 'refusal' ? { refusal: text || 'the model refused (stop_reason refusal)' } : {}),
    };
  }
}
