/**
 * Metric behaviour of generated resources: `MetricProfile`s (metrics.ts computes the values) for the
 * roles a resource plays. Thresholds the ground truth uses (waste.ts) are far from every role's range,
 * so whether a resource is waste never hangs on noise:
 *   CPU p95   idle < 1.2%      oversized 13–18% (max < 25%)     normal/busy p95 > 35%
 *   network   idle < 2 MB/day  everything else > 500 MB/day
 *   EBS ops   idle < 300/day   in use > 200,000/day (Trusted Advisor's "1 IOPS" is 86,400 a day)
 *   RDS       idle: 0 connections; others > 10 connections, CPU p95 > 35%, 20–45% storage free
 */
import type { MetricProfile, MetricSet } from '../model';
import type { SeededRandom } from '../random';
import { hashSeed } from '../random';

export type CpuRole = 'idle' | 'oversized' | 'normal' | 'busy' | 'bursty' | 'quiet-excluded';

function seedOf(resourceId: string, metric: string): number {
  return hashSeed(`${resourceId}/${metric}`);
}

/** Days (ISO date) the series starts: the resource's creation day. */
function sinceOf(iso: string): string {
  return iso.slice(0, 10);
}

export function instanceMetrics(
  rng: SeededRandom,
  instanceId: string,
  role: CpuRole,
  launchTime: string,
  until?: string,
): MetricSet {
  const since = sinceOf(launchTime);
  const base = { since, ...(until ? { until } : {}) };
  let cpu: Omit<MetricProfile, 'since' | 'seed'>;
  let network: number;
  switch (role) {
    case 'idle':
      cpu = { base: rng.between(0.3, 0.7), amplitude: 0.1, noise: 0.3, max: 100 };
      network = rng.between(1500, 3000);
      break;
    case 'oversized':
      cpu = {
        base: rng.between(10.5, 12.5),
        amplitude: 3,
        peakHourUtc: rng.int(12, 18),
        weekendFactor: 0.85,
        noise: 0.1,
        max: 100,
      };
      network = rng.between(2e6, 2e7);
      break;
    case 'quiet-excluded':
      // Low CPU, but Spot / Auto Scaling / too young: no recommendation expected.
      cpu = { base: rng.between(1, 6), amplitude: 1, noise: 0.2, max: 100 };
      network = rng.between(2e6, 1e7);
      break;
    case 'busy':
      cpu = {
        base: rng.between(58, 70),
        amplitude: rng.between(8, 15),
        peakHourUtc: rng.int(12, 20),
        weekendFactor: 0.8,
        noise: 0.12,
        max: 100,
      };
      network = rng.between(5e7, 3e8);
      break;
    case 'bursty':
      cpu = {
        base: rng.between(40, 50),
        amplitude: rng.between(5, 10),
        peakHourUtc: rng.int(0, 23),
        noise: 0.15,
        bursts: { perDay: rng.between(1, 4), height: rng.between(20, 40), minutes: rng.pick([15, 30, 60]) },
        max: 100,
      };
      network = rng.between(2e7, 1e8);
      break;
    default:
      cpu = {
        base: rng.between(42, 55),
        amplitude: rng.between(8, 16),
        peakHourUtc: rng.int(13, 19),
        weekendFactor: rng.between(0.75, 0.95),
        noise: 0.15,
        max: 100,
      };
      network = rng.between(1e7, 2e8);
  }
  const net = (metric: string, share: number): MetricProfile => ({
    base: network * share,
    amplitude: network * share * (role === 'idle' ? 0.1 : 0.4),
    peakHourUtc: cpu.peakHourUtc ?? 14,
    weekendFactor: cpu.weekendFactor ?? 1,
    noise: 0.3,
    ...base,
    seed: seedOf(instanceId, metric),
  });
  return {
    'AWS/EC2/CPUUtilization': { ...cpu, ...base, seed: seedOf(instanceId, 'cpu') },
    'AWS/EC2/NetworkIn': net('in', 1),
    'AWS/EC2/NetworkOut': net('out', 0.6),
  };
}

