/**
 * Accuracy at several seeds and two sizes: the small account and the medium organisation (three
 * accounts reached by assume-role, three regions), each through a real Temporal dev server and the
 * simulator. Precision and recall of every ground-truth check at least 0.95, total savings within 1%.
 * A scenario without waste yields no findings at all. (The large account runs in bench/ec2-agent.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startStack } from '../helpers/stack';
import { analyseScenario, formatScore, score, storedFindings } from './ground-truth';

async function accuracy(size: 'small' | 'medium', seed: number) {
  const storeDir = mkdtempSync(join(tmpdir(), 'finops-findings-'));
  const stack = await startStack({ storeDir, size, seed, memberRoles: true });
  try {
    const { report, analysisId } = await analyseScenario(stack);
    const findings = storedFindings(storeDir, report);
    const s = score(stack.sim.scenario, findings);
    console.log(formatScore(`${size} seed ${seed}`, s));
    const ec2 = await stack.env.client.workflow.getHandle(`${analysisId}/ec2`).describe();
    return { report, s, ec2 };
  } finally {
    await stack.close();
  }
}

for (const [size, seed] of [
  ['small', 7],
  ['medium', 1],
  ['medium', 2],
  ['medium', 3],
] as const) {
  test(`${size} account, seed ${seed}: precision and recall >= 0.95 per check, savings within 1%`, async () => {
    const { report, s, ec2 } = await accuracy(size, seed);
    assert.equal(report.status, 'complete', JSON.stringify(report.skipped));
    for (const c of s.checks) {
      if (!c.truth && !c.found) continue;
      assert.ok(c.precision >= 0.95, `${c.check}: precision ${c.precision} (${c.truePositives}/${c.found})`);
      assert.ok(c.recall >= 0.95, `${c.check}: recall ${c.recall} (${c.truePositives}/${c.truth})`);
    }
    assert.ok(Math.abs(s.savingsErrorPct) <= 1, `total savings within 1% (${s.savingsErrorPct}%)`);
    if (size === 'medium') {
      assert.ok(s.checks.filter((c) => c.truth > 0).length === 13, 'the medium organisation plants every kind of waste');
      // An account without a Business support plan is a note, not a failure.
      assert.ok(report.notes?.some((n) => /333333333333 has no Business/.test(n)), JSON.stringify(report.notes));
      // Per account-region activities: the EC2 agent's history stays small.
      assert.ok(ec2.historyLength < 120, `EC2 agent history: ${ec2.historyLength} events`);
      assert.ok((ec2.historySize ?? 0) < 200_000, `EC2 agent history: ${ec2.historySize} bytes`);
    }
  });
}

for (const size of ['small', 'medium'] as const) {
  test(`${size} account without waste: no findings`, async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'finops-findings-'));
    const stack = await startStack({ storeDir, size, seed: 5, waste: 'none', memberRoles: true });
    try {
      const { report } = await analyseScenario(stack, undefined, 'tidy');
      assert.equal(report.findings?.count, 0, JSON.stringify(report.findings?.items.map((f) => f.id)));
      assert.deepEqual(storedFindings(storeDir, report), []);
      assert.equal(report.findings?.monthlySavings, '0');
    } finally {
      await stack.close();
    }
  });
}
