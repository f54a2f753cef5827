/**
 * Commitments: Savings Plans and Reserved Instance purchase recommendations (Cost Explorer), coverage
 * and utilisation of the commitments already bought, reservations about to expire, and databases that
 * have run long enough to be reservation candidates. Pure functions.
 *
 * Commitment savings are reported apart from the findings and never added to their total: Cost
 * Explorer sizes a commitment on past usage — idle and over-provisioned instances included — so the
 * same dollar would count twice. Act on the findings first, then buy for what is left.
 */
import Big from 'big.js';
import type { Finding } from '../findings';
import { addAmounts, compareAmounts, ZERO } from '../money';
import { regionCodeOf } from '../pricing';
import { DAY_MS, cli, dayStart, makeFinding, resourceOf } from './common';

export interface CommitmentRecommendation {
  kind: 'savings-plan' | 'reserved-instance';
  /** "Compute Savings Plans", "EC2 Instance Savings Plans", "EC2 Reserved Instances", "RDS Reserved Instances". */
  offering: string;
  account: string;
  region?: string;
  /** Instance type or family, DB class and engine, where the offering has one. */
  scope?: string;
  term: string;
  payment: string;
  /** Savings Plans: USD per hour to commit. */
  hourlyCommitment?: string;
  /** Reserved Instances: how many. */
  quantity?: number;
  upfrontCost: string;
  monthlySavings: string;
  savingsPercent?: number;
  description: string;
}

export interface ExpiringReservation {
  id: string;
  service: 'EC2' | 'RDS';
  account: string;
  region: string;
  type: string;
  count: number;
  end: string;
  daysLeft: number;
}

/**
 * The kinds of commitment measured apart: Savings Plans, and Reserved Instances per service. EC2 and RDS
 * reservations are bought, managed and reported separately (Cost Explorer's reservation reports are per
 * service), so one figure for both would hide one behind the other.
 */
export const COMMITMENT_KINDS = ['savingsPlans', 'ec2Reservations', 'rdsReservations'] as const;
export type CommitmentKind = (typeof COMMITMENT_KINDS)[number];

/** The reservation kind of each service whose reservations the agents read. */
export const RESERVATION_KIND = { EC2: 'ec2Reservations', RDS: 'rdsReservations' } as const satisfies Record<'EC2' | 'RDS', CommitmentKind>;

/** A figure (percentage or count) per kind of commitment; a kind not measured is absent. */
export type CommitmentFigures = Partial<Record<CommitmentKind, number>> & {
  /**
   * Reports stored before reservations were measured per service: EC2 and RDS reservations as one figure
   * (EC2's when both held some). Read so those reports still render; never written now.
   */
  reservations?: number;
};

export interface CommitmentsSummary {
  /** Highest savings first; at most COMMITMENTS_INLINE_LIMIT (the rest in the store). */
  recommendations: CommitmentRecommendation[];
  count: number;
  /** Sum of the recommendations' monthly savings: not added to the findings' total (see above). */
  monthlySavings: string;
  /** Percentages (0–100) of eligible usage covered, and of commitments used, when Cost Explorer has them. */
  coverage: CommitmentFigures;
  utilisation: CommitmentFigures;
  /**
   * Commitments active now, from the free inventories (DescribeSavingsPlans, DescribeReserved[DB]Instances),
   * when they could be read. With none held, coverage is 0% and utilisation has nothing to measure, and
   * Cost Explorer is not asked.
   */
  held?: CommitmentFigures;
  expiring: ExpiringReservation[];
  /** Databases running on demand long enough to reserve (RDS). */
  reservationCandidates?: { count: number; monthlyOnDemand: string };
  /** What could not be read, and why. */
  notes: string[];
  storeKey?: string;
}

export const COMMITMENTS_INLINE_LIMIT = 20;

export function emptyCommitments(): CommitmentsSummary {
  return { recommendations: [], count: 0, monthlySavings: ZERO, coverage: {}, utilisation: {}, expiring: [], notes: [] };
}

// Shapes of Cost Explorer's answers (only the fields we read; strings as AWS sends them).

export interface SavingsPlansDetail {
  AccountId?: string;
  SavingsPlansDetails?: { Region?: string; InstanceFamily?: string };
  UpfrontCost?: string;
  HourlyCommitmentToPurchase?: string;
  EstimatedMonthlySavingsAmount?: string;
  EstimatedSavingsPercentage?: string;
}

