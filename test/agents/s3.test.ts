/**
 * The S3 agent on generated organisations with planted storage problems: precision and recall of at
 * least 0.95 against the scenario's ground truth, savings within 1%, and requests in batches.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../src/domain/findings';
import { generateScenario } from '../../src/sim/scenario';
import { startHarness } from './harness';

const S3_CHECKS = ['s3-no-lifecycle', 's3-versioned-no-noncurrent-expiration', 's3-no-abort-multipart'];

for (const seed of [42, 7]) {
  test(`medium organisation, seed ${seed}: planted S3 problems found with their savings`, async () => {
    const h = await startHarness({ seed, size: 'medium' });
    try {
      const accounts = h.scenario.accounts.map((a) => a.id);
      const result = await h.activities.analyseStorage({
        analysisId: `analysis/test/s3-${seed}`,
        accounts,
        regions: h.scenario.regions,
      });
      const findings = (await h.store.getJson<Finding[]>(result.findings.storeKey!))!;
      assert.equal(findings.length, result.findings.count);
      const truth = h.scenario.planted.filter((p) => S3_CHECKS.includes(p.check));
      assert.ok(truth.length >= 10, `the scenario plants S3 problems (${truth.length})`);
      const key = (check: string, account: string, region: string, id: string) => `${check}/${account}/${region}/${id}`;
      const expected = new Map(truth.map((p) => [key(p.check, p.account, p.region, p.resourceId), p.monthlySavings]));
      const found = findings.filter((f) => S3_CHECKS.includes(f.check));
      const hits = found.filter((f) => expected.has(f.id));
      const precision = hits.length / found.length;
      const recall = hits.length / expected.size;
      assert.ok(precision >= 0.95, `precision ${precision} (${hits.length}/${found.length})`);
      assert.ok(recall >= 0.95, `recall ${recall} (${hits.length}/${expected.size})`);
      let ours = 0;
      let theirs = 0;
      for (const f of hits) {
        const t = expected.get(f.id)!;
        const mine = Number(f.monthlySavings);
        assert.ok(Math.abs(mine - t) <= Math.max(0.01 * t, 0.000001), `${f.id}: ${mine} vs ${t}`);
        ours += mine;
        theirs += t;
      }
      assert.ok(Math.abs(ours - theirs) <= 0.01 * theirs, `total ${ours} vs ${theirs}`);
      assert.deepEqual(
        result.notes.filter((n) => /Storage Lens|prices/.test(n)),
        [],
      );
      // Every finding carries evidence, an action, a price source, and the bucket's tags.
      for (const f of found) {
        assert.equal(f.action, 'add-lifecycle-rule');
        assert.ok(Object.keys(f.evidence).length > 0);
        assert.equal(typeof f.resource.tags, 'object');
      }
      // Batches: one ListBuckets per account; configuration from AWS Config 100 buckets a call, from S3
      // only for the buckets Config has not recorded; GetMetricData in 500-query calls per region.
      assert.equal(result.usage.requests['s3:ListAllMyBuckets'], accounts.length);
      const unrecorded = h.scenario.buckets.filter((b) => b.recordedByConfig === false).length;
      assert.equal(result.usage.requests['s3:GetLifecycleConfiguration'] ?? 0, unrecorded);
      const configPages = [...new Set(h.scenario.buckets.map((b) => `${b.account}/${b.region}`))].reduce((n, key) => {
        const recorded = h.scenario.buckets.filter((b) => `${b.account}/${b.region}` === key && b.recordedByConfig !== false);
        return n + Math.max(1, Math.ceil(recorded.length / 100));
      }, 0);
      assert.equal(result.usage.requests['config:SelectResourceConfig'], configPages);
      if (unrecorded > 0) assert.ok(result.notes.some((n) => /read from S3 \(two calls each\)/.test(n)), 'the notes say so');
      const regionsWithBuckets = new Set(h.scenario.buckets.map((b) => `${b.account}/${b.region}`)).size;
      assert.ok(
        result.usage.requests['cloudwatch:GetMetricData']! <= 2 * regionsWithBuckets + Math.ceil((4 * result.buckets) / 500),
      );
      assert.equal(result.usage.metricsRequested, 4 * result.buckets);
    } finally {
      await h.close();
    }
  });
}

test('a waste-free organisation has no S3 findings', async () => {
  const h = await startHarness({
    scenario: generateScenario({ seed: 3, anchorDate: '2026-11-21', size: 'medium', waste: 'none' }),
  });
  try {
    const accounts = h.scenario.accounts.map((a) => a.id);
    const result = await h.activities.analyseStorage({
      analysisId: 'analysis/test/s3-clean',
      accounts,
      regions: h.scenario.regions,
    });
    assert.equal(result.findings.count, 0);
  } finally {
    await h.close();
  }
});
