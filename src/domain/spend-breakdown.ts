/**
 * The spend section's views beyond the service totals — spend by account, Region and usage type, daily
 * spend of the largest services, and month to date against the same days of last month — cut from the
 * analysis's Cost Explorer reads (no request of their own). Pure functions.
 */
import { monthToDate as monthToDatePeriod, sameDaysLastMonth } from './calendar';
import { projectDailyCosts, type CostDimension, type DailyCosts } from './daily-costs';
import { addAmounts, compareAmounts, percentChange, subtractAmounts, ZERO } from './money';
import { daysOf, type Period } from './period';
import type { DailyByGroup, MonthToDate, SpendDimension, SpendGroupLine, SpendGrouping, SpendSummary } from './report';

/** Lines a grouping keeps before the rest is folded into "Other" (the report stays small). */
export const GROUPING_LINES = 25;
/** Services the stacked daily chart shows before the rest is "Other". */
export const DAILY_SERVICES = 6;
export const OTHER = 'Other';

export type SpendBreakdown = Pick<SpendSummary, 'groupings' | 'dailyByService' | 'monthToDate'>;

export interface BreakdownSources {
  /** Daily cost by service and usage type over (at least) the previous period and the period. */
  serviceUsage: DailyCosts;
  /** Daily cost by account and Region, when read (it also covers the forecast's history). */
  accountRegion?: DailyCosts;
  accounts: readonly string[];
  period: Period;
  previousPeriod: Period;
  /** The analysis day: month to date runs from its month's 1st up to the day before it. */
  asOf: string;
}

/** Sum each group over the days of `period`. */
function totalsOver(costs: DailyCosts, period: Period): Map<string, string> {
  const out = new Map<string, string>();
  for (const day of daysOf(period))
    for (const [key, amount] of Object.entries(costs.byDay[day] ?? {})) out.set(key, addAmounts(out.get(key) ?? ZERO, amount));
  return out;
}

/**
 * Lines of one dimension, highest spend first, the tail beyond `GROUPING_LINES` folded into "Other".
 * Without `previous` (only the period was read) the lines carry no previous amount or change.
 */
export function groupingLines(current: Map<string, string>, previous?: Map<string, string>, max = GROUPING_LINES): SpendGroupLine[] {
  if (!previous) {
    return groupingLines(current, new Map(), max).map(({ key, amount }) => ({ key, amount }));
  }
  const line = (key: string, amount: string, previousAmount: string): SpendGroupLine => ({
    key,
    amount,
    previousAmount,
    change: subtractAmounts(amount, previousAmount),
    changePct: percentChange(amount, previousAmount),
  });
  const lines = [...new Set([...current.keys(), ...previous.keys()])]
    .map((key) => line(key, current.get(key) ?? ZERO, previous.get(key) ?? ZERO))
    .sort((a, b) => compareAmounts(b.amount, a.amount) || compareAmounts(b.previousAmount ?? ZERO, a.previousAmount ?? ZERO) || a.key.localeCompare(b.key));
  if (lines.length <= max) return lines;
  const rest = lines.slice(max - 1);
  return [
    ...lines.slice(0, max - 1),
    line(OTHER, addAmounts(ZERO, ...rest.map((l) => l.amount)), addAmounts(ZERO, ...rest.map((l) => l.previousAmount ?? ZERO))),
  ];
}

function grouping(
  dimension: SpendDimension,
  costs: DailyCosts,
  by: CostDimension,
  sources: Pick<BreakdownSources, 'accounts' | 'period' | 'previousPeriod'>,
): SpendGrouping {
  const cut = projectDailyCosts(costs, [by], sources.accounts);
  return { dimension, lines: groupingLines(totalsOver(cut, sources.period), totalsOver(cut, sources.previousPeriod)) };
}

/** Daily spend of the period's largest services, the others as "Other". */
export function dailyByService(serviceUsage: DailyCosts, accounts: readonly string[], period: Period, top = DAILY_SERVICES): DailyByGroup {
  const byService = projectDailyCosts(serviceUsage, ['SERVICE'], accounts);
  const ranked = [...totalsOver(byService, period)].sort(([a, x], [b, y]) => compareAmounts(y, x) || a.localeCompare(b)).map(([k]) => k);
  const shown = ranked.length > top ? ranked.slice(0, top - 1) : ranked;
  const keys = ranked.length > top ? [...shown, OTHER] : shown;
  const days = daysOf(period).map((date) => {
    const groups = byService.byDay[date] ?? {};
    const amounts = shown.map((k) => groups[k] ?? ZERO);
    if (ranked.length > top) {
      const rest = Object.entries(groups).filter(([k]) => !shown.includes(k)).map(([, a]) => a);
      amounts.push(addAmounts(ZERO, ...rest));
    }
    return { date, amounts };
  });
  return { keys, days };
}

/** This month so far against the same days of last month, when `costs` holds every one of those days. */
export function monthToDateOf(costs: DailyCosts, asOf: string): MonthToDate | undefined {
  const current = monthToDatePeriod(asOf);
  const previous = sameDaysLastMonth(asOf);
  const days = daysOf(current);
  if (days.length === 0) return undefined; // the 1st: nothing billed yet this month
  const held = [...days, ...daysOf(previous)].every((d) => costs.byDay[d] !== undefined);
  if (!held) return undefined;
  const sum = (period: Period) => addAmounts(ZERO, ...daysOf(period).flatMap((d) => Object.values(costs.byDay[d] ?? {})));
  const amount = sum(current);
  const previousAmount = sum(previous);
  return {
    month: asOf.slice(0, 7),
    through: days[days.length - 1] as string,
    days: days.length,
    amount,
    previousMonth: previous.start.slice(0, 7),
    previousAmount,
    change: subtractAmounts(amount, previousAmount),
    changePct: percentChange(amount, previousAmount),
  };
}

export function spendBreakdown(sources: BreakdownSources): SpendBreakdown {
  const { serviceUsage, accountRegion } = sources;
  const groupings: SpendGrouping[] = [
    ...(accountRegion ? [grouping('account', accountRegion, 'LINKED_ACCOUNT', sources), grouping('region', accountRegion, 'REGION', sources)] : []),
    grouping('usage-type', serviceUsage, 'USAGE_TYPE', sources),
  ];
  // Month to date needs last month's days too: the account-and-Region read reaches back far enough.
  const monthToDate = monthToDateOf(accountRegion ?? serviceUsage, sources.asOf);
  return {
    groupings,
    dailyByService: dailyByService(serviceUsage, sources.accounts, sources.period),
    ...(monthToDate ? { monthToDate } : {}),
  };
}
