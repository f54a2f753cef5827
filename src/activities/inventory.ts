/**
 * Resource inventories, read the cheap way: paged describe calls at the largest page size each API
 * allows, one tagging call per 100 resources instead of one per resource, bucket configuration from
 * AWS Config 100 buckets a call, and per-bucket S3 calls only for buckets Config has not recorded.
 * Results are compact summaries, never raw API responses.
 */
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetBucketLifecycleConfigurationCommand, GetBucketVersioningCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import type { VolumeFacts } from '../domain/checks/ebs';
import type { InstanceFacts } from '../domain/checks/ec2';
import { lifecycleScope } from '../domain/checks/s3';
import { CancelledFailure } from '@temporalio/common';
import { countRequest, type AwsUsage } from '../domain/usage';
import type { AwsClientFactory, AwsTarget } from './aws-clients';
import { readRecordedBucketConfigs, s3FilterParts, type LifecycleRuleSummary, type RecordedBucketConfig } from './bucket-config';
import { toActivityFailure } from './aws-errors';
import { collectPages, mapWithConcurrency } from './paging';

export type Tags = Record<string, string>;

/** An instance as the data layer lists it: what the EC2 checks read, plus placement and volumes. */
export interface InstanceSummary extends InstanceFacts {
  architecture?: string;
  availabilityZone?: string;
  /** Device name of the root volume (RootDeviceName), e.g. /dev/xvda. */
  rootDeviceName?: string;
  volumeIds: string[];
}

/** A volume as the data layer lists it is exactly what the EBS checks read. */
export type VolumeSummary = VolumeFacts;

export interface AddressSummary {
  account: string;
  region: string;
  allocationId: string;
  publicIp: string;
  associationId?: string;
  instanceId?: string;
  tags: Tags;
}

export interface SnapshotSummary {
  account: string;
  region: string;
  snapshotId: string;
  volumeId?: string;
  sizeGiB: number;
  startTime: string;
  storageTier?: string;
  tags: Tags;
}

export interface DatabaseSummary {
  account: string;
  region: string;
  dbInstanceIdentifier: string;
  dbInstanceClass: string;
  engine: string;
  status: string;
  multiAz: boolean;
  storageType: string;
  allocatedStorageGiB: number;
  iops?: number;
  instanceCreateTime?: string;
  tags: Tags;
}

export interface BucketSummary {
  account: string;
  region: string;
  name: string;
  creationDate?: string;
  versioning?: string;
  lifecycleRules: LifecycleRuleSummary[];
  /** Where versioning and lifecycle were read: AWS Config's recorded configuration, or S3 itself. */
  configSource: 'aws-config' | 's3';
}

function tagsOf(tags: readonly { Key?: string; Value?: string }[] | undefined): Tags {
  const out: Tags = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
}

/** "User initiated (2026-10-01 12:34:56 GMT)" → ISO timestamp. */
export function stoppedAtFromReason(reason: string | undefined): string | undefined {
  const match = /\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) GMT\)/.exec(reason ?? '');
  return match ? `${match[1]}T${match[2]}.000Z` : undefined;
}

