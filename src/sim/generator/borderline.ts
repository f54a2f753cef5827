/**
 * The borderline account: for every check, resources just inside and just outside each threshold, and
 * decoys that must never be flagged (busy, production, well configured, Spot, Auto Scaling members,
 * new, stopped recently, in another Region). Metric series are constant, so a resource's p95, maximum
 * and daily sums are exactly the figure written here, a hair either side of the rule (waste.ts says
 * which side is waste; the checks must agree). Used by the accuracy tests and bench/accuracy.ts: analyse
 * `BORDERLINE_SCOPE` only (us-east-1), so the eu-west-1 waste is the other-Region decoy.
 */
import type { Ec2Instance, EbsVolume, MetricProfile, RdsInstance } from '../model';
import { hashSeed } from '../random';
import { finishScenario, type Scenario } from '../scenario';
import { DraftBuilder } from './builder';

export const BORDERLINE_ACCOUNT = { id: '210987654321', name: 'borderline' };
/** What an analysis of the borderline account requests: the eu-west-1 resources are out of scope. */
export const BORDERLINE_SCOPE = { regions: ['us-east-1'] };

const EAST = 'us-east-1';
const WEST = 'eu-west-1';
const STEPS_PER_DAY = 288; // 5-minute datapoints

function flat(value: number, since: string, key: string, extra: Partial<MetricProfile> = {}): MetricProfile {
  return { base: value, amplitude: 0, noise: 0, min: 0, since: since.slice(0, 10), seed: hashSeed(key), ...extra };
}

/** Constant CPU (p95 = max = `cpu`) and network (`bytesPerDay` in, nothing out). */
function setInstanceMetrics(i: Ec2Instance, cpu: number, bytesPerDay: number): void {
  const until = i.stoppedAt ? { until: i.stoppedAt } : {};
  i.metrics = {
    'AWS/EC2/CPUUtilization': flat(cpu, i.launchTime, `${i.instanceId}/cpu`, { max: 100, ...until }),
    'AWS/EC2/NetworkIn': flat(bytesPerDay / STEPS_PER_DAY, i.launchTime, `${i.instanceId}/in`, until),
    'AWS/EC2/NetworkOut': flat(0, i.launchTime, `${i.instanceId}/out`, until),
  };
}

/** Constant operations: `opsPerDay` reads a day, no writes. */
function setVolumeOps(v: EbsVolume, opsPerDay: number): void {
  v.metrics = {
    'AWS/EBS/VolumeReadOps': flat(opsPerDay / STEPS_PER_DAY, v.createTime, `${v.volumeId}/read`),
    'AWS/EBS/VolumeWriteOps': flat(0, v.createTime, `${v.volumeId}/write`),
  };
}

function setConnections(db: RdsInstance, connections: number): void {
  db.metrics['AWS/RDS/DatabaseConnections'] = flat(connections, db.instanceCreateTime, `${db.dbInstanceIdentifier}/connections`);
}

