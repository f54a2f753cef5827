/**
 * The S3 and tagging agents on the large sample account (6 accounts, 5 regions, 5,000 buckets, 10,000
 * instances, 15,000 volumes, 1,000 databases): requests by operation against the lower bound, wall
 * time, and what they found. The simulator runs in its own process, with AWS's request quotas unless
 * --no-quotas. Prints figures; it is not a pass/fail test.
 *
 *   npx tsx bench/storage-tagging.ts [--size large|medium] [--no-quotas]
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createStorageActivities } from '../src/activities/agents/storage';
import { createTaggingActivities } from '../src/activities/agents/tagging';
import { InventoryReads } from '../src/activities/inventory-reads';
import { CostReads } from '../src/activities/cost-reads';
import { SharedRequests } from '../src/activities/shared-requests';
import { AwsClientFactory } from '../src/activities/aws-clients';
import type { ArtefactStore } from '../src/activities/store';
import { generateScenario } from '../src/sim/scenario';

const ANCHOR = '2026-11-21';

class CountingStore implements ArtefactStore {
  bytes = 0;
  putJson(_key: string, value: unknown): Promise<void> {
    this.bytes += JSON.stringify(value).length;
    return Promise.resolve();
  }
  getJson<T>(): Promise<T | undefined> {
    return Promise.resolve(undefined);
  }
}

async function main() {
  const { values } = parseArgs({
    options: { size: { type: 'string', default: 'large' }, 'no-quotas': { type: 'boolean', default: false } },
  });
  const size = values.size as 'large' | 'medium';
  let t = Date.now();
  const scenario = generateScenario({ seed: 1, anchorDate: ANCHOR, size });
  console.log(
    `Scenario ${size}: ${scenario.accounts.length} accounts, ${scenario.regions.length} regions, ${scenario.buckets.length} buckets, ` +
      `${scenario.instances.length} instances, ${scenario.volumes.length} volumes, ${scenario.databases.length} databases ` +
      `(generated in ${((Date.now() - t) / 1000).toFixed(1)} s); quotas ${values['no-quotas'] ? 'off' : 'AWS'}`,
  );
  const sim = await startSimProcess(size, values['no-quotas'] ? undefined : 'aws');
  const clients = new AwsClientFactory({
    endpoint: sim.url,
    credentials: { accessKeyId: 'AKIABENCHMARK0000000', secretAccessKey: 'bench' },
    memberRoleName: scenario.accounts.find((a) => a.roleName)?.roleName,
    externalIds: Object.fromEntries(scenario.accounts.flatMap((a) => (a.externalId ? [[a.id, a.externalId]] : []))),
    maxAttempts: 10,
  });
  const accounts = scenario.accounts.map((a) => a.id);
  const regions = scenario.regions;
  const store = new CountingStore();

  // S3.
  const storage = createStorageActivities(clients, { store, now: () => new Date(`${ANCHOR}T12:00:00Z`) });
  let before = await sim.stats();
  t = Date.now();
  const s3 = await storage.analyseStorage({ analysisId: 'analysis/bench/s3', accounts, regions });
  const s3Seconds = (Date.now() - t) / 1000;
  let after = await sim.stats();
  const buckets = s3.buckets;
  const bucketRegions = new Set(scenario.buckets.map((b) => `${b.account}/${b.region}`)).size;
  // Bucket configuration: AWS Config 100 recorded buckets a call per account and region with buckets,
  // S3's two calls per bucket only for the buckets Config has not recorded.
  const unrecorded = scenario.buckets.filter((b) => b.recordedByConfig === false).length;
  const s3Bound: Record<string, number> = {
    's3:ListAllMyBuckets': accounts.length,
    'config:SelectResourceConfig': [...groupCount(scenario.buckets.map((b) => `${b.account}/${b.region}`))].reduce(
      (n, [key]) =>
        n +
        Math.max(
          1,
          Math.ceil(scenario.buckets.filter((b) => `${b.account}/${b.region}` === key && b.recordedByConfig !== false).length / 100),
        ),
      0,
    ),
    's3:GetBucketVersioning': unrecorded,
    's3:GetLifecycleConfiguration': unrecorded,
    // One page per account and region with buckets, and one per 100 tagged buckets.
    'tag:GetResources': [
      ...groupCount(scenario.buckets.filter((b) => Object.keys(b.tags).length > 0).map((b) => `${b.account}/${b.region}`)),
    ].reduce((n, [, count]) => n + Math.max(1, Math.ceil(count / 100)), 0),
    'cloudwatch:GetMetricData': [...groupCount(scenario.buckets.map((b) => `${b.account}/${b.region}`))].reduce(
      (n, [, count]) => n + Math.ceil((2 * count) / 500) + Math.ceil((2 * count) / 500),
      0,
    ),
    'cloudwatch:ListMetrics': bucketRegions,
    'pricing:GetProducts': 1,
  };
  console.log(
    `\nS3 agent: ${buckets} buckets in ${s3Seconds.toFixed(1)} s; ${s3.findings.count} findings, $${Number(s3.findings.monthlySavings).toFixed(2)} a month`,
  );
  table(s3.usage.requests, diff(before.stats, after.stats), s3Bound);
  console.log(
    `  metrics requested: ${s3.usage.metricsRequested} (${(s3.usage.metricsRequested / buckets).toFixed(1)} per bucket)`,
  );
  for (const [check, v] of Object.entries(s3.findings.byCheck))
    console.log(`  ${check}: ${v.count}, $${Number(v.monthlySavings).toFixed(2)}`);
  const truth = scenario.planted.filter((p) => p.check.startsWith('s3-'));
  console.log(`  ground truth: ${truth.length} findings, $${truth.reduce((s, p) => s + p.monthlySavings, 0).toFixed(2)} a month`);

  // Tagging.
  const tagging = createTaggingActivities(clients, { store, reads: new CostReads(clients, store, new SharedRequests(), () => new Date(`${ANCHOR}T12:00:00Z`)),
    inventories: new InventoryReads(clients),
  });
  before = await sim.stats();
  t = Date.now();
  const tags = await tagging.analyseTagging({
    analysisId: 'analysis/bench/tagging',
    accounts,
    regions,
    period: { start: '2026-10-01', end: '2026-11-01' },
  });
  const tagSeconds = (Date.now() - t) / 1000;
  after = await sim.stats();
  const c = tags.tagging.byCount.total;
  console.log(
    `\nTagging agent: ${c.resources} resources in ${tagSeconds.toFixed(1)} s; ${c.compliantPct}% compliant by count, ` +
      `${tags.tagging.bySpend?.total.compliantPct}% by spend; ${tags.tagging.byCount.suggestions} suggested values`,
  );
  table(tags.usage.requests, diff(before.stats, after.stats));
  console.log(`  Cost Explorer requests: ${tags.costExplorerRequests} ($${(tags.costExplorerRequests * 0.01).toFixed(2)})`);
  console.log(`  findings stored: ${(store.bytes / 1e6).toFixed(1)} MB`);
  const throttled = after.throttled;
  if (Object.keys(throttled).length) console.log(`  throttled by quotas (both agents): ${JSON.stringify(throttled)}`);
  sim.close();
  clients.destroy();
}

/** IAM action names that differ from the API operation the simulator counts. */
const SERVED_AS: Record<string, string> = {
  's3:ListAllMyBuckets': 'ListBuckets',
  's3:GetLifecycleConfiguration': 'GetBucketLifecycleConfiguration',
};

