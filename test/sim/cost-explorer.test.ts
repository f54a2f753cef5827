import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Big from 'big.js';
import {
  type CostExplorerClient,
  CostExplorerServiceException,
  GetCostAndUsageCommand,
  InvalidNextTokenException,
  RequestChangedException,
  type Expression,
  type GetCostAndUsageCommandInput,
} from '@aws-sdk/client-cost-explorer';
import { addDays } from '../../src/sim/dates';
import { SERVICE, sumCosts, sumCostsBy, type CostQuery } from '../../src/sim/scenario';
import type { RunningSimulator } from '../../src/sim/server';
import { ANCHOR, allPages, ceClient, cents, sampleScenario, startTestSimulator, sumByGroup, sumTotals } from './helpers';

const scenario = sampleScenario();
const LAST_30 = { Start: addDays(ANCHOR, -29), End: addDays(ANCHOR, 1) };

let sim: RunningSimulator;
let client: CostExplorerClient;

before(async () => {
  sim = await startTestSimulator();
  client = ceClient(sim, { maxAttempts: 1 });
});

after(async () => {
  client.destroy();
  await sim.close();
});

async function totalFor(Filter: Expression, period = LAST_30): Promise<string> {
  const pages = await allPages(client, { TimePeriod: period, Granularity: 'DAILY', Metrics: ['UnblendedCost'], Filter });
  return sumTotals(pages).toString();
}

function truth(query: CostQuery, period = LAST_30): string {
  return sumCosts(scenario, { start: period.Start, end: period.End, ...query });
}

function assertSameMoney(actual: Big | string, expected: string, label = ''): void {
  assert.equal(cents(actual), cents(expected), `${label} to the cent`);
  assert.ok(new Big(actual).eq(expected), `${label} exactly: ${actual.toString()} vs ${expected}`);
}

