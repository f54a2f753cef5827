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
import type { Page } from 'playwright-core';
import { formatUsd } from '../../src/domain/money';
import type { AnalysisReport } from '../../src/domain/report';
import { hasFindings, missingAgents, readFindings } from '../../src/domain/report-export';
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

async function texts(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).allTextContents();
}

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

    // The trend chart: one point per day, with the report's exact amounts, drawn to scale.
    const points = (await attributes(page.locator('#trend circle'), ['data-date', 'data-amount', 'cy'])).map((c) => ({
      date: c['data-date'],
      amount: c['data-amount'],
      cy: Number(c.cy),
    }));
    assert.equal(points.length, spend.daily.length);
    assert.ok(points.length >= 28);
    assert.deepEqual(points.map((p) => ({ date: p.date, amount: p.amount })), spend.daily);
    const amounts = spend.daily.map((d) => Number(d.amount));
    const highest = amounts.indexOf(Math.max(...amounts));
    const lowest = amounts.indexOf(Math.min(...amounts));
    assert.equal(Math.min(...points.map((p) => p.cy)), points[highest]!.cy, 'the highest day is drawn highest');
    assert.equal(Math.max(...points.map((p) => p.cy)), points[lowest]!.cy, 'the lowest day is drawn lowest');

    // The service breakdown, in the report's order, with exact amounts and bars to scale.
    const rows = await attributes(page.locator('#services .bar-row'), ['data-service', 'data-amount']);
    const widths = await attributes(page.locator('#services .bar-row .bar'), ['style']);
    const bars = rows.map((r, i) => ({
      service: r['data-service'],
      amount: r['data-amount'],
      width: parseFloat((widths[i]?.style ?? '').replace(/^width:\s*/, '')),
    }));
    assert.deepEqual(bars.map((b) => ({ service: b.service, amount: b.amount })), spend.byService.map((l) => ({ service: l.service, amount: l.amount })));
    assert.equal(bars[0]!.width, 100);
    for (let i = 1; i < bars.length; i++) assert.ok(bars[i]!.width <= bars[i - 1]!.width, 'bars shrink with spend');
    assert.deepEqual(await texts(page, '#services .bar-row:not([hidden]) .bar-value'), spend.byService.slice(0, 10).map((l) => formatUsd(l.amount, spend.unit)));

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
      assert.equal(await page.locator('#findings').count(), 0);
    }

    // Tooltip on hover.
    const chart = page.locator('#trend .overlay');
    const box = await chart.boundingBox();
    assert.ok(box);
    // hover() scrolls the chart into view first (the report's sections above it may push it below the fold).
    await chart.hover({ position: { x: box.width - 2, y: box.height / 2 } });
    const tooltip = await page.locator('#trend .tooltip').textContent();
    assert.ok(tooltip?.includes(formatUsd(spend.daily.at(-1)!.amount, spend.unit)), `tooltip: ${tooltip}`);

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
