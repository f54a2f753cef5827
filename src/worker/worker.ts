/**
 * Worker construction, shared by the worker process and the tests.
 */
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities';
import { workerTracingOptions, type Tracing } from '../tracing';
import { payloadReferenceConverter } from '../payload-references';
import { storeFromEnv, type ArtefactStore } from '../activities/store';
import { livenessHeartbeats } from './liveness';
import { activityTimings } from './timings';
import { workerDeploymentOptions, type WorkerVersion } from './versioning';

export interface FinopsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities?: Activities;
  /** A prebuilt bundle (tests bundle once per file); otherwise workflows are bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Milliseconds. */
  shutdownGraceMs?: number;
  /** OpenTelemetry tracing (src/tracing.ts); a prebuilt bundle must then include TRACING_WORKFLOW_INTERCEPTOR_MODULE. */
  tracing?: Tracing;
  /** Worker Versioning (src/worker/versioning.ts): the deployment and build this worker runs; unset = unversioned. */
  version?: WorkerVersion;
  /** Large payloads by reference (src/payload-references.ts); default: the store from the environment. */
  dataConverter?: WorkerOptions['dataConverter'];
  /**
   * The artefact store the activities write to; the worker records each analysis activity's timing there
   * (src/worker/timings.ts) for the report's timeline. Default: the store from the environment.
   */
  store?: ArtefactStore;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');
/**
 * Workflow interceptor modules bundled with the workflows: the project's metrics. Bundle them too when
 * passing a prebuilt `workflowBundle` (bundleWorkflowCode's workflowInterceptorModules).
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/metrics-interceptor')];

export async function createWorker(options: FinopsWorkerOptions): Promise<Worker> {
  const tracing = options.tracing ? workerTracingOptions(options.tracing) : undefined;
  const store = options.store ?? storeFromEnv();
  const workflowModules = [...WORKFLOW_INTERCEPTOR_MODULES, ...(tracing?.interceptors.workflowModules ?? [])];
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities ?? createActivities(),
    // Results, inputs and reports past the inline limit go through the artefact store: history stays small.
    dataConverter: options.dataConverter ?? payloadReferenceConverter(),
    // With a prebuilt bundle the workflow interceptor modules are already in it (and workflowModules is ignored).
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    interceptors: { workflowModules, activity: [livenessHeartbeats, activityTimings(store), ...(tracing ? tracing.interceptors.activity : [])] },
    ...(tracing ? { sinks: tracing.sinks } : {}),
    ...(options.version ? workerDeploymentOptions(options.version) : {}),
    // Lets in-flight activities finish (or heartbeat their position) before the process exits.
    shutdownGraceTime: options.shutdownGraceMs ?? 10_000,
    // Fast recovery from a dead worker: heartbeats reach Temporal every second (not 80% of the heartbeat
    // timeout), every activity with a heartbeat timeout beats while it runs, and a workflow task waiting on
    // a dead worker's sticky queue moves to the shared queue after 3 s instead of 10 s.
    maxHeartbeatThrottleInterval: '1 second',
    stickyQueueScheduleToStartTimeout: '3 seconds',
  });
}