export type VolumeRole = 'active' | 'idle' | 'detached';

export function volumeMetrics(rng: SeededRandom, volumeId: string, role: VolumeRole, since: string, until?: string): MetricSet {
  if (role === 'detached') return {};
  const window = { since: sinceOf(since), ...(until ? { until } : {}) };
  const ops = role === 'idle' ? rng.between(0, 0.4) : rng.between(1000, 8000);
  const profile = (metric: string, share: number): MetricProfile => ({
    base: ops * share,
    amplitude: ops * share * (role === 'idle' ? 0 : 0.5),
    peakHourUtc: 15,
    weekendFactor: role === 'idle' ? 1 : 0.8,
    noise: role === 'idle' ? 1 : 0.25,
    ...window,
    seed: seedOf(volumeId, metric),
  });
  return {
    'AWS/EBS/VolumeReadOps': profile('read', 0.6),
    'AWS/EBS/VolumeWriteOps': profile('write', 0.4),
  };
}

export type DatabaseRole = 'idle' | 'normal';

export function databaseMetrics(
  rng: SeededRandom,
  identifier: string,
  role: DatabaseRole,
  created: string,
  allocatedGiB: number,
): MetricSet {
  const window = { since: sinceOf(created) };
  const idle = role === 'idle';
  const freeShare = rng.between(0.2, 0.45);
  return {
    'AWS/RDS/CPUUtilization': idle
      ? { base: rng.between(1, 2.5), amplitude: 0.3, noise: 0.2, max: 100, ...window, seed: seedOf(identifier, 'cpu') }
      : {
          base: rng.between(45, 60),
          amplitude: rng.between(8, 14),
          peakHourUtc: rng.int(13, 19),
          weekendFactor: 0.8,
          noise: 0.12,
          max: 100,
          ...window,
          seed: seedOf(identifier, 'cpu'),
        },
    'AWS/RDS/DatabaseConnections': idle
      ? { base: 0, ...window, seed: seedOf(identifier, 'connections') }
      : {
          base: rng.between(25, 180),
          amplitude: rng.between(5, 20),
          peakHourUtc: 15,
          weekendFactor: 0.7,
          noise: 0.1,
          ...window,
          seed: seedOf(identifier, 'connections'),
        },
    'AWS/RDS/FreeStorageSpace': {
      base: allocatedGiB * 2 ** 30 * freeShare,
      noise: 0.01,
      ...window,
      seed: seedOf(identifier, 'free'),
    },
    'AWS/RDS/ReadIOPS': idle
      ? { base: 0.05, noise: 1, ...window, seed: seedOf(identifier, 'riops') }
      : {
          base: rng.between(50, 800),
          amplitude: 40,
          weekendFactor: 0.8,
          noise: 0.2,
          ...window,
          seed: seedOf(identifier, 'riops'),
        },
    'AWS/RDS/WriteIOPS': idle
      ? { base: 0.3, noise: 0.5, ...window, seed: seedOf(identifier, 'wiops') }
      : {
          base: rng.between(20, 400),
          amplitude: 20,
          weekendFactor: 0.8,
          noise: 0.2,
          ...window,
          seed: seedOf(identifier, 'wiops'),
        },
  };
}

/** S3 storage metrics (daily in CloudWatch): total bytes and object count, steady over the two weeks. */
export function bucketMetrics(bucket: string, created: string, totalBytes: number, objects: number): MetricSet {
  const window = { since: sinceOf(created) };
  return {
    'AWS/S3/BucketSizeBytes': { base: totalBytes, ...window, seed: seedOf(bucket, 'size') },
    'AWS/S3/NumberOfObjects': { base: objects, ...window, seed: seedOf(bucket, 'objects') },
  };
}
