/**
 * Tenants bound to their accounts, through the user's paths (real Temporal dev server, real API keys,
 * HTTP, WebSocket and the `finops` process): a tenant is refused with 403 for an account outside its
 * binding over REST and the CLI, credentials for a tenant without a binding are refused over REST and
 * WebSocket, and `requestedBy` comes from the credentials, never the body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TenantBindings } from '../../src/activities/tenancy';
import { parseTenancy } from '../../src/domain/tenancy';
import type { AnalysisRequest } from '../../src/domain/request';
import { ApiKeyStore, generateApiKey } from '../../src/gateway/api-keys';
import { credentialAuthenticator } from '../../src/gateway/auth';
import { runFinops, type CliRun } from '../helpers/processes';
import { type Harness, requestBody, signal, startHarness, TestSocket } from './harness';

const ACME_ACCOUNT = '111122223333';
const GLOBEX_ACCOUNT = '444455556666';
const acme = generateApiKey('acme-ci', ['acme']);
const initech = generateApiKey('initech-ci', ['initech']);
const operator = generateApiKey('ops', '*');

const parsed = parseTenancy({
  tenants: {
    acme: { accounts: [ACME_ACCOUNT], roleName: 'FinopsReadOnly', externalId: 'acme-5c1f0e' },
    globex: { accounts: [GLOBEX_ACCOUNT], roleName: 'FinopsReadOnly', externalId: 'globex-9d2a7b' },
  },
});
assert.ok(parsed.ok);

let h: Harness;
let url: string;
let wsUrl: string;
before(async () => {
  h = await startHarness();
  ({ url, wsUrl } = await h.gateway({
    authenticate: credentialAuthenticator({ apiKeys: new ApiKeyStore([acme.entry, initech.entry, operator.entry]) }),
    tenancy: TenantBindings.bound(parsed.config, () => Promise.reject(new Error('no OU is configured'))),
  }));
});
after(async () => {
  await h?.close();
});

async function post(key: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/api/analyses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function finops(args: string[], key: string): Promise<CliRun> {
  return runFinops(args, { FINOPS_GATEWAY_URL: url, FINOPS_API_KEY: key });
}

async function startedRequest(analysisId: string): Promise<AnalysisRequest> {
  const history = await h.client.workflow.getHandle(analysisId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  assert.ok(payload);
  return JSON.parse(Buffer.from(payload).toString()) as AnalysisRequest;
}

describe('tenant binding at the gateway', () => {
  test('REST: an account outside the tenant’s binding is refused with 403 naming it; its own account starts', async () => {
    const theirs = await post(acme.key, requestBody({ tenant: 'acme', accounts: [ACME_ACCOUNT, GLOBEX_ACCOUNT] }));
    assert.equal(theirs.status, 403, JSON.stringify(theirs.body));
    const error = theirs.body.error as { code: string; message: string; details: string[] };
    assert.equal(error.code, 'account_not_bound');
    assert.match(error.message, /Tenant "acme" may not analyse account 444455556666/);
    assert.deepEqual(error.details, ['account 444455556666: not bound to acme']);

    // An operator acting for globex may use globex's account, not acme's.
    const operatorWrong = await post(operator.key, requestBody({ tenant: 'globex', accounts: [ACME_ACCOUNT] }));
    assert.equal(operatorWrong.status, 403);
    // A tenant that is not configured at all, even for an operator.
    const unknownTenant = await post(operator.key, requestBody({ tenant: 'initech', accounts: [ACME_ACCOUNT] }));
    assert.equal(unknownTenant.status, 403);
    assert.equal((unknownTenant.body.error as { code: string }).code, 'tenant_not_bound');

    const own = await post(acme.key, requestBody({ tenant: 'acme', accounts: [ACME_ACCOUNT] }));
    assert.equal(own.status, 202, JSON.stringify(own.body));
    await signal(h.client, own.body.analysisId as string, { kind: 'finish' });
  });

  test('REST and WebSocket: credentials for a tenant without a binding are refused with 403', async () => {
    const me = await fetch(`${url}/api/me`, { headers: { 'x-api-key': initech.key } });
    assert.equal(me.status, 403);
    const body = (await me.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'tenant_not_bound');
    assert.match(body.error.message, /"initech", which has no accounts bound/);

    // On the upgrade: no WebSocket, HTTP 403.
    await assert.rejects(TestSocket.connect(wsUrl, { headers: { 'x-api-key': initech.key } }), /Unexpected server response: 403 .*tenant_not_bound/);

    // With an `auth` message (what browsers send): the error names the reason, then close 4401.
    const socket = await TestSocket.connect(wsUrl, { ready: false });
    socket.send({ type: 'auth', token: initech.key });
    const refusal = await socket.next();
    assert.equal(refusal.type, 'error');
    assert.match((refusal as { message: string }).message, /"initech", which has no accounts bound/);
    assert.equal((await socket.closed).code, 4401);

    // The same flow with acme's key is accepted.
    const ok = await TestSocket.connect(wsUrl, { ready: false });
    ok.send({ type: 'auth', token: acme.key });
    assert.equal((await ok.next()).type, 'ready');
    ok.close();
  });

  test('CLI: analyze for an unbound account exits 1 with the gateway’s reason', async () => {
    const run = await finops(['analyze', '--account', GLOBEX_ACCOUNT, '--agents', 'ec2', '--start', '2025-01-01', '--end', '2025-02-01', '--no-watch'], acme.key);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /may not analyse account 444455556666/);
    const refused = await finops(['list'], initech.key);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /no accounts bound/);
  });
});

describe('requestedBy', () => {
  test('comes from the credentials: the API-key id is recorded, a body naming someone is refused', async () => {
    const forged = await post(acme.key, requestBody({ tenant: 'acme', accounts: [ACME_ACCOUNT], requestedBy: 'key:ops' }));
    assert.equal(forged.status, 400);
    assert.match((forged.body.error as { message: string }).message, /requestedBy is set from your credentials/);

    const started = await post(acme.key, requestBody({ tenant: 'acme', accounts: [ACME_ACCOUNT] }));
    assert.equal(started.status, 202);
    const id = started.body.analysisId as string;
    assert.equal((await startedRequest(id)).requestedBy, 'key:acme-ci');
    const viaOperator = await post(operator.key, requestBody({ tenant: 'acme', accounts: [ACME_ACCOUNT] }));
    assert.equal((await startedRequest(viaOperator.body.analysisId as string)).requestedBy, 'key:ops');
    await Promise.all([signal(h.client, id, { kind: 'finish' }), signal(h.client, viaOperator.body.analysisId as string, { kind: 'finish' })]);
  });
});

describe('per-tenant rate limits', () => {
  test('over the limit a tenant gets 429 with Retry-After; other tenants are not affected', async () => {
    const limited = await h.gateway({
      authenticate: credentialAuthenticator({ apiKeys: new ApiKeyStore([acme.entry, operator.entry]) }),
      rateLimit: { requestsPerWindow: 5, windowMs: 60_000 },
    });
    const as = (key: string) => fetch(`${limited.url}/api/agents`, { headers: { 'x-api-key': key } });
    for (let i = 0; i < 5; i++) assert.equal((await as(acme.key)).status, 200);
    const refused = await as(acme.key);
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `Retry-After ${refused.headers.get('retry-after')}`);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'rate_limited');
    assert.match(body.error.message, /at most 5 per 60 s/);
    // Another caller has its own budget; health checks are never limited.
    assert.equal((await as(operator.key)).status, 200);
    assert.equal((await fetch(`${limited.url}/healthz`)).status, 200);
  });
});
