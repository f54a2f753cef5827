/**
 * Holt–Winters exponential smoothing with a damped trend and additive weekly seasonality — the
 * ETS(A,Ad,A) model of Hyndman et al., "Forecasting with Exponential Smoothing" (2008) — fitted on
 * the log of daily cost when every day is positive (so seasonality and growth act multiplicatively,
 * as they do on a bill), on the raw values otherwise.
 *
 * State equations in innovations form, with one-step error e_t = y_t − (l + φb + s_{t−m}):
 *   l_t = l_{t−1} + φ b_{t−1} + α e_t,   b_t = φ b_{t−1} + β e_t,   s_t = s_{t−m} + γ e_t.
 * h-step forecast: l_n + (φ + … + φ^h) b_n + s_{n+h−m⌈h/m⌉}.
 * Prediction variance: σ² (1 + Σ_{j<h} c_j²), c_j = α + β (φ + … + φ^j) + γ [j mod m = 0].
 *
 * Robustness (Gelper, Fried & Croux, 2010): cost history has spikes. After a first fit, errors beyond
 * `clip` robust standard deviations are clipped before they update the states, and the parameters are
 * refitted under that rule, so one bad day neither drags the level nor widens every interval. The
 * clipped days are reported as outliers.
 *
 * Parameters (α, β, γ, φ) minimise the sum of squared (clipped) one-step errors by Nelder–Mead over a
 * logistic mapping that keeps them admissible: 0 < β < α < 1, 0 < γ < 1 − α, 0.8 ≤ φ ≤ 0.98.
 */
import { mean, median, nelderMead, normalQuantile, robustSigma } from './stats';

export interface HoltWintersOptions {
  /** Season length in observations; 7 for daily data with a weekly pattern. */
  period?: number;
  /** 'log' needs positive values; 'auto' (default) uses log when every value is positive. */
  transform?: 'auto' | 'log' | 'none';
  /** Clip errors beyond this many robust standard deviations (default 3); 0 turns robustness off. */
  clip?: number;
}

export interface HoltWintersModel {
  period: number;
  transform: 'log' | 'none';
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  /** States after the last observation (model scale). */
  level: number;
  trend: number;
  /** Seasonal state by position in the season: seasonals[t % period] applies to observation t. */
  seasonals: number[];
  /** Number of observations fitted. */
  n: number;
  /** Standard deviation of one-step errors on the model scale (clipped days excluded). */
  sigma: number;
  /** One-step predictions on the original scale, one per observation. */
  fitted: number[];
  /** One-step errors on the model scale (unclipped). */
  residuals: number[];
  /** Robust standard deviation of the residuals (model scale), what `clip` is measured in. */
  robustSigma: number;
  /** Indices whose error was clipped. */
  outliers: number[];
}

export interface HoltWintersForecast {
  /** Point forecasts (the median on the original scale), one per day ahead. */
  mean: number[];
  lower: number[];
  upper: number[];
  /** Central coverage of [lower, upper], e.g. 0.8. */
  level: number;
}

interface Params {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

function toParams(x: readonly number[]): Params {
  const alpha = 0.01 + 0.98 * logistic(x[0] as number);
  const beta = alpha * 0.5 * logistic(x[1] as number);
  const gamma = (1 - alpha) * 0.95 * logistic(x[2] as number);
  const phi = 0.8 + 0.18 * logistic(x[3] as number);
  return { alpha, beta, gamma, phi };
}

function fromParams(p: Params): number[] {
  return [
    logit((p.alpha - 0.01) / 0.98),
    logit(p.beta / (p.alpha * 0.5)),
    logit(p.gamma / ((1 - p.alpha) * 0.95)),
    logit((p.phi - 0.8) / 0.18),
  ];
}

interface InitialState {
  level: number;
  trend: number;
  seasonals: number[];
}

/** Initial states from the first few seasons: robust to a spike among them (medians). */
function initialState(y: readonly number[], m: number): InitialState {
  const seasons = Math.max(1, Math.min(4, Math.floor(y.length / m)));
  const means: number[] = [];
  for (let k = 0; k < seasons; k++) means.push(median(y.slice(k * m, (k + 1) * m)));
  const level = means[0] as number;
  const trend = seasons >= 2 ? ((means[seasons - 1] as number) - (means[0] as number)) / ((seasons - 1) * m) : 0;
  const seasonals = new Array<number>(m).fill(0);
  for (let j = 0; j < m; j++) {
    const deviations: number[] = [];
    for (let k = 0; k < seasons; k++) {
      const v = y[k * m + j];
      // Detrended against the season's centre, so growth does not leak into the weekday pattern.
      if (v !== undefined) deviations.push(v - ((means[k] as number) + trend * (j - (m - 1) / 2)));
    }
    seasonals[j] = deviations.length ? median(deviations) : 0;
  }
  const centre = mean(seasonals);
  // The level is the season's middle; start it where the first observation's season begins.
  return { level: level - trend * ((m - 1) / 2), trend, seasonals: seasonals.map((s) => s - centre) };
}

interface Run {
  sse: number;
  level: number;
  trend: number;
  seasonals: number[];
  predictions: number[];
  errors: number[];
  clipped: number[];
}

function run(y: readonly number[], m: number, init: InitialState, p: Params, clipAt: number): Run {
  const trend0 = init.trend;
  // Walk the initial level back one step so the first prediction is the initial level (plus its season).
  let level = init.level - p.phi * trend0;
  let trend = trend0;
  const seasonals = [...init.seasonals];
  const predictions = new Array<number>(y.length);
  const errors = new Array<number>(y.length);
  const clipped: number[] = [];
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const s = seasonals[t % m] as number;
    const prediction = level + p.phi * trend + s;
    const error = (y[t] as number) - prediction;
    predictions[t] = prediction;
    errors[t] = error;
    let e = error;
    if (clipAt > 0 && Math.abs(e) > clipAt) {
      e = Math.sign(e) * clipAt;
      clipped.push(t);
    }
    sse += e * e;
    const previousLevel = level;
    level = previousLevel + p.phi * trend + p.alpha * e;
    trend = p.phi * trend + p.beta * e;
    seasonals[t % m] = s + p.gamma * e;
  }
  return { sse, level, trend, seasonals, predictions, errors, clipped };
}

