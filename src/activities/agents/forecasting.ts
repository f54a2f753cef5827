/**
 * The forecasting agent's activity: daily cost history from Cost Explorer (by service, the last 26
 * weeks; and monthly by service and account for a year), our forecast with its backtest, unusual days
 * explained by their drivers, Cost Explorer's own forecast and anomalies side by side, and budget
 * advice against AWS Budgets. Cost Explorer requests: 1–2 pages of history, 1 monthly, 1 forecast,
 * 1 anomalies, and 2 per explained anomaly (at most `maxExplained`).
 */
import { DescribeBudgetsCommand } from '@aws-sdk/client-budgets';
import {
  GetAnomaliesCommand,
  GetCostForecastCommand,
  type Expression,
  type GroupDefinition,
} from '@aws-sdk/client-cost-explorer';
import Big from 'big.js';
import {
  detectAllAnomalies,
  explainAnomaly,
  matchAnomalies,
  type CostExplorerAnomaly,
  type DimensionBreakdown,
  type DriverDimension,
} from '../../domain/anomalies';
import {
  adviseBudgets,
  backtest,
  FORECAST_METHOD,
  forecastDaily,
  serviceForecasts,
  type BudgetInfo,
  type ForecastSummary,
} from '../../domain/forecast';
import { backtestWindows, budgetMonths, forecastWindow, monthStart, periodEndingOn } from '../../domain/calendar';
import { addDays, daysOf } from '../../domain/period';
import { countRequest, emptyUsage, type AwsUsage } from '../../domain/usage';
import type { AwsClientFactory } from '../aws-clients';
import { toActivityFailure } from '../aws-errors';
import { collectPages, mapWithConcurrency } from '../paging';
import { accountFilter, joinSpendReads, type SpendReads } from '../spend';
import type { CostReads } from '../cost-reads';
import { costByPeriodAndGroup, type CostByPeriod } from './cost-groups';
import { retryTransient } from './retry';

export interface AnalyseForecastInput {
  analysisId: string;
  accounts: string[];
  /** Days of daily history to fit (default 182: 26 weeks). */
  historyDays?: number;
  /** Days to forecast and to hold out in the backtest (default 30). */
  horizonDays?: number;
  /** Anomalies explained with driver queries (2 Cost Explorer requests each; default 5). */
  maxExplained?: number;
  /** The analysis day (YYYY-MM-DD): history ends the day before, the forecast starts on it. Default: today by the clock. */
  asOf?: string;
  /** Set when this runs alongside the spend agent: its reads are joined first, and the history cut from them. */
  spend?: SpendReads;
}

export interface AnalyseForecastOutput {
  forecast: ForecastSummary;
  usage: AwsUsage;
  notes: string[];
  costExplorerRequests: number;
}

const LEVEL = 0.8;

/** One service's usage types, day by day, from a read by service and usage type ("service|usage type" keys). */
function usageTypesOf(byDay: CostByPeriod, service: string): CostByPeriod {
  const out: CostByPeriod = {};
  for (const [day, groups] of Object.entries(byDay)) {
    const row: Record<string, string> = {};
    for (const [key, amount] of Object.entries(groups)) {
      const [s, usageType] = key.split('|');
      if (s === service && usageType !== undefined) row[usageType] = amount;
    }
    out[day] = row;
  }
  return out;
}

function ceRequests(usage: AwsUsage): number {
  return Object.entries(usage.requests)
    .filter(([op]) => op.startsWith('ce:'))
    .reduce((n, [, c]) => n + c, 0);
}

/** A failure no retry fixes (permission, opt-in, no data) becomes a note; anything else is rethrown. */
function noteOrThrow(err: unknown, what: string, notes: string[]): void {
  const failure = err as { nonRetryable?: boolean; message?: string; details?: unknown[] };
  if (!failure.nonRetryable) throw err;
  const needs = (failure.details?.[0] as { needs?: string } | undefined)?.needs;
  notes.push(needs ? `${what} skipped: needs ${needs}.` : `${what} unavailable: ${failure.message ?? String(err)}`);
}

