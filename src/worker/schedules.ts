/**
 * Start-up: the weekly-review schedules configured in FINOPS_REVIEW_SCHEDULES (or _FILE) are created, or
 * brought in line when they exist, so restarting the worker never duplicates them.
 */
import { Client, Connection } from '@temporalio/client';
import { connectToTemporal, type TemporalConnectionConfig } from '../temporal-connection';
import { payloadReferenceConverter } from '../payload-references';
import { ensureReviewSchedules, schedulesFromEnv } from '../client/schedules';

export async function applyConfiguredSchedules(config: TemporalConnectionConfig, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const schedules = schedulesFromEnv(env);
  if (schedules.length === 0) return;
  const connection = await connectToTemporal(config, (options) => Connection.connect(options));
  try {
    const client = new Client({ connection, namespace: config.namespace, dataConverter: payloadReferenceConverter() });
    const results = await ensureReviewSchedules(client, config.taskQueue, schedules);
    for (const r of results) console.log(`Review schedule ${r.scheduleId}: ${r.created ? 'created' : 'up to date'}`);
  } finally {
    await connection.close();
  }
}
