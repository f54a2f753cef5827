/**
 * The AWS data layer on the large sample account (10,000 instances, 1,000 databases, 5,000 buckets,
 * 15,000 volumes across an organisation), through the real SDK clients and the simulator with AWS's
 * request quotas on. Prints, per operation, the requests made against the lower bound (the fewest calls
 * the APIs allow), and the wall time against the quota bound (the least time AWS's rate limits allow).
 *
 *   npx tsx bench/data-layer.ts [--size large|medium] [--no-quotas] [--runs 2]
 *
 * The figures are the last run's; run 1 is cold (see main).
 */
import { parseArgs } from 'node:util';
import { AwsClientFactory, type AwsTarget } from '../src/activities/aws-clients';
import {
  listAddresses,
  listBuckets,
  listDatabases,
  listInstances,
  listSnapshots,
  listTaggedResources,
  listVolumes,
  type BucketSummary,
  type DatabaseSummary,
  type InstanceSummary,
} from '../src/activities/inventory';
import { getMetricData, metricQueryId, type MetricQuery } from '../src/activities/metric-data';
import { addUsage, emptyUsage, usageCost } from '../src/domain/usage';
import { generateScenario } from '../src/sim/scenario';
import { startSimulatorProcess } from './sim-process';
import { configPages as configPagesOf, lowerBounds, quotaBoundSeconds, taggingPages as taggingPagesOf, unrecordedBuckets } from './quota-bound';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'large' },
    'no-quotas': { type: 'boolean', default: false },
    runs: { type: 'string', default: '2' },
  },
});
const size = values.size as 'large' | 'medium';
const DAY = 86_400;
/** The sample account's "today" in this benchmark: any day serves; a fixed one keeps runs comparable. */
const ANCHOR = '2026-11-21';

