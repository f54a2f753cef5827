/**
 * Real child processes for end-to-end tests (worker, gateway), started the way the dev stack starts them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/temporal-cli';
import { ENV } from '../../src/config';
import { TEST_TODAY } from './today';

export interface Proc {
  child: ChildProcess;
  output(): string;
  /** Resolves when a line matching `pattern` is printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startProcess(entry: string, env: Record<string, string>): Proc {
  // `node --import tsx` rather than the tsx CLI: the CLI forks a second process, and a SIGKILL to it would
  // orphan the real worker.
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, entry)], {
    cwd: PROJECT_ROOT,
    // The test run's today, unless the test sets another: the process and the sample account agree on "now".
    env: { ...process.env, [ENV.today]: TEST_TODAY, ...env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${entry} did not print ${String(pattern)} within ${timeoutMs} ms. Output:\n${output}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then((code) => {
          if (listeners.has(check)) {
            cleanup();
            reject(new Error(`${entry} exited (${code}) before printing ${String(pattern)}. Output:\n${output}`));
          }
        });
        check();
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface WorkerProcessOptions {
  /** The Temporal server's address (host:port). */
  temporalAddress: string;
  taskQueue: string;
  /** The simulator's URL: every AWS client of the worker goes there, with the simulator's credentials. */
  awsEndpoint: string;
  /** FINOPS_STORE_DIR, for a test that reads the store or shares it between workers. */
  storeDir?: string;
  /** Any other variables; they win over the ones above. */
  env?: Record<string, string>;
}

/** The environment of a worker process on a test's Temporal server and the sample-account simulator. */
export function simulatedWorkerEnv(options: WorkerProcessOptions): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: options.temporalAddress,
    FINOPS_TASK_QUEUE: options.taskQueue,
    AWS_ENDPOINT_URL: options.awsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'sample',
    AWS_SECRET_ACCESS_KEY: 'sample',
    ...(options.storeDir ? { FINOPS_STORE_DIR: options.storeDir } : {}),
    ...options.env,
  };
}

/** A worker process (src/worker/main.ts) on a test's Temporal server and the simulator. */
export function startWorkerProcess(options: WorkerProcessOptions): Proc {
  return startProcess('src/worker/main.ts', simulatedWorkerEnv(options));
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The `finops` command line (src/cli/main.ts) run to its end, with `env` added to the test's environment. */
export function runFinops(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src/cli/main.ts'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FORCE_COLOR: '0', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
