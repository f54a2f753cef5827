/**
 * Findings with a life, through the user's path: real Temporal dev server, the sample-account simulator,
 * a worker, the gateway over real HTTP, the dashboard in headless Chromium and the CLI as a process.
 *
 *   1. An analysis; a finding is dismissed in the dashboard (with a reason and a snooze).
 *   2. The next analysis and the weekly review leave it out of the totals and ranking and list it apart.
 *   3. Another finding is accepted and one is marked done from the CLI; the next analysis highlights the
 *      accepted one and flags the done one "marked done, still present".
 *   4. The sample account applies the fix (the instance is deleted six days ago); the following analysis
 *      shows the realised saving, measured from Cost Explorer's resource-level data, next to the estimate.
 *
 * Plus bad input over HTTP (unknown finding, another tenant, a snooze in the past, identity in the body,
 * a stale version) and a state change racing a running analysis.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Big from 'big.js';
import { PROJECT_ROOT } from '../../scripts/temporal-cli';
import { FindingStateStore } from '../../src/activities/finding-states';
import { ReportStore } from '../../src/activities/reports';
import { slackMessage, webhookBody } from '../../src/activities/review';
import { LocalFileStore } from '../../src/activities/store';
import { DONE_STILL_PRESENT, stateKeyOf } from '../../src/domain/finding-states';
import type { Finding } from '../../src/domain/findings';
import { addDays } from '../../src/domain/period';
import type { AnalysisReport } from '../../src/domain/report';
import type { ReviewDocument } from '../../src/domain/review';
import { ApiKeyStore, generateApiKey } from '../../src/gateway/api-keys';
import { credentialAuthenticator } from '../../src/gateway/auth';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { buildReportView } from '../../src/presentation/build';
import { sectionOf } from '../../src/presentation/model';
import type { ReviewResult, weeklyReview } from '../../src/workflows/review';
import { launchBrowser, screenshotPath, type Browser } from '../browser/browser';
import { call as callTool, connect } from '../mcp/harness';
import { lastFullMonths, SAMPLE_ACCOUNT, startStack, TEST_TODAY, testNow, type TestStack } from '../helpers/stack';

const storeDir = mkdtempSync(join(tmpdir(), 'finops-finding-states-'));
const alice = generateApiKey('alice', ['acme']);
const bob = generateApiKey('bob', ['acme']);
const globex = generateApiKey('globex-ci', ['globex']);
let stack: TestStack;
let gateway: Gateway;
let url: string;
let browser: Browser;
/** The first analysis and the findings the round works on. */
let first: AnalysisReport;
let dismissed: Finding;
let accepted: Finding;

before(async () => {
  browser = await launchBrowser();
  stack = await startStack({ storeDir });
  gateway = createGateway({
    client: stack.env.client,
    taskQueue: stack.taskQueue,
    now: testNow,
    authenticate: credentialAuthenticator({ apiKeys: new ApiKeyStore([alice.entry, bob.entry, globex.entry]) }),
    reports: new ReportStore(new LocalFileStore(storeDir), 0),
    store: new LocalFileStore(storeDir),
  });
  ({ url } = await gateway.listen(0));
});
after(async () => {
  await browser?.close();
  await gateway?.close();
  await stack?.close();
});

async function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function startAnalysis(): Promise<string> {
  const started = await call('POST', '/api/analyses', alice.key, { accounts: [SAMPLE_ACCOUNT], agents: ['ec2'], period: lastFullMonths(1) });
  assert.equal(started.status, 202, JSON.stringify(started.json));
  return started.json.analysisId as string;
}

async function analyse(): Promise<AnalysisReport> {
  return stack.env.client.workflow.getHandle(await startAnalysis()).result() as Promise<AnalysisReport>;
}

