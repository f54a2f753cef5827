/**
 * Every section of the report view in the dashboard, in headless Chromium: on a report with data in
 * each section and on one with none (each section then says why). Charts are drawn by ECharts, evidence
 * shows as labelled fields, the tag policy and the self-contained HTML export download, the follow-up
 * question box answers, and an axe-core pass finds no serious or critical accessibility violation.
 * Screenshots at desktop and narrow widths go to test-results/browser/.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { AnalysisReport } from '../../src/domain/report';
import { buildReportView } from '../../src/presentation/build';
import { SECTION_IDS } from '../../src/presentation/model';
import { ApiKeyStore, generateApiKey } from '../../src/gateway/api-keys';
import { credentialAuthenticator } from '../../src/gateway/auth';
import { type Harness, startHarness } from '../gateway/harness';
import { launchBrowser, screenshotPath, type Browser } from './browser';

let h: Harness;
let url: string;
let browser: Browser;

// The fixture workflow is steered by who asks: an API key "view-full" stands for requestedBy "view:full".
const keys = { full: generateApiKey('view-full', ['demo']), empty: generateApiKey('view-empty', ['demo']) };

before(async () => {
  browser = await launchBrowser();
  h = await startHarness();
  ({ url } = await h.gateway({ authenticate: credentialAuthenticator({ apiKeys: new ApiKeyStore([keys.full.entry, keys.empty.entry]) }) }));
});
after(async () => {
  await browser?.close();
  await h?.close();
});

async function analysisOf(kind: 'full' | 'empty'): Promise<{ id: string; report: AnalysisReport }> {
  const auth = { authorization: `Bearer ${keys[kind].key}` };
  const started = await fetch(`${url}/api/analyses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ tenant: 'demo', accounts: ['123456789012'], period: { start: '2026-10-01', end: '2026-11-01' } }),
  });
  assert.equal(started.status, 202, await started.clone().text());
  const { analysisId } = (await started.json()) as { analysisId: string };
  await h.client.workflow.getHandle(analysisId).result();
  const report = (await (await fetch(`${url}/api/analyses/${encodeURIComponent(analysisId)}/report`, { headers: auth })).json()) as AnalysisReport;
  return { id: analysisId, report };
}

/** axe-core in the page (evaluated through the debugger protocol, so the page's CSP stays as it is). */
async function accessibilityViolations(page: Page): Promise<string[]> {
  const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(`${source}\n;undefined`);
  const results = await page.evaluate<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }>(
    `axe.run(document, { resultTypes: ['violations'] })`,
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
}

async function openReport(id: string, kind: 'full' | 'empty'): Promise<{ page: Page; problems: string[] }> {
  const { page, problems } = await browser.page();
  // Signed in as the dashboard keeps it (sessionStorage), before the page's own script runs.
  await page.addInitScript(`sessionStorage.setItem('finops.token', ${JSON.stringify(keys[kind].key)})`);
  await page.goto(`${url}/#/analyses/${encodeURIComponent(id)}`);
  await page.waitForSelector('#report', { timeout: 30_000 });
  return { page, problems };
}