function fitParams(y: readonly number[], m: number, init: InitialState, clipAt: number, start: Params): Params {
  const objective = (x: number[]) => {
    const r = run(y, m, init, toParams(x), clipAt);
    return Number.isFinite(r.sse) ? r.sse : Number.MAX_VALUE;
  };
  let best = nelderMead(objective, fromParams(start), { step: 1, maxIterations: 400 });
  // A second start from a smoother corner guards against a poor local minimum.
  const other = nelderMead(objective, fromParams({ alpha: 0.05, beta: 0.005, gamma: 0.05, phi: 0.97 }), {
    step: 1,
    maxIterations: 400,
  });
  if (other.value < best.value) best = other;
  return toParams(best.x);
}

export function fitHoltWinters(values: readonly number[], options: HoltWintersOptions = {}): HoltWintersModel {
  const m = options.period ?? 7;
  if (values.length < 2 * m) throw new RangeError(`Holt–Winters needs at least ${2 * m} observations (got ${values.length})`);
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError('Holt–Winters needs finite values');
  const positive = values.every((v) => v > 0);
  const transform = options.transform === 'none' ? 'none' : options.transform === 'log' || positive ? 'log' : 'none';
  if (transform === 'log' && !positive) throw new RangeError('a log transform needs positive values');
  const y = transform === 'log' ? values.map(Math.log) : [...values];
  const init = initialState(y, m);
  const k = options.clip ?? 3;

  let params = fitParams(y, m, init, 0, { alpha: 0.2, beta: 0.01, gamma: 0.1, phi: 0.95 });
  let result = run(y, m, init, params, 0);
  let rs = robustSigma(result.errors.slice(m));
  if (k > 0 && rs > 0) {
    params = fitParams(y, m, init, k * rs, params);
    result = run(y, m, init, params, k * rs);
    // The robust scale of the refitted errors, and one more pass so the clip matches it.
    rs = robustSigma(result.errors.slice(m));
    result = run(y, m, init, params, k * rs);
  }
  const clipSet = new Set(result.clipped);
  const kept = result.errors.filter((_, t) => t >= m && !clipSet.has(t));
  const sigma = kept.length > 1 ? Math.sqrt(kept.reduce((s, e) => s + e * e, 0) / (kept.length - 1)) : rs;
  const back = (v: number) => (transform === 'log' ? Math.exp(v) : v);
  return {
    period: m,
    transform,
    ...params,
    level: result.level,
    trend: result.trend,
    seasonals: result.seasonals,
    n: values.length,
    sigma,
    fitted: result.predictions.map(back),
    residuals: result.errors,
    robustSigma: rs,
    outliers: result.clipped,
  };
}

/** Forecast `horizon` steps ahead with a central prediction interval at `level` (default 80%). */
export function forecastHoltWinters(model: HoltWintersModel, horizon: number, level = 0.8): HoltWintersForecast {
  const { period: m, phi, alpha, beta, gamma } = model;
  const z = normalQuantile(0.5 + level / 2);
  const back = (v: number) => (model.transform === 'log' ? Math.exp(v) : v);
  const mean: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  let phiSum = 0; // φ + … + φ^h
  let varianceSum = 0; // Σ_{j<h} c_j²
  let phiPower = 1;
  for (let h = 1; h <= horizon; h++) {
    phiPower *= phi;
    phiSum += phiPower;
    const s = model.seasonals[(model.n + h - 1) % m] as number;
    const point = model.level + phiSum * model.trend + s;
    const sd = model.sigma * Math.sqrt(1 + varianceSum);
    mean.push(back(point));
    lower.push(back(point - z * sd));
    upper.push(back(point + z * sd));
    // c_h for the next step's variance.
    const c = alpha + beta * phiSum + (h % m === 0 ? gamma : 0);
    varianceSum += c * c;
  }
  return { mean, lower, upper, level };
}

/**
 * Sample paths of the fitted model (Gaussian innovations from a seeded generator): for intervals of
 * sums (a month's total), where the days' errors are correlated through the states. Each path's total
 * covers steps from + 1 … horizon.
 */
export function simulateTotals(model: HoltWintersModel, horizon: number, paths = 2000, seed = 1, from = 0): number[] {
  const random = gaussian(seed);
  const totals: number[] = [];
  const m = model.period;
  for (let p = 0; p < paths; p++) {
    let level = model.level;
    let trend = model.trend;
    const seasonals = [...model.seasonals];
    let total = 0;
    for (let h = 1; h <= horizon; h++) {
      const index = (model.n + h - 1) % m;
      const s = seasonals[index] as number;
      const e = model.sigma * random();
      const y = level + model.phi * trend + s + e;
      if (h > from) total += model.transform === 'log' ? Math.exp(y) : y;
      level = level + model.phi * trend + model.alpha * e;
      trend = model.phi * trend + model.beta * e;
      seasonals[index] = s + model.gamma * e;
    }
    totals.push(total);
  }
  return totals;
}

/** Standard normal draws from a seeded mulberry32 generator (Box–Muller): deterministic. */
function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const u = Math.max(uniform(), 1e-12);
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
