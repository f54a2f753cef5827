/** STS (awsQuery) through the real @aws-sdk/client-sts: AssumeRole into member accounts, then acting as them. */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetBucketLifecycleConfigurationCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
  type AssumeRoleCommandInput,
} from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { RunningSimulator } from '../../src/sim/server';
import { accountForAccessKey, accountOfAccessKeyId, lookupIssuedKey, roleUniqueId } from '../../src/sim/services/sts';
import {
  MGMT_CREDENTIALS,
  ec2Client,
  rdsClient,
  s3Client,
  startFixtureSimulator,
  stsClient,
  type TestCredentials,
} from './fixtures/clients';
import {
  ACCOUNTS,
  MEMBER,
  MEMBER_ROLE,
  MGMT,
  PARTNER,
  PARTNER_EXTERNAL_ID,
  PARTNER_ROLE,
  instanceId,
} from './fixtures/resources';

let sim: RunningSimulator;

before(async () => {
  sim = await startFixtureSimulator();
});

after(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.resetStats();
  sim.setFaults([]);
});

const MEMBER_ROLE_ARN = `arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`;
const PARTNER_ROLE_ARN = `arn:aws:iam::${PARTNER}:role/${PARTNER_ROLE}`;

async function stsError(call: Promise<unknown>): Promise<STSServiceException> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof STSServiceException, `expected an STSServiceException, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

async function assume(
  input: Partial<AssumeRoleCommandInput>,
  credentials: TestCredentials = MGMT_CREDENTIALS,
): Promise<TestCredentials> {
  const out = await stsClient(sim, { credentials }).send(
    new AssumeRoleCommand({ RoleArn: MEMBER_ROLE_ARN, RoleSessionName: 'finops-analysis', ...input }),
  );
  const c = out.Credentials;
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

test('GetCallerIdentity: long-term keys act as the management account', async () => {
  const me = await stsClient(sim).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Account, MGMT);
  assert.equal(me.Arn, `arn:aws:iam::${MGMT}:user/finops-analyst`);
  assert.match(me.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
});

test('AssumeRole returns credentials whose access key encodes the member account', async () => {
  const before = Date.now();
  const out = await stsClient(sim).send(
    new AssumeRoleCommand({ RoleArn: MEMBER_ROLE_ARN, RoleSessionName: 'finops-analysis', DurationSeconds: 900 }),
  );
  const key = out.Credentials?.AccessKeyId ?? '';
  assert.match(key, new RegExp(`^ASIA${MEMBER}[A-Z2-7]{4}$`));
  assert.equal(key.length, 20);
  assert.equal(out.Credentials?.SecretAccessKey?.length, 40);
  assert.ok((out.Credentials?.SessionToken ?? '').length > 100);
  const expiresIn = (out.Credentials?.Expiration?.getTime() ?? 0) - before;
  assert.ok(expiresIn > 890_000 && expiresIn <= 901_000, `expires in ${expiresIn} ms`);
  assert.deepEqual(out.AssumedRoleUser, {
    AssumedRoleId: `${roleUniqueId(MEMBER, MEMBER_ROLE)}:finops-analysis`,
    Arn: `arn:aws:sts::${MEMBER}:assumed-role/${MEMBER_ROLE}/finops-analysis`,
  });
  assert.equal(accountOfAccessKeyId(key), MEMBER);
  assert.equal(lookupIssuedKey(key)?.roleName, MEMBER_ROLE);
  assert.equal(accountForAccessKey({ accounts: ACCOUNTS }, key), MEMBER);
  assert.equal(accountForAccessKey({ accounts: ACCOUNTS }, 'AKIAIOSFODNN7EXAMPLE'), MGMT);
  assert.equal(accountForAccessKey({ accounts: ACCOUNTS }, 'ASIA999999999999ABCD'), MGMT, 'an account outside the scenario');
  assert.equal(accountForAccessKey({ accounts: ACCOUNTS }, undefined), MGMT);
  assert.equal(sim.stats()['sts:AssumeRole'], 1);
});

test('requests signed with assumed-role credentials act as the member account', async () => {
  const credentials = await assume({});
  const me = await stsClient(sim, { credentials }).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Account, MEMBER);
  assert.equal(me.Arn, `arn:aws:sts::${MEMBER}:assumed-role/${MEMBER_ROLE}/finops-analysis`);

  const instances = await ec2Client(sim, { credentials }).send(new DescribeInstancesCommand({}));
  const ids = (instances.Reservations ?? [])
    .flatMap((r) => r.Instances ?? [])
    .map((i) => i.InstanceId)
    .sort();
  assert.deepEqual(ids, [instanceId(201), instanceId(202), instanceId(203)]);
  assert.ok(instances.Reservations?.every((r) => r.OwnerId === MEMBER));

  const dbs = await rdsClient(sim, { credentials }).send(new DescribeDBInstancesCommand({}));
  assert.deepEqual(
    dbs.DBInstances?.map((d) => d.DBInstanceIdentifier),
    ['db-201', 'db-202'],
  );
  assert.equal(dbs.DBInstances?.[0]?.DBInstanceArn, `arn:aws:rds:us-east-1:${MEMBER}:db:db-201`);

  const s3 = s3Client(sim, { credentials });
  const buckets = await s3.send(new ListBucketsCommand({}));
  assert.deepEqual(
    buckets.Buckets?.map((b) => b.Name),
    ['workloads-prod-artifacts'],
  );
  const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'workloads-prod-artifacts' }));
  assert.deepEqual(lifecycle.Rules?.[0]?.Filter, { Prefix: '' });
  // The management account's bucket is another account's now.
  await assert.rejects(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'acme-logs-use1' })), {
    name: 'AccessDenied',
  });
});

test('the SDK’s own assume-role credential provider works against the simulator', async () => {
  const credentials = fromTemporaryCredentials({
    params: { RoleArn: PARTNER_ROLE_ARN, RoleSessionName: 'provider-session', ExternalId: PARTNER_EXTERNAL_ID },
    masterCredentials: MGMT_CREDENTIALS,
    clientConfig: { endpoint: sim.url, region: 'us-east-1' },
  });
  const config = { region: 'us-east-1', endpoint: sim.url, credentials };
  const out = await new EC2Client(config).send(new DescribeInstancesCommand({}));
  assert.deepEqual(out.Reservations, [], 'the partner account has no instances');
  const me = await new STSClient(config).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Account, PARTNER);
});

test('AssumeRole is denied, in AWS’s words, for unknown roles and accounts, the management account and wrong external IDs', async () => {
  const sts = stsClient(sim);
  const deniedFor = async (roleArn: string, externalId?: string): Promise<void> => {
    const error = await stsError(
      sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1', ...(externalId ? { ExternalId: externalId } : {}) }),
      ),
    );
    assert.equal(error.name, 'AccessDenied', roleArn);
    assert.equal(error.$metadata.httpStatusCode, 403);
    assert.equal(
      error.message,
      `User: arn:aws:iam::${MGMT}:user/finops-analyst is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  };
  await deniedFor(`arn:aws:iam::${MEMBER}:role/Admin`);
  await deniedFor('arn:aws:iam::444444444444:role/FinOpsReadOnly');
  await deniedFor(`arn:aws:iam::${MGMT}:role/${MEMBER_ROLE}`);
  await deniedFor(PARTNER_ROLE_ARN);
  await deniedFor(PARTNER_ROLE_ARN, 'wrong-id');
  const partner = await assume({ RoleArn: PARTNER_ROLE_ARN, ExternalId: PARTNER_EXTERNAL_ID });
  assert.equal(accountOfAccessKeyId(partner.accessKeyId), PARTNER);

  // An assumed-role caller is named by its session ARN.
  const member = await assume({});
  const chained = await stsError(
    stsClient(sim, { credentials: member }).send(new AssumeRoleCommand({ RoleArn: PARTNER_ROLE_ARN, RoleSessionName: 'hop' })),
  );
  assert.match(
    chained.message,
    new RegExp(`^User: arn:aws:sts::${MEMBER}:assumed-role/${MEMBER_ROLE}/finops-analysis is not authorized`),
  );
});

