/**
 * Scale-out: N analyses (default 20) on a Temporal server with persistent storage (the CLI's dev server with
 * a SQLite database file), run three ways — one worker process, two, and two of which one is killed
 * (SIGKILL) mid-run — with the sample account served by the simulator (Cost Explorer slowed a little so the
 * analyses overlap). Prints analyses per minute and the p50/p95 duration of each run, and checks that every
 * analysis of every run has the same figures as the undisturbed one-worker run.
 *
 *   npx tsx bench/scale-out.ts [--analyses 20] [--agents ec2,s3] [--latency-ms 150] [--kill-after 0.3]
 *
 * Each run's row is printed as soon as it ends.
 *
 * Everything runs on this machine, so "two workers" share its cores: the figures show how the work spreads
 * and survives a lost worker, not what two machines would add.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { LocalFileStore } from '../src/activities/store';
import { startAnalysis } from '../src/client/analyses';
import { clockFromEnv, todayBy } from '../src/clock';
import { addMonths, monthStart, noonOf } from '../src/domain/calendar';
import type { AnalysisReport } from '../src/domain/report';
import { validateAnalysisRequest } from '../src/domain/request';
import { generateScenario } from '../src/sim/scenario';
import { startSimulator } from '../src/sim/server';
import { payloadReferenceConverter } from '../src/payload-references';
import { searchAttributeCliArgs } from '../src/workflows/search-attributes';
import { startWorkerProcess, type Proc } from '../test/helpers/processes';

const { values } = parseArgs({
  options: {
    analyses: { type: 'string', default: '20' },
    'latency-ms': { type: 'string', default: '150' },
    'kill-after': { type: 'string', default: '0.3' },
    agents: { type: 'string' },
  },
});
const ANALYSES = Number(values.analyses);
const KILL_AFTER = Number(values['kill-after']);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * The figures an analysis reports about the account, which must not depend on how many workers ran it or
 * which one died: status, spend (total, by service, by day), each agent's outcome and spend, failures and
 * skips, findings (count, savings, by check, and every inline finding with its savings), commitments.
 * Not `usage`: see `billable`.
 */
function figures(report: AnalysisReport): string {
  return JSON.stringify({
    status: report.status,
    spend: report.spend,
    agents: report.agents.map(({ agent, status, spend }) => ({ agent, status, spend })),
    failures: report.failures,
    skipped: report.skipped,
    findings: report.findings && {
      count: report.findings.count,
      monthlySavings: report.findings.monthlySavings,
      byCheck: report.findings.byCheck,
      items: report.findings.items.map((f) => [f.id, f.monthlySavings]),
    },
    commitments: report.commitments,
  });
}

/**
 * What the analysis cost in requests: not a figure of the account, and it may grow with scale-out, since
 * identical Cost Explorer queries of one analysis are shared within a worker process only (agents on two
 * workers make them twice) and a killed worker's activities are retried.
 */
const billable = (report: AnalysisReport) => report.usage.costExplorerRequests;

