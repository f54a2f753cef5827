/**
 * Delivery survives a worker crash without posting twice: a real worker process creates its configured
 * review schedule at start-up, the schedule is triggered, and the worker is killed (SIGKILL) while its
 * Slack and webhook POSTs are in flight. A second worker (whose start-up finds the schedule already
 * there) finishes the review: Slack is not posted again (reported `uncertain`), and the signed webhook is
 * re-sent with the same Idempotency-Key, so the receiver's dedupe leaves exactly one delivery.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describeReviewSchedule, listReviewSchedules, withSchedule } from '../../src/client/schedules';
import { generateScenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import type { ReviewResult } from '../../src/workflows/review';
import { startWorkerProcess, type Proc } from '../helpers/processes';
import { SAMPLE_ACCOUNT } from '../helpers/stack';
import { startTemporal } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let sim: RunningSimulator;
let receiver: Server;
let base: string;
let storeDir: string;
// Schedules fire on the Temporal server's clock, which no test can move: this test's sample account and
// worker follow the real date, whatever FINOPS_TODAY says.
const today = new Date().toISOString().slice(0, 10);
const taskQueue = `review-crash-${process.pid}`;
const workers: Proc[] = [];
const received: { path: string; headers: IncomingHttpHeaders }[] = [];
const held: ServerResponse[] = [];
const heldPaths = new Set<string>();

before(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'finops-review-crash-'));
  [env, sim] = await Promise.all([startTemporal({ storeDir }), startSimulator({ port: 0, scenario: generateScenario({ seed: 42, anchorDate: today }) })]);
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers });
      // The first POST to each destination hangs: the worker dies while waiting for it.
      if (!heldPaths.has(req.url ?? '')) {
        heldPaths.add(req.url ?? '');
        held.push(res);
        return;
      }
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

after(async () => {
  await Promise.allSettled(workers.map((w) => w.kill('SIGKILL')));
  for (const res of held) res.destroy();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await Promise.allSettled([env?.teardown(), sim?.close()]);
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

function startWorker(): Proc {
  const worker = startWorkerProcess({
    temporalAddress: env.address,
    taskQueue,
    awsEndpoint: sim.url,
    storeDir,
    env: {
      FINOPS_TODAY: today,
      FINOPS_REVIEW_SCHEDULES: JSON.stringify([{ tenant: 'durable', accounts: [SAMPLE_ACCOUNT], agents: ['ec2'] }]),
      FINOPS_REVIEW_DESTINATIONS: JSON.stringify({
        durable: [
          { id: 'slack', type: 'slack', url: `${base}/slack` },
          { id: 'hook', type: 'webhook', url: `${base}/hook`, secret: 'crash-secret' },
        ],
      }),
    },
  });
  workers.push(worker);
  return worker;
}

test('a worker killed mid-delivery does not post twice; start-up does not duplicate the schedule', async () => {
  let worker = startWorker();
  await worker.waitFor(/Review schedule review\/durable\/all: created/);
  await worker.waitFor(/Worker running on task queue/);

  assert.ok(await withSchedule(env.client, 'review/durable/all', 'trigger'));
  for (let i = 0; i < 600 && held.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(held.length, 2, 'both deliveries were in flight');
  assert.equal(await worker.kill('SIGKILL'), null);

  worker = startWorker();
  await worker.waitFor(/Review schedule review\/durable\/all: up to date/);
  assert.deepEqual((await listReviewSchedules(env.client, ['durable'])).map((s) => s.scheduleId), ['review/durable/all']);

  const workflowId = (await describeReviewSchedule(env.client, 'review/durable/all'))?.recentActions[0]?.workflowId;
  assert.ok(workflowId);
  const result = (await env.client.workflow.getHandle(workflowId).result()) as ReviewResult;
  const outcomes = Object.fromEntries(result.deliveries.map((d) => [d.destination, d.outcome]));
  assert.deepEqual(outcomes, { slack: 'uncertain', hook: 'sent' });

  const slack = received.filter((r) => r.path === '/slack');
  assert.equal(slack.length, 1, 'Slack was posted once');
  const hook = received.filter((r) => r.path === '/hook');
  assert.equal(hook.length, 2, 'the webhook was re-sent after the crash');
  const keys = new Set(hook.map((r) => r.headers['idempotency-key']));
  assert.deepEqual([...keys], [`${result.reviewKey}#hook`], 'with the same Idempotency-Key, so the receiver keeps one');
});
