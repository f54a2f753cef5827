/**
 * Live progress of one analysis over the gateway's WebSocket (docs/websocket-protocol.md): authenticate
 * with an `auth` message when a token is stored, subscribe, and after any disconnect (network, gateway
 * restart) reconnect with backoff and resume from the last epoch and seq, so no message is lost or
 * shown twice.
 */
import type { AnalysisProgress } from '../../domain/progress';
import type { AnalysisReport } from '../../domain/report';
import type { ServerMessage } from '../protocol';
import { parseServerMessage, reconnectDelayMs, SubscriptionCursor } from '../subscription-cursor';
import { storedToken } from './api';

export interface LiveHandlers {
  progress(progress: AnalysisProgress): void;
  report(report: AnalysisReport): void;
  failed(status: string, failure: string): void;
  /** Connection state for the status line. */
  connection(state: 'connecting' | 'live' | 'reconnecting' | 'closed', detail?: string): void;
  /** Something the user must act on (sign in again, unknown analysis). */
  fatal(message: string, code: string): void;
}

export class LiveAnalysis {
  private ws: WebSocket | undefined;
  private readonly cursor: SubscriptionCursor;
  private done = false;
  private attempt = 0;
  private retryHint = 0;
  private timer: number | undefined;
  /** Messages received, for the status line (and tests). */
  received = 0;

  constructor(
    analysisId: string,
    private readonly handlers: LiveHandlers,
  ) {
    this.cursor = new SubscriptionCursor(analysisId);
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.ws?.close(1000, 'leaving');
    this.ws = undefined;
  }

  private connect(): void {
    if (this.done) return;
    this.handlers.connection(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      const token = storedToken();
      if (token) ws.send(JSON.stringify({ type: 'auth', token }));
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const message = parseServerMessage(event.data);
      if (message) this.handle(ws, message);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.done) return;
      if (event.code === 4401) {
        this.done = true;
        this.handlers.fatal('The live connection was refused: sign in again.', 'unauthenticated');
        return;
      }
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    this.attempt++;
    const delay = reconnectDelayMs(this.attempt, this.retryHint, { baseMs: 500, maxMs: 15_000, jitter: Math.random() });
    this.retryHint = 0;
    this.handlers.connection('reconnecting', `retrying in ${Math.round(delay / 100) / 10} s`);
    this.timer = window.setTimeout(() => this.connect(), delay);
  }

  private handle(ws: WebSocket, message: ServerMessage): void {
    this.received++;
    switch (message.type) {
      case 'ready':
        ws.send(JSON.stringify(this.cursor.subscribe()));
        return;
      case 'subscribed':
        this.attempt = 0;
        this.cursor.subscribed(message);
        this.handlers.connection('live');
        return;
      case 'progress':
      case 'report':
      case 'failed': {
        if (!this.cursor.accept(message)) return; // another analysis's, or already shown
        if (message.type === 'progress') this.handlers.progress(message.progress);
        if (message.type === 'report') {
          this.done = true;
          this.handlers.report(message.report);
        }
        if (message.type === 'failed') {
          this.done = true;
          this.handlers.failed(message.status, message.failure);
        }
        if (this.done) {
          this.handlers.connection('closed');
          ws.close(1000, 'done');
        }
        return;
      }
      case 'reconnect':
        this.retryHint = message.retryAfterMs;
        return;
      case 'error':
        if (message.code === 'not_found') {
          this.done = true;
          this.handlers.fatal(message.message || 'Analysis not found', 'not_found');
          ws.close(1000, 'done');
        } else if (message.code === 'temporal_unavailable' || message.code === 'unavailable') {
          this.handlers.connection('reconnecting', message.message);
          ws.close(1000, 'retry');
        } else if (message.code === 'unauthenticated') {
          this.done = true;
          this.handlers.fatal(message.message || 'Sign in again', 'unauthenticated');
        }
        return;
      default:
        return;
    }
  }
}
