/**
 * Cost Explorer's coverage and utilisation of the commitments a scenario holds (model.ts `commitments`):
 * GetReservationCoverage, GetReservationUtilization, GetSavingsPlansCoverage, GetSavingsPlansUtilization.
 *
 * The figures follow from the same running hours the cost history bills (billing.ts `billedHours`), over
 * the request's TimePeriod, for the accounts the caller sees (narrowed by a LINKED_ACCOUNT filter):
 * - Reserved Instances (EC2 by default, RDS when the filter names the RDS service), per account, Region and
 *   instance type (RDS: DB instance class, and engine when the reservation names one): purchased hours =
 *   count × hours the reservation was active in the period; used hours = the smaller of those and the
 *   matching on-demand hours. Coverage = used / all running hours of that service (spot excluded);
 *   utilisation = used / purchased. Size flexibility and RDS deployment (Multi-AZ) are not modelled.
 * - Compute Savings Plans, per account: commitment = hourly commitment × hours active in the period; used =
 *   the smaller of that and the EC2 on-demand cost of the hours RIs left uncovered. Coverage = used / that
 *   cost; utilisation = used / commitment.
 * Both are worked out over the period as a whole, not hour by hour (AWS applies commitments hourly, so
 * usage that varies within the period is covered a little less on AWS). Without commitments, Cost
 * Explorer answers DataUnavailableException for utilisation, as AWS does.
 */
import { billedHours } from '../billing';
import { AwsError } from '../errors';
import type { JsonObject, JsonOperationHandler } from '../protocols/json';
import { mentionedServices } from '../protocols/json';
import { SERVICE, type Scenario } from '../scenario';
import { amount, visibleAccounts } from './ce-common';
import { optionalObject, optionalString } from './json-input';

interface Window {
  start: string;
  end: string;
}

function readWindow(input: JsonObject): Window {
  const period = optionalObject(input['TimePeriod'], 'TimePeriod');
  const start = optionalString(period?.['Start'], 'TimePeriod.Start');
  const end = optionalString(period?.['End'], 'TimePeriod.End');
  if (!start || !end || !/^\d{4}-\d{2}-\d{2}$/.test(start) || !/^\d{4}-\d{2}-\d{2}$/.test(end) || start >= end)
    throw new AwsError('ValidationException', 'TimePeriod needs Start before End, both YYYY-MM-DD.');
  return { start, end };
}

/** LINKED_ACCOUNT values anywhere in the filter, within what the caller sees. */
function scopeAccounts(scenario: Scenario, input: JsonObject, context: Parameters<JsonOperationHandler>[1]): Set<string> {
  const visible = visibleAccounts(scenario, context.request);
  const named: string[] = [];
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const record = value as JsonObject;
    if (record['Key'] === 'LINKED_ACCOUNT' && Array.isArray(record['Values'])) named.push(...record['Values'].map(String));
    Object.values(record).forEach(visit);
  };
  visit(input['Filter']);
  return new Set(named.length ? visible.filter((a) => named.includes(a)) : visible);
}

/** Hours of [term.start, term.end) inside the window. */
function activeHours(term: { start: string; end: string }, window: Window): number {
  const from = Math.max(Date.parse(term.start), Date.parse(`${window.start}T00:00:00Z`));
  const to = Math.min(Date.parse(term.end), Date.parse(`${window.end}T00:00:00Z`));
  return to > from ? (to - from) / 3_600_000 : 0;
}

interface UsageGroup {
  key: string;
  account: string;
  region: string;
  type: string;
  /** RDS: the database engine. */
  engine?: string;
  hours: number;
  /** On-demand USD per hour of this type in this Region. */
  price: number;
}

function usageGroups(scenario: Scenario, service: 'EC2' | 'RDS', accounts: Set<string>, window: Window): Map<string, UsageGroup> {
  const groups = new Map<string, UsageGroup>();
  const add = (account: string, region: string, type: string, engine: string | undefined, hours: number, price: number) => {
    const key = `${account}/${region}/${type}/${engine ?? ''}`;
    const group = groups.get(key) ?? { key, account, region, type, ...(engine ? { engine } : {}), hours: 0, price };
    group.hours += hours;
    groups.set(key, group);
  };
  if (service === 'EC2') {
    for (const instance of scenario.instances) {
      if (!accounts.has(instance.account) || instance.lifecycle === 'spot') continue;
      const hours = billedHours({ kind: 'ec2', instance }, scenario.schedules[instance.instanceId], window.start, window.end);
      const price = scenario.priceBook.price({
        kind: 'ec2-instance',
        region: instance.region,
        instanceType: instance.instanceType,
      });
      if (hours > 0) add(instance.account, instance.region, instance.instanceType, undefined, hours, price);
    }
  } else {
    for (const db of scenario.databases) {
      if (!accounts.has(db.account)) continue;
      const hours = billedHours({ kind: 'rds', db }, undefined, window.start, window.end);
      const price = scenario.priceBook.price({
        kind: 'rds-instance',
        region: db.region,
        dbInstanceClass: db.dbInstanceClass,
        engine: db.engine,
        multiAz: db.multiAz,
      });
      if (hours > 0) add(db.account, db.region, db.dbInstanceClass, db.engine, hours, price);
    }
  }
  return groups;
}

