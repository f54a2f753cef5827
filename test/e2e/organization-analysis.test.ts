/**
 * Analyses of an organisation's accounts, the way users ask for them: a request names OUs (REST) or the
 * whole organisation (the `finops` CLI) instead of accounts; the worker process (tenants bound as in
 * production, FINOPS_TENANTS) discovers the accounts in the simulator's AWS Organizations, skips the
 * suspended one with a note, keeps only the tenant's accounts (the others counted, never named), assumes
 * the member role in each, and analyses exactly those — with the same figures as a request that names them.
 * Real Temporal dev server, real gateway over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { organizationsResolver, TenantBindings } from '../../src/activities/tenancy';
import { describeFailure, startAnalysis } from '../../src/client/analyses';
import type { AnalysisReport } from '../../src/domain/report';
import { validateAnalysisRequest } from '../../src/domain/request';
import { parseTenancy } from '../../src/domain/tenancy';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { generateScenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { deriveOrganization, type SimOrganization } from '../../src/sim/services/organizations';
import { runFinops, startWorkerProcess, type CliRun, type Proc } from '../helpers/processes';
import { SIM_CREDENTIALS } from '../helpers/stack';
import { startTemporal } from '../helpers/temporal';
import { lastFullMonths, TEST_TODAY, testNow } from '../helpers/today';

let env: TestWorkflowEnvironment;
let sim: RunningSimulator;
let worker: Proc;
let gateway: Gateway;
let url: string;
const taskQueue = `organization-${process.pid}`;
const period = lastFullMonths(1);

// The medium sample organisation: acme-management at the root (a decoy: not in the OU), acme-development
// suspended directly in Workloads, acme-production in Workloads/Production (a nested OU to walk).
const MANAGEMENT = '111111111111';
const PRODUCTION = '222222222222';
const DEVELOPMENT = '333333333333';
const scenario = generateScenario({ seed: 7, anchorDate: TEST_TODAY, size: 'medium' });
const derived = deriveOrganization(scenario);
const workloads = derived.units.find((u) => u.name === 'Workloads')!;
const productionOu = derived.units.find((u) => u.name === 'Production')!;
const organization: SimOrganization = {
  ...derived,
  placements: {
    [PRODUCTION]: { parentId: productionOu.id },
    [DEVELOPMENT]: { parentId: workloads.id, status: 'SUSPENDED' },
  },
};
const role = scenario.accounts.find((a) => a.id === PRODUCTION)!.roleName!;
const tenants = {
  tenants: {
    acme: { organizationalUnits: [workloads.id], roleName: role, externalId: 'acme-5c1f0e' },
    ops: { accounts: [MANAGEMENT] },
  },
};

before(async () => {
  [env, sim] = await Promise.all([startTemporal(), startSimulator({ port: 0, scenario, organization })]);
  worker = startWorkerProcess({ temporalAddress: env.address, taskQueue, awsEndpoint: sim.url, env: { FINOPS_TENANTS: JSON.stringify(tenants) } });
  const parsed = parseTenancy(tenants);
  assert.ok(parsed.ok);
  gateway = createGateway({
    client: env.client,
    taskQueue,
    now: testNow,
    tenancy: TenantBindings.bound(
      parsed.config,
      organizationsResolver(new OrganizationsClient({ region: 'us-east-1', endpoint: sim.url, credentials: SIM_CREDENTIALS })),
    ),
  });
  ({ url } = await gateway.listen(0));
  await worker.waitFor(/Worker running on task queue/, 180_000); // bundling workflows is slow on a loaded machine
});

after(async () => {
  await worker?.kill('SIGKILL');
  await gateway?.close();
  await Promise.allSettled([env?.teardown(), sim?.close()]);
});

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/api/analyses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface View {
  status: string;
  report?: AnalysisReport;
  failure?: string;
}

async function finished(analysisId: string): Promise<View> {
  for (let i = 0; i < 600; i++) {
    const response = await fetch(`${url}/api/analyses/${encodeURIComponent(analysisId)}`);
    assert.equal(response.status, 200);
    const view = (await response.json()) as View;
    if (view.status !== 'RUNNING') return view;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`${analysisId} did not finish`);
}

/** What an analysis found, apart from who ran it and when. */
function figures(report: AnalysisReport) {
  return {
    accounts: report.accounts,
    status: report.status,
    spend: report.spend,
    findings: report.findings && { count: report.findings.count, monthlySavings: report.findings.monthlySavings, byCheck: report.findings.byCheck },
  };
}

function finops(args: string[]): Promise<CliRun> {
  return runFinops(args, { FINOPS_GATEWAY_URL: url });
}

const common = { agents: ['ec2'], regions: ['us-east-1'], period };

