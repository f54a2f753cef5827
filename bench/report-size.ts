/**
 * How big an analysis's report and its workflow history get, by account size. Reports, agents' results
 * and other large payloads go through the artefact store by reference (src/payload-references.ts), so the
 * parent's history grows with the agents and steps, not with the account's resources.
 *
 *   node --trace-warnings --import tsx bench/report-size.ts [medium|large] [--no-quotas]
 *
 * The simulator enforces AWS's request quotas (src/sim/quotas.ts) unless --no-quotas, and the wall time
 * is printed against the AWS-quota lower bound of the same account (bench/quota-bound.ts, shared with
 * bench/data-layer.ts), with the report's own timeline: where the time went, per agent.
 *
 * Starts its own Temporal dev server (the provisioned CLI), simulator and worker, as the tests do. Prints
 * the wall time, the report's size, the parent's history (protobuf-encoded, as Temporal keeps it) and its
 * largest payload, and the worker process's peak memory. Run with --trace-warnings: any warning (listeners
 * piling up on abort signals, for one) is printed with where it came from.
 */
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inlinePayloadBytes } from '../src/payload-references';
import { duration } from '../src/presentation/format';
import { scenarioQuotaBoundSeconds } from './quota-bound';
import { analyseScenario } from '../test/agents/ground-truth';
import { historySize } from '../test/helpers/history';
import { startStack } from '../test/helpers/stack';

async function main() {
  const args = process.argv.slice(2);
  const size = (args.find((a) => !a.startsWith('--')) ?? 'medium') as 'medium' | 'large';
  const quotas = !args.includes('--no-quotas');
  const warnings: string[] = [];
  process.on('warning', (w) => warnings.push(`${w.name}: ${w.message.split('\n')[0]}`));
  const stack = await startStack({
    size,
    seed: 1,
    memberRoles: true,
    storeDir: mkdtempSync(join(tmpdir(), 'report-size-')),
    // Under quotas the SDK backs off and retries a throttled call, as a production worker's clients do.
    ...(quotas ? { quotas: 'aws' as const, sdkMaxAttempts: 10 } : {}),
  });
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
    const bound = scenarioQuotaBoundSeconds(stack.sim.scenario);
    console.log(
      quotas
        ? `  AWS-quota lower bound: ${bound.toFixed(1)} s  →  whole analysis / bound = ${(seconds / bound).toFixed(2)} (goal 2.0)`
        : `  (quotas off: no bound; the AWS-quota lower bound would be ${bound.toFixed(1)} s)`,
    );
    const throttled = Object.entries(stack.sim.throttled()).filter(([, n]) => n > 0);
    console.log(`  throttled by the simulator's quotas: ${throttled.length ? throttled.map(([op, n]) => `${op} ${n}`).join(', ') : 'nothing'}`);
    console.log(`  load average (1, 5, 15 min): ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} cores`);
    const timeline = report.timeline;
    if (timeline) {
      console.log(`  where the time went (the report's timeline; wall ${duration(timeline.wallMs)}, ${timeline.activities} activity attempts):`);
      console.log(`    ${'scope'.padEnd(16)}${['wall', 'queued', 'running', 'AWS wait', 'local'].map((h) => h.padStart(11)).join('')}  activities`);
      for (const s of timeline.scopes)
        console.log(
          `    ${s.scope.padEnd(16)}${[s.wallMs, s.queuedMs, s.runningMs, s.awsWaitMs, s.runningMs - s.awsWaitMs].map((ms) => duration(ms).padStart(11)).join('')}  ${s.activities}`,
        );
      console.log('    longest activities:');
      for (const a of timeline.top)
        console.log(`      ${a.activityType} (${a.scope}, attempt ${a.attempt}): queued ${duration(a.queuedMs)}, running ${duration(a.runningMs)}, AWS ${duration(a.awsWaitMs)}`);
    }
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
