/**
 * Trusted Advisor over a scenario: the checks DescribeTrustedAdvisorChecks lists (with AWS's IDs,
 * names, categories and metadata columns) and, per account, results computed from the scenario's
 * resources and metrics by each check's published rule:
 *
 * - Qch7DwouX1 Low Utilization Amazon EC2 Instances: running in the last 14 days with daily average
 *   CPU <= 10% and daily network I/O (in + out) <= 5 MB on 4 or more days. TA applies this to every
 *   instance — Spot and Auto Scaling members included — unlike the ground truth's ec2-idle.
 * - c18d2gz150 Amazon EC2 instances stopped: stopped for more than 30 days (AWS Config rule).
 * - DAvU99Dc4C Underutilized Amazon EBS Volumes: unattached, or fewer than 1 IOPS a day on average
 *   over the last 7 days.
 * - Z4AUBRNSmz Unassociated Elastic IP Addresses: not associated with a running instance.
 * - Ti39halfu8 Amazon RDS Idle DB Instances: no connection in the last 7 days.
 * - c18d2gz100 / c18d2gz171 / c1cj39rr6v: S3 buckets without a lifecycle policy, versioned buckets
 *   without one, buckets without a rule aborting incomplete multipart uploads within 7 days.
 * Checks of the other categories are listed, with results that flag nothing.
 */
import { createHash } from 'node:crypto';
import { volumeMonthlyCost } from './billing';
import type { PriceBook } from './generator/prices';
import { DAY_SECONDS, aggregate, profileBounds } from './metrics';
import type { Ec2Instance, MetricProfile, ScenarioResources, TrustedAdvisorCheckResult } from './model';
import { HOURS_PER_MONTH, dbCosts, instanceHourly, nameTag } from './waste';

export interface TrustedAdvisorCheck {
  id: string;
  name: string;
  description: string;
  category: TrustedAdvisorCheckResult['category'];
  metadata: string[];
}

const CONFIG_RULE_COLUMNS = ['Status', 'Region', 'Resource', 'AWS Config Rule', 'Input Parameters', 'Last Updated Time'];

