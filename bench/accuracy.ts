/**
 * Accuracy per check: precision, recall and savings error of the EC2, RDS and Trusted Advisor agents
 * (merged as the report merges them) against each scenario's ground truth, over the borderline account
 * (every threshold a hair either side, and decoys), small accounts of several seeds and a medium
 * organisation. Each case runs through a real Temporal dev server, the simulator and the SDK clients.
 * Prints one line per case and the per-check table over all of them.
 *
 *   npx tsx bench/accuracy.ts [--seeds 42,7] [--medium 1] [--borderline-only]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Big from 'big.js';
import { BORDERLINE_SCOPE, borderlineScenario } from '../src/sim/generator/borderline';
import { generateScenario, type Scenario } from '../src/sim/scenario';
import { analyseScenario, OUR_CHECKS, score, storedFindings, type CheckScore } from '../test/agents/ground-truth';
import { TEST_TODAY, startStack } from '../test/helpers/stack';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '42,7' },
    medium: { type: 'string', default: '1' },
    'borderline-only': { type: 'boolean', default: false },
  },
});

interface Case {
  label: string;
  scenario: () => Scenario;
  regions?: string[];
}

const cases: Case[] = [{ label: 'borderline', scenario: () => borderlineScenario(TEST_TODAY), regions: BORDERLINE_SCOPE.regions }];
if (!values['borderline-only']) {
  for (const seed of values.seeds.split(',').filter(Boolean).map(Number))
    cases.push({ label: `small seed ${seed}`, scenario: () => generateScenario({ seed, anchorDate: TEST_TODAY, size: 'small' }) });
  for (const seed of values.medium.split(',').filter(Boolean).map(Number))
    cases.push({ label: `medium seed ${seed}`, scenario: () => generateScenario({ seed, anchorDate: TEST_TODAY, size: 'medium' }) });
}

interface Row {
  check: string;
  truth: number;
  found: number;
  tp: number;
  truthUsd: Big;
  foundUsd: Big;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

function table(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log('| check | truth | found | precision | recall | savings truth | savings found | savings error |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    if (!r.truth && !r.found) continue;
    const precision = r.found ? r.tp / r.found : 1;
    const recall = r.truth ? r.tp / r.truth : 1;
    const error = r.truthUsd.eq(0) ? (r.foundUsd.eq(0) ? '0.00%' : 'n/a') : `${r.foundUsd.minus(r.truthUsd).div(r.truthUsd).times(100).toFixed(2)}%`;
    console.log(
      `| ${r.check} | ${r.truth} | ${r.found} | ${precision.toFixed(3)} | ${recall.toFixed(3)} | ${r.truthUsd.toFixed(2)} | ${r.foundUsd.toFixed(2)} | ${error} |`,
    );
  }
}

const rowOf = (c: CheckScore): Row => ({
  check: c.check,
  truth: c.truth,
  found: c.found,
  tp: c.truePositives,
  truthUsd: new Big(c.truthSavings),
  foundUsd: new Big(c.foundSavings),
});

async function main(): Promise<void> {
  const totals = new Map<string, Row>();
  const borderline: Row[] = [];
  for (const c of cases) {
    const storeDir = mkdtempSync(join(tmpdir(), 'finops-accuracy-'));
    const scenario = c.scenario();
    // Organisations are read as a user reads them: member accounts through their role.
    const stack = await startStack({ storeDir, scenario, memberRoles: scenario.accounts.some((a) => a.roleName) });
    const started = Date.now();
    try {
      const regions = c.regions ?? scenario.regions;
      const { report } = await analyseScenario(stack, ['ec2', 'rds', 'trusted-advisor'], 'accuracy', regions);
      const findings = storedFindings(storeDir, report);
      const s = score(stack.sim.scenario, findings, OUR_CHECKS, regions);
      console.log(
        `${c.label.padEnd(16)} ${pad(findings.length, 5)} findings  savings $${s.foundSavings} vs truth $${s.truthSavings} (${s.savingsErrorPct}%)  ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      for (const check of s.checks) {
        const row = rowOf(check);
        const t = totals.get(check.check);
        totals.set(
          check.check,
          t
            ? { ...t, truth: t.truth + row.truth, found: t.found + row.found, tp: t.tp + row.tp, truthUsd: t.truthUsd.plus(row.truthUsd), foundUsd: t.foundUsd.plus(row.foundUsd) }
            : row,
        );
        if (c.label === 'borderline') borderline.push(row);
      }
    } finally {
      await stack.close();
    }
  }
  table(`Borderline account (${BORDERLINE_SCOPE.regions.join(', ')} requested; eu-west-1 is the other-Region decoy)`, borderline);
  if (cases.length > 1) table(`All cases (${cases.map((c) => c.label).join(', ')})`, [...totals.values()]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
