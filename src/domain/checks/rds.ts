/**
 * RDS checks: idle databases, Multi-AZ on non-production, over-provisioned instances, previous-generation
 * classes, gp2 storage, over-allocated storage, and reservation candidates. Pure functions.
 *
 * Findings on one database never count the same dollar twice: idle (delete: everything) wins; then
 * Multi-AZ on non-production (instance and storage); then one instance-class change (over-provisioned,
 * else previous generation) and one storage change (gp2 → gp3, else over-allocated).
 */
import Big from 'big.js';
import type { DeclinedResource, Finding } from '../findings';
import {
  HOURS_PER_MONTH,
  cents,
  databaseMonthlyCost,
  isPositive,
  priceKey,
  priceOf,
  subtract,
  usd,
  type DatabaseConfig,
  type PriceBook,
} from '../pricing';
import { atLeastDaysBefore, cli, daysBefore, environmentTag, isNonProduction, makeFinding, rdsConsoleUrl, resourceOf, round } from './common';
import { SIZE_LADDER } from './ec2';
import type { RdsThresholds } from './thresholds';
import { gp2Performance, rdsGp3For } from './volume-performance';

export interface DatabaseFacts extends DatabaseConfig {
  account: string;
  dbInstanceIdentifier: string;
  status: string;
  instanceCreateTime?: string;
  tags: Record<string, string>;
}

export interface DatabaseMetrics {
  /** Maximum DatabaseConnections over the idle window (7 days), and whether there were datapoints. */
  connectionsMax?: number;
  cpuP95?: number;
  cpuMax?: number;
  /** Lowest FreeStorageSpace in the 14-day window, bytes. */
  freeStorageMin?: number;
}

const GIB = 2 ** 30;

/** Previous-generation DB class families and the family that replaces them at the same size. */
export const RDS_UPGRADE_FAMILY: Readonly<Record<string, string>> = {
  'db.t2': 'db.t3',
  'db.m3': 'db.m5',
  'db.m4': 'db.m5',
  'db.r3': 'db.r5',
  'db.r4': 'db.r5',
};

export function splitClass(dbInstanceClass: string): { family: string; size: string } | undefined {
  const at = dbInstanceClass.lastIndexOf('.');
  if (at <= 0) return undefined;
  return { family: dbInstanceClass.slice(0, at), size: dbInstanceClass.slice(at + 1) };
}

/** Classes the RDS checks may price for one database: its own, smaller sizes, the upgrade family. */
export function classesToPrice(dbInstanceClass: string): string[] {
  const split = splitClass(dbInstanceClass);
  if (!split) return [dbInstanceClass];
  const at = SIZE_LADDER.indexOf(split.size);
  const smaller = at > 0 ? SIZE_LADDER.slice(Math.max(0, at - 3), at).map((s) => `${split.family}.${s}`) : [];
  const upgrade = RDS_UPGRADE_FAMILY[split.family];
  return [dbInstanceClass, ...smaller, ...(upgrade ? [`${upgrade}.${split.size}`] : [])];
}

/** Databases the metric checks apply to: available and old enough for a full window. */
export function wantsDatabaseMetrics(db: DatabaseFacts, asOf: string, t: RdsThresholds): boolean {
  return db.status === 'available' && atLeastDaysBefore(asOf, db.instanceCreateTime, t.minAgeDays);
}

export interface RdsCheckInput {
  databases: readonly DatabaseFacts[];
  /** By identifier; undefined when GetMetricData was not allowed. */
  metrics: ReadonlyMap<string, DatabaseMetrics> | undefined;
  prices: PriceBook;
  asOf: string;
  thresholds: RdsThresholds;
}

export interface ReservationCandidate {
  account: string;
  region: string;
  dbInstanceIdentifier: string;
  dbInstanceClass: string;
  engine: string;
  multiAz: boolean;
  runningDays: number;
  monthlyOnDemand: string;
}

export interface RdsCheckOutput {
  findings: Finding[];
  reservationCandidates: ReservationCandidate[];
  declined: Record<string, number>;
  /** Databases examined with their data and not flagged idle, each with why (for the merge's second opinions). */
  declinedResources: DeclinedResource[];
}

function dbResource(db: DatabaseFacts) {
  return resourceOf(db.account, db.region, db.dbInstanceIdentifier, db.dbInstanceClass, db.tags);
}

