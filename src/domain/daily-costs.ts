/**
 * Daily cost by up to two Cost Explorer dimensions, and the rules for deriving a coarser grouping from
 * a finer one: the Cost Explorer request plan (src/activities/cost-reads.ts) reads each grouping once and
 * cuts every other view from it. Pure functions.
 *
 * Dimensions are kept in one canonical order, so [REGION, LINKED_ACCOUNT] and [LINKED_ACCOUNT, REGION]
 * are the same grouping; a group's key is its dimension values in that order, joined with "|".
 */
import Big from 'big.js';
import { addDays } from './period';

export const COST_DIMENSIONS = ['SERVICE', 'LINKED_ACCOUNT', 'REGION', 'USAGE_TYPE'] as const;
export type CostDimension = (typeof COST_DIMENSIONS)[number];

/**
 * A day's cost is "settled" — the cross-analysis cache may keep it — once this many days have passed
 * since it ended and Cost Explorer no longer marks it Estimated. Cost Explorer refreshes a day's cost
 * several times a day for about 24–48 hours after it ends; three days leaves a margin. (Month-close
 * items — fees, credits, refunds — are posted as new lines on their own day, not by rewriting old ones.)
 */
export const SETTLED_AFTER_DAYS = 3;

/** Days of daily history the forecasting agent fits (26 weeks); the spend reads cover it too. */
export const FORECAST_HISTORY_DAYS = 182;

export interface DailyCosts {
  dimensions: CostDimension[];
  unit: string;
  /** day → group key (dimension values in canonical order, joined with "|") → amount (decimal string). */
  byDay: Record<string, Record<string, string>>;
  /** Days Cost Explorer still marks as estimated. */
  estimatedDays: string[];
}

export function canonicalDimensions(dimensions: readonly CostDimension[]): CostDimension[] {
  return COST_DIMENSIONS.filter((d) => dimensions.includes(d));
}

/**
 * Whether a grouping by `source` can be cut down to `target`: every target dimension is in the source,
 * or is LINKED_ACCOUNT of a single-account read (whose every line is that account's).
 */
export function derives(source: readonly CostDimension[], target: readonly CostDimension[], accounts: readonly string[]): boolean {
  return target.every((d) => source.includes(d) || (d === 'LINKED_ACCOUNT' && accounts.length === 1));
}

/** One day's groups of `source` summed into `target`'s groups (exact decimal sums). */
export function projectGroups(
  groups: Readonly<Record<string, string>>,
  source: readonly CostDimension[],
  target: readonly CostDimension[],
  accounts: readonly string[],
): Record<string, string> {
  const src = canonicalDimensions(source);
  const tgt = canonicalDimensions(target);
  if (src.length === tgt.length && src.every((d, i) => d === tgt[i])) return { ...groups };
  const sums = new Map<string, Big>();
  for (const [key, amount] of Object.entries(groups)) {
    const parts = key.split('|');
    const projected = tgt
      .map((d) => {
        const i = src.indexOf(d);
        return i >= 0 ? (parts[i] ?? '') : (accounts[0] ?? '');
      })
      .join('|');
    sums.set(projected, (sums.get(projected) ?? new Big(0)).plus(amount));
  }
  return Object.fromEntries([...sums].map(([k, v]) => [k, v.toString()]));
}

/**
 * Projections already made of a read, by target and accounts. Every agent of an analysis cuts its spend
 * from the same shared read object (tens of thousands of groups on a large organisation): the cut is made
 * once. Reads are never changed once made, so a projection stays valid as long as its read lives.
 */
const projections = new WeakMap<DailyCosts, Map<string, DailyCosts>>();

/** A daily read cut down to a coarser grouping (the result is shared: treat it as read-only, like the read). */
export function projectDailyCosts(costs: DailyCosts, target: readonly CostDimension[], accounts: readonly string[]): DailyCosts {
  const key = `${canonicalDimensions(target).join('+')}/${accounts.join(',')}`;
  let made = projections.get(costs);
  const known = made?.get(key);
  if (known) return known;
  const byDay: DailyCosts['byDay'] = {};
  for (const [day, groups] of Object.entries(costs.byDay)) byDay[day] = projectGroups(groups, costs.dimensions, target, accounts);
  const projected: DailyCosts = { dimensions: canonicalDimensions(target), unit: costs.unit, byDay, estimatedDays: [...costs.estimatedDays] };
  if (!made) projections.set(costs, (made = new Map<string, DailyCosts>()));
  made.set(key, projected);
  return projected;
}

/** Days whose cost the cross-analysis cache may keep, judged on `today` (the reading clock's day). */
export function isSettled(day: string, today: string, estimated: boolean): boolean {
  return !estimated && day <= addDays(today, -SETTLED_AFTER_DAYS);
}

/** The smallest span covering every day in `days` (sorted), or undefined when there is none. */
export function coveringSpan(days: readonly string[]): { start: string; end: string } | undefined {
  if (days.length === 0) return undefined;
  const sorted = [...days].sort();
  return { start: sorted[0] as string, end: addDays(sorted[sorted.length - 1] as string, 1) };
}
