/** CloudWatch (awsJson1_0, query-compatible; and awsQuery) through the real @aws-sdk/client-cloudwatch. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  InvalidParameterValueException,
  ListMetricsCommand,
  paginateGetMetricData,
  paginateListMetrics,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { XMLParser } from 'fast-xml-parser';
import { aggregate } from '../../src/sim/metrics';
import type { MetricProfile } from '../../src/sim/model';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { CW_ANCHOR, CW_NOW, MAIN_ACCOUNT, fleetId, withFleet } from './fixtures/cloudwatch';
import { sampleScenario } from './helpers';

const DAY = 86_400;
const ANCHOR_START = CW_NOW - DAY; // 2025-06-15T00:00:00Z
const fixture = withFleet(160);

let sim: RunningSimulator;
let cw: CloudWatchClient;

function client(region = 'us-east-1', extra: { maxAttempts?: number; accessKeyId?: string } = {}): CloudWatchClient {
  return new CloudWatchClient({
    region,
    endpoint: sim.url,
    credentials: { accessKeyId: extra.accessKeyId ?? 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
    maxAttempts: extra.maxAttempts ?? 1,
  });
}

before(async () => {
  sim = await startSimulator({ port: 0, scenario: sampleScenario(), resources: fixture, metricsNow: () => CW_NOW });
  cw = client();
});

after(async () => {
  cw.destroy();
  await sim.close();
});

beforeEach(() => {
  sim.resetStats();
  sim.setFaults([]);
});

function profileOf(instanceId: string, metric: string): MetricProfile {
  const instance = fixture.instances.find((i) => i.instanceId === instanceId);
  const profile = instance?.metrics[metric];
  assert.ok(profile, `${instanceId} ${metric}`);
  return profile;
}

function ec2Query(id: string, instanceId: string, metricName: string, period: number, stat: string, extra: Partial<MetricDataQuery> = {}): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: 'AWS/EC2', MetricName: metricName, Dimensions: [{ Name: 'InstanceId', Value: instanceId }] },
      Period: period,
      Stat: stat,
    },
    ...extra,
  };
}

const seconds = (dates: Date[] | undefined): number[] => (dates ?? []).map((d) => d.getTime() / 1000);
const at = (epochSeconds: number): Date => new Date(epochSeconds * 1000);

function result(out: GetMetricDataCommandOutput, id: string): MetricDataResult {
  const found = out.MetricDataResults?.find((r) => r.Id === id);
  assert.ok(found, `result ${id}`);
  return found;
}

/** Every page merged per Id (timestamps and values concatenated in page order). */
async function allPages(input: GetMetricDataCommandInput, pageSize?: number): Promise<{ pages: GetMetricDataCommandOutput[]; merged: Map<string, { t: number[]; v: number[] }> }> {
  const pages: GetMetricDataCommandOutput[] = [];
  for await (const page of paginateGetMetricData({ client: cw, ...(pageSize ? { pageSize } : {}) }, input)) pages.push(page);
  const merged = new Map<string, { t: number[]; v: number[] }>();
  for (const page of pages) {
    for (const r of page.MetricDataResults ?? []) {
      const entry = merged.get(r.Id as string) ?? { t: [], v: [] };
      entry.t.push(...seconds(r.Timestamps));
      entry.v.push(...(r.Values ?? []));
      merged.set(r.Id as string, entry);
    }
  }
  return { pages, merged };
}

