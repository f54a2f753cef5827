/** AWS Config SelectResourceConfig (awsJson1_1) through the real @aws-sdk/client-config-service. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  SelectResourceConfigCommand,
  type SelectResourceConfigCommandInput,
  type SelectResourceConfigCommandOutput,
} from '@aws-sdk/client-config-service';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { S3Bucket } from '../../src/sim/model';
import type { RunningSimulator } from '../../src/sim/server';
import { MGMT_CREDENTIALS, startFixtureSimulator, stsClient, type TestCredentials } from './fixtures/clients';
import { BUCKETS, MEMBER, MEMBER_ROLE, MGMT, fixtureResources } from './fixtures/resources';
import { ScenarioFileError, parseScenarioFile } from '../../src/sim/scenario-file';
import { startTestSimulator } from './helpers';

const UNRECORDED = 'acme-bulk-02';
/** The fixture buckets, one of them unrecorded and one tagged. */
const CONFIG_BUCKETS: S3Bucket[] = BUCKETS.map((b) =>
  b.name === UNRECORDED
    ? { ...b, recordedByConfig: false }
    : b.name === 'acme-assets'
      ? { ...b, tags: { env: 'prod', team: 'web' } }
      : b,
);

const VERSIONING = 'supplementaryConfiguration.BucketVersioningConfiguration';
const LIFECYCLE = 'supplementaryConfiguration.BucketLifecycleConfiguration';
const ALL_BUCKETS = `SELECT resourceId, resourceName, accountId, awsRegion, arn, tags, configuration.creationDate, ${VERSIONING}, ${LIFECYCLE} WHERE resourceType = 'AWS::S3::Bucket'`;

function configClient(
  sim: RunningSimulator,
  region = 'us-east-1',
  credentials: TestCredentials = MGMT_CREDENTIALS,
): ConfigServiceClient {
  return new ConfigServiceClient({ region, endpoint: sim.url, credentials, maxAttempts: 1 });
}

