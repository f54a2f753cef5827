/**
 * Commitments in a scenario file, served through the real SDK clients: the free inventories
 * (DescribeReservedInstances, DescribeReservedDBInstances, DescribeSavingsPlans) and Cost Explorer's
 * coverage and utilisation, with figures worked out by hand from the file.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  GetReservationCoverageCommand,
  GetReservationUtilizationCommand,
  GetSavingsPlansCoverageCommand,
  GetSavingsPlansUtilizationCommand,
} from '@aws-sdk/client-cost-explorer';
import { DescribeReservedInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeReservedDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { DescribeSavingsPlansCommand, SavingsplansClient } from '@aws-sdk/client-savingsplans';
import { ScenarioFileError, parseScenarioFile } from '../../src/sim/scenario-file';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { ceClient } from './helpers';

const ACCOUNT = '111122223333';
const file = {
  version: 1,
  anchorDate: '2025-06-15',
  historyDays: 60,
  accounts: [{ id: ACCOUNT, name: 'committed' }],
  // Two t3.medium running all the time at $0.05 an hour.
  instances: [
    { region: 'eu-west-1', type: 't3.medium', launchTime: '2025-01-01', metrics: 'idle' },
    { region: 'eu-west-1', type: 't3.medium', launchTime: '2025-01-01', metrics: 'idle' },
  ],
  prices: [
    {
      serviceCode: 'AmazonEC2',
      sku: 'CUSTOMSKU0000001',
      productFamily: 'Compute Instance',
      attributes: {
        regionCode: 'eu-west-1',
        usagetype: 'EU-BoxUsage:t3.medium',
        instanceType: 't3.medium',
        location: 'EU (Ireland)',
      },
      pricePerUnit: '0.05',
      unit: 'Hrs',
    },
  ],
  commitments: {
    reservations: [
      {
        id: 'ri-1',
        service: 'EC2',
        region: 'eu-west-1',
        instanceType: 't3.medium',
        count: 1,
        from: '2025-01-01',
        to: '2026-01-01',
      },
      // Retired before the window: neither listed as active nor counted.
      {
        id: 'ri-old',
        service: 'EC2',
        region: 'eu-west-1',
        instanceType: 't3.medium',
        count: 5,
        from: '2024-01-01',
        to: '2025-01-01',
      },
    ],
    savingsPlans: [{ id: 'sp-1', commitmentPerHour: '0.01', from: '2025-01-01', to: '2028-01-01' }],
  },
};
const TimePeriod = { Start: '2025-05-16', End: '2025-06-15' }; // 30 days: 720 hours

let sim: RunningSimulator;
before(async () => {
  sim = await startSimulator({ port: 0, scenario: parseScenarioFile(JSON.stringify(file), 'committed.json') });
});
after(async () => {
  await sim?.close();
});

const config = () => ({ region: 'eu-west-1', endpoint: sim.url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

test('the inventories list what is active, by state', async () => {
  const ec2 = new EC2Client(config());
  const active = await ec2.send(new DescribeReservedInstancesCommand({ Filters: [{ Name: 'state', Values: ['active'] }] }));
  assert.deepEqual(
    active.ReservedInstances?.map((r) => [r.ReservedInstancesId, r.InstanceType, r.InstanceCount, r.State]),
    [['ri-1', 't3.medium', 1, 'active']],
  );
  const all = await ec2.send(new DescribeReservedInstancesCommand({}));
  assert.deepEqual(
    all.ReservedInstances?.map((r) => r.State),
    ['active', 'retired'],
  );
  const elsewhere = await new EC2Client({ ...config(), region: 'us-east-1' }).send(new DescribeReservedInstancesCommand({}));
  assert.deepEqual(elsewhere.ReservedInstances ?? [], [], 'reservations are regional');

  const rds = await new RDSClient(config()).send(new DescribeReservedDBInstancesCommand({}));
  assert.deepEqual(rds.ReservedDBInstances ?? [], []);

  const plans = await new SavingsplansClient({ ...config(), region: 'us-east-1' }).send(
    new DescribeSavingsPlansCommand({ states: ['active'] }),
  );
  assert.deepEqual(
    plans.savingsPlans?.map((p) => [p.savingsPlanId, p.state, p.commitment, p.savingsPlanType]),
    [['sp-1', 'active', '0.01', 'Compute']],
  );
  const retired = await new SavingsplansClient({ ...config(), region: 'us-east-1' }).send(
    new DescribeSavingsPlansCommand({ states: ['retired'] }),
  );
  assert.deepEqual(retired.savingsPlans ?? [], []);
  assert.equal(sim.stats()['savingsplans:DescribeSavingsPlans'], 2, 'counted like every operation');
});

test('coverage and utilisation follow from the running hours and the terms', async () => {
  const ce = ceClient(sim);
  // 2 instances × 720 h = 1,440 h running; the active RI covers 720 of them, all of its own hours.
  const coverage = await ce.send(new GetReservationCoverageCommand({ TimePeriod, Granularity: 'MONTHLY' }));
  assert.deepEqual(coverage.Total?.CoverageHours, {
    OnDemandHours: '720',
    ReservedHours: '720',
    TotalRunningHours: '1440',
    CoverageHoursPercentage: '50',
  });
  const use = await ce.send(new GetReservationUtilizationCommand({ TimePeriod }));
  assert.equal(use.Total?.UtilizationPercentage, '100');
  assert.equal(use.Total?.PurchasedHours, '720');
  // The Savings Plan: $0.01 × 720 h = $7.20 against the uncovered 720 h × $0.05 = $36: 20% covered, all used.
  const spCoverage = await ce.send(new GetSavingsPlansCoverageCommand({ TimePeriod, Granularity: 'MONTHLY' }));
  assert.deepEqual(spCoverage.SavingsPlansCoverages?.[0]?.Coverage, {
    SpendCoveredBySavingsPlans: '7.2',
    OnDemandCost: '28.8',
    TotalCost: '36',
    CoveragePercentage: '20',
  });
  const spUse = await ce.send(new GetSavingsPlansUtilizationCommand({ TimePeriod }));
  assert.equal(spUse.Total?.Utilization?.UtilizationPercentage, '100');
  // RDS: nothing reserved, nothing to utilise (as AWS answers).
  const rdsFilter = { Dimensions: { Key: 'SERVICE' as const, Values: ['Amazon Relational Database Service'] } };
  await assert.rejects(ce.send(new GetReservationUtilizationCommand({ TimePeriod, Filter: rdsFilter })), {
    name: 'DataUnavailableException',
  });
  // A bad period is a clear error.
  await assert.rejects(ce.send(new GetReservationCoverageCommand({ TimePeriod: { Start: '2025-06-15', End: '2025-06-01' } })), {
    name: 'ValidationException',
  });
});

test('a term that ends before it starts is a readable file error', () => {
  const bad = structuredClone(file);
  bad.commitments.savingsPlans[0]!.to = '2024-01-01';
  assert.throws(
    () => parseScenarioFile(JSON.stringify(bad), 'bad.json'),
    (e: unknown) => e instanceof ScenarioFileError && e.message.includes('commitments.savingsPlans[0]: to must be after from'),
  );
});

test('RDS reservations: each covers databases of its class (and engine, when it names one), apart from EC2', async () => {
  const created = '2025-01-01';
  const db = (identifier: string, engine: string) => ({ identifier, region: 'eu-west-1', class: 'db.t3.medium', engine, storage: 20, created });
  const rdsTerm = { region: 'eu-west-1', count: 1, from: '2025-01-01', to: '2026-01-01' };
  const withDatabases = {
    ...structuredClone(file),
    // 3 databases running all the time: 3 × 720 h = 2,160 h, 1,440 of them postgres.
    databases: [db('pg-a', 'postgres'), db('pg-b', 'postgres'), db('my-a', 'mysql')],
    commitments: {
      ...structuredClone(file.commitments),
      reservations: [
        ...structuredClone(file.commitments.reservations),
        { id: 'rds-pg', service: 'RDS', instanceType: 'db.t3.medium', engine: 'postgres', ...rdsTerm },
        // No engine named: covers any engine of the class, here the 720 h the postgres one left.
        { id: 'rds-any', service: 'RDS', instanceType: 'db.t3.medium', ...rdsTerm },
        // Decoys: an engine nothing runs, and a class nothing runs. Bought, never used.
        { id: 'rds-maria', service: 'RDS', instanceType: 'db.t3.medium', engine: 'mariadb', ...rdsTerm },
        { id: 'rds-r5', service: 'RDS', instanceType: 'db.r5.large', engine: 'postgres', ...rdsTerm },
      ],
    },
  };
  const rdsSim = await startSimulator({ port: 0, scenario: parseScenarioFile(JSON.stringify(withDatabases), 'rds.json') });
  try {
    const ce = ceClient(rdsSim);
    const rdsFilter = { Dimensions: { Key: 'SERVICE' as const, Values: ['Amazon Relational Database Service'] } };
    const coverage = await ce.send(new GetReservationCoverageCommand({ TimePeriod, Granularity: 'MONTHLY', Filter: rdsFilter }));
    assert.deepEqual(coverage.Total?.CoverageHours, {
      OnDemandHours: '720',
      ReservedHours: '1440',
      TotalRunningHours: '2160',
      CoverageHoursPercentage: '66.67',
    });
    // 4 reservations × 720 h bought, 1,440 h used.
    const use = await ce.send(new GetReservationUtilizationCommand({ TimePeriod, Filter: rdsFilter }));
    assert.deepEqual(
      [use.Total?.UtilizationPercentage, use.Total?.PurchasedHours, use.Total?.TotalActualHours, use.Total?.UnusedHours],
      ['50', '2880', '1440', '1440'],
    );
    // EC2's figures are those of the file without databases: the RDS reservations do not leak into them.
    const ec2Coverage = await ce.send(new GetReservationCoverageCommand({ TimePeriod, Granularity: 'MONTHLY' }));
    assert.equal(ec2Coverage.Total?.CoverageHours?.CoverageHoursPercentage, '50');
    const ec2Use = await ce.send(new GetReservationUtilizationCommand({ TimePeriod }));
    assert.equal(ec2Use.Total?.PurchasedHours, '720');

    const listed = await new RDSClient({ ...config(), endpoint: rdsSim.url }).send(new DescribeReservedDBInstancesCommand({}));
    assert.deepEqual(
      listed.ReservedDBInstances?.map((r) => [r.ReservedDBInstanceId, r.DBInstanceClass, r.ProductDescription, r.State]),
      [
        ['rds-pg', 'db.t3.medium', 'postgres', 'active'],
        ['rds-any', 'db.t3.medium', undefined, 'active'],
        ['rds-maria', 'db.t3.medium', 'mariadb', 'active'],
        ['rds-r5', 'db.r5.large', 'postgres', 'active'],
      ],
    );
  } finally {
    await rdsSim.close();
  }
});

test('an engine on an EC2 reservation, or one no database can have, is a readable file error', () => {
  const ec2WithEngine = structuredClone(file) as unknown as { commitments: { reservations: Record<string, unknown>[] } };
  ec2WithEngine.commitments.reservations[0]!['engine'] = 'postgres';
  assert.throws(
    () => parseScenarioFile(JSON.stringify(ec2WithEngine), 'bad.json'),
    (e: unknown) => e instanceof ScenarioFileError && e.message.includes('commitments.reservations[0]: engine is for RDS reservations only'),
  );
  const typo = structuredClone(file) as unknown as { commitments: { reservations: Record<string, unknown>[] } };
  typo.commitments.reservations[1] = { ...typo.commitments.reservations[1], service: 'RDS', engine: 'postgress' };
  assert.throws(
    () => parseScenarioFile(JSON.stringify(typo), 'bad.json'),
    (e: unknown) => e instanceof ScenarioFileError && e.message.includes('commitments.reservations[1].engine'),
  );
});