export interface ReservationDetail {
  AccountId?: string;
  InstanceDetails?: {
    EC2InstanceDetails?: { InstanceType?: string; Region?: string; Platform?: string };
    RDSInstanceDetails?: { InstanceType?: string; Region?: string; DatabaseEngine?: string; DeploymentOption?: string };
  };
  RecommendedNumberOfInstancesToPurchase?: string;
  UpfrontCost?: string;
  EstimatedMonthlySavingsAmount?: string;
  EstimatedMonthlySavingsPercentage?: string;
}

const TYPE_NAMES: Record<string, string> = {
  COMPUTE_SP: 'Compute Savings Plans',
  EC2_INSTANCE_SP: 'EC2 Instance Savings Plans',
  SAGEMAKER_SP: 'SageMaker Savings Plans',
  DATABASE_SP: 'Database Savings Plans',
};

const TERM_NAMES: Record<string, string> = { ONE_YEAR: '1 year', THREE_YEARS: '3 years' };

function decimal(value: string | undefined): string {
  return value !== undefined && /^-?\d+(\.\d+)?$/.test(value) ? new Big(value).toString() : ZERO;
}

function percent(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? Math.round(n * 100) / 100 : undefined;
}

export function savingsPlansRecommendations(
  type: string,
  term: string,
  payment: string,
  details: readonly SavingsPlansDetail[],
): CommitmentRecommendation[] {
  const offering = TYPE_NAMES[type] ?? type;
  return details.flatMap((d) => {
    const monthly = decimal(d.EstimatedMonthlySavingsAmount);
    if (!new Big(monthly).gt(0)) return [];
    const hourly = decimal(d.HourlyCommitmentToPurchase);
    const scope = d.SavingsPlansDetails?.InstanceFamily
      ? `${d.SavingsPlansDetails.InstanceFamily} in ${d.SavingsPlansDetails.Region ?? 'any region'}`
      : undefined;
    return [
      {
        kind: 'savings-plan' as const,
        offering,
        account: d.AccountId ?? '',
        ...(d.SavingsPlansDetails?.Region ? { region: d.SavingsPlansDetails.Region } : {}),
        ...(scope ? { scope } : {}),
        term,
        payment,
        hourlyCommitment: hourly,
        upfrontCost: decimal(d.UpfrontCost),
        monthlySavings: monthly,
        ...(percent(d.EstimatedSavingsPercentage) !== undefined ? { savingsPercent: percent(d.EstimatedSavingsPercentage) } : {}),
        description: `${offering}${scope ? ` (${scope})` : ''}, ${TERM_NAMES[term] ?? term}, ${payment.toLowerCase().replace(/_/g, ' ')}: commit ${hourly} USD an hour in account ${d.AccountId ?? '?'}`,
      },
    ];
  });
}

export function reservationRecommendations(
  service: 'EC2' | 'RDS',
  term: string,
  payment: string,
  details: readonly ReservationDetail[],
): CommitmentRecommendation[] {
  const offering = `${service} Reserved Instances`;
  return details.flatMap((d) => {
    const monthly = decimal(d.EstimatedMonthlySavingsAmount);
    if (!new Big(monthly).gt(0)) return [];
    const ec2 = d.InstanceDetails?.EC2InstanceDetails;
    const rds = d.InstanceDetails?.RDSInstanceDetails;
    const type = ec2?.InstanceType ?? rds?.InstanceType ?? '';
    const scope = rds ? `${type} ${rds.DatabaseEngine ?? ''} ${rds.DeploymentOption ?? ''}`.trim() : type;
    const quantity = Number(d.RecommendedNumberOfInstancesToPurchase ?? '0');
    const region = ec2?.Region ?? rds?.Region;
    return [
      {
        kind: 'reserved-instance' as const,
        offering,
        account: d.AccountId ?? '',
        ...(region ? { region } : {}),
        scope,
        term,
        payment,
        quantity,
        upfrontCost: decimal(d.UpfrontCost),
        monthlySavings: monthly,
        ...(percent(d.EstimatedMonthlySavingsPercentage) !== undefined
          ? { savingsPercent: percent(d.EstimatedMonthlySavingsPercentage) }
          : {}),
        description: `${quantity} × ${scope}${region ? ` in ${region}` : ''}, ${TERM_NAMES[term] ?? term}, ${payment.toLowerCase().replace(/_/g, ' ')}`,
      },
    ];
  });
}

