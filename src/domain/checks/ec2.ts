/**
 * EC2 instance checks: idle, over-provisioned, previous generation (with Graviton alternatives),
 * stopped for a long time, burstable instances out of CPU credits, and Auto Scaling groups that run
 * quiet. Pure functions over compact inventories, metric summaries and prices.
 *
 * One finding per instance at most, in this order — the first that applies wins, so no dollar is
 * counted twice: stopped long (its EBS still bills) → idle (stop) → over-provisioned (one size down)
 * → previous generation (same size, newer family). Spot instances, Auto Scaling members and instances
 * with too little metric history get no instance-level recommendation; Auto Scaling groups are
 * reported as groups.
 */
import Big from 'big.js';
import type { DeclinedResource, Evidence, Finding } from '../findings';
import {
  HOURS_PER_MONTH,
  cents,
  isPositive,
  monthlyFromHourly,
  priceKey,
  subtract,
  volumeMonthlyCost,
  usd,
  type PriceBook,
  type PricePoint,
} from '../pricing';
import { atLeastDaysBefore, cli, daysBefore, ec2ConsoleUrl, makeFinding, resourceOf, round } from './common';
import type { Ec2Thresholds } from './thresholds';

export interface InstanceFacts {
  account: string;
  region: string;
  instanceId: string;
  name?: string;
  instanceType: string;
  state: string;
  launchTime: string;
  stoppedAt?: string;
  lifecycle: 'on-demand' | 'spot';
  platform: 'linux' | 'windows';
  autoScalingGroup?: string;
  tags: Record<string, string>;
}

export interface AttachedVolume {
  volumeId: string;
  volumeType: string;
  sizeGiB: number;
  iops?: number;
  throughput?: number;
  attachedTo?: string;
}

/** An instance's metric summary over the window (14 days to midnight of the analysis day). */
export interface InstanceMetrics {
  cpuP95?: number;
  cpuMax?: number;
  /** NetworkIn + NetworkOut per day (bytes); days without datapoints are absent (they count as 0). */
  networkDaily?: number[];
  /** Lowest CPUCreditBalance in the window (burstable types). */
  creditBalanceMin?: number;
  /** CPUSurplusCreditsCharged summed over the window (unlimited mode). */
  surplusCreditsCharged?: number;
}

// ---------------------------------------------------------------------------------------------
// Instance types: sizes, families, alternatives
// ---------------------------------------------------------------------------------------------

export const SIZE_LADDER = [
  'nano',
  'micro',
  'small',
  'medium',
  'large',
  'xlarge',
  '2xlarge',
  '3xlarge',
  '4xlarge',
  '6xlarge',
  '8xlarge',
  '9xlarge',
  '10xlarge',
  '12xlarge',
  '16xlarge',
  '18xlarge',
  '24xlarge',
  '32xlarge',
  '48xlarge',
];

/** The current-generation x86 family a previous-generation family moves to at the same size. */
export const UPGRADE_FAMILY: Readonly<Record<string, string>> = {
  t2: 't3',
  m3: 'm5',
  m4: 'm5',
  c3: 'c5',
  c4: 'c5',
  r3: 'r5',
  r4: 'r5',
  i2: 'i3',
  d2: 'd3',
};

/** Graviton families to consider instead of an x86 family, newest first. */
const GRAVITON_BY_CLASS: Readonly<Record<string, string[]>> = {
  t: ['t4g'],
  m: ['m7g', 'm6g'],
  c: ['c7g', 'c6g'],
  r: ['r7g', 'r6g'],
};

const BURSTABLE = /^t\d/;

export function splitType(instanceType: string): { family: string; size: string } | undefined {
  const dot = instanceType.indexOf('.');
  if (dot <= 0) return undefined;
  return { family: instanceType.slice(0, dot), size: instanceType.slice(dot + 1) };
}

export function isGraviton(family: string): boolean {
  return /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) && !/^g\d/.test(family);
}

