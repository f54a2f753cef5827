/**
 * Backtesting a forecast on the account's own history: hold out the last days, fit on what came
 * before, forecast the held-out days, and measure the error (MAPE) and how many held-out days fell
 * inside the prediction interval — next to a seasonal-naive baseline (each day forecast as the same
 * weekday of the last training week), so the report shows whether the model earns its keep.
 */
import { fitHoltWinters, forecastHoltWinters, type HoltWintersOptions } from './holt-winters';
import type { Period } from '../period';
import { coverage, mape, round } from './stats';

export interface BacktestResult {
  /** Days fitted and days held out. */
  trainingDays: number;
  holdoutDays: number;
  /** Mean absolute percentage error of the model over the held-out days, in percent. */
  mape: number;
  /** Share of held-out days inside the model's interval (0..1). */
  coverage: number;
  /** The interval's nominal level, e.g. 0.8. */
  intervalLevel: number;
  /** Seasonal-naive baseline's MAPE over the same days, in percent. */
  naiveMape: number;
  baseline: 'seasonal-naive (same weekday of the last week)';
  /** Error of the held-out period's total, in percent (signed: positive = over-forecast). */
  totalErrorPct: number;
  /** The dates fitted and held out (calendar.ts backtestWindows), where the series' dates are known. */
  training?: Period;
  holdout?: Period;
}

/** The last `horizon` values forecast by repeating the last full season before them. */
export function seasonalNaive(train: readonly number[], horizon: number, period = 7): number[] {
  const last = train.slice(-period);
  return Array.from({ length: horizon }, (_, h) => last[h % period] as number);
}

export function backtest(
  values: readonly number[],
  horizon: number,
  level = 0.8,
  options: HoltWintersOptions = {},
): BacktestResult | undefined {
  const period = options.period ?? 7;
  const trainLength = values.length - horizon;
  if (horizon <= 0 || trainLength < 4 * period) return undefined;
  const train = values.slice(0, trainLength);
  const actual = values.slice(trainLength);
  const model = fitHoltWinters(train, options);
  const forecast = forecastHoltWinters(model, horizon, level);
  const naive = seasonalNaive(train, horizon, period);
  const actualTotal = actual.reduce((a, b) => a + b, 0);
  const forecastTotal = forecast.mean.reduce((a, b) => a + b, 0);
  return {
    trainingDays: trainLength,
    holdoutDays: horizon,
    mape: round(mape(actual, forecast.mean), 2),
    coverage: round(coverage(actual, forecast.lower, forecast.upper), 4),
    intervalLevel: level,
    naiveMape: round(mape(actual, naive), 2),
    baseline: 'seasonal-naive (same weekday of the last week)',
    totalErrorPct: actualTotal === 0 ? 0 : round(((forecastTotal - actualTotal) / actualTotal) * 100, 2),
  };
}