async function configError(call: Promise<unknown>): Promise<ConfigServiceServiceException> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ConfigServiceServiceException, `expected a ConfigServiceServiceException, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

type Row = Record<string, unknown>;

async function allPages(
  client: ConfigServiceClient,
  input: SelectResourceConfigCommandInput,
): Promise<{ pages: SelectResourceConfigCommandOutput[]; rows: Row[] }> {
  const pages: SelectResourceConfigCommandOutput[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new SelectResourceConfigCommand({ ...input, ...(token ? { NextToken: token } : {}) }));
    pages.push(page);
    token = page.NextToken;
    assert.ok(pages.length < 100, 'paging does not end');
  } while (token);
  return { pages, rows: pages.flatMap((p) => (p.Results ?? []).map((r) => JSON.parse(r) as Row)) };
}

describe('AWS Config over the fixture resources', () => {
  let sim: RunningSimulator;
  let config: ConfigServiceClient;

  before(async () => {
    sim = await startFixtureSimulator({ resources: { ...fixtureResources(), buckets: CONFIG_BUCKETS } });
    config = configClient(sim);
  });

  after(async () => {
    await sim.close();
  });

  beforeEach(() => {
    sim.resetStats();
    sim.setFaults([]);
    sim.setQuotas('off');
  });

  test("resourceType = 'AWS::S3::Bucket': the account's recorded buckets of the Region, by name, as nested JSON", async () => {
    const out = await config.send(new SelectResourceConfigCommand({ Expression: ALL_BUCKETS }));
    const rows = (out.Results ?? []).map((r) => JSON.parse(r) as Row);
    assert.deepEqual(
      rows.map((r) => r['resourceName']),
      ['acme-assets', 'acme-bulk-00', 'acme-bulk-04', 'acme-logs-use1'],
    );
    assert.ok(!rows.some((r) => r['resourceName'] === UNRECORDED), 'an unrecorded bucket is absent');
    assert.equal(out.NextToken, undefined);
    assert.deepEqual(
      out.QueryInfo?.SelectFields?.map((f) => f.Name),
      [
        'resourceId',
        'resourceName',
        'accountId',
        'awsRegion',
        'arn',
        'tags',
        'configuration.creationDate',
        VERSIONING,
        LIFECYCLE,
      ],
    );
    for (const row of rows) {
      assert.equal(row['accountId'], MGMT);
      assert.equal(row['awsRegion'], 'us-east-1');
      assert.equal(row['arn'], `arn:aws:s3:::${String(row['resourceName'])}`);
      assert.deepEqual(row['configuration'], { creationDate: '2023-04-05T06:07:08.000Z' });
    }
    const byName = new Map(rows.map((r) => [r['resourceName'], r]));
    assert.deepEqual(byName.get('acme-assets')?.['tags'], [
      { key: 'env', value: 'prod' },
      { key: 'team', value: 'web' },
    ]);
    assert.deepEqual(byName.get('acme-assets')?.['supplementaryConfiguration'], {
      BucketVersioningConfiguration: { status: 'Off', isMfaDeleteEnabled: null },
    });
    assert.deepEqual(byName.get('acme-logs-use1')?.['supplementaryConfiguration'], {
      BucketVersioningConfiguration: { status: 'Enabled', isMfaDeleteEnabled: null },
      BucketLifecycleConfiguration: {
        rules: [
          {
            id: 'logs-tiering',
            status: 'Enabled',
            filter: { predicate: { type: 'LifecyclePrefixPredicate', prefix: 'logs/' } },
            expirationInDays: 365,
            expiredObjectDeleteMarker: false,
            noncurrentVersionExpirationInDays: 120,
            transitions: [
              { days: 30, storageClass: 'STANDARD_IA' },
              { days: 90, storageClass: 'GLACIER' },
            ],
            noncurrentVersionTransitions: [{ days: 30, storageClass: 'GLACIER_IR' }],
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
          {
            id: 'tmp-cleanup',
            status: 'Disabled',
            filter: { predicate: { type: 'LifecyclePrefixPredicate', prefix: '' } },
            expirationInDays: 1,
            expiredObjectDeleteMarker: false,
            noncurrentVersionExpirationInDays: -1,
            transitions: null,
            noncurrentVersionTransitions: null,
            abortIncompleteMultipartUpload: null,
          },
        ],
      },
    });
    assert.equal(sim.stats()['config:SelectResourceConfig'], 1);
  });

  test('only the selected properties, nested by their path; other Regions and resource types', async () => {
    const out = await config.send(
      new SelectResourceConfigCommand({
        Expression: `select resourceName, ${VERSIONING}.status where resourceType = 'AWS::S3::Bucket' and resourceName IN ('acme-logs-use1', 'acme-assets')`,
      }),
    );
    assert.deepEqual(out.Results, [
      '{"resourceName":"acme-assets","supplementaryConfiguration":{"BucketVersioningConfiguration":{"status":"Off"}}}',
      '{"resourceName":"acme-logs-use1","supplementaryConfiguration":{"BucketVersioningConfiguration":{"status":"Enabled"}}}',
    ]);

    const eu = await configClient(sim, 'eu-west-1').send(
      new SelectResourceConfigCommand({
        Expression: `SELECT resourceName, ${VERSIONING}.status, ${LIFECYCLE}.rules.transitions`,
      }),
    );
    assert.deepEqual(
      eu.Results?.map((r) => JSON.parse(r) as Row),
      [
        {
          resourceName: 'acme-archive-euw1',
          supplementaryConfiguration: {
            BucketVersioningConfiguration: { status: 'Off' },
            BucketLifecycleConfiguration: { rules: [{ transitions: [{ days: 0, storageClass: 'DEEP_ARCHIVE' }] }] },
          },
        },
        {
          resourceName: 'acme-data-euw1',
          supplementaryConfiguration: { BucketVersioningConfiguration: { status: 'Suspended' } },
        },
      ],
    );

    const instances = await config.send(
      new SelectResourceConfigCommand({ Expression: "SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance'" }),
    );
    assert.deepEqual(instances.Results, []);
  });

  test('paging with Limit 2 walks every bucket once; a token is bound to its expression', async () => {
    const expected = CONFIG_BUCKETS.filter((b) => b.account === MGMT && b.region === 'us-east-1' && b.recordedByConfig !== false)
      .map((b) => b.name)
      .sort();
    const { pages, rows } = await allPages(config, {
      Expression: "SELECT resourceId WHERE resourceType = 'AWS::S3::Bucket'",
      Limit: 2,
    });
    assert.deepEqual(
      pages.map((p) => p.Results?.length),
      [2, 2],
    );
    assert.deepEqual(
      rows.map((r) => r['resourceId']),
      expected,
    );
    assert.equal(new Set(rows.map((r) => r['resourceId'])).size, rows.length);
    assert.equal(sim.stats()['config:SelectResourceConfig'], 2);

    // Limit 0 or absent: 25 a page (all four here); Limit 3: 3 then 1.
    const three = await allPages(config, { Expression: 'SELECT resourceId', Limit: 3 });
    assert.deepEqual(
      three.pages.map((p) => p.Results?.length),
      [3, 1],
    );
    assert.equal(
      (await config.send(new SelectResourceConfigCommand({ Expression: 'SELECT resourceId', Limit: 0 }))).Results?.length,
      4,
    );

    const first = await config.send(new SelectResourceConfigCommand({ Expression: 'SELECT resourceId', Limit: 1 }));
    assert.ok(first.NextToken);
    const foreign = await configError(
      config.send(new SelectResourceConfigCommand({ Expression: 'SELECT resourceName', Limit: 1, NextToken: first.NextToken })),
    );
    assert.equal(foreign.name, 'InvalidNextTokenException');
    assert.equal(foreign.$metadata.httpStatusCode, 400);
    const forged = await configError(
      config.send(new SelectResourceConfigCommand({ Expression: 'SELECT resourceId', NextToken: 'not-a-token' })),
    );
    assert.equal(forged.name, 'InvalidNextTokenException');
  });

  test('errors: InvalidLimitException, InvalidExpressionException, ValidationException', async () => {
    const limit = await configError(
      config.send(new SelectResourceConfigCommand({ Expression: 'SELECT resourceId', Limit: 101 })),
    );
    assert.equal(limit.name, 'InvalidLimitException');
    assert.equal(limit.$metadata.httpStatusCode, 400);
    const negative = await configError(
      config.send(new SelectResourceConfigCommand({ Expression: 'SELECT resourceId', Limit: -1 })),
    );
    assert.equal(negative.name, 'InvalidLimitException');

    const malformed = await configError(config.send(new SelectResourceConfigCommand({ Expression: 'SELECT FROM' })));
    assert.equal(malformed.name, 'InvalidExpressionException');
    assert.equal(malformed.$metadata.httpStatusCode, 400);
    assert.match(malformed.message, /FROM/);
    const or = await configError(
      config.send(
        new SelectResourceConfigCommand({ Expression: "SELECT resourceId WHERE resourceName = 'a' OR resourceName = 'b'" }),
      ),
    );
    assert.equal(or.name, 'InvalidExpressionException');
    assert.match(or.message, /OR is not supported/);

    const missing = await configError(config.send(new SelectResourceConfigCommand({} as SelectResourceConfigCommandInput)));
    assert.equal(missing.name, 'ValidationException');
    const long = await configError(config.send(new SelectResourceConfigCommand({ Expression: `SELECT ${'a'.repeat(4100)}` })));
    assert.equal(long.name, 'ValidationException');
    assert.equal(sim.stats()['config:SelectResourceConfig'], 6);
  });

  test('another account (STS-assumed role) sees only its own buckets', async () => {
    const assumed = await stsClient(sim).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`, RoleSessionName: 'config-test' }),
    );
    const c = assumed.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
    const member = configClient(sim, 'us-east-1', {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    });
    const out = await member.send(
      new SelectResourceConfigCommand({ Expression: `SELECT resourceName, accountId, ${LIFECYCLE}.rules.expirationInDays` }),
    );
    assert.deepEqual(
      out.Results?.map((r) => JSON.parse(r) as Row),
      [
        {
          resourceName: 'workloads-prod-artifacts',
          accountId: MEMBER,
          supplementaryConfiguration: { BucketLifecycleConfiguration: { rules: [{ expirationInDays: 30 }] } },
        },
      ],
    );
  });

  test("with quotas 'aws', a burst beyond 10 is throttled (ThrottlingException)", async () => {
    sim.setQuotas('aws');
    const results = await Promise.allSettled(
      Array.from({ length: 14 }, () => config.send(new SelectResourceConfigCommand({ Expression: 'SELECT resourceId' }))),
    );
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // 10 pass at once; at 5 requests/s a slow machine may refill one or two tokens meanwhile.
    assert.ok(rejected.length >= 1 && rejected.length <= 4, `throttled ${rejected.length} of 14`);
    for (const r of rejected) assert.equal((r.reason as ConfigServiceServiceException).name, 'ThrottlingException');
    assert.equal(sim.throttled()['config:SelectResourceConfig'], rejected.length);
    assert.equal(sim.stats()['config:SelectResourceConfig'], 14);
  });
});

