/**
 * Trusted Advisor results (positional metadata named by the check's columns) into findings.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  costOptimizingChecks,
  parseDollars,
  regionsNeedingIpv4Price,
  TRUSTED_ADVISOR_RELATIONS,
  trustedAdvisorFindings,
  type TrustedAdvisorCheckDescription,
} from '../../src/domain/checks/trusted-advisor';
import { priceKey } from '../../src/domain/pricing';
import { TRUSTED_ADVISOR_CHECKS } from '../../src/sim/trusted-advisor';

const ACCOUNT = '111122223333';
const checks = TRUSTED_ADVISOR_CHECKS.map((c) => ({ id: c.id, name: c.name, category: c.category, metadata: [...c.metadata] }));
const check = (id: string): TrustedAdvisorCheckDescription => checks.find((c) => c.id === id)!;

test('only the cost-optimizing checks are read', () => {
  const cost = costOptimizingChecks(checks).map((c) => c.id);
  assert.ok(cost.includes('Qch7DwouX1') && cost.includes('Z4AUBRNSmz'));
  assert.ok(!cost.includes('HCP4007jGY'), 'security checks are not ours');
});

test('low-utilization EC2: the instance ID, type and dollar figure come from their named columns', () => {
  const c = check('Qch7DwouX1');
  const row = new Array<string | null>(c.metadata.length).fill(null);
  const set = (column: string, value: string) => (row[c.metadata.indexOf(column)] = value);
  set('Region/AZ', 'eu-west-1b');
  set('Instance ID', 'i-0abc');
  set('Instance Name', 'reporting-old');
  set('Instance Type', 'm5.2xlarge');
  set('Estimated Monthly Savings', '$1,312.59');
  set('Number of Days Low Utilization', '14 days');
  const findings = trustedAdvisorFindings(
    ACCOUNT,
    c,
    {
      checkId: c.id,
      flaggedResources: [
        { resourceId: 'opaque-1', region: 'eu-west-1', status: 'warning', isSuppressed: false, metadata: row },
        { resourceId: 'opaque-2', region: 'eu-west-1', status: 'warning', isSuppressed: true, metadata: row },
      ],
    },
    {},
  );
  assert.equal(findings.length, 1, 'suppressed resources are skipped');
  const f = findings[0]!;
  assert.equal(f.check, 'ta-ec2-low-utilization');
  assert.equal(f.agent, 'trusted-advisor');
  assert.deepEqual(f.sources, ['trusted-advisor:Qch7DwouX1']);
  assert.deepEqual([f.resource.account, f.resource.region, f.resource.id, f.resource.type, f.resource.name], [ACCOUNT, 'eu-west-1', 'i-0abc', 'm5.2xlarge', 'reporting-old']);
  assert.equal(f.monthlySavings, '1312.59');
  assert.equal(f.evidence['lowUtilizationDays'], 14);
});

test('Elastic IPs are named by address and priced from the Price List (Trusted Advisor gives no figure)', () => {
  const c = check('Z4AUBRNSmz');
  const result = { checkId: c.id, flaggedResources: [{ resourceId: 'x', region: 'us-east-1', metadata: ['us-east-1', '198.51.100.4'] }] };
  assert.deepEqual(regionsNeedingIpv4Price([result]), ['us-east-1']);
  const [f] = trustedAdvisorFindings(ACCOUNT, c, result, { [priceKey.idlePublicIpv4('us-east-1')]: { usd: '0.005', unit: 'Hrs' } });
  assert.equal(f?.resource.id, '198.51.100.4');
  assert.equal(f?.monthlySavings, '3.65');
});

test('config-rule checks name the resource by its ARN; unknown checks still become reviewable findings', () => {
  const stopped = check('c18d2gz150');
  const [f] = trustedAdvisorFindings(
    ACCOUNT,
    stopped,
    {
      checkId: stopped.id,
      flaggedResources: [
        { resourceId: 'y', region: 'us-east-1', metadata: ['Yellow', 'us-east-1', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0stopped`, 'ec2-stopped-instance', '{}', 'x'] },
      ],
    },
    {},
  );
  assert.equal(f?.resource.id, 'i-0stopped');
  assert.equal(f?.check, 'ta-ec2-stopped');
  assert.equal(f?.monthlySavings, '0');

  const unknown = { id: 'zzNewCheck', name: 'Idle NAT gateways', category: 'cost_optimizing', metadata: ['Region', 'NAT Gateway ID', 'Estimated Monthly Savings'] };
  const [g] = trustedAdvisorFindings(ACCOUNT, unknown, { checkId: unknown.id, flaggedResources: [{ resourceId: 'nat-opaque', region: 'us-west-2', metadata: ['us-west-2', 'nat-0a', '$32.85'] }] }, {});
  assert.equal(g?.check, 'ta-zzNewCheck');
  assert.equal(g?.action, 'review');
  assert.equal(g?.monthlySavings, '32.85');
  assert.equal(g?.evidence['NAT Gateway ID'], 'nat-0a');
});

test('dollar figures parse exactly; every mapped check says what it corroborates', () => {
  assert.equal(parseDollars('$1,234.56'), '1234.56');
  assert.equal(parseDollars('$0.00'), '0');
  assert.equal(parseDollars(null), undefined);
  assert.equal(parseDollars('n/a'), undefined);
  assert.deepEqual(TRUSTED_ADVISOR_RELATIONS['ta-ebs-underutilized']?.coverage, 'ebs');
  assert.ok(TRUSTED_ADVISOR_RELATIONS['ta-eip-unassociated']?.related.includes('eip-unassociated'));
});
