/**
 * The simulator in a process of its own, for benchmarks: the data layer and the simulator must not
 * share one event loop, or the benchmark measures their contention. Prints "SIM_URL <url>" when ready.
 *
 * Before it is ready it computes the daily statistics of every metric series over the last 16 days:
 * CloudWatch serves stored aggregates, while the simulator synthesises each series on its first read,
 * and on a two-core machine that synthesis (about 1.3 s of CPU on the large account) would be charged
 * to the data layer being measured.
 *
 *   tsx bench/sim-process.ts <size> <seed> <anchorDate> [quotas]
 */
import { toEpochDay } from '../src/sim/dates';
import { dailyValues } from '../src/sim/metrics';
import { generateScenario, type Scenario } from '../src/sim/scenario';
import { startSimulator } from '../src/sim/server';

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function main() {
  const [size = 'large', seed = '1', anchorDate = '2026-11-21', quotas] = process.argv.slice(2);
  const scenario = generateScenario({ seed: Number(seed), anchorDate, size: size as 'large' });
  warmMetrics(scenario, toEpochDay(anchorDate) - 16, 17);
  const sim = await startSimulator({ port: 0, scenario, ...(quotas === 'aws' ? { quotas: 'aws' as const } : {}) });
  console.log(`SIM_URL ${sim.url} ${cpuSeconds()}`);
  process.on('message', (message) => {
    if (message === 'stats') process.send?.({ stats: sim.stats(), throttled: sim.throttled(), cpuSeconds: cpuSeconds() });
  });
  process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
}

function warmMetrics(scenario: Scenario, startDay: number, days: number): void {
  for (const resource of [...scenario.instances, ...scenario.databases, ...scenario.buckets, ...scenario.volumes])
    for (const profile of Object.values(resource.metrics)) dailyValues(profile, startDay, days, 'Average');
}

void main();
