/**
 * The tenant binding's configuration and decisions: every problem named at once, decoys refused, OU
 * membership resolved (child OUs included) and cached, and the property that a request is allowed
 * exactly when every account it names is bound to its tenant.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TenantBindings } from '../../src/activities/tenancy';
import { decideBinding, parseTenancy, parseTenancyJson } from '../../src/domain/tenancy';
import { ConfigError, tenancyConfig } from '../../src/config';

describe('tenant configuration', () => {
  test('a valid configuration with accounts and OUs', () => {
    const parsed = parseTenancy({
      tenants: {
        acme: { accounts: ['111122223333', '111122223333'], roleName: 'FinopsReadOnly', externalId: 'acme-1' },
        globex: { organizationalUnits: ['ou-ab12-34cd56ef'], roleName: 'FinopsReadOnly', externalId: 'globex-1' },
      },
    });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.config.tenants.get('acme')?.accounts, ['111122223333']);
  });

  test('names every problem, not the first', () => {
    const parsed = parseTenancy({
      tenants: {
        Acme: { accounts: ['12345'], colour: 'red' },
        globex: { accounts: ['444455556666'], organizationalUnits: ['r-ab12'], roleName: 'FinopsReadOnly' },
        initech: { accounts: ['444455556666'], roleName: 'bad role!', externalId: 'x' },
        hooli: {},
        umbrella: { accounts: ['777788889999'], roleName: 'R', externalId: 'same-id' },
        wayne: { accounts: ['777788880000'], roleName: 'R', externalId: 'same-id' },
      },
      extra: true,
    });
    assert.ok(!parsed.ok);
    const text = parsed.problems.join('\n');
    for (const expected of [
      /unknown key "extra"/,
      /tenant "Acme": a tenant name is 1-63 lowercase/,
      /tenant "Acme": unknown key "colour"/,
      /"12345" is not a 12-digit AWS account ID/,
      /"r-ab12" is not an Organizations OU ID/,
      /tenant "globex": "externalId" is required with "roleName"/,
      /account 444455556666 is bound to both "globex" and "initech"/,
      /tenant "initech": "roleName" must be an IAM role name/,
      /tenant "initech": "externalId" must be 2-1224 characters/,
      /tenant "hooli": bind at least one account/,
      /tenant "wayne": "externalId" is the same as "umbrella"'s/,
    ]) {
      assert.match(text, expected);
    }
    assert.equal(parsed.problems.length, 11);
  });

  test('from the environment: unset is single tenant; a bad file stops start-up with its problems', () => {
    assert.equal(tenancyConfig({}), undefined);
    assert.equal(TenantBindings.fromEnv({}).mode, 'single');
    assert.match(TenantBindings.fromEnv({}).describe(), /single tenant .* every account these credentials reach/);
    assert.throws(() => tenancyConfig({ FINOPS_TENANTS: '{"tenants": {"a": {}}}' }), (err: unknown) => err instanceof ConfigError && /1 problem/.test(err.message));
    assert.throws(() => tenancyConfig({ FINOPS_TENANTS_FILE: '/nonexistent/tenants.json' }), /cannot read/);
    assert.throws(() => tenancyConfig({ FINOPS_TENANTS: '{', FINOPS_TENANTS_FILE: 'x' }), /not both/);
    assert.ok(!parseTenancyJson('{').ok);
  });
});

describe('binding decisions', () => {
  const parsed = parseTenancy({
    tenants: {
      acme: { accounts: ['111122223333'], organizationalUnits: ['ou-ab12-34cd56ef'], roleName: 'FinopsReadOnly', externalId: 'acme-1' },
      globex: { accounts: ['444455556666'], roleName: 'GlobexRead', externalId: 'globex-1' },
    },
  });
  assert.ok(parsed.ok);
  const config = parsed.config;

  test('OU accounts (child OUs included) are resolved once and cached; roles are the owning tenant’s', async () => {
    let lookups = 0;
    const bindings = TenantBindings.bound(config, (ou) => {
      lookups++;
      assert.equal(ou, 'ou-ab12-34cd56ef');
      return Promise.resolve(['555566667777', '888899990000']);
    });
    assert.deepEqual(await bindings.check('acme', ['111122223333', '888899990000']), { ok: true });
    const refused = await bindings.check('acme', ['444455556666', '555566667777']);
    assert.ok(!refused.ok);
    assert.deepEqual(refused.accounts, ['444455556666']);
    assert.equal(lookups, 1);
    assert.deepEqual(await bindings.roleFor('555566667777'), { roleName: 'FinopsReadOnly', externalId: 'acme-1' });
    assert.deepEqual(await bindings.roleFor('444455556666'), { roleName: 'GlobexRead', externalId: 'globex-1' });
    assert.equal(await bindings.roleFor('999999999999'), undefined);
    assert.equal(lookups, 1);
    // Globex is bound by ID only: Organizations is never asked for it.
    assert.equal((await bindings.check('globex', ['111122223333'])).ok, false);
    assert.equal(lookups, 1);
  });

  test('a failed OU look-up is not cached', async () => {
    let calls = 0;
    const bindings = TenantBindings.bound(config, () => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('throttled')) : Promise.resolve(['555566667777']);
    });
    await assert.rejects(bindings.check('acme', ['555566667777']), /throttled/);
    assert.deepEqual(await bindings.check('acme', ['555566667777']), { ok: true });
  });

  test('property: allowed exactly when every account is bound to the tenant', () => {
    const account = fc.constantFrom('111122223333', '444455556666', '000000000000', '111122223334');
    fc.assert(
      fc.property(fc.constantFrom('acme', 'globex', 'initech'), fc.array(account, { minLength: 1, maxLength: 4 }), (tenant, accounts) => {
        const bound = config.tenants.get(tenant)?.accounts ?? [];
        const decision = decideBinding(config, tenant, accounts);
        assert.equal(decision.ok, accounts.every((a) => bound.includes(a)));
        if (!decision.ok) assert.deepEqual(decision.accounts, bound.length ? accounts.filter((a) => !bound.includes(a)) : accounts);
      }),
    );
  });

  test('property: partition keeps, in order, exactly the accounts the check allows one by one', async () => {
    const members = ['555566667777', '888899990000'];
    const bindings = TenantBindings.bound(config, () => Promise.resolve(members));
    const account = fc.constantFrom('111122223333', '444455556666', '000000000000', ...members);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('acme', 'globex', 'initech'), fc.array(account, { maxLength: 5 }), async (tenant, accounts) => {
        const { bound, unbound } = await bindings.partition(tenant, accounts);
        const allowed = await Promise.all(accounts.map(async (a) => (await bindings.check(tenant, [a])).ok));
        assert.deepEqual(bound, accounts.filter((_, i) => allowed[i]));
        assert.deepEqual(unbound, accounts.filter((_, i) => !allowed[i]));
      }),
    );
    assert.deepEqual(await TenantBindings.single().partition('anyone', ['123456789012']), { bound: ['123456789012'], unbound: [] });
  });

  test('single tenant refuses nothing', async () => {
    assert.deepEqual(await TenantBindings.single().check('anyone', ['123456789012']), { ok: true });
  });
});
