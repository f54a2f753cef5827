/**
 * The parent's merge: one finding per resource problem, each dollar once, other sources folded in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeFindings, summariseFindings } from '../../src/domain/checks/merge';
import type { Finding } from '../../src/domain/findings';

const A = '111122223333';
const R = 'us-east-1';

function finding(check: string, id: string, savings: string, overrides: Partial<Finding> = {}): Finding {
  const agent = check.startsWith('ta-') ? 'trusted-advisor' : check.startsWith('s3-') ? 's3' : check.startsWith('rds-') ? 'rds' : 'ec2';
  return {
    id: `${check}/${A}/${R}/${id}`,
    check,
    agent,
    sources: [check.startsWith('ta-') ? `trusted-advisor:X` : check.startsWith('ce-') ? 'cost-explorer:rightsizing' : agent],
    resource: { account: A, region: R, id, tags: {} },
    title: check,
    evidence: {},
    action: 'review',
    recommendation: check,
    monthlySavings: savings,
    confidence: 'medium',
    ...overrides,
  };
}

test('Trusted Advisor and the EC2 agent about one instance: one finding, both sources, our dollars', () => {
  const { findings, folded } = mergeFindings([
    { agent: 'ec2', findings: [finding('ec2-idle', 'i-1', '280.32')], coverage: [`ec2-utilisation/${A}/${R}`] },
    { agent: 'trusted-advisor', findings: [finding('ta-ec2-low-utilization', 'i-1', '280.00')] },
  ]);
  assert.equal(findings.length, 1);
  assert.equal(folded, 1);
  const f = findings[0]!;
  assert.equal(f.check, 'ec2-idle');
  assert.deepEqual(f.sources, ['ec2', 'trusted-advisor:X']);
  assert.equal(f.monthlySavings, '280.32');
  assert.equal(f.confidence, 'high', 'two independent sources agree');
  assert.equal(f.evidence['confirmedBy'], 'ta-ec2-low-utilization');
});

test('terminate and rightsize the same instance: the termination saving, counted once', () => {
  const { findings } = mergeFindings([
    { agent: 'ec2', findings: [finding('ec2-overprovisioned', 'i-1', '140.16'), finding('ec2-idle', 'i-1', '280.32')] },
    { agent: 'ec2', findings: [finding('ce-rightsizing-modify', 'i-1', '140.16')] },
  ]);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.check, 'ec2-idle');
  assert.equal(findings[0]!.monthlySavings, '280.32');
  assert.match(String(findings[0]!.evidence['alsoFlagged']), /ec2-overprovisioned \(140\.16 USD\/month\)/);
  assert.equal(summariseFindings(findings, 10).monthlySavings, '280.32');
});

test('checks over disjoint parts of a resource stay separate (an S3 bucket), and add up', () => {
  const bucket = { account: A, region: 'eu-west-1', id: 'logs-bucket', type: 's3-bucket', tags: {} };
  const { findings } = mergeFindings([
    {
      agent: 's3',
      findings: [
        finding('s3-no-lifecycle', 'logs-bucket', '30', { resource: bucket }),
        finding('s3-no-abort-multipart', 'logs-bucket', '0.92', { resource: bucket }),
      ],
    },
    { agent: 'trusted-advisor', findings: [finding('ta-s3-no-abort-multipart', 'logs-bucket', '0', { resource: { ...bucket, region: 'us-east-1' } })] },
  ]);
  assert.deepEqual(findings.map((f) => [f.check, f.monthlySavings, f.sources.length]), [
    ['s3-no-lifecycle', '30', 1],
    ['s3-no-abort-multipart', '0.92', 2],
  ]);
});

test('a finding covering others indirectly: a long-stopped instance absorbs its volume; an Elastic IP its address', () => {
  const { findings } = mergeFindings([
    {
      agent: 'ec2',
      findings: [
        finding('ec2-stopped-long', 'i-9', '14', { evidence: { volumeIds: 'vol-1,vol-2' } }),
        finding('eip-unassociated', 'eipalloc-1', '3.65', { evidence: { publicIp: '203.0.113.9' } }),
      ],
    },
    { agent: 'trusted-advisor', findings: [finding('ta-ebs-underutilized', 'vol-2', '4'), finding('ta-eip-unassociated', '203.0.113.9', '3.65')] },
  ]);
  assert.deepEqual(
    findings.map((f) => [f.check, f.monthlySavings, f.sources.length]),
    [
      ['ec2-stopped-long', '14', 2],
      ['eip-unassociated', '3.65', 2],
    ],
  );
});

test('what our agent evaluated and did not flag stays for review at no dollars; where we did not look, it stands', () => {
  const ta = finding('ta-ec2-low-utilization', 'i-young', '70');
  const looked = mergeFindings([
    { agent: 'ec2', findings: [], coverage: [`ec2-utilisation/${A}/${R}`] },
    { agent: 'trusted-advisor', findings: [ta] },
  ]);
  assert.equal(looked.unconfirmed, 1);
  assert.deepEqual([looked.findings[0]!.monthlySavings, looked.findings[0]!.confidence, looked.findings[0]!.action], ['0', 'low', 'review']);
  assert.equal(looked.findings[0]!.evidence['sourceEstimatedMonthlySavings'], '70');
  const notLooked = mergeFindings([{ agent: 'trusted-advisor', findings: [ta] }]);
  assert.equal(notLooked.findings[0]!.monthlySavings, '70');
});

test('two other sources about the same resource are one finding too; identical findings from two lists are one', () => {
  const { findings } = mergeFindings([
    { agent: 'ec2', findings: [finding('ce-rightsizing-terminate', 'i-5', '100'), finding('eip-unassociated', 'eipalloc-2', '3.65')] },
    { agent: 'trusted-advisor', findings: [finding('ta-ec2-low-utilization', 'i-5', '100')] },
    { agent: 'ec2', findings: [finding('eip-unassociated', 'eipalloc-2', '3.65')] },
  ]);
  assert.deepEqual(findings.map((f) => [f.check, f.monthlySavings]), [
    ['ce-rightsizing-terminate', '100'],
    ['eip-unassociated', '3.65'],
  ]);
});

test('the summary ranks by savings, totals by check, caps the items and keeps the store key', () => {
  const list = Array.from({ length: 5 }, (_, i) => finding('ebs-gp2-to-gp3', `vol-${i}`, String(i + 1)));
  const s = summariseFindings(list, 3, 'analysis/x/findings/merged.json');
  assert.equal(s.count, 5);
  assert.equal(s.monthlySavings, '15');
  assert.deepEqual(s.byCheck, { 'ebs-gp2-to-gp3': { count: 5, monthlySavings: '15' } });
  assert.deepEqual(s.items.map((f) => f.monthlySavings), ['5', '4', '3']);
  assert.equal(s.truncated, true);
  assert.equal(s.storeKey, 'analysis/x/findings/merged.json');
});