export const TRUSTED_ADVISOR_CHECKS: readonly TrustedAdvisorCheck[] = [
  {
    id: 'Qch7DwouX1',
    name: 'Low Utilization Amazon EC2 Instances',
    description:
      'Checks the Amazon Elastic Compute Cloud (Amazon EC2) instances that were running at any time during the last 14 days and alerts you if the daily CPU utilization was 10% or less and network I/O was 5 MB or less on 4 or more days.',
    category: 'cost_optimizing',
    metadata: [
      'Region/AZ',
      'Instance ID',
      'Instance Name',
      'Instance Type',
      'Estimated Monthly Savings',
      ...Array.from({ length: 14 }, (_, i) => `Day ${i + 1}`),
      '14-Day Average CPU Utilization',
      '14-Day Average Network I/O',
      'Number of Days Low Utilization',
    ],
  },
  {
    id: 'c18d2gz150',
    name: 'Amazon EC2 instances stopped',
    description: 'Checks if there are Amazon EC2 instances that have been stopped for more than 30 days.',
    category: 'cost_optimizing',
    metadata: CONFIG_RULE_COLUMNS,
  },
  {
    id: 'DAvU99Dc4C',
    name: 'Underutilized Amazon EBS Volumes',
    description:
      'Checks Amazon Elastic Block Store (Amazon EBS) volume configurations and warns when volumes appear to be underused. A volume is unattached or had less than 1 IOPS per day for the past 7 days.',
    category: 'cost_optimizing',
    metadata: [
      'Region',
      'Volume ID',
      'Volume Name',
      'Volume Type',
      'Volume Size',
      'Monthly Storage Cost',
      'Snapshot ID',
      'Snapshot Name',
      'Snapshot Age',
    ],
  },
  {
    id: 'Z4AUBRNSmz',
    name: 'Unassociated Elastic IP Addresses',
    description:
      'Checks for Elastic IP addresses (EIPs) that are not associated with a running Amazon Elastic Compute Cloud (Amazon EC2) instance.',
    category: 'cost_optimizing',
    metadata: ['Region', 'IP Address'],
  },
  {
    id: 'Ti39halfu8',
    name: 'Amazon RDS Idle DB Instances',
    description:
      'Checks the configuration of your Amazon Relational Database Service (Amazon RDS) for any database (DB) instances that appear to be idle. A DB instance is considered idle if it has not had a connection for a prolonged period of time.',
    category: 'cost_optimizing',
    metadata: [
      'Region',
      'DB Instance Name',
      'Multi-AZ',
      'Instance Type',
      'Storage Provisioned (GB)',
      'Days Since Last Connection',
      'Estimated Monthly Savings (On Demand)',
    ],
  },
  {
    id: 'c18d2gz100',
    name: 'Amazon S3 buckets without a lifecycle policy configured',
    description: 'Checks if Amazon S3 buckets have lifecycle policies configured.',
    category: 'cost_optimizing',
    metadata: CONFIG_RULE_COLUMNS,
  },
  {
    id: 'c18d2gz171',
    name: 'Amazon S3 version-enabled buckets without lifecycle policies configured',
    description: 'Checks if Amazon S3 version-enabled buckets have a lifecycle policy configured.',
    category: 'cost_optimizing',
    metadata: CONFIG_RULE_COLUMNS,
  },
  {
    id: 'c1cj39rr6v',
    name: 'Amazon S3 Incomplete Multipart Upload Abort Configuration',
    description:
      'Checks that each Amazon S3 bucket is configured with a lifecycle rule to abort multipart uploads that remain incomplete after 7 days.',
    category: 'cost_optimizing',
    metadata: [
      'Status',
      'Region',
      'Bucket Name',
      'Bucket ARN',
      'Lifecycle rule for deleting incomplete MPU',
      'Days After Initiation',
      'Last Updated Time',
    ],
  },
  {
    id: 'hjLMh88uM8',
    name: 'Idle Load Balancers',
    description: 'Checks your Elastic Load Balancing configuration for load balancers that are not actively used.',
    category: 'cost_optimizing',
    metadata: ['Region', 'Load Balancer Name', 'Reason', 'Estimated Monthly Savings'],
  },
  {
    id: 'HCP4007jGY',
    name: 'Security Groups - Specific Ports Unrestricted',
    description: 'Checks security groups for rules that allow unrestricted access (0.0.0.0/0) to specific ports.',
    category: 'security',
    metadata: ['Region', 'Security Group Name', 'Security Group ID', 'Protocol', 'Status', 'Ports'],
  },
  {
    id: '7DAFEmoDos',
    name: 'MFA on Root Account',
    description: 'Checks the root account and warns if multi-factor authentication (MFA) is not enabled.',
    category: 'security',
    metadata: [],
  },
  {
    id: 'H7IgTzjTYb',
    name: 'Amazon EBS Snapshots',
    description:
      'Checks the age of the snapshots for your Amazon Elastic Block Store (Amazon EBS) volumes (available or in-use).',
    category: 'fault_tolerance',
    metadata: [
      'Region',
      'Volume ID',
      'Volume Name',
      'Snapshot ID',
      'Snapshot Name',
      'Snapshot Age',
      'Volume Attachment',
      'Status',
      'Reason',
    ],
  },
  {
    id: 'f2iK5R6Dep',
    name: 'Amazon RDS Multi-AZ',
    description: 'Checks for DB instances that are deployed in a single Availability Zone.',
    category: 'fault_tolerance',
    metadata: ['Region', 'DB Instance', 'VPC ID', 'Multi-AZ'],
  },
  {
    id: 'ZRxQlPsb6c',
    name: 'High Utilization Amazon EC2 Instances',
    description:
      'Checks the Amazon Elastic Compute Cloud (Amazon EC2) instances that were running at any time during the last 14 days and alerts you if the daily CPU utilization was more than 90% on 4 or more days.',
    category: 'performance',
    metadata: [
      'Region/AZ',
      'Instance ID',
      'Instance Name',
      'Instance Type',
      ...Array.from({ length: 14 }, (_, i) => `Day ${i + 1}`),
      '14-Day Average CPU Utilization',
      'Number of Days over 90% CPU Utilization',
    ],
  },
  {
    id: '0Xc6LMYG8P',
    name: 'EC2 On-Demand Instances',
    description: 'Checks for usage that is more than 80% of the EC2 On-Demand Instances Limit.',
    category: 'service_limits',
    metadata: ['Region', 'Service', 'Limit Name', 'Limit Amount', 'Current Usage', 'Status'],
  },
];

