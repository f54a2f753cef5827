/**
 * The small sample account: one production account (123456789012 "sample-production") in us-east-1
 * and eu-west-1 with a couple of dozen resources, hand-placed so the demo tells a story — steady web
 * servers, batch jobs that run on weekdays, a developer box that runs office hours, messy tags, a
 * forgotten reporting server, a GPU experiment that spiked the bill, a day of heavy data transfer —
 * and, unless `waste` is false, one or more examples of every kind of waste the agents look for.
 */
import { substream } from '../random';
import { goodLifecycle, type DraftBuilder } from './builder';

export const SAMPLE_ACCOUNT = { id: '123456789012', name: 'sample-production' };
export const SAMPLE_REGIONS = ['us-east-1', 'eu-west-1'];

const GIB = 2 ** 30;

export function buildSmallAccount(b: DraftBuilder, waste: boolean): void {
  const account = SAMPLE_ACCOUNT.id;
  b.draft.accounts.push({ ...SAMPLE_ACCOUNT });
  b.draft.regions.push(...SAMPLE_REGIONS);
  b.draft.supportPlans[account] = 'business';
  b.draft.detailDays = b.draft.historyDays + 1;
  const spikes = substream(b.draft.seed, 'spikes');
  const east = 'us-east-1';
  const eu = 'eu-west-1';

  const prodWeb = { Environment: 'prod', Application: 'storefront', CostCenter: 'CC-1001', Owner: 'web-team' };
  const batch = { Environment: 'prod', Application: 'batch', CostCenter: 'CC-2002', Owner: 'data-team' };

  const web1 = b.instance({
    account,
    region: east,
    instanceType: 'm5.large',
    name: 'web-1',
    tags: prodWeb,
    launchedDaysAgo: 900,
    role: 'normal',
    publicIp: true,
  });
  b.instance({
    account,
    region: east,
    instanceType: 'm5.large',
    name: 'web-2',
    tags: prodWeb,
    launchedDaysAgo: 900,
    role: 'normal',
    publicIp: true,
  });
  // Messy: "Production" instead of "prod", no Owner. Over-provisioned: p95 CPU around 15%.
  b.instance({
    account,
    region: east,
    instanceType: 'm5.xlarge',
    name: 'api-1',
    tags: { Environment: 'Production', Application: 'api', CostCenter: 'CC-1001' },
    launchedDaysAgo: 300,
    role: waste ? 'oversized' : 'normal',
    data: [{ sizeGiB: 200, tags: { Environment: 'Production', Application: 'api' } }],
  });
  b.instance({
    account,
    region: east,
    instanceType: 'c5.2xlarge',
    name: 'batch-1',
    tags: batch,
    launchedDaysAgo: 700,
    role: 'busy',
    // io1 whose 4,000 IOPS fit gp3 (waste), or io2 (fine).
    data: [waste ? { sizeGiB: 200, volumeType: 'io1', iops: 4000 } : { sizeGiB: 200, volumeType: 'io2', iops: 4000 }],
  });
  b.instance({
    account,
    region: east,
    instanceType: 'c5.2xlarge',
    name: 'batch-2',
    tags: batch,
    launchedDaysAgo: 150,
    role: 'bursty',
    schedule: 'weekdays',
  });
  // Messy: no CostCenter.
  b.instance({
    account,
    region: east,
    instanceType: 't3.large',
    name: 'dev-box-alice',
    tags: { Environment: 'dev', Owner: 'alice' },
    launchedDaysAgo: 500,
    role: 'normal',
    schedule: 'office-hours',
  });
  // A cron box still on a previous-generation family.
  b.instance({
    account,
    region: east,
    instanceType: waste ? 'm4.large' : 'c5.large',
    name: 'legacy-cron',
    tags: { Environment: 'prod', Application: 'batch', Owner: 'data-team' },
    launchedDaysAgo: 1100,
    role: 'normal',
  });
  // Messy: lower-case tag key.
  b.instance({
    account,
    region: eu,
    instanceType: 'm5.large',
    name: 'web-eu-1',
    tags: { environment: 'prod', Application: 'storefront', CostCenter: 'CC-1001', Owner: 'web-team' },
    launchedDaysAgo: 200,
    role: 'normal',
  });
  // Forgotten and idle, untidy tags, gp2 root volume.
  const reporting = b.instance({
    account,
    region: eu,
    instanceType: 'm5.2xlarge',
    name: 'reporting-old',
    tags: { Environment: 'staging' },
    launchedDaysAgo: 800,
    role: waste ? 'idle' : 'normal',
    root: { sizeGiB: 100, volumeType: waste ? 'gp2' : 'gp3', tags: { Environment: 'staging' } },
  });
  // A Jenkins server stopped two months ago: its volume and Elastic IP still bill.
  const jenkins = b.instance({
    account,
    region: east,
    instanceType: 't3.medium',
    name: 'old-jenkins',
    tags: { Environment: 'dev', Owner: 'platform-team' },
    launchedDaysAgo: 600,
    role: 'normal',
    ...(waste ? { stoppedDaysAgo: 62 } : {}),
    root: { sizeGiB: 100 },
  });

  // Spike 1: a GPU experiment that ran for three days about six weeks ago, since terminated.
  const gpuDaysAgo = spikes.int(40, 50);
  const gpuId = b.ids.instance();
  b.charge({
    account,
    region: east,
    spec: { kind: 'ec2-instance', region: east, instanceType: 'p3.2xlarge' },
    resourceId: gpuId,
    tags: { Environment: 'dev', Owner: 'bob', Project: 'ml-poc' },
    dailyQuantity: 24,
    from: b.date(gpuDaysAgo),
    until: b.date(gpuDaysAgo - 3),
  });
  b.draft.events.push({
    date: b.date(gpuDaysAgo),
    endDate: b.date(gpuDaysAgo - 2),
    kind: 'spike',
    service: 'Amazon Elastic Compute Cloud - Compute',
    resourceId: gpuId,
    description: 'A p3.2xlarge GPU instance ran for three days (ml-poc experiment), then was terminated.',
  });

  if (waste) {
    // Unattached and forgotten.
    b.volume({ sizeGiB: 500, volumeType: 'gp2', tags: { Name: 'old-reporting-data' } }, account, eu, 780);
    // An Elastic IP nobody released, and one on the stopped Jenkins server.
    b.address(account, east, 250);
    b.address(account, east, 600, jenkins);
    // Snapshot of a volume deleted long ago.
    b.snapshot(account, east, 'vol-0d1e2a3b4c5d6e7f8', 300, 400, 120, 'pre-migration backup of reporting data');
  } else {
    b.address(account, east, 900, web1);
  }
  // Regular backups of existing volumes are fine.
  const reportingRoot = reporting.blockDevices[0]?.volumeId ?? '';
  b.snapshot(account, eu, reportingRoot, 100, 5, 12, 'nightly backup of reporting-old');

  // NAT gateway: hours and data processed.
  const natId = b.ids.natGateway();
  const natTags = { Environment: 'prod', CostCenter: 'CC-1001', Owner: 'platform-team', Name: 'prod-nat-a' };
  b.charge({
    account,
    region: east,
    spec: { kind: 'nat-hours', region: east },
    resourceId: natId,
    tags: natTags,
    dailyQuantity: 24,
  });
  b.charge({
    account,
    region: east,
    spec: { kind: 'nat-bytes', region: east },
    resourceId: natId,
    tags: natTags,
    dailyQuantity: 60,
    weekendFactor: 0.4,
    monthlyGrowth: 0.03,
    noise: 0.08,
  });

  const assets = 'sample-production-assets';
  b.bucket({
    account,
    region: east,
    name: `${assets}-${b.ids.bucketSuffix()}`,
    createdDaysAgo: 1500,
    storageBytes: { StandardStorage: 800 * GIB, StandardIAStorage: 150 * GIB },
    objectCount: 1_200_000,
    lifecycleRules: goodLifecycle(false),
    monthlyGrowth: 0.01,
    tags: { Environment: 'prod', Application: 'storefront', CostCenter: 'CC-1001', Owner: 'web-team' },
  });
  // Growing fast, no lifecycle rules (and so no multipart clean-up), no Owner.
  const logs = b.bucket({
    account,
    region: east,
    name: `sample-production-logs-${b.ids.bucketSuffix()}`,
    createdDaysAgo: 1000,
    storageBytes: { StandardStorage: 3000 * GIB },
    objectCount: 9_500_000,
    lifecycleRules: waste ? [] : goodLifecycle(false),
    incompleteMultipartBytes: waste ? 40 * GIB : 0,
    monthlyGrowth: 0.06,
    tags: { Environment: 'prod', CostCenter: 'CC-1001' },
  });
  b.charge({
    account,
    region: east,
    spec: { kind: 's3-requests', region: east, tier: 1 },
    resourceId: logs.name,
    tags: logs.tags,
    dailyQuantity: 200_000,
    weekendFactor: 0.5,
    monthlyGrowth: 0.02,
    noise: 0.08,
  });
  // Versioned backups: lifecycle to Glacier, but old versions never expire. AWS Config's recorder is
  // off in this Region, so the bucket has no configuration item (readers fall back to S3's own calls).
  b.bucket({
    account,
    region: eu,
    name: `sample-production-backups-${b.ids.bucketSuffix()}`,
    createdDaysAgo: 600,
    storageBytes: { StandardStorage: 300 * GIB, GlacierStorage: 10_000 * GIB },
    objectCount: 420_000,
    versioning: 'Enabled',
    lifecycleRules: [
      {
        id: 'archive',
        status: 'Enabled',
        prefix: '',
        transitions: [{ days: 30, storageClass: 'GLACIER' }],
        abortIncompleteMultipartUploadDays: 7,
        ...(waste ? {} : { noncurrentVersionExpirationDays: 90 }),
      },
    ],
    noncurrentBytes: waste ? 220 * GIB : 0,
    monthlyGrowth: 0.02,
    tags: { Environment: 'Prod', CostCenter: 'CC-3003', Owner: 'platform-team' },
    recordedByConfig: false,
  });

  b.database({
    account,
    region: east,
    identifier: 'orders-db',
    dbInstanceClass: 'db.r5.large',
    engine: 'postgres',
    multiAz: true,
    storageType: 'gp3',
    allocatedStorageGiB: 200,
    createdDaysAgo: 900,
    role: 'normal',
    tags: { Environment: 'prod', Application: 'orders', CostCenter: 'CC-1001', Owner: 'orders-team' },
  });
  b.database({
    account,
    region: eu,
    identifier: 'staging-db',
    dbInstanceClass: 'db.m5.large',
    engine: 'postgres',
    multiAz: false,
    storageType: 'gp3',
    allocatedStorageGiB: 100,
    createdDaysAgo: 400,
    role: waste ? 'idle' : 'normal',
    tags: { Environment: 'staging', Application: 'orders' },
  });
  b.database({
    account,
    region: east,
    identifier: 'reports-db',
    dbInstanceClass: 'db.t3.medium',
    engine: 'mysql',
    multiAz: waste,
    storageType: 'gp3',
    allocatedStorageGiB: 50,
    createdDaysAgo: 350,
    role: 'normal',
    tags: { Environment: 'dev', Application: 'reporting', Owner: 'data-team' },
  });

  // Regional charges: CloudWatch metrics and logs, data transfer out.
  for (const [region, scale] of [
    [east, { metrics: 120, logGb: 5, transferGb: 30 }],
    [eu, { metrics: 40, logGb: 1, transferGb: 6 }],
  ] as const) {
    b.charge({ account, region, spec: { kind: 'cw-metrics', region }, dailyQuantity: scale.metrics, monthlyGrowth: 0.02 });
    b.charge({
      account,
      region,
      spec: { kind: 'cw-logs', region },
      dailyQuantity: scale.logGb,
      weekendFactor: 0.6,
      monthlyGrowth: 0.03,
      noise: 0.08,
    });
    const transfer = b.charge({
      account,
      region,
      spec: { kind: 'data-transfer-out', region },
      dailyQuantity: scale.transferGb,
      weekendFactor: 0.7,
      monthlyGrowth: 0.02,
      noise: 0.08,
    });
    if (region === east) {
      // Spike 2: one day of heavy data transfer out of us-east-1 about ten days ago.
      const day = b.date(spikes.int(8, 12));
      transfer.spikes = [{ from: day, to: day, factor: 15 }];
      b.draft.events.push({
        date: day,
        endDate: day,
        kind: 'spike',
        service: 'EC2 - Other',
        description: 'Data transfer out of us-east-1 was 15 times its usual level for one day.',
      });
    }
  }
}
