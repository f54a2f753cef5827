/**
 * The `finops` command line as a real process against a gateway that requires API keys (real Temporal
 * dev server, fixture workflow): analyze with live progress (plain lines and terminal bars), list, get,
 * report in every format, cancel, whoami, schedules, key creation, and its errors and exit codes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AnalysisReport } from '../../src/domain/report';
import { buildReportView } from '../../src/presentation/build';
import { viewToHtml } from '../../src/presentation/html';
import { SECTION_IDS } from '../../src/presentation/model';
import { ApiKeyStore, generateApiKey } from '../../src/gateway/api-keys';
import { credentialAuthenticator } from '../../src/gateway/auth';
import { runFinops, type CliRun } from '../helpers/processes';
import { apiPath, type Harness, signal, startFixture, startHarness } from './harness';

const acme = generateApiKey('cli', ['acme']);
/** The fixture reads its script from who asked, which the gateway takes from the key's id. */
const scripted = Object.fromEntries(['report-60-1-partial', 'report-8-1', 'report-30-0'].map((id) => [id, generateApiKey(id, ['acme'])]));
const as = (id: string) => ({ FINOPS_API_KEY: scripted[id]!.key });
let h: Harness;
let url: string;

before(async () => {
  h = await startHarness();
  ({ url } = await h.gateway({ authenticate: credentialAuthenticator({ apiKeys: new ApiKeyStore([acme.entry, ...Object.values(scripted).map((k) => k.entry)]) }), relay: { pollIntervalMs: 100, maxPollIntervalMs: 300 } }));
});
after(async () => {
  await h?.close();
});

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function finops(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runFinops(args, { FINOPS_GATEWAY_URL: url, FINOPS_API_KEY: acme.key, ...env });
}

async function api(path: string): Promise<Response> {
  return fetch(`${url}${path}`, { headers: { 'x-api-key': acme.key } });
}

