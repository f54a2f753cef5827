/**
 * The worker enforces the tenant binding itself: a request started directly on Temporal (no gateway)
 * for an account outside its tenant's binding fails before any AWS call, with the reason — an analysis,
 * and an agent workflow started on its own too; a bound account is analysed. The worker process reads FINOPS_TENANTS as in production, refuses to start on a
 * bad configuration naming every problem, and says so when it runs single-tenant.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describeFailure, startAnalysis } from '../../src/client/analyses';
import type { AgentKind } from '../../src/domain/agents';
import { previousPeriod } from '../../src/domain/period';
import type { AgentResult, AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { generateScenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { startWorkerProcess, type Proc } from '../helpers/processes';
import { lastFullMonths, SAMPLE_ACCOUNT, TEST_TODAY, testNow } from '../helpers/stack';
import type { AgentInput } from '../../src/workflows/agents/index';
import { startTemporal } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let sim: RunningSimulator;
const taskQueue = `binding-${process.pid}`;
const workers: Proc[] = [];
const storeDir = mkdtempSync(join(tmpdir(), 'finops-binding-store-'));

before(async () => {
  [env, sim] = await Promise.all([startTemporal({ storeDir }), startSimulator({ port: 0, scenario: generateScenario({ seed: 7, anchorDate: TEST_TODAY }) })]);
});
after(async () => {
  await Promise.allSettled(workers.map((w) => w.kill('SIGKILL')));
  await Promise.allSettled([env?.teardown(), sim?.close()]);
});

function startWorker(extra: Record<string, string>): Proc {
  const worker = startWorkerProcess({ temporalAddress: env.address, taskQueue, awsEndpoint: sim.url, storeDir, env: extra });
  workers.push(worker);
  return worker;
}

/** An agent's input for acme, as an analysis would pass it, for starting the agent on its own. */
function agentInput(agent: AgentKind, accounts: string[]): AgentInput {
  const period = lastFullMonths(1);
  return {
    analysisId: `direct-${agent}-${accounts.join('-')}-${process.pid}`,
    agent,
    tenant: 'acme',
    accounts,
    regions: ['us-east-1'],
    period,
    previousPeriod: previousPeriod(period),
    asOf: TEST_TODAY,
  };
}

function request(tenant: string, accounts: string[]) {
  const validated = validateAnalysisRequest(
    { tenant, accounts, agents: ['ec2'], period: lastFullMonths(1) },
    testNow(),
  );
  assert.ok(validated.ok);
  return validated.request;
}

test('a bad tenant configuration stops the worker with every problem named', async () => {
  const worker = startWorker({ FINOPS_TENANTS: JSON.stringify({ tenants: { acme: { accounts: ['12'] }, Globex: {} } }) });
  const code = await new Promise<number | null>((resolve) => {
    if (worker.child.exitCode !== null) resolve(worker.child.exitCode);
    else worker.child.once('exit', (c) => resolve(c));
  });
  assert.equal(code, 1);
  const output = worker.output();
  assert.match(output, /FINOPS_TENANTS has 3 problems/);
  assert.match(output, /"12" is not a 12-digit AWS account ID/);
  assert.match(output, /tenant "Globex": a tenant name is 1-63 lowercase/);
  assert.match(output, /tenant "Globex": bind at least one account/);
});

test('the worker refuses a run started directly on Temporal for an unbound account, before any AWS call', async () => {
  const worker = startWorker({ FINOPS_TENANTS: JSON.stringify({ tenants: { acme: { accounts: [SAMPLE_ACCOUNT] } } }) });
  await worker.waitFor(/Worker running on task queue/, 180_000); // bundling workflows is slow on a loaded machine
  assert.match(worker.output(), /Tenancy: 1 tenant bound to their accounts: acme \(1 account\)/);
  sim.resetStats();

  for (const [tenant, accounts, reason] of [
    ['acme', ['999999999999'], /Tenant "acme" may not analyse account 999999999999/],
    ['acme', [SAMPLE_ACCOUNT, '999999999999'], /may not analyse account 999999999999/],
    ['globex', [SAMPLE_ACCOUNT], /Tenant "globex" has no accounts bound/],
  ] as const) {
    const run = await startAnalysis(env.client, taskQueue, request(tenant, [...accounts]));
    const failure = await env.client.workflow.getHandle(run.analysisId).result().then(
      () => assert.fail('the run should have been refused'),
      (err: unknown) => err,
    );
    assert.ok(failure instanceof WorkflowFailedError);
    assert.match(describeFailure(failure), reason);
    assert.match(describeFailure(failure), /The worker refuses to analyse it/);
  }
  // An agent workflow started on Temporal directly (no analysis around it) is refused the same way.
  for (const [agent, workflowType] of [['ec2', 'ec2Agent'], ['s3', 's3Agent']] as const) {
    const input = agentInput(agent, ['999999999999']);
    const failure = await env.client.workflow
      .execute(workflowType, { taskQueue, workflowId: `${input.analysisId}/agent`, args: [input] })
      .then(() => assert.fail(`${workflowType} should have been refused`), (err: unknown) => err);
    assert.ok(failure instanceof WorkflowFailedError);
    assert.match(describeFailure(failure), /Tenant "acme" may not analyse account 999999999999: not among the accounts bound to it\. The worker refuses to analyse it/);
  }
  assert.deepEqual(sim.stats(), {}, 'no AWS request was made for a refused run');

  // An agent started directly on a bound account runs.
  const direct = agentInput('s3', [SAMPLE_ACCOUNT]);
  const s3 = await env.client.workflow.execute('s3Agent', { taskQueue, workflowId: `${direct.analysisId}/agent`, args: [direct] });
  assert.equal((s3 as AgentResult).agent, 's3');

  // The bound account is analysed as before.
  const ok = await startAnalysis(env.client, taskQueue, request('acme', [SAMPLE_ACCOUNT]));
  const report = (await env.client.workflow.getHandle(ok.analysisId).result()) as AnalysisReport;
  assert.equal(report.status, 'complete');
  await worker.kill('SIGTERM');
});

test('without configuration the worker runs single-tenant and says so', async () => {
  const worker = startWorker({});
  await worker.waitFor(/Worker running on task queue/, 180_000); // bundling workflows is slow on a loaded machine
  assert.match(worker.output(), /Tenancy: single tenant .*no account binding/);
  await worker.kill('SIGTERM');
});
