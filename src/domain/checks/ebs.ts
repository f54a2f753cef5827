/**
 * EBS volumes, Elastic IPs and snapshots. Pure functions over compact inventories, metric summaries
 * and prices.
 *
 * Volumes get one finding at most, first match wins: unattached (delete) → idle (delete) → io1/io2
 * whose IOPS and throughput fit gp3 → io1 → io2 → gp2 → gp3 (io2 is kept: its durability and latency
 * are why it was chosen). A gp3 target always delivers what the
 * volume delivers now (volume-performance.ts). Volumes of instances stopped long enough for `ec2-stopped-long` are that
 * finding's saving and get none of their own.
 */
import Big from 'big.js';
import type { Finding } from '../findings';
import {
  cents,
  isPositive,
  monthlyFromHourly,
  priceKey,
  priceOf,
  subtract,
  volumeMonthlyCost,
  usd,
  type PriceBook,
} from '../pricing';
import { atLeastDaysBefore, cli, daysBefore, ec2ConsoleUrl, makeFinding, resourceOf } from './common';
import type { EbsThresholds } from './thresholds';
import { gp2Performance, gp3For, provisionedIopsPerformance } from './volume-performance';

export interface VolumeFacts {
  account: string;
  region: string;
  volumeId: string;
  volumeType: string;
  sizeGiB: number;
  iops?: number;
  throughput?: number;
  state: string;
  attachedTo?: string;
  /** Device name of the attachment (/dev/xvda, /dev/sdf, ...). */
  device?: string;
  createTime: string;
  tags: Record<string, string>;
}

/** What the volume checks need to know about the instance a volume is attached to. */
export interface HostFacts {
  instanceId: string;
  state: string;
  rootDeviceName?: string;
}

export interface AddressFacts {
  account: string;
  region: string;
  allocationId: string;
  publicIp: string;
  associationId?: string;
  instanceId?: string;
  tags: Record<string, string>;
}

export interface SnapshotFacts {
  account: string;
  region: string;
  snapshotId: string;
  volumeId?: string;
  sizeGiB: number;
  startTime: string;
  storageTier?: string;
  tags: Record<string, string>;
}

const ROOT_DEVICES = new Set(['/dev/xvda', '/dev/sda1']);

export function isRootVolume(volume: VolumeFacts, host: HostFacts | undefined): boolean {
  if (!volume.device) return false;
  return volume.device === host?.rootDeviceName || ROOT_DEVICES.has(volume.device);
}

/** Volumes whose daily operations the idle check needs: attached, not root, to a running instance, old enough. */
export function wantsVolumeOps(
  volume: VolumeFacts,
  host: HostFacts | undefined,
  stoppedLong: ReadonlySet<string>,
  asOf: string,
  t: EbsThresholds,
): boolean {
  return (
    volume.state === 'in-use' &&
    host?.state === 'running' &&
    !stoppedLong.has(host.instanceId) &&
    !isRootVolume(volume, host) &&
    atLeastDaysBefore(asOf, volume.createTime, t.minVolumeAgeDays)
  );
}

export interface VolumeCheckInput {
  volumes: readonly VolumeFacts[];
  hosts: ReadonlyMap<string, HostFacts>;
  stoppedLong: ReadonlySet<string>;
  /** VolumeReadOps + VolumeWriteOps per day, by volume (undefined: GetMetricData was not allowed). */
  dailyOps: ReadonlyMap<string, number[]> | undefined;
  prices: PriceBook;
  asOf: string;
  thresholds: EbsThresholds;
}

function volumeResource(v: VolumeFacts) {
  return resourceOf(v.account, v.region, v.volumeId, v.volumeType, v.tags);
}

function volumeConsole(v: VolumeFacts): string {
  return ec2ConsoleUrl(v.region, `VolumeDetails:volumeId=${v.volumeId}`);
}

function deleteCommand(v: VolumeFacts, detach: boolean): string {
  return [
    cli('aws', 'ec2', 'create-snapshot', '--region', v.region, '--volume-id', v.volumeId, '--description', `before-delete-${v.volumeId}`),
    ...(detach ? [cli('aws', 'ec2', 'detach-volume', '--region', v.region, '--volume-id', v.volumeId)] : []),
    ...(detach ? [cli('aws', 'ec2', 'wait', 'volume-available', '--region', v.region, '--volume-ids', v.volumeId)] : []),
    cli('aws', 'ec2', 'delete-volume', '--region', v.region, '--volume-id', v.volumeId),
  ].join(' && ');
}

