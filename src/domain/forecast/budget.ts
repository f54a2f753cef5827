/**
 * Budget advice: where this month is heading (month to date plus the forecast of its remaining days)
 * against the budgets configured in AWS Budgets, and a suggested monthly budget for next month.
 *
 * Only monthly cost budgets over the whole bill of the analysed accounts can be compared with our
 * projection; budgets scoped by service, tag or other filters are listed with AWS's own forecast.
 * The suggestion is next month's upper prediction bound (80%), rounded up to three significant
 * figures: a budget that a normal month stays under and an unusual one trips.
 */
import { round } from './stats';

/** A budget as DescribeBudgets returns it, compacted. */
export interface BudgetInfo {
  account: string;
  name: string;
  /** COST, USAGE, RI_UTILIZATION, ... */
  budgetType: string;
  /** DAILY, MONTHLY, QUARTERLY, ANNUALLY. */
  timeUnit: string;
  limit: number;
  unit: string;
  /** Spend so far in the budget's current period, and AWS's forecast for it, as Budgets reports them. */
  actualSpend?: number;
  forecastedSpend?: number;
  /** True when the budget has cost filters (service, tag, ...) narrowing it below the whole bill. */
  scoped: boolean;
}

export interface BudgetStatus {
  account: string;
  name: string;
  timeUnit: string;
  limit: string;
  actualSpend?: string;
  /** What we expect the period to end at: our projection when comparable, else AWS's forecast. */
  projected?: string;
  projectionSource: 'model' | 'aws-budgets' | 'none';
  /** Projected as a share of the limit, in percent. */
  projectedPct?: number;
  status: 'under' | 'at-risk' | 'over' | 'unknown';
}

export interface BudgetAdvice {
  /** The month projected, YYYY-MM, and the days it has. */
  month: string;
  monthToDate: string;
  /** Month to date + the forecast of the remaining days (mean and 80% bounds). */
  projected: string;
  projectedLower: string;
  projectedUpper: string;
  budgets: BudgetStatus[];
  /** Next month's upper bound, rounded up to 3 significant figures. */
  suggestedMonthlyBudget: string;
  suggestionBasis: string;
  notes: string[];
}

/** Round up to `digits` significant figures: 12,345.6 → 12,400. */
export function roundUpSignificant(value: number, digits = 3): number {
  if (!(value > 0)) return 0;
  const magnitude = Math.floor(Math.log10(value));
  const step = 10 ** (magnitude - digits + 1);
  return Math.ceil(value / step - 1e-9) * step;
}

export function adviseBudgets(input: {
  month: string;
  monthToDate: number;
  remaining: { mean: number; lower: number; upper: number };
  nextMonth: { mean: number; upper: number };
  budgets: readonly BudgetInfo[];
  /** Budgets whose accounts' whole bill equals what we project (single-account analyses, or the payer's). */
  comparable: (budget: BudgetInfo) => boolean;
}): BudgetAdvice {
  const projected = input.monthToDate + input.remaining.mean;
  const notes: string[] = [];
  const budgets = input.budgets.map((b): BudgetStatus => {
    const base = { account: b.account, name: b.name, timeUnit: b.timeUnit, limit: b.limit.toFixed(2) };
    const actual = b.actualSpend !== undefined ? { actualSpend: b.actualSpend.toFixed(2) } : {};
    let value: number | undefined;
    let source: BudgetStatus['projectionSource'] = 'none';
    if (b.budgetType === 'COST' && b.timeUnit === 'MONTHLY' && !b.scoped && input.comparable(b)) {
      value = projected;
      source = 'model';
    } else if (b.forecastedSpend !== undefined) {
      value = b.forecastedSpend;
      source = 'aws-budgets';
    }
    if (value === undefined || !(b.limit > 0)) return { ...base, ...actual, projectionSource: 'none', status: 'unknown' };
    const pct = round((value / b.limit) * 100, 1);
    const status = value > b.limit ? 'over' : pct >= 90 ? 'at-risk' : 'under';
    return { ...base, ...actual, projected: value.toFixed(2), projectionSource: source, projectedPct: pct, status };
  });
  if (input.budgets.length === 0) notes.push('No budgets are configured in AWS Budgets for the analysed accounts.');
  const suggested = roundUpSignificant(input.nextMonth.upper, 3);
  return {
    month: input.month,
    monthToDate: input.monthToDate.toFixed(2),
    projected: projected.toFixed(2),
    projectedLower: (input.monthToDate + input.remaining.lower).toFixed(2),
    projectedUpper: (input.monthToDate + input.remaining.upper).toFixed(2),
    budgets,
    suggestedMonthlyBudget: suggested.toFixed(2),
    suggestionBasis: `next month's forecast ${input.nextMonth.mean.toFixed(2)} USD, upper 80% bound ${input.nextMonth.upper.toFixed(2)} USD, rounded up`,
    notes,
  };
}