export interface ReservationListing {
  id: string;
  service: 'EC2' | 'RDS';
  account: string;
  region: string;
  type: string;
  count: number;
  state: string;
  /** ISO end of the term. */
  end: string;
}

/** Active reservations ending within `withinDays` of the analysis day (or ended since the last such window). */
export function expiringReservations(list: readonly ReservationListing[], asOf: string, withinDays: number): ExpiringReservation[] {
  const today = dayStart(asOf);
  return list
    .filter((r) => r.state === 'active' || r.state === 'payment-pending')
    .flatMap((r) => {
      const end = Date.parse(r.end);
      if (!Number.isFinite(end)) return [];
      const daysLeft = Math.floor((end - today) / DAY_MS);
      return daysLeft <= withinDays ? [{ id: r.id, service: r.service, account: r.account, region: r.region, type: r.type, count: r.count, end: r.end, daysLeft }] : [];
    })
    .sort((a, b) => a.daysLeft - b.daysLeft);
}

/** Ranked, capped summary of every recommendation (the full list goes to the store). */
export function summariseCommitments(
  recommendations: readonly CommitmentRecommendation[],
  parts: Omit<CommitmentsSummary, 'recommendations' | 'count' | 'monthlySavings'>,
): CommitmentsSummary {
  const ranked = rankCommitments(recommendations);
  return {
    ...parts,
    recommendations: ranked.slice(0, COMMITMENTS_INLINE_LIMIT),
    count: ranked.length,
    monthlySavings: addAmounts(ZERO, ...ranked.map((r) => r.monthlySavings)),
  };
}

export function rankCommitments(recommendations: readonly CommitmentRecommendation[]): CommitmentRecommendation[] {
  return [...recommendations].sort(
    (a, b) => compareAmounts(b.monthlySavings, a.monthlySavings) || a.description.localeCompare(b.description),
  );
}

/** Every kind a summary may carry: today's, and the combined reservations figure of reports stored before the split. */
const FIGURE_KINDS = [...COMMITMENT_KINDS, 'reservations'] as const;

/**
 * Per kind, the figure of the side (EC2 or RDS) that holds commitments of that kind, else of the last side
 * that has one. Each side states its own kinds (the EC2 side Savings Plans and EC2 reservations, the RDS
 * side RDS reservations); the rule matters for results recorded before the split, where both sides stated
 * `reservations` and a side holding none stated 0%, which must not hide the other side's real figure.
 */
function figureOfHolder(summaries: readonly CommitmentsSummary[], field: 'coverage' | 'utilisation'): CommitmentFigures {
  const out: CommitmentFigures = {};
  for (const kind of FIGURE_KINDS) {
    const stated = summaries.filter((s) => s[field][kind] !== undefined);
    const chosen = stated.find((s) => (s.held?.[kind] ?? 0) > 0) ?? stated.at(-1);
    if (chosen) out[kind] = chosen[field][kind];
  }
  return out;
}

/** Per kind, the commitments held over the sides that could read their inventory. */
function sumHeld(summaries: readonly CommitmentsSummary[]): CommitmentFigures {
  const out: CommitmentFigures = {};
  for (const kind of FIGURE_KINDS) {
    const known = summaries.flatMap((s) => (s.held?.[kind] === undefined ? [] : [s.held[kind]]));
    if (known.length) out[kind] = known.reduce((n, c) => n + c, 0);
  }
  return out;
}

