/** UTC calendar-day arithmetic on 'YYYY-MM-DD' strings, for the sample account. */

// The arithmetic and the calendar are the domain's own; the simulator adds weekdays.
import { addMonths, daysInMonth, monthStart } from '../domain/calendar';
import { addDays, fromEpochDay, isIsoDate, toEpochDay } from '../domain/period';

export { addDays, addMonths, daysInMonth, fromEpochDay, isIsoDate, monthStart, toEpochDay };

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOfEpochDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isWeekend(day: number): boolean {
  const weekday = weekdayOfEpochDay(day);
  return weekday === 0 || weekday === 6;
}

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
