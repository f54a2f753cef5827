/**
 * The cost history that follows from a scenario's resources and prices: what AWS would bill.
 *
 * - Running time × hourly price: instances (on-demand or Spot) from launch until now or until they
 *   stopped (a stopped instance bills only its EBS volumes), RDS instances (Multi-AZ at the Multi-AZ
 *   rate), public IPv4 addresses ($0.005/h, "in use" while attached to a running instance, "idle"
 *   otherwise), NAT gateway hours.
 * - Storage in GB-months, prorated per day (size / days-in-month, and by the hour on the first day,
 *   as AWS prorates): EBS volumes (plus provisioned IOPS and gp3 throughput above the baseline),
 *   snapshots, RDS storage, S3 storage per storage class (buckets that grow were smaller in the past).
 * - Usage charges (data transfer, NAT data processed, CloudWatch metrics and logs, S3 requests):
 *   a weekday quantity, lower at weekends, growing month on month, with seeded noise and spikes.
 * - Support: each account with a paid plan pays the plan's fee on its own monthly usage, spread evenly
 *   over the days of the month; months only partly inside the history (the first and the current one)
 *   use their usage so far projected to the full month.
 * - "Now" is noon UTC of the anchor date: the anchor day is half billed.
 * - No Reserved Instances, Savings Plans, credits or refunds: every cost metric is the same amount.
 */
import { CostStoreBuilder, AMOUNT_SCALE, type CostStore, type LineKey } from './cost-store';
import { daysInMonth, fromEpochDay, toEpochDay } from './dates';
import type { EbsVolume, Ec2Instance, RdsInstance, ScenarioResources, SupportPlan } from './model';
import { CE_SERVICE, chargeFor, type PriceBook, type PriceSpec } from './generator/prices';

export const DAY_MS = 86_400_000;
const DAY_S = 86_400;

/** Instances that run only part of the week (stopped by a scheduler, so they bill only then). */
export type InstanceSchedule = 'weekdays' | 'office-hours';

/** A charge that is not (only) a resource's running time or storage. */
export interface UsageCharge {
  account: string;
  region: string;
  /** What is billed (nat-bytes, data-transfer-out, cw-metrics, cw-logs, s3-requests, nat-hours, ec2-instance, ...). */
  spec: PriceSpec;
  /** Resource the charge belongs to (NAT gateway ID, bucket name, a terminated instance's ID). */
  resourceId?: string;
  tags?: Record<string, string>;
  /** Quantity on a weekday at the anchor date, in the spec's unit (Hrs: hours a day; GB-Mo/Metrics: per month). */
  dailyQuantity: number;
  weekendFactor?: number;
  /** Month-on-month growth (0.02 = 2%): quantities were smaller in the past. */
  monthlyGrowth?: number;
  /** Day-to-day noise, ± this fraction (seeded). */
  noise?: number;
  /** First day billed (YYYY-MM-DD); default: the start of the history. */
  from?: string;
  /** First day no longer billed; default: never. */
  until?: string;
  /** Quantity multiplied by `factor` on days from..to (inclusive). */
  spikes?: { from: string; to: string; factor: number }[];
  seed: number;
}

export interface BillingInput extends Pick<
  ScenarioResources,
  'anchorDate' | 'accounts' | 'instances' | 'volumes' | 'addresses' | 'snapshots' | 'databases' | 'buckets' | 'supportPlans'
> {
  historyDays: number;
  /** Days up to the anchor (inclusive) whose rows keep their resource. */
  detailDays: number;
  prices: PriceBook;
  charges: readonly UsageCharge[];
  schedules: Readonly<Record<string, InstanceSchedule>>;
  /** Elastic IP allocation times (ISO), by allocation ID; default: the start of the history. */
  addressAllocatedAt: Readonly<Record<string, string>>;
  /** Month-on-month growth of buckets' storage, by bucket name. */
  bucketGrowth: Readonly<Record<string, number>>;
  /** Tag keys activated as cost-allocation tags; default every key except Name and aws:*. */
  costAllocationTags?: readonly string[];
}

