/**
 * The gateway: an Express app and a WebSocket endpoint on one HTTP server, plus the progress relay.
 * `createGateway` builds everything without listening, so tests run it in-process on port 0.
 *
 * Request pipeline (order matters):
 *   security headers -> request log -> /healthz, /readyz, /metrics (no auth) -> dashboard (/, /assets/*)
 *   -> /api/openapi.json (no auth) -> authenticate -> /api routes -> /mcp -> /codec (Web UI payload codec,
 *   CORS preflight without auth) -> 404 JSON -> error handler
 *   (one JSON error shape, no stack traces)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import express, { type Express, type RequestHandler, type Router } from 'express';
import { AGENT_KINDS, AGENTS } from '../domain/agents';
import { converserFactory } from '../llm/bedrock';
import { allowAll, authenticate, callerOf, requireBoundTenant, type Authenticator } from './auth';
import { TenantBindings } from '../activities/tenancy';
import { ReportStore } from '../activities/reports';
import { reportRetentionDays } from '../config';
import { DashboardAssets } from './dashboard-assets';
import { errorHandler, routeNotFound } from './errors';
import { API_PREFIX, WS_PATH } from './links';
import type { Logger } from './log';
import { renderMetrics } from './metrics';
import { openApiDocument } from './openapi';
import { ProgressRelay, type RelayOptions } from './relay';
import { requestLog, type RequestCounters } from './request-log';
import { tenantRateLimit, type RateLimitOptions } from './rate-limit';
import { registerAnalysisRoutes, type AnalysesLlmOptions } from './routes/analyses';
import { healthRouter } from './routes/health';
import { registerScheduleRoutes } from './routes/schedules';
import { CODEC_PATH, codecOriginsFromEnv, codecRouter } from './routes/codec';
import { registerFindingStateRoutes } from './routes/finding-states';
import { FindingStateStore, isStateBackend } from '../activities/finding-states';
import { storeFromEnv, type ArtefactStore } from '../activities/store';
import { MCP_PATH, mcpRouter } from '../mcp/http';
import { attachWebSocket, type WsEndpoint, type WsLimits } from './ws';

export interface GatewayOptions {
  client: Client;
  taskQueue: string;
  /** Who is calling; defaults to `allowAll` (development: every tenant). See auth-config.ts for production. */
  authenticate?: Authenticator;
  /** Relay tuning (poll intervals, deadlines, retention). */
  relay?: Omit<RelayOptions, 'client' | 'log'>;
  /** WebSocket limits (frame size, subscriptions, rate limit, slow-consumer bound, heartbeat, auth deadline). */
  ws?: Partial<WsLimits>;
  /** Deadline for each Temporal call made while answering a REST request. */
  rpcTimeoutMs?: number;
  /** Deadline for the progress query behind GET /api/analyses/:id (a run no worker picked up never answers). */
  queryTimeoutMs?: number;
  /** Serve the dashboard at `/` (default true); a folder holds a built copy, true bundles from source. */
  dashboard?: boolean | { dir: string };
  /** Structured log records (requests, operational notes). Silent by default. */
  log?: Logger;
  /** Clock for request validation (tests pin it). */
  now?: () => Date;
  /** Bedrock for the planner and follow-up questions (default: from FINOPS_BEDROCK_MODEL_ID; none = deterministic). */
  llm?: AnalysesLlmOptions;
  /** Where weekly reviews are kept, to list and read them (default: the worker's store, from FINOPS_STORE_*). */
  store?: ArtefactStore;
  /** Which accounts each tenant may analyse (default: single tenant, nothing bound). */
  tenancy?: TenantBindings;
  /** Per-tenant request limit on /api (default: off; the gateway process reads FINOPS_RATE_LIMIT_PER_MINUTE). */
  rateLimit?: RateLimitOptions;
  /** Completed reports kept beyond Temporal's retention (default: the worker's store, from FINOPS_STORE_*). */
  reports?: ReportStore;
  /** Temporal Web UI origins allowed to call the codec endpoint (default: FINOPS_CODEC_CORS_ORIGINS, else the dev server's UI). */
  codecOrigins?: readonly string[];
  /** Finding states (default: in `store` when it supports versioned writes, else the worker's store from FINOPS_STORE_*). */
  findingStates?: FindingStateStore;
}