/** Smaller sizes of the same family, nearest first (at most `limit`). */
export function smallerTypes(instanceType: string, limit = 4): string[] {
  const t = splitType(instanceType);
  if (!t) return [];
  const at = SIZE_LADDER.indexOf(t.size);
  if (at <= 0) return [];
  return SIZE_LADDER.slice(Math.max(0, at - limit), at)
    .reverse()
    .map((size) => `${t.family}.${size}`);
}

export function gravitonAlternatives(instanceType: string): string[] {
  const t = splitType(instanceType);
  if (!t || isGraviton(t.family)) return [];
  const upgraded = UPGRADE_FAMILY[t.family] ?? t.family;
  const cls = /^[a-z]+/.exec(upgraded)?.[0] ?? '';
  return (GRAVITON_BY_CLASS[cls] ?? []).map((family) => `${family}.${t.size}`);
}

export function isPreviousGeneration(instanceType: string, t: Ec2Thresholds, price?: PricePoint): boolean {
  const family = splitType(instanceType)?.family ?? '';
  return t.previousGenerationFamilies.includes(family) || price?.attributes?.['currentGeneration'] === 'No';
}

/** Every instance type whose price the EC2 checks may ask for, for one instance. */
export function typesToPrice(instanceType: string): string[] {
  const out = new Set<string>([instanceType, ...smallerTypes(instanceType)]);
  const split = splitType(instanceType);
  const upgrade = split ? UPGRADE_FAMILY[split.family] : undefined;
  if (split && upgrade) {
    const target = `${upgrade}.${split.size}`;
    out.add(target);
    for (const smaller of smallerTypes(target, 2)) out.add(smaller);
  }
  // Larger sizes, for burstable instances that run out of credits.
  if (split && BURSTABLE.test(split.family)) {
    const at = SIZE_LADDER.indexOf(split.size);
    for (const size of SIZE_LADDER.slice(at + 1, at + 3)) out.add(`${split.family}.${size}`);
  }
  // Graviton at every size a recommendation may land on: the current size and each rightsizing target.
  for (const type of [...out]) for (const g of gravitonAlternatives(type)) out.add(g);
  return [...out];
}

function os(instance: InstanceFacts): 'Linux' | 'Windows' {
  return instance.platform === 'windows' ? 'Windows' : 'Linux';
}

function price(book: PriceBook, instance: InstanceFacts, instanceType: string): PricePoint | undefined {
  return book[priceKey.ec2Instance(instance.region, instanceType, os(instance))];
}

