/**
 * The sample AWS account as a process: `npm run sim` (or `tsx src/sim/main.ts`).
 *
 * Environment: FINOPS_SIM_HOST (default 127.0.0.1), FINOPS_SIM_PORT (default 4599),
 * FINOPS_SIM_SEED (default 42). Flags override them: --host, --port, --seed, and
 * --anchor YYYY-MM-DD (the simulated "today"; default today in UTC, or FINOPS_TODAY's day). The account
 * served is generated (--size small|medium|large, --waste planted|none) or read from a scenario file
 * (--scenario FILE, docs/scenario-format.md), whose dates move so that its anchorDate falls on that
 * day; --ground-truth FILE writes its planted waste and true savings as JSON.
 */
import { parseArgs } from 'node:util';
import { ConfigError, ENV, readPort } from '../config';
import { clockFromEnv, todayBy } from '../clock';
import { isIsoDate } from './dates';
import { DEFAULT_SEED, SCENARIO_SIZES, generateScenario, writeGroundTruth, type Scenario, type ScenarioSize } from './scenario';
import { ScenarioFileError, loadScenarioFile } from './scenario-file';
import { startSimulator } from './server';

const DEFAULT_PORT = 4599;

const USAGE = `Usage: tsx src/sim/main.ts [--host HOST] [--port PORT] [--seed N] [--anchor YYYY-MM-DD]
                           [--size small|medium|large] [--waste planted|none] [--scenario FILE] [--ground-truth FILE]

Serves the sample AWS account (Cost Explorer, CloudWatch, EC2, RDS, S3, STS, Support, Pricing, ...) for AWS
SDK clients with an endpoint override. --anchor is the account's "today" (default: today, or ${ENV.today}).
--scenario serves a scenario file instead of a generated account, every date moved so that its anchorDate
is that day (pass --anchor with the file's own anchorDate to serve it as written).
--ground-truth writes the planted waste and its true monthly savings as JSON.
Environment: ${ENV.simHost} (default 127.0.0.1), ${ENV.simPort} (default ${DEFAULT_PORT}), ${ENV.simSeed} (default ${DEFAULT_SEED}).`;

interface MainConfig {
  host: string;
  port: number;
  seed: number;
  anchorDate: string;
  portSource: string;
  size: ScenarioSize;
  waste: 'planted' | 'none';
  scenarioFile?: string;
  groundTruthFile?: string;
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
      size: { type: 'string' },
      waste: { type: 'string' },
      scenario: { type: 'string' },
      'ground-truth': { type: 'string' },
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
  const anchorDate = values.anchor ?? todayBy(clockFromEnv(env));
  if (!isIsoDate(anchorDate)) throw new ConfigError(`--anchor must be a date YYYY-MM-DD (got ${JSON.stringify(anchorDate)})`);
  const size = (values.size ?? 'small') as ScenarioSize;
  if (!SCENARIO_SIZES.includes(size))
    throw new ConfigError(`--size must be one of ${SCENARIO_SIZES.join(', ')} (got ${JSON.stringify(values.size)})`);
  const waste = values.waste ?? 'planted';
  if (waste !== 'planted' && waste !== 'none')
    throw new ConfigError(`--waste must be planted or none (got ${JSON.stringify(waste)})`);
  return {
    size,
    waste,
    ...(values.scenario !== undefined ? { scenarioFile: values.scenario } : {}),
    ...(values['ground-truth'] !== undefined ? { groundTruthFile: values['ground-truth'] } : {}),
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

  let scenario: Scenario;
  try {
    scenario = config.scenarioFile
      ? loadScenarioFile(config.scenarioFile, { servedOn: config.anchorDate })
      : generateScenario({ seed: config.seed, anchorDate: config.anchorDate, size: config.size, waste: config.waste });
    if (config.groundTruthFile) writeGroundTruth(scenario, config.groundTruthFile);
  } catch (error) {
    console.error(error instanceof ScenarioFileError ? error.message : `sample AWS account: ${(error as Error).message}`);
    process.exit(2);
  }
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

  // Announce readiness only once the signal handlers are in place: whoever waits for this line may stop us at once.
  const accounts = scenario.accounts.map((a) => a.id).join(', ');
  console.log(`Sample AWS account listening on ${sim.url} (account ${accounts}, regions ${scenario.regions.join(', ')})`);
}

if (require.main === module) {
  void main();
}
