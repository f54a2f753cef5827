/** The phase timeline's folding of activity attempts (pure): unions, not sums, so figures stay within the wall. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildTimeline, lengthOf, subtract, unionOf, type ActivityTiming } from '../../src/domain/timeline';
import { timingScope } from '../../src/worker/timings';
import { duration } from '../../src/presentation/format';

const attempt = (over: Partial<ActivityTiming>): ActivityTiming => ({
  analysisId: 'a',
  activityType: 'x',
  activityId: '1',
  attempt: 1,
  scheduledMs: 0,
  startedMs: 0,
  endedMs: 0,
  aws: [],
  ...over,
});

test('overlapping activities count once: running is the union, queued only while nothing ran', () => {
  const timeline = buildTimeline(
    [{ scope: 'ec2', startMs: 0, endMs: 100 }, { scope: 'analysis', startMs: 0, endMs: 120 }],
    [
      attempt({ agent: 'ec2', activityId: '1', scheduledMs: 0, startedMs: 10, endedMs: 60, aws: [[15, 50]] }),
      attempt({ agent: 'ec2', activityId: '2', scheduledMs: 0, startedMs: 40, endedMs: 90, aws: [[45, 70]] }),
      attempt({ agent: 'ec2', activityId: '2', attempt: 2, scheduledMs: 90, startedMs: 95, endedMs: 99, aws: [] }),
    ],
  );
  const ec2 = timeline.scopes.find((s) => s.scope === 'ec2')!;
  assert.deepEqual(ec2, { scope: 'ec2', wallMs: 100, queuedMs: 15, runningMs: 84, awsWaitMs: 55, activities: 3, retries: 1 });
  assert.equal(timeline.wallMs, 120);
  assert.equal(timeline.top[0]!.runningMs, 50);
  assert.equal(timeline.scopes.at(-1)!.scope, 'analysis');
});

test('an agent window without recorded activities is still listed, with zeros; strays fall to the analysis', () => {
  const timeline = buildTimeline(
    [{ scope: 's3', startMs: 0, endMs: 50 }, { scope: 'analysis', startMs: 0, endMs: 60 }],
    [attempt({ agent: 'rds', scheduledMs: 1, startedMs: 2, endedMs: 3 })],
  );
  assert.deepEqual(timeline.scopes.map((s) => [s.scope, s.activities, s.runningMs]), [['s3', 0, 0], ['analysis', 1, 1]]);
});

test('attempts reaching outside their window (clock skew) are clamped to it', () => {
  const timeline = buildTimeline([{ scope: 'ec2', startMs: 100, endMs: 200 }], [attempt({ agent: 'ec2', scheduledMs: 50, startedMs: 150, endedMs: 260, aws: [[140, 300]] })]);
  const ec2 = timeline.scopes[0]!;
  assert.deepEqual([ec2.queuedMs, ec2.runningMs, ec2.awsWaitMs], [50, 50, 50]);
});

test('property: for any attempts, queued + running ≤ wall and AWS wait ≤ running, per scope', () => {
  const span = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
  const arbAttempt = fc
    .record({
      agent: fc.constantFrom('ec2' as const, 'rds' as const, undefined),
      times: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 3, maxLength: 3 }),
      aws: fc.array(span, { maxLength: 5 }),
    })
    .map(({ agent, times, aws }) => {
      const [s, st, e] = [...times].sort((x, y) => x - y) as [number, number, number];
      return attempt({ ...(agent ? { agent } : {}), scheduledMs: s, startedMs: st, endedMs: e, aws });
    });
  fc.assert(
    fc.property(fc.array(arbAttempt, { maxLength: 30 }), span, span, (attempts, ec2, rds) => {
      const t = buildTimeline([{ scope: 'ec2', startMs: ec2[0], endMs: ec2[1] }, { scope: 'rds', startMs: rds[0], endMs: rds[1] }, { scope: 'analysis', startMs: 0, endMs: 1000 }], attempts);
      for (const s of t.scopes) {
        assert.ok(s.queuedMs + s.runningMs <= s.wallMs, JSON.stringify(s));
        assert.ok(s.awsWaitMs <= s.runningMs, JSON.stringify(s));
      }
      assert.equal(t.scopes.reduce((n, s) => n + s.activities, 0), attempts.length);
    }),
  );
});

test('interval arithmetic: union and difference', () => {
  assert.deepEqual(unionOf([[5, 7], [1, 3], [2, 4], [9, 9]]), [[1, 4], [5, 7]]);
  assert.equal(lengthOf([[0, 10], [5, 15]]), 15);
  assert.deepEqual(subtract([[0, 10]], [[2, 3], [5, 20]]), [[0, 2], [3, 5]]);
});

test('activities are attributed from their workflow: the parent, an agent child, or nothing', () => {
  assert.deepEqual(timingScope('analysis', 'analysis/t/20260101-1200-ab'), { analysisId: 'analysis/t/20260101-1200-ab' });
  assert.deepEqual(timingScope('ec2Agent', 'analysis/t/20260101-1200-ab/ec2'), { analysisId: 'analysis/t/20260101-1200-ab', agent: 'ec2' });
  assert.equal(timingScope('weeklyReview', 'review/t/2026-W01'), undefined);
  assert.equal(timingScope('other', 'ec2'), undefined, 'decoy: an agent name alone is no analysis');
});

test('durations read as a person would say them', () => {
  assert.equal(duration(850), '850 ms');
  assert.equal(duration(12_400), '12.4 s');
  assert.equal(duration(185_000), '3 min 05 s');
});
