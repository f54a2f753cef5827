/**
 * The forecasting agent's result: our forecast of daily cost (trend + weekly seasonality + 80%
 * intervals) next to Cost Explorer's, its backtest against a naive baseline, unusual days with their
 * drivers next to Cost Anomaly Detection's, and budget advice. Compact by construction: a few dozen
 * points and lists capped in length, so it travels in workflow results.
 */
import type { CostExplorerAnomaly, DetectedAnomaly } from '../anomalies';
import { addDays } from '../period';
import type { BacktestResult } from './backtest';
import type { BudgetAdvice } from './budget';
import { fitHoltWinters, forecastHoltWinters, simulateTotals, type HoltWintersModel } from './holt-winters';
import { quantile, round } from './stats';

export { backtest, seasonalNaive, type BacktestResult } from './backtest';
export { adviseBudgets, roundUpSignificant, type BudgetAdvice, type BudgetInfo, type BudgetStatus } from './budget';
export { fitHoltWinters, forecastHoltWinters, simulateTotals, type HoltWintersModel } from './holt-winters';

export const FORECAST_METHOD = 'Holt-Winters ETS(A,Ad,A) on log cost, weekly seasonality, robust to spikes';

export interface ForecastPoint {
  date: string;
  /** USD, rounded to cents. */
  mean: string;
  lower?: string;
  upper?: string;
}

export interface ForecastTotal {
  mean: string;
  lower?: string;
  upper?: string;
}

export interface ServiceForecast {
  service: string;
  /** Spend over the last `horizonDays` days of history and our forecast for the next as many. */
  last: string;
  next: string;
  changePct: number | null;
}

export interface ForecastSummary {
  /** The first forecast day (the day after the last day of history). */
  asOf: string;
  horizonDays: number;
  intervalLevel: number;
  method: string;
  model: { alpha: number; beta: number; gamma: number; phi: number; sigma: number; transform: string };
  history: { start: string; end: string; days: number; total: string };
  daily: ForecastPoint[];
  total: ForecastTotal;
  /** Cost Explorer's GetCostForecast for the same days, when available. */
  costExplorer?: { total: ForecastTotal; daily: ForecastPoint[] };
  /** Ours minus Cost Explorer's total, and as a share of theirs. */
  difference?: { amount: string; pct: number | null };
  backtest?: BacktestResult;
  anomalies: DetectedAnomaly[];
  costExplorerAnomalies: CostExplorerAnomaly[];
  budget?: BudgetAdvice;
  byService: ServiceForecast[];
  notes: string[];
}

const cents = (x: number) => x.toFixed(2);

export interface DailyForecast {
  model: HoltWintersModel;
  daily: ForecastPoint[];
  total: ForecastTotal;
  /** Raw means, lower and upper bounds (numbers), for budget arithmetic. */
  means: number[];
  /** Sum of the forecast over steps from + 1 … to (1-based days ahead), with its interval from sample paths. */
  window: (from: number, to: number) => { mean: number; lower: number; upper: number };
}

/** Fit on `values` (consecutive days ending the day before `asOf`) and forecast `horizon` days. */
export function forecastDaily(values: readonly number[], asOf: string, horizon: number, level = 0.8): DailyForecast {
  const floor = Math.max(0.01, 1e-4 * Math.max(...values));
  const model = fitHoltWinters(
    values.map((v) => Math.max(v, floor)),
    { period: 7 },
  );
  const f = forecastHoltWinters(model, horizon, level);
  const daily = f.mean.map((mean, i) => ({
    date: addDays(asOf, i),
    mean: cents(mean),
    lower: cents(f.lower[i] as number),
    upper: cents(f.upper[i] as number),
  }));
  const tail = (1 - level) / 2;
  const window = (from: number, to: number) => {
    if (to <= from) return { mean: 0, lower: 0, upper: 0 };
    const totals = simulateTotals(model, to, 2000, 7, from);
    const means = to <= horizon ? f.mean : forecastHoltWinters(model, to, level).mean;
    return {
      mean: means.slice(from, to).reduce((a, b) => a + b, 0),
      lower: quantile(totals, tail),
      upper: quantile(totals, 1 - tail),
    };
  };
  const whole = window(0, horizon);
  return {
    model,
    daily,
    total: { mean: cents(whole.mean), lower: cents(whole.lower), upper: cents(whole.upper) },
    means: f.mean,
    window,
  };
}

/** Per-service outlook: last `horizon` days against our forecast of the next `horizon`, top services by spend. */
export function serviceForecasts(byService: ReadonlyMap<string, number[]>, horizon: number, top = 10): ServiceForecast[] {
  const rows: ServiceForecast[] = [];
  const ranked = [...byService].map(([service, values]) => ({
    service,
    values,
    last: values.slice(-horizon).reduce((a, b) => a + b, 0),
  }));
  ranked.sort((a, b) => b.last - a.last || a.service.localeCompare(b.service));
  for (const { service, values, last } of ranked.slice(0, top)) {
    let next = last;
    if (values.length >= 28 && values.some((v) => v > 0)) {
      try {
        const positive = values.every((v) => v > 0);
        const model = fitHoltWinters(values, { period: 7, transform: positive ? 'log' : 'none' });
        next = forecastHoltWinters(model, horizon).mean.reduce((a, b) => a + Math.max(0, b), 0);
      } catch {
        next = last;
      }
    }
    rows.push({
      service,
      last: cents(last),
      next: cents(next),
      changePct: last > 0 ? round(((next - last) / last) * 100, 1) : null,
    });
  }
  return rows;
}
