/**
 * The artefact store's retention: the pure rules (nothing younger than the horizon, nothing of an analysis
 * with a kept report, nothing outside the swept prefixes ever goes), the configuration checks, and the sweep
 * over a real LocalFileStore whose objects are aged with utimes. Every instant counts from the real clock
 * at the start of the test; no calendar date is pinned.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readdir, utimes } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { defaultPayloadConverter } from '@temporalio/common';
import { ConfigError, payloadRetentionDays, storeSweepHours } from '../../src/config';
import { sweepStore } from '../../src/activities/retention';
import { ReportStore } from '../../src/activities/reports';
import { LocalFileStore, S3Store, storeFromEnv } from '../../src/activities/store';
import { costExplorerEarliestStart, dayOf } from '../../src/domain/calendar';
import {
  analysisOfKey,
  costCacheCutoffMs,
  HISTORY_START_MARGIN_MS,
  historyCutoffMs,
  planSweep,
  type StoredObject,
} from '../../src/domain/retention';
import { StorePayloadCodec } from '../../src/payload-references';
import { checkPayloadRetention, startStoreSweeps } from '../../src/worker/retention';

const DAY = 86_400_000;
const NOW = new Date();
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

const TENANTS = ['acme', 'beta'];
const IDS = TENANTS.flatMap((t) => [`analysis/${t}/20250101-0900-aaa`, `analysis/${t}/20250102-1000-bbb`, `analysis/${t}/20250103-1100-ccc`]);

/** Keys of every kind the store holds, and decoys shaped almost like swept ones. */
const anyKey = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{8}$/).map((h) => `payloads/${h.slice(0, 2)}/${h}.json`),
  fc.tuple(fc.constantFrom(...IDS), fc.constantFrom('findings/ec2.json', 'findings/counted.json', 'timings/ec2-1-1.json', 'parts/rds/1-eu-west-1.json')).map(([id, rest]) => `${id}/${rest}`),
  fc.constantFrom('cost-cache/acme/0123456789abcdef/service.json', 'cost-cache/beta/fedcba9876543210/service.usage_type.json'),
  fc.constantFrom(...TENANTS).map((t) => `finding-states/${t}/${'a'.repeat(40)}.json`),
  fc.constantFrom(...IDS).map((id) => `reports/${id.slice('analysis/'.length)}/summary.json`),
  fc.constantFrom('reviews/acme/all/2025-01-06.json', 'analysis/acme/not-an-id/findings/x.json', 'analysis/acme/20250101-0900-aaa', 'payloads-old/x.json', 'bench-1/findings/ec2.json'),
);
const anyObject = fc.record({ key: anyKey, ageMs: fc.integer({ min: -DAY, max: 800 * DAY }) }).map(({ key, ageMs }) => ({ key, lastModified: new Date(NOW.getTime() - ageMs) }));
const anyFacts = fc.record({
  historyDays: fc.integer({ min: 0, max: 120 }),
  oldestAgeMs: fc.option(fc.integer({ min: 0, max: 800 * DAY }), { nil: undefined }),
  kept: fc.subarray(IDS),
  pinEvery: fc.integer({ min: 1, max: 4 }),
});

