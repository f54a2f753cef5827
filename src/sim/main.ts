/**
 * The sample AWS account as a process: `npm run sim` (or `tsx src/sim/main.ts`).
 *
 * Environment: FINOPS_SIM_HOST (default 127.0.0.1), FINOPS_SIM_PORT (default 4599),
 * FINOPS_SIM_SEED (default 42). Flags override them: --host, --port, --seed, and
 * --anchor YYYY-MM-DD (the simulated "today"; default today in UTC).
 */
import { parseArgs } from 'node:util';
import { ConfigError, ENV, readPort } from '../config';
import { isIsoDate, todayUtc } from './dates';
import { DEFAULT_SEED, generateScenario } from './scenario';
import { startSimulator } from './server';

const DEFAULT_PORT = 4599;

const USAGE = `Usage: tsx src/sim/main.ts [--host HOST] [--port PORT] [--seed N] [--anchor YYYY-MM-DD]

Serves the sample AWS account (Cost Explorer, ...) for AWS SDK clients with an endpoint override.
Environment: ${ENV.simHost} (default 127.0.0.1), ${ENV.simPort} (default ${DEFAULT_PORT}), ${ENV.simSeed} (default ${DEFAULT_SEED}).`;

interface MainConfig {
  host: string;
  port: number;
  seed: number;
  anchorDate: string;
  portSource: string;
}

function parseSeed(raw: string, source: string): number {
  const seed = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(seed))
    throw new ConfigError(`${source} must be an integer (got ${JSON.stringify(raw)})`);
  return seed;
}

export function readMainConfig(argv: string[], env: NodeJS.ProcessEnv): MainConfig | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
      anchor: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const port =
    values.port !== undefined
      ? readPort('--port', DEFAULT_PORT, { '--port': values.port })
      : readPort(ENV.simPort, DEFAULT_PORT, env);
  const seedRaw = values.seed ?? env[ENV.simSeed];
  const seed =
    seedRaw === undefined || seedRaw === ''
      ? DEFAULT_SEED
      : parseSeed(seedRaw, values.seed !== undefined ? '--seed' : ENV.simSeed);
  const anchorDate = values.anchor ?? todayUtc();
  if (!isIsoDate(anchorDate)) throw new ConfigError(`--anchor must be a date YYYY-MM-DD (got ${JSON.stringify(anchorDate)})`);
  return {
    host: values.host ?? (env[ENV.simHost] || '127.0.0.1'),
    port,
    seed,
    anchorDate,
    portSource: values.port !== undefined ? '--port' : ENV.simPort,
  };
}

async function main(): Promise<void> {
  let config: MainConfig | 'help';
  try {
    config = readMainConfig(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`sample AWS account: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config === 'help') {
    console.log(USAGE);
    return;
  }

  const scenario = generateScenario({ seed: config.seed, anchorDate: config.anchorDate });
  let sim;
  try {
    sim = await startSimulator({ host: config.host, port: config.port, scenario });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      console.error(`port ${config.port} is in use; set ${ENV.simPort} (or --port) to a free port`);
    } else if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      console.error(`cannot listen on ${config.host}:${config.port} (${code}); set ${ENV.simHost} (or --host)`);
    } else if (code === 'EACCES') {
      console.error(`no permission to listen on port ${config.port}; set ${ENV.simPort} (or --port) to a port above 1023`);
    } else {
      console.error(`sample AWS account failed to start: ${(error as Error).message}`);
    }
    process.exit(1);
  }

  const accounts = scenario.accounts.map((a) => a.id).join(', ');
  console.log(`Sample AWS account listening on ${sim.url} (account ${accounts}, regions ${scenario.regions.join(', ')})`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`sample AWS account: error while closing: ${(error as Error).message}`);
        process.exit(0);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  void main();
}
