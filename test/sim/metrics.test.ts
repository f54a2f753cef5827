import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DAY_SECONDS,
  RAW_PERIOD_SECONDS,
  aggregate,
  clearMetricCache,
  dailyValues,
  isSupportedStatistic,
  percentileOf,
  rawValue,
  summarise,
} from '../../src/sim/metrics';
import type { MetricProfile } from '../../src/sim/model';

const DAY0 = Date.parse('2025-06-02T00:00:00Z') / 1000; // a Monday
const cpu: MetricProfile = {
  base: 30,
  amplitude: 10,
  peakHourUtc: 15,
  weekendFactor: 0.5,
  noise: 0.1,
  bursts: { perDay: 2, height: 40, minutes: 15 },
  min: 0,
  max: 100,
  since: '2025-05-01',
  seed: 12345,
};

/** Raw values of [start, end) by brute force, one rawValue call per slot. */
function raw(profile: MetricProfile, start: number, end: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(start / RAW_PERIOD_SECONDS) * RAW_PERIOD_SECONDS; t < end; t += RAW_PERIOD_SECONDS) {
    const v = rawValue(profile, t);
    if (v !== undefined) out.push(v);
  }
  return out;
}

function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
}

test('raw values are deterministic, clamped and exist only in [since, until)', () => {
  const t = DAY0 + 3 * 3600 + 17;
  assert.equal(rawValue(cpu, t), rawValue({ ...cpu }, t), 'same profile, same value');
  assert.equal(rawValue(cpu, t), rawValue(cpu, Math.floor(t / 300) * 300), 'a timestamp maps to its 5-minute slot');
  assert.notEqual(rawValue(cpu, t), rawValue({ ...cpu, seed: 54321 }, t), 'another seed, other noise');
  assert.equal(rawValue(cpu, Date.parse('2025-04-30T23:59:59Z') / 1000), undefined, 'before since');
  assert.ok(rawValue(cpu, Date.parse('2025-05-01T00:00:00Z') / 1000) !== undefined, 'from since on');
  const stopped = { ...cpu, until: '2025-06-02T12:00:00Z' };
  assert.ok(rawValue(stopped, DAY0 + 12 * 3600 - 300) !== undefined);
  assert.equal(rawValue(stopped, DAY0 + 12 * 3600), undefined, 'until is exclusive');
  const values = raw(cpu, DAY0, DAY0 + 7 * DAY_SECONDS);
  assert.equal(values.length, 7 * 288);
  assert.ok(values.every((v) => v >= 0 && v <= 100));
  assert.ok(Math.max(...values) > 60, 'bursts show');
  const saturated = { ...cpu, base: 95, bursts: { perDay: 3, height: 50, minutes: 60 } };
  assert.equal(Math.max(...raw(saturated, DAY0, DAY0 + DAY_SECONDS)), 100, 'clamped to max');
  assert.equal(Math.min(...raw({ ...cpu, base: 1, amplitude: 5, noise: 0 }, DAY0, DAY0 + DAY_SECONDS)), 0, 'clamped to 0');
});

test('daily cycle and weekend factor shape the values', () => {
  const smooth: MetricProfile = { base: 50, amplitude: 20, peakHourUtc: 15, weekendFactor: 0.5, since: '2025-01-01', seed: 1 };
  assert.equal(rawValue(smooth, DAY0 + 15 * 3600), 70, 'peak at 15:00 UTC');
  assert.equal(rawValue(smooth, DAY0 + 3 * 3600), 30, 'trough twelve hours later');
  const saturday = DAY0 + 5 * DAY_SECONDS;
  assert.equal(rawValue(smooth, saturday + 15 * 3600), 35, 'weekends scaled');
  const week = dailyValues(smooth, DAY0 / DAY_SECONDS, 7, 'Average');
  assert.ok(Math.abs((week[0] as number) - 50) < 1e-9, 'a full cosine cycle averages to base');
  assert.ok(Math.abs((week[5] as number) - 25) < 1e-9);
});

test('aggregate matches brute force over raw values for every statistic', () => {
  const start = DAY0 + 7 * 3600 + 120; // not aligned to the raw period
  const end = start + 3 * DAY_SECONDS + 5000;
  for (const period of [300, 3600, 21_600, DAY_SECONDS]) {
    for (const stat of ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount', 'p50', 'p95', 'p99.9'] as const) {
      const result = aggregate(cpu, start, end, period, stat);
      assert.equal(result.timestamps.length, result.values.length);
      result.timestamps.forEach((bucket, i) => {
        assert.equal((bucket - start) % period, 0, 'buckets aligned to the start');
        const values = raw(cpu, bucket, Math.min(bucket + period, end));
        const p = percentileOf(stat);
        const expected =
          p !== undefined
            ? nearestRank(values, p)
            : stat === 'Average'
              ? values.reduce((a, b) => a + b, 0) / values.length
              : stat === 'Sum'
                ? values.reduce((a, b) => a + b, 0)
                : stat === 'Minimum'
                  ? Math.min(...values)
                  : stat === 'Maximum'
                    ? Math.max(...values)
                    : values.length;
        const actual = result.values[i] as number;
        assert.ok(
          Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
          `${stat}/${period}: ${actual} vs ${expected}`,
        );
      });
    }
  }
});

