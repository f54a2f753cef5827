/**
 * How the worker, the gateway and the schedules reach Temporal: the standard Temporal client configuration,
 * read by the SDK's @temporalio/envconfig, so the `TEMPORAL_*` variables and the `temporal.toml` profiles the
 * `temporal` CLI uses work here too (address, namespace, TLS server CA, client certificate and key, server
 * name, API key, gRPC metadata). A local dev server needs none of it: the default is 127.0.0.1:7233 in
 * plaintext.
 *
 * Everything a user can get wrong is checked before connecting (a profile that does not exist, a certificate
 * file that cannot be read or is not PEM, a certificate without its key) and a failed connection is explained
 * (unreachable, TLS refused, wrong CA), each as one ConfigError naming the setting to fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { type ClientConfigProfile, type ConfigDataSource, loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import { ConfigError, ENV, type TemporalConfig } from './config';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

/** The options both connection kinds (the client's Connection and the worker's NativeConnection) take. */
export interface TemporalConnectOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export interface TemporalConnectionConfig extends TemporalConfig {
  connect: TemporalConnectOptions;
  /** For start-up lines: "TLS", "mTLS", "TLS + API key" or "plaintext"; never a secret. */
  security: string;
  /** Where the settings came from: the profile and file, when a file was used. */
  source: string;
}

type TlsField = 'serverCACert' | 'clientCert' | 'clientKey';

/** Each TLS file setting, as an environment variable and as a temporal.toml key. */
const TLS_FIELDS: Record<TlsField, { env: string; toml: string; what: string }> = {
  serverCACert: { env: ENV.temporalTlsServerCaCertPath, toml: 'tls.server_ca_cert_path', what: 'server CA certificate' },
  clientCert: { env: ENV.temporalTlsClientCertPath, toml: 'tls.client_cert_path', what: 'client certificate' },
  clientKey: { env: ENV.temporalTlsClientKeyPath, toml: 'tls.client_key_path', what: 'client private key' },
};

/** The temporal.toml the SDK reads: TEMPORAL_CONFIG_FILE, else the user's config directory. */
function configFilePath(env: Record<string, string>): string {
  if (env[ENV.temporalConfigFile]) return env[ENV.temporalConfigFile]!;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'temporalio', 'temporal.toml');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The environment without empty TEMPORAL_* values: `TEMPORAL_TLS_SERVER_CA_CERT_PATH=` (as a compose file or a
 * manifest passing an unset variable through writes it) means "not set", not "the file named ''". gRPC
 * metadata keeps its empty values, which remove a header set in the profile.
 */
function withoutEmptySettings(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && (entry[1] !== '' || !entry[0].startsWith('TEMPORAL_') || entry[0].startsWith('TEMPORAL_GRPC_META_')),
    ),
  );
}

function loadProfile(env: Record<string, string>): { profile: ClientConfigProfile; source: string } {
  const file = configFilePath(env);
  if (env[ENV.temporalConfigFile] && !existsSync(file)) {
    throw new ConfigError(`${ENV.temporalConfigFile}: ${file} does not exist`);
  }
  const profileName = env[ENV.temporalProfile] || 'default';
  const fromFile = existsSync(file);
  try {
    const profile = loadClientConfigProfile({ overrideEnvVars: env });
    return { profile, source: fromFile ? `profile ${profileName} of ${file} and TEMPORAL_* variables` : 'TEMPORAL_* variables' };
  } catch (err) {
    if (/Profile '.*' not found/.test(message(err))) {
      throw new ConfigError(
        `${ENV.temporalProfile}: there is no profile ${JSON.stringify(profileName)} in ${fromFile ? file : `${file} (no such file)`}`,
      );
    }
    throw new ConfigError(`Temporal client configuration ${file}: ${message(err)}`);
  }
}

