/**
 * The tagging agent on generated organisations with messy tagging: non-compliant resources found with
 * precision and recall of at least 0.95 (against an independent reading of the policy over the
 * scenario's own resources), compliance by spend equal to the scenario's ground truth to the cent, and
 * suggested values right at least 95% of the time where the generator's truth is known.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Big from 'big.js';
import type { Finding } from '../../src/domain/findings';
import { sumCosts, sumCostsByKey } from '../../src/sim/scenario';
import { APPS } from '../../src/sim/generator/tags';
import { startHarness } from './harness';

const period = { start: '2026-10-01', end: '2026-11-01' };
const ENVIRONMENTS = ['prod', 'staging', 'dev', 'test'];

/** The default policy, read independently of the agent's code. */
function compliant(tags: Readonly<Record<string, string>>): boolean {
  const present = (k: string) => (tags[k] ?? '').trim() !== '';
  return (
    ENVIRONMENTS.includes(tags['Environment'] ?? '') &&
    present('Owner') &&
    /^CC-[0-9]{4}$/.test(tags['CostCenter'] ?? '') &&
    present('Project') &&
    present('Application')
  );
}

function assertCents(actual: string, expected: string, what: string) {
  assert.ok(new Big(actual).minus(expected).abs().lt('0.005'), `${what}: ${actual} vs ${expected}`);
}

/** What the generator meant, from the name it gave ("storefront-prod-00012", "globex-etl-dev-logs-1a2b3c"). */
function truthOf(name: string | undefined): { app?: (typeof APPS)[number]; env?: string } {
  if (!name) return {};
  const tokens = name.toLowerCase().split(/[^a-z0-9]+/);
  const has = (seq: string[]) => tokens.some((_, i) => seq.every((s, j) => tokens[i + j] === s));
  const app = [...APPS].sort((a, b) => b.name.length - a.name.length).find((a) => has(a.name.split('-')));
  const env = ENVIRONMENTS.find((e) => tokens.includes(e));
  return { ...(app ? { app } : {}), ...(env ? { env } : {}) };
}

