/**
 * How big an analysis's report and its workflow history get, by account size. Reports, agents' results
 * and other large payloads go through the artefact store by reference (src/payload-references.ts), so the
 * parent's history grows with the agents and steps, not with the account's resources.
 *
 *   node --trace-warnings --import tsx bench/report-size.ts [medium|large]
 *
 * Starts its own Temporal dev server (the provisioned CLI), simulator and worker, as the tests do. Prints
 * the wall time, the report's size, the parent's history (protobuf-encoded, as Temporal keeps it) and its
 * largest payload, and the worker process's peak memory. Run with --trace-warnings: any warning (listeners
 * piling up on abort signals, for one) is printed with where it came from.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inlinePayloadBytes } from '../src/payload-references';
import { analyseScenario } from '../test/agents/ground-truth';
import { historySize } from '../test/helpers/history';
import { startStack } from '../test/helpers/stack';

async function main() {
  const size = (process.argv[2] ?? 'medium') as 'medium' | 'large';
  const warnings: string[] = [];
  process.on('warning', (w) => warnings.push(`${w.name}: ${w.message.split('\n')[0]}`));
  const stack = await startStack({ size, seed: 1, memberRoles: true, storeDir: mkdtempSync(join(tmpdir(), 'report-size-')) });
  try {
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
    stack.sim.resetStats();
    const started = Date.now();
    const { report, analysisId } = await analyseScenario(stack, ['ec2', 'rds', 'trusted-advisor', 's3', 'tagging', 'forecasting'], 'bench');
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const history = await historySize(stack.env.client, analysisId);
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
    console.log(`${size} organisation: analysis ${seconds.toFixed(1)} s, status ${report.status}`);
    console.log(`  report (the workflow's result, read back through its reference): ${kb(JSON.stringify(report).length)} as JSON`);
    console.log(`  findings inline: ${report.findings?.items.length ?? 0} of ${report.findings?.count ?? 0}`);
    console.log(
      `  parent history: ${history.events} events, ${kb(history.bytes)} encoded (goal 256 KB: ${(history.bytes / (256 * 1024)).toFixed(2)}x); ` +
        `largest payload ${kb(history.largestPayloadBytes)} (inline limit ${kb(inlinePayloadBytes())}, FINOPS_PAYLOAD_INLINE_BYTES)`,
    );
    console.log(`  process peak RSS (worker, simulator and client in one process): ${(peakRss / 1e6).toFixed(0)} MB`);
    console.log(`  warnings: ${warnings.length ? warnings.join('; ') : 'none'}`);
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
