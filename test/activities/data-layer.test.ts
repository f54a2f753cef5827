/**
 * The AWS data layer against the simulator through the real SDK clients: every inventory matches the
 * scenario, member accounts are reached by assume-role, calls are batched at the APIs' maxima, and the
 * usage counts equal what the simulator served.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AwsClientFactory } from '../../src/activities/aws-clients';
import {
  listAddresses,
  listBuckets,
  listDatabases,
  listInstances,
  listSnapshots,
  listTaggedResources,
  listVolumes,
} from '../../src/activities/inventory';
import { getMetricData, metricQueryId, type MetricQuery } from '../../src/activities/metric-data';
import { emptyUsage, usageCost } from '../../src/domain/usage';
import { generateScenario, type Scenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';

let sim: RunningSimulator;
let scenario: Scenario;
const credentials = { accessKeyId: 'AKIASAMPLEKEY0000000', secretAccessKey: 'sample' };

before(async () => {
  scenario = generateScenario({ seed: 11, anchorDate: '2026-11-21', size: 'medium' });
  // Rules for part of a bucket, read from Config (recorded) and from S3 (unrecorded): both must say so.
  const management = scenario.accounts[0]!.id;
  for (const recorded of [true, false]) {
    const bucket = scenario.buckets.find((b) => b.account === management && (b.recordedByConfig !== false) === recorded);
    bucket?.lifecycleRules.push({ id: 'logs-only', status: 'Enabled', prefix: 'logs/', noncurrentVersionExpirationDays: 30 });
  }
  sim = await startSimulator({ port: 0, scenario });
});
after(async () => {
  await sim?.close();
});

function factory(options: { memberRoleName?: string; externalId?: string } = {}) {
  return new AwsClientFactory({ endpoint: sim.url, credentials, maxAttempts: 2, ...options });
}

const ids = <T>(items: readonly T[], key: keyof T) => items.map((i) => String(i[key])).sort();

test('inventories of the management account match the scenario, at the largest page sizes', async () => {
  const management = scenario.accounts[0]!.id;
  const clients = factory();
  for (const region of scenario.regions) {
    const target = { account: management, region };
    const usage = emptyUsage();
    const [instances, volumes, addresses, snapshots, databases] = await Promise.all([
      listInstances(clients, target, usage),
      listVolumes(clients, target, usage),
      listAddresses(clients, target, usage),
      listSnapshots(clients, target, usage),
      listDatabases(clients, target, usage),
    ]);
    const here = <T extends { account: string; region: string }>(items: T[]) =>
      items.filter((i) => i.account === management && i.region === region);
    assert.deepEqual(ids(instances, 'instanceId'), ids(here(scenario.instances), 'instanceId'), `instances in ${region}`);
    assert.deepEqual(ids(volumes, 'volumeId'), ids(here(scenario.volumes), 'volumeId'), `volumes in ${region}`);
    assert.deepEqual(ids(addresses, 'allocationId'), ids(here(scenario.addresses), 'allocationId'), `addresses in ${region}`);
    assert.deepEqual(ids(snapshots, 'snapshotId'), ids(here(scenario.snapshots), 'snapshotId'), `snapshots in ${region}`);
    assert.deepEqual(
      ids(databases, 'dbInstanceIdentifier'),
      ids(here(scenario.databases), 'dbInstanceIdentifier'),
      `databases in ${region}`,
    );
    // One page each: page sizes are the APIs' maxima (1000 instances, 500 volumes, 100 databases).
    assert.equal(usage.requests['ec2:DescribeInstances'], Math.max(1, Math.ceil(here(scenario.instances).length / 1000)));
    assert.equal(usage.requests['rds:DescribeDBInstances'], Math.max(1, Math.ceil(here(scenario.databases).length / 100)));

    const stopped = instances.find((i) => i.state === 'stopped');
    if (stopped) assert.match(stopped.stoppedAt ?? '', /^\d{4}-\d{2}-\d{2}T/, 'stoppedAt parsed from StateTransitionReason');
  }
});

test('member accounts are read through assume-role, and a wrong role is a clear, non-retryable error', async () => {
  const member = scenario.accounts.find((a) => a.roleName && !a.externalId);
  assert.ok(member, 'the medium scenario has a member account with a role');
  const region = scenario.regions[0]!;
  const clients = factory({ memberRoleName: member.roleName! });
  const instances = await listInstances(clients, { account: member.id, region }, emptyUsage());
  const expected = scenario.instances.filter((i) => i.account === member.id && i.region === region);
  assert.deepEqual(ids(instances, 'instanceId'), ids(expected, 'instanceId'));
  assert.ok(expected.length > 0, 'the member account has instances in the first region');

  const wrong = factory({ memberRoleName: 'NoSuchRole' });
  await assert.rejects(listInstances(wrong, { account: member.id, region }, emptyUsage()), (err: Error) => {
    assert.match(err.message, /AccessDenied|not authorized/i);
    return true;
  });
});

/** A scenario bucket's rules as the data layer reports them. */
function expectedRules(bucket: Scenario['buckets'][number]) {
  return bucket.lifecycleRules.map((r) => ({
    ...(r.id ? { id: r.id } : {}),
    enabled: r.status === 'Enabled',
    ...(r.prefix ? { scope: `prefix "${r.prefix}"` } : {}),
    hasTransition: (r.transitions?.length ?? 0) > 0,
    ...(r.expirationDays !== undefined ? { expirationDays: r.expirationDays } : {}),
    ...(r.noncurrentVersionExpirationDays !== undefined ? { noncurrentExpirationDays: r.noncurrentVersionExpirationDays } : {}),
    ...(r.abortIncompleteMultipartUploadDays !== undefined
      ? { abortIncompleteMultipartDays: r.abortIncompleteMultipartUploadDays }
      : {}),
  }));
}

