/**
 * The analysis pipeline on a real Temporal dev server, reading the sample account through the real
 * Cost Explorer client and the simulator.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import Big from 'big.js';
import { startAnalysis } from '../../src/client/analyses';
import { AGENT_KINDS, CE_SERVICE } from '../../src/domain/agents';
import { formatUsd } from '../../src/domain/money';
import { periodDays, previousPeriod } from '../../src/domain/period';
import type { AnalysisProgress } from '../../src/domain/progress';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest, type AnalysisRequest } from '../../src/domain/request';
import { progressQuery } from '../../src/workflows/messages';
import { lastFullMonths, SAMPLE_ACCOUNT, startStack, testNow, type TestStack } from '../helpers/stack';

let stack: TestStack;
before(async () => {
  stack = await startStack({ costExplorerPageSize: 40 });
});
after(async () => {
  await stack?.close();
});

const period = lastFullMonths(1);

function request(overrides: Partial<AnalysisRequest> = {}): AnalysisRequest {
  const result = validateAnalysisRequest(
    { tenant: 'acme', accounts: [SAMPLE_ACCOUNT], period, ...overrides },
    testNow(),
  );
  assert.ok(result.ok, JSON.stringify(result));
  return result.request;
}

/** The scenario's own cost lines, summed: what Cost Explorer should have said. */
function groundTruth(p: { start: string; end: string }, services?: readonly string[]): Big {
  return stack.sim.scenario.costs
    .filter(
      (c) => c.account === SAMPLE_ACCOUNT && c.date >= p.start && c.date < p.end && (!services || services.includes(c.service)),
    )
    .reduce((sum, c) => sum.plus(c.amount), new Big(0));
}

/** Cost Explorer requests the simulator served, every operation. */
function costExplorerRequestsServed(): number {
  return Object.entries(stack.sim.stats())
    .filter(([op]) => op.startsWith('ce:'))
    .reduce((n, [, count]) => n + count, 0);
}

function assertCents(actual: string, expected: Big, what: string) {
  assert.ok(new Big(actual).minus(expected).abs().lt('0.005'), `${what}: got ${actual}, expected ${expected.toFixed(4)}`);
}

async function listIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of stack.env.client.workflow.list({ query })) ids.push(wf.workflowId);
  return ids.sort();
}

/** Visibility is eventually consistent: poll until the query returns `count` runs. */
async function waitForList(query: string, count: number): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const ids = await listIds(query);
    if (ids.length >= count) return ids;
    await new Promise((r) => setTimeout(r, 200));
  }
  return listIds(query);
}

