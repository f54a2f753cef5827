/**
 * The sample AWS account: a scenario model and a seeded, deterministic generator.
 *
 * A scenario is what the simulator serves: accounts, regions, resources (with tags and prices)
 * and one cost line per resource, usage type and day — the granularity Cost Explorer aggregates.
 * The same (seed, anchorDate, historyDays, size) always yields the identical scenario.
 *
 * How the daily costs are made (all amounts in USD, rounded to 10 decimal places as AWS does):
 * - running time x hourly price: instances, NAT gateways and idle public IPv4 addresses bill
 *   24 hours a day while they exist; some instances are scheduled (weekdays only, office hours).
 * - storage (EBS, S3, RDS storage) bills GB-months: size / days-in-month per day, like AWS's
 *   hourly proration; S3 buckets grow slowly.
 * - usage (data transfer, NAT data processed, log ingestion, S3 requests) follows a weekly
 *   season (weekends lower), slow growth and +/-8% noise.
 * - two planted spikes: a GPU instance that ran for three days (~6 weeks ago) and one day of
 *   heavy data transfer out (~10 days ago). Both are listed in `scenario.events`.
 * - AWS Support (Business) is the greater of $100 or 10% of the first $10k of the month's usage,
 *   7% of $10k-$80k, 5% of $80k-$250k, 3% above. AWS bills it once a month; the sample account
 *   spreads the month's fee evenly over the days of that month (fee / days-in-month per day) so
 *   daily queries stay smooth. Months only partly inside the history (the first month, and the
 *   anchor month) use that month's usage so far, projected to a full month.
 * - the anchor day ("today") is half over: its lines are half a day's cost.
 * - the sample account has no Reserved Instances, Savings Plans, credits or refunds, so every
 *   cost metric (unblended, blended, amortized, net) is the same amount.
 */
import { round10, toScaled, formatScaled } from './decimal';
import { addDays, daysInMonth, fromEpochDay, isIsoDate, isWeekend, toEpochDay, todayUtc } from './dates';
import { substream, type SeededRandom } from './random';

export const SERVICE = {
  ec2Compute: 'Amazon Elastic Compute Cloud - Compute',
  ec2Other: 'EC2 - Other',
  s3: 'Amazon Simple Storage Service',
  rds: 'Amazon Relational Database Service',
  cloudWatch: 'AmazonCloudWatch',
  supportBusiness: 'AWS Support (Business)',
} as const;

/** Cost Explorer's SERVICE_CODE dimension for each SERVICE value. */
export const SERVICE_CODE: Readonly<Record<string, string>> = {
  [SERVICE.ec2Compute]: 'AmazonEC2',
  [SERVICE.ec2Other]: 'AmazonEC2',
  [SERVICE.s3]: 'AmazonS3',
  [SERVICE.rds]: 'AmazonRDS',
  [SERVICE.cloudWatch]: 'AmazonCloudWatch',
  [SERVICE.supportBusiness]: 'AWSSupportBusiness',
};

/** Cost Explorer reports charges that belong to no region (Support) under this REGION value. */
export const GLOBAL_REGION = 'global';

export type ScenarioSize = 'small';
export const SCENARIO_SIZES: readonly ScenarioSize[] = ['small'];

export interface SimAccount {
  id: string;
  name: string;
}

export type ResourceKind = 'ec2-instance' | 'ebs-volume' | 'public-ipv4' | 'nat-gateway' | 's3-bucket' | 'rds-instance';

export interface SimResource {
  /** AWS identifier: i-..., vol-..., eipalloc-..., nat-..., the bucket name, the DB identifier. */
  id: string;
  arn: string;
  kind: ResourceKind;
  /** The Name tag, or the resource's own name (buckets, databases). */
  name: string;
  account: string;
  region: string;
  /** Cost Explorer SERVICE value the resource bills under. */
  service: string;
  /** Instance type (m5.large, db.r5.large), volume type (gp3), storage class, 'NatGateway', 'PublicIPv4'. */
  type: string;
  /** Main usage type, with AWS's region prefix (EU-BoxUsage:m5.large). */
  usageType: string;
  tags: Record<string, string>;
  /** USD per hour at the anchor date. Storage: size x price per GB-month / 730. */
  hourlyPrice: number;
  /** First billed day. */
  startDate: string;
  /** Day the resource was deleted (exclusive: its last billed day is the day before); absent = exists. */
  endDate?: string;
  /** running | stopped | terminated | in-use | available | associated | unassociated | ... */
  state: string;
  /** Kind-specific facts later services serve (sizeGb, engine, multiAz, attachedTo, profile, ...). */
  attributes: Record<string, string | number | boolean>;
}

/** One day's cost of one resource and usage type, or of one non-resource charge. */
export interface CostLine {
  date: string;
  account: string;
  region: string;
  service: string;
  usageType: string;
  operation?: string;
  resourceId?: string;
  /** The resource's tags (shared with the resource; do not mutate). Non-resource charges: {}. */
  tags: Readonly<Record<string, string>>;
  /** USD, at most 10 decimal places. */
  amount: number;
  usageQuantity?: number;
  /** Unit of usageQuantity: Hrs, GB-Mo, GB, Requests, Metrics. */
  usageUnit?: string;
  /** Cost Explorer RECORD_TYPE; absent means "Usage". */
  recordType?: string;
}

