/**
 * The planner: deterministic phrasings, and Converse tool use through the real client and the fake
 * Bedrock (valid plans, malformed tool input retried then replaced, invented accounts, outage).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { planDeterministically, planQuestion, type PlanContext } from '../../src/llm/planner';
import { fakeConverser, FakeBedrock } from '../fakes/bedrock';

const now = new Date('2026-11-21T07:00:00Z');
const ctx: PlanContext = { tenant: 'acme', now, accountNames: { staging: '222233334444', prod: '111122223333' } };

let fake: FakeBedrock;
before(async () => {
  fake = await FakeBedrock.start();
});
after(async () => {
  await fake.close();
});

test('"why did our S3 bill jump last month?" plans S3 and the forecast over last month', () => {
  const result = planDeterministically('Why did our S3 bill jump last month?', { ...ctx, accounts: ['111122223333'] });
  assert.ok(result.ok);
  assert.deepEqual(result.plan.agents, ['s3', 'forecasting']);
  assert.equal(result.plan.focus, 'spend-change');
  assert.deepEqual(result.plan.period, { start: '2026-10-01', end: '2026-11-01' });
  assert.deepEqual(result.plan.accounts, ['111122223333']);
});

test('"what can we cut in the staging account?" resolves the account name and plans the savings agents', async () => {
  const result = await planQuestion('What can we cut in the staging account?', ctx);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.source, 'deterministic');
  assert.equal(result.plan.focus, 'savings');
  assert.deepEqual(result.request.accounts, ['222233334444']);
  assert.deepEqual(result.request.agents, ['ec2', 's3', 'rds', 'trusted-advisor']);
  assert.equal(result.request.tenant, 'acme');
});

test('the deterministic planner says when it cannot', async () => {
  const unknownAccount = await planQuestion('What can we cut in the sandbox account?', ctx);
  assert.equal(unknownAccount.ok, false);
  assert.match(!unknownAccount.ok ? unknownAccount.reason : '', /do not know which account "sandbox"/);
  const vague = planDeterministically('Tell me a joke', { ...ctx, accounts: ['111122223333'] });
  assert.equal(vague.ok, false);
  const noAccount = planDeterministically('What can we save on EC2?', { tenant: 'acme', now });
  assert.equal(noAccount.ok, false);
  assert.match(!noAccount.ok ? noAccount.reason : '', /names no account/);
});

test('tool use: a valid plan from the model becomes a validated request', async () => {
  fake.answer({
    toolUse: {
      name: 'make_plan',
      input: { agents: ['s3', 'forecasting'], accounts: ['111122223333'], period: { start: '2026-10-01', end: '2026-11-01' }, focus: 'spend-change', explanation: 'S3 last month' },
    },
  });
  const result = await planQuestion('Why did our S3 bill jump last month?', { ...ctx, accounts: ['111122223333'] }, fakeConverser(fake));
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.source, 'bedrock');
  assert.deepEqual(result.request.agents, ['s3', 'forecasting']);
  assert.deepEqual(result.request.period, { start: '2026-10-01', end: '2026-11-01' });
  assert.equal(result.usage.calls, 1);
  const sent = fake.requests[0]!.body;
  assert.deepEqual(sent.toolConfig?.toolChoice, { tool: { name: 'make_plan' } });
});

test('tool use: malformed tool input is sent back once as an error, then corrected', async () => {
  fake.answer(
    { toolUse: { name: 'make_plan', input: { agents: ['lambda'], focus: 'everything' } } },
    { toolUse: { name: 'make_plan', input: { agents: ['ec2'], focus: 'savings' } } },
  );
  const result = await planQuestion('What can we save on EC2?', { ...ctx, accounts: ['111122223333'] }, fakeConverser(fake));
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.source, 'bedrock-after-retry');
  const retry = fake.requests[1]!.body.messages!;
  const toolResult = retry[2]!.content[0]!.toolResult as { status: string; content: { text: string }[] };
  assert.equal(toolResult.status, 'error');
  assert.match(toolResult.content[0]!.text, /Invalid plan: agents\.0/);
});

test('tool use: twice malformed, or invented accounts, falls back to the deterministic planner', async () => {
  fake.answer(
    { toolUse: { name: 'make_plan', input: { agents: ['ec2'], focus: 'savings', accounts: ['999999999999'] } } },
    { toolUse: { name: 'make_plan', input: 'not an object' } },
  );
  const result = await planQuestion('What can we cut in the staging account?', ctx, fakeConverser(fake));
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.source, 'deterministic-after-invalid-plan');
  assert.deepEqual(result.request.accounts, ['222233334444']);
  assert.equal(result.usage.calls, 2);
});

test('tool use: the model can decline, and an outage falls back to the deterministic planner', async () => {
  fake.answer({ toolUse: { name: 'make_plan', input: { cannotPlan: 'The question is not about AWS costs.' } } });
  const declined = await planQuestion('Write me a poem', { ...ctx, accounts: ['111122223333'] }, fakeConverser(fake));
  assert.equal(declined.ok, false);
  assert.equal(declined.source, 'bedrock');

  fake.answer({ error: 'ServiceUnavailableException' }, { error: 'ServiceUnavailableException' }, { error: 'ServiceUnavailableException' });
  const outage = await planQuestion('Why did our S3 bill jump last month?', { ...ctx, accounts: ['111122223333'] }, fakeConverser(fake));
  assert.ok(outage.ok);
  assert.equal(outage.source, 'deterministic-after-error');
  assert.match(outage.error ?? '', /ServiceUnavailableException/);
});
