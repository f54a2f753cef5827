/**
 * The sample account's resource model (scenario v2): what every simulated AWS service serves.
 *
 * One scenario describes an organisation: accounts, regions, resources with their state, tags and
 * metric behaviour, a price list, Trusted Advisor results, and the cost history that follows from
 * them. Protocol handlers (src/sim/services/*) read it; they never invent data of their own.
 *
 * Scale: the large scenario has 10,000 instances, 1,000 databases, 5,000 buckets and 15,000
 * volumes. So metric series are not stored point by point: each series is a small `MetricProfile`
 * from which any datapoint is computed deterministically (see metrics.ts), and costs are kept in
 * an aggregated, queryable store rather than one object per resource and day.
 */

/** AWS account in the scenario's organisation. */
export interface SimAccount {
  id: string;
  name: string;
  /** Role the analysis assumes in this account (STS AssumeRole); absent for the management account. */
  roleName?: string;
  /** External ID the role's trust policy requires, if any. */
  externalId?: string;
}

export type SupportPlan = 'basic' | 'developer' | 'business' | 'enterprise';

/**
 * A metric series described, not stored. Values are produced for any timestamp by a pure function of
 * the profile and time (metrics.ts): `base` plus a daily cycle of `amplitude` peaking at `peakHourUtc`,
 * scaled down on weekends by `weekendFactor`, plus seeded noise (`noise`, a fraction of the value), with
 * optional bursts. Datapoints exist only from `since` (ISO date; metric history can be short) and only
 * while the resource runs (a stopped instance emits no CPU datapoints).
 */
export interface MetricProfile {
  base: number;
  amplitude?: number;
  peakHourUtc?: number;
  weekendFactor?: number;
  noise?: number;
  /** Short bursts: `perDay` bursts of `height` (added) lasting `minutes`. */
  bursts?: { perDay: number; height: number; minutes: number };
  /** Values are clamped to [min, max] (e.g. CPU 0..100). */
  min?: number;
  max?: number;
  /** First day with datapoints. */
  since: string;
  /** ISO timestamp after which there are no datapoints (the instance stopped; the resource was deleted). */
  until?: string;
  /** Seed for the noise, unique per series. */
  seed: number;
}

/** CloudWatch metric names (namespace/MetricName) → profile, per resource. Absent metric = no datapoints. */
export type MetricSet = Record<string, MetricProfile>;

interface ResourceBase {
  account: string;
  region: string;
  tags: Record<string, string>;
  /** CloudWatch series keyed "AWS/EC2/CPUUtilization", "AWS/EBS/VolumeReadOps", ... */
  metrics: MetricSet;
}

export interface Ec2Instance extends ResourceBase {
  instanceId: string;
  instanceType: string;
  availabilityZone: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  /** ISO timestamp. */
  launchTime: string;
  /** When it stopped (ISO) — AWS shows this in StateTransitionReason: "User initiated (YYYY-MM-DD HH:MM:SS GMT)". */
  stoppedAt?: string;
  platform: 'linux' | 'windows';
  architecture: 'x86_64' | 'arm64';
  lifecycle: 'on-demand' | 'spot';
  /** Member of this Auto Scaling group (AWS also shows the tag aws:autoscaling:groupName). */
  autoScalingGroup?: string;
  /** Burstable (t2/t3/t4g) credit mode. */
  creditSpecification?: 'standard' | 'unlimited';
  ebsOptimized?: boolean;
  privateIpAddress: string;
  publicIpAddress?: string;
  /** Block device mappings: device name → volume ID. */
  blockDevices: { deviceName: string; volumeId: string }[];
}

