/**
 * Weekly reviews without Temporal: the comparison (spend by service and account, findings new / resolved /
 * still open and for how long), the delivery activity's once-only bookkeeping and payloads, the
 * configuration parsers, and the S3 report store over the wire against a small local S3 stand-in.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { createReviewActivities, parseDestinations, slackMessage, webhookBody } from '../../src/activities/review';
import { buildReportView } from '../../src/presentation/build';
import { sectionLines } from '../../src/presentation/lines';
import { emptyReport, fullReport } from '../presentation/fixtures';
import { LocalFileStore, S3Store, storeFromEnv } from '../../src/activities/store';
import { parseScheduleId, reviewScheduleSchema, scheduleIdOf, scheduleSummary, schedulesFromEnv } from '../../src/client/schedules';
import { ConfigError } from '../../src/config';
import type { Finding } from '../../src/domain/findings';
import type { AnalysisReport } from '../../src/domain/report';
import { carryFirstSeen, compareSnapshots, deliveryKey, headlineOf, localDate, snapshotOf, type ReviewDocument } from '../../src/domain/review';

function finding(id: string, savings: string, title = `Fix ${id}`): Finding {
  return {
    id,
    check: 'ec2-idle',
    agent: 'ec2',
    sources: ['ec2'],
    resource: { account: '111122223333', region: 'us-east-1', id, type: 'instance', tags: {} },
    title,
    evidence: {},
    action: 'stop',
    recommendation: 'Stop it',
    monthlySavings: savings,
    confidence: 'high',
  } as unknown as Finding;
}

function report(total: string, services: Record<string, string>, findings?: Finding[]): AnalysisReport {
  return {
    analysisId: 'analysis/acme/20261121-0900-abc123',
    tenant: 'acme',
    accounts: ['111122223333'],
    period: { start: '2026-11-14', end: '2026-11-21' },
    spend: {
      unit: 'USD',
      total,
      byService: Object.entries(services).map(([service, amount]) => ({ service, amount })),
    },
    ...(findings
      ? { findings: { count: findings.length, monthlySavings: '0', byCheck: {}, items: findings, truncated: false } }
      : {}),
  } as unknown as AnalysisReport;
}

test('the comparison: spend change by service (largest first) and account; findings new, resolved, still open', () => {
  const week1 = snapshotOf(report('100', { EC2: '60', S3: '40' }, [finding('a', '10'), finding('b', '5')]), '2026-11-09');
  const week2 = snapshotOf(report('130', { EC2: '100', RDS: '20', S3: '10' }, [finding('a', '10'), finding('c', '7')]), '2026-11-16', week1);
  const week3 = snapshotOf(report('130', { EC2: '100', RDS: '20', S3: '10' }, [finding('a', '10'), finding('c', '7')]), '2026-11-23', week2);

  const c = compareSnapshots(week2, week1);
  assert.equal(c.previousDate, '2026-11-09');
  assert.equal(c.spend.change, '30');
  assert.equal(c.spend.changePct, 30);
  assert.deepEqual(c.spend.byService.map((l) => [l.key, l.change]), [['EC2', '40'], ['S3', '-30'], ['RDS', '20']]);
  assert.equal(c.spend.byService.find((l) => l.key === 'RDS')!.changePct, null, 'no baseline');
  assert.deepEqual(c.spend.byAccount.map((l) => [l.key, l.change]), [['111122223333', '30']]);
  assert.deepEqual(c.findings!.new.map((f) => f.id), ['c']);
  assert.deepEqual(c.findings!.resolved.map((f) => f.id), ['b']);
  assert.equal(c.findings!.realisedMonthlySavings, '5');
  assert.deepEqual(c.findings!.stillOpen.map((f) => [f.id, f.openDays]), [['a', 7]]);
  assert.equal(c.findings!.openMonthlySavings, '17');

  // First seen is carried forward: a week later 'a' has been open 14 days, 'c' 7.
  const c3 = compareSnapshots(week3, week2);
  assert.deepEqual(c3.findings!.stillOpen.map((f) => [f.id, f.openDays]), [['a', 14], ['c', 7]]);
  assert.equal(c3.spend.change, '0');

  const doc: ReviewDocument = { schemaVersion: 1, tenant: 'acme', scope: 'all', date: '2026-11-16', analysisId: 'x', reviewId: 'r', snapshot: week2, comparison: c };
  const headline = headlineOf(doc, 'reviews/acme/all/2026-11-16.json');
  assert.deepEqual(headline.topActions.map((a) => [a.title, a.openDays]), [['Fix a', 7], ['Fix c', 0]]);
  assert.equal(headline.newFindings, 1);
  assert.equal(headline.resolvedFindings, 1);
  assert.equal(headline.stillOpenFindings, 1);
});

test('first-seen dates carry forward from the previous review; the review date is local to the schedule', () => {
  const before = snapshotOf(report('1', {}, [finding('a', '1')]), '2026-11-02');
  const now = carryFirstSeen(snapshotOf(report('1', {}, [finding('a', '1'), finding('b', '1')]), '2026-11-16'), before);
  assert.deepEqual(now.findings!.map((f) => [f.id, f.firstSeen]), [['a', '2026-11-02'], ['b', '2026-11-16']]);
  // Monday 09:00 in Auckland is Sunday evening in UTC: the review is Monday's.
  assert.equal(localDate(new Date('2026-11-22T20:00:00Z'), 'Pacific/Auckland'), '2026-11-23');
  assert.equal(localDate(new Date('2026-11-23T08:00:00Z'), 'Europe/Paris'), '2026-11-23');
  assert.equal(localDate(new Date('2026-11-23T03:00:00Z'), 'America/Los_Angeles'), '2026-11-22');
});

test('the forecast against budget, when the report carries the forecasting agent\'s summary', () => {
  const r = report('100', { EC2: '100' }) as unknown as Record<string, unknown>;
  r.forecast = {
    budget: {
      month: '2026-11',
      projected: '1234.5',
      budgets: [
        { name: 'team-a', limit: '1000', projected: '1234.5', status: 'over' },
        { name: 'team-b', limit: '5000', status: 'under' },
      ],
    },
  };
  const snap = snapshotOf(r as unknown as AnalysisReport, '2026-11-16');
  const c = compareSnapshots(snap);
  assert.deepEqual(c.forecast?.budgets.map((b) => [b.name, b.status]), [['team-a', 'over'], ['team-b', 'under']]);
  const doc: ReviewDocument = { schemaVersion: 1, tenant: 'acme', scope: 'all', date: '2026-11-16', analysisId: 'x', reviewId: 'r', snapshot: snap, comparison: c };
  const headline = headlineOf(doc, 'k');
  assert.deepEqual(headline.forecast, { month: '2026-11', projected: '1234.5', budgetsAtRisk: [{ name: 'team-a', limit: '1000', status: 'over' }] });
  assert.match(JSON.stringify(slackMessage(headline, 'http://d')), /Forecast 2026-11\*\\n\$1,234\.50; team-a over/);
  assert.equal(compareSnapshots(snapshotOf(report('1', {}), '2026-11-16')).forecast, undefined);
});

test('without findings (agents without checks) and without a previous review, spend is still compared', () => {
  const first = compareSnapshots(snapshotOf(report('50', { EC2: '50' }), '2026-11-16'));
  assert.equal(first.previousDate, undefined);
  assert.equal(first.spend.change, undefined);
  assert.equal(first.findings, undefined);
  assert.deepEqual(first.spend.byService.map((l) => [l.key, l.change]), [['EC2', '50']]);
});

test('destinations and schedules configuration: defaults, and clear errors', () => {
  assert.throws(() => parseDestinations({ acme: [{ id: 'x', type: 'webhook', url: 'https://h' }] }), /needs secret or secretEnv/);
  assert.throws(() => parseDestinations({ acme: [{ id: 'x', type: 'email', url: 'https://h' }] }), ConfigError);
  assert.throws(() => parseDestinations({ acme: [{ id: 'x', type: 'slack', url: 'ftp://h' }] }), /url must be http/);

  const s = reviewScheduleSchema.parse({ tenant: 'acme', accounts: ['111122223333'] });
  assert.equal(s.scope, 'all');
  assert.equal(s.dayOfWeek, 'MONDAY');
  assert.equal(s.hour, 9);
  assert.equal(s.timezone, 'UTC');
  assert.equal(scheduleSummary(s), 'Weekly cost review for acme/all: account 111122223333, last 7 days, Mondays 09:00 UTC');
  assert.equal(scheduleIdOf('acme', 'prod'), 'review/acme/prod');
  assert.deepEqual(parseScheduleId('review/acme/prod'), { tenant: 'acme', scope: 'prod' });
  assert.equal(parseScheduleId('review/acme/prod/x'), undefined);
  assert.equal(reviewScheduleSchema.safeParse({ tenant: 'acme', accounts: ['111122223333'], timezone: 'Nowhere/Land' }).success, false);

  assert.deepEqual(schedulesFromEnv({}), []);
  assert.equal(schedulesFromEnv({ FINOPS_REVIEW_SCHEDULES: '{"schedules":[{"tenant":"a","accounts":["111122223333"]}]}' }).length, 1);
  assert.throws(() => schedulesFromEnv({ FINOPS_REVIEW_SCHEDULES: '[{"tenant":"a"}]' }), /review schedule 0: accounts/);
  assert.throws(() => schedulesFromEnv({ FINOPS_REVIEW_SCHEDULES: 'nope' }), /not JSON/);
});

test('delivery: once per review and destination, signed, failures reported, a half-done Slack post never repeated', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'finops-delivery-'));
  try {
    const store = new LocalFileStore(dir);
    const posts: { url: string; headers: Record<string, string>; body: string }[] = [];
    let status = 200;
    const fakeFetch = ((url: string, init: { headers: Record<string, string>; body: string }) => {
      posts.push({ url, headers: init.headers, body: init.body });
      return Promise.resolve(new Response('ok', { status }));
    }) as unknown as typeof fetch;
    const activities = createReviewActivities({
      store,
      fetch: fakeFetch,
      dashboardUrl: 'https://finops.example.com/',
      destinations: parseDestinations({
        acme: [
          { id: 'slack', type: 'slack', url: 'https://hooks.slack.test/x' },
          { id: 'hook', type: 'webhook', url: 'https://receiver.test/hook', secret: 's3cret' },
        ],
      }),
    });
    const doc: ReviewDocument = {
      schemaVersion: 1,
      tenant: 'acme',
      scope: 'all',
      date: '2026-11-16',
      analysisId: 'analysis/acme/20261116-0900-abc123',
      reviewId: 'r',
      snapshot: snapshotOf(report('130', { EC2: '130' }, [finding('a', '10', 'Stop <b>idle</b> & save')]), '2026-11-16'),
      comparison: compareSnapshots(snapshotOf(report('130', { EC2: '130' }, [finding('a', '10', 'Stop <b>idle</b> & save')]), '2026-11-16')),
    };
    const headline = headlineOf(doc, 'reviews/acme/all/2026-11-16.json');

    assert.deepEqual(await activities.reviewDestinations('acme'), [{ id: 'slack', type: 'slack' }, { id: 'hook', type: 'webhook' }]);
    assert.equal((await activities.deliverReview({ headline, destination: 'hook' })).outcome, 'sent');
    assert.equal((await activities.deliverReview({ headline, destination: 'hook' })).outcome, 'already-sent');
    assert.equal(posts.length, 1);
    const { headers, body } = posts[0]!;
    const t = headers['x-finops-timestamp']!;
    assert.equal(headers['x-finops-signature'], `t=${t},v1=${createHmac('sha256', 's3cret').update(`${t}.${body}`).digest('hex')}`);
    assert.equal(headers['idempotency-key'], 'reviews/acme/all/2026-11-16.json#hook');

    // A crash after "sending" was recorded: Slack is not posted again, and says so.
    await store.putJson(deliveryKey('acme', 'all', '2026-11-16', 'slack'), { idempotencyKey: 'k', state: 'sending', at: 'then' });
    const uncertain = await activities.deliverReview({ headline, destination: 'slack' });
    assert.equal(uncertain.outcome, 'uncertain');
    assert.equal(posts.length, 1);

    // A receiver error outside an activity (no retries left to take) is reported, not thrown; it may be retried later.
    await store.putJson(deliveryKey('acme', 'all', '2026-11-16', 'slack'), { idempotencyKey: 'k', state: 'failed', at: 'then' });
    status = 500;
    const failed = await activities.deliverReview({ headline, destination: 'slack' });
    assert.deepEqual([failed.outcome, failed.detail], ['failed', 'HTTP 500']);
    status = 200;
    assert.equal((await activities.deliverReview({ headline, destination: 'slack' })).outcome, 'sent');
    assert.equal((await activities.deliverReview({ headline, destination: 'nowhere' })).outcome, 'failed');

    const message = slackMessage(headline, 'https://finops.example.com/');
    const text = JSON.stringify(message);
    assert.match(text, /Stop &lt;b&gt;idle&lt;\/b&gt; &amp; save: \$10\.00\/month, new/);
    assert.match(text, /https:\/\/finops\.example\.com\/#\/analyses\/analysis%2Facme%2F20261116-0900-abc123/);
    assert.match(message.text, /first review of this scope/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the S3 report store: put and get over the wire, missing keys are undefined, bad keys refused', async () => {
  const objects = new Map<string, string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (req.method === 'PUT') {
        objects.set(path, Buffer.concat(chunks).toString('utf8'));
        res.end();
      } else if (req.method === 'GET' && objects.has(path)) {
        res.setHeader('content-type', 'application/json');
        res.end(objects.get(path));
      } else {
        res.statusCode = 404;
        res.setHeader('content-type', 'application/xml');
        res.end('<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>missing</Message></Error>');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = new S3Client({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const store = storeFromEnv({ FINOPS_STORE_BUCKET: 'reports', FINOPS_STORE_PREFIX: 'finops' }, client);
    assert.ok(store instanceof S3Store);
    await store.putJson('reviews/acme/all/2026-11-16.json', { total: '1.5' });
    await store.putJson('reviews/acme/all/2026-11-16.json', { total: '1.5' });
    assert.deepEqual([...objects.keys()], ['/reports/finops/reviews/acme/all/2026-11-16.json']);
    assert.deepEqual(await store.getJson('reviews/acme/all/2026-11-16.json'), { total: '1.5' });
    assert.equal(await store.getJson('reviews/acme/all/none.json'), undefined);
    await assert.rejects(store.putJson('../escape', {}), /invalid store key/);
    assert.ok(storeFromEnv({}) instanceof LocalFileStore);
  } finally {
    server.close();
  }
});

test('the review message shows every section of the report, as the dashboard words it, or why it is empty', () => {
  for (const [name, source] of [
    ['full', fullReport()],
    ['empty', emptyReport()],
  ] as const) {
    const snap = snapshotOf(source, '2026-11-23');
    const doc: ReviewDocument = { schemaVersion: 1, tenant: 'acme', scope: 'all', date: '2026-11-23', analysisId: source.analysisId, reviewId: 'r', snapshot: snap, comparison: compareSnapshots(snap) };
    const headline = headlineOf(doc, 'k');
    const expected = sectionLines(buildReportView(source)).filter((l) => l.id !== 'headline' && l.id !== 'notes');
    assert.deepEqual(headline.sections, expected, `${name}: the headline carries the view model's lines`);
    const blocks = JSON.stringify(slackMessage(headline, 'http://d').blocks);
    for (const line of expected) assert.ok(blocks.includes(`*${line.title}*: `), `${name}: Slack shows ${line.id}`);
    const webhook = webhookBody(headline, 'http://d');
    assert.deepEqual(webhook.review.sections, expected);
  }
  const full = headlineOf(
    (() => {
      const snap = snapshotOf(fullReport(), '2026-11-23');
      return { schemaVersion: 1, tenant: 'acme', scope: 'all', date: '2026-11-23', analysisId: 'x', reviewId: 'r', snapshot: snap, comparison: compareSnapshots(snap) };
    })(),
    'k',
  );
  const text = JSON.stringify(slackMessage(full, 'http://d'));
  assert.match(text, /\*Forecast\*: Next 30 days \$92,175\.00 \(80% range \$86,000\.00 – \$98,000\.00/);
  assert.match(text, /\*Tagging compliance\*: Compliant by count 65%/);
  assert.match(text, /\*Commitments\*: Savings Plans coverage 42\.5%/);
  const empty = JSON.stringify(slackMessage(headlineOf({ ...(() => { const snap = snapshotOf(emptyReport(), '2026-11-23'); return { schemaVersion: 1 as const, tenant: 'acme', scope: 'all', date: '2026-11-23', analysisId: 'x', reviewId: 'r', snapshot: snap, comparison: compareSnapshots(snap) }; })() }, 'k'), 'http://d'));
  assert.match(empty, /\*Forecast\*: No forecast: the Forecast and trend agent was skipped/);
});
