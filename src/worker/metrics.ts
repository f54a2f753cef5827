/**
 * The worker's Prometheus endpoint: the SDK runtime's own metrics (task slots, poll and schedule-to-start
 * latencies, activity and workflow task failures, ...) and the project's counters (src/workflows/
 * metrics-interceptor.ts), served by the SDK's core at http://FINOPS_WORKER_METRICS_HOST:PORT/metrics.
 * Off unless FINOPS_WORKER_METRICS_PORT is set, so several workers on one machine never fight for a port.
 */
import { createServer } from 'node:net';
import type { TelemetryOptions } from '@temporalio/worker';
import { ConfigError, ENV, readPort } from '../config';
import { FINOPS_METRICS } from '../workflows/metrics-interceptor';

/** Buckets in the metrics' own units (the SDK's default buckets suit milliseconds of latency, not dollars). */
const BUCKETS: Record<string, number[]> = {
  [FINOPS_METRICS.monthlySavings]: [0, 10, 100, 1_000, 10_000, 100_000, 1_000_000],
  [FINOPS_METRICS.duration]: [5, 15, 30, 60, 120, 300, 600, 1_800, 3_600],
};

export interface WorkerMetricsConfig {
  host: string;
  port: number;
}

export function workerMetricsConfig(env: NodeJS.ProcessEnv = process.env): WorkerMetricsConfig | undefined {
  if (!env[ENV.workerMetricsPort]) return undefined;
  const port = readPort(ENV.workerMetricsPort, 0, env);
  if (port === 0) throw new ConfigError(`${ENV.workerMetricsPort} must name a port to serve metrics on (got 0)`);
  return { host: env[ENV.workerMetricsHost] || '127.0.0.1', port };
}

/** host:port for the SDK (IPv6 hosts in brackets). */
export function metricsBindAddress(config: WorkerMetricsConfig): string {
  return `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
}

/** The Runtime's telemetry options: Prometheus, counters with `_total`, durations in seconds. */
export function workerTelemetryOptions(config: WorkerMetricsConfig | undefined): TelemetryOptions {
  if (!config) return {};
  return {
    metrics: {
      prometheus: {
        bindAddress: metricsBindAddress(config),
        countersTotalSuffix: true,
        useSecondsForDurations: true,
        histogramBucketOverrides: BUCKETS,
      },
    },
  };
}

/**
 * Fail early and clearly when the port is taken: the SDK's core binds it in the background and would only
 * log the failure.
 */
export async function checkMetricsPortFree(config: WorkerMetricsConfig): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is already in use' : err.code === 'EACCES' ? 'is not allowed' : `cannot be used (${err.message})`;
      reject(new ConfigError(`${ENV.workerMetricsHost}:${ENV.workerMetricsPort} ${metricsBindAddress(config)} ${why}: pick another ${ENV.workerMetricsPort}.`));
    });
    server.listen(config.port, config.host, () => server.close(() => resolve()));
  });
}
