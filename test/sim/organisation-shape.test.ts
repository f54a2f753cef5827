/**
 * Organisations of a given shape (bench/organisation.ts): accounts × Regions, the same resources in every
 * account-Region, member accounts reached by role, and bad shapes refused by name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateScenario } from '../../src/sim/scenario';

test('an organisation of 5 accounts by 4 Regions has resources in every account-Region and members behind a role', () => {
  const scenario = generateScenario({ seed: 2, anchorDate: '2026-11-21', organisation: { accounts: 5, regions: 4 } });
  assert.equal(scenario.accounts.length, 5);
  assert.equal(new Set(scenario.accounts.map((a) => a.id)).size, 5);
  for (const a of scenario.accounts) assert.match(a.id, /^\d{12}$/);
  assert.equal(scenario.regions.length, 4);
  assert.deepEqual(
    scenario.accounts.map((a) => a.roleName !== undefined),
    [false, true, true, true, true],
  );
  const targets = new Set(scenario.instances.map((i) => `${i.account}/${i.region}`));
  assert.equal(targets.size, 20);
  assert.equal(scenario.instances.length, 6 * 20);
});

test('bad organisation shapes are refused by name', () => {
  assert.throws(() => generateScenario({ organisation: { accounts: 0, regions: 4 } }), /organisation accounts/);
  assert.throws(() => generateScenario({ organisation: { accounts: 5, regions: 20 } }), /organisation regions/);
});