describe('GetMetricData statistics', () => {
  for (const [period, days] of [
    [300, 2],
    [3600, 7],
    [86_400, 14],
  ] as const) {
    test(`Average, Maximum and p95 at period ${period} match metrics.ts`, async () => {
      const start = ANCHOR_START - days * DAY;
      const end = ANCHOR_START;
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: at(start),
          EndTime: at(end),
          MetricDataQueries: [
            ec2Query('avg', 'i-0busy000000000001', 'CPUUtilization', period, 'Average'),
            ec2Query('max', 'i-0busy000000000001', 'CPUUtilization', period, 'Maximum'),
            ec2Query('p95', 'i-0busy000000000001', 'CPUUtilization', period, 'p95'),
            ec2Query('net', 'i-0busy000000000001', 'NetworkIn', period, 'Sum'),
          ],
        }),
      );
      for (const [id, metric, stat] of [
        ['avg', 'AWS/EC2/CPUUtilization', 'Average'],
        ['max', 'AWS/EC2/CPUUtilization', 'Maximum'],
        ['p95', 'AWS/EC2/CPUUtilization', 'p95'],
        ['net', 'AWS/EC2/NetworkIn', 'Sum'],
      ] as const) {
        const expected = aggregate(profileOf('i-0busy000000000001', metric), start, end, period, stat);
        const r = result(out, id);
        assert.equal(r.StatusCode, 'Complete');
        // Default ScanBy: newest first.
        assert.deepEqual(seconds(r.Timestamps), [...expected.timestamps].reverse(), `${id} timestamps`);
        assert.deepEqual(r.Values, [...expected.values].reverse(), `${id} values`);
        assert.equal(r.Timestamps?.length, (days * DAY) / period);
      }
      assert.equal(result(out, 'avg').Label, 'CPUUtilization');
      assert.deepEqual(out.Messages, []);
      assert.equal(out.NextToken, undefined);
      assert.deepEqual(sim.stats(), { 'monitoring:GetMetricData': 1 });
    });
  }

  test('ScanBy TimestampAscending returns oldest first; Label is kept', async () => {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: at(ANCHOR_START - 3 * DAY),
        EndTime: at(ANCHOR_START),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [ec2Query('m1', 'i-0busy000000000001', 'CPUUtilization', DAY, 'Average', { Label: 'web-1 CPU' })],
      }),
    );
    const r = result(out, 'm1');
    assert.deepEqual(seconds(r.Timestamps), [ANCHOR_START - 3 * DAY, ANCHOR_START - 2 * DAY, ANCHOR_START - DAY]);
    assert.equal(r.Label, 'web-1 CPU');
  });

  test('EBS, RDS and S3 metrics resolve to the scenario resources', async () => {
    const start = ANCHOR_START - 14 * DAY;
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: at(start),
        EndTime: at(ANCHOR_START),
        MetricDataQueries: [
          {
            Id: 'ebs',
            MetricStat: {
              Metric: { Namespace: 'AWS/EBS', MetricName: 'VolumeIdleTime', Dimensions: [{ Name: 'VolumeId', Value: 'vol-0orphan000000002' }] },
              Period: DAY,
              Stat: 'Sum',
            },
          },
          {
            Id: 'rds',
            MetricStat: {
              Metric: { Namespace: 'AWS/RDS', MetricName: 'DatabaseConnections', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-db' }] },
              Period: DAY,
              Stat: 'Maximum',
            },
          },
          {
            Id: 's3std',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/S3',
                MetricName: 'BucketSizeBytes',
                Dimensions: [
                  { Name: 'StorageType', Value: 'StandardStorage' },
                  { Name: 'BucketName', Value: 'sample-logs-bucket' },
                ],
              },
              Period: DAY,
              Stat: 'Average',
            },
          },
          {
            Id: 's3ia',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/S3',
                MetricName: 'BucketSizeBytes',
                Dimensions: [
                  { Name: 'BucketName', Value: 'sample-logs-bucket' },
                  { Name: 'StorageType', Value: 'StandardIAStorage' },
                ],
              },
              Period: DAY,
              Stat: 'Average',
            },
          },
          {
            Id: 's3objects',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/S3',
                MetricName: 'NumberOfObjects',
                Dimensions: [
                  { Name: 'BucketName', Value: 'sample-logs-bucket' },
                  { Name: 'StorageType', Value: 'AllStorageTypes' },
                ],
              },
              Period: DAY,
              Stat: 'Average',
            },
          },
        ],
      }),
    );
    const idle = result(out, 'ebs');
    assert.equal(idle.Values?.length, 14);
    // An unattached volume is idle the whole time: 288 five-minute datapoints of 300 s a day.
    for (const v of idle.Values ?? []) assert.equal(v, 288 * 300);
    assert.equal(result(out, 'rds').Values?.length, 14);

    const bucket = fixture.buckets.find((b) => b.name === 'sample-logs-bucket');
    const sizeProfile = bucket?.metrics['AWS/S3/BucketSizeBytes'] as MetricProfile;
    const std = result(out, 's3std');
    const ia = result(out, 's3ia');
    assert.equal(std.Values?.length, 14);
    // Daily metric: one datapoint at 00:00 UTC, split 80/20 by storage type.
    const daily = aggregate(sizeProfile, start, start + 300, 300, 'Average').values[0] as number;
    const oldestStd = (std.Values ?? []).at(-1) as number;
    const oldestIa = (ia.Values ?? []).at(-1) as number;
    assert.ok(Math.abs(oldestStd - daily * 0.8) < 1e-3, `${oldestStd} vs ${daily * 0.8}`);
    assert.ok(Math.abs(oldestIa - daily * 0.2) < 1e-3);
    assert.equal(result(out, 's3objects').Values?.length, 14);
  });

  test('S3 storage metrics are in the bucket region; a per-type profile is served as is', async () => {
    const eu = client('eu-west-1');
    try {
      const query = (region: string): GetMetricDataCommand =>
        new GetMetricDataCommand({
          StartTime: at(ANCHOR_START - 3 * DAY),
          EndTime: at(ANCHOR_START),
          MetricDataQueries: [
            {
              Id: 'glacier',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/S3',
                  MetricName: 'BucketSizeBytes',
                  Dimensions: [
                    { Name: 'BucketName', Value: 'sample-eu-archive' },
                    { Name: 'StorageType', Value: region === 'x' ? 'x' : 'GlacierStorage' },
                  ],
                },
                Period: DAY,
                Stat: 'Average',
              },
            },
          ],
        });
      const inRegion = await eu.send(query('eu-west-1'));
      assert.deepEqual(result(inRegion, 'glacier').Values, [4e12, 4e12, 4e12]);
      const elsewhere = await cw.send(query('us-east-1'));
      assert.deepEqual(result(elsewhere, 'glacier').Values, []);
    } finally {
      eu.destroy();
    }
  });

  test('unknown metrics, dimensions, resources, units, regions and accounts give empty series, not errors', async () => {
    const start = at(ANCHOR_START - 2 * DAY);
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: at(ANCHOR_START),
        MetricDataQueries: [
          ec2Query('nometric', 'i-0busy000000000001', 'NoSuchMetric', 3600, 'Average'),
          ec2Query('noinstance', 'i-0doesnotexist0000', 'CPUUtilization', 3600, 'Average'),
          ec2Query('otherregion', 'i-0eu00000000000005', 'CPUUtilization', 3600, 'Average'),
          ec2Query('otheraccount', 'i-0dev00000000000006', 'CPUUtilization', 3600, 'Average'),
          {
            Id: 'extradim',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/EC2',
                MetricName: 'CPUUtilization',
                Dimensions: [
                  { Name: 'InstanceId', Value: 'i-0busy000000000001' },
                  { Name: 'InstanceType', Value: 'm5.large' },
                ],
              },
              Period: 3600,
              Stat: 'Average',
            },
          },
          {
            Id: 'wrongunit',
            MetricStat: { ...ec2Query('x', 'i-0busy000000000001', 'CPUUtilization', 3600, 'Average').MetricStat!, Unit: 'Bytes' },
          },
          {
            Id: 'rightunit',
            MetricStat: { ...ec2Query('x', 'i-0busy000000000001', 'CPUUtilization', 3600, 'Average').MetricStat!, Unit: 'Percent' },
          },
        ],
      }),
    );
    for (const id of ['nometric', 'noinstance', 'otherregion', 'otheraccount', 'extradim', 'wrongunit']) {
      const r = result(out, id);
      assert.deepEqual([r.Timestamps, r.Values, r.StatusCode], [[], [], 'Complete'], id);
    }
    assert.equal(result(out, 'rightunit').Values?.length, 48);
  });

  test('a stopped instance has no datapoints after it stopped; a new one none before it started', async () => {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: at(ANCHOR_START - 14 * DAY),
        EndTime: at(ANCHOR_START),
        MetricDataQueries: [
          ec2Query('stopped', 'i-0stop000000000003', 'CPUUtilization', DAY, 'Average'),
          ec2Query('fresh', 'i-0new0000000000004', 'CPUUtilization', DAY, 'Average'),
        ],
      }),
    );
    const stopped = seconds(result(out, 'stopped').Timestamps);
    assert.equal(Math.max(...stopped), Date.parse('2025-06-10T00:00:00Z') / 1000);
    const fresh = seconds(result(out, 'fresh').Timestamps);
    assert.equal(Math.min(...fresh), Date.parse('2025-06-10T00:00:00Z') / 1000);
    assert.equal(fresh.length, 5);
  });

  test('retention: a period finer than the data age keeps returns only what AWS still has', async () => {
    const query = (period: number, days: number): GetMetricDataCommand =>
      new GetMetricDataCommand({
        StartTime: at(CW_NOW - days * DAY),
        EndTime: at(CW_NOW),
        MetricDataQueries: [ec2Query('m', 'i-0busy000000000001', 'CPUUtilization', period, 'Average')],
      });
    // 1-minute period over 30 days: only the last 15 days (raw data is every 5 minutes).
    const minute = seconds(result(await cw.send(query(60, 30)), 'm').Timestamps);
    assert.equal(Math.min(...minute), CW_NOW - 15 * DAY);
    assert.equal(minute.length, 15 * 288);
    // 5-minute period over 100 days: the last 63 days.
    const five = seconds(result(await cw.send(query(300, 100)), 'm').Timestamps);
    assert.equal(Math.min(...five), CW_NOW - 63 * DAY);
    // Hourly over 500 days: 455 days, and the data starts 2024-01-01 anyway.
    const hourly = seconds(result(await cw.send(query(3600, 500)), 'm').Timestamps);
    assert.equal(Math.min(...hourly), Math.max(CW_NOW - 455 * DAY, Date.parse('2024-01-01T00:00:00Z') / 1000));
    // Nothing after "now".
    const future = await cw.send(
      new GetMetricDataCommand({
        StartTime: at(CW_NOW - DAY),
        EndTime: at(CW_NOW + 5 * DAY),
        MetricDataQueries: [ec2Query('m', 'i-0busy000000000001', 'CPUUtilization', DAY, 'Average')],
      }),
    );
    assert.deepEqual(seconds(result(future, 'm').Timestamps), [CW_NOW - DAY]);
  });

  test('StartTime is rounded down to the minute; buckets align to it', async () => {
    const start = ANCHOR_START - 2 * DAY + 14 * 3600 + 7 * 60 + 33; // ..T14:07:33Z
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: at(start),
        EndTime: at(start + 3600),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [ec2Query('m', 'i-0busy000000000001', 'CPUUtilization', 600, 'Average')],
      }),
    );
    const t = seconds(result(out, 'm').Timestamps);
    const rounded = start - 33;
    // Buckets start at 14:07:00 every 10 minutes; the last one, 15:07:00-15:07:33, holds no raw datapoint.
    assert.deepEqual(t, [0, 1, 2, 3, 4, 5].map((k) => rounded + k * 600));
  });
});

