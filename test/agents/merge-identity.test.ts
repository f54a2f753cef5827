/**
 * The merge through the user's path (real Temporal dev server, the simulator, SDK clients): Trusted
 * Advisor's findings fold into ours by resource identity whatever each calls the type (S3 too); what our
 * check examined and declined is a second opinion, never a finding; nothing outside the requested
 * Regions; the final progress carries the report's figures; no source listed twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Big from 'big.js';
import type { AgentKind } from '../../src/domain/agents';
import { DraftBuilder } from '../../src/sim/generator/builder';
import { buildSmallAccount, SAMPLE_ACCOUNT } from '../../src/sim/generator/small';
import { finishScenario } from '../../src/sim/scenario';
import { TEST_TODAY, startStack, type TestStack } from '../helpers/stack';
import { analyseScenario, storedFindings } from './ground-truth';

let stack: TestStack;
const storeDir = mkdtempSync(join(tmpdir(), 'finops-merge-'));
let freshId = '';
let euIdleId = '';

before(async () => {
  const b = new DraftBuilder(42, TEST_TODAY, 430, 'small');
  buildSmallAccount(b, true);
  // Launched 5 days ago and quiet: Trusted Advisor calls it low utilisation; we have too little history to judge.
  freshId = b.instance({
    account: SAMPLE_ACCOUNT.id,
    region: 'us-east-1',
    instanceType: 'm5.xlarge',
    name: 'fresh-box',
    tags: { Environment: 'dev', Owner: 'sam' },
    launchedDaysAgo: 5,
    role: 'idle',
  }).instanceId;
  // Idle in eu-west-1: out of scope for an analysis of us-east-1 only.
  euIdleId = b.instance({
    account: SAMPLE_ACCOUNT.id,
    region: 'eu-west-1',
    instanceType: 'c5.4xlarge',
    name: 'forgotten-eu',
    tags: { Environment: 'dev' },
    launchedDaysAgo: 200,
    role: 'idle',
  }).instanceId;
  stack = await startStack({ storeDir, scenario: finishScenario(b.draft) });
});
after(async () => {
  await stack?.close();
});

const analyse = (regions: string[], agents: AgentKind[], tenant: string) => analyseScenario(stack, agents, tenant, regions);

test('us-east-1 only, with S3 and Trusted Advisor: one finding per resource problem, in scope, declined opinions apart, progress = report', async () => {
  const { report, progress } = await analyse(['us-east-1'], ['ec2', 'rds', 's3', 'trusted-advisor'], 'merge-identity');
  assert.ok(report.findings, JSON.stringify(report.notes));
  const findings = storedFindings(storeDir, report);

  // Defect 3: nothing outside the requested Region; what Trusted Advisor said about it is a count in the notes.
  assert.deepEqual([...new Set(findings.map((f) => f.resource.region))].filter((r) => r !== 'us-east-1' && r !== 'global'), []);
  assert.ok(!findings.some((f) => f.resource.id === euIdleId));
  assert.ok((report.notes ?? []).some((n) => /outside the requested accounts and Regions/.test(n)), JSON.stringify(report.notes));

  // Defect 1: S3 and Trusted Advisor agree on buckets: one finding per bucket and check, both sources.
  const bucketFindings = findings.filter((f) => f.check.startsWith('s3-') || f.check.startsWith('ta-s3-'));
  assert.ok(bucketFindings.length > 0, 'the small account has bucket waste in us-east-1');
  assert.ok(!bucketFindings.some((f) => f.check.startsWith('ta-s3-')), 'no Trusted Advisor bucket finding left standing beside ours');
  assert.ok(bucketFindings.some((f) => f.sources.includes('s3') && f.sources.some((s) => s.startsWith('trusted-advisor:'))));
  const perResource = new Map<string, number>();
  for (const f of findings) {
    const key = `${f.check}|${f.resource.account}|${f.resource.id}`;
    perResource.set(key, (perResource.get(key) ?? 0) + 1);
  }
  assert.deepEqual([...perResource].filter(([, n]) => n > 1), []);

  // Defect 2: the 5-day-old instance is no finding; Trusted Advisor's view of it is a second opinion with our reason.
  assert.ok(!findings.some((f) => f.resource.id === freshId), 'the young instance is not a finding');
  const opinion = report.findings.secondOpinions?.items.find((o) => o.resource.id === freshId);
  assert.ok(opinion, JSON.stringify(report.findings.secondOpinions));
  assert.equal(opinion.check, 'ta-ec2-low-utilization');
  assert.match(opinion.declinedBecause, /launched [45] day\(s\) ago: less than 14 days of metrics/);
  assert.ok(new Big(opinion.estimatedMonthlySavings).gt(0));
  assert.ok(!findings.some((f) => f.monthlySavings === '0' && f.action === 'review' && f.agent === 'trusted-advisor' && /ec2/.test(f.check)));

  // Defect 8: no source twice, no folded check twice.
  for (const f of findings) {
    assert.equal(new Set(f.sources).size, f.sources.length, `${f.id} sources ${JSON.stringify(f.sources)}`);
    const checks = (f.folded ?? []).map((o) => o.check);
    assert.equal(new Set(checks).size, checks.length, `${f.id} folded ${JSON.stringify(f.folded)}`);
    for (const o of f.folded ?? []) assert.equal(new Set(o.sources).size, o.sources.length);
  }

  // Defect 7: the final progress tells the report's figures.
  assert.equal(progress.counts.findings, report.findings.count);
  assert.equal(progress.savings.amount, report.findings.monthlySavings);
  assert.equal(report.findings.count, findings.length);
  assert.equal(report.findings.monthlySavings, findings.reduce((s, f) => s.plus(f.monthlySavings), new Big(0)).toString());
});

test('both Regions: the eu-west-1 idle instance is ours, confirmed by Trusted Advisor, counted once', async () => {
  const { report, progress } = await analyse(['us-east-1', 'eu-west-1'], ['ec2', 'trusted-advisor'], 'merge-both');
  const findings = storedFindings(storeDir, report);
  const eu = findings.filter((f) => f.resource.id === euIdleId);
  assert.equal(eu.length, 1);
  assert.equal(eu[0]!.check, 'ec2-idle');
  assert.ok(eu[0]!.sources.includes('trusted-advisor:Qch7DwouX1'));
  assert.equal(progress.counts.findings, report.findings?.count);
});
