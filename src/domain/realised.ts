/**
 * Realised savings: what a finding marked done actually saved, measured from the resource's own daily
 * cost (Cost Explorer's resource-level data, the last 14 days). Pure functions.
 *
 * The day the fix took effect is not recorded anywhere AWS can tell us, and people mark a finding done
 * after (sometimes well after) fixing it. So the series is split where it best fits a step down (least
 * squares over every split with at least one day each side): the mean daily cost before the step, less
 * the mean after it, as a monthly rate (365/12 days), is the realised saving.
 *   - Every day zero: the resource is gone for the whole window (deleted more than the window ago); its
 *     absence realised the estimate, which is the only figure left ('absence').
 *   - After the step zero: stopped or deleted within the window ('absence', measured from its cost before).
 *   - After the step lower but not zero: resized ('resource-cost').
 *   - No step down of at least MIN_DROP: nothing realised yet ('resource-cost', $0).
 */
import Big from 'big.js';
import type { RealisedSaving } from './finding-states';
import { formatUsd } from './money';

export interface DailyCost {
  date: string;
  /** USD, decimal string. */
  amount: string;
}

const DAYS_PER_MONTH = new Big(365).div(12);

/**
 * A step down smaller than this share of the cost before is not a fix: monthly-priced storage costs a
 * little less a day in a 31-day month than in a 30-day one (and 10% less in March than in February).
 */
export const MIN_DROP = 0.15;

export function measureRealised(series: readonly DailyCost[], estimatedMonthlySavings: string): RealisedSaving | undefined {
  const days = [...series].sort((a, b) => a.date.localeCompare(b.date));
  const n = days.length;
  if (n === 0) return undefined;
  const values = days.map((d) => Number(d.amount));
  if (values.every((v) => v === 0)) {
    return {
      monthlySavings: new Big(estimatedMonthlySavings).toString(),
      method: 'absence',
      evidence: `no cost for the resource on any of the last ${n} days of resource-level data: it is gone, so the estimate is taken as realised`,
      daysBefore: 0,
      daysAfter: n,
    };
  }
  const split = bestDrop(values);
  if (split === undefined) {
    const mean = meanOf(days);
    return {
      monthlySavings: '0',
      method: 'resource-cost',
      evidence: `no drop in the resource's daily cost: ${formatUsd(round(mean, 4))} a day over ${n} days`,
      daysBefore: 0,
      daysAfter: n,
    };
  }
  const before = meanOf(days.slice(0, split));
  const after = meanOf(days.slice(split));
  const gone = values.slice(split).every((v) => v === 0);
  return {
    monthlySavings: round(before.minus(after).times(DAYS_PER_MONTH), 2),
    method: gone ? 'absence' : 'resource-cost',
    evidence: `${formatUsd(round(before, 4))} a day over ${split} day(s) before ${days[split]!.date}, ${formatUsd(round(after, 4))} a day over ${n - split} day(s) from it${gone ? ' (no cost: stopped or deleted)' : ''}`,
    daysBefore: split,
    daysAfter: n - split,
  };
}

/** The split k (1..n-1) of the best-fitting step down, or undefined when no step goes down. */
function bestDrop(values: readonly number[]): number | undefined {
  let best: { k: number; sse: number } | undefined;
  for (let k = 1; k < values.length; k++) {
    const left = values.slice(0, k);
    const right = values.slice(k);
    const ml = left.reduce((s, v) => s + v, 0) / left.length;
    const mr = right.reduce((s, v) => s + v, 0) / right.length;
    if (!(mr < ml)) continue;
    const sse = left.reduce((s, v) => s + (v - ml) ** 2, 0) + right.reduce((s, v) => s + (v - mr) ** 2, 0);
    if (!best || sse < best.sse - 1e-12) best = { k, sse };
  }
  if (!best) return undefined;
  const before = values.slice(0, best.k).reduce((s, v) => s + v, 0) / best.k;
  const after = values.slice(best.k).reduce((s, v) => s + v, 0) / (values.length - best.k);
  return before - after >= before * MIN_DROP ? best.k : undefined;
}

function meanOf(days: readonly DailyCost[]): Big {
  return days.reduce((s, d) => s.plus(d.amount), new Big(0)).div(days.length);
}

function round(value: Big, places: number): string {
  return value.round(places, Big.roundHalfUp).toString();
}