interface ReservationFigures {
  totalHours: number;
  purchasedHours: number;
  usedHours: number;
  /** On-demand cost of the running hours no reservation covered (what a Savings Plan may cover). */
  uncoveredCost: number;
}

function reservationFigures(
  scenario: Scenario,
  service: 'EC2' | 'RDS',
  accounts: Set<string>,
  window: Window,
): ReservationFigures {
  const groups = [...usageGroups(scenario, service, accounts, window).values()];
  const figures: ReservationFigures = { totalHours: 0, purchasedHours: 0, usedHours: 0, uncoveredCost: 0 };
  const unreserved = new Map(groups.map((g) => [g.key, g.hours]));
  // Reservations naming an engine first, so one open to any engine is not spent on hours they could cover.
  const reservations = (scenario.commitments?.reservations ?? [])
    .filter((r) => r.service === service && accounts.has(r.account))
    .sort((a, b) => Number(a.engine === undefined) - Number(b.engine === undefined));
  for (const r of reservations) {
    let left = r.count * activeHours(r, window);
    figures.purchasedHours += left;
    for (const g of groups) {
      if (left <= 0) break;
      if (g.account !== r.account || g.region !== r.region || g.type !== r.instanceType) continue;
      if (r.engine !== undefined && g.engine !== r.engine) continue;
      const used = Math.min(left, unreserved.get(g.key) ?? 0);
      unreserved.set(g.key, (unreserved.get(g.key) ?? 0) - used);
      figures.usedHours += used;
      left -= used;
    }
  }
  for (const g of groups) {
    figures.totalHours += g.hours;
    figures.uncoveredCost += (unreserved.get(g.key) ?? 0) * g.price;
  }
  return figures;
}

const percent = (part: number, whole: number): string => amount(whole > 0 ? (100 * part) / whole : 0, 2);

function sideOf(input: JsonObject): 'EC2' | 'RDS' {
  return mentionedServices(input['Filter']).includes(SERVICE.rds) ? 'RDS' : 'EC2';
}

function savingsPlanFigures(scenario: Scenario, accounts: Set<string>, window: Window) {
  const ec2 = reservationFigures(scenario, 'EC2', accounts, window);
  let commitment = 0;
  for (const plan of scenario.commitments?.savingsPlans ?? [])
    if (accounts.has(plan.account)) commitment += Number(plan.commitmentPerHour) * activeHours(plan, window);
  const used = Math.min(commitment, ec2.uncoveredCost);
  return { commitment, used, onDemandCost: ec2.uncoveredCost };
}

export function costExplorerCommitmentOperations(scenario: Scenario): Record<string, JsonOperationHandler> {
  return {
    GetReservationCoverage: (input, context) => {
      const window = readWindow(input);
      const f = reservationFigures(scenario, sideOf(input), scopeAccounts(scenario, input, context), window);
      const hours = {
        OnDemandHours: amount(f.totalHours - f.usedHours),
        ReservedHours: amount(f.usedHours),
        TotalRunningHours: amount(f.totalHours),
        CoverageHoursPercentage: percent(f.usedHours, f.totalHours),
      };
      return {
        CoveragesByTime: [{ TimePeriod: { Start: window.start, End: window.end }, Groups: [], Total: { CoverageHours: hours } }],
        Total: { CoverageHours: hours },
      };
    },
    GetReservationUtilization: (input, context) => {
      const window = readWindow(input);
      const f = reservationFigures(scenario, sideOf(input), scopeAccounts(scenario, input, context), window);
      if (f.purchasedHours === 0) throw new AwsError('DataUnavailableException', 'No reservations in the requested period.');
      const total = {
        UtilizationPercentage: percent(f.usedHours, f.purchasedHours),
        PurchasedHours: amount(f.purchasedHours),
        TotalActualHours: amount(f.usedHours),
        UnusedHours: amount(f.purchasedHours - f.usedHours),
      };
      return {
        UtilizationsByTime: [{ TimePeriod: { Start: window.start, End: window.end }, Groups: [], Total: total }],
        Total: total,
      };
    },
    GetSavingsPlansCoverage: (input, context) => {
      const window = readWindow(input);
      const f = savingsPlanFigures(scenario, scopeAccounts(scenario, input, context), window);
      return {
        SavingsPlansCoverages: [
          {
            TimePeriod: { Start: window.start, End: window.end },
            Coverage: {
              SpendCoveredBySavingsPlans: amount(f.used),
              OnDemandCost: amount(f.onDemandCost - f.used),
              TotalCost: amount(f.onDemandCost),
              CoveragePercentage: percent(f.used, f.onDemandCost),
            },
          },
        ],
      };
    },
    GetSavingsPlansUtilization: (input, context) => {
      const window = readWindow(input);
      const f = savingsPlanFigures(scenario, scopeAccounts(scenario, input, context), window);
      if (f.commitment === 0) throw new AwsError('DataUnavailableException', 'No Savings Plans in the requested period.');
      const utilization = {
        TotalCommitment: amount(f.commitment),
        UsedCommitment: amount(f.used),
        UnusedCommitment: amount(f.commitment - f.used),
        UtilizationPercentage: percent(f.used, f.commitment),
      };
      return {
        SavingsPlansUtilizationsByTime: [{ TimePeriod: { Start: window.start, End: window.end }, Utilization: utilization }],
        Total: { Utilization: utilization },
      };
    },
  };
}
