/**
 * The MCP server through the SDK's own Client, over both transports (the gateway's Streamable HTTP /mcp
 * and `finops mcp` on stdio), against a real Temporal dev server and gateway with API keys for two
 * tenants: listing tools, reading a finished analysis (summary, findings search and paging, a finding's
 * evidence, spend, forecast, a grounded question), cross-tenant probes that learn nothing, and malformed
 * arguments answered with tool errors while the server keeps serving.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { formatUsd } from '../../src/domain/money';
import type { AnalysisReport } from '../../src/domain/report';
import type { AnalysisRequest } from '../../src/domain/request';
import { readFindings, totalSavings } from '../../src/domain/report-export';
import { DEFAULT_TAG_POLICY, organizationsTagPolicy } from '../../src/domain/tag-policy';
import { CURRENT_TAG_POLICY_URI, reportUri, tagPolicyUri } from '../../src/mcp/resources';
import { apiPath, eventually, requestBody } from '../gateway/harness';
import { credentialAuthenticator } from '../../src/gateway/auth';
import { OidcVerifier } from '../../src/gateway/oidc';
import { acme, call, connect, connectWithToken, globex, OIDC_AUDIENCE, ok, startIdp, startMcpHarness, steering, type McpHarness, type Transport } from './harness';

const TOOLS = [
  'ask',
  'create_schedule',
  'set_finding_state',
  'list_schedules',
  'start_analysis',
  'explain_finding',
  'get_analysis',
  'get_forecast',
  'get_report_summary',
  'get_spend',
  'list_analyses',
  'search_findings',
];

let m: McpHarness;
/** A finished acme analysis (60 findings) and its report as REST gives it: the oracle. */
let analysisId: string;
let report: AnalysisReport;

async function rest<T>(key: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${m.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-api-key': key } });
  return { status: response.status, body: (await response.json()) as T };
}

before(async () => {
  m = await startMcpHarness();
  const started = await rest<{ analysisId: string }>(steering['report-60-0']!.key, '/api/analyses', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(requestBody({ tenant: 'acme', accounts: ['123456789012', '210987654321'] })),
  });
  assert.equal(started.status, 202);
  analysisId = started.body.analysisId;
  report = await eventually(async () => {
    const r = await rest<AnalysisReport>(acme.key, apiPath(analysisId, '/report'));
    return r.status === 200 ? r.body : undefined;
  }, 30_000, 'the report');
});
after(async () => {
  await m?.close();
});