export const TRUSTED_ADVISOR_CHECK_IDS = new Map(TRUSTED_ADVISOR_CHECKS.map((c) => [c.id, c]));

function seconds(iso: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso) / 1000;
}

/** TA's opaque resource ID: a stable hash of check and resource. */
function taResourceId(checkId: string, resource: string): string {
  return createHash('sha256').update(`${checkId}/${resource}`).digest('base64url').slice(0, 43);
}

const dollars = (value: number): string => `$${value.toFixed(2)}`;

function daily(profile: MetricProfile | undefined, start: number, days: number, stat: 'Average' | 'Sum'): (number | undefined)[] {
  const out = new Array<number | undefined>(days).fill(undefined);
  if (!profile) return out;
  const { timestamps, values } = aggregate(profile, start, start + days * DAY_SECONDS, DAY_SECONDS, stat);
  timestamps.forEach((t, i) => (out[Math.round((t - start) / DAY_SECONDS)] = values[i]));
  return out;
}

type Flagged = TrustedAdvisorCheckResult['flaggedResources'][number];

interface Draft {
  processed: number;
  flagged: Flagged[];
  savings: number;
}

export function computeTrustedAdvisor(
  resources: Pick<ScenarioResources, 'anchorDate' | 'accounts' | 'instances' | 'volumes' | 'addresses' | 'databases' | 'buckets'>,
  prices: PriceBook,
): TrustedAdvisorCheckResult[] {
  const anchor = seconds(resources.anchorDate);
  const start14 = anchor - 14 * DAY_SECONDS;
  const timestamp = new Date((anchor - 6 * 3600) * 1000).toISOString().replace('.000Z', 'Z');
  const drafts = new Map<string, Draft>(); // `${account}/${checkId}`
  const draft = (account: string, checkId: string): Draft => {
    const key = `${account}/${checkId}`;
    let d = drafts.get(key);
    if (!d) drafts.set(key, (d = { processed: 0, flagged: [], savings: 0 }));
    return d;
  };
  const flag = (d: Draft, checkId: string, resource: string, region: string, metadata: (string | null)[], savings = 0): void => {
    d.flagged.push({ resourceId: taResourceId(checkId, resource), region, status: 'warning', isSuppressed: false, metadata });
    d.savings += savings;
  };
  const configRow = (region: string, arn: string, rule: string, params: string): (string | null)[] => [
    'Yellow',
    region,
    arn,
    rule,
    params,
    timestamp,
  ];

  const instancesById = new Map(resources.instances.map((i) => [i.instanceId, i]));
  for (const instance of resources.instances) {
    lowUtilization(instance);
    const stopped = draft(instance.account, 'c18d2gz150');
    stopped.processed++;
    if (instance.state === 'stopped' && instance.stoppedAt && seconds(instance.stoppedAt) < anchor - 30 * DAY_SECONDS) {
      const arn = `arn:aws:ec2:${instance.region}:${instance.account}:instance/${instance.instanceId}`;
      flag(
        stopped,
        'c18d2gz150',
        instance.instanceId,
        instance.region,
        configRow(instance.region, arn, 'ec2-stopped-instance', '{"AllowedDays":"30"}'),
      );
    }
  }

  function lowUtilization(instance: Ec2Instance): void {
    const ranRecently =
      instance.state === 'running' || (instance.stoppedAt !== undefined && seconds(instance.stoppedAt) > start14);
    if (!ranRecently) return;
    const d = draft(instance.account, 'Qch7DwouX1');
    d.processed++;
    const cpuProfile = instance.metrics['AWS/EC2/CPUUtilization'];
    if (!cpuProfile || profileBounds(cpuProfile).min > 10) return;
    const cpu = daily(cpuProfile, start14, 14, 'Average');
    const netIn = daily(instance.metrics['AWS/EC2/NetworkIn'], start14, 14, 'Sum');
    const netOut = daily(instance.metrics['AWS/EC2/NetworkOut'], start14, 14, 'Sum');
    let lowDays = 0;
    let cpuSum = 0;
    let netSum = 0;
    let n = 0;
    const days = cpu.map((c, i) => {
      if (c === undefined) return null;
      const mb = ((netIn[i] ?? 0) + (netOut[i] ?? 0)) / 1e6;
      if (c <= 10 && mb <= 5) lowDays++;
      cpuSum += c;
      netSum += mb;
      n++;
      return `${c.toFixed(1)}%  ${mb.toFixed(2)}MB`;
    });
    if (lowDays < 4) return;
    const monthly = instanceHourly(prices, instance) * HOURS_PER_MONTH;
    flag(
      d,
      'Qch7DwouX1',
      instance.instanceId,
      instance.region,
      [
        instance.availabilityZone,
        instance.instanceId,
        nameTag(instance.tags) || null,
        instance.instanceType,
        dollars(monthly),
        ...days,
        `${(cpuSum / n).toFixed(1)}%`,
        `${(netSum / n).toFixed(2)}MB`,
        `${lowDays} days`,
      ],
      monthly,
    );
  }

  for (const volume of resources.volumes) {
    const d = draft(volume.account, 'DAvU99Dc4C');
    d.processed++;
    let underused = volume.state === 'available';
    if (!underused) {
      const ops = [volume.metrics['AWS/EBS/VolumeReadOps'], volume.metrics['AWS/EBS/VolumeWriteOps']];
      // Busy volumes are settled by their profiles' lower bound; volumes whose series end (their
      // instance stopped) or never started are measured — no I/O is less than 1 IOPS.
      const covered = ops.every((p) => p && (p.until === undefined || Date.parse(p.until) / 1000 >= anchor));
      const quietest = covered ? ops.reduce((sum, p) => sum + (p ? profileBounds(p).min * 288 : 0), 0) : 0;
      if (quietest < DAY_SECONDS) {
        const start7 = anchor - 7 * DAY_SECONDS;
        const reads = daily(ops[0], start7, 7, 'Sum');
        const writes = daily(ops[1], start7, 7, 'Sum');
        underused = reads.every((r, i) => ((r ?? 0) + (writes[i] ?? 0)) / DAY_SECONDS < 1);
      }
    }
    if (!underused) continue;
    const monthly = volumeMonthlyCost(prices, volume);
    flag(
      d,
      'DAvU99Dc4C',
      volume.volumeId,
      volume.region,
      [
        volume.region,
        volume.volumeId,
        nameTag(volume.tags) || null,
        volumeTypeName(volume.volumeType),
        String(volume.sizeGiB),
        dollars(monthly),
        volume.snapshotId ?? null,
        null,
        null,
      ],
      monthly,
    );
  }

  for (const address of resources.addresses) {
    const d = draft(address.account, 'Z4AUBRNSmz');
    d.processed++;
    const instance = address.instanceId ? instancesById.get(address.instanceId) : undefined;
    const unassociated = !address.associationId && !address.networkInterfaceId;
    if (unassociated || (instance && instance.state !== 'running')) {
      flag(
        d,
        'Z4AUBRNSmz',
        address.allocationId,
        address.region,
        [address.region, address.publicIp],
        prices.price({ kind: 'public-ipv4', region: address.region, inUse: false }) * HOURS_PER_MONTH,
      );
    }
  }

  for (const db of resources.databases) {
    const d = draft(db.account, 'Ti39halfu8');
    d.processed++;
    const connections = db.metrics['AWS/RDS/DatabaseConnections'];
    if (db.status !== 'available' || !connections || profileBounds(connections).min > 0) continue;
    const last14 = daily(connections, start14, 14, 'Sum');
    const lastSeen = last14.reduce<number>((latest, sum, i) => ((sum ?? 0) > 0 ? i : latest), -1);
    const daysSince = lastSeen < 0 ? 14 : 13 - lastSeen;
    if (daysSince < 7) continue;
    const monthly = dbCosts(prices, db).total;
    flag(
      d,
      'Ti39halfu8',
      db.dbInstanceIdentifier,
      db.region,
      [
        db.region,
        db.dbInstanceIdentifier,
        db.multiAz ? 'Yes' : 'No',
        db.dbInstanceClass,
        String(db.allocatedStorageGiB),
        lastSeen < 0 ? '14+' : String(daysSince),
        dollars(monthly),
      ],
      monthly,
    );
  }

  for (const bucket of resources.buckets) {
    const arn = `arn:aws:s3:::${bucket.name}`;
    const enabled = bucket.lifecycleRules.filter((r) => r.status === 'Enabled');
    const noPolicy = draft(bucket.account, 'c18d2gz100');
    noPolicy.processed++;
    if (bucket.lifecycleRules.length === 0)
      flag(noPolicy, 'c18d2gz100', bucket.name, bucket.region, configRow(bucket.region, arn, 's3-lifecycle-policy-check', '{}'));
    const versioned = draft(bucket.account, 'c18d2gz171');
    if (bucket.versioning === 'Enabled') {
      versioned.processed++;
      if (bucket.lifecycleRules.length === 0)
        flag(
          versioned,
          'c18d2gz171',
          bucket.name,
          bucket.region,
          configRow(bucket.region, arn, 's3-version-lifecycle-policy-check', '{}'),
        );
    }
    const mpu = draft(bucket.account, 'c1cj39rr6v');
    mpu.processed++;
    const abort = enabled.find(
      (r) => r.abortIncompleteMultipartUploadDays !== undefined && r.abortIncompleteMultipartUploadDays <= 7,
    );
    if (!abort) {
      const days = enabled.find((r) => r.abortIncompleteMultipartUploadDays !== undefined)?.abortIncompleteMultipartUploadDays;
      flag(mpu, 'c1cj39rr6v', bucket.name, bucket.region, [
        'Yellow',
        bucket.region,
        bucket.name,
        arn,
        days === undefined ? 'No' : 'Yes',
        days === undefined ? null : String(days),
        timestamp,
      ]);
    }
  }

  const results: TrustedAdvisorCheckResult[] = [];
  for (const account of resources.accounts) {
    for (const check of TRUSTED_ADVISOR_CHECKS) {
      const d = drafts.get(`${account.id}/${check.id}`);
      const flagged = d?.flagged ?? [];
      results.push({
        checkId: check.id,
        name: check.name,
        category: check.category,
        metadataColumns: check.metadata,
        status: flagged.length > 0 ? 'warning' : 'ok',
        resourcesProcessed: d?.processed ?? 0,
        flaggedResources: flagged,
        estimatedMonthlySavings: Number((d?.savings ?? 0).toFixed(2)),
        account: account.id,
        timestamp,
      });
    }
  }
  return results;
}

function volumeTypeName(type: string): string {
  const names: Record<string, string> = {
    gp2: 'General Purpose (SSD)',
    gp3: 'General Purpose (SSD) gp3',
    io1: 'Provisioned IOPS (SSD)',
    io2: 'Provisioned IOPS (SSD) io2',
    st1: 'Throughput Optimized HDD',
    sc1: 'Cold HDD',
    standard: 'Magnetic',
  };
  return names[type] ?? type;
}
