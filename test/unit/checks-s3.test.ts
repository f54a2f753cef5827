/**
 * The S3 checks on hand-built buckets: which checks fire, their dollar figures from bytes and prices,
 * break-even with transition and retrieval charges, and what happens when Storage Lens is not there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkBucket, GIB, lifecycleScope, S3_LIST_PRICES, type BucketFacts, type S3Prices } from '../../src/domain/checks/s3';

const prices: S3Prices = {
  standard: '0.023',
  standardIa: '0.0125',
  intelligentTieringIa: '0.0125',
  transitionToIaPer1000: S3_LIST_PRICES.transitionToIaPer1000,
  iaRetrievalPerGb: S3_LIST_PRICES.iaRetrievalPerGb,
  intelligentTieringMonitoringPer1000: S3_LIST_PRICES.intelligentTieringMonitoringPer1000,
  source: 'test',
};

function bucket(overrides: Partial<BucketFacts> = {}): BucketFacts {
  return {
    account: '111111111111',
    region: 'us-east-1',
    name: 'logs-bucket',
    creationDate: '2025-01-01T00:00:00.000Z',
    lifecycleRules: [],
    tags: { Owner: 'web-team' },
    standardBytes: 1000 * GIB,
    objectCount: 2_000_000,
    noncurrentBytes: 0,
    incompleteMultipartBytes: 0,
    ...overrides,
  };
}

const good = [{ enabled: true, hasTransition: true, noncurrentExpirationDays: 30, abortIncompleteMultipartDays: 7 }];

test('a bucket without lifecycle rules: IA savings on its current bytes, with the transition charge and break-even', () => {
  const findings = checkBucket(bucket({ incompleteMultipartBytes: 40 * GIB, standardBytes: 1040 * GIB }), prices);
  assert.deepEqual(findings.map((f) => f.check).sort(), ['s3-no-abort-multipart', 's3-no-lifecycle']);
  const lifecycle = findings.find((f) => f.check === 's3-no-lifecycle')!;
  assert.equal(lifecycle.monthlySavings, '10.5'); // 1000 GiB x (0.023 - 0.0125)
  assert.equal(lifecycle.evidence['oneTimeTransitionChargeUsd'], 20); // 2,000,000 objects x $0.01 / 1000
  assert.equal(lifecycle.evidence['breakEvenMonths'], 1.9);
  assert.equal(lifecycle.action, 'add-lifecycle-rule');
  assert.match(
    lifecycle.cliCommand ?? '',
    /^aws s3api put-bucket-lifecycle-configuration --bucket logs-bucket --region us-east-1 /,
  );
  assert.match(lifecycle.cliCommand ?? '', /"StorageClass":"STANDARD_IA"/);
  assert.equal(lifecycle.id, 's3-no-lifecycle/111111111111/us-east-1/logs-bucket');
  assert.deepEqual(lifecycle.resource.tags, { Owner: 'web-team' });
  const abort = findings.find((f) => f.check === 's3-no-abort-multipart')!;
  assert.equal(abort.monthlySavings, '0.92'); // 40 GiB x 0.023
  assert.equal(abort.confidence, 'high');
});

test('retrievals count against the saving when access is known', () => {
  const busy = checkBucket(bucket({ bytesDownloaded30d: 2000 * GIB }), prices).find((f) => f.check === 's3-no-lifecycle')!;
  assert.equal(busy.evidence['monthlyRetrievalChargeUsd'], 20);
  assert.equal(busy.confidence, 'low', 'reads would cost more than the move saves');
  assert.equal(busy.evidence['breakEvenMonths'], undefined);
});

test('versioned bucket keeping old versions: their bytes at the STANDARD price; with rules, merge advice instead of a command', () => {
  const rules = [{ enabled: true, hasTransition: true, abortIncompleteMultipartDays: 7 }];
  const findings = checkBucket(bucket({ versioning: 'Enabled', lifecycleRules: rules, noncurrentBytes: 220 * GIB }), prices);
  assert.deepEqual(
    findings.map((f) => f.check),
    ['s3-versioned-no-noncurrent-expiration'],
  );
  assert.equal(findings[0]!.monthlySavings, '5.06');
  assert.equal(findings[0]!.cliCommand, undefined);
  assert.match(findings[0]!.recommendation, /replaces the whole configuration/);
});

test('without Storage Lens the configuration findings stand, with no dollar figure and low confidence', () => {
  const findings = checkBucket(
    bucket({
      versioning: 'Enabled',
      lifecycleRules: [{ enabled: true, hasTransition: true }],
      noncurrentBytes: undefined,
      incompleteMultipartBytes: undefined,
    }),
    prices,
  );
  assert.deepEqual(
    findings.map((f) => [f.check, f.monthlySavings, f.confidence]),
    [
      ['s3-versioned-no-noncurrent-expiration', '0', 'low'],
      ['s3-no-abort-multipart', '0', 'low'],
    ],
  );
  assert.equal(findings[0]!.evidence['noncurrentGiB'], undefined);
  assert.equal(findings[0]!.evidence['storageLens'], false);
});

test('a tidy bucket has no findings; a disabled rule does not count', () => {
  assert.deepEqual(checkBucket(bucket({ lifecycleRules: good, versioning: 'Enabled' }), prices), []);
  const disabled = checkBucket(bucket({ lifecycleRules: good.map((r) => ({ ...r, enabled: false })) }), prices);
  assert.ok(disabled.some((f) => f.check === 's3-no-lifecycle'));
});

test('storage class: rarely read data goes to STANDARD_IA when it pays back; unknown access suggests Intelligent-Tiering', () => {
  const noTransition = [{ enabled: true, hasTransition: false, abortIncompleteMultipartDays: 7 }];
  const cold = checkBucket(
    bucket({ lifecycleRules: noTransition, standardBytes: 5000 * GIB, bytesDownloaded30d: 100 * GIB }),
    prices,
  );
  assert.deepEqual(
    cold.map((f) => f.check),
    ['s3-storage-class'],
  );
  // 5000 x 0.0105 = 52.5 storage; 100 GB x 0.01 = 1 retrieval; net 51.5; transition 20 -> 0.4 months.
  assert.equal(cold[0]!.monthlySavings, '51.5');
  assert.equal(cold[0]!.evidence['breakEvenMonths'], 0.4);
  assert.equal(cold[0]!.action, 'change-storage-class');
  const hot = checkBucket(
    bucket({ lifecycleRules: noTransition, standardBytes: 5000 * GIB, bytesDownloaded30d: 4000 * GIB }),
    prices,
  );
  assert.deepEqual(hot, [], 'read too often for IA');
  const unknown = checkBucket(bucket({ lifecycleRules: noTransition, standardBytes: 5000 * GIB }), prices);
  assert.equal(unknown[0]!.check, 's3-storage-class');
  assert.match(unknown[0]!.title, /Intelligent-Tiering/);
  // Half of 5000 GiB x (0.023 - 0.0125) - 2,000,000 x 0.0025 / 1000 = 26.25 - 5
  assert.equal(unknown[0]!.monthlySavings, '21.25');
  assert.equal(unknown[0]!.confidence, 'low');
  const small = checkBucket(bucket({ lifecycleRules: noTransition, standardBytes: 10 * GIB }), prices);
  assert.deepEqual(small, [], 'small buckets are not worth it');
});

test('empty buckets older than 30 days: delete, no dollars', () => {
  const findings = checkBucket(
    bucket({ lifecycleRules: good, objectCount: 0, standardBytes: 0 }),
    prices,
    undefined,
    '2026-11-21T00:00:00Z',
  );
  assert.deepEqual(
    findings.map((f) => [f.check, f.monthlySavings, f.action]),
    [['s3-empty-bucket', '0', 'delete']],
  );
  const young = checkBucket(
    bucket({ lifecycleRules: good, objectCount: 0, creationDate: '2026-11-10T00:00:00Z' }),
    prices,
    undefined,
    '2026-11-21T00:00:00Z',
  );
  assert.deepEqual(young, []);
});

test('no prices: findings without dollars', () => {
  const findings = checkBucket(bucket(), undefined);
  assert.ok(findings.every((f) => f.monthlySavings === '0'));
  assert.equal(findings.find((f) => f.check === 's3-no-lifecycle')!.evidence['priceSource'], 'unknown');
});

test('findings say where the configuration was read: AWS Config as last recorded, or S3', () => {
  const fromConfig = checkBucket(bucket({ configSource: 'aws-config', objectCount: 10 }), prices);
  assert.ok(fromConfig.length > 0);
  for (const f of fromConfig) assert.match(String(f.evidence.configurationFrom), /^AWS Config/, f.check);
  const fromS3 = checkBucket(bucket({ configSource: 's3', objectCount: 10 }), prices);
  for (const f of fromS3) assert.equal(f.evidence.configurationFrom, 'S3', f.check);
  for (const f of checkBucket(bucket({ objectCount: 10 }), prices)) assert.equal(f.evidence.configurationFrom, undefined);
});

test('a rule for part of the bucket does not count as covering it: the finding stays, low confidence, naming the scope', () => {
  const scoped = {
    enabled: true,
    hasTransition: true,
    scope: 'prefix "logs/"',
    noncurrentExpirationDays: 30,
    abortIncompleteMultipartDays: 7,
  };
  const findings = checkBucket(
    bucket({ versioning: 'Enabled', lifecycleRules: [scoped], noncurrentBytes: 100 * GIB, incompleteMultipartBytes: 10 * GIB }),
    prices,
  );
  assert.deepEqual(findings.map((f) => f.check).sort(), ['s3-no-abort-multipart', 's3-versioned-no-noncurrent-expiration']);
  for (const finding of findings) {
    assert.equal(finding.confidence, 'low', `${finding.check}: the bytes are the whole bucket's, an upper bound`);
    assert.equal(finding.evidence['coveredOnlyFor'], 'prefix "logs/"');
    assert.match(finding.recommendation, /for the whole bucket \(a rule covers only prefix "logs\/"\)/);
  }
  assert.equal(findings.find((f) => f.check === 's3-versioned-no-noncurrent-expiration')!.monthlySavings, '2.3'); // 100 GiB x 0.023
});

test('decoys: a bucket-wide rule covers the bucket even beside scoped ones; a disabled bucket-wide rule does not', () => {
  const scoped = { enabled: true, hasTransition: false, scope: 'tag env=dev' };
  const wide = { enabled: true, hasTransition: true, noncurrentExpirationDays: 30, abortIncompleteMultipartDays: 7 };
  const covered = checkBucket(bucket({ versioning: 'Enabled', lifecycleRules: [scoped, wide] }), prices);
  assert.deepEqual(
    covered.map((f) => f.check),
    [],
  );
  const off = checkBucket(bucket({ versioning: 'Enabled', lifecycleRules: [scoped, { ...wide, enabled: false }] }), prices);
  assert.deepEqual(off.map((f) => f.check).sort(), ['s3-no-abort-multipart', 's3-versioned-no-noncurrent-expiration']);
  assert.ok(
    off.every((f) => f.evidence['coveredOnlyFor'] === undefined),
    'the scoped rule expires nothing, so nothing is partly covered',
  );
});

test('lifecycleScope: an empty filter or empty prefix is the whole bucket; every other filter is named', () => {
  assert.equal(lifecycleScope({}), undefined);
  assert.equal(lifecycleScope({ prefix: '' }), undefined);
  assert.equal(lifecycleScope({ objectSizeGreaterThan: 0 }), undefined);
  assert.equal(
    lifecycleScope({ prefix: 'logs/', tags: { team: 'web', env: 'dev' }, objectSizeGreaterThan: 128, objectSizeLessThan: 1024 }),
    'prefix "logs/" and tag env=dev and tag team=web and objects over 128 bytes and objects under 1024 bytes',
  );
});