function finops(args: string[], key: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src/cli/main.ts'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FORCE_COLOR: '0', FINOPS_GATEWAY_URL: url, FINOPS_API_KEY: key },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const items = (report: AnalysisReport): Finding[] => report.findings?.items ?? [];
const byId = (report: AnalysisReport, id: string) => items(report).find((f) => f.id === id);

test('dismiss in the dashboard, accept and mark done from the CLI, fix it in the sample account, see the saving realised', async () => {
  await stack.withWorker(async () => {
    first = await analyse();
    const ranked = items(first);
    // The finding to fix: something whose whole cost goes when it is deleted (an idle instance, an orphaned
    // snapshot, which Cost Explorer names by its ARN, or an idle Elastic IP); two others to dismiss and accept.
    const fixed = ['ec2-idle', 'snapshot-orphaned', 'eip-unassociated'].map((check) => ranked.find((f) => f.check === check)).find(Boolean);
    assert.ok(fixed, `a finding to fix among ${ranked.map((f) => f.check).join(', ')}`);
    const others = ranked.slice(0, 30).filter((f) => f.resource.id !== fixed.resource.id);
    dismissed = others[0]!;
    accepted = others[1]!;
    assert.ok(dismissed && accepted, 'three findings about three resources');

    // 1. Dismiss in the dashboard: a dismissal without a reason is refused and says why; with one it is kept.
    const { page } = await browser.page();
    await page.goto(`${url}/#/analyses/${encodeURIComponent(first.analysisId)}`);
    await page.waitForSelector('#signin');
    await page.fill('input[name=token]', alice.key);
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('#report', { timeout: 60_000 });
    const card = page.locator(`article.finding[data-finding-id="${dismissed.id}"]`);
    await card.locator('details.decide summary').click();
    await card.locator('select[name=state]').selectOption('dismissed');
    await card.locator('button[type=submit]').click();
    await card.locator('.state-status', { hasText: 'Not saved' }).waitFor();
    assert.match((await card.locator('.state-status').textContent()) ?? '', /a dismissal needs a reason/);
    const snooze = addDays(TEST_TODAY, 60);
    await card.locator('input[name=reason]').fill('the DR standby is idle on purpose');
    await card.locator('input[name=snoozeUntil]').fill(snooze);
    await card.locator('button[type=submit]').click();
    await card.locator('.state-status', { hasText: 'Saved' }).waitFor();
    assert.match((await card.locator('.state-status').textContent()) ?? '', /^Saved: dismissed, by key:alice \(version 1\)/);
    await page.screenshot({ path: screenshotPath('finding-states-dismissed'), fullPage: false });

    // 2. The next analysis leaves it out of the count, the total and the ranking, and lists it apart.
    const second = await analyse();
    assert.equal(byId(second, dismissed.id), undefined, 'the dismissed finding is not ranked');
    assert.equal(second.findings!.count, first.findings!.count - 1);
    assert.equal(second.findings!.monthlySavings, new Big(first.findings!.monthlySavings).minus(dismissed.monthlySavings).toString());
    const listed = second.findingStates!.dismissed.find((d) => d.finding.id === dismissed.id);
    assert.deepEqual(listed && { reason: listed.reason, snoozeUntil: listed.snoozeUntil, by: listed.by }, { reason: 'the DR standby is idle on purpose', snoozeUntil: snooze, by: 'key:alice' });
    const secondView = buildReportView(second);
    assert.ok(!secondView.findings.some((f) => f.id === dismissed.id));
    assert.equal(sectionOf(secondView, 'findings').tables.find((t) => t.id === 'findings-dismissed')?.rows[0]?.reason?.text, 'the DR standby is idle on purpose');

    // ...and so does the weekly review, in its stored document and its Slack and webhook messages.
    const review: ReviewResult = await stack.env.client.workflow.execute<typeof weeklyReview>('weeklyReview', {
      taskQueue: stack.taskQueue,
      workflowId: `review/acme/all/${TEST_TODAY}`,
      args: [{ tenant: 'acme', scope: 'all', accounts: [SAMPLE_ACCOUNT], agents: ['ec2'], asOf: TEST_TODAY }],
    });
    const doc = (await new LocalFileStore(storeDir).getJson<ReviewDocument>(review.reviewKey))!;
    assert.ok(!doc.comparison.findings!.new.some((f) => f.id === dismissed.id), 'not new');
    assert.ok(!doc.comparison.findings!.stillOpen.some((f) => f.id === dismissed.id), 'not open');
    assert.deepEqual(doc.comparison.findings!.dismissed?.map((f) => f.id), [dismissed.id]);
    assert.equal(review.headline.dismissedFindings, 1);
    assert.match(JSON.stringify(slackMessage(review.headline, url)), /Dismissed: .*the DR standby is idle on purpose/);
    assert.equal(webhookBody(review.headline, url).review.dismissed?.[0]?.reason, 'the DR standby is idle on purpose');

    // 3. Accept and mark done from the CLI; a dismissal without a reason or a past snooze is refused there too.
    const refused = await finops(['findings', 'dismiss', fixed.id, '--snooze-until', addDays(TEST_TODAY, -1), '--reason', 'later'], bob.key);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /snoozeUntil: .* is not after today/);
    const accept = await finops(['findings', 'accept', accepted.id], bob.key);
    assert.equal(accept.code, 0, accept.stderr);
    assert.match(accept.stdout, /: accepted, by key:bob on .* \(version 1\)/);
    const done = await finops(['findings', 'done', fixed.id, '--analysis', second.analysisId], bob.key);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /: done, by key:bob/);
    const states = await finops(['findings', 'states', '--json'], bob.key);
    const kept = JSON.parse(states.stdout) as { states: { findingId: string; state: string; by: string }[] };
    assert.deepEqual(
      kept.states.map((s) => [s.findingId, s.state, s.by]).sort(),
      [
        [dismissed.id, 'dismissed', 'key:alice'],
        [accepted.id, 'accepted', 'key:bob'],
        [fixed.id, 'done', 'key:bob'],
      ].sort(),
    );

    const third = await analyse();
    assert.equal(byId(third, accepted.id)?.state?.state, 'accepted');
    assert.equal(byId(third, fixed.id)?.state?.flag, DONE_STILL_PRESENT);
    const thirdView = buildReportView(third);
    assert.match(thirdView.findings.find((f) => f.id === fixed.id)?.stateText ?? '', /^Marked done, still present \(by key:bob/);
    const stillThere = third.findingStates!.done.find((d) => d.findingId === fixed.id)!;
    assert.equal(stillThere.stillPresent, true);
    assert.equal(stillThere.realised, undefined, 'nothing is claimed while the finding is still found');

    // 4. The sample account applies the fix: the resource was deleted six days ago.
    const fixedFrom = addDays(TEST_TODAY, -6);
    const fix = await fetch(`${stack.sim.url}/__sim/fixes`, {
      method: 'POST',
      body: JSON.stringify({ resourceId: fixed.resource.id, action: 'delete', from: fixedFrom }),
    });
    assert.equal(fix.status, 200);
    assert.ok(((await fix.json()) as { rowsChanged: number }).rowsChanged > 0);

    const fourth = await analyse();
    assert.equal(byId(fourth, fixed.id), undefined, 'the deleted resource is no longer a finding');
    const realisedEntry = fourth.findingStates!.done.find((d) => d.findingId === fixed.id)!;
    assert.equal(realisedEntry.stillPresent, false);
    const realised = realisedEntry.realised!;
    assert.equal(realised.method, 'absence');
    assert.deepEqual([realised.daysBefore, realised.daysAfter], [7, 6], 'thirteen complete days, split where the cost stopped');
    assert.match(realised.evidence, new RegExp(`a day over 7 day\\(s\\) before ${fixedFrom}`));
    // The resource's own daily cost, as a monthly rate, is what the estimate said deleting it would save.
    const ratio = new Big(realised.monthlySavings).div(fixed.monthlySavings).toNumber();
    assert.ok(ratio > 0.9 && ratio < 1.1, `realised ${realised.monthlySavings} against estimated ${fixed.monthlySavings}`);
    assert.equal(fourth.findingStates!.realisedMonthlySavings, realised.monthlySavings);
    const stateRequests = fourth.findingStates!.costExplorerRequests ?? 0;
    assert.ok(stateRequests >= 1);
    assert.ok((fourth.usage.requests?.['ce:GetCostAndUsageWithResources'] ?? 0) >= stateRequests, "the measurement's requests are in the analysis's own cost");
    console.log(`realised ${realised.monthlySavings} a month against ${fixed.monthlySavings} estimated (${realised.evidence})`);

    const view = buildReportView(fourth);
    const findings = sectionOf(view, 'findings');
    const row = findings.tables.find((t) => t.id === 'findings-done')!.rows.find((r) => r.resource?.text === fixed.resource.id)!;
    assert.deepEqual([row.estimated?.value, row.realised?.value, row.days?.value, row.status?.text], [fixed.monthlySavings, realised.monthlySavings, 13, 'resolved: no longer found']);
    assert.equal(findings.facts.find((f) => f.id === 'realised-savings')?.value, realised.monthlySavings);
    const md = await fetch(`${url}/api/analyses/${encodeURIComponent(fourth.analysisId)}/report?format=md`, { headers: { 'x-api-key': alice.key } });
    assert.match(await md.text(), /Marked done: estimated against realised savings/);

    // The dashboard shows the same: the done table with the realised figure.
    await page.goto(`${url}/#/analyses/${encodeURIComponent(fourth.analysisId)}`);
    await page.waitForSelector('#report', { timeout: 60_000 });
    await page.locator('#section-findings', { hasText: 'Realised savings' }).waitFor();
    assert.match((await page.locator('#section-findings').textContent()) ?? '', new RegExp(fixed.resource.id));
    await page.screenshot({ path: screenshotPath('finding-states-realised'), fullPage: false });
  });
});

