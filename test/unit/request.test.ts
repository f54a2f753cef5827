import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_KINDS } from '../../src/domain/agents';
import { validateAnalysisRequest } from '../../src/domain/request';

const now = new Date('2026-11-21T10:00:00Z');
const valid = { tenant: 'acme', accounts: ['123456789012'], period: { start: '2026-10-01', end: '2026-11-01' } };

function errorsOf(input: unknown): string[] {
  const result = validateAnalysisRequest(input, now);
  assert.equal(result.ok, false, 'expected the request to be rejected');
  return result.ok ? [] : result.errors;
}

test('a minimal request gets every agent, the default region and its period', () => {
  const result = validateAnalysisRequest(valid, now);
  assert.ok(result.ok);
  assert.deepEqual(result.request.agents, [...AGENT_KINDS]);
  assert.deepEqual(result.request.regions, ['us-east-1']);
  assert.deepEqual(result.request.period, valid.period);
});

test('without a period, the last 30 full days are analysed', () => {
  const result = validateAnalysisRequest({ tenant: 'acme', accounts: ['123456789012'] }, now);
  assert.ok(result.ok);
  assert.deepEqual(result.request.period, { start: '2026-10-22', end: '2026-11-21' });
});

test('duplicates are removed', () => {
  const result = validateAnalysisRequest({ ...valid, accounts: ['123456789012', '123456789012'], agents: ['s3', 's3'] }, now);
  assert.ok(result.ok);
  assert.deepEqual(result.request.accounts, ['123456789012']);
  assert.deepEqual(result.request.agents, ['s3']);
});

test('bad requests are rejected with messages that say what is wrong', () => {
  assert.match(errorsOf({ accounts: ['123456789012'] }).join(), /tenant/);
  assert.match(errorsOf({ ...valid, tenant: 'Acme Corp' }).join(), /tenant must be/);
  assert.match(errorsOf({ ...valid, agents: ['ec2', 'lambda'] }).join(), /unknown agent "lambda"; known agents: ec2, s3/);
  assert.match(errorsOf({ ...valid, accounts: ['12345'] }).join(), /12-digit/);
  assert.match(errorsOf({ ...valid, accounts: [] }).join(), /at least one account/);
  assert.match(errorsOf({ ...valid, period: { start: '2026-11-01', end: '2026-10-01' } }).join(), /must be before end/);
  assert.match(errorsOf({ ...valid, period: { start: '2026-02-30', end: '2026-03-05' } }).join(), /YYYY-MM-DD/);
  assert.match(errorsOf({ ...valid, period: { start: '2026-11-01', end: '2026-12-01' } }).join(), /in the future/);
  assert.match(errorsOf({ ...valid, period: { start: '2025-01-01', end: '2026-01-01' } }).join(), /at most 190 days/);
  assert.match(errorsOf({ ...valid, regions: ['mars-1'] }).join(), /region/);
  assert.match(errorsOf({ ...valid, colour: 'blue' }).join(), /colour/);
  assert.match(errorsOf('not an object').join(), /object/);
  assert.match(errorsOf(null).join(), /object/);
});

test('an organisation scope instead of accounts: OUs or roots, de-duplicated; accounts empty until discovery', () => {
  const result = validateAnalysisRequest({ tenant: 'acme', organization: { ous: ['ou-ab12-34cd56ef', 'r-ab12', 'ou-ab12-34cd56ef'] } }, now);
  assert.ok(result.ok);
  assert.deepEqual(result.request.organization, { ous: ['ou-ab12-34cd56ef', 'r-ab12'] });
  assert.deepEqual(result.request.accounts, []);
  const whole = validateAnalysisRequest({ tenant: 'acme', organization: {} }, now);
  assert.ok(whole.ok);
  assert.deepEqual(whole.request.organization, {});
  // The validated request validates again as it is (the workflow re-checks its input).
  assert.deepEqual(validateAnalysisRequest(whole.request, now), whole);

  assert.match(errorsOf({ tenant: 'acme' }).join(), /accounts must name at least one account, or give organization/);
  assert.match(errorsOf({ tenant: 'acme', accounts: ['123456789012'], organization: {} }).join(), /give accounts or organization, not both/);
  assert.match(errorsOf({ tenant: 'acme', organization: { ous: [] } }).join(), /organization\.ous: .*at least one OU/);
  assert.match(errorsOf({ tenant: 'acme', organization: { ous: ['finance'] } }).join(), /organization\.ous\.0: each OU must be an AWS Organizations OU ID/);
  assert.match(errorsOf({ tenant: 'acme', organization: { ous: ['ou-ab12-34cd56ef'], accounts: ['123456789012'] } }).join(), /organization: Unrecognized key/);
  assert.match(errorsOf({ tenant: 'acme', organization: 'everything' }).join(), /organization must be an object/);
});

test('targetConcurrency bounds how many account-Regions an agent analyses at once: a whole number from 1 to 200', () => {
  const bounded = validateAnalysisRequest({ ...valid, targetConcurrency: 8 }, now);
  assert.ok(bounded.ok);
  assert.equal(bounded.request.targetConcurrency, 8);
  const unset = validateAnalysisRequest(valid, now);
  assert.ok(unset.ok);
  assert.equal('targetConcurrency' in unset.request, false);
  for (const bad of [0, -1, 2.5, 201, '8']) assert.match(errorsOf({ ...valid, targetConcurrency: bad }).join(), /targetConcurrency/);
});
