/**
 * OpenTelemetry tracing end to end, with an in-memory exporter: analyses started through the gateway's REST
 * API (a real HTTP request, a real dev server, the worker with the sample account) each form one trace —
 * the HTTP request's span, the workflow start, the analysis workflow, its agents' child workflows and every
 * activity — continuing the caller's `traceparent`; two analyses never share a trace.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { AwsClientFactory } from '../../src/activities/aws-clients';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { generateScenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { clientTracingInterceptors, startTracing, traceHttpServer, TRACING_WORKFLOW_INTERCEPTOR_MODULE, type Tracing } from '../../src/tracing';
import { createWorker, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../src/worker/worker';
import { lastFullMonths, SAMPLE_ACCOUNT, SIM_CREDENTIALS, TEST_TODAY, testNow } from '../helpers/stack';
import { payloadReferenceConverter } from '../../src/payload-references';
import { startTemporal } from '../helpers/temporal';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let env: TestWorkflowEnvironment;
let sim: RunningSimulator;
let gateway: Gateway;
let url: string;
const taskQueue = `tracing-${process.pid}`;

before(async () => {
  tracing = startTracing({ serviceName: 'finops-test', spanProcessor: new SimpleSpanProcessor(exporter) });
  [env, sim] = await Promise.all([startTemporal(), startSimulator({ port: 0, scenario: generateScenario({ seed: 5, anchorDate: TEST_TODAY }) })]);
  const client = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    dataConverter: payloadReferenceConverter(),
    interceptors: clientTracingInterceptors(tracing),
  });
  gateway = createGateway({ client, taskQueue, dashboard: false, now: testNow });
  traceHttpServer(gateway.server, tracing);
  ({ url } = await gateway.listen(0));
});

after(async () => {
  await gateway?.close();
  await Promise.allSettled([env?.teardown(), sim?.close(), tracing?.shutdown()]);
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

async function startThroughGateway(headers: Record<string, string>): Promise<string> {
  const response = await fetch(`${url}/api/analyses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ tenant: 'traced', accounts: [SAMPLE_ACCOUNT], agents: ['ec2', 's3'], period: lastFullMonths(1) }),
  });
  assert.equal(response.status, 202, await response.clone().text());
  return ((await response.json()) as { analysisId: string }).analysisId;
}

const workflowIdOf = (span: ReadableSpan) => span.attributes.temporalWorkflowId as string | undefined;

test('one analysis, one trace: the gateway request, the workflow, its agents and their activities', async () => {
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES, TRACING_WORKFLOW_INTERCEPTOR_MODULE],
    logger: { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: console.error },
  });
  const activities = createActivities(new AwsClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS, maxAttempts: 1 }), undefined, {
    now: testNow,
  });
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
    workflowBundle: bundle,
    tracing,
    shutdownGraceMs: 1000,
  });

  const [first, second] = await worker.runUntil(async () => {
    // The first caller sends a traceparent (its own trace continues); the second does not (a new trace begins).
    const ids = await Promise.all([startThroughGateway({ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` }), startThroughGateway({})]);
    await Promise.all(ids.map((id) => env.client.workflow.getHandle(id).result()));
    return ids;
  });
  await tracing.spanProcessor.forceFlush();
  const spans = exporter.getFinishedSpans();

  const traceOf = (analysisId: string) => {
    const start = spans.find((s) => s.name === 'StartWorkflow:analysis' && workflowIdOf(s) === analysisId);
    assert.ok(start, `no StartWorkflow span for ${analysisId}`);
    return start.spanContext().traceId;
  };
  const firstTrace = traceOf(first);
  const secondTrace = traceOf(second);
  assert.equal(firstTrace, TRACE_ID, 'the caller’s traceparent is continued');
  assert.notEqual(secondTrace, firstTrace, 'two analyses, two traces');

  for (const [analysisId, traceId] of [
    [first, firstTrace],
    [second, secondTrace],
  ] as const) {
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const names = new Set(inTrace.map((s) => s.name));
    // The HTTP request is the root of the trace we made (the first one's parent is the caller's span).
    const http = inTrace.find((s) => s.name === 'POST /api/analyses');
    assert.ok(http, `no HTTP span in the trace of ${analysisId}`);
    for (const name of ['StartWorkflow:analysis', 'RunWorkflow:analysis', 'StartChildWorkflow:ec2Agent', 'StartChildWorkflow:s3Agent', 'RunWorkflow:ec2Agent', 'RunWorkflow:s3Agent']) {
      assert.ok(names.has(name), `${name} is not in the trace of ${analysisId}: ${[...names].join(', ')}`);
    }
    const activityRuns = inTrace.filter((s) => s.name.startsWith('RunActivity:'));
    assert.ok(activityRuns.length >= 2, `activities in the trace of ${analysisId}: ${activityRuns.map((s) => s.name).join(', ')}`);
    // Every span is connected: its parent is in the same trace (or is the caller's span, for the HTTP request).
    const ids = new Set(inTrace.map((s) => s.spanContext().spanId));
    for (const span of inTrace) {
      if (span === http) continue;
      assert.ok(span.parentSpanId && ids.has(span.parentSpanId), `${span.name} hangs loose in the trace of ${analysisId}`);
    }
  }
  // And nothing of either analysis ran outside its trace.
  for (const span of spans.filter((s) => s.name.startsWith('RunWorkflow:') || s.name.startsWith('RunActivity:'))) {
    assert.ok([firstTrace, secondTrace].includes(span.spanContext().traceId), `${span.name} is in a trace of its own`);
  }
});
