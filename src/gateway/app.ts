/**
 * The gateway: an Express app and a WebSocket endpoint on one HTTP server, plus the progress relay.
 * `createGateway` builds everything without listening, so tests run it in-process on port 0.
 *
 * Request pipeline (order matters; later work slots in where marked):
 *   request log -> /healthz, /readyz (no auth) -> [static dashboard] -> authenticate -> /api routes
 *   -> 404 JSON -> error handler (one JSON error shape, no stack traces)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import { allowAll, authenticate, type Authenticator } from './auth';
import { errorHandler, routeNotFound } from './errors';
import { API_PREFIX, WS_PATH } from './links';
import { CLOSE_GOING_AWAY } from './protocol';
import { ProgressRelay, type RelayOptions } from './relay';
import { requestLog } from './request-log';
import { analysesRouter } from './routes/analyses';
import { healthRouter } from './routes/health';
import { attachWebSocket, type WsEndpoint, type WsLimits } from './ws';

export interface GatewayOptions {
  client: Client;
  taskQueue: string;
  /** Who is calling; defaults to `allowAll` (development: every tenant). */
  authenticate?: Authenticator;
  /** Relay tuning (poll intervals, deadlines, retention). */
  relay?: Omit<RelayOptions, 'client' | 'log'>;
  /** WebSocket limits (frame size, subscriptions, slow-consumer bound, heartbeat). */
  ws?: Partial<WsLimits>;
  /** Deadline for each Temporal call made while answering a REST request. */
  rpcTimeoutMs?: number;
  /** Deadline for the progress query behind GET /api/analyses/:id (a run no worker picked up never answers). */
  queryTimeoutMs?: number;
  /** A directory of static files (the dashboard) served at `/`. */
  staticDir?: string;
  /** One line per request (and operational notes). Silent by default. */
  log?: (line: string) => void;
  /** Clock for request validation (tests pin it). */
  now?: () => Date;
}

export interface Gateway {
  app: Express;
  server: Server;
  relay: ProgressRelay;
  websocket: WsEndpoint;
  /** Listen (port 0 picks a free port); rejects with the listen error, e.g. EADDRINUSE. */
  listen(port: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  /** Close WS clients with 1001, stop the relay, stop accepting HTTP; resolves when the server is closed. */
  close(): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const log = options.log ?? (() => {});
  const rpcTimeoutMs = options.rpcTimeoutMs ?? 10_000;
  const authenticator = options.authenticate ?? allowAll;
  const relay = new ProgressRelay({ ...options.relay, client: options.client, log });

  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(log));
  app.use(healthRouter({ client: options.client, timeoutMs: Math.min(rpcTimeoutMs, 5000) }));
  if (options.staticDir) app.use(express.static(options.staticDir, { index: 'index.html', fallthrough: true }));
  app.use(API_PREFIX, authenticate(authenticator), apiRouter(options, rpcTimeoutMs));
  app.use(routeNotFound);
  app.use(errorHandler(log));

  const server = createServer(app);
  // Slow or idle HTTP clients cannot hold the server open forever.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  const websocket = attachWebSocket({ server, path: WS_PATH, relay, authenticate: authenticator, limits: options.ws ?? {}, log });

  let closing: Promise<void> | undefined;
  return {
    app,
    server,
    relay,
    websocket,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ port: address.port, host: address.address, url: `http://${shownHost}:${address.port}` });
        });
      }),
    close: () =>
      (closing ??= (async () => {
        await websocket.close(CLOSE_GOING_AWAY, 'gateway shutting down');
        relay.close();
        if (!server.listening) return;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 5000);
        force.unref();
        await closed;
        clearTimeout(force);
      })()),
  };
}

/** Everything under /api; list, schedules and the OpenAPI document mount here too. */
function apiRouter(options: GatewayOptions, rpcTimeoutMs: number): express.Router {
  const api = express.Router();
  api.use(
    '/analyses',
    analysesRouter({
      client: options.client,
      taskQueue: options.taskQueue,
      rpcTimeoutMs,
      queryTimeoutMs: options.queryTimeoutMs ?? 3000,
      now: options.now ?? (() => new Date()),
    }),
  );
  return api;
}
