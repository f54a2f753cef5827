/**
 * /api/schedules against a real Temporal dev server with real API keys: create (idempotent), list, read,
 * pause, resume, trigger, backfill and delete weekly-review schedules; another tenant's schedule looks
 * missing; bad input gets a clear 400.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiKeyStore, generateApiKey } from '../../src/gateway/api-keys';
import { LocalFileStore } from '../../src/activities/store';
import { reviewIndexKey, reviewKey } from '../../src/domain/review';
import { credentialAuthenticator } from '../../src/gateway/auth';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Harness, startHarness } from './harness';

const acme = generateApiKey('acme-ci', ['acme']);
const globex = generateApiKey('globex-ci', ['globex']);

let h: Harness;
let url: string;
const storeDir = mkdtempSync(join(tmpdir(), 'finops-gw-reviews-'));
const store = new LocalFileStore(storeDir);
before(async () => {
  h = await startHarness();
  await store.putJson(reviewKey('acme', 'prod', '2026-11-16'), { tenant: 'acme', scope: 'prod', date: '2026-11-16', comparison: { spend: { total: '12' } } });
  await store.putJson(reviewKey('acme', 'prod', '2026-11-23'), { tenant: 'acme', scope: 'prod', date: '2026-11-23', comparison: { spend: { total: '13' } } });
  await store.putJson(reviewIndexKey('acme', 'prod'), { dates: ['2026-11-16', '2026-11-23'] });
  // Reviews the trigger and backfill start go to a queue no worker polls (the fixture worker has no weeklyReview).
  ({ url } = await h.gateway({ taskQueue: 'reviews-nobody-polls', store, authenticate: credentialAuthenticator({ apiKeys: new ApiKeyStore([acme.entry, globex.entry]) }) }));
});
after(async () => {
  await h?.close();
  rmSync(storeDir, { recursive: true, force: true });
});

async function as(key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const ID = encodeURIComponent('review/acme/prod');

test('create, list, read, pause, resume, trigger, backfill and delete a schedule, scoped to the tenant', async () => {
  const config = { scope: 'prod', accounts: ['123456789012'], timezone: 'America/New_York', hour: 8, paused: true };
  const created = await as(acme.key, 'POST', '/api/schedules', config);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.scheduleId, 'review/acme/prod');
  assert.match(String(created.body.summary), /Weekly cost review for acme\/prod: account 123456789012, last 7 days, Mondays 08:00 America\/New_York/);
  assert.equal(created.body.paused, true);
  const again = await as(acme.key, 'POST', '/api/schedules', { scope: 'prod', accounts: ['123456789012'], timezone: 'America/New_York', hour: 8 });
  assert.equal(again.status, 200);
  assert.equal(again.body.created, false);
  assert.equal(again.body.paused, true, 'an update without `paused` keeps the pause');

  const list = await as(acme.key, 'GET', '/api/schedules');
  assert.deepEqual((list.body.schedules as { scheduleId: string }[]).map((s) => s.scheduleId), ['review/acme/prod']);
  assert.deepEqual((await as(globex.key, 'GET', '/api/schedules')).body.schedules, []);

  // Another tenant: every route looks like a missing schedule.
  const missing = await as(acme.key, 'GET', `/api/schedules/${encodeURIComponent('review/acme/none')}`);
  for (const [method, suffix] of [['GET', ''], ['DELETE', ''], ['POST', '/pause'], ['POST', '/trigger']] as const) {
    const other = await as(globex.key, method, `/api/schedules/${ID}${suffix}`);
    assert.equal(other.status, 404);
    assert.equal((other.body.error as { code: string }).code, 'not_found');
  }
  assert.equal(missing.status, 404);
  const forbidden = await as(globex.key, 'POST', '/api/schedules', { ...config, tenant: 'acme' });
  assert.equal(forbidden.status, 403);

  assert.equal((await as(acme.key, 'POST', `/api/schedules/${ID}/unpause`)).status, 200);
  assert.equal((await as(acme.key, 'GET', `/api/schedules/${ID}`)).body.paused, false);
  assert.equal((await as(acme.key, 'POST', `/api/schedules/${ID}/pause`, { note: 'freeze' })).status, 200);
  const paused = await as(acme.key, 'GET', `/api/schedules/${ID}`);
  assert.equal(paused.body.paused, true);
  assert.equal(paused.body.note, 'freeze');
  assert.equal((await as(acme.key, 'POST', `/api/schedules/${ID}/trigger`)).status, 202);
  assert.equal((await as(acme.key, 'POST', `/api/schedules/${ID}/backfill`, { start: '2026-10-01', end: '2026-10-15' })).status, 202);
  const badBackfill = await as(acme.key, 'POST', `/api/schedules/${ID}/backfill`, { start: '2026-10-15', end: '2026-10-01' });
  assert.equal(badBackfill.status, 400);

  const invalid = await as(acme.key, 'POST', '/api/schedules', { scope: 'Bad Scope', accounts: ['12'], timezone: 'Mars/Olympus', bogus: 1 });
  assert.equal(invalid.status, 400);
  const details = (invalid.body.error as { details: string[] }).details.join('\n');
  assert.match(details, /scope/);
  assert.match(details, /accounts\.0/);
  assert.match(details, /timezone/);

  const deleted = await as(acme.key, 'DELETE', `/api/schedules/${ID}`);
  assert.equal(deleted.status, 204);
  assert.equal((await as(acme.key, 'GET', `/api/schedules/${ID}`)).status, 404);
});

test('kept reviews are listed (newest first) and read by tenant and scope; other tenants see nothing', async () => {
  const list = await as(acme.key, 'GET', `/api/schedules/${ID}/reviews`);
  assert.equal(list.status, 200);
  assert.deepEqual((list.body.reviews as { date: string }[]).map((r) => r.date), ['2026-11-23', '2026-11-16']);
  const one = await as(acme.key, 'GET', `/api/schedules/${ID}/reviews/2026-11-16`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.body.comparison, { spend: { total: '12' } });
  assert.equal((await as(acme.key, 'GET', `/api/schedules/${ID}/reviews/2026-11-17`)).status, 404);
  assert.equal((await as(acme.key, 'GET', `/api/schedules/${ID}/reviews/..%2F..%2Fx`)).status, 404);
  assert.equal((await as(globex.key, 'GET', `/api/schedules/${ID}/reviews`)).status, 404);
  assert.equal((await as(globex.key, 'GET', `/api/schedules/${ID}/reviews/2026-11-16`)).status, 404);
});
