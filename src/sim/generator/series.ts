/**
 * Generated daily cost series with known structure, for testing forecasts and anomaly detection:
 * a base level growing at a steady monthly rate, a weekly pattern (weekdays above weekends), seeded
 * multiplicative noise, and planted spikes of known dates and sizes.
 *
 *   cost(d) = base · (1 + growth)^(d / 30.4375) · weekly[weekday(d)] · exp(noise · N(0, 1)) · spike(d)
 *
 * The weekly factors average 1 over a week. `expected(d)` is the same without noise and spikes: the
 * value a perfect model would forecast. Spikes land on distinct days at least two weeks apart (so each
 * is a separate event), never in the first four weeks (the model's warm-up), and only inside
 * `spikeWindow` when given (e.g. keep them out of a backtest's held-out days).
 */
import { addDays, toEpochDay } from '../dates';
import { substream } from '../random';

export interface SeriesOptions {
  seed: number;
  /** First day, YYYY-MM-DD. */
  start: string;
  days: number;
  /** Average daily cost on the first day (USD). */
  base?: number;
  /** Growth per month, e.g. 0.03 for +3 % a month (negative shrinks). */
  monthlyGrowth?: number;
  /** Weekend days cost this fraction of a weekday (before normalising the week to average 1). */
  weekendFactor?: number;
  /** Standard deviation of the log noise, e.g. 0.03 for about 3 % a day. */
  noise?: number;
  /** How many spikes to plant. */
  spikes?: number;
  /** Spike sizes: the day's cost is multiplied by 1 + a uniform draw from this range. */
  spikeSize?: [number, number];
  /** Longest spike in days (each lasts 1..maxSpikeDays). */
  maxSpikeDays?: number;
  /** Day indices [from, to) where spikes may start. */
  spikeWindow?: [number, number];
}

export interface PlantedSpike {
  /** First and last day (inclusive). */
  start: string;
  end: string;
  startIndex: number;
  endIndex: number;
  /** Multiplier minus one, e.g. 0.8 for +80 %. */
  size: number;
}

export interface GeneratedSeries {
  dates: string[];
  values: number[];
  /** The noise- and spike-free value of each day. */
  expected: number[];
  spikes: PlantedSpike[];
  weekly: number[];
}

export function generateCostSeries(options: SeriesOptions): GeneratedSeries {
  const rng = substream(options.seed, 'cost-series');
  const base = options.base ?? 1000;
  const growth = options.monthlyGrowth ?? 0.02;
  const weekend = options.weekendFactor ?? 0.7;
  const noise = options.noise ?? 0.03;
  const [sizeLo, sizeHi] = options.spikeSize ?? [0.35, 1.5];
  const maxSpikeDays = options.maxSpikeDays ?? 3;
  // Sunday (0) and Saturday (6) at `weekend`, weekdays at 1, normalised so a week averages 1.
  const raw = [weekend, 1, 1, 1, 1, 1, weekend];
  const norm = raw.reduce((a, b) => a + b, 0) / 7;
  const weekly = raw.map((w) => w / norm);
  const startDay = toEpochDay(options.start);

  const dates: string[] = [];
  const expected: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < options.days; i++) {
    const weekday = (((startDay + i + 4) % 7) + 7) % 7; // epoch day 0 was a Thursday
    const e = base * Math.pow(1 + growth, i / 30.4375) * (weekly[weekday] as number);
    dates.push(addDays(options.start, i));
    expected.push(e);
    values.push(e * Math.exp(noise * normal(rng)));
  }

  const spikes: PlantedSpike[] = [];
  const [windowFrom, windowTo] = options.spikeWindow ?? [28, options.days];
  const from = Math.max(28, windowFrom);
  for (let attempt = 0; spikes.length < (options.spikes ?? 0) && attempt < 1000; attempt++) {
    const startIndex = rng.int(from, Math.max(from, windowTo - 1));
    const length = rng.int(1, maxSpikeDays);
    const endIndex = Math.min(options.days - 1, startIndex + length - 1);
    if (spikes.some((s) => Math.abs(s.startIndex - startIndex) < 14)) continue;
    const size = rng.between(sizeLo, sizeHi);
    spikes.push({ start: dates[startIndex] as string, end: dates[endIndex] as string, startIndex, endIndex, size });
  }
  spikes.sort((a, b) => a.startIndex - b.startIndex);
  for (const s of spikes) for (let i = s.startIndex; i <= s.endIndex; i++) values[i] = (values[i] as number) * (1 + s.size);
  return { dates, values, expected, spikes, weekly };
}

/** A standard normal draw (Box–Muller). */
function normal(rng: { float(): number }): number {
  const u = Math.max(rng.float(), 1e-12);
  const v = rng.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
