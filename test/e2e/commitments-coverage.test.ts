/**
 * Commitments held: the sample account with an EC2 Reserved Instance fully used, one of a type nothing runs
 * (bought, never used), a Compute Savings Plan and a retired one, and RDS reservations: three for the class
 * and engine of a database that runs all the time (one used), and a decoy for an engine no database of that
 * class runs. The analysis (real Temporal dev server, the simulator) sees them in the free inventories, so
 * each side asks Cost Explorer for its own service's coverage and utilisation, states each request with its
 * purpose, and reports EC2's and RDS's figures apart, each following from the scenario; the Markdown export,
 * the all-tables CSV and the view model show both.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnalysis } from '../../src/client/analyses';
import { addDays } from '../../src/domain/period';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { analysisPath } from '../../src/gateway/links';
import { buildReportView } from '../../src/presentation/build';
import { percent as percent1 } from '../../src/presentation/format';
import { factOf, sectionOf } from '../../src/presentation/model';
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
/** A database that ran the whole window: RDS reservations of its class and engine are used by it. */
const steadyDb = scenario.databases.find(
  (d) => d.account === SAMPLE_ACCOUNT && d.status === 'available' && d.instanceCreateTime < `${windowStart}T00:00:00Z`,
);
assert.ok(steadyDb, 'the sample account runs a database all the time');
/** The decoy's engine: one no database of that class runs in that account and Region. */
const decoyEngine = ['postgres', 'mysql', 'mariadb'].find(
  (engine) =>
    !scenario.databases.some(
      (d) => d.account === SAMPLE_ACCOUNT && d.region === steadyDb.region && d.dbInstanceClass === steadyDb.dbInstanceClass && d.engine === engine,
    ),
);
assert.ok(decoyEngine);
const term = { start: `${addDays(TEST_TODAY, -100)}T00:00:00Z`, end: `${addDays(TEST_TODAY, 265)}T00:00:00Z` };
const RDS_USED_COUNT = 3;
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
      // Three of the steady database's class and engine: as many hours used as databases of that kind run.
      {
        id: 'rds-used',
        service: 'RDS',
        account: SAMPLE_ACCOUNT,
        region: steadyDb.region,
        instanceType: steadyDb.dbInstanceClass,
        engine: steadyDb.engine,
        count: RDS_USED_COUNT,
        ...term,
      },
      // Decoy: the same class for an engine nothing runs. Never used; covers nothing.
      {
        id: 'rds-decoy',
        service: 'RDS',
        account: SAMPLE_ACCOUNT,
        region: steadyDb.region,
        instanceType: steadyDb.dbInstanceClass,
        engine: decoyEngine,
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
let gateway: Gateway;
let url: string;
before(async () => {
  stack = await startStack({ scenario, storeDir: mkdtempSync(join(tmpdir(), 'commitments-coverage-')) });
  gateway = createGateway({ client: stack.env.client, taskQueue: stack.taskQueue, now: testNow });
  ({ url } = await gateway.listen(0));
});
after(async () => {
  await gateway?.close();
  await stack?.close();
});

/** Cost Explorer's rounding: a percentage to two decimals. */
const percent = (part: number, whole: number) => Number(((100 * part) / whole).toFixed(2));

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
    // Savings Plans: the compute side only. Reservations: each side asks for its own service, once.
    for (const op of ['GetSavingsPlansCoverage', 'GetSavingsPlansUtilization']) {
      assert.equal(stats[`ce:${op}`], 1, op);
      assert.equal(report.usage.requests?.[`ce:${op}`], 1, op);
      assert.equal(Object.values(report.usage.purposes?.[`ce:${op}`] ?? {}).reduce((n, c) => n + c, 0), 1, `${op}: purpose stated`);
    }
    for (const [op, what] of [
      ['GetReservationCoverage', 'coverage'],
      ['GetReservationUtilization', 'utilisation'],
    ] as const) {
      assert.equal(stats[`ce:${op}`], 2, op);
      assert.equal(report.usage.requests?.[`ce:${op}`], 2, op);
      assert.deepEqual(report.usage.purposes?.[`ce:${op}`], {
        [`commitments: EC2 Reserved Instance ${what}`]: 1,
        [`commitments: RDS Reserved Instance ${what}`]: 1,
      });
    }

    const c = report.commitments;
    assert.ok(c);
    assert.deepEqual(c.held, { savingsPlans: 1, ec2Reservations: 2, rdsReservations: RDS_USED_COUNT + 1 });
    assert.equal(c.coverage.reservations, undefined, 'no combined figure is written any more');
    const window = [windowStart, TEST_TODAY] as const;
    const windowHours = 30 * 24;

    // EC2: one RI used every hour of the window, the other never: half the purchased hours are used.
    assert.equal(c.utilisation.ec2Reservations, 50);
    // Coverage: the RI's 720 hours over every on-demand EC2 hour of the window (the hours the cost history bills).
    const runningHours = scenario.instances
      .filter((i) => i.account === SAMPLE_ACCOUNT && i.lifecycle === 'on-demand')
      .reduce((n, instance) => n + billedHours({ kind: 'ec2', instance }, scenario.schedules[instance.instanceId], ...window), 0);
    assert.ok(runningHours > windowHours);
    assert.equal(c.coverage.ec2Reservations, percent(windowHours, runningHours));

    // RDS: the used reservations cover the hours databases of their class and engine ran, up to what was
    // bought; the decoy covers nothing. Coverage over every database hour of the account, utilisation over
    // the hours of all four reservations.
    const dbHours = scenario.databases
      .filter((d) => d.account === SAMPLE_ACCOUNT)
      .map((db) => ({ db, hours: billedHours({ kind: 'rds', db }, undefined, ...window) }));
    const rdsRunning = dbHours.reduce((n, d) => n + d.hours, 0);
    const matching = dbHours
      .filter(({ db }) => db.region === steadyDb.region && db.dbInstanceClass === steadyDb.dbInstanceClass && db.engine === steadyDb.engine)
      .reduce((n, d) => n + d.hours, 0);
    const rdsUsed = Math.min(matching, RDS_USED_COUNT * windowHours);
    assert.ok(rdsUsed >= windowHours && rdsRunning > rdsUsed, `${rdsUsed} of ${rdsRunning}`);
    assert.equal(c.coverage.rdsReservations, percent(rdsUsed, rdsRunning));
    assert.equal(c.utilisation.rdsReservations, percent(rdsUsed, (RDS_USED_COUNT + 1) * windowHours));
    // Without the decoy, utilisation would be used / the three reservations: the decoy's hours count as bought, unused.
    assert.notEqual(c.utilisation.rdsReservations, percent(rdsUsed, RDS_USED_COUNT * windowHours));
    assert.notEqual(c.coverage.rdsReservations, c.coverage.ec2Reservations, 'two different figures, neither hiding the other');

    // $0.01 an hour is far below the on-demand spend left uncovered: used to the full, covering a little.
    assert.equal(c.utilisation.savingsPlans, 100);
    assert.ok(
      c.coverage.savingsPlans !== undefined && c.coverage.savingsPlans > 0 && c.coverage.savingsPlans < 5,
      String(c.coverage.savingsPlans),
    );
    assert.ok(!c.notes.some((n) => /: none active/.test(n)), JSON.stringify(c.notes));

    // Where the user reads it: the view model every surface renders, the Markdown export, the all-tables CSV.
    const section = sectionOf(buildReportView(report), 'commitments');
    const shown = (id: string) => factOf(section, id)?.text;
    const pct = (n: number | undefined) => percent1(n ?? NaN);
    assert.deepEqual(
      ['ec2-ri-coverage', 'rds-ri-coverage', 'ec2-ri-utilisation', 'rds-ri-utilisation'].map(shown),
      [c.coverage.ec2Reservations, c.coverage.rdsReservations, c.utilisation.ec2Reservations, c.utilisation.rdsReservations].map(pct),
    );
    const markdown = await (await fetch(`${url}${analysisPath(analysisId)}/report?format=md`)).text();
    assert.ok(markdown.includes(`- **EC2 Reserved Instances coverage:** ${shown('ec2-ri-coverage')}`), markdown);
    assert.ok(markdown.includes(`- **RDS Reserved Instances coverage:** ${shown('rds-ri-coverage')}`));
    assert.ok(markdown.includes(`- **EC2 Reserved Instances utilisation:** ${shown('ec2-ri-utilisation')}`));
    assert.ok(markdown.includes(`- **RDS Reserved Instances utilisation:** ${shown('rds-ri-utilisation')}`));
    const csvResponse = await fetch(`${url}${analysisPath(analysisId)}/report?format=csv&table=all`);
    assert.equal(csvResponse.status, 200);
    const csv = await csvResponse.text();
    assert.ok(csv.includes(`commitments,facts,ec2-ri-coverage,EC2 Reserved Instances coverage,${c.coverage.ec2Reservations},`), csv);
    assert.ok(csv.includes(`commitments,facts,rds-ri-coverage,RDS Reserved Instances coverage,${c.coverage.rdsReservations},`));
    assert.ok(csv.includes(`commitments,facts,rds-ri-utilisation,RDS Reserved Instances utilisation,${c.utilisation.rdsReservations},`));
  });
});
