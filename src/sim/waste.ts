/**
 * The ground truth: which resources of a scenario are waste, and what fixing each saves per month.
 *
 * Each check is a precise rule over the scenario's own resources, metrics (metrics.ts) and prices, so
 * "what a correct agent should find" is computed, not asserted: the generator plants resources that
 * clearly meet a rule and keeps every other resource clearly outside all of them (profiles.ts).
 * A resource appears under at most one check of its kind (precedence below), so no dollar counts twice;
 * a bucket can have up to three S3 findings, each over a disjoint part of its bytes.
 *
 * Metric window: the 14 full days before the anchor date, [anchor − 14 d, anchor) — 7 days for RDS
 * connections. Months are 730 hours. Prices: the scenario's price list (`prices`).
 */
import { volumeMonthlyCost } from './billing';
import { smallerInstanceType, currentGenerationEquivalent, requireInstanceType } from './generator/catalog';
import type { PriceBook } from './generator/prices';
import { isNonProduction } from './generator/tags';
import { DAY_SECONDS, aggregate, profileBounds, summarise } from './metrics';
import type { EbsVolume, Ec2Instance, MetricProfile, PlantedWaste, RdsInstance, ScenarioResources, S3Bucket } from './model';

export const HOURS_PER_MONTH = 730;

/**
 * The bandwidth a type sustains (bits/s) by its published networkPerformance: "N Gigabit" sustained,
 * "Up to N Gigabit" N x vCPUs / 32 (about the published baselines), words 0.1 to 1 Gbit/s.
 */
function sustainedBps(instanceType: string): number {
  const info = requireInstanceType(instanceType);
  const text = info.networkPerformance;
  const figure = /([\d.]+) Gigabit/.exec(text);
  const words: Record<string, number> = { 'Very Low': 0.05, Low: 0.1, 'Low to Moderate': 0.3, Moderate: 0.5, High: 1 };
  const gbps = figure ? (text.startsWith('Up to') ? Math.min(Number(figure[1]), (Number(figure[1]) * info.vcpu) / 32) : Number(figure[1])) : (words[text] ?? 0);
  return gbps * 1e9;
}
const GIB = 2 ** 30;

