/**
 * Every threshold the compute and database checks use, with defaults calibrated against the
 * established tools (../shared/reference/heuristics.md), and the flat form the report lists.
 *
 * Calibration (where ours differ, ours are stricter, so a recommendation to stop or delete something
 * holds up on inspection):
 * - EC2 idle: CPU p95 < 2% and network < 5 MB on every one of 14 days. Trusted Advisor flags daily
 *   average CPU <= 10% and network <= 5 MB on 4 of 14 days; its network bound is kept, its CPU bound
 *   tightened to a p95 (a box that peaks is not idle) and required on every day, not four.
 * - EC2 over-provisioned: CPU p95 < 20% and maximum < 30% over 14 days (Steampipe Thrifty alarms below
 *   20% of daily-average CPU; AWS CFM TIPS' lower tier is 20%); the smaller size must fit with
 *   headroom: the CPU projected onto its vCPUs stays under 50% at p95 and 80% at the maximum.
 * - Metric history: 14 days, as Compute Optimizer's 30 hours within 14 days at the least; instances
 *   launched later get no recommendation.
 * - Stopped instances: 30 days (Trusted Advisor c18d2gz150). Snapshots: 90 days (Thrifty).
 * - EBS idle: fewer than 1,000 operations on every one of 14 days (Trusted Advisor: < 1 IOPS, i.e.
 *   86,400 operations, a day over 7 days; Thrifty: average daily maximum <= 100 operations per period).
 * - gp3 takes a volume when its IOPS fit: at most 16,000 and 500 per GiB (CFM TIPS, Thrifty).
 * - RDS idle: no connection in 7 days (Trusted Advisor Ti39halfu8, CFM TIPS). Over-provisioned: CPU
 *   p95 < 20% and maximum < 30% (Thrifty alarms at <= 25%). Reservation candidates: running 90 days
 *   (Thrifty). Over-allocated storage: more than 60% free at its fullest.
 * - Non-production: an Environment/env tag (any key case) with one of the listed values.
 */

import { z } from 'zod';

export interface Ec2Thresholds {
  metricWindowDays: number;
  minHistoryDays: number;
  idleCpuP95Percent: number;
  idleNetworkBytesPerDay: number;
  overprovisionedCpuP95Percent: number;
  overprovisionedCpuMaxPercent: number;
  rightsizeMaxProjectedCpuP95Percent: number;
  rightsizeMaxProjectedCpuMaxPercent: number;
  /** Share of the target's stated network bandwidth the busiest day's average may use. */
  rightsizeMaxNetworkShare: number;
  stoppedDays: number;
  /** Previous-generation families beyond those the Price List marks currentGeneration = No. */
  previousGenerationFamilies: string[];
  /** A burstable instance is out of credits when its CPU credit balance reaches this at its lowest. */
  burstableCreditBalanceFloor: number;
}

export interface EbsThresholds {
  idleOpsPerDay: number;
  minVolumeAgeDays: number;
  gp3MaxIops: number;
  gp3MaxIopsPerGiB: number;
  snapshotMinAgeDays: number;
}

export interface RdsThresholds {
  idleConnectionDays: number;
  minAgeDays: number;
  overprovisionedCpuP95Percent: number;
  overprovisionedCpuMaxPercent: number;
  rightsizeMaxProjectedCpuP95Percent: number;
  rightsizeMaxProjectedCpuMaxPercent: number;
  overallocatedFreeStorageShare: number;
  reservationCandidateDays: number;
  nonProductionValues: string[];
}

export interface CommitmentThresholds {
  termInYears: 'ONE_YEAR' | 'THREE_YEARS';
  paymentOption: 'NO_UPFRONT' | 'PARTIAL_UPFRONT' | 'ALL_UPFRONT';
  lookbackPeriodInDays: 'SEVEN_DAYS' | 'THIRTY_DAYS' | 'SIXTY_DAYS';
  /** Reservations ending within this many days are reported as expiring. */
  expiringWithinDays: number;
}

export interface Thresholds {
  ec2: Ec2Thresholds;
  ebs: EbsThresholds;
  rds: RdsThresholds;
  commitments: CommitmentThresholds;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  ec2: {
    metricWindowDays: 14,
    minHistoryDays: 14,
    idleCpuP95Percent: 2,
    idleNetworkBytesPerDay: 5_000_000,
    overprovisionedCpuP95Percent: 20,
    overprovisionedCpuMaxPercent: 30,
    rightsizeMaxProjectedCpuP95Percent: 50,
    rightsizeMaxProjectedCpuMaxPercent: 80,
    rightsizeMaxNetworkShare: 0.25,
    stoppedDays: 30,
    previousGenerationFamilies: ['t2', 'm3', 'm4', 'c3', 'c4', 'r3', 'r4', 'i2', 'd2'],
    burstableCreditBalanceFloor: 1,
  },
  ebs: {
    idleOpsPerDay: 1000,
    minVolumeAgeDays: 14,
    gp3MaxIops: 16_000,
    gp3MaxIopsPerGiB: 500,
    snapshotMinAgeDays: 90,
  },
  rds: {
    idleConnectionDays: 7,
    minAgeDays: 14,
    overprovisionedCpuP95Percent: 20,
    overprovisionedCpuMaxPercent: 30,
    rightsizeMaxProjectedCpuP95Percent: 50,
    rightsizeMaxProjectedCpuMaxPercent: 80,
    overallocatedFreeStorageShare: 0.6,
    reservationCandidateDays: 90,
    nonProductionValues: ['staging', 'stage', 'dev', 'development', 'test', 'testing', 'qa', 'sandbox'],
  },
  commitments: {
    termInYears: 'ONE_YEAR',
    paymentOption: 'NO_UPFRONT',
    lookbackPeriodInDays: 'THIRTY_DAYS',
    expiringWithinDays: 30,
  },
};

