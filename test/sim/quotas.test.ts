/** Request quotas: token buckets (unit), and throttling through the real SDK clients and the admin API. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand, LimitExceededException } from '@aws-sdk/client-cost-explorer';
import { DescribeInstancesCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient, ThrottledException } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  AWS_QUOTA_PRESET,
  QuotaEnforcer,
  QuotaSettingsError,
  THROTTLING_ERRORS,
  isUnfilteredUnpaginated,
  parseQuotaSettings,
  quotaPatternMatches,
  throttlingError,
} from '../../src/sim/quotas';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { CW_NOW, cloudWatchFixture } from './fixtures/cloudwatch';
import { ANCHOR, sampleScenario } from './helpers';

const DAY = 86_400;

describe('QuotaEnforcer (fake clock)', () => {
  const request = (operation: string, region = 'us-east-1', account = '111111111111', service = 'monitoring') => ({
    service,
    operation,
    account,
    region,
  });

  test('GetMetricData 50/s: 50 pass at once, the 51st is throttled; tokens refill continuously', () => {
    let now = 1_000_000;
    const quotas = new QuotaEnforcer(() => now);
    quotas.configure({ preset: 'aws' });
    for (let i = 0; i < 50; i++) assert.equal(quotas.check(request('GetMetricData')), undefined, `call ${i}`);
    const error = quotas.check(request('GetMetricData'));
    assert.ok(error);
    assert.deepEqual([error.code, error.status, error.message], ['Throttling', 400, 'Rate exceeded']);
    now += 20; // 20 ms at 50/s: one token
    assert.equal(quotas.check(request('GetMetricData')), undefined);
    assert.ok(quotas.check(request('GetMetricData')));
    // Buckets are per account and region.
    assert.equal(quotas.check(request('GetMetricData', 'eu-west-1')), undefined);
    assert.equal(quotas.check(request('GetMetricData', 'us-east-1', '222222222222')), undefined);
    // ListMetrics has its own (25/s).
    for (let i = 0; i < 25; i++) assert.equal(quotas.check(request('ListMetrics')), undefined);
    assert.ok(quotas.check(request('ListMetrics')));
    assert.deepEqual(quotas.throttled(), { 'monitoring:GetMetricData': 2, 'monitoring:ListMetrics': 1 });
    // A second at rest refills the bucket to its capacity, not beyond.
    now += 10_000;
    for (let i = 0; i < 50; i++) assert.equal(quotas.check(request('GetMetricData')), undefined);
    assert.ok(quotas.check(request('GetMetricData')));
  });

  test('EC2 Describe*: a bucket of 100 per API refilled at 20/s; RDS: one account-wide bucket of 300 at 12/s', () => {
    let now = 0;
    const quotas = new QuotaEnforcer(() => now);
    quotas.configure({ preset: 'aws' });
    const ec2 = (op: string) => quotas.check(request(op, 'us-east-1', '111111111111', 'ec2'));
    for (let i = 0; i < 100; i++) assert.equal(ec2('DescribeInstances'), undefined);
    const error = ec2('DescribeInstances');
    assert.deepEqual([error?.code, error?.status], ['RequestLimitExceeded', 503]);
    assert.equal(ec2('DescribeVolumes'), undefined, 'each API has its own bucket');
    now += 1000;
    for (let i = 0; i < 20; i++) assert.equal(ec2('DescribeInstances'), undefined);
    assert.ok(ec2('DescribeInstances'));

    // Unfiltered, unpaginated Describe calls have their own smaller bucket (50, refill 10/s).
    const bare = (op: string) => quotas.check({ ...request(op, 'eu-west-1', '111111111111', 'ec2'), unfilteredUnpaginated: true });
    for (let i = 0; i < 50; i++) assert.equal(bare('DescribeAddresses'), undefined);
    assert.equal(bare('DescribeAddresses')?.code, 'RequestLimitExceeded');
    assert.equal(quotas.check(request('DescribeAddresses', 'eu-west-1', '111111111111', 'ec2')), undefined);
    assert.ok(isUnfilteredUnpaginated({ Action: 'DescribeInstances', Version: '2016-11-15' }));
    assert.ok(isUnfilteredUnpaginated({ Action: 'DescribeInstances', Version: '2016-11-15', DryRun: 'false' }));
    for (const key of ['Filter.1.Name', 'MaxResults', 'NextToken', 'InstanceId.1', 'OwnerId.1', 'AllocationId.1'])
      assert.ok(!isUnfilteredUnpaginated({ Action: 'DescribeInstances', [key]: 'x' }), key);

    const rds = (op: string) => quotas.check(request(op, 'us-east-1', '111111111111', 'rds'));
    for (let i = 0; i < 150; i++) assert.equal(rds('DescribeDBInstances'), undefined);
    for (let i = 0; i < 150; i++) assert.equal(rds('DescribeDBClusters'), undefined);
    assert.deepEqual(rds('DescribeDBInstances')?.code, 'Throttling');
  });

  test('your rules come before the preset; unmatched operations are never throttled; off means off', () => {
    const now = 0;
    const quotas = new QuotaEnforcer(() => now);
    quotas.configure({ preset: 'aws', rules: [{ operation: 'monitoring:GetMetricData', ratePerSecond: 2 }] });
    assert.equal(quotas.state().rules[0]?.ratePerSecond, 2);
    assert.equal(quotas.state().rules.length, 1 + AWS_QUOTA_PRESET.length);
    assert.equal(quotas.check(request('GetMetricData')), undefined);
    assert.equal(quotas.check(request('GetMetricData')), undefined);
    assert.ok(quotas.check(request('GetMetricData')));
    for (let i = 0; i < 1000; i++) assert.equal(quotas.check(request('AnyOperation', 'us-east-1', 'x', 'lambda')), undefined);
    quotas.configure({ enabled: false, preset: 'aws' });
    for (let i = 0; i < 1000; i++) assert.equal(quotas.check(request('GetMetricData')), undefined);
  });

  test('patterns, settings validation and the throttling-error map', () => {
    assert.ok(quotaPatternMatches('ec2:Describe*', 'ec2:DescribeInstances'));
    assert.ok(!quotaPatternMatches('ec2:Describe*', 'ec2:RunInstances'));
    assert.ok(quotaPatternMatches('ce:*', 'ce:GetCostAndUsage'));
    assert.ok(!quotaPatternMatches('ce:*', 'monitoring:GetMetricData'));
    assert.ok(quotaPatternMatches('*', 'anything:At'));
    assert.deepEqual(parseQuotaSettings('aws'), { enabled: true, preset: 'aws' });
    assert.deepEqual(parseQuotaSettings('off'), { enabled: false });
    assert.throws(
      () => parseQuotaSettings({ preset: 'azure', rules: [{ operation: 'GetMetricData', ratePerSecond: -1 }] }),
      (error: unknown) => {
        assert.ok(error instanceof QuotaSettingsError);
        assert.equal(error.problems.length, 3);
        return true;
      },
    );
    assert.deepEqual(
      Object.fromEntries(Object.entries(THROTTLING_ERRORS).map(([k, v]) => [k, `${v.code} ${v.status}`])),
      {
        ce: 'LimitExceededException 400',
        monitoring: 'Throttling 400',
        ec2: 'RequestLimitExceeded 503',
        rds: 'Throttling 400',
        sts: 'Throttling 400',
        s3: 'SlowDown 503',
        tagging: 'ThrottledException 400',
        support: 'ThrottlingException 400',
        pricing: 'ThrottlingException 400',
        budgets: 'ThrottlingException 400',
        'compute-optimizer': 'ThrottlingException 400',
        bedrock: 'ThrottlingException 429',
      },
    );
    assert.equal(throttlingError('unknown-service').code, 'ThrottlingException');
  });
});

describe('quotas through the simulator', () => {
  let sim: RunningSimulator;
  let clock = 0;
  const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' };
  const gmd = () =>
    new GetMetricDataCommand({
      StartTime: new Date((CW_NOW - 2 * DAY) * 1000),
      EndTime: new Date((CW_NOW - DAY) * 1000),
      MetricDataQueries: [
        {
          Id: 'cpu',
          MetricStat: {
            Metric: { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: 'i-0busy000000000001' }] },
            Period: DAY,
            Stat: 'Average',
          },
        },
      ],
    });

  before(async () => {
    sim = await startSimulator({
      port: 0,
      scenario: sampleScenario(),
      resources: cloudWatchFixture(),
      quotas: 'aws',
      clock: () => clock,
      metricsNow: () => CW_NOW,
    });
  });

  after(async () => {
    await sim.close();
  });

  beforeEach(() => {
    clock += 60_000; // every bucket full again
    sim.setQuotas('aws');
    sim.resetStats();
  });

  test('60 GetMetricData calls within one second against 50/s: the SDK sees 10 Throttling errors', async () => {
    const cw = new CloudWatchClient({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
    try {
      const outcomes = await Promise.allSettled(Array.from({ length: 60 }, () => cw.send(gmd())));
      const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      assert.equal(rejected.length, 10);
      for (const r of rejected) {
        const error = r.reason as Error & { $metadata: { httpStatusCode: number }; $retryable?: unknown };
        assert.equal(error.name, 'Throttling');
        assert.equal(error.message, 'Rate exceeded');
        assert.equal(error.$metadata.httpStatusCode, 400);
      }
      assert.deepEqual(sim.throttled(), { 'monitoring:GetMetricData': 10 });
      assert.deepEqual(sim.stats(), { 'monitoring:GetMetricData': 60 });
      const viaAdmin = (await (await fetch(`${sim.url}/__sim/stats/throttled`)).json()) as Record<string, number>;
      assert.deepEqual(viaAdmin, { 'monitoring:GetMetricData': 10 });
    } finally {
      cw.destroy();
    }
  });

  test('with adaptive retries the same 60 calls all succeed once tokens refill', async () => {
    // The fake clock stands still until the first throttling, then runs (10 ms every 2 ms) so the
    // bucket refills while the SDK backs off and retries.
    const cw = new CloudWatchClient({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 10, retryMode: 'adaptive' });
    const ticking = setInterval(() => {
      if (sim.throttled()['monitoring:GetMetricData']) clock += 10;
    }, 2);
    try {
      const results = await Promise.all(Array.from({ length: 60 }, () => cw.send(gmd())));
      assert.equal(results.length, 60);
      for (const out of results) assert.equal(out.MetricDataResults?.[0]?.Values?.length, 1);
      const throttled = sim.throttled()['monitoring:GetMetricData'] ?? 0;
      assert.ok(throttled >= 1, 'first attempts beyond the bucket were throttled');
      assert.equal(sim.stats()['monitoring:GetMetricData'], 60 + throttled);
    } finally {
      clearInterval(ticking);
      cw.destroy();
    }
  });

  test("each service answers with its own throttling error (EC2 RequestLimitExceeded 503, CE LimitExceededException, Tagging ThrottledException)", async () => {
    sim.setQuotas({
      rules: [
        { operation: 'ec2:Describe*', ratePerSecond: 1, burst: 2 },
        { operation: 'ce:*', ratePerSecond: 1, per: 'account', shared: true },
        { operation: 'tagging:GetResources', ratePerSecond: 1 },
      ],
    });
    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
    const ce = new CostExplorerClient({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
    const tag = new ResourceGroupsTaggingAPIClient({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
    try {
      await ec2.send(new DescribeInstancesCommand({}));
      await ec2.send(new DescribeInstancesCommand({}));
      await assert.rejects(ec2.send(new DescribeInstancesCommand({})), (error: unknown) => {
        assert.equal((error as Error).name, 'RequestLimitExceeded');
        assert.equal((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 503);
        return true;
      });
      await ec2.send(new DescribeVolumesCommand({}));

      const ceQuery = () =>
        new GetCostAndUsageCommand({ TimePeriod: { Start: '2025-06-01', End: ANCHOR }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'] });
      await ce.send(ceQuery());
      await assert.rejects(ce.send(ceQuery()), LimitExceededException);

      await tag.send(new GetResourcesCommand({}));
      await assert.rejects(tag.send(new GetResourcesCommand({})), ThrottledException);
      assert.deepEqual(sim.throttled(), {
        'ce:GetCostAndUsage': 1,
        'ec2:DescribeInstances': 1,
        'tagging:GetResources': 1,
      });
      // Quotas apply before injected faults: a throttled request uses up no fault rule.
      clock += 60_000;
      sim.setFaults([{ operation: 'tagging:GetResources', error: 'InternalServiceException', count: 1 }]);
      await assert.rejects(tag.send(new GetResourcesCommand({})), (error: unknown) => (error as Error).name === 'InternalServiceException');
      await assert.rejects(tag.send(new GetResourcesCommand({})), ThrottledException);
      assert.equal(sim.faults()[0]?.applied, 1);
      sim.setFaults([]);
    } finally {
      ec2.destroy();
      ce.destroy();
      tag.destroy();
    }
  });

  test('admin API: GET, PUT (validated) and DELETE /__sim/quotas', async () => {
    const get = async () => (await (await fetch(`${sim.url}/__sim/quotas`)).json()) as { enabled: boolean; preset?: string; rules: unknown[] };
    const put = (body: string) => fetch(`${sim.url}/__sim/quotas`, { method: 'PUT', body, headers: { 'Content-Type': 'application/json' } });
    const state = await get();
    assert.equal(state.enabled, true);
    assert.equal(state.preset, 'aws');
    assert.equal(state.rules.length, AWS_QUOTA_PRESET.length);

    const deleted = await fetch(`${sim.url}/__sim/quotas`, { method: 'DELETE' });
    assert.equal(((await deleted.json()) as { enabled: boolean }).enabled, false);
    assert.equal((await get()).enabled, false);

    const bad = await put(JSON.stringify({ rules: [{ operation: 'GetMetricData', ratePerSecond: 0 }] }));
    assert.equal(bad.status, 400);
    const problems = (await bad.json()) as { error: string; details: string[] };
    assert.equal(problems.error, 'invalid quota settings');
    assert.equal(problems.details.length, 2);
    assert.equal((await put('{not json')).status, 400);

    const ok = await put(JSON.stringify({ rules: [{ operation: 'monitoring:GetMetricData', ratePerSecond: 1 }] }));
    assert.equal(ok.status, 200);
    const now = (await ok.json()) as { enabled: boolean; rules: { operation: string }[]; throttled: Record<string, number> };
    assert.deepEqual([now.enabled, now.rules.map((r) => r.operation), now.throttled], [true, ['monitoring:GetMetricData'], {}]);
    // The state can be PUT back as it came.
    assert.equal((await put(JSON.stringify(now))).status, 200);

    const cw = new CloudWatchClient({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
    try {
      await cw.send(gmd());
      await assert.rejects(cw.send(gmd()), (error: unknown) => (error as Error).name === 'Throttling');
    } finally {
      cw.destroy();
    }
    assert.equal((await fetch(`${sim.url}/__sim/quotas`, { method: 'POST' })).status, 405);
  });
});