describe('AWS Config over the generated sample scenario', () => {
  let sim: RunningSimulator;

  before(async () => {
    sim = await startTestSimulator();
  });

  after(async () => {
    await sim.close();
  });

  test("the scenario's recorded buckets with their versioning and lifecycle; the unrecorded one is absent", async () => {
    const buckets = sim.scenario.buckets;
    const unrecorded = buckets.filter((b) => b.recordedByConfig === false);
    assert.ok(unrecorded.length >= 1, 'the small scenario has an unrecorded bucket');
    for (const region of sim.scenario.regions) {
      for (const account of sim.scenario.accounts.slice(0, 1)) {
        const expected = buckets
          .filter((b) => b.account === account.id && b.region === region && b.recordedByConfig !== false)
          .sort((a, b) => (a.name < b.name ? -1 : 1));
        const { rows } = await allPages(configClient(sim, region), {
          Expression: `SELECT resourceName, ${VERSIONING}.status, ${LIFECYCLE}.rules.id, ${LIFECYCLE}.rules.noncurrentVersionExpirationInDays WHERE resourceType = 'AWS::S3::Bucket'`,
          Limit: 1,
        });
        assert.deepEqual(
          rows.map((r) => r['resourceName']),
          expected.map((b) => b.name),
          region,
        );
        for (const [i, b] of expected.entries()) {
          const supplementary = rows[i]?.['supplementaryConfiguration'] as Row;
          assert.deepEqual(supplementary['BucketVersioningConfiguration'], { status: b.versioning ?? 'Off' });
          const rules = (supplementary['BucketLifecycleConfiguration'] as { rules: Row[] } | undefined)?.rules ?? [];
          assert.deepEqual(
            rules,
            b.lifecycleRules.map((r) => ({
              ...(r.id ? { id: r.id } : {}),
              noncurrentVersionExpirationInDays: r.noncurrentVersionExpirationDays ?? -1,
            })),
          );
        }
        for (const u of unrecorded) assert.ok(!rows.some((r) => r['resourceName'] === u.name), u.name);
      }
    }
  });
});

test('scenario files: recordedByConfig is an optional boolean of a bucket', () => {
  const file = (recorded: string): string =>
    'version: 1\nanchorDate: 2025-06-15\nhistoryDays: 5\naccounts: [{ id: "111122223333", name: a }]\n' +
    'buckets:\n' +
    '  - { name: recorded-bucket, region: us-east-1, created: 2024-01-01, storage: { StandardStorage: 1 GiB } }\n' +
    `  - { name: unrecorded-bucket, region: us-east-1, created: 2024-01-01, storage: { StandardStorage: 1 GiB }, recordedByConfig: ${recorded} }\n`;
  const s = parseScenarioFile(file('false'), 'config.yaml');
  assert.deepEqual(
    s.buckets.map((b) => [b.name, b.recordedByConfig]),
    [
      ['recorded-bucket', undefined],
      ['unrecorded-bucket', false],
    ],
  );
  assert.throws(
    () => parseScenarioFile(file('"no"'), 'bad.yaml'),
    (error: unknown) =>
      error instanceof ScenarioFileError && error.problems.some((p) => p.startsWith('buckets[1].recordedByConfig')),
  );
});
