/**
 * AWS Organizations (awsJson1_1, X-Amz-Target AWSOrganizationsV20161128.<Operation>) over a scenario:
 * ListAccounts, ListAccountsForParent, ListOrganizationalUnitsForParent and ListRoots.
 *
 * The organisation is the scenario's accounts: the first is the management account, at the root; by
 * default the other accounts sit in OUs under a "Workloads" OU — "Production" for accounts whose name says
 * prod, "Non-production" for the rest — so an OU filter has nested units to walk. A test may give its own
 * organisation (units, placements, suspended accounts).
 *
 * As AWS: only the management account may call (others get AccessDeniedException; an account outside any
 * organisation would get AWSOrganizationsNotInUseException); ListAccountsForParent and
 * ListOrganizationalUnitsForParent list direct children only; ParentId must look like r-… or ou-…
 * (InvalidInputException) and exist (ParentNotFoundException); MaxResults 1–20; NextToken pages and is
 * tied to the request it came from; JoinedTimestamp is epoch seconds.
 */
import type { IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import { AwsError, validationError } from '../errors';
import type { JsonObject, JsonServiceDefinition } from '../protocols/json';
import type { Scenario } from '../scenario';
import { decodeToken, encodeToken, fingerprint, optionalInteger, optionalString, type AccountResolver } from './json-input';

export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128';

export type SimAccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';

export interface SimOrganizationalUnit {
  id: string;
  name: string;
  /** A root ID (r-…) or another unit's ID. */
  parentId: string;
}

export interface SimOrganization {
  /** o-… */
  id: string;
  /** r-… */
  rootId: string;
  managementAccountId: string;
  units: SimOrganizationalUnit[];
  /** Where each account sits (its parent: the root or a unit) and its status; accounts not listed are ACTIVE at the root. */
  placements: Record<string, { parentId: string; status?: SimAccountStatus }>;
}

/** Deterministic IDs in AWS's shapes, from the scenario's seed and a name. */
function idPart(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/** The organisation the sample account has when none is given. */
export function deriveOrganization(scenario: Scenario): SimOrganization {
  const seed = `${scenario.seed}/${scenario.accounts[0]?.id ?? ''}`;
  const orgId = `o-${idPart(`${seed}/org`, 10)}`;
  const rootId = `r-${idPart(`${seed}/root`, 4)}`;
  const unit = (name: string, parentId: string): SimOrganizationalUnit => ({
    id: `ou-${rootId.slice(2)}-${idPart(`${seed}/ou/${name}`, 8)}`,
    name,
    parentId,
  });
  const workloads = unit('Workloads', rootId);
  const production = unit('Production', workloads.id);
  const nonProduction = unit('Non-production', workloads.id);
  const [management, ...members] = scenario.accounts;
  const placements: SimOrganization['placements'] = {};
  for (const account of members) {
    placements[account.id] = { parentId: /prod/i.test(account.name) ? production.id : nonProduction.id };
  }
  return {
    id: orgId,
    rootId,
    managementAccountId: management?.id ?? '',
    units: members.length > 0 ? [workloads, production, nonProduction] : [],
    placements,
  };
}

const PARENT_ID = /^(r-[0-9a-z]{4,32})$|^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const MAX_RESULTS = 20;

export function organizationsService(
  scenario: Scenario,
  accountFor: AccountResolver,
  organization: SimOrganization = deriveOrganization(scenario),
): JsonServiceDefinition {
  const joined = Math.floor(Date.parse(`${scenario.historyStart}T00:00:00Z`) / 1000);
  const accountOutput = (account: Scenario['accounts'][number]) => {
    const status = organization.placements[account.id]?.status ?? 'ACTIVE';
    return {
      Id: account.id,
      Arn: `arn:aws:organizations::${organization.managementAccountId}:account/${organization.id}/${account.id}`,
      Email: `aws+${account.name}@example.com`,
      Name: account.name,
      Status: status,
      // The newer field AWS returns beside Status.
      State: status === 'PENDING_CLOSURE' ? 'PENDING_CLOSURE' : status,
      JoinedMethod: account.id === organization.managementAccountId ? 'CREATED' : 'INVITED',
      JoinedTimestamp: joined,
    };
  };
  const parentOf = (accountId: string) => organization.placements[accountId]?.parentId ?? organization.rootId;
  const parentExists = (id: string) => id === organization.rootId || organization.units.some((u) => u.id === id);

  const checkCaller = (request: IncomingMessage | undefined) => {
    const caller = accountFor(request);
    if (caller !== organization.managementAccountId)
      throw new AwsError(
        'AccessDeniedException',
        "You don't have permissions to access this resource. Call from the organization's management account or a delegated administrator.",
        400,
      );
  };

  /** One page of `items`, with MaxResults and a NextToken bound to the request's other parameters. */
  const page = <T>(input: JsonObject, key: unknown, items: T[]): { items: T[]; next?: string } => {
    const max = optionalInteger(input['MaxResults'], 'MaxResults') ?? MAX_RESULTS;
    if (max < 1 || max > MAX_RESULTS)
      throw validationError(
        `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${MAX_RESULTS}`,
      );
    const token = optionalString(input['NextToken'], 'NextToken');
    const fp = fingerprint({ key, max });
    let offset = 0;
    if (token !== undefined && token !== '') {
      const payload = decodeToken(token);
      const o = payload?.['o'];
      if (!payload || payload['h'] !== fp || typeof o !== 'number')
        throw new AwsError('InvalidInputException', 'You provided an invalid value for the NextToken parameter.', 400);
      offset = o;
    }
    return {
      items: items.slice(offset, offset + max),
      ...(offset + max < items.length ? { next: encodeToken({ h: fp, o: offset + max }) } : {}),
    };
  };

  const parentIdOf = (input: JsonObject): string => {
    const parentId = optionalString(input['ParentId'], 'ParentId');
    if (parentId === undefined)
      throw new AwsError('InvalidInputException', 'You provided a value that does not match the required pattern: ParentId is required.', 400);
    if (!PARENT_ID.test(parentId))
      throw new AwsError('InvalidInputException', `You provided a value that does not match the required pattern: ${parentId} is not a root or OU ID.`, 400);
    if (!parentExists(parentId)) throw new AwsError('ParentNotFoundException', `We can't find a root or OU with the ParentId ${parentId}.`, 400);
    return parentId;
  };

  const list = (name: string, key: string, items: unknown[], input: JsonObject, scope: unknown) => {
    const { items: pageItems, next } = page(input, { name, scope }, items);
    return { [key]: pageItems, ...(next ? { NextToken: next } : {}) };
  };

  return {
    targetPrefix: ORGANIZATIONS_TARGET_PREFIX,
    signingName: 'organizations',
    title: 'AWS Organizations',
    jsonVersion: '1.1',
    errorStatus: { AccessDeniedException: 400, InvalidInputException: 400, ParentNotFoundException: 400 },
    operations: {
      ListRoots: (input, { request }) => {
        checkCaller(request);
        const root = { Id: organization.rootId, Arn: `arn:aws:organizations::${organization.managementAccountId}:root/${organization.id}/${organization.rootId}`, Name: 'Root', PolicyTypes: [] };
        return list('ListRoots', 'Roots', [root], input, null);
      },
      ListAccounts: (input, { request }) => {
        checkCaller(request);
        return list('ListAccounts', 'Accounts', scenario.accounts.map(accountOutput), input, null);
      },
      ListAccountsForParent: (input, { request }) => {
        checkCaller(request);
        const parentId = parentIdOf(input);
        const accounts = scenario.accounts.filter((a) => parentOf(a.id) === parentId).map(accountOutput);
        return list('ListAccountsForParent', 'Accounts', accounts, input, parentId);
      },
      ListOrganizationalUnitsForParent: (input, { request }) => {
        checkCaller(request);
        const parentId = parentIdOf(input);
        const units = organization.units
          .filter((u) => u.parentId === parentId)
          .map((u) => ({ Id: u.id, Arn: `arn:aws:organizations::${organization.managementAccountId}:ou/${organization.id}/${u.id}`, Name: u.name }));
        return list('ListOrganizationalUnitsForParent', 'OrganizationalUnits', units, input, parentId);
      },
    },
  };
}
