/**
 * The WebSocket endpoint: upgrades on one path of the gateway's HTTP server and runs one `WsSession`
 * per connection (see protocol.ts and docs/websocket-protocol.md).
 *
 * Authentication: credentials on the upgrade (Authorization / X-API-Key headers) are checked before the
 * upgrade completes (wrong ones: HTTP 401/403, no upgrade). Without credentials the connection opens in
 * an unauthenticated state and must send {"type":"auth","token":...} within `authTimeoutMs` (browsers
 * cannot set headers on a WebSocket); anything else first, a bad token, or silence closes it with 4401.
 *
 * Protection: frames over `maxPayloadBytes` close with 1009 (ws does this); each connection has a token
 * bucket (`messagesPerSecond`, `messageBurst`): excess messages are dropped with a `rate_limited` error
 * (at most one per second) and a sustained flood closes with 1008; a peer that stops reading is closed
 * with 1013 once `maxBufferedBytes` are waiting; at most `maxConnections` connections (then HTTP 503).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { describeFailure } from '../client/analyses';
import { canAccessAnalysis, type Authenticator, type Caller } from './auth';
import { ApiError } from './errors';
import type { Logger } from './log';
import {
  CLOSE_POLICY_VIOLATION,
  CLOSE_SERVICE_RESTART,
  CLOSE_TRY_AGAIN_LATER,
  CLOSE_UNAUTHENTICATED,
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
  type ResumePoint,
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
  /** After closing a connection, how long to wait for the close handshake before dropping it. */
  closeGraceMs: number;
  /** How long an unauthenticated connection may take to send its `auth` message. */
  authTimeoutMs: number;
  /** Sustained client messages per second per connection, and the burst allowed above it. */
  messagesPerSecond: number;
  messageBurst: number;
  /** Messages dropped by the rate limit (within 10 s) before the connection is closed with 1008. */
  floodCloseAfter: number;
  /** Open connections per gateway; further upgrades get HTTP 503. */
  maxConnections: number;
  /** Sent to clients in the `reconnect` message on shutdown. */
  reconnectAfterMs: number;
}

export const DEFAULT_WS_LIMITS: WsLimits = {
  maxPayloadBytes: 64 * 1024,
  maxSubscriptions: 50,
  maxBufferedBytes: 4 * 1024 * 1024,
  heartbeatMs: 30_000,
  closeGraceMs: 2_000,
  authTimeoutMs: 10_000,
  messagesPerSecond: 20,
  messageBurst: 40,
  floodCloseAfter: 200,
  maxConnections: 10_000,
  reconnectAfterMs: 1_000,
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
  /** Upgrades refused (bad credentials, too many connections, shutting down, wrong path). */
  refusedUpgrades: number;
  /** Connections closed with 4401 (bad token, no auth in time, messages before auth). */
  authFailures: number;
  /** Messages dropped by the rate limit, and connections closed for flooding. */
  rateLimited: number;
  floodsClosed: number;
}

type SessionCounters = Pick<WsCounters, 'slowConsumersClosed' | 'authFailures' | 'rateLimited' | 'floodsClosed'>;

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

export interface SessionOptions {
  /** Checks the token of an `auth` message (as `Authorization: Bearer <token>`). */
  authenticate?: Authenticator;
  counters?: SessionCounters;
  log?: Logger;
  now?: () => number;
}

/** One client connection: authentication, subscriptions, limits. Transport-agnostic. */
export class WsSession {
  private readonly subscriptions = new Map<string, Subscription>();
  private closed = false;
  private caller: Caller | undefined;
  private authenticating = false;
  private authTimer: NodeJS.Timeout | undefined;
  private tokens: number;
  private refilledAt: number;
  private dropWindowStart = 0;
  private dropped = 0;
  private lastRateError = -Infinity;
  private readonly counters: SessionCounters;
  private readonly log: Logger;
  private readonly now: () => number;
  /** Set on every pong; cleared by the heartbeat before each ping. */
  alive = true;