test('REST: an OU request analyses exactly the active member accounts of that OU, as if they were named', async () => {
  const byOu = await post({ tenant: 'acme', organization: { ous: [workloads.id] }, ...common });
  assert.equal(byOu.status, 202, JSON.stringify(byOu.body));
  const byName = await post({ tenant: 'acme', accounts: [PRODUCTION], ...common });
  assert.equal(byName.status, 202, JSON.stringify(byName.body));

  const [ou, named] = await Promise.all([finished(byOu.body.analysisId as string), finished(byName.body.analysisId as string)]);
  assert.equal(ou.status, 'COMPLETED', ou.failure);
  assert.equal(named.status, 'COMPLETED', named.failure);
  const report = ou.report!;
  assert.deepEqual(report.accounts, [PRODUCTION], 'the nested OU’s active account only: not the suspended one, not the management account');
  assert.ok((report.findings?.count ?? 0) > 0, 'the production account has findings to compare');
  assert.deepEqual(figures(report), figures(named.report!));
  assert.ok(report.notes?.includes(`Accounts discovered in AWS Organizations, OU ${workloads.id}: ${PRODUCTION} (acme-production).`), JSON.stringify(report.notes));
  assert.ok(report.notes?.includes(`Account ${DEVELOPMENT} (acme-development) skipped: suspended in AWS Organizations.`), JSON.stringify(report.notes));

  // The run is listed by its discovered account (its search attribute was set after discovery).
  let listed: string[] = [];
  for (let i = 0; i < 40 && !listed.includes(byOu.body.analysisId as string); i++) {
    if (i) await new Promise((r) => setTimeout(r, 250));
    const page = (await (await fetch(`${url}/api/analyses?account=${PRODUCTION}`)).json()) as { analyses: { analysisId: string }[] };
    listed = page.analyses.map((a) => a.analysisId);
  }
  assert.ok(listed.includes(byOu.body.analysisId as string), `listed by account ${PRODUCTION}`);
});

test('CLI: the whole organisation for a tenant bound to one account analyses that account; the others are counted, not named', async () => {
  const run = await finops(['analyze', '--organization', '--tenant', 'ops', '--agents', 'ec2', '--start', period.start, '--end', period.end, '--no-watch']);
  assert.equal(run.code, 0, run.stderr);
  const analysisId = run.stdout.trim();
  const view = await finished(analysisId);
  assert.equal(view.status, 'COMPLETED', view.failure);
  assert.deepEqual(view.report!.accounts, [MANAGEMENT]);
  assert.ok(view.report!.notes?.includes('2 accounts of the organisation left out: not bound to tenant ops.'), JSON.stringify(view.report!.notes));
  const text = JSON.stringify(view.report);
  assert.ok(!text.includes(PRODUCTION) && !text.includes(DEVELOPMENT), 'acme’s accounts are not named in ops’s report');

  const usage = await finops(['analyze', '--organization', '--account', MANAGEMENT, '--tenant', 'ops']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /give --account, or --ou \/ --organization, not both/);
});

test('refusals: bad scopes answer 400, an unbound tenant 403, an OU without the tenant’s accounts fails saying why', async () => {
  const bad = await post({ tenant: 'acme', organization: { ous: ['finance'] }, ...common });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /organization\.ous\.0: each OU must be an AWS Organizations OU ID/);
  const both = await post({ tenant: 'acme', accounts: [PRODUCTION], organization: {}, ...common });
  assert.equal(both.status, 400);
  assert.match(JSON.stringify(both.body), /give accounts or organization, not both/);
  const unbound = await post({ tenant: 'initech', organization: {}, ...common });
  assert.equal(unbound.status, 403);
  assert.equal((unbound.body.error as { code: string }).code, 'tenant_not_bound');

  // ops's account is not in Workloads: nothing to analyse, and the failure says why (without naming acme's accounts).
  const none = await post({ tenant: 'ops', organization: { ous: [workloads.id] }, ...common });
  assert.equal(none.status, 202);
  const view = await finished(none.body.analysisId as string);
  assert.equal(view.status, 'FAILED');
  assert.match(view.failure ?? '', new RegExp(`No account to analyse in OU ${workloads.id}: 2 accounts of the organisation left out: not bound to tenant ops\\.`));

  // Around the gateway, straight on Temporal: the worker refuses a tenant without a binding before any AWS call.
  const validated = validateAnalysisRequest({ tenant: 'initech', organization: {}, ...common }, testNow());
  assert.ok(validated.ok);
  sim.resetStats();
  const started = await startAnalysis(env.client, taskQueue, validated.request);
  const failure = await env.client.workflow.getHandle(started.analysisId).result().then(
    () => assert.fail('the run should have been refused'),
    (err: unknown) => err,
  );
  assert.ok(failure instanceof WorkflowFailedError);
  assert.match(describeFailure(failure), /Tenant "initech" has no accounts bound to it.*The worker refuses to analyse it/);
  assert.deepEqual(sim.stats(), {}, 'no AWS request for a refused tenant');
});