describe('GetMetricData validation', () => {
  test('500 queries are accepted; 501 are InvalidParameterValue (typed, query-compatible)', async () => {
    const queries = (n: number): MetricDataQuery[] =>
      Array.from({ length: n }, (_, k) => ec2Query(`q${k}`, fleetId(k % 160), 'CPUUtilization', DAY, 'Average'));
    const ok = await cw.send(
      new GetMetricDataCommand({ StartTime: at(ANCHOR_START - 2 * DAY), EndTime: at(ANCHOR_START), MetricDataQueries: queries(500) }),
    );
    assert.equal(ok.MetricDataResults?.length, 500);
    await assert.rejects(
      cw.send(new GetMetricDataCommand({ StartTime: at(ANCHOR_START - 2 * DAY), EndTime: at(ANCHOR_START), MetricDataQueries: queries(501) })),
      (error: unknown) => {
        assert.ok(error instanceof InvalidParameterValueException, String(error));
        assert.equal(error.$metadata.httpStatusCode, 400);
        assert.equal(error.message, 'The collection MetricDataQueries must not have a size greater than 500.');
        assert.equal((error as unknown as { Code?: string }).Code, 'InvalidParameterValue');
        return true;
      },
    );
  });

  test('Id rules, duplicate Ids, MetricStat xor Expression, Period and Stat are ValidationErrors listing every problem', async () => {
    await assert.rejects(
      cw.send(
        new GetMetricDataCommand({
          StartTime: at(ANCHOR_START - DAY),
          EndTime: at(ANCHOR_START),
          MetricDataQueries: [
            ec2Query('Upper', 'i-0busy000000000001', 'CPUUtilization', DAY, 'Average'),
            ec2Query('dup', 'i-0busy000000000001', 'CPUUtilization', DAY, 'Average'),
            ec2Query('dup', 'i-0busy000000000001', 'CPUUtilization', DAY, 'Average'),
            ec2Query('badperiod', 'i-0busy000000000001', 'CPUUtilization', 61, 'Average'),
            ec2Query('badstat', 'i-0busy000000000001', 'CPUUtilization', DAY, 'Mean'),
            ec2Query('trimmed', 'i-0busy000000000001', 'CPUUtilization', DAY, 'tm99'),
            { Id: 'neither' },
          ],
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof CloudWatchServiceException);
        assert.equal(error.name, 'ValidationException');
        assert.equal((error as unknown as { Code?: string }).Code, 'ValidationError');
        assert.match(error.message, /MetricDataQueries\.member\.1\.Id is not valid/);
        assert.match(error.message, /not unique/);
        assert.match(error.message, /member\.4\.MetricStat\.Period must be 1, 5, 10, 20, 30, or a multiple of 60/);
        assert.match(error.message, /member\.5\.MetricStat\.Stat is not a valid statistic/);
        assert.match(error.message, /tm99\) is a statistic the sample account does not compute/);
        assert.match(error.message, /Exactly one of MetricStat and Expression must be specified for MetricDataQueries\.member\.7/);
        return true;
      },
    );
  });

  test('StartTime must precede EndTime; missing StartTime is MissingParameter', async () => {
    await assert.rejects(
      cw.send(
        new GetMetricDataCommand({
          StartTime: at(ANCHOR_START),
          EndTime: at(ANCHOR_START - DAY),
          MetricDataQueries: [ec2Query('m', 'i-0busy000000000001', 'CPUUtilization', DAY, 'Average')],
        }),
      ),
      /The parameter StartTime must be less than the parameter EndTime/,
    );
    await assert.rejects(
      cw.send(
        new GetMetricDataCommand({
          EndTime: at(ANCHOR_START),
          MetricDataQueries: [ec2Query('m', 'i-0busy000000000001', 'CPUUtilization', DAY, 'Average')],
        } as GetMetricDataCommandInput),
      ),
      (error: unknown) => {
        assert.equal((error as Error).name, 'MissingRequiredParameterException');
        assert.equal((error as Error).message, 'The parameter StartTime is required.');
        return true;
      },
    );
  });
});

