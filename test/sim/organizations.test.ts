/**
 * AWS Organizations in the simulator (awsJson1_1, through the real @aws-sdk/client-organizations) and the
 * discovery activity over it: member accounts found from an OU with nested OUs, suspended accounts skipped
 * with a note, the member role assumed in each (an account the role does not reach is named), AWS's errors
 * for callers outside the management account and for bad or unknown parents.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/common';
import { AwsClientFactory } from '../../src/activities/aws-clients';
import { createOrganizationActivities } from '../../src/activities/organization';
import { organizationsResolver, TenantBindings } from '../../src/activities/tenancy';
import { parseTenancy } from '../../src/domain/tenancy';
import { generateScenario, type Scenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { deriveOrganization, type SimOrganization } from '../../src/sim/services/organizations';

const CREDENTIALS = { accessKeyId: 'AKIDMANAGEMENT', secretAccessKey: 'secret' };
let scenario: Scenario;
let organization: SimOrganization;
let sim: RunningSimulator;

before(async () => {
  // The large sample organisation: a management account and members, one of which needs an external ID.
  scenario = generateScenario({ seed: 11, anchorDate: '2026-11-21', size: 'large' });
  const derived = deriveOrganization(scenario);
  const [, , , data] = scenario.accounts;
  // One member suspended, to be skipped with a note.
  organization = { ...derived, placements: { ...derived.placements, [data!.id]: { ...derived.placements[data!.id]!, status: 'SUSPENDED' } } };
  sim = await startSimulator({ port: 0, scenario, organization });
});

after(async () => sim?.close());

const client = (credentials = CREDENTIALS) => new OrganizationsClient({ region: 'us-east-1', endpoint: sim.url, credentials, maxAttempts: 1 });
const unit = (name: string) => organization.units.find((u) => u.name === name)!;

test('the organisation: ListRoots, ListAccounts paged by MaxResults, children of a parent only', async () => {
  const roots = await client().send(new ListRootsCommand({}));
  assert.equal(roots.Roots?.[0]?.Id, organization.rootId);

  const ids: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await client().send(new ListAccountsCommand({ MaxResults: 2, ...(token ? { NextToken: token } : {}) }));
    ids.push(...(page.Accounts ?? []).map((a) => a.Id!));
    token = page.NextToken;
    pages++;
  } while (token);
  assert.deepEqual(ids.sort(), scenario.accounts.map((a) => a.id).sort());
  assert.equal(pages, Math.ceil(scenario.accounts.length / 2));

  // Direct children only: the root holds the management account and the Workloads OU, not the members.
  const atRoot = await client().send(new ListAccountsForParentCommand({ ParentId: organization.rootId }));
  assert.deepEqual(atRoot.Accounts?.map((a) => a.Id), [organization.managementAccountId]);
  const units = await client().send(new ListOrganizationalUnitsForParentCommand({ ParentId: organization.rootId }));
  assert.deepEqual(units.OrganizationalUnits?.map((u) => u.Name), ['Workloads']);
  const suspended = (await client().send(new ListAccountsCommand({}))).Accounts?.find((a) => a.Status === 'SUSPENDED');
  assert.equal(suspended?.Id, scenario.accounts[3]!.id);
  assert.ok(suspended?.JoinedTimestamp instanceof Date);
});

test('AWS’s errors: a member account calling, a malformed parent, an unknown parent, a foreign NextToken', async () => {
  const member = scenario.accounts[1]!;
  const sts = new STSClient({ region: 'us-east-1', endpoint: sim.url, credentials: CREDENTIALS, maxAttempts: 1 });
  const assumed = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${member.id}:role/${member.roleName}`,
      RoleSessionName: 'org-test',
      ...(member.externalId ? { ExternalId: member.externalId } : {}),
    }),
  );
  const asMember = client({
    accessKeyId: assumed.Credentials!.AccessKeyId!,
    secretAccessKey: assumed.Credentials!.SecretAccessKey!,
    sessionToken: assumed.Credentials!.SessionToken!,
  } as typeof CREDENTIALS);
  await assert.rejects(asMember.send(new ListAccountsCommand({})), { name: 'AccessDeniedException' });
  await assert.rejects(client().send(new ListAccountsForParentCommand({ ParentId: 'finance' })), { name: 'InvalidInputException' });
  await assert.rejects(client().send(new ListAccountsForParentCommand({ ParentId: 'ou-abcd-zzzzzzzz' })), { name: 'ParentNotFoundException' });
  const first = await client().send(new ListAccountsCommand({ MaxResults: 1 }));
  await assert.rejects(
    client().send(new ListAccountsForParentCommand({ ParentId: organization.rootId, NextToken: first.NextToken! })),
    { name: 'InvalidInputException' },
  );
  await assert.rejects(client().send(new ListAccountsCommand({ MaxResults: 21 })));
});

function discovery(options: { memberRoleName?: string; externalIds?: Record<string, string> } = {}, tenancy?: TenantBindings) {
  const role = scenario.accounts.find((a) => a.roleName)!.roleName!;
  const externalIds = Object.fromEntries(scenario.accounts.flatMap((a) => (a.externalId ? [[a.id, a.externalId]] : [])));
  return createOrganizationActivities(
    new AwsClientFactory({ endpoint: sim.url, credentials: CREDENTIALS, maxAttempts: 1, memberRoleName: role, externalIds, ...options }),
    tenancy,
  );
}

test('member accounts are discovered from an OU, nested OUs included; the suspended one is skipped with a note', async () => {
  const workloads = await discovery().discoverOrganizationAccounts({ parentIds: [unit('Workloads').id] });
  const members = scenario.accounts.slice(1);
  const suspended = scenario.accounts[3]!;
  assert.deepEqual(
    workloads.accounts.map((a) => a.id),
    members.filter((a) => a.id !== suspended.id).map((a) => a.id).sort(),
  );
  assert.ok(!workloads.accounts.some((a) => a.id === organization.managementAccountId), 'the management account is at the root, not in the OU');
  assert.deepEqual(workloads.skipped, [{ id: suspended.id, name: suspended.name, reason: 'suspended in AWS Organizations' }]);
  assert.deepEqual(workloads.notes, [`Account ${suspended.id} (${suspended.name}) skipped: suspended in AWS Organizations.`]);
  // Requests: one ListAccountsForParent and one ListOrganizationalUnitsForParent per unit walked (3), one role check per member reached.
  assert.equal(workloads.usage.requests['organizations:ListAccountsForParent'], 3);
  assert.equal(workloads.usage.requests['organizations:ListOrganizationalUnitsForParent'], 3);
  assert.equal(workloads.usage.requests['sts:AssumeRole'], workloads.accounts.length);

  // A leaf OU: only its own accounts.
  const production = await discovery().discoverOrganizationAccounts({ parentIds: [unit('Production').id] });
  const expected = members.filter((a) => /prod/i.test(a.name) && a.id !== suspended.id).map((a) => a.id).sort();
  assert.ok(expected.length > 0);
  assert.deepEqual(production.accounts.map((a) => a.id), expected);

  // No filter: ListAccounts, the management account included (reached with its own credentials).
  const everything = await discovery().discoverOrganizationAccounts();
  assert.deepEqual(everything.accounts.map((a) => a.id), scenario.accounts.filter((a) => a.id !== suspended.id).map((a) => a.id).sort());
  assert.equal(everything.usage.requests['organizations:ListAccounts'], 1);
});

test('an account whose member role cannot be assumed is skipped, naming the role', async () => {
  // Without the external ID its trust policy requires, the member that needs one refuses the role.
  const needsExternalId = scenario.accounts.find((a) => a.externalId)!;
  const result = await discovery({ externalIds: {} }).discoverOrganizationAccounts({ parentIds: [unit('Workloads').id] });
  assert.ok(!result.accounts.some((a) => a.id === needsExternalId.id));
  const skipped = result.skipped.find((s) => s.id === needsExternalId.id);
  assert.match(skipped?.reason ?? '', new RegExp(`cannot assume arn:aws:iam::${needsExternalId.id}:role/${needsExternalId.roleName}`));
  assert.ok(result.notes.some((n) => n.startsWith(`Account ${needsExternalId.id} (${needsExternalId.name}) skipped: cannot assume`)));
});

test('a malformed or unknown OU is a non-retryable failure that says so', async () => {
  await assert.rejects(discovery().discoverOrganizationAccounts({ parentIds: ['finance'] }), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
    assert.match(err.message, /not a root or OU ID: finance/);
    return true;
  });
  await assert.rejects(discovery().discoverOrganizationAccounts({ parentIds: ['ou-abcd-zzzzzzzz'] }), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
    assert.match(err.message, /organizations:ListAccountsForParent: no such root or OU/);
    return true;
  });
});

test('with a tenant: only the accounts of its binding (OUs resolved by the same walk), the others counted and never named', async () => {
  const members = scenario.accounts.slice(1);
  const suspended = scenario.accounts[3]!;
  const production = members.filter((a) => /prod/i.test(a.name));
  const byId = members.find((a) => !/prod/i.test(a.name) && a.id !== suspended.id)!;
  const parsed = parseTenancy({
    tenants: {
      // Production by OU (nested under Workloads), one non-production account by ID, and the suspended one by ID.
      globex: { organizationalUnits: [unit('Production').id], accounts: [byId.id, suspended.id] },
      other: { accounts: [organization.managementAccountId] },
    },
  });
  assert.ok(parsed.ok);
  let walks = 0;
  const resolver = organizationsResolver(client());
  const tenancy = TenantBindings.bound(parsed.config, (ou) => {
    walks++;
    return resolver(ou);
  });

  const found = await discovery({}, tenancy).discoverOrganizationAccounts({ parentIds: [unit('Workloads').id], tenant: 'globex' });
  const expected = [...production.filter((a) => a.id !== suspended.id), byId].map((a) => a.id).sort();
  assert.deepEqual(found.accounts.map((a) => a.id), expected);
  const outside = members.length - expected.length - 1; // the suspended account is globex's: named, as skipped
  assert.ok(outside > 0, 'the organisation has accounts outside the binding (the decoys)');
  assert.deepEqual(found.notes, [
    `${outside} account${outside === 1 ? '' : 's'} of the organisation left out: not bound to tenant globex.`,
    `Account ${suspended.id} (${suspended.name}) skipped: suspended in AWS Organizations.`,
  ]);
  for (const decoy of members.filter((a) => !expected.includes(a.id) && a.id !== suspended.id)) {
    assert.ok(!JSON.stringify(found).includes(decoy.id), `account ${decoy.id} of no concern to globex is not named`);
  }
  assert.equal(walks, 1, 'the binding’s OU was walked once');

  // The whole organisation for a tenant bound to the management account: that account only.
  const other = await discovery({}, tenancy).discoverOrganizationAccounts({ tenant: 'other' });
  assert.deepEqual(other.accounts.map((a) => a.id), [organization.managementAccountId]);

  // A tenant without a binding learns nothing: refused before any Organizations request.
  await assert.rejects(discovery({}, tenancy).discoverOrganizationAccounts({ parentIds: [unit('Workloads').id], tenant: 'initech' }), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
    assert.match(err.message, /Tenant "initech" has no accounts bound to it .*The worker refuses to analyse it/);
    return true;
  });
});
