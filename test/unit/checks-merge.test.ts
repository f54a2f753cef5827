/**
 * The parent's merge: one finding per resource problem, each dollar once, other sources folded in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeFindings, summariseFindings } from '../../src/domain/checks/merge';
import { TRUSTED_ADVISOR_RELATIONS } from '../../src/domain/checks/trusted-advisor';
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
  assert.deepEqual(f.folded, [{ check: 'ta-ec2-low-utilization', sources: ['trusted-advisor:X'], relation: 'confirms', monthlySavings: '280.00' }]);
});

test('terminate and rightsize the same instance: the termination saving, counted once', () => {
  const { findings } = mergeFindings([
    { agent: 'ec2', findings: [finding('ec2-overprovisioned', 'i-1', '140.16'), finding('ec2-idle', 'i-1', '280.32')] },
    { agent: 'ec2', findings: [finding('ce-rightsizing-modify', 'i-1', '140.16')] },
  ]);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.check, 'ec2-idle');
  assert.equal(findings[0]!.monthlySavings, '280.32');
  assert.deepEqual(
    findings[0]!.folded?.map((o) => [o.check, o.relation, o.monthlySavings]),
    [
      ['ec2-overprovisioned', 'overlaps', '140.16'],
      ['ce-rightsizing-modify', 'confirms', '140.16'],
    ],
  );
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

test('what our agent examined and declined is a second opinion, never a finding; where we did not look, it stands', () => {
  const ta = finding('ta-ec2-low-utilization', 'i-young', '70');
  const looked = mergeFindings(
    [
      { agent: 'ec2', findings: [], coverage: [`ec2-utilisation/${A}/${R}`] },
      { agent: 'trusted-advisor', findings: [ta] },
    ],
    { declined: [{ kind: 'ec2-utilisation', account: A, region: R, id: 'i-young', reason: 'launched 5 day(s) ago: less than 14 days of metrics' }] },
  );
  assert.equal(looked.findings.length, 0, 'not counted as a finding');
  assert.equal(summariseFindings(looked.findings, 10).monthlySavings, '0');
  assert.equal(looked.secondOpinions.length, 1);
  const opinion = looked.secondOpinions[0]!;
  assert.deepEqual(
    [opinion.check, opinion.resource.id, opinion.estimatedMonthlySavings, opinion.examinedBy, opinion.declinedBecause],
    ['ta-ec2-low-utilization', 'i-young', '70', 'ec2-utilisation', 'launched 5 day(s) ago: less than 14 days of metrics'],
  );
  const notLooked = mergeFindings([{ agent: 'trusted-advisor', findings: [ta] }]);
  assert.equal(notLooked.findings[0]!.monthlySavings, '70');
  assert.equal(notLooked.secondOpinions.length, 0);
});

test('the same bucket from the S3 agent and Trusted Advisor is one finding, whatever each calls its type or id', () => {
  const ours = { account: A, region: 'eu-west-1', id: 'logs-bucket', type: 'S3 bucket', tags: {} };
  for (const taId of ['logs-bucket', 'arn:aws:s3:::logs-bucket']) {
    const { findings } = mergeFindings([
      { agent: 's3', findings: [finding('s3-no-lifecycle', 'logs-bucket', '30', { resource: ours })], coverage: [`s3/${A}/eu-west-1`] },
      {
        agent: 'trusted-advisor',
        findings: [finding('ta-s3-no-lifecycle', taId, '0', { resource: { account: A, region: 'eu-west-1', id: taId, type: 's3-bucket', tags: {} } })],
      },
    ]);
    assert.equal(findings.length, 1, taId);
    assert.deepEqual(findings[0]!.sources, ['s3', 'trusted-advisor:X']);
  }
});

test('every Trusted Advisor check folds into each of our checks it corroborates, as each source names the resource', () => {
  const arnOf: Record<string, (id: string) => string> = {
    'ta-ec2-stopped': (id) => `arn:aws:ec2:${R}:${A}:instance/${id}`,
    'ta-s3-no-lifecycle': (id) => `arn:aws:s3:::${id}`,
    'ta-s3-versioned-no-lifecycle': (id) => `arn:aws:s3:::${id}`,
  };
  let pairs = 0;
  for (const relation of Object.values(TRUSTED_ADVISOR_RELATIONS)) {
    for (const ours of relation.related) {
      const id = ours.startsWith('s3-') ? 'bucket-1' : ours.startsWith('rds-') ? 'orders-db' : ours.startsWith('ec2-') ? 'i-1' : 'vol-1';
      const taId = ours === 'ec2-stopped-long' && relation.check === 'ta-ebs-underutilized' ? 'vol-1' : (arnOf[relation.check]?.(id) ?? id);
      const native = finding(ours, id, '10', {
        resource: { account: A, region: R, id, type: ours.startsWith('s3-') ? 'S3 bucket' : 'anything', tags: {} },
        ...(ours === 'ec2-stopped-long' ? { evidence: { volumeIds: 'vol-1' } } : {}),
      });
      const other = finding(relation.check, taId, '12', { resource: { account: A, region: R, id: taId, type: 'another-label', tags: {} } });
      const { findings } = mergeFindings([
        { agent: native.agent, findings: [native] },
        { agent: 'trusted-advisor', findings: [other] },
      ]);
      assert.equal(findings.length, 1, `${relation.check} → ${ours}`);
      assert.equal(findings[0]!.check, ours);
      assert.equal(findings[0]!.monthlySavings, '10', 'our dollars');
      pairs++;
    }
  }
  assert.ok(pairs >= 15, `${pairs} pairs`);
});

test('with a scope, findings outside the requested accounts and Regions are dropped and counted', () => {
  const out = finding('ta-ec2-low-utilization', 'i-eu', '500', { resource: { account: A, region: 'eu-west-1', id: 'i-eu', tags: {} } });
  const other = finding('ta-ec2-low-utilization', 'i-x', '400', { resource: { account: '999999999999', region: R, id: 'i-x', tags: {} } });
  const inside = finding('ec2-idle', 'i-1', '10');
  const result = mergeFindings([{ agent: 'ec2', findings: [inside] }, { agent: 'trusted-advisor', findings: [out, other] }], {
    scope: { accounts: [A], regions: [R] },
  });
  assert.deepEqual(result.findings.map((f) => f.resource.id), ['i-1']);
  assert.equal(result.outOfScope, 2);
});

test('a source confirming twice is listed once, and raises confidence once', () => {
  const { findings } = mergeFindings([
    { agent: 'ec2', findings: [finding('ec2-idle', 'i-1', '280.32', { confidence: 'low' })] },
    { agent: 'trusted-advisor', findings: [finding('ta-ec2-low-utilization', 'i-1', '280')] },
    { agent: 'trusted-advisor', findings: [finding('ta-ec2-low-utilization', 'i-1', '280', { id: 'other-id' })] },
  ]);
  assert.equal(findings.length, 1);
  assert.deepEqual(findings[0]!.folded?.map((o) => [o.check, o.sources]), [['ta-ec2-low-utilization', ['trusted-advisor:X']]]);
  assert.equal(findings[0]!.confidence, 'medium');
  assert.deepEqual(findings[0]!.sources, ['ec2', 'trusted-advisor:X']);
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