/** Support plan → its Cost Explorer SERVICE and monthly fee on the month's usage. */
export const SUPPORT_PLANS: Readonly<
  Record<Exclude<SupportPlan, 'basic'>, { service: string; operation: string; fee: (usage: number) => number }>
> = {
  developer: { service: CE_SERVICE.supportDeveloper, operation: 'SupportDeveloper', fee: (u) => Math.max(29, u * 0.03) },
  business: { service: CE_SERVICE.supportBusiness, operation: 'SupportBusiness', fee: businessSupportFee },
  enterprise: {
    service: CE_SERVICE.supportEnterprise,
    operation: 'SupportEnterprise',
    fee: (u) =>
      Math.max(
        15_000,
        tiered(u, [
          [150_000, 0.1],
          [500_000, 0.07],
          [1_000_000, 0.05],
          [Infinity, 0.03],
        ]),
      ),
  },
};

function tiered(usage: number, tiers: Array<[number, number]>): number {
  let fee = 0;
  let lower = 0;
  for (const [upper, rate] of tiers) {
    if (usage <= lower) break;
    fee += (Math.min(usage, upper) - lower) * rate;
    lower = upper;
  }
  return fee;
}

/** AWS Support (Business) monthly fee: 10% of the first $10k, 7% to $80k, 5% to $250k, 3% above; at least $100. */
export function businessSupportFee(monthlyUsage: number): number {
  return Math.max(
    100,
    tiered(monthlyUsage, [
      [10_000, 0.1],
      [80_000, 0.07],
      [250_000, 0.05],
      [Infinity, 0.03],
    ]),
  );
}

/** Uniform in [0, 1) from two integers (murmur3 finaliser). */
function unitHash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x2545f491, 0x9e3779b1) ^ b;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function seconds(iso: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  if (!Number.isFinite(ms)) throw new Error(`not an ISO date or timestamp: ${iso}`);
  return ms / 1000;
}

function isWeekendDay(day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6;
}

/** Hours of [from, to) (epoch seconds) inside epoch day `day`, under an optional schedule. */
function hoursOnDay(day: number, from: number, to: number, schedule: InstanceSchedule | undefined): number {
  let start = Math.max(from, day * DAY_S);
  let end = Math.min(to, (day + 1) * DAY_S);
  if (schedule) {
    if (isWeekendDay(day)) return 0;
    if (schedule === 'office-hours') {
      start = Math.max(start, day * DAY_S + 8 * 3600);
      end = Math.min(end, day * DAY_S + 20 * 3600);
    }
  }
  return end > start ? (end - start) / 3600 : 0;
}

/**
 * Hours an EC2 instance or RDS database ran (and was billed) in [windowStart, windowEnd) (ISO dates), the same
 * hours the cost history bills: for commitment coverage and utilisation (services/ce-commitments.ts).
 */
export function billedHours(
  resource: { kind: 'ec2'; instance: Ec2Instance } | { kind: 'rds'; db: RdsInstance },
  schedule: InstanceSchedule | undefined,
  windowStart: string,
  windowEnd: string,
): number {
  const [from, to] =
    resource.kind === 'ec2'
      ? [seconds(resource.instance.launchTime), instanceEnd(resource.instance)]
      : [seconds(resource.db.instanceCreateTime), resource.db.status === 'stopped' ? -Infinity : Infinity];
  const start = Math.max(from, seconds(windowStart));
  const end = Math.min(to, seconds(windowEnd));
  let hours = 0;
  for (let day = Math.floor(start / DAY_S); day * DAY_S < end; day++) hours += hoursOnDay(day, start, end, schedule);
  return hours;
}

const scaled = (usd: number): number => Math.round(usd * AMOUNT_SCALE);

function addAt(array: Float64Array, index: number, value: number): void {
  array[index] = (array[index] as number) + value;
}

interface Context {
  builder: CostStoreBuilder;
  prices: PriceBook;
  now: number;
  firstDay: number;
  lastDay: number;
  activeTags: (tags: Readonly<Record<string, string>>) => Record<string, string>;
  accountIndex: Map<string, number>;
  /** Per account: usage per day (scaled), explicit and as a difference array for constant ranges. */
  accountDaily: Float64Array[];
  accountDiff: Float64Array[];
  /** Days in the month of each day of the history (index: day - firstDay). */
  monthDays: Int32Array;
}

