/**
 * Commitments, from Cost Explorer and the reservation APIs: Savings Plans and Reserved Instance
 * purchase recommendations, coverage and utilisation of what is already bought, and reservations
 * that expire soon. The EC2 agent reads the compute side (and Cost Explorer's rightsizing
 * recommendations, a second opinion its merge folds in); the RDS agent reads the database side.
 *
 * Every Cost Explorer call is billed ($0.01): each is made once per analysis. What an endpoint does not
 * serve (the sample account has no coverage or utilisation reports) or what the account has not got
 * (no Savings Plans yet) becomes a note saying so, never a failure.
 */
import {
  GetReservationCoverageCommand,
  GetReservationPurchaseRecommendationCommand,
  GetReservationUtilizationCommand,
  GetRightsizingRecommendationCommand,
  GetSavingsPlansCoverageCommand,
  GetSavingsPlansPurchaseRecommendationCommand,
  GetSavingsPlansUtilizationCommand,
} from '@aws-sdk/client-cost-explorer';
import { DescribeReservedInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeReservedDBInstancesCommand } from '@aws-sdk/client-rds';
import { DescribeSavingsPlansCommand } from '@aws-sdk/client-savingsplans';
import { ApplicationFailure } from '@temporalio/common';
import { CE_SERVICE } from '../../domain/agents';
import {
  expiringReservations,
  reservationRecommendations,
  rightsizingFindings,
  savingsPlansRecommendations,
  summariseCommitments,
  RESERVATION_KIND,
  type CommitmentRecommendation,
  type CommitmentsSummary,
  type ReservationDetail,
  type ReservationListing,
  type RightsizingRecommendation,
  type SavingsPlansDetail,
} from '../../domain/checks/commitments';
import { addDays } from '../../domain/period';
import type { MissingAccess } from '../../domain/report';
import { countRequest, emptyUsage, type AwsUsage } from '../../domain/usage';
import type { AwsTarget } from '../aws-clients';
import { toActivityFailure } from '../aws-errors';
import { currentActivity, heartbeat, mapWithConcurrency, requestOptions } from '../paging';
import { accountFilter } from '../spend';
import { addMissing, needsOf, partKey, type FindingsPart } from './common';
import type { AgentDeps } from './compute';

export interface CommitmentsInput {
  analysisId: string;
  accounts: string[];
  regions: string[];
  asOf: string;
  /** 'compute': Savings Plans, EC2 reservations, rightsizing; 'database': RDS reservations. */
  side: 'compute' | 'database';
  /** RDS: databases that ran on demand long enough to reserve (from the RDS activities). */
  reservationCandidates?: { count: number; monthlyOnDemand: string };
}

export interface CommitmentsOutput {
  commitments: CommitmentsSummary;
  usage: AwsUsage;
  missing: MissingAccess[];
  /** Store key of the part holding Cost Explorer's rightsizing findings (compute side). */
  part?: string;
}

/** Errors that mean "this endpoint or account has no such thing", not "try again". */
const NOT_SERVED = new Set(['UnknownOperationException', 'InvalidAction', 'UnsupportedOperation', 'DataUnavailableException']);

function awsErrorName(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure) {
      const detail = e.details?.[0] as { awsError?: unknown } | undefined;
      if (typeof detail?.awsError === 'string') return detail.awsError;
    }
    if (NOT_SERVED.has(e.name)) return e.name;
  }
  return undefined;
}

/** The note for a kind of commitment the account holds none of: why Cost Explorer was not asked. */
function noneHeld(kind: string, inventory: string, reports: string): string {
  return `${kind}: none active (${inventory}), so coverage is 0% and utilisation has no commitments to measure; ${reports} not requested (billed, and they could only say so)`;
}

/** Per-account and per-Region inventory reads in flight at once (EC2, RDS and Savings Plans quotas are per account). */
const INVENTORY_CONCURRENCY = 8;

