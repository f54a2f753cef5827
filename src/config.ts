/**
 * Process configuration from the environment. Every variable the processes read is listed here
 * (docker-compose.yml and the README are checked against this list by a test).
 *
 * AWS clients are configured by the SDK's own variables (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_<SERVICE>, credentials): pointing at the sample account is only an endpoint override.
 */
export const ENV = {
  temporalAddress: 'TEMPORAL_ADDRESS',
  temporalNamespace: 'TEMPORAL_NAMESPACE',
  taskQueue: 'FINOPS_TASK_QUEUE',
  gatewayHost: 'FINOPS_GATEWAY_HOST',
  gatewayPort: 'FINOPS_GATEWAY_PORT',
  simHost: 'FINOPS_SIM_HOST',
  simPort: 'FINOPS_SIM_PORT',
  simSeed: 'FINOPS_SIM_SEED',
  temporalCliPath: 'TEMPORAL_CLI_PATH',
  temporalPort: 'FINOPS_TEMPORAL_PORT',
  temporalUiPort: 'FINOPS_TEMPORAL_UI_PORT',
  logLevel: 'FINOPS_LOG_LEVEL',
  /** Organisations: the role the worker assumes in member accounts, and the external ID its trust policy requires. */
  memberRoleName: 'FINOPS_MEMBER_ROLE_NAME',
  memberRoleExternalId: 'FINOPS_MEMBER_ROLE_EXTERNAL_ID',
  /** Used by the command-line clients (npm run analyze, npm run finops). */
  gatewayUrl: 'FINOPS_GATEWAY_URL',
  temporalUiUrl: 'FINOPS_TEMPORAL_UI_URL',
  /** The command-line client's credentials: an API key, or an OIDC bearer token. */
  apiKey: 'FINOPS_API_KEY',
  token: 'FINOPS_TOKEN',
  /** Gateway authentication (src/gateway/auth-config.ts): `none` (development only) or `required` (default). */
  auth: 'FINOPS_AUTH',
  /** A JSON file of hashed API keys, or the same JSON inline. */
  apiKeysFile: 'FINOPS_API_KEYS_FILE',
  apiKeys: 'FINOPS_API_KEYS',
  /** OIDC/JWT: the issuer (e.g. a Cognito user pool URL), the expected audience, the claim naming the tenant. */
  oidcIssuer: 'FINOPS_OIDC_ISSUER',
  oidcAudience: 'FINOPS_OIDC_AUDIENCE',
  oidcTenantClaim: 'FINOPS_OIDC_TENANT_CLAIM',
  /** JWKS URL; default: discovered from the issuer's /.well-known/openid-configuration. */
  oidcJwksUrl: 'FINOPS_OIDC_JWKS_URL',
  /** Gateway log lines: `json` (default) or `text`. */
  logFormat: 'FINOPS_LOG_FORMAT',
} as const;

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readPort(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} must be a port number between 0 and 65535 (got ${JSON.stringify(raw)})`);
  }
  return port;
}

export function temporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  return {
    address: env[ENV.temporalAddress] || '127.0.0.1:7233',
    namespace: env[ENV.temporalNamespace] || 'default',
    taskQueue: env[ENV.taskQueue] || 'finops-analysis',
  };
}

export function gatewayConfig(env: NodeJS.ProcessEnv = process.env): { host: string; port: number } {
  return { host: env[ENV.gatewayHost] || '127.0.0.1', port: readPort(ENV.gatewayPort, 8080, env) };
}

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** FINOPS_LOG_LEVEL (case-insensitive), default INFO. */
export function logLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const raw = (env[ENV.logLevel] || 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`${ENV.logLevel} must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(env[ENV.logLevel])})`);
  }
  return raw as LogLevel;
}

/** Whether a message at `level` is shown under the configured level. */
export function logs(level: LogLevel, configured: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(configured);
}

/** How the worker reaches member accounts of an organisation (unset: every account with the base credentials). */
export function organisationConfig(env: NodeJS.ProcessEnv = process.env): { memberRoleName?: string; externalId?: string } {
  const roleName = env[ENV.memberRoleName];
  if (roleName && !/^[\w+=,.@-]{1,64}$/.test(roleName)) {
    throw new ConfigError(`${ENV.memberRoleName} must be an IAM role name (got ${JSON.stringify(roleName)})`);
  }
  const externalId = env[ENV.memberRoleExternalId];
  return { ...(roleName ? { memberRoleName: roleName } : {}), ...(externalId ? { externalId } : {}) };
}
