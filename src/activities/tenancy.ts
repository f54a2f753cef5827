/**
 * The tenant binding at run time, shared by the gateway (403 before anything starts) and the worker
 * (the `checkTenantBinding` activity, run by the analysis workflow before any agent makes an AWS call,
 * so a client that starts workflows on Temporal directly cannot go around the gateway).
 *
 * `TenantBindings` answers three questions:
 *   check(tenant, accounts)  may this tenant analyse these accounts? (OUs resolved through AWS Organizations)
 *   partition(tenant, accounts)  which of these accounts are the tenant's (organisation-scoped requests keep those)
 *   roleFor(account)         which role and external ID reach this account (the tenant's own)
 *   describe()               one line for the start-up log, saying plainly when nothing is bound
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { ApplicationFailure } from '@temporalio/common';
import { tenancyConfig } from '../config';
import { decideBinding, tenantOfAccount, type BindingDecision, type TenancyConfig, type TenantBinding } from '../domain/tenancy';
import { accountsUnder } from './organization-walk';

/** The accounts under an OU, its child OUs included. */
export type OuResolver = (ou: string) => Promise<readonly string[]>;

/** How long resolved OU membership is trusted before Organizations is asked again. */
const OU_CACHE_MS = 5 * 60_000;

export const SINGLE_TENANT_NOTICE =
  'Tenancy: single tenant (no FINOPS_TENANTS_FILE or FINOPS_TENANTS): no account binding; every tenant name may analyse every account these credentials reach. ' +
  'Configure tenant bindings before sharing this deployment between tenants.';

export class TenantBindings {
  private readonly ouCache = new Map<string, { at: number; accounts: Promise<readonly string[]> }>();

  private constructor(
    readonly config: TenancyConfig | undefined,
    private readonly resolveOu: OuResolver,
    private readonly now: () => number,
  ) {}

  /** No configuration: one tenant's deployment, nothing bound, nothing refused. */
  static single(): TenantBindings {
    return new TenantBindings(undefined, () => Promise.resolve([]), Date.now);
  }

  static bound(config: TenancyConfig, resolveOu: OuResolver = organizationsResolver(), now: () => number = Date.now): TenantBindings {
    return new TenantBindings(config, resolveOu, now);
  }

  /** From FINOPS_TENANTS_FILE / FINOPS_TENANTS; throws ConfigError naming every problem. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): TenantBindings {
    const config = tenancyConfig(env);
    return config ? TenantBindings.bound(config) : TenantBindings.single();
  }

  get mode(): 'single' | 'bound' {
    return this.config ? 'bound' : 'single';
  }

  /** For start-up logs: what is bound (never secrets: external IDs are not printed). */
  describe(): string {
    if (!this.config) return SINGLE_TENANT_NOTICE;
    const parts = [...this.config.tenants.values()].map((b) => {
      const what = [
        b.accounts.length ? `${b.accounts.length} account${b.accounts.length === 1 ? '' : 's'}` : '',
        b.organizationalUnits.length ? `OU ${b.organizationalUnits.join(', ')}` : '',
      ].filter(Boolean);
      return `${b.tenant} (${what.join(' + ')}${b.roleName ? `, role ${b.roleName}` : ''})`;
    });
    return `Tenancy: ${parts.length} tenant${parts.length === 1 ? '' : 's'} bound to their accounts: ${parts.join('; ')}`;
  }

  /** Whether the tenant is configured (always true in single-tenant mode). */
  knows(tenant: string): boolean {
    return !this.config || this.config.tenants.has(tenant);
  }

  async check(tenant: string, accounts: readonly string[]): Promise<BindingDecision> {
    if (!this.config) return { ok: true };
    const binding = this.config.tenants.get(tenant);
    // Ask Organizations only when the IDs alone do not settle it.
    const first = decideBinding(this.config, tenant, accounts);
    if (first.ok || !binding || binding.organizationalUnits.length === 0) return first;
    return decideBinding(this.config, tenant, accounts, await this.ouMembers(binding));
  }

  /**
   * Which of `accounts` the tenant may analyse (all of them in single-tenant mode, none for a tenant
   * without a binding), in their order. Organizations is asked only for accounts not bound by ID.
   */
  async partition(tenant: string, accounts: readonly string[]): Promise<{ bound: string[]; unbound: string[] }> {
    if (!this.config) return { bound: [...accounts], unbound: [] };
    const binding = this.config.tenants.get(tenant);
    if (!binding) return { bound: [], unbound: [...accounts] };
    const needsOus = binding.organizationalUnits.length > 0 && accounts.some((a) => !binding.accounts.includes(a));
    const ouAccounts = needsOus ? await this.ouMembers(binding) : undefined;
    const isBound = (a: string) => binding.accounts.includes(a) || (ouAccounts?.has(a) ?? false);
    return { bound: accounts.filter(isBound), unbound: accounts.filter((a) => !isBound(a)) };
  }

  /** The role (and external ID) of the tenant that owns `account`; undefined when none is configured. */
  async roleFor(account: string): Promise<{ roleName: string; externalId?: string } | undefined> {
    if (!this.config) return undefined;
    let binding = tenantOfAccount(this.config, account);
    if (!binding) {
      for (const candidate of this.config.tenants.values()) {
        if (candidate.organizationalUnits.length === 0) continue;
        if ((await this.ouMembers(candidate)).has(account)) {
          binding = candidate;
          break;
        }
      }
    }
    if (!binding?.roleName) return undefined;
    return { roleName: binding.roleName, ...(binding.externalId ? { externalId: binding.externalId } : {}) };
  }

  /** Every account under the binding's OUs (each OU cached). */
  private async ouMembers(binding: TenantBinding): Promise<ReadonlySet<string>> {
    return new Set((await Promise.all(binding.organizationalUnits.map((ou) => this.ouAccounts(ou)))).flat());
  }

  private ouAccounts(ou: string): Promise<readonly string[]> {
    const cached = this.ouCache.get(ou);
    if (cached && this.now() - cached.at < OU_CACHE_MS) return cached.accounts;
    const accounts = this.resolveOu(ou);
    this.ouCache.set(ou, { at: this.now(), accounts });
    accounts.catch(() => this.ouCache.delete(ou)); // a failed look-up is asked again next time
    return accounts;
  }
}

/**
 * AWS Organizations: the accounts under an OU and, recursively, its child OUs (management-account
 * credentials) — the same walk as the discovery activity's (organization-walk.ts).
 */
export function organizationsResolver(client: OrganizationsClient = new OrganizationsClient({ region: 'us-east-1' })): OuResolver {
  return async (ou) => (await accountsUnder(client, [ou])).flatMap((a) => (a.Id ? [a.Id] : []));
}

export interface TenantBindingInput {
  tenant: string;
  accounts: readonly string[];
}

/** The worker's refusal of a request outside the tenant's binding: non-retryable, naming why. */
export function bindingRefusal(decision: Extract<BindingDecision, { ok: false }>): ApplicationFailure {
  return ApplicationFailure.create({
    message: `${decision.message}. The worker refuses to analyse it.`,
    type: 'AccountNotBound',
    nonRetryable: true,
    details: [{ code: decision.code, accounts: decision.accounts }],
  });
}

/** The worker's check, as an activity: refuses (non-retryably) a request outside the tenant's binding. */
export function createTenancyActivities(bindings: TenantBindings) {
  return {
    async checkTenantBinding(input: TenantBindingInput): Promise<{ mode: 'single' | 'bound' }> {
      const decision = await bindings.check(input.tenant, input.accounts);
      if (!decision.ok) throw bindingRefusal(decision);
      return { mode: bindings.mode };
    },
  };
}