test('bad input gets a clear 4xx: unknown finding, another tenant, a past snooze, identity in the body, a stale version', async () => {
  assert.ok(first && dismissed, 'runs after the round');
  const post = (key: string, body: unknown) => call('POST', '/api/finding-states', key, body);
  const errorOf = (r: { json: Record<string, unknown> }) => r.json.error as { code: string; message: string; details?: string[] };

  const unknown = await post(alice.key, { findingId: `ec2-idle/${SAMPLE_ACCOUNT}/us-east-1/i-0000000000000dead`, state: 'accepted' });
  assert.equal(unknown.status, 404);
  assert.equal(errorOf(unknown).code, 'finding_not_found');

  const theirAnalysis = await post(globex.key, { findingId: dismissed.id, state: 'accepted', analysisId: first.analysisId });
  assert.equal(theirAnalysis.status, 404, 'another tenant reads as unknown');
  const theirTenant = await post(globex.key, { findingId: dismissed.id, state: 'accepted', tenant: 'acme' });
  assert.equal(theirTenant.status, 403);
  const notTheirs = await post(globex.key, { findingId: dismissed.id, state: 'accepted' });
  assert.equal(notTheirs.status, 404);
  assert.equal(errorOf(notTheirs).code, 'finding_not_found');
  assert.deepEqual((await call('GET', '/api/finding-states', globex.key)).json.states, []);

  const past = await post(alice.key, { findingId: dismissed.id, state: 'dismissed', reason: 'r', snoozeUntil: addDays(TEST_TODAY, -1) });
  assert.equal(past.status, 400);
  assert.match(errorOf(past).details!.join(), /is not after today/);
  const signed = await post(alice.key, { findingId: dismissed.id, state: 'done', by: 'key:bob' });
  assert.equal(signed.status, 400);
  assert.match(errorOf(signed).details!.join(), /by: not allowed/);

  const current = (await new FindingStateStore(new LocalFileStore(storeDir)).get('acme', stateKeyOf(dismissed)))!;
  const stale = await post(alice.key, { findingId: dismissed.id, state: 'accepted', expectedVersion: current.version - 1 });
  assert.equal(stale.status, 409);
  assert.equal(errorOf(stale).code, 'version_conflict');
  // The MCP server's set_finding_state goes through the same route: the same refusals, the caller's identity.
  const mcp = await connect('http', url, alice.key);
  try {
    const refused = await callTool(mcp, 'set_finding_state', { findingId: accepted.id, state: 'dismissed', reason: 'r', snoozeUntil: addDays(TEST_TODAY, -1) });
    assert.equal(refused.isError, true);
    assert.match(refused.text, /is not after today/);
    const unknownTool = await callTool(mcp, 'set_finding_state', { findingId: 'ec2-idle/123456789012/us-east-1/i-nope', state: 'done' });
    assert.equal(unknownTool.isError, true);
    assert.match(unknownTool.text, /No finding/);
    const set = await callTool(mcp, 'set_finding_state', { findingId: accepted.id, state: 'done', reason: 'rightsized last week' });
    assert.equal(set.isError, false, set.text);
    assert.deepEqual(
      { state: set.structured?.state, by: set.structured?.by, version: set.structured?.version },
      { state: 'done', by: 'key:alice', version: 2 },
    );
  } finally {
    await mcp.close();
  }

  const notJson = await fetch(`${url}/api/finding-states`, { method: 'POST', headers: { 'x-api-key': alice.key }, body: 'state=done' });
  assert.equal(notJson.status, 415);
  const nothing = (await new FindingStateStore(new LocalFileStore(storeDir)).get('acme', stateKeyOf(dismissed)))!;
  assert.equal(nothing.version, current.version, 'no refused change was stored');
});