function monthDaysOf(ctx: Context, day: number): number {
  const i = day - ctx.firstDay;
  return i >= 0 && i < ctx.monthDays.length ? (ctx.monthDays[i] as number) : daysInMonth(fromEpochDay(day));
}

function lineKey(
  ctx: Context,
  account: string,
  spec: PriceSpec,
  tags: Readonly<Record<string, string>>,
): { key: number; price: number } {
  const c = chargeFor(spec);
  const key: LineKey = {
    account,
    region: spec.region,
    service: c.service,
    usageType: c.usageType,
    operation: c.operation,
    usageUnit: c.unit,
    recordType: 'Usage',
    tags: ctx.activeTags(tags),
  };
  return { key: ctx.builder.key(key), price: ctx.prices.price(spec) };
}

function track(ctx: Context, account: string, day: number, amount: number): void {
  const i = ctx.accountIndex.get(account);
  if (i === undefined || day < ctx.firstDay || day > ctx.lastDay) return;
  addAt(ctx.accountDaily[i] as Float64Array, day - ctx.firstDay, amount);
}

function trackConstant(ctx: Context, account: string, fromDay: number, toDay: number, amount: number): void {
  const i = ctx.accountIndex.get(account);
  const from = Math.max(fromDay, ctx.firstDay);
  const to = Math.min(toDay, ctx.lastDay + 1);
  if (i === undefined || to <= from) return;
  const diff = ctx.accountDiff[i] as Float64Array;
  addAt(diff, from - ctx.firstDay, amount);
  addAt(diff, to - ctx.firstDay, -amount);
}

/** Running time from `from` to `to` (epoch seconds) at an hourly spec. */
function billHours(
  ctx: Context,
  account: string,
  spec: PriceSpec,
  tags: Readonly<Record<string, string>>,
  resourceId: string | undefined,
  from: number,
  to: number,
  schedule?: InstanceSchedule,
): void {
  const end = Math.min(to, ctx.now);
  if (end <= from) return;
  const { key, price } = lineKey(ctx, account, spec, tags);
  const resource = ctx.builder.resource(resourceId);
  const firstDay = Math.max(ctx.firstDay, Math.floor(from / DAY_S));
  const lastDay = Math.min(ctx.lastDay, Math.floor((end - 1) / DAY_S));
  // Whole days without a schedule bill 24 hours: one constant range instead of a loop.
  const wholeFrom = schedule ? Infinity : Math.max(firstDay, Math.ceil(from / DAY_S));
  const wholeTo = schedule ? -Infinity : Math.min(lastDay + 1, Math.floor(end / DAY_S));
  if (wholeTo > wholeFrom) {
    const amount = scaled(24 * price);
    ctx.builder.addConstant(key, resource, wholeFrom, wholeTo, amount, 24);
    trackConstant(ctx, account, wholeFrom, wholeTo, amount);
  }
  for (let day = firstDay; day <= lastDay; day++) {
    if (day >= wholeFrom && day < wholeTo) continue;
    const hours = hoursOnDay(day, from, end, schedule);
    if (hours <= 0) continue;
    const amount = scaled(hours * price);
    ctx.builder.add(key, resource, day, amount, hours);
    track(ctx, account, day, amount);
  }
}

/**
 * Storage of `quantity` units a month (GB-Mo, IOPS-Mo, ...) from `from` (epoch seconds) until now,
 * prorated per day; `growth` (month on month) makes past quantities smaller.
 */
