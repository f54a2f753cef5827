/**
 * The Cost Explorer request plan, through the user's path: a standard analysis of the sample account (every
 * agent, the default period) on a real Temporal dev server and the simulator, counted by the simulator.
 * A second analysis of the same tenant finds the settled days in the store (cache warm) and must report the
 * same figures with fewer requests.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startAnalysis } from '../../src/client/analyses';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { SAMPLE_ACCOUNT, startStack, testNow, type TestStack } from '../helpers/stack';

/** The goal: at most 15 billable Cost Explorer requests ($0.15) for a standard analysis. */
const MAX_CE_REQUESTS = 15;

let stack: TestStack;
before(async () => {
  stack = await startStack({ storeDir: mkdtempSync(join(tmpdir(), 'ce-requests-')) });
});
after(async () => {
  await stack?.close();
});

function ceStats(): Record<string, number> {
  return Object.fromEntries(Object.entries(stack.sim.stats()).filter(([op]) => op.startsWith('ce:')));
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((n, c) => n + c, 0);

async function standardAnalysis(): Promise<{ report: AnalysisReport; ce: Record<string, number> }> {
  const validated = validateAnalysisRequest({ tenant: 'ce-plan', accounts: [SAMPLE_ACCOUNT], regions: stack.sim.scenario.regions }, testNow());
  assert.ok(validated.ok);
  stack.sim.resetStats();
  const { analysisId } = await startAnalysis(stack.env.client, stack.taskQueue, validated.request);
  const report = (await stack.env.client.workflow.getHandle(analysisId).result()) as AnalysisReport;
  return { report, ce: ceStats() };
}

/** The figures a reader sees, without what legitimately differs between two runs (IDs, times, request counts). */
function figures(report: AnalysisReport) {
  const { requests: _requests, ...bySpend } = report.tagging?.bySpend ?? { requests: 0 };
  return {
    status: report.status,
    spend: report.spend,
    findings: report.findings && { count: report.findings.count, savings: report.findings.monthlySavings, items: report.findings.items },
    forecast: report.forecast,
    tagging: { ...report.tagging, bySpend },
    commitments: report.commitments,
    notes: report.notes,
  };
}

test('a standard analysis makes at most 15 Cost Explorer requests, states each with its purpose, and a warm cache reports the same', async () => {
  await stack.withWorker(async () => {
    const cold = await standardAnalysis();
    assert.equal(cold.report.status, 'complete', JSON.stringify(cold.report.failures));
    const coldCount = total(cold.ce);
    assert.ok(coldCount <= MAX_CE_REQUESTS, `cold: ${coldCount} Cost Explorer requests: ${JSON.stringify(cold.ce)}`);

    // The report states every request the simulator received, operation by operation, each with its purpose.
    const usage = cold.report.usage;
    assert.equal(usage.costExplorerRequests, coldCount);
    assert.equal(usage.costExplorerCost, (coldCount / 100).toFixed(2));
    for (const [op, n] of Object.entries(cold.ce)) {
      assert.equal(usage.requests?.[op], n, op);
      const stated = Object.values(usage.purposes?.[op] ?? {}).reduce((s, c) => s + c, 0);
      assert.equal(stated, n, `${op}: ${n} requests, purposes state ${stated}: ${JSON.stringify(usage.purposes?.[op])}`);
    }

    // Another analysis of the tenant: settled days come from the store, only the recent ones are read again.
    const warm = await standardAnalysis();
    const warmCount = total(warm.ce);
    assert.ok(
      (warm.ce['ce:GetCostAndUsage'] ?? 0) < (cold.ce['ce:GetCostAndUsage'] ?? 0),
      `warm ${JSON.stringify(warm.ce)} vs cold ${JSON.stringify(cold.ce)}`,
    );
    assert.equal(warm.report.usage.costExplorerRequests, warmCount);
    assert.deepEqual(figures(warm.report), figures(cold.report));
  });
});