function modify(db: DatabaseFacts, ...options: string[]): string {
  return cli('aws', 'rds', 'modify-db-instance', '--region', db.region, '--db-instance-identifier', db.dbInstanceIdentifier, ...options, '--apply-immediately');
}

export function evaluateDatabases(input: RdsCheckInput): RdsCheckOutput {
  const { prices, asOf, thresholds: t } = input;
  const findings: Finding[] = [];
  const reservationCandidates: ReservationCandidate[] = [];
  const declined: Record<string, number> = {};
  const declinedResources: DeclinedResource[] = [];
  const decline = (reason: string, db?: DatabaseFacts, detail = reason) => {
    declined[reason] = (declined[reason] ?? 0) + 1;
    if (db)
      declinedResources.push({ kind: 'rds-connections', account: db.account, region: db.region, id: db.dbInstanceIdentifier, reason: detail });
  };

  for (const db of input.databases) {
    const costs = databaseMonthlyCost(prices, db);
    if (!costs) {
      decline('no on-demand price for the class, engine or storage');
      continue;
    }
    const age = daysBefore(asOf, db.instanceCreateTime);
    if (db.status === 'available' && age !== undefined && age >= t.reservationCandidateDays) {
      reservationCandidates.push({
        account: db.account,
        region: db.region,
        dbInstanceIdentifier: db.dbInstanceIdentifier,
        dbInstanceClass: db.dbInstanceClass,
        engine: db.engine,
        multiAz: db.multiAz,
        runningDays: age,
        monthlyOnDemand: costs.instance,
      });
    }
    // A database being created, modified or only days old is not judged yet.
    if (!wantsDatabaseMetrics(db, asOf, t)) {
      const reason = db.status === 'available' ? `created less than ${t.minAgeDays} days ago` : `status ${db.status}`;
      decline(reason, db, db.status === 'available' ? `created ${age ?? 'an unknown number of'} day(s) ago: less than ${t.minAgeDays} days to judge` : `status ${db.status}: not judged until it is available`);
      continue;
    }
    const m = input.metrics?.get(db.dbInstanceIdentifier);
    const measured = input.metrics !== undefined;
    if (measured && m?.connectionsMax === 0) {
      findings.push(
        makeFinding({
          check: 'rds-idle',
          agent: 'rds',
          resource: dbResource(db),
          title: `No connections in ${t.idleConnectionDays} days`,
          evidence: {
            connectionsMax: 0,
            idleDays: t.idleConnectionDays,
            ...(m.cpuP95 !== undefined ? { cpuP95Percent: round(m.cpuP95) } : {}),
            multiAz: db.multiAz,
            allocatedStorageGiB: db.allocatedStorageGiB,
            instanceMonthlyCostUsd: usd(costs.instance),
            storageMonthlyCostUsd: usd(costs.storage),
          },
          action: 'delete',
          recommendation: `Take a final snapshot of ${db.dbInstanceIdentifier} and delete it (or stop it, for up to 7 days at a time): ${cents(costs.total)} USD a month for instance hours and storage.`,
          monthlySavings: costs.total,
          confidence: 'high',
          cliCommand: cli(
            'aws',
            'rds',
            'delete-db-instance',
            '--region',
            db.region,
            '--db-instance-identifier',
            db.dbInstanceIdentifier,
            '--final-db-snapshot-identifier',
            `${db.dbInstanceIdentifier}-final-${asOf}`.slice(0, 255),
          ),
          consoleUrl: rdsConsoleUrl(db.region, db.dbInstanceIdentifier),
        }),
      );
      continue;
    }
    if (measured && m === undefined) decline('no metrics');
    else if (measured && m?.connectionsMax !== undefined)
      declinedResources.push({
        kind: 'rds-connections',
        account: db.account,
        region: db.region,
        id: db.dbInstanceIdentifier,
        reason: `in use: up to ${m.connectionsMax} connection(s) in the last ${t.idleConnectionDays} days`,
      });

    if (db.multiAz && isNonProduction(db.tags, t.nonProductionValues)) {
      const single = databaseMonthlyCost(prices, { ...db, multiAz: false });
      if (single) {
        const savings = subtract(costs.total, single.total);
        findings.push(
          makeFinding({
            check: 'rds-multi-az-nonprod',
            agent: 'rds',
            resource: dbResource(db),
            title: `Multi-AZ on a ${environmentTag(db.tags)} database`,
            evidence: {
              environment: environmentTag(db.tags) ?? '',
              multiAz: true,
              monthlyCostUsd: usd(costs.total),
              singleAzMonthlyCostUsd: usd(single.total),
            },
            action: 'disable-multi-az',
            recommendation: `Convert ${db.dbInstanceIdentifier} (tagged ${environmentTag(db.tags)}) to Single-AZ: a standby is rarely worth paying for outside production; ${cents(savings)} USD a month.`,
            monthlySavings: savings,
            confidence: 'medium',
            cliCommand: modify(db, '--no-multi-az'),
            consoleUrl: rdsConsoleUrl(db.region, db.dbInstanceIdentifier),
          }),
        );
        continue;
      }
    }

    const resize = measured && m ? rightsizeDatabase(db, m, costs.instance, prices, t) : undefined;
    if (resize) findings.push(resize);
    else {
      const upgrade = previousGenerationDatabase(db, costs.instance, prices);
      if (upgrade) findings.push(upgrade);
    }

    if (db.storageType === 'gp2') {
      const gp3 = priceOf(prices, priceKey.rdsStorage(db.region, 'gp3', db.multiAz));
      const gp2 = priceOf(prices, priceKey.rdsStorage(db.region, 'gp2', db.multiAz));
      // gp3 must deliver what gp2 delivers now: under 400 GiB it cannot be raised above 3,000 IOPS and 125 MiB/s.
      const fit = rdsGp3For(db.allocatedStorageGiB);
      const need = gp2Performance(db.allocatedStorageGiB);
      if ('shortfall' in fit) decline('gp3 would lower its storage performance', db, fit.shortfall);
      else if (fit.extraIops > 0) decline('gp3 would need IOPS provisioned above its baseline', db);
      else if (gp3 !== undefined && gp2 !== undefined) {
        const savings = new Big(gp2).minus(gp3).times(db.allocatedStorageGiB);
        findings.push(
          makeFinding({
            check: 'rds-gp2-to-gp3',
            agent: 'rds',
            resource: dbResource(db),
            title: `gp2 storage: gp3 gives at least its ${need.iops} IOPS and ${need.throughputMiBps} MiB/s at ${savings.gt(0) ? 'a lower' : 'the same'} price`,
            evidence: {
              allocatedStorageGiB: db.allocatedStorageGiB,
              iops: need.iops,
              throughputMiBps: need.throughputMiBps,
              targetStorageType: 'gp3',
              targetIops: fit.performance.iops,
              targetThroughputMiBps: fit.performance.throughputMiBps,
              gp2PriceUsdPerGbMonth: Number(gp2),
              gp3PriceUsdPerGbMonth: Number(gp3),
            },
            action: 'upgrade',
            recommendation: `Modify ${db.dbInstanceIdentifier}'s storage to gp3: ${savings.gt(0) ? `${cents(savings.toString())} USD a month less, and` : 'the same price per GB, and'} ${fit.performance.iops} IOPS and ${fit.performance.throughputMiBps} MiB/s included, at least what gp2 gives it now.`,
            monthlySavings: savings.gt(0) ? savings.toString() : '0',
            confidence: 'high',
            cliCommand: modify(db, '--storage-type', 'gp3'),
            consoleUrl: rdsConsoleUrl(db.region, db.dbInstanceIdentifier),
          }),
        );
        continue;
      }
    }
    if (measured && m?.freeStorageMin !== undefined) {
      const over = overallocatedStorage(db, m.freeStorageMin, prices, t);
      if (over) findings.push(over);
    }
  }
  return { findings, reservationCandidates, declined, declinedResources };
}

