/**
 * Our forecast on generated series with known trend, weekly seasonality and planted spikes: 30-day
 * MAPE at most 5% on every seed, and 80% intervals covering 75–85% of the held-out days over all seeds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adviseBudgets, backtest, forecastDaily, roundUpSignificant, seasonalNaive } from '../../src/domain/forecast';
import { fitHoltWinters, forecastHoltWinters, simulateTotals } from '../../src/domain/forecast/holt-winters';
import { coverage, mape, nelderMead, normalQuantile, quantile, robustSigma } from '../../src/domain/forecast/stats';
import { generateCostSeries } from '../../src/sim/generator/series';

const SEEDS = Array.from({ length: 24 }, (_, i) => i + 1);
const HORIZON = 30;

function series(seed: number) {
  // Half a year of history and a month held out; spikes land in the history only, trend and noise vary by seed.
  return generateCostSeries({
    seed,
    start: '2026-01-01',
    days: 182 + HORIZON,
    base: 500 + 100 * seed,
    monthlyGrowth: -0.01 + (seed % 6) * 0.01,
    weekendFactor: 0.55 + (seed % 4) * 0.1,
    noise: 0.02 + (seed % 3) * 0.01,
    spikes: 4,
    spikeWindow: [28, 182],
  });
}

test('30-day forecasts: MAPE at most 5% on every seed, 80% intervals cover 75–85% of held-out days', () => {
  let inside = 0;
  let days = 0;
  const mapes: number[] = [];
  for (const seed of SEEDS) {
    const s = series(seed);
    const train = s.values.slice(0, 182);
    const actual = s.values.slice(182);
    const f = forecastHoltWinters(fitHoltWinters(train), HORIZON, 0.8);
    const error = mape(actual, f.mean);
    mapes.push(error);
    assert.ok(error <= 5, `seed ${seed}: MAPE ${error.toFixed(2)}%`);
    inside += coverage(actual, f.lower, f.upper) * HORIZON;
    days += HORIZON;
  }
  const pooled = inside / days;
  assert.ok(pooled >= 0.75 && pooled <= 0.85, `pooled coverage ${(pooled * 100).toFixed(1)}%`);
  const average = mapes.reduce((a, b) => a + b, 0) / mapes.length;
  assert.ok(average < 4, `average MAPE ${average.toFixed(2)}%`);
});

test('the model learns the weekly pattern and ignores spikes in its history', () => {
  const s = series(3);
  const model = fitHoltWinters(s.values.slice(0, 182));
  assert.equal(model.transform, 'log');
  assert.ok(model.outliers.length >= s.spikes.length, 'every spike day is clipped');
  for (const spike of s.spikes) assert.ok(model.outliers.includes(spike.startIndex), `spike on ${spike.start} is an outlier`);
  // Weekend seasonals sit below weekday ones by about log(weekendFactor).
  const f = forecastHoltWinters(model, 7);
  const ratio = Math.min(...f.mean) / Math.max(...f.mean);
  const planted = s.weekly[0]! / s.weekly[1]!;
  assert.ok(Math.abs(ratio - planted) < 0.08, `weekend/weekday ratio ${ratio.toFixed(3)} (planted ${planted.toFixed(3)})`);
});

test('the backtest reports MAPE and coverage next to a seasonal-naive baseline, which the model beats', () => {
  let better = 0;
  for (const seed of SEEDS.slice(0, 10)) {
    const result = backtest(series(seed).values, HORIZON, 0.8);
    assert.ok(result);
    assert.equal(result.holdoutDays, HORIZON);
    assert.equal(result.trainingDays, 182);
    assert.ok(result.mape <= 5);
    if (result.mape < result.naiveMape) better++;
  }
  assert.ok(better >= 8, `the model beats the naive baseline on ${better} of 10 seeds`);
  assert.equal(backtest([1, 2, 3], 30), undefined, 'too little history: no backtest');
  assert.deepEqual(seasonalNaive([1, 2, 3, 4, 5, 6, 7, 8, 9], 3, 7), [3, 4, 5]);
});

test('totals of sample paths give a calibrated interval for a month (and are deterministic)', () => {
  const s = series(5);
  const daily = forecastDaily(s.values.slice(0, 182), s.dates[182]!, HORIZON);
  const total = s.values.slice(182).reduce((a, b) => a + b, 0);
  const { lower, upper, mean } = daily.window(0, HORIZON);
  assert.ok(lower < mean && mean < upper);
  assert.ok(Math.abs(mean - total) / total < 0.05, `month total within 5% (${mean.toFixed(0)} vs ${total.toFixed(0)})`);
  assert.deepEqual(simulateTotals(daily.model, 10, 50, 3), simulateTotals(daily.model, 10, 50, 3));
  assert.equal(daily.daily.length, HORIZON);
  assert.equal(daily.daily[0]!.date, s.dates[182]);
  // A later window (next month) sums the later days only.
  const later = daily.window(10, 20);
  assert.ok(later.mean < mean);
});

test('statistics helpers', () => {
  assert.ok(Math.abs(normalQuantile(0.9) - 1.281551566) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.025) + 1.959963985) < 1e-6);
  assert.equal(quantile([3, 1, 2], 0.5), 2);
  assert.ok(Math.abs(robustSigma([1, 2, 3, 4, 100]) - 1.4826) < 1e-9);
  assert.equal(mape([100, 200], [110, 180]), 10);
  assert.equal(coverage([1, 5], [0, 0], [2, 2]), 0.5);
  const min = nelderMead(([x, y]) => (x! - 1) ** 2 + (y! + 2) ** 2, [0, 0]);
  assert.ok(Math.abs(min.x[0]! - 1) < 1e-3 && Math.abs(min.x[1]! + 2) < 1e-3);
});

test('budget advice: month-end projection against budgets, and a suggestion rounded up', () => {
  assert.equal(roundUpSignificant(12_345.6), 12_400);
  assert.equal(roundUpSignificant(999.1), 1000);
  const advice = adviseBudgets({
    month: '2026-11',
    monthToDate: 2000,
    remaining: { mean: 1000, lower: 900, upper: 1100 },
    nextMonth: { mean: 3100, upper: 3234 },
    budgets: [
      { account: '1', name: 'total', budgetType: 'COST', timeUnit: 'MONTHLY', limit: 3200, unit: 'USD', scoped: false },
      { account: '1', name: 'tight', budgetType: 'COST', timeUnit: 'MONTHLY', limit: 2900, unit: 'USD', scoped: false },
      {
        account: '1',
        name: 's3',
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        limit: 100,
        unit: 'USD',
        scoped: true,
        forecastedSpend: 120,
      },
      { account: '1', name: 'usage', budgetType: 'USAGE', timeUnit: 'MONTHLY', limit: 10, unit: 'GB', scoped: false },
    ],
    comparable: () => true,
  });
  assert.equal(advice.projected, '3000.00');
  assert.equal(advice.projectedUpper, '3100.00');
  assert.deepEqual(
    advice.budgets.map((b) => [b.name, b.status, b.projectionSource]),
    [
      ['total', 'at-risk', 'model'],
      ['tight', 'over', 'model'],
      ['s3', 'over', 'aws-budgets'],
      ['usage', 'unknown', 'none'],
    ],
  );
  assert.equal(advice.suggestedMonthlyBudget, '3240.00');
});