test('AssumeRole validates its input as STS does', async () => {
  const sts = stsClient(sim);
  const invalid = async (input: Partial<AssumeRoleCommandInput>, message: string | RegExp): Promise<void> => {
    const error = await stsError(sts.send(new AssumeRoleCommand({ RoleArn: MEMBER_ROLE_ARN, RoleSessionName: 's1', ...input })));
    assert.equal(error.name, 'ValidationError');
    assert.equal(error.$metadata.httpStatusCode, 400);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
  };
  await invalid(
    { RoleSessionName: 'has space' },
    "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
  );
  await invalid({ RoleSessionName: 'x' }, /Member must have length greater than or equal to 2$/);
  await invalid(
    { DurationSeconds: 600 },
    "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
  );
  await invalid({ DurationSeconds: 7200 }, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  await invalid({ RoleArn: 'arn:aws:iam::123:user/bob-the-builder' }, 'arn:aws:iam::123:user/bob-the-builder is invalid');
  await invalid(
    { RoleArn: 'short' },
    /at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20$/,
  );

  // Role chaining: at most one hour.
  const member = await assume({});
  const chained = stsClient(sim, { credentials: member });
  const error = await stsError(
    chained.send(new AssumeRoleCommand({ RoleArn: MEMBER_ROLE_ARN, RoleSessionName: 'again', DurationSeconds: 3601 })),
  );
  assert.equal(
    error.message,
    'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
  );
  const again = await chained.send(new AssumeRoleCommand({ RoleArn: MEMBER_ROLE_ARN, RoleSessionName: 'again' }));
  assert.equal(accountOfAccessKeyId(again.Credentials?.AccessKeyId ?? ''), MEMBER);
});
