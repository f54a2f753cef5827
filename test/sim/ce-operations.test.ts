/** Cost Explorer beyond GetCostAndUsage, through the real AWS SDK client. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Big from 'big.js';
import {
  GetAnomaliesCommand,
  GetCostAndUsageWithResourcesCommand,
  GetCostForecastCommand,
  GetReservationPurchaseRecommendationCommand,
  GetRightsizingRecommendationCommand,
  GetSavingsPlansPurchaseRecommendationCommand,
  GetTagsCommand,
  type CostExplorerClient,
} from '@aws-sdk/client-cost-explorer';
import { addDays } from '../../src/sim/dates';
import { SERVICE, sumCosts } from '../../src/sim/scenario';
import { fitForecast, normalQuantile, predict } from '../../src/sim/services/ce-forecast';
import type { RunningSimulator } from '../../src/sim/server';
import { ANCHOR, ceClient, sampleScenario, startTestSimulator } from './helpers';

const scenario = sampleScenario();
let sim: RunningSimulator;
let client: CostExplorerClient;

before(async () => {
  sim = await startTestSimulator({ costExplorerPageSize: 5 });
  client = ceClient(sim, { maxAttempts: 1 });
});
after(async () => {
  client.destroy();
  await sim.close();
});

describe('GetCostAndUsageWithResources', () => {
  test('RESOURCE_ID groups over the last 14 days equal the scenario per resource', async () => {
    const period = { Start: addDays(ANCHOR, -13), End: addDays(ANCHOR, 1) };
    const totals = new Map<string, Big>();
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(
        new GetCostAndUsageWithResourcesCommand({
          TimePeriod: period,
          Granularity: 'MONTHLY',
          Metrics: ['UnblendedCost'],
          Filter: { Dimensions: { Key: 'SERVICE', Values: [SERVICE.ec2Compute, SERVICE.ec2Other] } },
          GroupBy: [{ Type: 'DIMENSION', Key: 'RESOURCE_ID' }],
          ...(token ? { NextPageToken: token } : {}),
        }),
      );
      pages++;
      for (const r of out.ResultsByTime ?? [])
        for (const g of r.Groups ?? []) {
          const key = g.Keys?.[0] ?? '';
          totals.set(key, (totals.get(key) ?? new Big(0)).plus(g.Metrics?.['UnblendedCost']?.Amount ?? '0'));
        }
      token = out.NextPageToken;
    } while (token);
    assert.ok(pages > 1, 'paged');
    const web1 = scenario.instances.find((i) => i.tags['Name'] === 'web-1');
    assert.ok(web1);
    const expected = sumCosts(scenario, {
      start: period.Start,
      end: period.End,
      resourceId: web1.instanceId,
      service: [SERVICE.ec2Compute, SERVICE.ec2Other],
    });
    assert.equal(totals.get(web1.instanceId)?.toString(), expected);
    assert.ok(totals.has('NoResourceId'), 'data transfer has no resource');
    const all = [...totals.values()].reduce((a, b) => a.plus(b), new Big(0));
    assert.equal(
      all.toString(),
      sumCosts(scenario, { start: period.Start, end: period.End, service: [SERVICE.ec2Compute, SERVICE.ec2Other] }),
    );
  });

  test("a RESOURCE_ID filter, and AWS's limits: 14 days, Filter required", async () => {
    const volume = scenario.volumes[0];
    assert.ok(volume);
    const input = {
      TimePeriod: { Start: addDays(ANCHOR, -7), End: ANCHOR },
      Granularity: 'DAILY' as const,
      Metrics: ['UnblendedCost', 'UsageQuantity'],
      Filter: { Dimensions: { Key: 'RESOURCE_ID' as const, Values: [volume.volumeId] } },
    };
    const first = await client.send(new GetCostAndUsageWithResourcesCommand(input));
    assert.equal(first.ResultsByTime?.length, 5, 'five periods a page');
    const second = await client.send(new GetCostAndUsageWithResourcesCommand({ ...input, NextPageToken: first.NextPageToken }));
    assert.equal(second.ResultsByTime?.length, 2);
    assert.equal(first.ResultsByTime?.[0]?.Total?.['UsageQuantity']?.Unit, 'GB-Mo');
    const total = [...(first.ResultsByTime ?? []), ...(second.ResultsByTime ?? [])].reduce(
      (sum, r) => sum.plus(r.Total?.['UnblendedCost']?.Amount ?? '0'),
      new Big(0),
    );
    assert.equal(
      total.toString(),
      sumCosts(scenario, { start: input.TimePeriod.Start, end: input.TimePeriod.End, resourceId: volume.volumeId }),
    );
    await assert.rejects(
      client.send(
        new GetCostAndUsageWithResourcesCommand({
          TimePeriod: { Start: addDays(ANCHOR, -20), End: ANCHOR },
          Granularity: 'DAILY',
          Metrics: ['UnblendedCost'],
          Filter: { Dimensions: { Key: 'SERVICE', Values: [SERVICE.ec2Compute] } },
        }),
      ),
      /last 14 days/,
    );
    await assert.rejects(
      client.send(
        new GetCostAndUsageWithResourcesCommand({
          TimePeriod: { Start: addDays(ANCHOR, -3), End: ANCHOR },
          Granularity: 'DAILY',
          Metrics: ['UnblendedCost'],
          Filter: undefined,
        }),
      ),
      /Filter is required/,
    );
  });
});

describe('GetCostForecast', () => {
  test('forecasts follow trend and weekly seasonality, with interval bounds', async () => {
    const out = await client.send(
      new GetCostForecastCommand({
        TimePeriod: { Start: ANCHOR, End: addDays(ANCHOR, 30) },
        Metric: 'UNBLENDED_COST',
        Granularity: 'DAILY',
        PredictionIntervalLevel: 80,
      }),
    );
    const days = out.ForecastResultsByTime ?? [];
    assert.equal(days.length, 30);
    let sum = new Big(0);
    for (const d of days) {
      const mean = Number(d.MeanValue);
      assert.ok(Number(d.PredictionIntervalLowerBound) <= mean && mean <= Number(d.PredictionIntervalUpperBound));
      sum = sum.plus(d.MeanValue ?? '0');
    }
    assert.equal(Number(out.Total?.Amount).toFixed(4), Number(sum.toString()).toFixed(4));
    // The forecast sits near recent actual daily spend.
    const recent = Number(sumCosts(scenario, { start: addDays(ANCHOR, -14), end: ANCHOR })) / 14;
    const forecastMean = Number(sum.toString()) / 30;
    assert.ok(Math.abs(forecastMean - recent) / recent < 0.15, `forecast ${forecastMean} vs recent ${recent}`);
    const monthly = await client.send(
      new GetCostForecastCommand({
        TimePeriod: { Start: ANCHOR, End: '2025-09-01' },
        Metric: 'UNBLENDED_COST',
        Granularity: 'MONTHLY',
        Filter: { Dimensions: { Key: 'SERVICE', Values: [SERVICE.s3] } },
      }),
    );
    assert.deepEqual(
      monthly.ForecastResultsByTime?.map((r) => r.TimePeriod?.Start),
      [ANCHOR, '2025-07-01', '2025-08-01'],
    );
  });

  test('validation: past start, level 51-99, usage metrics, horizon', async () => {
    const base = {
      TimePeriod: { Start: ANCHOR, End: addDays(ANCHOR, 5) },
      Metric: 'UNBLENDED_COST' as const,
      Granularity: 'DAILY' as const,
    };
    await assert.rejects(
      client.send(new GetCostForecastCommand({ ...base, TimePeriod: { Start: addDays(ANCHOR, -3), End: ANCHOR } })),
      /in the past/,
    );
    await assert.rejects(client.send(new GetCostForecastCommand({ ...base, PredictionIntervalLevel: 50 })), /between 51 and 99/);
    await assert.rejects(client.send(new GetCostForecastCommand({ ...base, Metric: 'USAGE_QUANTITY' })), /GetUsageForecast/);
    await assert.rejects(
      client.send(new GetCostForecastCommand({ ...base, TimePeriod: { Start: ANCHOR, End: '2025-12-01' } })),
      /too far ahead/,
    );
  });

  test('the model recovers a known trend and weekly season', () => {
    const origin = 20_000;
    const values = Array.from({ length: 56 }, (_, t) => {
      const weekday = (((origin + t + 4) % 7) + 7) % 7;
      return (100 + 2 * t) * (weekday === 0 || weekday === 6 ? 0.6 : 1.16) + (t === 30 ? 500 : 0);
    });
    const model = fitForecast(values, origin);
    const t = 70;
    const weekday = (((origin + t + 4) % 7) + 7) % 7;
    const truth = (100 + 2 * t) * (weekday === 0 || weekday === 6 ? 0.6 : 1.16);
    assert.ok(Math.abs(predict(model, origin + t).mean - truth) / truth < 0.03);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.1) + 1.281552) < 1e-5);
  });
});

describe('recommendations', () => {
  test('GetRightsizingRecommendation: the idle instance to terminate, the oversized one to modify, with the ground-truth savings', async () => {
    const out = await client.send(
      new GetRightsizingRecommendationCommand({
        Service: 'AmazonEC2',
        Configuration: { RecommendationTarget: 'SAME_INSTANCE_FAMILY', BenefitsConsidered: true },
      }),
    );
    const recs = out.RightsizingRecommendations ?? [];
    const idle = scenario.planted.find((p) => p.check === 'ec2-idle');
    const oversized = scenario.planted.find((p) => p.check === 'ec2-overprovisioned');
    const terminate = recs.find((r) => r.RightsizingType === 'TERMINATE');
    const modify = recs.find((r) => r.RightsizingType === 'MODIFY');
    assert.equal(terminate?.CurrentInstance?.ResourceId, idle?.resourceId);
    assert.equal(
      Number(terminate?.TerminateRecommendationDetail?.EstimatedMonthlySavings),
      Number(idle?.monthlySavings.toFixed(2)),
    );
    assert.equal(modify?.CurrentInstance?.ResourceId, oversized?.resourceId);
    const target = modify?.ModifyRecommendationDetail?.TargetInstances?.[0];
    assert.equal(target?.ResourceDetails?.EC2ResourceDetails?.InstanceType, 'm5.large');
    assert.equal(out.Summary?.TotalRecommendationCount, '2');
    await assert.rejects(client.send(new GetRightsizingRecommendationCommand({ Service: 'AmazonRDS' })), /AmazonEC2 only/);
  });

  test('GetSavingsPlansPurchaseRecommendation commits to the steady on-demand spend', async () => {
    const out = await client.send(
      new GetSavingsPlansPurchaseRecommendationCommand({
        SavingsPlansType: 'COMPUTE_SP',
        TermInYears: 'ONE_YEAR',
        PaymentOption: 'NO_UPFRONT',
        LookbackPeriodInDays: 'THIRTY_DAYS',
      }),
    );
    const rec = out.SavingsPlansPurchaseRecommendation;
    const detail = rec?.SavingsPlansPurchaseRecommendationDetails?.[0];
    assert.ok(detail);
    const minimum = Number(detail.CurrentMinimumHourlyOnDemandSpend);
    assert.ok(minimum > 0 && minimum <= Number(detail.CurrentAverageHourlyOnDemandSpend));
    assert.ok(Math.abs(Number(detail.HourlyCommitmentToPurchase) - minimum * 0.73) < 0.002);
    assert.ok(Number(rec?.SavingsPlansPurchaseRecommendationSummary?.EstimatedMonthlySavingsAmount) > 0);
  });

  test('GetReservationPurchaseRecommendation for EC2 and RDS, paged', async () => {
    const first = await client.send(
      new GetReservationPurchaseRecommendationCommand({
        Service: SERVICE.ec2Compute,
        PageSize: 2,
        TermInYears: 'ONE_YEAR',
        PaymentOption: 'NO_UPFRONT',
      }),
    );
    const details = first.Recommendations?.[0]?.RecommendationDetails ?? [];
    assert.equal(details.length, 2);
    assert.ok(first.NextPageToken);
    const m5 = details.find((d) => d.InstanceDetails?.EC2InstanceDetails?.InstanceType === 'm5.large');
    if (m5) assert.equal(m5.RecommendedNumberOfInstancesToPurchase, '2');
    const second = await client.send(
      new GetReservationPurchaseRecommendationCommand({
        Service: SERVICE.ec2Compute,
        PageSize: 2,
        TermInYears: 'ONE_YEAR',
        PaymentOption: 'NO_UPFRONT',
        NextPageToken: first.NextPageToken,
      }),
    );
    assert.ok((second.Recommendations?.[0]?.RecommendationDetails?.length ?? 0) > 0);
    const rds = await client.send(new GetReservationPurchaseRecommendationCommand({ Service: SERVICE.rds }));
    assert.ok(
      rds.Recommendations?.[0]?.RecommendationDetails?.some(
        (d) => d.InstanceDetails?.RDSInstanceDetails?.InstanceType === 'db.r5.large',
      ),
    );
  });
});

describe('GetAnomalies and GetTags', () => {
  test('the planted spikes are anomalies with root causes', async () => {
    const out = await client.send(
      new GetAnomaliesCommand({ DateInterval: { StartDate: addDays(ANCHOR, -90), EndDate: ANCHOR } }),
    );
    const anomalies = out.Anomalies ?? [];
    assert.equal(anomalies.length, scenario.events.length);
    for (const event of scenario.events) {
      const anomaly = anomalies.find((a) => a.AnomalyStartDate?.startsWith(event.date));
      assert.ok(anomaly, event.description);
      assert.equal(anomaly.DimensionValue, event.service);
      assert.ok((anomaly.Impact?.TotalImpact ?? 0) > 20);
      assert.ok((anomaly.RootCauses?.length ?? 0) > 0);
    }
    const gpu = anomalies.find((a) => a.DimensionValue === SERVICE.ec2Compute);
    assert.match(gpu?.RootCauses?.[0]?.UsageType ?? '', /BoxUsage:p3\.2xlarge/);
    const big = await client.send(
      new GetAnomaliesCommand({
        DateInterval: { StartDate: addDays(ANCHOR, -90) },
        TotalImpact: { NumericOperator: 'GREATER_THAN', StartValue: 1e9 },
      }),
    );
    assert.deepEqual(big.Anomalies, []);
    await assert.rejects(client.send(new GetAnomaliesCommand({ DateInterval: undefined })), /dateInterval/);
  });

  test('GetTags lists cost-allocation keys and values, with search and paging', async () => {
    const period = { Start: addDays(ANCHOR, -30), End: ANCHOR };
    const keys = await client.send(new GetTagsCommand({ TimePeriod: period }));
    assert.ok(keys.Tags?.includes('Environment') && keys.Tags.includes('environment') && keys.Tags.includes('CostCenter'));
    assert.ok(!keys.Tags?.includes('Name'));
    const values = await client.send(new GetTagsCommand({ TimePeriod: period, TagKey: 'Environment' }));
    assert.ok(values.Tags?.includes('prod') && values.Tags.includes('Production'));
    const searched = await client.send(new GetTagsCommand({ TimePeriod: period, TagKey: 'Environment', SearchString: 'PROD' }));
    assert.ok(searched.Tags?.every((t) => t.toLowerCase().includes('prod')));
    const paged = await client.send(new GetTagsCommand({ TimePeriod: period, TagKey: 'Environment', MaxResults: 2 }));
    assert.equal(paged.ReturnSize, 2);
    assert.equal(paged.TotalSize, values.Tags?.length);
    assert.ok(paged.NextPageToken);
  });
});