export function evaluateVolumes(input: VolumeCheckInput): { findings: Finding[]; unpriced: number } {
  const { asOf, thresholds: t, prices } = input;
  const findings: Finding[] = [];
  let unpriced = 0;
  for (const v of input.volumes) {
    const host = v.attachedTo ? input.hosts.get(v.attachedTo) : undefined;
    if (host && input.stoppedLong.has(host.instanceId)) continue;
    const cost = volumeMonthlyCost(prices, v);
    if (cost === undefined) {
      unpriced++;
      continue;
    }
    const age = daysBefore(asOf, v.createTime);
    const common = { sizeGiB: v.sizeGiB, volumeType: v.volumeType, ...(v.iops !== undefined ? { iops: v.iops } : {}) };
    if (v.state === 'available') {
      findings.push(
        makeFinding({
          check: 'ebs-unattached',
          agent: 'ec2',
          resource: volumeResource(v),
          title: `Unattached ${v.sizeGiB} GiB ${v.volumeType} volume`,
          evidence: { ...common, state: v.state, ...(age !== undefined ? { ageDays: age } : {}), monthlyCostUsd: usd(cost) },
          action: 'delete',
          recommendation: `Snapshot ${v.volumeId} if its data may be needed, then delete it: ${cents(cost)} USD a month.`,
          monthlySavings: cost,
          confidence: 'high',
          cliCommand: deleteCommand(v, false),
          consoleUrl: volumeConsole(v),
        }),
      );
      continue;
    }
    if (v.state !== 'in-use') continue;
    const ops = input.dailyOps?.get(v.volumeId);
    if (ops && ops.length > 0 && wantsVolumeOps(v, host, input.stoppedLong, asOf, t)) {
      const busiest = Math.max(0, ...ops);
      if (busiest < t.idleOpsPerDay) {
        findings.push(
          makeFinding({
            check: 'ebs-idle',
            agent: 'ec2',
            resource: volumeResource(v),
            title: `Idle volume: at most ${Math.round(busiest)} operations a day for 14 days`,
            evidence: { ...common, attachedTo: v.attachedTo ?? '', maxDailyOps: Math.round(busiest), metricDays: ops.length, monthlyCostUsd: usd(cost) },
            action: 'delete',
            recommendation: `${v.volumeId} on ${v.attachedTo} is not read or written: snapshot it, detach and delete it (${cents(cost)} USD a month).`,
            monthlySavings: cost,
            confidence: 'medium',
            cliCommand: deleteCommand(v, true),
            consoleUrl: volumeConsole(v),
          }),
        );
        continue;
      }
    }
    // io1 only: io2 is chosen for its durability (99.999%) and latency, which gp3 does not match.
    const provisioned = v.volumeType === 'io1' && v.iops !== undefined ? provisionedIopsPerformance(v.iops) : undefined;
    const piopsTarget = provisioned ? gp3For(provisioned, v.sizeGiB, t.gp3MaxIops, t.gp3MaxIopsPerGiB) : undefined;
    if (provisioned && piopsTarget) {
      // The same IOPS and the throughput those IOPS can carry: gp3 priced to deliver what the volume does.
      const target = volumeMonthlyCost(prices, { region: v.region, volumeType: 'gp3', sizeGiB: v.sizeGiB, iops: piopsTarget.iops, throughput: piopsTarget.throughputMiBps });
      if (target !== undefined && isPositive(subtract(cost, target))) {
        const savings = subtract(cost, target);
        findings.push(
          makeFinding({
            check: 'ebs-io1-to-gp3',
            agent: 'ec2',
            resource: volumeResource(v),
            title: `${v.volumeType} with ${provisioned.iops} IOPS fits gp3 at the same performance`,
            evidence: {
              ...common,
              throughputMiBps: provisioned.throughputMiBps,
              targetVolumeType: 'gp3',
              targetIops: piopsTarget.iops,
              targetThroughputMiBps: piopsTarget.throughputMiBps,
              monthlyCostUsd: usd(cost),
              targetMonthlyCostUsd: usd(target),
            },
            action: 'upgrade',
            recommendation: `Modify ${v.volumeId} to gp3 with ${piopsTarget.iops} IOPS and ${piopsTarget.throughputMiBps} MiB/s (what ${provisioned.iops} provisioned IOPS carry on ${v.volumeType}): ${cents(savings)} USD a month less for the same performance.`,
            monthlySavings: savings,
            confidence: 'high',
            cliCommand: cli('aws', 'ec2', 'modify-volume', '--region', v.region, '--volume-id', v.volumeId, '--volume-type', 'gp3', '--iops', piopsTarget.iops, '--throughput', piopsTarget.throughputMiBps),
            consoleUrl: volumeConsole(v),
          }),
        );
        continue;
      }
    }
    if (v.volumeType === 'io1' && v.iops !== undefined && v.iops > t.gp3MaxIops) {
      const target = volumeMonthlyCost(prices, { region: v.region, volumeType: 'io2', sizeGiB: v.sizeGiB, iops: v.iops });
      if (target !== undefined && isPositive(subtract(cost, target))) {
        const savings = subtract(cost, target);
        findings.push(
          makeFinding({
            check: 'ebs-io1-to-io2',
            agent: 'ec2',
            resource: volumeResource(v),
            title: `io1 with ${v.iops} IOPS costs less as io2`,
            evidence: { ...common, targetVolumeType: 'io2', monthlyCostUsd: usd(cost), targetMonthlyCostUsd: usd(target) },
            action: 'upgrade',
            recommendation: `Modify ${v.volumeId} to io2 (same IOPS, higher durability): ${cents(savings)} USD a month less.`,
            monthlySavings: savings,
            confidence: 'high',
            cliCommand: cli('aws', 'ec2', 'modify-volume', '--region', v.region, '--volume-id', v.volumeId, '--volume-type', 'io2', '--iops', v.iops),
            consoleUrl: volumeConsole(v),
          }),
        );
        continue;
      }
    }
    if (v.volumeType === 'gp2') {
      const gp2 = gp2Performance(v.sizeGiB);
      const gp3 = gp3For(gp2, v.sizeGiB, t.gp3MaxIops, t.gp3MaxIopsPerGiB);
      const target = gp3
        ? volumeMonthlyCost(prices, { region: v.region, volumeType: 'gp3', sizeGiB: v.sizeGiB, iops: gp3.iops, throughput: gp3.throughputMiBps })
        : undefined;
      if (gp3 && target !== undefined && isPositive(subtract(cost, target))) {
        const savings = subtract(cost, target);
        findings.push(
          makeFinding({
            check: 'ebs-gp2-to-gp3',
            agent: 'ec2',
            resource: volumeResource(v),
            title: `gp2 volume: gp3 costs less for the same ${gp2.iops} IOPS and ${gp2.throughputMiBps} MiB/s`,
            evidence: {
              ...common,
              iops: gp2.iops,
              throughputMiBps: gp2.throughputMiBps,
              targetVolumeType: 'gp3',
              targetIops: gp3.iops,
              targetThroughputMiBps: gp3.throughputMiBps,
              monthlyCostUsd: usd(cost),
              targetMonthlyCostUsd: usd(target),
            },
            action: 'upgrade',
            recommendation: `Modify ${v.volumeId} to gp3 with ${gp3.iops} IOPS and ${gp3.throughputMiBps} MiB/s (what gp2 gives ${v.sizeGiB} GiB): ${cents(savings)} USD a month less, no downtime.`,
            monthlySavings: savings,
            confidence: 'high',
            cliCommand: cli('aws', 'ec2', 'modify-volume', '--region', v.region, '--volume-id', v.volumeId, '--volume-type', 'gp3', '--iops', gp3.iops, '--throughput', gp3.throughputMiBps),
            consoleUrl: volumeConsole(v),
          }),
        );
      }
    }
  }
  return { findings, unpriced };
}

