/**
 * AWS Budgets (awsJson1_1, X-Amz-Target AWSBudgetServiceGateway.<Operation>) over a scenario:
 * DescribeBudgets.
 *
 * The scenario model has no budgets of its own, so they are derived from its cost history,
 * deterministically: each account has a monthly COST budget "monthly-total" whose limit is its last
 * full month's cost plus 10%, rounded up to three significant figures; the first account also has an
 * S3-only budget (a CostFilters budget: scoped, so only AWS's own forecast applies to it), set just
 * under what S3 is heading for. CalculatedSpend is the month to date (through the anchor day) and a
 * linear forecast of the month, as Budgets reports them. Options can replace or remove them.
 *
 * As AWS: AccountId is required and must be the calling account (else AccessDeniedException);
 * MaxResults 1–1000 (default 100); NextToken pages; timestamps are epoch seconds.
 */
import type { IncomingMessage } from 'node:http';
import { AwsError, validationError } from '../errors';
import type { JsonObject, JsonServiceDefinition } from '../protocols/json';
import { sumCosts, type Scenario } from '../scenario';
import { addDays, addMonths, daysInMonth, monthStart, toEpochDay } from '../dates';
import { CE_SERVICE } from '../generator/prices';
import { decodeToken, encodeToken, fingerprint, optionalInteger, optionalString, type AccountResolver } from './json-input';

export const BUDGETS_TARGET_PREFIX = 'AWSBudgetServiceGateway';

export interface SimBudget {
  account: string;
  name: string;
  limit: number;
  timeUnit: 'MONTHLY' | 'QUARTERLY' | 'ANNUALLY' | 'DAILY';
  budgetType: 'COST' | 'USAGE';
  /** Cost Explorer SERVICE values the budget is limited to (absent: the whole bill). */
  services?: string[];
}

function roundUp3(value: number): number {
  if (!(value > 0)) return 1;
  const step = 10 ** (Math.floor(Math.log10(value)) - 2);
  return Math.ceil(value / step) * step;
}

/** The budgets the sample account has when none are given. */
export function deriveBudgets(scenario: Scenario): SimBudget[] {
  const thisMonth = monthStart(scenario.anchorDate);
  const lastMonth = addMonths(thisMonth, -1);
  const out: SimBudget[] = [];
  scenario.accounts.forEach((a, i) => {
    const last = Number(sumCosts(scenario, { account: a.id, start: lastMonth, end: thisMonth }));
    out.push({ account: a.id, name: 'monthly-total', limit: roundUp3(last * 1.1), timeUnit: 'MONTHLY', budgetType: 'COST' });
    if (i === 0) {
      const s3 = Number(sumCosts(scenario, { account: a.id, service: CE_SERVICE.s3, start: lastMonth, end: thisMonth }));
      if (s3 > 0)
        out.push({
          account: a.id,
          name: 's3-storage',
          limit: roundUp3(s3 * 0.95),
          timeUnit: 'MONTHLY',
          budgetType: 'COST',
          services: [CE_SERVICE.s3],
        });
    }
  });
  return out;
}

interface BudgetOutput {
  BudgetName: string;
  BudgetLimit: { Amount: string; Unit: string };
  CostFilters?: Record<string, string[]>;
  TimeUnit: string;
  TimePeriod: { Start: number; End: number };
  CalculatedSpend: { ActualSpend: { Amount: string; Unit: string }; ForecastedSpend: { Amount: string; Unit: string } };
  BudgetType: string;
  LastUpdatedTime: number;
}

export function budgetsService(
  scenario: Scenario,
  accountFor: AccountResolver,
  budgets: SimBudget[] | 'none' | undefined = undefined,
): JsonServiceDefinition {
  let cache: Map<string, BudgetOutput[]> | undefined;
  const all = (): Map<string, BudgetOutput[]> => {
    if (cache) return cache;
    const list = budgets === 'none' ? [] : (budgets ?? deriveBudgets(scenario));
    const start = monthStart(scenario.anchorDate);
    const through = addDays(scenario.anchorDate, 1);
    const elapsed = toEpochDay(through) - toEpochDay(start);
    const dim = daysInMonth(scenario.anchorDate);
    cache = new Map();
    for (const b of list) {
      const actual = Number(
        sumCosts(scenario, { account: b.account, start, end: through, ...(b.services ? { service: b.services } : {}) }),
      );
      const entry: BudgetOutput = {
        BudgetName: b.name,
        BudgetLimit: { Amount: b.limit.toFixed(1), Unit: 'USD' },
        ...(b.services ? { CostFilters: { Service: [...b.services] } } : {}),
        TimeUnit: b.timeUnit,
        TimePeriod: { Start: Date.parse(`${start}T00:00:00Z`) / 1000, End: 3706473600 },
        CalculatedSpend: {
          ActualSpend: { Amount: actual.toFixed(2), Unit: 'USD' },
          ForecastedSpend: { Amount: ((actual / Math.max(1, elapsed)) * dim).toFixed(2), Unit: 'USD' },
        },
        BudgetType: b.budgetType,
        LastUpdatedTime: Date.parse(`${scenario.anchorDate}T00:00:00Z`) / 1000,
      };
      const forAccount = cache.get(b.account) ?? [];
      forAccount.push(entry);
      cache.set(b.account, forAccount);
    }
    return cache;
  };
  const describeBudgets = (input: JsonObject, request: IncomingMessage | undefined) => {
    const accountId = optionalString(input['AccountId'], 'AccountId');
    if (accountId === undefined)
      throw validationError(
        "1 validation error detected: Value null at 'accountId' failed to satisfy constraint: Member must not be null",
      );
    if (!/^\d{12}$/.test(accountId))
      throw validationError(
        `1 validation error detected: Value '${accountId}' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}`,
      );
    const caller = accountFor(request);
    if (accountId !== caller)
      throw new AwsError(
        'AccessDeniedException',
        `Account ${caller} is not authorized to view the budgets of account ${accountId}.`,
        400,
      );
    const max = optionalInteger(input['MaxResults'], 'MaxResults') ?? 100;
    if (max < 1 || max > 1000)
      throw validationError(
        `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000`,
      );
    const token = optionalString(input['NextToken'], 'NextToken');
    const fp = fingerprint({ accountId, max });
    let offset = 0;
    if (token !== undefined && token !== '') {
      const payload = decodeToken(token);
      const o = payload?.['o'];
      if (!payload || payload['h'] !== fp || typeof o !== 'number')
        throw new AwsError('InvalidNextTokenException', 'The next token is not valid.', 400);
      offset = o;
    }
    const list = all().get(accountId) ?? [];
    const page = list.slice(offset, offset + max);
    return {
      Budgets: page,
      ...(offset + max < list.length ? { NextToken: encodeToken({ h: fp, o: offset + max }) } : {}),
    };
  };
  return {
    targetPrefix: BUDGETS_TARGET_PREFIX,
    signingName: 'budgets',
    title: 'AWS Budgets',
    jsonVersion: '1.1',
    operations: {
      DescribeBudgets: (input, context) => describeBudgets(input, context.request),
    },
  };
}