describe('GetMetricData pagination', () => {
  test('MaxDatapoints pages in scan order; every page lists every Id; merged pages equal one big call', async () => {
    const input: GetMetricDataCommandInput = {
      StartTime: at(ANCHOR_START - 3 * DAY),
      EndTime: at(ANCHOR_START),
      MetricDataQueries: [
        ec2Query('a', 'i-0busy000000000001', 'CPUUtilization', 3600, 'Average'),
        ec2Query('b', 'i-0idle000000000002', 'CPUUtilization', 3600, 'Maximum'),
        ec2Query('c', 'i-0new0000000000004', 'CPUUtilization', 3600, 'p90'),
      ],
    };
    const whole = await cw.send(new GetMetricDataCommand(input));
    const { pages, merged } = await allPages({ ...input, MaxDatapoints: 50 });
    const total = (whole.MetricDataResults ?? []).reduce((n, r) => n + (r.Values?.length ?? 0), 0);
    assert.equal(total, 72 + 72 + 72);
    assert.equal(pages.length, Math.ceil(total / 50));
    for (const [i, page] of pages.entries()) {
      assert.deepEqual(page.MetricDataResults?.map((r) => r.Id), ['a', 'b', 'c']);
      const count = (page.MetricDataResults ?? []).reduce((n, r) => n + (r.Values?.length ?? 0), 0);
      assert.equal(count, i < pages.length - 1 ? 50 : total - 50 * (pages.length - 1));
      assert.equal(page.NextToken === undefined, i === pages.length - 1);
      if (i < pages.length - 1) assert.ok(page.MetricDataResults?.some((r) => r.StatusCode === 'PartialData'));
      else assert.ok(page.MetricDataResults?.every((r) => r.StatusCode === 'Complete'));
    }
    // Newest data first across all queries: page 1 holds the newest timestamps of every query.
    const firstPage = pages[0] as GetMetricDataCommandOutput;
    assert.equal(seconds(result(firstPage, 'a').Timestamps)[0], ANCHOR_START - 3600);
    assert.equal(seconds(result(firstPage, 'c').Timestamps)[0], ANCHOR_START - 3600);
    for (const r of whole.MetricDataResults ?? []) {
      assert.deepEqual(merged.get(r.Id as string), { t: seconds(r.Timestamps), v: r.Values }, r.Id);
    }
    assert.equal(sim.stats()['monitoring:GetMetricData'], 1 + pages.length);
  });

  test('100,800 datapoints per call at most: 500 x 288 datapoints take two calls', async () => {
    const queries = Array.from({ length: 500 }, (_, k) =>
      ec2Query(`q${k}`, fleetId(k % 125), ['CPUUtilization', 'NetworkIn', 'NetworkOut', 'CPUCreditBalance'][Math.floor(k / 125)] as string, 300, 'Average'),
    );
    const input: GetMetricDataCommandInput = { StartTime: at(ANCHOR_START - DAY), EndTime: at(ANCHOR_START), MetricDataQueries: queries, ScanBy: 'TimestampAscending' };
    const first = await cw.send(new GetMetricDataCommand(input));
    const firstCount = (first.MetricDataResults ?? []).reduce((n, r) => n + (r.Values?.length ?? 0), 0);
    assert.equal(firstCount, 100_800);
    assert.ok(first.NextToken);
    const second = await cw.send(new GetMetricDataCommand({ ...input, NextToken: first.NextToken }));
    const secondCount = (second.MetricDataResults ?? []).reduce((n, r) => n + (r.Values?.length ?? 0), 0);
    assert.equal(secondCount, 500 * 288 - 100_800);
    assert.equal(second.NextToken, undefined);
    // Ascending: the second page continues in time.
    const lastOfFirst = Math.max(...(first.MetricDataResults ?? []).flatMap((r) => seconds(r.Timestamps)));
    const firstOfSecond = Math.min(...(second.MetricDataResults ?? []).flatMap((r) => seconds(r.Timestamps)));
    assert.ok(firstOfSecond >= lastOfFirst);
  });

  test('a NextToken from another request is InvalidNextToken', async () => {
    const input: GetMetricDataCommandInput = {
      StartTime: at(ANCHOR_START - 3 * DAY),
      EndTime: at(ANCHOR_START),
      MaxDatapoints: 10,
      MetricDataQueries: [ec2Query('a', 'i-0busy000000000001', 'CPUUtilization', 3600, 'Average')],
    };
    const first = await cw.send(new GetMetricDataCommand(input));
    assert.ok(first.NextToken);
    for (const token of [first.NextToken, 'garbage']) {
      await assert.rejects(
        cw.send(new GetMetricDataCommand({ ...input, MaxDatapoints: 11, NextToken: token })),
        (error: unknown) => (error as Error).name === 'InvalidNextToken',
      );
    }
  });
});

