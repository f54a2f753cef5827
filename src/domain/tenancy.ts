/**
 * Tenants bound to the AWS accounts they may analyse. Plain functions: parsing and validating the
 * configuration (every problem named at once), and deciding whether a tenant may analyse a list of
 * accounts. Resolving Organizations OUs to accounts is I/O and lives in src/activities/tenancy.ts.
 *
 * The configuration (FINOPS_TENANTS_FILE, or FINOPS_TENANTS inline), read by the gateway and the worker:
 *
 *   { "tenants": {
 *       "acme":   { "accounts": ["111122223333"], "roleName": "FinopsReadOnly", "externalId": "acme-5c1f0e" },
 *       "globex": { "organizationalUnits": ["ou-ab12-34cd56ef"], "roleName": "FinopsReadOnly", "externalId": "globex-9d2a7b" }
 *   } }
 *
 * Without it the deployment is single-tenant: every tenant name may analyse every account the worker's
 * credentials reach (the start-up logs say so).
 */
import { OU_ID } from './organization';

export interface TenantBinding {
  tenant: string;
  /** Accounts named one by one. */
  accounts: readonly string[];
  /** AWS Organizations OUs whose accounts (their child OUs' too) the tenant may analyse. */
  organizationalUnits: readonly string[];
  /** The role assumed in the tenant's accounts (other than the worker's own), and the external ID its trust policy requires. */
  roleName?: string;
  externalId?: string;
}

export interface TenancyConfig {
  tenants: ReadonlyMap<string, TenantBinding>;
}

export type TenancyParse = { ok: true; config: TenancyConfig } | { ok: false; problems: string[] };

const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ACCOUNT = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** sts:ExternalId: 2-1224 characters of [\w+=,.@:/-]. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const TENANT_KEYS = new Set(['accounts', 'organizationalUnits', 'roleName', 'externalId']);

/** Validate a parsed JSON value; names every problem, never stops at the first. */
export function parseTenancy(value: unknown): TenancyParse {
  const problems: string[] = [];
  if (!isObject(value)) return { ok: false, problems: ['must be a JSON object {"tenants": {...}}'] };
  for (const key of Object.keys(value)) if (key !== 'tenants') problems.push(`unknown key ${JSON.stringify(key)} (expected only "tenants")`);
  const tenantsValue = value.tenants;
  if (!isObject(tenantsValue)) return { ok: false, problems: [...problems, '"tenants" must be an object of tenant name to binding'] };
  const names = Object.keys(tenantsValue);
  if (names.length === 0) problems.push('"tenants" names no tenant');

  const tenants = new Map<string, TenantBinding>();
  const accountOwner = new Map<string, string>();
  const ouOwner = new Map<string, string>();
  const externalIdOwner = new Map<string, string>();
  for (const tenant of names) {
    const where = `tenant ${JSON.stringify(tenant)}`;
    if (!TENANT.test(tenant)) problems.push(`${where}: a tenant name is 1-63 lowercase letters, digits or hyphens`);
    const raw = tenantsValue[tenant];
    if (!isObject(raw)) {
      problems.push(`${where}: must be an object with "accounts" and/or "organizationalUnits"`);
      continue;
    }
    for (const key of Object.keys(raw)) {
      if (!TENANT_KEYS.has(key)) problems.push(`${where}: unknown key ${JSON.stringify(key)} (expected ${[...TENANT_KEYS].join(', ')})`);
    }
    const accounts = stringList(raw.accounts, `${where}: "accounts"`, ACCOUNT, 'a 12-digit AWS account ID', problems);
    const organizationalUnits = stringList(raw.organizationalUnits, `${where}: "organizationalUnits"`, OU_ID, 'an Organizations OU ID such as ou-ab12-34cd56ef', problems);
    if (raw.accounts === undefined && raw.organizationalUnits === undefined) {
      problems.push(`${where}: bind at least one account ("accounts") or OU ("organizationalUnits")`);
    }
    for (const account of accounts) {
      const owner = accountOwner.get(account);
      if (owner !== undefined && owner !== tenant) problems.push(`account ${account} is bound to both ${JSON.stringify(owner)} and ${JSON.stringify(tenant)}; an account belongs to one tenant`);
      accountOwner.set(account, tenant);
    }
    for (const ou of organizationalUnits) {
      const owner = ouOwner.get(ou);
      if (owner !== undefined && owner !== tenant) problems.push(`OU ${ou} is bound to both ${JSON.stringify(owner)} and ${JSON.stringify(tenant)}; an OU belongs to one tenant`);
      ouOwner.set(ou, tenant);
    }
    const roleName = optionalString(raw.roleName, `${where}: "roleName"`, ROLE_NAME, 'an IAM role name', problems);
    const externalId = optionalString(raw.externalId, `${where}: "externalId"`, EXTERNAL_ID, '2-1224 characters of letters, digits and +=,.@:/-_', problems);
    if (roleName !== undefined && externalId === undefined && names.length > 1) {
      problems.push(`${where}: "externalId" is required with "roleName" when several tenants share the worker (each tenant's role must trust only its own external ID)`);
    }
    if (externalId !== undefined) {
      const owner = externalIdOwner.get(externalId);
      if (owner !== undefined) problems.push(`${where}: "externalId" is the same as ${JSON.stringify(owner)}'s; each tenant needs its own`);
      externalIdOwner.set(externalId, tenant);
    }
    tenants.set(tenant, {
      tenant,
      accounts: [...new Set(accounts)],
      organizationalUnits: [...new Set(organizationalUnits)],
      ...(roleName !== undefined ? { roleName } : {}),
      ...(externalId !== undefined ? { externalId } : {}),
    });
  }
  return problems.length ? { ok: false, problems } : { ok: true, config: { tenants } };
}