function iso(date: Date | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

const listing = (what: string, target: AwsTarget) => `${what}/${target.account}/${target.region}`;

export async function listInstances(clients: AwsClientFactory, target: AwsTarget, usage: AwsUsage): Promise<InstanceSummary[]> {
  const ec2 = clients.ec2(target);
  const { value, requests } = await collectPages({
    listing: listing('ec2:DescribeInstances', target),
    action: 'ec2:DescribeInstances',
    initial: [] as InstanceSummary[],
    fetchPage: (NextToken, abortSignal) =>
      ec2.send(new DescribeInstancesCommand({ MaxResults: 1000, ...(NextToken ? { NextToken } : {}) }), { abortSignal }),
    fold: (all, page) => {
      for (const reservation of page.Reservations ?? []) {
        for (const i of reservation.Instances ?? []) {
          if (!i.InstanceId) continue;
          const tags = tagsOf(i.Tags);
          const stoppedAt = i.State?.Name === 'stopped' ? stoppedAtFromReason(i.StateTransitionReason) : undefined;
          all.push({
            account: target.account,
            region: target.region,
            instanceId: i.InstanceId,
            ...(tags.Name ? { name: tags.Name } : {}),
            instanceType: i.InstanceType ?? 'unknown',
            state: i.State?.Name ?? 'unknown',
            launchTime: iso(i.LaunchTime) ?? '',
            ...(stoppedAt ? { stoppedAt } : {}),
            lifecycle: i.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
            // AWS sends "windows" on the wire; the SDK's enum spells it "Windows".
            platform: i.Platform?.toLowerCase() === 'windows' ? 'windows' : 'linux',
            ...(i.Architecture ? { architecture: i.Architecture } : {}),
            ...(tags['aws:autoscaling:groupName'] ? { autoScalingGroup: tags['aws:autoscaling:groupName'] } : {}),
            ...(i.Placement?.AvailabilityZone ? { availabilityZone: i.Placement.AvailabilityZone } : {}),
            ...(i.RootDeviceName ? { rootDeviceName: i.RootDeviceName } : {}),
            volumeIds: (i.BlockDeviceMappings ?? []).flatMap((b) => (b.Ebs?.VolumeId ? [b.Ebs.VolumeId] : [])),
            tags,
          });
        }
      }
      return all;
    },
    nextToken: (page) => page.NextToken,
  });
  countRequest(usage, 'ec2:DescribeInstances', requests);
  return value;
}

export async function listVolumes(clients: AwsClientFactory, target: AwsTarget, usage: AwsUsage): Promise<VolumeSummary[]> {
  const ec2 = clients.ec2(target);
  const { value, requests } = await collectPages({
    listing: listing('ec2:DescribeVolumes', target),
    action: 'ec2:DescribeVolumes',
    initial: [] as VolumeSummary[],
    fetchPage: (NextToken, abortSignal) =>
      ec2.send(new DescribeVolumesCommand({ MaxResults: 500, ...(NextToken ? { NextToken } : {}) }), { abortSignal }),
    fold: (all, page) => {
      for (const v of page.Volumes ?? []) {
        if (!v.VolumeId) continue;
        const attachment = v.Attachments?.find((a) => a.InstanceId);
        const attachedTo = attachment?.InstanceId;
        all.push({
          account: target.account,
          region: target.region,
          volumeId: v.VolumeId,
          volumeType: v.VolumeType ?? 'unknown',
          sizeGiB: v.Size ?? 0,
          ...(v.Iops !== undefined ? { iops: v.Iops } : {}),
          ...(v.Throughput !== undefined ? { throughput: v.Throughput } : {}),
          state: v.State ?? 'unknown',
          ...(attachedTo ? { attachedTo } : {}),
          ...(attachment?.Device ? { device: attachment.Device } : {}),
          createTime: iso(v.CreateTime) ?? '',
          tags: tagsOf(v.Tags),
        });
      }
      return all;
    },
    nextToken: (page) => page.NextToken,
  });
  countRequest(usage, 'ec2:DescribeVolumes', requests);
  return value;
}

/** DescribeAddresses is not paginated: one call per account and region. */
export async function listAddresses(clients: AwsClientFactory, target: AwsTarget, usage: AwsUsage): Promise<AddressSummary[]> {
  let page;
  try {
    page = await clients.ec2(target).send(new DescribeAddressesCommand({}));
  } catch (err) {
    throw toActivityFailure(err, 'ec2:DescribeAddresses');
  }
  countRequest(usage, 'ec2:DescribeAddresses');
  return (page.Addresses ?? []).flatMap((a) =>
    a.AllocationId && a.PublicIp
      ? [
          {
            account: target.account,
            region: target.region,
            allocationId: a.AllocationId,
            publicIp: a.PublicIp,
            ...(a.AssociationId ? { associationId: a.AssociationId } : {}),
            ...(a.InstanceId ? { instanceId: a.InstanceId } : {}),
            tags: tagsOf(a.Tags),
          },
        ]
      : [],
  );
}

export async function listSnapshots(clients: AwsClientFactory, target: AwsTarget, usage: AwsUsage): Promise<SnapshotSummary[]> {
  const ec2 = clients.ec2(target);
  const { value, requests } = await collectPages({
    listing: listing('ec2:DescribeSnapshots', target),
    action: 'ec2:DescribeSnapshots',
    initial: [] as SnapshotSummary[],
    fetchPage: (NextToken, abortSignal) =>
      ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 1000, ...(NextToken ? { NextToken } : {}) }), {
        abortSignal,
      }),
    fold: (all, page) => {
      for (const s of page.Snapshots ?? []) {
        if (!s.SnapshotId) continue;
        all.push({
          account: target.account,
          region: target.region,
          snapshotId: s.SnapshotId,
          ...(s.VolumeId ? { volumeId: s.VolumeId } : {}),
          sizeGiB: s.VolumeSize ?? 0,
          startTime: iso(s.StartTime) ?? '',
          ...(s.StorageTier ? { storageTier: s.StorageTier } : {}),
          tags: tagsOf(s.Tags),
        });
      }
      return all;
    },
    nextToken: (page) => page.NextToken,
  });
  countRequest(usage, 'ec2:DescribeSnapshots', requests);
  return value;
}

