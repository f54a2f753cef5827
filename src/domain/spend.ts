/**
 * Spend slices: what one agent learned about its part of the bill from Cost Explorer.
 * Built from GetCostAndUsage pages (DAILY, grouped by SERVICE) covering the previous and the current period.
 */
import { addAmounts, ZERO } from './money';
import type { Period } from './period';

export interface DailyAmount {
  date: string;
  amount: string;
}

export interface SpendSlice {
  /** Cost Explorer SERVICE values the slice was filtered to; null for the whole bill. */
  services: readonly string[] | null;
  unit: string;
  period: Period;
  previousPeriod: Period;
  total: string;
  previousTotal: string;
  /** SERVICE -> amount over the current period. */
  byService: Record<string, string>;
  /** SERVICE -> amount over the previous period. */
  previousByService: Record<string, string>;
  /** One entry per day of the current period (zero-filled). */
  daily: DailyAmount[];
  /** True when any day of the current period is still estimated by AWS. */
  estimated: boolean;
}

/** The subset of a GetCostAndUsage ResultsByTime entry this code reads (matches the SDK's shape). */
export interface CostResultByTime {
  TimePeriod?: { Start?: string; End?: string };
  Total?: Record<string, { Amount?: string; Unit?: string }>;
  Groups?: { Keys?: string[]; Metrics?: Record<string, { Amount?: string; Unit?: string }> }[];
  Estimated?: boolean;
}

export const COST_METRIC = 'UnblendedCost';

/**
 * Fold daily results (possibly from several pages; a day may appear on more than one page when AWS
 * splits its groups) into a slice. Pure: the activity does the paging.
 */
export function buildSpendSlice(
  results: readonly CostResultByTime[],
  services: readonly string[] | null,
  period: Period,
  previousPeriod: Period,
  days: readonly string[],
): SpendSlice {
  const currentByDay = new Map<string, string>(days.map((d) => [d, ZERO]));
  const byService: Record<string, string> = {};
  const previousByService: Record<string, string> = {};
  let total = ZERO;
  let previousTotal = ZERO;
  let unit = 'USD';
  let estimated = false;

  for (const result of results) {
    const day = result.TimePeriod?.Start;
    if (!day) continue;
    const inCurrent = day >= period.start && day < period.end;
    const inPrevious = day >= previousPeriod.start && day < previousPeriod.end;
    if (!inCurrent && !inPrevious) continue;
    if (inCurrent && result.Estimated) estimated = true;

    const lines: { service: string; amount: string }[] = [];
    for (const group of result.Groups ?? []) {
      const metric = group.Metrics?.[COST_METRIC];
      if (!metric?.Amount) continue;
      if (metric.Unit) unit = metric.Unit;
      lines.push({ service: group.Keys?.[0] ?? 'Unknown', amount: metric.Amount });
    }
    const ungrouped = result.Total?.[COST_METRIC];
    if (!result.Groups?.length && ungrouped?.Amount) lines.push({ service: 'Total', amount: ungrouped.Amount });

    for (const { service, amount } of lines) {
      if (inCurrent) {
        byService[service] = addAmounts(byService[service] ?? ZERO, amount);
        total = addAmounts(total, amount);
        currentByDay.set(day, addAmounts(currentByDay.get(day) ?? ZERO, amount));
      } else {
        previousByService[service] = addAmounts(previousByService[service] ?? ZERO, amount);
        previousTotal = addAmounts(previousTotal, amount);
      }
    }
  }

  return {
    services,
    unit,
    period,
    previousPeriod,
    total,
    previousTotal,
    byService,
    previousByService,
    daily: [...currentByDay].map(([date, amount]) => ({ date, amount })),
    estimated,
  };
}
