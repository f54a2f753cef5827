/**
 * Scenario files: an account described by hand, in YAML or JSON (docs/scenario-format.md), validated
 * with a zod schema that mirrors the model (model.ts) and turned into the same `Scenario` the
 * generator makes — prices filled in from the built-in list unless given, costs derived from the
 * resources, waste and Trusted Advisor results computed by the same rules.
 *
 * Errors name the place in the file: `instances[1].type: unknown instance type "m5.lrg" (known: ...)`.
 * Omitted IDs (instance, volume, allocation, snapshot IDs, public IPs) are generated from the seed, so
 * the same file always gives the same scenario.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { InstanceSchedule, UsageCharge } from './billing';
import { isIsoDate } from './dates';
import { rebaseScenarioFile } from './scenario-rebase';
import type { ScenarioDraft } from './generator/builder';
import { dbClassInfo, instanceTypeInfo, knownDbClasses } from './generator/catalog';
import { IdFactory } from './generator/ids';
import { REGIONS, S3_STORAGE_TYPES, type PriceSpec } from './generator/prices';
import {
  bucketMetrics,
  databaseMetrics,
  instanceMetrics,
  volumeMetrics,
  type CpuRole,
  type DatabaseRole,
  type VolumeRole,
} from './generator/profiles';
import type {
  EbsSnapshot,
  EbsVolume,
  Ec2Instance,
  ElasticIp,
  MetricProfile,
  MetricSet,
  RdsInstance,
  S3Bucket,
  SimCommitments,
  SupportPlan,
} from './model';
import { hashSeed, substream } from './random';
import { finishScenario, type Scenario } from './scenario';

export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError';

  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid scenario file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

const isoDate = z.string().refine((v) => isIsoDate(v), 'must be a date YYYY-MM-DD');
const isoTime = z
  .string()
  .refine(
    (v) => isIsoDate(v) || (/^\d{4}-\d{2}-\d{2}T/.test(v) && Number.isFinite(Date.parse(v))),
    'must be a date (YYYY-MM-DD) or an ISO timestamp',
  );
const tags = z.record(z.string(), z.string()).default({});
const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit account ID');
const region = z.string().refine((r) => r in REGIONS, { message: `unknown region (known: ${Object.keys(REGIONS).join(', ')})` });

const UNITS: Record<string, number> = {
  B: 1,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
};
/** Bytes as a number or "<n> <unit>" ("3000 GiB", "2.5 TiB"). */
const bytes = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGTP]i?B|B)\s*$/.exec(value);
  const unit = match ? UNITS[match[2] as string] : undefined;
  if (!match || unit === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a size: use bytes or a number with a unit (B, KiB, MiB, GiB, TiB, PiB, KB, MB, GB, TB)`,
    });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * unit);
});

const profile = z
  .object({
    base: z.number(),
    amplitude: z.number().optional(),
    peakHourUtc: z.number().min(0).max(24).optional(),
    weekendFactor: z.number().min(0).optional(),
    noise: z.number().min(0).max(1).optional(),
    bursts: z.object({ perDay: z.number().min(0), height: z.number(), minutes: z.number().positive() }).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    since: isoTime.optional(),
    until: isoTime.optional(),
    seed: z.number().int().optional(),
  })
  .strict();

/** A role preset ("idle", "normal", ...) or explicit profiles by metric key ("AWS/EC2/CPUUtilization"). */
const metricsOf = <R extends readonly [string, ...string[]]>(roles: R) =>
  z.union([
    z.enum(roles),
    z.record(z.string().regex(/^AWS\/[A-Za-z0-9]+\/[A-Za-z0-9_/]+$/, 'metric keys are "AWS/<Namespace>/<MetricName>"'), profile),
  ]);

const volumeSpec = z
  .object({
    id: z
      .string()
      .regex(/^vol-[0-9a-f]{8,17}$/, 'must look like vol-0123456789abcdef0')
      .optional(),
    size: z.number().int().positive().describe('GiB'),
    type: z.enum(['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard']).default('gp3'),
    iops: z.number().int().positive().optional(),
    throughput: z.number().int().positive().optional(),
    device: z.string().optional(),
    encrypted: z.boolean().default(true),
    metrics: metricsOf(['active', 'idle']).optional(),
    tags,
  })
  .strict();

const instanceSpec = z
  .object({
    id: z
      .string()
      .regex(/^i-[0-9a-f]{8,17}$/, 'must look like i-0123456789abcdef0')
      .optional(),
    account: accountId.optional(),
    region,
    availabilityZone: z.string().optional(),
    type: z.string(),
    state: z.enum(['running', 'stopped']).default('running'),
    launchTime: isoTime,
    stoppedAt: isoTime.optional(),
    lifecycle: z.enum(['on-demand', 'spot']).default('on-demand'),
    autoScalingGroup: z.string().optional(),
    schedule: z.enum(['weekdays', 'office-hours']).optional(),
    tags,
    metrics: metricsOf(['idle', 'oversized', 'normal', 'busy', 'bursty']).default('normal'),
    volumes: z.array(volumeSpec).default([]),
    elasticIp: z.boolean().default(false),
  })
  .strict();

const standaloneVolume = volumeSpec.extend({ account: accountId.optional(), region, created: isoTime }).strict();

const addressSpec = z
  .object({
    allocationId: z
      .string()
      .regex(/^eipalloc-[0-9a-f]{8,17}$/)
      .optional(),
    publicIp: z
      .string()
      .regex(/^\d+\.\d+\.\d+\.\d+$/)
      .optional(),
    account: accountId.optional(),
    region,
    instance: z.string().optional().describe('instance ID it is associated with'),
    allocatedAt: isoTime.optional(),
    tags,
  })
  .strict();

const snapshotSpec = z
  .object({
    id: z
      .string()
      .regex(/^snap-[0-9a-f]{8,17}$/)
      .optional(),
    account: accountId.optional(),
    region,
    volumeId: z.string(),
    volumeSize: z.number().int().positive(),
    billedSizeGb: z.number().nonnegative(),
    startTime: isoTime,
    tier: z.enum(['standard', 'archive']).default('standard'),
    description: z.string().optional(),
    tags,
  })
  .strict();

/** The engines a scenario file's databases (and RDS reservations) name. */
const dbEngine = z.enum(['postgres', 'mysql', 'mariadb']);

const databaseSpec = z
  .object({
    identifier: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must start with a letter: lower-case letters, digits and hyphens'),
    account: accountId.optional(),
    region,
    class: z.string(),
    engine: dbEngine.default('postgres'),
    engineVersion: z.string().optional(),
    multiAz: z.boolean().default(false),
    storageType: z.enum(['gp2', 'gp3', 'io1', 'standard']).default('gp3'),
    storage: z.number().int().positive().describe('GiB'),
    iops: z.number().int().positive().optional(),
    created: isoTime,
    tags,
    metrics: metricsOf(['idle', 'normal']).default('normal'),
  })
  .strict();

const lifecycleRule = z
  .object({
    id: z.string().optional(),
    status: z.enum(['Enabled', 'Disabled']).default('Enabled'),
    prefix: z.string().optional(),
    transitions: z.array(z.object({ days: z.number().int().nonnegative(), storageClass: z.string() }).strict()).optional(),
    expirationDays: z.number().int().positive().optional(),
    noncurrentVersionExpirationDays: z.number().int().positive().optional(),
    noncurrentVersionTransitions: z
      .array(z.object({ noncurrentDays: z.number().int().nonnegative(), storageClass: z.string() }).strict())
      .optional(),
    abortIncompleteMultipartUploadDays: z.number().int().positive().optional(),
  })
  .strict();

const bucketSpec = z
  .object({
    name: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'must be a valid bucket name (3-63 lower-case letters, digits, dots, hyphens)',
      ),
    account: accountId.optional(),
    region,
    created: isoTime,
    versioning: z.enum(['Enabled', 'Suspended']).optional(),
    lifecycle: z.array(lifecycleRule).default([]),
    storage: z.record(z.string(), bytes).refine((s) => Object.keys(s).every((k) => k in S3_STORAGE_TYPES), {
      message: `storage types must be among ${Object.keys(S3_STORAGE_TYPES).join(', ')}`,
    }),
    objects: z.number().int().nonnegative().default(0),
    noncurrentBytes: bytes.optional(),
    incompleteMultipartBytes: bytes.optional(),
    recordedByConfig: z.boolean().optional(),
    monthlyGrowth: z.number().min(-0.5).max(1).default(0),
    tags,
  })
  .strict();

const CHARGE_KINDS = ['data-transfer-out', 'nat-hours', 'nat-bytes', 'cw-metrics', 'cw-logs', 's3-requests'] as const;
const chargeSpec = z
  .object({
    kind: z.enum(CHARGE_KINDS),
    account: accountId.optional(),
    region,
    resourceId: z.string().optional(),
    tags: tags.optional(),
    dailyQuantity: z.number().nonnegative(),
    weekendFactor: z.number().nonnegative().optional(),
    monthlyGrowth: z.number().optional(),
    noise: z.number().min(0).max(1).optional(),
    from: isoDate.optional(),
    until: isoDate.optional(),
    spikes: z.array(z.object({ from: isoDate, to: isoDate, factor: z.number().positive() }).strict()).optional(),
  })
  .strict();

const priceSpec = z
  .object({
    serviceCode: z.string(),
    sku: z.string(),
    productFamily: z.string(),
    attributes: z.record(z.string(), z.string()),
    pricePerUnit: z.union([z.string().regex(/^\d+(\.\d+)?$/), z.number().nonnegative().transform(String)]),
    unit: z.string(),
    termType: z.literal('OnDemand').default('OnDemand'),
  })
  .strict();

export const scenarioFileSchema = z
  .object({
    version: z.literal(1),
    seed: z.number().int().default(1),
    anchorDate: isoDate,
    historyDays: z.number().int().min(0).max(3660).default(90),
    accounts: z
      .array(
        z
          .object({
            id: accountId,
            name: z.string().min(1),
            roleName: z.string().optional(),
            externalId: z.string().optional(),
            supportPlan: z.enum(['basic', 'developer', 'business', 'enterprise']).default('business'),
          })
          .strict(),
      )
      .min(1),
    regions: z.array(region).optional(),
    costAllocationTags: z.array(z.string()).optional(),
    instances: z.array(instanceSpec).default([]),
    volumes: z.array(standaloneVolume).default([]),
    addresses: z.array(addressSpec).default([]),
    snapshots: z.array(snapshotSpec).default([]),
    databases: z.array(databaseSpec).default([]),
    buckets: z.array(bucketSpec).default([]),
    charges: z.array(chargeSpec).default([]),
    prices: z.array(priceSpec).optional(),
    /** Reserved Instances and Savings Plans in force (default none); `from`/`to` bound the term. */
    commitments: z
      .object({
        reservations: z
          .array(
            z
              .object({
                id: z.string().min(1),
                service: z.enum(['EC2', 'RDS']),
                account: accountId.optional(),
                region,
                instanceType: z.string().min(1).describe('EC2 instance type or RDS DB instance class'),
                engine: dbEngine.optional().describe('RDS: the engine reserved; absent: any engine of the class'),
                count: z.number().int().positive(),
                from: isoTime,
                to: isoTime,
              })
              .strict(),
          )
          .default([]),
        savingsPlans: z
          .array(
            z
              .object({
                id: z.string().min(1),
                account: accountId.optional(),
                commitmentPerHour: z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string (USD per hour)'),
                from: isoTime,
                to: isoTime,
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .optional(),
    events: z
      .array(
        z
          .object({
            date: isoDate,
            endDate: isoDate,
            kind: z.enum(['spike', 'launch', 'deletion']),
            service: z.string(),
            resourceId: z.string().optional(),
            description: z.string(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type ScenarioFile = z.infer<typeof scenarioFileSchema>;

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || '(file)';
}

export interface ScenarioFileOptions {
  /**
   * The day to serve the file on (YYYY-MM-DD): every date in it moves by the days between its
   * anchorDate and this one (scenario-rebase.ts). Default: as written.
   */
  servedOn?: string;
}

/** Parses and validates scenario text (YAML or JSON); throws ScenarioFileError with every problem. */
export function parseScenarioFile(text: string, file = 'scenario', options: ScenarioFileOptions = {}): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ScenarioFileError(file, [`not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`]);
  }
  const parsed = scenarioFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ScenarioFileError(
      file,
      parsed.error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`),
    );
  return buildFromFile(options.servedOn ? rebaseScenarioFile(parsed.data, options.servedOn) : parsed.data, file);
}

