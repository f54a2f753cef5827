/**
 * An in-process test stack: a real Temporal dev server, the sample-account simulator, and a worker
 * whose AWS clients point at the simulator. Workflow code is bundled once per test file.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { AwsClientFactory } from '../../src/activities/aws-clients';
import { LocalFileStore } from '../../src/activities/store';
import type { ThresholdOverrides } from '../../src/domain/checks/thresholds';
import { generateScenario, type Scenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { createWorker, WORKFLOWS_PATH } from '../../src/worker/worker';
import { startTemporal } from './temporal';
import { TEST_TODAY } from './today';

export { lastFullMonths, TEST_TODAY, testNow } from './today';

// Workflow failures that tests provoke on purpose are logged at WARN by the SDK; keep the output readable.
Runtime.install({ logger: new DefaultLogger('ERROR') });

export const SAMPLE_ACCOUNT = '123456789012';
export const SIM_CREDENTIALS = { accessKeyId: 'sample', secretAccessKey: 'sample' };

/**
 * What a stack needs of a simulator: where it listens and the account it serves. The in-process
 * simulator is one; a simulator in a process of its own (bench/sim-process.ts) is another, for
 * benchmarks that must not measure the simulator's CPU as the worker's.
 */
export interface SimulatorEndpoint {
  url: string;
  scenario: Pick<Scenario, 'accounts' | 'regions' | 'anchorDate'>;
  close(): Promise<void>;
}

export interface TestStack<S extends SimulatorEndpoint = RunningSimulator> {
  env: TestWorkflowEnvironment;
  sim: S;
  taskQueue: string;
  /** Runs `fn` while a worker polls the task queue. */
  withWorker<T>(fn: (worker: Worker) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StackOptions {
  taskQueue?: string;
  costExplorerPageSize?: number;
  sdkMaxAttempts?: number;
  /** The sample account's size (default small). */
  size?: 'small' | 'medium' | 'large';
  /** The activities' clock (default: noon on the sample account's anchor date, so "today" is its today). */
  now?: () => Date;
  /** The generated account's seed (default 42) and waste (default planted). */
  seed?: number;
  waste?: 'planted' | 'none';
  /** A ready scenario instead of a generated one (wins over size, seed and waste). */
  scenario?: Scenario;
  /** Reach member accounts by assume-role, as the generated organisations expect (default: off). */
  memberRoles?: boolean;
  /** Where the activities keep findings (default: LocalFileStore's default). */
  storeDir?: string;
  /** Threshold overrides for the checks. */
  thresholds?: ThresholdOverrides;
  /** The simulator's request quotas (src/sim/quotas.ts): 'aws' for AWS's limits; default off. */
  quotas?: 'aws';
}

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  return startStackWith(
    startSimulator({
      port: 0,
      scenario:
        options.scenario ??
        generateScenario({
          seed: options.seed ?? 42,
          anchorDate: TEST_TODAY,
          ...(options.size ? { size: options.size } : {}),
          ...(options.waste ? { waste: options.waste } : {}),
        }),
      ...(options.costExplorerPageSize ? { costExplorerPageSize: options.costExplorerPageSize } : {}),
      ...(options.quotas ? { quotas: options.quotas } : {}),
    }),
    options,
  );
}

/** A stack over a simulator being started elsewhere (its scenario, page size and quotas are its own). */
export async function startStackWith<S extends SimulatorEndpoint>(simulator: Promise<S>, options: StackOptions = {}): Promise<TestStack<S>> {
  const [env, sim, bundle] = await Promise.all([
    startTemporal(),
    simulator,
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
  ]);
  const taskQueue = options.taskQueue ?? `test-${Math.random().toString(36).slice(2, 8)}`;
  const accounts = sim.scenario.accounts;
  const roles = options.memberRoles
    ? {
        memberRoleName: accounts.find((a) => a.roleName)?.roleName,
        externalIds: Object.fromEntries(accounts.flatMap((a) => (a.externalId ? [[a.id, a.externalId]] : []))),
      }
    : {};
  const store = options.storeDir ? new LocalFileStore(options.storeDir) : undefined;
  const activities = createActivities(
    new AwsClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS, maxAttempts: options.sdkMaxAttempts ?? 1, ...roles }),
    undefined,
    {
      now: options.now ?? (() => new Date(`${sim.scenario.anchorDate}T12:00:00Z`)),
      ...(store ? { store } : {}),
      ...(options.thresholds ? { thresholds: options.thresholds } : {}),
    },
  );

  return {
    env,
    sim,
    taskQueue,
    async withWorker(fn) {
      const worker = await createWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        activities,
        workflowBundle: bundle,
        shutdownGraceMs: 1000,
        // The activities' timings go where the activities write (the report's timeline reads them there).
        ...(store ? { store } : {}),
      });
      return worker.runUntil(fn(worker));
    },
    async close() {
      await Promise.allSettled([env.teardown(), sim.close()]);
    },
  };
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