async function main() {
  // The data layer knows the organisation only as a worker would: accounts, roles and Regions from
  // configuration (here the simulator's health page). The scenario itself is generated after the run,
  // for the lower bounds, so that its half a gigabyte does not weigh on this process's garbage collector.
  const sim = await startSimulatorProcess({ size, seed: 1, anchorDate: ANCHOR, ...(values['no-quotas'] ? {} : { quotas: 'aws' as const }) });
  const health = (await (await fetch(`${sim.url}/__sim/health`)).json()) as Health;
  const targets: AwsTarget[] = health.accounts.flatMap((a) => health.regions.map((region) => ({ account: a.id, region })));

  // Run 1 is cold (the SDK's lazily loaded modules, first JIT, STS credentials); later runs are what a
  // long-running worker sees. Each run has new clients, so no run inherits another's retry state.
  const runs: (Run & { simCpu: number; throttled: Record<string, number> })[] = [];
  for (let i = 0; i < Math.max(1, Number(values.runs) || 1); i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 2_000)); // let the quotas' buckets refill
    const before = await sim.stats();
    const measured = await measure(sim.url, health, targets);
    const after = await sim.stats();
    const throttled = Object.fromEntries(
      Object.entries(after.throttled)
        .map(([op, n]) => [op, n - (before.throttled[op] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    const run = { ...measured, simCpu: after.cpuSeconds - before.cpuSeconds, throttled };
    runs.push(run);
    console.log(
      `run ${i + 1}${i === 0 ? ' (cold)' : ''}: ${run.total.toFixed(1)} s; listings and metrics done after (s): ${JSON.stringify(run.finished)}`,
    );
  }
  const last = runs.at(-1)!;
  const { total, runCpu, inventory, bucketUsages } = last;
  const metricQueries = inventory.map(({ target, queries }) => ({ target, queries }));

  const generationStart = Date.now();
  const scenario = generateScenario({ seed: 1, anchorDate: ANCHOR, size });
  const generation = (Date.now() - generationStart) / 1000;
  console.log(
    `Scenario ${size}: ${scenario.accounts.length} accounts, ${scenario.regions.length} regions, ${scenario.instances.length} instances, ` +
      `${scenario.databases.length} databases, ${scenario.buckets.length} buckets, ${scenario.volumes.length} volumes, ` +
      `${scenario.snapshots.length} snapshots, ${scenario.addresses.length} addresses (generated in ${generation.toFixed(1)} s, after the run)`,
  );

  const usage = addUsage(...inventory.map((i) => i.usage), ...bucketUsages);
  const bounds = lowerBounds(
    inventory.map(({ target, instances, databases }) => ({
      target,
      instances: instances.length,
      databases: databases.length,
      volumes: scenario.volumes.filter((v) => v.account === target.account && v.region === target.region).length,
      snapshots: scenario.snapshots.filter((s) => s.account === target.account && s.region === target.region).length,
    })),
  );
  // Tagging: the resources with tags, per account and region, 100 a page; bucket configuration from
  // AWS Config, S3's two per-bucket calls only for the buckets Config has not recorded (quota-bound.ts).
  const taggingPages = inventory.map(({ target }) => taggingPagesOf(scenario, target));
  bounds['tag:GetResources'] = taggingPages.reduce((n, p) => n + p, 0);
  const unrecorded = unrecordedBuckets(scenario);
  const configPages = configPagesOf(scenario);
  bounds['s3:ListAllMyBuckets'] = scenario.accounts.length;
  bounds['config:SelectResourceConfig'] = configPages.reduce((n, p) => n + p, 0);
  bounds['s3:GetBucketVersioning'] = unrecorded;
  bounds['s3:GetLifecycleConfiguration'] = unrecorded;
  bounds['cloudwatch:GetMetricData'] = metricQueries.reduce((n, m) => n + Math.ceil(m.queries.length / 500), 0);

  console.log(`\n${'operation'.padEnd(32)} ${'requests'.padStart(9)} ${'lower bound'.padStart(12)} ${'ratio'.padStart(7)}`);
  for (const [op, bound] of Object.entries(bounds).sort()) {
    const made = usage.requests[op] ?? 0;
    console.log(
      `${op.padEnd(32)} ${String(made).padStart(9)} ${String(bound).padStart(12)} ${(made / bound).toFixed(2).padStart(7)}`,
    );
  }
  const quotaBound = values['no-quotas']
    ? 0
    : quotaBoundSeconds(
        [
          ...metricQueries.map((m) => ({ op: 'monitoring:GetMetricData', calls: Math.ceil(m.queries.length / 500) })),
          ...taggingPages.map((calls) => ({ op: 'tagging:GetResources', calls })),
          ...configPages.map((calls) => ({ op: 'config:SelectResourceConfig', calls })),
        ],
        (usage.requests['s3:GetBucketVersioning'] ?? 0) + (usage.requests['s3:GetLifecycleConfiguration'] ?? 0),
      );
  console.log(
    `\nmetrics requested: ${usage.metricsRequested} (${metricQueries.reduce((n, m) => n + m.queries.length, 0)} queries); AWS cost of the run: $${usageCost(usage)}`,
  );
  console.log(`throttled by the simulator's quotas in the last run: ${JSON.stringify(last.throttled)}`);
  console.log(
    `simulator CPU during the last run: ${last.simCpu.toFixed(1)} s (one core; when it approaches the wall time, the simulator is the bottleneck)`,
  );
  console.log(`wall time of the last run (listings and metrics, pipelined per account and Region): ${total.toFixed(1)} s`);
  if (quotaBound > 0)
    console.log(`quota bound: ${quotaBound.toFixed(1)} s  →  wall time / quota bound = ${(total / quotaBound).toFixed(2)}`);
  console.log(`data-layer process CPU during the last run: ${((runCpu.user + runCpu.system) / 1e6).toFixed(1)} s`);
  console.log(`data-layer process RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);

  // Baseline in the same run: every bucket's configuration read from S3 (two calls per bucket), as
  // without AWS Config, against the Config path the data layer takes — the bucket listings alone.
  console.log('\nbucket configuration of all accounts, alone:');
  for (const useConfig of [false, true]) {
    const clients = clientsFor(sim.url, health);
    const usage = emptyUsage();
    const started = Date.now();
    const cpu = process.cpuUsage();
    await Promise.all(health.accounts.map((a) => listBuckets(clients, a.id, health.regions[0]!, usage, { useConfig })));
    const seconds = (Date.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    clients.destroy();
    const requests = Object.entries(usage.requests)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
    console.log(
      `  ${useConfig ? 'AWS Config, S3 for unrecorded buckets' : 'S3 only (baseline)'}: ${seconds.toFixed(1)} s wall, ` +
        `${((used.user + used.system) / 1e6).toFixed(1)} s CPU; ${requests}`,
    );
  }
  await sim.close();
}

interface Health {
  accounts: { id: string; roleName?: string; externalId?: string }[];
  regions: string[];
}

type Run = Awaited<ReturnType<typeof measure>>;

function clientsFor(url: string, health: Health): AwsClientFactory {
  return new AwsClientFactory({
    endpoint: url,
    credentials: { accessKeyId: 'AKIABENCHMARK0000000', secretAccessKey: 'bench' },
    memberRoleName: health.accounts.find((a) => a.roleName)?.roleName,
    externalIds: Object.fromEntries(health.accounts.flatMap((a) => (a.externalId ? [[a.id, a.externalId]] : []))),
    maxAttempts: 10, // under quotas the SDK backs off and retries instead of failing
  });
}

/**
 * One pass over the organisation: every account and Region at once, each pipelined as the agents run
 * (its listings, then its metrics as soon as its own inventory and its account's bucket listing are in).
 */
async function measure(url: string, health: Health, targets: AwsTarget[]) {
  const clients = clientsFor(url, health);

  // Every account and Region at once, each pipelined as the agents run: its listings, then its metrics
  // (4 queries per instance, 3 per database, 2 per bucket, 14 daily datapoints each) as soon as its own
  // inventory and its account's bucket listing are in.
  const cpuAtStart = process.cpuUsage();
  const t = Date.now();
  const finished: Record<string, number> = {};
  const timed = async <T>(what: string, work: Promise<T>): Promise<T> => {
    const value = await work;
    finished[what] = Math.max(finished[what] ?? 0, (Date.now() - t) / 1000);
    return value;
  };
  const end = new Date(`${ANCHOR}T00:00:00Z`);
  const start = new Date(end.getTime() - 14 * DAY * 1000);
  const bucketListings = new Map(
    health.accounts.map((a) => {
      const usage = emptyUsage();
      return [a.id, { usage, listing: timed('buckets', listBuckets(clients, a.id, health.regions[0]!, usage)) }] as const;
    }),
  );
  const inventory = await Promise.all(
    targets.map(async (target) => {
      const usage = emptyUsage();
      // Metrics need only the instances, databases and buckets; the other listings run alongside.
      const others = Promise.all([
        timed('volumes', listVolumes(clients, target, usage)),
        timed('snapshots', listSnapshots(clients, target, usage)),
        timed('addresses', listAddresses(clients, target, usage)),
        timed('tags', listTaggedResources(clients, target, ['ec2:instance', 'ec2:volume', 'rds:db'], usage)),
      ]);
      const [instances, databases, listing] = await Promise.all([
        timed('instances', listInstances(clients, target, usage)),
        timed('databases', listDatabases(clients, target, usage)),
        bucketListings.get(target.account)!.listing,
      ]);
      const buckets = listing.buckets.filter((b) => b.region === target.region);
      const queries = metricQueriesFor(instances, databases, buckets);
      if (queries.length) await timed('metrics', getMetricData(clients, target, queries, { start, end, concurrency: 10 }, usage));
      await others;
      return { target, usage, instances, databases, queries };
    }),
  );
  const total = (Date.now() - t) / 1000;
  const runCpu = process.cpuUsage(cpuAtStart);
  clients.destroy();
  return { total, runCpu, finished, inventory, bucketUsages: [...bucketListings.values()].map((b) => b.usage) };
}

function metricQueriesFor(instances: InstanceSummary[], databases: DatabaseSummary[], buckets: BucketSummary[]): MetricQuery[] {
  const queries: MetricQuery[] = [];
  const add = (namespace: string, metricName: string, dimensions: Record<string, string>, stat: string) =>
    queries.push({ id: metricQueryId(queries.length), namespace, metricName, dimensions, stat, period: DAY });
  for (const i of instances) {
    add('AWS/EC2', 'CPUUtilization', { InstanceId: i.instanceId }, 'Average');
    add('AWS/EC2', 'CPUUtilization', { InstanceId: i.instanceId }, 'Maximum');
    add('AWS/EC2', 'NetworkIn', { InstanceId: i.instanceId }, 'Sum');
    add('AWS/EC2', 'NetworkOut', { InstanceId: i.instanceId }, 'Sum');
  }
  for (const d of databases) {
    add('AWS/RDS', 'CPUUtilization', { DBInstanceIdentifier: d.dbInstanceIdentifier }, 'Average');
    add('AWS/RDS', 'DatabaseConnections', { DBInstanceIdentifier: d.dbInstanceIdentifier }, 'Maximum');
    add('AWS/RDS', 'FreeStorageSpace', { DBInstanceIdentifier: d.dbInstanceIdentifier }, 'Minimum');
  }
  for (const b of buckets) {
    add('AWS/S3', 'BucketSizeBytes', { BucketName: b.name, StorageType: 'StandardStorage' }, 'Average');
    add('AWS/S3', 'NumberOfObjects', { BucketName: b.name, StorageType: 'AllStorageTypes' }, 'Average');
  }
  return queries;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
