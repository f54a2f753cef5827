/**
 * Process configuration from the environment. Every variable the processes read is listed here
 * (docker-compose.yml and the README are checked against this list by a test).
 *
 * AWS clients are configured by the SDK's own variables (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_<SERVICE>, credentials): pointing at the sample account is only an endpoint override.
 */
import { readFileSync } from 'node:fs';
import { parseThresholdOverrides, ThresholdError, type ThresholdOverrides } from './domain/checks/thresholds';
import { parseTenancyJson, type TenancyConfig } from './domain/tenancy';
export const ENV = {
  temporalAddress: 'TEMPORAL_ADDRESS',
  temporalNamespace: 'TEMPORAL_NAMESPACE',
  /**
   * The standard Temporal client configuration (the same as the `temporal` CLI's), read through
   * @temporalio/envconfig in src/temporal-connection.ts: a temporal.toml file and profile, an API key, TLS.
   */
  temporalConfigFile: 'TEMPORAL_CONFIG_FILE',
  temporalProfile: 'TEMPORAL_PROFILE',
  temporalApiKey: 'TEMPORAL_API_KEY',
  temporalTls: 'TEMPORAL_TLS',
  temporalTlsServerCaCertPath: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  temporalTlsServerCaCertData: 'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  temporalTlsClientCertPath: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  temporalTlsClientCertData: 'TEMPORAL_TLS_CLIENT_CERT_DATA',
  temporalTlsClientKeyPath: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  temporalTlsClientKeyData: 'TEMPORAL_TLS_CLIENT_KEY_DATA',
  temporalTlsServerName: 'TEMPORAL_TLS_SERVER_NAME',
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
  /** Amazon Bedrock (src/llm): the model ID or inference profile; unset means the deterministic writer and planner. */
  bedrockModelId: 'FINOPS_BEDROCK_MODEL_ID',
  /** Bedrock's region (default AWS_REGION). */
  bedrockRegion: 'FINOPS_BEDROCK_REGION',
  /** Per-attempt timeout of a Converse call, milliseconds (default 60000). */
  bedrockTimeoutMs: 'FINOPS_BEDROCK_TIMEOUT_MS',
  /** USD per 1,000 input / output tokens (default: the known price of the model, else 0). */
  bedrockPriceInputPer1k: 'FINOPS_BEDROCK_PRICE_INPUT_PER_1K',
  bedrockPriceOutputPer1k: 'FINOPS_BEDROCK_PRICE_OUTPUT_PER_1K',
  /** Weekly reviews: delivery destinations per tenant (JSON, or a file of it), schedules applied at start-up, the dashboard linked from messages. */
  reviewDestinations: 'FINOPS_REVIEW_DESTINATIONS',
  reviewDestinationsFile: 'FINOPS_REVIEW_DESTINATIONS_FILE',
  reviewSchedules: 'FINOPS_REVIEW_SCHEDULES',
  reviewSchedulesFile: 'FINOPS_REVIEW_SCHEDULES_FILE',
  dashboardUrl: 'FINOPS_DASHBOARD_URL',
  /** The report store: a local folder (default .data/store), or an S3 bucket and key prefix when the bucket is set. */
  storeDir: 'FINOPS_STORE_DIR',
  storeBucket: 'FINOPS_STORE_BUCKET',
  storePrefix: 'FINOPS_STORE_PREFIX',
  /** Temporal payloads larger than this many bytes go through the store by reference (default 16384; src/payload-references.ts). */
  payloadInlineBytes: 'FINOPS_PAYLOAD_INLINE_BYTES',
  /** Origins (comma-separated) of the Temporal Web UI allowed to call the gateway's codec endpoint (default the dev server's UI, port 8233). */
  codecCorsOrigins: 'FINOPS_CODEC_CORS_ORIGINS',
  /** Tenants bound to their accounts (src/domain/tenancy.ts): a JSON file, or the same JSON inline. Unset: single tenant. */
  tenantsFile: 'FINOPS_TENANTS_FILE',
  tenants: 'FINOPS_TENANTS',
  /** Requests per minute each tenant may make to the gateway's /api (default 1200; 0 turns the limit off). */
  rateLimitPerMinute: 'FINOPS_RATE_LIMIT_PER_MINUTE',
  /** Days a completed analysis's report is kept in the report store (default 400; 0 keeps them forever). */
  reportRetentionDays: 'FINOPS_REPORT_RETENTION_DAYS',
  /**
   * Days large payloads (payloads/) and analysis folders without a kept report outlive their last write
   * (default 40; 0 keeps them forever). Must exceed the Temporal namespace's retention: the worker checks.
   */
  payloadRetentionDays: 'FINOPS_PAYLOAD_RETENTION_DAYS',
  /** Hours between this worker's sweeps of the artefact store (default 6; 0: this worker never sweeps). */
  storeSweepHours: 'FINOPS_STORE_SWEEP_HOURS',
  /** The checks' thresholds: a JSON file of overrides, e.g. {"ec2": {"idleCpuP95Percent": 5}} (src/domain/checks/thresholds.ts). */
  thresholdsFile: 'FINOPS_THRESHOLDS_FILE',
  /** The worker's Prometheus endpoint (src/worker/metrics.ts): off unless the port is set; host default 127.0.0.1. */
  workerMetricsHost: 'FINOPS_WORKER_METRICS_HOST',
  workerMetricsPort: 'FINOPS_WORKER_METRICS_PORT',
  /**
   * Worker Versioning (src/worker/versioning.ts): the worker deployment this worker belongs to and the build
   * ID of its code. Both set: new analyses start on the deployment's current version and running ones stay on
   * the build that started them. Unset: unversioned (the dev stack and tests).
   */
  workerDeploymentName: 'FINOPS_WORKER_DEPLOYMENT_NAME',
  workerBuildId: 'FINOPS_WORKER_BUILD_ID',
  /**
   * "Today" for every process (src/clock.ts): a date (YYYY-MM-DD) or a signed offset in days from the
   * real date (+40, -40). Unset: the real date. For tests, demos and replays of a past day.
   */
  today: 'FINOPS_TODAY',
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
/**
 * Threshold overrides from FINOPS_THRESHOLDS_FILE (JSON), validated: a typo or an out-of-range value
 * stops the worker at start-up with every problem named, rather than being ignored.
 */
export function thresholdOverrides(env: NodeJS.ProcessEnv = process.env): ThresholdOverrides | undefined {
  const file = env[ENV.thresholdsFile];
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${ENV.thresholdsFile}: cannot read ${file} (${err instanceof Error ? err.message : String(err)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${ENV.thresholdsFile}: ${file} is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    return parseThresholdOverrides(value);
  } catch (err) {
    if (err instanceof ThresholdError) throw new ConfigError(`${ENV.thresholdsFile}: ${file}: ${err.problems.join('; ')}`);
    throw err;
  }
}

export function organisationConfig(env: NodeJS.ProcessEnv = process.env): { memberRoleName?: string; externalId?: string } {
  const roleName = env[ENV.memberRoleName];
  if (roleName && !/^[\w+=,.@-]{1,64}$/.test(roleName)) {
    throw new ConfigError(`${ENV.memberRoleName} must be an IAM role name (got ${JSON.stringify(roleName)})`);
  }
  const externalId = env[ENV.memberRoleExternalId];
  return { ...(roleName ? { memberRoleName: roleName } : {}), ...(externalId ? { externalId } : {}) };
}

/**
 * The tenant bindings from FINOPS_TENANTS_FILE or FINOPS_TENANTS; undefined when neither is set
 * (single tenant). A bad configuration stops the process with every problem named.
 */
export function tenancyConfig(env: NodeJS.ProcessEnv = process.env): TenancyConfig | undefined {
  const file = env[ENV.tenantsFile];
  const inline = env[ENV.tenants];
  if (file && inline) throw new ConfigError(`Set ${ENV.tenantsFile} or ${ENV.tenants}, not both`);
  if (!file && !inline) return undefined;
  let text = inline ?? '';
  const source = file ? `${ENV.tenantsFile} (${file})` : ENV.tenants;
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`${ENV.tenantsFile}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  const parsed = parseTenancyJson(text);
  if (!parsed.ok) {
    throw new ConfigError(`${source} has ${parsed.problems.length} problem${parsed.problems.length === 1 ? '' : 's'}:\n  - ${parsed.problems.join('\n  - ')}`);
  }
  return parsed.config;
}

/** Days reports are kept in the report store (FINOPS_REPORT_RETENTION_DAYS, default 400; 0 = forever). */
export function reportRetentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[ENV.reportRetentionDays];
  if (raw === undefined || raw === '') return 400;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 0 || days > 36_500) {
    throw new ConfigError(`${ENV.reportRetentionDays} must be a whole number of days from 0 (keep forever) to 36500 (got ${JSON.stringify(raw)})`);
  }
  return days;
}

/**
 * Default of FINOPS_PAYLOAD_RETENTION_DAYS: Temporal Cloud's default namespace retention is 30 days, so 40
 * leaves a run's length and then some; a namespace kept longer needs a larger value (the worker checks).
 */
export const DEFAULT_PAYLOAD_RETENTION_DAYS = 40;

/** Days payloads and report-less analysis folders outlive their last write (FINOPS_PAYLOAD_RETENTION_DAYS; 0 = forever). */
export function payloadRetentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[ENV.payloadRetentionDays];
  if (raw === undefined || raw === '') return DEFAULT_PAYLOAD_RETENTION_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 0 || days > 36_500) {
    throw new ConfigError(`${ENV.payloadRetentionDays} must be a whole number of days from 0 (keep forever) to 36500 (got ${JSON.stringify(raw)})`);
  }
  return days;
}

/** Hours between a worker's store sweeps (FINOPS_STORE_SWEEP_HOURS, default 6; 0 = never). */
export function storeSweepHours(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[ENV.storeSweepHours];
  if (raw === undefined || raw === '') return 6;
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours < 0 || hours > 24 * 365 || (hours > 0 && hours < 0.1)) {
    throw new ConfigError(`${ENV.storeSweepHours} must be 0 (never) or a number of hours from 0.1 to 8760 (got ${JSON.stringify(raw)})`);
  }
  return hours;
}

/** FINOPS_RATE_LIMIT_PER_MINUTE: requests per minute per tenant on the gateway's /api (default 1200, 0 = off). */
export function rateLimitPerMinute(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[ENV.rateLimitPerMinute];
  if (raw === undefined || raw === '') return 1200;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigError(`${ENV.rateLimitPerMinute} must be a whole number of requests per minute, 0 for no limit (got ${JSON.stringify(raw)})`);
  }
  return value;
}
