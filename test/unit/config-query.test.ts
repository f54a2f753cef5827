/** AWS Config advanced-query subset: parsing, matching and projection (src/sim/services/config-query.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigQueryError, matchesQuery, parseConfigQuery, projectItem, valuesAt } from '../../src/sim/services/config-query';

const ITEM = {
  accountId: '111111111111',
  resourceType: 'AWS::S3::Bucket',
  resourceName: 'b1',
  tags: [
    { key: 'env', value: 'prod' },
    { key: 'team', value: 'data' },
  ],
  supplementaryConfiguration: {
    BucketVersioningConfiguration: { status: 'Off', isMfaDeleteEnabled: null },
    BucketLifecycleConfiguration: {
      rules: [
        { id: 'r1', expirationInDays: 30 },
        { id: null, expirationInDays: -1 },
      ],
    },
  },
};

test('parses the select list as dotted paths, as written', () => {
  const q = parseConfigQuery('SELECT resourceName, supplementaryConfiguration.BucketVersioningConfiguration.status');
  assert.deepEqual(q, {
    select: ['resourceName', 'supplementaryConfiguration.BucketVersioningConfiguration.status'],
    where: [],
  });
});

test('WHERE with =, IN and AND; keywords in any case; quotes doubled inside strings', () => {
  const q = parseConfigQuery(
    "select resourceId wHeRe resourceType = 'AWS::S3::Bucket' and awsRegion in ('us-east-1','eu-west-1' ) AND tags.value = 'o''brien'",
  );
  assert.deepEqual(q.select, ['resourceId']);
  assert.deepEqual(q.where, [
    { path: 'resourceType', values: ['AWS::S3::Bucket'] },
    { path: 'awsRegion', values: ['us-east-1', 'eu-west-1'] },
    { path: 'tags.value', values: ["o'brien"] },
  ]);
});

test('errors name what is not supported', () => {
  const cases: [string, RegExp][] = [
    ['SELECT FROM', /Expected a property name after SELECT, found 'FROM'|keyword FROM/],
    ['', /must start with SELECT/],
    ['resourceId', /must start with SELECT/],
    ['SELECT *', /operator '\*'/],
    ["SELECT resourceId WHERE resourceType = 'a' OR resourceType = 'b'", /keyword OR/],
    ["SELECT resourceId WHERE resourceType LIKE 'a%'", /keyword LIKE/],
    ["SELECT resourceId WHERE resourceType != 'a'", /operator '!='/],
    ["SELECT resourceId WHERE resourceType < 'a'", /operator '<'/],
    ['SELECT COUNT(*)', /keyword COUNT/],
    ['SELECT resourceId GROUP BY resourceType', /keyword GROUP/],
    ['SELECT resourceId ORDER BY resourceId', /keyword ORDER/],
    ["SELECT resourceId WHERE resourceType = 'unterminated", /Unterminated string/],
    ['SELECT resourceId WHERE resourceType = 5', /Numeric literals/],
    ['SELECT resourceId WHERE resourceType = "x"', /Double-quoted/],
    ['SELECT resourceId WHERE resourceType IN ()', /Expected a quoted string in the IN list/],
    ["SELECT resourceId WHERE resourceType IN ('a' 'b')", /Expected ',' or '\)'/],
    ['SELECT resourceId WHERE', /Expected a property name after WHERE, found the end/],
    ["SELECT resourceId WHERE a = 'x' AND", /Expected a property name after AND/],
    ['SELECT resourceId, ', /Expected a property name after ,/],
    ['SELECT a. b', /Invalid property name/],
    ['SELECT upper(resourceId)', /function upper\(\)/],
    ['SELECT resourceId resourceName', /Unexpected 'resourceName'/],
  ];
  for (const [expression, message] of cases) {
    assert.throws(
      () => parseConfigQuery(expression),
      (error: unknown) => error instanceof ConfigQueryError && message.test(error.message),
      expression,
    );
  }
});

test('matching: = and IN, AND of conditions, paths through arrays, absent paths match nothing', () => {
  const match = (expression: string): boolean => matchesQuery(ITEM, parseConfigQuery(expression));
  assert.equal(match('SELECT resourceId'), true);
  assert.equal(match("SELECT resourceId WHERE resourceType = 'AWS::S3::Bucket'"), true);
  assert.equal(match("SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance'"), false);
  assert.equal(match("SELECT resourceId WHERE resourceType IN ('AWS::EC2::Instance', 'AWS::S3::Bucket')"), true);
  assert.equal(match("SELECT resourceId WHERE resourceType = 'AWS::S3::Bucket' AND accountId = '222222222222'"), false);
  assert.equal(match("SELECT resourceId WHERE tags.key = 'team'"), true);
  assert.equal(match("SELECT resourceId WHERE tags.key = 'owner'"), false);
  assert.equal(
    match("SELECT resourceId WHERE supplementaryConfiguration.BucketLifecycleConfiguration.rules.expirationInDays = '30'"),
    true,
  );
  assert.equal(match("SELECT resourceId WHERE nothing.here = 'x'"), false);
  assert.equal(
    match("SELECT resourceId WHERE supplementaryConfiguration.BucketVersioningConfiguration.isMfaDeleteEnabled = 'null'"),
    false,
  );
  assert.deepEqual(valuesAt(ITEM, 'tags.value'), ['prod', 'data']);
});

test('projection nests selected paths, keeps whole sub-objects, omits missing values and merges overlaps', () => {
  assert.deepEqual(projectItem(ITEM, ['resourceName', 'supplementaryConfiguration.BucketVersioningConfiguration.status']), {
    resourceName: 'b1',
    supplementaryConfiguration: { BucketVersioningConfiguration: { status: 'Off' } },
  });
  assert.deepEqual(projectItem(ITEM, ['supplementaryConfiguration.BucketVersioningConfiguration']), {
    supplementaryConfiguration: { BucketVersioningConfiguration: { status: 'Off', isMfaDeleteEnabled: null } },
  });
  // Missing and null values are left out.
  assert.deepEqual(
    projectItem(ITEM, [
      'resourceName',
      'configuration.name',
      'supplementaryConfiguration.BucketVersioningConfiguration.isMfaDeleteEnabled',
    ]),
    {
      resourceName: 'b1',
    },
  );
  assert.deepEqual(projectItem(ITEM, ['nothing']), {});
  // Through arrays, element by element; overlapping selections merge.
  assert.deepEqual(projectItem(ITEM, ['tags.key']), { tags: [{ key: 'env' }, { key: 'team' }] });
  assert.deepEqual(projectItem(ITEM, ['tags.key', 'tags.value']), { tags: ITEM.tags });
  assert.deepEqual(projectItem(ITEM, ['supplementaryConfiguration.BucketLifecycleConfiguration.rules.id']), {
    supplementaryConfiguration: { BucketLifecycleConfiguration: { rules: [{ id: 'r1' }, {}] } },
  });
  assert.deepEqual(
    projectItem(ITEM, ['supplementaryConfiguration.BucketVersioningConfiguration.status', 'supplementaryConfiguration']),
    { supplementaryConfiguration: ITEM.supplementaryConfiguration },
  );
});
