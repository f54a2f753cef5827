/**
 * The worker process: runs analysis workflows and their activities until SIGINT/SIGTERM.
 * AWS access is configured the SDK's way (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, ...).
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ConfigError, logLevel, organisationConfig, payloadRetentionDays, reportRetentionDays, storeSweepHours, thresholdOverrides } from '../config';
import { connectToTemporal, temporalConnectionConfig } from '../temporal-connection';
import { createActivities } from '../activities';
import { AwsClientFactory } from '../activities/aws-clients';
import { TenantBindings } from '../activities/tenancy';
import { clockFromEnv } from '../clock';
import { createWorker } from './worker';
import { applyConfiguredSchedules } from './schedules';
import { tracingFromEnv } from '../tracing';
import { workerVersionFromEnv } from './versioning';
import { storeFromEnv } from '../activities/store';
import { ReportStore } from '../activities/reports';
import { checkPayloadRetention, namespaceRetentionMs, startStoreSweeps, temporalOldestKeptHistory, temporalScheduledPayloads } from './retention';
import { checkMetricsPortFree, metricsBindAddress, workerMetricsConfig, workerTelemetryOptions } from './metrics';

async function main(): Promise<void> {
  const config = temporalConnectionConfig(); // a bad profile or certificate path stops the worker here
  const thresholds = thresholdOverrides(); // a bad file stops the worker here, before it connects
  const now = clockFromEnv(); // so does a bad FINOPS_TODAY
  const tenancy = TenantBindings.fromEnv(); // likewise a bad tenant configuration, with every problem named
  console.log(tenancy.describe());
  const version = workerVersionFromEnv(); // and half a Worker Versioning setting
  const metrics = workerMetricsConfig();
  const historyDays = payloadRetentionDays(); // and a bad retention or sweep interval
  const sweepHours = storeSweepHours();
  const reportDays = reportRetentionDays();
  if (metrics) await checkMetricsPortFree(metrics);
  // Must happen before anything creates the SDK runtime (the connection below does).
  Runtime.install({ logger: new DefaultLogger(logLevel()), telemetryOptions: workerTelemetryOptions(metrics) });
  const connection = await connectToTemporal(config, (options) => NativeConnection.connect(options));
  try {
    // Payloads must outlive every history that refers to them: refuse a retention shorter than the namespace's.
    const retentionMs = await namespaceRetentionMs(connection.workflowService, config.namespace).catch((err: unknown) => {
      console.warn(`Could not read namespace ${config.namespace}'s retention (${err instanceof Error ? err.message : String(err)}); sweeps still spare every history Temporal lists`);
      return undefined;
    });
    checkPayloadRetention(historyDays, retentionMs, config.namespace);
    const clients = new AwsClientFactory({
      ...organisationConfig(),
      ...(tenancy.mode === 'bound' ? { tenantRoleFor: (account: string) => tenancy.roleFor(account) } : {}),
    });
    const activities = createActivities(clients, undefined, { now, tenancy, ...(thresholds ? { thresholds } : {}) });
    const tracing = tracingFromEnv('finops-worker'); // off unless an OTLP endpoint is configured
    const worker = await createWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      activities,
      ...(tracing ? { tracing } : {}),
      ...(version ? { version } : {}),
    });
    await applyConfiguredSchedules(config);
    if (version) console.log(`Worker deployment ${version.deploymentName}, build ${version.buildId} (analyses pinned to their build)`);
    const endpoint = process.env.AWS_ENDPOINT_URL ? ` (AWS endpoint ${process.env.AWS_ENDPOINT_URL})` : '';
    console.log(
      `Worker running on task queue ${config.taskQueue}, namespace ${config.namespace}, Temporal ${config.address} (${config.security})${endpoint}`,
    );
    if (metrics) console.log(`Worker metrics at http://${metricsBindAddress(metrics)}/metrics`);
    const store = storeFromEnv();
    const sweeps =
      sweepHours > 0
        ? startStoreSweeps({
            store,
            reports: new ReportStore(store, reportDays),
            historyDays,
            oldestKeptHistory: temporalOldestKeptHistory(connection.workflowService, config.namespace),
            scheduledPayloads: temporalScheduledPayloads(connection.workflowService, config.namespace),
            everyMs: sweepHours * 3_600_000,
            log: (line) => console.log(line),
          })
        : undefined;
    if (sweeps) console.log(`Store sweeps every ${sweepHours} h (payloads and report-less analysis folders kept ${historyDays || 'forever'}${historyDays ? ' days' : ''} after their last write)`);
    // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks are drained.
    await worker.run();
    sweeps?.stop();
    await tracing?.shutdown();
    console.log('Worker stopped');
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `worker: ${err.message}` : err);
  process.exit(1);
});