test('bucket configuration comes from AWS Config 100 buckets a call, and from S3 only for buckets Config has not recorded', async () => {
  const management = scenario.accounts[0]!.id;
  const expected = scenario.buckets.filter((b) => b.account === management);
  const unrecorded = expected.filter((b) => b.recordedByConfig === false);
  assert.ok(unrecorded.length > 0 && unrecorded.length < expected.length, 'the scenario has recorded and unrecorded buckets');

  const viaConfig = emptyUsage();
  const listing = await listBuckets(factory(), management, scenario.regions[0]!, viaConfig);
  const viaS3 = emptyUsage();
  const direct = await listBuckets(factory(), management, scenario.regions[0]!, viaS3, { useConfig: false });

  assert.equal(expected.filter((b) => b.lifecycleRules.some((r) => r.prefix)).length, 2, 'a scoped rule read from each source');
  for (const { buckets } of [listing, direct]) {
    assert.deepEqual(ids(buckets, 'name'), ids(expected, 'name'));
    for (const bucket of buckets) {
      const truth = expected.find((b) => b.name === bucket.name)!;
      assert.equal(bucket.region, truth.region);
      assert.equal(bucket.versioning, truth.versioning, `${bucket.name} versioning`);
      assert.deepEqual(bucket.lifecycleRules, expectedRules(truth), `${bucket.name} lifecycle rules`);
    }
  }
  const withoutSource = (buckets: typeof listing.buckets) => buckets.map(({ configSource: _source, ...rest }) => rest);
  assert.deepEqual(withoutSource(listing.buckets), withoutSource(direct.buckets), 'both sources give the same summaries');
  assert.equal(listing.buckets.filter((b) => b.configSource === 'aws-config').length, listing.fromConfig);
  assert.ok(direct.buckets.every((b) => b.configSource === 's3'));

  assert.equal(listing.fromConfig, expected.length - unrecorded.length);
  assert.equal(viaConfig.requests['s3:GetBucketVersioning'], unrecorded.length);
  assert.equal(viaConfig.requests['s3:GetLifecycleConfiguration'], unrecorded.length);
  const regions = [...new Set(expected.map((b) => b.region))];
  const pages = regions.reduce((n, region) => {
    const recorded = expected.filter((b) => b.region === region && b.recordedByConfig !== false).length;
    return n + Math.max(1, Math.ceil(recorded / 100));
  }, 0);
  assert.equal(viaConfig.requests['config:SelectResourceConfig'], pages);
  assert.match(listing.notes.join('\n'), new RegExp(`${unrecorded.length} of ${expected.length} bucket\\(s\\) was read from S3`));
  assert.equal(viaS3.requests['s3:GetBucketVersioning'], expected.length);
  assert.equal(viaS3.requests['config:SelectResourceConfig'], undefined);
  assert.equal(viaConfig.requests['s3:ListAllMyBuckets'], 1);

  const some = listBuckets(factory(), management, scenario.regions[0]!, emptyUsage(), { regions: [regions[0]!] });
  const inFirst = expected.filter((b) => b.region === regions[0]).length;
  assert.equal((await some).buckets.length, inFirst);
  assert.equal((await some).outsideRegions, expected.length - inFirst);
});

