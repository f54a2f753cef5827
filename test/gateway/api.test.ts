/**
 * The rest of the REST API against a real Temporal dev server and the fixture workflow: listing from
 * visibility (filters, pages), report downloads (JSON, Markdown, CSV), the OpenAPI document against the
 * registered routes, /api/me, /api/agents and /metrics.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AnalysisReport } from '../../src/domain/report';
import { FINDINGS_CSV_COLUMNS, readFindings, SPEND_CSV_COLUMNS } from '../../src/domain/report-export';
import { createGateway, registeredRoutes } from '../../src/gateway/app';
import type { ErrorBody } from '../../src/gateway/errors';
import { parseMetrics } from '../../src/gateway/metrics';
import { documentedOperations } from '../../src/gateway/openapi';
import { HOSTILE_NAME, HOSTILE_TAG } from './fixtures/rich-report';
import { apiPath, eventually, type Harness, signal, startFixture, startHarness, TestSocket } from './harness';

let h: Harness;
let url: string;
before(async () => {
  h = await startHarness();
  ({ url } = await h.gateway({ queryTimeoutMs: 500 }));
});
after(async () => {
  await h?.close();
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; text: string; headers: Headers }> {
  const response = await fetch(`${url}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body, text, headers: response.headers };
}

function errorOf(result: { status: number; body: unknown }, status: number, code: string): ErrorBody['error'] {
  assert.equal(result.status, status, JSON.stringify(result.body));
  const error = (result.body as ErrorBody).error;
  assert.equal(error.code, code, JSON.stringify(error));
  return error;
}

interface ListBody {
  analyses: { analysisId: string; tenant: string; accounts: string[]; status: string; startTime: string; closeTime?: string; links: { self: string } }[];
  nextPageToken?: string;
}

/** A finished analysis returning the rich report (findings, a failed agent). */
async function richAnalysis(findings: number, partial: boolean): Promise<{ id: string; report: AnalysisReport }> {
  const id = await startFixture(h.client, h.taskQueue, { requestedBy: `report:${findings}:0${partial ? ':partial' : ''}` });
  const report = (await h.client.workflow.getHandle(id).result()) as AnalysisReport;
  return { id, report };
}

