/**
 * Finding states without Temporal: validation (reasons, snooze dates against an injected today, identity
 * never from the body), the snooze edges, applying states to a ranked list (dismissed out of the totals,
 * accepted and done marked, done-and-gone listed as resolved), fast-check properties, the versioned store
 * (concurrent writers keep every change, a stale expectedVersion is refused, tenants never mix) and the
 * view model every surface renders.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Big from 'big.js';
import fc from 'fast-check';
import { FindingStateStore, StateVersionConflict } from '../../src/activities/finding-states';
import { LocalFileStore } from '../../src/activities/store';
import {
  applyStates,
  DONE_STILL_PRESENT,
  effectiveState,
  nextRecord,
  stateKeyOf,
  validateStateChange,
  type FindingStateRecord,
} from '../../src/domain/finding-states';
import type { Finding } from '../../src/domain/findings';
import { slackMessage } from '../../src/activities/review';
import { compareSnapshots, headlineOf, snapshotOf } from '../../src/domain/review';
import { assembleReport } from '../../src/domain/report';
import { buildReportView } from '../../src/presentation/build';
import { sectionOf } from '../../src/presentation/model';
import { fullReport } from '../presentation/fixtures';

const TODAY = '2026-03-10';
const ACCOUNT = '111122223333';

function finding(id: string, savings: string, check = 'ec2-idle', region = 'us-east-1'): Finding {
  return {
    id: `${check}/${ACCOUNT}/${region}/${id}`,
    check,
    agent: 'ec2',
    sources: ['ec2'],
    resource: { account: ACCOUNT, region, id, type: 'instance', tags: {} },
    title: `Idle ${id}`,
    evidence: { cpuP95Percent: 1 },
    action: 'stop',
    recommendation: 'Stop it',
    monthlySavings: savings,
    confidence: 'high',
  };
}

function record(f: Finding, state: FindingStateRecord['state'], extra: { reason?: string; snoozeUntil?: string; tenant?: string } = {}): FindingStateRecord {
  return nextRecord(undefined, extra.tenant ?? 'acme', f, { state, ...extra }, 'key:alice', `${TODAY}T09:00:00.000Z`);
}

test('a change is validated against today: reasons, snooze dates, and no identity in the body', () => {
  const ok = validateStateChange({ findingId: 'x', state: 'dismissed', reason: 'DR standby', snoozeUntil: '2026-03-11' }, TODAY);
  assert.deepEqual(ok, { ok: true, change: { findingId: 'x', state: 'dismissed', reason: 'DR standby', snoozeUntil: '2026-03-11' } });
  const errorsOf = (body: unknown) => (validateStateChange(body, TODAY) as { ok: false; errors: string[] }).errors.join('; ');
  assert.match(errorsOf({ findingId: 'x', state: 'dismissed', reason: 'r', snoozeUntil: TODAY }), /not after today/, 'today itself is not a snooze');
  assert.match(errorsOf({ findingId: 'x', state: 'dismissed', reason: 'r', snoozeUntil: '2026-03-09' }), /not after today \(2026-03-10\)/);
  assert.match(errorsOf({ findingId: 'x', state: 'dismissed', reason: 'r', snoozeUntil: '2026-02-30' }), /YYYY-MM-DD/);
  assert.match(errorsOf({ findingId: 'x', state: 'dismissed' }), /needs a reason/);
  assert.match(errorsOf({ findingId: 'x', state: 'dismissed', reason: '   ' }), /needs a reason/);
  assert.match(errorsOf({ findingId: 'x', state: 'accepted', snoozeUntil: '2026-04-01' }), /only a dismissal/);
  assert.match(errorsOf({ findingId: 'x', state: 'closed' }), /one of open, dismissed, accepted, done/);
  assert.match(errorsOf({ findingId: 'x', state: 'done', by: 'someone-else' }), /by: not allowed.*credentials/);
  assert.match(errorsOf({ findingId: 'x', state: 'done', requestedBy: 'mallory' }), /requestedBy: not allowed/);
  assert.match(errorsOf({ state: 'done' }), /findingId/);
  assert.match(errorsOf({ findingId: 'x', state: 'done', expectedVersion: -1 }), /expectedVersion/);
  assert.match(errorsOf({ findingId: 'x', state: 'done', colour: 'red' }), /colour: unknown field/);
  assert.match(errorsOf([]), /JSON object/);
});

test('a snoozed dismissal holds until the day before its date and lapses on it', () => {
  const r = { state: 'dismissed' as const, snoozeUntil: '2026-03-12' };
  assert.equal(effectiveState(r, '2026-03-11'), 'dismissed');
  assert.equal(effectiveState(r, '2026-03-12'), 'open');
  assert.equal(effectiveState(r, '2026-04-01'), 'open');
  assert.equal(effectiveState({ state: 'dismissed' }, '2099-01-01'), 'dismissed', 'without a snooze it holds');
  assert.equal(effectiveState(undefined, TODAY), 'open');
});

test('applying states: dismissed out of the totals and listed apart, accepted and done marked, done-and-gone resolved', () => {
  const idle = finding('i-1', '100');
  const standby = finding('i-2', '312.59');
  const accepted = finding('i-3', '40');
  const done = finding('i-4', '25');
  const gone = finding('i-5', '70');
  const records = [
    record(standby, 'dismissed', { reason: 'the DR standby is idle on purpose' }),
    record(accepted, 'accepted'),
    record(done, 'done'),
    record(gone, 'done'),
    record(idle, 'dismissed', { reason: 'other tenant', tenant: 'globex' }),
  ];
  const applied = applyStates([standby, idle, accepted, done], records, 'acme', TODAY);
  assert.deepEqual(applied.counted.map((f) => f.resource.id), ['i-1', 'i-3', 'i-4'], "another tenant's state changes nothing");
  assert.equal(applied.section.dismissed[0]!.reason, 'the DR standby is idle on purpose');
  assert.equal(applied.section.dismissedMonthlySavings, '312.59');
  assert.equal(applied.counted.find((f) => f.resource.id === 'i-3')!.state!.state, 'accepted');
  assert.equal(applied.counted.find((f) => f.resource.id === 'i-4')!.state!.flag, DONE_STILL_PRESENT);
  assert.equal(applied.counted.find((f) => f.resource.id === 'i-1')!.state, undefined);
  assert.deepEqual(applied.section.done.map((d) => [d.resourceId, d.stillPresent]), [['i-4', true], ['i-5', false]]);
  assert.equal(applied.section.accepted, 1);
});

test('a state set on an id matches the same resource named by its ARN, and not another check', () => {
  const byId = finding('i-9', '10');
  const byArn = { ...finding(`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-9`, '10'), id: 'ta-x' };
  assert.equal(stateKeyOf(byId), stateKeyOf(byArn));
  const applied = applyStates([byArn, finding('i-9', '5', 'ec2-overprovisioned')], [record(byId, 'dismissed', { reason: 'on purpose' })], 'acme', TODAY);
  assert.deepEqual(applied.counted.map((f) => f.check), ['ec2-overprovisioned']);
});

const findingsArb = fc.uniqueArray(
  fc.record({ n: fc.integer({ min: 0, max: 30 }), cents: fc.integer({ min: 0, max: 100000 }) }),
  { selector: (r) => r.n, maxLength: 25 },
).map((rows) => rows.map((r) => finding(`i-${r.n}`, new Big(r.cents).div(100).toString())));
const stateArb = fc.record({
  state: fc.constantFrom<FindingStateRecord['state']>('open', 'dismissed', 'accepted', 'done'),
  snooze: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }),
});

test('property: dismissed findings never count, and counted plus dismissed is the whole list, on every day', () => {
  fc.assert(
    fc.property(findingsArb, fc.array(stateArb, { maxLength: 25 }), fc.integer({ min: 0, max: 20 }), (findings, states, day) => {
      const today = `2026-03-${String(day + 1).padStart(2, '0')}`;
      const records = findings.flatMap((f, i) => {
        const s = states[i];
        if (!s) return [];
        const snoozeUntil = s.state === 'dismissed' && s.snooze !== undefined ? `2026-03-${String(11 + s.snooze).padStart(2, '0')}` : undefined;
        return [record(f, s.state, { ...(s.state === 'dismissed' ? { reason: 'r' } : {}), ...(snoozeUntil ? { snoozeUntil } : {}) })];
      });
      const applied = applyStates(findings, records, 'acme', today);
      const byKey = new Map(records.map((r) => [r.key, r]));
      for (const f of applied.counted) assert.notEqual(effectiveState(byKey.get(stateKeyOf(f)), today), 'dismissed');
      for (const d of applied.section.dismissed) assert.equal(effectiveState(byKey.get(stateKeyOf(d.finding)), today), 'dismissed');
      assert.equal(applied.counted.length + applied.section.dismissed.length, findings.length);
      const total = (list: readonly Finding[]) => list.reduce((s, f) => s.plus(f.monthlySavings), new Big(0));
      assert.equal(total(applied.counted).plus(applied.section.dismissedMonthlySavings).toString(), total(findings).toString());
      // Order kept: the counted list is the ranked list without the dismissed ones.
      assert.deepEqual(applied.counted.map((f) => f.id), findings.filter((f) => !applied.section.dismissed.some((d) => d.finding.id === f.id)).map((f) => f.id));
    }),
  );
});

test('the store: concurrent writers keep every change, a stale version is refused, tenants never mix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'finops-states-'));
  const a = new FindingStateStore(new LocalFileStore(dir));
  const b = new FindingStateStore(new LocalFileStore(dir));
  const f = finding('i-1', '10');
  const writes = Array.from({ length: 12 }, (_, i) =>
    (i % 2 ? a : b).change('acme', f, { state: i % 3 ? 'accepted' : 'done' }, `key:w${i}`, `${TODAY}T10:00:${String(i).padStart(2, '0')}.000Z`),
  );
  await Promise.all(writes);
  const kept = await a.get('acme', stateKeyOf(f));
  assert.equal(kept?.version, 12, 'no write lost');
  assert.equal(kept?.history.length, 12);
  assert.deepEqual(new Set(kept?.history.map((h) => h.by)), new Set(Array.from({ length: 12 }, (_, i) => `key:w${i}`)));
  await assert.rejects(a.change('acme', f, { state: 'open', expectedVersion: 3 }, 'key:late', `${TODAY}T11:00:00.000Z`), StateVersionConflict);
  const next = await a.change('acme', f, { state: 'open', expectedVersion: 12 }, 'key:fresh', `${TODAY}T11:00:00.000Z`);
  assert.equal(next.version, 13);
  assert.equal((await a.list('globex')).length, 0);
  assert.equal((await a.list('acme')).length, 1);
});

test('the view model shows the states once: a state column, the dismissed apart with reasons, done with its status', () => {
  const report = fullReport();
  const items = report.findings!.items;
  const [first, second] = items;
  assert.ok(first && second);
  const applied = applyStates(items, [record(first, 'dismissed', { reason: 'the DR standby is idle on purpose' }), record(second, 'accepted')], report.tenant, TODAY);
  const stated = {
    ...report,
    findings: { ...report.findings!, items: applied.counted, count: applied.counted.length, truncated: false },
    findingStates: applied.section,
  };
  const view = buildReportView(stated);
  assert.ok(!view.findings.some((f) => f.id === first.id), 'the dismissed finding is not ranked');
  assert.equal(view.findings.find((f) => f.id === second.id)?.state, 'accepted');
  const findings = sectionOf(view, 'findings');
  const dismissed = findings.tables.find((t) => t.id === 'findings-dismissed');
  assert.equal(dismissed?.rows[0]?.reason?.text, 'the DR standby is idle on purpose');
  assert.equal(findings.facts.find((f) => f.id === 'dismissed-count')?.value, 1);
  const main = findings.tables.find((t) => t.id === 'findings')!;
  assert.match(main.rows.find((r) => r.title?.text === second.title)?.state?.text ?? '', /^Accepted by key:alice on 10 Mar 2026$/);
});

test('a review lists the dismissed and done apart, and a dismissal is not a resolution', () => {
  const report = fullReport();
  const items = report.findings!.items;
  const [first, second] = items as [Finding, Finding];
  const lastWeek = snapshotOf(report, '2026-03-03');
  const applied = applyStates(items, [record(first, 'dismissed', { reason: 'on purpose' }), record(second, 'done')], report.tenant, TODAY);
  const stated = { ...report, findings: { ...report.findings!, items: applied.counted }, findingStates: applied.section };
  const now = snapshotOf(stated, TODAY, lastWeek);
  const comparison = compareSnapshots(now, lastWeek);
  assert.ok(!comparison.findings!.resolved.some((f) => f.id === first.id), 'dismissed, not resolved');
  assert.deepEqual(comparison.findings!.dismissed?.map((f) => [f.id, f.reason]), [[first.id, 'on purpose']]);
  assert.deepEqual(comparison.findings!.done?.map((f) => [f.id, f.stillPresent]), [[second.id, true]]);
  const headline = headlineOf({ schemaVersion: 1, tenant: 'acme', scope: 'all', date: TODAY, analysisId: report.analysisId, reviewId: 'r', snapshot: now, comparison }, 'k');
  assert.deepEqual([headline.dismissedFindings, headline.doneFindings], [1, 1]);
  const slack = JSON.stringify(slackMessage(headline, 'http://dashboard'));
  assert.match(slack, /1 dismissed, 1 done/);
  assert.match(slack, /Dismissed: .*on purpose/);
  assert.match(slack, /Done: .*marked done, still present/);
});

test("the realised-savings requests count in the analysis's own cost", () => {
  const ctx = { analysisId: 'analysis/acme/20260310-0900-abcdef', tenant: 'acme', accounts: [ACCOUNT], regions: ['us-east-1'], period: { start: '2026-02-01', end: '2026-03-01' }, previousPeriod: { start: '2026-01-04', end: '2026-02-01' }, generatedAt: `${TODAY}T09:00:00.000Z` };
  const section = { ...applyStates([], [], 'acme', TODAY).section, costExplorerRequests: 2 };
  const without = assembleReport(ctx, []);
  const withStates = assembleReport(ctx, [], { findingStates: section });
  assert.equal(withStates.usage.costExplorerRequests, without.usage.costExplorerRequests + 2);
  assert.equal(new Big(withStates.usage.costExplorerCost).minus(without.usage.costExplorerCost).toString(), '0.02');
});