export function buildBorderlineAccount(b: DraftBuilder): void {
  const account = BORDERLINE_ACCOUNT.id;
  b.draft.accounts.push({ ...BORDERLINE_ACCOUNT });
  b.draft.regions.push(EAST, WEST);
  b.draft.supportPlans[account] = 'business';
  b.draft.detailDays = b.draft.historyDays + 1;
  const dev = { Environment: 'dev', Owner: 'borderline' };
  const prod = { Environment: 'prod', Owner: 'borderline' };

  const instance = (
    name: string,
    cpu: number,
    bytesPerDay: number,
    options: { type?: string; days?: number; tags?: Record<string, string>; region?: string; spot?: boolean; asg?: string; stopped?: number } = {},
  ): Ec2Instance => {
    const i = b.instance({
      account,
      region: options.region ?? EAST,
      instanceType: options.type ?? 'm5.xlarge',
      name,
      tags: options.tags ?? dev,
      launchedDaysAgo: options.days ?? 120,
      role: 'normal',
      ...(options.spot ? { lifecycle: 'spot' as const } : {}),
      ...(options.asg ? { autoScalingGroup: options.asg } : {}),
      ...(options.stopped !== undefined ? { stoppedDaysAgo: options.stopped } : {}),
    });
    setInstanceMetrics(i, cpu, bytesPerDay);
    return i;
  };

  // ec2-idle: CPU p95 under 2% and every day's network under 5 MB.
  instance('idle-inside', 1.9, 4_900_000);
  instance('idle-cpu-outside', 2.1, 4_900_000); // over-provisioned instead
  instance('idle-network-outside', 1.5, 5_100_000); // over-provisioned instead
  // The 14-day history rule: launched 15 days ago is judged, 13 days ago is not.
  instance('idle-age-inside', 0.5, 1_000_000, { days: 15 });
  instance('idle-age-outside', 0.5, 1_000_000, { days: 13 });
  // ec2-overprovisioned: p95 under 20% and maximum under 30% (constant: p95 = maximum).
  instance('oversized-inside', 19.5, 2e8);
  instance('oversized-outside', 20.5, 2e8);
  instance('oversized-smallest-size', 10, 2e8, { type: 'm5.large' }); // no smaller size: nothing
  // Network: m5.large sustains about 625 Mbit/s; 25% of it is 1.69 TB a day.
  instance('oversized-network-inside', 10, 1.6e12);
  instance('oversized-network-outside', 10, 1.8e12);
  // ec2-previous-generation: busy m4 → m5.
  instance('previous-generation', 60, 2e8, { type: 'm4.xlarge', tags: prod });
  // ec2-stopped-long: 30 days or more.
  instance('stopped-inside', 0, 0, { stopped: 31 });
  instance('stopped-outside', 0, 0, { stopped: 29 });
  // Decoys that must never be flagged: busy production, Spot, Auto Scaling members, new.
  instance('busy-production', 65, 3e8, { tags: prod });
  instance('busy-dev', 45, 3e8);
  instance('quiet-spot', 0.5, 1_000_000, { spot: true });
  instance('quiet-asg-1', 0.5, 1_000_000, { asg: 'borderline-asg' });
  instance('quiet-asg-2', 30, 1e8, { asg: 'borderline-asg' });
  instance('quiet-new', 0.5, 1_000_000, { days: 4 });
  // Other Region: real waste, out of the requested scope.
  instance('idle-other-region', 0.5, 1_000_000, { region: WEST });

  // Volumes on a busy host (so the host gets no finding of its own).
  const host = instance('volume-host', 60, 3e8, { type: 'm5.2xlarge', tags: prod });
  const attach = (sizeGiB: number, volumeType: EbsVolume['volumeType'], opsPerDay: number, iops?: number): EbsVolume => {
    const v = b.volume({ sizeGiB, volumeType, ...(iops ? { iops } : {}), role: 'active' }, account, EAST, 120, host, `/dev/sd${String.fromCharCode(102 + host.blockDevices.length)}`);
    setVolumeOps(v, opsPerDay);
    return v;
  };
  // ebs-idle: under 1,000 operations every day.
  attach(100, 'gp3', 990);
  attach(100, 'gp3', 1010);
  // gp2 → gp3 at gp2's performance: 7 GiB saves (0.70 vs 0.56 + 3 MiB/s), 5 GiB does not.
  attach(7, 'gp2', 50_000);
  attach(5, 'gp2', 50_000);
  attach(2000, 'gp2', 50_000); // 6,000 IOPS and 250 MiB/s kept
  // io1 → gp3: 4,000 IOPS fit; 20,000 do not (io2 at the same price: nothing).
  attach(200, 'io1', 50_000, 4000);
  attach(1000, 'io1', 50_000, 20_000);
  attach(200, 'io2', 50_000, 4000); // well configured: io2 stays
  // ebs-unattached, and its decoy: attached and busy (above).
  b.volume({ sizeGiB: 50, volumeType: 'gp3' }, account, EAST, 40);
  // Elastic IPs: unassociated is waste; on a running instance is not.
  b.address(account, EAST, 30);
  b.address(account, EAST, 30, host);
  // Orphaned snapshots: 90 days old and over is waste; 89 days is not; one of a live volume never.
  b.snapshot(account, EAST, 'vol-0deadbeef0000001', 100, 91, 40, 'borderline old orphan');
  b.snapshot(account, EAST, 'vol-0deadbeef0000002', 100, 89, 40, 'borderline young orphan');
  b.snapshot(account, EAST, host.blockDevices[0]!.volumeId, 50, 200, 20, 'borderline backup of a live volume');

  // RDS.
  const db = (identifier: string, connections: number, options: { days?: number; multiAz?: boolean; tags?: Record<string, string>; storage?: number; type?: RdsInstance['storageType'] } = {}) => {
    const d = b.database({
      account,
      region: EAST,
      identifier,
      dbInstanceClass: 'db.m5.large',
      engine: 'postgres',
      multiAz: options.multiAz ?? false,
      storageType: options.type ?? 'gp3',
      allocatedStorageGiB: options.storage ?? 100,
      createdDaysAgo: options.days ?? 200,
      role: connections === 0 ? 'idle' : 'normal',
      tags: options.tags ?? prod,
    });
    setConnections(d, connections);
    return d;
  };
  // rds-idle: no connection in 7 days, created 14 days or more ago.
  db('idle-db-inside', 0);
  db('idle-db-outside', 1);
  db('idle-db-young', 0, { days: 10 });
  // rds-multi-az-nonprod: staging Multi-AZ is waste; production Multi-AZ is not.
  db('multi-az-staging', 20, { multiAz: true, tags: { Environment: 'Staging' } });
  db('multi-az-production', 20, { multiAz: true, tags: { Environment: 'Production' } });
  // rds-gp2-to-gp3: up to 170 GiB and from 400 GiB gp3 keeps gp2's performance; in between it does not.
  db('gp2-small', 20, { type: 'gp2', storage: 170 });
  db('gp2-middle', 20, { type: 'gp2', storage: 300 });
  db('gp2-large', 20, { type: 'gp2', storage: 400 });
}

/** The borderline account as a scenario (prices, costs, ground truth and Trusted Advisor derived as for any other). */
export function borderlineScenario(anchorDate: string, historyDays = 120): Scenario {
  const b = new DraftBuilder(hashSeed('borderline'), anchorDate, historyDays, 'small');
  buildBorderlineAccount(b);
  return finishScenario(b.draft);
}
