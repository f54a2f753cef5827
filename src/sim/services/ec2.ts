/**
 * Amazon EC2 (ec2Query, Version 2016-11-15) over a scenario's resources: DescribeInstances,
 * DescribeVolumes, DescribeAddresses, DescribeSnapshots. Every answer is scoped to the account the
 * request acts as and the region of its signature.
 *
 * As EC2 does:
 * - Filters (`Filter.N.Name`, `Filter.N.Value.M`): values of one filter are ORed, filters ANDed;
 *   `*` and `?` are wildcards; `tag:<key>`, `tag-key` and `tag-value` work on every resource; an
 *   unknown filter name is InvalidParameterValue "The filter 'x' is invalid".
 * - MaxResults (instances and snapshots 5–1000, volumes 5–500) pages with NextToken, and cannot be
 *   combined with an ID list (InvalidParameterCombination); without it every result comes back.
 *   DescribeAddresses is not paginated.
 * - IDs that do not exist are <Kind>.NotFound, IDs of the wrong shape <Kind>ID.Malformed;
 *   unknown parameters UnknownParameter; DryRun=true answers DryRunOperation (412).
 * - DescribeInstances groups instances into reservations: instances of one launch (same account,
 *   region, launch time, type, lifecycle and Auto Scaling group) share a reservation whose ID is
 *   derived from them. Stopped instances carry AWS's "User initiated (YYYY-MM-DD HH:MM:SS GMT)"
 *   reason and the Client.UserInitiatedShutdown state reason.
 */
import { AwsError } from '../errors';
import { describeReservedInstances } from './commitments';
import type { EbsSnapshot, EbsVolume, Ec2Instance, ElasticIp, ScenarioResources } from '../model';
import { PROTOCOL_PARAMS, type QueryCallContext, type QueryInput, type QueryServiceDefinition } from '../protocols/query';
import { xmlList, xmlTimestamp, type XmlNode } from '../protocols/xml';
import {
  ResourceIndex,
  decodePageToken,
  encodePageToken,
  fingerprint,
  hexDigest,
  sortedTags,
  wildcardMatch,
} from './resource-listing';

export const EC2_VERSION = '2016-11-15';
export const EC2_NAMESPACE = `http://ec2.amazonaws.com/doc/${EC2_VERSION}/`;

/** EC2's numeric instance state codes. */
export const INSTANCE_STATE_CODES: Readonly<Record<Ec2Instance['state'], number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

// ---------------------------------------------------------------------------------------------
// Request helpers
// ---------------------------------------------------------------------------------------------

interface Filter {
  name: string;
  values: string[];
}

type FieldValue = string | number | boolean | undefined | readonly (string | undefined)[];
/** Filter name → the resource's value(s) for it. */
type FilterTable<T> = Readonly<Record<string, (item: T) => FieldValue>>;

function invalidValue(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message);
}

/** Refuse parameters the operation does not take, as EC2 does (UnknownParameter). */
function checkParameters(input: QueryInput, exact: readonly string[], lists: readonly string[]): void {
  for (const name of input.names()) {
    if (PROTOCOL_PARAMS.has(name) || exact.includes(name)) continue;
    if (/^Filter\.\d+\.(Name|Value\.\d+)$/.test(name)) continue;
    const list = /^([A-Za-z]+)\.\d+$/.exec(name);
    if (list && lists.includes(list[1] as string)) continue;
    throw new AwsError('UnknownParameter', `The parameter ${name} is not recognized`);
  }
}

function checkDryRun(input: QueryInput): void {
  const dryRun = input.string('DryRun');
  if (dryRun === undefined) return;
  if (dryRun !== 'true' && dryRun !== 'false') throw invalidValue(`Invalid value '${dryRun}' for DryRun: expected true or false`);
  if (dryRun === 'true') throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
}

function readFilters(input: QueryInput): Filter[] {
  return input.members('Filter').map((member) => {
    const name = member.string('Name');
    if (name === undefined || name === '')
      throw new AwsError('MissingParameter', 'The request must contain the parameter Filter.Name');
    return { name, values: member.list('Value') };
  });
}

