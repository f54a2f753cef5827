/**
 * The calendar at its edges, as plain functions with an injected "today": month ends, the year's end,
 * February in common and leap years, 30-day months; the default and previous periods, the forecast
 * horizon, Cost Explorer's date rules and the backtest windows. Properties hold for any day.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  addMonths,
  backtestWindows,
  budgetMonths,
  costExplorerEarliestStart,
  costExplorerLatestEnd,
  costExplorerPeriodProblem,
  daysInMonth,
  forecastWindow,
  lastFinalDay,
  monthEnd,
  monthStart,
  monthToDate,
  nextMonthStart,
  periodEndingOn,
  resourceDataEarliestStart,
  sameDaysLastMonth,
} from '../../src/domain/calendar';
import { addDays, fromEpochDay, isIsoDate, periodDays, previousPeriod, toEpochDay } from '../../src/domain/period';
import { validateAnalysisRequest, workflowClockFor } from '../../src/domain/request';

/** Any day from 2000 to 2099. */
const anyDay = fc.integer({ min: toEpochDay('2000-01-01'), max: toEpochDay('2099-12-31') }).map(fromEpochDay);

test('months: first and last days, the year end, February in common and leap years, 30-day months', () => {
  assert.equal(monthStart('2026-12-31'), '2026-12-01');
  assert.equal(nextMonthStart('2026-12-31'), '2027-01-01');
  assert.equal(nextMonthStart('2027-01-01'), '2027-02-01');
  assert.equal(addMonths('2027-01-01', -1), '2026-12-01');
  assert.equal(addMonths('2026-03-31', -1), '2026-02-01');
  assert.equal(daysInMonth('2026-02-10'), 28);
  assert.equal(daysInMonth('2028-02-10'), 29);
  assert.equal(daysInMonth('2100-02-01'), 28, 'a century is not a leap year');
  assert.equal(daysInMonth('2000-02-01'), 29, 'unless it divides by 400');
  assert.equal(daysInMonth('2026-04-30'), 30);
  assert.equal(daysInMonth('2026-12-01'), 31);
  assert.equal(monthEnd('2028-02-01'), '2028-02-29');
  assert.equal(monthEnd('2026-02-28'), '2026-02-28');
  assert.equal(monthEnd('2026-11-15'), '2026-11-30');
});

test('the default period: the 30 full days before the as-of day, across a year end and a leap day', () => {
  assert.deepEqual(periodEndingOn('2027-01-01', 30), { start: '2026-12-02', end: '2027-01-01' });
  assert.deepEqual(periodEndingOn('2028-03-01', 30), { start: '2028-01-31', end: '2028-03-01' });
  assert.deepEqual(periodEndingOn('2026-03-01', 1), { start: '2026-02-28', end: '2026-03-01' });
  // The previous period is as long and ends where the period starts.
  assert.deepEqual(previousPeriod({ start: '2026-12-01', end: '2027-01-01' }), { start: '2026-10-31', end: '2026-12-01' });
  assert.deepEqual(previousPeriod({ start: '2028-02-01', end: '2028-03-01' }), { start: '2028-01-03', end: '2028-02-01' });
});

test('month to date and the same days of last month', () => {
  assert.deepEqual(monthToDate('2026-11-21'), { start: '2026-11-01', end: '2026-11-21' });
  assert.equal(periodDays(monthToDate('2026-11-01')), 0, 'empty on the first of the month');
  assert.deepEqual(sameDaysLastMonth('2026-03-16'), { start: '2026-02-01', end: '2026-02-16' });
  assert.deepEqual(sameDaysLastMonth('2027-01-10'), { start: '2026-12-01', end: '2026-12-10' });
  // 31 March compares 30 days of March against all 28 days of February.
  assert.deepEqual(sameDaysLastMonth('2026-03-31'), { start: '2026-02-01', end: '2026-03-01' });
  assert.deepEqual(sameDaysLastMonth('2028-03-31'), { start: '2028-02-01', end: '2028-03-01' });
});