function billMonthly(
  ctx: Context,
  account: string,
  spec: PriceSpec,
  tags: Readonly<Record<string, string>>,
  resourceId: string | undefined,
  from: number,
  quantity: number,
  growth = 0,
): void {
  if (quantity <= 0 || from >= ctx.now) return;
  const { key, price } = lineKey(ctx, account, spec, tags);
  const resource = ctx.builder.resource(resourceId);
  const firstDay = Math.max(ctx.firstDay, Math.floor(from / DAY_S));
  const anchorDay = ctx.lastDay;
  const billDay = (day: number, fraction: number): void => {
    const dim = monthDaysOf(ctx, day);
    const factor = growth === 0 ? 1 : Math.pow(1 + growth, (day - anchorDay) / 30.4375);
    const usage = ((quantity * factor) / dim) * fraction;
    const amount = scaled(usage * price);
    ctx.builder.add(key, resource, day, amount, usage);
    track(ctx, account, day, amount);
  };
  let day = firstDay;
  // A partial first day (the resource was created during it).
  if (from > day * DAY_S) {
    billDay(day, (Math.min((day + 1) * DAY_S, ctx.now) - from) / DAY_S);
    day++;
  }
  const lastFullDay = Math.floor(ctx.now / DAY_S); // exclusive: the anchor day is partial
  if (growth === 0) {
    // Constant within each month: one range per month.
    while (day < lastFullDay) {
      const date = fromEpochDay(day);
      const dim = daysInMonth(date);
      const monthEnd = Math.min(lastFullDay, day + dim - Number(date.slice(8, 10)) + 1);
      const usage = quantity / dim;
      const amount = scaled(usage * price);
      ctx.builder.addConstant(key, resource, day, monthEnd, amount, usage);
      trackConstant(ctx, account, day, monthEnd, amount);
      day = monthEnd;
    }
  } else {
    for (; day < lastFullDay; day++) billDay(day, 1);
  }
  if (day === lastFullDay && day <= anchorDay) billDay(day, (ctx.now - day * DAY_S) / DAY_S);
}

function volumeSpecs(volume: EbsVolume): { spec: PriceSpec; quantity: number }[] {
  const region = volume.region;
  const out: { spec: PriceSpec; quantity: number }[] = [
    { spec: { kind: 'ebs-volume', region, volumeType: volume.volumeType }, quantity: volume.sizeGiB },
  ];
  if ((volume.volumeType === 'io1' || volume.volumeType === 'io2') && volume.iops) {
    out.push({ spec: { kind: 'ebs-iops', region, volumeType: volume.volumeType }, quantity: volume.iops });
  }
  if (volume.volumeType === 'gp3') {
    if ((volume.iops ?? 3000) > 3000)
      out.push({ spec: { kind: 'ebs-iops', region, volumeType: 'gp3' }, quantity: (volume.iops ?? 3000) - 3000 });
    if ((volume.throughput ?? 125) > 125)
      out.push({ spec: { kind: 'ebs-throughput', region }, quantity: (volume.throughput ?? 125) - 125 });
  }
  return out;
}

/** Monthly cost of an EBS volume (storage, provisioned IOPS, gp3 throughput) at the scenario's prices. */
export function volumeMonthlyCost(prices: PriceBook, volume: EbsVolume): number {
  return volumeSpecs(volume).reduce((sum, { spec, quantity }) => sum + prices.price(spec) * quantity, 0);
}

function instanceEnd(instance: Ec2Instance): number {
  if (instance.state === 'stopped' || instance.state === 'stopping')
    return instance.stoppedAt ? seconds(instance.stoppedAt) : -Infinity;
  if (instance.state === 'terminated' || instance.state === 'shutting-down')
    return instance.stoppedAt ? seconds(instance.stoppedAt) : -Infinity;
  return Infinity;
}

/** The cost-allocation tags of a resource's tags (default: all but Name and aws:*). */
export function costAllocationFilter(
  active: readonly string[] | undefined,
): (tags: Readonly<Record<string, string>>) => Record<string, string> {
  const set = active ? new Set(active) : undefined;
  // A resource's tags object is asked for once per usage type: remember the answer per object.
  const seen = new WeakMap<object, Record<string, string>>();
  return (tags) => {
    let out = seen.get(tags);
    if (out) return out;
    out = {};
    for (const [k, v] of Object.entries(tags)) {
      if (set ? set.has(k) : k !== 'Name' && !k.startsWith('aws:')) out[k] = v;
    }
    seen.set(tags, out);
    return out;
  };
}