function transportSuite(transport: Transport): void {
  describe(`MCP over ${transport}`, () => {
    let client: Client;
    let intruder: Client;
    /** acme clients whose key ids script the fixture run they start (harness.ts `steering`). */
    let twelveFindings: Client;
    let slowRun: Client;
    before(async () => {
      [client, intruder, twelveFindings, slowRun] = await Promise.all([
        connect(transport, m.url, acme.key),
        connect(transport, m.url, globex.key),
        connect(transport, m.url, steering['report-12-300']!.key),
        connect(transport, m.url, steering['report-6-1000']!.key),
      ]);
    });
    after(async () => {
      await Promise.all([client?.close(), intruder?.close(), twelveFindings?.close(), slowRun?.close()]);
    });

    test('lists the tools, each with an input and an output schema', async () => {
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name).sort();
      for (const name of TOOLS) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
      for (const tool of tools) {
        assert.equal(tool.inputSchema.type, 'object', tool.name);
        assert.equal(tool.outputSchema?.type, 'object', `${tool.name} has an output schema`);
        assert.ok(tool.description && tool.description.length > 20, tool.name);
      }
    });

    test('get_analysis and get_report_summary give the report’s figures', async () => {
      const status = await ok<{ status: string; reportReady: boolean; summary: { findings: number; monthlySavings: string } }>(client, 'get_analysis', { analysisId });
      assert.equal(status.status, 'COMPLETED');
      assert.equal(status.reportReady, true);
      const findings = readFindings(report);
      assert.equal(status.summary.findings, 60);
      assert.equal(status.summary.monthlySavings, totalSavings(findings));

      const summary = await call(client, 'get_report_summary', { analysisId });
      assert.equal(summary.isError, false, summary.text);
      const s = summary.structured as { spend: { total: string }; findings: { count: number; monthlySavings: string; byCheck: { count: number }[] }; topFindings: { id: string; rank: number }[]; problems: string[] };
      assert.equal(s.spend.total, report.spend.total);
      assert.equal(s.findings.count, 60);
      assert.equal(s.findings.byCheck.reduce((n, c) => n + c.count, 0), 60);
      assert.deepEqual(s.topFindings.map((f) => f.id), findings.slice(0, 5).map((f) => f.id));
      assert.deepEqual(s.topFindings.map((f) => f.rank), [1, 2, 3, 4, 5]);
      assert.ok(summary.text.includes(formatUsd(totalSavings(findings))), summary.text);
      assert.ok(summary.text.includes(formatUsd(report.spend.total)), summary.text);
    });

    test('search_findings filters and pages exactly like a direct reading of the report', async () => {
      const expected = readFindings(report).filter(
        (f) => f.account === '210987654321' && Number(f.monthlySavings) >= 200 && f.tags.some(([k, v]) => k === 'Environment' && v === 'prod'),
      );
      assert.ok(expected.length > 3, 'the filter keeps several findings');
      const args = { analysisId, account: '210987654321', minMonthlySavings: 200, tag: 'Environment=prod', pageSize: 3 };
      const first = await ok<{ matches: number; matchingMonthlySavings: string; nextPage?: number; findings: { id: string }[] }>(client, 'search_findings', args);
      assert.equal(first.matches, expected.length);
      assert.equal(first.matchingMonthlySavings, totalSavings(expected));
      assert.deepEqual(first.findings.map((f) => f.id), expected.slice(0, 3).map((f) => f.id));
      assert.equal(first.nextPage, 2);
      const second = await ok<{ findings: { id: string }[] }>(client, 'search_findings', { ...args, page: 2 });
      assert.deepEqual(second.findings.map((f) => f.id), expected.slice(3, 6).map((f) => f.id));

      const byAgent = await ok<{ matches: number; findings: { agent: string }[] }>(client, 'search_findings', { analysisId, agent: 'rds', pageSize: 50 });
      assert.equal(byAgent.matches, readFindings(report).filter((f) => f.agent === 'rds').length);
      assert.ok(byAgent.findings.every((f) => f.agent === 'rds'));
      // Decoys: the fixture's prod resources all live in the other account; a tag key alone is not a value.
      for (const decoy of [{ ...args, account: '123456789012' }, { analysisId, tag: 'NoSuchTag' }, { analysisId, tag: 'prod' }]) {
        const none = await ok<{ matches: number; findings: unknown[] }>(client, 'search_findings', decoy);
        assert.equal(none.matches, 0, JSON.stringify(decoy));
        assert.deepEqual(none.findings, []);
      }
    });

    test('explain_finding gives the evidence and the exact command', async () => {
      const top = readFindings(report)[0]!;
      const explained = await call(client, 'explain_finding', { analysisId, findingId: top.id });
      assert.equal(explained.isError, false, explained.text);
      const f = (explained.structured as { finding: { evidence: string; command: string; monthlySavings: string; tags: Record<string, string> } }).finding;
      assert.equal(f.evidence, top.evidence);
      assert.equal(f.command, top.command);
      assert.equal(f.monthlySavings, top.monthlySavings);
      assert.ok(explained.text.includes(top.command), explained.text);
      const unknown = await call(client, 'explain_finding', { analysisId, findingId: 'no-such-finding' });
      assert.equal(unknown.isError, true);
      assert.match(unknown.text, /No finding "no-such-finding"/);
    });

    test('get_spend by service and by week; get_forecast says why there is none', async () => {
      const byService = await ok<{ total: string; groups: { key: string; amount: string }[] }>(client, 'get_spend', { analysisId });
      assert.equal(byService.total, report.spend.total);
      assert.deepEqual(byService.groups.map((g) => g.key), report.spend.byService.map((s) => s.service));
      const byWeek = await ok<{ total: string; groups: { key: string }[] }>(client, 'get_spend', { analysisId, groupBy: 'week' });
      assert.equal(byWeek.total, totalSavingsOf(report.spend.daily.map((d) => d.amount)));
      assert.ok(byWeek.groups.every((g) => new Date(`${g.key}T00:00:00Z`).getUTCDay() === 1 || g.key === byWeek.groups[0]!.key));
      const forecast = await call(client, 'get_forecast', { analysisId });
      assert.equal(forecast.isError, true);
      assert.match(forecast.text, /has no forecast/);
    });

    test('ask answers from the report', async () => {
      const answer = await call(client, 'ask', { analysisId, question: 'What are my top savings?' });
      assert.equal(answer.isError, false, answer.text);
      const a = answer.structured as { answer: string; source: string; analysisId: string };
      assert.equal(a.analysisId, analysisId);
      assert.equal(a.source, 'deterministic');
      assert.ok(a.answer.length > 20);
    });

    test('reports are resources: listed, and read as the same Markdown as the REST export', async () => {
      const { resources } = await client.listResources();
      const uris = resources.map((r) => r.uri);
      assert.ok(uris.includes(reportUri(analysisId)), uris.join(', '));
      assert.ok(uris.includes(CURRENT_TAG_POLICY_URI));
      const { resourceTemplates } = await client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(), ['finops://analyses/{id}/report', 'finops://analyses/{id}/tag-policy']);

      const read = await client.readResource({ uri: reportUri(analysisId) });
      const markdown = await fetch(`${m.url}${apiPath(analysisId, '/report?format=md')}`, { headers: { 'x-api-key': acme.key } }).then((r) => r.text());
      assert.equal(read.contents.length, 1);
      assert.equal(read.contents[0]!.mimeType, 'text/markdown');
      assert.equal((read.contents[0] as { text: string }).text, markdown);

      const policy = await client.readResource({ uri: CURRENT_TAG_POLICY_URI });
      const doc = JSON.parse((policy.contents[0] as { text: string }).text) as { source: string; policy: unknown; organizationsPolicy: unknown };
      assert.equal(doc.source, 'built-in default', 'the fixture analyses ran no tagging agent');
      assert.deepEqual(doc.policy, DEFAULT_TAG_POLICY);
      assert.deepEqual(doc.organizationsPolicy, organizationsTagPolicy(DEFAULT_TAG_POLICY));
      await assert.rejects(client.readResource({ uri: tagPolicyUri(analysisId) }), /did not run the tagging agent/);
      await assert.rejects(client.readResource({ uri: 'finops://analyses/%E0%A4%A/report' }), /not valid URL encoding/);
      await assert.rejects(client.readResource({ uri: 'finops://nothing-here' }), /not found|nothing-here/i);
    });

    test('another tenant learns nothing: every probe reads exactly like a missing analysis', async () => {
      const missing = analysisId.replace(/-[0-9a-f]+$/, '-ffffff');
      const blank = (text: string, id: string) => text.split(id).join('<id>');
      for (const [tool, extra] of [
        ['get_analysis', {}],
        ['get_report_summary', {}],
        ['search_findings', {}],
        ['explain_finding', { findingId: readFindings(report)[0]!.id }],
        ['get_spend', {}],
        ['get_forecast', {}],
        ['ask', { question: 'What are my top savings?' }],
      ] as const) {
        const theirs = await call(intruder, tool, { analysisId, ...extra });
        const nothing = await call(intruder, tool, { analysisId: missing, ...extra });
        assert.equal(theirs.isError, true, `${tool}: ${theirs.text}`);
        assert.equal(blank(theirs.text, analysisId), blank(nothing.text, missing), tool);
        assert.ok(!theirs.text.includes('COMPLETED') && !/\$\d/.test(theirs.text), `${tool} leaks nothing: ${theirs.text}`);
      }
      const listed = await ok<{ analyses: { analysisId: string }[] }>(intruder, 'list_analyses', {});
      assert.ok(!listed.analyses.some((a) => a.analysisId === analysisId));
      const readError = (uri: string) => intruder.readResource({ uri }).then(() => 'read', (err: Error) => err.message);
      const [theirReport, noReport] = await Promise.all([readError(reportUri(analysisId)), readError(reportUri(missing))]);
      assert.notEqual(theirReport, 'read');
      assert.equal(blank(theirReport, encodeURIComponent(analysisId)).split(analysisId).join('<id>'), blank(noReport, encodeURIComponent(missing)).split(missing).join('<id>'));
      const { resources } = await intruder.listResources();
      assert.ok(!resources.some((r) => r.uri.includes(encodeURIComponent(analysisId))));
      const latest = await call(intruder, 'get_report_summary', {});
      assert.equal(latest.isError, true);
      assert.match(latest.text, /no completed analysis/);
    });

    test('start_analysis waits for the report, sending progress notifications from the live relay', async () => {
      const notices: { progress: number; total?: number; message?: string }[] = [];
      const started = await call(
        twelveFindings,
        'start_analysis',
        { accounts: ['123456789012'], period: { start: '2025-01-01', end: '2025-02-01' } },
        { onprogress: (p) => notices.push(p), resetTimeoutOnProgress: true },
      );
      assert.equal(started.isError, false, started.text);
      const out = started.structured as { analysisId: string; status: string; summary: { findings: number } };
      assert.match(out.analysisId, /^analysis\/acme\//);
      assert.equal(out.status, 'COMPLETED');
      assert.equal(out.summary.findings, 12);
      assert.ok(notices.length >= 3, `progress notifications: ${JSON.stringify(notices)}`);
      for (let i = 1; i < notices.length; i++) assert.ok(notices[i]!.progress > notices[i - 1]!.progress, 'progress increases');
      assert.ok(notices.every((n) => n.total === 6 && n.progress <= 6));
      assert.ok(notices.some((n) => n.progress > 0 && n.progress < 6), 'intermediate progress was seen');
      assert.match(notices.at(-1)!.message ?? '', /agents done/);
    });

    test('start_analysis with wait=false returns the ID at once; a short wait returns a running analysis', async () => {
      const quick = await ok<{ analysisId: string; status: string }>(slowRun, 'start_analysis', {
        accounts: ['123456789012'],
        wait: false,
      });
      assert.equal(quick.status, 'RUNNING');
      const followed = await eventually(async () => {
        const view = await ok<{ status: string; progress?: { agents: number } }>(client, 'get_analysis', { analysisId: quick.analysisId });
        return view.progress ? view : undefined;
      }, 15_000, 'progress of the running analysis');
      assert.equal(followed.progress!.agents, 6);
      const other = await ok<{ analysisId: string; status: string }>(intruder, 'list_analyses', {});
      assert.ok(!JSON.stringify(other).includes(quick.analysisId));

      const short = await call(slowRun, 'start_analysis', { accounts: ['123456789012'], waitSeconds: 1 });
      assert.equal(short.isError, false, short.text);
      assert.equal((short.structured as { status: string }).status, 'RUNNING');
      assert.match(short.text, /still running after 1 s/);
    });

    test('start_analysis with an organisation scope starts a run that carries it (accounts discovered by the worker)', async () => {
      const started = await ok<{ analysisId: string; status: string }>(slowRun, 'start_analysis', {
        organization: { ous: ['ou-ab12-34cd56ef'] },
        wait: false,
      });
      assert.equal(started.status, 'RUNNING');
      const history = await m.h.client.workflow.getHandle(started.analysisId).fetchHistory();
      const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
      assert.ok(payload);
      const request = JSON.parse(Buffer.from(payload).toString()) as AnalysisRequest;
      assert.deepEqual(request.organization, { ous: ['ou-ab12-34cd56ef'] });
      assert.deepEqual(request.accounts, []);
    });

    test('start_analysis from a question shows the plan; bad requests name the problem', async () => {
      const planned = await call(client, 'start_analysis', {
        question: 'Why did account 123456789012 cost more last month?',
        accounts: ['123456789012'],
        wait: false,
      });
      assert.equal(planned.isError, false, planned.text);
      const plan = (planned.structured as { plan: { source: string } }).plan;
      assert.equal(plan.source, 'deterministic');

      const bad: [Record<string, unknown>, RegExp][] = [
        [{ accounts: ['12'] }, /account/],
        [{ accounts: ['123456789012'], agents: ['ec9'] }, /agents/],
        [{ accounts: ['123456789012'], period: { start: '2025-02-01', end: '2025-01-01' } }, /start .* must be before end/],
        [{ question: 'What?', regions: ['us-east-1'] }, /only question, tenant and accounts/],
        [{ accounts: ['123456789012'], tenant: 'globex' }, /may not start analyses for tenant "globex"/],
        [{ wait: 'yes' }, /wait/],
        [{ organization: { ous: ['finance'] } }, /OU ID \(ou-…\) or root ID/],
        [{ accounts: ['123456789012'], organization: {} }, /give accounts or organization, not both/],
      ];
      for (const [args, pattern] of bad) {
        const outcome = await call(client, 'start_analysis', args);
        assert.equal(outcome.isError, true, JSON.stringify(args));
        assert.match(outcome.text, pattern, `${JSON.stringify(args)}: ${outcome.text}`);
      }
    });

    test('create_schedule and list_schedules, scoped to the tenant', async () => {
      const scope = `mcp-${transport}`;
      const created = await call(client, 'create_schedule', { scope, accounts: ['123456789012'], dayOfWeek: 'TUESDAY', hour: 7, timezone: 'Europe/Paris' });
      assert.equal(created.isError, false, created.text);
      const out = created.structured as { created: boolean; schedule: { scheduleId: string; accounts: string[]; nextActionTimes: string[] } };
      assert.equal(out.schedule.scheduleId, `review/acme/${scope}`);
      assert.equal(out.created, true);
      assert.deepEqual(out.schedule.accounts, ['123456789012']);
      assert.ok(out.schedule.nextActionTimes.length > 0);
      const again = await ok<{ created: boolean }>(client, 'create_schedule', { scope, accounts: ['123456789012'], dayOfWeek: 'TUESDAY', hour: 7, timezone: 'Europe/Paris' });
      assert.equal(again.created, false, 'idempotent: the second call updates');

      const mine = await ok<{ schedules: { scheduleId: string }[] }>(client, 'list_schedules');
      assert.ok(mine.schedules.some((s) => s.scheduleId === `review/acme/${scope}`));
      const theirs = await ok<{ schedules: { scheduleId: string }[] }>(intruder, 'list_schedules');
      assert.ok(!theirs.schedules.some((s) => s.scheduleId.startsWith('review/acme/')));
      const forbidden = await call(intruder, 'create_schedule', { tenant: 'acme', accounts: ['123456789012'] });
      assert.equal(forbidden.isError, true);
      assert.match(forbidden.text, /may not manage schedules of tenant "acme"/);
      for (const [args, pattern] of [
        [{ accounts: [] }, /accounts/],
        [{ accounts: ['123456789012'], timezone: 'Mars/Olympus' }, /timezone/],
        [{ accounts: ['123456789012'], hour: 25 }, /hour/],
        [{ accounts: ['123456789012'], scope: 'Bad Scope!' }, /scope/],
      ] as const) {
        const bad = await call(client, 'create_schedule', args);
        assert.equal(bad.isError, true, JSON.stringify(args));
        assert.match(bad.text, pattern, bad.text);
      }
    });

    test('malformed arguments are tool errors naming the problem, and the server keeps serving', async () => {
      const cases: [string, Record<string, unknown>, RegExp][] = [
        ['search_findings', { analysisId, pageSize: 0 }, /pageSize/],
        ['search_findings', { analysisId, agent: 'nope' }, /agent/],
        ['search_findings', { analysisId, minMonthlySavings: -5 }, /minMonthlySavings/],
        ['search_findings', { analysisId: 42 }, /analysisId/],
        ['get_spend', { analysisId, groupBy: 'year' }, /groupBy/],
        ['get_spend', { analysisId, groupBy: 'service', start: '2025-01-05' }, /by service/],
        ['get_spend', { analysisId, groupBy: 'day', start: '2030-01-01' }, /has no day/],
        ['get_analysis', {}, /analysisId/],
        ['get_analysis', { analysisId: 'not an id' }, /not found/i],
        ['list_analyses', { account: '12' }, /account/],
        ['ask', { analysisId, question: '' }, /question/],
        ['ask', { analysisId, question: 'x'.repeat(501) }, /question/],
      ];
      for (const [tool, args, pattern] of cases) {
        const outcome = await call(client, tool, args);
        assert.equal(outcome.isError, true, `${tool} ${JSON.stringify(args)} should fail`);
        assert.match(outcome.text, pattern, `${tool} ${JSON.stringify(args)}: ${outcome.text}`);
      }
      const unknownTool = await call(client, 'drop_tables', {}).catch((err: Error) => ({ isError: true, text: err.message }));
      assert.equal(unknownTool.isError, true);
      assert.match(unknownTool.text, /drop_tables/);
      // Still serving.
      assert.equal((await ok<{ status: string }>(client, 'get_analysis', { analysisId })).status, 'COMPLETED');
    });
  });
}

