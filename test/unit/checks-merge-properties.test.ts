/**
 * Property-based tests of the merge (fast-check): over random lists from our agents, Trusted Advisor
 * and Cost Explorer — the same resources named by id or ARN, duplicates, overlapping checks, coverage
 * and declines — no resource's dollars are counted twice, the total is the sum over unique resources,
 * nothing leaves the requested scope, and the same input gives the same ranked output.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Big from 'big.js';
import fc from 'fast-check';
import { identityKey, inScope } from '../../src/domain/checks/identity';
import { isCorroborating, mergeFindings, scopeOf, summariseFindings, type AgentFindingList } from '../../src/domain/checks/merge';
import type { Finding } from '../../src/domain/findings';

const ACCOUNTS = ['111111111111', '222222222222'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const INSTANCE_CHECKS = ['ec2-idle', 'ec2-overprovisioned', 'ec2-previous-generation', 'ec2-stopped-long', 'ta-ec2-low-utilization', 'ta-ec2-stopped', 'ce-rightsizing-modify', 'ce-rightsizing-terminate'];
const VOLUME_CHECKS = ['ebs-unattached', 'ebs-idle', 'ebs-gp2-to-gp3', 'ebs-io1-to-gp3', 'ta-ebs-underutilized'];
const DB_CHECKS = ['rds-idle', 'rds-multi-az-nonprod', 'rds-gp2-to-gp3', 'rds-overprovisioned', 'ta-rds-idle'];
const BUCKET_CHECKS = ['s3-no-lifecycle', 's3-no-abort-multipart', 's3-versioned-no-noncurrent-expiration', 'ta-s3-no-lifecycle', 'ta-s3-no-abort-multipart'];

const agentOf = (check: string): Finding['agent'] =>
  check.startsWith('ta-') ? 'trusted-advisor' : check.startsWith('s3-') ? 's3' : check.startsWith('rds-') ? 'rds' : 'ec2';
const sourceOf = (check: string): string =>
  check.startsWith('ta-') ? 'trusted-advisor:X' : check.startsWith('ce-') ? 'cost-explorer:rightsizing' : agentOf(check);

/** A resource and how a source may name it (bare id or ARN). */
const resourceArb = fc.record({
  account: fc.constantFrom(...ACCOUNTS),
  region: fc.constantFrom(...REGIONS),
  n: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom('instance', 'volume', 'db', 'bucket'),
  arn: fc.boolean(),
});

const findingArb = fc
  .tuple(resourceArb, fc.nat({ max: 1000 }), fc.integer({ min: 0, max: 9999 }))
  .chain(([drawn, pick, cents]) => {
    // A bucket lives in one Region, whoever reports it.
    const r = drawn.kind === 'bucket' ? { ...drawn, region: REGIONS[drawn.n % REGIONS.length]! } : drawn;
    const checks = r.kind === 'instance' ? INSTANCE_CHECKS : r.kind === 'volume' ? VOLUME_CHECKS : r.kind === 'db' ? DB_CHECKS : BUCKET_CHECKS;
    const check = checks[pick % checks.length]!;
    const bare = r.kind === 'instance' ? `i-${r.n}` : r.kind === 'volume' ? `vol-${r.n}` : r.kind === 'db' ? `db-${r.n}` : `bucket-${r.n}`;
    const id = !r.arn
      ? bare
      : r.kind === 'bucket'
        ? `arn:aws:s3:::${bare}`
        : r.kind === 'db'
          ? `arn:aws:rds:${r.region}:${r.account}:db:${bare}`
          : `arn:aws:ec2:${r.region}:${r.account}:${r.kind}/${bare}`;
    const finding: Finding = {
      id: `${check}/${r.account}/${r.region}/${id}`,
      check,
      agent: agentOf(check),
      sources: [sourceOf(check)],
      resource: { account: r.account, region: r.region, id, type: r.kind === 'bucket' ? (r.arn ? 's3-bucket' : 'S3 bucket') : r.kind, tags: {} },
      title: check,
      evidence: {},
      action: 'review',
      recommendation: check,
      monthlySavings: new Big(cents).div(100).toString(),
      confidence: 'medium',
    };
    return fc.constant(finding);
  });

const listsArb = fc.array(
  fc.record({
    agent: fc.constantFrom('ec2', 'rds', 's3', 'trusted-advisor'),
    findings: fc.array(findingArb, { maxLength: 12 }),
    coverage: fc.subarray(
      ACCOUNTS.flatMap((a) => REGIONS.flatMap((r) => ['ec2-utilisation', 'ec2-state', 'ebs', 'rds-connections', 's3'].map((k) => `${k}/${a}/${r}`))),
      { maxLength: 8 },
    ),
  }),
  { minLength: 1, maxLength: 4 },
);

const scopeArb = fc.record({
  accounts: fc.subarray(ACCOUNTS, { minLength: 1 }),
  regions: fc.subarray(REGIONS, { minLength: 1 }),
});

