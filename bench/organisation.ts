/**
 * Big organisations: one analysis (every agent) of organisations of growing size, accounts × Regions with
 * the same resources in each account-Region, through the real stack (Temporal dev server, simulator,
 * worker). Agents fan out over account-Regions at most targetConcurrency at a time, so the wall time should
 * grow linearly with accounts × Regions while the worker's memory and the parent's history stay flat.
 *
 *   node --trace-warnings --import tsx bench/organisation.ts [--shapes 5x4,20x4,50x4] [--concurrency 16]
 *
 * Prints, per shape: wall time, time per account-Region, growth of the process's memory during the run
 * (worker and simulator share the process; the simulator's scenario is in the baseline), and the parent's
 * history size; then the ratios against the smallest shape.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAnalysis } from '../src/client/analyses';
import { addMonths, monthStart, noonOf } from '../src/domain/calendar';
import { AGENT_KINDS } from '../src/domain/agents';
import type { AnalysisReport } from '../src/domain/report';
import { DEFAULT_TARGET_CONCURRENCY, validateAnalysisRequest } from '../src/domain/request';
import { generateScenario } from '../src/sim/scenario';
import { historySize } from '../test/helpers/history';
import { startStack, TEST_TODAY } from '../test/helpers/stack';

const { values } = parseArgs({
  options: {
    shapes: { type: 'string', default: '5x4,20x4,50x4' },
    concurrency: { type: 'string', default: String(DEFAULT_TARGET_CONCURRENCY) },
  },
});

interface Row {
  shape: string;
  targets: number;
  seconds: number;
  growthMb: number;
  historyKb: number;
  status: string;
}

async function measure(accounts: number, regions: number, targetConcurrency: number): Promise<Row> {
  const scenario = generateScenario({ seed: 1, anchorDate: TEST_TODAY, organisation: { accounts, regions } });
  const stack = await startStack({ scenario, memberRoles: true, storeDir: mkdtempSync(join(tmpdir(), 'organisation-')) });
  try {
    const validated = validateAnalysisRequest(
      {
        tenant: 'bench',
        accounts: scenario.accounts.map((a) => a.id),
        regions: scenario.regions,
        agents: [...AGENT_KINDS],
        period: { start: addMonths(scenario.anchorDate, -1), end: monthStart(scenario.anchorDate) },
        targetConcurrency,
      },
      noonOf(scenario.anchorDate),
    );
    if (!validated.ok) throw new Error(validated.errors.join('; '));
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    const started = Date.now();
    const { report, analysisId } = await stack.withWorker(async () => {
      const { analysisId } = await startAnalysis(stack.env.client, stack.taskQueue, validated.request);
      return { analysisId, report: (await stack.env.client.workflow.getHandle(analysisId).result()) as AnalysisReport };
    });
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const history = await historySize(stack.env.client, analysisId);
    return {
      shape: `${accounts}x${regions}`,
      targets: accounts * regions,
      seconds,
      growthMb: (peak - baseline) / 1e6,
      historyKb: history.bytes / 1024,
      status: report.status,
    };
  } finally {
    await stack.close();
  }
}

async function main() {
  const shapes = values.shapes.split(',').map((s) => s.split('x').map(Number) as [number, number]);
  const concurrency = Number(values.concurrency);
  const rows: Row[] = [];
  for (const [accounts, regions] of shapes) {
    const row = await measure(accounts, regions, concurrency);
    rows.push(row);
    console.log(
      `${row.shape.padEnd(6)} ${String(row.targets).padStart(4)} account-Regions: ${row.seconds.toFixed(1)} s ` +
        `(${((row.seconds / row.targets) * 1000).toFixed(0)} ms each), memory growth ${row.growthMb.toFixed(0)} MB, ` +
        `parent history ${row.historyKb.toFixed(0)} KB, report ${row.status}`,
    );
  }
  const first = rows[0]!;
  console.log(`\nagainst ${first.shape} (targetConcurrency ${concurrency}):`);
  for (const row of rows.slice(1)) {
    console.log(
      `  ${row.shape}: account-Regions ${(row.targets / first.targets).toFixed(1)}x, wall time ${(row.seconds / first.seconds).toFixed(2)}x, ` +
        `memory growth ${(row.growthMb / Math.max(1, first.growthMb)).toFixed(2)}x, history ${(row.historyKb / first.historyKb).toFixed(2)}x`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
