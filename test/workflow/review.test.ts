/**
 * Weekly reviews on a real Temporal dev server: a schedule is created (idempotently), triggered, and its
 * review compared with the previous week's review of the sample account, against the scenario's own
 * week-over-week cost lines; a local receiver checks the Slack message and the signed webhook, and a
 * failing destination is reported without failing the review. `temporal schedule list/describe` show
 * the schedule with its summary.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import Big from 'big.js';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import {
  describeReviewSchedule,
  ensureReviewSchedules,
  listReviewSchedules,
  scheduleIdOf,
  withSchedule,
  type ReviewScheduleInput,
} from '../../src/client/schedules';
import { addDays } from '../../src/domain/period';
import type { ReviewDocument } from '../../src/domain/review';
import { generateScenario } from '../../src/sim/scenario';
import { WORKFLOWS_PATH } from '../../src/worker/worker';
import type { ReviewResult, weeklyReview } from '../../src/workflows/review';
import { SAMPLE_ACCOUNT, startStack, type TestStack } from '../helpers/stack';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const SECRET = 'test-webhook-secret';
// Schedules fire on the Temporal server's clock, which no test can move: these reviews follow the real
// date, whatever FINOPS_TODAY says (the stack's activities take the sample account's day as theirs).
const today = new Date().toISOString().slice(0, 10);
const lastWeek = addDays(today, -7);
const agents = ['ec2', 'tagging'];
/** A recorded weeklyReview history (re-record with RECORD_HISTORIES=1 only when the workflow is meant to change). */
const HISTORIES = join(__dirname, '..', 'fixtures', 'review-histories');
const recording = process.env.RECORD_HISTORIES === '1';

let stack: TestStack;
let receiver: Server;
let received: Received[] = [];
let storeDir: string;

before(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'finops-review-'));
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = req.url === '/broken' ? 400 : 200;
      res.end(req.url === '/broken' ? 'no such hook' : 'ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // Read by the review activities on first use (URLs and secrets never enter workflow history).
  process.env.FINOPS_REVIEW_DESTINATIONS = JSON.stringify({
    acme: [
      { id: 'slack', type: 'slack', url: `${base}/slack` },
      { id: 'hook', type: 'webhook', url: `${base}/hook`, secret: SECRET },
      { id: 'broken', type: 'webhook', url: `${base}/broken`, secret: SECRET },
    ],
  });
  process.env.FINOPS_DASHBOARD_URL = 'http://dashboard.test';
  // The sample account anchored at today, so a scheduled review (which reviews the week before its
  // scheduled time) reads days the account has.
  stack = await startStack({ scenario: generateScenario({ seed: 42, anchorDate: today }), storeDir });
});