test('buckets without data are omitted; short history yields fewer datapoints', () => {
  const recent = { ...cpu, since: '2025-06-05' };
  const daily = aggregate(recent, DAY0, DAY0 + 7 * DAY_SECONDS, DAY_SECONDS, 'Average');
  assert.deepEqual(
    daily.timestamps,
    [3, 4, 5, 6].map((d) => DAY0 + d * DAY_SECONDS),
  );
  const stopped = { ...cpu, until: '2025-06-04T06:00:00Z' };
  const counts = aggregate(stopped, DAY0, DAY0 + 7 * DAY_SECONDS, DAY_SECONDS, 'SampleCount');
  assert.deepEqual(counts.values, [288, 288, 72]);
  assert.deepEqual(aggregate(cpu, DAY0 - 400 * DAY_SECONDS, DAY0 - 390 * DAY_SECONDS, DAY_SECONDS, 'Maximum').values, []);
  // The cache must not change results: ask the same days again, in other shapes.
  clearMetricCache();
  const first = aggregate(cpu, DAY0, DAY0 + 14 * DAY_SECONDS, DAY_SECONDS, 'Average');
  const second = aggregate(cpu, DAY0, DAY0 + 14 * DAY_SECONDS, DAY_SECONDS, 'Average');
  assert.deepEqual(first, second);
  const whole = aggregate(cpu, DAY0, DAY0 + 14 * DAY_SECONDS, 14 * DAY_SECONDS, 'Average');
  const mean = first.values.reduce((a, b) => a + b, 0) / 14;
  assert.ok(Math.abs((whole.values[0] as number) - mean) < 1e-9);
});

test('statistics names', () => {
  for (const stat of ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount', 'p0', 'p50', 'p95', 'p99.9', 'p100'])
    assert.ok(isSupportedStatistic(stat), stat);
  for (const stat of ['average', 'p101', 'p', 'tm99', 'P95']) assert.ok(!isSupportedStatistic(stat), stat);
  assert.throws(() => aggregate(cpu, DAY0, DAY0 + DAY_SECONDS, 300, 'Mean' as 'Sum'), /unsupported statistic/);
});

test('summarise gives count, average, p95, max over the window', () => {
  const s = summarise(cpu, DAY0, DAY0 + 14 * DAY_SECONDS);
  const values = raw(cpu, DAY0, DAY0 + 14 * DAY_SECONDS);
  assert.equal(s.count, values.length);
  assert.equal(s.max, Math.max(...values));
  assert.equal(s.p95, nearestRank(values, 95));
  assert.ok(Math.abs(s.average - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9);
  assert.deepEqual(summarise(cpu, DAY0 - 400 * DAY_SECONDS, DAY0 - 399 * DAY_SECONDS).count, 0);
  const idle: MetricProfile = { base: 0.4, noise: 0.5, since: '2025-01-01', seed: 7, max: 100 };
  assert.ok(summarise(idle, DAY0, DAY0 + 14 * DAY_SECONDS).p95 < 0.61);
});

test('speed: 14 daily datapoints for many series (printed, not asserted)', () => {
  clearMetricCache();
  const series = 5000;
  const profiles = Array.from({ length: series }, (_, i) => ({ ...cpu, seed: i * 7919 }));
  const start = DAY0;
  const end = DAY0 + 14 * DAY_SECONDS;
  const t0 = performance.now();
  for (const p of profiles) aggregate(p, start, end, DAY_SECONDS, 'Average');
  const cold = performance.now() - t0;
  const t1 = performance.now();
  for (const p of profiles) aggregate(p, start, end, DAY_SECONDS, 'Maximum');
  const warm = performance.now() - t1;
  const t2 = performance.now();
  for (const p of profiles) aggregate(p, start, end, DAY_SECONDS, 'p95');
  const p95 = performance.now() - t2;
  const perSeries = cold / series;
  console.log(
    `metrics: ${series} series x 14 days: Average ${cold.toFixed(0)} ms (cold), Maximum ${warm.toFixed(0)} ms (cached), ` +
      `p95 ${p95.toFixed(0)} ms; ~${((perSeries * 53_000) / 1000).toFixed(1)} s for 53,000 cold series`,
  );
});