describe('GetCostAndUsage through the real AWS SDK client', () => {
  test('daily by SERVICE equals the scenario ground truth', async () => {
    const pages = await allPages(client, {
      TimePeriod: LAST_30,
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
    });
    assert.equal(pages.length, 1);
    const page = pages[0];
    assert.ok(page);
    assert.deepEqual(page.GroupDefinitions, [{ Type: 'DIMENSION', Key: 'SERVICE' }]);
    assert.equal(page.ResultsByTime?.length, 30);
    assert.equal(page.NextPageToken, undefined);
    assert.deepEqual(page.DimensionValueAttributes, []);
    for (const result of page.ResultsByTime ?? []) {
      assert.deepEqual(result.Total, {}, 'grouped results carry an empty Total');
      for (const group of result.Groups ?? []) {
        assert.equal(group.Keys?.length, 1);
        assert.equal(group.Metrics?.['UnblendedCost']?.Unit, 'USD');
        assert.match(group.Metrics?.['UnblendedCost']?.Amount ?? '', /^\d+(\.\d{1,10})?$/);
      }
    }
    const actual = sumByGroup(pages);
    const expected = sumCostsBy(scenario, (l) => l.service, { start: LAST_30.Start, end: LAST_30.End });
    assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
    for (const [service, amount] of expected) assertSameMoney(actual.get(service) ?? '0', amount, service);

    // Per day as well.
    for (const result of page.ResultsByTime ?? []) {
      const day = result.TimePeriod?.Start ?? '';
      assert.equal(result.TimePeriod?.End, addDays(day, 1));
      for (const group of result.Groups ?? []) {
        const service = group.Keys?.[0] ?? '';
        assert.equal(group.Metrics?.['UnblendedCost']?.Amount, sumCosts(scenario, { start: day, end: addDays(day, 1), service }));
      }
    }
  });

  test('ungrouped daily totals, Estimated only for the last two days, all cost metrics equal', async () => {
    const out = await client.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: addDays(ANCHOR, -5), End: addDays(ANCHOR, 1) },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost', 'BlendedCost', 'AmortizedCost', 'NetUnblendedCost', 'NetAmortizedCost', 'UsageQuantity'],
      }),
    );
    assert.equal(out.GroupDefinitions, undefined);
    const results = out.ResultsByTime ?? [];
    assert.deepEqual(
      results.map((r) => r.Estimated),
      [false, false, false, false, true, true],
    );
    for (const result of results) {
      const day = result.TimePeriod?.Start ?? '';
      assert.deepEqual(result.Groups, []);
      const total = result.Total ?? {};
      assert.equal(total['UnblendedCost']?.Amount, sumCosts(scenario, { start: day, end: addDays(day, 1) }));
      for (const metric of ['BlendedCost', 'AmortizedCost', 'NetUnblendedCost', 'NetAmortizedCost']) {
        assert.deepEqual(total[metric], total['UnblendedCost'], metric);
      }
      assert.equal(total['UsageQuantity']?.Unit, 'N/A', 'usage across units has no single unit');
    }
  });

  test('MONTHLY periods are cut at Start and End and sum to the ground truth', async () => {
    const period = { Start: '2025-01-15', End: addDays(ANCHOR, 1) };
    const out = await client.send(
      new GetCostAndUsageCommand({ TimePeriod: period, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'] }),
    );
    const periods = (out.ResultsByTime ?? []).map((r) => [r.TimePeriod?.Start, r.TimePeriod?.End]);
    assert.deepEqual(periods, [
      ['2025-01-15', '2025-02-01'],
      ['2025-02-01', '2025-03-01'],
      ['2025-03-01', '2025-04-01'],
      ['2025-04-01', '2025-05-01'],
      ['2025-05-01', '2025-06-01'],
      ['2025-06-01', '2025-06-16'],
    ]);
    for (const result of out.ResultsByTime ?? []) {
      const expected = sumCosts(scenario, { start: result.TimePeriod?.Start ?? '', end: result.TimePeriod?.End ?? '' });
      assert.equal(result.Total?.['UnblendedCost']?.Amount, expected);
    }
    assert.deepEqual(
      (out.ResultsByTime ?? []).map((r) => r.Estimated),
      [false, false, false, false, false, true],
    );
  });

  test('LINKED_ACCOUNT grouping carries DimensionValueAttributes with the account name', async () => {
    const out = await client.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: '2025-05-01', End: '2025-06-01' },
        Granularity: 'MONTHLY',
        Metrics: ['UnblendedCost'],
        GroupBy: [{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }],
      }),
    );
    assert.deepEqual(out.DimensionValueAttributes, [{ Value: '123456789012', Attributes: { description: 'sample-production' } }]);
    const group = out.ResultsByTime?.[0]?.Groups?.[0];
    assert.deepEqual(group?.Keys, ['123456789012']);
    assert.equal(group?.Metrics?.['UnblendedCost']?.Amount, sumCosts(scenario, { start: '2025-05-01', end: '2025-06-01' }));
  });

  test('REGION grouping, including the global Support charge', async () => {
    const pages = await allPages(client, {
      TimePeriod: LAST_30,
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'REGION' }],
    });
    const actual = sumByGroup(pages);
    assert.deepEqual([...actual.keys()].sort(), ['eu-west-1', 'global', 'us-east-1']);
    for (const [region, amount] of sumCostsBy(scenario, (l) => l.region, { start: LAST_30.Start, end: LAST_30.End })) {
      assertSameMoney(actual.get(region) ?? '0', amount, region);
    }
  });

  test('TAG grouping gives Key$value keys and Key$ for untagged costs', async () => {
    const pages = await allPages(client, {
      TimePeriod: LAST_30,
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'TAG', Key: 'Environment' }],
    });
    assert.deepEqual(pages[0]?.GroupDefinitions, [{ Type: 'TAG', Key: 'Environment' }]);
    const actual = sumByGroup(pages);
    for (const key of ['Environment$', 'Environment$prod', 'Environment$Production', 'Environment$staging', 'Environment$dev']) {
      assert.ok(actual.has(key), `has ${key}: ${[...actual.keys()].join(', ')}`);
    }
    const expected = sumCostsBy(scenario, (l) => `Environment$${l.tags['Environment'] ?? ''}`, {
      start: LAST_30.Start,
      end: LAST_30.End,
    });
    assert.equal(actual.size, expected.size);
    for (const [key, amount] of expected) assertSameMoney(actual.get(key) ?? '0', amount, key);
  });

  test('two group definitions: SERVICE and TAG', async () => {
    const pages = await allPages(client, {
      TimePeriod: LAST_30,
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      GroupBy: [
        { Type: 'DIMENSION', Key: 'SERVICE' },
        { Type: 'TAG', Key: 'CostCenter' },
      ],
    });
    const actual = sumByGroup(pages);
    const expected = sumCostsBy(scenario, (l) => `${l.service} | CostCenter$${l.tags['CostCenter'] ?? ''}`, {
      start: LAST_30.Start,
      end: LAST_30.End,
    });
    assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
    for (const [key, amount] of expected) assertSameMoney(actual.get(key) ?? '0', amount, key);
  });

  test('USAGE_TYPE grouping with UsageQuantity units', async () => {
    const out = await client.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: addDays(ANCHOR, -2), End: addDays(ANCHOR, -1) },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost', 'UsageQuantity'],
        GroupBy: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
        Filter: { Dimensions: { Key: 'SERVICE', Values: [SERVICE.ec2Compute] } },
      }),
    );
    const groups = out.ResultsByTime?.[0]?.Groups ?? [];
    const m5 = groups.find((g) => g.Keys?.[0] === 'BoxUsage:m5.large');
    assert.ok(m5, 'BoxUsage:m5.large group');
    assert.deepEqual(m5.Metrics?.['UsageQuantity'], { Amount: '48', Unit: 'Hrs' });
    assert.deepEqual(m5.Metrics?.['UnblendedCost'], { Amount: '4.608', Unit: 'USD' });
  });

  test('Dimensions, Tags, And, Or and Not filters', async () => {
    assert.equal(
      await totalFor({ Dimensions: { Key: 'SERVICE', Values: [SERVICE.ec2Compute] } }),
      truth({ service: SERVICE.ec2Compute }),
    );
    assert.equal(
      await totalFor({ Dimensions: { Key: 'SERVICE', Values: [SERVICE.s3, SERVICE.rds], MatchOptions: ['EQUALS'] } }),
      truth({ service: [SERVICE.s3, SERVICE.rds] }),
    );
    assert.equal(await totalFor({ Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['123456789012'] } }), truth({}));
    assert.equal(await totalFor({ Tags: { Key: 'Environment', Values: ['prod'] } }), truth({ tags: { Environment: 'prod' } }));
    assert.equal(
      await totalFor({ Tags: { Key: 'CostCenter', MatchOptions: ['ABSENT'] } }),
      truth({ tags: { CostCenter: null } }),
    );
    assert.equal(await totalFor({ Tags: { Key: 'Owner', Values: [''] } }), truth({ tags: { Owner: null } }));
    assert.equal(
      await totalFor({
        And: [
          { Dimensions: { Key: 'SERVICE', Values: [SERVICE.ec2Compute] } },
          { Dimensions: { Key: 'REGION', Values: ['eu-west-1'] } },
        ],
      }),
      truth({ service: SERVICE.ec2Compute, region: 'eu-west-1' }),
    );
    assert.equal(
      await totalFor({ Not: { Dimensions: { Key: 'SERVICE', Values: [SERVICE.supportBusiness] } } }),
      truth({ where: (l) => l.service !== SERVICE.supportBusiness }),
    );
    assert.equal(
      await totalFor({
        Or: [
          { Tags: { Key: 'Environment', Values: ['prod', 'Production'] } },
          { Dimensions: { Key: 'REGION', Values: ['eu-west-1'] } },
        ],
      }),
      truth({
        where: (l) => l.tags['Environment'] === 'prod' || l.tags['Environment'] === 'Production' || l.region === 'eu-west-1',
      }),
    );
    assert.equal(
      await totalFor({
        And: [
          { Dimensions: { Key: 'RECORD_TYPE', Values: ['Usage'] } },
          { Not: { Tags: { Key: 'Environment', Values: ['prod'] } } },
          { Dimensions: { Key: 'INSTANCE_TYPE', Values: ['m5.large', 'm5.2xlarge'] } },
        ],
      }),
      truth({ where: (l) => l.tags['Environment'] !== 'prod' && /BoxUsage:m5\.(2x)?large$/.test(l.usageType) }),
    );
  });

  test('days without data have zero totals (ungrouped) or no groups (grouped)', async () => {
    const period = { Start: addDays(ANCHOR, -1), End: '2025-07-01' };
    const plain = await client.send(
      new GetCostAndUsageCommand({ TimePeriod: period, Granularity: 'DAILY', Metrics: ['UnblendedCost'] }),
    );
    const results = plain.ResultsByTime ?? [];
    assert.equal(results.length, 17);
    assert.notEqual(results[1]?.Total?.['UnblendedCost']?.Amount, '0');
    for (const result of results.slice(2)) {
      assert.deepEqual(result.Total, { UnblendedCost: { Amount: '0', Unit: 'USD' } });
      assert.equal(result.Estimated, true);
    }
    const grouped = await client.send(
      new GetCostAndUsageCommand({
        TimePeriod: period,
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost'],
        GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
      }),
    );
    assert.equal(grouped.ResultsByTime?.length, 17);
    for (const result of grouped.ResultsByTime?.slice(2) ?? []) assert.deepEqual(result.Groups, []);
    const filtered = await totalFor({ Dimensions: { Key: 'SERVICE', Values: ['Amazon Redshift'] } });
    assert.equal(filtered, '0');
  });
});

