/** S3 (restXml, path-style) through the real @aws-sdk/client-s3 against the fixture resources. */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  ListBucketsCommand,
  NoSuchBucket,
  S3ServiceException,
  paginateListBuckets,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { RunningSimulator } from '../../src/sim/server';
import { canonicalUserId } from '../../src/sim/services/s3';
import { s3Client, startFixtureSimulator } from './fixtures/clients';
import { MGMT, MGMT_BUCKETS } from './fixtures/resources';

let sim: RunningSimulator;
let s3: S3Client;

before(async () => {
  sim = await startFixtureSimulator();
  s3 = s3Client(sim);
});

after(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.resetStats();
  sim.setFaults([]);
});

async function s3Error(call: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof S3ServiceException, `expected an S3ServiceException, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

const sortedNames = MGMT_BUCKETS.map((b) => b.name).sort();

test('ListBuckets without parameters: every bucket of the account, by name, without BucketRegion', async () => {
  const out = await s3.send(new ListBucketsCommand({}));
  assert.deepEqual(
    out.Buckets?.map((b) => b.Name),
    sortedNames,
  );
  assert.deepEqual(out.Buckets?.[0]?.CreationDate, new Date('2023-04-05T06:07:08.000Z'));
  assert.ok(out.Buckets?.every((b) => b.BucketRegion === undefined));
  assert.deepEqual(out.Owner, { DisplayName: 'org-management', ID: canonicalUserId(MGMT) });
  assert.equal(out.ContinuationToken, undefined);
  assert.match(out.$metadata.requestId ?? '', /^[0-9A-F]{16}$/);
  assert.ok(out.$metadata.extendedRequestId);
});

test('ListBuckets pages with max-buckets and continuation-token, each bucket with its BucketRegion', async () => {
  const pages: string[][] = [];
  for await (const page of paginateListBuckets({ client: s3, pageSize: 3 }, {})) {
    pages.push(page.Buckets?.map((b) => b.Name ?? '?') ?? []);
    for (const b of page.Buckets ?? []) assert.equal(b.BucketRegion, MGMT_BUCKETS.find((m) => m.name === b.Name)?.region);
  }
  assert.deepEqual(
    pages.map((p) => p.length),
    [3, 3, 3, 1],
  );
  assert.deepEqual(pages.flat(), sortedNames);
  assert.equal(sim.stats()['s3:ListBuckets'], 4);

  const bulk = await s3.send(new ListBucketsCommand({ Prefix: 'acme-bulk-' }));
  assert.equal(bulk.Buckets?.length, 6);
  assert.equal(bulk.Prefix, 'acme-bulk-');
  const sydney = await s3.send(new ListBucketsCommand({ BucketRegion: 'ap-southeast-2' }));
  assert.deepEqual(
    sydney.Buckets?.map((b) => b.Name),
    ['acme-bulk-01', 'acme-bulk-03', 'acme-bulk-05'],
  );

  const zero = await s3Error(s3.send(new ListBucketsCommand({ MaxBuckets: 0 })));
  assert.equal(zero.name, 'InvalidArgument');
  assert.equal(zero.$metadata.httpStatusCode, 400);
  const token = await s3Error(s3.send(new ListBucketsCommand({ ContinuationToken: 'forged' })));
  assert.equal(token.name, 'InvalidArgument');
});

test('GetBucketLifecycleConfiguration returns every rule element; a bucket without rules is NoSuchLifecycleConfiguration', async () => {
  const out = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'acme-logs-use1' }));
  assert.equal(out.TransitionDefaultMinimumObjectSize, 'all_storage_classes_128K');
  assert.deepEqual(out.Rules, [
    {
      ID: 'logs-tiering',
      Filter: { Prefix: 'logs/' },
      Status: 'Enabled',
      Transitions: [
        { Days: 30, StorageClass: 'STANDARD_IA' },
        { Days: 90, StorageClass: 'GLACIER' },
      ],
      Expiration: { Days: 365 },
      NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'GLACIER_IR' }],
      NoncurrentVersionExpiration: { NoncurrentDays: 120 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    },
    { ID: 'tmp-cleanup', Filter: {}, Status: 'Disabled', Expiration: { Days: 1 } },
  ]);
  const none = await s3Error(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'acme-assets' })));
  assert.equal(none.name, 'NoSuchLifecycleConfiguration');
  assert.equal(none.message, 'The lifecycle configuration does not exist');
  assert.equal(none.$metadata.httpStatusCode, 404);
  assert.equal(sim.stats()['s3:GetBucketLifecycleConfiguration'], 2);
});

test('GetBucketVersioning: Enabled, Suspended, or empty when never enabled', async () => {
  assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'acme-logs-use1' }))).Status, 'Enabled');
  assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'acme-assets' }))).Status, undefined);
  const eu = s3Client(sim, { region: 'eu-west-1' });
  assert.equal((await eu.send(new GetBucketVersioningCommand({ Bucket: 'acme-data-euw1' }))).Status, 'Suspended');
});

test('GetBucketLocation: empty for us-east-1, the region otherwise, from any region', async () => {
  assert.equal((await s3.send(new GetBucketLocationCommand({ Bucket: 'acme-assets' }))).LocationConstraint, undefined);
  assert.equal((await s3.send(new GetBucketLocationCommand({ Bucket: 'acme-data-euw1' }))).LocationConstraint, 'eu-west-1');
  assert.equal((await s3.send(new GetBucketLocationCommand({ Bucket: 'acme-bulk-01' }))).LocationConstraint, 'ap-southeast-2');
});

test('bucket errors: NoSuchBucket, another account’s bucket, invalid names, expected owner', async () => {
  const missing = await s3Error(s3.send(new GetBucketVersioningCommand({ Bucket: 'no-such-bucket-here' })));
  assert.ok(missing instanceof NoSuchBucket || missing.name === 'NoSuchBucket');
  assert.equal(missing.message, 'The specified bucket does not exist');
  assert.equal(missing.$metadata.httpStatusCode, 404);

  const foreign = await s3Error(s3.send(new GetBucketLocationCommand({ Bucket: 'workloads-prod-artifacts' })));
  assert.equal(foreign.name, 'AccessDenied');
  assert.equal(foreign.$metadata.httpStatusCode, 403);

  const invalid = await s3Error(s3.send(new GetBucketLocationCommand({ Bucket: 'Bad_Name' })));
  assert.equal(invalid.name, 'InvalidBucketName');

  const owner = await s3Error(
    s3.send(new GetBucketVersioningCommand({ Bucket: 'acme-assets', ExpectedBucketOwner: '999999999999' })),
  );
  assert.equal(owner.name, 'AccessDenied');
  assert.equal(
    (await s3.send(new GetBucketVersioningCommand({ Bucket: 'acme-assets', ExpectedBucketOwner: MGMT }))).Status,
    undefined,
  );
});

test('a bucket in another region answers 301 PermanentRedirect with x-amz-bucket-region, which followRegionRedirects follows', async () => {
  const redirected = await s3Error(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'acme-archive-euw1' })));
  assert.equal(redirected.name, 'PermanentRedirect');
  assert.equal(redirected.$metadata.httpStatusCode, 301);

  const following = s3Client(sim, { followRegionRedirects: true });
  const out = await following.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'acme-archive-euw1' }));
  assert.deepEqual(out.Rules, [{ Filter: {}, Status: 'Enabled', Transitions: [{ Days: 0, StorageClass: 'DEEP_ARCHIVE' }] }]);

  const eu = s3Client(sim, { region: 'eu-west-1' });
  assert.equal((await eu.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'acme-archive-euw1' }))).Rules?.length, 1);
});

test('faults reach S3 through the gate: SlowDown is retried', async () => {
  sim.setFaults([{ operation: 's3:ListBuckets', error: 'SlowDown', count: 1 }]);
  const out = await s3Client(sim, { maxAttempts: 3 }).send(new ListBucketsCommand({}));
  assert.equal(out.Buckets?.length, MGMT_BUCKETS.length);
  assert.equal(sim.stats()['s3:ListBuckets'], 2);
  sim.setFaults([{ operation: 's3:GetBucketLocation', error: 'AccessDenied' }]);
  const denied = await s3Error(s3.send(new GetBucketLocationCommand({ Bucket: 'acme-assets' })));
  assert.equal(denied.name, 'AccessDenied');
  assert.equal(denied.$metadata.httpStatusCode, 403);
});