describe('GetMetricData math expressions', () => {
  const start = at(ANCHOR_START - 3 * DAY);
  const end = at(ANCHOR_START);
  const base = [
    ec2Query('inb', 'i-0busy000000000001', 'NetworkIn', DAY, 'Sum', { ReturnData: false }),
    ec2Query('outb', 'i-0busy000000000001', 'NetworkOut', DAY, 'Sum', { ReturnData: false }),
  ];

  test('arithmetic, functions and METRICS(); ReturnData false hides inputs', async () => {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: end,
        MetricDataQueries: [
          ...base,
          { Id: 'total', Expression: 'inb + outb', Label: 'Network total' },
          { Id: 'ratio', Expression: '100 * outb / (inb + outb)' },
          { Id: 'summed', Expression: 'SUM(METRICS())' },
          { Id: 'avg', Expression: 'AVG(inb)' },
        ],
      }),
    );
    assert.deepEqual(out.MetricDataResults?.map((r) => r.Id), ['total', 'ratio', 'summed', 'avg']);
    const inb = aggregate(profileOf('i-0busy000000000001', 'AWS/EC2/NetworkIn'), ANCHOR_START - 3 * DAY, ANCHOR_START, DAY, 'Sum');
    const outb = aggregate(profileOf('i-0busy000000000001', 'AWS/EC2/NetworkOut'), ANCHOR_START - 3 * DAY, ANCHOR_START, DAY, 'Sum');
    const total = inb.values.map((v, i) => v + (outb.values[i] as number)).reverse();
    assert.deepEqual(result(out, 'total').Values, total);
    assert.equal(result(out, 'total').Label, 'Network total');
    assert.equal(result(out, 'ratio').Label, 'ratio');
    assert.deepEqual(result(out, 'summed').Values, total);
    const ratio = result(out, 'ratio').Values ?? [];
    ratio.forEach((r, i) => assert.ok(Math.abs(r - (100 * (outb.values[2 - i] as number)) / (total[i] as number)) < 1e-9));
    const mean = inb.values.reduce((a, b) => a + b, 0) / 3;
    for (const v of result(out, 'avg').Values ?? []) assert.ok(Math.abs(v - mean) < 1e-6);
  });

  test('unsupported functions, Metrics Insights and unknown Ids are ValidationErrors', async () => {
    for (const [expression, pattern] of [
      ['ANOMALY_DETECTION_BAND(inb)', /Unsupported function ANOMALY_DETECTION_BAND/],
      ['SELECT AVG(CPUUtilization) FROM "AWS/EC2"', /Metrics Insights queries/],
      ['inb + nosuch', /Unrecognized metric or expression Id 'nosuch'/],
      ['inb +', /unexpected end of expression/],
    ] as const) {
      await assert.rejects(
        cw.send(new GetMetricDataCommand({ StartTime: start, EndTime: end, MetricDataQueries: [...base, { Id: 'e1', Expression: expression }] })),
        (error: unknown) => {
          assert.equal((error as Error).name, 'ValidationException', expression);
          assert.match((error as Error).message, pattern);
          return true;
        },
      );
    }
  });
});

