/**
 * /api/schedules: weekly cost reviews on Temporal Schedules. Not built yet: the schedules, the review
 * workflow and the report store arrive with issue 8. Until then every schedules route answers
 * 501 not_implemented with that explanation (and the OpenAPI document says so), so clients and the
 * dashboard can already code against the paths.
 */
import type { Router } from 'express';
import { ApiError } from '../errors';

export const SCHEDULES_NOT_IMPLEMENTED =
  'Schedules (weekly cost reviews on Temporal Schedules) are not available yet: they arrive with the scheduled-reviews work (issue 8). ' +
  'Start analyses with POST /api/analyses in the meantime.';

const notImplemented = (): never => {
  throw new ApiError(501, 'not_implemented', SCHEDULES_NOT_IMPLEMENTED);
};

export function registerScheduleRoutes(api: Router): void {
  api.get('/schedules', notImplemented);
  api.post('/schedules', notImplemented);
  api.get('/schedules/:id', notImplemented);
  api.delete('/schedules/:id', notImplemented);
  api.post('/schedules/:id/pause', notImplemented);
  api.post('/schedules/:id/unpause', notImplemented);
  api.post('/schedules/:id/trigger', notImplemented);
}