test('the forecast horizon and the budget months', () => {
  assert.deepEqual(forecastWindow('2026-12-31', 30), { start: '2026-12-31', end: '2027-01-30' });
  assert.deepEqual(forecastWindow('2028-02-28', 2), { start: '2028-02-28', end: '2028-03-01' });
  assert.deepEqual(budgetMonths('2026-12-31'), { month: '2026-12', remainingDays: 1, nextMonthDays: 31 });
  assert.deepEqual(budgetMonths('2028-01-31'), { month: '2028-01', remainingDays: 1, nextMonthDays: 29 });
  assert.deepEqual(budgetMonths('2026-01-31'), { month: '2026-01', remainingDays: 1, nextMonthDays: 28 });
  assert.deepEqual(budgetMonths('2026-04-01'), { month: '2026-04', remainingDays: 30, nextMonthDays: 31 });
  assert.deepEqual(budgetMonths('2026-11-30'), { month: '2026-11', remainingDays: 1, nextMonthDays: 31 });
});

test("Cost Explorer's date rules: exclusive end, not past next month's start, resource data for 14 days", () => {
  assert.equal(costExplorerLatestEnd('2026-12-31'), '2027-01-01');
  assert.equal(costExplorerLatestEnd('2026-12-01'), '2027-01-01');
  assert.equal(costExplorerEarliestStart('2026-11-21'), '2025-10-01');
  assert.equal(resourceDataEarliestStart('2026-03-01'), '2026-02-16');
  assert.equal(resourceDataEarliestStart('2028-03-01'), '2028-02-17');
  const today = '2026-12-31';
  assert.equal(costExplorerPeriodProblem({ start: '2026-12-01', end: '2027-01-01' }, today), undefined);
  assert.match(
    costExplorerPeriodProblem({ start: '2026-12-01', end: '2027-01-02' }, today) ?? '',
    /past the beginning of next month/,
  );
  assert.match(costExplorerPeriodProblem({ start: '2027-01-01', end: '2027-01-02' }, today) ?? '', /after the current date/);
  assert.match(costExplorerPeriodProblem({ start: '2026-12-05', end: '2026-12-05' }, today) ?? '', /must be before/);
  assert.equal(costExplorerPeriodProblem({ start: '2025-11-01', end: '2025-12-02' }, today), undefined);
  assert.match(
    costExplorerPeriodProblem({ start: '2025-10-31', end: '2025-12-02' }, today) ?? '',
    /older than Cost Explorer keeps/,
  );
  assert.equal(costExplorerPeriodProblem({ start: '2026-12-18', end: '2026-12-19' }, today, { resourceLevel: true }), undefined);
  assert.match(
    costExplorerPeriodProblem({ start: '2026-12-17', end: '2026-12-18' }, today, { resourceLevel: true }) ?? '',
    /last 14 days/,
  );
  // The last final day, two days back, is inside the resource window on any day.
  assert.equal(lastFinalDay('2027-01-01'), '2026-12-30');
  assert.equal(lastFinalDay('2028-03-01'), '2028-02-28');
});

test('backtest windows: the held-out days are the last of the history, the training days all before', () => {
  assert.deepEqual(backtestWindows({ start: '2026-06-01', end: '2027-01-01' }, 30), {
    training: { start: '2026-06-01', end: '2026-12-02' },
    holdout: { start: '2026-12-02', end: '2027-01-01' },
  });
  assert.deepEqual(backtestWindows({ start: '2027-12-01', end: '2028-03-01' }, 29).holdout, {
    start: '2028-02-01',
    end: '2028-03-01',
  });
});

