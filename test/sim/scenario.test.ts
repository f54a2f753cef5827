import { test } from 'node:test';
import assert from 'node:assert/strict';
import Big from 'big.js';
import { addDays } from '../../src/sim/dates';
import {
  SERVICE,
  businessSupportFee,
  costFingerprint,
  generateScenario,
  sumCosts,
  sumCostsBy,
  type CostLine,
} from '../../src/sim/scenario';
import { ANCHOR, sampleScenario } from './helpers';

test('the small scenario: one account, two regions, the expected services and resources', () => {
  const scenario = sampleScenario();
  assert.deepEqual(scenario.accounts, [{ id: '123456789012', name: 'sample-production' }]);
  assert.deepEqual(scenario.regions, ['us-east-1', 'eu-west-1']);
  assert.equal(scenario.anchorDate, ANCHOR);
  assert.deepEqual(scenario.supportPlans, { '123456789012': 'business' });
  const services = new Set(scenario.costs.map((l) => l.service));
  assert.deepEqual(
    [...services].sort(),
    [
      SERVICE.ec2Compute,
      SERVICE.ec2Other,
      SERVICE.vpc,
      SERVICE.s3,
      SERVICE.rds,
      SERVICE.cloudWatch,
      SERVICE.supportBusiness,
    ].sort(),
  );
  const count =
    scenario.instances.length +
    scenario.volumes.length +
    scenario.addresses.length +
    scenario.snapshots.length +
    scenario.databases.length +
    scenario.buckets.length;
  assert.ok(count >= 12 && count <= 40, `${count} resources`);
  for (const list of [scenario.instances, scenario.volumes, scenario.databases, scenario.buckets]) assert.ok(list.length > 0);
  const ids = [...scenario.instances.map((i) => i.instanceId), ...scenario.volumes.map((v) => v.volumeId)];
  assert.equal(new Set(ids).size, ids.length, 'resource ids are unique');
  for (const instance of scenario.instances) {
    assert.match(instance.instanceId, /^i-0[0-9a-f]{16}$/);
    assert.ok(instance.blockDevices.length >= 1, 'every instance has a root volume');
    assert.ok(instance.metrics['AWS/EC2/CPUUtilization'], 'CPU metric profile');
  }
  assert.ok(scenario.costs.some((l) => l.usageType === 'BoxUsage:m5.large'));
  assert.ok(scenario.costs.some((l) => l.usageType === 'EU-BoxUsage:m5.large'));
  // Every usage type the scenario bills has a price in its own price list.
  assert.ok(
    scenario.prices.some(
      (p) =>
        p.attributes['instanceType'] === 'm5.large' && p.attributes['regionCode'] === 'eu-west-1' && p.pricePerUnit === '0.107',
    ),
  );
});

test('costs run from anchorDate - historyDays to anchorDate inclusive, sorted, with the anchor day half billed', () => {
  const scenario = sampleScenario();
  assert.equal(scenario.historyStart, addDays(ANCHOR, -430));
  const dates = scenario.costs.map((l) => l.date);
  assert.equal(dates[0], scenario.historyStart);
  assert.equal(dates[dates.length - 1], ANCHOR);
  assert.deepEqual(dates, [...dates].sort());
  assert.equal(new Set(dates).size, 431);

  const web1 = scenario.instances.find((i) => i.tags['Name'] === 'web-1');
  assert.ok(web1);
  const lineOn = (date: string): CostLine | undefined =>
    scenario.costs.find((l) => l.resourceId === web1.instanceId && l.date === date && l.usageType === 'BoxUsage:m5.large');
  assert.equal(lineOn(addDays(ANCHOR, -1))?.amount, 2.304);
  assert.equal(lineOn(ANCHOR)?.amount, 1.152);
  assert.equal(lineOn(ANCHOR)?.usageQuantity, 12);

  for (const line of scenario.costs) {
    assert.ok(line.amount >= 0, 'amounts are not negative');
    assert.ok(Number.isFinite(line.amount));
    assert.equal(Number(line.amount.toFixed(10)), line.amount, 'at most 10 decimal places');
  }
});

test('costs follow the resources: a stopped instance bills only its EBS, storage prorates per day', () => {
  const scenario = sampleScenario();
  const jenkins = scenario.instances.find((i) => i.tags['Name'] === 'old-jenkins');
  assert.ok(jenkins && jenkins.state === 'stopped' && jenkins.stoppedAt);
  const day = addDays(ANCHOR, -5);
  const lines = scenario.costs.filter((l) => l.date === day);
  assert.ok(!lines.some((l) => l.resourceId === jenkins.instanceId), 'no instance hours after the stop');
  const root = jenkins.blockDevices[0]?.volumeId;
  const volumeLine = lines.find((l) => l.resourceId === root);
  assert.ok(volumeLine, 'its volume still bills');
  // 100 GiB gp3 at $0.08 per GB-month, June has 30 days.
  assert.equal(volumeLine.amount, Number(((100 * 0.08) / 30).toFixed(10)));
  assert.equal(volumeLine.usageUnit, 'GB-Mo');
});

test('the same seed gives an identical scenario; another seed a different one', () => {
  const a = generateScenario({ seed: 7, anchorDate: ANCHOR });
  const b = generateScenario({ seed: 7, anchorDate: ANCHOR });
  const c = generateScenario({ seed: 8, anchorDate: ANCHOR });
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  assert.equal(costFingerprint(a), costFingerprint(b));
  assert.notEqual(JSON.stringify(a.instances.map((r) => r.instanceId)), JSON.stringify(c.instances.map((r) => r.instanceId)));
  assert.notEqual(sumCosts(a), sumCosts(c));
  // Same structure, though: the seed changes identifiers, noise and spike days, not the account.
  const shape = (r: { instanceType: string; region: string }): string => `${r.instanceType} ${r.region}`;
  assert.deepEqual(a.instances.map(shape), c.instances.map(shape));
});

