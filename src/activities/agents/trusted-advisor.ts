/**
 * The Trusted Advisor agent's activity: one account's cost-optimizing checks through the AWS Support
 * API (us-east-1, the account's own credentials — assumed role for member accounts). One call lists the
 * checks, one per cost-optimizing check reads its result. Without a Business, Enterprise On-Ramp or
 * Enterprise support plan the API refuses (SubscriptionRequiredException): that is a note in the
 * report, not a failure — the analysis goes on.
 */
import {
  DescribeTrustedAdvisorCheckResultCommand,
  DescribeTrustedAdvisorChecksCommand,
  type TrustedAdvisorCheckResult as SdkCheckResult,
} from '@aws-sdk/client-support';
import Big from 'big.js';
import {
  costOptimizingChecks,
  regionsNeedingIpv4Price,
  trustedAdvisorFindings,
  type TrustedAdvisorCheckDescription,
  type TrustedAdvisorCheckResult,
} from '../../domain/checks/trusted-advisor';
import type { Finding } from '../../domain/findings';
import type { MissingAccess } from '../../domain/report';
import { countRequest, emptyUsage } from '../../domain/usage';
import { toActivityFailure } from '../aws-errors';
import { currentActivity, heartbeat, mapWithConcurrency, requestOptions } from '../paging';
import { needsOf, partKey, unlessDenied, type FindingsPart, type PartSummary } from './common';
import type { AgentDeps } from './compute';
import { PriceReader } from './pricing';

export interface TrustedAdvisorInput {
  analysisId: string;
  account: string;
}

export interface TrustedAdvisorPartSummary extends PartSummary {
  /** False when the account has no support plan that opens Trusted Advisor's API. */
  available: boolean;
  checks: number;
}

function fromSdk(result: SdkCheckResult | undefined, checkId: string): TrustedAdvisorCheckResult {
  return {
    checkId,
    ...(result?.status ? { status: result.status } : {}),
    flaggedResources: (result?.flaggedResources ?? []).map((r) => ({
      resourceId: r.resourceId ?? '',
      ...(r.region ? { region: r.region } : {}),
      ...(r.status ? { status: r.status } : {}),
      isSuppressed: r.isSuppressed ?? false,
      metadata: (r.metadata ?? []).map((m) => m ?? null),
    })),
    ...(result?.categorySpecificSummary?.costOptimizing?.estimatedMonthlySavings !== undefined
      ? { estimatedMonthlySavings: result.categorySpecificSummary.costOptimizing.estimatedMonthlySavings }
      : {}),
  };
}

export function createTrustedAdvisorActivities(deps: AgentDeps) {
  const { clients, store } = deps;

  async function readTrustedAdvisor(input: TrustedAdvisorInput): Promise<TrustedAdvisorPartSummary> {
    const { account, analysisId } = input;
    const usage = emptyUsage();
    const missing: MissingAccess[] = [];
    const notes: string[] = [];
    const support = clients.support(account);
    const ctx = currentActivity();
    const send = async <T>(action: string, call: () => Promise<T>): Promise<T> => {
      heartbeat(ctx);
      try {
        const out = await call();
        countRequest(usage, `support:${action}`);
        return out;
      } catch (err) {
        throw toActivityFailure(err, `support:${action}`);
      }
    };
    const key = partKey(analysisId, 'trusted-advisor', account);
    const summary = (findings: Finding[], available: boolean, checks: number): TrustedAdvisorPartSummary => ({
      key,
      target: { account, region: 'us-east-1' },
      findings: findings.length,
      monthlySavings: findings.reduce((sum, f) => sum.plus(f.monthlySavings), new Big(0)).toString(),
      usage,
      missing,
      notes,
      available,
      checks,
    });

    let checks: TrustedAdvisorCheckDescription[];
    try {
      const listed = await send('DescribeTrustedAdvisorChecks', () =>
        support.send(new DescribeTrustedAdvisorChecksCommand({ language: 'en' }), requestOptions(ctx)),
      );
      checks = costOptimizingChecks(
        (listed.checks ?? []).map((c) => ({
          id: c.id ?? '',
          name: c.name ?? '',
          category: c.category ?? '',
          metadata: (c.metadata ?? []).map((m) => m ?? ''),
        })),
      );
    } catch (err) {
      const needs = needsOf(err);
      if (!needs) throw err;
      if (/support plan/.test(needs)) {
        notes.push(`account ${account} has no Business, Enterprise On-Ramp or Enterprise support plan: its Trusted Advisor checks are not available through the API`);
      } else {
        missing.push({ needs, checks: ['trusted-advisor'], where: [account] });
      }
      await store.putJson(key, { findings: [], coverage: [] } satisfies FindingsPart);
      return summary([], false, 0);
    }

    const results = await mapWithConcurrency(checks, 4, async (check) => {
      const answer = await unlessDenied(missing, account, [`trusted-advisor:${check.id}`], () =>
        send('DescribeTrustedAdvisorCheckResult', () =>
          support.send(
            new DescribeTrustedAdvisorCheckResultCommand({ checkId: check.id, language: 'en' }),
            requestOptions(ctx),
          ),
        ),
      );
      return { check, result: answer ? fromSdk(answer.result, check.id) : undefined };
    });

    // Trusted Advisor gives no dollar figure for Elastic IPs: price them from the Price List.
    const prices = new PriceReader(clients, usage, { queries: deps.priceQueries, analysisId });
    const flaggedResults = results.flatMap((r) => (r.result ? [r.result] : []));
    for (const region of regionsNeedingIpv4Price(flaggedResults)) {
      await unlessDenied(missing, account, ['ta-eip-unassociated (savings)'], () => prices.publicIpv4(region));
    }
    const findings = results.flatMap(({ check, result }) => (result ? trustedAdvisorFindings(account, check, result, prices.book) : []));
    const unavailable = results.filter((r) => r.result?.status === 'not_available').length;
    if (unavailable) notes.push(`account ${account}: ${unavailable} cost check(s) had no result yet`);
    await store.putJson(key, { findings, coverage: [] } satisfies FindingsPart);
    return summary(findings, true, checks.length);
  }

  return { readTrustedAdvisor };
}
