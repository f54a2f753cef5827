/**
 * Building blocks for generated scenarios: resources in the model's shape (model.ts) with their
 * metric profiles, root volumes, attachments and IDs, collected into a `ScenarioDraft` that
 * scenario.ts turns into a scenario (prices, costs, ground truth, Trusted Advisor).
 */
import type { InstanceSchedule, UsageCharge } from '../billing';
import { addDays, fromEpochDay, toEpochDay } from '../dates';
import type {
  EbsSnapshot,
  EbsVolume,
  Ec2Instance,
  ElasticIp,
  LifecycleRule,
  PriceEntry,
  RdsInstance,
  S3Bucket,
  ScenarioEvent,
  SimCommitments,
  SimAccount,
  SupportPlan,
} from '../model';
import { hashSeed, substream, type SeededRandom } from '../random';
import { requireInstanceType } from './catalog';
import { IdFactory } from './ids';
import {
  bucketMetrics,
  databaseMetrics,
  instanceMetrics,
  volumeMetrics,
  type CpuRole,
  type DatabaseRole,
  type VolumeRole,
} from './profiles';

export type ScenarioSize = 'small' | 'medium' | 'large';

/** Everything a scenario is made of before its derived parts (costs, ground truth, TA) are computed. */
export interface ScenarioDraft {
  seed: number;
  anchorDate: string;
  historyDays: number;
  size: ScenarioSize | 'custom';
  accounts: SimAccount[];
  regions: string[];
  supportPlans: Record<string, SupportPlan>;
  instances: Ec2Instance[];
  volumes: EbsVolume[];
  addresses: ElasticIp[];
  snapshots: EbsSnapshot[];
  databases: RdsInstance[];
  buckets: S3Bucket[];
  charges: UsageCharge[];
  schedules: Record<string, InstanceSchedule>;
  addressAllocatedAt: Record<string, string>;
  bucketGrowth: Record<string, number>;
  events: ScenarioEvent[];
  /** Reserved Instances and Savings Plans in force (scenario files); none by default. */
  commitments?: SimCommitments;
  /** Prices given explicitly (scenario files); the built-in list fills the rest. */
  prices?: PriceEntry[];
  costAllocationTags?: string[];
  /** Days up to the anchor whose cost rows keep their resource (default: 14, small: all). */
  detailDays?: number;
}

export interface VolumeSpec {
  sizeGiB: number;
  volumeType?: EbsVolume['volumeType'];
  iops?: number;
  throughput?: number;
  role?: VolumeRole;
  tags?: Record<string, string>;
}

export interface InstanceSpec {
  account: string;
  region: string;
  instanceType: string;
  name: string;
  tags: Record<string, string>;
  launchedDaysAgo: number;
  role: CpuRole;
  /** Stopped this many days ago (a stopped instance). */
  stoppedDaysAgo?: number;
  lifecycle?: 'on-demand' | 'spot';
  autoScalingGroup?: string;
  schedule?: InstanceSchedule;
  root?: VolumeSpec;
  data?: VolumeSpec[];
  publicIp?: boolean;
}

export class DraftBuilder {
  readonly ids: IdFactory;
  readonly rng: SeededRandom;
  readonly draft: ScenarioDraft;
  private readonly anchorDay: number;
  private readonly azRng: SeededRandom;

  constructor(seed: number, anchorDate: string, historyDays: number, size: ScenarioSize) {
    this.ids = new IdFactory(substream(seed, 'ids'));
    this.rng = substream(seed, 'metrics');
    this.azRng = substream(seed, 'placement');
    this.anchorDay = toEpochDay(anchorDate);
    this.draft = {
      seed,
      anchorDate,
      historyDays,
      size,
      accounts: [],
      regions: [],
      supportPlans: {},
      instances: [],
      volumes: [],
      addresses: [],
      snapshots: [],
      databases: [],
      buckets: [],
      charges: [],
      schedules: {},
      addressAllocatedAt: {},
      bucketGrowth: {},
      events: [],
    };
  }

