/**
 * Scoring an analysis's findings against a generated scenario's ground truth (src/sim/waste.ts):
 * precision and recall per check, and savings per check and in total. Shared by the agent tests and
 * the benchmark.
 */
import Big from 'big.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAnalysis } from '../../src/client/analyses';
import type { AgentKind } from '../../src/domain/agents';
import type { Finding } from '../../src/domain/findings';
import type { AnalysisProgress } from '../../src/domain/progress';
import type { AnalysisReport } from '../../src/domain/report';
import { addMonths, monthStart, noonOf } from '../../src/domain/calendar';
import { validateAnalysisRequest } from '../../src/domain/request';
import type { Scenario } from '../../src/sim/scenario';
import { progressQuery } from '../../src/workflows/messages';
import type { SimulatorEndpoint, TestStack } from '../helpers/stack';

/** The ground-truth checks the EC2, RDS and Trusted Advisor agents answer for (S3 is the S3 agent's). */
export const OUR_CHECKS = [
  'ec2-idle',
  'ec2-overprovisioned',
  'ec2-previous-generation',
  'ec2-stopped-long',
  'ebs-unattached',
  'ebs-idle',
  'ebs-io1-to-gp3',
  'ebs-gp2-to-gp3',
  'eip-unassociated',
  'snapshot-orphaned',
  'rds-idle',
  'rds-multi-az-nonprod',
  'rds-gp2-to-gp3',
] as const;

export interface CheckScore {
  check: string;
  truth: number;
  found: number;
  truePositives: number;
  precision: number;
  recall: number;
  truthSavings: string;
  foundSavings: string;
}

export interface Score {
  checks: CheckScore[];
  truthSavings: string;
  foundSavings: string;
  /** (found − truth) / truth, in percent. */
  savingsErrorPct: number;
}

const keyOf = (account: string, region: string, id: string) => `${account}/${region}/${id}`;

export function score(
  scenario: Scenario,
  findings: readonly Finding[],
  checks: readonly string[] = OUR_CHECKS,
  /** The Regions the analysis requested: waste elsewhere is not expected (and finding it is a false positive). */
  regions: readonly string[] = scenario.regions,
): Score {
  const out: CheckScore[] = [];
  let truthTotal = new Big(0);
  let foundTotal = new Big(0);
  for (const check of checks) {
    const truth = scenario.planted.filter((p) => p.check === check && regions.includes(p.region));
    const found = findings.filter((f) => f.check === check);
    const truthKeys = new Set(truth.map((p) => keyOf(p.account, p.region, p.resourceId)));
    const truePositives = found.filter((f) => truthKeys.has(keyOf(f.resource.account, f.resource.region, f.resource.id))).length;
    const truthSavings = truth.reduce((s, p) => s.plus(p.monthlySavings), new Big(0));
    const foundSavings = found.reduce((s, f) => s.plus(f.monthlySavings), new Big(0));
    truthTotal = truthTotal.plus(truthSavings);
    foundTotal = foundTotal.plus(foundSavings);
    out.push({
      check,
      truth: truth.length,
      found: found.length,
      truePositives,
      precision: found.length ? truePositives / found.length : 1,
      recall: truth.length ? truePositives / truth.length : 1,
      truthSavings: truthSavings.toFixed(2),
      foundSavings: foundSavings.toFixed(2),
    });
  }
  const savingsErrorPct = truthTotal.eq(0) ? (foundTotal.eq(0) ? 0 : Infinity) : Number(foundTotal.minus(truthTotal).div(truthTotal).times(100).toFixed(4));
  return { checks: out, truthSavings: truthTotal.toFixed(2), foundSavings: foundTotal.toFixed(2), savingsErrorPct };
}

export function formatScore(label: string, s: Score): string {
  const lines = s.checks
    .filter((c) => c.truth || c.found)
    .map(
      (c) =>
        `  ${c.check.padEnd(24)} truth ${String(c.truth).padStart(5)} found ${String(c.found).padStart(5)}  P ${c.precision.toFixed(3)} R ${c.recall.toFixed(3)}  $${c.truthSavings} vs $${c.foundSavings}`,
    );
  return [`${label}: savings $${s.truthSavings} (truth) vs $${s.foundSavings} (found), ${s.savingsErrorPct}%`, ...lines].join('\n');
}

/** Run an analysis of the whole scenario (its accounts and regions) with the given agents. */
export async function analyseScenario(
  stack: TestStack<SimulatorEndpoint>,
  agents: AgentKind[] = ['ec2', 'rds', 'trusted-advisor'],
  tenant = 'accuracy',
  regions: string[] = stack.sim.scenario.regions,
): Promise<{ report: AnalysisReport; analysisId: string; progress: AnalysisProgress }> {
  const scenario = stack.sim.scenario;
  const validated = validateAnalysisRequest(
    {
      tenant,
      accounts: scenario.accounts.map((a) => a.id),
      regions,
      agents,
      // The last full month before the sample account's today.
      period: { start: addMonths(scenario.anchorDate, -1), end: monthStart(scenario.anchorDate) },
    },
    noonOf(scenario.anchorDate),
  );
  if (!validated.ok) throw new Error(validated.errors.join('; '));
  return stack.withWorker(async () => {
    const { analysisId } = await startAnalysis(stack.env.client, stack.taskQueue, validated.request);
    const handle = stack.env.client.workflow.getHandle(analysisId);
    const report = (await handle.result()) as AnalysisReport;
    // Asked while the worker still runs: a closed workflow's query needs a worker to answer it.
    const progress = await handle.query(progressQuery);
    return { report, analysisId, progress };
  });
}

/** The merged findings list the report points at, from the test's store folder. */
export function storedFindings(storeDir: string, report: AnalysisReport): Finding[] {
  const key = report.findings?.storeKey;
  if (!key) throw new Error('the report has no findings store key');
  return JSON.parse(readFileSync(join(storeDir, key), 'utf8')) as Finding[];
}
