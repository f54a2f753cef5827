/**
 * EC2 instance checks: idle, over-provisioned (with the fit check), previous generation (with Graviton
 * alternatives), stopped long, burstable credits, Auto Scaling groups, and what gets no recommendation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  evaluateInstances,
  gravitonAlternatives,
  smallerTypes,
  typesToPrice,
  wantsCpu,
  wantsCredits,
  wantsNetwork,
  type InstanceFacts,
  type InstanceMetrics,
} from '../../src/domain/checks/ec2';
import { DEFAULT_THRESHOLDS, resolveThresholds } from '../../src/domain/checks/thresholds';
import { priceKey, type PriceBook } from '../../src/domain/pricing';

const ASOF = '2026-11-21';
const t = DEFAULT_THRESHOLDS.ec2;
const REGION = 'us-east-1';

function prices(hourly: Record<string, string>, extra: PriceBook = {}): PriceBook {
  const book: PriceBook = { ...extra };
  const vcpu: Record<string, string> = { large: '2', xlarge: '4', '2xlarge': '8', '4xlarge': '16', medium: '2' };
  for (const [type, usd] of Object.entries(hourly)) {
    book[priceKey.ec2Instance(REGION, type)] = { usd, unit: 'Hrs', attributes: { vcpu: vcpu[type.split('.')[1]!] ?? '2' } };
  }
  return book;
}

const BOOK = prices(
  { 'm5.2xlarge': '0.384', 'm5.xlarge': '0.192', 'm5.large': '0.096', 'm4.xlarge': '0.2', 'm7g.xlarge': '0.1632', 't3.large': '0.0832', 't3.xlarge': '0.1664' },
  {
    [priceKey.ebsStorage(REGION, 'gp3')]: { usd: '0.08', unit: 'GB-Mo' },
    [priceKey.ebsStorage(REGION, 'gp2')]: { usd: '0.1', unit: 'GB-Mo' },
  },
);

function instance(overrides: Partial<InstanceFacts> = {}): InstanceFacts {
  return {
    account: '111122223333',
    region: REGION,
    instanceId: 'i-0123456789abcdef0',
    instanceType: 'm5.2xlarge',
    state: 'running',
    launchTime: '2026-01-01T00:00:00.000Z',
    lifecycle: 'on-demand',
    platform: 'linux',
    tags: { Name: 'web-1', Environment: 'prod' },
    ...overrides,
  };
}

const QUIET_NETWORK = Array.from({ length: 14 }, () => 1_500_000);
const BUSY_NETWORK = Array.from({ length: 14 }, () => 900_000_000);

function run(instances: InstanceFacts[], metrics: Record<string, InstanceMetrics> | undefined, book = BOOK, thresholds = t) {
  return evaluateInstances({
    instances,
    volumes: [{ volumeId: 'vol-1', volumeType: 'gp2', sizeGiB: 100, attachedTo: 'i-stopped' }, { volumeId: 'vol-2', volumeType: 'gp3', sizeGiB: 50, attachedTo: 'i-stopped' }],
    metrics: metrics ? new Map(Object.entries(metrics)) : undefined,
    prices: book,
    asOf: ASOF,
    thresholds,
  });
}

test('an idle instance: CPU p95 under 2% and under 5 MB of network on every day → stop, saving its price', () => {
  const { findings } = run([instance()], { 'i-0123456789abcdef0': { cpuP95: 0.8, cpuMax: 1.9, networkDaily: QUIET_NETWORK } });
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.equal(f.check, 'ec2-idle');
  assert.equal(f.action, 'stop');
  assert.equal(f.monthlySavings, '280.32'); // 0.384 × 730
  assert.equal(f.id, 'ec2-idle/111122223333/us-east-1/i-0123456789abcdef0');
  assert.equal(f.resource.name, 'web-1');
  assert.equal(f.evidence['cpuP95Percent'], 0.8);
  assert.equal(f.evidence['metricDays'], 14);
  assert.equal(f.cliCommand, 'aws ec2 stop-instances --region us-east-1 --instance-ids i-0123456789abcdef0');
  assert.match(f.consoleUrl ?? '', /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/ec2\//);
});

test('one busy network day is not idle: a quiet CPU with traffic is rightsized instead', () => {
  const network = [...QUIET_NETWORK];
  network[3] = 6_000_000;
  const { findings } = run([instance()], { 'i-0123456789abcdef0': { cpuP95: 1, cpuMax: 3, networkDaily: network } });
  assert.deepEqual(findings.map((f) => f.check), ['ec2-overprovisioned']);
});

test('an over-provisioned instance goes one size down when the CPU fits with headroom', () => {
  const { findings } = run([instance()], { 'i-0123456789abcdef0': { cpuP95: 15, cpuMax: 24, networkDaily: BUSY_NETWORK } });
  const f = findings[0]!;
  assert.equal(f.check, 'ec2-overprovisioned');
  assert.equal(f.action, 'rightsize');
  assert.equal(f.evidence['targetInstanceType'], 'm5.xlarge');
  assert.equal(f.evidence['projectedCpuP95Percent'], 30);
  assert.equal(f.evidence['projectedCpuMaxPercent'], 48);
  // Graviton priced at the target size, not the current one.
  assert.deepEqual(
    [f.evidence['gravitonInstanceType'], f.evidence['gravitonHourlyPriceUsd'], f.evidence['gravitonExtraMonthlySavingsUsd']],
    ['m7g.xlarge', 0.1632, 21.02],
  );
  assert.match(f.recommendation, /Graviton m7g\.xlarge .* further 21\.02 USD a month/);
  assert.equal(f.monthlySavings, '140.16'); // (0.384 − 0.192) × 730
  assert.match(f.cliCommand ?? '', /modify-instance-attribute --region us-east-1 --instance-id i-0123456789abcdef0 --instance-type Value=m5\.xlarge/);
});

test('rightsizing checks network bandwidth: the smaller size must carry the busiest day at 25% of its baseline', () => {
  const withNetwork = (performance: string): PriceBook => {
    const book = { ...BOOK };
    for (const type of ['m5.2xlarge', 'm5.xlarge']) {
      const key = priceKey.ec2Instance(REGION, type);
      book[key] = { ...book[key]!, attributes: { ...book[key]!.attributes, networkPerformance: performance } };
    }
    return book;
  };
  // m5.xlarge: "Up to 10 Gigabit", 4 vCPUs → 1.25 Gbit/s sustained; 25% is 312.5 Mbit/s = 3.375 TB a day.
  const quiet = run([instance()], { 'i-0123456789abcdef0': { cpuP95: 15, cpuMax: 24, networkDaily: BUSY_NETWORK } }, withNetwork('Up to 10 Gigabit'));
  assert.equal(quiet.findings[0]?.evidence['networkChecked'], true);
  assert.equal(quiet.findings[0]?.evidence['targetNetworkBaselineMbps'], 1250);
  const heavy = Array.from({ length: 14 }, (_, i) => (i === 5 ? 3.5e12 : 1e9));
  assert.deepEqual(run([instance()], { 'i-0123456789abcdef0': { cpuP95: 15, cpuMax: 24, networkDaily: heavy } }, withNetwork('Up to 10 Gigabit')).findings, []);
  // A sustained "25 Gigabit" carries it.
  assert.equal(run([instance()], { 'i-0123456789abcdef0': { cpuP95: 15, cpuMax: 24, networkDaily: heavy } }, withNetwork('25 Gigabit')).findings.length, 1);
});

test('the types to price include Graviton at every size a recommendation may land on', () => {
  const types = typesToPrice('m5.2xlarge');
  for (const type of ['m7g.2xlarge', 'm7g.xlarge', 'm7g.large']) assert.ok(types.includes(type), type);
  assert.ok(typesToPrice('m4.xlarge').includes('m7g.large'), 'the upgrade target one size down too');
});

test('a smaller size that would not fit is not recommended', () => {
  // With a looser over-provisioning bound the maximum qualifies, but 45% on half the vCPUs is 90% > 80%.
  const loose = resolveThresholds({ ec2: { overprovisionedCpuMaxPercent: 50 } }).ec2;
  const { findings } = run([instance()], { 'i-0123456789abcdef0': { cpuP95: 15, cpuMax: 45, networkDaily: BUSY_NETWORK } }, BOOK, loose);
  assert.deepEqual(findings, []);
});

test('no smaller size with a price: no rightsizing', () => {
  const { findings } = run([instance({ instanceType: 'm5.large' })], { 'i-0123456789abcdef0': { cpuP95: 10, cpuMax: 20, networkDaily: BUSY_NETWORK } });
  assert.deepEqual(findings, []);
});

test('a previous-generation instance moves to the same size of the newer family, with its Graviton alternative', () => {
  const { findings } = run([instance({ instanceType: 'm4.xlarge' })], { 'i-0123456789abcdef0': { cpuP95: 55, cpuMax: 80 } });
  const f = findings[0]!;
  assert.equal(f.check, 'ec2-previous-generation');
  assert.equal(f.action, 'upgrade');
  assert.equal(f.evidence['targetInstanceType'], 'm5.xlarge');
  assert.equal(f.monthlySavings, '5.84'); // (0.2 − 0.192) × 730
  assert.equal(f.evidence['gravitonInstanceType'], 'm7g.xlarge');
  assert.equal(f.evidence['gravitonExtraMonthlySavingsUsd'], 21.02); // (0.192 − 0.1632) × 730
  assert.equal(f.confidence, 'high');
});

test('an instance stopped 30 days or more saves its volumes; one stopped 20 days does not', () => {
  const old = instance({ instanceId: 'i-stopped', state: 'stopped', stoppedAt: '2026-10-01T10:00:00.000Z' });
  const { findings, stoppedLong } = run([old], {});
  const f = findings[0]!;
  assert.equal(f.check, 'ec2-stopped-long');
  assert.equal(f.action, 'terminate');
  assert.equal(f.monthlySavings, '14'); // 100 × 0.1 + 50 × 0.08
  assert.equal(f.evidence['stoppedDays'], 50);
  assert.equal(f.evidence['volumeIds'], 'vol-1,vol-2');
  assert.ok(stoppedLong.has('i-stopped'));
  const recent = instance({ instanceId: 'i-stopped', state: 'stopped', stoppedAt: '2026-11-01T10:00:00.000Z' });
  assert.deepEqual(run([recent], {}).findings, []);
});

test('Spot instances, Auto Scaling members and young instances get no instance recommendation', () => {
  const quiet = { cpuP95: 0.5, cpuMax: 1, networkDaily: QUIET_NETWORK };
  const instances = [
    instance({ instanceId: 'i-spot', lifecycle: 'spot' }),
    instance({ instanceId: 'i-young', launchTime: '2026-11-15T00:00:00.000Z' }),
  ];
  const { findings, declined } = run(instances, { 'i-spot': quiet, 'i-young': quiet });
  assert.deepEqual(findings, []);
  assert.deepEqual(declined, { spot: 1, 'less than 14 days of metrics': 1 });
});

test('an Auto Scaling group whose members all run quiet is one group-level review, not counted in dollars', () => {
  const members = ['i-a', 'i-b', 'i-c'].map((id) => instance({ instanceId: id, instanceType: 'm5.large', autoScalingGroup: 'web-asg' }));
  const { findings } = run(members, { 'i-a': { cpuP95: 5, cpuMax: 9 }, 'i-b': { cpuP95: 6, cpuMax: 9 }, 'i-c': { cpuP95: 4, cpuMax: 8 } });
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.equal(f.check, 'ec2-asg-underutilized');
  assert.equal(f.resource.id, 'web-asg');
  assert.equal(f.monthlySavings, '0');
  assert.equal(f.evidence['suggestedCapacity'], 1);
  assert.equal(f.evidence['potentialMonthlySavingsUsd'], 140.16); // two m5.large
  // One busy member: the group is not quiet.
  assert.deepEqual(run(members, { 'i-a': { cpuP95: 5, cpuMax: 9 }, 'i-b': { cpuP95: 60, cpuMax: 90 } }).findings, []);
});

test('a burstable instance out of CPU credits is flagged the other way (no saving, performance)', () => {
  const burst = instance({ instanceType: 't3.large' });
  const m = { cpuP95: 45, cpuMax: 100, creditBalanceMin: 0, surplusCreditsCharged: 0 };
  const { findings } = run([burst], { 'i-0123456789abcdef0': m });
  const f = findings[0]!;
  assert.equal(f.check, 'ec2-burstable-credits');
  assert.equal(f.evidence['targetInstanceType'], 't3.xlarge');
  assert.equal(f.monthlySavings, '0');
  assert.ok(wantsCredits(burst, m, ASOF, t));
  // With credits to spare, nothing.
  assert.deepEqual(run([burst], { 'i-0123456789abcdef0': { ...m, creditBalanceMin: 300 } }).findings, []);
});

test('without metrics (GetMetricData refused) only the checks that need none run', () => {
  const { findings } = run([instance({ instanceType: 'm4.xlarge' }), instance({ instanceId: 'i-2' })], undefined);
  assert.deepEqual(findings.map((f) => f.check), ['ec2-previous-generation']);
  assert.equal(findings[0]!.evidence['utilisationUnknown'], true);
  assert.equal(findings[0]!.confidence, 'medium');
});

test('which metrics each instance gets: CPU first, then network or credits — never more than four queries', () => {
  const i = instance();
  assert.ok(wantsCpu(i, ASOF, t));
  assert.ok(wantsCpu(instance({ autoScalingGroup: 'g' }), ASOF, t));
  assert.ok(!wantsCpu(instance({ lifecycle: 'spot' }), ASOF, t));
  assert.ok(!wantsCpu(instance({ state: 'stopped' }), ASOF, t));
  assert.ok(wantsNetwork(i, { cpuP95: 10 }, ASOF, t));
  assert.ok(!wantsNetwork(i, { cpuP95: 40 }, ASOF, t));
  const burst = instance({ instanceType: 't3.large' });
  assert.ok(!(wantsNetwork(burst, { cpuP95: 40 }, ASOF, t) && wantsCredits(burst, { cpuP95: 40 }, ASOF, t)));
});

test('instance type arithmetic: smaller sizes, Graviton alternatives, the types to price', () => {
  assert.deepEqual(smallerTypes('m5.2xlarge', 2), ['m5.xlarge', 'm5.large']);
  assert.deepEqual(smallerTypes('t3.nano'), []);
  assert.deepEqual(gravitonAlternatives('m5.xlarge'), ['m7g.xlarge', 'm6g.xlarge']);
  assert.deepEqual(gravitonAlternatives('t2.large'), ['t4g.large']);
  assert.deepEqual(gravitonAlternatives('m7g.large'), []);
  const types = typesToPrice('m4.2xlarge');
  for (const type of ['m4.2xlarge', 'm4.xlarge', 'm5.2xlarge', 'm5.xlarge', 'm7g.2xlarge']) assert.ok(types.includes(type), type);
});
