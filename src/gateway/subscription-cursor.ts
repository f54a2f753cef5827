/**
 * The client side of resuming a subscription (docs/websocket-protocol.md), shared by the CLI (`ws` in
 * Node) and the dashboard (the browser's WebSocket), so both follow one rule for "never show a message
 * twice or skip one". Pure: no sockets, no timers; the callers own the connection.
 */
import type { ClientMessage, ServerMessage } from './protocol';
import type { RelayMessage } from './relay';

/** A text frame from the gateway, or undefined when it is not a JSON object with a type. */
export function parseServerMessage(text: string): ServerMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') return value as ServerMessage;
  } catch {
    // not JSON: ignore the frame
  }
  return undefined;
}

export class SubscriptionCursor {
  private epoch: string | undefined;
  private lastSeq = 0;

  constructor(readonly analysisId: string) {}

  /** What to send once the connection is ready: a fresh subscribe, or a resume after what was seen. */
  subscribe(): Extract<ClientMessage, { type: 'subscribe' }> {
    return {
      type: 'subscribe',
      analysisId: this.analysisId,
      ...(this.epoch !== undefined ? { epoch: this.epoch, afterSeq: this.lastSeq } : {}),
    };
  }

  /**
   * The gateway confirmed the subscription. Unless it replays after our seq in the same epoch (or sends
   * only the latest state), numbering restarts: a new epoch's seq 1 must not be dropped as already seen.
   */
  subscribed(message: Extract<ServerMessage, { type: 'subscribed' }>): void {
    const continues = (message.resume === 'replay' || message.resume === 'latest') && message.epoch === this.epoch;
    if (!continues) this.lastSeq = 0;
    this.epoch = message.epoch;
  }

  /** True when a relayed message is this subscription's and new; it is then counted as seen. */
  accept(message: RelayMessage): boolean {
    if (message.analysisId !== this.analysisId || typeof message.seq !== 'number') return false;
    if (message.seq <= this.lastSeq) return false;
    this.lastSeq = message.seq;
    return true;
  }
}

/**
 * How long to wait before reconnect attempt `attempt` (1, 2, …): exponential backoff from `baseMs`
 * up to `maxMs`, never sooner than the gateway's `reconnect` hint. `jitter` in [0, 1) spreads clients
 * that lost the same gateway (0.5 = no change).
 */
export function reconnectDelayMs(attempt: number, hintMs: number, options: { baseMs: number; maxMs: number; jitter?: number }): number {
  const backoff = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 10));
  const spread = 0.8 + (options.jitter ?? 0.5) * 0.4;
  return Math.round(Math.max(backoff, hintMs) * spread);
}
