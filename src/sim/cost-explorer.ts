/**
 * Cost Explorer (ce, awsJson1_1, X-Amz-Target AWSInsightsIndexService.<Operation>) over a scenario.
 *
 * GetCostAndUsage follows AWS's semantics:
 * - TimePeriod {Start, End}: dates, End exclusive, Start < End. Start may go back to the first day
 *   of the month 13 months before the anchor month (13 months plus the current month: "14
 *   months"), must not be after the anchor date, and End may not pass the first day of the next
 *   month. Days without usage are answered with zero totals (or no groups).
 * - Granularity DAILY or MONTHLY (MONTHLY periods are cut at the request's Start and End).
 *   HOURLY needs the hourly-data opt-in, which the sample account has not made.
 * - Metrics: AmortizedCost, BlendedCost, NetAmortizedCost, NetUnblendedCost, NormalizedUsageAmount,
 *   UnblendedCost, UsageQuantity. The sample account has no RIs, Savings Plans or credits, so all
 *   cost metrics are equal. UsageQuantity's unit is the lines' unit when they share one, else "N/A".
 * - GroupBy: up to two of DIMENSION (SERVICE, LINKED_ACCOUNT, REGION, USAGE_TYPE, INSTANCE_TYPE,
 *   OPERATION, RECORD_TYPE, PURCHASE_TYPE, LEGAL_ENTITY_NAME, INVOICING_ENTITY), TAG (keys
 *   "Key$value", untagged "Key$") and COST_CATEGORY (the sample account has none: "Name$").
 * - Filter: an Expression with exactly one of And / Or (>= 2 operands) / Not / Dimensions / Tags /
 *   CostCategories. MatchOptions: Dimensions EQUALS, CASE_SENSITIVE; Tags and CostCategories
 *   EQUALS, ABSENT, CASE_SENSITIVE. A tag value "" matches resources without the tag.
 * - Pagination: results are cut after `pageSize` groups (an ungrouped period counts as one), so
 *   one period's groups may continue on the next page under the same TimePeriod, as AWS does.
 *   NextPageToken is only present when there is more; a token from a different request is refused
 *   with RequestChangedException, a garbled one with InvalidNextTokenException.
 * - Periods ending on or after the day before the anchor date are Estimated.
 *
 * GetCostAndUsageWithResources is the same over the last 14 days only (resource-level data), with a
 * required Filter, and RESOURCE_ID available as a filter and group dimension (lines without a
 * resource: "NoResourceId").
 *
 * The other operations (forecast, recommendations, anomalies, tags) live in services/ce-*.ts.
 */
import { createHash } from 'node:crypto';
import { ExactSum, roundUsage } from './cost-store';
import { addDays, addMonths, isIsoDate, monthStart, toEpochDay } from './dates';
import { formatScaled, toScaled } from './decimal';
import { validationError } from './errors';
import type { JsonObject, JsonServiceDefinition } from './protocols/json';
import type { Scenario } from './scenario';
import {
  METRICS,
  GRANULARITIES,
  compileFilter,
  compileGroupBy,
  instanceTypeOf,
  isAbsent,
  makePageToken,
  normalizationFactor,
  readObject,
  readPageToken,
  readString,
  readStringList,
  type CeLine,
  type DimensionContext,
  type GroupDefinition,
  type KeyFunction,
  type Metric,
  type Predicate,
} from './services/ce-input';
import { costExplorerExtraOperations } from './services/ce-operations';

export const COST_EXPLORER_TARGET_PREFIX = 'AWSInsightsIndexService';
/** AWS does not publish Cost Explorer's page size; this is the simulator's default, in groups. */
export const DEFAULT_COST_EXPLORER_PAGE_SIZE = 1000;
/** Resource-level data covers the last 14 days. */
export const RESOURCE_DATA_DAYS = 14;

export interface CostExplorerOptions {
  /** Groups per GetCostAndUsage page (an ungrouped period counts as one). */
  pageSize?: number;
}

// ---------------------------------------------------------------------------------------------
// Response types (the wire shapes, as the SDK's GetCostAndUsageResponse)
// ---------------------------------------------------------------------------------------------

export interface MetricValue {
  Amount: string;
  Unit: string;
}

export interface ResultByTime {
  TimePeriod: { Start: string; End: string };
  Total: Record<string, MetricValue>;
  Groups: Array<{ Keys: string[]; Metrics: Record<string, MetricValue> }>;
  Estimated: boolean;
}