function rightsizeDatabase(
  db: DatabaseFacts,
  m: DatabaseMetrics,
  instanceMonthly: string,
  prices: PriceBook,
  t: RdsThresholds,
): Finding | undefined {
  if (m.cpuP95 === undefined || m.cpuMax === undefined) return undefined;
  if (m.cpuP95 >= t.overprovisionedCpuP95Percent || m.cpuMax >= t.overprovisionedCpuMaxPercent) return undefined;
  const target = classesToPrice(db.dbInstanceClass)
    .slice(1)
    .filter((c) => splitClass(c)?.family === splitClass(db.dbInstanceClass)?.family)
    .find((c) => priceOf(prices, priceKey.rdsInstance(db.region, c, db.engine, db.multiAz)) !== undefined);
  if (!target) return undefined;
  const hourly = priceOf(prices, priceKey.rdsInstance(db.region, target, db.engine, db.multiAz)) as string;
  const savings = subtract(instanceMonthly, new Big(hourly).times(HOURS_PER_MONTH).toString());
  if (!isPositive(savings)) return undefined;
  // One size down halves the vCPUs: the CPU must still fit with headroom.
  if (m.cpuP95 * 2 > t.rightsizeMaxProjectedCpuP95Percent || m.cpuMax * 2 > t.rightsizeMaxProjectedCpuMaxPercent) return undefined;
  return makeFinding({
    check: 'rds-overprovisioned',
    agent: 'rds',
    resource: dbResource(db),
    title: `Over-provisioned: CPU p95 ${round(m.cpuP95)}%, max ${round(m.cpuMax)}%`,
    evidence: { cpuP95Percent: round(m.cpuP95), cpuMaxPercent: round(m.cpuMax), targetDbInstanceClass: target },
    action: 'rightsize',
    recommendation: `Modify ${db.dbInstanceIdentifier} from ${db.dbInstanceClass} to ${target} (check memory and connections first): ${cents(savings)} USD a month.`,
    monthlySavings: savings,
    confidence: 'medium',
    cliCommand: modify(db, '--db-instance-class', target),
    consoleUrl: rdsConsoleUrl(db.region, db.dbInstanceIdentifier),
  });
}

