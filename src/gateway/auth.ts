/**
 * The authentication and tenant-scoping seam. Every REST request and every WebSocket upgrade goes
 * through one `Authenticator`, which turns the raw HTTP request into a `Caller` (or refuses it);
 * every read, watch or start is then checked against the caller's tenants.
 *
 * Today the only authenticator is `allowAll` (development). API keys and OIDC/JWT plug in here as
 * further authenticators without touching the routes or the WebSocket protocol.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { tenantOfAnalysisId } from '../workflows/ids';
import { ApiError } from './errors';

export interface Caller {
  /** Who is calling (API key id, JWT subject); for logs and `requestedBy`. */
  subject: string;
  /** The tenants this caller may start, read and watch; 'all' only for development or operators. */
  tenants: 'all' | readonly string[];
}

/**
 * Returns the caller, or undefined when the request carries no (valid) credentials: the gateway then
 * answers 401 (REST) or refuses the upgrade (WebSocket). May throw an ApiError for a specific reason.
 * Receives a plain IncomingMessage so the same function serves Express requests and WS upgrades.
 */
export type Authenticator = (req: IncomingMessage) => Caller | undefined | Promise<Caller | undefined>;

export const DEVELOPMENT_CALLER: Caller = { subject: 'anonymous', tenants: 'all' };

/** Development only: everyone is an operator of every tenant. */
export const allowAll: Authenticator = () => DEVELOPMENT_CALLER;

export function canAccessTenant(caller: Caller, tenant: string): boolean {
  return caller.tenants === 'all' || caller.tenants.includes(tenant);
}

/** False for malformed IDs and for other tenants' analyses (callers see both as "not found"). */
export function canAccessAnalysis(caller: Caller, analysisId: string): boolean {
  const tenant = tenantOfAnalysisId(analysisId);
  return tenant !== undefined && canAccessTenant(caller, tenant);
}

/** Express middleware: authenticate once per request and keep the caller in res.locals. */
export function authenticate(authenticator: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const caller = await authenticator(req);
    if (!caller) throw new ApiError(401, 'unauthenticated', 'This request needs credentials');
    res.locals.caller = caller;
    next();
  };
}

export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new Error('callerOf: the authenticate middleware did not run for this route');
  return caller;
}