test('an analysis runs six agents in parallel and reports total, services and trend from Cost Explorer', async () => {
  stack.sim.resetStats();
  const { report, progress, analysisId } = await stack.withWorker(async () => {
    const started = await startAnalysis(stack.env.client, stack.taskQueue, request());
    const handle = stack.env.client.workflow.getHandle(started.analysisId);
    const report = (await handle.result()) as AnalysisReport;
    const progress = await handle.query(progressQuery);
    return { report, progress, analysisId: started.analysisId };
  });

  assert.equal(report.status, 'complete');
  assert.deepEqual(report.failures, []);
  assert.deepEqual(
    report.agents.map((a) => a.status),
    AGENT_KINDS.map(() => 'succeeded'),
  );
  assert.equal(report.spend.coverage, 'whole-bill');
  assertCents(report.spend.total, groundTruth(period), 'total spend');
  assertCents(report.spend.previousTotal, groundTruth(previousPeriod(period)), 'previous period');
  assert.equal(report.spend.daily.length, periodDays(period));
  const ec2 = report.agents.find((a) => a.agent === 'ec2');
  assertCents(ec2?.spend ?? 'NaN', groundTruth(period, [CE_SERVICE.ec2Compute, CE_SERVICE.ec2Other]), 'EC2 agent spend');
  const services = report.spend.byService;
  assert.ok(services.length >= 4, 'spend is broken down by service');
  for (let i = 1; i < services.length; i++)
    assert.ok(new Big(services[i - 1]!.amount).gte(services[i]!.amount), 'ranked by spend');
  const s3 = services.find((l) => l.service === CE_SERVICE.s3);
  assertCents(s3?.amount ?? 'NaN', groundTruth(period, [CE_SERVICE.s3]), 'S3 line');

  // Every page is a billable request, and the report counts exactly what the simulator served (every
  // Cost Explorer operation: the tagging and forecasting agents also call GetTags, GetCostForecast, GetAnomalies).
  assert.equal(report.usage.costExplorerRequests, costExplorerRequestsServed());
  assert.ok(report.usage.costExplorerRequests > 1, 'small pages force pagination');

  // The sections the agents and the summariser add reach the report.
  assert.ok(report.tagging && report.tagging.byCount, 'tag compliance from the tagging agent');
  assert.ok(report.forecast && report.forecast.daily.length > 0, "the forecasting agent's forecast");
  assert.equal(report.summary?.source, 'deterministic', 'no model configured: the deterministic writer');
  assert.ok(report.summary.text.includes(formatUsd(report.spend.total)), 'the summary states the total spend');

  assert.equal(progress.state, 'completed');
  assert.equal(progress.counts.succeeded, 6);
  assert.ok(progress.version > 12, `version counts every change (got ${progress.version})`);
  assert.ok(progress.events.length > 0 && progress.events.length <= 50);

  // Searchable in the Web UI: the parent and its six children, by tenant, account and kind.
  const children = await waitForList(
    `FinopsKind = 'agent' AND FinopsTenant = 'acme' AND WorkflowId STARTS_WITH '${analysisId}/'`,
    6,
  );
  assert.deepEqual(children, AGENT_KINDS.map((a) => `${analysisId}/${a}`).sort());
  const parents = await waitForList(
    `FinopsKind = 'analysis' AND FinopsAccount = '${SAMPLE_ACCOUNT}' AND WorkflowId = '${analysisId}'`,
    1,
  );
  assert.deepEqual(parents, [analysisId]);
  const description = await stack.env.client.workflow.getHandle(analysisId).describe();
  assert.match((await description.staticSummary()) ?? '', /Cost analysis for acme/);
});

test('an agent denied a permission is skipped, the report names the permission, and the others are kept', async () => {
  // One request is denied: the agent that made it is skipped for good (access denied is not retryable);
  // the agents that were waiting for the same shared query make it again and succeed.
  stack.sim.setFaults([{ operation: 'GetCostAndUsage', error: 'AccessDeniedException', count: 1 }]);
  try {
    const report = await stack.withWorker(async () => {
      const started = await startAnalysis(stack.env.client, stack.taskQueue, request({ agents: ['ec2', 'rds', 'forecasting'] }));
      return (await stack.env.client.workflow.getHandle(started.analysisId).result()) as AnalysisReport;
    });
    assert.equal(report.status, 'partial');
    assert.deepEqual(report.failures, []);
    assert.equal(report.skipped.length, 1);
    const skipped = report.skipped[0]!;
    assert.equal(skipped.needs, 'IAM permission ce:GetCostAndUsage');
    const entry = report.agents.find((a) => a.agent === skipped.agent)!;
    assert.equal(entry.status, 'skipped');
    assert.equal(entry.reason, 'skipped: needs IAM permission ce:GetCostAndUsage');
    assert.deepEqual(
      report.agents.filter((a) => a.status === 'succeeded').map((a) => a.agent),
      ['ec2', 'rds', 'forecasting'].filter((a) => a !== skipped.agent),
    );
    if (skipped.agent !== 'forecasting') assertCents(report.spend.total, groundTruth(period), 'the whole bill still arrives');
  } finally {
    stack.sim.setFaults([]);
  }
});