describe('ListMetrics', () => {
  test('lists the region and account metrics, 500 a page, with filters', async () => {
    const all = [];
    let pages = 0;
    for await (const page of paginateListMetrics({ client: cw }, {})) {
      pages++;
      assert.ok((page.Metrics?.length ?? 0) <= 500);
      all.push(...(page.Metrics ?? []));
    }
    // Fleet: 160 x 4; fixture us-east-1 main account: 3 + 4 + 1 (stopped: older than two weeks? no, stopped on 06-01) + 1 + EBS 4 + RDS 7 + S3 3.
    const fleet = 160 * 4;
    const own = 3 + 4 + 1 + 1 + 4 + 7 + 3;
    assert.equal(all.length, fleet + own);
    assert.equal(pages, Math.ceil(all.length / 500));
    assert.equal(sim.stats()['monitoring:ListMetrics'], pages);
    assert.ok(!all.some((m) => m.Dimensions?.some((d) => d.Value === 'i-0eu00000000000005' || d.Value === 'i-0dev00000000000006')));

    const ebs = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/EBS' }));
    assert.deepEqual(
      ebs.Metrics?.map((m) => `${m.MetricName} ${m.Dimensions?.map((d) => `${d.Name}=${d.Value}`).join(',')}`).sort(),
      [
        'VolumeIdleTime VolumeId=vol-0attached00000001',
        'VolumeIdleTime VolumeId=vol-0orphan000000002',
        'VolumeReadOps VolumeId=vol-0attached00000001',
        'VolumeWriteOps VolumeId=vol-0attached00000001',
      ],
    );
    const s3 = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/S3', Dimensions: [{ Name: 'StorageType' }] }));
    assert.deepEqual(
      s3.Metrics?.map((m) => `${m.MetricName}/${m.Dimensions?.find((d) => d.Name === 'StorageType')?.Value}`).sort(),
      ['BucketSizeBytes/StandardIAStorage', 'BucketSizeBytes/StandardStorage', 'NumberOfObjects/AllStorageTypes'],
    );
    const one = await cw.send(
      new ListMetricsCommand({ MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: 'i-0idle000000000002' }] }),
    );
    assert.deepEqual(one.Metrics, [
      { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: 'i-0idle000000000002' }] },
    ]);
  });

  test('RecentlyActive PT3H leaves out metrics without recent data; eu-west-1 lists its own', async () => {
    const recent = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', RecentlyActive: 'PT3H' }));
    const ids = recent.Metrics?.map((m) => m.Dimensions?.[0]?.Value);
    assert.ok(!ids?.includes('i-0stop000000000003'));
    assert.ok(ids?.includes('i-0busy000000000001'));
    const eu = client('eu-west-1');
    try {
      const out = await eu.send(new ListMetricsCommand({}));
      assert.deepEqual(
        out.Metrics?.map((m) => `${m.Namespace} ${m.MetricName} ${m.Dimensions?.map((d) => d.Value).join(',')}`).sort(),
        [
          'AWS/EC2 CPUUtilization i-0eu00000000000005',
          'AWS/S3 BucketSizeBytes sample-eu-archive,GlacierStorage',
          'AWS/S3 BucketSizeBytes sample-eu-archive,StandardStorage',
          'AWS/S3 NumberOfObjects sample-eu-archive,AllStorageTypes',
        ],
      );
    } finally {
      eu.destroy();
    }
  });

  test('a bad NextToken is InvalidNextToken; bad RecentlyActive is a ValidationError', async () => {
    await assert.rejects(cw.send(new ListMetricsCommand({ NextToken: 'nope' })), (e: unknown) => (e as Error).name === 'InvalidNextToken');
    await assert.rejects(
      cw.send(new ListMetricsCommand({ RecentlyActive: 'PT1H' as 'PT3H' })),
      (e: unknown) => (e as Error).name === 'ValidationException',
    );
  });
});

