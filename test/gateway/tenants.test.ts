/**
 * Tenant isolation against a real Temporal dev server, with real API keys: a second tenant's key cannot
 * read, list, download, watch or cancel the first tenant's analyses, over REST or WebSocket, and what
 * it gets is indistinguishable from asking about an analysis that does not exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiKeyStore, generateApiKey } from '../../src/gateway/api-keys';
import { credentialAuthenticator } from '../../src/gateway/auth';
import type { ServerMessage } from '../../src/gateway/protocol';
import { apiPath, eventually, type Harness, requestBody, signal, startHarness, TestSocket } from './harness';

const acme = generateApiKey('acme-ci', ['acme']);
const globex = generateApiKey('globex-ci', ['globex']);
const operator = generateApiKey('ops', '*');

let h: Harness;
let url: string;
let wsUrl: string;
before(async () => {
  h = await startHarness();
  ({ url, wsUrl } = await h.gateway({
    authenticate: credentialAuthenticator({ apiKeys: new ApiKeyStore([acme.entry, globex.entry, operator.entry]) }),
    queryTimeoutMs: 1000,
  }));
});
after(async () => {
  await h?.close();
});

async function as(key: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-api-key': key } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The body with the ID blanked out, to compare "someone else's" with "missing". */
function shape(result: { status: number; body: Record<string, unknown> }, id: string): string {
  return `${result.status} ${JSON.stringify(result.body).split(JSON.stringify(id).slice(1, -1)).join('<id>')}`;
}

describe('tenant isolation', () => {
  test("another tenant cannot read, list, download, watch or cancel an analysis; it looks missing", async () => {
    // acme starts one without naming its tenant (its key has exactly one).
    const { tenant: _omitted, ...body } = requestBody({ agents: ['ec2'] });
    const started = await as(acme.key, '/api/analyses', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const id = started.body.analysisId as string;
    assert.match(id, /^analysis\/acme\//);
    const missing = id.replace(/-[0-9a-f]+$/, '-ffffff');

    // Reads.
    const own = await as(acme.key, apiPath(id));
    assert.equal(own.status, 200);
    for (const suffix of ['', '/report', '/report?format=csv']) {
      const theirs = await as(globex.key, apiPath(id, suffix));
      const nothing = await as(globex.key, apiPath(missing, suffix));
      assert.equal(theirs.status, 404);
      assert.equal(shape(theirs, id), shape(nothing, missing), 'indistinguishable from a missing analysis');
    }

    // Starting for someone else.
    const forbidden = await as(globex.key, '/api/analyses', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(requestBody({ tenant: 'acme' })) });
    assert.equal(forbidden.status, 403);

    // Listing.
    const acmeList = await eventually(async () => {
      const list = await as(acme.key, '/api/analyses');
      return (list.body.analyses as { analysisId: string }[]).some((a) => a.analysisId === id) ? list : undefined;
    }, 10_000, 'the analysis in acme’s list');
    assert.ok((acmeList.body.analyses as { tenant: string }[]).every((a) => a.tenant === 'acme'));
    const globexList = await as(globex.key, '/api/analyses?pageSize=100');
    assert.ok(!(globexList.body.analyses as { analysisId: string }[]).some((a) => a.analysisId === id));
    assert.ok((globexList.body.analyses as { tenant: string }[]).every((a) => a.tenant === 'globex'));
    const asked = await as(globex.key, '/api/analyses?tenant=acme');
    assert.deepEqual(asked.body, { analyses: [] }, 'asking for another tenant lists nothing');
    const operatorList = await as(operator.key, '/api/analyses?tenant=acme&pageSize=100');
    assert.ok((operatorList.body.analyses as { analysisId: string }[]).some((a) => a.analysisId === id), 'an operator key sees every tenant');

    // Watching.
    const spy = await TestSocket.connect(wsUrl, { headers: { 'x-api-key': globex.key } });
    spy.send({ type: 'subscribe', analysisId: id });
    const refused = (await spy.next()) as Extract<ServerMessage, { type: 'error' }>;
    spy.send({ type: 'subscribe', analysisId: missing });
    const unknown = (await spy.next()) as Extract<ServerMessage, { type: 'error' }>;
    assert.equal(refused.code, 'not_found');
    assert.equal(refused.message.replace(id, '<id>'), unknown.message.replace(missing, '<id>'));
    await spy.expectSilence(300);
    spy.close();
    // The same through an `auth` message.
    const late = await TestSocket.connect(wsUrl, { ready: false });
    late.send({ type: 'auth', token: globex.key });
    assert.equal((await late.next()).type, 'ready');
    late.send({ type: 'subscribe', analysisId: id });
    assert.equal(((await late.next()) as { code: string }).code, 'not_found');
    late.close();

    const watcher = await TestSocket.connect(wsUrl, { headers: { authorization: `Bearer ${acme.key}` } });
    watcher.send({ type: 'subscribe', analysisId: id });
    assert.equal((await watcher.next()).type, 'subscribed');
    assert.equal((await watcher.next()).type, 'progress');

    // Cancelling.
    const theirCancel = await as(globex.key, apiPath(id, '/cancel'), { method: 'POST' });
    assert.equal(theirCancel.status, 404);
    assert.equal(shape(theirCancel, id), shape(await as(globex.key, apiPath(missing, '/cancel'), { method: 'POST' }), missing));
    assert.equal((await h.client.workflow.getHandle(id).describe()).status.name, 'RUNNING', 'still running');
    const ownCancel = await as(acme.key, apiPath(id, '/cancel'), { method: 'POST' });
    assert.equal(ownCancel.status, 202);
    const final = await watcher.next();
    assert.equal(final.type, 'failed');
    assert.equal((final as { status: string }).status, 'CANCELLED');
    watcher.close();
  });

  test('an analysis started for acme is attributed to the key that started it', async () => {
    const started = await as(acme.key, '/api/analyses', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(requestBody({ tenant: 'acme', requestedBy: undefined })),
    });
    const id = started.body.analysisId as string;
    const history = await h.client.workflow.getHandle(id).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    assert.ok(payload);
    assert.equal((JSON.parse(Buffer.from(payload).toString()) as { requestedBy?: string }).requestedBy, 'key:acme-ci');
    await signal(h.client, id, { kind: 'finish' });
  });
});
