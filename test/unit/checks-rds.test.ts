/**
 * RDS checks: idle, Multi-AZ on non-production (by tag, any spelling), gp2 → gp3, over-provisioned,
 * previous generation, over-allocated storage, reservation candidates — and their precedence.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateDatabases, type DatabaseFacts, type DatabaseMetrics } from '../../src/domain/checks/rds';
import { DEFAULT_THRESHOLDS } from '../../src/domain/checks/thresholds';
import { priceKey, type PriceBook } from '../../src/domain/pricing';

const ASOF = '2026-11-21';
const R = 'eu-west-1';
const t = DEFAULT_THRESHOLDS.rds;

const BOOK: PriceBook = {
  [priceKey.rdsInstance(R, 'db.m5.large', 'postgres', false)]: { usd: '0.198', unit: 'Hrs' },
  [priceKey.rdsInstance(R, 'db.m5.large', 'postgres', true)]: { usd: '0.396', unit: 'Hrs' },
  [priceKey.rdsInstance(R, 'db.m5.xlarge', 'postgres', false)]: { usd: '0.396', unit: 'Hrs' },
  [priceKey.rdsInstance(R, 'db.m4.large', 'postgres', false)]: { usd: '0.203', unit: 'Hrs' },
  [priceKey.rdsStorage(R, 'gp2', false)]: { usd: '0.127', unit: 'GB-Mo' },
  [priceKey.rdsStorage(R, 'gp3', false)]: { usd: '0.127', unit: 'GB-Mo' },
  [priceKey.rdsStorage(R, 'gp3', true)]: { usd: '0.254', unit: 'GB-Mo' },
  [priceKey.rdsStorage(R, 'gp2', true)]: { usd: '0.254', unit: 'GB-Mo' },
};

function db(overrides: Partial<DatabaseFacts> = {}): DatabaseFacts {
  return {
    account: '111122223333',
    region: R,
    dbInstanceIdentifier: 'orders-db',
    dbInstanceClass: 'db.m5.large',
    engine: 'postgres',
    status: 'available',
    multiAz: false,
    storageType: 'gp3',
    allocatedStorageGiB: 100,
    instanceCreateTime: '2026-01-01T00:00:00.000Z',
    tags: { Environment: 'prod' },
    ...overrides,
  };
}

const BUSY: DatabaseMetrics = { connectionsMax: 80, cpuP95: 55, cpuMax: 80, freeStorageMin: 30 * 2 ** 30 };

function run(databases: DatabaseFacts[], metrics: Record<string, DatabaseMetrics> | undefined = { 'orders-db': BUSY }) {
  return evaluateDatabases({ databases, metrics: metrics ? new Map(Object.entries(metrics)) : undefined, prices: BOOK, asOf: ASOF, thresholds: t });
}

test('an idle database (no connection in 7 days) is deleted after a final snapshot: instance and storage', () => {
  const { findings } = run([db({ multiAz: true, tags: { env: 'dev' } })], { 'orders-db': { ...BUSY, connectionsMax: 0 } });
  assert.equal(findings.length, 1, 'idle wins over Multi-AZ on non-production');
  const f = findings[0]!;
  assert.equal(f.check, 'rds-idle');
  assert.equal(f.action, 'delete');
  assert.equal(f.monthlySavings, '314.48'); // 0.396 × 730 + 100 × 0.254
  assert.match(f.cliCommand ?? '', /delete-db-instance --region eu-west-1 --db-instance-identifier orders-db --final-db-snapshot-identifier orders-db-final-2026-11-21/);
});

test('Multi-AZ on a non-production database, whatever the tag key case or value spelling', () => {
  for (const tags of [{ Environment: 'staging' }, { environment: 'QA' }, { env: 'Development' }] as Record<string, string>[]) {
    const { findings } = run([db({ multiAz: true, tags })]);
    assert.equal(findings[0]?.check, 'rds-multi-az-nonprod', JSON.stringify(tags));
    assert.equal(findings[0]?.monthlySavings, '157.24'); // (0.396 − 0.198) × 730 + 100 × (0.254 − 0.127)
    assert.match(findings[0]?.cliCommand ?? '', /--no-multi-az --apply-immediately$/);
  }
  assert.deepEqual(run([db({ multiAz: true, tags: { Environment: 'Production' } })]).findings, []);
});

test('gp2 storage moves to gp3: at list prices the saving is 0 and the finding says why', () => {
  const { findings } = run([db({ storageType: 'gp2' })]);
  assert.equal(findings[0]?.check, 'rds-gp2-to-gp3');
  assert.equal(findings[0]?.monthlySavings, '0');
  assert.match(findings[0]?.title ?? '', /the same price/);
  // From 400 GiB gp3 includes 12,000 IOPS and 500 MiB/s: at least gp2's 3 IOPS per GiB and 250 MiB/s.
  const large = run([db({ storageType: 'gp2', allocatedStorageGiB: 2000 })]).findings[0];
  assert.deepEqual([large?.check, large?.evidence['iops'], large?.evidence['targetIops'], large?.evidence['targetThroughputMiBps']], ['rds-gp2-to-gp3', 6000, 12000, 500]);
  // 171 to 399 GiB: gp2 carries 250 MiB/s, RDS gp3 125 and no more: no recommendation, and why.
  const mid = run([db({ storageType: 'gp2', allocatedStorageGiB: 300 })]);
  assert.equal(mid.findings.some((f) => f.check === 'rds-gp2-to-gp3'), false);
  assert.match(mid.declinedResources.map((d) => d.reason).join(' '), /RDS gp3 under 400 GiB gives 3000 IOPS and 125 MiB\/s/);
});

test('an over-provisioned database goes one class down; a previous-generation class moves up a generation', () => {
  const quiet = { connectionsMax: 12, cpuP95: 8, cpuMax: 15 };
  const big = run([db({ dbInstanceClass: 'db.m5.xlarge' })], { 'orders-db': quiet }).findings;
  assert.equal(big[0]?.check, 'rds-overprovisioned');
  assert.equal(big[0]?.evidence['targetDbInstanceClass'], 'db.m5.large');
  assert.equal(big[0]?.monthlySavings, '144.54');
  const old = run([db({ dbInstanceClass: 'db.m4.large' })]).findings;
  assert.equal(old[0]?.check, 'rds-previous-generation');
  assert.equal(old[0]?.monthlySavings, '3.65'); // (0.203 − 0.198) × 730
});

test('over-allocated storage is a review (RDS storage cannot shrink in place)', () => {
  const { findings } = run([db({ allocatedStorageGiB: 1000 })], { 'orders-db': { ...BUSY, freeStorageMin: 900 * 2 ** 30 } });
  const f = findings[0]!;
  assert.equal(f.check, 'rds-storage-overallocated');
  assert.equal(f.action, 'review');
  assert.equal(f.evidence['suggestedGiB'], 150);
  assert.equal(f.monthlySavings, '107.95'); // (1000 − 150) × 0.127
});

test('young, stopped or unpriced databases are not judged; old ones are reservation candidates', () => {
  const { findings, reservationCandidates, declined } = run(
    [
      db({ dbInstanceIdentifier: 'new-db', instanceCreateTime: '2026-11-15T00:00:00.000Z', multiAz: true, tags: { env: 'dev' } }),
      db({ dbInstanceIdentifier: 'stopped-db', status: 'stopped' }),
      db({ dbInstanceIdentifier: 'oracle-db', engine: 'oracle-ee' }),
      db(),
    ],
    { 'new-db': { connectionsMax: 0 }, 'orders-db': BUSY },
  );
  assert.deepEqual(findings, []);
  assert.deepEqual(declined, {
    'created less than 14 days ago': 1,
    'status stopped': 1,
    'no on-demand price for the class, engine or storage': 1,
  });
  assert.deepEqual(reservationCandidates.map((c) => [c.dbInstanceIdentifier, c.runningDays, c.monthlyOnDemand]), [['orders-db', 324, '144.54']]);
});

test('without metrics the idle check cannot run, the tag and storage checks still do', () => {
  const { findings } = run([db({ multiAz: true, tags: { Environment: 'test' } })], undefined);
  assert.deepEqual(findings.map((f) => f.check), ['rds-multi-az-nonprod']);
});