describe('faults and the wire', () => {
  test('an injected Throttling reaches the SDK as a retryable throttling error', async () => {
    sim.setFaults([{ operation: 'monitoring:GetMetricData', error: 'Throttling', count: 1 }]);
    const input = {
      StartTime: at(ANCHOR_START - DAY),
      EndTime: at(ANCHOR_START),
      MetricDataQueries: [ec2Query('m', 'i-0busy000000000001', 'CPUUtilization', DAY, 'Average')],
    };
    await assert.rejects(cw.send(new GetMetricDataCommand(input)), (error: unknown) => {
      assert.equal((error as Error).name, 'Throttling');
      assert.equal((error as CloudWatchServiceException).$metadata.httpStatusCode, 400);
      assert.equal((error as Error).message, 'Rate exceeded');
      return true;
    });
    sim.setFaults([{ operation: 'monitoring:GetMetricData', error: 'Throttling', count: 1 }]);
    const retrying = client('us-east-1', { maxAttempts: 3 });
    try {
      const out = await retrying.send(new GetMetricDataCommand(input));
      assert.equal(result(out, 'm').Values?.length, 1);
      assert.equal(out.$metadata.attempts, 2);
    } finally {
      retrying.destroy();
    }
  });

  async function rawJson(target: string, body: unknown): Promise<Response> {
    return fetch(sim.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `GraniteServiceVersion20100801.${target}`,
        'x-amzn-query-mode': 'true',
        Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250615/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=00`,
      },
      body: JSON.stringify(body),
    });
  }

  test('raw awsJson1_0: epoch-second timestamps; errors carry __type and x-amzn-query-error', async () => {
    const ok = await rawJson('GetMetricData', {
      StartTime: ANCHOR_START - 2 * DAY,
      EndTime: ANCHOR_START,
      MetricDataQueries: [ec2Query('m', 'i-0busy000000000001', 'CPUUtilization', DAY, 'Average')],
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'application/x-amz-json-1.0');
    const body = (await ok.json()) as { MetricDataResults: { Timestamps: unknown[] }[]; Messages: unknown[] };
    assert.deepEqual(body.MetricDataResults[0]?.Timestamps, [ANCHOR_START - DAY, ANCHOR_START - 2 * DAY]);
    assert.deepEqual(body.Messages, []);

    const bad = await rawJson('GetMetricData', {
      StartTime: ANCHOR_START - 2 * DAY,
      EndTime: ANCHOR_START,
      MetricDataQueries: Array.from({ length: 501 }, (_, k) => ec2Query(`q${k}`, 'i-0busy000000000001', 'CPUUtilization', DAY, 'Average')),
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('x-amzn-query-error'), 'InvalidParameterValue;Sender');
    assert.equal(bad.headers.get('x-amzn-errortype'), 'InvalidParameterValueException');
    assert.deepEqual(await bad.json(), {
      __type: 'com.amazonaws.cloudwatch#InvalidParameterValueException',
      message: 'The collection MetricDataQueries must not have a size greater than 500.',
    });

    sim.setFaults([{ operation: 'monitoring:ListMetrics', error: 'Throttling', count: 1 }]);
    const throttled = await rawJson('ListMetrics', {});
    assert.equal(throttled.status, 400);
    assert.equal(throttled.headers.get('x-amzn-query-error'), 'Throttling;Sender');
    assert.equal(((await throttled.json()) as { __type: string }).__type, 'com.amazon.coral.availability#ThrottlingException');

    const unknown = await rawJson('PutMetricData', {});
    assert.equal(unknown.status, 400);
    assert.match(unknown.headers.get('x-amzn-query-error') ?? '', /^UnknownOperationException;Sender$/);
    await unknown.arrayBuffer();

    const wrongType = await rawJson('GetMetricData', { StartTime: 'yesterday', EndTime: ANCHOR_START, MetricDataQueries: [] });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.headers.get('x-amzn-query-error'), 'SerializationException;Sender');
    await wrongType.arrayBuffer();
  });

  test('awsQuery (older clients): form parameters in, XML in the 2010-08-01 namespace out', async () => {
    const form = new URLSearchParams({
      Action: 'GetMetricData',
      Version: '2010-08-01',
      StartTime: new Date((ANCHOR_START - 2 * DAY) * 1000).toISOString(),
      EndTime: new Date(ANCHOR_START * 1000).toISOString(),
      'MetricDataQueries.member.1.Id': 'm1',
      'MetricDataQueries.member.1.MetricStat.Metric.Namespace': 'AWS/EC2',
      'MetricDataQueries.member.1.MetricStat.Metric.MetricName': 'CPUUtilization',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name': 'InstanceId',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value': 'i-0busy000000000001',
      'MetricDataQueries.member.1.MetricStat.Period': '86400',
      'MetricDataQueries.member.1.MetricStat.Stat': 'Average',
    });
    const headers = {
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
      Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250615/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=00`,
    };
    const response = await fetch(sim.url, { method: 'POST', headers, body: form.toString() });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.match(text, /<GetMetricDataResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/">/);
    const parsed = new XMLParser({ parseTagValue: false }).parse(text) as {
      GetMetricDataResponse: {
        GetMetricDataResult: { MetricDataResults: { member: { Id: string; Label: string; StatusCode: string; Timestamps: { member: string[] }; Values: { member: string[] } } } };
        ResponseMetadata: { RequestId: string };
      };
    };
    const member = parsed.GetMetricDataResponse.GetMetricDataResult.MetricDataResults.member;
    assert.equal(member.Id, 'm1');
    assert.equal(member.StatusCode, 'Complete');
    assert.deepEqual(member.Timestamps.member, [new Date((ANCHOR_START - DAY) * 1000).toISOString(), new Date((ANCHOR_START - 2 * DAY) * 1000).toISOString()]);
    const expected = aggregate(profileOf('i-0busy000000000001', 'AWS/EC2/CPUUtilization'), ANCHOR_START - 2 * DAY, ANCHOR_START, DAY, 'Average');
    assert.deepEqual(member.Values.member.map(Number), [...expected.values].reverse());

    const list = await fetch(sim.url, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ Action: 'ListMetrics', Version: '2010-08-01', Namespace: 'AWS/RDS', MetricName: 'CPUUtilization' }).toString(),
    });
    const listText = await list.text();
    assert.equal(list.status, 200, listText);
    assert.match(listText, /<ListMetricsResult><Metrics><member><Namespace>AWS\/RDS<\/Namespace><MetricName>CPUUtilization<\/MetricName><Dimensions><member><Name>DBInstanceIdentifier<\/Name><Value>idle-db<\/Value>/);

    form.set('MetricDataQueries.member.1.MetricStat.Period', '61');
    const bad = await fetch(sim.url, { method: 'POST', headers, body: form.toString() });
    const badText = await bad.text();
    assert.equal(bad.status, 400);
    assert.match(badText, /<ErrorResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><Error><Type>Sender<\/Type><Code>ValidationError<\/Code>/);
    assert.deepEqual(sim.stats(), { 'monitoring:GetMetricData': 2, 'monitoring:ListMetrics': 1 });
  });

  test('the account comes from the credentials: an assumed-role key sees its own account', async () => {
    // identity.ts: an "ASIA<account>..." key acts as that account when the scenario has it.
    const dev = client('us-east-1', { accessKeyId: `ASIA${'210987654321'}ABCD` });
    try {
      const out = await dev.send(
        new GetMetricDataCommand({
          StartTime: at(ANCHOR_START - DAY),
          EndTime: at(ANCHOR_START),
          MetricDataQueries: [
            ec2Query('dev', 'i-0dev00000000000006', 'CPUUtilization', DAY, 'Average'),
            ec2Query('main', 'i-0busy000000000001', 'CPUUtilization', DAY, 'Average'),
          ],
        }),
      );
      assert.equal(result(out, 'dev').Values?.length, 1);
      assert.equal(result(out, 'main').Values?.length, 0);
    } finally {
      dev.destroy();
    }
    assert.equal(MAIN_ACCOUNT, fixture.accounts[0]?.id);
    assert.equal(CW_ANCHOR, fixture.anchorDate);
  });
});
