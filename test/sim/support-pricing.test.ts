/** Support (Trusted Advisor) and Pricing through the real AWS SDK clients. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeTrustedAdvisorCheckResultCommand,
  DescribeTrustedAdvisorChecksCommand,
  DescribeTrustedAdvisorCheckSummariesCommand,
  SupportClient,
  SupportServiceException,
} from '@aws-sdk/client-support';
import { GetProductsCommand, PricingClient, paginateGetProducts } from '@aws-sdk/client-pricing';
import { generateScenario, type Scenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { ANCHOR, sampleScenario, startTestSimulator } from './helpers';

function support(sim: RunningSimulator, accessKeyId = 'AKIAEXAMPLEEXAMPLE01'): SupportClient {
  return new SupportClient({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: { accessKeyId, secretAccessKey: 'x' },
    maxAttempts: 1,
  });
}

describe('Trusted Advisor through the Support API', () => {
  let sim: RunningSimulator;
  let client: SupportClient;
  const scenario = sampleScenario();

  before(async () => {
    sim = await startTestSimulator();
    client = support(sim);
  });
  after(async () => {
    client.destroy();
    await sim.close();
  });

  test('DescribeTrustedAdvisorChecks lists every category with metadata columns', async () => {
    const out = await client.send(new DescribeTrustedAdvisorChecksCommand({ language: 'en' }));
    const checks = out.checks ?? [];
    assert.deepEqual(
      new Set(checks.map((c) => c.category)),
      new Set(['cost_optimizing', 'security', 'fault_tolerance', 'performance', 'service_limits']),
    );
    const lowUtilization = checks.find((c) => c.id === 'Qch7DwouX1');
    assert.equal(lowUtilization?.name, 'Low Utilization Amazon EC2 Instances');
    assert.deepEqual(lowUtilization?.metadata?.slice(0, 5), [
      'Region/AZ',
      'Instance ID',
      'Instance Name',
      'Instance Type',
      'Estimated Monthly Savings',
    ]);
    assert.equal(lowUtilization?.metadata?.length, 22);
    for (const id of ['DAvU99Dc4C', 'Z4AUBRNSmz', 'Ti39halfu8', 'c18d2gz150', 'c18d2gz100', 'c18d2gz171', 'c1cj39rr6v']) {
      assert.ok(
        checks.some((c) => c.id === id && c.category === 'cost_optimizing'),
        id,
      );
    }
    await assert.rejects(client.send(new DescribeTrustedAdvisorChecksCommand({ language: undefined })), /language/);
  });

  test('check results agree with the scenario: the idle instance, the unattached volume, the EIPs, the idle database', async () => {
    const low = (await client.send(new DescribeTrustedAdvisorCheckResultCommand({ checkId: 'Qch7DwouX1', language: 'en' })))
      .result;
    const idle = scenario.planted.find((p) => p.check === 'ec2-idle');
    assert.ok(idle && low);
    assert.equal(low.status, 'warning');
    const row = low.flaggedResources?.find((r) => r.metadata?.[1] === idle.resourceId);
    assert.ok(row, 'the idle instance is flagged');
    assert.equal(row.metadata?.[3], 'm5.2xlarge');
    assert.equal(row.metadata?.[4], `$${idle.monthlySavings.toFixed(2)}`);
    assert.match(row.metadata?.[5] ?? '', /^\d+\.\d% {2}\d+\.\d\dMB$/);
    assert.equal(row.metadata?.[21], '14 days');
    assert.ok((low.categorySpecificSummary?.costOptimizing?.estimatedMonthlySavings ?? 0) >= idle.monthlySavings - 0.01);

    const eips = (await client.send(new DescribeTrustedAdvisorCheckResultCommand({ checkId: 'Z4AUBRNSmz', language: 'en' })))
      .result;
    const expected = scenario.planted.filter((p) => p.check === 'eip-unassociated').length;
    assert.equal(eips?.flaggedResources?.length, expected);
    assert.equal(eips?.resourcesSummary?.resourcesFlagged, expected);

    const rds = (await client.send(new DescribeTrustedAdvisorCheckResultCommand({ checkId: 'Ti39halfu8', language: 'en' })))
      .result;
    assert.deepEqual(
      rds?.flaggedResources?.map((r) => r.metadata?.[1]),
      scenario.planted.filter((p) => p.check === 'rds-idle').map((p) => p.resourceId),
    );
    assert.equal(rds?.flaggedResources?.[0]?.metadata?.[5], '14+');

    const ebs = (await client.send(new DescribeTrustedAdvisorCheckResultCommand({ checkId: 'DAvU99Dc4C', language: 'en' })))
      .result;
    const unattached = scenario.planted.filter((p) => p.check === 'ebs-unattached').map((p) => p.resourceId);
    for (const id of unattached)
      assert.ok(
        ebs?.flaggedResources?.some((r) => r.metadata?.[1] === id),
        id,
      );

    await assert.rejects(
      client.send(new DescribeTrustedAdvisorCheckResultCommand({ checkId: 'nope', language: 'en' })),
      /checkId nope is not valid/,
    );
  });

  test('DescribeTrustedAdvisorCheckSummaries carries costOptimizing savings', async () => {
    const out = await client.send(new DescribeTrustedAdvisorCheckSummariesCommand({ checkIds: ['Qch7DwouX1', 'HCP4007jGY'] }));
    const [low, security] = out.summaries ?? [];
    assert.equal(low?.hasFlaggedResources, true);
    assert.ok((low?.categorySpecificSummary?.costOptimizing?.estimatedMonthlySavings ?? 0) > 0);
    assert.equal(security?.hasFlaggedResources, false);
  });
});

describe('accounts without Business support', () => {
  let medium: Scenario;
  let sim: RunningSimulator;

  before(async () => {
    medium = generateScenario({ seed: 3, anchorDate: ANCHOR, size: 'medium' });
    sim = await startSimulator({ port: 0, scenario: medium });
  });
  after(() => sim.close());

  test('a Basic-support account gets SubscriptionRequiredException; a Business one its own results', async () => {
    const basic = medium.accounts.find((a) => medium.supportPlans[a.id] === 'basic');
    const business = medium.accounts.find((a) => a.roleName && medium.supportPlans[a.id] === 'business');
    assert.ok(basic && business);
    const basicClient = support(sim, `ASIA${basic.id}ABCD`);
    await assert.rejects(basicClient.send(new DescribeTrustedAdvisorChecksCommand({ language: 'en' })), (error: unknown) => {
      assert.ok(error instanceof SupportServiceException);
      assert.equal(error.name, 'SubscriptionRequiredException');
      assert.equal(error.message, 'AWS Premium Support Subscription is required to use this service.');
      return true;
    });
    basicClient.destroy();
    const memberClient = support(sim, `ASIA${business.id}ABCD`);
    const result = (
      await memberClient.send(new DescribeTrustedAdvisorCheckResultCommand({ checkId: 'c18d2gz100', language: 'en' }))
    ).result;
    const own = medium.trustedAdvisor.find((r) => r.account === business.id && r.checkId === 'c18d2gz100');
    assert.equal(result?.flaggedResources?.length, own?.flaggedResources.length);
    memberClient.destroy();
  });
});

describe('Pricing GetProducts', () => {
  let sim: RunningSimulator;
  let client: PricingClient;
  const scenario = sampleScenario();

  before(async () => {
    sim = await startTestSimulator();
    client = new PricingClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
  });
  after(async () => {
    client.destroy();
    await sim.close();
  });

  test('TERM_MATCH filters return the scenario price as a JSON string in the Price List shape', async () => {
    const out = await client.send(
      new GetProductsCommand({
        ServiceCode: 'AmazonEC2',
        FormatVersion: 'aws_v1',
        Filters: [
          { Type: 'TERM_MATCH', Field: 'instanceType', Value: 'm5.large' },
          { Type: 'TERM_MATCH', Field: 'location', Value: 'EU (Ireland)' },
          { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
        ],
      }),
    );
    assert.equal(out.FormatVersion, 'aws_v1');
    assert.equal(out.PriceList?.length, 1);
    const product = JSON.parse(out.PriceList?.[0] as string) as {
      product: { sku: string; attributes: Record<string, string> };
      terms: { OnDemand: Record<string, { priceDimensions: Record<string, { unit: string; pricePerUnit: { USD: string } }> }> };
    };
    assert.equal(product.product.attributes['regionCode'], 'eu-west-1');
    const term = Object.values(product.terms.OnDemand)[0];
    const dimension = Object.values(term?.priceDimensions ?? {})[0];
    assert.equal(dimension?.unit, 'Hrs');
    assert.equal(Number(dimension?.pricePerUnit.USD), 0.107);
    const entry = scenario.prices.find((p) => p.sku === product.product.sku);
    assert.equal(entry?.pricePerUnit, '0.107');
  });

  test('paging with MaxResults and NextToken covers every product once', async () => {
    const skus: string[] = [];
    for await (const page of paginateGetProducts({ client, pageSize: 3 }, { ServiceCode: 'AmazonEC2', MaxResults: 3 })) {
      assert.ok((page.PriceList?.length ?? 0) <= 3);
      for (const doc of page.PriceList ?? []) skus.push((JSON.parse(String(doc)) as { product: { sku: string } }).product.sku);
    }
    // The whole catalogue, as the Pricing API serves it: the scenario's own prices and every other type in every Region.
    const expected = scenario.prices.filter((p) => p.serviceCode === 'AmazonEC2' && p.attributes['marketoption'] !== 'Spot');
    assert.ok(skus.length > expected.length, `${skus.length} products`);
    for (const p of expected) assert.ok(skus.includes(p.sku), p.sku);
    assert.equal(new Set(skus).size, skus.length);
    const products: { attributes: Record<string, string> }[] = [];
    const filter = { ServiceCode: 'AmazonEC2', Filters: [{ Type: 'TERM_MATCH' as const, Field: 'instanceType', Value: 'm7g.large' }] };
    for await (const page of paginateGetProducts({ client }, filter))
      for (const doc of page.PriceList ?? []) products.push((JSON.parse(String(doc)) as { product: { attributes: Record<string, string> } }).product);
    const regions = new Set(products.map((p) => p.attributes['regionCode']));
    assert.ok(products.every((p) => p.attributes['networkPerformance'] === 'Up to 12.5 Gigabit'), 'networkPerformance as AWS words it');
    assert.ok(regions.has('us-east-1') && regions.has('eu-west-1') && regions.has('ap-southeast-2'), [...regions].join(','));
  });

  test('storage and database prices; bad input', async () => {
    const gp3 = await client.send(
      new GetProductsCommand({
        ServiceCode: 'AmazonEC2',
        Filters: [
          { Type: 'TERM_MATCH', Field: 'volumeApiName', Value: 'gp3' },
          { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' },
          { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'Storage' },
        ],
      }),
    );
    assert.equal(gp3.PriceList?.length, 1);
    const rds = await client.send(
      new GetProductsCommand({
        ServiceCode: 'AmazonRDS',
        Filters: [{ Type: 'TERM_MATCH', Field: 'deploymentOption', Value: 'Multi-AZ' }],
      }),
    );
    assert.ok((rds.PriceList?.length ?? 0) > 0);
    await assert.rejects(client.send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', MaxResults: 101 })), /between 1 and 100/);
    await assert.rejects(client.send(new GetProductsCommand({ ServiceCode: 'NoSuchService' })), /not found/);
  });
});