test('properties on any day: the months tile the calendar and the default requests are what Cost Explorer takes', () => {
  fc.assert(
    fc.property(anyDay, (day) => {
      const start = monthStart(day);
      const next = nextMonthStart(day);
      assert.ok(start <= day && day < next);
      assert.equal(toEpochDay(next) - toEpochDay(start), daysInMonth(day));
      assert.equal(addDays(monthEnd(day), 1), next);
      assert.ok([28, 29, 30, 31].includes(daysInMonth(day)));
      assert.ok(isIsoDate(next) && next.endsWith('-01'));
      // What the analysis asks for on `day` is within Cost Explorer's rules on that same day.
      assert.equal(costExplorerPeriodProblem(periodEndingOn(day, 30), day), undefined);
      assert.equal(costExplorerPeriodProblem(previousPeriod(periodEndingOn(day, 30)), day), undefined);
      assert.equal(costExplorerPeriodProblem(periodEndingOn(day, 182), day), undefined, 'the forecast history');
      assert.equal(
        costExplorerPeriodProblem({ start: lastFinalDay(day), end: addDays(lastFinalDay(day), 1) }, day, { resourceLevel: true }),
        undefined,
      );
      const mtd = monthToDate(day);
      const last = sameDaysLastMonth(day);
      assert.ok(periodDays(last) <= periodDays(mtd) || periodDays(last) === daysInMonth(last.start));
      assert.equal(last.start, addMonths(day, -1));
      const { holdout, training } = backtestWindows(periodEndingOn(day, 182), 30);
      assert.equal(training.end, holdout.start);
      assert.equal(periodDays(holdout), 30);
    }),
    { numRuns: 2000 },
  );
});

test('an as-of day: the default period ends on it, and it may not lie in the future', () => {
  const now = new Date('2026-12-31T23:30:00Z');
  const base = { tenant: 'acme', accounts: ['123456789012'] };
  const plain = validateAnalysisRequest(base, now);
  assert.ok(plain.ok);
  assert.equal(plain.request.asOf, '2026-12-31');
  assert.deepEqual(plain.request.period, { start: '2026-12-01', end: '2026-12-31' });

  const past = validateAnalysisRequest({ ...base, asOf: '2028-03-01' }, new Date('2028-06-01T00:00:00Z'));
  assert.ok(past.ok);
  assert.deepEqual(past.request.period, { start: '2028-01-31', end: '2028-03-01' });

  const future = validateAnalysisRequest({ ...base, asOf: '2027-01-02' }, now);
  assert.ok(!future.ok);
  assert.match(future.errors.join(), /asOf: 2027-01-02 is in the future \(today is 2026-12-31\)/);
  const tomorrow = validateAnalysisRequest({ ...base, asOf: '2027-01-01' }, now);
  assert.ok(tomorrow.ok, "tomorrow is allowed: another time zone's today");

  const beyond = validateAnalysisRequest(
    { ...base, asOf: '2026-11-15', period: { start: '2026-11-01', end: '2026-12-01' } },
    now,
  );
  assert.ok(!beyond.ok);
  assert.match(beyond.errors.join(), /after the as-of day 2026-11-15/);
  assert.ok(!validateAnalysisRequest({ ...base, asOf: '2026-02-29' }, now).ok, 'not a date');
});

test('a workflow takes a request as of its own day, and one without as of workflow time', () => {
  const workflowNow = new Date('2026-12-06T08:00:00Z');
  assert.equal(workflowClockFor({ asOf: '2027-01-15' }, workflowNow).toISOString(), '2027-01-15T12:00:00.000Z');
  assert.equal(workflowClockFor({}, workflowNow), workflowNow);
  assert.equal(workflowClockFor({ asOf: 'soon' }, workflowNow), workflowNow);
  assert.equal(workflowClockFor(null, workflowNow), workflowNow);
  // Validated in the workflow, a request carrying a later as-of day keeps it.
  const request = { tenant: 'acme', accounts: ['123456789012'], asOf: '2027-01-15' };
  const validated = validateAnalysisRequest(request, workflowClockFor(request, workflowNow));
  assert.ok(validated.ok);
  assert.deepEqual(validated.request.period, { start: '2026-12-16', end: '2027-01-15' });
});
