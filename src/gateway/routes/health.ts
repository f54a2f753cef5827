/**
 * Liveness and readiness. /healthz: the process answers. /readyz: Temporal answers too.
 * Both are outside /api and need no credentials (for load balancers and orchestrators).
 */
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { ApiError, TEMPORAL_UNAVAILABLE_MESSAGE } from '../errors';
import { withDeadline } from '../temporal';

export function healthRouter(options: { client: Client; timeoutMs: number }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await withDeadline(options.client, options.timeoutMs, () => options.client.workflowService.getSystemInfo({}));
    } catch {
      throw new ApiError(503, 'temporal_unavailable', TEMPORAL_UNAVAILABLE_MESSAGE);
    }
    res.json({ status: 'ready', temporal: 'reachable' });
  });
  return router;
}
