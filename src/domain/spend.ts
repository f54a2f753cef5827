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

/** An empty slice for the period, every day of the current period present at zero. */
export function emptySpendSlice(
  services: readonly string[] | null,
  period: Period,
  previousPeriod: Period,
  days: readonly string[],
): SpendSlice {
  return {
    services,
    unit: 'USD',
    period,
    previousPeriod,
    total: ZERO,
    previousTotal: ZERO,
    byService: {},
    previousByService: {},
    daily: days.map((date) => ({ date, amount: ZERO })),
    estimated: false,
  };
}

/**
 * Fold one page of daily results into a slice. A day may appear on more than one page when AWS
 * splits its groups across pages, so the fold adds rather than overwrites. Pure: the activity pages.
 */
export function addCostResults(slice: SpendSlice, results: readonly CostResultByTime[]): SpendSlice {
  const next: SpendSlice = {
    ...slice,
    byService: { ...slice.byService },
    previousByService: { ...slice.previousByService },
    daily: slice.daily.map((d) => ({ ...d })),
  };
  const dayIndex = new Map(next.daily.map((d, i) => [d.date, i]));
  for (const result of results) {
    const day = result.TimePeriod?.Start;
    if (!day) continue;
    const inCurrent = day >= slice.period.start && day < slice.period.end;
    const inPrevious = day >= slice.previousPeriod.start && day < slice.previousPeriod.end;
    if (!inCurrent && !inPrevious) continue;
    if (inCurrent && result.Estimated) next.estimated = true;

    for (const { service, amount, unit } of costLines(result)) {
      next.unit = unit ?? next.unit;
      if (inCurrent) {
        next.byService[service] = addAmounts(next.byService[service] ?? ZERO, amount);
        next.total = addAmounts(next.total, amount);
        const i = dayIndex.get(day);
        const entry = i === undefined ? undefined : next.daily[i];
        if (entry) entry.amount = addAmounts(entry.amount, amount);
      } else {
        next.previousByService[service] = addAmounts(next.previousByService[service] ?? ZERO, amount);
        next.previousTotal = addAmounts(next.previousTotal, amount);
      }
    }
  }
  return next;
}

function costLines(result: CostResultByTime): { service: string; amount: string; unit?: string }[] {
  const lines: { service: string; amount: string; unit?: string }[] = [];
  for (const group of result.Groups ?? []) {
    const metric = group.Metrics?.[COST_METRIC];
    if (metric?.Amount === undefined) continue;
    lines.push({ service: group.Keys?.[0] ?? 'Unknown', amount: metric.Amount, ...(metric.Unit ? { unit: metric.Unit } : {}) });
  }
  const total = result.Total?.[COST_METRIC];
  if (!result.Groups?.length && total?.Amount !== undefined && Number(total.Amount) !== 0) {
    lines.push({ service: 'Total', amount: total.Amount, ...(total.Unit ? { unit: total.Unit } : {}) });
  }
  return lines;
}
