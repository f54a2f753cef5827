/**
 * Reports outlive Temporal's retention: a completed analysis's report is kept in the report store (a
 * local folder here, S3 in production), and once the workflow is deleted from Temporal — what retention
 * does — the gateway still reads, lists and exports it from there. Writing it again is idempotent, and
 * retention removes reports older than the configured days.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startAnalysis } from '../../src/client/analyses';
import { ReportStore } from '../../src/activities/reports';
import { LocalFileStore } from '../../src/activities/store';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { ApiKeyStore, generateApiKey } from '../../src/gateway/api-keys';
import { credentialAuthenticator } from '../../src/gateway/auth';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { lastFullMonths, SAMPLE_ACCOUNT, startStack, testNow, type TestStack } from '../helpers/stack';

const storeDir = mkdtempSync(join(tmpdir(), 'finops-report-store-'));
const acme = generateApiKey('acme-ci', ['acme']);
const globex = generateApiKey('globex-ci', ['globex']);
let stack: TestStack;
let gateway: Gateway;
let url: string;

before(async () => {
  stack = await startStack({ storeDir });
  gateway = createGateway({
    client: stack.env.client,
    taskQueue: stack.taskQueue,
    dashboard: false,
    authenticate: credentialAuthenticator({ apiKeys: new ApiKeyStore([acme.entry, globex.entry]) }),
    reports: new ReportStore(new LocalFileStore(storeDir), 400),
  });
  ({ url } = await gateway.listen(0));
});
after(async () => {
  await gateway?.close();
  await stack?.close();
});

async function get(path: string, key = acme.key): Promise<Response> {
  return fetch(`${url}${path}`, { headers: { 'x-api-key': key } });
}

test('a report is read, listed and exported from the store after its workflow is deleted from Temporal', async () => {
  const validated = validateAnalysisRequest(
    { tenant: 'acme', accounts: [SAMPLE_ACCOUNT], agents: ['ec2'], period: lastFullMonths(1) },
    testNow(),
  );
  assert.ok(validated.ok);
  const request = { ...validated.request, requestedBy: 'key:acme-ci' };
  const { analysisId } = await startAnalysis(stack.env.client, stack.taskQueue, request);
  const path = `/api/analyses/${encodeURIComponent(analysisId)}`;
  const report = (await stack.withWorker(() => stack.env.client.workflow.getHandle(analysisId).result())) as AnalysisReport;

  // Kept when it completed, with who asked.
  const reports = new ReportStore(new LocalFileStore(storeDir), 400);
  const stored = await reports.get('acme', analysisId);
  assert.ok(stored, 'the report is in the store');
  assert.deepEqual(stored.report, report);
  assert.equal(stored.requestedBy, 'key:acme-ci');
  assert.equal(await reports.get('globex', analysisId), undefined, 'a read never crosses tenants');
  const onDisk = readFileSync(join(storeDir, 'reports', 'acme', analysisId.split('/')[2]!, 'report.json'), 'utf8');
  await reports.put(stored);
  assert.equal(readFileSync(join(storeDir, 'reports', 'acme', analysisId.split('/')[2]!, 'report.json'), 'utf8'), onDisk, 'writing it again changes nothing');

  // What retention does: the run is gone from Temporal.
  await stack.env.client.workflowService.deleteWorkflowExecution({
    namespace: stack.env.client.options.namespace,
    workflowExecution: { workflowId: analysisId },
  });
  // Deletion is asynchronous in Temporal (a system workflow removes the run).
  for (let i = 0; i < 600; i++) {
    const gone = await stack.env.client.workflow.getHandle(analysisId).describe().then(() => false, () => true);
    if (gone) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await assert.rejects(stack.env.client.workflow.getHandle(analysisId).describe(), /not found/i);

  const read = await get(path);
  assert.equal(read.status, 200);
  const view = (await read.json()) as { status: string; report: AnalysisReport; notice: string };
  assert.equal(view.status, 'COMPLETED');
  assert.deepEqual(view.report, report);
  assert.match(view.notice, /report store/);

  const md = await get(`${path}/report?format=md`);
  assert.equal(md.status, 200);
  assert.match(await md.text(), new RegExp(analysisId.replace(/[/-]/g, '.')));
  const csv = await get(`${path}/report?format=csv`);
  assert.equal(csv.status, 200);

  const list = (await (await get('/api/analyses?pageSize=100')).json()) as { analyses: { analysisId: string; retained?: string; status: string }[] };
  const listed = list.analyses.find((a) => a.analysisId === analysisId);
  assert.deepEqual(listed && { status: listed.status, retained: listed.retained }, { status: 'COMPLETED', retained: 'report-store' });
  const filtered = (await (await get('/api/analyses?status=FAILED')).json()) as { analyses: unknown[] };
  assert.deepEqual(filtered.analyses, []);

  // Another tenant sees nothing of it.
  assert.equal((await get(path, globex.key)).status, 404);
  const theirs = (await (await get('/api/analyses', globex.key)).json()) as { analyses: unknown[] };
  assert.deepEqual(theirs.analyses, []);
});

test('retention removes reports older than the configured days, and 0 keeps them forever', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'finops-retention-'));
  const base = { tenant: 'acme', accounts: [SAMPLE_ACCOUNT], startTime: '2025-01-01T00:00:00.000Z', reportStatus: 'complete' as const, report: {} as AnalysisReport };
  const store = new ReportStore(new LocalFileStore(dir), 30);
  await store.put({ ...base, analysisId: 'analysis/acme/20250101-0000-old', closeTime: '2025-01-01T00:10:00.000Z' });
  await store.put({ ...base, analysisId: 'analysis/acme/20250301-0000-new', closeTime: '2025-03-01T00:10:00.000Z' });
  assert.deepEqual(await new ReportStore(new LocalFileStore(dir), 0).prune('acme', new Date('2025-03-15T00:00:00Z')), []);
  assert.deepEqual(await store.prune('acme', new Date('2025-03-15T00:00:00Z')), ['analysis/acme/20250101-0000-old']);
  assert.deepEqual((await store.list('acme')).map((s) => s.analysisId), ['analysis/acme/20250301-0000-new']);
  assert.equal(await store.get('acme', 'analysis/acme/20250101-0000-old'), undefined);
});