function vcpus(point: PricePoint | undefined): number | undefined {
  const n = Number(point?.attributes?.['vcpu']);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The Price List's words for older types' bandwidth, as a sustained figure (Gbit/s, conservative). */
const NETWORK_WORDS: Readonly<Record<string, number>> = {
  'very low': 0.05,
  low: 0.1,
  'low to moderate': 0.3,
  moderate: 0.5,
  high: 1,
};

/**
 * The bandwidth an instance type sustains, in bits per second, from the Price List's networkPerformance:
 * "25 Gigabit" is sustained; "Up to 10 Gigabit" is a burst over a per-vCPU baseline — about the figure
 * × vCPUs / 32 (m5.large: 10 × 2 / 32 = 0.625 of its published 0.75 Gbit/s baseline; m6i.large 0.78 of
 * 0.781), so the estimate errs low; older types' words map to NETWORK_WORDS. Undefined when unknown.
 */
export function networkCapacityBps(point: PricePoint | undefined): number | undefined {
  const text = (point?.attributes?.['networkPerformance'] ?? '').trim();
  const figure = /([\d.]+)\s*Gigabit/i.exec(text);
  if (figure) {
    const gbps = Number(figure[1]);
    if (!/^up to/i.test(text)) return gbps * 1e9;
    const cpus = vcpus(point);
    return cpus ? Math.min(gbps, (gbps * cpus) / 32) * 1e9 : undefined;
  }
  const words = NETWORK_WORDS[text.toLowerCase()];
  return words === undefined ? undefined : words * 1e9;
}

// ---------------------------------------------------------------------------------------------
// Which instances get which metrics
// ---------------------------------------------------------------------------------------------

export type Eligibility = 'eligible' | 'auto-scaling' | 'spot' | 'too-young' | 'not-running';

/** Whether the instance-level utilisation checks apply (Auto Scaling members are judged as groups). */
export function eligibility(instance: InstanceFacts, asOf: string, t: Ec2Thresholds): Eligibility {
  if (instance.state !== 'running') return 'not-running';
  if (instance.lifecycle === 'spot') return 'spot';
  if (!atLeastDaysBefore(asOf, instance.launchTime, t.minHistoryDays)) return 'too-young';
  if (instance.autoScalingGroup) return 'auto-scaling';
  return 'eligible';
}

/** First pass: CPU p95 and maximum, for eligible instances and Auto Scaling members. */
export function wantsCpu(instance: InstanceFacts, asOf: string, t: Ec2Thresholds): boolean {
  const e = eligibility(instance, asOf, t);
  return e === 'eligible' || e === 'auto-scaling';
}

/** Second pass: network for the quiet ones (idle, or a rightsizing that must fit the network). */
export function wantsNetwork(instance: InstanceFacts, m: InstanceMetrics, asOf: string, t: Ec2Thresholds): boolean {
  return (
    eligibility(instance, asOf, t) === 'eligible' &&
    m.cpuP95 !== undefined &&
    m.cpuP95 < t.overprovisionedCpuP95Percent
  );
}

/** Second pass: CPU credits for busy burstable instances (the other direction). */
export function wantsCredits(instance: InstanceFacts, m: InstanceMetrics, asOf: string, t: Ec2Thresholds): boolean {
  return (
    eligibility(instance, asOf, t) === 'eligible' &&
    BURSTABLE.test(instance.instanceType) &&
    m.cpuP95 !== undefined &&
    m.cpuP95 >= t.overprovisionedCpuP95Percent
  );
}

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

export interface Ec2CheckInput {
  instances: readonly InstanceFacts[];
  /** Volumes of the same account and region (undefined: DescribeVolumes was not allowed). */
  volumes: readonly AttachedVolume[] | undefined;
  /** Metric summaries by instance ID (undefined: GetMetricData was not allowed). */
  metrics: ReadonlyMap<string, InstanceMetrics> | undefined;
  prices: PriceBook;
  asOf: string;
  thresholds: Ec2Thresholds;
}

export interface Ec2CheckOutput {
  findings: Finding[];
  /** Instances stopped long enough that their volumes' cost is this check's saving (EBS checks skip them). */
  stoppedLong: Set<string>;
  /** Why instances got no recommendation, counted (for the agent's notes). */
  declined: Record<string, number>;
  /** The instances examined with their data and not flagged, each with why (for the merge's second opinions). */
  declinedResources: DeclinedResource[];
}

export function evaluateInstances(input: Ec2CheckInput): Ec2CheckOutput {
  const { asOf, thresholds: t, prices } = input;
  const findings: Finding[] = [];
  const stoppedLong = new Set<string>();
  const declined: Record<string, number> = {};
  const declinedResources: DeclinedResource[] = [];
  // `kind` is what examined it (the coverage kind the merge matches other sources against).
  const decline = (reason: string, instance?: InstanceFacts, kind = 'ec2-utilisation', detail = reason) => {
    declined[reason] = (declined[reason] ?? 0) + 1;
    if (instance) declinedResources.push({ kind, account: instance.account, region: instance.region, id: instance.instanceId, reason: detail });
  };
  const volumesOf = new Map<string, AttachedVolume[]>();
  for (const v of input.volumes ?? []) {
    if (!v.attachedTo) continue;
    const list = volumesOf.get(v.attachedTo) ?? [];
    list.push(v);
    volumesOf.set(v.attachedTo, list);
  }

  for (const instance of input.instances) {
    if (instance.state === 'stopped') {
      const finding = stoppedLongFinding(instance, volumesOf.get(instance.instanceId), input.volumes !== undefined, prices, asOf, t);
      if (finding) {
        stoppedLong.add(instance.instanceId);
        findings.push(finding);
      } else if (!instance.stoppedAt) decline('stopped, but when is unknown');
      else {
        const days = daysBefore(asOf, instance.stoppedAt) ?? 0;
        decline('stopped recently', instance, 'ec2-state', `stopped ${days} day(s) ago, under the ${t.stoppedDays}-day threshold`);
        decline('stopped recently', instance, 'ec2-utilisation', `stopped ${days} day(s) ago: a stopped instance has no compute to save`);
      }
      continue;
    }
    const e = eligibility(instance, asOf, t);
    if (e !== 'eligible') {
      if (e === 'too-young') {
        const age = daysBefore(asOf, instance.launchTime);
        decline(
          `less than ${t.minHistoryDays} days of metrics`,
          instance,
          'ec2-utilisation',
          `launched ${age ?? 'an unknown number of'} day(s) ago: less than ${t.minHistoryDays} days of metrics`,
        );
      } else if (e === 'spot') decline('spot', instance, 'ec2-utilisation', 'a Spot instance: its capacity is already discounted and interruptible');
      else if (e === 'auto-scaling')
        declinedResources.push({
          kind: 'ec2-utilisation',
          account: instance.account,
          region: instance.region,
          id: instance.instanceId,
          reason: `a member of Auto Scaling group ${instance.autoScalingGroup ?? ''}: judged with its group, not alone`,
        });
      continue;
    }
    const current = price(prices, instance, instance.instanceType);
    if (!current) {
      decline('no on-demand price for the instance type');
      continue;
    }
    const m = input.metrics?.get(instance.instanceId);
    if (input.metrics && m && m.cpuP95 !== undefined && m.cpuMax !== undefined) {
      const idle = idleFinding(instance, m, current, asOf, t);
      if (idle) {
        findings.push(idle);
        continue;
      }
      const rightsize = rightsizeFinding(instance, m, current, prices, t);
      if (rightsize) {
        findings.push(rightsize);
        continue;
      }
      const credits = creditsFinding(instance, m, current, prices, t);
      if (credits) {
        findings.push(credits);
        continue;
      }
    } else if (input.metrics) {
      decline('no CPU datapoints in the window');
    }
    const upgrade = previousGenerationFinding(instance, current, prices, t, input.metrics !== undefined);
    if (upgrade) findings.push(upgrade);
    else if (m?.cpuP95 !== undefined && m.cpuMax !== undefined)
      declinedResources.push({
        kind: 'ec2-utilisation',
        account: instance.account,
        region: instance.region,
        id: instance.instanceId,
        reason: `in use: CPU p95 ${round(m.cpuP95)}% and maximum ${round(m.cpuMax)}% over the window (idle below ${t.idleCpuP95Percent}%, rightsizing below ${t.overprovisionedCpuP95Percent}%)`,
      });
  }
  findings.push(...autoScalingFindings(input));
  return { findings, stoppedLong, declined, declinedResources };
}

function instanceResource(i: InstanceFacts) {
  return resourceOf(i.account, i.region, i.instanceId, i.instanceType, i.tags, i.name);
}

function instanceConsole(i: InstanceFacts): string {
  return ec2ConsoleUrl(i.region, `InstanceDetails:instanceId=${i.instanceId}`);
}

function stoppedLongFinding(
  i: InstanceFacts,
  volumes: AttachedVolume[] | undefined,
  volumesKnown: boolean,
  prices: PriceBook,
  asOf: string,
  t: Ec2Thresholds,
): Finding | undefined {
  if (!atLeastDaysBefore(asOf, i.stoppedAt, t.stoppedDays)) return undefined;
  const days = daysBefore(asOf, i.stoppedAt) ?? t.stoppedDays;
  let savings = new Big(0);
  let priced = volumesKnown;
  const attached = volumes ?? [];
  for (const v of attached) {
    const cost = volumeMonthlyCost(prices, { region: i.region, ...v });
    if (cost === undefined) priced = false;
    else savings = savings.plus(cost);
  }
  const sizes = attached.map((v) => `${v.volumeId} ${v.sizeGiB} GiB ${v.volumeType}`).join(', ');
  return makeFinding({
    check: 'ec2-stopped-long',
    agent: 'ec2',
    resource: instanceResource(i),
    title: `Stopped for ${days} days; its EBS volumes still bill`,
    evidence: {
      stoppedDays: days,
      stoppedAt: i.stoppedAt ?? '',
      volumeCount: attached.length,
      volumeIds: attached.map((v) => v.volumeId).join(','),
      storageGiB: attached.reduce((n, v) => n + v.sizeGiB, 0),
      ...(priced ? {} : { savingsIncomplete: true }),
    },
    action: 'terminate',
    recommendation:
      `Snapshot and terminate ${i.instanceId} (stopped ${days} days)` +
      (attached.length ? `: its ${attached.length} volume(s) (${sizes}) cost ${cents(savings.toString())} USD a month.` : '.'),
    monthlySavings: savings.toString(),
    confidence: priced ? 'high' : 'low',
    cliCommand: `${cli('aws', 'ec2', 'create-snapshots', '--region', i.region, '--instance-specification', `InstanceId=${i.instanceId}`)} && ${cli('aws', 'ec2', 'terminate-instances', '--region', i.region, '--instance-ids', i.instanceId)}`,
    consoleUrl: instanceConsole(i),
  });
}

function networkMaxDaily(m: InstanceMetrics): number {
  return Math.max(0, ...(m.networkDaily ?? []));
}

function idleFinding(i: InstanceFacts, m: InstanceMetrics, current: PricePoint, asOf: string, t: Ec2Thresholds): Finding | undefined {
  if (m.cpuP95 === undefined || m.cpuP95 >= t.idleCpuP95Percent) return undefined;
  if (m.networkDaily === undefined) return undefined; // the network pass did not run: cannot call it idle
  const busiest = networkMaxDaily(m);
  if (busiest >= t.idleNetworkBytesPerDay) return undefined;
  const monthly = monthlyFromHourly(current.usd);
  return makeFinding({
    check: 'ec2-idle',
    agent: 'ec2',
    resource: instanceResource(i),
    title: `Idle for ${t.metricWindowDays} days: CPU p95 ${round(m.cpuP95)}%, network under ${round(busiest / 1e6)} MB a day`,
    evidence: {
      cpuP95Percent: round(m.cpuP95),
      cpuMaxPercent: round(m.cpuMax ?? 0),
      networkPeakDailyMB: round(busiest / 1e6, 3),
      metricDays: t.metricWindowDays,
      ageDays: daysBefore(asOf, i.launchTime) ?? 0,
      hourlyPriceUsd: Number(current.usd),
    },
    action: 'stop',
    recommendation: `Stop ${i.instanceId} (${i.instanceType}), or terminate it after a snapshot if nobody claims it: it saves its on-demand price, ${cents(monthly)} USD a month (its EBS volumes still bill while stopped).`,
    monthlySavings: monthly,
    confidence: m.cpuP95 < t.idleCpuP95Percent / 2 ? 'high' : 'medium',
    cliCommand: cli('aws', 'ec2', 'stop-instances', '--region', i.region, '--instance-ids', i.instanceId),
    consoleUrl: instanceConsole(i),
  });
}

function rightsizeFinding(
  i: InstanceFacts,
  m: InstanceMetrics,
  current: PricePoint,
  prices: PriceBook,
  t: Ec2Thresholds,
): Finding | undefined {
  if (m.cpuP95 === undefined || m.cpuMax === undefined) return undefined;
  if (m.cpuP95 >= t.overprovisionedCpuP95Percent || m.cpuMax >= t.overprovisionedCpuMaxPercent) return undefined;
  const split = splitType(i.instanceType);
  if (!split) return undefined;
  // The next smaller size that has a price, in the same family — or, for a previous generation, in the
  // newer family when that is cheaper.
  const candidates: string[] = [];
  const sameFamily = smallerTypes(i.instanceType).find((type) => price(prices, i, type));
  if (sameFamily) candidates.push(sameFamily);
  const upgrade = UPGRADE_FAMILY[split.family];
  if (upgrade && sameFamily) {
    const newer = `${upgrade}.${splitType(sameFamily)?.size}`;
    if (price(prices, i, newer)) candidates.push(newer);
  }
  let best: { type: string; point: PricePoint; savings: string } | undefined;
  const currentVcpu = vcpus(current);
  for (const type of candidates) {
    const point = price(prices, i, type) as PricePoint;
    const savings = subtract(monthlyFromHourly(current.usd), monthlyFromHourly(point.usd));
    if (!isPositive(savings)) continue;
    if (best && new Big(savings).lte(best.savings)) continue;
    best = { type, point, savings };
  }
  if (!best) return undefined;
  const ratio = currentVcpu && vcpus(best.point) ? currentVcpu / (vcpus(best.point) as number) : 2;
  const projectedP95 = m.cpuP95 * ratio;
  const projectedMax = m.cpuMax * ratio;
  if (projectedP95 > t.rightsizeMaxProjectedCpuP95Percent || projectedMax > t.rightsizeMaxProjectedCpuMaxPercent) return undefined;
  const capacity = networkCapacityBps(best.point);
  const busiestBps = (networkMaxDaily(m) * 8) / 86_400;
  if (capacity !== undefined && busiestBps > capacity * t.rightsizeMaxNetworkShare) return undefined;
  const graviton = gravitonNote(i, best.type, best.point, prices);
  return makeFinding({
    check: 'ec2-overprovisioned',
    agent: 'ec2',
    resource: instanceResource(i),
    title: `Over-provisioned: CPU p95 ${round(m.cpuP95)}%, max ${round(m.cpuMax)}% over ${t.metricWindowDays} days`,
    evidence: {
      cpuP95Percent: round(m.cpuP95),
      cpuMaxPercent: round(m.cpuMax),
      metricDays: t.metricWindowDays,
      targetInstanceType: best.type,
      projectedCpuP95Percent: round(projectedP95),
      projectedCpuMaxPercent: round(projectedMax),
      networkPeakDailyMB: round(networkMaxDaily(m) / 1e6, 3),
      networkPeakMbps: round(busiestBps / 1e6, 3),
      ...(capacity !== undefined ? { targetNetworkBaselineMbps: round(capacity / 1e6, 0) } : {}),
      networkChecked: capacity !== undefined && m.networkDaily !== undefined,
      hourlyPriceUsd: Number(current.usd),
      targetHourlyPriceUsd: Number(best.point.usd),
      ...graviton.evidence,
    },
    action: 'rightsize',
    recommendation: `Resize ${i.instanceType} to ${best.type}: at p95 the CPU would run at about ${round(projectedP95, 0)}% (max ${round(projectedMax, 0)}%), saving ${cents(best.savings)} USD a month.${graviton.text}`,
    monthlySavings: best.savings,
    confidence: 'medium',
    cliCommand: modifyTypeCommand(i, best.type),
    consoleUrl: instanceConsole(i),
  });
}

function modifyTypeCommand(i: InstanceFacts, type: string): string {
  return [
    cli('aws', 'ec2', 'stop-instances', '--region', i.region, '--instance-ids', i.instanceId),
    cli('aws', 'ec2', 'wait', 'instance-stopped', '--region', i.region, '--instance-ids', i.instanceId),
    cli('aws', 'ec2', 'modify-instance-attribute', '--region', i.region, '--instance-id', i.instanceId, '--instance-type', `Value=${type}`),
    cli('aws', 'ec2', 'start-instances', '--region', i.region, '--instance-ids', i.instanceId),
  ].join(' && ');
}

/**
 * The Graviton alternative at the size recommended (`baseType`): its type, price and the further saving
 * over `base`, wherever the price list has one. Empty when no Graviton type of that class and size is priced.
 */
function gravitonNote(i: InstanceFacts, baseType: string, base: PricePoint, prices: PriceBook): { evidence: Evidence; text: string } {
  for (const type of gravitonAlternatives(baseType)) {
    const point = price(prices, i, type);
    if (!point) continue;
    const difference = subtract(monthlyFromHourly(base.usd), monthlyFromHourly(point.usd));
    return {
      evidence: {
        gravitonInstanceType: type,
        gravitonHourlyPriceUsd: Number(point.usd),
        gravitonExtraMonthlySavingsUsd: usd(difference),
      },
      text: isPositive(difference)
        ? ` A Graviton ${type} (${point.usd} USD an hour) would save a further ${cents(difference)} USD a month if the software runs on arm64.`
        : ` A Graviton ${type} would not be cheaper here.`,
    };
  }
  return { evidence: {}, text: '' };
}

function previousGenerationFinding(
  i: InstanceFacts,
  current: PricePoint,
  prices: PriceBook,
  t: Ec2Thresholds,
  utilisationKnown: boolean,
): Finding | undefined {
  if (!isPreviousGeneration(i.instanceType, t, current)) return undefined;
  const split = splitType(i.instanceType);
  const family = split ? UPGRADE_FAMILY[split.family] : undefined;
  if (!split || !family) return undefined;
  const target = `${family}.${split.size}`;
  const point = price(prices, i, target);
  if (!point) return undefined;
  const savings = subtract(monthlyFromHourly(current.usd), monthlyFromHourly(point.usd));
  if (!isPositive(savings)) return undefined;
  const graviton = gravitonNote(i, target, point, prices);
  return makeFinding({
    check: 'ec2-previous-generation',
    agent: 'ec2',
    resource: instanceResource(i),
    title: `${i.instanceType} is a previous generation; ${target} costs less`,
    evidence: {
      instanceFamily: split.family,
      targetInstanceType: target,
      hourlyPriceUsd: Number(current.usd),
      targetHourlyPriceUsd: Number(point.usd),
      ...(utilisationKnown ? {} : { utilisationUnknown: true }),
      ...graviton.evidence,
    },
    action: 'upgrade',
    recommendation: `Move ${i.instanceId} from ${i.instanceType} to ${target} (same size, current generation): ${cents(savings)} USD a month less.${graviton.text}`,
    monthlySavings: savings,
    confidence: utilisationKnown ? 'high' : 'medium',
    cliCommand: modifyTypeCommand(i, target),
    consoleUrl: instanceConsole(i),
  });
}

/**
 * A burstable instance that runs out of credits (standard mode: throttled) or pays for surplus credits
 * (unlimited mode). The fix costs money: the saving is what surplus credits cost beyond the price
 * difference to the next size up, or 0 when the gain is performance.
 */
function creditsFinding(
  i: InstanceFacts,
  m: InstanceMetrics,
  current: PricePoint,
  prices: PriceBook,
  t: Ec2Thresholds,
): Finding | undefined {
  if (!BURSTABLE.test(i.instanceType)) return undefined;
  const exhausted = m.creditBalanceMin !== undefined && m.creditBalanceMin <= t.burstableCreditBalanceFloor;
  const surplus = m.surplusCreditsCharged ?? 0;
  if (!exhausted && surplus <= 0) return undefined;
  const split = splitType(i.instanceType);
  const at = split ? SIZE_LADDER.indexOf(split.size) : -1;
  const larger = split && at >= 0 ? SIZE_LADDER.slice(at + 1).map((s) => `${split.family}.${s}`).find((type) => price(prices, i, type)) : undefined;
  // Surplus credits cost $0.05 per vCPU-hour on Linux; the window's charge scaled to a month.
  const surplusMonthly = new Big(surplus).times('0.05').times(HOURS_PER_MONTH).div(t.metricWindowDays * 24);
  const larger$ = larger ? subtract(monthlyFromHourly((price(prices, i, larger) as PricePoint).usd), monthlyFromHourly(current.usd)) : undefined;
  const savings = larger$ !== undefined && surplusMonthly.gt(larger$) ? surplusMonthly.minus(larger$).toString() : '0';
  return makeFinding({
    check: 'ec2-burstable-credits',
    agent: 'ec2',
    resource: instanceResource(i),
    title: exhausted ? 'Burstable instance runs out of CPU credits' : 'Burstable instance pays for surplus CPU credits',
    evidence: {
      cpuP95Percent: round(m.cpuP95 ?? 0),
      cpuMaxPercent: round(m.cpuMax ?? 0),
      ...(m.creditBalanceMin !== undefined ? { cpuCreditBalanceMin: round(m.creditBalanceMin) } : {}),
      surplusCreditsCharged: round(surplus),
      surplusMonthlyCostUsd: usd(surplusMonthly.toString()),
      ...(larger ? { targetInstanceType: larger, targetMonthlyIncreaseUsd: usd(larger$ ?? '0') } : {}),
    },
    action: 'rightsize',
    recommendation: larger
      ? `Move ${i.instanceId} up to ${larger} (or to a non-burstable family): it ${exhausted ? 'is throttled when its credits run out' : 'pays for surplus credits'}.`
      : `Move ${i.instanceId} to a non-burstable family: it ${exhausted ? 'is throttled when its credits run out' : 'pays for surplus credits'}.`,
    monthlySavings: savings,
    confidence: 'medium',
    ...(larger ? { cliCommand: modifyTypeCommand(i, larger) } : {}),
    consoleUrl: instanceConsole(i),
  });
}

/** Auto Scaling groups whose running members are all quiet: a group-level review, not counted in dollars. */
function autoScalingFindings(input: Ec2CheckInput): Finding[] {
  const { asOf, thresholds: t, prices } = input;
  if (!input.metrics) return [];
  const groups = new Map<string, InstanceFacts[]>();
  for (const i of input.instances) {
    if (i.state !== 'running' || !i.autoScalingGroup || !wantsCpu(i, asOf, t)) continue;
    const list = groups.get(i.autoScalingGroup) ?? [];
    list.push(i);
    groups.set(i.autoScalingGroup, list);
  }
  const out: Finding[] = [];
  for (const [group, members] of groups) {
    const measured = members.flatMap((i) => {
      const m = input.metrics?.get(i.instanceId);
      return m?.cpuP95 !== undefined ? [{ i, p95: m.cpuP95 }] : [];
    });
    if (measured.length === 0 || measured.some((x) => x.p95 >= t.overprovisionedCpuP95Percent)) continue;
    const demand = measured.reduce((n, x) => n + x.p95, 0);
    const needed = Math.max(1, Math.ceil(demand / t.rightsizeMaxProjectedCpuP95Percent));
    let potential = new Big(0);
    const removable = [...measured].sort((a, b) => a.p95 - b.p95).slice(0, Math.max(0, measured.length - needed));
    for (const x of removable) {
      const p = price(prices, x.i, x.i.instanceType);
      if (p) potential = potential.plus(monthlyFromHourly(p.usd));
    }
    const first = measured[0]!.i;
    out.push(
      makeFinding({
        check: 'ec2-asg-underutilized',
        agent: 'ec2',
        resource: resourceOf(first.account, first.region, group, 'auto-scaling-group', {}, group),
        title: `Auto Scaling group runs quiet: ${measured.length} instance(s) under ${t.overprovisionedCpuP95Percent}% CPU p95`,
        evidence: {
          instanceCount: measured.length,
          cpuP95MaxPercent: round(Math.max(...measured.map((x) => x.p95))),
          cpuP95AveragePercent: round(demand / measured.length),
          suggestedCapacity: needed,
          potentialMonthlySavingsUsd: usd(potential.toString()),
        },
        action: 'review',
        recommendation:
          `Review the group's minimum and desired capacity or its instance type: its demand would fit ${needed} instance(s)` +
          (removable.length ? ` (about ${cents(potential.toString())} USD a month; not counted, the scaling policy decides).` : '.'),
        monthlySavings: '0',
        confidence: 'low',
        cliCommand: cli('aws', 'autoscaling', 'describe-auto-scaling-groups', '--region', first.region, '--auto-scaling-group-names', group),
      }),
    );
  }
  return out;
}
