/**
 * The gateway's LLM routes against a real Temporal dev server and the fake Bedrock (through the real
 * client): question-based starts (POST /api/analyses with a question) and follow-up questions about a
 * finished analysis (POST /api/analyses/:id/questions), with tenant scoping and the grounding rule.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Caller } from '../../src/gateway/auth';
import { BedrockConverser } from '../../src/llm/bedrock';
import { apiPath, eventually, startFixture, startHarness, type Harness } from '../gateway/harness';
import { fakeClient, FakeBedrock, testBedrockConfig } from '../fakes/bedrock';

let h: Harness;
let fake: FakeBedrock;
let url: string;
let offlineUrl: string;

const caller = (tenants: string[]): Caller => ({ subject: 'tester', tenants, via: 'api-key' });

before(async () => {
  [h, fake] = await Promise.all([startHarness(), FakeBedrock.start()]);
  const config = testBedrockConfig(fake.url);
  const client = fakeClient(config);
  ({ url } = await h.gateway({
    now: () => new Date('2026-11-21T07:00:00Z'),
    authenticate: () => Promise.resolve(caller(['demo'])),
    llm: { converser: () => new BedrockConverser(client, config), accountNames: (t) => (t === 'demo' ? { staging: '222233334444' } : undefined) },
  }));
  ({ url: offlineUrl } = await h.gateway({ now: () => new Date('2026-11-21T07:00:00Z'), llm: {} }));
});
after(async () => {
  await Promise.all([h?.close(), fake?.close()]);
});

async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('a question starts an analysis planned by the model, and the response shows the plan', async () => {
  fake.answer({ toolUse: { name: 'make_plan', input: { agents: ['ec2', 's3', 'rds'], accounts: ['222233334444'], focus: 'savings', explanation: 'Savings in staging' } } });
  const started = await post(url, '/api/analyses', { question: 'What can we cut in the staging account?', tenant: 'demo' });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const plan = started.body.plan as { agents: string[]; accounts: string[]; source: string };
  assert.deepEqual(plan.agents, ['ec2', 's3', 'rds']);
  assert.deepEqual(plan.accounts, ['222233334444']);
  assert.equal(plan.source, 'bedrock');
  const described = await h.client.workflow.getHandle(started.body.analysisId as string).describe();
  assert.equal(described.type, 'analysis');
});

test('without a model the deterministic planner plans, or answers 422 saying why it cannot', async () => {
  const ok = await post(offlineUrl, '/api/analyses', { question: 'Why did our S3 bill jump last month?', tenant: 'demo', accounts: ['123456789012'] });
  assert.equal(ok.status, 202, JSON.stringify(ok.body));
  assert.deepEqual((ok.body.plan as { period: unknown }).period, { start: '2026-10-01', end: '2026-11-01' });
  assert.equal((ok.body.plan as { source: string }).source, 'deterministic');
  const cannot = await post(offlineUrl, '/api/analyses', { question: 'What can we cut in the sandbox account?', tenant: 'demo' });
  assert.equal(cannot.status, 422);
  assert.equal((cannot.body.error as { code: string }).code, 'cannot_plan');
  const bad = await post(offlineUrl, '/api/analyses', { question: 'x'.repeat(600), tenant: 'demo', agents: ['ec2'] });
  assert.equal(bad.status, 400);
});

test('planning is refused before any tokens are spent for a tenant the caller cannot act for', async () => {
  fake.answer();
  const refused = await post(url, '/api/analyses', { question: 'What can we cut?', tenant: 'other', accounts: ['123456789012'] });
  assert.equal(refused.status, 403);
  assert.equal(fake.requests.length, 0);
});

test('follow-up questions about a finished analysis are answered from its report, grounded', async () => {
  const id = await startFixture(h.client, h.taskQueue, { requestedBy: 'report:3:5' });
  await eventually(async () => ((await h.client.workflow.getHandle(id).describe()).status.name === 'COMPLETED' ? true : undefined), 20_000, 'the fixture report');

  fake.answer(({ promptText }) => {
    // Answer with the first dollar figure the prompt's data holds: grounded by construction.
    const total = /"total": "([\d.]+)"/.exec(promptText)?.[1] ?? '0';
    return { text: `Total spend was $${Number(total).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}.` };
  });
  const good = await post(url, apiPath(id, '/questions'), { question: 'How much did we spend?' });
  assert.equal(good.status, 200, JSON.stringify(good.body));
  assert.equal(good.body.source, 'bedrock');
  assert.match(String(good.body.answer), /^Total spend was \$/);
  assert.equal((good.body.usage as { calls: number }).calls, 1);

  fake.answer({ text: 'You spent $123,456,789.' }, { text: 'You spent $987,654,321.' });
  const invented = await post(url, apiPath(id, '/questions'), { question: 'How much did we spend?' });
  assert.equal(invented.body.source, 'deterministic-after-grounding-failure');
  assert.deepEqual(invented.body.rejectedFigures, ['$123,456,789', '$987,654,321']);

  const offline = await post(offlineUrl, apiPath(id, '/questions'), { question: 'What can we save?' });
  assert.equal(offline.body.source, 'deterministic');

  const missing = await post(url, apiPath(id, '/questions'), {});
  assert.equal(missing.status, 400);
  const otherTenant = await post(url, apiPath(id.replace('/demo/', '/other/'), '/questions'), { question: 'How much?' });
  assert.equal(otherTenant.status, 404);
});