/** The checks, in report order, with the rule each applies. */
export const CHECKS = {
  'ec2-idle':
    'Running on-demand instance, not in an Auto Scaling group, launched at least 14 days before the anchor date, whose CPUUtilization p95 over the 14-day window is below 2% and whose NetworkIn+NetworkOut is below 5 MB (5,000,000 bytes) on every day of it. Action: stop or terminate. Savings: its on-demand hourly price x 730.',
  'ec2-overprovisioned':
    'Eligible as for ec2-idle, not idle, CPUUtilization p95 below 20% and maximum below 30%, the family has a smaller size, and that size sustains the busiest day\'s average network traffic at 25% of its bandwidth or less (networkPerformance: "N Gigabit" sustained, "Up to N Gigabit" N x vCPUs / 32). Action: resize one size down in the same family (m5.2xlarge -> m5.xlarge). Savings: (price - price of the smaller size) x 730.',
  'ec2-previous-generation':
    'Eligible as for ec2-idle, neither idle nor over-provisioned, of a previous-generation family (t2, m3, m4, c4, r4). Action: move to the same size of t3, m5, m5, c5, r5 respectively. Savings: (price - price of that type) x 730.',
  'ec2-stopped-long':
    'Instance stopped for 30 days or more before the anchor date (StateTransitionReason). Action: snapshot and terminate. Savings: the monthly cost of its attached EBS volumes (storage, provisioned IOPS, gp3 throughput); those volumes get no EBS finding of their own.',
  'ebs-unattached': 'Volume in state available. Action: snapshot and delete. Savings: its monthly cost.',
  'ebs-idle':
    'Non-root volume attached to a running instance, created at least 14 days before the anchor date, with VolumeReadOps+VolumeWriteOps below 1,000 on every day of the 14-day window. Action: snapshot and delete. Savings: its monthly cost.',
  'ebs-io1-to-gp3':
    'Attached io1 volume (io2 is kept for its durability) that gp3 can match: the same IOPS and the throughput they carry (IOPS x 256 KiB, at most 500 MiB/s, up to 32,000 IOPS), at least 3,000 IOPS and 125 MiB/s, at least 4 IOPS per MiB/s, at most 16,000 IOPS, 500 per GiB and 1,000 MiB/s. Action: modify to that gp3. Savings: current cost - gp3 cost (storage + IOPS above 3,000 + MiB/s above 125), when positive.',
  'ebs-gp2-to-gp3':
    "Attached gp2 volume. Action: modify to gp3 delivering gp2's performance: its IOPS (3 per GiB, 100 to 16,000; at least 3,000 on gp3) and throughput (128 MiB/s up to 170 GiB, 250 MiB/s above). Savings: gp2 cost - gp3 cost (storage + IOPS above 3,000 + MiB/s above 125), when positive.",
  'eip-unassociated':
    'Elastic IP not associated, or associated with an instance that is not running. Action: release. Savings: the idle public IPv4 hourly price x 730.',
  'snapshot-orphaned':
    'Snapshot whose source volume no longer exists, started 90 days or more before the anchor date. Action: delete. Savings: its billed size x the snapshot price of its storage tier.',
  'rds-idle':
    'Available DB instance created at least 14 days before the anchor date with DatabaseConnections maximum 0 over the last 7 days. Action: snapshot and delete. Savings: instance hourly price x 730 + storage (+ provisioned IOPS).',
  'rds-multi-az-nonprod':
    'Multi-AZ DB instance (not idle) whose Environment tag (key in any case, or "env") is a non-production value (staging, stage, dev, development, test, testing, qa, sandbox; any case). Action: convert to Single-AZ. Savings: (Multi-AZ - Single-AZ hourly price) x 730 + storage x (Multi-AZ - Single-AZ GB-month price).',
  'rds-gp2-to-gp3':
    'DB instance (neither idle nor non-production Multi-AZ) on gp2 storage that RDS gp3 can match without provisioned extras: up to 170 GiB, or 400 to 3,999 GiB. Action: modify storage to gp3. Savings: storage x (gp2 - gp3 GB-month price) — zero at AWS list prices, where RDS gp2 and gp3 cost the same per GB.',
  's3-no-lifecycle':
    'Bucket without an Enabled lifecycle rule. Action: add a rule transitioning objects to STANDARD_IA after 30 days. Savings: (StandardStorage bytes - noncurrent - incomplete multipart bytes) / 2^30 x (STANDARD - STANDARD_IA price per GB-month).',
  's3-versioned-no-noncurrent-expiration':
    'Versioning-enabled bucket without an Enabled rule expiring noncurrent versions. Action: add NoncurrentVersionExpiration. Savings: noncurrent bytes / 2^30 x STANDARD price.',
  's3-no-abort-multipart':
    'Bucket without an Enabled rule with AbortIncompleteMultipartUpload. Action: add one (7 days). Savings: incomplete multipart bytes / 2^30 x STANDARD price.',
} as const;

export type CheckName = keyof typeof CHECKS;
export const CHECK_NAMES = Object.keys(CHECKS) as CheckName[];

const PREVIOUS_GENERATION = new Set(['t2', 'm3', 'm4', 'c4', 'r4']);

export interface WasteContext {
  resources: Pick<
    ScenarioResources,
    'anchorDate' | 'instances' | 'volumes' | 'addresses' | 'snapshots' | 'databases' | 'buckets'
  >;
  prices: PriceBook;
}

function seconds(iso: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso) / 1000;
}

function money(value: number): number {
  return Number(value.toFixed(6));
}

function nameOf(tags: Readonly<Record<string, string>>): string | undefined {
  return tags['Name'];
}

/** p95 and max of a series over a window, skipping the computation when its bounds settle it. */
function cpuStats(
  profile: MetricProfile | undefined,
  start: number,
  end: number,
  p95Below: number,
): { p95: number; max: number } | undefined {
  if (!profile) return undefined;
  if (profileBounds(profile).min >= p95Below) return undefined; // p95 >= min value: cannot qualify
  const s = summarise(profile, start, end);
  return s.count === 0 ? undefined : { p95: s.p95, max: s.max };
}

