/**
 * A request with an organisation scope: before anything else, the analysis discovers the accounts to
 * analyse from AWS Organizations (the tenant's active member accounts of the OUs, each reached through
 * its member role) and analyses those. The notes say what was discovered and what was left out.
 */
import { ApplicationFailure, patched, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describeOrganizationScope, type OrganizationScope } from '../domain/organization';
import { MAX_ACCOUNTS, type AnalysisRequest } from '../domain/request';
import { ACCOUNT } from './search-attributes';

/** Organisation-scoped requests discover their accounts first; histories recorded before had no such requests. */
export const ORGANIZATION_PATCH = 'organization-scope-v1';

const { discoverOrganizationAccounts } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  // Beats once per page and per role check: a worker lost mid-walk is noticed well before the timeout.
  heartbeatTimeout: '1 minute',
  // Refusals (unknown tenant, bad or unknown OU) are non-retryable; throttling and network errors are retried.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/** The request with its discovered accounts, and the notes the report carries about them. */
export async function resolveOrganizationScope(
  request: AnalysisRequest,
  scope: OrganizationScope,
): Promise<{ request: AnalysisRequest; notes: string[] }> {
  const where = describeOrganizationScope(scope);
  // Unreachable on replay: a history without the marker was recorded before requests could carry a scope.
  if (!patched(ORGANIZATION_PATCH)) throw ApplicationFailure.nonRetryable(`This analysis cannot discover the accounts of ${where}`, 'InvalidRequest');
  const found = await discoverOrganizationAccounts.executeWithOptions(
    { summary: `Discover ${request.tenant}'s active accounts in ${where} (AWS Organizations)` },
    [{ tenant: request.tenant, ...(scope.ous?.length ? { parentIds: scope.ous } : {}) }],
  );
  if (found.accounts.length === 0) {
    throw ApplicationFailure.nonRetryable(
      `No account to analyse in ${where}${found.notes.length ? `: ${found.notes.join(' ')}` : ': it holds no active account'}`,
      'NoAccounts',
    );
  }
  if (found.accounts.length > MAX_ACCOUNTS) {
    throw ApplicationFailure.nonRetryable(
      `${where} holds ${found.accounts.length} accounts to analyse; at most ${MAX_ACCOUNTS} per analysis: name fewer or smaller OUs`,
      'InvalidRequest',
    );
  }
  const accounts = found.accounts.map((a) => a.id);
  // Listing by account finds the run, as for one that named its accounts.
  upsertSearchAttributes([{ key: ACCOUNT, value: accounts }]);
  const named = found.accounts.map((a) => `${a.id} (${a.name})`).join(', ');
  return {
    request: { ...request, accounts },
    notes: [`Accounts discovered in AWS Organizations, ${where}: ${named}.`, ...found.notes],
  };
}