test('generation is fast', () => {
  generateScenario({ seed: 1, anchorDate: ANCHOR });
  const started = performance.now();
  generateScenario({ seed: 2, anchorDate: ANCHOR });
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 1000, `took ${elapsed.toFixed(1)} ms`);
});

test('tags run from tidy to messy', () => {
  const scenario = sampleScenario();
  const tagged = [...scenario.instances, ...scenario.databases, ...scenario.buckets];
  const envValues = new Set(tagged.map((r) => r.tags['Environment']).filter(Boolean));
  assert.ok(envValues.has('prod') && envValues.has('Production'), 'both prod and Production');
  assert.ok(
    scenario.instances.some((r) => r.tags['CostCenter'] && r.tags['Owner'] && r.tags['Environment']),
    'some fully tagged',
  );
  assert.ok(
    scenario.instances.some((r) => !r.tags['CostCenter']),
    'some without CostCenter',
  );
  assert.ok(
    scenario.instances.some((r) => !r.tags['Owner']),
    'some without Owner',
  );
  assert.ok(
    tagged.some((r) => r.tags['environment'] !== undefined),
    'a lower-case tag key',
  );
  assert.ok(!scenario.costAllocationTags.includes('Name'), 'Name is not a cost-allocation tag');
});

test('weekly seasonality, growth and planted spikes', () => {
  const scenario = sampleScenario();
  const batch2 = scenario.instances.find((r) => r.tags['Name'] === 'batch-2');
  assert.ok(batch2);
  const batchDays = scenario.costs
    .filter((l) => l.resourceId === batch2.instanceId && l.service === SERVICE.ec2Compute)
    .map((l) => new Date(`${l.date}T00:00:00Z`).getUTCDay());
  assert.ok(batchDays.length > 50);
  assert.ok(
    batchDays.every((d) => d !== 0 && d !== 6),
    'weekday-only instance has no weekend cost',
  );

  const firstFullMonth = new Big(sumCosts(scenario, { start: '2024-05-01', end: '2024-06-01' }));
  const lastFullMonth = new Big(sumCosts(scenario, { start: '2025-05-01', end: '2025-06-01' }));
  assert.ok(lastFullMonth.gt(firstFullMonth), 'spend grows over the year');

  assert.equal(scenario.events.length, 2);
  const daily = sumCostsBy(scenario, (l) => l.date, { end: ANCHOR });
  const amounts = [...daily.values()].map(Number).sort((x, y) => x - y);
  const median = amounts[Math.floor(amounts.length / 2)] ?? 0;
  for (const event of scenario.events) {
    const onDay = Number(daily.get(event.date));
    assert.ok(onDay > median + 30, `${event.description} (${event.date}: ${onDay} vs median ${median})`);
  }
});

test('Business support: the greater of $100 or the tiered percentage of the month, spread over its days', () => {
  assert.equal(businessSupportFee(0), 100);
  assert.equal(businessSupportFee(500), 100);
  assert.equal(businessSupportFee(2_000), 200);
  assert.equal(Math.round(businessSupportFee(20_000) * 100) / 100, 1000 + 700);
  const scenario = sampleScenario();
  const month = { start: '2025-03-01', end: '2025-04-01' };
  const support = Number(sumCosts(scenario, { ...month, service: SERVICE.supportBusiness }));
  const usage = Number(sumCosts(scenario, { ...month, where: (l) => l.service !== SERVICE.supportBusiness }));
  assert.ok(Math.abs(support - businessSupportFee(usage)) < 0.01, `${support} vs fee of ${usage}`);
  const supportLines = scenario.costs.filter((l) => l.service === SERVICE.supportBusiness && l.date.startsWith('2025-03'));
  assert.equal(supportLines.length, 31);
  assert.ok(supportLines.every((l) => l.region === 'global' && l.amount === supportLines[0]?.amount));
});

test('sumCosts filters and sums exactly', () => {
  const scenario = sampleScenario();
  const query = { start: '2025-06-01', end: '2025-06-08', service: SERVICE.ec2Compute, region: 'us-east-1' };
  let manual = new Big(0);
  for (const l of scenario.costs) {
    if (l.date >= query.start && l.date < query.end && l.service === query.service && l.region === query.region)
      manual = manual.plus(l.amount);
  }
  assert.equal(sumCosts(scenario, query), manual.toString());
  assert.equal(sumCosts(scenario, { start: '2030-01-01' }), '0');
  const untagged = new Big(sumCosts(scenario, { tags: { CostCenter: null } }));
  const tagged = new Big(sumCosts(scenario, { where: (l) => l.tags['CostCenter'] !== undefined }));
  assert.equal(untagged.plus(tagged).toString(), sumCosts(scenario));
});

test('bad generator options are refused', () => {
  assert.throws(() => generateScenario({ anchorDate: '2025-02-30' }), /anchorDate/);
  assert.throws(() => generateScenario({ anchorDate: ANCHOR, historyDays: -1 }), /historyDays/);
  assert.throws(() => generateScenario({ anchorDate: ANCHOR, seed: 1.5 }), /seed/);
  assert.throws(() => generateScenario({ anchorDate: ANCHOR, size: 'huge' as 'small' }), /size/);
  assert.throws(() => generateScenario({ anchorDate: ANCHOR, waste: 'some' as 'none' }), /waste/);
});
