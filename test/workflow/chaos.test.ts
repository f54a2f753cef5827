/**
 * Reliability: with 30% of AWS requests throttled and 5% failing with server errors, an analysis still
 * completes with the same numbers (the SDK retries single calls; activities retry what is left).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAnalysis } from '../../src/client/analyses';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { lastFullMonths, SAMPLE_ACCOUNT, startStack, testNow, type TestStack } from '../helpers/stack';

let stack: TestStack;
before(async () => {
  // Pages small enough that faults land mid-listing (the daily read by service and usage type runs to dozens of
  // pages over two months), large enough that 30% throttling does not stretch the run past the file timeout.
  stack = await startStack({ costExplorerPageSize: 150, sdkMaxAttempts: 3 });
});
after(async () => {
  await stack?.close();
});

const validated = validateAnalysisRequest(
  { tenant: 'chaos', accounts: [SAMPLE_ACCOUNT], period: lastFullMonths(2) },
  testNow(),
);
if (!validated.ok) throw new Error(validated.errors.join('; '));
const request = validated.request;

/** Each run its own tenant, so neither finds the other's days in the Cost Explorer cache: both do the same work. */
async function analyse(tenant: string): Promise<AnalysisReport> {
  return stack.withWorker(async () => {
    const { analysisId } = await startAnalysis(stack.env.client, stack.taskQueue, { ...request, tenant });
    return (await stack.env.client.workflow.getHandle(analysisId).result()) as AnalysisReport;
  });
}

test('30% throttling and 5% server errors change nothing in the report', async () => {
  const calm = await analyse('chaos-calm');
  stack.sim.resetStats();
  stack.sim.setFaults([
    { operation: '*', error: 'InternalServerError', rate: 0.05 },
    { operation: '*', error: 'LimitExceededException', rate: 0.3 },
  ]);
  try {
    const stormy = await analyse('chaos-stormy');
    const injected = stack.sim.faults().reduce((n, f) => n + f.applied, 0);
    assert.ok(injected > 0, 'faults were injected');
    assert.equal(stormy.status, 'complete');
    assert.deepEqual(stormy.spend, calm.spend);
    assert.deepEqual(
      stormy.agents.map((a) => [a.agent, a.status, a.spend]),
      calm.agents.map((a) => [a.agent, a.status, a.spend]),
    );
    // The same findings, tagging compliance and forecast: no listing came back short after a retry.
    assert.equal(stormy.findings?.count, calm.findings?.count);
    assert.equal(stormy.findings?.monthlySavings, calm.findings?.monthlySavings);
    assert.deepEqual(stormy.findings?.byCheck, calm.findings?.byCheck);
    assert.deepEqual(stormy.tagging?.byCount, calm.tagging?.byCount);
    assert.deepEqual(stormy.tagging?.bySpend, calm.tagging?.bySpend);
    assert.deepEqual(stormy.forecast?.total, calm.forecast?.total);
    // Billable requests are the pages that succeeded, as in the calm run.
    const ce = (r: AnalysisReport) =>
      Object.fromEntries(Object.entries(r.usage.requests ?? {}).filter(([op]) => op.startsWith('ce:')));
    assert.deepEqual(ce(stormy), ce(calm));
    assert.equal(stormy.usage.costExplorerRequests, calm.usage.costExplorerRequests);
  } finally {
    stack.sim.setFaults([]);
  }
});