/** The analysis-wide view: the agents' summaries side by side (EC2 and RDS), never double counted. */
export function combineCommitments(summaries: readonly CommitmentsSummary[]): CommitmentsSummary {
  const all = summaries.flatMap((s) => s.recommendations);
  const combined = summariseCommitments(all, {
    coverage: figureOfHolder(summaries, 'coverage'),
    utilisation: figureOfHolder(summaries, 'utilisation'),
    held: sumHeld(summaries),
    expiring: summaries.flatMap((s) => s.expiring).sort((a, b) => a.daysLeft - b.daysLeft),
    notes: [...new Set(summaries.flatMap((s) => s.notes))],
  });
  const candidates = summaries.flatMap((s) => (s.reservationCandidates ? [s.reservationCandidates] : []));
  return {
    ...combined,
    // Inline lists are capped per agent; the totals are the agents' full totals.
    count: summaries.reduce((n, s) => n + s.count, 0),
    monthlySavings: addAmounts(ZERO, ...summaries.map((s) => s.monthlySavings)),
    ...(candidates.length
      ? {
          reservationCandidates: {
            count: candidates.reduce((n, c) => n + c.count, 0),
            monthlyOnDemand: addAmounts(ZERO, ...candidates.map((c) => c.monthlyOnDemand)),
          },
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Cost Explorer's rightsizing recommendations: a second opinion on our EC2 checks
// ---------------------------------------------------------------------------------------------

export interface RightsizingRecommendation {
  AccountId?: string;
  CurrentInstance?: {
    ResourceId?: string;
    InstanceName?: string;
    ResourceDetails?: { EC2ResourceDetails?: { InstanceType?: string; Region?: string } };
    ResourceUtilization?: { EC2ResourceUtilization?: { MaxCpuUtilizationPercentage?: string } };
    MonthlyCost?: string;
  };
  RightsizingType?: string;
  TerminateRecommendationDetail?: { EstimatedMonthlySavings?: string };
  ModifyRecommendationDetail?: {
    TargetInstances?: {
      EstimatedMonthlySavings?: string;
      DefaultTargetInstance?: boolean;
      ResourceDetails?: { EC2ResourceDetails?: { InstanceType?: string } };
    }[];
  };
}

/**
 * Cost Explorer's rightsizing recommendations as corroborating findings (`ce-rightsizing-terminate`,
 * `ce-rightsizing-modify`): the merge folds them into our EC2 findings about the same instances.
 */
export function rightsizingFindings(recommendations: readonly RightsizingRecommendation[], accounts: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const r of recommendations) {
    const current = r.CurrentInstance;
    const id = current?.ResourceId;
    const account = r.AccountId ?? '';
    const region = regionCodeOf(current?.ResourceDetails?.EC2ResourceDetails?.Region);
    if (!id || !region || !accounts.includes(account)) continue;
    const type = current?.ResourceDetails?.EC2ResourceDetails?.InstanceType;
    const maxCpu = current?.ResourceUtilization?.EC2ResourceUtilization?.MaxCpuUtilizationPercentage;
    const evidence: Finding['evidence'] = { ...(maxCpu ? { maxCpuPercent: Number(maxCpu) } : {}), ...(current?.MonthlyCost ? { monthlyCost: current.MonthlyCost } : {}) };
    const resource = resourceOf(account, region, id, type, {}, current?.InstanceName || undefined);
    if (r.RightsizingType === 'TERMINATE') {
      const savings = decimal(r.TerminateRecommendationDetail?.EstimatedMonthlySavings);
      out.push(
        makeFinding({
          check: 'ce-rightsizing-terminate',
          agent: 'ec2',
          sources: ['cost-explorer:rightsizing'],
          resource,
          title: 'Cost Explorer recommends terminating this instance',
          evidence,
          action: 'terminate',
          recommendation: `Cost Explorer's rightsizing recommends terminating ${id}: ${savings} USD a month.`,
          monthlySavings: savings,
          confidence: 'medium',
          cliCommand: cli('aws', 'ec2', 'terminate-instances', '--region', region, '--instance-ids', id),
        }),
      );
    } else if (r.RightsizingType === 'MODIFY') {
      const targets = r.ModifyRecommendationDetail?.TargetInstances ?? [];
      const target = targets.find((x) => x.DefaultTargetInstance) ?? targets[0];
      const targetType = target?.ResourceDetails?.EC2ResourceDetails?.InstanceType;
      const savings = decimal(target?.EstimatedMonthlySavings);
      out.push(
        makeFinding({
          check: 'ce-rightsizing-modify',
          agent: 'ec2',
          sources: ['cost-explorer:rightsizing'],
          resource,
          title: `Cost Explorer recommends ${targetType ?? 'a smaller type'}`,
          evidence: { ...evidence, ...(targetType ? { targetType } : {}) },
          action: 'rightsize',
          recommendation: `Cost Explorer's rightsizing recommends moving ${id} to ${targetType ?? 'a smaller type'}: ${savings} USD a month.`,
          monthlySavings: savings,
          confidence: 'medium',
        }),
      );
    }
  }
  return out;
}
