/**
 * Durability: a worker process killed (SIGKILL) in the middle of an analysis, then started again,
 * lets the analysis finish with the same result as an uninterrupted run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startAnalysis } from '../../src/client/analyses';
import type { AnalysisProgress } from '../../src/domain/progress';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { generateScenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { progressQuery } from '../../src/workflows/messages';
import { startWorkerProcess, type Proc } from '../helpers/processes';
import { lastFullMonths, SAMPLE_ACCOUNT, TEST_TODAY, testNow } from '../helpers/stack';
import { startTemporal } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let sim: RunningSimulator;
const taskQueue = `restart-${process.pid}`;
const workers: Proc[] = [];

before(async () => {
  [env, sim] = await Promise.all([
    startTemporal(),
    // Small pages and slow responses: each agent pages for a few seconds, so the kill lands mid-activity.
    startSimulator({ port: 0, scenario: generateScenario({ seed: 7, anchorDate: TEST_TODAY }), costExplorerPageSize: 25 }),
  ]);
  sim.setFaults([{ operation: 'GetCostAndUsage', latencyMs: 250 }]);
});

after(async () => {
  await Promise.allSettled(workers.map((w) => w.kill('SIGKILL')));
  await Promise.allSettled([env?.teardown(), sim?.close()]);
});

function startWorker(): Proc {
  const worker = startWorkerProcess({ temporalAddress: env.address, taskQueue, awsEndpoint: sim.url });
  workers.push(worker);
  return worker;
}

/**
 * The same analysis for a tenant of its own: Cost Explorer reads are cached per tenant (src/activities/cost-reads.ts),
 * so a second run of one tenant would make fewer requests, and the report's usage would differ for that reason alone.
 */
function requestFor(tenant: string) {
  const validated = validateAnalysisRequest({ tenant, accounts: [SAMPLE_ACCOUNT], period: lastFullMonths(2) }, testNow());
  assert.ok(validated.ok);
  return validated.request;
}

/** The parts of a report that must not depend on how the run went. */
function essentials(report: AnalysisReport) {
  return {
    status: report.status,
    spend: report.spend,
    agents: report.agents.map(({ agent, status, spend }) => ({ agent, status, spend })),
    failures: report.failures,
    usage: report.usage,
  };
}

test('killing the worker mid-analysis and starting it again gives the same report', async () => {
  let worker = startWorker();
  await worker.waitFor(/Worker running on task queue/);

  const baselineRun = await startAnalysis(env.client, taskQueue, requestFor('durable-baseline'));
  const baseline = (await env.client.workflow.getHandle(baselineRun.analysisId).result()) as AnalysisReport;
  assert.equal(baseline.status, 'complete');

  const run = await startAnalysis(env.client, taskQueue, requestFor('durable-killed'));
  const handle = env.client.workflow.getHandle(run.analysisId);
  // Wait until agents are paging through Cost Explorer, then kill the worker without warning.
  let progress: AnalysisProgress | undefined;
  for (let i = 0; i < 600 && !(progress && progress.counts.running >= 3); i++) {
    await new Promise((r) => setTimeout(r, 50));
    progress = await handle.query(progressQuery).catch(() => undefined);
  }
  assert.ok(progress && progress.counts.running >= 3, 'agents were running when the worker died');
  assert.equal(await worker.kill('SIGKILL'), null);

  worker = startWorker();
  await worker.waitFor(/Worker running on task queue/);
  const report = (await handle.result()) as AnalysisReport;

  assert.deepEqual(essentials(report), essentials(baseline));
  const final = await handle.query(progressQuery);
  assert.equal(final.state, 'completed');
});
