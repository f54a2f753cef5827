/**
 * Liveness, readiness and metrics, outside /api and without credentials (for load balancers,
 * orchestrators and Prometheus). None of them reveals tenant data.
 *   /healthz  the process answers
 *   /readyz   Temporal answers and the gateway is not shutting down (503 shutting_down while draining)
 *   /metrics  Prometheus text: relay, WebSocket and request counters, CPU and memory
 */
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { ApiError, TEMPORAL_UNAVAILABLE_MESSAGE } from '../errors';

export interface HealthOptions {
  client: Client;
  timeoutMs: number;
  /** True once shutdown has begun. */
  draining: () => boolean;
  /** Prometheus text for /metrics. */
  metrics: () => string;
}

export function healthRouter(options: HealthOptions): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (options.draining()) {
      throw new ApiError(503, 'shutting_down', 'The gateway is shutting down; use another instance');
    }
    try {
      // Not through the gateway's queue of Temporal calls: readiness is about Temporal, not about our load.
      await options.client.withDeadline(Date.now() + options.timeoutMs, () => options.client.workflowService.getSystemInfo({}));
    } catch {
      throw new ApiError(503, 'temporal_unavailable', TEMPORAL_UNAVAILABLE_MESSAGE);
    }
    res.json({ status: 'ready', temporal: 'reachable' });
  });
  router.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4; charset=utf-8').send(options.metrics());
  });
  return router;
}
