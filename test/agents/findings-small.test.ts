/**
 * The EC2, RDS and Trusted Advisor agents end to end on the small sample account (real Temporal dev
 * server, simulator, SDK clients): every planted waste found with the scenario's own dollars, the
 * parent's merged report (Trusted Advisor folded into our findings, each dollar once), and missing
 * permissions that skip checks, not agents.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Big from 'big.js';
import { FINDINGS_INLINE_LIMIT } from '../../src/domain/findings';
import { startStack, type TestStack } from '../helpers/stack';
import { analyseScenario, formatScore, OUR_CHECKS, score, storedFindings } from './ground-truth';

let stack: TestStack;
const storeDir = mkdtempSync(join(tmpdir(), 'finops-findings-'));

before(async () => {
  stack = await startStack({ storeDir, seed: 42 });
});
after(async () => {
  await stack?.close();
});

test('small account, seed 42: every check finds what was planted, with the ground truth dollars', async () => {
  stack.sim.resetStats();
  const { report } = await analyseScenario(stack);
  assert.equal(report.status, 'complete', JSON.stringify(report.skipped));
  assert.ok(report.findings, 'the report has a findings section');
  const findings = storedFindings(storeDir, report);
  const s = score(stack.sim.scenario, findings);
  console.log(formatScore('small seed 42', s));
  for (const c of s.checks) {
    if (!c.truth && !c.found) continue;
    assert.ok(c.precision >= 0.95 && c.recall >= 0.95, `${c.check}: precision ${c.precision}, recall ${c.recall}`);
  }
  assert.ok(s.checks.filter((c) => c.truth > 0).length >= 11, 'the small account plants nearly every kind of waste');
  assert.ok(Math.abs(s.savingsErrorPct) <= 1, `savings within 1% (${s.savingsErrorPct}%)`);

  // The summary is the stored list's: counted, ranked, capped, with its key.
  assert.equal(report.findings.count, findings.length);
  assert.ok(report.findings.items.length <= FINDINGS_INLINE_LIMIT);
  assert.equal(report.findings.monthlySavings, findings.reduce((sum, f) => sum.plus(f.monthlySavings), new Big(0)).toString());
  for (let i = 1; i < report.findings.items.length; i++)
    assert.ok(new Big(report.findings.items[i - 1]!.monthlySavings).gte(report.findings.items[i]!.monthlySavings), 'ranked by savings');

  // Every finding of ours says what, where, why, what to do, how much, how sure, and how.
  for (const f of findings.filter((x) => (OUR_CHECKS as readonly string[]).includes(x.check))) {
    assert.ok(f.resource.account && f.resource.region && f.resource.id, f.id);
    assert.ok(Object.keys(f.evidence).length > 0, `${f.id} has evidence`);
    assert.match(f.monthlySavings, /^\d+(\.\d+)?$/, `${f.id} savings is a decimal string`);
    assert.ok(['high', 'medium', 'low'].includes(f.confidence));
    assert.match(f.cliCommand ?? '', /^aws (ec2|rds) /, `${f.id} has the command`);
    assert.ok(f.recommendation.length > 20);
  }

  // Trusted Advisor flagged the idle instance too: one finding, both sources, our dollar figure.
  const idle = findings.find((f) => f.check === 'ec2-idle')!;
  assert.ok(idle.sources.includes('trusted-advisor:Qch7DwouX1'), JSON.stringify(idle.sources));
  assert.ok(idle.sources.includes('cost-explorer:rightsizing'));
  const truth = stack.sim.scenario.planted.find((p) => p.check === 'ec2-idle')!;
  assert.equal(Number(idle.monthlySavings), truth.monthlySavings);
  assert.equal(findings.filter((f) => f.resource.id === idle.resource.id).length, 1, 'one finding for the instance');
  const jenkinsRoot = findings.find((f) => f.check === 'ec2-stopped-long')!;
  assert.ok(jenkinsRoot.sources.some((s) => s === 'trusted-advisor:c18d2gz150'));

  // Thresholds, the analysis's own cost, commitments.
  assert.equal(report.thresholds?.ec2?.['ec2.idleCpuP95Percent'], 2);
  assert.equal(report.thresholds?.rds?.['rds.idleConnectionDays'], 7);
  const stats = stack.sim.stats();
  assert.equal(report.usage.requests?.['cloudwatch:GetMetricData'], stats['monitoring:GetMetricData']);
  assert.equal(report.usage.requests?.['ec2:DescribeInstances'], stats['ec2:DescribeInstances']);
  assert.equal(
    report.usage.costExplorerRequests,
    Object.entries(stats).reduce((n, [op, count]) => (op.startsWith('ce:') ? n + count : n), 0),
  );
  assert.ok((report.usage.metricsRequested ?? 0) > 0);
  assert.ok(new Big(report.usage.totalCost ?? '0').gt(0));
  assert.ok(report.commitments, 'commitments are reported apart from the findings');
  // The sample account holds no commitments: the free inventories say so, and Cost Explorer is not asked.
  assert.ok(report.commitments.notes.some((n) => /^Savings Plans: none active/.test(n)), JSON.stringify(report.commitments.notes));
});

test('without ec2:DescribeVolumes the EBS checks are skipped and named; everything else is intact', async () => {
  stack.sim.setFaults([{ operation: 'ec2:DescribeVolumes', error: 'AccessDeniedException' }]);
  try {
    const { report } = await analyseScenario(stack, undefined, 'denied');
    assert.equal(report.status, 'partial');
    assert.deepEqual(
      report.agents.map((a) => [a.agent, a.status]),
      [
        ['ec2', 'succeeded'],
        ['rds', 'succeeded'],
        ['trusted-advisor', 'succeeded'],
      ],
    );
    const skipped = report.skipped.find((s) => s.needs === 'IAM permission ec2:DescribeVolumes');
    assert.ok(skipped, JSON.stringify(report.skipped));
    assert.equal(skipped.agent, 'ec2');
    assert.ok(skipped.checks?.includes('ebs-unattached') && skipped.checks.includes('snapshot-orphaned'));

    const findings = storedFindings(storeDir, report);
    const s = score(stack.sim.scenario, findings);
    const by = Object.fromEntries(s.checks.map((c) => [c.check, c]));
    for (const check of ['ec2-idle', 'ec2-overprovisioned', 'ec2-previous-generation', 'eip-unassociated', 'rds-idle', 'rds-multi-az-nonprod'])
      assert.deepEqual([by[check]!.precision, by[check]!.recall], [1, 1], check);
    // Trusted Advisor still reports the unattached volume our EC2 agent could not see.
    assert.ok(findings.some((f) => f.check === 'ta-ebs-underutilized' && new Big(f.monthlySavings).gt(0)));
  } finally {
    stack.sim.setFaults([]);
  }
});

test('a Region not enabled for the account (EC2 answers AuthFailure) skips that Region only, at once', async () => {
  stack.sim.setFaults([{ operation: 'ec2:*', region: 'eu-west-1', error: 'AuthFailure' }]);
  try {
    const { report } = await analyseScenario(stack, undefined, 'region-off');
    assert.equal(report.status, 'partial');
    assert.ok(report.agents.every((a) => a.status === 'succeeded'), JSON.stringify(report.agents));
    const skipped = report.skipped.find((s) => s.agent === 'ec2');
    assert.ok(skipped, JSON.stringify(report.skipped));
    assert.match(skipped.needs, /Region to be enabled/);
    assert.ok(skipped.where?.every((w) => w.endsWith('/eu-west-1')), JSON.stringify(skipped.where));
    // Non-retryable: each eu-west-1 listing (instances, volumes, addresses, snapshots, reservations) was asked once, not retried.
    const failed = stack.sim.faults()[0]!.applied;
    assert.ok(failed > 0 && failed <= 5 * stack.sim.scenario.accounts.length, `${failed} AuthFailure answers`);

    const findings = storedFindings(storeDir, report);
    const east = stack.sim.scenario.planted.filter(
      (p) => p.region === 'us-east-1' && (p.check.startsWith('ec2-') || p.check.startsWith('ebs-') || p.check === 'eip-unassociated'),
    );
    assert.ok(east.length > 0, 'the small account plants EC2 waste in us-east-1');
    for (const planted of east)
      assert.ok(
        findings.some((f) => f.check === planted.check && f.resource.id === planted.resourceId),
        `${planted.check} ${planted.resourceId} is still found`,
      );
    assert.ok(!findings.some((f) => f.resource.region === 'eu-west-1' && f.sources.includes('ec2')), 'nothing from eu-west-1');
  } finally {
    stack.sim.setFaults([]);
  }
});

test('without cloudwatch:GetMetricData the metric checks are skipped, Trusted Advisor fills in, the rest is intact', async () => {
  stack.sim.setFaults([{ operation: 'monitoring:GetMetricData', error: 'AccessDeniedException' }]);
  try {
    const { report } = await analyseScenario(stack, undefined, 'denied');
    assert.equal(report.status, 'partial');
    const needs = report.skipped.filter((s) => s.needs === 'IAM permission cloudwatch:GetMetricData').map((s) => s.agent).sort();
    assert.deepEqual(needs, ['ec2', 'rds']);
    assert.ok(report.agents.every((a) => a.status === 'succeeded'));
    const findings = storedFindings(storeDir, report);
    const by = Object.fromEntries(score(stack.sim.scenario, findings).checks.map((c) => [c.check, c]));
    for (const check of ['ebs-unattached', 'eip-unassociated', 'snapshot-orphaned', 'rds-multi-az-nonprod', 'ebs-gp2-to-gp3'])
      assert.deepEqual([by[check]!.precision, by[check]!.recall], [1, 1], check);
    assert.equal(by['ec2-idle']!.found, 0, 'no idle verdict without metrics');
    // The idle instance and database are still reported, from Trusted Advisor (and Cost Explorer), counted once.
    const idleTruth = stack.sim.scenario.planted.find((p) => p.check === 'ec2-idle')!;
    const aboutIdle = findings.filter((f) => f.resource.id === idleTruth.resourceId);
    assert.equal(aboutIdle.length, 1, JSON.stringify(aboutIdle.map((f) => f.check)));
    // Their figures are rounded to cents.
    assert.ok(Math.abs(Number(aboutIdle[0]!.monthlySavings) - idleTruth.monthlySavings) < 0.01, aboutIdle[0]!.monthlySavings);
    assert.ok(findings.some((f) => f.check === 'ta-rds-idle'));
  } finally {
    stack.sim.setFaults([]);
  }
});

test("without Cost Explorer's resource-level data, orphaned snapshots are priced at their volume's size and say so", async () => {
  stack.sim.setFaults([{ operation: 'ce:GetCostAndUsageWithResources', error: 'AccessDeniedException' }]);
  try {
    const { report } = await analyseScenario(stack, ['ec2'], 'denied');
    const skipped = report.skipped.find((s) => s.needs === 'IAM permission ce:GetCostAndUsageWithResources');
    assert.deepEqual(skipped?.checks, ['snapshot-orphaned (billed size)']);
    const snapshot = storedFindings(storeDir, report).find((f) => f.check === 'snapshot-orphaned')!;
    const planted = stack.sim.scenario.snapshots.find((s) => s.snapshotId === snapshot.resource.id)!;
    assert.equal(snapshot.evidence['sizeSource'], 'volume size (upper bound)');
    assert.equal(snapshot.confidence, 'low');
    assert.equal(Number(snapshot.monthlySavings), planted.volumeSize * 0.05);
    assert.ok(report.notes?.some((n) => /upper bound/.test(n)));
  } finally {
    stack.sim.setFaults([]);
  }
});