export interface ScenarioEvent {
  date: string;
  /** Last day of the event (inclusive). */
  endDate: string;
  kind: 'spike';
  service: string;
  resourceId?: string;
  description: string;
}

export interface Scenario {
  seed: number;
  size: ScenarioSize;
  /** The simulated "today" (UTC): partly billed, and the last day with data. */
  anchorDate: string;
  /** First day with cost data (anchorDate - historyDays). */
  historyStart: string;
  accounts: SimAccount[];
  regions: string[];
  supportPlan: 'business';
  resources: SimResource[];
  /** Sorted by date. */
  costs: CostLine[];
  events: ScenarioEvent[];
}

export interface GenerateScenarioOptions {
  seed?: number;
  /** 'YYYY-MM-DD'; default today (UTC). */
  anchorDate?: string;
  historyDays?: number;
  size?: ScenarioSize;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_HISTORY_DAYS = 430;
export const SAMPLE_ACCOUNT: SimAccount = { id: '123456789012', name: 'sample-production' };
export const SAMPLE_REGIONS = ['us-east-1', 'eu-west-1'];

/** AWS's usage-type prefix per region (us-east-1 has none). */
const REGION_PREFIX: Readonly<Record<string, string>> = {
  'us-east-1': '',
  'us-east-2': 'USE2-',
  'us-west-2': 'USW2-',
  'eu-west-1': 'EU-',
  'eu-central-1': 'EUC1-',
  'ap-southeast-2': 'APS2-',
};

function prefixed(region: string, usageType: string): string {
  return `${REGION_PREFIX[region] ?? ''}${usageType}`;
}

/** On-demand Linux prices (USD/hour) the sample account uses, per region. */
const INSTANCE_PRICE: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'us-east-1': {
    't3.large': 0.0832,
    'm5.large': 0.096,
    'm5.xlarge': 0.192,
    'm5.2xlarge': 0.384,
    'c5.2xlarge': 0.34,
    'p3.2xlarge': 3.06,
    'db.r5.large': 0.25,
    'db.m5.large': 0.178,
  },
  'eu-west-1': {
    't3.large': 0.0912,
    'm5.large': 0.107,
    'm5.xlarge': 0.214,
    'm5.2xlarge': 0.428,
    'c5.2xlarge': 0.384,
    'db.r5.large': 0.28,
    'db.m5.large': 0.196,
  },
};

/** Per-unit prices (USD) of usage types, before the region prefix. */
const UNIT_PRICE: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'us-east-1': {
    'EBS:VolumeUsage.gp3': 0.08,
    'EBS:VolumeUsage.gp2': 0.1,
    'PublicIPv4:IdleAddress': 0.005,
    'NatGateway-Hours': 0.045,
    'NatGateway-Bytes': 0.045,
    'DataTransfer-Out-Bytes': 0.09,
    'TimedStorage-ByteHrs': 0.023,
    'TimedStorage-GlacierByteHrs': 0.0036,
    'Requests-Tier1': 0.000005,
    'RDS:GP2-Storage': 0.115,
    'RDS:Multi-AZ-GP2-Storage': 0.23,
    'CW:MetricMonitorUsage': 0.3,
    'DataProcessing-Bytes': 0.5,
  },
  'eu-west-1': {
    'EBS:VolumeUsage.gp3': 0.088,
    'EBS:VolumeUsage.gp2': 0.11,
    'PublicIPv4:IdleAddress': 0.005,
    'NatGateway-Hours': 0.048,
    'NatGateway-Bytes': 0.048,
    'DataTransfer-Out-Bytes': 0.09,
    'TimedStorage-ByteHrs': 0.023,
    'TimedStorage-GlacierByteHrs': 0.0036,
    'Requests-Tier1': 0.000005,
    'RDS:GP2-Storage': 0.127,
    'RDS:Multi-AZ-GP2-Storage': 0.254,
    'CW:MetricMonitorUsage': 0.3,
    'DataProcessing-Bytes': 0.57,
  },
};

function instancePrice(region: string, type: string): number {
  const price = INSTANCE_PRICE[region]?.[type];
  if (price === undefined) throw new Error(`no price for ${type} in ${region}`);
  return price;
}

function unitPrice(region: string, usageType: string): number {
  const price = UNIT_PRICE[region]?.[usageType];
  if (price === undefined) throw new Error(`no price for ${usageType} in ${region}`);
  return price;
}

