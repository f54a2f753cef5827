/**
 * Cost Explorer GetAnomalies and GetTags over a scenario.
 *
 * GetAnomalies reports the scenario's planted spikes (`scenario.events`) as Cost Anomaly Detection
 * would from its default "AWS services" monitor: the anomaly's service (DimensionValue), its impact
 * measured on the cost history (actual spend on the anomalous days against the expected spend, the
 * median day of the 14 days before), and root causes — the account, region and usage type whose cost
 * rose most, with their dollar contribution. DateInterval (StartDate required) selects anomalies that
 * overlap it; TotalImpact filters by impact; MaxResults and NextPageToken page.
 *
 * GetTags lists the cost-allocation tag keys that have cost in the TimePeriod — or, with TagKey, that
 * key's values — optionally narrowed by SearchString (a case-insensitive substring) and a Filter,
 * sorted alphabetically, with ReturnSize, TotalSize and paging (MaxResults up to 1000).
 */
import type { IncomingMessage } from 'node:http';
import { addDays, isIsoDate, toEpochDay } from '../dates';
import { validationError } from '../errors';
import type { JsonObject } from '../protocols/json';
import type { Scenario } from '../scenario';
import { parseTimePeriod } from '../cost-explorer';
import { compileFilter, isAbsent, readObject, readString } from './ce-input';
import { fingerprintOf, keyFilter, page, readPageSize, stableUuid, visibleAccounts } from './ce-common';

interface Anomaly {
  AnomalyId: string;
  AnomalyStartDate: string;
  AnomalyEndDate: string;
  DimensionValue: string;
  RootCauses: {
    Service: string;
    Region: string;
    LinkedAccount: string;
    LinkedAccountName: string;
    UsageType: string;
    Impact: { Contribution: number };
  }[];
  AnomalyScore: { MaxScore: number; CurrentScore: number };
  Impact: {
    MaxImpact: number;
    TotalImpact: number;
    TotalActualSpend: number;
    TotalExpectedSpend: number;
    TotalImpactPercentage: number;
  };
  MonitorArn: string;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.floor(sorted.length / 2)] as number);
}

export function monitorArn(scenario: Scenario): string {
  return `arn:aws:ce::${scenario.accounts[0]?.id ?? '000000000000'}:anomalymonitor/${stableUuid(`${scenario.seed}/monitor`)}`;
}

/** The scenario's spikes as anomalies, measured on its cost history (cached per scenario). */
const anomalyCache = new WeakMap<Scenario, Anomaly[]>();

