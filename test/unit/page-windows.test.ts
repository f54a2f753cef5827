import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { planRestOfRead } from '../../src/domain/page-windows';
import { addDays, periodDays } from '../../src/domain/period';

const span = { start: '2026-01-01', end: '2026-03-02' }; // 60 days

test('a read whose rest fits in a page or so goes on with its token', () => {
  // The sample account: the first page holds 45 of 60 days.
  assert.deepEqual(planRestOfRead(span, '2026-02-14', 45, 4), { kind: 'continue' });
  // About two pages left, but a window of whole days would only repeat the token's work.
  assert.deepEqual(planRestOfRead(span, '2026-01-31', 30, 4), { kind: 'continue' });
});

test('a long read is split into at most maxWindows windows of whole days from the first page last day', () => {
  // A large organisation: a page holds under two days.
  const plan = planRestOfRead(span, '2026-01-02', 2, 4);
  assert.equal(plan.kind, 'windows');
  if (plan.kind !== 'windows') return;
  assert.equal(plan.windows.length, 4);
  assert.equal(plan.windows[0]!.start, '2026-01-02');
  assert.equal(plan.windows.at(-1)!.end, span.end);
  assert.deepEqual(plan.windows.map(periodDays), [15, 15, 15, 14]);
});

test('a last day outside the span, or a one-day rest, is not split', () => {
  assert.deepEqual(planRestOfRead(span, '2025-12-31', 1, 4), { kind: 'continue' });
  assert.deepEqual(planRestOfRead(span, span.end, 1, 4), { kind: 'continue' });
  assert.deepEqual(planRestOfRead(span, '2026-03-01', 1, 4), { kind: 'continue' });
});

test('property: windows are contiguous, whole days, cover the rest exactly, and are at most maxWindows', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 400 }),
      fc.integer({ min: 0, max: 399 }),
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 8 }),
      (length, offset, daysOnPage, maxWindows) => {
        const s = { start: '2025-06-01', end: addDays('2025-06-01', length) };
        const lastDay = addDays(s.start, Math.min(offset, length - 1));
        const plan = planRestOfRead(s, lastDay, daysOnPage, maxWindows);
        if (plan.kind === 'continue') return;
        assert.ok(plan.windows.length >= 2 && plan.windows.length <= maxWindows);
        assert.equal(plan.windows[0]!.start, lastDay);
        assert.equal(plan.windows.at(-1)!.end, s.end);
        for (let i = 0; i < plan.windows.length; i++) {
          assert.ok(periodDays(plan.windows[i]!) >= 1);
          if (i > 0) assert.equal(plan.windows[i]!.start, plan.windows[i - 1]!.end);
        }
        // Split only when the rest is at least two pages' worth.
        assert.ok(periodDays({ start: lastDay, end: s.end }) / daysOnPage >= 2);
      },
    ),
  );
});
