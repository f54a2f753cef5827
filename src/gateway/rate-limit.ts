/**
 * Per-tenant request rate limits for /api, after authentication: every request counts against the
 * tenant(s) its credentials stand for (operators and development callers against their subject), in a
 * fixed window. Over the limit: 429 `rate_limited` with `Retry-After` (seconds until the window resets)
 * and the standard RateLimit headers. One tenant's burst cannot starve the others or Temporal.
 */
import { rateLimit } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { callerOf } from './auth';
import { ApiError, sendError } from './errors';

export interface RateLimitOptions {
  /** Requests a tenant may make per window (0 turns the limit off). */
  requestsPerWindow: number;
  windowMs: number;
}


export function tenantRateLimit(options: RateLimitOptions): RequestHandler {
  if (options.requestsPerWindow <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.requestsPerWindow,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Keys are tenants, never IP addresses (every request here is authenticated).
    validate: { keyGeneratorIpFallback: false },
    keyGenerator: (_req, res) => {
      const caller = callerOf(res);
      return caller.tenants === 'all' ? `subject:${caller.subject}` : `tenants:${[...caller.tenants].sort().join(',')}`;
    },
    handler: (_req, res) => {
      const retryAfter = res.getHeader('Retry-After');
      sendError(
        res,
        new ApiError(429, 'rate_limited', `Too many requests for this tenant: at most ${options.requestsPerWindow} per ${Math.round(options.windowMs / 1000)} s; retry after ${String(retryAfter ?? 'a moment')} s`),
      );
    },
  });
}