function totalSavingsOf(amounts: string[]): string {
  return totalSavings(amounts.map((monthlySavings) => ({ monthlySavings }) as Parameters<typeof totalSavings>[0][number]));
}

transportSuite('http');
transportSuite('stdio');

describe('MCP over HTTP: authentication', () => {
  test('OIDC bearer tokens: the tenant in the token scopes the tools, an expired token is refused', async () => {
    const idp = await startIdp();
    try {
      const { url } = await m.h.gateway({
        authenticate: credentialAuthenticator({ oidc: new OidcVerifier({ issuer: idp.issuer, audience: OIDC_AUDIENCE, tenantClaim: 'tenant' }) }),
        llm: {},
      });
      const acmeUser = await connectWithToken(url, await idp.token('acme'));
      const globexUser = await connectWithToken(url, await idp.token('globex'));
      try {
        const summary = await ok<{ findings: { count: number } }>(acmeUser, 'get_report_summary', { analysisId });
        assert.equal(summary.findings.count, 60);
        const theirs = await call(globexUser, 'get_report_summary', { analysisId });
        const missing = analysisId.replace(/-[0-9a-f]+$/, '-ffffff');
        const nothing = await call(globexUser, 'get_report_summary', { analysisId: missing });
        assert.equal(theirs.isError, true);
        assert.equal(theirs.text.split(analysisId).join('<id>'), nothing.text.split(missing).join('<id>'));
      } finally {
        await Promise.all([acmeUser.close(), globexUser.close()]);
      }
      await assert.rejects(connectWithToken(url, await idp.token('acme', Math.floor(Date.now() / 1000) - 60)), /401|expired/i);
    } finally {
      idp.close();
    }
  });

  test('no credentials and a wrong key are refused with 401 before any MCP exchange', async () => {
    await assert.rejects(connect('http', m.url, undefined), /401|credentials/i);
    await assert.rejects(connect('http', m.url, 'fo_wrong_key'), /401|not valid/i);
    const get = await fetch(`${m.url}/mcp`, { headers: { 'x-api-key': acme.key } });
    assert.equal(get.status, 405);
  });
});