  /** ISO timestamp `days` days before the anchor date at `hour`:`minute` UTC. */
  at(daysAgo: number, hour = 9, minute = 0): string {
    const date = fromEpochDay(this.anchorDay - Math.floor(daysAgo));
    return `${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
  }

  date(daysAgo: number): string {
    return addDays(fromEpochDay(this.anchorDay), -daysAgo);
  }

  az(region: string): string {
    return `${region}${this.azRng.pick(['a', 'b', 'c'])}`;
  }

  instance(spec: InstanceSpec): Ec2Instance {
    const info = requireInstanceType(spec.instanceType);
    const instanceId = this.ids.instance();
    const launchTime = this.at(spec.launchedDaysAgo, this.azRng.int(6, 18), this.azRng.int(0, 59));
    const stoppedAt =
      spec.stoppedDaysAgo === undefined ? undefined : this.at(spec.stoppedDaysAgo, this.azRng.int(8, 19), this.azRng.int(0, 59));
    const availabilityZone = this.az(spec.region);
    const tags: Record<string, string> = { ...spec.tags, Name: spec.name };
    if (spec.autoScalingGroup) tags['aws:autoscaling:groupName'] = spec.autoScalingGroup;
    const instance: Ec2Instance = {
      account: spec.account,
      region: spec.region,
      tags,
      metrics: instanceMetrics(this.rng, instanceId, spec.role, launchTime, stoppedAt),
      instanceId,
      instanceType: spec.instanceType,
      availabilityZone,
      state: stoppedAt ? 'stopped' : 'running',
      launchTime,
      ...(stoppedAt ? { stoppedAt } : {}),
      platform: 'linux',
      architecture: info.architecture,
      lifecycle: spec.lifecycle ?? 'on-demand',
      ...(spec.autoScalingGroup ? { autoScalingGroup: spec.autoScalingGroup } : {}),
      ...(info.burstable ? { creditSpecification: info.family === 't2' ? 'standard' : 'unlimited' } : {}),
      ebsOptimized: !info.burstable && info.family !== 'm3',
      privateIpAddress: this.ids.privateIp(),
      ...(spec.publicIp && !stoppedAt ? { publicIpAddress: this.ids.publicIp() } : {}),
      blockDevices: [],
    };
    this.draft.instances.push(instance);
    if (spec.schedule) this.draft.schedules[instanceId] = spec.schedule;
    const volumeTags = { ...spec.tags };
    const root = spec.root ?? { sizeGiB: info.family.startsWith('t') ? 20 : 50 };
    this.volume(
      { ...root, tags: { ...volumeTags, Name: `${spec.name}-root`, ...root.tags } },
      spec.account,
      spec.region,
      spec.launchedDaysAgo,
      instance,
      '/dev/xvda',
    );
    (spec.data ?? []).forEach((data, i) => {
      const device = `/dev/sd${String.fromCharCode(102 + i)}`; // sdf, sdg, ...
      this.volume(
        { ...data, tags: { ...volumeTags, Name: `${spec.name}-data${i + 1}`, ...data.tags } },
        spec.account,
        spec.region,
        spec.launchedDaysAgo,
        instance,
        device,
      );
    });
    return instance;
  }

  volume(
    spec: VolumeSpec,
    account: string,
    region: string,
    createdDaysAgo: number,
    attachTo?: Ec2Instance,
    device?: string,
  ): EbsVolume {
    const volumeId = this.ids.volume();
    const createTime = attachTo ? attachTo.launchTime : this.at(createdDaysAgo, 10, this.azRng.int(0, 59));
    const volumeType = spec.volumeType ?? 'gp3';
    const iops =
      volumeType === 'gp3'
        ? (spec.iops ?? 3000)
        : volumeType === 'gp2'
          ? Math.min(16_000, Math.max(100, 3 * spec.sizeGiB))
          : spec.iops;
    const until = attachTo?.stoppedAt;
    const role: VolumeRole = spec.role ?? (attachTo ? 'active' : 'detached');
    const volume: EbsVolume = {
      account,
      region,
      tags: spec.tags ?? {},
      metrics: volumeMetrics(this.rng, volumeId, role, createTime, until),
      volumeId,
      volumeType,
      sizeGiB: spec.sizeGiB,
      ...(iops !== undefined ? { iops } : {}),
      ...(volumeType === 'gp3' ? { throughput: spec.throughput ?? 125 } : {}),
      availabilityZone: attachTo?.availabilityZone ?? this.az(region),
      state: attachTo ? 'in-use' : 'available',
      createTime,
      ...(attachTo && device
        ? {
            attachment: {
              instanceId: attachTo.instanceId,
              device,
              attachTime: attachTo.launchTime,
              deleteOnTermination: device === '/dev/xvda',
            },
          }
        : {}),
      encrypted: true,
    };
    if (attachTo && device) attachTo.blockDevices.push({ deviceName: device, volumeId });
    this.draft.volumes.push(volume);
    return volume;
  }

  address(
    account: string,
    region: string,
    allocatedDaysAgo: number,
    instance?: Ec2Instance,
    tags: Record<string, string> = {},
  ): ElasticIp {
    const allocationId = this.ids.allocation();
    const address: ElasticIp = {
      account,
      region,
      allocationId,
      publicIp: this.ids.publicIp(),
      domain: 'vpc',
      ...(instance
        ? {
            associationId: this.ids.association(),
            instanceId: instance.instanceId,
            networkInterfaceId: this.ids.networkInterface(),
            privateIpAddress: instance.privateIpAddress,
          }
        : {}),
      tags,
    };
    if (instance) {
      instance.publicIpAddress = address.publicIp;
    }
    this.draft.addresses.push(address);
    this.draft.addressAllocatedAt[allocationId] = instance ? instance.launchTime : this.at(allocatedDaysAgo, 11);
    return address;
  }

  snapshot(
    account: string,
    region: string,
    volumeId: string,
    volumeSize: number,
    daysAgo: number,
    billedSizeGb: number,
    description: string,
    tags: Record<string, string> = {},
  ): EbsSnapshot {
    const snapshot: EbsSnapshot = {
      account,
      region,
      snapshotId: this.ids.snapshot(),
      volumeId,
      volumeSize,
      startTime: this.at(daysAgo, 3, this.azRng.int(0, 59)),
      state: 'completed',
      storageTier: 'standard',
      description,
      ownerId: account,
      encrypted: true,
      billedSizeGb,
      tags,
    };
    this.draft.snapshots.push(snapshot);
    return snapshot;
  }

  database(spec: {
    account: string;
    region: string;
    identifier: string;
    dbInstanceClass: string;
    engine: 'postgres' | 'mysql';
    multiAz: boolean;
    storageType: RdsInstance['storageType'];
    allocatedStorageGiB: number;
    iops?: number;
    createdDaysAgo: number;
    role: DatabaseRole;
    tags: Record<string, string>;
  }): RdsInstance {
    const created = this.at(spec.createdDaysAgo, 14, this.azRng.int(0, 59));
    const db: RdsInstance = {
      account: spec.account,
      region: spec.region,
      tags: spec.tags,
      metrics: databaseMetrics(this.rng, spec.identifier, spec.role, created, spec.allocatedStorageGiB),
      dbInstanceIdentifier: spec.identifier,
      dbInstanceClass: spec.dbInstanceClass,
      engine: spec.engine,
      engineVersion: spec.engine === 'postgres' ? '16.4' : '8.0.39',
      status: 'available',
      multiAz: spec.multiAz,
      storageType: spec.storageType,
      allocatedStorageGiB: spec.allocatedStorageGiB,
      ...(spec.iops !== undefined
        ? { iops: spec.iops }
        : spec.storageType === 'gp3'
          ? { iops: 3000, storageThroughput: 125 }
          : {}),
      instanceCreateTime: created,
      availabilityZone: this.az(spec.region),
      licenseModel: spec.engine === 'postgres' ? 'postgresql-license' : 'general-public-license',
      dbiResourceId: this.ids.dbiResource(),
    };
    this.draft.databases.push(db);
    return db;
  }

  bucket(spec: {
    account: string;
    region: string;
    name: string;
    createdDaysAgo: number;
    storageBytes: Record<string, number>;
    objectCount: number;
    versioning?: 'Enabled' | 'Suspended';
    lifecycleRules: LifecycleRule[];
    noncurrentBytes?: number;
    incompleteMultipartBytes?: number;
    monthlyGrowth?: number;
    tags: Record<string, string>;
    /** Default: by the name's hash (unrecordedByConfig), never by the seeded RNG. */
    recordedByConfig?: boolean;
  }): S3Bucket {
    const creationDate = this.at(spec.createdDaysAgo, 12, this.azRng.int(0, 59));
    const total = Object.values(spec.storageBytes).reduce((a, b) => a + b, 0);
    const bucket: S3Bucket = {
      account: spec.account,
      region: spec.region,
      tags: spec.tags,
      metrics: bucketMetrics(spec.name, creationDate, total, spec.objectCount),
      name: spec.name,
      creationDate,
      ...(spec.versioning ? { versioning: spec.versioning } : {}),
      lifecycleRules: spec.lifecycleRules,
      storageBytes: spec.storageBytes,
      objectCount: spec.objectCount,
      ...(spec.noncurrentBytes !== undefined ? { noncurrentBytes: spec.noncurrentBytes } : {}),
      ...(spec.incompleteMultipartBytes !== undefined ? { incompleteMultipartBytes: spec.incompleteMultipartBytes } : {}),
      ...((spec.recordedByConfig ?? !unrecordedByConfig(spec.name)) ? {} : { recordedByConfig: false }),
    };
    this.draft.buckets.push(bucket);
    if (spec.monthlyGrowth) this.draft.bucketGrowth[spec.name] = spec.monthlyGrowth;
    return bucket;
  }

  charge(charge: Omit<UsageCharge, 'seed'>): UsageCharge {
    const full: UsageCharge = { ...charge, seed: this.draft.charges.length * 7919 + this.draft.seed };
    this.draft.charges.push(full);
    return full;
  }
}

/**
 * About 1% of generated buckets AWS Config has not recorded: chosen by the FNV-1a hash of the name (not
 * the seeded RNG, so no other generated figure moves).
 */
export function unrecordedByConfig(bucketName: string): boolean {
  return (hashSeed(bucketName) >>> 0) % 100 === 0;
}

/** A tidy lifecycle configuration: IA after 30 days, Glacier after 90, clean-ups. */
export function goodLifecycle(versioned: boolean): LifecycleRule[] {
  return [
    {
      id: 'tiering-and-cleanup',
      status: 'Enabled',
      prefix: '',
      transitions: [
        { days: 30, storageClass: 'STANDARD_IA' },
        { days: 90, storageClass: 'GLACIER' },
      ],
      abortIncompleteMultipartUploadDays: 7,
      ...(versioned ? { noncurrentVersionExpirationDays: 30 } : {}),
    },
  ];
}