function groupCount(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function diff(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) if (v - (a[k] ?? 0) > 0) out[k] = v - (a[k] ?? 0);
  return out;
}

function table(ours: Record<string, number>, served: Record<string, number>, bound: Record<string, number> = {}) {
  console.log(`  ${'operation'.padEnd(34)} ${'counted'.padStart(8)} ${'served'.padStart(8)} ${'bound'.padStart(8)}`);
  for (const op of [...new Set([...Object.keys(ours), ...Object.keys(bound)])].sort()) {
    const wire = SERVED_AS[op] ?? op.split(':')[1];
    const servedKey = Object.keys(served).find((k) => k.split(':')[1] === wire);
    console.log(
      `  ${op.padEnd(34)} ${String(ours[op] ?? 0).padStart(8)} ${String(servedKey ? served[servedKey] : '-').padStart(8)} ${String(bound[op] ?? '').padStart(8)}`,
    );
  }
}

/** bench/sim-process.ts in a process of its own. */
async function startSimProcess(size: string, quotas: string | undefined) {
  const child = fork(join(__dirname, 'sim-process.ts'), [size, '1', ANCHOR, ...(quotas ? [quotas] : [])], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /SIM_URL (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
  });
  type SimStats = { stats: Record<string, number>; throttled: Record<string, number> };
  return {
    url,
    stats: () =>
      new Promise<SimStats>((resolve) => {
        child.once('message', (m) => resolve(m as SimStats));
        child.send('stats');
      }),
    close: () => child.kill('SIGTERM'),
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