describe('pagination', () => {
  let small: RunningSimulator;
  let smallClient: CostExplorerClient;

  before(async () => {
    small = await startTestSimulator({ costExplorerPageSize: 7 });
    smallClient = ceClient(small, { maxAttempts: 1 });
  });

  after(async () => {
    smallClient.destroy();
    await small.close();
  });

  test('a tiny page size gives the same groups and totals as one big page', async () => {
    const input: GetCostAndUsageCommandInput = {
      TimePeriod: LAST_30,
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost', 'UsageQuantity'],
      GroupBy: [
        { Type: 'DIMENSION', Key: 'SERVICE' },
        { Type: 'DIMENSION', Key: 'REGION' },
      ],
    };
    const big = await allPages(client, input);
    small.resetStats();
    const paged = await allPages(smallClient, input);
    assert.equal(big.length, 1);
    const groupCount = (big[0]?.ResultsByTime ?? []).reduce((n, r) => n + (r.Groups?.length ?? 0), 0);
    assert.equal(paged.length, Math.ceil(groupCount / 7));
    assert.deepEqual(small.stats(), { 'ce:GetCostAndUsage': paged.length }, 'each page is one request');
    for (const page of paged) {
      const groups = (page.ResultsByTime ?? []).reduce((n, r) => n + (r.Groups?.length ?? 0), 0);
      assert.ok(groups <= 7);
      assert.deepEqual(page.GroupDefinitions, input.GroupBy);
    }
    // A day's groups continue on the next page under the same TimePeriod.
    const starts = paged.map((p) => p.ResultsByTime?.[0]?.TimePeriod?.Start);
    const ends = paged.map((p) => p.ResultsByTime?.at(-1)?.TimePeriod?.Start);
    assert.ok(
      starts.some((s, i) => i > 0 && s === ends[i - 1]),
      'some day is split across pages',
    );
    for (const metric of ['UnblendedCost', 'UsageQuantity']) {
      const a = sumByGroup(big, metric);
      const b = sumByGroup(paged, metric);
      assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
      for (const [key, amount] of a) assert.ok(amount.eq(b.get(key) ?? -1), `${metric} ${key}`);
    }
    // Per (day, group) too.
    const flatten = (pages: typeof big): string[] =>
      pages
        .flatMap((p) => p.ResultsByTime ?? [])
        .flatMap((r) =>
          (r.Groups ?? []).map((g) => `${r.TimePeriod?.Start} ${g.Keys?.join('/')} ${g.Metrics?.['UnblendedCost']?.Amount}`),
        );
    assert.deepEqual(flatten(paged), flatten(big));
  });

  test('ungrouped results paginate by period', async () => {
    const paged = await allPages(smallClient, { TimePeriod: LAST_30, Granularity: 'DAILY', Metrics: ['UnblendedCost'] });
    assert.equal(paged.length, 5);
    assertSameMoney(sumTotals(paged), truth({}));
  });

  test('a garbled token is InvalidNextTokenException; a token from another request is RequestChangedException', async () => {
    const input: GetCostAndUsageCommandInput = {
      TimePeriod: LAST_30,
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
    };
    const first = await smallClient.send(new GetCostAndUsageCommand(input));
    assert.ok(first.NextPageToken);
    await assert.rejects(
      smallClient.send(new GetCostAndUsageCommand({ ...input, NextPageToken: 'not-a-token' })),
      (error: unknown) => {
        assert.ok(error instanceof InvalidNextTokenException);
        assert.match(error.message, /pagination token is invalid/);
        return true;
      },
    );
    await assert.rejects(
      smallClient.send(new GetCostAndUsageCommand({ ...input, Metrics: ['BlendedCost'], NextPageToken: first.NextPageToken })),
      (error: unknown) => {
        assert.ok(error instanceof RequestChangedException);
        return true;
      },
    );
  });
});

