/**
 * The worker process: runs analysis workflows and their activities until SIGINT/SIGTERM.
 * AWS access is configured the SDK's way (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, ...).
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ConfigError, logLevel, organisationConfig, temporalConfig, thresholdOverrides } from '../config';
import { createActivities } from '../activities';
import { AwsClientFactory } from '../activities/aws-clients';
import { TenantBindings } from '../activities/tenancy';
import { clockFromEnv } from '../clock';
import { createWorker } from './worker';
import { applyConfiguredSchedules } from './schedules';

async function main(): Promise<void> {
  const config = temporalConfig();
  const thresholds = thresholdOverrides(); // a bad file stops the worker here, before it connects
  const now = clockFromEnv(); // so does a bad FINOPS_TODAY
  const tenancy = TenantBindings.fromEnv(); // likewise a bad tenant configuration, with every problem named
  console.log(tenancy.describe());
  // Must happen before anything creates the SDK runtime (the connection below does).
  Runtime.install({ logger: new DefaultLogger(logLevel()) });
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: config.address });
  } catch (err) {
    throw new ConfigError(
      `Cannot reach the Temporal server at ${config.address} (${err instanceof Error ? err.message : String(err)}). ` +
        'Start it (npm run dev) or set TEMPORAL_ADDRESS.',
    );
  }
  try {
    const clients = new AwsClientFactory({
      ...organisationConfig(),
      ...(tenancy.mode === 'bound' ? { tenantRoleFor: (account: string) => tenancy.roleFor(account) } : {}),
    });
    const activities = createActivities(clients, undefined, { now, tenancy, ...(thresholds ? { thresholds } : {}) });
    const worker = await createWorker({ connection, namespace: config.namespace, taskQueue: config.taskQueue, activities });
    await applyConfiguredSchedules(config);
    const endpoint = process.env.AWS_ENDPOINT_URL ? ` (AWS endpoint ${process.env.AWS_ENDPOINT_URL})` : '';
    console.log(
      `Worker running on task queue ${config.taskQueue}, namespace ${config.namespace}, Temporal ${config.address}${endpoint}`,
    );
    // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks are drained.
    await worker.run();
    console.log('Worker stopped');
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `worker: ${err.message}` : err);
  process.exit(1);
});
