/**
 * One structured record per request, written when the response is finished or aborted:
 *   { level: 'info', msg: 'request', method: 'POST', path: '/api/analyses', status: 202, ms: 41, subject: 'key:ci' }
 * Health probes and dashboard assets are logged at debug level so they do not drown the API lines.
 */
import type { RequestHandler } from 'express';
import type { Caller } from './auth';
import type { Logger } from './log';

export interface RequestCounters {
  /** Responses by status class ('2xx', '4xx', ...). */
  byClass: Record<string, number>;
}

export function requestLog(log: Logger, counters?: RequestCounters): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Decided now: mounted routers rewrite req.url while they handle the request.
    const path = req.path;
    const quiet = path === '/healthz' || path === '/readyz' || path === '/metrics' || !path.startsWith('/api');
    res.once('close', () => {
      const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
      const aborted = !res.writableFinished;
      const caller = res.locals.caller as Caller | undefined;
      if (counters) {
        const cls = `${Math.floor(res.statusCode / 100)}xx`;
        counters.byClass[cls] = (counters.byClass[cls] ?? 0) + 1;
      }
      log({
        level: quiet && !aborted && res.statusCode < 500 ? 'debug' : 'info',
        msg: 'request',
        method: req.method,
        path: req.originalUrl,
        status: res.statusCode,
        ms,
        ...(aborted ? { aborted: true } : {}),
        ...(caller ? { subject: caller.subject } : {}),
      });
    });
    next();
  };
}
