/**
 * The one walk of an AWS Organizations tree (management-account credentials): every account under some
 * roots or OUs, their child OUs' included — ListAccountsForParent and ListOrganizationalUnitsForParent list
 * direct children only. The discovery activity (organization.ts) and the tenant binding's OU membership
 * (tenancy.ts) both use it. Every request is counted; errors no retry fixes become non-retryable failures.
 */
import {
  type Account,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { ApplicationFailure } from '@temporalio/common';
import { countRequest, emptyUsage, type AwsUsage } from '../domain/usage';
import { toActivityFailure } from './aws-errors';
import { heartbeat } from './paging';

/** Organizations answers these for a request no retry fixes (AccessDenied is handled by toActivityFailure). */
const ORGANIZATIONS_FAILURES: Record<string, string> = {
  AWSOrganizationsNotInUseException: 'the account is not in an organisation (run the worker with the management account’s credentials)',
  ParentNotFoundException: 'no such root or OU in the organisation',
  InvalidInputException: 'AWS Organizations rejected the request',
};

function organizationsFailure(err: unknown, action: string): Error {
  const name = err instanceof Error ? err.name : '';
  const what = ORGANIZATIONS_FAILURES[name];
  if (!what) return toActivityFailure(err, action);
  return ApplicationFailure.create({
    message: `${action}: ${what}: ${err instanceof Error ? err.message : String(err)}`,
    type: 'InvalidRequest',
    nonRetryable: true,
    details: [{ action, awsError: name }],
  });
}

/** All pages of a listing, counting each request. */
export async function listAll<T>(usage: AwsUsage, action: string, fetchPage: (token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    countRequest(usage, action);
    let page: { items: T[]; next?: string };
    try {
      page = await fetchPage(token);
    } catch (err) {
      throw organizationsFailure(err, action);
    }
    out.push(...page.items);
    token = page.next;
    heartbeat();
  } while (token);
  return out;
}

/** Every account under these roots or OUs, their child OUs' included (each request counted in `usage`). */
export async function accountsUnder(client: OrganizationsClient, parentIds: readonly string[], usage: AwsUsage = emptyUsage()): Promise<Account[]> {
  const accounts: Account[] = [];
  const queue = [...new Set(parentIds)];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const parentId = queue.shift()!;
    accounts.push(
      ...(await listAll(usage, 'organizations:ListAccountsForParent', async (NextToken) => {
        const r = await client.send(new ListAccountsForParentCommand({ ParentId: parentId, ...(NextToken ? { NextToken } : {}) }));
        return { items: r.Accounts ?? [], ...(r.NextToken ? { next: r.NextToken } : {}) };
      })),
    );
    const units = await listAll(usage, 'organizations:ListOrganizationalUnitsForParent', async (NextToken) => {
      const r = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, ...(NextToken ? { NextToken } : {}) }));
      return { items: r.OrganizationalUnits ?? [], ...(r.NextToken ? { next: r.NextToken } : {}) };
    });
    for (const unit of units) {
      if (unit.Id && !seen.has(unit.Id)) {
        seen.add(unit.Id);
        queue.push(unit.Id);
      }
    }
  }
  return accounts;
}