test('nothing younger than the horizon, of an analysis with a kept report, referred to by a schedule or outside the swept prefixes ever goes', () => {
  fc.assert(
    fc.property(fc.uniqueArray(anyObject, { maxLength: 60, selector: (o) => o.key }), anyFacts, (objects, f) => {
      const oldest = f.oldestAgeMs === undefined ? undefined : new Date(NOW.getTime() - f.oldestAgeMs);
      // Some payloads are referred to by a schedule.
      const pinned = new Set(objects.filter((o, i) => o.key.startsWith('payloads/') && i % f.pinEvery === 0).map((o) => o.key));
      const plan = planSweep(objects, {
        now: NOW,
        historyDays: f.historyDays,
        keptReports: new Set(f.kept),
        pinnedPayloads: pinned,
        ...(oldest ? { oldestKeptHistoryStart: oldest } : {}),
      });
      const written = new Map<string, number>();
      for (const o of objects) written.set(o.key, Math.max(written.get(o.key) ?? -Infinity, o.lastModified.getTime()));
      const horizon = NOW.getTime() - f.historyDays * DAY;
      for (const key of [...plan.payloads, ...plan.analysisKeys]) {
        assert.ok(f.historyDays > 0, `${key}: retention 0 keeps everything`);
        assert.ok(written.get(key)! < horizon, `${key} is younger than ${f.historyDays} days`);
        if (oldest) assert.ok(written.get(key)! < oldest.getTime() - HISTORY_START_MARGIN_MS, `${key} is younger than a history Temporal holds`);
      }
      for (const key of plan.payloads) {
        assert.match(key, /^payloads\/[0-9a-f]{2}\/[0-9a-f]+\.json$/);
        assert.ok(!pinned.has(key), `${key}: a schedule refers to it`);
      }
      for (const key of plan.analysisKeys) {
        const id = analysisOfKey(key);
        assert.ok(id && plan.analyses.includes(id), `${key} belongs to a planned folder`);
        assert.ok(!f.kept.includes(id), `${key}: the analysis's report is kept`);
      }
      // A folder goes whole: every object of it listed, none younger than the horizon.
      for (const id of plan.analyses) {
        const folder = objects.filter((o) => analysisOfKey(o.key) === id);
        assert.deepEqual(new Set(plan.analysisKeys.filter((k) => analysisOfKey(k) === id)), new Set(folder.map((o) => o.key)));
      }
      // A cost-cache document goes only when every day it can hold is older than Cost Explorer keeps.
      for (const key of plan.costCache) {
        assert.match(key, /^cost-cache\//);
        assert.ok(dayOf(new Date(written.get(key)!)) < costExplorerEarliestStart(dayOf(NOW)), `${key} may still hold a day Cost Explorer serves`);
      }
      // And the rule is not vacuous: every payload past the horizon does go.
      const cutoff = historyCutoffMs(NOW, f.historyDays, oldest);
      for (const o of objects) if (cutoff !== undefined && o.key.startsWith('payloads/') && !pinned.has(o.key) && o.lastModified.getTime() < cutoff) assert.ok(plan.payloads.includes(o.key));
    }),
    { numRuns: 500 },
  );
});

test('the borderlines: a payload exactly at the horizon stays, a millisecond older goes; one young object keeps its whole folder', () => {
  const id = IDS[0]!;
  const objects: StoredObject[] = [
    { key: 'payloads/aa/aa01.json', lastModified: ago(40) },
    { key: 'payloads/bb/bb01.json', lastModified: new Date(ago(40).getTime() - 1) },
    { key: `${id}/findings/ec2.json`, lastModified: ago(300) },
    { key: `${id}/timings/ec2-1-1.json`, lastModified: ago(39) },
    { key: `${IDS[1]}/findings/ec2.json`, lastModified: ago(300) },
  ];
  const plan = planSweep(objects, { now: NOW, historyDays: 40, keptReports: new Set() });
  assert.deepEqual(plan.payloads, ['payloads/bb/bb01.json']);
  assert.deepEqual(plan.analyses, [IDS[1]]);
  // A history Temporal still holds, started 200 days ago, keeps the 40-day-old payload but not the 300-day-old folder.
  const held = planSweep(objects, { now: NOW, historyDays: 40, oldestKeptHistoryStart: ago(200), keptReports: new Set() });
  assert.deepEqual([held.payloads, held.analyses], [[], [IDS[1]]]);
  assert.deepEqual(planSweep(objects, { now: NOW, historyDays: 40, oldestKeptHistoryStart: ago(301), keptReports: new Set() }).analyses, []);
  assert.deepEqual(planSweep(objects, { now: NOW, historyDays: 0, keptReports: new Set() }), { payloads: [], analyses: [], analysisKeys: [], costCache: [] });
});

test('a cost-cache document goes once its last write is a month past Cost Explorer history, not before', () => {
  const cutoff = costCacheCutoffMs(NOW);
  assert.ok(NOW.getTime() - cutoff > 420 * DAY && NOW.getTime() - cutoff < 460 * DAY, 'about 14 months');
  const plan = planSweep(
    [
      { key: 'cost-cache/acme/0123456789abcdef/service.json', lastModified: new Date(cutoff - 1) },
      { key: 'cost-cache/acme/0123456789abcdef/service.usage_type.json', lastModified: new Date(cutoff) },
    ],
    { now: NOW, historyDays: 0, keptReports: new Set() },
  );
  assert.deepEqual(plan.costCache, ['cost-cache/acme/0123456789abcdef/service.json']);
});

test('analysis folder keys are recognised only for real analysis IDs', () => {
  assert.equal(analysisOfKey('analysis/acme/20250101-0900-aaa/timings/x.json'), 'analysis/acme/20250101-0900-aaa');
  assert.equal(analysisOfKey('analysis/acme/20250101-0900-aaa'), undefined);
  assert.equal(analysisOfKey('analysis/Acme/20250101-0900-aaa/x.json'), undefined);
  assert.equal(analysisOfKey('analysis/acme/latest/x.json'), undefined);
  assert.equal(analysisOfKey('finding-states/acme/x.json'), undefined);
});

test('the payload retention must exceed the namespace retention; bad settings are clear errors', () => {
  assert.doesNotThrow(() => checkPayloadRetention(31, 30 * DAY, 'prod'));
  assert.throws(() => checkPayloadRetention(30, 30 * DAY, 'prod'), (err: Error) => err instanceof ConfigError && /namespace prod keeps closed workflows 30 days.*Set it to 31 or more/.test(err.message));
  assert.throws(() => checkPayloadRetention(40, 90 * DAY, 'prod'), /Set it to 91 or more/);
  assert.doesNotThrow(() => checkPayloadRetention(2, DAY, 'default'));
  assert.throws(() => checkPayloadRetention(1, 12 * 3_600_000, 'default'), /12\.0 hours/);
  assert.doesNotThrow(() => checkPayloadRetention(0, 90 * DAY, 'prod'), '0 keeps payloads forever');
  assert.doesNotThrow(() => checkPayloadRetention(5, undefined, 'prod'), 'unknown retention: the sweep-time guard still holds');

  assert.equal(payloadRetentionDays({}), 40);
  assert.equal(payloadRetentionDays({ FINOPS_PAYLOAD_RETENTION_DAYS: '0' }), 0);
  assert.throws(() => payloadRetentionDays({ FINOPS_PAYLOAD_RETENTION_DAYS: '30d' }), /FINOPS_PAYLOAD_RETENTION_DAYS must be a whole number of days.*"30d"/);
  assert.equal(storeSweepHours({}), 6);
  assert.equal(storeSweepHours({ FINOPS_STORE_SWEEP_HOURS: '0' }), 0);
  assert.equal(storeSweepHours({ FINOPS_STORE_SWEEP_HOURS: '0.5' }), 0.5);
  assert.throws(() => storeSweepHours({ FINOPS_STORE_SWEEP_HOURS: '0.001' }), /FINOPS_STORE_SWEEP_HOURS/);
  assert.throws(() => storeSweepHours({ FINOPS_STORE_SWEEP_HOURS: '-1' }), /FINOPS_STORE_SWEEP_HOURS/);
});

/** Temporal holds no history older than the horizon. */
const noneKept = () => Promise.resolve(undefined);

const PREFIXES = ['analysis/', 'payloads/', 'reports/', 'finding-states/', 'cost-cache/', 'reviews/'];
async function allObjects(store: LocalFileStore): Promise<StoredObject[]> {
  return (await Promise.all(PREFIXES.map((p) => store.listObjects(p)))).flat();
}

/** Sets the objects' modification time `days` before NOW: as if they were last written then. */
async function age(store: LocalFileStore, root: string, keys: string[], days: number): Promise<void> {
  for (const key of keys) await utimes(join(root, key), ago(days), ago(days));
  const aged = (await allObjects(store)).filter((o) => keys.includes(o.key));
  assert.equal(aged.length, keys.length);
  for (const o of aged) assert.ok(Math.abs(o.lastModified.getTime() - ago(days).getTime()) < 1000, `${o.key} is ${days} days old`);
}

test('a sweep over a local store: expired folders, payloads and cost documents go, kept reports, finding states and young objects stay', async () => {
  const root = mkdtempSync(join(tmpdir(), 'retention-'));
  const store = new LocalFileStore(root);
  const reports = new ReportStore(store, 30);
  const [expired, reported, recent, failed] = ['20250101-0900-old', '20250102-0900-rep', '20250103-0900-new', '20250104-0900-bad'].map((s) => `analysis/acme/${s}`);
  for (const id of [expired!, reported!, recent!, failed!]) {
    await store.putJson(`${id}/findings/counted.json`, []);
    await store.putJson(`${id}/timings/analysis-1-1.json`, {});
  }
  const report = (id: string, closedDaysAgo: number) => ({
    analysisId: id, tenant: 'acme', accounts: [], startTime: ago(closedDaysAgo).toISOString(), closeTime: ago(closedDaysAgo).toISOString(), reportStatus: 'complete' as const,
    report: { analysisId: id } as never,
  });
  await reports.put(report(expired!, 100)); // older than the 30-day report retention: pruned by the sweep
  await reports.put(report(reported!, 10)); // kept: its folder stays however old
  await store.putJson('finding-states/acme/0123.json', { state: 'dismissed' });
  await store.putJson('cost-cache/acme/0123456789abcdef/service.json', { days: {} });
  await store.putJson('cost-cache/acme/fedcba9876543210/service.json', { days: {} });
  await store.putJson('reviews/acme/all/index.json', { dates: [] });
  const codec = new StorePayloadCodec(store, 1024);
  const big = (n: number) => defaultPayloadConverter.toPayload({ rows: Array.from({ length: 100 }, (_, i) => `${n}-${i}-${'x'.repeat(20)}`) });
  await codec.encode([big(1)]);
  const [oldPayload] = await store.listKeys('payloads/');
  await codec.encode([big(2)]);
  const renewed = (await store.listKeys('payloads/')).find((k) => k !== oldPayload)!;

  const old = [expired!, reported!, failed!].flatMap((id) => [`${id}/findings/counted.json`, `${id}/timings/analysis-1-1.json`]);
  await age(store, root, [...old, ...(await store.listKeys('payloads/')), 'finding-states/acme/0123.json', 'reviews/acme/all/index.json'], 200);
  await age(store, root, ['cost-cache/acme/0123456789abcdef/service.json'], 500);
  // The codec writes a payload again whenever a history refers to it anew: that renews its age.
  await codec.encode([big(2)]);

  const result = await sweepStore({ store, reports, now: NOW, historyDays: 40, oldestKeptHistory: noneKept });
  const left = new Set((await allObjects(store)).map((o) => o.key));
  assert.equal(result.reportsPruned, 1);
  assert.equal(result.analyses, 2, 'the expired analysis and the one that never kept a report');
  for (const id of [expired!, failed!]) assert.ok(![...left].some((k) => k.startsWith(`${id}/`)), `${id}'s folder is gone`);
  for (const id of [reported!, recent!]) assert.ok(left.has(`${id}/findings/counted.json`) && left.has(`${id}/timings/analysis-1-1.json`), `${id}'s folder stays`);
  assert.ok(!left.has(oldPayload!) && left.has(renewed), 'the old payload goes, the one written again stays');
  assert.ok(left.has('finding-states/acme/0123.json') && left.has('reviews/acme/all/index.json'), 'finding states and reviews are never swept');
  assert.ok(!left.has('cost-cache/acme/0123456789abcdef/service.json') && left.has('cost-cache/acme/fedcba9876543210/service.json'));
  // No empty folders are left behind, and a second sweep (or two at once) finds nothing more and fails on nothing.
  assert.deepEqual((await readdir(join(root, 'analysis/acme'))).sort(), ['20250102-0900-rep', '20250103-0900-new']);
  const again = await Promise.all([1, 2].map(() => sweepStore({ store, reports, now: NOW, historyDays: 40, oldestKeptHistory: noneKept })));
  for (const r of again) assert.equal(r.payloads + r.analysisObjects + r.costCache + r.reportsPruned, 0);
});

test('a sweep holds back when Temporal cannot say which histories it keeps, and is bounded', async () => {
  const root = mkdtempSync(join(tmpdir(), 'retention-'));
  const store = new LocalFileStore(root);
  const ids = Array.from({ length: 5 }, (_, i) => `analysis/acme/20250101-090${i}-x${i}`);
  const keys = ids.flatMap((id) => [`${id}/findings/counted.json`, `${id}/timings/a.json`, `${id}/timings/b.json`]);
  for (const key of keys) await store.putJson(key, {});
  await age(store, root, keys, 100);

  for (const oldestKeptHistory of [() => Promise.resolve('unknown' as const), () => Promise.reject(new Error('permission denied'))]) {
    const held = await sweepStore({ store, now: NOW, historyDays: 40, oldestKeptHistory });
    assert.equal(held.analysisObjects, 0);
    assert.match(held.heldBack ?? '', /could not say/);
  }
  // Temporal still holds a history started 150 days ago: it may refer to these 100-day-old folders.
  const byHistory = await sweepStore({ store, now: NOW, historyDays: 40, oldestKeptHistory: () => Promise.resolve(ago(150)) });
  assert.equal(byHistory.analysisObjects, 0);
  assert.match(byHistory.heldBack ?? '', /still holds a history started/);
  const first = await sweepStore({ store, now: NOW, historyDays: 40, oldestKeptHistory: noneKept, maxDeletes: 7 });
  assert.deepEqual([first.analysisObjects, first.analyses, first.truncated], [7, 2, true]);
  const second = await sweepStore({ store, now: NOW, historyDays: 40, oldestKeptHistory: noneKept, maxDeletes: 7 });
  assert.deepEqual([second.analysisObjects, second.analyses, second.truncated], [7, 2, true]);
  const last = await sweepStore({ store, now: NOW, historyDays: 40, oldestKeptHistory: noneKept, maxDeletes: 7 });
  assert.deepEqual([last.analysisObjects, last.analyses, last.truncated], [1, 1, false]);
  assert.deepEqual(await store.listKeys('analysis/'), []);
});

test('the worker sweeps on a timer: the first after a delay, then every interval; a sweep asked meanwhile joins the running one', async () => {
  const root = mkdtempSync(join(tmpdir(), 'retention-'));
  const store = new LocalFileStore(root);
  const id = 'analysis/acme/20250101-0900-old';
  await store.putJson(`${id}/timings/a.json`, {});
  await age(store, root, [`${id}/timings/a.json`], 100);
  const lines: string[] = [];
  let asked = 0;
  const sweeps = startStoreSweeps({
    store,
    historyDays: 40,
    oldestKeptHistory: () => Promise.resolve(void asked++),
    everyMs: 30,
    firstDelayMs: 10,
    log: (line) => lines.push(line),
  });
  try {
    const [a, b] = [sweeps.sweepNow(), sweeps.sweepNow()];
    assert.equal(a, b, 'one sweep at a time per worker');
    assert.equal((await a).analyses, 1);
    while (lines.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    sweeps.stop();
  }
  // The first timed sweep may have joined the one asked for (and reports its folder); the later ones find nothing.
  assert.match(lines[0]!, /^Store sweep removed 0 expired reports, [01] analysis folders \([01] objects\), 0 payloads, 0 cost-cache documents$/);
  assert.equal(lines.at(-1), 'Store sweep removed 0 expired reports, 0 analysis folders (0 objects), 0 payloads, 0 cost-cache documents');
  assert.ok(asked >= 2 && asked >= lines.length, 'each sweep asks Temporal afresh');
  const count = lines.length;
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(lines.length, count, 'no sweep after stop');
});

test('on S3, the sweep ages objects by ListObjectsV2 LastModified across pages, under the store prefix, and deletes only expired ones', async () => {
  const listed = [
    { key: 'payloads/aa/aa01.json', at: ago(100) },
    { key: 'payloads/bb/bb01.json', at: ago(2) },
    { key: 'analysis/acme/20250101-0900-old/timings/a.json', at: ago(100) },
    { key: 'analysis/acme/20250101-0900-old/findings/counted.json', at: ago(90) },
    { key: 'analysis/acme/20250102-0900-new/findings/counted.json', at: ago(1) },
    { key: 'cost-cache/acme/0123456789abcdef/service.json', at: ago(600) },
  ];
  const deleted: string[] = [];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.method === 'HEAD') {
      const object = listed.find((o) => `/bucket/finops/${o.key}` === decodeURIComponent(url.pathname));
      res.statusCode = object ? 200 : 404;
      if (object) res.setHeader('last-modified', object.at.toUTCString());
      res.end();
      return;
    }
    if (req.method === 'DELETE') {
      deleted.push(decodeURIComponent(url.pathname));
      res.statusCode = 204;
      res.end();
      return;
    }
    // One object a page, so every listing pages through continuation tokens.
    const prefix = url.searchParams.get('prefix') ?? '';
    const matching = listed.map((o) => ({ ...o, key: `finops/${o.key}` })).filter((o) => o.key.startsWith(prefix));
    const index = Number(url.searchParams.get('continuation-token') ?? '0');
    const page = matching.slice(index, index + 1);
    const more = index + 1 < matching.length;
    res.setHeader('content-type', 'application/xml');
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>${prefix}</Prefix>` +
        `<KeyCount>${page.length}</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${index + 1}</NextContinuationToken>` : ''}` +
        page.map((o) => `<Contents><Key>${o.key}</Key><LastModified>${o.at.toISOString()}</LastModified><Size>2</Size></Contents>`).join('') +
        '</ListBucketResult>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = new S3Client({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const store = storeFromEnv({ FINOPS_STORE_BUCKET: 'bucket', FINOPS_STORE_PREFIX: 'finops' }, client);
    assert.ok(store instanceof S3Store);
    const objects = await store.listObjects('payloads/');
    assert.deepEqual(objects.map((o) => [o.key, o.lastModified.getTime()]), listed.slice(0, 2).map((o) => [o.key, o.at.getTime()]));
    const result = await sweepStore({ store, now: NOW, historyDays: 40, oldestKeptHistory: noneKept });
    assert.deepEqual(deleted.sort(), [
      '/bucket/finops/analysis/acme/20250101-0900-old/findings/counted.json',
      '/bucket/finops/analysis/acme/20250101-0900-old/timings/a.json',
      '/bucket/finops/cost-cache/acme/0123456789abcdef/service.json',
      '/bucket/finops/payloads/aa/aa01.json',
    ]);
    assert.deepEqual([result.analyses, result.payloads, result.costCache], [1, 1, 1]);
    assert.ok(requests.some((r) => r.includes('continuation-token=1')), 'listings page through continuation tokens');
  } finally {
    server.close();
  }
});

test('a payload written again after the listing (a new history refers to it) is not deleted', async () => {
  const root = mkdtempSync(join(tmpdir(), 'retention-'));
  const codec = new StorePayloadCodec(new LocalFileStore(root), 1024);
  const value = defaultPayloadConverter.toPayload({ rows: Array.from({ length: 100 }, (_, i) => `shared-${i}-${'x'.repeat(20)}`) });
  /** A store where an analysis encodes the same payload while the sweep is between listing and deleting. */
  class RacingStore extends LocalFileStore {
    override async listObjects(prefix: string): Promise<StoredObject[]> {
      const listed = await super.listObjects(prefix);
      if (prefix === 'payloads/') await codec.encode([value]);
      return listed;
    }
  }
  const store = new RacingStore(root);
  await codec.encode([value]);
  const keys = await store.listKeys('payloads/');
  await age(store, root, keys, 100);
  const result = await sweepStore({ store, now: NOW, historyDays: 40, oldestKeptHistory: noneKept });
  assert.equal(result.payloads, 0);
  assert.deepEqual(await store.listKeys('payloads/'), keys);
});
