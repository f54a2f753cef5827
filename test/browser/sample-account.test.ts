/**
 * The dashboard in headless Chromium, driving a full analysis of the sample account: real Temporal dev
 * server, simulator and worker (test/helpers/stack.ts), the gateway serving the dashboard. The test
 * starts the analysis from the form, watches it live agent by agent, then checks the charts and cards
 * against the report the API serves, downloads an export, and finds the run in the list. Screenshots go
 * to test-results/browser/.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { formatUsd } from '../../src/domain/money';
import type { AnalysisReport } from '../../src/domain/report';
import { hasFindings, missingAgents, readFindings } from '../../src/domain/report-export';
import { buildReportView } from '../../src/presentation/build';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { lastFullMonths, SAMPLE_ACCOUNT, startStack, testNow, type TestStack } from '../helpers/stack';
import { attributes, launchBrowser, screenshotPath, type Browser } from './browser';

let stack: TestStack;
let gateway: Gateway;
let url: string;
let browser: Browser;

before(async () => {
  browser = await launchBrowser(); // first: a missing Chromium fails fast and clearly
  stack = await startStack();
  gateway = createGateway({ client: stack.env.client, taskQueue: stack.taskQueue, now: testNow });
  ({ url } = await gateway.listen(0));
});
after(async () => {
  await browser?.close();
  await gateway?.close();
  await stack?.close();
});

test('start an analysis of the sample account, watch it live, and read its report', async () => {
  await stack.withWorker(async () => {
    const { page, problems } = await browser.page();
    await page.goto(url);
    await page.getByRole('link', { name: 'New analysis' }).first().click();
    await page.waitForSelector('#new-analysis');
    assert.equal(await page.locator('input[name=agent]').count(), 6, 'the agents picker lists the six agents');
    await page.fill('textarea[name=accounts]', SAMPLE_ACCOUNT);
    await page.fill('input[name=start]', lastFullMonths(1).start);
    await page.fill('input[name=end]', lastFullMonths(1).end);
    await page.click('#start');

    // Live, agent by agent.
    await page.waitForURL(/#\/analyses\/analysis%2Fdemo%2F/);
    const analysisId = decodeURIComponent(new URL(page.url()).hash.replace('#/analyses/', ''));
    await page.waitForSelector('#agents-live tbody tr', { timeout: 30_000 });
    assert.equal(await page.locator('#agents-live tbody tr').count(), 6);
    await page.screenshot({ path: screenshotPath('sample-account-live'), fullPage: true });

    const seenStates = new Set<string>();
    const watch = setInterval(() => {
      void attributes(page.locator('#agents-live tbody tr'), ['data-state'])
        .then((rows) => rows.forEach((r) => seenStates.add(r['data-state'] ?? '')))
        .catch(() => {});
    }, 100);
    await page.waitForSelector('#report', { timeout: 120_000 });
    clearInterval(watch);
    await page.screenshot({ path: screenshotPath('sample-account-report'), fullPage: true });
    assert.ok(seenStates.has('running') || seenStates.has('succeeded'), `agents were shown live (${[...seenStates].join(', ')})`);

    // The report the API serves.
    const response = await fetch(`${url}/api/analyses/${encodeURIComponent(analysisId)}/report`);
    assert.equal(response.status, 200);
    const report = (await response.json()) as AnalysisReport;
    const { spend } = report;

    // Headline cards.
    assert.equal(await page.locator('#kpi-total .kpi-value').textContent(), formatUsd(spend.total, spend.unit));
    assert.equal(await page.locator('#kpi-previous .kpi-value').textContent(), formatUsd(spend.previousTotal, spend.unit));
    assert.equal(await page.locator('#kpi-cost .kpi-value').textContent(), formatUsd(report.usage.costExplorerCost));
    assert.match((await page.locator('#kpi-cost .kpi-note').textContent()) ?? '', new RegExp(`Cost Explorer requests: ${report.usage.costExplorerRequests}`));

    // Every section of the view model, each with data or saying why; the daily chart drawn by ECharts.
    const view = buildReportView(report, { maxFindings: 1000 });
    for (const section of view.sections.filter((x) => x.id !== 'headline')) {
      const shown = page.locator(`#section-${section.id}`);
      assert.equal(await shown.count(), 1, `the ${section.id} section is shown`);
      if (section.empty) assert.equal(await shown.locator('.empty-reason').textContent(), section.empty);
      else assert.deepEqual(await shown.locator('.fact .fact-value').allTextContents(), section.id === 'summary' ? [] : section.facts.map((f) => f.text));
      console.log(`  ${section.id}: ${section.empty ?? section.facts.map((f) => `${f.label} ${f.text}`).join('; ')}`);
    }
    await page.waitForSelector('#chart-spend-daily svg', { timeout: 10_000 });
    const services = view.sections.find((x) => x.id === 'spend')!.tables.find((t) => t.id === 'spend-by-service')!;
    assert.deepEqual(
      await page.locator('#spend-by-service tbody tr td:first-child').allTextContents(),
      services.rows.map((r) => r.key!.text),
      'spend by service in the report\'s order',
    );
    assert.deepEqual(await page.locator('#spend-by-service tbody tr td:nth-child(2)').allTextContents(), spend.byService.map((l) => formatUsd(l.amount, spend.unit)));

    // Agents and what failed.
    const agents = (await attributes(page.locator('#agents-report tbody tr'), ['data-agent', 'data-status'])).map((r) => [r['data-agent'], r['data-status']]);
    assert.deepEqual(agents, report.agents.map((a) => [a.agent, a.status]));
    const missing = missingAgents(report);
    assert.equal(await page.locator('#failures').count(), missing.length ? 1 : 0);
    assert.equal(await page.locator('#failures li').count(), missing.length);
    // Findings appear as cards once the agents produce them; until then there is no findings section.
    if (hasFindings(report) && readFindings(report).length) {
      assert.ok((await page.locator('#finding-list .finding').count()) > 0);
    } else if (!hasFindings(report)) {
      assert.equal(await page.locator('#section-findings').getAttribute('data-state'), 'empty');
    }

    // Export: the CSV download is the API's CSV.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const downloaded = await readFile(await download.path(), 'utf8');
    const csv = await (await fetch(`${url}/api/analyses/${encodeURIComponent(analysisId)}/report?format=csv`)).text();
    assert.equal(downloaded, csv);
    assert.match(download.suggestedFilename(), /^analysis-demo-\d{8}-\d{4}-[0-9a-f]+-(spend|findings)\.csv$/);

    // The list of past analyses has it.
    await page.click('a.back');
    await page.waitForSelector('#analyses');
    await page.waitForSelector(`#analyses tr[data-id="${analysisId}"]`, { timeout: 15_000 }).catch(async () => {
      await page.click('text=Refresh');
      await page.waitForSelector(`#analyses tr[data-id="${analysisId}"]`, { timeout: 15_000 });
    });
    assert.equal(await page.locator(`#analyses tr[data-id="${analysisId}"] .status`).getAttribute('data-status'), 'COMPLETED');
    await page.screenshot({ path: screenshotPath('sample-account-list') });
    assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
    await page.close();
  });
});