/** A PEM file that exists and is readable, or a ConfigError naming the setting that points at it. */
function checkTlsFile(field: TlsField, source: ConfigDataSource | undefined, env: Record<string, string>): void {
  if (!source) return;
  const names = TLS_FIELDS[field];
  const setting = 'path' in source && env[names.env] ? names.env : 'path' in source ? names.toml : names.env.replace(/_PATH$/, '_DATA');
  let text: string;
  if ('path' in source) {
    try {
      text = readFileSync(source.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a directory' : message(err);
      throw new ConfigError(`${setting}: cannot read the ${names.what} ${source.path} (${why})`);
    }
  } else {
    text = typeof source.data === 'string' ? source.data : Buffer.from(source.data).toString('utf8');
  }
  if (!text.includes('-----BEGIN ')) {
    throw new ConfigError(`${setting}: the ${names.what}${'path' in source ? ` ${source.path}` : ''} is not a PEM file`);
  }
}

function securityOf(options: TemporalConnectOptions): string {
  if (!options.tls) return options.apiKey ? 'API key without TLS' : 'plaintext';
  const mutual = typeof options.tls === 'object' && options.tls.clientCertPair !== undefined;
  return `${mutual ? 'mTLS' : 'TLS'}${options.apiKey ? ' + API key' : ''}`;
}

/**
 * The Temporal settings of this process: the SDK's profile (file, then TEMPORAL_* variables) plus our
 * FINOPS_TASK_QUEUE. Throws ConfigError for anything that would make connecting fail for a known reason.
 */
export function temporalConnectionConfig(processEnv: NodeJS.ProcessEnv = process.env): TemporalConnectionConfig {
  const env = withoutEmptySettings(processEnv);
  const { profile, source } = loadProfile(env);
  if (profile.tls && !profile.tls.disabled) {
    for (const field of Object.keys(TLS_FIELDS) as TlsField[]) checkTlsFile(field, profile.tls[field], env);
    if (Boolean(profile.tls.clientCert) !== Boolean(profile.tls.clientKey)) {
      const [has, lacks] = profile.tls.clientCert ? ['clientCert', 'clientKey'] : ['clientKey', 'clientCert'];
      throw new ConfigError(
        `A ${TLS_FIELDS[has as TlsField].what} is set without its ${TLS_FIELDS[lacks as TlsField].what}: set ${TLS_FIELDS[lacks as TlsField].env} too (mTLS needs both)`,
      );
    }
  }
  const clientOptions = toClientOptions(profile);
  const options = clientOptions.connectionOptions;
  const address = options.address || DEFAULT_TEMPORAL_ADDRESS;
  if (!/^(\[[0-9a-fA-F:.]+\]|[^\s:/]+):\d{1,5}$/.test(address)) {
    throw new ConfigError(`${ENV.temporalAddress} must be host:port, e.g. temporal.example.com:7233 (got ${JSON.stringify(address)})`);
  }
  const connect: TemporalConnectOptions = {
    address,
    ...(options.tls !== undefined && options.tls !== null ? { tls: options.tls } : {}),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.metadata ? { metadata: options.metadata as Record<string, string> } : {}),
  };
  return {
    address,
    namespace: clientOptions.namespace || 'default',
    taskQueue: env[ENV.taskQueue] || 'finops-analysis',
    connect,
    security: securityOf(connect),
    source,
  };
}

/** What to fix, from the error a failed connection gave (and the TLS check's finding). */
function hintFor(config: TemporalConnectionConfig, reason: string): string {
  const tls = Boolean(config.connect.tls);
  if (/certificate.?required|bad.?certificate|peer did not return a certificate/i.test(reason)) {
    return `The server requires a client certificate it accepts (mTLS): check the client certificate and key (${ENV.temporalTlsClientCertPath}, ${ENV.temporalTlsClientKeyPath}).`;
  }
  if (/NotValidForName|does not match certificate|not in the cert's altnames/i.test(reason)) {
    return `The server's certificate names another host: set ${ENV.temporalTlsServerName} to the name it carries.`;
  }
  if (/UnknownIssuer|unable to verify|self.signed|unknown.?ca|invalid peer certificate|certificate verify failed|unable to get (local )?issuer/i.test(reason)) {
    return `The server's TLS certificate was refused: set ${ENV.temporalTlsServerCaCertPath} to the CA that signed it (and ${ENV.temporalTlsServerName} if the certificate names another host).`;
  }
  if (!tls && /answers with TLS/.test(reason)) {
    return `The server may require TLS: set ${ENV.temporalTls}=true (and ${ENV.temporalTlsServerCaCertPath} for a private CA).`;
  }
  if (/handshake|alert|wrong version|InvalidContentType|corrupt message|ssl|tls/i.test(reason)) {
    return tls
      ? `The TLS handshake failed: check that the server speaks TLS on ${config.address}, and the client certificate and key (${ENV.temporalTlsClientCertPath}, ${ENV.temporalTlsClientKeyPath}) if it requires mTLS.`
      : `The server may require TLS: set ${ENV.temporalTls}=true (and ${ENV.temporalTlsServerCaCertPath} for a private CA).`;
  }
  if (/unauthenticated|permission|api key|authorization/i.test(reason)) {
    return `The server refused the credentials: check ${ENV.temporalApiKey} or the client certificate, and ${ENV.temporalNamespace}.`;
  }
  return `Start it (npm run dev) or set ${ENV.temporalAddress} (or a ${ENV.temporalProfile} in temporal.toml) to a reachable server.`;
}