after(async () => {
  await stack?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

/** The scenario's own cost of the account in [start, end), by service. */
function truthByService(start: string, end: string): Map<string, Big> {
  const out = new Map<string, Big>();
  for (const c of stack.sim.scenario.costs) {
    if (c.account !== SAMPLE_ACCOUNT || c.date < start || c.date >= end) continue;
    out.set(c.service, (out.get(c.service) ?? new Big(0)).plus(c.amount));
  }
  return out;
}

function assertCents(actual: string, expected: Big, what: string) {
  assert.ok(new Big(actual).minus(expected).abs().lt('0.01'), `${what}: got ${actual}, expected ${expected.toFixed(4)}`);
}

const schedule: ReviewScheduleInput = {
  tenant: 'acme',
  scope: 'all',
  accounts: [SAMPLE_ACCOUNT],
  agents,
  timezone: 'Europe/Paris',
};

test('schedules are created idempotently, with summaries, SKIP overlap and a catch-up window', async () => {
  const first = await ensureReviewSchedules(stack.env.client, stack.taskQueue, [schedule]);
  const again = await ensureReviewSchedules(stack.env.client, stack.taskQueue, [schedule]);
  assert.deepEqual(first, [{ scheduleId: 'review/acme/all', created: true }]);
  assert.deepEqual(again, [{ scheduleId: 'review/acme/all', created: false }]);
  const all = await listReviewSchedules(stack.env.client, ['acme']);
  assert.deepEqual(all.map((s) => s.scheduleId), ['review/acme/all']);
  assert.deepEqual(await listReviewSchedules(stack.env.client, ['other']), []);

  const description = await stack.env.client.schedule.getHandle('review/acme/all').describe();
  assert.equal(description.policies.overlap, 'SKIP');
  assert.equal(description.policies.catchupWindow, 24 * 3600 * 1000);
  assert.equal(description.spec.timezone, 'Europe/Paris');
  assert.deepEqual(
    description.spec.calendars?.map((c) => [c.dayOfWeek, c.hour, c.minute]),
    [[[{ start: 'MONDAY', end: 'MONDAY', step: 1 }], [{ start: 9, end: 9, step: 1 }], [{ start: 0, end: 0, step: 1 }]]],
  );
  const view = await describeReviewSchedule(stack.env.client, 'review/acme/all');
  assert.match(view?.summary ?? '', /Weekly cost review for acme\/all: account 123456789012, last 7 days, Mondays 09:00 Europe\/Paris/);
  // Monday 09:00 in Paris is 08:00 or 07:00 UTC.
  const next = new Date(view!.nextActionTimes[0]!);
  assert.equal(next.getUTCDay(), 1);
  assert.ok([7, 8].includes(next.getUTCHours()));

  assert.ok(await withSchedule(stack.env.client, 'review/acme/all', 'pause', 'holiday'));
  assert.equal((await describeReviewSchedule(stack.env.client, 'review/acme/all'))?.paused, true);
  // Re-applying the configuration keeps the pause (it was not configured).
  await ensureReviewSchedules(stack.env.client, stack.taskQueue, [schedule]);
  assert.equal((await describeReviewSchedule(stack.env.client, 'review/acme/all'))?.paused, true);
  assert.ok(await withSchedule(stack.env.client, 'review/acme/all', 'unpause'));
  assert.equal((await describeReviewSchedule(stack.env.client, 'review/acme/all'))?.paused, false);
  assert.equal(await withSchedule(stack.env.client, 'review/acme/none', 'pause'), false);
});

test('temporal schedule list / describe show the schedule and its summary', () => {
  const cli = ensureTemporalCli(() => undefined);
  const args = ['--address', stack.env.address, '--namespace', stack.env.namespace ?? 'default'];
  const list = spawnSync(cli, ['schedule', 'list', '--long', ...args], { encoding: 'utf8' });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /review\/acme\/all .*weeklyReview.*Weekly cost review for acme\/all: account 123456789012, last 7 days, Mondays 09:00 Europe\/Paris/);
  const describe = spawnSync(cli, ['schedule', 'describe', '--schedule-id', 'review/acme/all', ...args], { encoding: 'utf8' });
  assert.equal(describe.status, 0, describe.stderr);
  assert.match(describe.stdout, /Notes +Weekly cost review for acme\/all: account 123456789012/);
  assert.match(describe.stdout, /"StaticSummary":"Weekly cost review for acme\/all"/);
  assert.match(describe.stdout, /OverlapPolicy +Skip/);
  assert.match(describe.stdout, /CatchupWindow +1d/);
});

test('a triggered review compares with the previous week, stores the review and delivers it once', async () => {
  await stack.withWorker(async () => {
    const client = stack.env.client;
    // Last week's review, run by hand for its date.
    const previous = await client.workflow.execute<typeof weeklyReview>('weeklyReview', {
      taskQueue: stack.taskQueue,
      workflowId: `review/acme/all/${lastWeek}`,
      args: [{ tenant: 'acme', scope: 'all', accounts: [SAMPLE_ACCOUNT], agents, asOf: lastWeek }],
    });
    assert.equal(previous.headline.previousTotal, undefined, 'the first review has nothing to compare with');
    received = [];

    // This week's, from the schedule.
    assert.ok(await withSchedule(client, scheduleIdOf('acme', 'all'), 'trigger'));
    let workflowId: string | undefined;
    for (let i = 0; i < 100 && !workflowId; i++) {
      workflowId = (await describeReviewSchedule(client, 'review/acme/all'))?.recentActions[0]?.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(workflowId?.startsWith('review/acme/all-'), workflowId);
    const result: ReviewResult = await client.workflow.getHandle(workflowId!).result();

    if (recording) {
      const json = execFileSync(
        ensureTemporalCli(),
        ['workflow', 'show', '--address', stack.env.address, '--workflow-id', workflowId!, '--output', 'json'],
        { encoding: 'utf8' },
      );
      mkdirSync(HISTORIES, { recursive: true });
      writeFileSync(join(HISTORIES, 'weekly-review-v1.json'), json);
      writeFileSync(join(HISTORIES, 'manifest.json'), `${JSON.stringify({ 'weekly-review-v1.json': workflowId }, null, 2)}\n`);
    }

    // The comparison, against the scenario's own cost lines.
    assert.equal(result.headline.date, today);
    assert.equal(result.reviewKey, `reviews/acme/all/${today}.json`);
    const doc = JSON.parse(readFileSync(join(storeDir, result.reviewKey), 'utf8')) as ReviewDocument;
    assert.equal(doc.comparison.previousDate, lastWeek);
    const now = truthByService(lastWeek, today);
    const before = truthByService(addDays(lastWeek, -7), lastWeek);
    const total = (m: Map<string, Big>) => [...m.values()].reduce((a, b) => a.plus(b), new Big(0));
    assertCents(result.headline.total, total(now), 'total');
    assertCents(result.headline.previousTotal!, total(before), 'previous total');
    assertCents(result.headline.change!, total(now).minus(total(before)), 'change');
    assert.ok(doc.comparison.spend.byService.length >= 3);
    for (const line of doc.comparison.spend.byService) {
      const expected = (now.get(line.key) ?? new Big(0)).minus(before.get(line.key) ?? new Big(0));
      assertCents(line.change, expected, `change of ${line.key}`);
    }
    assert.deepEqual(doc.comparison.spend.byAccount.map((l) => l.key), [SAMPLE_ACCOUNT]);
    assertCents(doc.comparison.spend.byAccount[0]!.change, total(now).minus(total(before)), 'change of the account');
    // Findings (when the agents produce them): the same planted waste both weeks is still open, 7 days.
    if (doc.comparison.findings) {
      assert.equal(doc.comparison.findings.new.length + doc.comparison.findings.stillOpen.length, doc.snapshot.findings!.length);
      for (const f of doc.comparison.findings.stillOpen) assert.equal(f.openDays, 7);
    }

    // Delivery: Slack and the signed webhook once each; the broken destination reported, not fatal.
    const byOutcome = Object.fromEntries(result.deliveries.map((d) => [d.destination, d.outcome]));
    assert.deepEqual(byOutcome, { slack: 'sent', hook: 'sent', broken: 'failed' });
    const slack = received.filter((r) => r.path === '/slack');
    const hook = received.filter((r) => r.path === '/hook');
    assert.equal(slack.length, 1);
    assert.equal(hook.length, 1);
    const message = JSON.parse(slack[0]!.body) as { text: string; blocks: { type: string; elements?: { url: string }[] }[] };
    // Headline figures, top actions, one line per report section (the view model's), the link.
    assert.deepEqual(message.blocks.map((b) => b.type), ['header', 'section', 'section', 'section', 'actions']);
    assert.match(message.text, /Weekly cost review: acme \/ all/);
    assert.equal(message.blocks.at(-1)!.elements![0]!.url, `http://dashboard.test/#/analyses/${encodeURIComponent(result.analysisId)}`);
    assert.equal(slack[0]!.headers['idempotency-key'], `${result.reviewKey}#slack`);

    const timestamp = String(hook[0]!.headers['x-finops-timestamp']);
    const signature = String(hook[0]!.headers['x-finops-signature']);
    const expected = createHmac('sha256', SECRET).update(`${timestamp}.${hook[0]!.body}`).digest('hex');
    assert.ok(timingSafeEqual(Buffer.from(signature), Buffer.from(`t=${timestamp},v1=${expected}`)), signature);
    assert.ok(Math.abs(Date.now() / 1000 - Number(timestamp)) < 300);
    assert.equal(hook[0]!.headers['idempotency-key'], `${result.reviewKey}#hook`);
    const body = JSON.parse(hook[0]!.body) as { type: string; review: { total: string; change: string } };
    assert.equal(body.type, 'finops.weekly-review');
    assert.equal(body.review.total, result.headline.total);

    // Running the same review again (same scope and date) rewrites the same document and posts nothing.
    const again = await client.workflow.execute<typeof weeklyReview>('weeklyReview', {
      taskQueue: stack.taskQueue,
      workflowId: `review/acme/all/${today}-again`,
      args: [{ tenant: 'acme', scope: 'all', accounts: [SAMPLE_ACCOUNT], agents, asOf: today }],
    });
    assert.equal(again.reviewKey, result.reviewKey);
    assert.equal(again.headline.previousTotal, result.headline.previousTotal);
    assert.deepEqual(
      Object.fromEntries(again.deliveries.map((d) => [d.destination, d.outcome])),
      { slack: 'already-sent', hook: 'already-sent', broken: 'failed' },
    );
    assert.equal(received.filter((r) => r.path !== '/broken').length, 2);
  });
});

test('a backfill runs the review that was due, for the week before its scheduled time (in the schedule\'s zone)', async () => {
  // The last Monday before today; 09:00 in Paris is 07:00 or 08:00 UTC.
  let monday = addDays(today, -1);
  while (new Date(`${monday}T12:00:00Z`).getUTCDay() !== 1) monday = addDays(monday, -1);
  await stack.withWorker(async () => {
    const client = stack.env.client;
    const handle = client.schedule.getHandle('review/acme/all');
    await handle.backfill({ start: new Date(`${monday}T00:00:00Z`), end: new Date(`${monday}T23:59:00Z`) });
    let workflowId: string | undefined;
    for (let i = 0; i < 100 && !workflowId; i++) {
      workflowId = (await describeReviewSchedule(client, 'review/acme/all'))?.recentActions.find((a) => a.workflowId.includes(`-${monday}T`))?.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(workflowId, 'the backfilled run started');
    const result: ReviewResult = await client.workflow.getHandle(workflowId).result();
    assert.equal(result.headline.date, monday);
    assert.deepEqual(result.headline.period, { start: addDays(monday, -7), end: monday });
  });
});

test('delete removes the schedule', async () => {
  assert.ok(await withSchedule(stack.env.client, 'review/acme/all', 'delete'));
  assert.equal(await describeReviewSchedule(stack.env.client, 'review/acme/all'), undefined);
});

test('the recorded weeklyReview history replays on the current workflow code', { skip: recording }, async () => {
  const manifest = JSON.parse(readFileSync(join(HISTORIES, 'manifest.json'), 'utf8')) as Record<string, string>;
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: silent });
  for (const [file, workflowId] of Object.entries(manifest)) {
    const history: unknown = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8'));
    await assert.doesNotReject(Worker.runReplayHistory({ workflowBundle }, history, workflowId), `${file} replays`);
  }
});
