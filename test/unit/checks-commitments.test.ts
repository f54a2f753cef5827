/**
 * Commitments: Cost Explorer's Savings Plans and Reserved Instance recommendations, expiring
 * reservations, the analysis-wide view, and Cost Explorer's rightsizing as corroborating findings.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  combineCommitments,
  expiringReservations,
  reservationRecommendations,
  rightsizingFindings,
  savingsPlansRecommendations,
  summariseCommitments,
} from '../../src/domain/checks/commitments';

test('Savings Plans recommendations with a saving become ranked entries; those without are dropped', () => {
  const recs = savingsPlansRecommendations('COMPUTE_SP', 'ONE_YEAR', 'NO_UPFRONT', [
    { AccountId: '111', HourlyCommitmentToPurchase: '1.250', EstimatedMonthlySavingsAmount: '337.26', UpfrontCost: '0.00', EstimatedSavingsPercentage: '21.5' },
    { AccountId: '222', HourlyCommitmentToPurchase: '0', EstimatedMonthlySavingsAmount: '0.00' },
  ]);
  assert.equal(recs.length, 1);
  assert.deepEqual([recs[0]!.offering, recs[0]!.hourlyCommitment, recs[0]!.monthlySavings, recs[0]!.savingsPercent], ['Compute Savings Plans', '1.25', '337.26', 21.5]);
  assert.match(recs[0]!.description, /1 year, no upfront: commit 1.25 USD an hour in account 111/);
});

test('Reserved Instance recommendations carry type, quantity and region', () => {
  const [r] = reservationRecommendations('RDS', 'ONE_YEAR', 'PARTIAL_UPFRONT', [
    {
      AccountId: '111',
      InstanceDetails: { RDSInstanceDetails: { InstanceType: 'db.r5.large', Region: 'EU (Ireland)', DatabaseEngine: 'PostgreSQL', DeploymentOption: 'Multi-AZ' } },
      RecommendedNumberOfInstancesToPurchase: '3',
      UpfrontCost: '3000',
      EstimatedMonthlySavingsAmount: '250.5',
      EstimatedMonthlySavingsPercentage: '40',
    },
  ]);
  assert.equal(r?.quantity, 3);
  assert.equal(r?.scope, 'db.r5.large PostgreSQL Multi-AZ');
  assert.equal(r?.description, '3 × db.r5.large PostgreSQL Multi-AZ in EU (Ireland), 1 year, partial upfront');
});

test('reservations ending within the window are expiring, soonest first', () => {
  const base = { service: 'EC2' as const, account: '111', region: 'us-east-1', type: 'm5.large', count: 2, state: 'active' };
  const expiring = expiringReservations(
    [
      { ...base, id: 'ri-late', end: '2027-06-01T00:00:00.000Z' },
      { ...base, id: 'ri-soon', end: '2026-12-01T00:00:00.000Z' },
      { ...base, id: 'ri-sooner', end: '2026-11-25T00:00:00.000Z' },
      { ...base, id: 'ri-retired', state: 'retired', end: '2026-11-22T00:00:00.000Z' },
    ],
    '2026-11-21',
    30,
  );
  assert.deepEqual(expiring.map((e) => [e.id, e.daysLeft]), [
    ['ri-sooner', 4],
    ['ri-soon', 10],
  ]);
});

test('the analysis-wide view adds the agents side by side and keeps their notes', () => {
  const ec2 = summariseCommitments(savingsPlansRecommendations('COMPUTE_SP', 'ONE_YEAR', 'NO_UPFRONT', [{ AccountId: '1', EstimatedMonthlySavingsAmount: '10' }]), {
    coverage: { savingsPlans: 40 },
    utilisation: {},
    expiring: [],
    notes: ['Savings Plans coverage: not available'],
  });
  const rds = summariseCommitments([], { coverage: {}, utilisation: {}, expiring: [], notes: [], reservationCandidates: { count: 2, monthlyOnDemand: '300' } });
  const all = combineCommitments([ec2, rds]);
  assert.equal(all.count, 1);
  assert.equal(all.monthlySavings, '10');
  assert.deepEqual(all.coverage, { savingsPlans: 40 });
  assert.deepEqual(all.reservationCandidates, { count: 2, monthlyOnDemand: '300' });
  assert.deepEqual(all.notes, ['Savings Plans coverage: not available']);
});

test('EC2 and RDS both holding reservations: each service keeps its own coverage, utilisation and count, in either order', () => {
  const ec2 = summariseCommitments([], {
    coverage: { savingsPlans: 12, ec2Reservations: 62.5 },
    utilisation: { savingsPlans: 100, ec2Reservations: 80 },
    held: { savingsPlans: 1, ec2Reservations: 3 },
    expiring: [],
    notes: [],
  });
  const rds = summariseCommitments([], { coverage: { rdsReservations: 25 }, utilisation: { rdsReservations: 40 }, held: { rdsReservations: 2 }, expiring: [], notes: [] });
  for (const all of [combineCommitments([ec2, rds]), combineCommitments([rds, ec2])]) {
    assert.deepEqual(all.coverage, { savingsPlans: 12, ec2Reservations: 62.5, rdsReservations: 25 });
    assert.deepEqual(all.utilisation, { savingsPlans: 100, ec2Reservations: 80, rdsReservations: 40 });
    assert.deepEqual(all.held, { savingsPlans: 1, ec2Reservations: 3, rdsReservations: 2 });
  }
});

test('property: whatever each side states for its own kinds comes through the combination unchanged', () => {
  const figure = fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined });
  const count = fc.option(fc.nat(50), { nil: undefined });
  const defined = (o: Record<string, number | undefined>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  fc.assert(
    fc.property(fc.tuple(figure, figure, count), fc.tuple(figure, figure, count), fc.tuple(figure, figure, count), fc.boolean(), (sp, ec2Ri, rdsRi, rdsFirst) => {
      const ec2 = summariseCommitments([], {
        coverage: defined({ savingsPlans: sp[0], ec2Reservations: ec2Ri[0] }),
        utilisation: defined({ savingsPlans: sp[1], ec2Reservations: ec2Ri[1] }),
        held: defined({ savingsPlans: sp[2], ec2Reservations: ec2Ri[2] }),
        expiring: [],
        notes: [],
      });
      const rds = summariseCommitments([], {
        coverage: defined({ rdsReservations: rdsRi[0] }),
        utilisation: defined({ rdsReservations: rdsRi[1] }),
        held: defined({ rdsReservations: rdsRi[2] }),
        expiring: [],
        notes: [],
      });
      const all = combineCommitments(rdsFirst ? [rds, ec2] : [ec2, rds]);
      assert.deepEqual(all.coverage, { ...ec2.coverage, ...rds.coverage });
      assert.deepEqual(all.utilisation, { ...ec2.utilisation, ...rds.utilisation });
      assert.deepEqual(all.held, { ...ec2.held, ...rds.held });
    }),
  );
});

test('results recorded before the split (one `reservations` figure per side): a side holding none never hides the holder, in either order', () => {
  const ec2 = summariseCommitments([], { coverage: { savingsPlans: 0, reservations: 62.5 }, utilisation: { reservations: 80 }, held: { savingsPlans: 0, reservations: 3 }, expiring: [], notes: [] });
  const rds = summariseCommitments([], { coverage: { reservations: 0 }, utilisation: {}, held: { reservations: 0 }, expiring: [], notes: ['RDS Reserved Instances: none active'] });
  for (const all of [combineCommitments([ec2, rds]), combineCommitments([rds, ec2])]) {
    assert.deepEqual(all.coverage, { savingsPlans: 0, reservations: 62.5 });
    assert.deepEqual(all.utilisation, { reservations: 80 });
    assert.deepEqual(all.held, { savingsPlans: 0, reservations: 3 });
  }
  // Neither holds any: 0%, and nothing held.
  const none = combineCommitments([rds, rds]);
  assert.deepEqual(none.coverage, { reservations: 0 });
  assert.deepEqual(none.held, { reservations: 0 });
});

test("Cost Explorer's rightsizing becomes corroborating findings, in the request's accounts only", () => {
  const findings = rightsizingFindings(
    [
      {
        AccountId: '111',
        CurrentInstance: { ResourceId: 'i-1', ResourceDetails: { EC2ResourceDetails: { InstanceType: 'm5.2xlarge', Region: 'EU (Ireland)' } } },
        RightsizingType: 'TERMINATE',
        TerminateRecommendationDetail: { EstimatedMonthlySavings: '312.59' },
      },
      {
        AccountId: '111',
        CurrentInstance: { ResourceId: 'i-2', ResourceDetails: { EC2ResourceDetails: { InstanceType: 'm5.xlarge', Region: 'US East (N. Virginia)' } } },
        RightsizingType: 'MODIFY',
        ModifyRecommendationDetail: {
          TargetInstances: [{ DefaultTargetInstance: true, EstimatedMonthlySavings: '70.08', ResourceDetails: { EC2ResourceDetails: { InstanceType: 'm5.large' } } }],
        },
      },
      { AccountId: '999', CurrentInstance: { ResourceId: 'i-3', ResourceDetails: { EC2ResourceDetails: { Region: 'US East (N. Virginia)' } } }, RightsizingType: 'TERMINATE' },
    ],
    ['111'],
  );
  assert.deepEqual(
    findings.map((f) => [f.check, f.resource.region, f.resource.id, f.monthlySavings, f.sources[0]]),
    [
      ['ce-rightsizing-terminate', 'eu-west-1', 'i-1', '312.59', 'cost-explorer:rightsizing'],
      ['ce-rightsizing-modify', 'us-east-1', 'i-2', '70.08', 'cost-explorer:rightsizing'],
    ],
  );
});