/** The cost history of a scenario. */
export function buildCostHistory(input: BillingInput): CostStore {
  const anchorDay = toEpochDay(input.anchorDate);
  const firstDay = anchorDay - input.historyDays;
  const detailStart = Math.max(firstDay, anchorDay - input.detailDays + 1);
  const builder = new CostStoreBuilder(firstDay, anchorDay, detailStart);
  const days = anchorDay - firstDay + 1;
  const ctx: Context = {
    builder,
    prices: input.prices,
    now: anchorDay * DAY_S + 12 * 3600,
    firstDay,
    lastDay: anchorDay,
    activeTags: costAllocationFilter(input.costAllocationTags),
    accountIndex: new Map(input.accounts.map((a, i) => [a.id, i])),
    accountDaily: input.accounts.map(() => new Float64Array(days)),
    accountDiff: input.accounts.map(() => new Float64Array(days + 1)),
    monthDays: Int32Array.from({ length: days }, (_, i) => daysInMonth(fromEpochDay(firstDay + i))),
  };
  const historyStart = firstDay * DAY_S;

  const instancesById = new Map(input.instances.map((i) => [i.instanceId, i]));
  for (const instance of input.instances) {
    const spec: PriceSpec = {
      kind: 'ec2-instance',
      region: instance.region,
      instanceType: instance.instanceType,
      spot: instance.lifecycle === 'spot',
    };
    billHours(
      ctx,
      instance.account,
      spec,
      instance.tags,
      instance.instanceId,
      seconds(instance.launchTime),
      instanceEnd(instance),
      input.schedules[instance.instanceId],
    );
  }
  for (const volume of input.volumes) {
    for (const { spec, quantity } of volumeSpecs(volume)) {
      billMonthly(ctx, volume.account, spec, volume.tags, volume.volumeId, seconds(volume.createTime), quantity);
    }
  }
  for (const snapshot of input.snapshots) {
    const spec: PriceSpec = { kind: 'ebs-snapshot', region: snapshot.region, tier: snapshot.storageTier };
    const arn = `arn:aws:ec2:${snapshot.region}:${snapshot.account}:snapshot/${snapshot.snapshotId}`;
    billMonthly(ctx, snapshot.account, spec, snapshot.tags, arn, seconds(snapshot.startTime), snapshot.billedSizeGb);
  }
  for (const address of input.addresses) {
    const allocated = input.addressAllocatedAt[address.allocationId];
    const from = allocated ? seconds(allocated) : historyStart;
    const instance = address.instanceId ? instancesById.get(address.instanceId) : undefined;
    const inUseUntil = instance ? Math.min(instanceEnd(instance), Infinity) : address.associationId ? Infinity : from;
    const idle: PriceSpec = { kind: 'public-ipv4', region: address.region, inUse: false };
    const inUse: PriceSpec = { kind: 'public-ipv4', region: address.region, inUse: true };
    billHours(ctx, address.account, inUse, address.tags, address.allocationId, from, inUseUntil);
    billHours(ctx, address.account, idle, address.tags, address.allocationId, Math.max(from, inUseUntil), Infinity);
  }
  for (const db of input.databases) {
    const created = seconds(db.instanceCreateTime);
    const arn = `arn:aws:rds:${db.region}:${db.account}:db:${db.dbInstanceIdentifier}`;
    if (db.status !== 'stopped') {
      const spec: PriceSpec = {
        kind: 'rds-instance',
        region: db.region,
        dbInstanceClass: db.dbInstanceClass,
        engine: db.engine,
        multiAz: db.multiAz,
      };
      billHours(ctx, db.account, spec, db.tags, arn, created, Infinity);
    }
    const storageType = db.storageType;
    billMonthly(
      ctx,
      db.account,
      { kind: 'rds-storage', region: db.region, storageType, multiAz: db.multiAz },
      db.tags,
      arn,
      created,
      db.allocatedStorageGiB,
    );
    if ((storageType === 'io1' || storageType === 'io2') && db.iops) {
      billMonthly(ctx, db.account, { kind: 'rds-iops', region: db.region, multiAz: db.multiAz }, db.tags, arn, created, db.iops);
    }
  }
  for (const bucket of input.buckets) {
    const growth = input.bucketGrowth[bucket.name] ?? 0;
    for (const [storageType, bytes] of Object.entries(bucket.storageBytes)) {
      if (bytes <= 0) continue;
      billMonthly(
        ctx,
        bucket.account,
        { kind: 's3-storage', region: bucket.region, storageType },
        bucket.tags,
        bucket.name,
        seconds(bucket.creationDate),
        bytes / 2 ** 30,
        growth,
      );
    }
  }
  for (const charge of input.charges) billCharge(ctx, charge);
  billSupport(ctx, input);
  return builder.build();
}