export interface AddressCheckInput {
  addresses: readonly AddressFacts[];
  /** Instance states by ID, in the same account and region (undefined: DescribeInstances was not allowed). */
  instanceStates: ReadonlyMap<string, string> | undefined;
  prices: PriceBook;
}

/** Elastic IPs not associated, or associated with an instance that is not running. */
export function evaluateAddresses(input: AddressCheckInput): Finding[] {
  const out: Finding[] = [];
  for (const a of input.addresses) {
    const hostState = a.instanceId ? input.instanceStates?.get(a.instanceId) : undefined;
    const unassociated = !a.associationId;
    if (!unassociated && !(hostState !== undefined && hostState !== 'running')) continue;
    const hourly = priceOf(input.prices, priceKey.idlePublicIpv4(a.region));
    if (hourly === undefined) continue;
    const monthly = monthlyFromHourly(hourly);
    out.push(
      makeFinding({
        check: 'eip-unassociated',
        agent: 'ec2',
        resource: resourceOf(a.account, a.region, a.allocationId, 'elastic-ip', a.tags),
        title: unassociated ? `Elastic IP ${a.publicIp} is not associated` : `Elastic IP ${a.publicIp} is on a ${hostState} instance`,
        evidence: { publicIp: a.publicIp, associated: !unassociated, ...(a.instanceId ? { instanceId: a.instanceId, instanceState: hostState ?? '' } : {}), hourlyPriceUsd: Number(hourly) },
        action: 'release',
        recommendation: `Release ${a.publicIp} (${a.allocationId}) unless a DNS record or allow-list depends on it: an idle public IPv4 address costs ${cents(monthly)} USD a month.`,
        monthlySavings: monthly,
        confidence: unassociated ? 'high' : 'medium',
        cliCommand: unassociated
          ? cli('aws', 'ec2', 'release-address', '--region', a.region, '--allocation-id', a.allocationId)
          : `${cli('aws', 'ec2', 'disassociate-address', '--region', a.region, '--association-id', a.associationId ?? '')} && ${cli('aws', 'ec2', 'release-address', '--region', a.region, '--allocation-id', a.allocationId)}`,
        consoleUrl: ec2ConsoleUrl(a.region, `ElasticIpDetails:AllocationId=${a.allocationId}`),
      }),
    );
  }
  return out;
}

