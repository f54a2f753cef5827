/**
 * An organisation's member accounts, from AWS Organizations, called with the management account's
 * credentials: every account (ListAccounts), or those under the given roots or OUs, nested OUs included
 * (ListAccountsForParent and ListOrganizationalUnitsForParent, which list direct children only). Suspended
 * accounts and accounts pending closure are skipped with a note; so are accounts outside the tenant's
 * binding (counted, never named: they may be another tenant's). In each remaining member account the
 * member role is assumed once (STS GetCallerIdentity through it), so an account the role does not reach
 * is named up front rather than failing every agent later.
 *
 * `accountsUnder` is the one walk of an OU tree: the tenant binding's OU membership (tenancy.ts) uses it too.
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
import { PARENT_ID } from '../domain/organization';
import { countRequest, emptyUsage, type AwsUsage } from '../domain/usage';
import type { AwsClientFactory } from './aws-clients';
import { toActivityFailure } from './aws-errors';
import { heartbeat, mapWithConcurrency } from './paging';
import type { TenantBindings } from './tenancy';

export interface OrganizationAccount {
  id: string;
  name: string;
}

export interface DiscoverAccountsInput {
  /** Roots (r-…) or OUs (ou-…) to take accounts from, nested OUs included; none: the whole organisation. */
  parentIds?: string[];
  /** Keep only the accounts bound to this tenant (src/domain/tenancy.ts); a tenant without a binding is refused. */
  tenant?: string;
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

export function createOrganizationActivities(clients: AwsClientFactory, tenancy?: TenantBindings) {
  return {
    async discoverOrganizationAccounts(input: DiscoverAccountsInput = {}): Promise<DiscoveredAccounts> {
      const parentIds = input.parentIds ?? [];
      // A tenant the deployment does not know learns nothing about the organisation.
      if (input.tenant !== undefined && tenancy && !tenancy.knows(input.tenant)) {
        const decision = await tenancy.check(input.tenant, []);
        throw ApplicationFailure.create({
          message: `${decision.ok ? `Tenant ${JSON.stringify(input.tenant)} is not bound` : decision.message}. The worker refuses to analyse it.`,
          type: 'AccountNotBound',
          nonRetryable: true,
        });
      }
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

      // Only the tenant's own accounts: the others are counted, not named (they may belong to another tenant).
      let inScope = active;
      if (input.tenant !== undefined && tenancy) {
        const { bound } = await tenancy.partition(input.tenant, active.map((a) => a.id));
        inScope = active.filter((a) => bound.includes(a.id));
        const outside = active.length - inScope.length;
        if (outside > 0) {
          notes.push(`${outside} active account${outside === 1 ? '' : 's'} left out: not bound to tenant ${input.tenant}.`);
        }
      }

      // Assume the member role in each member account now, once, rather than let every agent fail there later.
      await clients.callerAccount(); // who we are decides which accounts need the role; fails early if STS does
      countRequest(usage, 'sts:GetCallerIdentity');
      const reached = await mapWithConcurrency(inScope, ROLE_CHECK_CONCURRENCY, async (account) => {
        const roleArn = await clients.assumedRoleArn(account.id);
        if (!roleArn) return { account, ok: true as const };
        countRequest(usage, 'sts:AssumeRole');
        countRequest(usage, 'sts:GetCallerIdentity');
        try {
          const identity = await clients.sts(account.id).send(new GetCallerIdentityCommand({}));
          if (identity.Account !== account.id) throw new Error(`the role answered as account ${identity.Account ?? 'unknown'}`);
          return { account, ok: true as const };
        } catch (err) {
          return { account, ok: false as const, roleArn, why: err instanceof Error ? err.message : String(err) };
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
        const reason = `cannot assume ${r.roleArn}: ${r.why}`;
        skipped.push({ id: r.account.id, name: r.account.name, reason });
        notes.push(`Account ${r.account.id} (${r.account.name}) skipped: ${reason}.`);
      }
      return { accounts, skipped, notes, usage };
    },
  };
}
