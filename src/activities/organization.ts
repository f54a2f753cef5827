/**
 * An organisation's member accounts, from AWS Organizations, called with the management account's
 * credentials: every account (ListAccounts), or those under the given roots or OUs, nested OUs included
 * (ListAccountsForParent and ListOrganizationalUnitsForParent, which list direct children only). Suspended
 * accounts and accounts pending closure are skipped with a note. In each member account the member role is
 * assumed once (STS GetCallerIdentity through it), so an account the role does not reach is named up front
 * rather than failing every agent later.
 */
import {
  type Account,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/common';
import { countRequest, emptyUsage, type AwsUsage } from '../domain/usage';
import type { AwsClientFactory } from './aws-clients';
import { toActivityFailure } from './aws-errors';
import { heartbeat, mapWithConcurrency } from './paging';

export interface OrganizationAccount {
  id: string;
  name: string;
}

export interface DiscoverAccountsInput {
  /** Roots (r-…) or OUs (ou-…) to take accounts from, nested OUs included; none: the whole organisation. */
  parentIds?: string[];
}

export interface DiscoveredAccounts {
  /** Active accounts the analysis can reach: the management account with its own credentials, members through the role. */
  accounts: OrganizationAccount[];
  /** Accounts left out, each with why. */
  skipped: (OrganizationAccount & { reason: string })[];
  /** What the reader should know, one line each (suspended accounts, roles that could not be assumed). */
  notes: string[];
  usage: AwsUsage;
}

const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
/** Organizations answers these for a request no retry fixes (AccessDenied is handled by toActivityFailure). */
const ORGANIZATIONS_FAILURES: Record<string, string> = {
  AWSOrganizationsNotInUseException: 'the account is not in an organisation (run the worker with the management account’s credentials)',
  ParentNotFoundException: 'no such root or OU in the organisation',
  InvalidInputException: 'AWS Organizations rejected the request',
};
/** Role checks in flight at once: STS allows far more, but a large organisation should not burst. */
const ROLE_CHECK_CONCURRENCY = 8;

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
async function listAll<T>(usage: AwsUsage, action: string, fetchPage: (token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
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

async function accountsUnder(client: OrganizationsClient, parentIds: string[], usage: AwsUsage): Promise<Account[]> {
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

export function createOrganizationActivities(clients: AwsClientFactory) {
  return {
    async discoverOrganizationAccounts(input: DiscoverAccountsInput = {}): Promise<DiscoveredAccounts> {
      const parentIds = input.parentIds ?? [];
      const invalid = parentIds.filter((id) => !PARENT_ID.test(id));
      if (invalid.length > 0) {
        throw ApplicationFailure.create({
          message: `not a root or OU ID: ${invalid.join(', ')} (expected r-… or ou-…-…)`,
          type: 'InvalidRequest',
          nonRetryable: true,
        });
      }
      const usage = emptyUsage();
      const client = clients.organizations();
      const listed =
        parentIds.length > 0
          ? await accountsUnder(client, parentIds, usage)
          : await listAll(usage, 'organizations:ListAccounts', async (NextToken) => {
              const r = await client.send(new ListAccountsCommand({ ...(NextToken ? { NextToken } : {}) }));
              return { items: r.Accounts ?? [], ...(r.NextToken ? { next: r.NextToken } : {}) };
            });

      const byId = new Map<string, OrganizationAccount & { status: string }>();
      for (const a of listed) {
        if (!a.Id) continue;
        byId.set(a.Id, { id: a.Id, name: a.Name ?? a.Id, status: String(a.State ?? a.Status ?? 'ACTIVE') });
      }
      const all = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
      const skipped: DiscoveredAccounts['skipped'] = [];
      const notes: string[] = [];
      const active = all.filter((a) => {
        if (a.status === 'ACTIVE') return true;
        const reason = `${a.status.toLowerCase().replace(/_/g, ' ')} in AWS Organizations`;
        skipped.push({ id: a.id, name: a.name, reason });
        notes.push(`Account ${a.id} (${a.name}) skipped: ${reason}.`);
        return false;
      });

      // Assume the member role in each member account now, once, rather than let every agent fail there later.
      const caller = await clients.callerAccount();
      countRequest(usage, 'sts:GetCallerIdentity');
      const reached = await mapWithConcurrency(active, ROLE_CHECK_CONCURRENCY, async (account) => {
        if (account.id === caller || !clients.roleArnFor(account.id)) return { account, ok: true as const };
        countRequest(usage, 'sts:AssumeRole');
        countRequest(usage, 'sts:GetCallerIdentity');
        try {
          const identity = await clients.sts(account.id).send(new GetCallerIdentityCommand({}));
          if (identity.Account !== account.id) throw new Error(`the role answered as account ${identity.Account ?? 'unknown'}`);
          return { account, ok: true as const };
        } catch (err) {
          return { account, ok: false as const, why: err instanceof Error ? err.message : String(err) };
        } finally {
          heartbeat();
        }
      });
      const accounts: OrganizationAccount[] = [];
      for (const r of reached) {
        if (r.ok) {
          accounts.push({ id: r.account.id, name: r.account.name });
          continue;
        }
        const reason = `cannot assume ${clients.roleArnFor(r.account.id)}: ${r.why}`;
        skipped.push({ id: r.account.id, name: r.account.name, reason });
        notes.push(`Account ${r.account.id} (${r.account.name}) skipped: ${reason}.`);
      }
      return { accounts, skipped, notes, usage };
    },
  };
}