const declinedArb = fc.array(
  fc.record({
    kind: fc.constantFrom('ec2-utilisation', 'rds-connections'),
    account: fc.constantFrom(...ACCOUNTS),
    region: fc.constantFrom(...REGIONS),
    id: fc.constantFrom('i-0', 'i-1', 'db-0', 'db-1'),
    reason: fc.constant('examined and declined'),
  }),
  { maxLength: 4 },
);

const RUNS = { numRuns: 300, seed: 14 };

test('no resource is counted twice: merged findings about one resource never share a savings scope', () => {
  fc.assert(
    fc.property(listsArb, (lists: AgentFindingList[]) => {
      const { findings } = mergeFindings(lists);
      const byResource = new Map<string, Finding[]>();
      for (const f of findings) byResource.set(identityKey(f.check, f.resource), [...(byResource.get(identityKey(f.check, f.resource)) ?? []), f]);
      for (const [key, group] of byResource)
        for (let i = 0; i < group.length; i++)
          for (let j = i + 1; j < group.length; j++)
            assert.ok(
              !scopeOf(group[i]!.check).some((s) => scopeOf(group[j]!.check).includes(s)),
              `${key}: ${group[i]!.check} and ${group[j]!.check} count the same dollars`,
            );
      for (const f of findings) {
        assert.equal(new Set(f.sources).size, f.sources.length, `${f.id}: a source listed twice`);
        assert.equal(new Set((f.folded ?? []).map((o) => o.check)).size, (f.folded ?? []).length, `${f.id}: a folded check listed twice`);
      }
    }),
    RUNS,
  );
});

test('the total is the sum over unique resources, each the figure of one of its own input findings', () => {
  fc.assert(
    fc.property(listsArb, (lists: AgentFindingList[]) => {
      const { findings } = mergeFindings(lists);
      const summary = summariseFindings(findings, 5);
      const sum = findings.reduce((s, f) => s.plus(f.monthlySavings), new Big(0));
      assert.equal(summary.monthlySavings, sum.toString());
      assert.equal(summary.count, findings.length);
      const inputs = lists.flatMap((l) => l.findings);
      for (const f of findings)
        assert.ok(inputs.some((i) => i.id === f.id && i.monthlySavings === f.monthlySavings), `${f.id} keeps an input's own figure`);
      assert.ok(sum.lte(inputs.reduce((s, f) => s.plus(f.monthlySavings), new Big(0))), 'never more than the inputs');
    }),
    RUNS,
  );
});

test('nothing out of scope: findings and second opinions stay inside the requested accounts and Regions', () => {
  fc.assert(
    fc.property(listsArb, scopeArb, declinedArb, (lists, scope, declined) => {
      const { findings, secondOpinions, outOfScope } = mergeFindings(lists, { scope, declined });
      for (const f of findings) assert.ok(inScope(f.resource, scope), `${f.id} is out of scope`);
      for (const o of secondOpinions) assert.ok(inScope(o.resource, scope), `${o.check} opinion is out of scope`);
      const outside = lists.flatMap((l) => l.findings).filter((f) => !inScope(f.resource, scope)).length;
      assert.equal(outOfScope, outside);
    }),
    RUNS,
  );
});

test('an opinion about a resource we examined is never a finding, and adds nothing to the total', () => {
  fc.assert(
    fc.property(listsArb, declinedArb, (lists, declined) => {
      const { findings, secondOpinions } = mergeFindings(lists, { declined });
      const opinionKeys = new Set(secondOpinions.map((o) => `${o.check}|${identityKey(o.check, o.resource)}`));
      for (const f of findings) {
        assert.ok(!opinionKeys.has(`${f.check}|${identityKey(f.check, f.resource)}`), `${f.id} is both a finding and a second opinion`);
        if (isCorroborating(f)) assert.ok(f.monthlySavings !== undefined);
      }
    }),
    RUNS,
  );
});

test('the same input gives the same ranked output, whatever the order of the lists and of their findings', () => {
  fc.assert(
    fc.property(listsArb, scopeArb, fc.nat(), (lists, scope, seed) => {
      const a = mergeFindings(lists, { scope });
      const b = mergeFindings(structuredClone(lists), { scope });
      assert.deepEqual(a, b);
      // Reordered input: the same findings, figures and ranking (sources may list in another order).
      const shuffled = [...lists].reverse().map((l, i) => ({ ...l, findings: (i + seed) % 2 ? [...l.findings].reverse() : l.findings }));
      const c = mergeFindings(shuffled, { scope });
      const view = (r: typeof a) => r.findings.map((f) => [f.id, f.monthlySavings]);
      assert.deepEqual(view(c), view(a));
      for (let i = 1; i < a.findings.length; i++)
        assert.ok(new Big(a.findings[i - 1]!.monthlySavings).gte(a.findings[i]!.monthlySavings), 'ranked by savings');
    }),
    RUNS,
  );
});