async function screenshots(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshotPath(`${name}-desktop`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshotPath(`${name}-narrow`), fullPage: true });
  const overflow = await page.evaluate<string[]>(`(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest('.table-scroll') && !el.closest('.chart'))
      .slice(0, 5)
      .map((el) => el.tagName + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.'));
  })()`);
  assert.deepEqual(overflow, [], 'nothing but scrollable tables (and charts\' clipped insides) is wider than a narrow screen');
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('a report with data: every section, its charts, evidence, downloads, questions, accessible', async () => {
  const { id, report } = await analysisOf('full');
  const view = buildReportView(report, { maxFindings: 1000 });
  const { page, problems } = await openReport(id, 'full');

  for (const sectionId of SECTION_IDS) {
    const section = page.locator(`#section-${sectionId}`);
    assert.equal(await section.count(), 1, `the ${sectionId} section is shown`);
    if (sectionId !== 'headline') assert.equal(await section.getAttribute('data-state'), 'data', `${sectionId} has data`);
  }
  // Headline cards and section figures are the view model's text.
  const head = view.sections.find((s) => s.id === 'headline')!;
  for (const f of head.facts) assert.equal(await page.locator(`#kpi-${f.id} .kpi-value`).textContent(), f.text);
  for (const s of view.sections.filter((x) => x.id !== 'headline' && x.id !== 'summary')) {
    const shown = await page.locator(`#section-${s.id} .fact .fact-value`).allTextContents();
    assert.deepEqual(shown, s.facts.map((f) => f.text), `${s.id} figures`);
    for (const t of s.tables.filter((x) => x.rows.length && x.id !== 'findings' && x.id !== 'agents')) {
      assert.equal(await page.locator(`#${t.id} tbody tr`).count(), t.rows.length, `${t.id} rows`);
    }
  }
  // Charts: ECharts drew each one as SVG, with a text alternative.
  for (const chart of view.sections.flatMap((s) => s.charts)) {
    await page.waitForSelector(`#chart-${chart.id} svg`, { timeout: 10_000 });
    assert.match((await page.locator(`#chart-${chart.id}`).getAttribute('aria-label')) ?? '', /\w/);
  }
  assert.equal(await page.locator('#chart-spend-daily svg path').count() > 31, true, 'one bar per day and series');
  // Evidence as labelled fields with units.
  const idle = page.locator('#finding-list .finding', { hasText: 'ec2-idle' }).first();
  const evidence = await idle.locator('dl.evidence dt').allTextContents();
  const values = await idle.locator('dl.evidence dd').allTextContents();
  assert.deepEqual(evidence.slice(0, 3), ['CPU p95', 'CPU max', 'Days measured']);
  assert.deepEqual(values.slice(0, 3), ['1.2%', '4.1%', '14 days']);
  // The tag policy and the one-file HTML export download.
  const [policy] = await Promise.all([page.waitForEvent('download'), page.click('#download-tag-policy')]);
  assert.deepEqual(JSON.parse(await readFile(await policy.path(), 'utf8')), report.tagging!.organizationsPolicy);
  const [html] = await Promise.all([page.waitForEvent('download'), page.click('#export-html')]);
  const exported = await readFile(await html.path(), 'utf8');
  assert.match(exported, /^<!doctype html>/);
  for (const sectionId of SECTION_IDS) assert.ok(exported.includes(`id="section-${sectionId}"`));
  assert.ok(!/<script/i.test(exported));
  // A follow-up question, answered from the report.
  await page.fill('#question', 'What is the total spend?');
  await page.click('#ask');
  // A locator, not waitForFunction: the dashboard's CSP forbids evaluating strings in the page.
  await page.locator('#answer', { hasText: 'Answered by' }).waitFor({ timeout: 20_000 });
  assert.match((await page.locator('#answer').textContent()) ?? '', /\$/);

  await screenshots(page, 'report-full');
  assert.deepEqual(await accessibilityViolations(page), [], 'no serious or critical accessibility violations');
  assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
  await page.close();
});

test('a report without data: every section says why', async () => {
  const { id, report } = await analysisOf('empty');
  const view = buildReportView(report);
  const { page, problems } = await openReport(id, 'empty');
  for (const s of view.sections.filter((x) => x.id !== 'headline')) {
    const section = page.locator(`#section-${s.id}`);
    assert.equal(await section.count(), 1, `the ${s.id} section is shown`);
    if (s.empty) {
      assert.equal(await section.getAttribute('data-state'), 'empty');
      assert.equal(await section.locator('.empty-reason').textContent(), s.empty, `${s.id} says why it is empty`);
    }
  }
  assert.equal(await page.locator('#failures li').count(), 6);
  assert.equal(await page.locator('#questions').count(), 1, 'the question box is on every report');
  await screenshots(page, 'report-empty');
  assert.deepEqual(await accessibilityViolations(page), [], 'no serious or critical accessibility violations');
  assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
  await page.close();
});
