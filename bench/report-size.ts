/**
 * How big an analysis's report and its workflow history get, by account size. Reports, agents' results
 * and other large payloads go through the artefact store by reference (src/payload-references.ts), so the
 * parent's history grows with the agents and steps, not with the account's resources.
 *
 *   node --trace-warnings --import tsx bench/report-size.ts [medium|large] [--no-quotas] [--sim-in-process] [--agents=ec2,s3]
 *
 * The simulator enforces AWS's request quotas (src/sim/quotas.ts) unless --no-quotas, and the wall time
 * is printed against the AWS-quota lower bound of the same account (bench/quota-bound.ts, shared with
 * bench/data-layer.ts), with the report's own timeline: where the time went, per agent.
 *
 * The simulator runs in a process of its own (bench/sim-process.ts), as AWS does: its CPU is not the
 * worker's. --sim-in-process puts it on the worker's event loop, as the tests do, which charges every
 * request's serving to the analysis (the figure this benchmark printed before).
 *
 * Starts its own Temporal dev server (the provisioned CLI), simulator and worker, as the tests do. Prints
 * the wall time, the report's size, the parent's history (protobuf-encoded, as Temporal keeps it) and its
 * largest payload, and the worker process's peak memory. Run with --trace-warnings: any warning (listeners
 * piling up on abort signals, for one) is printed with where it came from.
 */
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentKind } from '../src/domain/agents';
import { inlinePayloadBytes } from '../src/payload-references';
import { duration } from '../src/presentation/format';
import { scenarioQuotaBoundSeconds } from './quota-bound';
import { analyseScenario } from '../test/agents/ground-truth';
import { historySize } from '../test/helpers/history';
import { startStack, startStackWith, TEST_TODAY } from '../test/helpers/stack';
import type { RunningSimulator } from '../src/sim/server';
import { startSimulatorProcess, type SimulatorProcess } from './sim-process';

