/**
 * Unusual days in a daily cost series, and what moved.
 *
 * Detection: the robust Holt–Winters model (forecast/holt-winters.ts) is run over the whole history;
 * each day's one-step error is measured in robust standard deviations of all errors. A day is anomalous
 * when its cost is above the model's expectation by more than `threshold` of them (4 by default: a
 * false alarm about once in 30,000 normal days) and by at least `minImpact` dollars. Consecutive
 * anomalous days form one anomaly; one that lasts longer than `levelShiftDays` is reported as a level
 * shift (a new workload, not a spike), and so is one whose following week stays up on the week before it
 * (the model has absorbed the new level); anomalous days at most `maxGapDays` apart are one anomaly. Cost drops are not anomalies here (as in Cost Anomaly Detection).
 * Clipped errors keep a spike from dragging the model, so the days after it are judged fairly.
 *
 * Explanation: for each anomaly, each dimension's keys (service, account, region, usage type) are
 * compared with their own baseline — the same weekday in the two weeks before, anomalous days left
 * out — and the keys whose cost rose most are its drivers, with their share of the rise.
 */
import { fitHoltWinters } from './forecast/holt-winters';
import { median, round } from './forecast/stats';
import { addDays, toEpochDay } from './period';

export interface AnomalyOptions {
  /** Robust standard deviations above expectation (default 4). */
  threshold?: number;
  /** Smallest excess in dollars for a day to count (default: 2% of the median day, at least $1). */
  minImpact?: number;
  /** Days at the start the model is still learning (default 14). */
  warmupDays?: number;
  /** An anomaly spanning more days than this is a level shift (default 7). */
  levelShiftDays?: number;
  /** Anomalous days at most this many normal days apart are one anomaly (default 2: a weekend). */
  maxGapDays?: number;
}

export interface DetectedAnomaly {
  /** First and last day, inclusive. */
  start: string;
  end: string;
  /** Anomalous days between start and end (a weekend in between may be normal). */
  days: number;
  /** Cost on those days, what the model expected, and the difference (USD, rounded to cents). */
  actual: string;
  expected: string;
  impact: string;
  impactPct: number;
  /** Largest error in robust standard deviations. */
  score: number;
  kind: 'spike' | 'level-shift';
  /** Set when the anomaly was seen in one service's cost rather than in the total. */
  service?: string;
  drivers?: AnomalyDriver[];
  /** Cost Anomaly Detection's anomaly covering the same days, when it saw one. */
  costExplorerAnomalyId?: string;
}

export type DriverDimension = 'service' | 'account' | 'region' | 'usage-type';

export interface AnomalyDriver {
  dimension: DriverDimension;
  /** The service, account ID, region or usage type (data from AWS: shown as text, never interpreted). */
  key: string;
  actual: string;
  expected: string;
  /** actual − expected over the anomaly's days. */
  delta: string;
  /** Share of the anomaly's rise in this dimension that this key explains, 0..1. */
  share: number;
}

export interface DimensionBreakdown {
  dimension: DriverDimension;
  /** date → key → cost. */
  byDay: Record<string, Record<string, number>>;
}

const cents = (x: number) => x.toFixed(2);

export function detectAnomalies(
  dates: readonly string[],
  values: readonly number[],
  options: AnomalyOptions = {},
): DetectedAnomaly[] {
  if (dates.length !== values.length) throw new RangeError('dates and values differ in length');
  if (values.length < 28) return [];
  const threshold = options.threshold ?? 4;
  const warmup = options.warmupDays ?? 14;
  const levelShiftDays = options.levelShiftDays ?? 7;
  const maxGap = options.maxGapDays ?? 2;
  const minImpact = options.minImpact ?? Math.max(1, 0.02 * median(values.filter((v) => v > 0)));
  // Zero days (a new account, a gap) would break the log model: lift them to a small positive floor.
  const floor = Math.max(0.01, 1e-3 * median(values.filter((v) => v > 0)));
  const model = fitHoltWinters(
    values.map((v) => Math.max(v, floor)),
    { period: 7 },
  );
  const scale = model.robustSigma > 0 ? model.robustSigma : model.sigma;
  if (!(scale > 0)) return [];

  const flagged: { index: number; z: number }[] = [];
  for (let t = warmup; t < values.length; t++) {
    const z = (model.residuals[t] as number) / scale;
    const excess = (values[t] as number) - (model.fitted[t] as number);
    if (z > threshold && excess >= minImpact) flagged.push({ index: t, z });
  }
  // A jump the model has since absorbed is still a level shift if the week after stays up on the week before.
  const weekMean = (a: number, b: number) => {
    const slice = values.slice(Math.max(0, a), Math.min(values.length, b));
    return slice.length === 7 ? slice.reduce((x, y) => x + y, 0) / 7 : undefined;
  };
  const persists = (from: number, to: number, relativeImpact: number): boolean => {
    const before = weekMean(from - 7, from);
    const after = weekMean(to + 1, to + 8);
    if (before === undefined || after === undefined || before <= 0) return false;
    return after / before - 1 >= Math.max(0.5 * relativeImpact, 4 * scale);
  };
  const anomalies: DetectedAnomaly[] = [];
  let i = 0;
  while (i < flagged.length) {
    let j = i;
    // Runs a weekend apart are one event (a weekday workload that started, for instance).
    while (
      j + 1 < flagged.length &&
      (flagged[j + 1] as { index: number }).index - (flagged[j] as { index: number }).index <= maxGap + 1
    )
      j++;
    const run = flagged.slice(i, j + 1);
    const from = (run[0] as { index: number }).index;
    const to = (run[run.length - 1] as { index: number }).index;
    let actual = 0;
    let expected = 0;
    for (const { index } of run) {
      actual += values[index] as number;
      expected += model.fitted[index] as number;
    }
    anomalies.push({
      start: dates[from] as string,
      end: dates[to] as string,
      days: run.length,
      actual: cents(actual),
      expected: cents(expected),
      impact: cents(actual - expected),
      impactPct: expected > 0 ? round(((actual - expected) / expected) * 100, 1) : 0,
      score: round(Math.max(...run.map((r) => r.z)), 1),
      kind: to - from + 1 > levelShiftDays || persists(from, to, (actual - expected) / expected) ? 'level-shift' : 'spike',
    });
    i = j + 1;
  }
  return anomalies;
}

