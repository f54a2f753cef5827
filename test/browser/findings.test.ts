/**
 * The dashboard with a report of the shape the agents are growing into (test/gateway/fixtures): 400
 * findings, a failed agent, hostile account data. Runs in headless Chromium against a gateway that
 * requires API keys, so it also covers signing in and the WebSocket `auth` message. Checks: failures
 * are shown, cards are ranked by savings and match the report, filters and search are fast, more cards
 * load on scroll, and account data renders as text (no element, no script).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { formatUsd } from '../../src/domain/money';
import type { AnalysisReport } from '../../src/domain/report';
import { readFindings, totalSavings } from '../../src/domain/report-export';
import { ApiKeyStore, generateApiKey } from '../../src/gateway/api-keys';
import { credentialAuthenticator } from '../../src/gateway/auth';
import { HOSTILE_NAME } from '../gateway/fixtures/rich-report';
import { type Harness, startHarness } from '../gateway/harness';
import { attributes, launchBrowser, screenshotPath, type Browser } from './browser';

const acme = generateApiKey('dashboard', ['acme']);
/** Who asked comes from the credential: this key's id scripts the fixture run (400 findings, one failed agent). */
const scripted = generateApiKey('report-400-1-partial', ['acme']);
let h: Harness;
let url: string;
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
  h = await startHarness();
  ({ url } = await h.gateway({ authenticate: credentialAuthenticator({ apiKeys: new ApiKeyStore([acme.entry, scripted.entry]) }) }));
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test('sign in, watch a partial analysis live, then work through 400 findings', async () => {
  const started = await fetch(`${url}/api/analyses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': scripted.key },
    body: JSON.stringify({ accounts: ['123456789012', '210987654321'], period: { start: '2025-01-01', end: '2025-02-01' } }),
  });
  assert.equal(started.status, 202);
  const { analysisId } = (await started.json()) as { analysisId: string };

  const { page, problems } = await browser.page();
  await page.goto(`${url}/#/analyses/${encodeURIComponent(analysisId)}`);
  await page.waitForSelector('#signin');
  await page.fill('input[name=token]', acme.key);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#whoami .subject');
  assert.equal(await page.locator('#whoami .subject').textContent(), 'key:dashboard');
  assert.ok(problems.every((p) => /401/.test(p)), 'before signing in, only the expected 401');
  problems.length = 0;

  // Live over the WebSocket, authenticated with an `auth` message.
  await page.waitForSelector('#agents-live', { timeout: 20_000 });
  await page.waitForSelector('#connection[data-state="live"]', { timeout: 10_000 });
  await page.waitForSelector('#agents-live tr[data-state="succeeded"]', { timeout: 20_000 });
  await page.screenshot({ path: screenshotPath('findings-live') });
  await page.waitForSelector('#report', { timeout: 60_000 });
  const rendered = Date.now();

  const report = (await (await fetch(`${url}/api/analyses/${encodeURIComponent(analysisId)}/report`, { headers: { 'x-api-key': acme.key } })).json()) as AnalysisReport;
  const findings = readFindings(report);
  assert.equal(findings.length, 400);

  // What is missing is said up front.
  assert.equal(await page.locator('#failures li').count(), 2);
  assert.match((await page.locator('#failures').textContent()) ?? '', /Trusted Advisor: support:DescribeTrustedAdvisorChecks: access denied/);
  assert.match((await page.locator('#failures li[data-kind="skipped"]').textContent()) ?? '', /^Forecast and trend \(skipped\): needs IAM permission ce:GetCostForecast$/);
  assert.equal(await page.locator('#report').getAttribute('data-status'), 'partial');

  // Savings headline and the ranked cards.
  assert.equal(await page.locator('#kpi-savings .kpi-value').textContent(), formatUsd(totalSavings(findings)));
  assert.equal(await page.locator('#filtered-savings').textContent(), `${formatUsd(totalSavings(findings))} per month`);
  const firstBatch = (await attributes(page.locator('#finding-list .finding'), ['data-savings'])).map((a) => a['data-savings'] ?? '');
  assert.ok(firstBatch.length >= 40 && firstBatch.length < 400, `cards render in batches (${firstBatch.length})`);
  assert.deepEqual(firstBatch, findings.slice(0, firstBatch.length).map((f) => f.monthlySavings), 'highest savings first, exact amounts');
  assert.equal(await page.locator('#finding-list .finding').first().locator('.savings').textContent(), `${formatUsd(findings[0]!.monthlySavings)} / month`);
  await page.screenshot({ path: screenshotPath('findings-report') });

  // Scrolling loads more.
  await page.locator('#more-findings').scrollIntoViewIfNeeded();
  await page.locator('#finding-list .finding').nth(firstBatch.length).waitFor();

  // Filters: by agent, then by text, each answered quickly.
  let t = Date.now();
  await page.selectOption('select[name=agent]', 'rds');
  await page.locator('.finding-summary', { hasText: /of 400 findings/ }).waitFor();
  const filterMs = Date.now() - t;
  const rds = findings.filter((f) => f.sources.includes('rds'));
  assert.match((await page.locator('.finding-summary').textContent()) ?? '', new RegExp(`^${rds.length} of 400 findings`));
  assert.equal(await page.locator('#filtered-savings').textContent(), `${formatUsd(totalSavings(rds))} per month`);
  const agents = (await attributes(page.locator('#finding-list .finding'), ['data-agent'])).map((a) => a['data-agent']);
  assert.ok(agents.length > 0 && agents.every((a) => a === 'rds'));
  await page.selectOption('select[name=agent]', '');

  t = Date.now();
  await page.fill('input[name=text]', 'onerror');
  await page.locator('.finding-summary', { hasText: /^\d+ of 400 findings/ }).waitFor();
  const searchMs = Date.now() - t;
  const hostile = findings.filter((f) => f.resourceName === HOSTILE_NAME);
  assert.match((await page.locator('.finding-summary').textContent()) ?? '', new RegExp(`^${hostile.length} of 400`));
  // Account data is text: the hostile name is visible as characters, and created no element.
  assert.equal(await page.locator('#finding-list .resource-name').first().textContent(), HOSTILE_NAME);
  assert.equal(await page.locator('#report img').count(), 0);
  assert.equal(await page.evaluate(() => typeof (globalThis as { __pwned?: unknown }).__pwned), 'undefined');
  assert.ok(((await page.locator('#finding-list .tag-value').allTextContents()).some((v) => v.startsWith('=HYPERLINK'))), 'tag values shown verbatim');
  await page.screenshot({ path: screenshotPath('findings-filtered') });

  console.log(`dashboard: report rendered, agent filter ${filterMs} ms, text search ${searchMs} ms (incl. 120 ms debounce)`);
  assert.ok(filterMs < 1000 && searchMs < 1500, `filters answer quickly (${filterMs} ms, ${searchMs} ms)`);
  assert.ok(Date.now() - rendered < 60_000);
  assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
  await page.close();
});