async function main() {
  const args = process.argv.slice(2);
  const size = (args.find((a) => !a.startsWith('--')) ?? 'medium') as 'medium' | 'large';
  const quotas = !args.includes('--no-quotas');
  const inProcess = args.includes('--sim-in-process');
  // --agents ec2,tagging: a part of the analysis, to see what each agent costs (default: all six).
  const agentsArg = args.find((a) => a.startsWith('--agents='))?.slice('--agents='.length);
  const agents = (agentsArg?.split(',') ?? ['ec2', 'rds', 'trusted-advisor', 's3', 'tagging', 'forecasting']) as AgentKind[];
  const warnings: string[] = [];
  process.on('warning', (w) => warnings.push(`${w.name}: ${w.message.split('\n')[0]}`));
  const options = {
    size,
    seed: 1,
    memberRoles: true,
    storeDir: mkdtempSync(join(tmpdir(), 'report-size-')),
    // Under quotas the SDK backs off and retries a throttled call, as a production worker's clients do.
    ...(quotas ? { quotas: 'aws' as const, sdkMaxAttempts: 10 } : {}),
  };
  const stack = inProcess
    ? await startStack(options).then((s) => ({ ...s, sim: inProcessSimulator(s.sim) }))
    : await startStackWith(startSimulatorProcess({ size, seed: 1, anchorDate: TEST_TODAY, ...(quotas ? { quotas: 'aws' as const } : {}) }), options);
  try {
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
    await stack.sim.resetStats();
    const simCpuBefore = (await stack.sim.stats()).cpuSeconds;
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    const { report, analysisId } = await analyseScenario(stack, agents, 'bench');
    const seconds = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const served = await stack.sim.stats();
    clearInterval(sampler);
    const history = await historySize(stack.env.client, analysisId);
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
    console.log(`agents: ${agents.join(', ')}`);
    console.log(`${size} organisation: analysis ${seconds.toFixed(1)} s, status ${report.status}`);
    console.log(`  report (the workflow's result, read back through its reference): ${kb(JSON.stringify(report).length)} as JSON`);
    console.log(`  findings inline: ${report.findings?.items.length ?? 0} of ${report.findings?.count ?? 0}`);
    console.log(
      `  parent history: ${history.events} events, ${kb(history.bytes)} encoded (goal 256 KB: ${(history.bytes / (256 * 1024)).toFixed(2)}x); ` +
        `largest payload ${kb(history.largestPayloadBytes)} (inline limit ${kb(inlinePayloadBytes())}, FINOPS_PAYLOAD_INLINE_BYTES)`,
    );
    console.log(
      `  process peak RSS (worker and client${inProcess ? ', simulator' : ''} in one process): ${(peakRss / 1e6).toFixed(0)} MB; ` +
        `its CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s` +
        (inProcess ? '' : `; the simulator process's CPU ${(served.cpuSeconds - simCpuBefore).toFixed(1)} s`),
    );
    console.log(`  warnings: ${warnings.length ? warnings.join('; ') : 'none'}`);
    const bound = stack.sim.quotaBoundSeconds;
    console.log(
      quotas
        ? `  AWS-quota lower bound: ${bound.toFixed(1)} s  →  whole analysis / bound = ${(seconds / bound).toFixed(2)} (goal 2.0)`
        : `  (quotas off: no bound; the AWS-quota lower bound would be ${bound.toFixed(1)} s)`,
    );
    if (!inProcess) {
      // What this machine's cores allow at best: the worker's and the simulator's CPU spread over every core
      // (the Temporal server's own CPU not counted). AWS's quotas are not the limit when this is the larger.
      const workerCpu = (cpu.user + cpu.system) / 1e6;
      const floor = (workerCpu + served.cpuSeconds - simCpuBefore) / cpus().length;
      console.log(
        `  CPU floor of this machine: (worker ${workerCpu.toFixed(1)} s + simulator ${(served.cpuSeconds - simCpuBefore).toFixed(1)} s of CPU) / ${cpus().length} cores = ` +
          `${floor.toFixed(1)} s  →  whole analysis / CPU floor = ${(seconds / floor).toFixed(2)}`,
      );
    }
    const throttled = Object.entries(served.throttled).filter(([, n]) => n > 0);
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
    const ce = Object.entries(served.stats).filter(([op]) => op.startsWith('ce:'));
    const ceServed = ce.reduce((n, [, c]) => n + c, 0);
    // A throttled request is served (and counted by the simulator) but not billed, and the SDK retries it.
    const ceThrottled = Object.entries(served.throttled).reduce((n, [op, c]) => n + (op.startsWith('ce:') ? c : 0), 0);
    const billed = ceServed - ceThrottled;
    console.log(
      `  Cost Explorer requests: ${billed} billed ($${(billed / 100).toFixed(2)}; ${ceServed} served, ${ceThrottled} of them throttled), ${report.usage.costExplorerRequests} in the report; ` +
        ce.map(([op, c]) => `${op.slice(3)} ${c}`).join(', '),
    );
    for (const [op, purposes] of Object.entries(report.usage.purposes ?? {}))
      for (const [purpose, n] of Object.entries(purposes)) if (op.startsWith('ce:')) console.log(`    ${n} × ${op}: ${purpose}`);
  } finally {
    await stack.close();
  }
}

/** The in-process simulator behind the same interface as the simulator process. */
function inProcessSimulator(sim: RunningSimulator): SimulatorProcess {
  const cpuSeconds = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  };
  return {
    url: sim.url,
    scenario: sim.scenario,
    close: () => sim.close(),
    startCpuSeconds: 0,
    quotaBoundSeconds: scenarioQuotaBoundSeconds(sim.scenario),
    // The process's CPU is the simulator's and the worker's together here.
    stats: () => Promise.resolve({ stats: sim.stats(), throttled: sim.throttled(), cpuSeconds: cpuSeconds() }),
    resetStats: () => Promise.resolve(sim.resetStats()),
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