const PROBE_TIMEOUT_MS = 3_000;
/** Errors that say nothing about TLS: the connection's own error already tells the server is not there. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/**
 * A TLS handshake with the connection's own settings, to say why a connection failed when the gRPC client
 * only says "deadline exceeded": the certificate refused (and why), the client certificate rejected, or, for a
 * plaintext configuration, a server that answers with TLS. Undefined when the handshake tells nothing new.
 */
export function probeTls(config: TemporalConnectionConfig): Promise<string | undefined> {
  const at = config.address.lastIndexOf(':');
  const host = config.address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(config.address.slice(at + 1));
  const settings = typeof config.connect.tls === 'object' ? config.connect.tls : {};
  const plaintext = !config.connect.tls;
  const serverName = settings.serverNameOverride ?? (isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      ...(serverName ? { servername: serverName } : {}),
      ...(settings.serverRootCACertificate ? { ca: Buffer.from(settings.serverRootCACertificate) } : {}),
      ...(settings.clientCertPair ? { cert: Buffer.from(settings.clientCertPair.crt), key: Buffer.from(settings.clientCertPair.key) } : {}),
      ALPNProtocols: ['h2'],
      rejectUnauthorized: !plaintext,
    });
    let settled = false;
    const done = (finding: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(finding);
    };
    const timer = setTimeout(() => done(undefined), PROBE_TIMEOUT_MS);
    socket.once('secureConnect', () => {
      if (plaintext) return done(`the server answers with TLS on ${config.address}`);
      // A server that requires a client certificate may refuse it only after the handshake (TLS 1.3).
      setTimeout(() => done(undefined), 300);
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done(plaintext || UNREACHABLE.has(err.code ?? '') ? undefined : tidyOpensslMessage(err.message)),
    );
  });
}

/**
 * Connect with `connect` (Connection.connect for clients, NativeConnection.connect for workers), turning a
 * failure into one ConfigError that says where, how, why and what to set.
 */
export async function connectToTemporal<T>(
  config: TemporalConnectionConfig,
  connect: (options: TemporalConnectOptions) => Promise<T>,
): Promise<T> {
  try {
    return await connect(config.connect);
  } catch (err) {
    const cause = causeChain(err);
    const finding = await probeTls(config);
    const reason = finding ? `${cause}; a TLS check with the same settings: ${finding}` : cause;
    throw new ConfigError(
      `Cannot reach the Temporal server at ${config.address} (${config.security}, namespace ${config.namespace}): ${reason}. ${hintFor(config, `${cause} ${finding ?? ''}`)}`,
    );
  }
}

/** The messages of an error and its causes, most specific last, without repeats. */
function causeChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const text = message(e).trim();
    if (text && !parts.some((p) => p.includes(text))) parts.push(text);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(': ') || 'unknown error';
}

/** "808C…:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:…:SSL alert number 116\n" → "tlsv13 alert certificate required". */
function tidyOpensslMessage(text: string): string {
  const openssl = /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(text);
  return (openssl ? openssl[1]! : text).trim();
}
