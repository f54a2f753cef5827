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
 */
import { createHash } from 'node:crypto';
import { addDays, addMonths, isIsoDate, monthStart, toEpochDay } from './dates';
import { formatScaled, toScaled } from './decimal';
import { AwsError, constraintError, serializationError, validationError } from './errors';
import type { JsonObject, JsonServiceDefinition } from './protocols/json';
import { SERVICE_CODE, type CostLine, type Scenario } from './scenario';

export const COST_EXPLORER_TARGET_PREFIX = 'AWSInsightsIndexService';
/** AWS does not publish Cost Explorer's page size; this is the simulator's default, in groups. */
export const DEFAULT_COST_EXPLORER_PAGE_SIZE = 1000;

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
// Vocabulary
// ---------------------------------------------------------------------------------------------

const COST_METRICS = ['AmortizedCost', 'BlendedCost', 'NetAmortizedCost', 'NetUnblendedCost', 'UnblendedCost'] as const;
const METRICS = [...COST_METRICS, 'NormalizedUsageAmount', 'UsageQuantity'] as const;
type Metric = (typeof METRICS)[number];

const GRANULARITIES = ['DAILY', 'MONTHLY', 'HOURLY'];

/** Every Dimension value Cost Explorer's model lists (for enum validation). */
const AWS_DIMENSIONS = [
  'AZ',
  'INSTANCE_TYPE',
  'LINKED_ACCOUNT',
  'LINKED_ACCOUNT_NAME',
  'OPERATION',
  'PURCHASE_TYPE',
  'REGION',
  'SERVICE',
  'SERVICE_CODE',
  'USAGE_TYPE',
  'USAGE_TYPE_GROUP',
  'RECORD_TYPE',
  'OPERATING_SYSTEM',
  'TENANCY',
  'SCOPE',
  'PLATFORM',
  'SUBSCRIPTION_ID',
  'LEGAL_ENTITY_NAME',
  'DEPLOYMENT_OPTION',
  'DATABASE_ENGINE',
  'CACHE_ENGINE',
  'INSTANCE_TYPE_FAMILY',
  'BILLING_ENTITY',
  'RESERVATION_ID',
  'RESOURCE_ID',
  'RIGHTSIZING_TYPE',
  'SAVINGS_PLANS_TYPE',
  'SAVINGS_PLAN_ARN',
  'PAYMENT_OPTION',
  'AGREEMENT_END_DATE_TIME_AFTER',
  'AGREEMENT_END_DATE_TIME_BEFORE',
  'INVOICING_ENTITY',
  'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
  'ANOMALY_TOTAL_IMPACT_PERCENTAGE',
  'PAYER_ACCOUNT',
];

/** Dimensions GetCostAndUsage accepts in GroupBy (AWS's list, plus REGION which AWS also takes). */
const AWS_GROUP_DIMENSIONS = [
  'AZ',
  'INSTANCE_TYPE',
  'LEGAL_ENTITY_NAME',
  'INVOICING_ENTITY',
  'LINKED_ACCOUNT',
  'OPERATION',
  'PLATFORM',
  'PURCHASE_TYPE',
  'SERVICE',
  'TENANCY',
  'RECORD_TYPE',
  'USAGE_TYPE',
  'REGION',
];

interface DimensionContext {
  accountNames: ReadonlyMap<string, string>;
}

const INSTANCE_USAGE = /(?:BoxUsage|InstanceUsage|Multi-AZUsage|SpotUsage|DedicatedUsage):(.+)$/;

function instanceTypeOf(usageType: string): string | undefined {
  return INSTANCE_USAGE.exec(usageType)?.[1];
}

/** How the sample account answers each dimension it models. */
const DIMENSION_VALUE: Readonly<Record<string, (line: CostLine, ctx: DimensionContext) => string>> = {
  SERVICE: (l) => l.service,
  SERVICE_CODE: (l) => SERVICE_CODE[l.service] ?? l.service,
  LINKED_ACCOUNT: (l) => l.account,
  LINKED_ACCOUNT_NAME: (l, ctx) => ctx.accountNames.get(l.account) ?? l.account,
  REGION: (l) => l.region,
  USAGE_TYPE: (l) => l.usageType,
  INSTANCE_TYPE: (l) => instanceTypeOf(l.usageType) ?? 'NoInstanceType',
  OPERATION: (l) => l.operation ?? 'NoOperation',
  RECORD_TYPE: (l) => l.recordType ?? 'Usage',
  PURCHASE_TYPE: () => 'On Demand Instances',
  LEGAL_ENTITY_NAME: () => 'Amazon Web Services, Inc.',
  INVOICING_ENTITY: () => 'Amazon Web Services, Inc.',
  BILLING_ENTITY: () => 'AWS',
};