export interface GetCostAndUsageOutput {
  GroupDefinitions?: Array<{ Type: string; Key: string }>;
  ResultsByTime: ResultByTime[];
  DimensionValueAttributes: Array<{ Value: string; Attributes: Record<string, string> }>;
  NextPageToken?: string;
}

// ---------------------------------------------------------------------------------------------
// Computing results from the cost store
// ---------------------------------------------------------------------------------------------

interface Accumulator {
  keys: string[];
  cost: ExactSum;
  usage: number;
  normalized: number;
  /** undefined: no usage unit seen yet; null: mixed units. */
  unit: string | null | undefined;
}

export interface Period {
  start: string;
  end: string;
  startDay: number;
  endDay: number;
}

/** One page item: a group of a period, or a period without groups. */
interface Item {
  period: number;
  group?: Accumulator;
}

interface Computed {
  periods: Period[];
  totals: Accumulator[];
  items: Item[];
}

interface ParsedRequest {
  start: string;
  end: string;
  granularity: 'DAILY' | 'MONTHLY';
  metrics: Metric[];
  filter?: Predicate;
  groupDefinitions: GroupDefinition[];
  groupKeys: KeyFunction[];
  nextPageToken?: string;
  fingerprint: string;
  withResources: boolean;
}

export class CostExplorerSimulator {
  readonly pageSize: number;
  private readonly cache = new Map<string, Computed>();
  readonly accountNames: Map<string, string>;

