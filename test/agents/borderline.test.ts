/**
 * The borderline account through the user's path (real Temporal dev server, simulator, SDK clients):
 * resources a hair either side of every threshold, and decoys (busy, production, well configured, Spot,
 * Auto Scaling, new, recently stopped, another Region). Each check keeps precision and recall of 0.95
 * or better and the savings within 1%; nothing out of scope; the decoys are never findings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BORDERLINE_SCOPE, borderlineScenario } from '../../src/sim/generator/borderline';
import { TEST_TODAY, startStack, type TestStack } from '../helpers/stack';
import { analyseScenario, formatScore, score, storedFindings } from './ground-truth';

let stack: TestStack;
const storeDir = mkdtempSync(join(tmpdir(), 'finops-borderline-'));

before(async () => {
  stack = await startStack({ storeDir, scenario: borderlineScenario(TEST_TODAY) });
});
after(async () => {
  await stack?.close();
});

test('borderline account: precision and recall >= 0.95 per check, savings within 1%, decoys never flagged', async () => {
  const { report } = await analyseScenario(stack, ['ec2', 'rds', 'trusted-advisor'], 'borderline', BORDERLINE_SCOPE.regions);
  const findings = storedFindings(storeDir, report);
  const s = score(stack.sim.scenario, findings, undefined, BORDERLINE_SCOPE.regions);
  console.log(formatScore('borderline', s));
  for (const c of s.checks) {
    if (!c.truth && !c.found) continue;
    assert.ok(c.precision >= 0.95 && c.recall >= 0.95, `${c.check}: precision ${c.precision}, recall ${c.recall}`);
  }
  assert.ok(Math.abs(s.savingsErrorPct) <= 1, `savings within 1% (${s.savingsErrorPct}%)`);

  const names = new Map(stack.sim.scenario.instances.map((i) => [i.instanceId, i.tags['Name'] ?? '']));
  const flaggedNames = new Set(findings.map((f) => names.get(f.resource.id)).filter(Boolean));
  for (const decoy of ['busy-production', 'busy-dev', 'quiet-spot', 'quiet-asg-1', 'quiet-asg-2', 'quiet-new', 'idle-age-outside', 'stopped-outside', 'volume-host', 'oversized-outside', 'oversized-smallest-size', 'oversized-network-outside'])
    assert.ok(!flaggedNames.has(decoy), `decoy ${decoy} is not a finding`);
  assert.deepEqual(findings.filter((f) => f.resource.region !== 'us-east-1' && f.resource.region !== 'global').map((f) => f.id), []);
});
