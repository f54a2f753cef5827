/**
 * The simulator in a process of its own, for benchmarks: the data layer and the simulator must not
 * share one event loop, or the benchmark measures their contention. Prints "SIM_URL <url>" when ready.
 *
 *   tsx bench/sim-process.ts <size> <seed> <anchorDate> [quotas]
 */
import { generateScenario } from '../src/sim/scenario';
import { startSimulator } from '../src/sim/server';

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function main() {
  const [size = 'large', seed = '1', anchorDate = '2026-11-21', quotas] = process.argv.slice(2);
  const scenario = generateScenario({ seed: Number(seed), anchorDate, size: size as 'large' });
  const sim = await startSimulator({ port: 0, scenario, ...(quotas === 'aws' ? { quotas: 'aws' as const } : {}) });
  console.log(`SIM_URL ${sim.url} ${cpuSeconds()}`);
  process.on('message', (message) => {
    if (message === 'stats') process.send?.({ stats: sim.stats(), throttled: sim.throttled(), cpuSeconds: cpuSeconds() });
  });
  process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
}

void main();