export type ThresholdOverrides = { [G in keyof Thresholds]?: Partial<Thresholds[G]> };

/** Defaults with overrides applied group by group (unknown keys are ignored). */
export function resolveThresholds(overrides: ThresholdOverrides = {}): Thresholds {
  const pick = <G extends keyof Thresholds>(group: G): Thresholds[G] => {
    const base = DEFAULT_THRESHOLDS[group];
    const given = overrides[group] ?? {};
    const out = { ...base };
    for (const key of Object.keys(base) as (keyof Thresholds[G])[]) {
      const value = (given as Thresholds[G])[key];
      if (value !== undefined && typeof value === typeof base[key]) out[key] = value;
    }
    return out;
  };
  return { ec2: pick('ec2'), ebs: pick('ebs'), rds: pick('rds'), commitments: pick('commitments') };
}

/** The flat list the report shows for one group, e.g. { "ec2.idleCpuP95Percent": 2 }. */
function flatten(prefix: string, group: object): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(group)) {
    out[`${prefix}.${key}`] = Array.isArray(value) ? value.join(',') : (value as number | string);
  }
  return out;
}

/** Thresholds an agent used, as AgentResult.thresholds carries them. */
export function thresholdsForReport(t: Thresholds, groups: (keyof Thresholds)[]): Record<string, number | string> {
  return Object.assign({}, ...groups.map((g) => flatten(g, t[g]))) as Record<string, number | string>;
}

const COMMITMENT_CHOICES: Partial<Record<keyof CommitmentThresholds, readonly string[]>> = {
  termInYears: ['ONE_YEAR', 'THREE_YEARS'],
  paymentOption: ['NO_UPFRONT', 'PARTIAL_UPFRONT', 'ALL_UPFRONT'],
  lookbackPeriodInDays: ['SEVEN_DAYS', 'THIRTY_DAYS', 'SIXTY_DAYS'],
};

/** The schema of one threshold, from its default: percentages 0–100, shares 0–1, other numbers ≥ 0. */
function thresholdSchema(group: keyof Thresholds, key: string, fallback: unknown): z.ZodType {
  const choices = group === 'commitments' ? COMMITMENT_CHOICES[key as keyof CommitmentThresholds] : undefined;
  if (choices) return z.enum(choices as [string, ...string[]]);
  if (Array.isArray(fallback)) return z.array(z.string().min(1)).max(200);
  if (typeof fallback === 'number') {
    const number = z.number().finite().nonnegative();
    if (key.endsWith('Percent')) return number.max(100);
    if (key.endsWith('Share')) return number.max(1);
    return number;
  }
  return z.string().min(1);
}

const overridesSchema = z
  .object(
    Object.fromEntries(
      (Object.keys(DEFAULT_THRESHOLDS) as (keyof Thresholds)[]).map((group) => [
        group,
        z
          .object(
            Object.fromEntries(
              Object.entries(DEFAULT_THRESHOLDS[group]).map(([key, fallback]) => [
                key,
                thresholdSchema(group, key, fallback).optional(),
              ]),
            ),
          )
          .strict()
          .optional(),
      ]),
    ),
  )
  .strict();

export class ThresholdError extends Error {
  override name = 'ThresholdError';

  constructor(readonly problems: string[]) {
    super(`invalid threshold overrides: ${problems.join('; ')}`);
  }
}

/**
 * Validate untrusted threshold overrides (a configuration file): known groups and keys only, each of
 * its default's type, percentages within 0–100 and shares within 0–1. Every problem is named.
 */
export function parseThresholdOverrides(value: unknown): ThresholdOverrides {
  const parsed = overridesSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ThresholdError(
    parsed.error.issues.map((issue) => {
      const path = issue.path.join('.');
      if (issue.code === 'unrecognized_keys')
        return `${path ? `${path}: ` : ''}unknown ${path ? 'threshold' : 'group'} ${issue.keys.join(', ')} (known: ${Object.keys(
          path ? DEFAULT_THRESHOLDS[path as keyof Thresholds] : DEFAULT_THRESHOLDS,
        ).join(', ')})`;
      return `${path || 'overrides'}: ${issue.message}`;
    }),
  );
}