  constructor(
    readonly scenario: Scenario,
    options: CostExplorerOptions = {},
  ) {
    const pageSize = options.pageSize ?? DEFAULT_COST_EXPLORER_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1)
      throw new RangeError(`pageSize must be a positive integer (got ${pageSize})`);
    this.pageSize = pageSize;
    this.accountNames = new Map(scenario.accounts.map((a) => [a.id, a.name]));
  }

  getCostAndUsage(input: JsonObject): GetCostAndUsageOutput {
    return this.answer(this.parse(input, false));
  }

  getCostAndUsageWithResources(input: JsonObject): GetCostAndUsageOutput {
    return this.answer(this.parse(input, true));
  }

  private answer(request: ParsedRequest): GetCostAndUsageOutput {
    const computed = this.compute(request);
    let offset = 0;
    if (request.nextPageToken !== undefined)
      offset = readPageToken(request.nextPageToken, request.fingerprint, computed.items.length);
    const pageItems = computed.items.slice(offset, offset + this.pageSize);
    const nextOffset = offset + pageItems.length;
    const grouped = request.groupDefinitions.length > 0;

    const results: ResultByTime[] = [];
    const accountsOnPage = new Set<string>();
    const linkedAccountPosition = request.groupDefinitions.findIndex((d) => d.Type === 'DIMENSION' && d.Key === 'LINKED_ACCOUNT');
    for (const item of pageItems) {
      const period = computed.periods[item.period] as Period;
      let result = results[results.length - 1];
      if (!result || result.TimePeriod.Start !== period.start) {
        result = {
          TimePeriod: { Start: period.start, End: period.end },
          Total: grouped ? {} : metricValues(computed.totals[item.period] as Accumulator, request.metrics),
          Groups: [],
          Estimated: this.isEstimated(period),
        };
        results.push(result);
      }
      if (item.group) {
        result.Groups.push({ Keys: item.group.keys, Metrics: metricValues(item.group, request.metrics) });
        if (linkedAccountPosition >= 0) accountsOnPage.add(item.group.keys[linkedAccountPosition] as string);
      }
    }

    const output: GetCostAndUsageOutput = {
      ...(grouped ? { GroupDefinitions: request.groupDefinitions.map((d) => ({ Type: d.Type, Key: d.Key })) } : {}),
      ResultsByTime: results,
      DimensionValueAttributes: [...accountsOnPage].sort().map((id) => ({
        Value: id,
        Attributes: { description: this.accountNames.get(id) ?? id },
      })),
    };
    if (nextOffset < computed.items.length) output.NextPageToken = makePageToken(nextOffset, request.fingerprint);
    return output;
  }

  private isEstimated(period: Period): boolean {
    // The last two days (the day before the anchor, and the anchor day) are not final yet.
    return period.endDay > toEpochDay(this.scenario.anchorDate) - 1;
  }

  private parse(input: JsonObject, withResources: boolean): ParsedRequest {
    const ctx: DimensionContext = { accountNames: this.accountNames, withResources };
    const { start, end } = parseTimePeriod(input, this.scenario.anchorDate, { hourlyAllowed: false, granularity: true });
    const granularity = readString(input['Granularity'], 'Granularity') as 'DAILY' | 'MONTHLY';
    const anchor = this.scenario.anchorDate;
    if (withResources) {
      const earliest = addDays(anchor, -(RESOURCE_DATA_DAYS - 1));
      if (start < earliest) {
        throw validationError(
          `start date is too old: resource-level data covers the last ${RESOURCE_DATA_DAYS} days, so Start must be on or after ${earliest} (got ${start}).`,
        );
      }
      if (isAbsent(input['Filter'])) {
        throw validationError(
          'Filter is required for GetCostAndUsageWithResources: filter by at least one dimension (e.g. SERVICE).',
        );
      }
    }
    const metrics = readStringList(input['Metrics'], 'Metrics') as string[];
    if (metrics.length === 0) throw validationError('Metrics must contain at least one metric.');
    const invalid = metrics.filter((m) => !(METRICS as readonly string[]).includes(m));
    if (invalid.length > 0) {
      throw validationError(`Invalid metric(s): ${invalid.join(', ')}. Valid values are ${METRICS.join(', ')}.`);
    }

    const filter = isAbsent(input['Filter']) ? undefined : compileFilter(input['Filter'], 'Filter', ctx);
    const group = compileGroupBy(input['GroupBy'], ctx);
    const nextPageToken = readString(input['NextPageToken'], 'NextPageToken');
    readString(input['BillingViewArn'], 'BillingViewArn');

    const fingerprint = createHash('sha256')
      .update(JSON.stringify([withResources, start, end, granularity, metrics, input['Filter'] ?? null, group.definitions]))
      .digest('hex')
      .slice(0, 24);
    return {
      start,
      end,
      granularity,
      metrics: [...new Set(metrics)] as Metric[],
      ...(filter ? { filter } : {}),
      groupDefinitions: group.definitions,
      groupKeys: group.keys,
      ...(nextPageToken !== undefined ? { nextPageToken } : {}),
      fingerprint,
      withResources,
    };
  }

  private compute(request: ParsedRequest): Computed {
    const cached = this.cache.get(request.fingerprint);
    if (cached) {
      // Refresh its position: the cache keeps the most recently used results.
      this.cache.delete(request.fingerprint);
      this.cache.set(request.fingerprint, cached);
      return cached;
    }
    const store = this.scenario.costStore;
    const keys = store.keys;
    const periods = splitPeriods(request.start, request.end, request.granularity);
    const grouped = request.groupKeys.length > 0;
    // Per line key, computed once: does it pass the filter, its group, its normalization factor.
    const factor = keys.map((k) => {
      const type = instanceTypeOf(k.usageType);
      return type ? normalizationFactor(type) : 0;
    });
    const pass = request.withResources ? undefined : keys.map((k) => !request.filter || request.filter(k));
    const groupOf = request.withResources || !grouped ? undefined : keys.map((k) => request.groupKeys.map((f) => f(k)));
    // Each key's group id once, not once a day: a 26-week read of a large organisation adds tens of thousands
    // of keys on every one of its days.
    const groupIdOf = groupOf?.map((g) => g.join('\u0000'));
    const totals: Accumulator[] = [];
    const items: Item[] = [];
    // Per-key sums for one period (key-level requests): rows only add into typed arrays; keys are
    // folded into groups afterwards. Sums stay exact: a key's float sum is flushed to a bigint
    // before it could leave the exact integer range.
    const keyCost = new Float64Array(keys.length);
    const keyUsage = new Float64Array(keys.length);
    const keyOverflow = new Map<number, bigint>();
    periods.forEach((period, periodIndex) => {
      const total = newAccumulator([]);
      const groups = new Map<string, Accumulator>();
      const addTo = (
        groupKeys: string[] | undefined,
        amount: number | bigint,
        usage: number,
        normalized: number,
        unit: string,
        groupId?: string,
      ): void => {
        add(total, amount, usage, normalized, unit);
        if (!groupKeys) return;
        const id = groupId ?? groupKeys.join('\u0000');
        let acc = groups.get(id);
        if (!acc) groups.set(id, (acc = newAccumulator(groupKeys)));
        add(acc, amount, usage, normalized, unit);
      };
      const [from, to] = store.rowRange(period.startDay, period.endDay);
      if (pass) {
        keyCost.fill(0);
        keyUsage.fill(0);
        keyOverflow.clear();
        for (let row = from; row < to; row++) {
          const k = store.rowKey[row] as number;
          if (!pass[k]) continue;
          const sum = (keyCost[k] as number) + (store.rowAmount[row] as number);
          if (sum > 4e15 || sum < -4e15) {
            keyOverflow.set(k, (keyOverflow.get(k) ?? 0n) + BigInt(sum));
            keyCost[k] = 0;
          } else keyCost[k] = sum;
          keyUsage[k] = (keyUsage[k] as number) + (store.rowUsage[row] as number);
        }
        for (let k = 0; k < keys.length; k++) {
          const cost = keyCost[k] as number;
          const usage = keyUsage[k] as number;
          const overflow = keyOverflow.get(k);
          if (cost === 0 && usage === 0 && overflow === undefined) continue;
          const amount = overflow === undefined ? cost : overflow + BigInt(cost);
          addTo(groupOf?.[k], amount, usage, usage * (factor[k] as number), (keys[k] as CeLine).usageUnit, groupIdOf?.[k]);
        }
      } else {
        for (let row = from; row < to; row++) {
          const k = store.rowKey[row] as number;
          const resource = store.rowResource[row] as number;
          const line: CeLine = { ...(keys[k] as CeLine), resourceId: resource >= 0 ? (store.resources[resource]) : '' };
          if (request.filter && !request.filter(line)) continue;
          const usage = store.rowUsage[row] as number;
          addTo(
            grouped ? request.groupKeys.map((f) => f(line)) : undefined,
            store.rowAmount[row] as number,
            usage,
            usage * (factor[k] as number),
            line.usageUnit,
          );
        }
      }
      totals.push(total);
      if (!grouped) {
        items.push({ period: periodIndex });
        return;
      }
      const sorted = [...groups.values()].sort((a, b) => compareKeys(a.keys, b.keys));
      if (sorted.length === 0) items.push({ period: periodIndex });
      for (const group of sorted) items.push({ period: periodIndex, group });
    });
    const computed: Computed = { periods, totals, items };
    this.cache.set(request.fingerprint, computed);
    if (this.cache.size > 16) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return computed;
  }
}