/** AWS Support (Business) monthly fee for a month's usage: tiers, with a $100 minimum. */
export function businessSupportFee(monthlyUsage: number): number {
  const tiers: Array<[number, number]> = [
    [10_000, 0.1],
    [80_000, 0.07],
    [250_000, 0.05],
    [Infinity, 0.03],
  ];
  let fee = 0;
  let lower = 0;
  for (const [upper, rate] of tiers) {
    if (monthlyUsage <= lower) break;
    fee += (Math.min(monthlyUsage, upper) - lower) * rate;
    lower = upper;
  }
  return Math.max(100, fee);
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

interface Day {
  date: string;
  epochDay: number;
  weekend: boolean;
  daysInMonth: number;
  /** Months from the anchor date (negative in the past). */
  monthsFromAnchor: number;
  /** 1, or 0.5 on the anchor day. */
  weight: number;
}

/** One stream of cost lines: a resource's usage type, or a non-resource charge. */
interface Biller {
  account: string;
  region: string;
  service: string;
  usageType: string;
  operation: string;
  unit: string;
  price: number;
  resourceId?: string;
  tags: Readonly<Record<string, string>>;
  /** First and last (inclusive) epoch days billed. */
  firstDay: number;
  lastDay: number;
  /** Usage quantity of a full day (before the anchor-day weight). */
  quantity: (day: Day) => number;
  noise?: { rng: SeededRandom; spread: number };
}

const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});

function growth(day: Day, monthlyRate: number): number {
  return Math.pow(1 + monthlyRate, day.monthsFromAnchor);
}

interface Builder {
  seed: number;
  anchorDay: number;
  account: SimAccount;
  ids: SeededRandom;
  resources: SimResource[];
  billers: Biller[];
  events: ScenarioEvent[];
}

interface Lifetime {
  /** Days before the anchor the resource was created (positive = in the past). */
  since: number;
  /** Days the resource existed, when it has since been deleted. */
  lifetimeDays?: number;
}

function lifetime(b: Builder, life: Lifetime): { startDate: string; endDate?: string; firstDay: number; lastDay: number } {
  const firstDay = b.anchorDay - life.since;
  const lastDay = life.lifetimeDays === undefined ? b.anchorDay : firstDay + life.lifetimeDays - 1;
  return {
    startDate: fromEpochDay(firstDay),
    ...(life.lifetimeDays === undefined ? {} : { endDate: fromEpochDay(lastDay + 1) }),
    firstDay,
    lastDay,
  };
}

type Schedule = 'always' | 'weekdays' | 'office-hours';

function addInstance(
  b: Builder,
  spec: {
    name: string;
    region: string;
    type: string;
    tags: Record<string, string>;
    life: Lifetime;
    schedule?: Schedule;
    profile: string;
  },
): SimResource {
  const id = `i-0${b.ids.hex(16)}`;
  const price = instancePrice(spec.region, spec.type);
  const life = lifetime(b, spec.life);
  const schedule = spec.schedule ?? 'always';
  const resource: SimResource = {
    id,
    arn: `arn:aws:ec2:${spec.region}:${b.account.id}:instance/${id}`,
    kind: 'ec2-instance',
    name: spec.name,
    account: b.account.id,
    region: spec.region,
    service: SERVICE.ec2Compute,
    type: spec.type,
    usageType: prefixed(spec.region, `BoxUsage:${spec.type}`),
    tags: { Name: spec.name, ...spec.tags },
    hourlyPrice: price,
    startDate: life.startDate,
    ...(life.endDate ? { endDate: life.endDate } : {}),
    state: life.endDate ? 'terminated' : 'running',
    attributes: { instanceType: spec.type, platform: 'Linux/UNIX', schedule, profile: spec.profile },
  };
  b.resources.push(resource);
  b.billers.push({
    account: b.account.id,
    region: spec.region,
    service: SERVICE.ec2Compute,
    usageType: resource.usageType,
    operation: 'RunInstances',
    unit: 'Hrs',
    price,
    resourceId: id,
    tags: resource.tags,
    firstDay: life.firstDay,
    lastDay: life.lastDay,
    quantity: (day) => {
      if (schedule === 'always') return 24;
      if (day.weekend) return 0;
      return schedule === 'weekdays' ? 24 : 12;
    },
  });
  return resource;
}

function addVolume(
  b: Builder,
  spec: {
    name: string;
    region: string;
    volumeType: 'gp2' | 'gp3';
    sizeGb: number;
    attachedTo?: SimResource;
    tags: Record<string, string>;
    life: Lifetime;
  },
): SimResource {
  const id = `vol-0${b.ids.hex(16)}`;
  const baseUsage = `EBS:VolumeUsage.${spec.volumeType}`;
  const pricePerGbMonth = unitPrice(spec.region, baseUsage);
  const life = lifetime(b, spec.life);
  const resource: SimResource = {
    id,
    arn: `arn:aws:ec2:${spec.region}:${b.account.id}:volume/${id}`,
    kind: 'ebs-volume',
    name: spec.name,
    account: b.account.id,
    region: spec.region,
    service: SERVICE.ec2Other,
    type: spec.volumeType,
    usageType: prefixed(spec.region, baseUsage),
    tags: { Name: spec.name, ...spec.tags },
    hourlyPrice: round10((spec.sizeGb * pricePerGbMonth) / 730),
    startDate: life.startDate,
    state: spec.attachedTo ? 'in-use' : 'available',
    attributes: {
      sizeGb: spec.sizeGb,
      volumeType: spec.volumeType,
      ...(spec.attachedTo ? { attachedTo: spec.attachedTo.id } : {}),
    },
  };
  b.resources.push(resource);
  b.billers.push({
    account: b.account.id,
    region: spec.region,
    service: SERVICE.ec2Other,
    usageType: resource.usageType,
    operation: `CreateVolume-${spec.volumeType === 'gp3' ? 'Gp3' : 'Gp2'}`,
    unit: 'GB-Mo',
    price: pricePerGbMonth,
    resourceId: id,
    tags: resource.tags,
    firstDay: life.firstDay,
    lastDay: life.lastDay,
    quantity: (day) => spec.sizeGb / day.daysInMonth,
  });
  return resource;
}