export interface EbsVolume extends ResourceBase {
  volumeId: string;
  volumeType: 'gp2' | 'gp3' | 'io1' | 'io2' | 'st1' | 'sc1' | 'standard';
  sizeGiB: number;
  /** Provisioned IOPS (gp3, io1, io2; gp2 reports its baseline). */
  iops?: number;
  /** gp3 throughput, MiB/s. */
  throughput?: number;
  availabilityZone: string;
  state: 'creating' | 'available' | 'in-use' | 'deleting' | 'error';
  createTime: string;
  /** Present when attached. */
  attachment?: { instanceId: string; device: string; attachTime: string; deleteOnTermination: boolean };
  encrypted: boolean;
  snapshotId?: string;
}

export interface ElasticIp {
  account: string;
  region: string;
  allocationId: string;
  publicIp: string;
  domain: 'vpc';
  /** Present when associated (to an instance or a network interface). */
  associationId?: string;
  instanceId?: string;
  networkInterfaceId?: string;
  privateIpAddress?: string;
  tags: Record<string, string>;
}

export interface EbsSnapshot {
  account: string;
  region: string;
  snapshotId: string;
  /** The source volume; it may no longer exist (an orphaned snapshot). */
  volumeId: string;
  volumeSize: number;
  startTime: string;
  state: 'pending' | 'completed' | 'error';
  storageTier: 'standard' | 'archive';
  description?: string;
  ownerId: string;
  encrypted: boolean;
  /** Full snapshot size is AWS-internal; the simulator bills this many GB of incremental storage. */
  billedSizeGb: number;
  tags: Record<string, string>;
}

export interface RdsInstance extends ResourceBase {
  dbInstanceIdentifier: string;
  dbInstanceClass: string;
  engine: string;
  engineVersion: string;
  status: 'available' | 'stopped' | 'creating' | 'modifying' | 'backing-up' | 'deleting';
  multiAz: boolean;
  storageType: 'gp2' | 'gp3' | 'io1' | 'io2' | 'standard';
  allocatedStorageGiB: number;
  iops?: number;
  storageThroughput?: number;
  instanceCreateTime: string;
  availabilityZone: string;
  licenseModel?: string;
  dbiResourceId: string;
}

/** S3 lifecycle rule, in the shape GetBucketLifecycleConfiguration returns. */
export interface LifecycleRule {
  id?: string;
  status: 'Enabled' | 'Disabled';
  prefix?: string;
  transitions?: { days: number; storageClass: string }[];
  expirationDays?: number;
  noncurrentVersionExpirationDays?: number;
  noncurrentVersionTransitions?: { noncurrentDays: number; storageClass: string }[];
  abortIncompleteMultipartUploadDays?: number;
}

export interface S3Bucket extends ResourceBase {
  name: string;
  creationDate: string;
  versioning?: 'Enabled' | 'Suspended';
  lifecycleRules: LifecycleRule[];
  /** Bytes per storage class (StandardStorage, StandardIAStorage, GlacierStorage, ...) as of the anchor date. */
  storageBytes: Record<string, number>;
  objectCount: number;
  /** Noncurrent-version and incomplete-multipart bytes included in storageBytes.StandardStorage. */
  noncurrentBytes?: number;
  incompleteMultipartBytes?: number;
  /** false: AWS Config has no configuration item for it (recorder off in its Region, or created since the last recording). Default true. */
  recordedByConfig?: boolean;
}

/** A price list entry in the shape the Pricing API's GetProducts PriceList describes (flattened). */
export interface PriceEntry {
  /** Pricing service code: AmazonEC2, AmazonRDS, AmazonS3, AmazonCloudWatch. */
  serviceCode: string;
  sku: string;
  productFamily: string;
  /** Product attributes as the Pricing API names them (instanceType, location, regionCode, operatingSystem, tenancy, preInstalledSw, capacitystatus, volumeApiName, databaseEngine, deploymentOption, storageClass, ...). */
  attributes: Record<string, string>;
  /** OnDemand price in USD per `unit` (Hrs, GB-Mo, IOPS-Mo, ...), decimal string. */
  pricePerUnit: string;
  unit: string;
  /** Reserved/Savings Plans prices are not modelled (commitments held are: `SimCommitments`). */
  termType: 'OnDemand';
}