export async function listDatabases(clients: AwsClientFactory, target: AwsTarget, usage: AwsUsage): Promise<DatabaseSummary[]> {
  const rds = clients.rds(target);
  const { value, requests } = await collectPages({
    listing: listing('rds:DescribeDBInstances', target),
    action: 'rds:DescribeDBInstances',
    initial: [] as DatabaseSummary[],
    fetchPage: (Marker, abortSignal) =>
      rds.send(new DescribeDBInstancesCommand({ MaxRecords: 100, ...(Marker ? { Marker } : {}) }), { abortSignal }),
    fold: (all, page) => {
      for (const d of page.DBInstances ?? []) {
        if (!d.DBInstanceIdentifier) continue;
        all.push({
          account: target.account,
          region: target.region,
          dbInstanceIdentifier: d.DBInstanceIdentifier,
          dbInstanceClass: d.DBInstanceClass ?? 'unknown',
          engine: d.Engine ?? 'unknown',
          status: d.DBInstanceStatus ?? 'unknown',
          multiAz: d.MultiAZ ?? false,
          storageType: d.StorageType ?? 'unknown',
          allocatedStorageGiB: d.AllocatedStorage ?? 0,
          ...(d.Iops !== undefined ? { iops: d.Iops } : {}),
          ...(d.InstanceCreateTime ? { instanceCreateTime: d.InstanceCreateTime.toISOString() } : {}),
          tags: tagsOf(d.TagList),
        });
      }
      return all;
    },
    nextToken: (page) => page.Marker,
  });
  countRequest(usage, 'rds:DescribeDBInstances', requests);
  return value;
}

/** Tags of every resource of the given types in one account and region: 100 resources per call. */
export async function listTaggedResources(
  clients: AwsClientFactory,
  target: AwsTarget,
  resourceTypes: string[],
  usage: AwsUsage,
): Promise<Map<string, Tags>> {
  const tagging = clients.tagging(target);
  const initial: Record<string, Tags> = {};
  const { value, requests } = await collectPages({
    listing: listing(`tag:GetResources:${resourceTypes.join(',')}`, target),
    action: 'tag:GetResources',
    initial,
    fetchPage: (PaginationToken, abortSignal) =>
      tagging.send(
        new GetResourcesCommand({
          ResourceTypeFilters: resourceTypes,
          ResourcesPerPage: 100,
          ...(PaginationToken ? { PaginationToken } : {}),
        }),
        { abortSignal },
      ),
    fold: (all, page) => {
      for (const mapping of page.ResourceTagMappingList ?? [])
        if (mapping.ResourceARN) all[mapping.ResourceARN] = tagsOf(mapping.Tags);
      return all;
    },
    // The Tagging API marks the last page with an empty token, not a missing one.
    nextToken: (page) => page.PaginationToken || undefined,
  });
  countRequest(usage, 'tag:GetResources', requests);
  return new Map(Object.entries(value));
}

const BUCKET_CONCURRENCY = 16;

export interface BucketListing {
  buckets: BucketSummary[];
  /** Buckets whose configuration came from AWS Config; the others' came from S3, two calls each. */
  fromConfig: number;
  /** Buckets left out because they are outside `ListBucketsOptions.regions`. */
  outsideRegions: number;
  /** What the report should say about where the configuration came from, when it is not all from Config. */
  notes: string[];
}

export interface ListBucketsOptions {
  /** Read versioning and lifecycle from AWS Config where it has recorded the bucket (default true). */
  useConfig?: boolean;
  /** Only buckets in these Regions (default: all); the others are counted, not read. */
  regions?: readonly string[];
}

/**
 * Buckets of one account with their versioning and lifecycle rules. ListBuckets is global and names
 * each bucket's Region. The configuration comes from AWS Config's advanced query, 100 buckets a call,
 * for every bucket Config has recorded (bucket-config.ts); the rest are asked from S3 in their own
 * Region (S3 answers 301 otherwise), two calls per bucket, since S3 has no batch API for them.
 */