/** MaxResults within [min, max], refused together with an ID list. */
function readMaxResults(input: QueryInput, max: number, idSet: string, ids: readonly string[]): number | undefined {
  const raw = input.string('MaxResults');
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalidValue(`Invalid value '${raw}' for maxResults. It must be an integer.`);
  const value = Number(raw);
  if (ids.length > 0) {
    throw new AwsError('InvalidParameterCombination', `The parameter ${idSet} cannot be used with the parameter maxResults`);
  }
  if (value < 5) throw invalidValue(`Value ( ${value} ) for parameter maxResults is invalid. Expecting a value greater than 5.`);
  if (value > max)
    throw invalidValue(`Value ( ${value} ) for parameter maxResults is invalid. Expecting a value less than ${max}.`);
  return value;
}

/** One page of `items` from the request's NextToken. */
function page<T>(
  items: readonly T[],
  input: QueryInput,
  maxResults: number | undefined,
  listing: string,
): { items: T[]; nextToken?: string } {
  const token = input.string('NextToken');
  let start = 0;
  if (token !== undefined) {
    const offset = decodePageToken(token, listing);
    if (offset === undefined) throw invalidValue(`Value ( ${token} ) for parameter NextToken is invalid. The token is invalid.`);
    start = offset;
  }
  if (maxResults === undefined) return { items: items.slice(start) };
  const end = start + maxResults;
  return end < items.length
    ? { items: items.slice(start, end), nextToken: encodePageToken(end, listing) }
    : { items: items.slice(start) };
}

function fieldStrings(value: FieldValue): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return (value as readonly (string | undefined)[]).filter((v): v is string => v !== undefined);
  return [String(value)];
}

/** Keep the items every filter matches; unknown filter names are refused first. */
function applyFilters<T extends { tags: Readonly<Record<string, string>> }>(
  items: readonly T[],
  filters: readonly Filter[],
  table: FilterTable<T>,
): readonly T[] {
  if (filters.length === 0) return items;
  const tests = filters.map((filter): ((item: T) => boolean) => {
    const { name, values } = filter;
    const any = (candidates: readonly string[]): boolean => candidates.some((c) => values.some((v) => wildcardMatch(v, c)));
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      return (item) => {
        const value = item.tags[key];
        return value !== undefined && any([value]);
      };
    }
    if (name === 'tag-key') return (item) => any(Object.keys(item.tags));
    if (name === 'tag-value') return (item) => any(Object.values(item.tags));
    const field = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!field) throw invalidValue(`The filter '${name}' is invalid`);
    return (item) => any(fieldStrings(field(item)));
  });
  return items.filter((item) => tests.every((test) => test(item)));
}

/** IDs of the right shape that exist among `known`, else the EC2 errors for them. */
function checkIds(
  ids: readonly string[],
  prefix: string,
  known: ReadonlySet<string>,
  kind: { malformed: string; notFound: string; noun: string },
): void {
  for (const id of ids) {
    if (!id.startsWith(prefix) || id.length <= prefix.length) {
      throw new AwsError(kind.malformed, `Invalid id: "${id}" (expecting "${prefix}...")`);
    }
  }
  const missing = [...new Set(ids.filter((id) => !known.has(id)))];
  if (missing.length === 1) throw new AwsError(kind.notFound, `The ${kind.noun} '${missing[0]}' does not exist`);
  if (missing.length > 1) throw new AwsError(kind.notFound, `The ${kind.noun}s '${missing.join(', ')}' do not exist`);
}

function tagSet(tags: Readonly<Record<string, string>>): XmlNode | undefined {
  const entries = sortedTags(tags);
  if (entries.length === 0) return undefined;
  return { item: entries.map(([key, value]) => ({ key, value })) };
}

// ---------------------------------------------------------------------------------------------
// Instances
// ---------------------------------------------------------------------------------------------

/** "User initiated (2025-06-01 14:03:22 GMT)" */
export function userInitiatedReason(stoppedAt: string): string {
  const iso = new Date(stoppedAt).toISOString();
  return `User initiated (${iso.slice(0, 10)} ${iso.slice(11, 19)} GMT)`;
}

function dashedIp(ip: string): string {
  return ip.replaceAll('.', '-');
}

function privateDnsName(instance: Ec2Instance): string {
  const domain = instance.region === 'us-east-1' ? 'ec2.internal' : `${instance.region}.compute.internal`;
  return `ip-${dashedIp(instance.privateIpAddress)}.${domain}`;
}

