/** EC2 (ec2Query) through the real @aws-sdk/client-ec2 against the fixture resources. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2ServiceException,
  paginateDescribeInstances,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
  type DescribeInstancesCommandInput,
  type EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import type { RunningSimulator } from '../../src/sim/server';
import { ec2Client, startFixtureSimulator } from './fixtures/clients';
import { MGMT, MGMT_USE1_INSTANCES, MGMT_USE1_SNAPSHOTS, MGMT_USE1_VOLUMES, instanceId, volumeId } from './fixtures/resources';

let sim: RunningSimulator;
let ec2: EC2Client;

before(async () => {
  sim = await startFixtureSimulator();
  ec2 = ec2Client(sim);
});

after(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.resetStats();
  sim.setFaults([]);
});

async function instancesOf(input: DescribeInstancesCommandInput = {}, client = ec2): Promise<Instance[]> {
  const out = await client.send(new DescribeInstancesCommand(input));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

const ids = (instances: Instance[]): string[] => instances.map((i) => i.InstanceId ?? '?').sort();

/** The EC2 error a call fails with (EC2 models no exceptions: the SDK names them by code). */
async function ec2Error(call: Promise<unknown>): Promise<EC2ServiceException> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof EC2ServiceException, `expected an EC2ServiceException, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('DescribeInstances', () => {
  test('lists the account and region’s instances, grouped into reservations as launched', async () => {
    const out = await ec2.send(new DescribeInstancesCommand({}));
    const reservations = out.Reservations ?? [];
    const all = reservations.flatMap((r) => r.Instances ?? []);
    assert.deepEqual(ids(all), MGMT_USE1_INSTANCES.map((i) => i.instanceId).sort());
    assert.equal(out.NextToken, undefined);
    // Instances 2 and 3 were launched together: one reservation; every other instance its own.
    assert.equal(reservations.length, MGMT_USE1_INSTANCES.length - 1);
    const shared = reservations.find((r) => r.Instances?.length === 2);
    assert.deepEqual(ids(shared?.Instances ?? []), [instanceId(2), instanceId(3)]);
    assert.match(shared?.ReservationId ?? '', /^r-[0-9a-f]{17}$/);
    for (const r of reservations) assert.equal(r.OwnerId, MGMT);
  });

  test('instance fields: state, launch time, placement, tags, block devices, addresses', async () => {
    const [web] = await instancesOf({ InstanceIds: [instanceId(1)] });
    assert.ok(web);
    assert.deepEqual(web.State, { Code: 16, Name: 'running' });
    assert.equal(web.InstanceType, 'm5.large');
    assert.deepEqual(web.LaunchTime, new Date('2025-02-11T08:11:00.000Z'));
    assert.equal(web.Placement?.AvailabilityZone, 'us-east-1a');
    assert.equal(web.Placement?.Tenancy, 'default');
    assert.equal(web.PrivateIpAddress, '10.0.0.11');
    assert.equal(web.PrivateDnsName, 'ip-10-0-0-11.ec2.internal');
    assert.equal(web.PublicIpAddress, '54.10.0.1');
    assert.equal(web.PublicDnsName, 'ec2-54-10-0-1.compute-1.amazonaws.com');
    assert.equal(web.StateTransitionReason, '');
    assert.equal(web.Architecture, 'x86_64');
    assert.equal(web.Platform, undefined);
    assert.equal(web.PlatformDetails, 'Linux/UNIX');
    assert.equal(web.InstanceLifecycle, undefined);
    assert.equal(web.EbsOptimized, true);
    assert.equal(web.RootDeviceName, '/dev/xvda');
    assert.deepEqual(web.Tags, [
      { Key: 'Name', Value: 'web-1' },
      { Key: 'env', Value: 'prod' },
    ]);
    assert.deepEqual(web.BlockDeviceMappings, [
      {
        DeviceName: '/dev/xvda',
        Ebs: {
          VolumeId: volumeId(1),
          Status: 'attached',
          AttachTime: new Date('2025-01-02T03:05:00.000Z'),
          DeleteOnTermination: true,
        },
      },
    ]);
  });

  test('stopped, Spot, Windows, arm64 and Auto Scaling instances look as AWS shows them', async () => {
    const byId = new Map((await instancesOf()).map((i) => [i.InstanceId, i]));
    const stopped = byId.get(instanceId(4));
    assert.deepEqual(stopped?.State, { Code: 80, Name: 'stopped' });
    assert.equal(stopped?.StateTransitionReason, 'User initiated (2025-05-20 14:03:22 GMT)');
    assert.deepEqual(stopped?.StateReason, {
      Code: 'Client.UserInitiatedShutdown',
      Message: 'Client.UserInitiatedShutdown: User initiated shutdown',
    });
    assert.equal(byId.get(instanceId(5))?.InstanceLifecycle, 'spot');
    assert.equal(byId.get(instanceId(6))?.Platform, 'windows');
    assert.equal(byId.get(instanceId(6))?.PlatformDetails, 'Windows');
    assert.equal(byId.get(instanceId(6))?.UsageOperation, 'RunInstances:0002');
    assert.equal(byId.get(instanceId(7))?.Architecture, 'arm64');
    assert.equal(byId.get(instanceId(7))?.Tags, undefined, 'an untagged instance has no tagSet');
    assert.deepEqual(byId.get(instanceId(8))?.Tags, [
      { Key: 'Name', Value: 'asg-node' },
      { Key: 'aws:autoscaling:groupName', Value: 'web-asg' },
    ]);
    const terminated = byId.get(instanceId(9));
    assert.deepEqual(terminated?.State, { Code: 48, Name: 'terminated' });
    assert.deepEqual(terminated?.BlockDeviceMappings, []);
  });

  test('filters: state, type with wildcards, tags, tag keys; values ORed, filters ANDed', async () => {
    assert.deepEqual(ids(await instancesOf({ Filters: [{ Name: 'instance-state-name', Values: ['stopped'] }] })), [
      instanceId(4),
    ]);
    assert.deepEqual(ids(await instancesOf({ Filters: [{ Name: 'instance-type', Values: ['t3.*'] }] })), [
      instanceId(4),
      instanceId(10),
      instanceId(11),
    ]);
    assert.deepEqual(ids(await instancesOf({ Filters: [{ Name: 'instance-type', Values: ['t3.micr?'] }] })), [
      instanceId(10),
      instanceId(11),
    ]);
    assert.deepEqual(ids(await instancesOf({ Filters: [{ Name: 'tag:team', Values: ['data', 'ml'] }] })), [
      instanceId(2),
      instanceId(3),
      instanceId(5),
    ]);
    assert.deepEqual(ids(await instancesOf({ Filters: [{ Name: 'tag-key', Values: ['cost-center'] }] })), [instanceId(6)]);
    assert.deepEqual(
      ids(
        await instancesOf({
          Filters: [
            { Name: 'instance-type', Values: ['t3.micro'] },
            { Name: 'availability-zone', Values: ['us-east-1b'] },
          ],
        }),
      ),
      [instanceId(11)],
    );
    assert.deepEqual(ids(await instancesOf({ Filters: [{ Name: 'instance-lifecycle', Values: ['spot'] }] })), [instanceId(5)]);
    assert.deepEqual(ids(await instancesOf({ Filters: [{ Name: 'instance-state-code', Values: ['48'] }] })), [instanceId(9)]);
    assert.deepEqual(await instancesOf({ Filters: [{ Name: 'tag:team', Values: ['nobody'] }] }), []);
  });

  test('MaxResults pages with NextToken; every page is a counted request', async () => {
    const pages: number[] = [];
    const seen: Instance[] = [];
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, {})) {
      const instances = (page.Reservations ?? []).flatMap((r) => r.Instances ?? []);
      pages.push(instances.length);
      seen.push(...instances);
    }
    assert.deepEqual(pages, [5, 5, 2]);
    assert.deepEqual(ids(seen), MGMT_USE1_INSTANCES.map((i) => i.instanceId).sort());
    assert.equal(sim.stats()['ec2:DescribeInstances'], 3);
  });

  test('region and account scoping: eu-west-1 serves only its own instances', async () => {
    const eu = ec2Client(sim, { region: 'eu-west-1' });
    assert.deepEqual(ids(await instancesOf({}, eu)), [instanceId(101), instanceId(102)]);
    const stopped = (await instancesOf({}, eu)).find((i) => i.InstanceId === instanceId(102));
    assert.equal(stopped?.StateTransitionReason, 'User initiated (2025-04-01 00:00:01 GMT)');
    assert.equal(stopped?.PrivateDnsName, 'ip-10-0-0-112.eu-west-1.compute.internal');
    assert.deepEqual(await instancesOf({}, ec2Client(sim, { region: 'ap-northeast-3' })), []);
  });

  test('errors: unknown and malformed IDs, MaxResults out of range or with IDs, bad filters, DryRun, bad tokens', async () => {
    const missing = await ec2Error(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })));
    assert.equal(missing.name, 'InvalidInstanceID.NotFound');
    assert.equal(missing.message, "The instance ID 'i-0123456789abcdef0' does not exist");
    assert.equal(missing.$metadata.httpStatusCode, 400);
    assert.ok(missing.$metadata.requestId);

    // Another account's instance does not exist for this one.
    const foreign = await ec2Error(ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId(201)] })));
    assert.equal(foreign.name, 'InvalidInstanceID.NotFound');

    const malformed = await ec2Error(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['web-1'] })));
    assert.equal(malformed.name, 'InvalidInstanceID.Malformed');

    const combined = await ec2Error(ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId(1)], MaxResults: 5 })));
    assert.equal(combined.name, 'InvalidParameterCombination');
    assert.equal(combined.message, 'The parameter instancesSet cannot be used with the parameter maxResults');

    const small = await ec2Error(ec2.send(new DescribeInstancesCommand({ MaxResults: 3 })));
    assert.equal(small.name, 'InvalidParameterValue');
    assert.equal(small.message, 'Value ( 3 ) for parameter maxResults is invalid. Expecting a value greater than 5.');
    const large = await ec2Error(ec2.send(new DescribeInstancesCommand({ MaxResults: 1001 })));
    assert.equal(large.name, 'InvalidParameterValue');

    const filter = await ec2Error(ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'colour', Values: ['blue'] }] })));
    assert.equal(filter.name, 'InvalidParameterValue');
    assert.equal(filter.message, "The filter 'colour' is invalid");

    const dryRun = await ec2Error(ec2.send(new DescribeInstancesCommand({ DryRun: true })));
    assert.equal(dryRun.name, 'DryRunOperation');
    assert.equal(dryRun.$metadata.httpStatusCode, 412);

    const token = await ec2Error(ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: 'not-a-token' })));
    assert.equal(token.name, 'InvalidParameterValue');
    const first = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    const reused = await ec2Error(
      ec2.send(
        new DescribeInstancesCommand({
          MaxResults: 5,
          NextToken: first.NextToken,
          Filters: [{ Name: 'instance-type', Values: ['t3.micro'] }],
        }),
      ),
    );
    assert.equal(reused.name, 'InvalidParameterValue', 'a token from another listing is refused');
  });

  test('faults reach EC2 through the gate: RequestLimitExceeded is retried, UnauthorizedOperation is 403', async () => {
    sim.setFaults([{ operation: 'ec2:DescribeInstances', error: 'RequestLimitExceeded', count: 1 }]);
    const retrying = ec2Client(sim, { maxAttempts: 3 });
    assert.equal((await instancesOf({}, retrying)).length, MGMT_USE1_INSTANCES.length);
    assert.equal(sim.stats()['ec2:DescribeInstances'], 2);

    sim.setFaults([{ operation: 'ec2:*', error: 'UnauthorizedOperation' }]);
    const denied = await ec2Error(ec2.send(new DescribeVolumesCommand({})));
    assert.equal(denied.name, 'UnauthorizedOperation');
    assert.equal(denied.$metadata.httpStatusCode, 403);
    assert.match(denied.message, /is not authorized to perform: ec2:DescribeVolumes/);
  });
});

describe('DescribeVolumes', () => {
  test('volumes with attachments, types, IOPS and throughput', async () => {
    const out = await ec2.send(new DescribeVolumesCommand({}));
    const volumes = out.Volumes ?? [];
    assert.equal(volumes.length, MGMT_USE1_VOLUMES.length);
    const attached = volumes.find((v) => v.VolumeId === volumeId(1));
    assert.equal(attached?.State, 'in-use');
    assert.equal(attached?.VolumeType, 'gp3');
    assert.equal(attached?.Size, 100);
    assert.equal(attached?.Iops, 3000);
    assert.equal(attached?.Throughput, 125);
    assert.equal(attached?.Encrypted, true);
    assert.deepEqual(attached?.CreateTime, new Date('2025-01-02T03:04:05.000Z'));
    assert.deepEqual(attached?.Attachments, [
      {
        VolumeId: volumeId(1),
        InstanceId: instanceId(1),
        Device: '/dev/xvda',
        State: 'attached',
        AttachTime: new Date('2025-01-02T03:05:00.000Z'),
        DeleteOnTermination: true,
      },
    ]);
    const orphan = volumes.find((v) => v.VolumeId === volumeId(50));
    assert.equal(orphan?.State, 'available');
    assert.deepEqual(orphan?.Attachments, []);
    assert.equal(orphan?.SnapshotId, 'snap-0000000000000a001');
    assert.deepEqual(orphan?.Tags, [{ Key: 'Name', Value: 'orphan-1' }]);
  });

  test('filters: status, volume-type, attachment.instance-id', async () => {
    const volumeIds = async (filters: { Name: string; Values: string[] }[]) =>
      ((await ec2.send(new DescribeVolumesCommand({ Filters: filters }))).Volumes ?? []).map((v) => v.VolumeId).sort();
    assert.deepEqual(await volumeIds([{ Name: 'status', Values: ['available'] }]), [volumeId(50), volumeId(51)]);
    assert.deepEqual(await volumeIds([{ Name: 'volume-type', Values: ['gp2'] }]), [volumeId(4), volumeId(50)]);
    assert.deepEqual(await volumeIds([{ Name: 'attachment.instance-id', Values: [instanceId(3), instanceId(5)] }]), [
      volumeId(3),
      volumeId(5),
    ]);
    assert.deepEqual(
      await volumeIds([
        { Name: 'status', Values: ['available'] },
        { Name: 'encrypted', Values: ['false'] },
      ]),
      [volumeId(51)],
    );
  });

  test('MaxResults 5–500 with NextToken; not with VolumeIds', async () => {
    const pages: number[] = [];
    for await (const page of paginateDescribeVolumes({ client: ec2, pageSize: 5 }, {})) pages.push(page.Volumes?.length ?? 0);
    assert.deepEqual(pages, [5, 5, 3]);
    const tooMany = await ec2Error(ec2.send(new DescribeVolumesCommand({ MaxResults: 501 })));
    assert.equal(tooMany.name, 'InvalidParameterValue');
    assert.equal(tooMany.message, 'Value ( 501 ) for parameter maxResults is invalid. Expecting a value less than 500.');
    const combined = await ec2Error(ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId(1)], MaxResults: 5 })));
    assert.equal(combined.message, 'The parameter volumeSet cannot be used with the parameter maxResults');
    const missing = await ec2Error(ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId(1), 'vol-0deadbeef0000000'] })));
    assert.equal(missing.name, 'InvalidVolume.NotFound');
    assert.equal(missing.message, "The volume 'vol-0deadbeef0000000' does not exist");
  });
});

describe('DescribeAddresses', () => {
  test('associated and idle Elastic IPs, unpaginated, with filters and IDs', async () => {
    const out = await ec2.send(new DescribeAddressesCommand({}));
    assert.equal(out.Addresses?.length, 2);
    const associated = out.Addresses?.find((a) => a.AllocationId === 'eipalloc-0000000000000001a');
    assert.equal(associated?.InstanceId, instanceId(1));
    assert.equal(associated?.AssociationId, 'eipassoc-0000000000000001a');
    assert.equal(associated?.NetworkInterfaceOwnerId, MGMT);
    assert.equal(associated?.Domain, 'vpc');
    const idle = out.Addresses?.find((a) => a.AllocationId === 'eipalloc-0000000000000002b');
    assert.equal(idle?.AssociationId, undefined);
    assert.equal(idle?.PublicIp, '3.80.0.2');

    const byInstance = await ec2.send(
      new DescribeAddressesCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId(1)] }] }),
    );
    assert.deepEqual(
      byInstance.Addresses?.map((a) => a.PublicIp),
      ['54.10.0.1'],
    );
    const byIp = await ec2.send(new DescribeAddressesCommand({ PublicIps: ['3.80.0.2'] }));
    assert.deepEqual(
      byIp.Addresses?.map((a) => a.AllocationId),
      ['eipalloc-0000000000000002b'],
    );
    const eu = await ec2Client(sim, { region: 'eu-west-1' }).send(new DescribeAddressesCommand({}));
    assert.deepEqual(
      eu.Addresses?.map((a) => a.PublicIp),
      ['52.16.0.3'],
    );

    const missing = await ec2Error(ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0000000000000004d'] })));
    assert.equal(missing.name, 'InvalidAllocationID.NotFound');
  });
});

describe('DescribeSnapshots', () => {
  test('OwnerIds self, filters, and MaxResults pages', async () => {
    const own = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    assert.equal(own.Snapshots?.length, MGMT_USE1_SNAPSHOTS.length);
    const orphan = own.Snapshots?.find((s) => s.VolumeId === 'vol-0ffffffffffffffff');
    assert.equal(orphan?.StorageTier, 'archive');
    assert.equal(orphan?.State, 'completed');
    assert.equal(orphan?.Progress, '100%');
    assert.equal(orphan?.OwnerId, MGMT);
    assert.equal(orphan?.VolumeSize, 100);
    assert.equal(orphan?.Description, 'orphaned: volume deleted');
    assert.deepEqual(
      (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: [MGMT] }))).Snapshots?.length,
      MGMT_USE1_SNAPSHOTS.length,
    );
    assert.deepEqual((await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['amazon'] }))).Snapshots, []);

    const pending = await ec2.send(
      new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'status', Values: ['pending'] }] }),
    );
    assert.equal(pending.Snapshots?.length, 1);
    const tagged = await ec2.send(
      new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'tag:retention', Values: ['30d'] }] }),
    );
    assert.equal(tagged.Snapshots?.length, 4);

    const pages: number[] = [];
    for await (const page of paginateDescribeSnapshots({ client: ec2, pageSize: 5 }, { OwnerIds: ['self'] }))
      pages.push(page.Snapshots?.length ?? 0);
    assert.deepEqual(pages, [5, 3]);

    const missing = await ec2Error(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0123456789abcdef0'] })));
    assert.equal(missing.name, 'InvalidSnapshot.NotFound');
    const combined = await ec2Error(
      ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0123456789abcdef0'], MaxResults: 5 })),
    );
    assert.equal(combined.name, 'InvalidParameterCombination');
  });
});
