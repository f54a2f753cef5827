/**
 * At most one log line per request, written when the response is finished or aborted:
 *   POST /api/analyses 202 41ms
 */
import type { RequestHandler } from 'express';

export function requestLog(log: (line: string) => void): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
      const status = res.writableFinished ? String(res.statusCode) : `${res.statusCode} aborted`;
      log(`${req.method} ${req.originalUrl} ${status} ${ms}ms`);
    });
    next();
  };
}
