/** Scenario v2: sizes, organisations, planted waste and its ground truth, a clean account, costs that follow prices. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Big from 'big.js';
import { addDays } from '../../src/sim/dates';
import { DAY_SECONDS, summarise } from '../../src/sim/metrics';
import { SERVICE, costFingerprint, generateScenario, sumCosts, writeGroundTruth, type Scenario } from '../../src/sim/scenario';
import { CHECK_NAMES, isRootDevice } from '../../src/sim/waste';
import { ANCHOR, sampleScenario } from './helpers';

let mediumScenario: Scenario | undefined;
function medium(): Scenario {
  mediumScenario ??= generateScenario({ seed: 11, anchorDate: ANCHOR, size: 'medium' });
  return mediumScenario;
}

const anchor = Date.parse(`${ANCHOR}T00:00:00Z`) / 1000;
const windowStart = anchor - 14 * DAY_SECONDS;

test('medium: an organisation of three accounts in three regions, members assumed by role, one on Basic support', () => {
  const s = medium();
  assert.equal(s.accounts.length, 3);
  assert.equal(s.regions.length, 3);
  assert.equal(s.accounts[0]?.roleName, undefined, 'the management account needs no role');
  assert.ok(s.accounts.slice(1).every((a) => a.roleName));
  assert.ok(Object.values(s.supportPlans).includes('basic'));
  const total =
    s.instances.length + s.volumes.length + s.databases.length + s.buckets.length + s.snapshots.length + s.addresses.length;
  assert.ok(total >= 200 && total <= 900, `${total} resources`);
  const families = new Set(s.instances.map((i) => i.instanceType.split('.')[0]));
  for (const f of ['t3', 'm5', 'c5', 'r5']) assert.ok(families.has(f), f);
  assert.ok(
    s.instances.some((i) => i.lifecycle === 'spot'),
    'Spot',
  );
  assert.ok(
    s.instances.some((i) => i.autoScalingGroup),
    'Auto Scaling',
  );
  assert.ok(
    s.instances.some((i) => i.state === 'stopped' && i.stoppedAt),
    'stopped',
  );
  assert.ok(
    s.databases.some((d) => d.multiAz),
    'Multi-AZ',
  );
  assert.ok(
    s.buckets.some((b) => b.versioning === 'Enabled'),
    'versioned',
  );
  assert.ok(new Set(s.volumes.map((v) => v.volumeType)).size >= 4, 'volume types');
  assert.equal(
    costFingerprint(s),
    costFingerprint(generateScenario({ seed: 11, anchorDate: ANCHOR, size: 'medium' })),
    'deterministic',
  );
});

test('every check has planted waste, with positive savings (RDS gp2 -> gp3 costs the same per GB)', () => {
  for (const s of [sampleScenario(), medium()]) {
    const checks = new Set(s.planted.map((p) => p.check));
    for (const check of CHECK_NAMES) {
      if (s.size === 'small' && check === 'rds-gp2-to-gp3') continue;
      if (s.size === 'small' && check === 'ebs-idle') continue;
      assert.ok(checks.has(check), `${s.size}: ${check}`);
    }
    for (const p of s.planted) {
      if (p.check === 'rds-gp2-to-gp3') assert.equal(p.monthlySavings, 0);
      else assert.ok(p.monthlySavings > 0, `${p.check} ${p.resourceId}`);
    }
    const keys = s.planted.map((p) => `${p.check}/${p.resourceId}`);
    assert.equal(new Set(keys).size, keys.length, 'no duplicates');
  }
});

test('planted waste clears its thresholds by a margin, and healthy resources stay clear of them', () => {
  const s = medium();
  const flagged = new Map(s.planted.map((p) => [p.resourceId, p.check]));
  for (const i of s.instances) {
    const eligible =
      i.state === 'running' &&
      i.lifecycle === 'on-demand' &&
      !i.autoScalingGroup &&
      Date.parse(i.launchTime) / 1000 <= windowStart;
    if (!eligible) continue;
    const cpu = summarise(i.metrics['AWS/EC2/CPUUtilization'] as never, windowStart, anchor);
    const check = flagged.get(i.instanceId);
    if (check === 'ec2-idle') assert.ok(cpu.p95 < 1.5, `${i.instanceId} p95 ${cpu.p95}`);
    else if (check === 'ec2-overprovisioned')
      assert.ok(cpu.p95 > 8 && cpu.p95 < 18.5 && cpu.max < 25, `${i.instanceId} p95 ${cpu.p95} max ${cpu.max}`);
    else assert.ok(cpu.p95 > 30, `${i.instanceId} (${check ?? 'healthy'}) p95 ${cpu.p95}`);
  }
  for (const v of s.volumes) {
    const check = flagged.get(v.volumeId);
    if (v.volumeType === 'gp2' && v.state === 'in-use' && !check) {
      const host = s.instances.find((i) => i.instanceId === v.attachment?.instanceId);
      // Or gp3 at gp2's performance costs more at list prices: under 7 GiB (128 MiB/s), or 171 to 250 GiB
      // (250 MiB/s: 125 MiB/s above gp3's included throughput cost more than the storage saves).
      const gp3Dearer = v.sizeGiB < 7 || (v.sizeGiB > 170 && v.sizeGiB <= 250);
      assert.ok(host?.state === 'stopped' || gp3Dearer, `unflagged gp2 ${v.volumeId} belongs to a long-stopped instance`);
    }
    if (check === 'ebs-idle')
      assert.ok(
        !isRootDevice(s.instances.find((i) => i.instanceId === v.attachment?.instanceId) as never, v.attachment?.device ?? ''),
      );
  }
});

test('a clean scenario (waste: none) has no waste and no Trusted Advisor flags', () => {
  for (const size of ['small', 'medium'] as const) {
    const s = generateScenario({ seed: 5, anchorDate: ANCHOR, size, waste: 'none' });
    assert.deepEqual(s.planted, [], size);
    const flags = s.trustedAdvisor.filter((r) => r.flaggedResources.length > 0).map((r) => `${r.account}/${r.checkId}`);
    assert.deepEqual(flags, [], size);
    assert.ok(!s.instances.some((i) => ['t2', 'm3', 'm4', 'c4', 'r4'].includes(i.instanceType.split('.')[0] as string)));
    assert.ok(!s.volumes.some((v) => v.volumeType === 'gp2' || v.state === 'available'));
  }
});

test('Trusted Advisor agrees with the ground truth where their rules coincide', () => {
  const s = medium();
  const ta = (checkId: string): Set<string> =>
    new Set(
      s.trustedAdvisor.filter((r) => r.checkId === checkId).flatMap((r) => r.flaggedResources.map((f) => f.metadata[1] ?? '')),
    );
  const truth = (check: string): string[] => s.planted.filter((p) => p.check === check).map((p) => p.resourceId);
  const lowUtilization = ta('Qch7DwouX1');
  for (const id of truth('ec2-idle')) assert.ok(lowUtilization.has(id), `TA flags idle ${id}`);
  const idleDb = ta('Ti39halfu8');
  assert.deepEqual([...idleDb].sort(), truth('rds-idle').sort());
  const ebs = ta('DAvU99Dc4C');
  for (const id of truth('ebs-unattached')) assert.ok(ebs.has(id));
  const eips = s.trustedAdvisor.filter((r) => r.checkId === 'Z4AUBRNSmz').reduce((n, r) => n + r.flaggedResources.length, 0);
  assert.equal(eips, truth('eip-unassociated').length);
  const stopped = s.trustedAdvisor.filter((r) => r.checkId === 'c18d2gz150').reduce((n, r) => n + r.flaggedResources.length, 0);
  assert.equal(stopped, truth('ec2-stopped-long').length);
});

test('costs follow resources and prices', () => {
  const s = medium();
  const day = addDays(ANCHOR, -3);
  const next = addDays(day, 1);
  const running = s.instances.find(
    (i) =>
      i.state === 'running' &&
      i.lifecycle === 'on-demand' &&
      !s.schedules[i.instanceId] &&
      Date.parse(i.launchTime) < Date.parse(`${day}T00:00:00Z`),
  );
  assert.ok(running);
  const hourly = s.priceBook.price({ kind: 'ec2-instance', region: running.region, instanceType: running.instanceType });
  assert.equal(
    sumCosts(s, { start: day, end: next, resourceId: running.instanceId, service: SERVICE.ec2Compute }),
    new Big(hourly).times(24).toString(),
  );
  const stopped = s.instances.find((i) => i.state === 'stopped');
  assert.ok(stopped);
  assert.equal(sumCosts(s, { start: day, end: next, resourceId: stopped.instanceId }), '0', 'stopped instances bill no hours');
  // The member accounts' costs add up to the organisation's.
  const total = new Big(sumCosts(s, { start: day, end: next }));
  const byAccount = s.accounts.reduce((sum, a) => sum.plus(sumCosts(s, { start: day, end: next, account: a.id })), new Big(0));
  assert.equal(byAccount.toString(), total.toString());
  // The Basic-support account pays no support fee.
  const basic = s.accounts.find((a) => s.supportPlans[a.id] === 'basic');
  assert.equal(sumCosts(s, { account: basic?.id, where: (l) => l.service.startsWith('AWS Support') }), '0');
  // Resource detail exists for the last 14 days only; older rows are aggregated.
  assert.ok(s.costs.some((l) => l.date === addDays(ANCHOR, -13) && l.resourceId));
  assert.ok(!s.costs.some((l) => l.date === addDays(ANCHOR, -14) && l.resourceId));
});

test('writeGroundTruth: planted waste and totals by check and account', () => {
  const dir = mkdtempSync(join(tmpdir(), 'truth-'));
  const path = join(dir, 'truth.json');
  const s = medium();
  writeGroundTruth(s, path);
  const file = JSON.parse(readFileSync(path, 'utf8')) as {
    totals: {
      count: number;
      monthlySavings: number;
      byCheck: Record<string, { count: number; monthlySavings: number }>;
      byAccount: Record<string, unknown>;
    };
    planted: { check: string; monthlySavings: number }[];
    checks: Record<string, string>;
    window: { start: string; end: string };
    anomalies: unknown[];
  };
  assert.equal(file.planted.length, s.planted.length);
  assert.equal(file.totals.count, s.planted.length);
  const sum = s.planted.reduce((a, p) => a + p.monthlySavings, 0);
  assert.ok(Math.abs(file.totals.monthlySavings - sum) < 0.01);
  for (const check of CHECK_NAMES) assert.ok(file.checks[check], check);
  assert.deepEqual(file.window, { start: addDays(ANCHOR, -14), end: ANCHOR });
  assert.equal(Object.keys(file.totals.byAccount).length, 3);
  assert.ok(file.anomalies.length >= 3);
});

test('large: 10,000 instances, 1,000 databases, 5,000 buckets, 15,000 volumes in seconds (printed)', () => {
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const s = generateScenario({ seed: 42, anchorDate: ANCHOR, size: 'large' });
  const elapsed = performance.now() - started;
  assert.equal(s.instances.length, 10_000);
  assert.equal(s.databases.length, 1_000);
  assert.equal(s.buckets.length, 5_000);
  assert.equal(s.volumes.length, 15_000);
  assert.ok(s.accounts.length >= 5 && s.regions.length >= 4);
  assert.ok(Object.values(s.supportPlans).includes('basic'));
  const checks = new Set(s.planted.map((p) => p.check));
  for (const check of CHECK_NAMES) assert.ok(checks.has(check), check);
  console.log(
    `large scenario: ${(elapsed / 1000).toFixed(1)} s, rss +${((process.memoryUsage().rss - before) / 1e6).toFixed(0)} MB, ` +
      `${s.costStore.rowCount} cost rows, ${s.planted.length} planted findings worth $${s.planted.reduce((a, p) => a + p.monthlySavings, 0).toFixed(2)}/month`,
  );
});
