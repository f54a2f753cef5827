/**
 * Small statistics helpers for the forecasting and anomaly code: plain numbers, no dependencies.
 */

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Linear-interpolated quantile (type 7, as R's default) of unsorted values; q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  return a + (b - a) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median absolute deviation scaled to estimate a normal standard deviation (× 1.4826). */
export function robustSigma(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

/**
 * The standard normal quantile function (Acklam's rational approximation, relative error < 1.2e-9),
 * e.g. normalQuantile(0.9) = 1.2816 for the upper bound of an 80% central interval.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1 (got ${p})`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (coef: number[], x: number) => coef.reduce((acc, k) => acc * x + k, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** Mean absolute percentage error, in percent, over the pairs whose actual value is not zero. */
export function mape(actual: readonly number[], predicted: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < Math.min(actual.length, predicted.length); i++) {
    const a = actual[i] as number;
    if (a === 0) continue;
    sum += Math.abs((a - (predicted[i] as number)) / a);
    n++;
  }
  return n === 0 ? NaN : (sum / n) * 100;
}

/** Share of actual values inside [lower, upper], 0..1. */
export function coverage(actual: readonly number[], lower: readonly number[], upper: readonly number[]): number {
  const n = Math.min(actual.length, lower.length, upper.length);
  if (n === 0) return NaN;
  let inside = 0;
  for (let i = 0; i < n; i++) {
    const a = actual[i] as number;
    if (a >= (lower[i] as number) && a <= (upper[i] as number)) inside++;
  }
  return inside / n;
}

/** Round for reports: a fixed number of decimals, as a number. */
export function round(value: number, decimals = 2): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * Nelder–Mead minimisation of `f` from `start` (unconstrained: callers map bounded parameters through
 * a logistic). Deterministic; stops after `maxIterations` or when the simplex's values agree to `tolerance`.
 */
export function nelderMead(
  f: (x: number[]) => number,
  start: readonly number[],
  options: { step?: number; maxIterations?: number; tolerance?: number } = {},
): { x: number[]; value: number } {
  const n = start.length;
  const step = options.step ?? 0.5;
  const maxIterations = options.maxIterations ?? 200 * n;
  const tolerance = options.tolerance ?? 1e-9;
  let simplex: { x: number[]; value: number }[] = [{ x: [...start], value: f([...start]) }];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] = (x[i] as number) + step;
    simplex.push({ x, value: f(x) });
  }
  const combine = (a: number[], b: number[], t: number) => a.map((v, i) => v + t * ((b[i] as number) - v));
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    simplex.sort((p, q) => p.value - q.value);
    const best = simplex[0] as { x: number[]; value: number };
    const worst = simplex[n] as { x: number[]; value: number };
    if (Math.abs(worst.value - best.value) <= tolerance * (Math.abs(best.value) + tolerance)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) centroid[j] = (centroid[j] as number) + (simplex[i]!.x[j] as number) / n;
    const reflected = combine(centroid, worst.x, -1);
    const fr = f(reflected);
    if (fr < best.value) {
      const expanded = combine(centroid, worst.x, -2);
      const fe = f(expanded);
      simplex[n] = fe < fr ? { x: expanded, value: fe } : { x: reflected, value: fr };
      continue;
    }
    if (fr < (simplex[n - 1] as { value: number }).value) {
      simplex[n] = { x: reflected, value: fr };
      continue;
    }
    const contracted = fr < worst.value ? combine(centroid, reflected, 0.5) : combine(centroid, worst.x, 0.5);
    const fc = f(contracted);
    if (fc < Math.min(fr, worst.value)) {
      simplex[n] = { x: contracted, value: fc };
      continue;
    }
    simplex = simplex.map((p, i) => {
      if (i === 0) return p;
      const x = combine(best.x, p.x, 0.5);
      return { x, value: f(x) };
    });
  }
  simplex.sort((p, q) => p.value - q.value);
  return simplex[0] as { x: number[]; value: number };
}