function publicDnsName(instance: Ec2Instance): string {
  if (!instance.publicIpAddress) return '';
  const domain = instance.region === 'us-east-1' ? 'compute-1.amazonaws.com' : `${instance.region}.compute.amazonaws.com`;
  return `ec2-${dashedIp(instance.publicIpAddress)}.${domain}`;
}

/** Tags as EC2 shows them: an Auto Scaling group member also carries aws:autoscaling:groupName. */
function instanceTags(instance: Ec2Instance): Record<string, string> {
  if (!instance.autoScalingGroup || instance.tags['aws:autoscaling:groupName'] !== undefined) return instance.tags;
  return { ...instance.tags, 'aws:autoscaling:groupName': instance.autoScalingGroup };
}

function reservationIdOf(instance: Ec2Instance): string {
  const launch = [
    instance.account,
    instance.region,
    instance.launchTime,
    instance.instanceType,
    instance.lifecycle,
    instance.autoScalingGroup ?? '',
  ];
  return `r-${hexDigest(launch.join('|'), 17)}`;
}

interface InstanceView extends Ec2Instance {
  reservationId: string;
  tags: Record<string, string>;
}

const INSTANCE_FILTERS: FilterTable<InstanceView> = {
  'instance-id': (i) => i.instanceId,
  'instance-type': (i) => i.instanceType,
  'instance-state-name': (i) => i.state,
  'instance-state-code': (i) => INSTANCE_STATE_CODES[i.state],
  'availability-zone': (i) => i.availabilityZone,
  'instance-lifecycle': (i) => (i.lifecycle === 'spot' ? 'spot' : undefined),
  platform: (i) => (i.platform === 'windows' ? 'windows' : undefined),
  'platform-details': (i) => (i.platform === 'windows' ? 'Windows' : 'Linux/UNIX'),
  architecture: (i) => i.architecture,
  'private-ip-address': (i) => i.privateIpAddress,
  'ip-address': (i) => i.publicIpAddress,
  'private-dns-name': (i) => privateDnsName(i),
  'dns-name': (i) => publicDnsName(i) || undefined,
  'reservation-id': (i) => i.reservationId,
  'owner-id': (i) => i.account,
  'launch-time': (i) => xmlTimestamp(i.launchTime),
  'ebs-optimized': (i) => i.ebsOptimized ?? false,
  'root-device-type': () => 'ebs',
  'virtualization-type': () => 'hvm',
  tenancy: () => 'default',
  'monitoring-state': () => 'disabled',
  'block-device-mapping.device-name': (i) => i.blockDevices.map((b) => b.deviceName),
  'block-device-mapping.volume-id': (i) => i.blockDevices.map((b) => b.volumeId),
  'block-device-mapping.status': (i) => i.blockDevices.map(() => 'attached'),
  'state-reason-code': (i) => (i.state === 'stopped' ? 'Client.UserInitiatedShutdown' : undefined),
};