export async function listBuckets(
  clients: AwsClientFactory,
  account: string,
  homeRegion: string,
  usage: AwsUsage,
  options: ListBucketsOptions = {},
): Promise<BucketListing> {
  const s3 = clients.s3({ account, region: homeRegion });
  const { value: all, requests } = await collectPages({
    listing: listing('s3:ListAllMyBuckets', { account, region: homeRegion }),
    action: 's3:ListAllMyBuckets',
    initial: [] as { name: string; region: string; creationDate?: string }[],
    // MaxBuckets makes S3 return each bucket's region (BucketRegion), sparing a GetBucketLocation per bucket.
    fetchPage: (ContinuationToken, abortSignal) =>
      s3.send(new ListBucketsCommand({ MaxBuckets: 10_000, ...(ContinuationToken ? { ContinuationToken } : {}) }), {
        abortSignal,
      }),
    fold: (all, page) => {
      for (const b of page.Buckets ?? []) {
        if (!b.Name) continue;
        all.push({
          name: b.Name,
          region: b.BucketRegion || homeRegion,
          ...(b.CreationDate ? { creationDate: b.CreationDate.toISOString() } : {}),
        });
      }
      return all;
    },
    nextToken: (page) => page.ContinuationToken,
  });
  countRequest(usage, 's3:ListAllMyBuckets', requests);
  const wanted = options.regions ? new Set(options.regions) : undefined;
  const buckets = wanted ? all.filter((b) => wanted.has(b.region)) : all;

  const notes: string[] = [];
  const recorded = new Map<string, RecordedBucketConfig>();
  if (options.useConfig ?? true) {
    const regions = [...new Set(buckets.map((b) => b.region))].sort();
    await Promise.all(
      regions.map(async (region) => {
        try {
          for (const [name, config] of await readRecordedBucketConfigs(clients, { account, region }, usage))
            recorded.set(`${region}/${name}`, config);
        } catch (err) {
          // Config is a shortcut, never a dependency: denied, not recording, a query this Region's Config
          // does not take, or throttled past the SDK's retries — S3's own calls still answer, so this costs
          // requests, not findings. Only cancellation stops the listing.
          if (err instanceof CancelledFailure) throw err;
          notes.push(
            `Account ${account}, ${region}: AWS Config could not be queried (${err instanceof Error ? err.message : String(err)}).`,
          );
        }
      }),
    );
  }

  let fromConfig = 0;
  const summaries = await mapWithConcurrency(buckets, BUCKET_CONCURRENCY, async (bucket): Promise<BucketSummary> => {
    const fromRecording = recorded.get(`${bucket.region}/${bucket.name}`);
    if (fromRecording) fromConfig++;
    const config = fromRecording ?? (await readBucketConfigFromS3(clients, account, bucket, usage));
    return {
      account,
      region: bucket.region,
      name: bucket.name,
      ...(bucket.creationDate ? { creationDate: bucket.creationDate } : {}),
      ...(config.versioning ? { versioning: config.versioning } : {}),
      lifecycleRules: config.lifecycleRules,
      configSource: fromRecording ? 'aws-config' : 's3',
    };
  });
  const fromS3 = buckets.length - fromConfig;
  if (fromS3 > 0 && (options.useConfig ?? true))
    notes.push(
      `Account ${account}: the configuration of ${fromS3} of ${buckets.length} bucket(s) was read from S3 (two calls each) because AWS Config had not recorded it; recording AWS::S3::Bucket in AWS Config makes this one call per 100 buckets.`,
    );
  return { buckets: summaries, fromConfig, outsideRegions: all.length - buckets.length, notes };
}

/** Versioning and lifecycle rules of one bucket from S3 itself: the two calls S3 has no batch API for. */
async function readBucketConfigFromS3(
  clients: AwsClientFactory,
  account: string,
  bucket: { name: string; region: string },
  usage: AwsUsage,
): Promise<RecordedBucketConfig> {
  const client = clients.s3({ account, region: bucket.region });
  let versioning: string | undefined;
  let lifecycleRules: LifecycleRuleSummary[] = [];
  try {
    const v = await client.send(new GetBucketVersioningCommand({ Bucket: bucket.name }));
    versioning = v.Status;
  } catch (err) {
    throw toActivityFailure(err, 's3:GetBucketVersioning');
  } finally {
    countRequest(usage, 's3:GetBucketVersioning');
  }
  try {
    const lifecycle = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket.name }));
    lifecycleRules = (lifecycle.Rules ?? []).map((r) => {
      const scope = lifecycleScope(s3FilterParts(r));
      return {
        ...(r.ID ? { id: r.ID } : {}),
        enabled: r.Status === 'Enabled',
        ...(scope ? { scope } : {}),
        hasTransition: (r.Transitions?.length ?? 0) > 0,
        ...(r.Expiration?.Days !== undefined ? { expirationDays: r.Expiration.Days } : {}),
        ...(r.NoncurrentVersionExpiration?.NoncurrentDays !== undefined
          ? { noncurrentExpirationDays: r.NoncurrentVersionExpiration.NoncurrentDays }
          : {}),
        ...(r.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined
          ? { abortIncompleteMultipartDays: r.AbortIncompleteMultipartUpload.DaysAfterInitiation }
          : {}),
      };
    });
  } catch (err) {
    // A bucket without rules answers 404 NoSuchLifecycleConfiguration: that is data, not an error.
    if (!(err instanceof Error && err.name === 'NoSuchLifecycleConfiguration'))
      throw toActivityFailure(err, 's3:GetLifecycleConfiguration');
  } finally {
    countRequest(usage, 's3:GetLifecycleConfiguration');
  }
  return { name: bucket.name, ...(versioning ? { versioning } : {}), lifecycleRules };
}
