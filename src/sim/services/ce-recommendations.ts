/**
 * Cost Explorer's recommendation operations over a scenario, consistent with its resources, usage
 * and prices:
 *
 * - GetRightsizingRecommendation (Service "AmazonEC2"): the scenario's idle instances as TERMINATE
 *   and its over-provisioned ones as MODIFY to the next smaller size — the same instances and dollar
 *   figures as the ground truth (waste.ts) — with the 14-day maximum CPU, hours and monthly cost.
 * - GetSavingsPlansPurchaseRecommendation: an hourly commitment equal to the minimum hourly EC2
 *   on-demand spend over the lookback period (steady usage a plan would always cover), discounted at
 *   typical Savings Plans rates for the type, term and payment option; per account (LINKED) or for
 *   the organisation (PAYER).
 * - GetReservationPurchaseRecommendation (EC2 or RDS): one recommendation per instance type (or DB
 *   class, engine, deployment) with instances that ran on demand through the whole lookback period,
 *   at typical Reserved Instance discounts.
 * All page with PageSize (up to 6,000) and NextPageToken. Amounts are decimal strings, as AWS sends.
 */
import type { IncomingMessage } from 'node:http';
import { addDays, toEpochDay } from '../dates';
import { validationError } from '../errors';
import { instanceTypeInfo, normalizationFactor, requireInstanceType, smallerInstanceType } from '../generator/catalog';
import { DATABASE_ENGINE } from '../generator/catalog';
import { regionInfo } from '../generator/prices';
import { DAY_SECONDS, summarise } from '../metrics';
import type { Ec2Instance, PlantedWaste } from '../model';
import type { JsonObject } from '../protocols/json';
import { SERVICE, type Scenario } from '../scenario';
import { HOURS_PER_MONTH, dbCosts, instanceHourly } from '../waste';
import { compileFilter, isAbsent, readObject, readString, type CeLine } from './ce-input';
import { amount, dailySeries, enumValue, fingerprintOf, page, readPageSize, stableUuid, visibleAccounts } from './ce-common';

const money = (x: number): string => amount(x, 2);
const TERMS = ['ONE_YEAR', 'THREE_YEARS'];
const PAYMENTS = ['NO_UPFRONT', 'PARTIAL_UPFRONT', 'ALL_UPFRONT'];
const LOOKBACKS: Record<string, number> = { SEVEN_DAYS: 7, THIRTY_DAYS: 30, SIXTY_DAYS: 60 };

function metadata(scenario: Scenario, kind: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    RecommendationId: stableUuid(`${scenario.seed}/${kind}/${JSON.stringify(extra)}`),
    GenerationTimestamp: `${addDays(scenario.anchorDate, 0)}T06:00:00Z`,
    ...extra,
  };
}

function instanceLine(instance: Ec2Instance): CeLine {
  return {
    account: instance.account,
    region: instance.region,
    service: SERVICE.ec2Compute,
    usageType: `${regionInfo(instance.region).prefix}BoxUsage:${instance.instanceType}`,
    operation: 'RunInstances',
    usageUnit: 'Hrs',
    recordType: 'Usage',
    tags: instance.tags,
  };
}

function filterFor(scenario: Scenario, input: JsonObject): ((line: CeLine) => boolean) | undefined {
  return isAbsent(input['Filter'])
    ? undefined
    : compileFilter(input['Filter'], 'Filter', { accountNames: new Map(scenario.accounts.map((a) => [a.id, a.name])) });
}

function ec2Details(scenario: Scenario, instance: Ec2Instance, instanceType = instance.instanceType): Record<string, string> {
  const info = requireInstanceType(instanceType);
  const entry = scenario.priceBook.entry({ kind: 'ec2-instance', region: instance.region, instanceType });
  return {
    HourlyOnDemandRate: amount(instanceHourly(scenario.priceBook, instance, instanceType)),
    InstanceType: instanceType,
    Platform: 'Linux/UNIX',
    Region: regionInfo(instance.region).location,
    ...(entry ? { Sku: entry.sku } : {}),
    Memory: `${info.memoryGiB} GiB`,
    NetworkPerformance: info.vcpu >= 16 ? 'Up to 10 Gigabit' : 'Up to 10 Gigabit',
    Storage: 'EBS only',
    Vcpu: String(info.vcpu),
  };
}

