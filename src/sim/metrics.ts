/**
 * Metric values of the sample account, computed on demand from a `MetricProfile` (model.ts).
 *
 * Nothing is stored point by point: a raw datapoint exists every RAW_PERIOD_SECONDS (like EC2 basic
 * monitoring) and its value is a pure function of (profile, timestamp). CloudWatch-style statistics
 * over any window are computed from those raw values, so every consumer (GetMetricData, Trusted
 * Advisor, the generator's ground truth) sees the same numbers.
 *
 * Value of the raw datapoint at slot k (timestamp k * RAW_PERIOD_SECONDS):
 *   seasonal = base + amplitude * cos(2π (time-of-day − peakHourUtc) / 24h)
 *   seasonal *= weekendFactor on Saturdays and Sundays (UTC)
 *   value    = seasonal * (1 + noise * u) + burstHeight (while a burst runs), clamped to [min, max]
 * where u ∈ [−1, 1) is a hash of (seed, k) — cheap, stateless and the same in every process.
 * `min` defaults to 0 (every CloudWatch metric the simulator serves is non-negative), `max` to +∞.
 *
 * Speed: the large scenario's analysis asks ~53,000 series for 14 daily datapoints (~213 million raw
 * values). The inner loop is allocation-free arithmetic with a precomputed cosine table, and
 * Average/Sum/Minimum/Maximum/SampleCount over whole UTC days are cached per series and day, so asking
 * the same series for several statistics costs one pass.
 */
import type { MetricProfile, MetricStatistic } from './model';

/** Resolution of the simulator's raw datapoints: 5 minutes, as EC2 basic monitoring. */
export const RAW_PERIOD_SECONDS = 300;
export const DAY_SECONDS = 86_400;
const SLOTS_PER_DAY = DAY_SECONDS / RAW_PERIOD_SECONDS; // 288

/** cos(2π s / SLOTS_PER_DAY) for each slot of the day; the peak hour shifts the index. */
const COS_TABLE = Float64Array.from({ length: SLOTS_PER_DAY }, (_, s) => Math.cos((2 * Math.PI * s) / SLOTS_PER_DAY));

/** Parsed, per-profile constants (ISO strings parsed once, not per datapoint). */
interface Compiled {
  firstSlot: number; // first raw slot with data (inclusive)
  endSlot: number; // first slot without data (exclusive); Infinity when open-ended
  peakShift: number; // slot index of the daily peak
  min: number;
  max: number;
  base: number;
  amplitude: number;
  weekendFactor: number;
  noise: number;
  seed: number;
}

const compiledCache = new WeakMap<MetricProfile, Compiled>();

function parseInstant(value: string, what: string): number {
  // 'YYYY-MM-DD' is a UTC date; full ISO timestamps are taken as written.
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) throw new Error(`metric profile: ${what} is not an ISO date or timestamp: ${value}`);
  return ms / 1000;
}

function compile(profile: MetricProfile): Compiled {
  let compiled = compiledCache.get(profile);
  if (compiled) return compiled;
  const since = parseInstant(profile.since, 'since');
  const until = profile.until === undefined ? Infinity : parseInstant(profile.until, 'until');
  const peakHour = profile.peakHourUtc ?? 14;
  compiled = {
    firstSlot: Math.ceil(since / RAW_PERIOD_SECONDS),
    endSlot: until === Infinity ? Infinity : Math.ceil(until / RAW_PERIOD_SECONDS),
    peakShift: ((Math.round((peakHour * 3600) / RAW_PERIOD_SECONDS) % SLOTS_PER_DAY) + SLOTS_PER_DAY) % SLOTS_PER_DAY,
    min: profile.min ?? 0,
    max: profile.max ?? Infinity,
    base: profile.base,
    amplitude: profile.amplitude ?? 0,
    weekendFactor: profile.weekendFactor ?? 1,
    noise: profile.noise ?? 0,
    seed: profile.seed | 0,
  };
  compiledCache.set(profile, compiled);
  return compiled;
}

