/**
 * EBS volumes, Elastic IPs and snapshots: unattached, idle, io1 → gp3, gp2 → gp3, volumes of
 * long-stopped instances, unassociated addresses (also on stopped instances), orphaned snapshots.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  evaluateAddresses,
  evaluateSnapshots,
  evaluateVolumes,
  isRootVolume,
  wantsVolumeOps,
  withBilledSize,
  type HostFacts,
  type VolumeFacts,
} from '../../src/domain/checks/ebs';
import { DEFAULT_THRESHOLDS } from '../../src/domain/checks/thresholds';
import { priceKey, type PriceBook } from '../../src/domain/pricing';

const ASOF = '2026-11-21';
const R = 'us-east-1';
const t = DEFAULT_THRESHOLDS.ebs;
const BOOK: PriceBook = {
  [priceKey.ebsStorage(R, 'gp2')]: { usd: '0.1', unit: 'GB-Mo' },
  [priceKey.ebsStorage(R, 'gp3')]: { usd: '0.08', unit: 'GB-Mo' },
  [priceKey.ebsStorage(R, 'io1')]: { usd: '0.125', unit: 'GB-Mo' },
  [priceKey.ebsStorage(R, 'io2')]: { usd: '0.125', unit: 'GB-Mo' },
  [priceKey.ebsIops(R, 'io1')]: { usd: '0.065', unit: 'IOPS-Mo' },
  [priceKey.ebsIops(R, 'io2')]: { usd: '0.065', unit: 'IOPS-Mo' },
  [priceKey.ebsIops(R, 'gp3')]: { usd: '0.005', unit: 'IOPS-Mo' },
  [priceKey.ebsThroughput(R)]: { usd: '0.04', unit: 'MiBps-Mo' },
  [priceKey.ebsSnapshot(R, 'standard')]: { usd: '0.05', unit: 'GB-Mo' },
  [priceKey.idlePublicIpv4(R)]: { usd: '0.005', unit: 'Hrs' },
};

function volume(overrides: Partial<VolumeFacts> = {}): VolumeFacts {
  return {
    account: '111122223333',
    region: R,
    volumeId: 'vol-0aaa',
    volumeType: 'gp3',
    sizeGiB: 100,
    iops: 3000,
    throughput: 125,
    state: 'in-use',
    attachedTo: 'i-running',
    device: '/dev/sdf',
    createTime: '2026-01-01T00:00:00.000Z',
    tags: { Name: 'data' },
    ...overrides,
  };
}

const HOSTS = new Map<string, HostFacts>([
  ['i-running', { instanceId: 'i-running', state: 'running', rootDeviceName: '/dev/xvda' }],
  ['i-stopped-long', { instanceId: 'i-stopped-long', state: 'stopped' }],
]);

function run(volumes: VolumeFacts[], dailyOps?: Record<string, number[]>) {
  return evaluateVolumes({
    volumes,
    hosts: HOSTS,
    stoppedLong: new Set(['i-stopped-long']),
    dailyOps: dailyOps ? new Map(Object.entries(dailyOps)) : new Map(),
    prices: BOOK,
    asOf: ASOF,
    thresholds: t,
  }).findings;
}

test('an unattached volume: delete it (after a snapshot), saving all it costs', () => {
  const [f] = run([volume({ state: 'available', attachedTo: undefined, device: undefined, volumeType: 'gp2', iops: 300, sizeGiB: 500 })]);
  assert.equal(f?.check, 'ebs-unattached');
  assert.equal(f?.action, 'delete');
  assert.equal(f?.monthlySavings, '50');
  assert.match(f?.cliCommand ?? '', /create-snapshot .*&& aws ec2 delete-volume --region us-east-1 --volume-id vol-0aaa$/);
});

test('an idle data volume: under 1,000 operations on every day; a root volume is never idle', () => {
  const quiet = Array.from({ length: 14 }, () => 40);
  const [f] = run([volume()], { 'vol-0aaa': quiet });
  assert.equal(f?.check, 'ebs-idle');
  assert.equal(f?.monthlySavings, '8');
  assert.equal(f?.evidence['maxDailyOps'], 40);
  const busy = [...quiet];
  busy[5] = 1500;
  assert.deepEqual(run([volume()], { 'vol-0aaa': busy }), []);
  const root = volume({ device: '/dev/xvda' });
  assert.ok(isRootVolume(root, HOSTS.get('i-running')));
  assert.ok(!wantsVolumeOps(root, HOSTS.get('i-running'), new Set(), ASOF, t));
  assert.ok(!wantsVolumeOps(volume({ createTime: '2026-11-15T00:00:00.000Z' }), HOSTS.get('i-running'), new Set(), ASOF, t), 'too young');
});

test('io1 whose IOPS fit gp3 moves to gp3 with the same IOPS and the throughput they carry', () => {
  const [f] = run([volume({ volumeType: 'io1', sizeGiB: 200, iops: 4000, throughput: undefined })]);
  assert.equal(f?.check, 'ebs-io1-to-gp3');
  // io1: 200 × 0.125 + 4000 × 0.065 = 285; 4,000 IOPS carry 500 MiB/s (256 KiB each, capped at 500).
  // gp3: 200 × 0.08 + 1000 × 0.005 + 375 × 0.04 = 36.
  assert.equal(f?.monthlySavings, '249');
  assert.equal(f?.cliCommand, 'aws ec2 modify-volume --region us-east-1 --volume-id vol-0aaa --volume-type gp3 --iops 4000 --throughput 500');
  assert.deepEqual([f?.evidence['throughputMiBps'], f?.evidence['targetThroughputMiBps'], f?.evidence['targetIops']], [500, 500, 4000]);
  // 1,000 IOPS carry 250 MiB/s: gp3 needs 3,000 IOPS (included) and 250 MiB/s.
  assert.match(run([volume({ volumeType: 'io1', sizeGiB: 200, iops: 1000, throughput: undefined })])[0]?.cliCommand ?? '', /--iops 3000 --throughput 250$/);
  // io2 stays: it is chosen for durability and latency gp3 does not give.
  assert.deepEqual(run([volume({ volumeType: 'io2', sizeGiB: 200, iops: 1000, throughput: undefined })]), []);
  // Beyond 16,000 IOPS gp3 cannot take it; io2 costs the same here, so nothing.
  assert.deepEqual(run([volume({ volumeType: 'io1', sizeGiB: 1000, iops: 20_000 })]), []);
});

test("gp2 moves to gp3 keeping gp2's IOPS and throughput; a long-stopped instance's volumes are its finding's", () => {
  const [f] = run([volume({ volumeType: 'gp2', sizeGiB: 2000, iops: 6000 })]);
  assert.equal(f?.check, 'ebs-gp2-to-gp3');
  // 2,000 GiB gp2 gives 6,000 IOPS and 250 MiB/s. gp2 2000 × 0.1 = 200; gp3 2000 × 0.08 + 3000 × 0.005 + 125 × 0.04 = 180.
  assert.equal(f?.monthlySavings, '20');
  assert.deepEqual([f?.evidence['targetIops'], f?.evidence['targetThroughputMiBps'], f?.evidence['monthlyCostUsd']], [6000, 250, 200]);
  assert.match(f?.cliCommand ?? '', /--iops 6000 --throughput 250$/);
  // 100 GiB gp2: 300 IOPS and 128 MiB/s → gp3 with 3,000 IOPS and 128 MiB/s.
  const [small] = run([volume({ volumeType: 'gp2', sizeGiB: 100 })]);
  assert.deepEqual([small?.evidence['targetIops'], small?.evidence['targetThroughputMiBps']], [3000, 128]);
  assert.deepEqual(run([volume({ volumeType: 'gp2', attachedTo: 'i-stopped-long' })]), []);
});

test('Elastic IPs: unassociated, or on an instance that is not running; not those on running instances', () => {
  const base = { account: '111122223333', region: R, publicIp: '203.0.113.7', tags: {} };
  const findings = evaluateAddresses({
    addresses: [
      { ...base, allocationId: 'eipalloc-free' },
      { ...base, allocationId: 'eipalloc-stopped', associationId: 'eipassoc-1', instanceId: 'i-stopped' },
      { ...base, allocationId: 'eipalloc-running', associationId: 'eipassoc-2', instanceId: 'i-running' },
    ],
    instanceStates: new Map([
      ['i-stopped', 'stopped'],
      ['i-running', 'running'],
    ]),
    prices: BOOK,
  });
  assert.deepEqual(findings.map((f) => f.resource.id), ['eipalloc-free', 'eipalloc-stopped']);
  assert.equal(findings[0]!.monthlySavings, '3.65');
  assert.equal(findings[0]!.evidence['publicIp'], '203.0.113.7');
  assert.equal(findings[0]!.cliCommand, 'aws ec2 release-address --region us-east-1 --allocation-id eipalloc-free');
  assert.match(findings[1]!.cliCommand ?? '', /disassociate-address .*--association-id eipassoc-1 && aws ec2 release-address/);
});

test('orphaned snapshots: source volume gone and 90 days old; priced at the billed size when Cost Explorer has it', () => {
  const snap = { account: '111122223333', region: R, sizeGiB: 200, tags: {}, storageTier: 'standard' };
  const findings = evaluateSnapshots({
    snapshots: [
      { ...snap, snapshotId: 'snap-orphan', volumeId: 'vol-gone', startTime: '2026-06-01T00:00:00.000Z' },
      { ...snap, snapshotId: 'snap-young', volumeId: 'vol-gone', startTime: '2026-10-01T00:00:00.000Z' },
      { ...snap, snapshotId: 'snap-kept', volumeId: 'vol-here', startTime: '2026-01-01T00:00:00.000Z' },
      { ...snap, snapshotId: 'snap-copy', volumeId: 'vol-ffffffff', startTime: '2026-01-01T00:00:00.000Z' },
    ],
    volumeIds: new Set(['vol-here']),
    prices: BOOK,
    asOf: ASOF,
    thresholds: t,
  });
  assert.deepEqual(findings.map((f) => f.resource.id), ['snap-orphan']);
  const f = findings[0]!;
  assert.equal(f.monthlySavings, '10'); // the upper bound: 200 GiB × 0.05
  assert.equal(f.confidence, 'low');
  const billed = withBilledSize(f, 87);
  assert.equal(billed.monthlySavings, '4.35');
  assert.equal(billed.evidence['billedSizeGB'], 87);
  assert.equal(billed.confidence, 'medium');
});