export function getRightsizingRecommendation(
  scenario: Scenario,
  input: JsonObject,
  request: IncomingMessage | undefined,
): unknown {
  const service = readString(input['Service'], 'Service');
  if (service === undefined)
    throw validationError(
      `1 validation error detected: Value null at 'service' failed to satisfy constraint: Member must not be null`,
    );
  if (service !== 'AmazonEC2')
    throw validationError(`Rightsizing recommendations are available for AmazonEC2 only (got ${service}).`);
  const configuration = readObject(input['Configuration'], 'Configuration');
  const target = enumValue(
    configuration?.['RecommendationTarget'],
    'configuration.recommendationTarget',
    ['SAME_INSTANCE_FAMILY', 'CROSS_INSTANCE_FAMILY'],
    'SAME_INSTANCE_FAMILY',
  );
  const benefits = configuration?.['BenefitsConsidered'] ?? true;
  const pageSize = readPageSize(input['PageSize'], 'pageSize', 6000, 100);
  const filter = filterFor(scenario, input);
  const accounts = new Set(visibleAccounts(scenario, request));
  const instances = new Map(scenario.instances.map((i) => [i.instanceId, i]));
  const anchor = Date.parse(`${scenario.anchorDate}T00:00:00Z`) / 1000;
  const recommendations: unknown[] = [];
  let savings = 0;
  let currentCost = 0;
  const relevant = scenario.planted.filter((p: PlantedWaste) => p.check === 'ec2-idle' || p.check === 'ec2-overprovisioned');
  for (const finding of relevant) {
    const instance = instances.get(finding.resourceId);
    if (!instance || !accounts.has(instance.account) || (filter && !filter(instanceLine(instance)))) continue;
    const monthly = instanceHourly(scenario.priceBook, instance) * HOURS_PER_MONTH;
    const cpu = instance.metrics['AWS/EC2/CPUUtilization'];
    const maxCpu = cpu ? summarise(cpu, anchor - 14 * DAY_SECONDS, anchor).max : 0;
    const current = {
      ResourceId: instance.instanceId,
      InstanceName: instance.tags['Name'] ?? '',
      Tags: Object.entries(instance.tags).map(([Key, value]) => ({ Key, Values: [value] })),
      ResourceDetails: { EC2ResourceDetails: ec2Details(scenario, instance) },
      ResourceUtilization: {
        EC2ResourceUtilization: {
          MaxCpuUtilizationPercentage: amount(maxCpu, 2),
          MaxMemoryUtilizationPercentage: '',
          MaxStorageUtilizationPercentage: '',
        },
      },
      ReservationCoveredHoursInLookbackPeriod: '0',
      SavingsPlansCoveredHoursInLookbackPeriod: '0',
      OnDemandHoursInLookbackPeriod: '336',
      TotalRunningHoursInLookbackPeriod: '336',
      MonthlyCost: money(monthly),
      CurrencyCode: 'USD',
    };
    savings += finding.monthlySavings;
    currentCost += monthly;
    if (finding.check === 'ec2-idle') {
      recommendations.push({
        AccountId: instance.account,
        CurrentInstance: current,
        RightsizingType: 'TERMINATE',
        TerminateRecommendationDetail: { EstimatedMonthlySavings: money(finding.monthlySavings), CurrencyCode: 'USD' },
        FindingReasonCodes: ['CPU_OVER_PROVISIONED', 'NETWORK_BANDWIDTH_OVER_PROVISIONED'],
      });
    } else {
      const smaller = smallerInstanceType(instance.instanceType) as string;
      const factor = (instanceTypeInfo(instance.instanceType)?.vcpu ?? 2) / (instanceTypeInfo(smaller)?.vcpu ?? 1);
      recommendations.push({
        AccountId: instance.account,
        CurrentInstance: current,
        RightsizingType: 'MODIFY',
        ModifyRecommendationDetail: {
          TargetInstances: [
            {
              EstimatedMonthlyCost: money(monthly - finding.monthlySavings),
              EstimatedMonthlySavings: money(finding.monthlySavings),
              CurrencyCode: 'USD',
              DefaultTargetInstance: true,
              ResourceDetails: { EC2ResourceDetails: ec2Details(scenario, instance, smaller) },
              ExpectedResourceUtilization: {
                EC2ResourceUtilization: {
                  MaxCpuUtilizationPercentage: amount(Math.min(100, maxCpu * factor), 2),
                  MaxMemoryUtilizationPercentage: '',
                  MaxStorageUtilizationPercentage: '',
                },
              },
              PlatformDifferences: [],
            },
          ],
        },
        FindingReasonCodes: ['CPU_OVER_PROVISIONED'],
      });
    }
  }
  const fingerprint = fingerprintOf(['rightsizing', target, benefits, input['Filter'] ?? null, [...accounts]]);
  const result = page(recommendations, pageSize, readString(input['NextPageToken'], 'NextPageToken'), fingerprint);
  return {
    Metadata: metadata(scenario, 'rightsizing', { LookbackPeriodInDays: 'FOURTEEN_DAYS' }),
    Summary: {
      TotalRecommendationCount: String(recommendations.length),
      EstimatedTotalMonthlySavingsAmount: money(savings),
      SavingsCurrencyCode: 'USD',
      SavingsPercentage: currentCost > 0 ? amount((savings / currentCost) * 100, 2) : '0',
    },
    RightsizingRecommendations: result.items,
    ...(result.next ? { NextPageToken: result.next } : {}),
    Configuration: { RecommendationTarget: target, BenefitsConsidered: benefits },
  };
}