/**
 * TimePeriod and Granularity as GetCostAndUsage validates them (also used by GetTags and the
 * recommendation operations): problems with required members are reported together, as AWS does.
 */
export function parseTimePeriod(
  input: JsonObject,
  anchor: string,
  options: { hourlyAllowed: boolean; granularity: boolean; metrics?: boolean },
): { start: string; end: string } {
  const problems: string[] = [];
  const timePeriod = readObject(input['TimePeriod'], 'TimePeriod');
  const granularity = options.granularity ? readString(input['Granularity'], 'Granularity') : undefined;
  const metricsInput = options.granularity ? readStringList(input['Metrics'], 'Metrics') : [];
  if (!timePeriod) problems.push(`Value null at 'timePeriod' failed to satisfy constraint: Member must not be null`);
  const start = readString(timePeriod?.['Start'], 'TimePeriod.Start');
  const end = readString(timePeriod?.['End'], 'TimePeriod.End');
  if (timePeriod && start === undefined)
    problems.push(`Value null at 'timePeriod.start' failed to satisfy constraint: Member must not be null`);
  if (timePeriod && end === undefined)
    problems.push(`Value null at 'timePeriod.end' failed to satisfy constraint: Member must not be null`);
  const datePattern = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}Z)?$/;
  for (const [name, value] of [
    ['start', start],
    ['end', end],
  ] as const) {
    if (value !== undefined && !datePattern.test(value)) {
      problems.push(
        `Value '${value}' at 'timePeriod.${name}' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\d{4}-\\d{2}-\\d{2})(T\\d{2}:\\d{2}:\\d{2}Z)?`,
      );
    }
  }
  if (options.granularity) {
    if (granularity === undefined) {
      problems.push(`Value null at 'granularity' failed to satisfy constraint: Member must not be null`);
    } else if (!GRANULARITIES.includes(granularity)) {
      problems.push(
        `Value '${granularity}' at 'granularity' failed to satisfy constraint: Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]`,
      );
    }
    if (metricsInput === undefined)
      problems.push(`Value null at 'metrics' failed to satisfy constraint: Member must not be null`);
  }
  if (problems.length > 0) {
    throw validationError(
      `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`,
    );
  }
  const startText = start as string;
  const endText = end as string;
  if (granularity === 'HOURLY' && !options.hourlyAllowed) {
    throw validationError(
      'Hourly granularity is only available after opting in to hourly data in the Cost Explorer preferences ' +
        '(it covers the last 14 days and costs extra); the sample account has not opted in. Use DAILY or MONTHLY.',
    );
  }
  if (startText.length > 10 || endText.length > 10) {
    throw validationError(
      `TimePeriod with a time of day ('${startText}' - '${endText}') is only supported with HOURLY granularity; use dates YYYY-MM-DD.`,
    );
  }
  for (const [name, value] of [
    ['Start', startText],
    ['End', endText],
  ] as const) {
    if (!isIsoDate(value)) throw validationError(`TimePeriod.${name} '${value}' is not a valid date.`);
  }
  if (startText >= endText) throw validationError('Start date (and hour) should be before end date (and hour)');
  const earliest = addMonths(anchor, -13);
  if (startText < earliest) {
    throw validationError(
      `start date is too old: Cost Explorer returns the last 14 months (13 months plus the current month), so Start must be on or after ${earliest} ` +
        `(got ${startText}); older data needs multi-year data enabled in Cost Explorer preferences.`,
    );
  }
  if (startText > anchor) {
    throw validationError(
      `start date ${startText} is after the current date ${anchor}; the start date must be equal to or no later than the current date.`,
    );
  }
  if (endText > addMonths(anchor, 1)) throw validationError('end date past the beginning of next month');
  return { start: startText, end: endText };
}