export function scenarioAnomalies(scenario: Scenario): Anomaly[] {
  const cached = anomalyCache.get(scenario);
  if (cached) return cached;
  const store = scenario.costStore;
  const names = new Map(scenario.accounts.map((a) => [a.id, a.name]));
  const anomalies: Anomaly[] = [];
  for (const event of scenario.events) {
    if (event.kind !== 'spike' || event.date > scenario.anchorDate) continue;
    const first = toEpochDay(event.date);
    const last = Math.min(toEpochDay(event.endDate), toEpochDay(scenario.anchorDate));
    // Per (account, region, usage type) of the service: baseline (median of 14 days before) and actual.
    const groups = new Map<
      string,
      { account: string; region: string; usageType: string; baseline: number[]; actual: number[] }
    >();
    const collect = (day: number, into: 'baseline' | 'actual', index: number): void => {
      const [from, to] = store.rowRange(day, day + 1);
      for (let row = from; row < to; row++) {
        const key = store.keys[store.rowKey[row] as number];
        if (!key || key.service !== event.service) continue;
        const id = `${key.account}|${key.region}|${key.usageType}`;
        let g = groups.get(id);
        if (!g)
          groups.set(
            id,
            (g = {
              account: key.account,
              region: key.region,
              usageType: key.usageType,
              baseline: new Array<number>(14).fill(0),
              actual: new Array<number>(last - first + 1).fill(0),
            }),
          );
        g[into][index] = (g[into][index] as number) + (store.rowAmount[row] as number) / 1e10;
      }
    };
    for (let i = 0; i < 14; i++) collect(first - 14 + i, 'baseline', i);
    for (let day = first; day <= last; day++) collect(day, 'actual', day - first);
    let actual = 0;
    let expected = 0;
    let maxImpact = 0;
    const dailyExcess = new Array<number>(last - first + 1).fill(0);
    const causes: { g: { account: string; region: string; usageType: string }; contribution: number }[] = [];
    for (const g of groups.values()) {
      const base = median(g.baseline);
      const sum = g.actual.reduce((a, b) => a + b, 0);
      actual += sum;
      expected += base * g.actual.length;
      g.actual.forEach((v, i) => (dailyExcess[i] = (dailyExcess[i] as number) + v - base));
      causes.push({ g, contribution: sum - base * g.actual.length });
    }
    maxImpact = Math.max(0, ...dailyExcess);
    const impact = actual - expected;
    if (impact <= 0) continue;
    causes.sort((a, b) => b.contribution - a.contribution);
    const score = Math.min(1, impact / Math.max(1, expected + impact));
    anomalies.push({
      AnomalyId: stableUuid(`${scenario.seed}/${event.date}/${event.service}/${event.description}`),
      AnomalyStartDate: `${event.date}T00:00:00Z`,
      AnomalyEndDate: `${addDays(event.endDate, 0)}T00:00:00Z`,
      DimensionValue: event.service,
      RootCauses: causes
        .filter((c) => c.contribution > impact * 0.05)
        .slice(0, 3)
        .map((c) => ({
          Service: event.service,
          Region: c.g.region,
          LinkedAccount: c.g.account,
          LinkedAccountName: names.get(c.g.account) ?? c.g.account,
          UsageType: c.g.usageType,
          Impact: { Contribution: round2(c.contribution) },
        })),
      AnomalyScore: { MaxScore: round2(score), CurrentScore: event.endDate >= scenario.anchorDate ? round2(score) : 0 },
      Impact: {
        MaxImpact: round2(maxImpact),
        TotalImpact: round2(impact),
        TotalActualSpend: round2(actual),
        TotalExpectedSpend: round2(expected),
        TotalImpactPercentage: expected > 0 ? round2((impact / expected) * 100) : 0,
      },
      MonitorArn: monitorArn(scenario),
    });
  }
  anomalyCache.set(scenario, anomalies);
  return anomalies;
}

const OPERATORS = ['EQUAL', 'GREATER_THAN_OR_EQUAL', 'LESS_THAN_OR_EQUAL', 'GREATER_THAN', 'LESS_THAN', 'BETWEEN'];

