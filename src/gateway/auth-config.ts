/**
 * The gateway's authentication from the environment.
 *
 *   FINOPS_AUTH=none        development only: no credentials, every caller acts for every tenant
 *                           (the gateway logs a loud warning at start-up; the dev stack sets this)
 *   FINOPS_AUTH=required    the default: API keys and/or OIDC, at least one configured
 *   FINOPS_API_KEYS_FILE    JSON file of hashed API keys (see api-keys.ts)
 *   FINOPS_API_KEYS         the same JSON inline (e.g. from a secrets manager)
 *   FINOPS_OIDC_ISSUER      e.g. https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123
 *   FINOPS_OIDC_AUDIENCE    the app client ID (Cognito) or API audience
 *   FINOPS_OIDC_TENANT_CLAIM  default `tenant` (Cognito custom attribute: `custom:tenant`)
 *   FINOPS_OIDC_JWKS_URL    optional; default from the issuer's discovery document
 */
import { readFileSync } from 'node:fs';
import { ConfigError, ENV } from '../config';
import { ApiKeyConfigError, ApiKeyStore } from './api-keys';
import { allowAll, credentialAuthenticator, type Authenticator } from './auth';
import { OidcVerifier } from './oidc';
import type { TenantBindings } from '../activities/tenancy';

export interface AuthSetup {
  mode: 'none' | 'required';
  authenticator: Authenticator;
  /** For the start-up log: what is accepted (never secrets). */
  description: string;
}

export const AUTH_NONE_WARNING =
  'AUTHENTICATION IS OFF (FINOPS_AUTH=none): anyone who can reach this gateway can start, read and cancel every tenant\'s analyses. ' +
  'Use this only for local development; configure FINOPS_API_KEYS_FILE or FINOPS_OIDC_ISSUER for anything else.';

/**
 * Start-up check of the API keys against the tenant binding: every key must stand for bound tenants
 * (or be an operator key). Names every key that does not.
 */
export function checkKeysAgainstTenancy(apiKeys: ApiKeyStore | undefined, tenancy: TenantBindings): void {
  if (!apiKeys || tenancy.mode === 'single') return;
  const problems = apiKeys.keys().flatMap((key) =>
    key.tenants === '*' ? [] : key.tenants.filter((t) => !tenancy.knows(t)).map((t) => `API key ${JSON.stringify(key.id)} names tenant ${JSON.stringify(t)}, which has no accounts bound (add it to ${ENV.tenantsFile})`),
  );
  if (problems.length) throw new ConfigError(`The API keys do not match the tenant configuration:\n  - ${problems.join('\n  - ')}`);
}

export function authFromEnv(env: NodeJS.ProcessEnv = process.env, tenancy?: TenantBindings): AuthSetup {
  const mode = (env[ENV.auth] || 'required').toLowerCase();
  if (mode !== 'none' && mode !== 'required') {
    throw new ConfigError(`${ENV.auth} must be "none" (development only) or "required" (got ${JSON.stringify(env[ENV.auth])})`);
  }
  if (mode === 'none') return { mode: 'none', authenticator: allowAll, description: 'none (development mode)' };

  const described: string[] = [];
  let apiKeys: ApiKeyStore | undefined;
  const file = env[ENV.apiKeysFile];
  const inline = env[ENV.apiKeys];
  if (file && inline) throw new ConfigError(`Set ${ENV.apiKeysFile} or ${ENV.apiKeys}, not both`);
  try {
    if (file) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new ConfigError(`${ENV.apiKeysFile}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
      apiKeys = ApiKeyStore.fromJson(text, `${ENV.apiKeysFile} (${file})`);
    } else if (inline) {
      apiKeys = ApiKeyStore.fromJson(inline, ENV.apiKeys);
    }
  } catch (err) {
    if (err instanceof ApiKeyConfigError) throw new ConfigError(err.message);
    throw err;
  }
  if (tenancy) checkKeysAgainstTenancy(apiKeys, tenancy);
  if (apiKeys) described.push(`${apiKeys.size} API key${apiKeys.size === 1 ? '' : 's'}`);

  let oidc: OidcVerifier | undefined;
  const issuer = env[ENV.oidcIssuer];
  const audience = env[ENV.oidcAudience];
  if (issuer || audience) {
    if (!issuer || !audience) throw new ConfigError(`OIDC needs both ${ENV.oidcIssuer} and ${ENV.oidcAudience}`);
    if (!/^https?:\/\//.test(issuer)) throw new ConfigError(`${ENV.oidcIssuer} must be an http(s) URL (got ${JSON.stringify(issuer)})`);
    const jwksUrl = env[ENV.oidcJwksUrl];
    if (jwksUrl && !/^https?:\/\//.test(jwksUrl)) throw new ConfigError(`${ENV.oidcJwksUrl} must be an http(s) URL`);
    const tenantClaim = env[ENV.oidcTenantClaim] || 'tenant';
    oidc = new OidcVerifier({ issuer, audience, tenantClaim, ...(jwksUrl ? { jwksUrl } : {}) });
    described.push(`OIDC tokens from ${issuer} for audience ${audience} (tenant claim "${tenantClaim}")`);
  }
  if (!apiKeys && !oidc) {
    throw new ConfigError(
      `No authentication is configured. Set ${ENV.apiKeysFile} (or ${ENV.apiKeys}) for API keys and/or ${ENV.oidcIssuer} with ${ENV.oidcAudience} for OIDC tokens; ` +
        `for local development only, set ${ENV.auth}=none.`,
    );
  }
  return { mode: 'required', authenticator: credentialAuthenticator({ ...(apiKeys ? { apiKeys } : {}), ...(oidc ? { oidc } : {}) }), description: described.join(' and ') };
}