test('a state change racing a running analysis: the analysis applies it, and the state is kept', async () => {
  assert.ok(dismissed, 'runs after the round');
  // Slow the EC2 agent down, so the change lands while the agents run.
  stack.sim.setFaults([{ operation: 'ec2:*', latencyMs: 1500 }]);
  try {
    await stack.withWorker(async () => {
      const id = await startAnalysis();
      const reopened = await call('POST', '/api/finding-states', alice.key, { findingId: dismissed.id, state: 'open', reason: 'no longer a standby' });
      assert.equal(reopened.status, 200);
      const changedAt = Date.now();
      const handle = stack.env.client.workflow.getHandle(id);
      const report = (await handle.result()) as AnalysisReport;
      // The states are read after the agents and the merge, so a change made while they ran counts.
      const history = await handle.fetchHistory();
      const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'applyFindingStates');
      const scheduledAt = Number(scheduled?.eventTime?.seconds ?? 0) * 1000 + Math.floor((scheduled?.eventTime?.nanos ?? 0) / 1e6);
      assert.ok(scheduledAt >= changedAt, `the states were read (${scheduledAt}) after the change (${changedAt})`);
      assert.ok(byId(report, dismissed.id), 'the reopened finding is counted again');
      assert.ok(!report.findingStates!.dismissed.some((d) => d.finding.id === dismissed.id));
      const kept = (await new FindingStateStore(new LocalFileStore(storeDir)).get('acme', stateKeyOf(dismissed)))!;
      assert.equal(kept.state, 'open');
      assert.deepEqual(kept.history.map((h) => h.state), ['dismissed', 'open'], 'neither change lost');
    });
  } finally {
    stack.sim.setFaults([]);
  }
});
