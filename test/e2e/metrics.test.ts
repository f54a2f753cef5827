/**
 * The worker's Prometheus endpoint, scraped after a real analysis run by the worker process: the SDK's
 * runtime metrics (task slots, schedule-to-start latency, activity failures after an injected fault) and the
 * project's own counters, each equal to what the analysis's report states (analyses by outcome, AWS and Cost
 * Explorer requests, LLM tokens, findings, monthly savings).
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startAnalysis } from '../../src/client/analyses';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { generateScenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { FINOPS_METRICS } from '../../src/workflows/metrics-interceptor';
import { FakeBedrock, TEST_MODEL } from '../fakes/bedrock';
import { startProcess, startWorkerProcess, type Proc } from '../helpers/processes';
import { lastFullMonths, SAMPLE_ACCOUNT, TEST_TODAY, testNow } from '../helpers/stack';
import { startTemporal } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let sim: RunningSimulator;
let bedrock: FakeBedrock;
let worker: Proc | undefined;
const taskQueue = `metrics-${process.pid}`;

before(async () => {
  [env, sim, bedrock] = await Promise.all([
    startTemporal(),
    startSimulator({ port: 0, scenario: generateScenario({ seed: 42, anchorDate: TEST_TODAY }) }),
    FakeBedrock.start(),
  ]);
  bedrock.fallback = { text: 'Compute is where the money goes; see the findings for what to change.', inputTokens: 1200, outputTokens: 40 };
});

after(async () => {
  await worker?.kill('SIGKILL');
  await Promise.allSettled([env?.teardown(), sim?.close(), bedrock?.close()]);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, one sample a line (comments skipped). */
function parsePrometheus(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      assert.ok(match, `not a Prometheus sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

const sum = (samples: Sample[], name: string, where: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);

test('the worker serves SDK and FinOps metrics on its Prometheus endpoint, matching the report', async () => {
  const port = await freePort();
  worker = startWorkerProcess({
    temporalAddress: env.address,
    taskQueue,
    awsEndpoint: sim.url,
    env: { FINOPS_WORKER_METRICS_PORT: String(port), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url, FINOPS_BEDROCK_MODEL_ID: TEST_MODEL },
  });
  await worker.waitFor(new RegExp(`Worker metrics at http://127\\.0\\.0\\.1:${port}/metrics`), 120_000);
  await worker.waitFor(/Worker running on task queue/, 120_000);

  // EC2 failing more times than the AWS SDK retries: the activity fails and is retried, so the SDK counts an activity failure.
  sim.setFaults([{ operation: 'ec2:DescribeInstances', error: 'InternalError', count: 8 }]);
  const validated = validateAnalysisRequest(
    { tenant: 'metrics', accounts: [SAMPLE_ACCOUNT], agents: ['ec2'], period: lastFullMonths(1) },
    testNow(),
  );
  assert.ok(validated.ok);
  const { analysisId } = await startAnalysis(env.client, taskQueue, validated.request);
  const report = (await env.client.workflow.getHandle(analysisId).result()) as AnalysisReport;

  // The workflow's metrics are flushed by the core in the background: scrape until the analysis shows.
  let samples: Sample[] = [];
  for (let i = 0; i < 60; i++) {
    samples = parsePrometheus(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    if (sum(samples, `${FINOPS_METRICS.analyses}_total`) > 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }

  const ours = samples.filter((s) => s.name.startsWith('finops_')).map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`);
  assert.equal(sum(samples, `${FINOPS_METRICS.analyses}_total`, { outcome: report.status, taskQueue }), 1, ours.join('\n'));
  assert.equal(sum(samples, `${FINOPS_METRICS.analyses}_total`), 1, 'one analysis, counted once');

  const requests = Object.entries(report.usage.requests ?? {});
  assert.ok(requests.length > 0, 'the report counts its AWS requests');
  for (const [key, count] of requests) {
    const [service, operation] = key.split(':');
    assert.equal(sum(samples, `${FINOPS_METRICS.awsRequests}_total`, { service: service!, operation: operation! }), count, key);
  }
  assert.equal(
    sum(samples, `${FINOPS_METRICS.awsRequests}_total`),
    requests.reduce((t, [, n]) => t + n, 0),
  );
  assert.ok(report.usage.costExplorerRequests > 0);
  assert.equal(sum(samples, `${FINOPS_METRICS.costExplorerRequests}_total`), report.usage.costExplorerRequests);

  const llm = report.usage.llm;
  assert.ok(llm && llm.inputTokens > 0, `the summary went through the fake Bedrock: ${JSON.stringify(report.summary?.source)}`);
  assert.equal(sum(samples, `${FINOPS_METRICS.llmTokens}_total`, { direction: 'input', model: TEST_MODEL }), llm.inputTokens);
  assert.equal(sum(samples, `${FINOPS_METRICS.llmTokens}_total`, { direction: 'output', model: TEST_MODEL }), llm.outputTokens);

  const findings = report.findings;
  assert.ok(findings && findings.count > 0, 'the sample account has planted EC2 waste');
  assert.equal(sum(samples, `${FINOPS_METRICS.findings}_total`), findings.count);
  for (const [check, { count }] of Object.entries(findings.byCheck)) {
    assert.equal(sum(samples, `${FINOPS_METRICS.findings}_total`, { check }), count, check);
  }
  assert.ok(Math.abs(sum(samples, `${FINOPS_METRICS.monthlySavings}_sum`) - Number(findings.monthlySavings)) < 0.005);
  assert.equal(sum(samples, `${FINOPS_METRICS.monthlySavings}_count`), 1);
  assert.equal(sum(samples, `${FINOPS_METRICS.duration}_count`, { outcome: report.status }), 1);

  // The SDK runtime's own metrics, on the same endpoint.
  const names = new Set(samples.map((s) => s.name));
  for (const expected of [
    'temporal_worker_task_slots_available',
    'temporal_workflow_task_schedule_to_start_latency_bucket',
    'temporal_activity_schedule_to_start_latency_bucket',
    'temporal_activity_execution_failed_total',
  ]) {
    assert.ok(names.has(expected), `${expected} is not served; served: ${[...names].filter((n) => n.startsWith('temporal_')).join(', ')}`);
  }
  assert.ok(sum(samples, 'temporal_activity_execution_failed_total') >= 1);
});

test('a metrics port already in use stops the worker with a clear message', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const { port } = busy.address() as AddressInfo;
  try {
    const proc = startProcess('src/worker/main.ts', { TEMPORAL_ADDRESS: env.address, FINOPS_WORKER_METRICS_PORT: String(port) });
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(proc.output(), new RegExp(`worker: FINOPS_WORKER_METRICS_HOST:FINOPS_WORKER_METRICS_PORT 127\\.0\\.0\\.1:${port} is already in use`));
  } finally {
    busy.close();
  }
});