function instanceXml(instance: InstanceView, volumes: ReadonlyMap<string, EbsVolume>): XmlNode {
  const stopped = instance.state === 'stopped' || instance.state === 'stopping' || instance.state === 'terminated';
  return {
    instanceId: instance.instanceId,
    instanceState: { code: INSTANCE_STATE_CODES[instance.state], name: instance.state },
    privateDnsName: privateDnsName(instance),
    dnsName: publicDnsName(instance),
    reason: stopped && instance.stoppedAt ? userInitiatedReason(instance.stoppedAt) : '',
    amiLaunchIndex: 0,
    productCodes: '',
    instanceType: instance.instanceType,
    launchTime: xmlTimestamp(instance.launchTime),
    placement: { availabilityZone: instance.availabilityZone, groupName: '', tenancy: 'default' },
    platform: instance.platform === 'windows' ? 'windows' : undefined,
    monitoring: { state: 'disabled' },
    privateIpAddress: instance.privateIpAddress,
    ipAddress: instance.publicIpAddress,
    groupSet: '',
    stateReason:
      stopped && instance.stoppedAt
        ? { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' }
        : undefined,
    architecture: instance.architecture,
    rootDeviceType: 'ebs',
    rootDeviceName: instance.blockDevices[0]?.deviceName ?? '/dev/xvda',
    blockDeviceMapping: xmlList(instance.blockDevices, 'item', (device) => {
      const attachment = volumes.get(device.volumeId)?.attachment;
      return {
        deviceName: device.deviceName,
        ebs: {
          volumeId: device.volumeId,
          status: 'attached',
          attachTime: xmlTimestamp(attachment?.attachTime ?? instance.launchTime),
          deleteOnTermination: attachment?.deleteOnTermination ?? true,
        },
      };
    }),
    instanceLifecycle: instance.lifecycle === 'spot' ? 'spot' : undefined,
    virtualizationType: 'hvm',
    tagSet: tagSet(instance.tags),
    hypervisor: 'xen',
    ebsOptimized: instance.ebsOptimized ?? false,
    platformDetails: instance.platform === 'windows' ? 'Windows' : 'Linux/UNIX',
    usageOperation: instance.platform === 'windows' ? 'RunInstances:0002' : 'RunInstances',
  };
}

/** Group a page of instances into reservations, in order of first appearance. */
function reservationsXml(instances: readonly InstanceView[], volumes: ReadonlyMap<string, EbsVolume>): XmlNode | '' {
  const groups = new Map<string, InstanceView[]>();
  for (const instance of instances) {
    let group = groups.get(instance.reservationId);
    if (!group) groups.set(instance.reservationId, (group = []));
    group.push(instance);
  }
  return xmlList([...groups.entries()], 'item', ([reservationId, members]) => ({
    reservationId,
    ownerId: (members[0] as InstanceView).account,
    groupSet: '',
    instancesSet: xmlList(members, 'item', (instance) => instanceXml(instance, volumes)),
  }));
}

// ---------------------------------------------------------------------------------------------
// Volumes, addresses, snapshots
// ---------------------------------------------------------------------------------------------

const VOLUME_FILTERS: FilterTable<EbsVolume> = {
  'volume-id': (v) => v.volumeId,
  'volume-type': (v) => v.volumeType,
  status: (v) => v.state,
  size: (v) => v.sizeGiB,
  'availability-zone': (v) => v.availabilityZone,
  'create-time': (v) => xmlTimestamp(v.createTime),
  encrypted: (v) => v.encrypted,
  'snapshot-id': (v) => v.snapshotId,
  iops: (v) => v.iops,
  throughput: (v) => v.throughput,
  'multi-attach-enabled': () => false,
  'attachment.instance-id': (v) => v.attachment?.instanceId,
  'attachment.device': (v) => v.attachment?.device,
  'attachment.status': (v) => (v.attachment ? 'attached' : undefined),
  'attachment.attach-time': (v) => (v.attachment ? xmlTimestamp(v.attachment.attachTime) : undefined),
  'attachment.delete-on-termination': (v) => v.attachment?.deleteOnTermination,
};

function volumeXml(volume: EbsVolume): XmlNode {
  const attachment = volume.attachment;
  return {
    volumeId: volume.volumeId,
    size: volume.sizeGiB,
    snapshotId: volume.snapshotId ?? '',
    availabilityZone: volume.availabilityZone,
    status: volume.state,
    createTime: xmlTimestamp(volume.createTime),
    attachmentSet: attachment
      ? {
          item: [
            {
              volumeId: volume.volumeId,
              instanceId: attachment.instanceId,
              device: attachment.device,
              status: 'attached',
              attachTime: xmlTimestamp(attachment.attachTime),
              deleteOnTermination: attachment.deleteOnTermination,
            },
          ],
        }
      : '',
    tagSet: tagSet(volume.tags),
    volumeType: volume.volumeType,
    iops: volume.iops,
    encrypted: volume.encrypted,
    throughput: volume.throughput,
    multiAttachEnabled: false,
  };
}

const ADDRESS_FILTERS: FilterTable<ElasticIp> = {
  'allocation-id': (a) => a.allocationId,
  'association-id': (a) => a.associationId,
  domain: (a) => a.domain,
  'instance-id': (a) => a.instanceId,
  'network-interface-id': (a) => a.networkInterfaceId,
  'network-interface-owner-id': (a) => (a.networkInterfaceId ? a.account : undefined),
  'private-ip-address': (a) => a.privateIpAddress,
  'public-ip': (a) => a.publicIp,
  'network-border-group': (a) => a.region,
  'public-ipv4-pool': () => 'amazon',
};

function addressXml(address: ElasticIp): XmlNode {
  return {
    publicIp: address.publicIp,
    allocationId: address.allocationId,
    domain: address.domain,
    instanceId: address.instanceId,
    associationId: address.associationId,
    networkInterfaceId: address.networkInterfaceId,
    networkInterfaceOwnerId: address.networkInterfaceId ? address.account : undefined,
    privateIpAddress: address.privateIpAddress,
    tagSet: tagSet(address.tags),
    publicIpv4Pool: 'amazon',
    networkBorderGroup: address.region,
  };
}

const SNAPSHOT_FILTERS: FilterTable<EbsSnapshot> = {
  'snapshot-id': (s) => s.snapshotId,
  'volume-id': (s) => s.volumeId,
  'volume-size': (s) => s.volumeSize,
  status: (s) => s.state,
  'owner-id': (s) => s.ownerId,
  'start-time': (s) => xmlTimestamp(s.startTime),
  description: (s) => s.description,
  encrypted: (s) => s.encrypted,
  'storage-tier': (s) => s.storageTier,
  progress: (s) => (s.state === 'completed' ? '100%' : undefined),
};

function snapshotXml(snapshot: EbsSnapshot): XmlNode {
  return {
    snapshotId: snapshot.snapshotId,
    volumeId: snapshot.volumeId,
    status: snapshot.state,
    startTime: xmlTimestamp(snapshot.startTime),
    progress: snapshot.state === 'completed' ? '100%' : undefined,
    ownerId: snapshot.ownerId,
    volumeSize: snapshot.volumeSize,
    description: snapshot.description ?? '',
    encrypted: snapshot.encrypted,
    tagSet: tagSet(snapshot.tags),
    storageTier: snapshot.storageTier,
  };
}

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

export function ec2Service(resources: ScenarioResources): QueryServiceDefinition {
  const instances = new ResourceIndex<InstanceView>(
    resources.instances.map((instance) => ({
      ...instance,
      reservationId: reservationIdOf(instance),
      tags: instanceTags(instance),
    })),
  );
  const volumes = new ResourceIndex(resources.volumes);
  const volumesById = new Map(resources.volumes.map((v) => [v.volumeId, v]));
  const addresses = new ResourceIndex(resources.addresses);
  const snapshots = new ResourceIndex(resources.snapshots);

  const describeInstances = (input: QueryInput, ctx: QueryCallContext): XmlNode => {
    checkParameters(input, ['DryRun', 'MaxResults', 'NextToken'], ['InstanceId']);
    const ids = input.list('InstanceId');
    const maxResults = readMaxResults(input, 1000, 'instancesSet', ids);
    const filters = readFilters(input);
    checkDryRun(input);
    let found: readonly InstanceView[] = instances.in(ctx.account, ctx.region);
    if (ids.length > 0) {
      checkIds(ids, 'i-', new Set(found.map((i) => i.instanceId)), {
        malformed: 'InvalidInstanceID.Malformed',
        notFound: 'InvalidInstanceID.NotFound',
        noun: 'instance ID',
      });
      const wanted = new Set(ids);
      found = found.filter((i) => wanted.has(i.instanceId));
    }
    found = applyFilters(found, filters, INSTANCE_FILTERS);
    const result = page(found, input, maxResults, fingerprint('DescribeInstances', ctx.account, ctx.region, filters));
    return { reservationSet: reservationsXml(result.items, volumesById), nextToken: result.nextToken };
  };

  const describeVolumes = (input: QueryInput, ctx: QueryCallContext): XmlNode => {
    checkParameters(input, ['DryRun', 'MaxResults', 'NextToken'], ['VolumeId']);
    const ids = input.list('VolumeId');
    const maxResults = readMaxResults(input, 500, 'volumeSet', ids);
    const filters = readFilters(input);
    checkDryRun(input);
    let found: readonly EbsVolume[] = volumes.in(ctx.account, ctx.region);
    if (ids.length > 0) {
      checkIds(ids, 'vol-', new Set(found.map((v) => v.volumeId)), {
        malformed: 'InvalidVolumeID.Malformed',
        notFound: 'InvalidVolume.NotFound',
        noun: 'volume',
      });
      const wanted = new Set(ids);
      found = found.filter((v) => wanted.has(v.volumeId));
    }
    found = applyFilters(found, filters, VOLUME_FILTERS);
    const result = page(found, input, maxResults, fingerprint('DescribeVolumes', ctx.account, ctx.region, filters));
    return { volumeSet: xmlList(result.items, 'item', volumeXml), nextToken: result.nextToken };
  };

  const describeAddresses = (input: QueryInput, ctx: QueryCallContext): XmlNode => {
    checkParameters(input, ['DryRun'], ['PublicIp', 'AllocationId']);
    const filters = readFilters(input);
    checkDryRun(input);
    let found: readonly ElasticIp[] = addresses.in(ctx.account, ctx.region);
    const allocationIds = input.list('AllocationId');
    if (allocationIds.length > 0) {
      checkIds(allocationIds, 'eipalloc-', new Set(found.map((a) => a.allocationId)), {
        malformed: 'InvalidAllocationID.Malformed',
        notFound: 'InvalidAllocationID.NotFound',
        noun: 'allocation ID',
      });
      const wanted = new Set(allocationIds);
      found = found.filter((a) => wanted.has(a.allocationId));
    }
    const publicIps = input.list('PublicIp');
    if (publicIps.length > 0) {
      const known = new Set(found.map((a) => a.publicIp));
      const missing = publicIps.find((ip) => !known.has(ip));
      if (missing !== undefined) throw new AwsError('InvalidAddress.NotFound', `Address '${missing}' not found.`);
      const wanted = new Set(publicIps);
      found = found.filter((a) => wanted.has(a.publicIp));
    }
    found = applyFilters(found, filters, ADDRESS_FILTERS);
    return { addressesSet: xmlList(found, 'item', addressXml) };
  };

  const describeSnapshots = (input: QueryInput, ctx: QueryCallContext): XmlNode => {
    checkParameters(input, ['DryRun', 'MaxResults', 'NextToken'], ['SnapshotId', 'Owner', 'RestorableBy']);
    const ids = input.list('SnapshotId');
    const maxResults = readMaxResults(input, 1000, 'snapshotSet', ids);
    const filters = readFilters(input);
    const owners = input.list('Owner');
    const restorableBy = input.list('RestorableBy');
    checkDryRun(input);
    // The sample account's snapshots are private: visible to their own account only.
    let found: readonly EbsSnapshot[] = snapshots.in(ctx.account, ctx.region);
    if (ids.length > 0) {
      checkIds(ids, 'snap-', new Set(found.map((s) => s.snapshotId)), {
        malformed: 'InvalidSnapshotID.Malformed',
        notFound: 'InvalidSnapshot.NotFound',
        noun: 'snapshot',
      });
      const wanted = new Set(ids);
      found = found.filter((s) => wanted.has(s.snapshotId));
    }
    if (owners.length > 0) {
      found = found.filter((s) => owners.some((owner) => (owner === 'self' ? s.ownerId === ctx.account : owner === s.ownerId)));
    }
    if (restorableBy.length > 0) {
      found = found.filter(() => restorableBy.some((who) => who === 'self' || who === ctx.account));
    }
    found = applyFilters(found, filters, SNAPSHOT_FILTERS);
    const listing = fingerprint('DescribeSnapshots', ctx.account, ctx.region, filters, owners, restorableBy);
    const result = page(found, input, maxResults, listing);
    return { snapshotSet: xmlList(result.items, 'item', snapshotXml), nextToken: result.nextToken };
  };

  return {
    flavor: 'ec2',
    signingName: 'ec2',
    title: 'Amazon EC2',
    serviceName: 'AmazonEC2',
    version: EC2_VERSION,
    xmlNamespace: EC2_NAMESPACE,
    operations: {
      DescribeInstances: describeInstances,
      DescribeVolumes: describeVolumes,
      DescribeAddresses: describeAddresses,
      DescribeSnapshots: describeSnapshots,
      DescribeReservedInstances: describeReservedInstances(resources),
    },
    errorStatus: { DryRunOperation: 412, UnauthorizedOperation: 403, AuthFailure: 401, RequestLimitExceeded: 503 },
  };
}