function addIdleAddress(b: Builder, spec: { region: string; tags: Record<string, string>; life: Lifetime }): SimResource {
  const id = `eipalloc-0${b.ids.hex(16)}`;
  const baseUsage = 'PublicIPv4:IdleAddress';
  const price = unitPrice(spec.region, baseUsage);
  const life = lifetime(b, spec.life);
  const ip = `3.${b.ids.int(80, 240)}.${b.ids.int(0, 255)}.${b.ids.int(1, 254)}`;
  const resource: SimResource = {
    id,
    arn: `arn:aws:ec2:${spec.region}:${b.account.id}:elastic-ip/${id}`,
    kind: 'public-ipv4',
    name: spec.tags['Name'] ?? ip,
    account: b.account.id,
    region: spec.region,
    service: SERVICE.ec2Other,
    type: 'PublicIPv4',
    usageType: prefixed(spec.region, baseUsage),
    tags: { ...spec.tags },
    hourlyPrice: price,
    startDate: life.startDate,
    state: 'unassociated',
    attributes: { publicIp: ip, domain: 'vpc' },
  };
  b.resources.push(resource);
  b.billers.push({
    account: b.account.id,
    region: spec.region,
    service: SERVICE.ec2Other,
    usageType: resource.usageType,
    operation: 'AllocateAddressVPC',
    unit: 'Hrs',
    price,
    resourceId: id,
    tags: resource.tags,
    firstDay: life.firstDay,
    lastDay: life.lastDay,
    quantity: () => 24,
  });
  return resource;
}

function addNatGateway(
  b: Builder,
  spec: { name: string; region: string; gbPerWeekday: number; tags: Record<string, string>; life: Lifetime },
): SimResource {
  const id = `nat-0${b.ids.hex(16)}`;
  const hourPrice = unitPrice(spec.region, 'NatGateway-Hours');
  const bytePrice = unitPrice(spec.region, 'NatGateway-Bytes');
  const life = lifetime(b, spec.life);
  const resource: SimResource = {
    id,
    arn: `arn:aws:ec2:${spec.region}:${b.account.id}:natgateway/${id}`,
    kind: 'nat-gateway',
    name: spec.name,
    account: b.account.id,
    region: spec.region,
    service: SERVICE.ec2Other,
    type: 'NatGateway',
    usageType: prefixed(spec.region, 'NatGateway-Hours'),
    tags: { Name: spec.name, ...spec.tags },
    hourlyPrice: hourPrice,
    startDate: life.startDate,
    state: 'available',
    attributes: { gbProcessedPerWeekday: spec.gbPerWeekday },
  };
  b.resources.push(resource);
  const common = {
    account: b.account.id,
    region: spec.region,
    service: SERVICE.ec2Other,
    operation: 'NatGateway',
    resourceId: id,
    tags: resource.tags,
    firstDay: life.firstDay,
    lastDay: life.lastDay,
  };
  b.billers.push({ ...common, usageType: resource.usageType, unit: 'Hrs', price: hourPrice, quantity: () => 24 });
  b.billers.push({
    ...common,
    usageType: prefixed(spec.region, 'NatGateway-Bytes'),
    unit: 'GB',
    price: bytePrice,
    quantity: (day) => spec.gbPerWeekday * (day.weekend ? 0.4 : 1) * growth(day, 0.03),
    noise: { rng: substream(b.seed, `nat-bytes/${id}`), spread: 0.08 },
  });
  return resource;
}

