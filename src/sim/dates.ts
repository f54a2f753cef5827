/** UTC calendar-day arithmetic on 'YYYY-MM-DD' strings, for the sample account. */

// The basic arithmetic is the domain's own; the simulator adds weekdays and months.
import { addDays, fromEpochDay, isIsoDate, toEpochDay } from '../domain/period';

export { addDays, fromEpochDay, isIsoDate, toEpochDay };

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOfEpochDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isWeekend(day: number): boolean {
  const weekday = weekdayOfEpochDay(day);
  return weekday === 0 || weekday === 6;
}

export function daysInMonth(date: string): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
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

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