/**
 * A commitment in force: a Reserved Instance (EC2 or RDS) of one instance type in one account and Region,
 * or a Compute Savings Plan of an hourly commitment in USD. Optional in a scenario (default none): the
 * generated accounts buy none, and billing.ts does not discount usage for them.
 */
export interface SimReservation {
  id: string;
  service: 'EC2' | 'RDS';
  account: string;
  region: string;
  /** EC2 instance type or RDS DB instance class. */
  instanceType: string;
  /**
   * RDS: the database engine reserved (as DescribeDBInstances names it: mysql, postgres, ...); a reservation
   * covers only databases of its engine. Absent: any engine of the class (EC2 reservations have none).
   */
  engine?: string;
  count: number;
  /** ISO timestamps. */
  start: string;
  end: string;
}

export interface SimSavingsPlan {
  id: string;
  account: string;
  /** USD per hour, decimal string. */
  commitmentPerHour: string;
  start: string;
  end: string;
}

export interface SimCommitments {
  reservations: SimReservation[];
  savingsPlans: SimSavingsPlan[];
}

/** A Trusted Advisor check's result, consistent with the scenario's resources and metrics. */
export interface TrustedAdvisorCheckResult {
  checkId: string;
  name: string;
  category: 'cost_optimizing' | 'security' | 'fault_tolerance' | 'performance' | 'service_limits';
  /** Column names, as DescribeTrustedAdvisorChecks returns them. */
  metadataColumns: string[];
  status: 'ok' | 'warning' | 'error' | 'not_available';
  resourcesProcessed: number;
  flaggedResources: {
    resourceId: string;
    region: string;
    status: 'ok' | 'warning' | 'error';
    isSuppressed: boolean;
    /** Positional, matching metadataColumns. */
    metadata: (string | null)[];
  }[];
  estimatedMonthlySavings: number;
  /** Account the result belongs to. */
  account: string;
  /** ISO timestamp of the last refresh. */
  timestamp: string;
}

/** Planted waste: what the generator deliberately put in, with its true monthly savings. */
export interface PlantedWaste {
  /** Check name the agents use, e.g. "ec2-idle", "ebs-unattached", "ebs-gp2-to-gp3", "eip-unassociated", "rds-idle", "s3-no-lifecycle". */
  check: string;
  account: string;
  region: string;
  resourceId: string;
  /** USD per month (730 hours) saved by the recommended action, from the scenario's price list. */
  monthlySavings: number;
  action: string;
  detail?: string;
}

export interface ScenarioEvent {
  date: string;
  /** Last day of the event (inclusive). */
  endDate: string;
  kind: 'spike' | 'launch' | 'deletion';
  service: string;
  resourceId?: string;
  description: string;
}

/**
 * Everything a scenario holds that the protocol handlers serve. `Scenario` (scenario.ts) extends this
 * with the cost history. Handlers depend on this interface only.
 */
export interface ScenarioResources {
  seed: number;
  /** The simulated "today" (UTC, YYYY-MM-DD). Metrics and costs exist up to here. */
  anchorDate: string;
  /** Organisation: the first account is the management (payer) account. */
  accounts: SimAccount[];
  regions: string[];
  /** Support plan per account ID: Trusted Advisor's API needs business or enterprise. */
  supportPlans: Record<string, SupportPlan>;
  instances: Ec2Instance[];
  volumes: EbsVolume[];
  addresses: ElasticIp[];
  snapshots: EbsSnapshot[];
  databases: RdsInstance[];
  buckets: S3Bucket[];
  prices: PriceEntry[];
  trustedAdvisor: TrustedAdvisorCheckResult[];
  planted: PlantedWaste[];
  events: ScenarioEvent[];
  /** Reserved Instances and Savings Plans in force; none when absent. */
  commitments?: SimCommitments;
}

/** CloudWatch statistics the simulator computes, as GetMetricData's MetricStat.Stat names them. */
export type MetricStatistic = 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount' | `p${number}`;