function addBucket(
  b: Builder,
  spec: {
    name: string;
    region: string;
    storageClass: 'STANDARD' | 'GLACIER';
    sizeGb: number;
    monthlyGrowth: number;
    requestsPerWeekday?: number;
    lifecycle: boolean;
    tags: Record<string, string>;
    life: Lifetime;
  },
): SimResource {
  const id = `${spec.name}-${b.ids.hex(6)}`;
  const baseUsage = spec.storageClass === 'GLACIER' ? 'TimedStorage-GlacierByteHrs' : 'TimedStorage-ByteHrs';
  const pricePerGbMonth = unitPrice(spec.region, baseUsage);
  const life = lifetime(b, spec.life);
  const resource: SimResource = {
    id,
    arn: `arn:aws:s3:::${id}`,
    kind: 's3-bucket',
    name: id,
    account: b.account.id,
    region: spec.region,
    service: SERVICE.s3,
    type: spec.storageClass,
    usageType: prefixed(spec.region, baseUsage),
    tags: { ...spec.tags },
    hourlyPrice: round10((spec.sizeGb * pricePerGbMonth) / 730),
    startDate: life.startDate,
    state: 'active',
    attributes: {
      sizeGb: spec.sizeGb,
      storageClass: spec.storageClass,
      monthlyGrowth: spec.monthlyGrowth,
      lifecycleRules: spec.lifecycle,
    },
  };
  b.resources.push(resource);
  const common = {
    account: b.account.id,
    region: spec.region,
    service: SERVICE.s3,
    resourceId: id,
    tags: resource.tags,
    firstDay: life.firstDay,
    lastDay: life.lastDay,
  };
  b.billers.push({
    ...common,
    usageType: resource.usageType,
    operation: spec.storageClass === 'GLACIER' ? 'GlacierStorage' : 'StandardStorage',
    unit: 'GB-Mo',
    price: pricePerGbMonth,
    quantity: (day) => (spec.sizeGb * growth(day, spec.monthlyGrowth)) / day.daysInMonth,
  });
  const requests = spec.requestsPerWeekday;
  if (requests) {
    b.billers.push({
      ...common,
      usageType: prefixed(spec.region, 'Requests-Tier1'),
      operation: 'PutObject',
      unit: 'Requests',
      price: unitPrice(spec.region, 'Requests-Tier1'),
      quantity: (day) => Math.round(requests * (day.weekend ? 0.5 : 1) * growth(day, 0.02)),
      noise: { rng: substream(b.seed, `s3-requests/${id}`), spread: 0.08 },
    });
  }
  return resource;
}

function addDatabase(
  b: Builder,
  spec: {
    name: string;
    region: string;
    type: string;
    multiAz: boolean;
    storageGb: number;
    tags: Record<string, string>;
    life: Lifetime;
    profile: string;
  },
): SimResource {
  const singleAzPrice = instancePrice(spec.region, spec.type);
  const price = spec.multiAz ? singleAzPrice * 2 : singleAzPrice;
  const life = lifetime(b, spec.life);
  const usageType = prefixed(spec.region, `${spec.multiAz ? 'Multi-AZUsage' : 'InstanceUsage'}:${spec.type}`);
  const storageUsage = spec.multiAz ? 'RDS:Multi-AZ-GP2-Storage' : 'RDS:GP2-Storage';
  const resource: SimResource = {
    id: spec.name,
    arn: `arn:aws:rds:${spec.region}:${b.account.id}:db:${spec.name}`,
    kind: 'rds-instance',
    name: spec.name,
    account: b.account.id,
    region: spec.region,
    service: SERVICE.rds,
    type: spec.type,
    usageType,
    tags: { ...spec.tags },
    hourlyPrice: price,
    startDate: life.startDate,
    state: 'available',
    attributes: {
      engine: 'postgres',
      engineVersion: '16.4',
      multiAz: spec.multiAz,
      storageGb: spec.storageGb,
      storageType: 'gp2',
      profile: spec.profile,
    },
  };
  b.resources.push(resource);
  const common = {
    account: b.account.id,
    region: spec.region,
    service: SERVICE.rds,
    operation: 'CreateDBInstance:0014',
    resourceId: resource.arn,
    tags: resource.tags,
    firstDay: life.firstDay,
    lastDay: life.lastDay,
  };
  b.billers.push({ ...common, usageType, unit: 'Hrs', price, quantity: () => 24 });
  b.billers.push({
    ...common,
    usageType: prefixed(spec.region, storageUsage),
    unit: 'GB-Mo',
    price: unitPrice(spec.region, storageUsage),
    quantity: (day) => spec.storageGb / day.daysInMonth,
  });
  return resource;
}

/** Non-resource charges: CloudWatch metrics and logs, data transfer out. */
function addRegionalCharges(
  b: Builder,
  region: string,
  scale: { metrics: number; logGbPerWeekday: number; transferGbPerWeekday: number },
): void {
  const common = { account: b.account.id, region, tags: NO_TAGS, firstDay: -Infinity, lastDay: b.anchorDay };
  b.billers.push({
    ...common,
    service: SERVICE.cloudWatch,
    usageType: prefixed(region, 'CW:MetricMonitorUsage'),
    operation: 'MetricStorage',
    unit: 'Metrics',
    price: unitPrice(region, 'CW:MetricMonitorUsage'),
    quantity: (day) => Math.round(scale.metrics * growth(day, 0.02)) / day.daysInMonth,
  });
  b.billers.push({
    ...common,
    service: SERVICE.cloudWatch,
    usageType: prefixed(region, 'DataProcessing-Bytes'),
    operation: 'PutLogEvents',
    unit: 'GB',
    price: unitPrice(region, 'DataProcessing-Bytes'),
    quantity: (day) => scale.logGbPerWeekday * (day.weekend ? 0.6 : 1) * growth(day, 0.03),
    noise: { rng: substream(b.seed, `logs/${region}`), spread: 0.08 },
  });
  b.billers.push({
    ...common,
    service: SERVICE.ec2Other,
    usageType: prefixed(region, 'DataTransfer-Out-Bytes'),
    operation: 'RunInstances',
    unit: 'GB',
    price: unitPrice(region, 'DataTransfer-Out-Bytes'),
    quantity: (day) => scale.transferGbPerWeekday * (day.weekend ? 0.7 : 1) * growth(day, 0.02),
    noise: { rng: substream(b.seed, `transfer/${region}`), spread: 0.08 },
  });
}