export interface Gateway {
  app: Express;
  server: Server;
  relay: ProgressRelay;
  websocket: WsEndpoint;
  /** The routers under /api (public first), for route introspection. */
  apiRouters: Router[];
  /** Listen (port 0 picks a free port); rejects with the listen error, e.g. EADDRINUSE. */
  listen(port: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  /**
   * Graceful shutdown: /readyz turns 503, WebSocket clients get a `reconnect` message and close code 1012,
   * the relay stops, HTTP stops accepting; resolves when the server is closed.
   */
  close(): Promise<void>;
}

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
};

export function createGateway(options: GatewayOptions): Gateway {
  const log: Logger = options.log ?? (() => {});
  const rpcTimeoutMs = options.rpcTimeoutMs ?? 10_000;
  const tenancy = options.tenancy ?? TenantBindings.single();
  const authenticator = requireBoundTenant(options.authenticate ?? allowAll, tenancy);
  const relay = new ProgressRelay({ ...options.relay, client: options.client, log });
  const requestCounters: RequestCounters = { byClass: {} };
  let draining = false;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(requestLog(log, requestCounters));
  app.use(
    healthRouter({
      client: options.client,
      timeoutMs: Math.min(rpcTimeoutMs, 5000),
      draining: () => draining,
      metrics: () => renderMetrics(relay.stats(), websocket.counters(), requestCounters),
    }),
  );
  if (options.dashboard !== false) {
    const dir = typeof options.dashboard === 'object' ? options.dashboard.dir : undefined;
    app.use(new DashboardAssets(dir, log).router());
  }

  const publicApi = express.Router();
  publicApi.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  const api = apiRouter({ ...options, tenancy }, rpcTimeoutMs);
  app.use(API_PREFIX, publicApi);
  app.use(API_PREFIX, authenticate(authenticator), tenantRateLimit(options.rateLimit ?? { requestsPerWindow: 0, windowMs: 60_000 }), api);
  app.use(MCP_PATH, mcpRouter({ authenticate: authenticator }));
  // The Temporal Web UI's remote codec: large payloads (references in history) decoded for operators.
  app.use(CODEC_PATH, codecRouter({ authenticate: authenticator, store: options.store ?? storeFromEnv(), origins: options.codecOrigins ?? codecOriginsFromEnv() }));
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
    apiRouters: [publicApi, api],
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
        draining = true;
        await websocket.close();
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

/** Everything under /api that needs credentials. Routes are registered with full paths (a flat table). */
function apiRouter(options: GatewayOptions & { tenancy: TenantBindings }, rpcTimeoutMs: number): Router {
  const api = express.Router();
  const reports = options.reports ?? new ReportStore(storeFromEnv(), reportRetentionDays());
  const store = options.store ?? storeFromEnv();
  registerAnalysisRoutes(api, {
    tenancy: options.tenancy,
    reports,
    client: options.client,
    taskQueue: options.taskQueue,
    rpcTimeoutMs,
    queryTimeoutMs: options.queryTimeoutMs ?? 3000,
    now: options.now ?? (() => new Date()),
    llm: options.llm ?? { converser: converserFactory() },
  });
  registerScheduleRoutes(api, { tenancy: options.tenancy, client: options.client, taskQueue: options.taskQueue, rpcTimeoutMs, store });
  registerFindingStateRoutes(api, {
    states: options.findingStates ?? new FindingStateStore(isStateBackend(store) ? store : storeFromEnv()),
    reports,
    store,
    now: options.now ?? (() => new Date()),
  });
  api.get('/me', (_req, res) => {
    const caller = callerOf(res);
    res.json({ subject: caller.subject, tenants: caller.tenants, auth: caller.via ?? 'custom' });
  });
  api.get('/agents', (_req, res) => {
    res.json({ agents: AGENT_KINDS.map((agent) => ({ agent, title: AGENTS[agent].title })) });
  });
  return api;
}

/** "METHOD /api/path" for every route registered on the given /api routers (Express-style parameters). */
export function registeredRoutes(routers: readonly Router[], prefix = API_PREFIX): string[] {
  const routes: string[] = [];
  for (const router of routers) {
    for (const layer of router.stack as { route?: { path: string; methods: Record<string, boolean> } }[]) {
      if (!layer.route) continue;
      for (const [method, enabled] of Object.entries(layer.route.methods)) {
        if (enabled && method !== '_all') routes.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      }
    }
  }
  return routes;
}
