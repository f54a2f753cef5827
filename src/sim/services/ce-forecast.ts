/**
 * Cost Explorer GetCostForecast over the scenario's own history: a real forecast, not a constant.
 *
 * Model (fitted on the last 8 complete weeks of daily cost that the filter selects): a linear trend
 * times a weekly seasonal factor per weekday — the factors are median ratios to a centred 7-day
 * moving average, the trend a least-squares line through the deseasonalised days; days whose residual
 * exceeds five robust standard deviations (spikes) are left out and the trend refitted. The prediction
 * interval at PredictionIntervalLevel is mean ± z·σ·√(1 + 1/n + (t − t̄)²/Sxx) per day (a regression
 * prediction interval, scaled by the weekday factor); periods and the total add means, and combine
 * the days' variances.
 *
 * Validation as AWS: Metric one of the cost metrics (usage metrics belong to GetUsageForecast),
 * Granularity DAILY or MONTHLY, Start on or after the current date, at most 3 months ahead daily or
 * 18 months monthly, PredictionIntervalLevel 51–99 (default 80).
 */
import type { IncomingMessage } from 'node:http';
import { addDays, addMonths, isIsoDate, monthStart, toEpochDay } from '../dates';
import { validationError } from '../errors';
import type { JsonObject } from '../protocols/json';
import type { Scenario } from '../scenario';
import { compileFilter, isAbsent, readObject, readString } from './ce-input';
import { amount, dailySeries, enumValue, keyFilter, visibleAccounts } from './ce-common';

const COST_METRICS = ['AMORTIZED_COST', 'BLENDED_COST', 'NET_AMORTIZED_COST', 'NET_UNBLENDED_COST', 'UNBLENDED_COST'];
const ALL_METRICS = [...COST_METRICS, 'USAGE_QUANTITY', 'NORMALIZED_USAGE_AMOUNT'];
const FIT_DAYS = 56;

export interface ForecastModel {
  intercept: number;
  slope: number;
  /** Weekday factor, index 0 = Sunday. */
  weekly: number[];
  sigma: number;
  n: number;
  meanT: number;
  sxx: number;
  /** Epoch day of t = 0. */
  origin: number;
}

function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const n = sorted.length;
  if (n === 0) return 0;
  return n % 2 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
}

/** Weekday factors: the median ratio of each day to its centred 7-day moving average (robust to spikes). */
function weeklyFactors(values: number[], origin: number): number[] {
  const ratios: number[][] = Array.from({ length: 7 }, () => []);
  for (let t = 3; t < values.length - 3; t++) {
    let sum = 0;
    for (let k = t - 3; k <= t + 3; k++) sum += values[k] as number;
    const average = sum / 7;
    if (average > 0) (ratios[weekday(origin + t)] as number[]).push((values[t] as number) / average);
  }
  const factors = ratios.map((r) => (r.length > 0 ? median(r) : 1));
  const mean = factors.reduce((a, b) => a + b, 0) / 7;
  return factors.map((f) => (mean > 0 ? f / mean : 1));
}

