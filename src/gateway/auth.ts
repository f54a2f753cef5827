/**
 * The authentication and tenant-scoping seam. Every REST request, every WebSocket upgrade and every
 * WebSocket `auth` message goes through one `Authenticator`, which turns the request's headers into a
 * `Caller` (or refuses them); every read, list, watch, start and cancel is then checked against the
 * caller's tenants.
 *
 * Authenticators:
 *   allowAll                  development only (FINOPS_AUTH=none): everyone may act for every tenant
 *   credentialAuthenticator   API keys (api-keys.ts) and OIDC/JWT bearer tokens (oidc.ts)
 * Credentials travel as `Authorization: Bearer <api key or JWT>` or `X-API-Key: <api key>`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { tenantOfAnalysisId } from '../workflows/ids';
import { API_KEY_PREFIX, type ApiKeyStore } from './api-keys';
import { ApiError } from './errors';
import type { OidcVerifier } from './oidc';
import type { TenantBindings } from '../activities/tenancy';

export interface Caller {
  /** Who is calling (`key:<id>`, `oidc:<sub>`); for logs and `requestedBy`. */
  subject: string;
  /** The tenants this caller may start, read and watch; 'all' only for development or operators. */
  tenants: 'all' | readonly string[];
  /** How the caller authenticated. */
  via?: 'none' | 'api-key' | 'oidc';
}

/** What an authenticator reads: an HTTP request or WebSocket upgrade (or headers built from an `auth` message). */
export interface CredentialSource {
  headers: IncomingHttpHeaders;
}

/**
 * Returns the caller, or undefined when the request carries no credentials at all: the gateway then
 * answers 401 (REST) or waits for an `auth` message (WebSocket). Throws an ApiError (401, 403, 503) when
 * credentials are present but wrong, with a message that says what is wrong.
 */
export type Authenticator = (req: CredentialSource) => Caller | undefined | Promise<Caller | undefined>;

export const DEVELOPMENT_CALLER: Caller = { subject: 'anonymous', tenants: 'all', via: 'none' };

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

export type Credential = { kind: 'api-key'; value: string } | { kind: 'bearer'; value: string };

/** The credential a request presents, if any. An API key may come as a bearer token too. */
export function credentialOf(headers: IncomingHttpHeaders): Credential | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return { kind: 'api-key', value: apiKey.trim() };
  const authorization = headers.authorization;
  if (typeof authorization !== 'string' || authorization.trim() === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) {
    throw new ApiError(401, 'unauthenticated', 'The Authorization header must be "Bearer <API key or token>"');
  }
  const value = match[1]!;
  return value.startsWith(API_KEY_PREFIX) ? { kind: 'api-key', value } : { kind: 'bearer', value };
}

/** API keys and/or OIDC bearer tokens. A credential of a kind that is not configured is refused clearly. */
export function credentialAuthenticator(options: { apiKeys?: ApiKeyStore; oidc?: OidcVerifier }): Authenticator {
  return async (req) => {
    const credential = credentialOf(req.headers);
    if (!credential) return undefined;
    if (credential.kind === 'api-key') {
      if (!options.apiKeys) throw new ApiError(401, 'unauthenticated', 'API keys are not accepted by this gateway');
      const caller = options.apiKeys.verify(credential.value);
      if (!caller) throw new ApiError(401, 'unauthenticated', 'The API key is not valid');
      return caller;
    }
    if (!options.oidc) {
      throw new ApiError(401, 'unauthenticated', 'Bearer tokens are not accepted by this gateway (OIDC is not configured); use an API key');
    }
    return options.oidc.verify(credential.value);
  };
}

/** Express middleware: authenticate once per request and keep the caller in res.locals. */
export function authenticate(authenticator: Authenticator): RequestHandler {
  return async (req, res, next) => {
    let caller: Caller | undefined;
    try {
      caller = await authenticator(req);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) res.setHeader('WWW-Authenticate', bearerChallenge(err.message));
      throw err;
    }
    if (!caller) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="finops"');
      throw new ApiError(401, 'unauthenticated', 'This request needs credentials: an API key (X-API-Key or Authorization: Bearer) or an OIDC token');
    }
    res.locals.caller = caller;
    next();
  };
}

function bearerChallenge(message: string): string {
  return `Bearer realm="finops", error="invalid_token", error_description="${message.replace(/["\\]/g, "'")}"`;
}

export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new Error('callerOf: the authenticate middleware did not run for this route');
  return caller;
}

/** The tenants a caller may see, for queries; undefined means every tenant. */
export function tenantsOf(caller: Caller): readonly string[] | undefined {
  return caller.tenants === 'all' ? undefined : caller.tenants;
}

/**
 * With tenants bound to accounts, credentials must resolve to a configured tenant: an API key or a token
 * whose tenants are all unknown to the binding is refused with 403 (REST, WebSocket upgrade and `auth`
 * message alike). Operator credentials (every tenant) pass; single-tenant deployments refuse nobody.
 */
export function requireBoundTenant(authenticator: Authenticator, tenancy: TenantBindings): Authenticator {
  if (tenancy.mode === 'single') return authenticator;
  return async (req) => {
    const caller = await authenticator(req);
    if (!caller || caller.tenants === 'all') return caller;
    const known = caller.tenants.filter((t) => tenancy.knows(t));
    if (known.length === 0) {
      throw new ApiError(
        403,
        'tenant_not_bound',
        `These credentials stand for ${caller.tenants.length ? caller.tenants.map((t) => JSON.stringify(t)).join(', ') : 'no tenant'}, which has no accounts bound in this deployment's tenant configuration`,
      );
    }
    return known.length === caller.tenants.length ? caller : { ...caller, tenants: known };
  };
}
