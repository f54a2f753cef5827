/**
 * Amazon Bedrock through the Converse API: configuration, the client (timeouts, retries for throttling
 * and model-not-ready), and token usage with its cost.
 *
 * Without FINOPS_BEDROCK_MODEL_ID nothing calls Bedrock: the deterministic writer and planner answer.
 */
import type { LlmUsage } from '../domain/summary';

export type { LlmUsage };
import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ContentBlock,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  type Message,
  type ToolConfiguration,
} from '@aws-sdk/client-bedrock-runtime';
import Big from 'big.js';
import { ConfigError, ENV } from '../config';

export interface TokenPrices {
  /** USD per 1,000 input tokens and per 1,000 output tokens, decimal strings. */
  inputPer1k: string;
  outputPer1k: string;
}

export interface BedrockConfig {
  modelId: string;
  region?: string;
  /** Endpoint override (tests, VPC endpoints); the SDK also reads AWS_ENDPOINT_URL_BEDROCK_RUNTIME. */
  endpoint?: string;
  prices: TokenPrices;
  /** Per-attempt deadline. */
  requestTimeoutMs: number;
  /** SDK attempts per call (throttling, model-not-ready, 5xx are retried with backoff). */
  maxAttempts: number;
  maxOutputTokens: number;
}

/** Default prices (USD per 1,000 tokens) for models we know; others need FINOPS_BEDROCK_PRICE_*. */
export const KNOWN_PRICES: Record<string, TokenPrices> = {
  'anthropic.claude-3-haiku': { inputPer1k: '0.00025', outputPer1k: '0.00125' },
  'anthropic.claude-3-5-haiku': { inputPer1k: '0.0008', outputPer1k: '0.004' },
  'anthropic.claude-3-5-sonnet': { inputPer1k: '0.003', outputPer1k: '0.015' },
  'anthropic.claude-3-7-sonnet': { inputPer1k: '0.003', outputPer1k: '0.015' },
  'amazon.nova-micro': { inputPer1k: '0.000035', outputPer1k: '0.00014' },
  'amazon.nova-lite': { inputPer1k: '0.00006', outputPer1k: '0.00024' },
  'amazon.nova-pro': { inputPer1k: '0.0008', outputPer1k: '0.0032' },
};

export function pricesFor(modelId: string, env: NodeJS.ProcessEnv = process.env): TokenPrices {
  const input = env[ENV.bedrockPriceInputPer1k];
  const output = env[ENV.bedrockPriceOutputPer1k];
  for (const [name, value] of [
    [ENV.bedrockPriceInputPer1k, input],
    [ENV.bedrockPriceOutputPer1k, output],
  ] as const) {
    if (value !== undefined && value !== '' && !/^\d+(\.\d+)?$/.test(value)) {
      throw new ConfigError(`${name} must be a decimal number of USD per 1,000 tokens (got ${JSON.stringify(value)})`);
    }
  }
  // Inference profiles ("us.anthropic...") and versions ("...-20240307-v1:0") map to the base model.
  const known = Object.entries(KNOWN_PRICES).find(([prefix]) =>
    modelId.replace(/^(us|eu|apac|global)\./, '').startsWith(prefix),
  )?.[1];
  return {
    inputPer1k: input || known?.inputPer1k || '0',
    outputPer1k: output || known?.outputPer1k || '0',
  };
}

/** The Bedrock configuration, or undefined when no model is configured. */
export function bedrockConfig(env: NodeJS.ProcessEnv = process.env): BedrockConfig | undefined {
  const modelId = env[ENV.bedrockModelId]?.trim();
  if (!modelId) return undefined;
  const region = env[ENV.bedrockRegion] || env.AWS_REGION || undefined;
  const timeout = Number(env[ENV.bedrockTimeoutMs] || 60_000);
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new ConfigError(`${ENV.bedrockTimeoutMs} must be a positive whole number of milliseconds`);
  return {
    modelId,
    ...(region ? { region } : {}),
    prices: pricesFor(modelId, env),
    requestTimeoutMs: timeout,
    maxAttempts: 4,
    maxOutputTokens: 1024,
  };
}

export function emptyLlmUsage(model = 'none'): LlmUsage {
  return { model, calls: 0, inputTokens: 0, outputTokens: 0, cost: '0', unit: 'USD' };
}

