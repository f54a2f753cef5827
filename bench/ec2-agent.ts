/**
 * The EC2 agent on the large sample account (6 accounts, 5 regions, 10,000 instances, 15,000 volumes)
 * through a real Temporal dev server, the simulator in a process of its own (AWS's request quotas on
 * unless --no-quotas) and the real SDK clients. Prints wall time, requests per service against the
 * fewest the APIs allow, the workflow's history (events and bytes), and precision, recall and savings
 * per check against the scenario's ground truth.
 *
 *   npx tsx bench/ec2-agent.ts [--size large|medium] [--seed 1] [--no-quotas]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import { AwsClientFactory } from '../src/activities/aws-clients';
import { LocalFileStore } from '../src/activities/store';
import type { Finding } from '../src/domain/findings';
import { previousPeriod } from '../src/domain/period';
import type { AgentResult } from '../src/domain/report';
import { generateScenario } from '../src/sim/scenario';
import { createWorker, WORKFLOWS_PATH } from '../src/worker/worker';
import type { AgentInput } from '../src/workflows/agents/common';
import { formatScore, score } from '../test/agents/ground-truth';
import { startTemporal } from '../test/helpers/temporal';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'large' },
    seed: { type: 'string', default: '1' },
    'no-quotas': { type: 'boolean', default: false },
  },
});
const size = values.size as 'large' | 'medium';
const seed = Number(values.seed);
const ANCHOR = '2026-11-21';

async function main() {
  let t = Date.now();
  const scenario = generateScenario({ seed, anchorDate: ANCHOR, size });
  console.log(
    `Scenario ${size} (seed ${seed}): ${scenario.accounts.length} accounts, ${scenario.regions.length} regions, ${scenario.instances.length} instances, ` +
      `${scenario.volumes.length} volumes, ${scenario.addresses.length} Elastic IPs, ${scenario.snapshots.length} snapshots (generated in ${((Date.now() - t) / 1000).toFixed(1)} s)`,
  );
  const quotas = !values['no-quotas'];
  const [sim, env, bundle] = await Promise.all([
    startSimProcess(size, seed, quotas),
    startTemporal(),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } }),
  ]);
  const storeDir = mkdtempSync(join(tmpdir(), 'ec2-bench-'));
  const clients = new AwsClientFactory({
    endpoint: sim.url,
    credentials: { accessKeyId: 'AKIABENCHMARK0000000', secretAccessKey: 'bench' },
    memberRoleName: scenario.accounts.find((a) => a.roleName)?.roleName,
    externalIds: Object.fromEntries(scenario.accounts.flatMap((a) => (a.externalId ? [[a.id, a.externalId]] : []))),
    maxAttempts: 10, // adaptive retry mode: under quotas the SDK backs off instead of failing
  });
  const activities = createActivities(clients, undefined, {
    store: new LocalFileStore(storeDir),
    now: () => new Date(`${ANCHOR}T12:00:00Z`),
  });
  const taskQueue = `bench-ec2-${process.pid}`;
  const worker = await createWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, activities, workflowBundle: bundle });
  const period = { start: '2026-10-01', end: '2026-11-01' };
  const input: AgentInput = {
    analysisId: `analysis/bench/20261121-0000-${process.pid}`,
    agent: 'ec2',
    tenant: 'bench',
    accounts: scenario.accounts.map((a) => a.id),
    regions: scenario.regions,
    period,
    previousPeriod: previousPeriod(period),
    asOf: ANCHOR,
  };
  const workflowId = `${input.analysisId}/ec2`;
  const cpuBefore = process.cpuUsage();
  const simCpuBefore = (await sim.stats()).cpuSeconds;
  t = Date.now();
  const result = await worker.runUntil(env.client.workflow.execute('ec2Agent', { taskQueue, workflowId, args: [input] }) as Promise<AgentResult>);
  const wall = (Date.now() - t) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const simStats = await sim.stats();
  const description = await env.client.workflow.getHandle(workflowId).describe();

  // Requests per service, against the fewest the APIs allow.
  const usage = result.usage!;
  const targets = input.accounts.length * input.regions.length;
  const perTarget = (list: { account: string; region: string }[], pageSize: number) =>
    input.accounts.flatMap((account) => input.regions.map((region) => Math.max(1, Math.ceil(list.filter((x) => x.account === account && x.region === region).length / pageSize))));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const bounds: Record<string, number> = {
    'ec2:DescribeInstances': sum(perTarget(scenario.instances, 1000)),
    'ec2:DescribeVolumes': sum(perTarget(scenario.volumes, 500)),
    'ec2:DescribeSnapshots': sum(perTarget(scenario.snapshots, 1000)),
    'ec2:DescribeAddresses': targets,
    // If every call carried 500 queries. Calls are per account and region and the checks make two passes
    // (CPU first; then network, credits and volume operations for the resources that need them), so each
    // account-region's last call of each pass is partly filled.
    'cloudwatch:GetMetricData': Math.ceil(usage.metricsRequested / 500),
  };
  console.log(`\nEC2 agent: ${wall.toFixed(1)} s wall time (${targets} account-regions, quotas ${quotas ? 'on (AWS preset)' : 'off'})`);
  console.log(`  worker CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, simulator CPU ${(simStats.cpuSeconds - simCpuBefore).toFixed(1)} s`);
  console.log(`  history: ${description.historyLength} events, ${description.historySize ?? '?'} bytes`);
  console.log('\nRequests (the agent\'s own count; simulator count; fewest possible):');
  for (const [op, n] of Object.entries(usage.requests).sort()) {
    const simKey = op.replace(/^cloudwatch:/, 'monitoring:');
    const bound = bounds[op];
    console.log(`  ${op.padEnd(44)} ${String(n).padStart(6)}  sim ${String(simStats.stats[simKey] ?? 0).padStart(6)}${bound !== undefined ? `  bound ${bound}` : ''}`);
  }
  console.log(`  metrics requested: ${usage.metricsRequested} (${(usage.metricsRequested / scenario.instances.length).toFixed(2)} per instance incl. volume queries)`);
  console.log(`  throttled by the simulator's quotas: ${JSON.stringify(simStats.throttled)}`);
  console.log(`  billable: ${result.costExplorerRequests} Cost Explorer requests, ${usage.metricsRequested} metrics`);

  const findings = JSON.parse(readFileSync(join(storeDir, result.findings!.storeKey!), 'utf8')) as Finding[];
  const ec2Checks = ['ec2-idle', 'ec2-overprovisioned', 'ec2-previous-generation', 'ec2-stopped-long', 'ebs-unattached', 'ebs-idle', 'ebs-io1-to-gp3', 'ebs-gp2-to-gp3', 'eip-unassociated', 'snapshot-orphaned'];
  console.log(`\n${result.findings!.count} findings, ${result.findings!.monthlySavings} USD a month (agent-level, before the parent's merge)`);
  console.log(formatScore(`Accuracy (${size} seed ${seed}, EC2 agent's checks)`, score(scenario, findings, ec2Checks)));
  if (result.missing?.length) console.log('missing:', JSON.stringify(result.missing));

  clients.destroy();
  sim.close();
  await env.teardown();
}

async function startSimProcess(size: string, seed: number, quotas: boolean) {
  const child = fork(join(__dirname, 'sim-process.ts'), [size, String(seed), ANCHOR, ...(quotas ? ['aws'] : [])], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /SIM_URL (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
  });
  type SimStats = { stats: Record<string, number>; throttled: Record<string, number>; cpuSeconds: number };
  return {
    url,
    stats: () =>
      new Promise<SimStats>((resolve) => {
        child.once('message', (m) => resolve(m as SimStats));
        child.send('stats');
      }),
    close: () => child.kill('SIGTERM'),
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