function previousGenerationDatabase(db: DatabaseFacts, instanceMonthly: string, prices: PriceBook): Finding | undefined {
  const split = splitClass(db.dbInstanceClass);
  const family = split ? RDS_UPGRADE_FAMILY[split.family] : undefined;
  if (!split || !family) return undefined;
  const target = `${family}.${split.size}`;
  const hourly = priceOf(prices, priceKey.rdsInstance(db.region, target, db.engine, db.multiAz));
  if (hourly === undefined) return undefined;
  const savings = subtract(instanceMonthly, new Big(hourly).times(HOURS_PER_MONTH).toString());
  if (!isPositive(savings)) return undefined;
  return makeFinding({
    check: 'rds-previous-generation',
    agent: 'rds',
    resource: dbResource(db),
    title: `${db.dbInstanceClass} is a previous generation; ${target} costs less`,
    evidence: { targetDbInstanceClass: target },
    action: 'upgrade',
    recommendation: `Modify ${db.dbInstanceIdentifier} to ${target} during a maintenance window: ${cents(savings)} USD a month less.`,
    monthlySavings: savings,
    confidence: 'high',
    cliCommand: modify(db, '--db-instance-class', target),
    consoleUrl: rdsConsoleUrl(db.region, db.dbInstanceIdentifier),
  });
}

/** RDS storage cannot shrink in place: a review with what a right-sized copy would save. */
function overallocatedStorage(db: DatabaseFacts, freeMin: number, prices: PriceBook, t: RdsThresholds): Finding | undefined {
  const allocated = db.allocatedStorageGiB * GIB;
  if (allocated <= 0 || freeMin / allocated <= t.overallocatedFreeStorageShare) return undefined;
  const usedGiB = (allocated - freeMin) / GIB;
  const neededGiB = Math.max(20, Math.ceil(usedGiB * 1.5));
  if (neededGiB >= db.allocatedStorageGiB) return undefined;
  const perGb = priceOf(prices, priceKey.rdsStorage(db.region, db.storageType, db.multiAz));
  if (perGb === undefined) return undefined;
  const savings = new Big(perGb).times(db.allocatedStorageGiB - neededGiB).toString();
  return makeFinding({
    check: 'rds-storage-overallocated',
    agent: 'rds',
    resource: dbResource(db),
    title: `${round((freeMin / allocated) * 100, 0)}% of ${db.allocatedStorageGiB} GiB free at its fullest`,
    evidence: { allocatedStorageGiB: db.allocatedStorageGiB, usedGiB: round(usedGiB, 1), suggestedGiB: neededGiB },
    action: 'review',
    recommendation: `RDS storage cannot shrink in place: at the next migration or restore, provision about ${neededGiB} GiB (used ${round(usedGiB, 0)} GiB plus half again), ${cents(savings)} USD a month less.`,
    monthlySavings: savings,
    confidence: 'low',
    consoleUrl: rdsConsoleUrl(db.region, db.dbInstanceIdentifier),
  });
}