function newAccumulator(keys: string[]): Accumulator {
  return { keys, cost: new ExactSum(), usage: 0, normalized: 0, unit: undefined };
}

function add(acc: Accumulator, amount: number | bigint, usage: number, normalized: number, unit: string): void {
  if (typeof amount === 'bigint') acc.cost.addScaled(amount);
  else acc.cost.add(amount);
  acc.usage += usage;
  acc.normalized += normalized;
  if (unit !== 'N/A' && acc.unit !== null) acc.unit = acc.unit === undefined || acc.unit === unit ? unit : null;
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function decimal(value: number): string {
  return formatScaled(toScaled(roundUsage(value)));
}

function metricValues(acc: Accumulator, metrics: readonly Metric[]): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const metric of metrics) {
    if (metric === 'UsageQuantity') {
      out[metric] = { Amount: decimal(acc.usage), Unit: acc.usage !== 0 && acc.unit ? acc.unit : 'N/A' };
    } else if (metric === 'NormalizedUsageAmount') {
      out[metric] = { Amount: decimal(acc.normalized), Unit: 'N/A' };
    } else {
      out[metric] = { Amount: acc.cost.format(), Unit: 'USD' };
    }
  }
  return out;
}

export function splitPeriods(start: string, end: string, granularity: 'DAILY' | 'MONTHLY'): Period[] {
  const periods: Period[] = [];
  let cursor = start;
  while (cursor < end) {
    const next = granularity === 'DAILY' ? addDays(cursor, 1) : addMonths(monthStart(cursor), 1);
    const periodEnd = next < end ? next : end;
    periods.push({ start: cursor, end: periodEnd, startDay: toEpochDay(cursor), endDay: toEpochDay(periodEnd) });
    cursor = periodEnd;
  }
  return periods;
}

// ---------------------------------------------------------------------------------------------
// The service definition for the JSON protocol
// ---------------------------------------------------------------------------------------------

export function costExplorerService(simulator: CostExplorerSimulator): JsonServiceDefinition {
  return {
    targetPrefix: COST_EXPLORER_TARGET_PREFIX,
    signingName: 'ce',
    title: 'AWS Cost Explorer',
    jsonVersion: '1.1',
    operations: {
      GetCostAndUsage: (input) => simulator.getCostAndUsage(input),
      GetCostAndUsageWithResources: (input) => simulator.getCostAndUsageWithResources(input),
      ...costExplorerExtraOperations(simulator.scenario),
    },
  };
}

/** Earliest Start GetCostAndUsage accepts for a scenario (first day of the month 13 months back). */
export function earliestCostExplorerStart(scenario: Scenario): string {
  return addMonths(scenario.anchorDate, -13);
}