/** Why the forecasting agent's Cost Explorer requests are made (the report lists them). */
const PURPOSE = {
  history: 'daily spend by service over the forecast history (the part the spend read does not cover)',
  accountRegion: 'anomaly drivers: account and Region on the days around an anomaly',
  usageType: "anomaly drivers: usage types of the anomaly's service on the days around it",
  forecast: "Cost Explorer's own forecast, beside ours",
  anomalies: 'Cost Anomaly Detection anomalies, matched with ours',
} as const;

export function createForecastingActivities(clients: AwsClientFactory, options: { now: () => Date; reads: CostReads }) {
  const { reads } = options;
  /** Daily (or monthly) cost grouped as asked: date → group key ("a|b") → amount. */
  function costByDay(
    label: string,
    period: { start: string; end: string },
    granularity: 'DAILY' | 'MONTHLY',
    filter: Expression,
    groupBy: GroupDefinition[],
    usage: AwsUsage,
    purpose: string,
  ): Promise<CostByPeriod> {
    return costByPeriodAndGroup(
      clients,
      { listing: `ce:GetCostAndUsage/forecasting/${label}`, period, granularity, filter, groupBy, keyOf: (keys) => keys.join('|') },
      usage,
      purpose,
    );
  }

  async function costExplorerForecast(filter: Expression, asOf: string, horizon: number, usage: AwsUsage) {
    let out;
    try {
      out = await retryTransient(() =>
        clients.costExplorer().send(
          new GetCostForecastCommand({
            TimePeriod: { Start: asOf, End: forecastWindow(asOf, horizon).end },
            Metric: 'UNBLENDED_COST',
            Granularity: 'DAILY',
            PredictionIntervalLevel: LEVEL * 100,
            Filter: filter,
          }),
        ),
      );
    } catch (err) {
      throw toActivityFailure(err, 'ce:GetCostForecast');
    } finally {
      countRequest(usage, 'ce:GetCostForecast', 1, PURPOSE.forecast);
    }
    const cents = (v: string | undefined) => (v === undefined ? undefined : new Big(v).round(2, Big.roundHalfEven).toFixed(2));
    const daily = (out.ForecastResultsByTime ?? []).map((r) => ({
      date: r.TimePeriod?.Start ?? '',
      mean: cents(r.MeanValue) ?? '0.00',
      ...(r.PredictionIntervalLowerBound !== undefined ? { lower: new Big(r.PredictionIntervalLowerBound).toFixed(2) } : {}),
      ...(r.PredictionIntervalUpperBound !== undefined ? { upper: new Big(r.PredictionIntervalUpperBound).toFixed(2) } : {}),
    }));
    const lower = daily.every((d) => d.lower !== undefined)
      ? daily.reduce((s, d) => s.plus(d.lower as string), new Big(0))
      : undefined;
    const upper = daily.every((d) => d.upper !== undefined)
      ? daily.reduce((s, d) => s.plus(d.upper as string), new Big(0))
      : undefined;
    return {
      total: {
        mean: cents(out.Total?.Amount) ?? daily.reduce((s, d) => s.plus(d.mean), new Big(0)).toFixed(2),
        // The days' bounds added up: wider than the total's own interval, which AWS does not return.
        ...(lower ? { lower: lower.toFixed(2) } : {}),
        ...(upper ? { upper: upper.toFixed(2) } : {}),
      },
      daily,
    };
  }

  async function costExplorerAnomalies(
    start: string,
    end: string,
    accounts: string[],
    usage: AwsUsage,
  ): Promise<CostExplorerAnomaly[]> {
    const { value, requests } = await retryTransient(() =>
      collectPages({
        listing: 'ce:GetAnomalies/forecasting',
        action: 'ce:GetAnomalies',
        initial: [] as CostExplorerAnomaly[],
        fetchPage: (NextPageToken, abortSignal) =>
          clients.costExplorer().send(
            new GetAnomaliesCommand({
              DateInterval: { StartDate: start, EndDate: end },
              ...(NextPageToken ? { NextPageToken } : {}),
            }),
            {
              abortSignal,
            },
          ),
        fold: (all, page) => {
          for (const a of page.Anomalies ?? []) {
            const causes = (a.RootCauses ?? []).map((c) => ({
              ...(c.Service ? { service: c.Service } : {}),
              ...(c.LinkedAccount ? { account: c.LinkedAccount } : {}),
              ...(c.Region ? { region: c.Region } : {}),
              ...(c.UsageType ? { usageType: c.UsageType } : {}),
              ...(c.Impact?.Contribution !== undefined ? { contribution: c.Impact.Contribution } : {}),
            }));
            // Anomalies of accounts outside the analysis are not ours to report.
            if (causes.length > 0 && causes.every((c) => c.account !== undefined && !accounts.includes(c.account))) continue;
            all.push({
              id: a.AnomalyId ?? '',
              start: (a.AnomalyStartDate ?? '').slice(0, 10),
              ...(a.AnomalyEndDate ? { end: a.AnomalyEndDate.slice(0, 10) } : {}),
              ...(a.DimensionValue ? { dimensionValue: a.DimensionValue } : {}),
              totalImpact: a.Impact?.TotalImpact ?? 0,
              ...(a.Impact?.TotalImpactPercentage !== undefined ? { impactPct: a.Impact.TotalImpactPercentage } : {}),
              rootCauses: causes.slice(0, 5),
              matched: false,
            });
          }
          return all;
        },
        nextToken: (page) => page.NextPageToken,
      }),
    );
    countRequest(usage, 'ce:GetAnomalies', requests, PURPOSE.anomalies);
    return value;
  }

  async function budgetsOf(account: string, usage: AwsUsage): Promise<BudgetInfo[]> {
    const out: BudgetInfo[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        const next = token;
        page = await retryTransient(() =>
          clients
            .budgets(account)
            .send(new DescribeBudgetsCommand({ AccountId: account, MaxResults: 100, ...(next ? { NextToken: next } : {}) })),
        );
      } catch (err) {
        throw toActivityFailure(err, 'budgets:ViewBudget');
      } finally {
        countRequest(usage, 'budgets:DescribeBudgets');
      }
      for (const b of page.Budgets ?? []) {
        out.push({
          account,
          name: b.BudgetName ?? '',
          budgetType: b.BudgetType ?? 'COST',
          timeUnit: b.TimeUnit ?? 'MONTHLY',
          limit: Number(b.BudgetLimit?.Amount ?? 0),
          unit: b.BudgetLimit?.Unit ?? 'USD',
          ...(b.CalculatedSpend?.ActualSpend?.Amount !== undefined
            ? { actualSpend: Number(b.CalculatedSpend.ActualSpend.Amount) }
            : {}),
          ...(b.CalculatedSpend?.ForecastedSpend?.Amount !== undefined
            ? { forecastedSpend: Number(b.CalculatedSpend.ForecastedSpend.Amount) }
            : {}),
          scoped:
            Object.values(b.CostFilters ?? {}).some((v) => v.length > 0) || Object.keys(b.FilterExpression ?? {}).length > 0,
        });
      }
      token = page.NextToken || undefined;
    } while (token);
    return out;
  }

  return {
    async analyseForecast(input: AnalyseForecastInput): Promise<AnalyseForecastOutput> {
      const usage = emptyUsage();
      const notes: string[] = [];
      const historyDays = input.historyDays ?? 182;
      const horizon = input.horizonDays ?? 30;
      const asOf = input.asOf ?? options.now().toISOString().slice(0, 10);
      const history = periodEndingOn(asOf, historyDays);
      const filter = accountFilter(input.accounts);

      // The spend read (every agent's, made before this) covers the last two periods; only the rest is asked for.
      const scope = { analysisId: input.analysisId, accounts: input.accounts };
      if (input.spend) await joinSpendReads(reads, scope, input.spend, usage);
      const historyRead = await reads.daily(scope, ['SERVICE'], history);
      countRequest(usage, 'ce:GetCostAndUsage', historyRead.requests, PURPOSE.history);
      const daily = historyRead.costs.byDay;
      const dates = daysOf(history);
      const totals = dates.map((d) => Object.values(daily[d] ?? {}).reduce((s, a) => s.plus(a), new Big(0)));
      const values = totals.map((t) => Number(t.toString()));
      // Leading days without cost (a new account) are not history.
      const first = values.findIndex((v) => v > 0);
      const usable = first < 0 ? [] : values.slice(first);
      const usableDates = first < 0 ? [] : dates.slice(first);
      if (usable.length < 28) throw new Error(`Forecasting needs at least 28 days of cost history (found ${usable.length}).`);

      const byServiceSeries = new Map<string, number[]>();
      for (const [i, d] of usableDates.entries())
        for (const [service, amount] of Object.entries(daily[d] ?? {})) {
          let series = byServiceSeries.get(service);
          if (!series) byServiceSeries.set(service, (series = new Array<number>(usable.length).fill(0)));
          series[i] = Number(amount);
        }

      const ours = forecastDaily(usable, asOf, horizon, LEVEL);
      const tested = backtest(usable, horizon, LEVEL);
      if (!tested) notes.push(`Backtest skipped: it needs ${horizon + 28} days of history (found ${usable.length}).`);

      // Unusual days, the largest explained by what moved.
      const anomalies = detectAllAnomalies(usableDates, usable, byServiceSeries);
      const anomalyDays = new Set(anomalies.flatMap((a) => daysOf({ start: a.start, end: addDays(a.end, 1) })));
      const explained = [...anomalies].sort((a, b) => Number(b.impact) - Number(a.impact)).slice(0, input.maxExplained ?? 5);
      // Services come from the history already read; accounts, regions and usage types take two queries.
      const serviceBreakdown: DimensionBreakdown = { dimension: 'service', byDay: {} };
      for (const [day, groups] of Object.entries(daily))
        serviceBreakdown.byDay[day] = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, Number(v)]));
      await mapWithConcurrency(explained, 2, async (anomaly) => {
        const window = { start: addDays(anomaly.start, -14), end: addDays(anomaly.end, 1) };
        const options = { skipDays: anomalyDays };
        const serviceDrivers = anomaly.service ? [] : explainAnomaly(anomaly, [serviceBreakdown], options);
        const service = anomaly.service ?? serviceDrivers[0]?.key;
        const only = (name: string): Expression => ({ And: [filter, { Dimensions: { Key: 'SERVICE', Values: [name] } }] });
        // A service's anomaly is explained within that service; the total's usage types within its top service.
        // Days the spend reads already hold are cut from them; only what they lack is asked for.
        const [accountRegion, usageTypes] = await Promise.all([
          (anomaly.service ? Promise.resolve(undefined) : reads.available(scope, ['LINKED_ACCOUNT', 'REGION'], window)).then(
            (held) =>
              held?.byDay ??
              costByDay(
                `drivers/${anomaly.start}/${anomaly.service ?? 'all'}/account-region`,
                window,
                'DAILY',
                anomaly.service ? only(anomaly.service) : filter,
                [
                  { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
                  { Type: 'DIMENSION', Key: 'REGION' },
                ],
                usage,
                PURPOSE.accountRegion,
              ),
          ),
          service
            ? reads.available(scope, ['SERVICE', 'USAGE_TYPE'], window).then(
                (held) =>
                  (held && usageTypesOf(held.byDay, service)) ??
                  costByDay(
                    `drivers/${anomaly.start}/${service}/usage-type`,
                    window,
                    'DAILY',
                    only(service),
                    [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
                    usage,
                    PURPOSE.usageType,
                  ),
              )
            : Promise.resolve({}),
        ]);
        const split = (
          data: Record<string, Record<string, string>>,
          index: number,
          dimension: DriverDimension,
        ): DimensionBreakdown => {
          const byDay: DimensionBreakdown['byDay'] = {};
          for (const [day, groups] of Object.entries(data)) {
            const row: Record<string, number> = {};
            for (const [key, amount] of Object.entries(groups)) {
              const part = key.split('|')[index] ?? key;
              row[part] = (row[part] ?? 0) + Number(amount);
            }
            byDay[day] = row;
          }
          return { dimension, byDay };
        };
        anomaly.drivers = [
          ...(anomaly.service
            ? [
                {
                  dimension: 'service' as const,
                  key: anomaly.service,
                  actual: anomaly.actual,
                  expected: anomaly.expected,
                  delta: anomaly.impact,
                  share: 1,
                },
              ]
            : serviceDrivers),
          ...explainAnomaly(
            anomaly,
            [split(accountRegion, 0, 'account'), split(accountRegion, 1, 'region'), split(usageTypes, 0, 'usage-type')],
            options,
          ),
        ];
      });

      // Cost Explorer's view, side by side.
      let costExplorer: ForecastSummary['costExplorer'];
      try {
        costExplorer = await costExplorerForecast(filter, asOf, horizon, usage);
      } catch (err) {
        noteOrThrow(err, "Cost Explorer's forecast", notes);
      }
      let ceAnomalies: CostExplorerAnomaly[] = [];
      try {
        ceAnomalies = await costExplorerAnomalies(usableDates[0] as string, addDays(asOf, -1), input.accounts, usage);
      } catch (err) {
        noteOrThrow(err, 'Cost Anomaly Detection', notes);
      }
      matchAnomalies(anomalies, ceAnomalies);

      // Budgets: this month's projection and a suggestion for the next.
      const budgets: BudgetInfo[] = [];
      for (const account of input.accounts) {
        try {
          budgets.push(...(await budgetsOf(account, usage)));
        } catch (err) {
          noteOrThrow(err, `AWS Budgets for ${account}`, notes);
        }
      }
      const month = monthStart(asOf);
      const { remainingDays, nextMonthDays } = budgetMonths(asOf);
      const monthToDate = usableDates.reduce((s, d, i) => (d >= month ? s + (usable[i] as number) : s), 0);
      const remaining = ours.window(0, remainingDays);
      const following = ours.window(remainingDays, remainingDays + nextMonthDays);
      const budget = adviseBudgets({
        month: month.slice(0, 7),
        monthToDate,
        remaining,
        nextMonth: following,
        budgets,
        comparable: (b) => input.accounts.length === 1 && b.account === input.accounts[0],
      });

      const ourTotal = Number(ours.total.mean);
      const theirTotal = costExplorer ? Number(costExplorer.total.mean) : undefined;
      const forecast: ForecastSummary = {
        asOf,
        horizonDays: horizon,
        intervalLevel: LEVEL,
        method: FORECAST_METHOD,
        model: {
          alpha: Math.round(ours.model.alpha * 1e4) / 1e4,
          beta: Math.round(ours.model.beta * 1e5) / 1e5,
          gamma: Math.round(ours.model.gamma * 1e4) / 1e4,
          phi: Math.round(ours.model.phi * 1e4) / 1e4,
          sigma: Math.round(ours.model.sigma * 1e5) / 1e5,
          transform: ours.model.transform,
        },
        history: {
          start: usableDates[0] as string,
          end: history.end,
          days: usable.length,
          total: totals.reduce((s, t) => s.plus(t), new Big(0)).toString(),
        },
        daily: ours.daily,
        total: ours.total,
        ...(costExplorer ? { costExplorer } : {}),
        ...(theirTotal !== undefined
          ? {
              difference: {
                amount: (ourTotal - theirTotal).toFixed(2),
                pct: theirTotal > 0 ? Math.round(((ourTotal - theirTotal) / theirTotal) * 1000) / 10 : null,
              },
            }
          : {}),
        ...(tested ? { backtest: { ...tested, ...backtestWindows({ start: usableDates[0] as string, end: asOf }, horizon) } } : {}),
        anomalies,
        costExplorerAnomalies: ceAnomalies.slice(0, 20),
        budget,
        byService: serviceForecasts(byServiceSeries, horizon),
        notes: [...notes, ...budget.notes],
      };
      return { forecast, usage, notes, costExplorerRequests: ceRequests(usage) };
    },
  };
}