export function addLlmUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    model: a.calls ? a.model : b.model,
    calls: a.calls + b.calls,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cost: new Big(a.cost).plus(b.cost).toString(),
    unit: 'USD',
  };
}

export interface ConverseRequest {
  system: string;
  messages: Message[];
  toolConfig?: ToolConfiguration;
  maxTokens?: number;
}

export interface ConverseReply {
  message: Message;
  stopReason: string;
  text: string;
  toolUses: { toolUseId: string; name: string; input: unknown }[];
}

/** One conversation turn at a time; counts tokens and their cost. */
export interface Converser {
  readonly modelId: string;
  readonly usage: LlmUsage;
  converse(request: ConverseRequest): Promise<ConverseReply>;
}

export function createBedrockClient(
  config: BedrockConfig,
  overrides: Partial<ConstructorParameters<typeof BedrockRuntimeClient>[0]> = {},
) {
  return new BedrockRuntimeClient({
    ...(config.region ? { region: config.region } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    maxAttempts: config.maxAttempts,
    retryMode: 'standard',
    // HTTP/2 as the SDK defaults to; the per-attempt deadline is ours.
    requestHandler: { requestTimeout: config.requestTimeoutMs, sessionTimeout: 30_000, disableConcurrentStreams: true },
    ...overrides,
  });
}

export class BedrockConverser implements Converser {
  readonly modelId: string;
  usage: LlmUsage;

  constructor(
    private readonly client: BedrockRuntimeClient,
    private readonly config: Pick<BedrockConfig, 'modelId' | 'prices' | 'maxOutputTokens' | 'requestTimeoutMs'>,
  ) {
    this.modelId = config.modelId;
    this.usage = emptyLlmUsage(config.modelId);
  }

  async converse(request: ConverseRequest): Promise<ConverseReply> {
    const input: ConverseCommandInput = {
      modelId: this.config.modelId,
      system: [{ text: request.system }],
      messages: request.messages,
      inferenceConfig: { maxTokens: request.maxTokens ?? this.config.maxOutputTokens, temperature: 0 },
      ...(request.toolConfig ? { toolConfig: request.toolConfig } : {}),
    };
    // The whole call, retries included, is bounded too.
    const out: ConverseCommandOutput = await this.client.send(new ConverseCommand(input), {
      abortSignal: AbortSignal.timeout(this.config.requestTimeoutMs * 3),
    });
    const inputTokens = out.usage?.inputTokens ?? 0;
    const outputTokens = out.usage?.outputTokens ?? 0;
    const cost = new Big(this.config.prices.inputPer1k)
      .times(inputTokens)
      .plus(new Big(this.config.prices.outputPer1k).times(outputTokens))
      .div(1000)
      .toString();
    this.usage = addLlmUsage(this.usage, { model: this.modelId, calls: 1, inputTokens, outputTokens, cost, unit: 'USD' });
    const message: Message =
      out.output && 'message' in out.output && out.output.message ? out.output.message : { role: 'assistant', content: [] };
    const content: ContentBlock[] = message.content ?? [];
    return {
      message,
      stopReason: out.stopReason ?? 'end_turn',
      text: content
        .flatMap((c) => (c.text ? [c.text] : []))
        .join('\n')
        .trim(),
      toolUses: content.flatMap((c) =>
        c.toolUse ? [{ toolUseId: c.toolUse.toolUseId ?? '', name: c.toolUse.name ?? '', input: c.toolUse.input }] : [],
      ),
    };
  }
}

/** A short, secret-free description of a Bedrock failure for the report. */
export function describeBedrockError(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return `${e?.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${String(e?.message ?? err).slice(0, 200)}`;
}

export interface LlmActivityOptions {
  /** Default: from the environment (FINOPS_BEDROCK_MODEL_ID...); null turns Bedrock off. */
  bedrock?: BedrockConfig | null;
  /** A client to use instead of building one (tests pass one aimed at the fake Bedrock). */
  client?: BedrockRuntimeClient;
}

/** A fresh converser per use (usage is counted per use), sharing one client; undefined without a model. */
export function converserFactory(options: LlmActivityOptions = {}): () => Converser | undefined {
  const config = options.bedrock === undefined ? bedrockConfig() : options.bedrock;
  if (!config) return () => undefined;
  let client = options.client;
  return () => {
    client ??= createBedrockClient(config);
    return new BedrockConverser(client, config);
  };
}
