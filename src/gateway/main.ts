/**
 * The gateway process: connects to Temporal (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE), serves REST and
 * WebSocket on FINOPS_GATEWAY_HOST:FINOPS_GATEWAY_PORT, and shuts down cleanly on SIGINT/SIGTERM
 * (WebSocket clients get close code 1001). Logs one line per request.
 */
import { Client, Connection } from '@temporalio/client';
import { ConfigError, ENV, gatewayConfig, logLevel, logs, temporalConfig } from '../config';
import { createGateway } from './app';

function log(line: string): void {
  console.log(`${new Date().toISOString()} ${line}`);
}

async function main(): Promise<void> {
  const temporal = temporalConfig();
  const { host, port } = gatewayConfig();
  logLevel(); // fail fast on a bad FINOPS_LOG_LEVEL

  let connection: Connection;
  try {
    connection = await Connection.connect({ address: temporal.address, connectTimeout: 5_000 });
  } catch (err) {
    throw new ConfigError(
      `Cannot reach the Temporal server at ${temporal.address} (${err instanceof Error ? err.message : String(err)}). ` +
        `Start it (npm run dev) or set ${ENV.temporalAddress}.`,
    );
  }
  const client = new Client({ connection, namespace: temporal.namespace });
  // Request lines and operational notes are INFO; FINOPS_LOG_LEVEL=WARN or ERROR silences them.
  const gateway = createGateway({ client, taskQueue: temporal.taskQueue, log: logs('INFO', logLevel()) ? log : () => {} });

  try {
    const address = await gateway.listen(port, host);
    log(
      `Gateway listening on ${address.url} (WebSocket ${address.url.replace(/^http/, 'ws')}/ws); Temporal ${temporal.address}, namespace ${temporal.namespace}, task queue ${temporal.taskQueue}`,
    );
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
    log(`${signal} received; closing WebSocket clients and stopping`);
    const forced = setTimeout(() => {
      log('shutdown took too long; exiting');
      process.exit(0);
    }, 10_000);
    forced.unref();
    gateway
      .close()
      .then(() => connection.close())
      .then(
        () => {
          log('Gateway stopped');
          process.exit(0);
        },
        (err: unknown) => {
          log(`error during shutdown: ${err instanceof Error ? err.message : String(err)}`);
          process.exit(0);
        },
      );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  // A bug in one request must not take the gateway down; log it and keep serving.
  process.on('unhandledRejection', (reason) => {
    log(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `gateway: ${err.message}` : err);
  process.exit(1);
});