for (const seed of [42, 11]) {
  test(`medium organisation, seed ${seed}: compliance by count and by spend, and suggestions`, async () => {
    const h = await startHarness({ seed, size: 'medium' });
    try {
      const s = h.scenario;
      const accounts = s.accounts.map((a) => a.id);
      const result = await h.activities.analyseTagging({
        analysisId: `analysis/test/tags-${seed}`,
        accounts,
        regions: s.regions,
        period,
      });
      const t = result.tagging;

      // By count: every resource of the scenario, judged independently.
      const resources = [
        ...s.instances
          .filter((i) => i.state !== 'terminated')
          .map((r) => ({ id: r.instanceId, account: r.account, tags: r.tags, name: r.tags['Name'] })),
        ...s.volumes.map((r) => ({ id: r.volumeId, account: r.account, tags: r.tags, name: r.tags['Name'] })),
        ...s.snapshots.map((r) => ({ id: r.snapshotId, account: r.account, tags: r.tags, name: r.tags['Name'] })),
        ...s.addresses.map((r) => ({ id: r.allocationId, account: r.account, tags: r.tags, name: r.tags['Name'] })),
        ...s.databases.map((r) => ({
          id: r.dbInstanceIdentifier,
          account: r.account,
          tags: r.tags,
          name: r.dbInstanceIdentifier,
        })),
        ...s.buckets.map((r) => ({ id: r.name, account: r.account, tags: r.tags, name: r.name })),
      ];
      assert.equal(t.byCount.total.resources, resources.length);
      const expectedBad = new Set(resources.filter((r) => !compliant(r.tags)).map((r) => `${r.account}/${r.id}`));
      const findings = (await h.store.getJson<Finding[]>(result.findings.storeKey!))!;
      const flagged = new Set(findings.map((f) => `${f.resource.account}/${f.resource.id}`));
      const hits = [...flagged].filter((k) => expectedBad.has(k)).length;
      assert.ok(expectedBad.size > 20, `the scenario has messy tags (${expectedBad.size})`);
      assert.ok(hits / flagged.size >= 0.95, `precision ${hits}/${flagged.size}`);
      assert.ok(hits / expectedBad.size >= 0.95, `recall ${hits}/${expectedBad.size}`);
      assert.equal(t.byCount.total.compliant, resources.length - expectedBad.size);
      for (const account of accounts) {
        const mine = resources.filter((r) => r.account === account);
        assert.deepEqual(
          [t.byCount.byAccount[account]?.resources, t.byCount.byAccount[account]?.compliant],
          [mine.length, mine.filter((r) => compliant(r.tags)).length],
          `account ${account}`,
        );
      }

      // By spend, to the cent: Cost Explorer's figures against the cost history's own lines.
      const spend = t.bySpend!;
      const total = sumCosts(s, { ...period, account: accounts });
      const byCompliance = sumCostsByKey(s, (k) => (compliant(k.tags) ? 'yes' : 'no'), { ...period, account: accounts });
      assertCents(spend.total.total, total, 'total spend');
      assertCents(spend.total.compliant, byCompliance.get('yes') ?? '0', 'compliant spend');
      assertCents(spend.total.nonCompliant, byCompliance.get('no') ?? '0', 'non-compliant spend');
      const perAccount = sumCostsByKey(s, (k) => `${k.account}|${compliant(k.tags)}`, { ...period, account: accounts });
      for (const account of accounts)
        assertCents(
          spend.byAccount[account]!.compliant,
          perAccount.get(`${account}|true`) ?? '0',
          `compliant spend of ${account}`,
        );
      const perService = sumCostsByKey(s, (k) => `${k.service}|${compliant(k.tags)}`, { ...period, account: accounts });
      for (const [service, split] of Object.entries(spend.byService))
        assertCents(split.compliant, perService.get(`${service}|true`) ?? '0', `compliant spend of ${service}`);
      const envUntagged = sumCosts(s, {
        ...period,
        account: accounts,
        where: (l) => !Object.keys(l.tags).some((k) => ['environment', 'env'].includes(k.toLowerCase())),
      });
      assertCents(spend.byKey['Environment']!.untagged, envUntagged, 'spend without any Environment tag');
      const envWrongKey = sumCosts(s, {
        ...period,
        account: accounts,
        where: (l) => !('Environment' in l.tags) && 'environment' in l.tags,
      });
      assertCents(spend.byKey['Environment']!.wrongKey, envWrongKey, 'spend tagged "environment"');
      const synonyms = sumCosts(s, {
        ...period,
        account: accounts,
        where: (l) => 'Environment' in l.tags && !ENVIRONMENTS.includes(l.tags['Environment']),
      });
      assertCents(
        new Big(spend.byKey['Environment']!.fixable).plus(spend.byKey['Environment']!.invalid).toString(),
        synonyms,
        'misspelt values',
      );
      assert.ok(spend.requests <= 12, `a handful of Cost Explorer requests (${spend.requests})`);
      assert.equal(result.costExplorerRequests, spend.requests);

      // Suggestions: right where the generator's truth is known.
      let right = 0;
      let judged = 0;
      let missingWithTruth = 0;
      let suggestedWithTruth = 0;
      for (const f of findings) {
        const resource = resources.find((r) => r.account === f.resource.account && r.id === f.resource.id);
        const truth = truthOf(resource?.name);
        const expected: Record<string, string> = {
          ...(truth.env ? { Environment: truth.env } : {}),
          ...(truth.app
            ? {
                Application: truth.app.name,
                Owner: truth.app.owner,
                CostCenter: truth.app.costCenter,
                Project: truth.app.project,
              }
            : {}),
        };
        for (const key of ['Environment', 'Owner', 'CostCenter', 'Project', 'Application']) {
          if (f.evidence[key] === undefined || expected[key] === undefined) continue;
          missingWithTruth++;
          const value = f.evidence[`${key}.suggested`];
          if (value === undefined) continue;
          suggestedWithTruth++;
          judged++;
          if (value === expected[key]) right++;
        }
      }
      assert.ok(judged > 20, `suggestions were made (${judged})`);
      assert.ok(right / judged >= 0.95, `suggestion precision ${right}/${judged}`);
      assert.ok(suggestedWithTruth / missingWithTruth >= 0.9, `suggestion coverage ${suggestedWithTruth}/${missingWithTruth}`);

      // The Organizations policy is ready to paste.
      assert.deepEqual((t.organizationsPolicy as { tags: Record<string, unknown> }).tags['environment'], {
        tag_key: { '@@assign': 'Environment' },
        tag_value: { '@@assign': ['prod', 'staging', 'dev', 'test'] },
        enforced_for: { '@@assign': t.policy.enforcedFor },
      });
    } finally {
      await h.close();
    }
  });
}
