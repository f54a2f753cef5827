/**
 * The gateway's one error shape, for every REST failure:
 *   { "error": { "code": "invalid_request", "message": "...", "details": ["..."] } }
 * `code` is stable and machine-readable; `message` is for people; `details` lists every individual
 * problem (e.g. each validation message). A few errors add context fields (`status`, `failure`).
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from './log';
import { isTemporalUnavailable } from './temporal';

export type ErrorCode =
  | 'malformed_json'
  | 'invalid_request'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'unauthenticated'
  | 'forbidden'
  /** The tenant has no account binding in this deployment. */
  | 'tenant_not_bound'
  /** An account outside the tenant's binding. */
  | 'account_not_bound'
  /** Too many requests for the tenant; see Retry-After. */
  | 'rate_limited'
  | 'not_found'
  | 'not_finished'
  | 'already_closed'
  | 'analysis_failed'
  | 'analysis_cancelled'
  | 'analysis_terminated'
  | 'analysis_timed_out'
  | 'temporal_unavailable'
  /** Temporal is up but did not answer in time (504, never 503). */
  | 'temporal_slow'
  | 'auth_unavailable'
  | 'not_acceptable'
  | 'not_implemented'
  /** A question the planner could not turn into an analysis. */
  | 'cannot_plan'
  /** A finding id that no kept report of the tenant has. */
  | 'finding_not_found'
  /** A finding-state change naming a version that is no longer current. */
  | 'version_conflict'
  | 'shutting_down'
  | 'internal';

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details?: string[];
    /** Workflow status name, for errors about an analysis in the wrong state. */
    status?: string;
    /** Why a failed/cancelled analysis has no report. */
    failure?: string;
  };
}

/** Throw from a route handler; the error middleware turns it into the JSON shape above. */
export class ApiError extends Error {
  override name = 'ApiError';
  /** Sent as Retry-After (seconds) with the error. */
  retryAfterSeconds?: number;
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: Omit<ErrorBody['error'], 'code' | 'message'> = {},
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

export function notFound(what: string): ApiError {
  return new ApiError(404, 'not_found', `${what} was not found`);
}

export function sendError(res: Response, err: ApiError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
  res.status(err.status).json(err.body());
}

export const TEMPORAL_UNAVAILABLE_MESSAGE =
  'The Temporal service is not reachable, so the gateway cannot start or read analyses right now. ' +
  'Try again shortly; if this persists, check that the Temporal server is running and TEMPORAL_ADDRESS points at it.';

/** Body-parser errors carry a `type`; map them to our codes. */
function fromBodyParser(err: { type?: unknown; status?: unknown; message?: unknown }): ApiError | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new ApiError(400, 'malformed_json', 'The request body is not valid JSON', {
        details: [typeof err.message === 'string' ? err.message : 'parse error'],
      });
    case 'entity.too.large':
      return new ApiError(413, 'payload_too_large', `The request body is larger than the ${MAX_BODY_BYTES / 1024} KB limit`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new ApiError(415, 'unsupported_media_type', typeof err.message === 'string' ? `Unsupported request body: ${err.message}` : 'Unsupported request body encoding');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return new ApiError(400, 'invalid_request', 'The request body could not be read');
    default:
      return undefined;
  }
}

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * A body that cannot be decoded is the client's problem, whatever the decoder threw: a body labelled
 * `Content-Encoding: gzip` (or deflate, br) that is not compressed makes zlib throw plain errors
 * ("incorrect header check", "Decompression failed") that carry no HTTP status.
 */
export function bodyDecodeError(err: unknown, contentEncoding: string | undefined): ApiError {
  const mapped = err && typeof err === 'object' ? fromBodyParser(err) : undefined;
  if (mapped) return mapped;
  const reason = err instanceof Error ? err.message : String(err);
  const encoding = contentEncoding ? ` with Content-Encoding ${JSON.stringify(contentEncoding.slice(0, 40))}` : '';
  return new ApiError(400, 'invalid_request', `The request body could not be decoded${encoding}`, { details: [reason.slice(0, 200)] });
}

/** gRPC codes Temporal answers for requests it considers wrong rather than failed. */
const GRPC_INVALID_ARGUMENT = 3;

/** Map anything thrown to an ApiError. Unknown errors become a 500 without internals. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err && typeof err === 'object') {
    const mapped = fromBodyParser(err);
    if (mapped) return mapped;
    // The router's own client errors: a path parameter that is not valid percent-encoding
    // (`/api/analyses/%E0%A4%A` throws URIError with status 400), and http-errors with a 4xx status.
    const { status, message } = err as { status?: unknown; message?: unknown };
    if (err instanceof URIError) {
      return new ApiError(400, 'invalid_request', 'The request path is not valid percent-encoded UTF-8', {
        details: [typeof message === 'string' ? message.slice(0, 200) : 'malformed path'],
      });
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return new ApiError(status === 413 ? 413 : status === 415 ? 415 : 400, status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_request', typeof message === 'string' ? message.slice(0, 200) : 'The request is not valid');
    }
    if ((err as { code?: unknown }).code === GRPC_INVALID_ARGUMENT) {
      return new ApiError(400, 'invalid_request', 'Temporal refused the request as invalid', {
        details: [typeof message === 'string' ? message.slice(0, 200) : 'invalid argument'],
      });
    }
  }
  if (isTemporalUnavailable(err)) return new ApiError(503, 'temporal_unavailable', TEMPORAL_UNAVAILABLE_MESSAGE);
  return new ApiError(500, 'internal', 'The gateway failed to handle this request; the error has been logged');
}

/** Last middleware: everything that reaches it is an error response, never a stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500 && !(err instanceof ApiError)) {
      const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      log({ level: 'error', msg: 'request failed', method: req.method, path: req.originalUrl, error: detail });
    }
    sendError(res, apiError);
  };
}

export const routeNotFound: RequestHandler = (req, res) => {
  sendError(res, new ApiError(404, 'not_found', `No route for ${req.method} ${req.path}`));
};
