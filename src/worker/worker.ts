/**
 * Worker construction, shared by the worker process and the tests.
 */
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities';
import { livenessHeartbeats } from './liveness';

export interface FinopsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities?: Activities;
  /** A prebuilt bundle (tests bundle once per file); otherwise workflows are bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Milliseconds. */
  shutdownGraceMs?: number;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

export async function createWorker(options: FinopsWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities ?? createActivities(),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    // Lets in-flight activities finish (or heartbeat their position) before the process exits.
    shutdownGraceTime: options.shutdownGraceMs ?? 10_000,
    // Fast recovery from a dead worker: heartbeats reach Temporal every second (not 80% of the heartbeat
    // timeout), every activity with a heartbeat timeout beats while it runs, and a workflow task waiting on
    // a dead worker's sticky queue moves to the shared queue after 3 s instead of 10 s.
    maxHeartbeatThrottleInterval: '1 second',
    interceptors: { activity: [livenessHeartbeats] },
    stickyQueueScheduleToStartTimeout: '3 seconds',
  });
}
