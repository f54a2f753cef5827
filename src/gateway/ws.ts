/**
 * The WebSocket endpoint: upgrades on one path of the gateway's HTTP server, authenticates the upgrade
 * with the same Authenticator as REST, and runs one `WsSession` per connection (see protocol.ts).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { describeFailure } from '../client/analyses';
import { canAccessAnalysis, type Authenticator, type Caller } from './auth';
import {
  CLOSE_TRY_AGAIN_LATER,
  parseClientMessage,
  type ErrorMessage,
  type ServerMessage,
  type WsErrorCode,
} from './protocol';
import {
  AnalysisNotFoundError,
  isFinalMessage,
  RelayClosedError,
  type RelayMessage,
  type RelaySource,
  type Subscription,
} from './relay';
import { isTemporalUnavailable } from './temporal';

export interface WsLimits {
  /** Largest frame accepted from a client; larger frames close the connection with 1009. */
  maxPayloadBytes: number;
  maxSubscriptions: number;
  /** Unsent bytes allowed to pile up for one client before it is closed with 1013. */
  maxBufferedBytes: number;
  /** Protocol ping interval; a peer that misses one is terminated at the next tick. */
  heartbeatMs: number;
  /** After closing a slow consumer, how long to wait for the close handshake before dropping it. */
  closeGraceMs: number;
}

export const DEFAULT_WS_LIMITS: WsLimits = {
  maxPayloadBytes: 64 * 1024,
  maxSubscriptions: 50,
  maxBufferedBytes: 4 * 1024 * 1024,
  heartbeatMs: 30_000,
  closeGraceMs: 2_000,
};

/** The part of a `ws` WebSocket a session uses (tests can pass a fake). */
export interface SessionSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

export interface WsCounters {
  /** Connections accepted since start. */
  connections: number;
  /** Connections open now. */
  open: number;
  slowConsumersClosed: number;
  heartbeatTerminations: number;
}

/** Serialise each relay message once, however many connections it goes to. */
const serialized = new WeakMap<RelayMessage, string>();
function serializeRelayMessage(message: RelayMessage): string {
  let text = serialized.get(message);
  if (text === undefined) {
    text = JSON.stringify(message);
    serialized.set(message, text);
  }
  return text;
}

/** One client connection: its subscriptions and the protocol state machine. Transport-agnostic. */
export class WsSession {
  private readonly subscriptions = new Map<string, Subscription>();
  private closed = false;
  /** Set on every pong; cleared by the heartbeat before each ping. */
  alive = true;