describe('validation errors surface as the SDK exceptions AWS would raise', () => {
  async function rejection(input: Partial<GetCostAndUsageCommandInput>): Promise<CostExplorerServiceException> {
    const base: GetCostAndUsageCommandInput = { TimePeriod: LAST_30, Granularity: 'DAILY', Metrics: ['UnblendedCost'] };
    try {
      await client.send(new GetCostAndUsageCommand({ ...base, ...input }));
    } catch (error) {
      assert.ok(error instanceof CostExplorerServiceException, `a CostExplorerServiceException, got ${String(error)}`);
      return error;
    }
    assert.fail('expected the request to fail');
  }

  async function assertValidation(input: Partial<GetCostAndUsageCommandInput>, message: RegExp): Promise<void> {
    const error = await rejection(input);
    assert.equal(error.name, 'ValidationException');
    assert.equal(error.$fault, 'client');
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.match(error.message, message);
  }

  test('time period', async () => {
    await assertValidation({ TimePeriod: { Start: ANCHOR, End: ANCHOR } }, /Start date \(and hour\) should be before end date/);
    await assertValidation({ TimePeriod: { Start: '2025-06-10', End: '2025-06-01' } }, /should be before end date/);
    await assertValidation({ TimePeriod: { Start: '2024-04-30', End: '2024-06-01' } }, /start date is too old.*2024-05-01/);
    await assertValidation(
      { TimePeriod: { Start: '2025-06-01', End: '2025-07-02' } },
      /end date past the beginning of next month/,
    );
    await assertValidation({ TimePeriod: { Start: '2025-02-30', End: '2025-03-02' } }, /not a valid date/);
    await assertValidation({ TimePeriod: { Start: 'yesterday', End: '2025-03-02' } }, /regular expression pattern/);
    await assertValidation({ TimePeriod: undefined }, /Value null at 'timePeriod'/);
    // The oldest allowed start works.
    const ok = await client.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: '2024-05-01', End: '2024-05-03' },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost'],
      }),
    );
    assert.equal(ok.ResultsByTime?.length, 2);
  });

  test('granularity and metrics', async () => {
    await assertValidation({ Granularity: 'HOURLY' }, /[Hh]ourly.*opt/);
    await assertValidation({ Granularity: 'WEEKLY' as 'DAILY' }, /enum value set: \[DAILY, MONTHLY, HOURLY\]/);
    await assertValidation({ Metrics: ['UnblendedCost', 'Dollars'] }, /Invalid metric\(s\): Dollars/);
    await assertValidation({ Metrics: undefined }, /Value null at 'metrics'/);
    await assertValidation({ Metrics: [] }, /at least one metric/);
  });

  test('group definitions', async () => {
    await assertValidation(
      {
        GroupBy: [
          { Type: 'DIMENSION', Key: 'SERVICE' },
          { Type: 'DIMENSION', Key: 'REGION' },
          { Type: 'TAG', Key: 'Owner' },
        ],
      },
      /at most 2/,
    );
    await assertValidation({ GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE_CODE' }] }, /Group Definition dimension is invalid/);
    await assertValidation({ GroupBy: [{ Type: 'DIMENSION', Key: 'AZ' }] }, /not modelled by the sample account/);
  });

  test('filter expressions', async () => {
    await assertValidation({ Filter: { And: [{ Dimensions: { Key: 'SERVICE', Values: ['x'] } }] } }, /And .* needs at least 2/);
    await assertValidation({ Filter: { Or: [] } }, /Or .* needs at least 2/);
    await assertValidation(
      { Filter: { Dimensions: { Key: 'SERVICE', Values: ['x'] }, Tags: { Key: 'Owner', Values: ['y'] } } },
      /exactly one of And, Or, Not, Dimensions, Tags or CostCategories; it has Dimensions, Tags/,
    );
    await assertValidation({ Filter: {} }, /exactly one of .* it has none/);
    await assertValidation({ Filter: { Dimensions: { Key: 'SERVICE', Values: [] } } }, /at least one value/);
    await assertValidation(
      { Filter: { Dimensions: { Key: 'SERVICE', Values: ['x'], MatchOptions: ['CONTAINS'] } } },
      /MatchOptions value 'CONTAINS'/,
    );
    await assertValidation({ Filter: { Dimensions: { Key: 'RESOURCE_ID', Values: ['i-1'] } } }, /GetCostAndUsageWithResources/);
    await assertValidation({ Filter: { Tags: { Key: 'Owner' } } }, /needs Values, or MatchOptions \["ABSENT"\]/);
  });
});
