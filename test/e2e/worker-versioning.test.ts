/**
 * Worker Versioning on a real dev server: an analysis started while build v1 is the deployment's current
 * version stays pinned to v1 after v2 becomes current, and finishes there; the next analysis runs on v2.
 * Half a setting stops the worker at start-up.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { AwsClientFactory } from '../../src/activities/aws-clients';
import { startAnalysis } from '../../src/client/analyses';
import { ConfigError } from '../../src/config';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { generateScenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { workerVersionFromEnv } from '../../src/worker/versioning';
import { createWorker, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../src/worker/worker';
import { lastFullMonths, SAMPLE_ACCOUNT, SIM_CREDENTIALS, TEST_TODAY, testNow } from '../helpers/stack';
import { startTemporal } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let sim: RunningSimulator;
const taskQueue = `versioning-${process.pid}`;
const deploymentName = `finops-${process.pid}`;

before(async () => {
  [env, sim] = await Promise.all([startTemporal(), startSimulator({ port: 0, scenario: generateScenario({ seed: 9, anchorDate: TEST_TODAY }) })]);
});

after(async () => {
  await Promise.allSettled([env?.teardown(), sim?.close()]);
});

test('half a Worker Versioning setting, or a deployment name with a dot, stops the worker', () => {
  assert.equal(workerVersionFromEnv({}), undefined);
  assert.deepEqual(workerVersionFromEnv({ FINOPS_WORKER_DEPLOYMENT_NAME: 'finops', FINOPS_WORKER_BUILD_ID: '1.2.3' }), { deploymentName: 'finops', buildId: '1.2.3' });
  assert.throws(() => workerVersionFromEnv({ FINOPS_WORKER_BUILD_ID: '1.2.3' }), (e: unknown) => e instanceof ConfigError && /needs both FINOPS_WORKER_DEPLOYMENT_NAME and FINOPS_WORKER_BUILD_ID/.test(e.message));
  assert.throws(() => workerVersionFromEnv({ FINOPS_WORKER_DEPLOYMENT_NAME: 'finops.prod', FINOPS_WORKER_BUILD_ID: '1' }), /without dots/);
});

async function setCurrent(buildId: string): Promise<void> {
  // The version exists once its workers have polled; until then the server refuses it.
  for (let attempt = 0; ; attempt++) {
    try {
      await env.client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: env.namespace ?? 'default',
        deploymentName,
        buildId,
        identity: 'worker-versioning-test',
      });
      return;
    } catch (err) {
      if (attempt >= 60) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function versionOf(workflowId: string): Promise<{ behavior: string; buildId: string | undefined }> {
  const info = (await env.client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.versioningInfo;
  return { behavior: String(info?.behavior ?? ''), buildId: info?.deploymentVersion?.buildId ?? undefined };
}

test('a running analysis stays on the build that started it when a new build becomes current', async () => {
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: console.error },
  });
  const activities = createActivities(new AwsClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS, maxAttempts: 1 }), undefined, { now: testNow });
  const workerFor = (buildId: string) =>
    createWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, activities, workflowBundle: bundle, shutdownGraceMs: 1000, version: { deploymentName, buildId } });
  const validated = validateAnalysisRequest({ tenant: 'rollout', accounts: [SAMPLE_ACCOUNT], agents: ['ec2', 's3'], period: lastFullMonths(1) }, testNow());
  assert.ok(validated.ok);

  const v1: Worker = await workerFor('v1');
  const v1Running = v1.run();
  let v2: Worker | undefined;
  let v2Running: Promise<void> | undefined;
  try {
    await setCurrent('v1');
    // Slow Cost Explorer: the first analysis is still running when v2 takes over.
    sim.setFaults([{ operation: 'ce:GetCostAndUsage', latencyMs: 1500 }]);
    const first = await startAnalysis(env.client, taskQueue, validated.request, testNow());
    for (let i = 0; i < 60 && (await versionOf(first.analysisId)).buildId !== 'v1'; i++) await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(await versionOf(first.analysisId), { behavior: '1', buildId: 'v1' }, 'pinned (VERSIONING_BEHAVIOR_PINNED = 1) to v1');

    v2 = await workerFor('v2');
    v2Running = v2.run();
    await setCurrent('v2');
    sim.setFaults([]);
    const second = await startAnalysis(env.client, taskQueue, validated.request, testNow());

    const [firstReport, secondReport] = (await Promise.all([
      env.client.workflow.getHandle(first.analysisId).result(),
      env.client.workflow.getHandle(second.analysisId).result(),
    ])) as [AnalysisReport, AnalysisReport];
    assert.equal((await versionOf(first.analysisId)).buildId, 'v1', 'the running analysis finished on the build that started it');
    assert.equal((await versionOf(second.analysisId)).buildId, 'v2', 'new analyses run on the current build');
    assert.deepEqual(firstReport.spend, secondReport.spend);
  } finally {
    v1.shutdown();
    v2?.shutdown();
    await Promise.allSettled([v1Running, v2Running]);
  }
});
