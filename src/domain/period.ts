/**
 * Billing periods as Cost Explorer takes them: ISO dates, start inclusive, end exclusive (UTC days).
 * Pure date arithmetic on 'YYYY-MM-DD' strings, safe inside workflow code.
 */
export interface Period {
  start: string;
  end: string;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

export function toEpochDay(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function fromEpochDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromEpochDay(toEpochDay(date) + days);
}

export function periodDays(period: Period): number {
  return toEpochDay(period.end) - toEpochDay(period.start);
}

/** The period of equal length that ends where this one starts: the baseline for the trend. */
export function previousPeriod(period: Period): Period {
  return { start: addDays(period.start, -periodDays(period)), end: period.start };
}

/** Every day of the period, in order. */
export function daysOf(period: Period): string[] {
  const out: string[] = [];
  for (let d = toEpochDay(period.start); d < toEpochDay(period.end); d++) out.push(fromEpochDay(d));
  return out;
}