describe('listing analyses', () => {
  test('filters by tenant scope, account, status and start time, newest first, paginated with opaque tokens', async () => {
    const tenant = `list-${Date.now().toString(36)}`;
    const started = new Date();
    const running = await startFixture(h.client, h.taskQueue, { tenant });
    const done = await startFixture(h.client, h.taskQueue, { tenant });
    await signal(h.client, done, { kind: 'finish' });
    await h.client.workflow.getHandle(done).result();
    const others = await Promise.all([1, 2, 3].map(() => startFixture(h.client, h.taskQueue, { tenant })));
    const all = [running, done, ...others];

    const list = async (query: string) => {
      const result = await call(`/api/analyses?tenant=${tenant}${query}`);
      assert.equal(result.status, 200, result.text);
      return result.body as ListBody;
    };
    // Visibility is eventually consistent.
    const everything = await eventually(async () => {
      const page = await list('&pageSize=100');
      return page.analyses.length === all.length && page.analyses.every((a) => a.status !== 'UNKNOWN') ? page : undefined;
    }, 10_000, 'all five analyses in visibility');
    assert.deepEqual(new Set(everything.analyses.map((a) => a.analysisId)), new Set(all));
    const item = everything.analyses.find((a) => a.analysisId === done)!;
    assert.equal(item.tenant, tenant);
    assert.deepEqual(item.accounts, ['123456789012']);
    assert.equal(item.links.self, apiPath(done));
    assert.ok(item.closeTime, 'closed runs have a close time');

    await eventually(async () => ((await list('&status=COMPLETED')).analyses.length === 1 ? true : undefined), 10_000, 'the completed one');
    assert.deepEqual((await list('&status=completed')).analyses.map((a) => a.analysisId), [done]);
    assert.equal((await list('&status=RUNNING,FAILED')).analyses.length, 4);
    assert.equal((await list('&account=123456789012')).analyses.length, 5);
    assert.equal((await list('&account=999999999999')).analyses.length, 0);
    assert.equal((await list(`&startedAfter=${encodeURIComponent(new Date(started.getTime() - 60_000).toISOString())}`)).analyses.length, 5);
    assert.equal((await list(`&startedBefore=${encodeURIComponent(new Date(started.getTime() - 60_000).toISOString())}`)).analyses.length, 0);

    // Pages of two: three pages, no repeats, and the same set.
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await list(`&pageSize=2${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      assert.ok(page.analyses.length <= 2);
      seen.push(...page.analyses.map((a) => a.analysisId));
      token = page.nextPageToken;
      pages++;
    } while (token && pages < 10);
    assert.equal(new Set(seen).size, seen.length, 'no analysis on two pages');
    assert.deepEqual(new Set(seen), new Set(all));

    // A token works only with the query it came from.
    const first = await list('&pageSize=2');
    assert.ok(first.nextPageToken);
    const replayed = await call(`/api/analyses?tenant=${tenant}&pageSize=2&status=RUNNING&pageToken=${encodeURIComponent(first.nextPageToken)}`);
    assert.match(errorOf(replayed, 400, 'invalid_request').message, /different query/);
    errorOf(await call(`/api/analyses?pageToken=garbage`), 400, 'invalid_request');
    await Promise.all([running, ...others].map((id) => signal(h.client, id, { kind: 'finish' })));
  });

  test('bad filters name every problem', async () => {
    const error = errorOf(await call('/api/analyses?account=12&status=SLEEPING&startedAfter=yesterday&pageSize=1000'), 400, 'invalid_request');
    const details = error.details?.join(' | ') ?? '';
    assert.match(details, /12-digit/);
    assert.match(details, /unknown status "SLEEPING"/);
    assert.match(details, /startedAfter must be a date/);
    errorOf(await call('/api/analyses?pageSize=0'), 400, 'invalid_request');
    errorOf(await call('/api/analyses?tenant=Bad%20Tenant'), 400, 'invalid_request');
    errorOf(await call('/api/analyses?status=RUNNING&status=FAILED'), 400, 'invalid_request');
  });
});

describe('report downloads', () => {
  test('JSON, Markdown and CSV of the findings, ranked by savings; account data stays text', async () => {
    const { id, report } = await richAnalysis(120, true);
    const json = await call(apiPath(id, '/report?format=json'));
    assert.equal(json.status, 200);
    assert.deepEqual(json.body, report);

    const md = await call(apiPath(id, '/report?format=md'));
    assert.equal(md.status, 200);
    assert.match(md.headers.get('content-type') ?? '', /^text\/markdown/);
    assert.match(md.headers.get('content-disposition') ?? '', /attachment; filename="?analysis-demo-\d{8}-\d{4}-[0-9a-f]+\.md"?$/);
    assert.match(md.text, /^# Cost analysis analysis\/demo\//);
    assert.match(md.text, /- \*\*Status:\*\* Partial: 1 agent failed, 1 skipped/);
    assert.match(md.text, /## Notes: what was skipped and why\n[^#]*\n- Trusted Advisor failed: support:DescribeTrustedAdvisorChecks: access denied.*\n- Forecast and trend was skipped: needs IAM permission ce:GetCostForecast\n/);
    assert.match(md.text, /- \*\*Findings:\*\* 120\n- \*\*Savings per month:\*\* \\\$[\d,]+\.\d\d\n/);
    assert.ok(!md.text.includes('<img'), 'no raw HTML from account data');
    assert.ok(md.text.includes('&lt;img src=x onerror="window.\\_\\_pwned=1"&gt;'), 'hostile names are escaped');
    assert.match(md.text, /LLM tokens: 1200 in, 300 out/);

    const csv = await call(apiPath(id, '/report?format=csv'));
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(csv.headers.get('x-finops-csv-table'), 'findings');
    const rows = csv.text.trimEnd().split('\r\n');
    assert.equal(rows[0], FINDINGS_CSV_COLUMNS.join(','));
    assert.equal(rows.length, 121);
    const ranked = readFindings(report);
    const savings = rows.slice(1).map((r) => r.split(',')[1]);
    assert.deepEqual(savings, ranked.map((f) => f.monthlySavings), 'highest savings first, exact amounts');
    assert.ok(csv.text.includes(`"Owner='${HOSTILE_TAG.replace(/"/g, '""')}`) || csv.text.includes(`Owner=${HOSTILE_TAG.replace(/"/g, '""')}`));
    assert.ok(!/(^|,)=HYPERLINK/m.test(csv.text), 'no cell starts with a formula');

    // Accept negotiation and the spend table.
    const negotiated = await call(apiPath(id, '/report'), { headers: { accept: 'text/csv' } });
    assert.equal(negotiated.headers.get('x-finops-csv-table'), 'findings');
    const spend = await call(apiPath(id, '/report?format=csv&table=spend'));
    const spendRows = spend.text.trimEnd().split('\r\n');
    assert.equal(spendRows[0], SPEND_CSV_COLUMNS.join(','));
    assert.equal(spendRows.length, report.spend.byService.length + 1);
    const all = await call(apiPath(id, '/report?format=csv&table=all'));
    assert.equal(all.headers.get('x-finops-csv-table'), 'all');
    assert.ok(all.text.startsWith('section,table,row,column,value,text'));
    errorOf(await call(apiPath(id, '/report?format=csv&table=bogus')), 400, 'invalid_request');
    errorOf(await call(apiPath(id, '/report?format=pdf')), 400, 'invalid_request');
    errorOf(await call(apiPath(id, '/report'), { headers: { accept: 'image/png' } }), 406, 'not_acceptable');
  });

  test('before findings exist, the CSV holds spend by service', async () => {
    const id = await startFixture(h.client, h.taskQueue);
    await signal(h.client, id, { kind: 'finish' });
    await h.client.workflow.getHandle(id).result();
    const csv = await call(apiPath(id, '/report?format=csv'));
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('x-finops-csv-table'), 'spend');
    assert.equal(csv.text.split('\r\n')[0], SPEND_CSV_COLUMNS.join(','));
    const md = await call(apiPath(id, '/report?format=markdown'));
    assert.match(md.text, /## Spend/);
    assert.match(md.text, /## Findings\n\n_No findings: none of the agents that run checks/, 'the findings section says why it is empty');
  });
});

describe('the API description', () => {
  test('GET /api/openapi.json documents exactly the registered routes', async () => {
    const result = await call('/api/openapi.json');
    assert.equal(result.status, 200);
    const document = result.body as { openapi: string; paths: Record<string, unknown> };
    assert.equal(document.openapi, '3.1.0');
    const documented = new Set(documentedOperations(document));
    const gateway = createGateway({ client: h.client, taskQueue: h.taskQueue, dashboard: false });
    const registered = [...registeredRoutes(gateway.apiRouters), 'GET /healthz', 'GET /readyz', 'GET /metrics'];
    await gateway.close();
    for (const route of registered) assert.ok(documented.has(route), `${route} is not documented`);
    for (const operation of documented) assert.ok(registered.includes(operation), `${operation} is documented but not served`);
    assert.ok(registered.length >= 17, registered.join(', '));
    // And every documented operation answers with something other than "no such route".
    for (const operation of documented) {
      const [method, path] = operation.split(' ') as [string, string];
      const concrete = path.replace(':id', encodeURIComponent('analysis/demo/20260101-0000-ffffff'));
      const response = await call(concrete, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
      const code = (response.body as Partial<ErrorBody>).error?.message ?? '';
      assert.ok(!/^No route for/.test(code), `${operation}: ${code}`);
    }
  });

  test('/api/me, /api/agents and /metrics', async () => {
    assert.deepEqual((await call('/api/me')).body, { subject: 'anonymous', tenants: 'all', auth: 'none' });
    const agents = (await call('/api/agents')).body as { agents: { agent: string; title: string }[] };
    assert.deepEqual(agents.agents.map((a) => a.agent), ['ec2', 's3', 'rds', 'tagging', 'forecasting', 'trusted-advisor']);

    const socket = await TestSocket.connect(`${url.replace(/^http/, 'ws')}/ws`);
    const metrics = await call('/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    const values = parseMetrics(metrics.text);
    assert.ok((values.get('finops_ws_open_connections') ?? 0) >= 1);
    assert.ok(values.has('finops_relay_queries_total'));
    assert.ok((values.get('process_resident_memory_bytes') ?? 0) > 1e6);
    assert.ok((values.get('finops_http_responses_total{class="2xx"}') ?? 0) >= 1);
    socket.close();
  });

  test('security headers on every response', async () => {
    const response = await call('/api/agents');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await page.text(), /<script src="\/assets\/app\.js"/);
  });
});

describe('the report fixture', () => {
  test('has hostile account data where the tests expect it', async () => {
    const { report } = await richAnalysis(30, false);
    assert.equal(report.status, 'complete');
    assert.ok(readFindings(report).some((f) => f.resourceName === HOSTILE_NAME));
  });
});