function billCharge(ctx: Context, charge: UsageCharge): void {
  const { key, price } = lineKey(ctx, charge.account, charge.spec, charge.tags ?? {});
  const c = chargeFor(charge.spec);
  const resource = ctx.builder.resource(charge.resourceId);
  const from = Math.max(ctx.firstDay, charge.from ? toEpochDay(charge.from) : ctx.firstDay);
  const until = Math.min(ctx.lastDay + 1, charge.until ? toEpochDay(charge.until) : ctx.lastDay + 1);
  const spikes = (charge.spikes ?? []).map((s) => ({ from: toEpochDay(s.from), to: toEpochDay(s.to), factor: s.factor }));
  for (let day = from; day < until; day++) {
    let quantity = charge.dailyQuantity;
    // Monthly quantities (metrics, GB-Mo) bill per day as a share of the month.
    if (c.unit !== 'Hrs' && c.unit !== 'GB' && c.unit !== 'Requests') quantity /= monthDaysOf(ctx, day);
    if (isWeekendDay(day)) quantity *= charge.weekendFactor ?? 1;
    if (charge.monthlyGrowth) quantity *= Math.pow(1 + charge.monthlyGrowth, (day - ctx.lastDay) / 30.4375);
    if (charge.noise) quantity *= 1 + charge.noise * (2 * unitHash(charge.seed, day) - 1);
    for (const spike of spikes) if (day >= spike.from && day <= spike.to) quantity *= spike.factor;
    if (day === ctx.lastDay) quantity *= (ctx.now - day * DAY_S) / DAY_S;
    if (c.unit === 'Requests') quantity = Math.round(quantity);
    if (quantity <= 0) continue;
    const amount = scaled(quantity * price);
    ctx.builder.add(key, resource, day, amount, quantity);
    track(ctx, charge.account, day, amount);
  }
}

function billSupport(ctx: Context, input: BillingInput): void {
  const days = ctx.lastDay - ctx.firstDay + 1;
  input.accounts.forEach((account, i) => {
    const plan = input.supportPlans[account.id] ?? 'basic';
    if (plan === 'basic') return;
    const { service, operation, fee } = SUPPORT_PLANS[plan];
    const daily = ctx.accountDaily[i] as Float64Array;
    const diff = ctx.accountDiff[i] as Float64Array;
    let running = 0;
    for (let d = 0; d < days; d++) {
      running += diff[d] as number;
      daily[d] = (daily[d] as number) + running;
    }
    // Usage and billed weight (the anchor day counts half) per month.
    const months = new Map<string, { usage: number; weight: number }>();
    for (let d = 0; d < days; d++) {
      const day = ctx.firstDay + d;
      const month = fromEpochDay(day).slice(0, 7);
      const entry = months.get(month) ?? { usage: 0, weight: 0 };
      entry.usage += (daily[d] as number) / AMOUNT_SCALE;
      entry.weight += day === ctx.lastDay ? (ctx.now - day * DAY_S) / DAY_S : 1;
      months.set(month, entry);
    }
    const key = ctx.builder.key({
      account: account.id,
      region: 'global',
      service,
      usageType: 'Dollar',
      operation,
      usageUnit: 'N/A',
      recordType: 'Usage',
      tags: {},
    });
    for (let d = 0; d < days; d++) {
      const day = ctx.firstDay + d;
      const date = fromEpochDay(day);
      const month = months.get(date.slice(0, 7));
      if (!month || month.weight <= 0) continue;
      const dim = daysInMonth(date);
      const projected = (month.usage * dim) / month.weight;
      const weight = day === ctx.lastDay ? (ctx.now - day * DAY_S) / DAY_S : 1;
      ctx.builder.add(key, -1, day, scaled((fee(projected) / dim) * weight), 0);
    }
  });
}
