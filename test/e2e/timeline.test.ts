/**
 * The phase timeline, the way a user sees it: an analysis of the sample account started over the
 * gateway's REST API runs on the real stack (Temporal dev server, worker, simulator through the AWS
 * SDK); the report read back over REST carries a timeline in which every agent is present and its
 * figures are consistent, and the report view shows the same figures.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AGENT_KINDS } from '../../src/domain/agents';
import type { AnalysisReport } from '../../src/domain/report';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { buildReportView } from '../../src/presentation/build';
import { sectionOf } from '../../src/presentation/model';
import { lastFullMonths, SAMPLE_ACCOUNT, startStack, testNow, type TestStack } from '../helpers/stack';

let stack: TestStack;
let gateway: Gateway;
let url: string;
let storeDir: string;

before(async () => {
  storeDir = await mkdtemp(join(tmpdir(), 'finops-timeline-'));
  stack = await startStack({ storeDir });
  gateway = createGateway({ client: stack.env.client, taskQueue: stack.taskQueue, now: testNow });
  ({ url } = await gateway.listen(0));
});
after(async () => {
  await gateway?.close();
  await stack?.close();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
});

async function reportOver(analysisId: string): Promise<AnalysisReport> {
  const path = `${url}/api/analyses/${encodeURIComponent(analysisId)}/report`;
  for (let i = 0; i < 600; i++) {
    const response = await fetch(path);
    if (response.status === 200) return (await response.json()) as AnalysisReport;
    assert.equal(response.status, 409, `report: ${response.status} ${await response.text()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the report did not arrive');
}

test('the report over REST says where the time went: every agent, queued + running within its wall time', async () => {
  await stack.withWorker(async () => {
    const started = await fetch(`${url}/api/analyses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'e2e', accounts: [SAMPLE_ACCOUNT], period: lastFullMonths(1) }),
    });
    assert.equal(started.status, 202, await started.clone().text());
    const { analysisId } = (await started.json()) as { analysisId: string };
    const report = await reportOver(analysisId);
    assert.equal(report.status, 'complete');
    const timeline = report.timeline;
    assert.ok(timeline, 'the report has a timeline');

    const scopes = new Map(timeline.scopes.map((s) => [s.scope, s]));
    for (const agent of AGENT_KINDS) {
      const s = scopes.get(agent);
      assert.ok(s, `${agent} is in the timeline`);
      assert.ok(s.activities > 0, `${agent} recorded its activities`);
      assert.ok(s.wallMs > 0, `${agent} has a wall time`);
      assert.ok(s.queuedMs + s.runningMs <= s.wallMs, `${agent}: queued ${s.queuedMs} + running ${s.runningMs} ≤ wall ${s.wallMs}`);
      assert.ok(s.awsWaitMs <= s.runningMs, `${agent}: AWS wait ${s.awsWaitMs} ≤ running ${s.runningMs}`);
      assert.ok(s.wallMs <= timeline.wallMs, `${agent}'s wall is inside the analysis's`);
    }
    // Agents that read AWS waited on it; the parent's own steps (tenant check, merge, summary) are there too.
    for (const agent of ['ec2', 'rds', 's3', 'tagging'] as const) assert.ok(scopes.get(agent)!.awsWaitMs > 0, `${agent} waited on AWS`);
    const own = scopes.get('analysis');
    assert.ok(own && own.activities >= 2, 'the analysis steps are recorded');
    assert.ok(timeline.top.length > 0 && timeline.top.length <= 10);
    for (let i = 1; i < timeline.top.length; i++) assert.ok(timeline.top[i]!.runningMs <= timeline.top[i - 1]!.runningMs + 1, 'longest first');

    // The view model shows the same figures, one row per scope.
    const section = sectionOf(buildReportView(report), 'timeline');
    assert.equal(section.empty, undefined);
    const rows = section.tables.find((t) => t.id === 'timeline-scopes')!.rows;
    assert.equal(rows.length, timeline.scopes.length);
    assert.deepEqual(
      rows.map((r) => r.wall!.value),
      timeline.scopes.map((s) => s.wallMs),
    );
  });
});
