/**
 * Retention of what analyses leave in the artefact store, on the real path: two analyses run on the test
 * stack (Temporal dev server, simulator, worker, payloads by reference) into one local store. The first is
 * then aged by 100 days — its files' modification times and its kept report's close time, as if it had run
 * then — and the sweep, asking the dev server which histories it still holds, removes its folder (findings,
 * timings), its report and the payloads only it wrote, while the second analysis keeps everything and its
 * result still decodes; a schedule's stored argument, as old, stays. The clock is the real one at the time of the sweep; no calendar date is pinned.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sweepStore } from '../../src/activities/retention';
import { ReportStore } from '../../src/activities/reports';
import { LocalFileStore } from '../../src/activities/store';
import { tenantOfAnalysisId } from '../../src/workflows/ids';
import { checkPayloadRetention, describeSweep, namespaceRetentionMs, temporalOldestKeptHistory, temporalScheduledPayloads } from '../../src/worker/retention';
import { analyseScenario } from '../agents/ground-truth';
import { startStack, type TestStack } from '../helpers/stack';

const DAY = 86_400_000;
let stack: TestStack;
let storeDir: string;

before(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'retention-stack-'));
  // Every process part (client, worker's codec, activities) uses this store; a low inline limit makes sure
  // the analyses leave payloads behind.
  process.env.FINOPS_STORE_DIR = storeDir;
  process.env.FINOPS_PAYLOAD_INLINE_BYTES = '1024';
  stack = await startStack({ storeDir });
});
after(async () => {
  await stack?.close();
});

test("an expired analysis's folder, timings, report and payloads go; a recent one's stay and its result still decodes", async () => {
  const store = new LocalFileStore(storeDir);
  const reports = new ReportStore(store, 30);
  const service = stack.env.nativeConnection.workflowService;
  const namespace = stack.env.namespace ?? 'default';

  const old = await analyseScenario(stack, ['ec2']);
  const tenant = tenantOfAnalysisId(old.analysisId)!;
  const oldFolder = await store.listKeys(`${old.analysisId}/`);
  assert.ok(oldFolder.some((k) => k.includes('/timings/')) && oldFolder.some((k) => k.includes('/findings/')), 'the analysis wrote findings and timings');
  const oldPayloads = await store.listKeys('payloads/');
  assert.ok(oldPayloads.length > 0, 'the analysis left payloads');

  // As if the first analysis had run 100 days ago.
  const then = new Date(Date.now() - 100 * DAY);
  for (const key of [...oldFolder, ...oldPayloads]) await utimes(join(storeDir, key), then, then);
  const kept = (await reports.get(tenant, old.analysisId))!;
  await reports.put({ ...kept, startTime: then.toISOString(), closeTime: then.toISOString() });

  const recentStart = Date.now();
  const recent = await analyseScenario(stack, ['ec2']);
  const recentFolder = await store.listKeys(`${recent.analysisId}/`);
  const renewed = oldPayloads.filter((k) => statSync(join(storeDir, k)).mtimeMs >= recentStart - 1000);
  const onlyOld = oldPayloads.filter((k) => !renewed.includes(k));
  assert.ok(onlyOld.length > 0, 'some payloads were written by the first analysis alone');

  // The dev server holds both histories, started minutes ago: nothing it holds is older than the horizon.
  const oldestKept = temporalOldestKeptHistory(service, namespace);
  assert.equal(await oldestKept(new Date(Date.now() - DAY)), undefined);
  const oldest = await oldestKept(new Date(Date.now() + 60_000));
  assert.ok(oldest instanceof Date && oldest.getTime() <= recentStart, 'both analyses are listed as kept histories');
  // And the default retention is above the dev server namespace's.
  assert.doesNotThrow(() => checkPayloadRetention(40, undefined, namespace));
  const retentionMs = await namespaceRetentionMs(service, namespace);
  assert.ok(retentionMs !== undefined && retentionMs > 0);
  checkPayloadRetention(40, retentionMs, namespace);

  // A schedule whose argument went to the store: Temporal copies it into every run it starts, so it stays.
  const payloadsBefore = new Set(await store.listKeys('payloads/'));
  const schedule = await stack.env.client.schedule.create({
    scheduleId: `retention-${process.pid}`,
    spec: { intervals: [{ every: '7 days' }] },
    action: { type: 'startWorkflow', workflowType: 'review', taskQueue: stack.taskQueue, args: [{ accounts: Array.from({ length: 200 }, (_, i) => `acct-${i}`) }] },
    state: { paused: true },
  });
  const scheduled = (await store.listKeys('payloads/')).filter((k) => !payloadsBefore.has(k));
  assert.equal(scheduled.length, 1, "the schedule's argument is a stored payload");
  await utimes(join(storeDir, scheduled[0]!), then, then);

  const result = await sweepStore({
    store,
    reports,
    now: new Date(),
    historyDays: 40,
    oldestKeptHistory: oldestKept,
    scheduledPayloads: temporalScheduledPayloads(service, namespace),
  });
  await schedule.delete();
  console.log(`${describeSweep(result)}; ${oldFolder.length} objects in the expired folder, ${recentFolder.length} in the recent one`);
  assert.equal(result.reportsPruned, 1);
  assert.equal(result.analyses, 1);
  assert.equal(result.heldBack, undefined);

  assert.deepEqual(await store.listKeys(`${old.analysisId}/`), [], "the expired analysis's folder is gone, timings included");
  assert.equal(await reports.get(tenant, old.analysisId), undefined);
  const payloadsLeft = new Set(await store.listKeys('payloads/'));
  for (const key of onlyOld) assert.ok(!payloadsLeft.has(key), `${key} (first analysis only) is gone`);
  for (const key of renewed) assert.ok(payloadsLeft.has(key), `${key} (written again by the recent analysis) stays`);
  assert.equal(result.payloads, onlyOld.length);
  assert.ok(payloadsLeft.has(scheduled[0]!), "the schedule's 100-day-old argument stays");

  assert.deepEqual((await store.listKeys(`${recent.analysisId}/`)).sort(), recentFolder.sort(), "the recent analysis's folder is whole");
  assert.ok(await reports.get(tenant, recent.analysisId));
  const again = await stack.env.client.workflow.getHandle(recent.analysisId).result();
  assert.deepEqual(again, recent.report, "the recent analysis's result still decodes from the store");
  // Why the horizon must cover Temporal's retention: a history still held cannot be read without its payloads.
  await assert.rejects(stack.env.client.workflow.getHandle(old.analysisId).result(), /not in the artefact store/);
});
