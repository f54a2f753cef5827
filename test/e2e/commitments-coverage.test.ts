/**
 * Commitments held: the sample account with an EC2 Reserved Instance fully used, one of a type nothing runs
 * (bought, never used), a Compute Savings Plan and a retired one. The analysis (real Temporal dev server,
 * the simulator) sees them in the free inventories, so it asks Cost Explorer for coverage and utilisation,
 * states each request with its purpose, and reports figures that follow from the scenario. The RDS side
 * holds none and asks nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAnalysis } from '../../src/client/analyses';
import { addDays } from '../../src/domain/period';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { billedHours } from '../../src/sim/billing';
import { generateScenario } from '../../src/sim/scenario';
import { SAMPLE_ACCOUNT, startStack, TEST_TODAY, testNow, type TestStack } from '../helpers/stack';

const scenario = generateScenario({ seed: 42, anchorDate: TEST_TODAY });
const windowStart = addDays(TEST_TODAY, -30);
/** An on-demand instance that ran the whole window, every hour: one RI of its type is used to the full. */
const steady = scenario.instances.find(
  (i) =>
    i.account === SAMPLE_ACCOUNT &&
    i.state === 'running' &&
    i.lifecycle === 'on-demand' &&
    !scenario.schedules[i.instanceId] &&
    i.launchTime < `${windowStart}T00:00:00Z`,
);
assert.ok(steady, 'the sample account runs an on-demand instance all the time');
const term = { start: `${addDays(TEST_TODAY, -100)}T00:00:00Z`, end: `${addDays(TEST_TODAY, 265)}T00:00:00Z` };
Object.assign(scenario, {
  commitments: {
    reservations: [
      {
        id: 'ri-used',
        service: 'EC2',
        account: SAMPLE_ACCOUNT,
        region: steady.region,
        instanceType: steady.instanceType,
        count: 1,
        ...term,
      },
      // Bought for a type nothing runs: its hours go unused.
      {
        id: 'ri-unused',
        service: 'EC2',
        account: SAMPLE_ACCOUNT,
        region: steady.region,
        instanceType: 'x2idn.32xlarge',
        count: 1,
        ...term,
      },
    ],
    savingsPlans: [
      { id: 'sp-active', account: SAMPLE_ACCOUNT, commitmentPerHour: '0.01', ...term },
      // Retired before the window: neither listed as active nor counted.
      {
        id: 'sp-retired',
        account: SAMPLE_ACCOUNT,
        commitmentPerHour: '5',
        start: `${addDays(TEST_TODAY, -500)}T00:00:00Z`,
        end: `${addDays(TEST_TODAY, -135)}T00:00:00Z`,
      },
    ],
  },
});

let stack: TestStack;
before(async () => {
  stack = await startStack({ scenario });
});
after(async () => {
  await stack?.close();
});

test('commitments held: coverage and utilisation come from Cost Explorer, each request stated, figures from the scenario', async () => {
  await stack.withWorker(async () => {
    const validated = validateAnalysisRequest(
      { tenant: 'commitments', accounts: [SAMPLE_ACCOUNT], regions: scenario.regions },
      testNow(),
    );
    assert.ok(validated.ok);
    stack.sim.resetStats();
    const { analysisId } = await startAnalysis(stack.env.client, stack.taskQueue, validated.request);
    const report = (await stack.env.client.workflow.getHandle(analysisId).result()) as AnalysisReport;
    assert.equal(report.status, 'complete', JSON.stringify(report.failures));

    const stats = stack.sim.stats();
    // Compute side only: the RDS side holds no reservations and asks nothing.
    for (const op of [
      'GetSavingsPlansCoverage',
      'GetSavingsPlansUtilization',
      'GetReservationCoverage',
      'GetReservationUtilization',
    ]) {
      assert.equal(stats[`ce:${op}`], 1, op);
      assert.equal(report.usage.requests?.[`ce:${op}`], 1, op);
      assert.equal(
        Object.values(report.usage.purposes?.[`ce:${op}`] ?? {}).reduce((n, c) => n + c, 0),
        1,
        `${op}: purpose stated`,
      );
    }

    const c = report.commitments;
    assert.ok(c);
    assert.deepEqual(c.held, { savingsPlans: 1, reservations: 2 });
    // One RI used every hour of the window, the other never: half the purchased hours are used.
    assert.equal(c.utilisation.reservations, 50);
    // Coverage: the RI's 720 hours over every on-demand EC2 hour of the window (the hours the cost history bills).
    const window = [windowStart, TEST_TODAY] as const;
    const runningHours = scenario.instances
      .filter((i) => i.account === SAMPLE_ACCOUNT && i.lifecycle === 'on-demand')
      .reduce((n, instance) => n + billedHours({ kind: 'ec2', instance }, scenario.schedules[instance.instanceId], ...window), 0);
    assert.ok(runningHours > 720);
    assert.equal(c.coverage.reservations, Number(((100 * 720) / runningHours).toFixed(2)));
    // $0.01 an hour is far below the on-demand spend left uncovered: used to the full, covering a little.
    assert.equal(c.utilisation.savingsPlans, 100);
    assert.ok(
      c.coverage.savingsPlans !== undefined && c.coverage.savingsPlans > 0 && c.coverage.savingsPlans < 5,
      String(c.coverage.savingsPlans),
    );
    assert.ok(
      c.notes.some((n) => n.startsWith('RDS Reserved Instances: none active')),
      JSON.stringify(c.notes),
    );
    assert.ok(
      !c.notes.some((n) => n.startsWith('Savings Plans: none active') || n.startsWith('EC2 Reserved Instances: none active')),
    );
  });
});
