/**
 * Spend slices: what one agent learned about its part of the bill from Cost Explorer.
 * Cut from the whole bill's daily costs by service (GetCostAndUsage, DAILY, grouped by SERVICE), covering
 * the previous and the current period.
 */
import { addAmounts, ZERO } from './money';
import type { Period } from './period';
import type { SpendBreakdown } from './spend-breakdown';

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
  /** A whole-bill slice's other views: by account, Region and usage type, daily by service, month to date. */
  breakdown?: SpendBreakdown;
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
 * The whole bill, day by day and service by service, as folded from GetCostAndUsage pages (DAILY,
 * grouped by SERVICE). Agents' slices are cut from it, so one query serves every agent.
 */
export interface DailyServiceCosts {
  unit: string;
  /** day -> SERVICE -> amount (decimal string). */
  byDay: Record<string, Record<string, string>>;
  /** Days AWS still marks as estimated. */
  estimatedDays: string[];
}

export function emptyDailyServiceCosts(): DailyServiceCosts {
  return { unit: 'USD', byDay: {}, estimatedDays: [] };
}

/**
 * Fold one page of results. A day may appear on more than one page when AWS splits its groups across
 * pages, so the fold adds rather than overwrites. Returns a new object.
 */
export function foldCostPage(costs: DailyServiceCosts, results: readonly CostResultByTime[]): DailyServiceCosts {
  const next: DailyServiceCosts = { unit: costs.unit, byDay: { ...costs.byDay }, estimatedDays: [...costs.estimatedDays] };
  for (const result of results) {
    const day = result.TimePeriod?.Start;
    if (!day) continue;
    if (result.Estimated && !next.estimatedDays.includes(day)) next.estimatedDays.push(day);
    const services = { ...(next.byDay[day] ?? {}) };
    for (const { service, amount, unit } of costLines(result)) {
      if (unit) next.unit = unit;
      services[service] = addAmounts(services[service] ?? ZERO, amount);
    }
    next.byDay[day] = services;
  }
  return next;
}

/** Cut one agent's slice (its services, or the whole bill when `services` is null) from the daily costs. */
export function spendSliceOf(
  costs: DailyServiceCosts,
  services: readonly string[] | null,
  period: Period,
  previousPeriod: Period,
  days: readonly string[],
): SpendSlice {
  const wanted = services ? new Set(services) : undefined;
  const byService: Record<string, string> = {};
  const previousByService: Record<string, string> = {};
  let total = ZERO;
  let previousTotal = ZERO;
  const daily: DailyAmount[] = days.map((date) => ({ date, amount: ZERO }));
  const dayIndex = new Map(days.map((d, i) => [d, i]));

  for (const [day, amounts] of Object.entries(costs.byDay)) {
    const inCurrent = day >= period.start && day < period.end;
    const inPrevious = day >= previousPeriod.start && day < previousPeriod.end;
    if (!inCurrent && !inPrevious) continue;
    for (const [service, amount] of Object.entries(amounts)) {
      if (wanted && !wanted.has(service)) continue;
      if (inCurrent) {
        byService[service] = addAmounts(byService[service] ?? ZERO, amount);
        total = addAmounts(total, amount);
        const entry = daily[dayIndex.get(day) ?? -1];
        if (entry) entry.amount = addAmounts(entry.amount, amount);
      } else {
        previousByService[service] = addAmounts(previousByService[service] ?? ZERO, amount);
        previousTotal = addAmounts(previousTotal, amount);
      }
    }
  }
  return {
    services,
    unit: costs.unit,
    period,
    previousPeriod,
    total,
    previousTotal,
    byService,
    previousByService,
    daily,
    estimated: costs.estimatedDays.some((d) => d >= period.start && d < period.end),
  };
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
