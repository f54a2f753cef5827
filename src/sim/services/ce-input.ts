/**
 * Cost Explorer request vocabulary shared by every Cost Explorer operation of the sample account:
 * reading JSON input with AWS's error types (wrong JSON types are SerializationExceptions, broken
 * constraints ValidationExceptions), dimensions and their values, filter Expressions, group
 * definitions, and opaque page tokens bound to the request they came from.
 *
 * Filters and group keys work on a `CeLine`: a cost line's key (cost-store.ts) plus, in the
 * resource-level operations, its resource ID.
 */
import { AwsError, constraintError, serializationError, validationError } from '../errors';
import type { LineKey } from '../cost-store';
import type { JsonObject } from '../protocols/json';
import { SERVICE_CODE } from '../scenario';

/** What filters and group keys see of a cost line. */
export interface CeLine extends LineKey {
  /** Present in GetCostAndUsageWithResources only ("" for lines without a resource). */
  resourceId?: string;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

export const COST_METRICS = ['AmortizedCost', 'BlendedCost', 'NetAmortizedCost', 'NetUnblendedCost', 'UnblendedCost'] as const;
export const METRICS = [...COST_METRICS, 'NormalizedUsageAmount', 'UsageQuantity'] as const;
export type Metric = (typeof METRICS)[number];

export const GRANULARITIES = ['DAILY', 'MONTHLY', 'HOURLY'];

/** Every Dimension value Cost Explorer's model lists (for enum validation). */
export const AWS_DIMENSIONS = [
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
export const AWS_GROUP_DIMENSIONS = [
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

export interface DimensionContext {
  accountNames: ReadonlyMap<string, string>;
  /** GetCostAndUsageWithResources: RESOURCE_ID may be filtered and grouped by. */
  withResources?: boolean;
}

/** Cost Explorer's RESOURCE_ID value for lines that belong to no resource. */
export const NO_RESOURCE_ID = 'NoResourceId';

export const INSTANCE_USAGE = /(?:BoxUsage|InstanceUsage|Multi-AZUsage|SpotUsage|DedicatedUsage):(.+)$/;

export function instanceTypeOf(usageType: string): string | undefined {
  return INSTANCE_USAGE.exec(usageType)?.[1];
}

/** How the sample account answers each dimension it models. */
export const DIMENSION_VALUE: Readonly<Record<string, (line: CeLine, ctx: DimensionContext) => string>> = {
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
  RESOURCE_ID: (l) => l.resourceId || NO_RESOURCE_ID,
  INVOICING_ENTITY: () => 'Amazon Web Services, Inc.',
  BILLING_ENTITY: () => 'AWS',
};

/** Normalization factors of instance sizes (small = 1), as AWS uses for NormalizedUsageAmount. */
export function normalizationFactor(instanceType: string): number {
  const size = instanceType.split('.').pop() ?? '';
  const fixed: Record<string, number> = { nano: 0.25, micro: 0.5, small: 1, medium: 2, large: 4, xlarge: 8, metal: 192 };
  if (fixed[size] !== undefined) return fixed[size];
  const multiple = /^(\d+)xlarge$/.exec(size);
  return multiple ? Number(multiple[1]) * 8 : 0;
}

// ---------------------------------------------------------------------------------------------
// Input reading: wrong JSON types are SerializationExceptions, broken constraints ValidationExceptions
// ---------------------------------------------------------------------------------------------

export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function readObject(value: unknown, path: string): JsonObject | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw serializationError(`Expected a structure (JSON object) at '${path}', got ${describe(value)}.`);
  }
  return value as JsonObject;
}

export function readString(value: unknown, path: string): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') throw serializationError(`Expected a string at '${path}', got ${describe(value)}.`);
  return value;
}

export function readList(value: unknown, path: string): unknown[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) throw serializationError(`Expected a list (JSON array) at '${path}', got ${describe(value)}.`);
  return value as unknown[];
}

export function readStringList(value: unknown, path: string): string[] | undefined {
  const list = readList(value, path);
  return list?.map((item, i) => {
    const text = readString(item, `${path}.${i + 1}`);
    if (text === undefined) throw constraintError(`${path}.${i + 1}`, null, 'Member must not be null');
    return text;
  });
}

export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a structure' : `${typeof value} ${JSON.stringify(value)}`;
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

export type Predicate = (line: CeLine) => boolean;

const MAX_FILTER_DEPTH = 10;
const EXPRESSION_MEMBERS = ['And', 'Or', 'Not', 'Dimensions', 'Tags', 'CostCategories'] as const;

export function compileFilter(value: unknown, path: string, ctx: DimensionContext, depth = 0): Predicate {
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

export function readMatchOptions(value: unknown, path: string, allowed: readonly string[]): string[] {
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

export function compileDimensions(spec: JsonObject, path: string, ctx: DimensionContext): Predicate {
  const key = readString(spec['Key'], `${path}.Key`);
  if (key === undefined) throw constraintError(`${path}.key`, null, 'Member must not be null');
  if (!AWS_DIMENSIONS.includes(key)) {
    throw constraintError(`${path}.key`, key, `Member must satisfy enum value set: [${AWS_DIMENSIONS.join(', ')}]`);
  }
  if (key === 'RESOURCE_ID' && !ctx.withResources) {
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

export function compileKeyValues(
  spec: JsonObject,
  path: string,
  valueOf: (line: CeLine, key: string) => string | undefined,
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

export interface GroupDefinition {
  Type: string;
  Key: string;
}

export type KeyFunction = (line: CeLine) => string;

export function compileGroupBy(value: unknown, ctx: DimensionContext): { definitions: GroupDefinition[]; keys: KeyFunction[] } {
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
      if (!AWS_GROUP_DIMENSIONS.includes(key) && !(key === 'RESOURCE_ID' && ctx.withResources)) {
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
// Page tokens: opaque to clients, bound to the request they came from
// ---------------------------------------------------------------------------------------------

export function makePageToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ v: 1, o: offset, f: fingerprint }), 'utf8').toString('base64url');
}

export function readPageToken(token: string, fingerprint: string, itemCount: number): number {
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
