/**
 * Analyses that scale with the organisation, through the real stack (Temporal dev server, simulator,
 * worker) on a medium organisation (3 accounts by 3 Regions):
 * - the parent's history stays small whatever the account's size: reports and agents' results go through
 *   the artefact store by reference (src/payload-references.ts), and every client still reads the full report;
 * - agents fan out over account-Regions a bounded number at a time (the request's targetConcurrency).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { ReportStore } from '../../src/activities/reports';
import { startAnalysis } from '../../src/client/analyses';
import { addMonths, monthStart, noonOf } from '../../src/domain/calendar';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { agentWorkflowId } from '../../src/workflows/ids';
import { LocalFileStore } from '../../src/activities/store';
import { DEFAULT_INLINE_PAYLOAD_BYTES } from '../../src/payload-references';
import { analyseScenario } from '../agents/ground-truth';
import { historySize } from '../helpers/history';
import { startStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const storeDir = mkdtempSync(join(tmpdir(), 'history-size-'));

before(async () => {
  stack = await startStack({ size: 'medium', seed: 3, memberRoles: true, storeDir });
});
after(async () => {
  await stack?.close();
});

test('a medium organisation: the parent history stays under 96 KB, no payload in it exceeds the inline limit, the report arrives whole', async () => {
  const { report, analysisId } = await analyseScenario(stack, ['ec2', 'rds', 'trusted-advisor', 's3', 'tagging', 'forecasting'], 'history');
  const size = await historySize(stack.env.client, analysisId);
  const reportBytes = JSON.stringify(report).length;
  // The decoy: the report alone is larger than the inline limit, so it must have travelled by reference.
  assert.ok(reportBytes > DEFAULT_INLINE_PAYLOAD_BYTES, `report ${reportBytes} bytes`);
  assert.ok(size.largestPayloadBytes <= DEFAULT_INLINE_PAYLOAD_BYTES, `largest payload ${size.largestPayloadBytes} bytes`);
  // A budget, not a measurement: about 160 events of at most a few hundred bytes each (references, summaries), for
  // six agents and the parent's own steps (merge, finding states, summary, timeline). The goal is 256 KB at
  // 10,000 instances (bench/report-size.ts large); a payload inlined by mistake would blow this at once.
  assert.ok(size.bytes <= 96 * 1024, `history ${size.bytes} bytes in ${size.events} events`);
  // The client read the whole report back: findings, spend and the summary, as the report store keeps it.
  assert.equal(report.status, 'complete');
  assert.ok((report.findings?.items.length ?? 0) > 0);
  const stored = await new ReportStore(new LocalFileStore(storeDir), 0).get('history', analysisId);
  assert.deepEqual(stored?.report, report);
});

/** The most activities of one type that were scheduled and not yet closed at any point of a history. */
function peakInFlight(events: temporal.api.history.v1.IHistoryEvent[], activityType: string): { peak: number; total: number } {
  const ours = new Set<string>();
  let live = 0;
  let peak = 0;
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === activityType) {
      ours.add(String(e.eventId));
      peak = Math.max(peak, ++live);
    }
    const closed =
      e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
    if (closed && ours.has(String(closed.scheduledEventId))) live--;
  }
  return { peak, total: ours.size };
}

async function ec2FanOut(targetConcurrency: number | undefined): Promise<{ peak: number; total: number; report: AnalysisReport }> {
  const scenario = stack.sim.scenario;
  const validated = validateAnalysisRequest(
    {
      tenant: 'fanout',
      accounts: scenario.accounts.map((a) => a.id),
      regions: scenario.regions,
      agents: ['ec2'],
      period: { start: addMonths(scenario.anchorDate, -1), end: monthStart(scenario.anchorDate) },
      ...(targetConcurrency ? { targetConcurrency } : {}),
    },
    noonOf(scenario.anchorDate),
  );
  if (!validated.ok) throw new Error(validated.errors.join('; '));
  return stack.withWorker(async () => {
    const { analysisId } = await startAnalysis(stack.env.client, stack.taskQueue, validated.request);
    const report = (await stack.env.client.workflow.getHandle(analysisId).result()) as AnalysisReport;
    const history = await stack.env.client.workflow.getHandle(agentWorkflowId(analysisId, 'ec2')).fetchHistory();
    return { ...peakInFlight(history.events ?? [], 'analyseEc2Target'), report };
  });
}

test('an agent analyses at most targetConcurrency account-Regions at once, and still all of them', async () => {
  const targets = stack.sim.scenario.accounts.length * stack.sim.scenario.regions.length;
  const bounded = await ec2FanOut(2);
  assert.equal(bounded.total, targets);
  assert.equal(bounded.peak, 2, `peak ${bounded.peak} of ${targets} account-Regions in flight`);
  assert.equal(bounded.report.status, 'complete');
  // The decoy: under the default bound (16) these few account-Regions all start at once, so the
  // measurement does see concurrency when there is some.
  const open = await ec2FanOut(undefined);
  assert.equal(open.peak, targets);
  assert.equal(open.report.findings?.count, bounded.report.findings?.count);
  assert.equal(open.report.findings?.monthlySavings, bounded.report.findings?.monthlySavings);
});
