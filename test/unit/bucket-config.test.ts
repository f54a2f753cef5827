/**
 * Reading AWS Config's recorded S3 bucket configuration: the Java-SDK shape Config stores (-1 for an
 * unset number, "Off" for never-versioned, null members) becomes what S3's own API would have said.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBucketConfigResult, s3FilterParts } from '../../src/activities/bucket-config';
import { lifecycleScope } from '../../src/domain/checks/s3';

const result = (item: unknown) => JSON.stringify(item);

test('a versioned bucket with rules: unset numbers (-1, null) are left out, transitions and aborts kept', () => {
  const bucket = parseBucketConfigResult(
    result({
      resourceName: 'logs',
      supplementaryConfiguration: {
        BucketVersioningConfiguration: { status: 'Enabled', isMfaDeleteEnabled: null },
        BucketLifecycleConfiguration: {
          rules: [
            {
              id: 'archive',
              status: 'Enabled',
              filter: { predicate: { type: 'LifecyclePrefixPredicate', prefix: '' } },
              expirationInDays: -1,
              expiredObjectDeleteMarker: false,
              noncurrentVersionExpirationInDays: 30,
              transitions: [{ days: 30, storageClass: 'STANDARD_IA' }],
              noncurrentVersionTransitions: null,
              abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
            {
              id: null,
              status: 'Disabled',
              expirationInDays: 365,
              noncurrentVersionExpirationInDays: -1,
              transitions: null,
              abortIncompleteMultipartUpload: null,
            },
          ],
        },
      },
    }),
  );
  assert.deepEqual(bucket, {
    name: 'logs',
    versioning: 'Enabled',
    lifecycleRules: [
      { id: 'archive', enabled: true, hasTransition: true, noncurrentExpirationDays: 30, abortIncompleteMultipartDays: 7 },
      { enabled: false, hasTransition: false, expirationDays: 365 },
    ],
  });
});

test('never-versioned ("Off") and no lifecycle configuration read as S3 answers them', () => {
  assert.deepEqual(
    parseBucketConfigResult(
      result({ resourceName: 'assets', supplementaryConfiguration: { BucketVersioningConfiguration: { status: 'Off' } } }),
    ),
    { name: 'assets', lifecycleRules: [] },
  );
  assert.deepEqual(
    parseBucketConfigResult(
      result({ resourceName: 'old', supplementaryConfiguration: { BucketVersioningConfiguration: { status: 'Suspended' } } }),
    ),
    { name: 'old', versioning: 'Suspended', lifecycleRules: [] },
  );
});

test('a nested noncurrentVersionExpiration is read too', () => {
  const bucket = parseBucketConfigResult(
    result({
      resourceName: 'b',
      supplementaryConfiguration: {
        BucketLifecycleConfiguration: { rules: [{ status: 'Enabled', noncurrentVersionExpiration: { days: 14 } }] },
      },
    }),
  );
  assert.equal(bucket?.lifecycleRules[0]?.noncurrentExpirationDays, 14);
});

test('entries that are not readable buckets are skipped, not guessed', () => {
  assert.equal(parseBucketConfigResult('not json'), undefined);
  assert.equal(parseBucketConfigResult(result({ awsRegion: 'us-east-1' })), undefined);
  assert.equal(parseBucketConfigResult(result(['a'])), undefined);
  assert.deepEqual(parseBucketConfigResult(result({ resourceName: 'x', supplementaryConfiguration: 'odd' })), {
    name: 'x',
    lifecycleRules: [],
  });
});

test('rule filters: Config predicate trees and S3 filters name the same scope; an empty prefix is the whole bucket', () => {
  const rule = (filter: unknown, extra: Record<string, unknown> = {}) =>
    parseBucketConfigResult(
      result({
        resourceName: 'b',
        supplementaryConfiguration: {
          BucketLifecycleConfiguration: {
            rules: [{ status: 'Enabled', filter, noncurrentVersionExpirationInDays: 30, ...extra }],
          },
        },
      }),
    )!.lifecycleRules[0]!.scope;
  assert.equal(rule({ predicate: { type: 'LifecyclePrefixPredicate', prefix: '' } }), undefined);
  assert.equal(rule(null), undefined);
  assert.equal(rule({ predicate: { type: 'LifecyclePrefixPredicate', prefix: 'logs/' } }), 'prefix "logs/"');
  assert.equal(rule(null, { prefix: 'old/' }), 'prefix "old/"', 'the deprecated rule-level prefix');
  assert.equal(
    rule({
      predicate: {
        type: 'LifecycleAndOperator',
        operands: [
          { type: 'LifecyclePrefixPredicate', prefix: 'logs/' },
          { type: 'LifecycleTagPredicate', tag: { key: 'env', value: 'dev' } },
          { type: 'LifecycleObjectSizeGreaterThanPredicate', objectSizeGreaterThan: 128 },
        ],
      },
    }),
    'prefix "logs/" and tag env=dev and objects over 128 bytes',
  );

  const s3 = (r: Parameters<typeof s3FilterParts>[0]) => lifecycleScope(s3FilterParts(r));
  assert.equal(s3({ Status: 'Enabled', Filter: { Prefix: '' } }), undefined);
  assert.equal(s3({ Status: 'Enabled' }), undefined);
  assert.equal(s3({ Status: 'Enabled', Prefix: 'old/' }), 'prefix "old/"');
  assert.equal(s3({ Status: 'Enabled', Filter: { Tag: { Key: 'env', Value: 'dev' } } }), 'tag env=dev');
  assert.equal(
    s3({
      Status: 'Enabled',
      Filter: { And: { Prefix: 'logs/', Tags: [{ Key: 'env', Value: 'dev' }], ObjectSizeGreaterThan: 128 } },
    }),
    'prefix "logs/" and tag env=dev and objects over 128 bytes',
  );
});
