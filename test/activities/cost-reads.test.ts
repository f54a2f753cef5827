/**
 * The Cost Explorer request plan's cache, against the simulator: a review a week later asks only for the
 * days that were not settled; coarser groupings are cut from finer ones without a request; another tenant
 * never sees a tenant's cache; and cached figures equal what Cost Explorer says.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AwsClientFactory } from '../../src/activities/aws-clients';
import { CostReads } from '../../src/activities/cost-reads';
import { SharedRequests } from '../../src/activities/shared-requests';
import { LocalFileStore } from '../../src/activities/store';
import { noonOf } from '../../src/domain/calendar';
import { SETTLED_AFTER_DAYS, type CostDimension } from '../../src/domain/daily-costs';
import { addDays } from '../../src/domain/period';
import type { RunningSimulator } from '../../src/sim/server';
import { ANCHOR, startTestSimulator } from '../sim/helpers';

const ACCOUNT = '123456789012';
let sim: RunningSimulator;
let clients: AwsClientFactory;

before(async () => {
  sim = await startTestSimulator();
  clients = new AwsClientFactory({ endpoint: sim.url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
});
after(async () => {
  await sim?.close();
});

function readsAt(store: LocalFileStore, today: string): CostReads {
  return new CostReads(clients, store, new SharedRequests(), () => noonOf(today));
}

const scope = (tenant: string, suffix: string) => ({ analysisId: `analysis/${tenant}/20250101-0000-${suffix}`, accounts: [ACCOUNT] });
const FINE: CostDimension[] = ['SERVICE', 'USAGE_TYPE'];

test('a review a week later asks only for the days that were not settled, and gets the same figures', async () => {
  const store = new LocalFileStore(mkdtempSync(join(tmpdir(), 'cost-reads-')));
  const weekAgo = addDays(ANCHOR, -7);
  const first = await readsAt(store, weekAgo).daily(scope('acme', 'first'), FINE, { start: addDays(weekAgo, -60), end: weekAgo });
  assert.ok(first.requests > 0);

  const span = { start: addDays(ANCHOR, -60), end: ANCHOR };
  sim.resetStats();
  const review = await readsAt(store, ANCHOR).daily(scope('acme', 'review'), FINE, span);
  assert.equal(review.requests, sim.stats()['ce:GetCostAndUsage'], 'the count is what Cost Explorer served');

  // Only days after the first read's settled horizon were asked again.
  const doc = await store.getJson<{ days: Record<string, { by: string }> }>(
    (await store.listKeys('cost-cache/acme/')).find((k) => k.endsWith('/service.usage_type.json')) ?? '',
  );
  const lastSettled = addDays(weekAgo, -SETTLED_AFTER_DAYS);
  for (const [day, entry] of Object.entries(doc?.days ?? {})) {
    const expected = day <= lastSettled ? scope('acme', 'first').analysisId : scope('acme', 'review').analysisId;
    assert.equal(entry.by, expected, `${day} read by the ${day <= lastSettled ? 'first' : 'review'} analysis`);
  }

  // Same figures as an uncached read.
  const fresh = await readsAt(new LocalFileStore(mkdtempSync(join(tmpdir(), 'cost-reads-'))), ANCHOR).daily(scope('acme', 'fresh'), FINE, span);
  assert.deepEqual(review.costs.byDay, fresh.costs.byDay);
  assert.deepEqual([...review.costs.estimatedDays].sort(), [...fresh.costs.estimatedDays].sort());
  assert.ok(review.requests < fresh.requests, `${review.requests} vs ${fresh.requests} requests`);

  // Another tenant, same store: nothing shared.
  sim.resetStats();
  const other = await readsAt(store, ANCHOR).daily(scope('globex', 'other'), FINE, span);
  assert.equal(other.requests, fresh.requests);
});

test('coarser groupings are cut from a finer read without a request, and equal a direct read', async () => {
  const store = new LocalFileStore(mkdtempSync(join(tmpdir(), 'cost-reads-')));
  const reads = readsAt(store, ANCHOR);
  const span = { start: addDays(ANCHOR, -30), end: ANCHOR };
  const s = scope('acme', 'derive');
  await reads.daily(s, FINE, span);
  sim.resetStats();
  const byService = await reads.daily(s, ['SERVICE'], span);
  const byAccountService = await reads.daily(s, ['LINKED_ACCOUNT', 'SERVICE'], span);
  assert.equal(byService.requests + byAccountService.requests, 0);
  assert.equal(sim.stats()['ce:GetCostAndUsage'] ?? 0, 0);

  const direct = await readsAt(new LocalFileStore(mkdtempSync(join(tmpdir(), 'cost-reads-'))), ANCHOR).daily(s, ['SERVICE'], span);
  const cents = (byDay: Record<string, Record<string, string>>) =>
    Object.fromEntries(Object.entries(byDay).map(([d, g]) => [d, Object.fromEntries(Object.entries(g).map(([k, v]) => [k, Number(v).toFixed(6)]))]));
  assert.deepEqual(cents(byService.costs.byDay), cents(direct.costs.byDay));
  // A single account's LINKED_ACCOUNT is the account itself.
  for (const groups of Object.values(byAccountService.costs.byDay)) for (const key of Object.keys(groups)) assert.match(key, new RegExp(`\\|${ACCOUNT}$`));

  // A span the finer read does not cover is asked for, and only the missing days.
  const wider = await reads.daily(s, ['SERVICE'], { start: addDays(ANCHOR, -40), end: ANCHOR });
  assert.equal(wider.requests, 1);
  assert.equal(Object.keys(wider.costs.byDay).length, 40);
  assert.equal(await reads.available(s, ['REGION'], span), undefined, 'no Region read yet: not available');
});

test('a read of many pages is read as parallel windows: the same figures as one long chain, the requests what was served', async () => {
  // Small pages make the sample account's 60-day read by service and usage type a long chain of pages.
  const paged = await startTestSimulator({ costExplorerPageSize: 40 });
  const whole = await startTestSimulator({ costExplorerPageSize: 1_000_000 });
  try {
    const pagedClients = new AwsClientFactory({ endpoint: paged.url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const span = { start: addDays(ANCHOR, -60), end: ANCHOR };
    const windowed = await new CostReads(pagedClients, new LocalFileStore(mkdtempSync(join(tmpdir(), 'cost-reads-'))), new SharedRequests(), () =>
      noonOf(ANCHOR),
    ).daily(scope('paged', 'windows'), FINE, span);
    assert.equal(windowed.requests, paged.stats()['ce:GetCostAndUsage'], 'the count is what Cost Explorer served');

    // The same read from a simulator whose pages hold everything: one request, the reference figures.
    const wholeClients = new AwsClientFactory({ endpoint: whole.url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const reference = await new CostReads(wholeClients, new LocalFileStore(mkdtempSync(join(tmpdir(), 'cost-reads-'))), new SharedRequests(), () =>
      noonOf(ANCHOR),
    ).daily(scope('paged', 'whole'), FINE, span);
    assert.equal(reference.requests, 1);
    assert.deepEqual(Object.keys(windowed.costs.byDay).sort(), Object.keys(reference.costs.byDay).sort(), 'every day, once');
    for (const [day, groups] of Object.entries(reference.costs.byDay)) assert.deepEqual(windowed.costs.byDay[day], groups, `${day}: every group, same amount`);
    assert.deepEqual([...windowed.costs.estimatedDays].sort(), [...reference.costs.estimatedDays].sort());

    // Parallel windows cost a few requests more than the chain (each window's last page is partly filled), never many.
    const groups = Object.values(reference.costs.byDay).reduce((n, g) => n + Object.keys(g).length, 0);
    const chain = Math.ceil(groups / 40);
    assert.ok(windowed.requests <= chain + 5, `${windowed.requests} requests for a chain of ${chain} pages`);
    console.log(`windowed read: ${windowed.requests} requests for a chain of ${chain} pages`);
  } finally {
    await Promise.all([paged.close(), whole.close()]);
  }
});
