/**
 * The command line's connection to the gateway: REST calls and a WebSocket watch that resumes after
 * disconnects and gateway restarts (same protocol as the dashboard; docs/websocket-protocol.md).
 * Credentials: an API key (X-API-Key) or a bearer token, the same ones the gateway accepts anywhere.
 */
import WebSocket from 'ws';
import type { AnalysisProgress } from '../domain/progress';
import type { AnalysisReport } from '../domain/report';
import { parseServerMessage, reconnectDelayMs, SubscriptionCursor } from '../gateway/subscription-cursor';

export interface Credentials {
  apiKey?: string;
  token?: string;
}

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export class GatewayError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length ? `${message}:\n${details.map((d) => `  - ${d}`).join('\n')}` : message);
  }
}

export class Gateway {
  constructor(
    readonly baseUrl: string,
    private readonly credentials: Credentials,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'user-agent': 'finops-cli',
      ...extra,
      ...(this.credentials.apiKey ? { 'x-api-key': this.credentials.apiKey } : {}),
      ...(this.credentials.token ? { authorization: `Bearer ${this.credentials.token}` } : {}),
    };
  }

  /** A raw response (for downloads); throws GatewayError for non-2xx. */
  async fetch(path: string, init: { method?: string; body?: unknown; accept?: string } = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: this.headers({
          accept: init.accept ?? 'application/json',
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        }),
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `Cannot reach the gateway at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err))}). ` +
          'Is it running (npm run dev)? Set --gateway or FINOPS_GATEWAY_URL.',
      );
    }
    if (!response.ok) {
      const text = await response.text();
      let error: { code?: string; message?: string; details?: string[] } | undefined;
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error;
      } catch {
        error = undefined;
      }
      throw new GatewayError(response.status, error?.code ?? 'http_error', `${error?.message ?? `HTTP ${response.status}`} (HTTP ${response.status})`, error?.details ?? []);
    }
    return response;
  }

  async json<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    return (await (await this.fetch(path, init)).json()) as T;
  }

  websocketUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/ws`;
  }
}

export function analysisPath(id: string, suffix = ''): string {
  return `/api/analyses/${encodeURIComponent(id)}${suffix}`;
}

export type WatchEvent =
  | { type: 'progress'; progress: AnalysisProgress }
  | { type: 'connection'; state: 'connected' | 'reconnecting'; detail?: string };

export type WatchOutcome = { type: 'report'; report: AnalysisReport } | { type: 'failed'; status: string; failure: string };

/**
 * Watch an analysis until its final message. Reconnects (with backoff, honouring the gateway's
 * `reconnect` hint) and resumes from the last epoch/seq, so progress is never shown twice or skipped.
 */
export function watchAnalysis(
  gateway: Gateway,
  analysisId: string,
  onEvent: (event: WatchEvent) => void,
  options: { maxReconnects?: number; signal?: AbortSignal } = {},
): Promise<WatchOutcome> {
  const maxReconnects = options.maxReconnects ?? 20;
  const cursor = new SubscriptionCursor(analysisId);
  let attempts = 0;
  let retryHint = 0;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    let current: WebSocket | undefined;
    // The caller stopped watching (the analysis keeps running).
    const onAbort = () => {
      current?.close(1000, 'done');
      finish(() => reject(new CliError('Stopped watching the analysis')));
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const connect = () => {
      if (settled) return;
      const ws = new WebSocket(gateway.websocketUrl(), { headers: gateway.headers() });
      current = ws;
      let refused: string | undefined;
      ws.on('unexpected-response', (req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          req.destroy();
          let message = `HTTP ${res.statusCode}`;
          try {
            message = (JSON.parse(body) as { error: { message: string } }).error.message;
          } catch {
            // keep the status
          }
          refused = message;
          if (res.statusCode === 401 || res.statusCode === 403) {
            finish(() => reject(new CliError(`The gateway refused the live connection: ${message}`)));
          } else {
            retry(`refused: ${message}`);
          }
        });
      });
      ws.on('message', (data: Buffer) => {
        const message = parseServerMessage(data.toString());
        if (!message) return;
        switch (message.type) {
          case 'ready':
            ws.send(JSON.stringify(cursor.subscribe()));
            return;
          case 'subscribed':
            cursor.subscribed(message);
            attempts = 0;
            onEvent({ type: 'connection', state: 'connected' });
            return;
          case 'progress':
            if (!cursor.accept(message)) return;
            onEvent({ type: 'progress', progress: message.progress });
            return;
          case 'report':
          case 'failed':
            // The final message ends the watch even if a resume replays it: it is the answer, not news.
            if (message.analysisId !== analysisId) return;
            ws.close(1000, 'done');
            finish(() =>
              resolve(
                message.type === 'report'
                  ? { type: 'report', report: message.report }
                  : { type: 'failed', status: message.status, failure: message.failure || 'unknown' },
              ),
            );
            return;
          case 'reconnect':
            retryHint = message.retryAfterMs;
            return;
          case 'error':
            if (message.code === 'temporal_unavailable' || message.code === 'unavailable') {
              ws.close(1000, 'retry');
              return;
            }
            if (message.code !== 'rate_limited') {
              ws.close(1000, 'error');
              finish(() => reject(new CliError(`${message.message || 'error'} (${message.code})`)));
            }
            return;
          default:
            return;
        }
      });
      ws.on('error', () => {
        // 'close' follows and decides
      });
      ws.on('close', (code, reason) => {
        if (settled || refused) return;
        if (code === 4401) {
          finish(() => reject(new CliError(`The gateway refused the live connection: ${reason.toString() || 'authentication failed'}`)));
          return;
        }
        retry(code === 1012 ? 'the gateway is restarting' : `connection closed (${code})`);
      });
    };
    const retry = (why: string) => {
      if (settled) return;
      attempts++;
      if (attempts > maxReconnects) {
        finish(() => reject(new CliError(`Lost the live connection to ${gateway.websocketUrl()} (${why}) and could not reconnect`)));
        return;
      }
      const delay = reconnectDelayMs(attempts, retryHint, { baseMs: 250, maxMs: 10_000, jitter: Math.random() });
      retryHint = 0;
      onEvent({ type: 'connection', state: 'reconnecting', detail: why });
      setTimeout(connect, delay);
    };
    connect();
  });
}