  constructor(
    private readonly socket: SessionSocket,
    caller: Caller | undefined,
    private readonly relay: RelaySource,
    private readonly limits: Pick<WsLimits, 'maxSubscriptions' | 'maxBufferedBytes' | 'closeGraceMs'> & Partial<WsLimits>,
    private readonly options: SessionOptions = {},
  ) {
    this.counters = options.counters ?? { slowConsumersClosed: 0, authFailures: 0, rateLimited: 0, floodsClosed: 0 };
    this.log = options.log ?? (() => {});
    this.now = options.now ?? Date.now;
    this.tokens = this.limits.messageBurst ?? DEFAULT_WS_LIMITS.messageBurst;
    this.refilledAt = this.now();
    if (caller) {
      this.becomeReady(caller);
    } else {
      const timeout = this.limits.authTimeoutMs ?? DEFAULT_WS_LIMITS.authTimeoutMs;
      this.authTimer = setTimeout(() => {
        if (!this.caller && !this.closed) {
          this.failAuth(`Authentication required: send {"type":"auth","token":"<API key or JWT>"} within ${Math.round(timeout / 1000)} s of connecting`);
        }
      }, timeout);
      this.authTimer.unref();
    }
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  get authenticated(): boolean {
    return this.caller !== undefined;
  }

  handleFrame(data: RawData | string, isBinary: boolean): void {
    if (this.closed) return;
    if (!this.admit()) return;
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
    if (message.type === 'ping') {
      this.send({ type: 'pong' });
      return;
    }
    if (message.type === 'auth') {
      this.authenticate(message.token);
      return;
    }
    if (!this.caller) {
      this.failAuth(`Authenticate first: the first message must be {"type":"auth","token":...} (got "${message.type}")`);
      return;
    }
    switch (message.type) {
      case 'subscribe':
        this.subscribe(
          message.analysisId,
          message.afterSeq !== undefined && message.epoch !== undefined ? { epoch: message.epoch, afterSeq: message.afterSeq } : undefined,
        );
        return;
      case 'unsubscribe':
        this.unsubscribe(message.analysisId);
        return;
    }
  }

  /** The connection is gone: release every subscription (stops pollers nobody else needs). */
  dispose(): void {
    this.closed = true;
    if (this.authTimer) clearTimeout(this.authTimer);
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
  }

  /** Shutdown: tell the client to reconnect (and resume), then close with 1012. */
  closeForRestart(retryAfterMs: number): void {
    if (this.closed) return;
    this.send({
      type: 'reconnect',
      message: 'The gateway is restarting; reconnect and subscribe again with your last epoch and seq to resume',
      retryAfterMs,
    });
    this.closeWith(CLOSE_SERVICE_RESTART, 'gateway restarting; reconnect and resume');
  }

  // --- authentication ------------------------------------------------------------------------------

  private becomeReady(caller: Caller): void {
    this.caller = caller;
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = undefined;
    this.send({
      type: 'ready',
      subject: caller.subject,
      tenants: caller.tenants,
      auth: caller.via ?? 'custom',
      limits: {
        maxSubscriptions: this.limits.maxSubscriptions,
        maxPayloadBytes: this.limits.maxPayloadBytes ?? DEFAULT_WS_LIMITS.maxPayloadBytes,
        messagesPerSecond: this.limits.messagesPerSecond ?? DEFAULT_WS_LIMITS.messagesPerSecond,
      },
    });
  }

  private authenticate(token: string): void {
    if (this.caller) {
      this.sendError('already_authenticated', 'This connection is already authenticated');
      return;
    }
    if (this.authenticating) {
      this.sendError('invalid_message', 'An "auth" message is already being checked');
      return;
    }
    const authenticator = this.options.authenticate;
    if (!authenticator) {
      this.failAuth('This gateway does not accept "auth" messages');
      return;
    }
    this.authenticating = true;
    Promise.resolve()
      .then(() => authenticator({ headers: { authorization: `Bearer ${token}` } }))
      .then(
        (caller) => {
          this.authenticating = false;
          if (this.closed) return;
          if (!caller) this.failAuth('The token was not accepted');
          else this.becomeReady(caller);
        },
        (err: unknown) => {
          this.authenticating = false;
          if (this.closed) return;
          if (err instanceof ApiError && err.status === 503) {
            this.sendError('auth_unavailable', err.message);
            this.closeWith(CLOSE_TRY_AGAIN_LATER, 'identity provider unavailable; try again shortly');
            return;
          }
          if (!(err instanceof ApiError)) this.log({ level: 'error', msg: 'ws: authentication failed unexpectedly', error: describeFailure(err) });
          this.failAuth(err instanceof ApiError ? err.message : 'The token could not be checked');
        },
      );
  }

  private failAuth(message: string): void {
    this.counters.authFailures++;
    this.sendError('unauthenticated', message);
    this.closeWith(CLOSE_UNAUTHENTICATED, 'authentication failed');
  }

  // --- rate limiting -------------------------------------------------------------------------------

  /** Token bucket; false when the message must be dropped. */
  private admit(): boolean {
    const rate = this.limits.messagesPerSecond ?? DEFAULT_WS_LIMITS.messagesPerSecond;
    const burst = this.limits.messageBurst ?? DEFAULT_WS_LIMITS.messageBurst;
    const now = this.now();
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.counters.rateLimited++;
    if (now - this.dropWindowStart > 10_000) {
      this.dropWindowStart = now;
      this.dropped = 0;
    }
    this.dropped++;
    if (this.dropped >= (this.limits.floodCloseAfter ?? DEFAULT_WS_LIMITS.floodCloseAfter)) {
      this.counters.floodsClosed++;
      this.sendError('rate_limited', 'Too many messages: closing the connection');
      this.closeWith(CLOSE_POLICY_VIOLATION, 'flooding: too many messages');
      return false;
    }
    if (now - this.lastRateError >= 1000) {
      this.lastRateError = now;
      this.sendError('rate_limited', `Too many messages: at most ${rate} per second (bursts of ${burst}); messages above that are dropped`);
    }
    return false;
  }

  // --- subscriptions -------------------------------------------------------------------------------

  private subscribe(analysisId: string, resume: ResumePoint | undefined): void {
    const caller = this.caller!;
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
    if (!canAccessAnalysis(caller, analysisId)) {
      this.sendError('not_found', `Analysis ${JSON.stringify(analysisId)} was not found`, analysisId);
      return;
    }
    const subscription = this.relay.subscribe(
      analysisId,
      {
        onSubscribed: (info) => this.send({ type: 'subscribed', analysisId, epoch: info.epoch, latestSeq: info.seq, resume: info.resume }),
        onMessage: (message) => {
          if (isFinalMessage(message) && this.subscriptions.get(analysisId) === subscription) {
            this.subscriptions.delete(analysisId);
          }
          this.sendText(serializeRelayMessage(message));
        },
      },
      resume,
    );
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
        this.log({ level: 'error', msg: 'ws: subscribe failed', analysisId, error: describeFailure(err) });
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

  // --- sending -------------------------------------------------------------------------------------

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
      this.counters.slowConsumersClosed++;
      this.closeWith(CLOSE_TRY_AGAIN_LATER, 'slow consumer: too much unsent data; reconnect and resubscribe');
      return;
    }
    this.socket.send(text);
  }