test('an agent that fails for another reason is reported as failed, with the reason', async () => {
  // AWS rejecting a request is not retryable and not a missing permission: the agent fails, and says why.
  stack.sim.setFaults([{ operation: 'GetCostAndUsage', error: 'ValidationException', count: 1 }]);
  try {
    const report = await stack.withWorker(async () => {
      // A tenant of its own: the others' analyses left the period's settled days in the store (no request).
      const started = await startAnalysis(stack.env.client, stack.taskQueue, request({ tenant: 'acme-failing', agents: ['s3'] }));
      return (await stack.env.client.workflow.getHandle(started.analysisId).result()) as AnalysisReport;
    });
    assert.equal(report.status, 'partial');
    assert.deepEqual(report.skipped, []);
    assert.equal(report.failures[0]?.agent, 's3');
    assert.match(report.failures[0]?.reason ?? '', /^ce:GetCostAndUsage: AWS rejected the request: /);
  } finally {
    stack.sim.setFaults([]);
  }
});

test('the agents share one Cost Explorer query: requests equal the pages of a single query', async () => {
  stack.sim.resetStats();
  // The agents that read only their slice of the bill (tagging and forecasting make queries of their own).
  const agents = AGENT_KINDS.filter((a) => a !== 'tagging' && a !== 'forecasting');
  const report = await stack.withWorker(async () => {
    const started = await startAnalysis(stack.env.client, stack.taskQueue, request({ agents }));
    return (await stack.env.client.workflow.getHandle(started.analysisId).result()) as AnalysisReport;
  });
  const days = 2 * periodDays(period); // the period and the one before it
  const services = new Set(stack.sim.scenario.costs.map((c) => c.service)).size;
  const pages = Math.ceil((days * services) / 40);
  const spendQueries = stack.sim.stats()['ce:GetCostAndUsage'] ?? 0;
  assert.ok(spendQueries <= pages + 1, `${spendQueries} GetCostAndUsage requests for ~${pages} pages`);
  assert.equal(report.usage.costExplorerRequests, costExplorerRequestsServed());
});

test('cancelling an analysis cancels its agents and their activities', async () => {
  // Slow Cost Explorer down so the agents are mid-activity when the cancel arrives.
  stack.sim.setFaults([{ operation: 'GetCostAndUsage', latencyMs: 20_000 }]);
  try {
    await stack.withWorker(async () => {
      // A tenant of its own, so the spend read finds nothing in the store and really asks Cost Explorer.
      const started = await startAnalysis(stack.env.client, stack.taskQueue, request({ tenant: 'acme-cancel', agents: ['ec2', 's3'] }));
      const handle = stack.env.client.workflow.getHandle(started.analysisId);
      await waitForProgress(handle, (p) => p.counts.running === 2);
      await handle.cancel();
      await assert.rejects(
        handle.result(),
        (err: unknown) => err instanceof WorkflowFailedError && /cancel/i.test(String(err.cause?.message)),
      );
      const progress = await handle.query(progressQuery);
      assert.equal(progress.state, 'cancelled');
      for (const agent of ['ec2', 's3']) {
        const child = await stack.env.client.workflow.getHandle(`${started.analysisId}/${agent}`).describe();
        assert.equal(child.status.name, 'CANCELLED', `${agent} child is cancelled`);
        const history = await stack.env.client.workflow.getHandle(`${started.analysisId}/${agent}`).fetchHistory();
        const activityCancelled = history.events?.some((e) => e.activityTaskCanceledEventAttributes);
        assert.ok(activityCancelled, `${agent}'s Cost Explorer activity acknowledged the cancellation`);
      }
    });
  } finally {
    stack.sim.setFaults([]);
  }
});

test('a request that skips validation is refused by the workflow itself', async () => {
  await stack.withWorker(async () => {
    const handle = await stack.env.client.workflow.start('analysis', {
      taskQueue: stack.taskQueue,
      workflowId: `analysis/acme/bad-${Date.now()}`,
      args: [{ tenant: 'acme', accounts: ['1'], agents: ['lambda'] }],
    });
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(String(err.cause?.message), /Invalid analysis request: .*12-digit.*unknown agent "lambda"/);
      return true;
    });
  });
});

async function waitForProgress(
  handle: { query: (q: typeof progressQuery) => Promise<AnalysisProgress> },
  done: (p: AnalysisProgress) => boolean,
): Promise<AnalysisProgress> {
  for (let i = 0; i < 100; i++) {
    try {
      const p = await handle.query(progressQuery);
      if (done(p)) return p;
    } catch {
      // The first workflow task may not have run yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('progress never reached the expected state');
}
