/**
 * The simulator in a process of its own, for benchmarks: the code being measured and the simulator must
 * not share one event loop, or the benchmark measures their contention (AWS's CPU is not the worker's).
 * `startSimulatorProcess` forks this file; the child prints "SIM_URL <url> <cpu seconds>" when ready and
 * then answers "stats" and "reset" messages.
 *
 * Before it is ready it computes the daily statistics of every metric series over the last 16 days:
 * CloudWatch serves stored aggregates, while the simulator synthesises each series on its first read,
 * and on a two-core machine that synthesis (about 1.3 s of CPU on the large account) would be charged
 * to the code being measured.
 */
import { fork } from 'node:child_process';
import type { SimulatorEndpoint } from '../test/helpers/stack';
import { toEpochDay } from '../src/sim/dates';
import { dailyValues } from '../src/sim/metrics';
import { generateScenario, type Scenario, type ScenarioSize } from '../src/sim/scenario';
import { startSimulator } from '../src/sim/server';
import { scenarioQuotaBoundSeconds } from './quota-bound';

export interface SimulatorProcessOptions {
  size: ScenarioSize;
  seed: number;
  anchorDate: string;
  quotas?: 'aws';
}

/** What the simulator process served since start or the last reset, and the CPU it has used. */
export interface SimulatorProcessStats {
  stats: Record<string, number>;
  throttled: Record<string, number>;
  cpuSeconds: number;
}

export interface SimulatorProcess extends SimulatorEndpoint {
  /** The simulator's CPU seconds when it became ready (scenario generation, metric warm-up). */
  startCpuSeconds: number;
  /** The AWS-quota lower bound of the account it serves (bench/quota-bound.ts), worked out in the child. */
  quotaBoundSeconds: number;
  stats(): Promise<SimulatorProcessStats>;
  resetStats(): Promise<void>;
}

interface Ready {
  url: string;
  cpuSeconds: number;
  quotaBoundSeconds: number;
  scenario: SimulatorEndpoint['scenario'];
}

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Forks the simulator and waits until it listens. The scenario stays in the child: only its organisation crosses. */
export async function startSimulatorProcess(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
  const child = fork(__filename, [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx', ...(process.env.SIM_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SIM_CPU_PROF}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const request = <T>(message: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send(message);
    });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`the simulator process exited (${code}) before it was ready`)));
  });
  return {
    url: ready.url,
    scenario: ready.scenario,
    startCpuSeconds: ready.cpuSeconds,
    quotaBoundSeconds: ready.quotaBoundSeconds,
    stats: () => request<SimulatorProcessStats>('stats'),
    resetStats: () => request<void>('reset').then(() => undefined),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function serve(options: SimulatorProcessOptions): Promise<void> {
  const scenario = generateScenario({ seed: options.seed, anchorDate: options.anchorDate, size: options.size });
  warmMetrics(scenario, toEpochDay(options.anchorDate) - 16, 17);
  const sim = await startSimulator({ port: 0, scenario, ...(options.quotas ? { quotas: options.quotas } : {}) });
  const ready: Ready = {
    url: sim.url,
    cpuSeconds: cpuSeconds(),
    quotaBoundSeconds: scenarioQuotaBoundSeconds(scenario),
    scenario: { accounts: scenario.accounts, regions: scenario.regions, anchorDate: scenario.anchorDate },
  };
  process.send?.(ready);
  process.on('message', (message) => {
    if (message === 'stats') process.send?.({ stats: sim.stats(), throttled: sim.throttled(), cpuSeconds: cpuSeconds() });
    if (message === 'reset') {
      sim.resetStats();
      process.send?.('reset');
    }
  });
  process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
}

function warmMetrics(scenario: Scenario, startDay: number, days: number): void {
  for (const resource of [...scenario.instances, ...scenario.databases, ...scenario.buckets, ...scenario.volumes])
    for (const profile of Object.values(resource.metrics)) dailyValues(profile, startDay, days, 'Average');
}

if (require.main === module && process.send) void serve(JSON.parse(process.argv[2] ?? '{}') as SimulatorProcessOptions);