/**
 * The keys that moved most during an anomaly, per dimension: top `top` rises against each key's own
 * baseline (same weekday over the `baselineDays` before the anomaly, skipping `skipDays`).
 */
export function explainAnomaly(
  anomaly: { start: string; end: string },
  breakdowns: readonly DimensionBreakdown[],
  options: { baselineDays?: number; top?: number; skipDays?: ReadonlySet<string> } = {},
): AnomalyDriver[] {
  const baselineDays = options.baselineDays ?? 14;
  const top = options.top ?? 3;
  const skip = options.skipDays ?? new Set<string>();
  const windowDays: string[] = [];
  for (let d = anomaly.start; d <= anomaly.end; d = addDays(d, 1)) windowDays.push(d);
  const baseline: string[] = [];
  for (let k = baselineDays; k >= 1; k--) {
    const d = addDays(anomaly.start, -k);
    if (!skip.has(d)) baseline.push(d);
  }
  const weekday = (d: string) => (((toEpochDay(d) + 4) % 7) + 7) % 7;
  const drivers: AnomalyDriver[] = [];
  for (const { dimension, byDay } of breakdowns) {
    const keys = new Set<string>();
    for (const d of [...windowDays, ...baseline]) for (const k of Object.keys(byDay[d] ?? {})) keys.add(k);
    const rows: { key: string; actual: number; expected: number; delta: number }[] = [];
    for (const key of keys) {
      const value = (d: string) => byDay[d]?.[key] ?? 0;
      let actual = 0;
      let expected = 0;
      for (const d of windowDays) {
        actual += value(d);
        const same = baseline.filter((b) => weekday(b) === weekday(d));
        const pool = same.length > 0 ? same : baseline;
        expected += pool.length > 0 ? pool.reduce((s, b) => s + value(b), 0) / pool.length : 0;
      }
      rows.push({ key, actual, expected, delta: actual - expected });
    }
    const rise = rows.reduce((s, r) => s + Math.max(0, r.delta), 0);
    rows
      .filter((r) => r.delta > 0)
      .sort((a, b) => b.delta - a.delta || a.key.localeCompare(b.key))
      .slice(0, top)
      .forEach((r) =>
        drivers.push({
          dimension,
          key: r.key,
          actual: cents(r.actual),
          expected: cents(r.expected),
          delta: cents(r.delta),
          share: rise > 0 ? round(r.delta / rise, 3) : 0,
        }),
      );
  }
  return drivers;
}

/**
 * Anomalies of the total and of each service (as Cost Anomaly Detection's default monitor watches
 * services): a service's anomaly that overlaps one of the total's is the same event and is dropped; the
 * others — too small to move the total — are kept with their service. Services below `minShare` of the
 * spend are not watched; a service's anomaly must still be worth `minImpact` dollars (default: half a
 * percent of the median total day).
 */
export function detectAllAnomalies(
  dates: readonly string[],
  total: readonly number[],
  byService: ReadonlyMap<string, readonly number[]>,
  options: AnomalyOptions & { minShare?: number } = {},
): DetectedAnomaly[] {
  const found = detectAnomalies(dates, total, options);
  const sum = total.reduce((a, b) => a + b, 0);
  const minImpact = options.minImpact ?? Math.max(1, 0.005 * median(total.filter((v) => v > 0)));
  const overlaps = (a: DetectedAnomaly, b: DetectedAnomaly) => a.start <= b.end && b.start <= a.end;
  for (const [service, values] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    const share = values.reduce((a, b) => a + b, 0) / (sum || 1);
    if (share < (options.minShare ?? 0.01) || values.filter((v) => v > 0).length < 28) continue;
    for (const anomaly of detectAnomalies(dates, values, { ...options, minImpact })) {
      if (found.some((f) => overlaps(f, anomaly))) continue;
      found.push({ ...anomaly, service });
    }
  }
  return found.sort((a, b) => a.start.localeCompare(b.start) || (a.service ?? '').localeCompare(b.service ?? ''));
}

/** A Cost Anomaly Detection result, compacted for the report. */
export interface CostExplorerAnomaly {
  id: string;
  start: string;
  end?: string;
  /** The monitored dimension's value (for the default monitor: the service). */
  dimensionValue?: string;
  totalImpact: number;
  impactPct?: number;
  rootCauses: { service?: string; account?: string; region?: string; usageType?: string; contribution?: number }[];
  /** Our anomaly covering the same days, if any. */
  matched: boolean;
}

/** Pair our anomalies with Cost Explorer's: any overlap of days (allowing one day of slack) is a match. */
export function matchAnomalies(ours: DetectedAnomaly[], theirs: CostExplorerAnomaly[]): void {
  for (const c of theirs) {
    const cEnd = c.end ?? c.start;
    const match = ours.find((a) => a.start <= addDays(cEnd, 1) && addDays(a.end, 1) >= c.start);
    if (match) {
      c.matched = true;
      match.costExplorerAnomalyId ??= c.id;
    }
  }
}