/** Typical discounts off on-demand: [term][payment]. */
const SP_DISCOUNT: Record<string, Record<string, Record<string, number>>> = {
  COMPUTE_SP: {
    ONE_YEAR: { NO_UPFRONT: 0.27, PARTIAL_UPFRONT: 0.3, ALL_UPFRONT: 0.32 },
    THREE_YEARS: { NO_UPFRONT: 0.5, PARTIAL_UPFRONT: 0.53, ALL_UPFRONT: 0.55 },
  },
  EC2_INSTANCE_SP: {
    ONE_YEAR: { NO_UPFRONT: 0.37, PARTIAL_UPFRONT: 0.39, ALL_UPFRONT: 0.41 },
    THREE_YEARS: { NO_UPFRONT: 0.58, PARTIAL_UPFRONT: 0.6, ALL_UPFRONT: 0.62 },
  },
};

export function getSavingsPlansPurchaseRecommendation(
  scenario: Scenario,
  input: JsonObject,
  request: IncomingMessage | undefined,
): unknown {
  const type = enumValue(input['SavingsPlansType'], 'savingsPlansType', [
    'COMPUTE_SP',
    'EC2_INSTANCE_SP',
    'SAGEMAKER_SP',
    'DATABASE_SP',
  ]);
  const term = enumValue(input['TermInYears'], 'termInYears', TERMS);
  const payment = enumValue(input['PaymentOption'], 'paymentOption', [
    ...PAYMENTS,
    'LIGHT_UTILIZATION',
    'MEDIUM_UTILIZATION',
    'HEAVY_UTILIZATION',
  ]);
  const scope = enumValue(input['AccountScope'], 'accountScope', ['PAYER', 'LINKED'], 'PAYER');
  const lookback = enumValue(input['LookbackPeriodInDays'], 'lookbackPeriodInDays', Object.keys(LOOKBACKS), 'SEVEN_DAYS');
  const pageSize = readPageSize(input['PageSize'], 'pageSize', 6000, 100);
  const filter = filterFor(scenario, input);
  const discount = SP_DISCOUNT[type]?.[term]?.[payment];
  const days = LOOKBACKS[lookback] as number;
  const anchorDay = toEpochDay(scenario.anchorDate);
  const accounts = visibleAccounts(scenario, request);
  // Groups: the organisation (PAYER) or each account (LINKED); EC2 Instance SPs per region and family.
  const groups = new Map<string, { account: string; region?: string; family?: string; keys: (k: CeLine) => boolean }>();
  if (discount !== undefined) {
    const scopes = scope === 'PAYER' ? [accounts] : accounts.map((a) => [a]);
    for (const members of scopes) {
      const owner = members.length === 1 ? (members[0] as string) : (scenario.accounts[0]?.id as string);
      const base = (k: CeLine): boolean =>
        members.includes(k.account) && /(^|-)BoxUsage:/.test(k.usageType) && (!filter || filter(k));
      if (type === 'COMPUTE_SP') groups.set(owner, { account: owner, keys: base });
      else {
        const families = new Set<string>();
        for (const k of scenario.costStore.keys)
          if (base(k)) families.add(`${k.region}|${k.usageType.split(':')[1]?.split('.')[0]}`);
        for (const f of families) {
          const [region, family] = f.split('|') as [string, string];
          groups.set(`${owner}|${f}`, {
            account: owner,
            region,
            family,
            keys: (k) => base(k) && k.region === region && k.usageType.split(':')[1]?.split('.')[0] === family,
          });
        }
      }
    }
  }
  const years = term === 'ONE_YEAR' ? 1 : 3;
  const details: Record<string, unknown>[] = [];
  const summary = { cost: 0, od: 0, savings: 0, monthly: 0, hourly: 0, upfront: 0 };
  for (const [id, group] of groups) {
    const daily = dailySeries(scenario, anchorDay - days, anchorDay, group.keys);
    const totalOd = daily.reduce((a, b) => a + b, 0);
    const hourlyMin = Math.min(...daily) / 24;
    if (!(hourlyMin > 0) || discount === undefined) continue;
    const commitment = hourlyMin * (1 - discount);
    const hours = days * 24;
    const spCost = commitment * hours;
    const savings = hourlyMin * discount * hours;
    const upfront =
      payment === 'ALL_UPFRONT' ? commitment * 8760 * years : payment === 'PARTIAL_UPFRONT' ? (commitment * 8760 * years) / 2 : 0;
    details.push({
      SavingsPlansDetails: {
        ...(group.region ? { Region: regionInfo(group.region).location, InstanceFamily: group.family } : {}),
        OfferingId: stableUuid(`${type}/${term}/${payment}/${group.region ?? ''}/${group.family ?? ''}`),
      },
      AccountId: group.account,
      UpfrontCost: money(upfront),
      EstimatedROI: amount((savings / spCost) * 100, 2),
      CurrencyCode: 'USD',
      EstimatedSPCost: money(spCost),
      EstimatedOnDemandCost: money(totalOd - hourlyMin * hours),
      EstimatedOnDemandCostWithCurrentCommitment: money(totalOd),
      EstimatedSavingsAmount: money(savings),
      EstimatedSavingsPercentage: amount((savings / totalOd) * 100, 2),
      HourlyCommitmentToPurchase: amount(commitment, 3),
      EstimatedAverageUtilization: '100',
      EstimatedMonthlySavingsAmount: money(hourlyMin * discount * HOURS_PER_MONTH),
      CurrentMinimumHourlyOnDemandSpend: amount(hourlyMin, 3),
      CurrentMaximumHourlyOnDemandSpend: amount(Math.max(...daily) / 24, 3),
      CurrentAverageHourlyOnDemandSpend: amount(totalOd / hours, 3),
      RecommendationDetailId: stableUuid(`sp/${id}/${type}/${term}/${payment}/${lookback}`),
    });
    summary.cost += spCost;
    summary.od += totalOd;
    summary.savings += savings;
    summary.monthly += hourlyMin * discount * HOURS_PER_MONTH;
    summary.hourly += commitment;
    summary.upfront += upfront;
  }
  const fingerprint = fingerprintOf(['sp', type, term, payment, scope, lookback, input['Filter'] ?? null, accounts]);
  const result = page(details, pageSize, readString(input['NextPageToken'], 'NextPageToken'), fingerprint);
  return {
    Metadata: metadata(scenario, 'savings-plans', { type, term, payment, scope, lookback }),
    SavingsPlansPurchaseRecommendation: {
      AccountScope: scope,
      SavingsPlansType: type,
      TermInYears: term,
      PaymentOption: payment,
      LookbackPeriodInDays: lookback,
      SavingsPlansPurchaseRecommendationDetails: result.items,
      ...(details.length > 0
        ? {
            SavingsPlansPurchaseRecommendationSummary: {
              EstimatedROI: amount(summary.cost > 0 ? (summary.savings / summary.cost) * 100 : 0, 2),
              CurrencyCode: 'USD',
              EstimatedTotalCost: money(summary.cost + summary.od - (summary.savings + summary.cost)),
              CurrentOnDemandSpend: money(summary.od),
              EstimatedSavingsAmount: money(summary.savings),
              TotalRecommendationCount: String(details.length),
              DailyCommitmentToPurchase: amount(summary.hourly * 24, 3),
              HourlyCommitmentToPurchase: amount(summary.hourly, 3),
              EstimatedSavingsPercentage: amount(summary.od > 0 ? (summary.savings / summary.od) * 100 : 0, 2),
              EstimatedMonthlySavingsAmount: money(summary.monthly),
              EstimatedOnDemandCostWithCurrentCommitment: money(summary.od),
            },
          }
        : {}),
    },
    ...(result.next ? { NextPageToken: result.next } : {}),
  };
}