  /** Release everything, start the close handshake, and drop the peer if it does not finish it. */
  private closeWith(code: number, reason: string): void {
    if (this.closed) return;
    this.dispose();
    this.socket.close(code, reason);
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
  log?: Logger;
}

export interface WsEndpoint {
  readonly wss: WebSocketServer;
  counters(): WsCounters;
  /** Tell every client to reconnect, close them with 1012, and stop accepting upgrades; resolves when all are gone. */
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code, message } });
  const extra = status === 401 ? 'WWW-Authenticate: Bearer realm="finops"\r\n' : '';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\n${extra}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function attachWebSocket(options: WsEndpointOptions): WsEndpoint {
  const limits: WsLimits = { ...DEFAULT_WS_LIMITS, ...options.limits };
  const log = options.log ?? (() => {});
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes });
  const sessions = new Map<WebSocket, WsSession>();
  const counters: Omit<WsCounters, 'open'> = {
    connections: 0,
    slowConsumersClosed: 0,
    heartbeatTerminations: 0,
    refusedUpgrades: 0,
    authFailures: 0,
    rateLimited: 0,
    floodsClosed: 0,
  };
  let closing = false;

  const refuse = (socket: Duplex, status: number, code: string, message: string) => {
    counters.refusedUpgrades++;
    refuseUpgrade(socket, status, code, message);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const pathname = new URL(req.url ?? '/', 'http://gateway.invalid').pathname;
    if (pathname !== options.path) {
      refuse(socket, 404, 'not_found', `WebSocket connections are served at ${options.path}`);
      return;
    }
    if (closing) {
      refuse(socket, 503, 'shutting_down', 'The gateway is shutting down; connect to another instance');
      return;
    }
    if (sessions.size >= limits.maxConnections) {
      refuse(socket, 503, 'unavailable', 'Too many WebSocket connections on this gateway; try again shortly');
      return;
    }
    Promise.resolve()
      .then(() => options.authenticate(req))
      .then(
        (caller) => {
          if (socket.destroyed) return;
          // No credentials: accept, and expect an `auth` message.
          wss.handleUpgrade(req, socket, head, (ws) => accept(ws, caller));
        },
        (err: unknown) => {
          if (err instanceof ApiError) {
            refuse(socket, err.status === 403 || err.status === 503 ? err.status : 401, err.code, err.message);
            return;
          }
          log({ level: 'error', msg: 'ws: upgrade authentication failed unexpectedly', error: describeFailure(err) });
          refuse(socket, 500, 'internal', 'The gateway failed to check the credentials; the error has been logged');
        },
      );
  };

  const accept = (ws: WebSocket, caller: Caller | undefined): void => {
    counters.connections++;
    const session = new WsSession(ws, caller, options.relay, limits, { authenticate: options.authenticate, counters, log });
    sessions.set(ws, session);
    ws.on('message', (data, isBinary) => {
      try {
        session.handleFrame(data, isBinary);
      } catch (err) {
        log({ level: 'error', msg: 'ws: message handling failed', error: describeFailure(err) });
        session.send({ type: 'error', code: 'internal', message: 'The gateway failed to handle this message' });
      }
    });
    ws.on('pong', () => {
      session.alive = true;
    });
    // Oversized frames and protocol violations: ws closes the socket itself (1009 / 1002); just note it.
    ws.on('error', (err) => log({ level: 'info', msg: 'ws: connection error', error: err.message }));
    ws.on('close', () => {
      session.dispose();
      sessions.delete(ws);
    });
  };

  const heartbeat = setInterval(() => {
    for (const [ws, session] of sessions) {
      if (!session.alive) {
        counters.heartbeatTerminations++;
        // Release the session now: 'close' fires later, and until then the peer would still count as open and keep
        // its pollers. dispose() and delete() are idempotent, so the later 'close' is harmless.
        session.dispose();
        sessions.delete(ws);
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
    close: async () => {
      closing = true;
      clearInterval(heartbeat);
      options.server.off('upgrade', onUpgrade);
      const closed = [...sessions.keys()].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, limits.closeGraceMs).unref();
          }),
      );
      for (const session of sessions.values()) session.closeForRestart(limits.reconnectAfterMs);
      await Promise.all(closed);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
