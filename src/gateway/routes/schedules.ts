/**
 * /api/schedules: weekly cost reviews on Temporal Schedules (src/client/schedules.ts).
 *
 * Schedule IDs are `review/<tenant>/<scope>` and travel URL-encoded in one path segment
 * (review%2Facme%2Fall). Every route checks the caller's tenant; another tenant's schedule answers 404
 * exactly like a missing one, without asking Temporal.
 */
import type { Client } from '@temporalio/client';
import type { Router } from 'express';
import {
  backfillReviewSchedule,
  describeReviewSchedule,
  listReviewSchedules,
  parseScheduleId,
  reviewScheduleSchema,
  upsertReviewSchedule,
  withSchedule,
} from '../../client/schedules';
import type { ArtefactStore } from '../../activities/store';
import { isIsoDate } from '../../domain/period';
import { reviewIndexKey, reviewKey, type ReviewDocument } from '../../domain/review';
import { callerOf, canAccessTenant, type Caller } from '../auth';
import { ApiError, notFound } from '../errors';
import { withDeadline } from '../temporal';
import { enforceBinding, jsonBody, requireJson } from './analyses';
import type { TenantBindings } from '../../activities/tenancy';

export interface ScheduleRouteOptions {
  client: Client;
  taskQueue: string;
  rpcTimeoutMs: number;
  /** The report store the worker keeps reviews in. */
  store: ArtefactStore;
  /** Which accounts each tenant may analyse. */
  tenancy: TenantBindings;
}

export function registerScheduleRoutes(api: Router, options: ScheduleRouteOptions): void {
  const { client, taskQueue, rpcTimeoutMs, store } = options;
  const temporal = <T>(fn: () => Promise<T>) => withDeadline(client, rpcTimeoutMs, fn);

  const scheduleIdOf = (raw: string | string[] | undefined, caller: Caller): string => {
    const id = typeof raw === 'string' ? raw : '';
    const parsed = parseScheduleId(id);
    if (!parsed || !canAccessTenant(caller, parsed.tenant)) throw notFound(`Schedule ${JSON.stringify(id)}`);
    return id;
  };
  const links = (id: string) => ({ self: `/api/schedules/${encodeURIComponent(id)}` });

  api.get('/schedules', async (_req, res) => {
    const caller = callerOf(res);
    const schedules = await temporal(() => listReviewSchedules(client, caller.tenants === 'all' ? '*' : caller.tenants));
    res.json({ schedules: schedules.map((s) => ({ ...s, links: links(s.scheduleId) })) });
  });

  api.post('/schedules', requireJson, jsonBody, async (req, res) => {
    const caller = callerOf(res);
    let body: unknown = req.body;
    if (isPlainObject(body) && body.tenant === undefined && caller.tenants !== 'all' && caller.tenants.length === 1) {
      body = { ...body, tenant: caller.tenants[0] };
    }
    const parsed = reviewScheduleSchema.safeParse(body);
    if (!parsed.success) {
      throw new ApiError(400, 'invalid_request', 'The schedule is not valid', {
        details: parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)),
      });
    }
    if (!canAccessTenant(caller, parsed.data.tenant)) {
      throw new ApiError(403, 'forbidden', `You may not manage schedules of tenant ${JSON.stringify(parsed.data.tenant)}`);
    }
    await enforceBinding(options.tenancy, parsed.data.tenant, parsed.data.accounts);
    // Pass the body as given: an update keeps the pause state unless `paused` is in it.
    const result = await temporal(() => upsertReviewSchedule(client, taskQueue, body as Parameters<typeof upsertReviewSchedule>[2]));
    const view = await temporal(() => describeReviewSchedule(client, result.scheduleId));
    res
      .status(result.created ? 201 : 200)
      .location(links(result.scheduleId).self)
      .json({ ...view, created: result.created, links: links(result.scheduleId) });
  });

  api.get('/schedules/:id', async (req, res) => {
    const id = scheduleIdOf(req.params.id, callerOf(res));
    const view = await temporal(() => describeReviewSchedule(client, id));
    if (!view) throw notFound(`Schedule ${JSON.stringify(id)}`);
    res.json({ ...view, links: links(id) });
  });

  api.delete('/schedules/:id', async (req, res) => {
    const id = scheduleIdOf(req.params.id, callerOf(res));
    if (!(await temporal(() => withSchedule(client, id, 'delete')))) throw notFound(`Schedule ${JSON.stringify(id)}`);
    res.status(204).end();
  });

  for (const op of ['pause', 'unpause', 'trigger'] as const) {
    api.post(`/schedules/:id/${op}`, jsonBody, async (req, res) => {
      const id = scheduleIdOf(req.params.id, callerOf(res));
      const note = isPlainObject(req.body) && typeof req.body.note === 'string' ? req.body.note.slice(0, 200) : undefined;
      if (!(await temporal(() => withSchedule(client, id, op, note)))) throw notFound(`Schedule ${JSON.stringify(id)}`);
      res.status(op === 'trigger' ? 202 : 200).json({ scheduleId: id, status: op === 'trigger' ? 'triggered' : op === 'pause' ? 'paused' : 'active', links: links(id) });
    });
  }

  // Reviews are kept by tenant, scope and date, and stay readable after their schedule is deleted.
  api.get('/schedules/:id/reviews', async (req, res) => {
    const id = scheduleIdOf(req.params.id, callerOf(res));
    const { tenant, scope } = parseScheduleId(id)!;
    const index = (await store.getJson<{ dates: string[] }>(reviewIndexKey(tenant, scope))) ?? { dates: [] };
    const dates = [...index.dates].sort().reverse();
    res.json({
      scheduleId: id,
      reviews: dates.map((date) => ({ date, links: { self: `/api/schedules/${encodeURIComponent(id)}/reviews/${date}` } })),
    });
  });

  api.get('/schedules/:id/reviews/:date', async (req, res) => {
    const id = scheduleIdOf(req.params.id, callerOf(res));
    const { tenant, scope } = parseScheduleId(id)!;
    const date = req.params.date;
    const doc = typeof date === 'string' && isIsoDate(date) ? await store.getJson<ReviewDocument>(reviewKey(tenant, scope, date)) : undefined;
    if (!doc) throw notFound(`Review ${JSON.stringify(date)} of ${JSON.stringify(id)}`);
    res.json(doc);
  });

  api.post('/schedules/:id/backfill', requireJson, jsonBody, async (req, res) => {
    const id = scheduleIdOf(req.params.id, callerOf(res));
    const body = req.body as { start?: unknown; end?: unknown };
    const start = typeof body?.start === 'string' && isIsoDate(body.start) ? new Date(`${body.start}T00:00:00Z`) : undefined;
    const end = typeof body?.end === 'string' && isIsoDate(body.end) ? new Date(`${body.end}T00:00:00Z`) : undefined;
    if (!start || !end || start >= end) {
      throw new ApiError(400, 'invalid_request', 'A backfill needs {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"} with start before end');
    }
    if (end.getTime() - start.getTime() > 366 * 86_400_000) throw new ApiError(400, 'invalid_request', 'A backfill covers at most a year');
    if (!(await temporal(() => backfillReviewSchedule(client, id, start, end)))) throw notFound(`Schedule ${JSON.stringify(id)}`);
    res.status(202).json({ scheduleId: id, status: 'backfilling', start: body.start, end: body.end, links: links(id) });
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