async function main(): Promise<void> {
  const cli = ensureTemporalCli((line) => console.error(line));
  const dir = mkdtempSync(join(tmpdir(), 'finops-scale-out-'));
  const port = await freePort();
  const server = spawn(
    cli,
    ['server', 'start-dev', '--db-filename', join(dir, 'temporal.db'), '--port', String(port), '--headless', '--log-level', 'error', ...searchAttributeCliArgs()],
    { stdio: 'ignore' },
  );
  const address = `127.0.0.1:${port}`;
  const today = todayBy(clockFromEnv());
  const sim = await startSimulator({ port: 0, scenario: generateScenario({ seed: 42, anchorDate: today }) });
  sim.setFaults([{ operation: 'ce:GetCostAndUsage', latencyMs: Number(values['latency-ms']) }]);
  const workers: Proc[] = [];
  let connection: Connection | undefined;
  try {
    for (let attempt = 0; !connection; attempt++) {
      try {
        connection = await Connection.connect({ address, connectTimeout: 1_000 });
      } catch (err) {
        if (attempt > 60) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    // Its workers keep large payloads in their store: the client reads them back from there.
    const client = new Client({ connection, dataConverter: payloadReferenceConverter(new LocalFileStore(join(dir, 'store'))) });
    const validated = validateAnalysisRequest(
      {
        tenant: 'bench',
        accounts: ['123456789012'],
        period: { start: addMonths(today, -1), end: monthStart(today) },
        ...(values.agents ? { agents: values.agents.split(',') } : {}),
      },
      noonOf(today),
    );
    if (!validated.ok) throw new Error(validated.errors.join('; '));
    const request = validated.request;

    const run = async (label: string, workerCount: number, kill: boolean) => {
      const taskQueue = `scale-out-${label.replace(/\W+/g, '-')}-${process.pid}`;
      const options = { temporalAddress: address, taskQueue, awsEndpoint: sim.url, storeDir: join(dir, 'store'), env: { FINOPS_TODAY: today } };
      const mine = Array.from({ length: workerCount }, () => startWorkerProcess(options));
      workers.push(...mine);
      await Promise.all(mine.map((w) => w.waitFor(/Worker running on task queue/, 300_000)));
      const started = Date.now();
      const ids = await Promise.all(Array.from({ length: ANALYSES }, () => startAnalysis(client, taskQueue, request, noonOf(today)).then((s) => s.analysisId)));
      let done = 0;
      let killedAt: number | undefined;
      const results = await Promise.all(
        ids.map(async (id) => {
          const handle = client.workflow.getHandle(id);
          const report = (await handle.result()) as AnalysisReport;
          done++;
          // The analysis's own duration, by Temporal's clock: start to close of its run.
          const described = await handle.describe();
          const seconds = ((described.closeTime ?? new Date()).getTime() - described.startTime.getTime()) / 1000;
          if (kill && killedAt === undefined && done >= Math.ceil(ANALYSES * KILL_AFTER)) {
            killedAt = (Date.now() - started) / 1000;
            mine[0]!.child.kill('SIGKILL');
          }
          return { report, seconds };
        }),
      );
      const wall = (Date.now() - started) / 1000;
      await Promise.all(mine.map((w) => w.kill('SIGTERM')));
      const durations = results.map((r) => r.seconds).sort((a, b) => a - b);
      return { label, wall, durations, reports: results.map((r) => r.report), killedAt };
    };

    console.log(
      `${ANALYSES} analyses per run (${values.agents ?? 'all agents'}, sample account, Cost Explorer +${values['latency-ms']} ms), dev server with a database file\n`,
    );
    console.log('run                    analyses/min   p50 s   p95 s   wall s   figures as undisturbed   CE requests per analysis');
    const rows: Awaited<ReturnType<typeof run>>[] = [];
    let baseline: string | undefined;
    for (const [label, count, kill] of [
      ['1 worker', 1, false],
      ['2 workers', 2, false],
      ['2 workers, 1 killed', 2, true],
    ] as const) {
      const row = await run(label, count, kill);
      rows.push(row);
      baseline ??= figures(row.reports[0]!);
      const same = row.reports.filter((r) => figures(r) === baseline).length;
      console.log(
        `${row.label.padEnd(22)} ${((ANALYSES / row.wall) * 60).toFixed(1).padStart(12)} ${percentile(row.durations, 50).toFixed(1).padStart(7)} ${percentile(row.durations, 95)
          .toFixed(1)
          .padStart(7)} ${row.wall.toFixed(1).padStart(8)}   ${`${same}/${row.reports.length}`.padEnd(22)}   ${Math.min(...row.reports.map(billable))}-${Math.max(
          ...row.reports.map(billable),
        )}${row.killedAt !== undefined ? ` (one worker killed at ${row.killedAt.toFixed(1)} s)` : ''}`,
      );
    }
    const mismatches = rows.flatMap((row) => row.reports.filter((r) => figures(r) !== baseline).map((r) => `${row.label}: ${r.analysisId}`));
    if (mismatches.length > 0) {
      console.log(`\nFigures differ from the undisturbed run:\n  ${mismatches.join('\n  ')}`);
      process.exitCode = 1;
    }
  } finally {
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await connection?.close();
    await sim.close();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
