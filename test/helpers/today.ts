/**
 * The test run's "today": the real date, or the day FINOPS_TODAY gives (a date, or +N/-N days), read
 * once when the run starts. Every side of a test reads it: the sample account is anchored on it,
 * in-process activities use it as their clock, requests carry it as their as-of day, and child
 * processes (worker, gateway) get it as FINOPS_TODAY, so a run that crosses midnight keeps one "now".
 *
 *   FINOPS_TODAY=+40 npx tsx scripts/run-tests.ts e2e     # as if today were 40 days later
 */
import { clockFromEnv, todayBy } from '../../src/clock';
import { addMonths, monthStart, noonOf } from '../../src/domain/calendar';
import type { Period } from '../../src/domain/period';

export const TEST_TODAY = todayBy(clockFromEnv());

/** Noon on TEST_TODAY: the clock of in-process activities and gateways. */
export const testNow = (): Date => noonOf(TEST_TODAY);

/** The last `months` complete calendar months before TEST_TODAY (e.g. October, for any day in November). */
export function lastFullMonths(months: number): Period {
  return { start: addMonths(TEST_TODAY, -months), end: monthStart(TEST_TODAY) };
}