/** Daily sums of several series added together (undefined for days without any data). */
function dailySums(profiles: (MetricProfile | undefined)[], start: number, days: number): number[] {
  const sums = new Array<number>(days).fill(0);
  for (const profile of profiles) {
    if (!profile) continue;
    const { timestamps, values } = aggregate(profile, start, start + days * DAY_SECONDS, DAY_SECONDS, 'Sum');
    timestamps.forEach((t, i) => {
      const d = Math.round((t - start) / DAY_SECONDS);
      sums[d] = (sums[d] as number) + (values[i] as number);
    });
  }
  return sums;
}

export function instanceHourly(prices: PriceBook, instance: Ec2Instance, instanceType = instance.instanceType): number {
  return prices.price({ kind: 'ec2-instance', region: instance.region, instanceType });
}

function finding(
  check: CheckName,
  resource: { account: string; region: string },
  resourceId: string,
  monthlySavings: number,
  action: string,
  detail?: string,
): PlantedWaste {
  return {
    check,
    account: resource.account,
    region: resource.region,
    resourceId,
    monthlySavings: money(monthlySavings),
    action,
    ...(detail ? { detail } : {}),
  };
}

export function evaluateWaste(ctx: WasteContext): PlantedWaste[] {
  const { resources, prices } = ctx;
  const anchor = seconds(resources.anchorDate);
  const windowStart = anchor - 14 * DAY_SECONDS;
  const out: PlantedWaste[] = [];

  const instancesById = new Map(resources.instances.map((i) => [i.instanceId, i]));
  const volumesById = new Map(resources.volumes.map((v) => [v.volumeId, v]));
  const stoppedLong = new Set<string>();

  // EC2
  for (const instance of resources.instances) {
    if (instance.state === 'stopped' && instance.stoppedAt && seconds(instance.stoppedAt) <= anchor - 30 * DAY_SECONDS) {
      stoppedLong.add(instance.instanceId);
      const attached = instance.blockDevices
        .map((b) => volumesById.get(b.volumeId))
        .filter((v): v is EbsVolume => v !== undefined);
      const savings = attached.reduce((sum, v) => sum + volumeMonthlyCost(prices, v), 0);
      const days = Math.floor((anchor - seconds(instance.stoppedAt)) / DAY_SECONDS);
      out.push(
        finding(
          'ec2-stopped-long',
          instance,
          instance.instanceId,
          savings,
          'terminate',
          `stopped ${days} days; ${attached.length} EBS volume(s): ${attached.map((v) => `${v.volumeId} ${v.sizeGiB} GiB ${v.volumeType}`).join(', ')}`,
        ),
      );
      continue;
    }
    const eligible =
      instance.state === 'running' &&
      instance.lifecycle === 'on-demand' &&
      !instance.autoScalingGroup &&
      seconds(instance.launchTime) <= windowStart;
    if (!eligible) continue;
    const price = instanceHourly(prices, instance);
    const cpu = instance.metrics['AWS/EC2/CPUUtilization'];
    const network = [instance.metrics['AWS/EC2/NetworkIn'], instance.metrics['AWS/EC2/NetworkOut']];
    const lowCpu = cpuStats(cpu, windowStart, anchor, 20);
    if (lowCpu && lowCpu.p95 < 2) {
      const daily = dailySums(network, windowStart, 14);
      if (daily.every((bytes) => bytes < 5_000_000)) {
        out.push(
          finding(
            'ec2-idle',
            instance,
            instance.instanceId,
            price * HOURS_PER_MONTH,
            'stop',
            `CPU p95 ${lowCpu.p95.toFixed(2)}%, max ${lowCpu.max.toFixed(2)}%; network under 5 MB a day`,
          ),
        );
        continue;
      }
    }
    if (lowCpu && lowCpu.p95 < 20 && lowCpu.max < 30) {
      const smaller = smallerInstanceType(instance.instanceType);
      const busiestBps = (Math.max(0, ...dailySums(network, windowStart, 14)) * 8) / DAY_SECONDS;
      if (smaller && busiestBps <= 0.25 * sustainedBps(smaller)) {
        const savings = (price - instanceHourly(prices, instance, smaller)) * HOURS_PER_MONTH;
        if (savings > 0) {
          out.push(
            finding(
              'ec2-overprovisioned',
              instance,
              instance.instanceId,
              savings,
              `resize to ${smaller}`,
              `CPU p95 ${lowCpu.p95.toFixed(2)}%, max ${lowCpu.max.toFixed(2)}%`,
            ),
          );
          continue;
        }
      }
    }
    const family = requireInstanceType(instance.instanceType).family;
    if (PREVIOUS_GENERATION.has(family)) {
      const target = currentGenerationEquivalent(instance.instanceType);
      if (target) {
        const savings = (price - instanceHourly(prices, instance, target)) * HOURS_PER_MONTH;
        if (savings > 0)
          out.push(
            finding(
              'ec2-previous-generation',
              instance,
              instance.instanceId,
              savings,
              `move to ${target}`,
              `${instance.instanceType} is previous generation`,
            ),
          );
      }
    }
  }

  // EBS
  for (const volume of resources.volumes) {
    const cost = volumeMonthlyCost(prices, volume);
    if (volume.state === 'available') {
      out.push(
        finding(
          'ebs-unattached',
          volume,
          volume.volumeId,
          cost,
          'snapshot and delete',
          `${volume.sizeGiB} GiB ${volume.volumeType}, unattached`,
        ),
      );
      continue;
    }
    const instance = volume.attachment ? instancesById.get(volume.attachment.instanceId) : undefined;
    if (instance && stoppedLong.has(instance.instanceId)) continue;
    if (
      instance?.state === 'running' &&
      volume.attachment &&
      !isRootDevice(instance, volume.attachment.device) &&
      seconds(volume.createTime) <= windowStart
    ) {
      const ops = [volume.metrics['AWS/EBS/VolumeReadOps'], volume.metrics['AWS/EBS/VolumeWriteOps']];
      if (ops.some(Boolean)) {
        // Most volumes are busy: their lowest possible day already exceeds the threshold.
        const quietest = ops.reduce((sum, p) => sum + (p ? profileBounds(p).min * (DAY_SECONDS / 300) : 0), 0);
        const daily = quietest >= 1000 ? [quietest] : dailySums(ops, windowStart, 14);
        if (daily.every((n) => n < 1000)) {
          out.push(
            finding(
              'ebs-idle',
              volume,
              volume.volumeId,
              cost,
              'snapshot and delete',
              `${volume.sizeGiB} GiB ${volume.volumeType}, under 1,000 operations a day`,
            ),
          );
          continue;
        }
      }
    }
    // gp3 sized to deliver what the volume delivers now (the EBS user guide's figures, see CHECKS).
    const gp3Like = (iopsNeeded: number, throughputNeeded: number): EbsVolume | undefined => {
      const throughput = Math.max(125, Math.ceil(throughputNeeded));
      const iops = Math.max(3000, Math.ceil(iopsNeeded), Math.ceil(throughput * 4));
      if (iops > 16_000 || iops > 500 * volume.sizeGiB || throughput > 1000) return undefined;
      return { ...volume, volumeType: 'gp3', iops, throughput };
    };
    if (volume.volumeType === 'io1' && volume.iops !== undefined) {
      const carried = volume.iops <= 32_000 ? Math.min(500, volume.iops / 4) : Math.min(1000, (volume.iops * 16) / 1024);
      const gp3 = gp3Like(volume.iops, carried);
      const savings = gp3 ? cost - volumeMonthlyCost(prices, gp3) : 0;
      if (gp3 && savings > 0) {
        out.push(
          finding(
            'ebs-io1-to-gp3',
            volume,
            volume.volumeId,
            savings,
            'modify to gp3',
            `${volume.sizeGiB} GiB ${volume.volumeType} with ${volume.iops} IOPS`,
          ),
        );
        continue;
      }
    }
    if (volume.volumeType === 'gp2') {
      const gp3 = gp3Like(Math.min(16_000, Math.max(100, 3 * volume.sizeGiB)), volume.sizeGiB > 170 ? 250 : 128);
      const savings = gp3 ? cost - volumeMonthlyCost(prices, gp3) : 0;
      if (gp3 && savings > 0)
        out.push(finding('ebs-gp2-to-gp3', volume, volume.volumeId, savings, 'modify to gp3', `${volume.sizeGiB} GiB gp2`));
    }
  }

  // Elastic IPs
  const idleIpHourly = (region: string): number => prices.price({ kind: 'public-ipv4', region, inUse: false });
  for (const address of resources.addresses) {
    const instance = address.instanceId ? instancesById.get(address.instanceId) : undefined;
    const unassociated = !address.associationId && !address.networkInterfaceId;
    if (unassociated || (instance && instance.state !== 'running')) {
      out.push(
        finding(
          'eip-unassociated',
          address,
          address.allocationId,
          idleIpHourly(address.region) * HOURS_PER_MONTH,
          'release',
          unassociated
            ? `${address.publicIp} not associated`
            : `${address.publicIp} on ${instance?.instanceId} (${instance?.state})`,
        ),
      );
    }
  }

  // Snapshots
  for (const snapshot of resources.snapshots) {
    if (volumesById.has(snapshot.volumeId) || seconds(snapshot.startTime) > anchor - 90 * DAY_SECONDS) continue;
    const price = prices.price({ kind: 'ebs-snapshot', region: snapshot.region, tier: snapshot.storageTier });
    out.push(
      finding(
        'snapshot-orphaned',
        snapshot,
        snapshot.snapshotId,
        snapshot.billedSizeGb * price,
        'delete',
        `source ${snapshot.volumeId} deleted; ${snapshot.billedSizeGb} GB billed`,
      ),
    );
  }

  // RDS
  for (const db of resources.databases) {
    if (db.status !== 'available' || seconds(db.instanceCreateTime) > windowStart) continue;
    const connections = db.metrics['AWS/RDS/DatabaseConnections'];
    const costs = dbCosts(prices, db);
    if (connections && profileBounds(connections).min === 0) {
      const s = summarise(connections, anchor - 7 * DAY_SECONDS, anchor);
      if (s.count > 0 && s.max === 0) {
        out.push(
          finding('rds-idle', db, db.dbInstanceIdentifier, costs.total, 'snapshot and delete', 'no connections in 7 days'),
        );
        continue;
      }
    }
    if (db.multiAz && isNonProduction(db.tags)) {
      const single = dbCosts(prices, { ...db, multiAz: false });
      out.push(
        finding(
          'rds-multi-az-nonprod',
          db,
          db.dbInstanceIdentifier,
          costs.total - single.total,
          'convert to Single-AZ',
          `Multi-AZ ${db.dbInstanceClass} tagged non-production`,
        ),
      );
      continue;
    }
    // RDS gp3 keeps gp2's performance from 400 GiB (12,000 IOPS, 500 MiB/s included) up to 3,999 GiB
    // (gp2's 3 IOPS per GiB stays within 12,000); under 400 GiB, gp3's 125 MiB/s is below gp2's 250 above 170 GiB.
    const gp3Keeps = db.allocatedStorageGiB <= 170 || (db.allocatedStorageGiB >= 400 && db.allocatedStorageGiB < 4000);
    if (db.storageType === 'gp2' && gp3Keeps) {
      const savings = costs.storage - dbCosts(prices, { ...db, storageType: 'gp3' }).storage;
      out.push(
        finding(
          'rds-gp2-to-gp3',
          db,
          db.dbInstanceIdentifier,
          savings,
          'modify storage to gp3',
          `${db.allocatedStorageGiB} GiB gp2 storage`,
        ),
      );
    }
  }

  // S3
  for (const bucket of resources.buckets) {
    const enabled = bucket.lifecycleRules.filter((r) => r.status === 'Enabled');
    const standard = prices.price({ kind: 's3-storage', region: bucket.region, storageType: 'StandardStorage' });
    const ia = prices.price({ kind: 's3-storage', region: bucket.region, storageType: 'StandardIAStorage' });
    const { transitionable, noncurrent, incomplete } = bucketBytes(bucket);
    if (enabled.length === 0) {
      out.push(
        finding(
          's3-no-lifecycle',
          bucket,
          bucket.name,
          (transitionable / GIB) * (standard - ia),
          'add lifecycle rule (STANDARD_IA after 30 days)',
          `${(transitionable / GIB).toFixed(1)} GiB in STANDARD`,
        ),
      );
    }
    if (bucket.versioning === 'Enabled' && !enabled.some((r) => r.noncurrentVersionExpirationDays !== undefined)) {
      out.push(
        finding(
          's3-versioned-no-noncurrent-expiration',
          bucket,
          bucket.name,
          (noncurrent / GIB) * standard,
          'add noncurrent version expiration',
          `${(noncurrent / GIB).toFixed(1)} GiB of noncurrent versions`,
        ),
      );
    }
    if (!enabled.some((r) => r.abortIncompleteMultipartUploadDays !== undefined)) {
      out.push(
        finding(
          's3-no-abort-multipart',
          bucket,
          bucket.name,
          (incomplete / GIB) * standard,
          'add AbortIncompleteMultipartUpload (7 days)',
          `${(incomplete / GIB).toFixed(1)} GiB of incomplete multipart uploads`,
        ),
      );
    }
  }
  return out;
}