/** A 32-bit integer hash of two integers (murmur3's finaliser over a mixed pair). */
function hash2(a: number, b: number): number {
  let h = Math.imul(a ^ 0x2545f491, 0x9e3779b1) ^ b;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Uniform in [0, 1) from (a, b). */
function unit(a: number, b: number): number {
  return hash2(a, b) / 4294967296;
}

/**
 * Burst windows of one day as [startSlot, endSlot) pairs relative to the day's first slot. `perDay`
 * may be fractional: 0.3 means a burst on about 30% of days, 2.5 two or three bursts a day.
 */
function burstWindows(profile: MetricProfile, seed: number, epochDay: number, out: number[]): number {
  const bursts = profile.bursts;
  if (!bursts || bursts.perDay <= 0 || bursts.height === 0) return 0;
  const whole = Math.floor(bursts.perDay);
  const count = whole + (unit(seed ^ 0x5bd1e995, epochDay) < bursts.perDay - whole ? 1 : 0);
  const length = Math.max(1, Math.round((bursts.minutes * 60) / RAW_PERIOD_SECONDS));
  const latestStart = Math.max(0, SLOTS_PER_DAY - length);
  let n = 0;
  for (let j = 0; j < count; j++) {
    const start = Math.floor(unit(seed ^ (0x68e31da4 + j * 0x1b873593), epochDay) * (latestStart + 1));
    out[n++] = start;
    out[n++] = start + length;
  }
  return n;
}

const scratchBursts: number[] = [];

/**
 * Writes the raw values of slots [fromSlot, toSlot) — all inside UTC day `epochDay`; callers split
 * ranges at day boundaries — into `out` from `offset`, and returns how many it wrote. One monomorphic
 * loop without callbacks: this is the simulator's hottest code.
 */
function fillDay(
  profile: MetricProfile,
  c: Compiled,
  epochDay: number,
  fromSlot: number,
  toSlot: number,
  out: Float64Array,
  offset: number,
): number {
  // Slots (~5.9 million today) fit in int32: keeping them small integers keeps the loop in integer registers.
  const lo = Math.max(fromSlot, c.firstSlot) | 0;
  const hi = Math.min(toSlot, c.endSlot) | 0;
  if (hi <= lo) return 0;
  const weekday = (((epochDay + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  const scale = weekday === 0 || weekday === 6 ? c.weekendFactor : 1;
  const dayFirstSlot = epochDay * SLOTS_PER_DAY;
  const nBursts = burstWindows(profile, c.seed, epochDay, scratchBursts);
  const base = c.base * scale;
  const amplitude = c.amplitude * scale;
  const { noise, seed, min, max } = c;
  // Clamp in the first pass unless bursts still have to be added (then clamp after them).
  const lower = nBursts === 0 ? min : -Infinity;
  const upper = nBursts === 0 ? max : Infinity;
  let phase = (lo - dayFirstSlot - c.peakShift + SLOTS_PER_DAY) % SLOTS_PER_DAY;
  let i = offset | 0;
  if (noise === 0) {
    for (let slot = lo; slot < hi; slot++) {
      const value = base + amplitude * (COS_TABLE[phase] as number);
      if (++phase === SLOTS_PER_DAY) phase = 0;
      out[i++] = value < lower ? lower : value > upper ? upper : value;
    }
  } else {
    const mixedSeed = Math.imul(seed ^ 0x2545f491, 0x9e3779b1);
    for (let slot = lo; slot < hi; slot++) {
      const seasonal = base + amplitude * (COS_TABLE[phase] as number);
      if (++phase === SLOTS_PER_DAY) phase = 0;
      // Inlined hash2(seed, slot) → u in [-1, 1).
      let h = mixedSeed ^ slot;
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      const value = seasonal * (1 + noise * (((h ^ (h >>> 16)) >>> 0) / 2147483648 - 1));
      out[i++] = value < lower ? lower : value > upper ? upper : value;
    }
  }
  if (nBursts > 0) {
    // Bursts add their height over their window (overlapping bursts add up); then clamp.
    const height = profile.bursts?.height ?? 0;
    const first = lo - dayFirstSlot;
    const last = hi - dayFirstSlot;
    for (let b = 0; b < nBursts; b += 2) {
      const from = Math.max(first, scratchBursts[b] as number);
      const to = Math.min(last, scratchBursts[b + 1] as number);
      for (let s = from; s < to; s++) out[offset + s - first] = (out[offset + s - first] as number) + height;
    }
    for (let k = offset; k < i; k++) {
      const value = out[k] as number;
      out[k] = value < min ? min : value > max ? max : value;
    }
  }
  return hi - lo;
}

let scratchValues = new Float64Array(4096);

/** The raw values of slots [fromSlot, toSlot) in a reused buffer; returns how many. */
function collect(profile: MetricProfile, c: Compiled, fromSlot: number, toSlot: number): number {
  const lo = Math.max(fromSlot, c.firstSlot);
  const hi = Math.min(toSlot, c.endSlot);
  if (hi <= lo) return 0;
  if (hi - lo > scratchValues.length) scratchValues = new Float64Array(hi - lo);
  let n = 0;
  let slot = lo;
  while (slot < hi) {
    const day = Math.floor(slot / SLOTS_PER_DAY);
    const segmentEnd = Math.min(hi, (day + 1) * SLOTS_PER_DAY);
    n += fillDay(profile, c, day, slot, segmentEnd, scratchValues, n);
    slot = segmentEnd;
  }
  return n;
}

/**
 * The raw datapoint covering `timestampSec` (the 5-minute slot it falls in), or undefined when the
 * series has no data there (before `since`, from `until` on).
 */
export function rawValue(profile: MetricProfile, timestampSec: number): number | undefined {
  const c = compile(profile);
  const slot = Math.floor(timestampSec / RAW_PERIOD_SECONDS);
  if (slot < c.firstSlot || slot >= c.endSlot) return undefined;
  const one = new Float64Array(1);
  fillDay(profile, c, Math.floor(slot / SLOTS_PER_DAY), slot, slot + 1, one, 0);
  return one[0];
}

/** The percentile a statistic names ("p95" → 95, "p99.9" → 99.9), or undefined for the others. */
export function percentileOf(stat: string): number | undefined {
  const match = /^p(\d{1,3}(?:\.\d{1,10})?)$/.exec(stat);
  if (!match) return undefined;
  const p = Number(match[1]);
  return p >= 0 && p <= 100 ? p : undefined;
}

const SIMPLE_STATS = new Set(['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount']);

export function isSupportedStatistic(stat: string): stat is MetricStatistic {
  return SIMPLE_STATS.has(stat) || percentileOf(stat) !== undefined;
}

/**
 * [sum, min, max, count] of whole UTC days, cached per profile in blocks of 16 days (one typed array
 * per block, NaN = not computed yet) — one small allocation per series instead of one per day keeps
 * the garbage collector out of the hot path.
 */
const BLOCK_DAYS = 16;
let dayCache = new WeakMap<MetricProfile, Map<number, Float64Array>>();
let dayCacheBlocks = 0;
/** Bound on cached blocks across all series (~600 bytes each), so a long-running simulator stays small. */
const DAY_CACHE_BLOCK_LIMIT = 400_000;

interface Accumulator {
  sum: number;
  min: number;
  max: number;
  count: number;
}

function accumulate(acc: Accumulator, sum: number, min: number, max: number, count: number): void {
  if (count === 0) return;
  acc.sum += sum;
  if (min < acc.min) acc.min = min;
  if (max > acc.max) acc.max = max;
  acc.count += count;
}

/** [sum, min, max, count] of buffer[0..n) into `into`. */
function reduceInto(buffer: Float64Array, n: number, into: Float64Array): Float64Array {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = buffer[i] as number;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  into[0] = sum;
  into[1] = min;
  into[2] = max;
  into[3] = n;
  return into;
}

const dayScratch = new Float64Array(4);

/** The day's [sum, min, max, count]; the returned array is only valid until the next call. */
function dayStats(profile: MetricProfile, c: Compiled, epochDay: number): Float64Array {
  let perProfile = dayCache.get(profile);
  const blockIndex = Math.floor(epochDay / BLOCK_DAYS);
  let block = perProfile?.get(blockIndex);
  const at = (epochDay - blockIndex * BLOCK_DAYS) * 4;
  if (block && !Number.isNaN(block[at])) return block.subarray(at, at + 4);
  const first = epochDay * SLOTS_PER_DAY;
  reduceInto(scratchValues, collect(profile, c, first, first + SLOTS_PER_DAY), dayScratch);
  if (!block) {
    if (dayCacheBlocks >= DAY_CACHE_BLOCK_LIMIT) return dayScratch;
    block = new Float64Array(BLOCK_DAYS * 4).fill(NaN);
    if (!perProfile) {
      perProfile = new Map();
      dayCache.set(profile, perProfile);
    }
    perProfile.set(blockIndex, block);
    dayCacheBlocks++;
  }
  block.set(dayScratch, at);
  return dayScratch;
}

/** Simple statistics of the raw slots [fromSlot, toSlot), using whole-day cache entries where possible. */
function simpleStats(profile: MetricProfile, c: Compiled, fromSlot: number, toSlot: number): Accumulator {
  const acc: Accumulator = { sum: 0, min: Infinity, max: -Infinity, count: 0 };
  const lo = Math.max(fromSlot, c.firstSlot);
  const hi = Math.min(toSlot, c.endSlot);
  let slot = lo;
  while (slot < hi) {
    const day = Math.floor(slot / SLOTS_PER_DAY);
    const dayStart = day * SLOTS_PER_DAY;
    const dayEnd = dayStart + SLOTS_PER_DAY;
    const segmentEnd = Math.min(hi, dayEnd);
    if (slot === dayStart && segmentEnd === dayEnd) {
      const d = dayStats(profile, c, day);
      accumulate(acc, d[0] as number, d[1] as number, d[2] as number, d[3] as number);
    } else {
      const d = reduceInto(scratchValues, collect(profile, c, slot, segmentEnd), dayScratch);
      accumulate(acc, d[0] as number, d[1] as number, d[2] as number, d[3] as number);
    }
    slot = segmentEnd;
  }
  return acc;
}

/**
 * The p-th percentile (nearest rank: the smallest value with at least p% of the values at or below
 * it) of buffer[0..n), by quickselect — buffer order is disturbed.
 */
function selectPercentile(buffer: Float64Array, n: number, p: number): number {
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1;
  let left = 0;
  let right = n - 1;
  while (right > left) {
    const pivot = buffer[(left + right) >>> 1] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((buffer[i] as number) < pivot) i++;
      while ((buffer[j] as number) > pivot) j--;
      if (i <= j) {
        const t = buffer[i] as number;
        buffer[i] = buffer[j] as number;
        buffer[j] = t;
        i++;
        j--;
      }
    }
    if (rank <= j) right = j;
    else if (rank >= i) left = i;
    else break;
  }
  return buffer[rank] as number;
}

export interface Datapoints {
  /** Bucket start times, epoch seconds, ascending. */
  timestamps: number[];
  values: number[];
}

/**
 * Datapoints of one statistic as CloudWatch computes them: buckets of `periodSec` aligned to
 * `startSec` ([start + i·period, start + (i+1)·period), the last one cut at `endSec`), each stamped
 * with its start; buckets without raw data are omitted. Percentiles (`pNN`, `pNN.N`) use the
 * nearest-rank method over the bucket's raw values. Timestamps are ascending (GetMetricData's
 * default TimestampDescending is the caller's to apply).
 */
export function aggregate(
  profile: MetricProfile,
  startSec: number,
  endSec: number,
  periodSec: number,
  stat: MetricStatistic,
): Datapoints {
  if (!(periodSec > 0)) throw new Error(`period must be positive: ${periodSec}`);
  const percentile = percentileOf(stat);
  if (percentile === undefined && !SIMPLE_STATS.has(stat)) throw new Error(`unsupported statistic: ${stat}`);
  const c = compile(profile);
  const timestamps: number[] = [];
  const values: number[] = [];
  // Skip straight to the first bucket that can hold data, and stop after the last.
  const dataStart = c.firstSlot * RAW_PERIOD_SECONDS;
  const dataEnd = c.endSlot * RAW_PERIOD_SECONDS;
  const to = Math.min(endSec, dataEnd);
  let bucket = startSec;
  if (dataStart > bucket) bucket += Math.floor((dataStart - bucket) / periodSec) * periodSec;
  for (; bucket < to; bucket += periodSec) {
    const bucketEnd = Math.min(bucket + periodSec, endSec);
    // A raw datapoint belongs to the bucket holding its timestamp.
    const fromSlot = Math.ceil(bucket / RAW_PERIOD_SECONDS);
    const toSlot = Math.ceil(bucketEnd / RAW_PERIOD_SECONDS);
    let value: number;
    if (percentile !== undefined) {
      const n = collect(profile, c, fromSlot, toSlot);
      if (n === 0) continue;
      value = selectPercentile(scratchValues, n, percentile);
    } else {
      const acc = simpleStats(profile, c, fromSlot, toSlot);
      if (acc.count === 0) continue;
      switch (stat) {
        case 'Average':
          value = acc.sum / acc.count;
          break;
        case 'Sum':
          value = acc.sum;
          break;
        case 'Minimum':
          value = acc.min;
          break;
        case 'Maximum':
          value = acc.max;
          break;
        default:
          value = acc.count;
      }
    }
    timestamps.push(bucket);
    values.push(value);
  }
  return { timestamps, values };
}

export interface MetricSummary {
  /** Raw datapoints in the window (0: no data, and the other fields are 0). */
  count: number;
  average: number;
  p95: number;
  max: number;
  min: number;
  sum: number;
}

/** Summary of the raw datapoints in [startSec, endSec): for ground truth and Trusted Advisor. */
export function summarise(profile: MetricProfile, startSec: number, endSec: number): MetricSummary {
  const c = compile(profile);
  const fromSlot = Math.ceil(startSec / RAW_PERIOD_SECONDS);
  const toSlot = Math.ceil(endSec / RAW_PERIOD_SECONDS);
  const acc = simpleStats(profile, c, fromSlot, toSlot);
  if (acc.count === 0) return { count: 0, average: 0, p95: 0, max: 0, min: 0, sum: 0 };
  const n = collect(profile, c, fromSlot, toSlot);
  return {
    count: acc.count,
    average: acc.sum / acc.count,
    p95: selectPercentile(scratchValues, n, 95),
    max: acc.max,
    min: acc.min,
    sum: acc.sum,
  };
}

/**
 * Daily values of a statistic for `days` UTC days starting at `startDay` (epoch day), one entry per
 * day (undefined where the day has no data) — what Trusted Advisor's "4 of the last 14 days" rules read.
 */
export function dailyValues(
  profile: MetricProfile,
  startDay: number,
  days: number,
  stat: MetricStatistic,
): (number | undefined)[] {
  const { timestamps, values } = aggregate(profile, startDay * DAY_SECONDS, (startDay + days) * DAY_SECONDS, DAY_SECONDS, stat);
  const out: (number | undefined)[] = new Array<number | undefined>(days).fill(undefined);
  timestamps.forEach((t, i) => (out[Math.round(t / DAY_SECONDS) - startDay] = values[i]));
  return out;
}

/**
 * Bounds no raw value of the profile can leave (before clamping to min/max): callers use them to
 * skip series that cannot meet a threshold without computing them.
 */
export function profileBounds(profile: MetricProfile): { min: number; max: number } {
  const c = compile(profile);
  const scales = [1, c.weekendFactor];
  const noise = Math.abs(c.noise);
  let lo = Infinity;
  let hi = -Infinity;
  for (const scale of scales) {
    for (const seasonal of [(c.base - Math.abs(c.amplitude)) * scale, (c.base + Math.abs(c.amplitude)) * scale]) {
      for (const factor of [1 - noise, 1 + noise]) {
        lo = Math.min(lo, seasonal * factor);
        hi = Math.max(hi, seasonal * factor);
      }
    }
  }
  const burst = profile.bursts && profile.bursts.perDay > 0 ? profile.bursts.height : 0;
  if (burst > 0) hi += burst;
  else lo += Math.min(0, burst);
  return { min: Math.min(Math.max(lo, c.min), c.max), max: Math.max(Math.min(hi, c.max), c.min) };
}

/** Forget cached day statistics (tests and benchmarks that want a cold start). */
export function clearMetricCache(): void {
  dayCache = new WeakMap();
  dayCacheBlocks = 0;
}
