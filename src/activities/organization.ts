/**
 * An organisation's member accounts, from AWS Organizations, called with the management account's
 * credentials: every account (ListAccounts), or those under the given roots or OUs, nested OUs included
 * (ListAccountsForParent and ListOrganizationalUnitsForParent, which list direct children only). Suspended
 * accounts and accounts pending closure are skipped with a note; so are accounts outside the tenant's
 * binding (counted, never named: they may be another tenant's). In each remaining member account the
 * member role is assumed once (STS GetCallerIdentity through it), so an account the role does not reach
 * is named up front rather than failing every agent later.
 */
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/common';
import { PARENT_ID } from '../domain/organization';
import { countRequest, emptyUsage, type AwsUsage } from '../domain/usage';
import type { AwsClientFactory } from './aws-clients';
import { accountsUnder, listAll } from './organization-walk';
import { heartbeat, mapWithConcurrency } from './paging';
import { bindingRefusal, type TenantBindings } from './tenancy';

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

/** Role checks in flight at once: STS allows far more, but a large organisation should not burst. */
const ROLE_CHECK_CONCURRENCY = 8;

export function createOrganizationActivities(clients: AwsClientFactory, tenancy?: TenantBindings) {
  return {
    async discoverOrganizationAccounts(input: DiscoverAccountsInput = {}): Promise<DiscoveredAccounts> {
      const parentIds = input.parentIds ?? [];
      // A tenant the deployment does not know learns nothing about the organisation.
      if (input.tenant !== undefined && tenancy) {
        const decision = await tenancy.check(input.tenant, []);
        if (!decision.ok) throw bindingRefusal(decision);
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
      let all = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
      const skipped: DiscoveredAccounts['skipped'] = [];
      const notes: string[] = [];
      // Only the tenant's own accounts: the others are counted, never named (they may be another tenant's).
      if (input.tenant !== undefined && tenancy) {
        const { bound } = await tenancy.partition(input.tenant, all.map((a) => a.id));
        const outside = all.length - bound.length;
        all = all.filter((a) => bound.includes(a.id));
        if (outside > 0) notes.push(`${outside} account${outside === 1 ? '' : 's'} of the organisation left out: not bound to tenant ${input.tenant}.`);
      }
      const active = all.filter((a) => {
        if (a.status === 'ACTIVE') return true;
        const reason = `${a.status.toLowerCase().replace(/_/g, ' ')} in AWS Organizations`;
        skipped.push({ id: a.id, name: a.name, reason });
        notes.push(`Account ${a.id} (${a.name}) skipped: ${reason}.`);
        return false;
      });

      // Assume the member role in each member account now, once, rather than let every agent fail there later.
      await clients.callerAccount(); // who we are decides which accounts need the role; fails early if STS does
      countRequest(usage, 'sts:GetCallerIdentity');
      const reached = await mapWithConcurrency(active, ROLE_CHECK_CONCURRENCY, async (account) => {
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