describe('finops command line', { concurrency: 3 }, () => {
  test('analyze: start, live progress as lines (not a terminal), then the report; exit 0', async () => {
    const run = await finops(['analyze', '--account', '123456789012', '--account', '210987654321', '--start', '2025-01-01', '--end', '2025-02-01', ], as('report-60-1-partial'));
    assert.equal(run.code, 0, run.stderr);
    const id = /^Started (analysis\/acme\/\S+)$/m.exec(run.stdout)?.[1];
    assert.ok(id, run.stdout);
    assert.match(run.stdout, /Live progress \(6 agents\):/);
    assert.match(run.stdout, /· \[\s*[\d.]+ s\] EC2 \(instances, EBS, Elastic IPs, snapshots\): Done/);
    assert.match(run.stdout, /✗ \[\s*[\d.]+ s\] Trusted Advisor: Failed/);
    assert.match(run.stdout, /PARTIAL report for acme: 123456789012, 210987654321/);
    assert.match(run.stdout, /^ {2}Findings +60\n {2}Savings per month +\$[\d,.]+$/m);
    assert.match(run.stdout, /^ {2}- Trusted Advisor failed: support:DescribeTrustedAdvisorChecks: access denied/m);
    assert.match(run.stdout, /^ {2}- Forecast and trend was skipped: needs IAM permission ce:GetCostForecast$/m);
    for (const title of ['HEADLINE', 'SPEND', 'FORECAST', 'ANOMALIES', 'TAGGING COMPLIANCE', 'COMMITMENTS', 'FINDINGS', 'NOTES: WHAT WAS SKIPPED AND WHY']) {
      assert.match(run.stdout, new RegExp(`^${title}$`, 'm'), `the report shows its ${title.toLowerCase()} section`);
    }
    assert.ok(!run.stdout.includes('\u001b['), 'no terminal codes when not a terminal');
    assert.ok(!run.stdout.includes('<img') || run.stdout.includes('<img src=x'), 'account data printed as plain text');
  });

  test('analyze --progress bars draws one bar per agent, redrawn in place', async () => {
    const run = await finops(['analyze', '--account', '123456789012', '--start', '2025-01-01', '--end', '2025-02-01', '--progress', 'bars'], as('report-8-1'));
    assert.equal(run.code, 0, run.stderr);
    assert.ok(/\[\d+A/.test(run.stdout) && run.stdout.includes('\u001b['), 'cursor moves up to redraw');
    assert.match(run.stdout, /Progress [█░]{24} 6\/6 agents done/);
    assert.match(run.stdout, /✓ EC2 \(instances, EBS, Elastic IPs,… █{16} succeeded/);
    assert.match(run.stdout, /Report for acme/);
  });

  test('list, get and report in every format match the API', async () => {
    const run = await finops(['analyze', '--account', '123456789012', '--start', '2025-01-01', '--end', '2025-02-01', '--json'], as('report-30-0'));
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { analysisId: string };
    const id = report.analysisId;

    const listed = await finops(['list', '--json', '--limit', '50']);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout) as { analysisId: string; status: string }[];
    // Visibility may lag a moment behind the run.
    if (!rows.some((r) => r.analysisId === id)) await new Promise((r) => setTimeout(r, 1500));
    const table = await finops(['list', '--status', 'COMPLETED', '--account', '123456789012']);
    assert.match(table.stdout, /^STATUS\s+STARTED\s+ACCOUNTS\s+ANALYSIS$/m);
    assert.ok(table.stdout.includes(id), table.stdout);

    const got = await finops(['get', id]);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /Status: COMPLETED/);
    assert.match(got.stdout, /^ {2}Findings +30$/m);

    for (const format of ['json', 'md', 'csv'] as const) {
      const cli = await finops(['report', id, '--format', format]);
      assert.equal(cli.code, 0, cli.stderr);
      const served = await (await api(apiPath(id, `/report?format=${format}`))).text();
      if (format === 'json') assert.deepEqual(JSON.parse(cli.stdout), JSON.parse(served));
      else assert.equal(cli.stdout, served);
    }
    // HTML and the view model: rendered by the CLI from the report's JSON, with the same view model.
    const served = (await (await api(apiPath(id, '/report?format=json'))).json()) as AnalysisReport;
    const html = await finops(['report', id, '--format', 'html']);
    assert.equal(html.code, 0, html.stderr);
    assert.equal(html.stdout, viewToHtml(buildReportView(served)));
    assert.match(html.stdout, /^<!doctype html>/);
    for (const sectionId of SECTION_IDS) assert.ok(html.stdout.includes(`id="section-${sectionId}"`), `the HTML has the ${sectionId} section`);
    assert.ok(!/<script/i.test(html.stdout));
    const view = await finops(['report', id, '--format', 'view']);
    assert.equal(view.code, 0, view.stderr);
    assert.deepEqual(JSON.parse(view.stdout), JSON.parse(JSON.stringify(buildReportView(served))));
    const dir = mkdtempSync(join(tmpdir(), 'finops-cli-'));
    const file = join(dir, 'spend.csv');
    const saved = await finops(['report', id, '--format', 'csv', '--table', 'spend', '--output', file]);
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(saved.stderr, /Wrote .*spend\.csv \(spend table\)/);
    assert.match(readFileSync(file, 'utf8'), /^service,amount,previous_amount/);
  });

  test('cancel, watch a cancelled analysis (exit 3), and refusals', async () => {
    const id = await startFixture(h.client, h.taskQueue, { tenant: 'acme' });
    const cancelled = await finops(['cancel', id]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /Cancellation requested for analysis\/acme\//);
    await assert.rejects(h.client.workflow.getHandle(id).result());
    const again = await finops(['cancel', id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /finops: The analysis has already finished \(CANCELLED\)/);
    const watched = await finops(['watch', id]);
    assert.equal(watched.code, 3);
    assert.match(watched.stderr, /ended without a report: CANCELLED/);

    const other = await startFixture(h.client, h.taskQueue, { tenant: 'globex' });
    const foreign = await finops(['get', other]);
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /was not found \(HTTP 404\)/);
    await signal(h.client, other, { kind: 'finish' });
  });

  test('credentials, identity and errors', async () => {
    const me = await finops(['whoami']);
    assert.equal(me.stdout, 'key:cli (api-key); tenants: acme\n');
    const wrong = await finops(['whoami', '--api-key', `${acme.key}x`]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /The API key is not valid \(HTTP 401\)/);
    const none = await finops(['whoami'], { FINOPS_API_KEY: '' });
    assert.match(none.stderr, /needs credentials/);
    const port = await deadPort();
    const down = await finops(['list', '--gateway', `http://127.0.0.1:${port}`]);
    assert.equal(down.code, 1);
    assert.match(down.stderr, new RegExp(`Cannot reach the gateway at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
    const invalid = await finops(['analyze', '--account', '12', '--start', '2025-01-01', '--end', '2025-02-01']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /The analysis request is not valid \(HTTP 400\):\n {2}- accounts\.0: each account must be a 12-digit AWS account ID/);
    const schedules = await finops(['schedules', 'get', 'review/globex/all']);
    assert.equal(schedules.code, 1);
    assert.match(schedules.stderr, /was not found \(HTTP 404\)/);

    for (const args of [['frobnicate'], ['get'], ['analyze'], ['report', 'x', '--format', 'pdf'], ['list', '--bogus']]) {
      const bad = await finops(args);
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
      assert.match(bad.stderr, /Run "npm run finops -- help"/);
    }
    const help = await finops(['help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^finops: start, watch, list and fetch/);
  });

  test('keys create prints a key once and the hashed entry that admits it', async () => {
    const run = await finops(['keys', 'create', '--id', 'ci', '--tenant', 'acme', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const { key, entry } = JSON.parse(run.stdout) as { key: string; entry: { id: string; tenants: string[]; sha256: string } };
    assert.deepEqual(new ApiKeyStore([entry as never]).verify(key)?.tenants, ['acme']);
    const plain = await finops(['keys', 'create', '--id', 'ops', '--operator']);
    assert.match(plain.stdout, /API key \(shown once.*\n {2}finops_ops_/);
    assert.match(plain.stdout, /"tenants":"\*"/);
  });

  test('schedules create (idempotent), list, get, pause, unpause and delete', async () => {
    const create = ['schedules', 'create', '--account', '123456789012', '--scope', 'cli', '--day', 'friday', '--at', '07:30', '--timezone', 'Asia/Tokyo'];
    const created = await finops(create);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Created review\/acme\/cli\n {2}Weekly cost review for acme\/cli: account 123456789012, last 7 days, Fridays 07:30 Asia\/Tokyo/);
    const again = await finops(create);
    assert.match(again.stdout, /^Updated review\/acme\/cli/);
    const list = await finops(['schedules', 'list', '--json']);
    assert.deepEqual((JSON.parse(list.stdout) as { scheduleId: string }[]).map((s) => s.scheduleId).filter((id) => id === 'review/acme/cli'), ['review/acme/cli']);
    const paused = await finops(['schedules', 'pause', 'review/acme/cli', '--note', 'quiet week']);
    assert.equal(paused.stdout, 'review/acme/cli: paused\n');
    const got = await finops(['schedules', 'get', 'review/acme/cli']);
    assert.match(got.stdout, /^review\/acme\/cli \(paused\)\n.*\n {2}note: quiet week\n {2}next run: /);
    assert.equal((await finops(['schedules', 'unpause', 'review/acme/cli'])).stdout, 'review/acme/cli: active\n');
    assert.equal((await finops(['schedules', 'reviews', 'review/acme/cli'])).stdout, 'No reviews yet.\n');
    assert.match((await finops(['schedules', 'reviews', 'review/acme/cli', '2026-11-16'])).stderr, /was not found \(HTTP 404\)/);
    assert.equal((await finops(['schedules', 'delete', 'review/acme/cli'])).stdout, 'Deleted review/acme/cli\n');
    assert.equal((await finops(['schedules', 'get', 'review/acme/cli'])).code, 1);
    assert.equal((await finops(['schedules', 'pause'])).code, 2);
  });
});