export interface SnapshotCheckInput {
  snapshots: readonly SnapshotFacts[];
  /** IDs of the volumes that exist in the same account and region. */
  volumeIds: ReadonlySet<string>;
  prices: PriceBook;
  asOf: string;
  thresholds: EbsThresholds;
}

/** The placeholder volume ID AWS gives copied and imported snapshots. */
const NO_SOURCE_VOLUME = 'vol-ffffffff';

/**
 * Old snapshots whose source volume is gone. What a snapshot bills is its incremental size, which
 * DescribeSnapshots does not show: the saving here is the upper bound (the source volume's size) until
 * `withBilledSize` replaces it with the billed size from Cost Explorer's resource-level data.
 */
export function evaluateSnapshots(input: SnapshotCheckInput): Finding[] {
  const { asOf, thresholds: t } = input;
  const out: Finding[] = [];
  for (const s of input.snapshots) {
    if (!s.volumeId || s.volumeId === NO_SOURCE_VOLUME || input.volumeIds.has(s.volumeId)) continue;
    if (!atLeastDaysBefore(asOf, s.startTime, t.snapshotMinAgeDays)) continue;
    const tier = s.storageTier === 'archive' ? 'archive' : 'standard';
    const perGb = priceOf(input.prices, priceKey.ebsSnapshot(s.region, tier));
    if (perGb === undefined) continue;
    const upperBound = new Big(perGb).times(s.sizeGiB).toString();
    out.push(
      makeFinding({
        check: 'snapshot-orphaned',
        agent: 'ec2',
        resource: resourceOf(s.account, s.region, s.snapshotId, `snapshot-${tier}`, s.tags),
        title: `Snapshot of a deleted volume, ${daysBefore(asOf, s.startTime)} days old`,
        evidence: {
          sourceVolumeId: s.volumeId,
          ageDays: daysBefore(asOf, s.startTime) ?? 0,
          volumeSizeGiB: s.sizeGiB,
          storageTier: tier,
          priceUsdPerGbMonth: Number(perGb),
          sizeSource: 'volume size (upper bound)',
        },
        action: 'delete',
        recommendation: `Delete ${s.snapshotId} unless it is a deliberate backup or backs an AMI: its source volume ${s.volumeId} no longer exists.`,
        monthlySavings: upperBound,
        confidence: 'low',
        cliCommand: cli('aws', 'ec2', 'delete-snapshot', '--region', s.region, '--snapshot-id', s.snapshotId),
        consoleUrl: ec2ConsoleUrl(s.region, `SnapshotDetails:snapshotId=${s.snapshotId}`),
      }),
    );
  }
  return out;
}

/** The snapshot finding priced at its billed size (GB-months a day × the days of that month, from Cost Explorer). */
export function withBilledSize(finding: Finding, billedGb: number): Finding {
  const perGb = String(finding.evidence['priceUsdPerGbMonth'] ?? '0');
  const savings = new Big(perGb).times(billedGb).toString();
  return {
    ...finding,
    evidence: { ...finding.evidence, billedSizeGB: billedGb, sizeSource: 'Cost Explorer resource-level usage' },
    monthlySavings: savings,
    confidence: 'medium',
    recommendation: `${finding.recommendation} It bills ${billedGb} GB: ${cents(savings)} USD a month.`,
  };
}
