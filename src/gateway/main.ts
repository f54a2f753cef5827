/**
 * The gateway process: connects to Temporal (src/temporal-connection.ts: TEMPORAL_* variables or a
 * temporal.toml profile), serves REST, the WebSocket and the dashboard on FINOPS_GATEWAY_HOST:FINOPS_GATEWAY_PORT with the authentication of
 * auth-config.ts, logs structured records (FINOPS_LOG_FORMAT json|text, FINOPS_LOG_LEVEL), and shuts
 * down gracefully on SIGINT/SIGTERM: readiness turns 503, WebSocket clients are told to reconnect
 * (a `reconnect` message, then close code 1012), in-flight requests finish.
 */
import { Client, Connection } from '@temporalio/client';
import { ConfigError, ENV, gatewayConfig, logLevel, rateLimitPerMinute } from '../config';
import { TenantBindings } from '../activities/tenancy';
import { clockFromEnv } from '../clock';
import { payloadReferenceConverter } from '../payload-references';
import { connectToTemporal, temporalConnectionConfig } from '../temporal-connection';
import { clientTracingInterceptors, traceHttpServer, tracingFromEnv } from '../tracing';
import { createGateway } from './app';
import { AUTH_NONE_WARNING, authFromEnv } from './auth-config';
import { filtered, jsonLogger, levelFromConfig, textLogger, type Logger } from './log';

function loggerFromEnv(env: NodeJS.ProcessEnv = process.env): Logger {
  const format = (env[ENV.logFormat] || 'json').toLowerCase();
  if (format !== 'json' && format !== 'text') {
    throw new ConfigError(`${ENV.logFormat} must be json or text (got ${JSON.stringify(env[ENV.logFormat])})`);
  }
  const write = (line: string) => process.stdout.write(`${line}\n`);
  return filtered(format === 'json' ? jsonLogger(write) : textLogger(write), levelFromConfig(logLevel(env)));
}

async function main(): Promise<void> {
  const temporal = temporalConnectionConfig();
  const { host, port } = gatewayConfig();
  const log = loggerFromEnv();
  const tenancy = TenantBindings.fromEnv(); // a bad configuration stops the gateway with every problem named
  const auth = authFromEnv(process.env, tenancy);
  const now = clockFromEnv();
  const rateLimit = { requestsPerWindow: rateLimitPerMinute(), windowMs: 60_000 };
  if (auth.mode === 'none') {
    process.stderr.write(`\n*** WARNING: ${AUTH_NONE_WARNING}\n\n`);
    log({ level: 'warn', msg: AUTH_NONE_WARNING });
  }

  const connection = await connectToTemporal(temporal, (options) => Connection.connect({ ...options, connectTimeout: 5_000 }));
  const tracing = tracingFromEnv('finops-gateway'); // off unless an OTLP endpoint is configured
  const client = new Client({ connection, namespace: temporal.namespace, dataConverter: payloadReferenceConverter(), ...(tracing ? { interceptors: clientTracingInterceptors(tracing) } : {}) });
  log({ level: tenancy.mode === 'single' ? 'warn' : 'info', msg: tenancy.describe() });
  const gateway = createGateway({ client, taskQueue: temporal.taskQueue, log, authenticate: auth.authenticator, now, tenancy, rateLimit });
  if (tracing) traceHttpServer(gateway.server, tracing);

  try {
    const address = await gateway.listen(port, host);
    log({
      level: 'info',
      msg: 'gateway listening',
      url: address.url,
      websocket: `${address.url.replace(/^http/, 'ws')}/ws`,
      dashboard: `${address.url}/`,
      auth: auth.description,
      temporal: temporal.address,
      temporalSecurity: temporal.security,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
    });
  } catch (err) {
    await connection.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new ConfigError(
        `Port ${port} on ${host} is already in use. Stop the other process or set ${ENV.gatewayPort} to a free port.`,
      );
    }
    if (code === 'EACCES') {
      throw new ConfigError(`Not allowed to listen on ${host}:${port}. Use a port above 1023 (${ENV.gatewayPort}).`);
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new ConfigError(`Cannot listen on host ${host}: no such local address. Fix ${ENV.gatewayHost}.`);
    }
    throw err;
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log({ level: 'info', msg: 'shutting down: telling WebSocket clients to reconnect', signal });
    const forced = setTimeout(() => {
      log({ level: 'warn', msg: 'shutdown took too long; exiting' });
      process.exit(0);
    }, 10_000);
    forced.unref();
    gateway
      .close()
      .then(() => connection.close())
      .then(() => tracing?.shutdown())
      .then(
        () => {
          log({ level: 'info', msg: 'gateway stopped' });
          process.exit(0);
        },
        (err: unknown) => {
          log({ level: 'error', msg: 'error during shutdown', error: err instanceof Error ? err.message : String(err) });
          process.exit(0);
        },
      );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  // A bug in one request must not take the gateway down; log it and keep serving.
  process.on('unhandledRejection', (reason) => {
    log({ level: 'error', msg: 'unhandled rejection', error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) });
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `gateway: ${err.message}` : err);
  process.exit(1);
});
