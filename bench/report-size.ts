/**
 * How big an analysis's report and its workflow history get, by account size: everything an analysis
 * returns passes through Temporal's history, where one payload may not exceed 2 MB. The report carries
 * capped lists (the top findings, examples), so its size should not grow with the account.
 *
 *   npx tsx bench/report-size.ts [medium|large]
 *
 * Starts its own Temporal dev server (the provisioned CLI), simulator and worker, as the tests do.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseScenario } from '../test/agents/ground-truth';
import { startStack } from '../test/helpers/stack';

async function main() {
  const size = (process.argv[2] ?? 'medium') as 'medium' | 'large';
  const stack = await startStack({ size, seed: 1, memberRoles: true, storeDir: mkdtempSync(join(tmpdir(), 'report-size-')) });
  try {
    stack.sim.resetStats();
    const started = Date.now();
    const { report, analysisId } = await analyseScenario(stack, ['ec2', 'rds', 'trusted-advisor', 's3', 'tagging', 'forecasting'], 'bench');
    const seconds = (Date.now() - started) / 1000;
    const history = await stack.env.client.workflow.getHandle(analysisId).fetchHistory();
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
    console.log(`${size} organisation: analysis ${seconds.toFixed(1)} s, status ${report.status}`);
    console.log(`  report (the workflow's result): ${kb(JSON.stringify(report).length)} as JSON`);
    console.log(`  findings inline: ${report.findings?.items.length ?? 0} of ${report.findings?.count ?? 0}`);
    console.log(`  parent history: ${history.events?.length ?? 0} events, ${kb(JSON.stringify(history).length)} as JSON`);
    // The Cost Explorer request plan: what the simulator served, against what the report states.
    const ce = Object.entries(stack.sim.stats()).filter(([op]) => op.startsWith('ce:'));
    const served = ce.reduce((n, [, c]) => n + c, 0);
    console.log(
      `  Cost Explorer requests: ${served} served ($${(served / 100).toFixed(2)}), ${report.usage.costExplorerRequests} in the report; ` +
        ce.map(([op, c]) => `${op.slice(3)} ${c}`).join(', '),
    );
    for (const [op, purposes] of Object.entries(report.usage.purposes ?? {}))
      for (const [purpose, n] of Object.entries(purposes)) if (op.startsWith('ce:')) console.log(`    ${n} × ${op}: ${purpose}`);
  } finally {
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