export function isRootDevice(instance: Ec2Instance, device: string): boolean {
  const root = instance.blockDevices[0]?.deviceName ?? '/dev/xvda';
  return device === root || device === '/dev/xvda' || device === '/dev/sda1';
}

export function bucketBytes(bucket: S3Bucket): { transitionable: number; noncurrent: number; incomplete: number } {
  const noncurrent = bucket.noncurrentBytes ?? 0;
  const incomplete = bucket.incompleteMultipartBytes ?? 0;
  const standard = bucket.storageBytes['StandardStorage'] ?? 0;
  return { transitionable: Math.max(0, standard - noncurrent - incomplete), noncurrent, incomplete };
}

/** Monthly cost of a DB instance: instance hours, storage, provisioned IOPS. */
export function dbCosts(prices: PriceBook, db: RdsInstance): { instance: number; storage: number; total: number } {
  const instance =
    prices.price({
      kind: 'rds-instance',
      region: db.region,
      dbInstanceClass: db.dbInstanceClass,
      engine: db.engine,
      multiAz: db.multiAz,
    }) * HOURS_PER_MONTH;
  let storage =
    prices.price({ kind: 'rds-storage', region: db.region, storageType: db.storageType, multiAz: db.multiAz }) *
    db.allocatedStorageGiB;
  if ((db.storageType === 'io1' || db.storageType === 'io2') && db.iops)
    storage += prices.price({ kind: 'rds-iops', region: db.region, multiAz: db.multiAz }) * db.iops;
  return { instance, storage, total: instance + storage };
}

export function nameTag(tags: Readonly<Record<string, string>>): string {
  return nameOf(tags) ?? '';
}

export interface GroundTruthTotals {
  count: number;
  monthlySavings: number;
  byCheck: Record<string, { count: number; monthlySavings: number }>;
  byAccount: Record<string, { count: number; monthlySavings: number }>;
}

export function totalsOf(planted: readonly PlantedWaste[]): GroundTruthTotals {
  const byCheck: GroundTruthTotals['byCheck'] = {};
  const byAccount: GroundTruthTotals['byAccount'] = {};
  let total = 0;
  for (const p of planted) {
    const c = (byCheck[p.check] ??= { count: 0, monthlySavings: 0 });
    c.count++;
    c.monthlySavings += p.monthlySavings;
    const a = (byAccount[p.account] ??= { count: 0, monthlySavings: 0 });
    a.count++;
    a.monthlySavings += p.monthlySavings;
    total += p.monthlySavings;
  }
  for (const entry of [...Object.values(byCheck), ...Object.values(byAccount)])
    entry.monthlySavings = money(entry.monthlySavings);
  return { count: planted.length, monthlySavings: money(total), byCheck, byAccount };
}
