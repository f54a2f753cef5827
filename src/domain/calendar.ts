/**
 * The calendar an analysis works in: months, the default period, the forecast horizon, and the date
 * rules Cost Explorer enforces. Every function takes the day it counts from ("today", or the analysis's
 * as-of day) as an argument and never reads a clock, so the same code serves the worker, the gateway,
 * the simulator and workflow code, and tests pin any day they like.
 *
 * Dates are 'YYYY-MM-DD' UTC days; periods are Cost Explorer's: start inclusive, end exclusive.
 */
import { addDays, toEpochDay, type Period } from './period';

/** Resource-level Cost Explorer data (GetCostAndUsageWithResources) covers the last 14 days only. */
export const RESOURCE_DATA_DAYS = 14;

/** Cost Explorer keeps 13 months of history plus the current month (without multi-year data). */
export const COST_EXPLORER_HISTORY_MONTHS = 13;

/** The UTC day of an instant. */
export function dayOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Noon UTC of a day: an instant safely inside it, whatever the reader's time zone arithmetic. */
export function noonOf(day: string): Date {
  return new Date(`${day}T12:00:00Z`);
}

/** 'YYYY-MM-01' of the month containing `date`. */
export function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** First day of the month `months` months after the month containing `date` (negative: before). */
export function addMonths(date: string, months: number): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7)) - 1 + months;
  return new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10);
}

/** First day of the month after the one containing `date`: 31 December gives 1 January. */
export function nextMonthStart(date: string): string {
  return addMonths(date, 1);
}

export function daysInMonth(date: string): number {
  return toEpochDay(nextMonthStart(date)) - toEpochDay(monthStart(date));
}

/** The last day of the month containing `date`. */
export function monthEnd(date: string): string {
  return addDays(nextMonthStart(date), -1);
}

/** The `days` complete days before `asOf` (the default analysis period: today is still being billed). */
export function periodEndingOn(asOf: string, days: number): Period {
  return { start: addDays(asOf, -days), end: asOf };
}

/** Month to date: from the first of `asOf`'s month up to (not including) `asOf`. Empty on the 1st. */
export function monthToDate(asOf: string): Period {
  return { start: monthStart(asOf), end: asOf };
}

/**
 * The same days of the previous month, for a month-to-date comparison: 1–15 March against 1–15
 * February. When the previous month is shorter (31 March against February), it stops at that month's end.
 */
export function sameDaysLastMonth(asOf: string): Period {
  const start = addMonths(asOf, -1);
  const elapsed = toEpochDay(asOf) - toEpochDay(monthStart(asOf));
  const end = addDays(start, Math.min(elapsed, daysInMonth(start)));
  return { start, end };
}

/** The forecast horizon: `days` days starting on `asOf` (today is forecast, not yet billed in full). */
export function forecastWindow(asOf: string, days: number): Period {
  return { start: asOf, end: addDays(asOf, days) };
}

/** What is left of `asOf`'s month, and how long the next month is: the budget advice's two spans. */
export function budgetMonths(asOf: string): { month: string; remainingDays: number; nextMonthDays: number } {
  const next = nextMonthStart(asOf);
  return {
    month: asOf.slice(0, 7),
    remainingDays: toEpochDay(next) - toEpochDay(asOf),
    nextMonthDays: daysInMonth(next),
  };
}

/**
 * The latest `End` Cost Explorer accepts for cost and usage on `today`: the first day of next month
 * ("end date past the beginning of next month" otherwise).
 */
export function costExplorerLatestEnd(today: string): string {
  return nextMonthStart(today);
}

/** The earliest `Start` Cost Explorer accepts on `today`: the first of the month 13 months back. */
export function costExplorerEarliestStart(today: string): string {
  return addMonths(today, -COST_EXPLORER_HISTORY_MONTHS);
}

/** The earliest `Start` of resource-level data on `today`: 14 days including today. */
export function resourceDataEarliestStart(today: string): string {
  return addDays(today, -(RESOURCE_DATA_DAYS - 1));
}

/** Why Cost Explorer would refuse `period` on `today` for cost and usage, or undefined when it would not. */
export function costExplorerPeriodProblem(
  period: Period,
  today: string,
  options: { resourceLevel?: boolean } = {},
): string | undefined {
  if (period.start >= period.end) return `start ${period.start} must be before end ${period.end}`;
  if (period.start > today) return `start date ${period.start} is after the current date ${today}`;
  if (period.end > costExplorerLatestEnd(today)) return `end date ${period.end} is past the beginning of next month`;
  if (period.start < costExplorerEarliestStart(today)) {
    return `start date ${period.start} is older than Cost Explorer keeps (from ${costExplorerEarliestStart(today)})`;
  }
  if (options.resourceLevel && period.start < resourceDataEarliestStart(today)) {
    return `resource-level data covers the last ${RESOURCE_DATA_DAYS} days (from ${resourceDataEarliestStart(today)})`;
  }
  return undefined;
}

/**
 * The last day whose cost no longer changes: Cost Explorer keeps estimating a day for about 24 hours
 * after it ends, so on `asOf` the day before yesterday is the last final one.
 */
export function lastFinalDay(asOf: string): string {
  return addDays(asOf, -2);
}

/** The backtest's two spans over a daily history: fit on `training`, compare on the held-out last `horizon` days. */
export function backtestWindows(history: Period, horizon: number): { training: Period; holdout: Period } {
  const split = addDays(history.end, -horizon);
  return { training: { start: history.start, end: split }, holdout: { start: split, end: history.end } };
}