export function loadScenarioFile(path: string, options: ScenarioFileOptions = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioFileError(path, [
      `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    ]);
  }
  return parseScenarioFile(text, path, options);
}

function toTimestamp(value: string): string {
  return isIsoDate(value) ? `${value}T00:00:00.000Z` : new Date(Date.parse(value)).toISOString();
}

function explicitMetrics(
  spec: Record<string, z.infer<typeof profile>>,
  resourceId: string,
  since: string,
  until?: string,
): MetricSet {
  const out: MetricSet = {};
  for (const [key, p] of Object.entries(spec)) {
    const metric: MetricProfile = {
      ...p,
      since: p.since ?? since.slice(0, 10),
      seed: p.seed ?? hashSeed(`${resourceId}/${key}`),
    };
    if (!metric.until && until) metric.until = until;
    out[key] = metric;
  }
  return out;
}

function buildFromFile(file: ScenarioFile, name: string): Scenario {
  const problems: string[] = [];
  const ids = new IdFactory(substream(file.seed, 'file-ids'));
  const rng = substream(file.seed, 'file-metrics');
  const accounts = new Set(file.accounts.map((a) => a.id));
  const defaultAccount = file.accounts[0]?.id as string;
  const accountOf = (value: string | undefined, path: string): string => {
    if (value === undefined) {
      if (file.accounts.length > 1) problems.push(`${path}.account: required when the file has more than one account`);
      return defaultAccount;
    }
    if (!accounts.has(value))
      problems.push(`${path}.account: ${value} is not one of the file's accounts (${[...accounts].join(', ')})`);
    return value;
  };
  const instances: Ec2Instance[] = [];
  const volumes: EbsVolume[] = [];
  const addresses: ElasticIp[] = [];
  const schedules: Record<string, InstanceSchedule> = {};
  const addressAllocatedAt: Record<string, string> = {};

  const volumeFrom = (
    spec: z.infer<typeof volumeSpec>,
    account: string,
    regionName: string,
    az: string,
    created: string,
    attachTo?: Ec2Instance,
    device?: string,
  ): EbsVolume => {
    const volumeId = spec.id ?? ids.volume();
    const role: VolumeRole = typeof spec.metrics === 'string' ? (spec.metrics as VolumeRole) : attachTo ? 'active' : 'detached';
    const metrics =
      spec.metrics && typeof spec.metrics === 'object'
        ? explicitMetrics(spec.metrics, volumeId, created, attachTo?.stoppedAt)
        : volumeMetrics(rng, volumeId, role, created, attachTo?.stoppedAt);
    return {
      account,
      region: regionName,
      tags: spec.tags,
      metrics,
      volumeId,
      volumeType: spec.type,
      sizeGiB: spec.size,
      ...(spec.type === 'gp3'
        ? { iops: spec.iops ?? 3000, throughput: spec.throughput ?? 125 }
        : spec.type === 'gp2'
          ? { iops: Math.min(16_000, Math.max(100, 3 * spec.size)) }
          : spec.iops
            ? { iops: spec.iops }
            : {}),
      availabilityZone: az,
      state: attachTo ? 'in-use' : 'available',
      createTime: created,
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
      encrypted: spec.encrypted,
    };
  };

  file.instances.forEach((spec, i) => {
    const path = `instances[${i}]`;
    const info = instanceTypeInfo(spec.type);
    if (!info)
      problems.push(
        `${path}.type: unknown instance type "${spec.type}" (the built-in price list knows families t2, t3, t4g, m3, m4, m5, m6i, m7g, c4, c5, c6g, r4, r5, r6i, p3)`,
      );
    if (spec.state === 'stopped' && !spec.stoppedAt) problems.push(`${path}.stoppedAt: required for a stopped instance`);
    if (spec.state === 'running' && spec.stoppedAt) problems.push(`${path}.stoppedAt: only a stopped instance has stoppedAt`);
    const account = accountOf(spec.account, path);
    const instanceId = spec.id ?? ids.instance();
    const launchTime = toTimestamp(spec.launchTime);
    const stoppedAt = spec.stoppedAt ? toTimestamp(spec.stoppedAt) : undefined;
    const az = spec.availabilityZone ?? `${spec.region}a`;
    const metrics =
      typeof spec.metrics === 'string'
        ? instanceMetrics(rng, instanceId, spec.metrics as CpuRole, launchTime, stoppedAt)
        : explicitMetrics(spec.metrics, instanceId, launchTime, stoppedAt);
    const instance: Ec2Instance = {
      account,
      region: spec.region,
      tags: { ...spec.tags, ...(spec.autoScalingGroup ? { 'aws:autoscaling:groupName': spec.autoScalingGroup } : {}) },
      metrics,
      instanceId,
      instanceType: spec.type,
      availabilityZone: az,
      state: spec.state,
      launchTime,
      ...(stoppedAt ? { stoppedAt } : {}),
      platform: 'linux',
      architecture: info?.architecture ?? 'x86_64',
      lifecycle: spec.lifecycle,
      ...(spec.autoScalingGroup ? { autoScalingGroup: spec.autoScalingGroup } : {}),
      ...(info?.burstable ? { creditSpecification: 'unlimited' as const } : {}),
      ebsOptimized: !info?.burstable,
      privateIpAddress: ids.privateIp(),
      blockDevices: [],
    };
    if (spec.schedule) schedules[instanceId] = spec.schedule;
    instances.push(instance);
    const specs =
      spec.volumes.length > 0
        ? spec.volumes
        : [{ size: info?.burstable ? 20 : 50, type: 'gp3' as const, encrypted: true, tags: {} }];
    specs.forEach((v, j) => {
      const device = v.device ?? (j === 0 ? '/dev/xvda' : `/dev/sd${String.fromCharCode(102 + j - 1)}`);
      const volume = volumeFrom(v, account, spec.region, az, launchTime, instance, device);
      instance.blockDevices.push({ deviceName: device, volumeId: volume.volumeId });
      volumes.push(volume);
    });
    if (spec.elasticIp) {
      const allocationId = ids.allocation();
      const publicIp = ids.publicIp();
      addresses.push({
        account,
        region: spec.region,
        allocationId,
        publicIp,
        domain: 'vpc',
        associationId: ids.association(),
        instanceId,
        networkInterfaceId: ids.networkInterface(),
        privateIpAddress: instance.privateIpAddress,
        tags: {},
      });
      instance.publicIpAddress = publicIp;
      addressAllocatedAt[allocationId] = launchTime;
    }
  });
  const instanceById = new Map(instances.map((i) => [i.instanceId, i]));

  file.volumes.forEach((spec, i) => {
    const path = `volumes[${i}]`;
    volumes.push(volumeFrom(spec, accountOf(spec.account, path), spec.region, `${spec.region}a`, toTimestamp(spec.created)));
  });
  file.addresses.forEach((spec, i) => {
    const path = `addresses[${i}]`;
    const account = accountOf(spec.account, path);
    const instance = spec.instance ? instanceById.get(spec.instance) : undefined;
    if (spec.instance && !instance) problems.push(`${path}.instance: no instance ${spec.instance} in the file`);
    const allocationId = spec.allocationId ?? ids.allocation();
    const publicIp = spec.publicIp ?? ids.publicIp();
    addresses.push({
      account,
      region: spec.region,
      allocationId,
      publicIp,
      domain: 'vpc',
      ...(instance
        ? {
            associationId: ids.association(),
            instanceId: instance.instanceId,
            networkInterfaceId: ids.networkInterface(),
            privateIpAddress: instance.privateIpAddress,
          }
        : {}),
      tags: spec.tags,
    });
    if (instance) instance.publicIpAddress = publicIp;
    addressAllocatedAt[allocationId] = spec.allocatedAt
      ? toTimestamp(spec.allocatedAt)
      : (instance?.launchTime ?? toTimestamp(file.anchorDate));
  });
  const snapshots: EbsSnapshot[] = file.snapshots.map((spec, i) => {
    const account = accountOf(spec.account, `snapshots[${i}]`);
    return {
      account,
      region: spec.region,
      snapshotId: spec.id ?? ids.snapshot(),
      volumeId: spec.volumeId,
      volumeSize: spec.volumeSize,
      startTime: toTimestamp(spec.startTime),
      state: 'completed',
      storageTier: spec.tier,
      ...(spec.description ? { description: spec.description } : {}),
      ownerId: account,
      encrypted: true,
      billedSizeGb: spec.billedSizeGb,
      tags: spec.tags,
    };
  });
  const databases: RdsInstance[] = file.databases.map((spec, i) => {
    const path = `databases[${i}]`;
    if (!dbClassInfo(spec.class))
      problems.push(`${path}.class: unknown DB instance class "${spec.class}" (known: ${knownDbClasses().join(', ')})`);
    if (spec.storageType === 'io1' && !spec.iops) problems.push(`${path}.iops: required with io1 storage`);
    const created = toTimestamp(spec.created);
    return {
      account: accountOf(spec.account, path),
      region: spec.region,
      tags: spec.tags,
      metrics:
        typeof spec.metrics === 'string'
          ? databaseMetrics(rng, spec.identifier, spec.metrics as DatabaseRole, created, spec.storage)
          : explicitMetrics(spec.metrics, spec.identifier, created),
      dbInstanceIdentifier: spec.identifier,
      dbInstanceClass: spec.class,
      engine: spec.engine,
      engineVersion: spec.engineVersion ?? (spec.engine === 'postgres' ? '16.4' : '8.0.39'),
      status: 'available',
      multiAz: spec.multiAz,
      storageType: spec.storageType,
      allocatedStorageGiB: spec.storage,
      ...(spec.iops ? { iops: spec.iops } : spec.storageType === 'gp3' ? { iops: 3000, storageThroughput: 125 } : {}),
      instanceCreateTime: created,
      availabilityZone: `${spec.region}a`,
      dbiResourceId: `db-${(hashSeed(spec.identifier) >>> 0).toString(32).toUpperCase().padStart(26, 'A')}`,
    };
  });
  const bucketGrowth: Record<string, number> = {};
  const buckets: S3Bucket[] = file.buckets.map((spec, i) => {
    const created = toTimestamp(spec.created);
    const total = Object.values(spec.storage).reduce((a, b) => a + b, 0);
    if (spec.monthlyGrowth) bucketGrowth[spec.name] = spec.monthlyGrowth;
    const standard = spec.storage['StandardStorage'] ?? 0;
    if ((spec.noncurrentBytes ?? 0) + (spec.incompleteMultipartBytes ?? 0) > standard) {
      problems.push(
        `buckets[${i}]: noncurrentBytes and incompleteMultipartBytes are part of StandardStorage and cannot exceed it`,
      );
    }
    return {
      account: accountOf(spec.account, `buckets[${i}]`),
      region: spec.region,
      tags: spec.tags,
      metrics: bucketMetrics(spec.name, created, total, spec.objects),
      name: spec.name,
      creationDate: created,
      ...(spec.versioning ? { versioning: spec.versioning } : {}),
      lifecycleRules: spec.lifecycle,
      storageBytes: spec.storage,
      objectCount: spec.objects,
      ...(spec.noncurrentBytes !== undefined ? { noncurrentBytes: spec.noncurrentBytes } : {}),
      ...(spec.incompleteMultipartBytes !== undefined ? { incompleteMultipartBytes: spec.incompleteMultipartBytes } : {}),
      ...(spec.recordedByConfig !== undefined ? { recordedByConfig: spec.recordedByConfig } : {}),
    };
  });
  const charges: UsageCharge[] = file.charges.map((spec, i) => {
    const chargeSpec: PriceSpec =
      spec.kind === 's3-requests'
        ? { kind: 's3-requests', region: spec.region, tier: 1 }
        : { kind: spec.kind, region: spec.region };
    return {
      account: accountOf(spec.account, `charges[${i}]`),
      region: spec.region,
      spec: chargeSpec,
      ...(spec.resourceId ? { resourceId: spec.resourceId } : {}),
      ...(spec.tags ? { tags: spec.tags } : {}),
      dailyQuantity: spec.dailyQuantity,
      ...(spec.weekendFactor !== undefined ? { weekendFactor: spec.weekendFactor } : {}),
      ...(spec.monthlyGrowth !== undefined ? { monthlyGrowth: spec.monthlyGrowth } : {}),
      ...(spec.noise !== undefined ? { noise: spec.noise } : {}),
      ...(spec.from ? { from: spec.from } : {}),
      ...(spec.until ? { until: spec.until } : {}),
      ...(spec.spikes ? { spikes: spec.spikes } : {}),
      seed: hashSeed(`${file.seed}/charge/${i}`),
    };
  });

  // Cross-references and uniqueness.
  const seen = new Map<string, string>();
  const unique = (id: string, path: string): void => {
    const before = seen.get(id);
    if (before) problems.push(`${path}: ID ${id} is already used by ${before}`);
    else seen.set(id, path);
  };
  instances.forEach((x, i) => unique(x.instanceId, `instances[${i}]`));
  volumes.forEach((x, i) => unique(x.volumeId, `volume ${i}`));
  databases.forEach((x, i) => unique(`db:${x.dbInstanceIdentifier}`, `databases[${i}]`));
  buckets.forEach((x, i) => unique(`s3:${x.name}`, `buckets[${i}]`));
  const term = (spec: { from: string; to: string }, path: string) => {
    const start = toTimestamp(spec.from);
    const end = toTimestamp(spec.to);
    if (end <= start) problems.push(`${path}: to must be after from`);
    return { start, end };
  };
  const commitments: SimCommitments | undefined = file.commitments && {
    reservations: file.commitments.reservations.map(({ from, to, account, ...r }, i) => {
      if (r.engine !== undefined && r.service !== 'RDS')
        problems.push(`commitments.reservations[${i}]: engine is for RDS reservations only`);
      return {
        ...r,
        account: accountOf(account, `commitments.reservations[${i}]`),
        ...term({ from, to }, `commitments.reservations[${i}]`),
      };
    }),
    savingsPlans: file.commitments.savingsPlans.map(({ from, to, account, ...p }, i) => ({
      ...p,
      account: accountOf(account, `commitments.savingsPlans[${i}]`),
      ...term({ from, to }, `commitments.savingsPlans[${i}]`),
    })),
  };
  if (problems.length > 0) throw new ScenarioFileError(name, problems);

  const regions = file.regions ?? [...new Set([...instances, ...volumes, ...databases, ...buckets].map((r) => r.region))];
  const supportPlans: Record<string, SupportPlan> = Object.fromEntries(file.accounts.map((a) => [a.id, a.supportPlan]));
  const draft: ScenarioDraft = {
    seed: file.seed,
    anchorDate: file.anchorDate,
    historyDays: file.historyDays,
    size: 'custom',
    accounts: file.accounts.map(({ supportPlan: _plan, ...account }) => account),
    regions,
    supportPlans,
    instances,
    volumes,
    addresses,
    snapshots,
    databases,
    buckets,
    charges,
    schedules,
    addressAllocatedAt,
    bucketGrowth,
    events: file.events,
    ...(commitments ? { commitments } : {}),
    detailDays: file.historyDays + 1,
    ...(file.prices ? { prices: file.prices } : {}),
    ...(file.costAllocationTags ? { costAllocationTags: file.costAllocationTags } : {}),
  };
  try {
    return finishScenario(draft);
  } catch (error) {
    // A price the built-in list lacks (an exotic usage type given without a price) ends up here.
    throw new ScenarioFileError(name, [(error as Error).message]);
  }
}
