/** RDS (awsQuery) through the real @aws-sdk/client-rds against the fixture resources. */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  RDSServiceException,
  paginateDescribeDBInstances,
  type DBInstance,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { RunningSimulator } from '../../src/sim/server';
import { rdsClient, startFixtureSimulator } from './fixtures/clients';
import { MGMT, MGMT_USE1_DATABASES } from './fixtures/resources';

let sim: RunningSimulator;
let rds: RDSClient;

before(async () => {
  sim = await startFixtureSimulator();
  rds = rdsClient(sim);
});

after(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.resetStats();
  sim.setFaults([]);
});

async function rdsError(call: Promise<unknown>): Promise<RDSServiceException> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof RDSServiceException, `expected an RDSServiceException, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

const names = (dbs: DBInstance[] | undefined): string[] => (dbs ?? []).map((d) => d.DBInstanceIdentifier ?? '?');

test('DescribeDBInstances lists the account and region’s databases with every modelled field', async () => {
  const out = await rds.send(new DescribeDBInstancesCommand({}));
  assert.deepEqual(
    names(out.DBInstances),
    MGMT_USE1_DATABASES.map((d) => d.dbInstanceIdentifier),
  );
  assert.equal(out.Marker, undefined);
  const db = out.DBInstances?.find((d) => d.DBInstanceIdentifier === 'db-005');
  assert.ok(db);
  assert.equal(db.DBInstanceClass, 'db.m5.large');
  assert.equal(db.Engine, 'mysql');
  assert.equal(db.EngineVersion, '8.0.39');
  assert.equal(db.DBInstanceStatus, 'available');
  assert.equal(db.MultiAZ, true);
  assert.equal(db.StorageType, 'gp3');
  assert.equal(db.AllocatedStorage, 105);
  assert.equal(db.Iops, 3000);
  assert.equal(db.StorageThroughput, 125);
  assert.equal(db.AvailabilityZone, 'us-east-1b');
  assert.equal(db.LicenseModel, 'general-public-license');
  assert.deepEqual(db.InstanceCreateTime, new Date('2024-11-05T10:20:30.123Z'));
  assert.equal(db.DBInstanceArn, `arn:aws:rds:us-east-1:${MGMT}:db:db-005`);
  assert.match(db.DbiResourceId ?? '', /^db-[0-9A-F]{26}$/);
  assert.equal(db.Endpoint?.Port, 3306);
  assert.match(db.Endpoint?.Address ?? '', /^db-005\.c[0-9a-f]{11}\.us-east-1\.rds\.amazonaws\.com$/);
  assert.deepEqual(db.TagList, [
    { Key: 'env', Value: 'prod' },
    { Key: 'team', Value: 'platform' },
  ]);
  const untagged = out.DBInstances?.find((d) => d.DBInstanceIdentifier === 'db-004');
  assert.deepEqual(untagged?.TagList, []);
  assert.equal(untagged?.Endpoint?.Port, 5432);
  const stopped = out.DBInstances?.find((d) => d.DBInstanceIdentifier === 'db-026');
  assert.equal(stopped?.DBInstanceStatus, 'stopped');
  assert.equal(stopped?.StorageType, 'gp2');
  assert.equal(stopped?.Iops, undefined);
});

test('MaxRecords 20–100 pages with Marker; each page is a counted request', async () => {
  const pages: string[][] = [];
  for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: 20 }, {})) pages.push(names(page.DBInstances));
  assert.deepEqual(
    pages.map((p) => p.length),
    [20, 6],
  );
  assert.deepEqual(
    pages.flat(),
    MGMT_USE1_DATABASES.map((d) => d.dbInstanceIdentifier),
  );
  assert.equal(sim.stats()['rds:DescribeDBInstances'], 2);

  const small = await rdsError(rds.send(new DescribeDBInstancesCommand({ MaxRecords: 10 })));
  assert.equal(small.name, 'InvalidParameterValue');
  assert.equal(small.message, 'Invalid value 10 for MaxRecords. Must be between 20 and 100');
  assert.equal(small.$metadata.httpStatusCode, 400);
  const large = await rdsError(rds.send(new DescribeDBInstancesCommand({ MaxRecords: 101 })));
  assert.equal(large.name, 'InvalidParameterValue');
  const marker = await rdsError(rds.send(new DescribeDBInstancesCommand({ Marker: 'garbage' })));
  assert.equal(marker.name, 'InvalidParameterValue');
});

test('DBInstanceIdentifier by name (case-insensitive) or ARN; an unknown one is DBInstanceNotFoundFault', async () => {
  assert.deepEqual(names((await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'DB-003' }))).DBInstances), [
    'db-003',
  ]);
  const byArn = await rds.send(
    new DescribeDBInstancesCommand({ DBInstanceIdentifier: `arn:aws:rds:us-east-1:${MGMT}:db:db-007` }),
  );
  assert.deepEqual(names(byArn.DBInstances), ['db-007']);

  const missing = await rdsError(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' })));
  assert.ok(missing instanceof DBInstanceNotFoundFault);
  assert.equal(missing.message, 'DBInstance nope not found.');
  assert.equal(missing.$metadata.httpStatusCode, 404);
  // A database of another region is not found in this one.
  const elsewhere = await rdsError(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'db-101' })));
  assert.ok(elsewhere instanceof DBInstanceNotFoundFault);

  const invalid = await rdsError(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: '1-bad--name' })));
  assert.equal(invalid.name, 'InvalidParameterValue');
  assert.match(invalid.message, /^The parameter DBInstanceIdentifier is not a valid identifier/);
});

test('Filters: engine, db-instance-id (IDs and ARNs), dbi-resource-id; unknown filter names are refused', async () => {
  const postgres = await rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'engine', Values: ['postgres'] }] }));
  assert.equal(postgres.DBInstances?.length, 13);
  assert.ok(postgres.DBInstances?.every((d) => d.Engine === 'postgres'));
  const both = await rds.send(
    new DescribeDBInstancesCommand({
      Filters: [
        { Name: 'db-instance-id', Values: ['db-001', `arn:aws:rds:us-east-1:${MGMT}:db:db-002`, 'db-003'] },
        { Name: 'engine', Values: ['mysql'] },
      ],
    }),
  );
  assert.deepEqual(names(both.DBInstances), ['db-001', 'db-003']);
  const resourceId = MGMT_USE1_DATABASES[9]?.dbiResourceId ?? '';
  const byResource = await rds.send(
    new DescribeDBInstancesCommand({ Filters: [{ Name: 'dbi-resource-id', Values: [resourceId] }] }),
  );
  assert.deepEqual(names(byResource.DBInstances), ['db-010']);
  const bad = await rdsError(rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'instance-class', Values: ['x'] }] })));
  assert.equal(bad.name, 'InvalidParameterValue');
  assert.equal(bad.message, 'Unrecognized filter name: instance-class');
});

test('regions: eu-west-1 serves its own database', async () => {
  const eu = await rdsClient(sim, { region: 'eu-west-1' }).send(new DescribeDBInstancesCommand({}));
  assert.deepEqual(names(eu.DBInstances), ['db-101']);
  assert.equal(eu.DBInstances?.[0]?.Engine, 'sqlserver-se');
  assert.equal(eu.DBInstances?.[0]?.Endpoint?.Port, 1433);
  assert.equal(eu.DBInstances?.[0]?.LicenseModel, 'license-included');
});

test('faults: Throttling is retried by the SDK; an injected 503 is a server error', async () => {
  sim.setFaults([{ operation: 'rds:DescribeDBInstances', error: 'Throttling', count: 2 }]);
  const out = await rdsClient(sim, { maxAttempts: 3 }).send(new DescribeDBInstancesCommand({ MaxRecords: 20 }));
  assert.equal(out.DBInstances?.length, 20);
  assert.equal(sim.stats()['rds:DescribeDBInstances'], 3);

  sim.setFaults([{ operation: 'rds:*', error: 'ServiceUnavailable' }]);
  const unavailable = await rdsError(rds.send(new DescribeDBInstancesCommand({})));
  assert.equal(unavailable.name, 'ServiceUnavailable');
  assert.equal(unavailable.$metadata.httpStatusCode, 503);
  assert.equal(unavailable.$fault, 'server');
});
