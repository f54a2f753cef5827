/**
 * The REST API against a real Temporal dev server and the fixture workflow: start, read, report,
 * cancel, and every bad-input case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ErrorBody } from '../../src/gateway/errors';
import { apiPath, eventually, type Harness, requestBody, signal, startFixture, startHarness } from './harness';

let h: Harness;
let url: string;
before(async () => {
  h = await startHarness();
  ({ url } = await h.gateway({ queryTimeoutMs: 500 }));
});
after(async () => {
  await h?.close();
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${url}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

function post(path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return call(path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

function assertError(result: { status: number; body: unknown }, status: number, code: string): ErrorBody['error'] {
  assert.equal(result.status, status, JSON.stringify(result.body));
  const error = (result.body as ErrorBody).error;
  assert.equal(error.code, code);
  assert.equal(typeof error.message, 'string');
  assert.ok(!JSON.stringify(result.body).includes('    at '), 'no stack traces');
  return error;
}

describe('REST: analyses', () => {
  test('start, read while running, then read the report', async () => {
    const started = await post('/api/analyses', requestBody());
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const { analysisId, links } = started.body as { analysisId: string; links: { self: string; report: string; cancel: string; websocket: string } };
    assert.match(analysisId, /^analysis\/demo\/\d{8}-\d{4}-[0-9a-f]+$/);
    assert.equal(links.self, apiPath(analysisId));
    assert.equal(links.report, apiPath(analysisId, '/report'));
    assert.equal(links.websocket, `${url.replace(/^http/, 'ws')}/ws`);
    assert.equal(started.headers.get('location'), links.self);

    const running = await eventually(async () => {
      const read = await call(links.self);
      const view = read.body as { status: string; progress?: { version: number } };
      return view.progress ? read : undefined;
    }, 10_000, 'progress');
    assert.equal(running.status, 200);
    const view = running.body as { analysisId: string; status: string; progress: { analysisId: string; step: string } };
    assert.equal(view.analysisId, analysisId);
    assert.equal(view.status, 'RUNNING');
    assert.equal(view.progress.analysisId, analysisId);

    const early = assertError(await call(links.report), 409, 'not_finished');
    assert.equal(early.status, 'RUNNING');

    await signal(h.client, analysisId, { kind: 'finish' });
    await h.client.workflow.getHandle(analysisId).result();
    const report = await call(links.report);
    assert.equal(report.status, 200);
    const body = report.body as { analysisId: string; tenant: string; accounts: string[] };
    assert.equal(body.analysisId, analysisId);
    assert.equal(body.tenant, 'demo');
    assert.deepEqual(body.accounts, ['123456789012']);

    const done = await call(links.self);
    const doneView = done.body as { status: string; report?: unknown; progress?: unknown };
    assert.equal(doneView.status, 'COMPLETED');
    assert.deepEqual(doneView.report, report.body);
    assert.equal(doneView.progress, undefined);
  });

  test('an analysis no worker has picked up yet reads as RUNNING without progress', async () => {
    const id = await startFixture(h.client, `${h.taskQueue}-nobody`);
    const read = await call(apiPath(id));
    assert.equal(read.status, 200);
    const view = read.body as { status: string; progress?: unknown; notice?: string };
    assert.equal(view.status, 'RUNNING');
    assert.equal(view.progress, undefined);
    assert.match(view.notice ?? '', /worker/);
    await h.client.workflow.getHandle(id).terminate('test cleanup');
  });

  test('validation errors list every problem', async () => {
    const result = await post('/api/analyses', {
      accounts: ['123456789012'],
      period: { start: '2025-03-01', end: '2025-02-01' },
      agents: ['ec2', 'quantum'],
    });
    const error = assertError(result, 400, 'invalid_request');
    const details = error.details ?? [];
    assert.ok(details.some((d) => /tenant/.test(d)), `missing tenant: ${details.join(' | ')}`);
    assert.ok(details.some((d) => /unknown agent "quantum"/.test(d)), `unknown agent: ${details.join(' | ')}`);

    const inverted = assertError(await post('/api/analyses', requestBody({ period: { start: '2025-03-01', end: '2025-02-01' } })), 400, 'invalid_request');
    assert.ok(inverted.details?.some((d) => /must be before end/.test(d)), inverted.details?.join(' | '));

    assertError(await post('/api/analyses', [requestBody()]), 400, 'invalid_request');
    assertError(await post('/api/analyses', requestBody({ extra: true })), 400, 'invalid_request');
  });

  test('malformed JSON, wrong content type, oversized body', async () => {
    assertError(await post('/api/analyses', '{"tenant": "demo",'), 400, 'malformed_json');
    assertError(await post('/api/analyses', 'tenant=demo', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
    assertError(await call('/api/analyses', { method: 'POST' }), 415, 'unsupported_media_type');
    const big = JSON.stringify(requestBody({ requestedBy: 'x'.repeat(70 * 1024) }));
    assertError(await post('/api/analyses', big), 413, 'payload_too_large');
  });

  test('unknown and malformed IDs are 404 everywhere', async () => {
    for (const id of ['analysis/demo/20260101-0000-ffffff', 'not-an-id', 'analysis/Bad Tenant/x']) {
      assertError(await call(apiPath(id)), 404, 'not_found');
      assertError(await call(apiPath(id, '/report')), 404, 'not_found');
      assertError(await post(apiPath(id, '/cancel'), ''), 404, 'not_found');
    }
    // An ID with unencoded slashes does not match any route.
    assertError(await call('/api/analyses/analysis/demo/20260101-0000-ffffff'), 404, 'not_found');
  });

  test('cancel a running analysis; then it is closed and has no report', async () => {
    const id = await startFixture(h.client, h.taskQueue);
    const cancel = await call(apiPath(id, '/cancel'), { method: 'POST' });
    assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
    assert.deepEqual((cancel.body as { status: string }).status, 'cancel_requested');
    await assert.rejects(h.client.workflow.getHandle(id).result());

    const again = assertError(await call(apiPath(id, '/cancel'), { method: 'POST' }), 409, 'already_closed');
    assert.equal(again.status, 'CANCELLED');
    const report = assertError(await call(apiPath(id, '/report')), 410, 'analysis_cancelled');
    assert.equal(report.status, 'CANCELLED');
    assert.ok(report.failure && report.failure.length > 0);
    const view = await call(apiPath(id));
    assert.equal((view.body as { status: string }).status, 'CANCELLED');
  });

  test('a failed analysis answers 410 with the failure', async () => {
    const id = await startFixture(h.client, h.taskQueue);
    await signal(h.client, id, { kind: 'fail', message: 'the bill was on fire' });
    await assert.rejects(h.client.workflow.getHandle(id).result());
    const report = assertError(await call(apiPath(id, '/report')), 410, 'analysis_failed');
    assert.equal(report.status, 'FAILED');
    assert.match(report.failure ?? '', /the bill was on fire/);
    assertError(await call(apiPath(id, '/cancel'), { method: 'POST' }), 409, 'already_closed');
  });
});

describe('REST: service routes', () => {
  test('health and readiness', async () => {
    assert.deepEqual((await call('/healthz')).body, { status: 'ok' });
    const ready = await call('/readyz');
    assert.equal(ready.status, 200);
    assert.equal((ready.body as { status: string }).status, 'ready');
  });

  test('unknown routes are JSON 404s', async () => {
    assertError(await call('/nope'), 404, 'not_found');
    assertError(await call('/api/nope'), 404, 'not_found');
    assertError(await call('/api/analyses', { method: 'DELETE' }), 404, 'not_found');
  });
});