const RI_DISCOUNT: Record<string, Record<string, number>> = {
  ONE_YEAR: { NO_UPFRONT: 0.36, PARTIAL_UPFRONT: 0.4, ALL_UPFRONT: 0.42 },
  THREE_YEARS: { NO_UPFRONT: 0.57, PARTIAL_UPFRONT: 0.6, ALL_UPFRONT: 0.62 },
};

export function getReservationPurchaseRecommendation(
  scenario: Scenario,
  input: JsonObject,
  request: IncomingMessage | undefined,
): unknown {
  const service = readString(input['Service'], 'Service');
  if (service === undefined)
    throw validationError(
      `1 validation error detected: Value null at 'service' failed to satisfy constraint: Member must not be null`,
    );
  const term = enumValue(input['TermInYears'], 'termInYears', TERMS, 'ONE_YEAR');
  const payment = enumValue(
    input['PaymentOption'],
    'paymentOption',
    [...PAYMENTS, 'LIGHT_UTILIZATION', 'MEDIUM_UTILIZATION', 'HEAVY_UTILIZATION'],
    'PARTIAL_UPFRONT',
  );
  const scope = enumValue(input['AccountScope'], 'accountScope', ['PAYER', 'LINKED'], 'PAYER');
  const lookback = enumValue(input['LookbackPeriodInDays'], 'lookbackPeriodInDays', Object.keys(LOOKBACKS), 'SEVEN_DAYS');
  const pageSize = readPageSize(input['PageSize'], 'pageSize', 6000, 100);
  const offeringClass = enumValue(
    readObject(
      readObject(input['ServiceSpecification'], 'ServiceSpecification')?.['EC2Specification'],
      'ServiceSpecification.EC2Specification',
    )?.['OfferingClass'],
    'serviceSpecification.eC2Specification.offeringClass',
    ['STANDARD', 'CONVERTIBLE'],
    'STANDARD',
  );
  const onlyAccount = readString(input['AccountId'], 'AccountId');
  const visible = visibleAccounts(scenario, request).filter((a) => onlyAccount === undefined || a === onlyAccount);
  const discount = (RI_DISCOUNT[term]?.[payment] ?? 0.3) - (offeringClass === 'CONVERTIBLE' ? 0.1 : 0);
  const years = term === 'ONE_YEAR' ? 1 : 3;
  const lookbackStart = Date.parse(`${addDays(scenario.anchorDate, -(LOOKBACKS[lookback] as number))}T00:00:00Z`);
  const owner = (account: string): string => (scope === 'PAYER' ? (scenario.accounts[0]?.id as string) : account);
  const groups = new Map<
    string,
    { account: string; region: string; count: number; hourly: number; units: number; details: Record<string, unknown> }
  >();
  if (service === SERVICE.ec2Compute) {
    for (const i of scenario.instances) {
      if (
        i.state !== 'running' ||
        i.lifecycle !== 'on-demand' ||
        scenario.schedules[i.instanceId] ||
        Date.parse(i.launchTime) > lookbackStart
      )
        continue;
      if (!visible.includes(i.account)) continue;
      const info = requireInstanceType(i.instanceType);
      const id = `${owner(i.account)}|${i.region}|${i.instanceType}`;
      const g = groups.get(id) ?? {
        account: owner(i.account),
        region: i.region,
        count: 0,
        hourly: instanceHourly(scenario.priceBook, i),
        units: 0,
        details: {
          EC2InstanceDetails: {
            Family: info.family,
            InstanceType: i.instanceType,
            Region: regionInfo(i.region).location,
            Platform: 'Linux/UNIX',
            Tenancy: 'shared',
            CurrentGeneration: info.currentGeneration,
            SizeFlexEligible: true,
          },
        },
      };
      g.count++;
      g.units += normalizationFactor(info.size);
      groups.set(id, g);
    }
  } else if (service === SERVICE.rds) {
    for (const d of scenario.databases) {
      if (d.status !== 'available' || Date.parse(d.instanceCreateTime) > lookbackStart || !visible.includes(d.account)) continue;
      const id = `${owner(d.account)}|${d.region}|${d.dbInstanceClass}|${d.engine}|${d.multiAz}`;
      const g = groups.get(id) ?? {
        account: owner(d.account),
        region: d.region,
        count: 0,
        hourly: dbCosts(scenario.priceBook, d).instance / HOURS_PER_MONTH,
        units: 0,
        details: {
          RDSInstanceDetails: {
            Family: d.dbInstanceClass.split('.').slice(0, 2).join('.'),
            InstanceType: d.dbInstanceClass,
            Region: regionInfo(d.region).location,
            DatabaseEngine: DATABASE_ENGINE[d.engine] ?? d.engine,
            DatabaseEdition: '',
            DeploymentOption: d.multiAz ? 'Multi-AZ' : 'Single-AZ',
            LicenseModel: 'No license required',
            CurrentGeneration: true,
            SizeFlexEligible: true,
          },
        },
      };
      g.count++;
      g.units += normalizationFactor(d.dbInstanceClass.split('.').pop() ?? '');
      groups.set(id, g);
    }
  }
  const details: Record<string, unknown>[] = [];
  let totalSavings = 0;
  let totalOnDemand = 0;
  for (const g of [...groups.values()].sort((a, b) => b.count * b.hourly - a.count * a.hourly)) {
    const monthlyOnDemand = g.count * g.hourly * HOURS_PER_MONTH;
    const monthlySavings = monthlyOnDemand * discount;
    const effectiveMonthly = monthlyOnDemand - monthlySavings;
    const upfront =
      payment === 'ALL_UPFRONT'
        ? effectiveMonthly * 12 * years
        : payment === 'PARTIAL_UPFRONT'
          ? (effectiveMonthly * 12 * years) / 2
          : 0;
    const recurring = payment === 'ALL_UPFRONT' ? 0 : payment === 'PARTIAL_UPFRONT' ? effectiveMonthly / 2 : effectiveMonthly;
    totalSavings += monthlySavings;
    totalOnDemand += monthlyOnDemand;
    details.push({
      AccountId: g.account,
      InstanceDetails: g.details,
      RecommendedNumberOfInstancesToPurchase: String(g.count),
      RecommendedNormalizedUnitsToPurchase: String(g.units),
      MinimumNumberOfInstancesUsedPerHour: String(g.count),
      MinimumNormalizedUnitsUsedPerHour: String(g.units),
      MaximumNumberOfInstancesUsedPerHour: String(g.count),
      MaximumNormalizedUnitsUsedPerHour: String(g.units),
      AverageNumberOfInstancesUsedPerHour: String(g.count),
      AverageNormalizedUnitsUsedPerHour: String(g.units),
      AverageUtilization: '100',
      EstimatedBreakEvenInMonths: amount(upfront > 0 ? upfront / monthlySavings : 0, 2),
      CurrencyCode: 'USD',
      EstimatedMonthlySavingsAmount: money(monthlySavings),
      EstimatedMonthlySavingsPercentage: amount(discount * 100, 2),
      EstimatedMonthlyOnDemandCost: money(monthlyOnDemand),
      EstimatedReservationCostForLookbackPeriod: money(
        (effectiveMonthly / HOURS_PER_MONTH) * 24 * (LOOKBACKS[lookback] as number),
      ),
      UpfrontCost: money(upfront),
      RecurringStandardMonthlyCost: money(recurring),
    });
  }
  const fingerprint = fingerprintOf(['ri', service, term, payment, scope, lookback, offeringClass, onlyAccount ?? null, visible]);
  const result = page(details, pageSize, readString(input['NextPageToken'], 'NextPageToken'), fingerprint);
  return {
    Metadata: metadata(scenario, 'reservations', { service, term, payment, scope, lookback }),
    Recommendations:
      details.length === 0
        ? []
        : [
            {
              AccountScope: scope,
              LookbackPeriodInDays: lookback,
              TermInYears: term,
              PaymentOption: payment,
              ...(service === SERVICE.ec2Compute
                ? { ServiceSpecification: { EC2Specification: { OfferingClass: offeringClass } } }
                : {}),
              RecommendationDetails: result.items,
              RecommendationSummary: {
                TotalEstimatedMonthlySavingsAmount: money(totalSavings),
                TotalEstimatedMonthlySavingsPercentage: amount(totalOnDemand > 0 ? (totalSavings / totalOnDemand) * 100 : 0, 2),
                CurrencyCode: 'USD',
              },
            },
          ],
    ...(result.next ? { NextPageToken: result.next } : {}),
  };
}
