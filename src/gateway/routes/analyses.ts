/**
 * /api/analyses: start, read, fetch the report of, and cancel analyses.
 *
 * Analysis IDs contain slashes, so they travel URL-encoded in one path segment:
 *   GET /api/analyses/analysis%2Facme%2F20261121-0930-a1b2c3
 * Every route checks the caller's tenant; other tenants' analyses answer 404 like unknown ones.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import express, { Router, type RequestHandler } from 'express';
import { startAnalysis } from '../../client/analyses';
import { validateAnalysisRequest } from '../../domain/request';
import { callerOf, canAccessAnalysis, canAccessTenant } from '../auth';
import { ApiError, MAX_BODY_BYTES, notFound } from '../errors';
import { analysisLinks } from '../links';
import { withDeadline } from '../temporal';
import { readView, type GatewayAnalysisView } from '../views';

export interface AnalysesRouteOptions {
  client: Client;
  taskQueue: string;
  /** Deadline for each Temporal call made while answering a request. */
  rpcTimeoutMs: number;
  /** Deadline for the progress query of a running analysis (GET /:id). */
  queryTimeoutMs: number;
  now: () => Date;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/** 415 for anything but JSON, before the body is read. */
const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is(JSON_TYPES)) {
    throw new ApiError(415, 'unsupported_media_type', 'The request body must be JSON with Content-Type: application/json');
  }
  next();
};

const jsonBody = express.json({ limit: MAX_BODY_BYTES, type: JSON_TYPES, strict: false });

export function analysesRouter(options: AnalysesRouteOptions): Router {
  const { client, taskQueue, rpcTimeoutMs, queryTimeoutMs, now } = options;
  const router = Router();
  const temporal = <T>(fn: () => Promise<T>) => withDeadline(client, rpcTimeoutMs, fn);

  /** The decoded :id, if the caller may see it; otherwise 404 (without asking Temporal). */
  const analysisIdOf = (raw: string | string[] | undefined, caller: ReturnType<typeof callerOf>): string => {
    const id = typeof raw === 'string' ? raw : '';
    if (!canAccessAnalysis(caller, id)) throw notFound(`Analysis ${JSON.stringify(id)}`);
    return id;
  };

  const read = async (id: string, progress: boolean): Promise<GatewayAnalysisView> => {
    const view = await readView(client, id, { rpcTimeoutMs, queryTimeoutMs, progress });
    if (!view) throw notFound(`Analysis ${JSON.stringify(id)}`);
    return view;
  };

  router.post('/', requireJson, jsonBody, async (req, res) => {
    const caller = callerOf(res);
    const validation = validateAnalysisRequest(req.body, now());
    if (!validation.ok) {
      throw new ApiError(400, 'invalid_request', 'The analysis request is not valid', { details: validation.errors });
    }
    const request = validation.request;
    if (!canAccessTenant(caller, request.tenant)) {
      throw new ApiError(403, 'forbidden', `You may not start analyses for tenant ${JSON.stringify(request.tenant)}`);
    }
    const started = await temporal(() => startAnalysis(client, taskQueue, request, now()));
    const links = analysisLinks(req, started.analysisId);
    res.status(202).location(links.self).json({ analysisId: started.analysisId, links });
  });

  router.get('/:id', async (req, res) => {
    const id = analysisIdOf(req.params.id, callerOf(res));
    const view = await read(id, true);
    res.json({ ...view, links: analysisLinks(req, id) });
  });

  router.get('/:id/report', async (req, res) => {
    const id = analysisIdOf(req.params.id, callerOf(res));
    const view = await read(id, false);
    switch (view.status) {
      case 'COMPLETED':
        res.json(view.report);
        return;
      case 'RUNNING':
      case 'CONTINUED_AS_NEW':
        throw new ApiError(409, 'not_finished', 'The analysis is still running; its report is not ready yet', { status: view.status });
      case 'CANCELLED':
        throw new ApiError(410, 'analysis_cancelled', 'The analysis was cancelled and has no report', extraOf(view));
      case 'TERMINATED':
        throw new ApiError(410, 'analysis_terminated', 'The analysis was terminated and has no report', extraOf(view));
      case 'TIMED_OUT':
        throw new ApiError(410, 'analysis_timed_out', 'The analysis timed out and has no report', extraOf(view));
      default:
        throw new ApiError(410, 'analysis_failed', 'The analysis failed and has no report', extraOf(view));
    }
  });

  router.post('/:id/cancel', async (req, res) => {
    const id = analysisIdOf(req.params.id, callerOf(res));
    const handle = client.workflow.getHandle(id);
    const description = await temporal(() => handle.describe()).catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
    if (!description || description.type !== 'analysis') throw notFound(`Analysis ${JSON.stringify(id)}`);
    if (description.status.name !== 'RUNNING') {
      throw new ApiError(409, 'already_closed', `The analysis has already finished (${description.status.name}); there is nothing to cancel`, {
        status: description.status.name,
      });
    }
    await temporal(() => handle.cancel());
    res.status(202).json({ analysisId: id, status: 'cancel_requested', links: analysisLinks(req, id) });
  });

  return router;
}

function extraOf(view: GatewayAnalysisView): { status: string; failure?: string } {
  return { status: view.status, ...(view.failure !== undefined ? { failure: view.failure } : {}) };
}