/** Normalization factors of instance sizes (small = 1), as AWS uses for NormalizedUsageAmount. */
function normalizationFactor(instanceType: string): number {
  const size = instanceType.split('.').pop() ?? '';
  const fixed: Record<string, number> = { nano: 0.25, micro: 0.5, small: 1, medium: 2, large: 4, xlarge: 8, metal: 192 };
  if (fixed[size] !== undefined) return fixed[size];
  const multiple = /^(\d+)xlarge$/.exec(size);
  return multiple ? Number(multiple[1]) * 8 : 0;
}

// ---------------------------------------------------------------------------------------------
// Input reading: wrong JSON types are SerializationExceptions, broken constraints ValidationExceptions
// ---------------------------------------------------------------------------------------------

function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

function readObject(value: unknown, path: string): JsonObject | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw serializationError(`Expected a structure (JSON object) at '${path}', got ${describe(value)}.`);
  }
  return value as JsonObject;
}

function readString(value: unknown, path: string): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') throw serializationError(`Expected a string at '${path}', got ${describe(value)}.`);
  return value;
}

function readList(value: unknown, path: string): unknown[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) throw serializationError(`Expected a list (JSON array) at '${path}', got ${describe(value)}.`);
  return value as unknown[];
}

function readStringList(value: unknown, path: string): string[] | undefined {
  const list = readList(value, path);
  return list?.map((item, i) => {
    const text = readString(item, `${path}.${i + 1}`);
    if (text === undefined) throw constraintError(`${path}.${i + 1}`, null, 'Member must not be null');
    return text;
  });
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a structure' : `${typeof value} ${JSON.stringify(value)}`;
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

type Predicate = (line: CostLine) => boolean;

const MAX_FILTER_DEPTH = 10;
const EXPRESSION_MEMBERS = ['And', 'Or', 'Not', 'Dimensions', 'Tags', 'CostCategories'] as const;

function compileFilter(value: unknown, path: string, ctx: DimensionContext, depth = 0): Predicate {
  if (depth > MAX_FILTER_DEPTH)
    throw validationError(`Filter expressions may be nested at most ${MAX_FILTER_DEPTH} levels deep.`);
  const expression = readObject(value, path);
  if (!expression) throw constraintError(path, null, 'Member must not be null');
  const present = EXPRESSION_MEMBERS.filter((member) => !isAbsent(expression[member]));
  if (present.length !== 1) {
    throw validationError(
      `Expression at '${path}' must have exactly one of And, Or, Not, Dimensions, Tags or CostCategories; ` +
        (present.length === 0 ? 'it has none.' : `it has ${present.join(', ')}. Combine them with And.`),
    );
  }
  const member = present[0];
  switch (member) {
    case 'And':
    case 'Or': {
      const operands = readList(expression[member], `${path}.${member}`) ?? [];
      if (operands.length < 2) {
        throw validationError(
          `${member} at '${path}' needs at least 2 expressions (it has ${operands.length}); use the expression directly instead.`,
        );
      }
      const compiled = operands.map((operand, i) => compileFilter(operand, `${path}.${member}[${i}]`, ctx, depth + 1));
      return member === 'And' ? (line) => compiled.every((p) => p(line)) : (line) => compiled.some((p) => p(line));
    }
    case 'Not': {
      const inner = compileFilter(expression['Not'], `${path}.Not`, ctx, depth + 1);
      return (line) => !inner(line);
    }
    case 'Dimensions':
      return compileDimensions(readObject(expression['Dimensions'], `${path}.Dimensions`) ?? {}, `${path}.Dimensions`, ctx);
    case 'Tags':
      return compileKeyValues(
        readObject(expression['Tags'], `${path}.Tags`) ?? {},
        `${path}.Tags`,
        (line, key) => line.tags[key],
      );
    case 'CostCategories':
      // The sample account defines no cost categories: every line is uncategorised.
      return compileKeyValues(
        readObject(expression['CostCategories'], `${path}.CostCategories`) ?? {},
        `${path}.CostCategories`,
        () => undefined,
      );
    default:
      throw validationError(`Unsupported expression at '${path}'.`);
  }
}

function readMatchOptions(value: unknown, path: string, allowed: readonly string[]): string[] {
  const options = readStringList(value, path) ?? [];
  for (const option of options) {
    if (!allowed.includes(option)) {
      throw validationError(
        `MatchOptions value '${option}' at '${path}' is not supported by GetCostAndUsage here; valid values are ${allowed.join(', ')}.`,
      );
    }
  }
  return options;
}

function compileDimensions(spec: JsonObject, path: string, ctx: DimensionContext): Predicate {
  const key = readString(spec['Key'], `${path}.Key`);
  if (key === undefined) throw constraintError(`${path}.key`, null, 'Member must not be null');
  if (!AWS_DIMENSIONS.includes(key)) {
    throw constraintError(`${path}.key`, key, `Member must satisfy enum value set: [${AWS_DIMENSIONS.join(', ')}]`);
  }
  if (key === 'RESOURCE_ID') {
    throw validationError('Dimension RESOURCE_ID is only available in GetCostAndUsageWithResources, not in GetCostAndUsage.');
  }
  const valueOf = DIMENSION_VALUE[key];
  if (!valueOf) {
    throw validationError(
      `Dimension ${key} is valid in AWS but not modelled by the sample account; use one of ${Object.keys(DIMENSION_VALUE).join(', ')}.`,
    );
  }
  const values = readStringList(spec['Values'], `${path}.Values`) ?? [];
  if (values.length === 0) throw validationError(`Dimensions at '${path}' needs at least one value in Values.`);
  readMatchOptions(spec['MatchOptions'], `${path}.MatchOptions`, ['EQUALS', 'CASE_SENSITIVE']);
  const wanted = new Set(values);
  return (line) => wanted.has(valueOf(line, ctx));
}

function compileKeyValues(
  spec: JsonObject,
  path: string,
  valueOf: (line: CostLine, key: string) => string | undefined,
): Predicate {
  const key = readString(spec['Key'], `${path}.Key`);
  if (key === undefined || key === '') throw constraintError(`${path}.key`, key ?? null, 'Member must not be null or empty');
  const values = readStringList(spec['Values'], `${path}.Values`) ?? [];
  const options = readMatchOptions(spec['MatchOptions'], `${path}.MatchOptions`, ['EQUALS', 'ABSENT', 'CASE_SENSITIVE']);
  const absent = options.includes('ABSENT');
  if (values.length === 0 && !absent) {
    throw validationError(`${path} with Key '${key}' needs Values, or MatchOptions ["ABSENT"] to select costs without the key.`);
  }
  const wanted = new Set(values);
  const emptyMeansAbsent = wanted.has('');
  return (line) => {
    const actual = valueOf(line, key);
    if (actual === undefined || actual === '') return absent || emptyMeansAbsent;
    return wanted.has(actual);
  };
}

// ---------------------------------------------------------------------------------------------
// Grouping
// ---------------------------------------------------------------------------------------------

interface GroupDefinition {
  Type: string;
  Key: string;
}

type KeyFunction = (line: CostLine) => string;

function compileGroupBy(value: unknown, ctx: DimensionContext): { definitions: GroupDefinition[]; keys: KeyFunction[] } {
  const list = readList(value, 'GroupBy') ?? [];
  if (list.length > 2) throw validationError(`GroupBy accepts at most 2 group definitions (got ${list.length}).`);
  const definitions: GroupDefinition[] = [];
  const keys: KeyFunction[] = [];
  list.forEach((item, i) => {
    const path = `GroupBy[${i}]`;
    const spec = readObject(item, path);
    if (!spec) throw constraintError(`groupBy.${i + 1}`, null, 'Member must not be null');
    const type = readString(spec['Type'], `${path}.Type`);
    const key = readString(spec['Key'], `${path}.Key`);
    if (type === undefined) throw validationError(`${path}.Type is required: DIMENSION, TAG or COST_CATEGORY.`);
    if (!['DIMENSION', 'TAG', 'COST_CATEGORY'].includes(type)) {
      throw constraintError(
        `groupBy.${i + 1}.member.type`,
        type,
        'Member must satisfy enum value set: [DIMENSION, TAG, COST_CATEGORY]',
      );
    }
    if (key === undefined || key === '') throw validationError(`${path}.Key is required.`);
    if (definitions.some((d) => d.Type === type && d.Key === key)) {
      throw validationError(`GroupBy contains ${type} ${key} twice; each group definition may appear once.`);
    }
    if (type === 'DIMENSION') {
      if (!AWS_GROUP_DIMENSIONS.includes(key)) {
        throw validationError(
          `Group Definition dimension is invalid. Valid values are ${AWS_GROUP_DIMENSIONS.join(', ')} (got ${key}).`,
        );
      }
      const valueOf = DIMENSION_VALUE[key];
      if (!valueOf) {
        throw validationError(
          `Dimension ${key} is valid in AWS but not modelled by the sample account; group by one of ` +
            `${AWS_GROUP_DIMENSIONS.filter((d) => DIMENSION_VALUE[d]).join(', ')}.`,
        );
      }
      keys.push((line) => valueOf(line, ctx));
    } else if (type === 'TAG') {
      keys.push((line) => `${key}$${line.tags[key] ?? ''}`);
    } else {
      keys.push(() => `${key}$`);
    }
    definitions.push({ Type: type, Key: key });
  });
  return { definitions, keys };
}

// ---------------------------------------------------------------------------------------------
// The index: lines by day with their amounts as exact scaled integers
// ---------------------------------------------------------------------------------------------

interface IndexedLine {
  line: CostLine;
  cost: bigint;
  usage: bigint;
  normalized: bigint;
}

interface CostIndex {
  firstDay: number;
  byDay: IndexedLine[][];
  accountNames: Map<string, string>;
}

const indexes = new WeakMap<Scenario, CostIndex>();

function indexFor(scenario: Scenario): CostIndex {
  const cached = indexes.get(scenario);
  if (cached) return cached;
  const firstDay = toEpochDay(scenario.historyStart);
  const byDay: IndexedLine[][] = [];
  for (const line of scenario.costs) {
    const offset = toEpochDay(line.date) - firstDay;
    if (offset < 0) continue;
    const usage = line.usageQuantity ?? 0;
    const instanceType = instanceTypeOf(line.usageType);
    (byDay[offset] ??= []).push({
      line,
      cost: toScaled(line.amount),
      usage: toScaled(usage),
      normalized: instanceType ? toScaled(usage * normalizationFactor(instanceType)) : 0n,
    });
  }
  const index: CostIndex = { firstDay, byDay, accountNames: new Map(scenario.accounts.map((a) => [a.id, a.name])) };
  indexes.set(scenario, index);
  return index;
}

// ---------------------------------------------------------------------------------------------
// GetCostAndUsage
// ---------------------------------------------------------------------------------------------

interface Accumulator {
  keys: string[];
  cost: bigint;
  usage: bigint;
  normalized: bigint;
  /** undefined: no usage unit seen yet; null: mixed units. */
  unit: string | null | undefined;
}

interface Period {
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
}

export class CostExplorerSimulator {
  readonly pageSize: number;
  private readonly cache = new Map<string, Computed>();

  constructor(
    readonly scenario: Scenario,
    options: CostExplorerOptions = {},
  ) {
    const pageSize = options.pageSize ?? DEFAULT_COST_EXPLORER_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1)
      throw new RangeError(`pageSize must be a positive integer (got ${pageSize})`);
    this.pageSize = pageSize;
  }

  getCostAndUsage(input: JsonObject): GetCostAndUsageOutput {
    const index = indexFor(this.scenario);
    const request = this.parse(input, { accountNames: index.accountNames });
    const computed = this.compute(request, index);

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
        Attributes: { description: index.accountNames.get(id) ?? id },
      })),
    };
    if (nextOffset < computed.items.length) output.NextPageToken = makePageToken(nextOffset, request.fingerprint);
    return output;
  }

  private isEstimated(period: Period): boolean {
    // The last two days (the day before the anchor, and the anchor day) are not final yet.
    return period.endDay > toEpochDay(this.scenario.anchorDate) - 1;
  }

  private parse(input: JsonObject, ctx: DimensionContext): ParsedRequest {
    const problems: string[] = [];
    const timePeriod = readObject(input['TimePeriod'], 'TimePeriod');
    const granularity = readString(input['Granularity'], 'Granularity');
    const metricsInput = readStringList(input['Metrics'], 'Metrics');
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
    if (granularity === undefined) {
      problems.push(`Value null at 'granularity' failed to satisfy constraint: Member must not be null`);
    } else if (!GRANULARITIES.includes(granularity)) {
      problems.push(
        `Value '${granularity}' at 'granularity' failed to satisfy constraint: Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]`,
      );
    }
    if (metricsInput === undefined)
      problems.push(`Value null at 'metrics' failed to satisfy constraint: Member must not be null`);
    if (problems.length > 0) {
      throw validationError(
        `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`,
      );
    }
    const startText = start as string;
    const endText = end as string;

    if (granularity === 'HOURLY') {
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
    const anchor = this.scenario.anchorDate;
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

    const metrics = metricsInput as string[];
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
      .update(JSON.stringify([startText, endText, granularity, metrics, input['Filter'] ?? null, group.definitions]))
      .digest('hex')
      .slice(0, 24);
    return {
      start: startText,
      end: endText,
      granularity: granularity as 'DAILY' | 'MONTHLY',
      metrics: [...new Set(metrics)] as Metric[],
      ...(filter ? { filter } : {}),
      groupDefinitions: group.definitions,
      groupKeys: group.keys,
      ...(nextPageToken !== undefined ? { nextPageToken } : {}),
      fingerprint,
    };
  }

  private compute(request: ParsedRequest, index: CostIndex): Computed {
    const cached = this.cache.get(request.fingerprint);
    if (cached) {
      // Refresh its position: the cache keeps the most recently used results.
      this.cache.delete(request.fingerprint);
      this.cache.set(request.fingerprint, cached);
      return cached;
    }
    const periods = splitPeriods(request.start, request.end, request.granularity);
    const totals: Accumulator[] = [];
    const items: Item[] = [];
    const grouped = request.groupKeys.length > 0;
    periods.forEach((period, periodIndex) => {
      const total = newAccumulator([]);
      const groups = new Map<string, Accumulator>();
      for (let day = period.startDay; day < period.endDay; day++) {
        const lines = index.byDay[day - index.firstDay];
        if (!lines) continue;
        for (const entry of lines) {
          if (request.filter && !request.filter(entry.line)) continue;
          add(total, entry);
          if (grouped) {
            const keys = request.groupKeys.map((k) => k(entry.line));
            const id = keys.join('\u0000');
            let acc = groups.get(id);
            if (!acc) groups.set(id, (acc = newAccumulator(keys)));
            add(acc, entry);
          }
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

function newAccumulator(keys: string[]): Accumulator {
  return { keys, cost: 0n, usage: 0n, normalized: 0n, unit: undefined };
}

function add(acc: Accumulator, entry: IndexedLine): void {
  acc.cost += entry.cost;
  acc.usage += entry.usage;
  acc.normalized += entry.normalized;
  const unit = entry.line.usageUnit;
  if (unit !== undefined && acc.unit !== null) acc.unit = acc.unit === undefined || acc.unit === unit ? unit : null;
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function metricValues(acc: Accumulator, metrics: readonly Metric[]): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const metric of metrics) {
    if (metric === 'UsageQuantity') {
      out[metric] = { Amount: formatScaled(acc.usage), Unit: acc.usage !== 0n && acc.unit ? acc.unit : 'N/A' };
    } else if (metric === 'NormalizedUsageAmount') {
      out[metric] = { Amount: formatScaled(acc.normalized), Unit: 'N/A' };
    } else {
      out[metric] = { Amount: formatScaled(acc.cost), Unit: 'USD' };
    }
  }
  return out;
}

function splitPeriods(start: string, end: string, granularity: 'DAILY' | 'MONTHLY'): Period[] {
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
// Page tokens: opaque to clients, bound to the request they came from
// ---------------------------------------------------------------------------------------------

function makePageToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ v: 1, o: offset, f: fingerprint }), 'utf8').toString('base64url');
}

function readPageToken(token: string, fingerprint: string, itemCount: number): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const record = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  const offset = record?.['o'];
  if (
    !record ||
    record['v'] !== 1 ||
    typeof offset !== 'number' ||
    !Number.isInteger(offset) ||
    offset < 0 ||
    offset > itemCount
  ) {
    throw new AwsError('InvalidNextTokenException', 'The pagination token is invalid. Try again without a pagination token.');
  }
  if (record['f'] !== fingerprint) {
    throw new AwsError(
      'RequestChangedException',
      'Your request parameters changed between pages. Try again with the old parameters or without a pagination token.',
    );
  }
  return offset;
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
    },
  };
}

/** Earliest Start GetCostAndUsage accepts for a scenario (first day of the month 13 months back). */
export function earliestCostExplorerStart(scenario: Scenario): string {
  return addMonths(scenario.anchorDate, -13);
}
