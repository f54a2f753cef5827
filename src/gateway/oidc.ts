/**
 * OIDC / JWT bearer tokens (e.g. Amazon Cognito user pools), verified with `jose` against the issuer's
 * JSON Web Key Set: signature (asymmetric algorithms only), issuer, audience, expiry and not-before.
 *
 * - The JWKS URL is configured (FINOPS_OIDC_JWKS_URL) or discovered once from
 *   `<issuer>/.well-known/openid-configuration`; keys are cached and refetched when a token names an
 *   unknown key id (key rotation), at most once per cool-down.
 * - Audience: the token's `aud` must include the configured audience. Cognito access tokens carry no
 *   `aud` but a `client_id`; for those (no `aud` at all) `client_id` must equal the audience.
 * - The tenant comes from a configured claim (FINOPS_OIDC_TENANT_CLAIM, default `tenant`; Cognito custom
 *   attributes appear as `custom:tenant`): a string, or an array of strings for several tenants.
 */
import type * as Jose from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Caller } from './auth';
import { ApiError } from './errors';

export interface OidcOptions {
  issuer: string;
  audience: string;
  /** Claim holding the tenant (or tenants). */
  tenantClaim: string;
  /** Skip discovery and use this JWKS URL. */
  jwksUrl?: string;
  /** Allowed clock skew for exp/nbf/iat. */
  clockToleranceSeconds?: number;
  /** Deadline for fetching discovery and key documents. */
  fetchTimeoutMs?: number;
}

/**
 * jose is an ES module; loading it with import() keeps the compiled (CommonJS) gateway working on every
 * Node 20 release, not only those that can require() ES modules.
 */
let joseModule: Promise<typeof Jose> | undefined;
function loadJose(): Promise<typeof Jose> {
  return (joseModule ??= import('jose'));
}

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class OidcVerifier {
  private keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(private readonly options: OidcOptions) {}

  /** The caller a token stands for; throws ApiError 401 (bad token), 403 (no tenant) or 503 (issuer unreachable). */
  async verify(token: string): Promise<Caller> {
    const jose = await loadJose();
    const keys = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, keys, {
        issuer: this.options.issuer,
        algorithms: ALGORITHMS,
        clockTolerance: this.options.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      throw tokenError(err, jose.errors);
    }
    if (!audienceMatches(payload, this.options.audience)) {
      throw new ApiError(401, 'unauthenticated', 'The token was issued for another audience (aud/client_id does not match this gateway)');
    }
    const tenants = tenantsFromClaim(payload[this.options.tenantClaim]);
    if (!tenants) {
      throw new ApiError(
        403,
        'forbidden',
        `The token has no usable "${this.options.tenantClaim}" claim, so it names no tenant (expected tenant names of lowercase letters, digits and hyphens)`,
      );
    }
    return { subject: `oidc:${typeof payload.sub === 'string' ? payload.sub : 'unknown'}`, tenants, via: 'oidc' };
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= Promise.all([this.resolveJwksUrl(), loadJose()]).then(
      ([url, jose]) => jose.createRemoteJWKSet(url, { timeoutDuration: this.options.fetchTimeoutMs ?? 5000, cooldownDuration: 30_000 }),
      (err: unknown) => {
        this.keys = undefined; // try discovery again on the next request
        throw err;
      },
    );
    return this.keys;
  }

  private async resolveJwksUrl(): Promise<URL> {
    if (this.options.jwksUrl) return new URL(this.options.jwksUrl);
    const discovery = `${this.options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let document: { jwks_uri?: unknown; issuer?: unknown };
    try {
      const response = await fetch(discovery, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 5000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (err) {
      throw new ApiError(503, 'auth_unavailable', `The identity provider's discovery document (${discovery}) could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (typeof document.jwks_uri !== 'string') {
      throw new ApiError(503, 'auth_unavailable', `The identity provider's discovery document (${discovery}) has no jwks_uri`);
    }
    return new URL(document.jwks_uri);
  }
}

function audienceMatches(payload: JWTPayload, audience: string): boolean {
  if (payload.aud !== undefined) return Array.isArray(payload.aud) ? payload.aud.includes(audience) : payload.aud === audience;
  return payload.client_id === audience;
}

function tenantsFromClaim(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  const tenants = list.filter((t): t is string => typeof t === 'string' && TENANT_PATTERN.test(t));
  return tenants.length > 0 && tenants.length === list.length ? tenants : undefined;
}

/** jose's errors as clear 401s (or 503 when the keys cannot be fetched). */
function tokenError(err: unknown, errors: typeof Jose.errors): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof errors.JWTExpired) return new ApiError(401, 'unauthenticated', 'The token has expired');
  if (err instanceof errors.JWSSignatureVerificationFailed) return new ApiError(401, 'unauthenticated', 'The token signature is not valid');
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new ApiError(401, 'unauthenticated', "The token was not signed by any of the issuer's keys");
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return new ApiError(401, 'unauthenticated', 'The token was not issued by the configured issuer');
    if (err.claim === 'nbf') return new ApiError(401, 'unauthenticated', 'The token is not valid yet');
    return new ApiError(401, 'unauthenticated', `The token's "${err.claim}" claim is not acceptable: ${err.message}`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new ApiError(401, 'unauthenticated', 'The token uses a signing algorithm this gateway does not accept');
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    return new ApiError(503, 'auth_unavailable', "The identity provider's signing keys could not be fetched; try again shortly");
  }
  if (err instanceof errors.JOSEError) return new ApiError(401, 'unauthenticated', 'The bearer token is not a valid JWT');
  // fetch failures of the JWKS endpoint surface as plain errors
  return new ApiError(503, 'auth_unavailable', "The identity provider's signing keys could not be fetched; try again shortly");
}