function fitTrend(values: number[], origin: number, weekly: number[], keep: boolean[]): ForecastModel {
  const ts: number[] = [];
  const ds: number[] = [];
  values.forEach((y, t) => {
    if (!keep[t]) return;
    ts.push(t);
    ds.push(y / ((weekly[weekday(origin + t)] as number) || 1));
  });
  const n = ts.length;
  const meanT = ts.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const meanD = ds.reduce((a, b) => a + b, 0) / Math.max(1, n);
  let sxx = 0;
  let sxy = 0;
  ts.forEach((t, i) => {
    sxx += (t - meanT) ** 2;
    sxy += (t - meanT) * ((ds[i] as number) - meanD);
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = meanD - slope * meanT;
  let sse = 0;
  ts.forEach((t) => {
    const fitted = (intercept + slope * t) * (weekly[weekday(origin + t)] as number);
    sse += ((values[t] as number) - fitted) ** 2;
  });
  return { intercept, slope, weekly, sigma: Math.sqrt(sse / Math.max(1, n - 2)), n, meanT, sxx, origin };
}

/**
 * Fits trend x weekly seasonality to daily values starting at epoch day `origin`: weekday factors
 * from a centred moving average, a least-squares trend on the deseasonalised values, then a refit
 * without the days more than five robust standard deviations off (spikes).
 */
export function fitForecast(values: number[], origin: number): ForecastModel {
  const weekly = values.length >= 14 ? weeklyFactors(values, origin) : new Array<number>(7).fill(1);
  let model = fitTrend(
    values,
    origin,
    weekly,
    values.map(() => true),
  );
  const residuals = values.map((y, t) => y - (model.intercept + model.slope * t) * (weekly[weekday(origin + t)] as number));
  const mad = median(residuals.map(Math.abs)) * 1.4826;
  if (mad > 0) {
    const keep = residuals.map((r) => Math.abs(r) <= 5 * mad);
    if (keep.filter(Boolean).length >= 14) model = fitTrend(values, origin, weekly, keep);
  }
  return model;
}

/** Mean and standard deviation of the forecast for epoch day `day`. */
export function predict(model: ForecastModel, day: number): { mean: number; sd: number } {
  const t = day - model.origin;
  const factor = model.weekly[weekday(day)] as number;
  const mean = Math.max(0, (model.intercept + model.slope * t) * factor);
  const leverage = model.sxx > 0 ? (t - model.meanT) ** 2 / model.sxx : 0;
  const sd = model.sigma * Math.sqrt(1 + 1 / Math.max(1, model.n) + leverage);
  return { mean, sd };
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239,
  ];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

export function getCostForecast(scenario: Scenario, input: JsonObject, request: IncomingMessage | undefined): unknown {
  const metric = enumValue(input['Metric'], 'metric', ALL_METRICS);
  if (!COST_METRICS.includes(metric)) {
    throw validationError(`Metric ${metric} is not supported by GetCostForecast; use GetUsageForecast for usage metrics.`);
  }
  const granularity = enumValue(input['Granularity'], 'granularity', ['DAILY', 'MONTHLY', 'HOURLY']);
  if (granularity === 'HOURLY') throw validationError('GetCostForecast supports only DAILY and MONTHLY granularities.');
  const period = readObject(input['TimePeriod'], 'TimePeriod');
  const start = readString(period?.['Start'], 'TimePeriod.Start');
  const end = readString(period?.['End'], 'TimePeriod.End');
  if (!period || start === undefined || end === undefined) {
    throw validationError(
      `1 validation error detected: Value null at 'timePeriod' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (!isIsoDate(start) || !isIsoDate(end)) throw validationError(`TimePeriod '${start}' - '${end}' must be dates YYYY-MM-DD.`);
  const today = scenario.anchorDate;
  if (start < today)
    throw validationError(`Start date ${start} is in the past: a forecast must start on or after the current date ${today}.`);
  if (start >= end) throw validationError('Start date (and hour) should be before end date (and hour)');
  const limit = granularity === 'DAILY' ? addMonths(today, 3) : addMonths(today, 18);
  if (end > limit) {
    throw validationError(
      `End date ${end} is too far ahead: ${granularity} forecasts reach ${granularity === 'DAILY' ? '3 months' : '18 months'} ahead (until ${limit}).`,
    );
  }
  const levelInput = input['PredictionIntervalLevel'];
  const level = levelInput === undefined || levelInput === null ? 80 : levelInput;
  if (typeof level !== 'number' || !Number.isInteger(level) || level < 51 || level > 99) {
    throw validationError(
      `1 validation error detected: Value '${JSON.stringify(level)}' at 'predictionIntervalLevel' failed to satisfy constraint: Member must have value between 51 and 99`,
    );
  }
  const filter = isAbsent(input['Filter'])
    ? undefined
    : compileFilter(input['Filter'], 'Filter', { accountNames: new Map(scenario.accounts.map((a) => [a.id, a.name])) });
  const anchorDay = toEpochDay(today);
  const origin = anchorDay - FIT_DAYS;
  const history = dailySeries(scenario, origin, anchorDay, keyFilter(filter, visibleAccounts(scenario, request)));
  const model = fitForecast(history, origin);
  const z = normalQuantile(0.5 + level / 200);

  const results: {
    TimePeriod: { Start: string; End: string };
    MeanValue: string;
    PredictionIntervalLowerBound: string;
    PredictionIntervalUpperBound: string;
  }[] = [];
  let total = 0;
  let cursor = start;
  while (cursor < end) {
    const next = granularity === 'DAILY' ? addDays(cursor, 1) : addMonths(monthStart(cursor), 1);
    const periodEnd = next < end ? next : end;
    let mean = 0;
    let variance = 0;
    for (let day = toEpochDay(cursor); day < toEpochDay(periodEnd); day++) {
      const p = predict(model, day);
      mean += p.mean;
      variance += p.sd * p.sd;
    }
    total += mean;
    const half = z * Math.sqrt(variance);
    results.push({
      TimePeriod: { Start: cursor, End: periodEnd },
      MeanValue: amount(mean),
      PredictionIntervalLowerBound: amount(Math.max(0, mean - half)),
      PredictionIntervalUpperBound: amount(mean + half),
    });
    cursor = periodEnd;
  }
  return { Total: { Amount: amount(total), Unit: 'USD' }, ForecastResultsByTime: results };
}