export function getAnomalies(scenario: Scenario, input: JsonObject, request: IncomingMessage | undefined): unknown {
  const interval = readObject(input['DateInterval'], 'DateInterval');
  const startDate = readString(interval?.['StartDate'], 'DateInterval.StartDate');
  if (!interval || startDate === undefined) {
    throw validationError(
      `1 validation error detected: Value null at 'dateInterval' failed to satisfy constraint: Member must not be null`,
    );
  }
  const endDate = readString(interval['EndDate'], 'DateInterval.EndDate') ?? scenario.anchorDate;
  for (const value of [startDate, endDate]) {
    if (!isIsoDate(value.slice(0, 10))) throw validationError(`DateInterval date '${value}' is not a valid date (YYYY-MM-DD).`);
  }
  const monitor = readString(input['MonitorArn'], 'MonitorArn');
  const feedback = readString(input['Feedback'], 'Feedback');
  const impactFilter = readObject(input['TotalImpact'], 'TotalImpact');
  let matchesImpact = (_: number): boolean => true;
  if (impactFilter) {
    const operator = readString(impactFilter['NumericOperator'], 'TotalImpact.NumericOperator') ?? '';
    if (!OPERATORS.includes(operator))
      throw validationError(`TotalImpact.NumericOperator must be one of ${OPERATORS.join(', ')}.`);
    const from = Number(impactFilter['StartValue']);
    const to = Number(impactFilter['EndValue']);
    if (!Number.isFinite(from)) throw validationError('TotalImpact.StartValue is required.');
    if (operator === 'BETWEEN' && !Number.isFinite(to)) throw validationError('TotalImpact.EndValue is required with BETWEEN.');
    matchesImpact = (x) =>
      operator === 'EQUAL'
        ? x === from
        : operator === 'GREATER_THAN_OR_EQUAL'
          ? x >= from
          : operator === 'LESS_THAN_OR_EQUAL'
            ? x <= from
            : operator === 'GREATER_THAN'
              ? x > from
              : operator === 'LESS_THAN'
                ? x < from
                : x >= from && x <= to;
  }
  const maxResults = readPageSize(input['MaxResults'], 'maxResults', 100, 20);
  const accounts = new Set(visibleAccounts(scenario, request));
  const all = scenarioAnomalies(scenario).filter(
    (a) =>
      (monitor === undefined || a.MonitorArn === monitor) &&
      feedback === undefined &&
      a.AnomalyEndDate.slice(0, 10) >= startDate.slice(0, 10) &&
      a.AnomalyStartDate.slice(0, 10) <= endDate.slice(0, 10) &&
      matchesImpact(a.Impact.TotalImpact) &&
      a.RootCauses.some((c) => accounts.has(c.LinkedAccount)),
  );
  const result = page(
    all,
    maxResults,
    readString(input['NextPageToken'], 'NextPageToken'),
    fingerprintOf(['anomalies', startDate, endDate, monitor, input['TotalImpact'] ?? null]),
  );
  return { Anomalies: result.items, ...(result.next ? { NextPageToken: result.next } : {}) };
}

export function getTags(scenario: Scenario, input: JsonObject, request: IncomingMessage | undefined): unknown {
  const { start, end } = parseTimePeriod(input, scenario.anchorDate, { hourlyAllowed: false, granularity: false });
  const tagKey = readString(input['TagKey'], 'TagKey');
  const search = readString(input['SearchString'], 'SearchString')?.toLowerCase();
  const maxResults = readPageSize(input['MaxResults'], 'maxResults', 1000, 1000);
  const filter = isAbsent(input['Filter'])
    ? undefined
    : compileFilter(input['Filter'], 'Filter', { accountNames: new Map(scenario.accounts.map((a) => [a.id, a.name])) });
  if (!isAbsent(input['SortBy']))
    throw validationError('SortBy is not supported by the sample account; tags are returned in alphabetical order.');
  const keep = keyFilter(filter, visibleAccounts(scenario, request));
  const store = scenario.costStore;
  const [from, to] = store.rowRange(toEpochDay(start), toEpochDay(end));
  const used = new Uint8Array(store.keys.length);
  for (let row = from; row < to; row++) used[store.rowKey[row] as number] = 1;
  const found = new Set<string>();
  store.keys.forEach((key, i) => {
    if (!used[i] || !keep(key)) return;
    if (tagKey === undefined) for (const k of Object.keys(key.tags)) found.add(k);
    else if (key.tags[tagKey] !== undefined) found.add(key.tags[tagKey]);
  });
  const tags = [...found].filter((t) => search === undefined || t.toLowerCase().includes(search)).sort();
  const result = page(
    tags,
    maxResults,
    readString(input['NextPageToken'], 'NextPageToken'),
    fingerprintOf(['tags', start, end, tagKey, search, input['Filter'] ?? null]),
  );
  return {
    Tags: result.items,
    ReturnSize: result.items.length,
    TotalSize: tags.length,
    ...(result.next ? { NextPageToken: result.next } : {}),
  };
}