export function createCommitmentActivities(deps: AgentDeps) {
  const { clients, store } = deps;
  const t = deps.thresholds.commitments;

  async function readCommitments(input: CommitmentsInput): Promise<CommitmentsOutput> {
    const usage = emptyUsage();
    const missing: MissingAccess[] = [];
    const notes: string[] = [];
    const ctx = currentActivity();
    const ce = clients.costExplorer();

    /** One AWS call: counted when it succeeds; refused or not served → note, undefined. */
    const attempt = async <T>(action: string, what: string, call: () => Promise<T>): Promise<T | undefined> => {
      heartbeat(ctx);
      try {
        const out = await call();
        countRequest(usage, action, 1, `commitments: ${what}`);
        return out;
      } catch (raw) {
        const err = NOT_SERVED.has((raw as Error)?.name) ? raw : toActivityFailure(raw, action);
        const needs = needsOf(err);
        if (needs) {
          addMissing(missing, { needs, checks: [what] });
          return undefined;
        }
        const name = awsErrorName(err);
        if (name && NOT_SERVED.has(name)) {
          const note =
            name === 'DataUnavailableException'
              ? `${what}: Cost Explorer has no data (nothing of this kind bought yet)`
              : `${what}: not available from this endpoint (${action} answered ${name})`;
          // Inventories are read per account and Region at once: one note for all of them.
          if (!notes.includes(note)) notes.push(note);
          return undefined;
        }
        throw err;
      }
    };
    /** Every page of a paged Cost Explorer call. */
    const pages = async <P extends { NextPageToken?: string }>(
      action: string,
      what: string,
      call: (token: string | undefined) => Promise<P>,
    ): Promise<P[] | undefined> => {
      const out: P[] = [];
      let token: string | undefined;
      do {
        const page = await attempt(action, what, () => call(token));
        if (!page) return out.length ? out : undefined;
        out.push(page);
        token = page.NextPageToken;
      } while (token);
      return out;
    };

    /**
     * Active Savings Plans over the accounts (each lists its own), or undefined when not readable. A plan bought
     * in the payer (management) account covers its linked accounts too, so the account whose credentials the
     * worker runs with — the payer, in the set-up the README describes — is asked as well: an analysis of member
     * accounts must not read "none active" and skip the coverage a payer-owned plan gives them.
     */
    const countActiveSavingsPlans = async (): Promise<number | undefined> => {
      const caller = await clients.callerAccount().catch(() => undefined);
      const accounts = [...new Set([...input.accounts, ...(caller ? [caller] : [])])];
      const perAccount = await mapWithConcurrency(accounts, INVENTORY_CONCURRENCY, async (account) => {
        let active = 0;
        let token: string | undefined;
        do {
          const out = await attempt('savingsplans:DescribeSavingsPlans', 'active Savings Plans (whether coverage and utilisation are worth asking Cost Explorer)', () =>
            clients
              .savingsPlans(account)
              .send(new DescribeSavingsPlansCommand({ states: ['active'], ...(token ? { nextToken: token } : {}) }), requestOptions(ctx)),
          );
          if (!out) return undefined;
          active += out.savingsPlans?.length ?? 0;
          token = out.nextToken;
        } while (token);
        return active;
      });
      return perAccount.some((n) => n === undefined) ? undefined : perAccount.reduce<number>((sum, n) => sum + (n ?? 0), 0);
    };

    const recommendations: CommitmentRecommendation[] = [];
    const lookback = t.lookbackPeriodInDays;
    const period = { Start: addDays(input.asOf, -30), End: input.asOf };
    const coverage: CommitmentsSummary['coverage'] = {};
    const utilisation: CommitmentsSummary['utilisation'] = {};
    const service = input.side === 'compute' ? CE_SERVICE.ec2Compute : CE_SERVICE.rds;
    // Each side measures its own service's reservations: EC2's and RDS's are bought and reported apart.
    const riService = input.side === 'compute' ? 'EC2' : 'RDS';
    const riKind = RESERVATION_KIND[riService];
    const serviceFilter = { Dimensions: { Key: 'SERVICE' as const, Values: [service] } };
    let part: string | undefined;

    /** Cost Explorer's purchase and rightsizing recommendations. */
    const readRecommendations = async (): Promise<void> => {
      if (input.side === 'compute') {
        const sp = await pages('ce:GetSavingsPlansPurchaseRecommendation', 'Savings Plans recommendations', (token) =>
          ce.send(
            new GetSavingsPlansPurchaseRecommendationCommand({
              SavingsPlansType: 'COMPUTE_SP',
              TermInYears: t.termInYears,
              PaymentOption: t.paymentOption,
              LookbackPeriodInDays: lookback,
              AccountScope: 'LINKED',
              Filter: accountFilter(input.accounts),
              PageSize: 1000,
              ...(token ? { NextPageToken: token } : {}),
            }),
            requestOptions(ctx),
          ),
        );
        for (const page of sp ?? []) {
          const details = (page.SavingsPlansPurchaseRecommendation?.SavingsPlansPurchaseRecommendationDetails ?? []) as SavingsPlansDetail[];
          recommendations.push(...savingsPlansRecommendations('COMPUTE_SP', t.termInYears, t.paymentOption, details));
        }

        const rightsizing = await pages('ce:GetRightsizingRecommendation', 'Cost Explorer rightsizing', (token) =>
          ce.send(
            new GetRightsizingRecommendationCommand({
              Service: 'AmazonEC2',
              Configuration: { RecommendationTarget: 'SAME_INSTANCE_FAMILY', BenefitsConsidered: true },
              Filter: accountFilter(input.accounts),
              PageSize: 1000,
              ...(token ? { NextPageToken: token } : {}),
            }),
            requestOptions(ctx),
          ),
        );
        const findings = rightsizingFindings(
          (rightsizing ?? []).flatMap((p) => (p.RightsizingRecommendations ?? []) as RightsizingRecommendation[]),
          input.accounts,
        );
        part = partKey(input.analysisId, 'ec2', 'cost-explorer-rightsizing');
        await store.putJson(part, { findings, coverage: [] } satisfies FindingsPart);

      }

      const ri = await pages(
        'ce:GetReservationPurchaseRecommendation',
        `${riService} Reserved Instance recommendations`,
        (token) =>
          ce.send(
            new GetReservationPurchaseRecommendationCommand({
              Service: service,
              TermInYears: t.termInYears,
              PaymentOption: t.paymentOption,
              LookbackPeriodInDays: lookback,
              AccountScope: 'LINKED',
              PageSize: 1000,
              ...(input.side === 'compute' ? { ServiceSpecification: { EC2Specification: { OfferingClass: 'STANDARD' } } } : {}),
              ...(token ? { NextPageToken: token } : {}),
            }),
            requestOptions(ctx),
          ),
      );
      for (const page of ri ?? []) {
        for (const rec of page.Recommendations ?? []) {
          const details = ((rec.RecommendationDetails ?? []) as ReservationDetail[]).filter((d) => input.accounts.includes(d.AccountId ?? ''));
          recommendations.push(
            ...reservationRecommendations(riService, rec.TermInYears ?? t.termInYears, rec.PaymentOption ?? t.paymentOption, details),
          );
        }
      }
    };

    /** Reservations in force, per account and region, for the expiring ones (every target at once, a few at a time). */
    const readReservations = async (): Promise<{ listings: ReservationListing[]; served: boolean }> => {
      const targets: AwsTarget[] = input.accounts.flatMap((account) => input.regions.map((region) => ({ account, region })));
      const perTarget = await mapWithConcurrency(targets, INVENTORY_CONCURRENCY, async (target): Promise<ReservationListing[] | undefined> => {
        if (input.side === 'compute') {
          const out = await attempt('ec2:DescribeReservedInstances', 'EC2 reservations in force (expiring ones; whether coverage and utilisation are worth asking Cost Explorer)', () =>
            clients.ec2(target).send(new DescribeReservedInstancesCommand({ Filters: [{ Name: 'state', Values: ['active'] }] }), requestOptions(ctx)),
          );
          return out?.ReservedInstances?.map((r) => ({
            id: r.ReservedInstancesId ?? '',
            service: 'EC2' as const,
            account: target.account,
            region: target.region,
            type: r.InstanceType ?? '',
            count: r.InstanceCount ?? 0,
            state: r.State ?? '',
            end: r.End?.toISOString() ?? '',
          })) ?? (out ? [] : undefined);
        }
        const out = await attempt('rds:DescribeReservedDBInstances', 'RDS reservations in force (expiring ones; whether coverage and utilisation are worth asking Cost Explorer)', () =>
          clients.rds(target).send(new DescribeReservedDBInstancesCommand({}), requestOptions(ctx)),
        );
        return out?.ReservedDBInstances?.map((r) => {
          const start = r.StartTime?.getTime();
          return {
            id: r.ReservedDBInstanceId ?? '',
            service: 'RDS' as const,
            account: target.account,
            region: target.region,
            type: r.DBInstanceClass ?? '',
            count: r.DBInstanceCount ?? 0,
            state: r.State ?? '',
            end: start !== undefined && r.Duration ? new Date(start + r.Duration * 1000).toISOString() : '',
          };
        }) ?? (out ? [] : undefined);
      });
      return { listings: perTarget.flatMap((l) => l ?? []), served: perTarget.every((l) => l !== undefined) };
    };

    // The recommendations, the reservations in force and the Savings Plans held are independent reads: at once.
    const [, { listings, served }, activePlans] = await Promise.all([
      readRecommendations(),
      readReservations(),
      input.side === 'compute' ? countActiveSavingsPlans() : Promise.resolve(undefined),
    ]);

    // Coverage and utilisation are billed Cost Explorer reports; the free inventories above say whether
    // anything is held. With nothing held, coverage is 0% by definition and there is nothing to utilise.
    // When an inventory could not be read (refused, not served), the reports are asked for as before.
    const activeReservations = served
      ? listings.filter((l) => l.state === 'active').reduce((n, l) => n + l.count, 0)
      : undefined;
    const held: CommitmentsSummary['held'] = {};
    if (activeReservations !== undefined) held[riKind] = activeReservations;
    if (input.side === 'compute') {
      if (activePlans !== undefined) held.savingsPlans = activePlans;
      if (activePlans === 0) {
        coverage.savingsPlans = 0;
        notes.push(noneHeld('Savings Plans', 'savingsplans:DescribeSavingsPlans', 'ce:GetSavingsPlansCoverage and ce:GetSavingsPlansUtilization'));
      } else {
        const spCoverage = await attempt('ce:GetSavingsPlansCoverage', 'Savings Plans coverage', () =>
          ce.send(
            new GetSavingsPlansCoverageCommand({ TimePeriod: period, Granularity: 'MONTHLY', Filter: accountFilter(input.accounts) }),
            requestOptions(ctx),
          ),
        );
        const spCovered = spCoverage?.SavingsPlansCoverages?.at(-1)?.Coverage?.CoveragePercentage;
        if (spCovered !== undefined) coverage.savingsPlans = Number(spCovered);
        const spUse = await attempt('ce:GetSavingsPlansUtilization', 'Savings Plans utilisation', () =>
          ce.send(new GetSavingsPlansUtilizationCommand({ TimePeriod: period, Filter: accountFilter(input.accounts) }), requestOptions(ctx)),
        );
        const spUsed = spUse?.Total?.Utilization?.UtilizationPercentage;
        if (spUsed !== undefined) utilisation.savingsPlans = Number(spUsed);
      }
    }
    if (activeReservations === 0) {
      coverage[riKind] = 0;
      notes.push(
        noneHeld(
          `${riService} Reserved Instances`,
          input.side === 'compute' ? 'ec2:DescribeReservedInstances' : 'rds:DescribeReservedDBInstances',
          'ce:GetReservationCoverage and ce:GetReservationUtilization',
        ),
      );
    } else {
      const riCoverage = await attempt('ce:GetReservationCoverage', `${riService} Reserved Instance coverage`, () =>
        ce.send(
          new GetReservationCoverageCommand({
            TimePeriod: period,
            Granularity: 'MONTHLY',
            Filter: { And: [accountFilter(input.accounts), serviceFilter] },
          }),
          requestOptions(ctx),
        ),
      );
      const riCovered = riCoverage?.Total?.CoverageHours?.CoverageHoursPercentage;
      if (riCovered !== undefined) coverage[riKind] = Number(riCovered);
      const riUse = await attempt('ce:GetReservationUtilization', `${riService} Reserved Instance utilisation`, () =>
        ce.send(
          new GetReservationUtilizationCommand({ TimePeriod: period, Filter: { And: [accountFilter(input.accounts), serviceFilter] } }),
          requestOptions(ctx),
        ),
      );
      const riUsed = riUse?.Total?.UtilizationPercentage;
      if (riUsed !== undefined) utilisation[riKind] = Number(riUsed);
    }

    const commitments = summariseCommitments(recommendations, {
      coverage,
      utilisation,
      expiring: expiringReservations(listings, input.asOf, t.expiringWithinDays),
      ...(input.reservationCandidates ? { reservationCandidates: input.reservationCandidates } : {}),
      held,
      notes,
    });
    const key = `${input.analysisId}/commitments/${input.side}.json`;
    await store.putJson(key, { recommendations, expiring: commitments.expiring });
    return { commitments: { ...commitments, storeKey: key }, usage, missing, ...(part ? { part } : {}) };
  }

  return { readCommitments };
}
