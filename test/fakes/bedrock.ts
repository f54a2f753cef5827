/**
 * A fake Amazon Bedrock runtime for tests: speaks the Converse wire format (restJson1,
 * POST /model/{modelId}/converse) over h2c, as the Node client uses HTTP/2, with Bedrock's error shapes
 * (X-Amzn-ErrorType header, {"message"} body). Each test scripts its turns: plain answers, tool-use turns,
 * errors (throttling, model-not-ready, outage), or a function of the request. Requests are recorded.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BedrockConverser, createBedrockClient, type BedrockConfig } from '../../src/llm/bedrock';

export type FakeTurn =
  | { text: string; inputTokens?: number; outputTokens?: number }
  | { toolUse: { name: string; input: unknown; toolUseId?: string }; text?: string }
  | { error: 'ThrottlingException' | 'ModelNotReadyException' | 'ServiceUnavailableException' | 'ModelTimeoutException' | 'ValidationException' | 'AccessDeniedException'; message?: string }
  /** Never answers (the client's timeout must fire). */
  | { hang: true }
  | ((request: RecordedRequest) => FakeTurn);

export interface RecordedRequest {
  modelId: string;
  body: {
    system?: { text?: string }[];
    messages?: { role: string; content: Record<string, unknown>[] }[];
    toolConfig?: { tools?: unknown[]; toolChoice?: unknown };
    inferenceConfig?: Record<string, unknown>;
  };
  /** The whole prompt as text (system + messages), for assertions. */
  promptText: string;
}

const STATUS: Record<string, number> = {
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  ServiceUnavailableException: 503,
  ModelTimeoutException: 408,
  ValidationException: 400,
  AccessDeniedException: 403,
};

export class FakeBedrock {
  readonly requests: RecordedRequest[] = [];
  private script: FakeTurn[] = [];
  /** Answers once the script is used up (default: a validation error saying so). */
  fallback: FakeTurn | undefined;
  private server = http2.createServer();
  private sessions = new Set<http2.ServerHttp2Session>();
  url = '';

  static async start(): Promise<FakeBedrock> {
    const fake = new FakeBedrock();
    await fake.listen();
    return fake;
  }

  /** Replace the script for the next calls. */
  answer(...turns: FakeTurn[]): this {
    this.script = [...turns];
    this.requests.length = 0;
    return this;
  }

  private async listen(): Promise<void> {
    this.server.on('session', (s) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
    });
    this.server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => this.handle(stream, headers, Buffer.concat(chunks).toString('utf8')));
      stream.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, raw: string): void {
    const path = String(headers[':path'] ?? '');
    const match = /^\/model\/([^/]+)\/converse$/.exec(path);
    if (headers[':method'] !== 'POST' || !match) {
      return this.error(stream, 'ValidationException', `unknown operation ${String(headers[':method'])} ${path}`, 404);
    }
    let body: RecordedRequest['body'];
    try {
      body = JSON.parse(raw) as RecordedRequest['body'];
    } catch {
      return this.error(stream, 'ValidationException', 'malformed JSON body');
    }
    const request: RecordedRequest = {
      modelId: decodeURIComponent(match[1]!),
      body,
      promptText: [
        ...(body.system ?? []).map((s) => s.text ?? ''),
        ...(body.messages ?? []).flatMap((m) => m.content.map((c) => (typeof c.text === 'string' ? c.text : JSON.stringify(c)))),
      ].join('\n'),
    };
    this.requests.push(request);
    let turn = this.script.shift() ?? this.fallback ?? { error: 'ValidationException', message: 'the fake has no scripted answer left' };
    while (typeof turn === 'function') turn = turn(request);
    if ('hang' in turn) return; // the stream stays open until the client gives up
    if ('error' in turn) return this.error(stream, turn.error, turn.message ?? `${turn.error} from the fake`);
    const inputTokens = Math.ceil(request.promptText.length / 4);
    const content: Record<string, unknown>[] = [];
    if ('toolUse' in turn) {
      if (turn.text) content.push({ text: turn.text });
      content.push({ toolUse: { toolUseId: turn.toolUse.toolUseId ?? `tooluse_${this.requests.length}`, name: turn.toolUse.name, input: turn.toolUse.input } });
    } else content.push({ text: turn.text });
    const outputTokens = 'text' in turn && typeof turn.text === 'string' ? Math.ceil(turn.text.length / 4) : 20;
    const usage = {
      inputTokens: ('inputTokens' in turn && turn.inputTokens) || inputTokens,
      outputTokens: ('outputTokens' in turn && turn.outputTokens) || outputTokens,
    };
    this.send(stream, 200, {
      output: { message: { role: 'assistant', content } },
      stopReason: 'toolUse' in turn ? 'tool_use' : 'end_turn',
      usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
      metrics: { latencyMs: 5 },
    });
  }

  private error(stream: http2.ServerHttp2Stream, type: string, message: string, status = STATUS[type] ?? 400): void {
    this.send(stream, status, { message }, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
  }

  private send(stream: http2.ServerHttp2Stream, status: number, body: unknown, extra: Record<string, string> = {}): void {
    if (stream.destroyed) return;
    stream.respond({ ':status': status, 'content-type': 'application/json', 'x-amzn-requestid': `fake-${this.requests.length}`, ...extra });
    stream.end(JSON.stringify(body));
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const TEST_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

export function testBedrockConfig(endpoint: string, overrides: Partial<BedrockConfig> = {}): BedrockConfig {
  return {
    modelId: TEST_MODEL,
    region: 'us-east-1',
    endpoint,
    prices: { inputPer1k: '0.00025', outputPer1k: '0.00125' },
    requestTimeoutMs: 2_000,
    maxAttempts: 3,
    maxOutputTokens: 512,
    ...overrides,
  };
}

/** The real Bedrock client pointed at the fake, with dummy credentials. */
export function fakeClient(config: BedrockConfig): BedrockRuntimeClient {
  return createBedrockClient(config, { credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' } });
}

export function fakeConverser(fake: FakeBedrock, overrides: Partial<BedrockConfig> = {}): BedrockConverser {
  const config = testBedrockConfig(fake.url, overrides);
  return new BedrockConverser(fakeClient(config), config);
}
