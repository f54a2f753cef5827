/**
 * The S3, tagging and forecasting agent workflows on a real Temporal dev server against the sample
 * account: each returns its findings summary (full list in the store), thresholds, usage, notes, and
 * — for tagging and forecasting — the compliance and forecast blocks, in a small history.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AgentResult } from '../../src/domain/report';
import type { AgentInput } from '../../src/workflows/agents';
import { previousPeriod } from '../../src/domain/period';
import { lastFullMonths, SAMPLE_ACCOUNT, startStack, TEST_TODAY, type TestStack } from '../helpers/stack';

let stack: TestStack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.close();
});

function input(agent: AgentInput['agent'], analysisId: string): AgentInput {
  return {
    analysisId,
    agent,
    tenant: 'agents',
    accounts: [SAMPLE_ACCOUNT],
    regions: ['us-east-1', 'eu-west-1'],
    period: lastFullMonths(1),
    previousPeriod: previousPeriod(lastFullMonths(1)),
  };
}

test('the three agents run as workflows and return compact results', async () => {
  const analysisId = `analysis/agents/${Date.now()}`;
  const results = await stack.withWorker(() =>
    Promise.all(
      (['s3Agent', 'taggingAgent', 'forecastingAgent'] as const).map(
        (workflow, i) =>
          stack.env.client.workflow.execute(workflow, {
            taskQueue: stack.taskQueue,
            workflowId: `${analysisId}/${['s3', 'tagging', 'forecasting'][i]}`,
            args: [input((['s3', 'tagging', 'forecasting'] as const)[i]!, analysisId)],
          }) as Promise<AgentResult>,
      ),
    ),
  );
  const [s3, tagging, forecasting] = results as [AgentResult, AgentResult, AgentResult];

  assert.equal(s3.findings?.count, 3);
  assert.deepEqual(Object.keys(s3.findings?.byCheck ?? {}).sort(), [
    's3-no-abort-multipart',
    's3-no-lifecycle',
    's3-versioned-no-noncurrent-expiration',
  ]);
  assert.ok(s3.findings?.storeKey?.endsWith('/findings/s3.json'));
  assert.equal(s3.thresholds?.['abortMultipartDays'], 7);
  assert.ok((s3.usage?.requests['cloudwatch:GetMetricData'] ?? 0) >= 1);

  assert.ok(tagging.tagging, 'tagging compliance block');
  assert.ok(tagging.tagging.byCount.total.resources > 20);
  assert.ok(tagging.tagging.bySpend && Number(tagging.tagging.bySpend.total.total) > 0);
  assert.ok((tagging.findings?.count ?? 0) > 0);
  // The spend query is shared with the other agents (whichever asked first pays for it).
  assert.ok(tagging.costExplorerRequests >= tagging.tagging.bySpend.requests, 'the compliance queries are counted');

  const f = forecasting.forecast;
  assert.ok(f, 'forecast block');
  assert.equal(f.asOf, TEST_TODAY);
  assert.ok(f.costExplorer && f.backtest && f.budget);
  const spike = stack.sim.scenario.events.find((e) => e.kind === 'spike');
  assert.ok(spike, 'the sample account plants a spike');
  assert.ok(
    f.anomalies.some((a) => a.start <= spike.endDate && a.end >= spike.date),
    `the planted spike (${spike.date} to ${spike.endDate}): found ${JSON.stringify(f.anomalies.map((a) => [a.start, a.end]))}`,
  );

  // Small histories: one activity per agent besides the spend query.
  for (const agent of ['s3', 'tagging', 'forecasting']) {
    const history = await stack.env.client.workflow.getHandle(`${analysisId}/${agent}`).fetchHistory();
    assert.ok((history.events?.length ?? 0) < 40, `${agent}: ${history.events?.length} events`);
    const size = JSON.stringify(history).length;
    assert.ok(size < 200_000, `${agent}: history ${size} bytes`);

    // The agent's own check runs alongside the spend read, not after it: both are scheduled before either ends.
    const events = history.events ?? [];
    const scheduled = events.flatMap((e, i) => (e.activityTaskScheduledEventAttributes ? [{ i, type: e.activityTaskScheduledEventAttributes.activityType?.name }] : []));
    const own = { s3: 'analyseStorage', tagging: 'analyseTagging', forecasting: 'analyseForecast' }[agent];
    const spendRead = scheduled.find((s) => s.type === 'fetchSpend');
    const ownCheck = scheduled.find((s) => s.type === own);
    assert.ok(spendRead && ownCheck, `${agent}: ${JSON.stringify(scheduled)}`);
    const spendDone = events.findIndex((e, i) => i > spendRead.i && e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === events[spendRead.i]?.eventId?.toString());
    assert.ok(spendDone > 0, `${agent}: the spend read completed`);
    assert.ok(ownCheck.i < spendDone, `${agent}: ${own} scheduled alongside the spend read, not after it`);
  }
});