/** The small sample account: one production account in us-east-1 and eu-west-1. */
function buildSmallAccount(b: Builder): void {
  const spikes = substream(b.seed, 'spikes');
  const prodWeb = { Environment: 'prod', Application: 'storefront', CostCenter: 'CC-1001', Owner: 'web-team' };
  const batch = { Environment: 'prod', Application: 'batch', CostCenter: 'CC-2002', Owner: 'data-team' };

  const web1 = addInstance(b, {
    name: 'web-1',
    region: 'us-east-1',
    type: 'm5.large',
    tags: prodWeb,
    life: { since: 900 },
    profile: 'steady',
  });
  const web2 = addInstance(b, {
    name: 'web-2',
    region: 'us-east-1',
    type: 'm5.large',
    tags: prodWeb,
    life: { since: 900 },
    profile: 'steady',
  });
  // Messy: "Production" instead of "prod", no Owner.
  const api1 = addInstance(b, {
    name: 'api-1',
    region: 'us-east-1',
    type: 'm5.xlarge',
    tags: { Environment: 'Production', Application: 'api', CostCenter: 'CC-1001' },
    life: { since: 300 },
    profile: 'steady',
  });
  addInstance(b, {
    name: 'batch-1',
    region: 'us-east-1',
    type: 'c5.2xlarge',
    tags: batch,
    life: { since: 700 },
    profile: 'busy',
  });
  addInstance(b, {
    name: 'batch-2',
    region: 'us-east-1',
    type: 'c5.2xlarge',
    tags: batch,
    life: { since: 150 },
    schedule: 'weekdays',
    profile: 'weekday',
  });
  // Messy: no CostCenter.
  addInstance(b, {
    name: 'dev-box-alice',
    region: 'us-east-1',
    type: 't3.large',
    tags: { Environment: 'dev', Owner: 'alice' },
    life: { since: 500 },
    schedule: 'office-hours',
    profile: 'office-hours',
  });
  // Messy: lower-case tag key.
  addInstance(b, {
    name: 'web-eu-1',
    region: 'eu-west-1',
    type: 'm5.large',
    tags: { environment: 'prod', Application: 'storefront', CostCenter: 'CC-1001', Owner: 'web-team' },
    life: { since: 200 },
    profile: 'steady',
  });
  // Forgotten and idle: untidy tags.
  const reporting = addInstance(b, {
    name: 'reporting-old',
    region: 'eu-west-1',
    type: 'm5.2xlarge',
    tags: { Environment: 'staging' },
    life: { since: 800 },
    profile: 'idle',
  });

  // Spike 1: a GPU experiment that ran for three days about six weeks ago.
  const gpuSince = spikes.int(40, 50);
  const gpu = addInstance(b, {
    name: 'gpu-experiment',
    region: 'us-east-1',
    type: 'p3.2xlarge',
    tags: { Environment: 'dev', Owner: 'bob', Project: 'ml-poc' },
    life: { since: gpuSince, lifetimeDays: 3 },
    profile: 'busy',
  });
  b.events.push({
    date: gpu.startDate,
    endDate: addDays(gpu.endDate ?? gpu.startDate, -1),
    kind: 'spike',
    service: SERVICE.ec2Compute,
    resourceId: gpu.id,
    description: 'A p3.2xlarge GPU instance ran for three days (ml-poc experiment), then was terminated.',
  });

  addVolume(b, {
    name: 'web-1-root',
    region: 'us-east-1',
    volumeType: 'gp3',
    sizeGb: 50,
    attachedTo: web1,
    tags: prodWeb,
    life: { since: 900 },
  });
  addVolume(b, {
    name: 'web-2-root',
    region: 'us-east-1',
    volumeType: 'gp3',
    sizeGb: 50,
    attachedTo: web2,
    tags: prodWeb,
    life: { since: 900 },
  });
  addVolume(b, {
    name: 'api-1-data',
    region: 'us-east-1',
    volumeType: 'gp3',
    sizeGb: 200,
    attachedTo: api1,
    tags: { Environment: 'Production', Application: 'api' },
    life: { since: 300 },
  });
  addVolume(b, {
    name: 'reporting-root',
    region: 'eu-west-1',
    volumeType: 'gp2',
    sizeGb: 100,
    attachedTo: reporting,
    tags: {},
    life: { since: 800 },
  });
  // Unattached and forgotten.
  addVolume(b, {
    name: 'old-reporting-data',
    region: 'eu-west-1',
    volumeType: 'gp2',
    sizeGb: 500,
    tags: {},
    life: { since: 780 },
  });
  addIdleAddress(b, { region: 'us-east-1', tags: {}, life: { since: 250 } });
  addNatGateway(b, {
    name: 'prod-nat-a',
    region: 'us-east-1',
    gbPerWeekday: 60,
    tags: { Environment: 'prod', CostCenter: 'CC-1001', Owner: 'platform-team' },
    life: { since: 900 },
  });

  addBucket(b, {
    name: 'sample-production-assets',
    region: 'us-east-1',
    storageClass: 'STANDARD',
    sizeGb: 800,
    monthlyGrowth: 0.01,
    requestsPerWeekday: 200_000,
    lifecycle: true,
    tags: { Environment: 'prod', Application: 'storefront', CostCenter: 'CC-1001', Owner: 'web-team' },
    life: { since: 1500 },
  });
  // Growing fast, no lifecycle rules, no Owner.
  addBucket(b, {
    name: 'sample-production-logs',
    region: 'us-east-1',
    storageClass: 'STANDARD',
    sizeGb: 3000,
    monthlyGrowth: 0.06,
    lifecycle: false,
    tags: { Environment: 'prod', CostCenter: 'CC-1001' },
    life: { since: 1000 },
  });
  addBucket(b, {
    name: 'sample-production-backups',
    region: 'eu-west-1',
    storageClass: 'GLACIER',
    sizeGb: 10_000,
    monthlyGrowth: 0.02,
    lifecycle: true,
    tags: { Environment: 'Prod', CostCenter: 'CC-3003', Owner: 'platform-team' },
    life: { since: 600 },
  });

  addDatabase(b, {
    name: 'orders-db',
    region: 'us-east-1',
    type: 'db.r5.large',
    multiAz: true,
    storageGb: 200,
    tags: { Environment: 'prod', Application: 'orders', CostCenter: 'CC-1001', Owner: 'orders-team' },
    life: { since: 900 },
    profile: 'steady',
  });
  addDatabase(b, {
    name: 'staging-db',
    region: 'eu-west-1',
    type: 'db.m5.large',
    multiAz: false,
    storageGb: 100,
    tags: { Environment: 'staging', Application: 'orders' },
    life: { since: 400 },
    profile: 'idle',
  });

  addRegionalCharges(b, 'us-east-1', { metrics: 120, logGbPerWeekday: 5, transferGbPerWeekday: 30 });
  addRegionalCharges(b, 'eu-west-1', { metrics: 40, logGbPerWeekday: 1, transferGbPerWeekday: 6 });

  // Spike 2: one day of heavy data transfer out of us-east-1 about ten days ago.
  const transfer = b.billers.find((x) => x.region === 'us-east-1' && x.usageType === 'DataTransfer-Out-Bytes');
  if (transfer) {
    const spikeDay = b.anchorDay - spikes.int(8, 12);
    const base = transfer.quantity;
    transfer.quantity = (day) => base(day) * (day.epochDay === spikeDay ? 15 : 1);
    b.events.push({
      date: fromEpochDay(spikeDay),
      endDate: fromEpochDay(spikeDay),
      kind: 'spike',
      service: SERVICE.ec2Other,
      description: 'Data transfer out of us-east-1 was 15 times its usual level for one day.',
    });
  }
}