  constructor(
    private readonly socket: SessionSocket,
    private readonly caller: Caller,
    private readonly relay: RelaySource,
    private readonly limits: Pick<WsLimits, 'maxSubscriptions' | 'maxBufferedBytes' | 'closeGraceMs'>,
    private readonly onSlowConsumer: () => void = () => {},
    private readonly log: (line: string) => void = () => {},
  ) {}

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  handleFrame(data: RawData | string, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) {
      this.sendError('unsupported_data', 'Binary frames are not supported; send JSON text frames');
      return;
    }
    const text = typeof data === 'string' ? data : rawToString(data);
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.send(parsed.error);
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'ping':
        this.send({ type: 'pong' });
        return;
      case 'subscribe':
        this.subscribe(message.analysisId);
        return;
      case 'unsubscribe':
        this.unsubscribe(message.analysisId);
        return;
    }
  }

  /** The connection is gone: release every subscription (stops pollers nobody else needs). */
  dispose(): void {
    this.closed = true;
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
  }

  private subscribe(analysisId: string): void {
    if (this.subscriptions.has(analysisId)) {
      this.sendError('already_subscribed', 'This connection is already subscribed to that analysis', analysisId);
      return;
    }
    if (this.subscriptions.size >= this.limits.maxSubscriptions) {
      this.sendError(
        'too_many_subscriptions',
        `At most ${this.limits.maxSubscriptions} subscriptions per connection; unsubscribe from one first`,
        analysisId,
      );
      return;
    }
    // Other tenants' analyses and malformed IDs look exactly like unknown ones.
    if (!canAccessAnalysis(this.caller, analysisId)) {
      this.sendError('not_found', `Analysis ${JSON.stringify(analysisId)} was not found`, analysisId);
      return;
    }
    const subscription = this.relay.subscribe(analysisId, {
      onSubscribed: () => this.send({ type: 'subscribed', analysisId }),
      onMessage: (message) => {
        if (isFinalMessage(message) && this.subscriptions.get(analysisId) === subscription) {
          this.subscriptions.delete(analysisId);
        }
        this.sendText(serializeRelayMessage(message));
      },
    });
    this.subscriptions.set(analysisId, subscription);
    subscription.ready.catch((err: unknown) => {
      if (this.subscriptions.get(analysisId) === subscription) this.subscriptions.delete(analysisId);
      if (this.closed) return;
      if (err instanceof AnalysisNotFoundError) {
        this.sendError('not_found', `Analysis ${JSON.stringify(analysisId)} was not found`, analysisId);
      } else if (isTemporalUnavailable(err)) {
        this.sendError('temporal_unavailable', 'Temporal is not reachable right now; subscribe again shortly', analysisId);
      } else if (err instanceof RelayClosedError) {
        this.sendError('unavailable', 'The gateway is shutting down', analysisId);
      } else {
        this.log(`ws: subscribe ${analysisId} failed: ${describeFailure(err)}`);
        this.sendError('internal', 'Subscribing failed; the error has been logged', analysisId);
      }
    });
  }

  private unsubscribe(analysisId: string): void {
    const subscription = this.subscriptions.get(analysisId);
    if (!subscription) {
      this.sendError('not_subscribed', 'This connection is not subscribed to that analysis', analysisId);
      return;
    }
    subscription.unsubscribe();
    this.subscriptions.delete(analysisId);
    this.send({ type: 'unsubscribed', analysisId });
  }

  private sendError(code: WsErrorCode, message: string, analysisId?: string): void {
    const error: ErrorMessage = { type: 'error', code, message, ...(analysisId !== undefined ? { analysisId } : {}) };
    this.send(error);
  }

  send(message: ServerMessage): void {
    this.sendText(JSON.stringify(message));
  }

  private sendText(text: string): void {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return;
    // Checked before sending: one large message may sit in the buffer, a backlog may not.
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.closeSlowConsumer();
      return;
    }
    this.socket.send(text);
  }

  private closeSlowConsumer(): void {
    this.onSlowConsumer();
    this.dispose();
    this.socket.close(CLOSE_TRY_AGAIN_LATER, 'slow consumer: too much unsent data; reconnect and resubscribe');
    const socket = this.socket;
    const timer = setTimeout(() => {
      if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
    }, this.limits.closeGraceMs);
    timer.unref();
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

export interface WsEndpointOptions {
  server: Server;
  path: string;
  relay: RelaySource;
  authenticate: Authenticator;
  limits?: Partial<WsLimits>;
  log?: (line: string) => void;
}

export interface WsEndpoint {
  readonly wss: WebSocketServer;
  counters(): WsCounters;
  /** Close every client with `code` and stop accepting upgrades; resolves when all are gone. */
  close(code: number, reason: string): Promise<void>;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code: status === 401 ? 'unauthenticated' : status === 404 ? 'not_found' : 'internal', message: text } });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function attachWebSocket(options: WsEndpointOptions): WsEndpoint {
  const limits: WsLimits = { ...DEFAULT_WS_LIMITS, ...options.limits };
  const log = options.log ?? (() => {});
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes });
  const sessions = new Map<WebSocket, WsSession>();
  const counters: Omit<WsCounters, 'open'> = { connections: 0, slowConsumersClosed: 0, heartbeatTerminations: 0 };
  let closing = false;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const pathname = new URL(req.url ?? '/', 'http://gateway.invalid').pathname;
    if (pathname !== options.path) {
      refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (closing) {
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    Promise.resolve()
      .then(() => options.authenticate(req))
      .then(
        (caller) => {
          if (!caller) {
            refuseUpgrade(socket, 401, 'Unauthorized');
            return;
          }
          if (socket.destroyed) return;
          wss.handleUpgrade(req, socket, head, (ws) => accept(ws, caller));
        },
        (err: unknown) => {
          const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
          refuseUpgrade(socket, status === 401 || status === 403 ? status : 500, status === 401 || status === 403 ? 'Unauthorized' : 'Internal Server Error');
        },
      );
  };

  const accept = (ws: WebSocket, caller: Caller): void => {
    counters.connections++;
    const session = new WsSession(
      ws,
      caller,
      options.relay,
      limits,
      () => counters.slowConsumersClosed++,
      log,
    );
    sessions.set(ws, session);
    ws.on('message', (data, isBinary) => {
      try {
        session.handleFrame(data, isBinary);
      } catch (err) {
        log(`ws: message handling failed: ${describeFailure(err)}`);
        session.send({ type: 'error', code: 'internal', message: 'The gateway failed to handle this message' });
      }
    });
    ws.on('pong', () => {
      session.alive = true;
    });
    // Oversized frames and protocol violations: ws closes the socket itself (1009 / 1002); just note it.
    ws.on('error', (err) => log(`ws: connection error: ${err.message}`));
    ws.on('close', () => {
      session.dispose();
      sessions.delete(ws);
    });
  };

  const heartbeat = setInterval(() => {
    for (const [ws, session] of sessions) {
      if (!session.alive) {
        counters.heartbeatTerminations++;
        ws.terminate();
        continue;
      }
      session.alive = false;
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }
  }, limits.heartbeatMs);
  heartbeat.unref();

  options.server.on('upgrade', onUpgrade);

  return {
    wss,
    counters: () => ({ ...counters, open: sessions.size }),
    close: async (code, reason) => {
      closing = true;
      clearInterval(heartbeat);
      options.server.off('upgrade', onUpgrade);
      const closed = [...sessions.keys()].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(code, reason);
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, limits.closeGraceMs).unref();
          }),
      );
      for (const session of sessions.values()) session.dispose();
      await Promise.all(closed);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
