/**
 * Determinism guard: histories recorded from earlier versions of the workflows must replay on the current
 * code. A change that breaks replay needs `patched()` (or a new workflow type), not a new recording.
 *
 * Record (only when a workflow's behaviour is meant to change, with the old recording kept):
 *   RECORD_HISTORIES=1 npm run test:only -- replay
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { startAnalysis } from '../../src/client/analyses';
import { validateAnalysisRequest } from '../../src/domain/request';
import { WORKFLOWS_PATH } from '../../src/worker/worker';
import { lastFullMonths, SAMPLE_ACCOUNT, startStack, testNow, type TestStack } from '../helpers/stack';

const HISTORIES = join(__dirname, '..', 'fixtures', 'histories');
const MANIFEST = 'manifest.json';
const recording = process.env.RECORD_HISTORIES === '1';

let stack: TestStack | undefined;
before(async () => {
  if (recording) stack = await startStack();
});
after(async () => {
  await stack?.close();
});

test('recorded analysis histories replay on the current workflow code', { skip: recording }, async () => {
  // Workflow IDs matter on replay (child IDs derive from the parent's), so the manifest records them.
  const manifest = JSON.parse(readFileSync(join(HISTORIES, MANIFEST), 'utf8')) as Record<string, string>;
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json') && f !== MANIFEST);
  assert.ok(files.length >= 2, 'recorded histories are committed (parent and agent)');
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: silent });
  for (const file of files) {
    const workflowId = manifest[file];
    assert.ok(workflowId, `${file} is listed in ${MANIFEST}`);
    const history: unknown = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8'));
    await assert.doesNotReject(Worker.runReplayHistory({ workflowBundle }, history, workflowId), `${file} replays`);
  }
});

test('record histories', { skip: !recording }, async () => {
  const validated = validateAnalysisRequest(
    { tenant: 'replay', accounts: [SAMPLE_ACCOUNT], period: lastFullMonths(1) },
    testNow(),
  );
  assert.ok(validated.ok);
  await stack!.withWorker(async () => {
    const { analysisId } = await startAnalysis(stack!.env.client, stack!.taskQueue, validated.request);
    const handle = stack!.env.client.workflow.getHandle(analysisId);
    await handle.result();
    // The CLI's JSON export is Temporal's standard history format (what the Web UI downloads, too).
    const save = (workflowId: string, name: string) => {
      const json = execFileSync(
        ensureTemporalCli(),
        ['workflow', 'show', '--address', stack!.env.address, '--workflow-id', workflowId, '--output', 'json'],
        { encoding: 'utf8' },
      );
      writeFileSync(join(HISTORIES, name), json);
    };
    const manifest: Record<string, string> = { 'analysis-v1.json': analysisId, 'ec2-agent-v1.json': `${analysisId}/ec2` };
    for (const [file, workflowId] of Object.entries(manifest)) save(workflowId, file);
    writeFileSync(join(HISTORIES, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  });
});

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