for (const [error, says] of [
  ['AccessDeniedException', /AWS Config could not be queried.*needs IAM permission config:SelectResourceConfig/],
  ['InvalidExpressionException', /AWS Config could not be queried/],
  ['ServiceUnavailableException', /AWS Config could not be queried/],
] as const) {
  test(`AWS Config answering ${error}: the configuration comes from S3, and the notes say why`, async () => {
    const management = scenario.accounts[0]!.id;
    const expected = scenario.buckets.filter((b) => b.account === management);
    sim.setFaults([{ operation: 'config:SelectResourceConfig', error }]);
    try {
      const usage = emptyUsage();
      const listing = await listBuckets(factory(), management, scenario.regions[0]!, usage);
      assert.equal(listing.buckets.length, expected.length);
      assert.equal(listing.fromConfig, 0);
      assert.equal(usage.requests['s3:GetBucketVersioning'], expected.length);
      assert.match(listing.notes.join('\n'), says);
      for (const bucket of listing.buckets) {
        const truth = expected.find((b) => b.name === bucket.name)!;
        assert.deepEqual(bucket.lifecycleRules, expectedRules(truth));
      }
    } finally {
      sim.setFaults([]);
    }
  });
}

test('tags come 100 resources a call', async () => {
  const management = scenario.accounts[0]!.id;
  const clients = factory();
  const usage = emptyUsage();
  const region = scenario.regions[0]!;
  const tags = await listTaggedResources(clients, { account: management, region }, ['ec2:instance'], usage);
  const tagged = scenario.instances.filter(
    (i) => i.account === management && i.region === region && Object.keys(i.tags).length > 0,
  );
  assert.equal(tags.size, tagged.length);
  assert.equal(usage.requests['tag:GetResources'], Math.max(1, Math.ceil(tagged.length / 100)));
});

test('metrics are fetched 500 queries a call, and priced', async () => {
  const management = scenario.accounts[0]!.id;
  const region = scenario.regions[0]!;
  const instances = scenario.instances.filter((i) => i.account === management && i.region === region);
  const queries: MetricQuery[] = [];
  for (let copy = 0; queries.length < 1200; copy++) {
    for (const instance of instances) {
      queries.push({
        id: metricQueryId(queries.length),
        namespace: 'AWS/EC2',
        metricName: 'CPUUtilization',
        dimensions: { InstanceId: instance.instanceId },
        stat: copy % 2 ? 'Maximum' : 'Average',
        period: 86_400,
      });
    }
  }
  const usage = emptyUsage();
  const end = new Date('2026-11-21T00:00:00Z');
  const start = new Date(end.getTime() - 14 * 86_400_000);
  const series = await getMetricData(factory(), { account: management, region }, queries, { start, end }, usage);
  assert.equal(usage.requests['cloudwatch:GetMetricData'], Math.ceil(queries.length / 500));
  assert.equal(usage.metricsRequested, queries.length);
  assert.equal(usageCost(usage), String((queries.length / 1000) * 0.01));
  const running = instances.find((i) => i.state === 'running')!;
  const index = queries.findIndex((q) => q.dimensions.InstanceId === running.instanceId);
  const values = series.get(metricQueryId(index))?.values ?? [];
  assert.ok(values.length >= 13 && values.length <= 14, `14 daily datapoints for a running instance (got ${values.length})`);
  assert.ok(values.every((v) => v >= 0 && v <= 100));
});