/** Parse configuration text (JSON). */
export function parseTenancyJson(text: string): TenancyParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`not JSON (${err instanceof Error ? err.message : String(err)})`] };
  }
  return parseTenancy(value);
}

export type BindingDecision =
  | { ok: true }
  | { ok: false; code: 'tenant_not_bound' | 'account_not_bound'; message: string; accounts: string[] };

/**
 * Whether `tenant` may analyse every one of `accounts`, given the accounts its OUs hold (undefined when
 * the tenant binds no OU). The message names the tenant and each refused account.
 */
export function decideBinding(
  config: TenancyConfig,
  tenant: string,
  accounts: readonly string[],
  ouAccounts?: ReadonlySet<string>,
): BindingDecision {
  const binding = config.tenants.get(tenant);
  if (!binding) {
    return {
      ok: false,
      code: 'tenant_not_bound',
      message: `Tenant ${JSON.stringify(tenant)} has no accounts bound to it in this deployment's tenant configuration`,
      accounts: [...accounts],
    };
  }
  const refused = accounts.filter((a) => !binding.accounts.includes(a) && !ouAccounts?.has(a));
  if (refused.length === 0) return { ok: true };
  return {
    ok: false,
    code: 'account_not_bound',
    message: `Tenant ${JSON.stringify(tenant)} may not analyse account${refused.length === 1 ? '' : 's'} ${refused.join(', ')}: not among the accounts bound to it`,
    accounts: refused,
  };
}

/** The tenant an account is bound to by ID (OU membership is resolved elsewhere). */
export function tenantOfAccount(config: TenancyConfig, account: string): TenantBinding | undefined {
  for (const binding of config.tenants.values()) if (binding.accounts.includes(account)) return binding;
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, where: string, pattern: RegExp, what: string, problems: string[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${where} must be a list`);
    return [];
  }
  const good: string[] = [];
  for (const item of value) {
    if (typeof item === 'string' && pattern.test(item)) good.push(item);
    else problems.push(`${where}: ${JSON.stringify(item)} is not ${what}`);
  }
  return good;
}

function optionalString(value: unknown, where: string, pattern: RegExp, what: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && pattern.test(value)) return value;
  problems.push(`${where} must be ${what}`);
  return undefined;
}