export function generateScenario(options: GenerateScenarioOptions = {}): Scenario {
  const seed = options.seed ?? DEFAULT_SEED;
  const anchorDate = options.anchorDate ?? todayUtc();
  const historyDays = options.historyDays ?? DEFAULT_HISTORY_DAYS;
  const size = options.size ?? 'small';
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer (got ${seed})`);
  if (!isIsoDate(anchorDate)) throw new RangeError(`anchorDate must be a date YYYY-MM-DD (got ${JSON.stringify(anchorDate)})`);
  if (!Number.isInteger(historyDays) || historyDays < 0 || historyDays > 3660) {
    throw new RangeError(`historyDays must be an integer between 0 and 3660 (got ${historyDays})`);
  }
  if (!SCENARIO_SIZES.includes(size))
    throw new RangeError(`size must be one of ${SCENARIO_SIZES.join(', ')} (got ${JSON.stringify(size)})`);

  const anchorDay = toEpochDay(anchorDate);
  const builder: Builder = {
    seed,
    anchorDay,
    account: SAMPLE_ACCOUNT,
    ids: substream(seed, 'ids'),
    resources: [],
    billers: [],
    events: [],
  };
  buildSmallAccount(builder);

  const firstDay = anchorDay - historyDays;
  const usageByDay: CostLine[][] = [];
  const usageByMonth = new Map<string, { amount: number; weight: number; daysInMonth: number }>();
  for (let epochDay = firstDay; epochDay <= anchorDay; epochDay++) {
    const date = fromEpochDay(epochDay);
    const day: Day = {
      date,
      epochDay,
      weekend: isWeekend(epochDay),
      daysInMonth: daysInMonth(date),
      monthsFromAnchor: (epochDay - anchorDay) / 30.4375,
      weight: epochDay === anchorDay ? 0.5 : 1,
    };
    const lines: CostLine[] = [];
    let dayTotal = 0;
    for (const biller of builder.billers) {
      if (epochDay < biller.firstDay || epochDay > biller.lastDay) continue;
      let quantity = biller.quantity(day);
      // Draw noise on every billed day, even when the quantity is zero, so streams stay aligned.
      if (biller.noise) quantity *= 1 + biller.noise.rng.between(-biller.noise.spread, biller.noise.spread);
      quantity *= day.weight;
      const usageQuantity = roundQuantity(quantity);
      const amount = round10(quantity * biller.price);
      if (amount <= 0) continue;
      lines.push({
        date,
        account: biller.account,
        region: biller.region,
        service: biller.service,
        usageType: biller.usageType,
        operation: biller.operation,
        ...(biller.resourceId ? { resourceId: biller.resourceId } : {}),
        tags: biller.tags,
        amount,
        usageQuantity,
        usageUnit: biller.unit,
      });
      dayTotal += amount;
    }
    usageByDay.push(lines);
    const month = date.slice(0, 7);
    const entry = usageByMonth.get(month) ?? { amount: 0, weight: 0, daysInMonth: day.daysInMonth };
    entry.amount += dayTotal;
    entry.weight += day.weight;
    usageByMonth.set(month, entry);
  }

  // Business support: the month's fee, spread evenly over its days (see the header comment).
  const costs: CostLine[] = [];
  for (let i = 0; i < usageByDay.length; i++) {
    const lines = usageByDay[i] ?? [];
    const epochDay = firstDay + i;
    const date = fromEpochDay(epochDay);
    const month = usageByMonth.get(date.slice(0, 7));
    if (month && month.weight > 0) {
      const projectedUsage = (month.amount * month.daysInMonth) / month.weight;
      const weight = epochDay === anchorDay ? 0.5 : 1;
      const amount = round10((businessSupportFee(projectedUsage) / month.daysInMonth) * weight);
      lines.push({
        date,
        account: SAMPLE_ACCOUNT.id,
        region: GLOBAL_REGION,
        service: SERVICE.supportBusiness,
        usageType: 'Dollar',
        operation: 'SupportBusiness',
        tags: NO_TAGS,
        amount,
        recordType: 'Usage',
      });
    }
    for (const line of lines) costs.push(line);
  }

  return {
    seed,
    size,
    anchorDate,
    historyStart: fromEpochDay(firstDay),
    accounts: [{ ...SAMPLE_ACCOUNT }],
    regions: [...SAMPLE_REGIONS],
    supportPlan: 'business',
    resources: builder.resources,
    costs,
    events: builder.events,
  };
}

function roundQuantity(value: number): number {
  return Math.abs(value) < 1e7 ? Math.round(value * 1e8) / 1e8 : Number(value.toFixed(8));
}

// ---------------------------------------------------------------------------------------------
// Ground truth
// ---------------------------------------------------------------------------------------------

export interface CostQuery {
  /** Inclusive. */
  start?: string;
  /** Exclusive, like Cost Explorer's End. */
  end?: string;
  account?: string | readonly string[];
  region?: string | readonly string[];
  service?: string | readonly string[];
  usageType?: string | readonly string[];
  resourceId?: string | readonly string[];
  /** Tag equals value; a null value means "the tag is absent". */
  tags?: Readonly<Record<string, string | null>>;
  where?: (line: CostLine) => boolean;
}

function matchesOne(value: string | undefined, wanted: string | readonly string[] | undefined): boolean {
  if (wanted === undefined) return true;
  if (value === undefined) return false;
  return typeof wanted === 'string' ? value === wanted : wanted.includes(value);
}

export function costLineMatches(line: CostLine, query: CostQuery): boolean {
  if (query.start !== undefined && line.date < query.start) return false;
  if (query.end !== undefined && line.date >= query.end) return false;
  if (!matchesOne(line.account, query.account)) return false;
  if (!matchesOne(line.region, query.region)) return false;
  if (!matchesOne(line.service, query.service)) return false;
  if (!matchesOne(line.usageType, query.usageType)) return false;
  if (!matchesOne(line.resourceId, query.resourceId)) return false;
  if (query.tags) {
    for (const [key, value] of Object.entries(query.tags)) {
      const actual = line.tags[key];
      if (value === null ? actual !== undefined : actual !== value) return false;
    }
  }
  return query.where ? query.where(line) : true;
}

/** Exact total cost (USD decimal string, "0" when nothing matches) of the lines matching `query`. */
export function sumCosts(scenario: Scenario, query: CostQuery = {}): string {
  let total = 0n;
  for (const line of scenario.costs) {
    if (costLineMatches(line, query)) total += toScaled(line.amount);
  }
  return formatScaled(total);
}

/** Exact totals per value of `key(line)` for the lines matching `query`. */
export function sumCostsBy(scenario: Scenario, key: (line: CostLine) => string, query: CostQuery = {}): Map<string, string> {
  const totals = new Map<string, bigint>();
  for (const line of scenario.costs) {
    if (!costLineMatches(line, query)) continue;
    const k = key(line);
    totals.set(k, (totals.get(k) ?? 0n) + toScaled(line.amount));
  }
  return new Map([...totals].map(([k, v]) => [k, formatScaled(v)]));
}
