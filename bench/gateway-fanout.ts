/**
 * Gateway fan-out: N WebSocket clients watching M running analyses. Each analysis is the gateway-test
 * fixture workflow (test/gateway/fixtures/workflows.ts), whose progress changes on a timer once a second;
 * the gateway relays it to every subscriber. Prints, for 1,000 clients and then for 100:
 *   - progress latency p50/p90/p99/max: from the workflow's change (progress.updatedAt, workflow time)
 *     to the client receiving the message,
 *   - Temporal progress queries per second (one poller per analysis, so this must not grow with the
 *     number of subscribers) and the ratio between the two runs,
 *   - the gateway process's CPU and memory (from its /metrics).
 * Then a REST mix: `--rest` requests (list, read, report, whoami) at `--concurrency` in flight, from one
 * tenant, against the same gateway and its running analyses: status counts (no 5xx expected; 429 with
 * Retry-After once the per-tenant limit, FINOPS_RATE_LIMIT_PER_MINUTE, is spent), latency percentiles,
 * and the gateway's memory before, at its peak and after.
 *
 * Processes: the Temporal dev server, a worker (this file with --worker), the gateway (src/gateway/main.ts)
 * and the clients (this process), as in production; everything on this machine.
 *
 *   npx tsx bench/gateway-fanout.ts [--clients 1000] [--compare 100] [--analyses 50] [--seconds 30] [--interval 1000]
 *                                  [--rest 1000] [--concurrency 100] [--rate-limit 1200]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { NativeConnection, Worker } from '@temporalio/worker';
import WebSocket from 'ws';
import { parseMetrics } from '../src/gateway/metrics';
import { PROJECT_ROOT } from '../scripts/temporal-cli';
import { bundleFixture, startFixture } from '../test/gateway/harness';
import { startTemporal } from '../test/helpers/temporal';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    compare: { type: 'string', default: '100' },
    analyses: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    interval: { type: 'string', default: '1000' },
    rest: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '100' },
    'rate-limit': { type: 'string', default: '1200' },
    worker: { type: 'boolean', default: false },
    address: { type: 'string' },
    queue: { type: 'string' },
  },
});

// --- the worker process ----------------------------------------------------------------------------

async function runWorker(address: string, taskQueue: string): Promise<void> {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await bundleFixture(),
    // Queries are workflow tasks: let the worker take plenty at once.
    maxConcurrentWorkflowTaskExecutions: 100,
    maxCachedWorkflows: 500,
  });
  process.stdout.write('worker ready\n');
  process.once('SIGTERM', () => worker.shutdown());
  await worker.run();
  await connection.close();
}

// --- helpers -------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function child(name: string, args: string[], env: Record<string, string>): { proc: ChildProcess; output: () => string; waitFor: (re: RegExp, ms: number) => Promise<RegExpExecArray> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return {
    proc,
    output: () => output,
    waitFor: async (re, ms) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = re.exec(output);
        if (match) return match;
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`${name} did not print ${String(re)}:\n${output}`);
        await sleep(50);
      }
    },
  };
}

interface Sample {
  querySeconds: number;
  queryCount: number;
  cpuSeconds: number;
  rss: number;
  queries: number;
  messages: number;
  deliveries: number;
  at: number;
}

async function sample(gatewayUrl: string): Promise<Sample> {
  const metrics = parseMetrics(await (await fetch(`${gatewayUrl}/metrics`)).text());
  return {
    querySeconds: metrics.get('finops_relay_query_duration_seconds_sum') ?? 0,
    queryCount: metrics.get('finops_relay_query_duration_seconds_count') ?? 0,
    cpuSeconds: metrics.get('process_cpu_seconds_total') ?? 0,
    rss: metrics.get('process_resident_memory_bytes') ?? 0,
    queries: metrics.get('finops_relay_queries_total') ?? 0,
    messages: metrics.get('finops_relay_messages_total') ?? 0,
    deliveries: metrics.get('finops_relay_deliveries_total') ?? 0,
    at: Date.now(),
  };
}

interface RunResult {
  clients: number;
  latencies: number[];
  received: number;
  queriesPerSecond: number;
  messagesPerSecond: number;
  deliveriesPerSecond: number;
  cpuPercent: number;
  rssMb: number;
  connectMs: number;
  /** Mean duration of the gateway's progress queries during the run. */
  queryMs: number;
  /** This (client) process's event-loop delay p99: how late the clients themselves read messages. */
  clientLagMs: number;
}

/** Connect `count` clients spread over the analyses, measure for `seconds`, disconnect. */
async function run(gatewayUrl: string, analysisIds: string[], count: number, seconds: number): Promise<RunResult> {
  const wsUrl = `${gatewayUrl.replace(/^http/, 'ws')}/ws`;
  const sockets: WebSocket[] = [];
  let measuring = false;
  const latencies: number[] = [];
  let received = 0;
  const connectStarted = Date.now();
  for (let batch = 0; batch < count; batch += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - batch) }, (_, k) => {
        const i = batch + k;
        const analysisId = analysisIds[i % analysisIds.length]!;
        return new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(wsUrl);
          let firstSeq: number | undefined;
          ws.on('message', (data: Buffer) => {
            const now = Date.now();
            const message = JSON.parse(data.toString()) as { type: string; seq?: number; progress?: { updatedAt: string } };
            if (message.type === 'ready') {
              ws.send(JSON.stringify({ type: 'subscribe', analysisId }));
            } else if (message.type === 'subscribed') {
              resolve();
            } else if (message.type === 'progress' && message.seq !== undefined && message.progress) {
              // The first message after subscribing is the state as it was, not a fresh change.
              if (firstSeq === undefined) {
                firstSeq = message.seq;
                return;
              }
              if (!measuring) return;
              received++;
              latencies.push(now - Date.parse(message.progress.updatedAt));
            }
          });
          ws.on('error', reject);
          sockets.push(ws);
        });
      }),
    );
  }
  const connectMs = Date.now() - connectStarted;
  await sleep(3000); // settle: every poller running, backoff in its steady state
  const before = await sample(gatewayUrl);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  measuring = true;
  await sleep(seconds * 1000);
  measuring = false;
  lag.disable();
  const after = await sample(gatewayUrl);
  for (const ws of sockets) ws.close();
  await sleep(1500);
  const elapsed = (after.at - before.at) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    clients: count,
    latencies,
    received,
    queriesPerSecond: (after.queries - before.queries) / elapsed,
    messagesPerSecond: (after.messages - before.messages) / elapsed,
    deliveriesPerSecond: (after.deliveries - before.deliveries) / elapsed,
    cpuPercent: ((after.cpuSeconds - before.cpuSeconds) / elapsed) * 100,
    rssMb: after.rss / 1024 / 1024,
    connectMs,
    queryMs: ((after.querySeconds - before.querySeconds) / Math.max(1, after.queryCount - before.queryCount)) * 1000,
    clientLagMs: lag.percentile(99) / 1e6,
  };
}

function row(r: RunResult, analyses: number): string {
  const p = (n: number) => `${Math.round(percentile(r.latencies, n))} ms`;
  return [
    String(r.clients).padStart(7),
    String(Math.round(r.clients / analyses)).padStart(8),
    r.deliveriesPerSecond.toFixed(0).padStart(10),
    p(50).padStart(9),
    p(90).padStart(9),
    p(99).padStart(9),
    `${Math.round(r.latencies.at(-1) ?? NaN)} ms`.padStart(9),
    r.queriesPerSecond.toFixed(1).padStart(10),
    `${r.cpuPercent.toFixed(0)}%`.padStart(8),
    `${r.rssMb.toFixed(0)} MB`.padStart(8),
    `${r.queryMs.toFixed(0)} ms`.padStart(9),
    `${r.clientLagMs.toFixed(0)} ms`.padStart(10),
  ].join(' ');
}

// --- the REST mix ---------------------------------------------------------------------------------

interface RestResult {
  statuses: Map<number, number>;
  latencies: number[];
  retryAfterMissing: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  seconds: number;
}

/** `total` requests, `concurrency` at a time, over a mix of read routes; samples the gateway's RSS meanwhile. */
async function restMix(gatewayUrl: string, analysisIds: string[], total: number, concurrency: number, whoamiOnly = false): Promise<RestResult> {
  const paths = whoamiOnly ? [() => '/api/me'] : [
    () => '/api/analyses?pageSize=50',
    (i: number) => `/api/analyses/${encodeURIComponent(analysisIds[i % analysisIds.length]!)}`,
    (i: number) => `/api/analyses/${encodeURIComponent(analysisIds[i % analysisIds.length]!)}/report`,
    () => '/api/me',
  ];
  const statuses = new Map<number, number>();
  const latencies: number[] = [];
  let retryAfterMissing = 0;
  const rssBefore = (await sample(gatewayUrl)).rss;
  let rssPeak = rssBefore;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      rssPeak = Math.max(rssPeak, (await sample(gatewayUrl)).rss);
      await sleep(200);
    }
  })();
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = Date.now();
        const response = await fetch(`${gatewayUrl}${paths[i % paths.length]!(i)}`);
        await response.arrayBuffer();
        latencies.push(Date.now() - t0);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 429 && !response.headers.get('retry-after')) retryAfterMissing++;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  sampling = false;
  await sampler;
  await sleep(2000);
  const rssAfter = (await sample(gatewayUrl)).rss;
  latencies.sort((a, b) => a - b);
  const mb = (bytes: number) => bytes / 1024 / 1024;
  return { statuses, latencies, retryAfterMissing, rssBeforeMb: mb(rssBefore), rssPeakMb: mb(rssPeak), rssAfterMb: mb(rssAfter), seconds };
}

function restRow(label: string, r: RestResult): string {
  const counts = [...r.statuses.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
  const p = (n: number) => `${Math.round(percentile(r.latencies, n))} ms`;
  return `${label}: ${r.latencies.length} requests in ${r.seconds.toFixed(1)} s; ${counts}; latency p50 ${p(50)}, p99 ${p(99)}, max ${Math.round(r.latencies.at(-1) ?? NaN)} ms; gateway RSS ${r.rssBeforeMb.toFixed(0)} MB before, ${r.rssPeakMb.toFixed(0)} MB peak, ${r.rssAfterMb.toFixed(0)} MB after${r.retryAfterMissing ? `; ${r.retryAfterMissing} 429s WITHOUT Retry-After` : ''}`;
}

// --- the benchmark -------------------------------------------------------------------------------

async function main(): Promise<void> {
  const clients = Number(values.clients);
  const compare = Number(values.compare);
  const analyses = Number(values.analyses);
  const seconds = Number(values.seconds);
  const interval = Number(values.interval);
  const taskQueue = `fanout-${Date.now().toString(36)}`;

  console.log(`Gateway fan-out: ${clients} and ${compare} WebSocket clients on ${analyses} running analyses, progress changing every ${interval} ms each; ${seconds} s per run.`);
  const env = await startTemporal();
  const worker = child('worker', [__filename, '--worker', '--address', env.address, '--queue', taskQueue], {});
  const gateway = child('gateway', ['src/gateway/main.ts'], {
    TEMPORAL_ADDRESS: env.address,
    FINOPS_TASK_QUEUE: taskQueue,
    FINOPS_GATEWAY_PORT: '0',
    FINOPS_AUTH: 'none',
    FINOPS_LOG_LEVEL: 'INFO',
    FINOPS_RATE_LIMIT_PER_MINUTE: values['rate-limit'],
  });
  try {
    await worker.waitFor(/worker ready/, 120_000);
    const gatewayUrl = (await gateway.waitFor(/"msg":"gateway listening","url":"(http:[^"]+)"/, 60_000))[1]!;

    // Long-running analyses, staggered so their timers do not fire together.
    const steps = Math.ceil(((seconds * 2 + 60) * 1000) / interval);
    const analysisIds: string[] = [];
    for (let i = 0; i < analyses; i++) {
      // Started on Temporal directly: the fixture is steered by requestedBy, which the API takes from credentials.
      analysisIds.push(await startFixture(env.client, taskQueue, { tenant: 'bench', requestedBy: `auto:${steps}:${interval}` }));
      await sleep(interval / analyses);
    }
    const idle = await sample(gatewayUrl);

    const big = await run(gatewayUrl, analysisIds, clients, seconds);
    const small = await run(gatewayUrl, analysisIds, compare, seconds);
    console.log('');
    console.log(' clients  per anl  msgs out/s  lat p50   lat p90   lat p99   lat max  queries/s  gw CPU   gw RSS  query avg  client lag');
    console.log(row(big, analyses));
    console.log(row(small, analyses));
    console.log('');
    console.log(`Relay messages emitted: ${big.messagesPerSecond.toFixed(1)}/s with ${clients} clients, ${small.messagesPerSecond.toFixed(1)}/s with ${compare} (one per change, whatever the subscribers).`);
    console.log(`Temporal queries/s ratio, ${clients} vs ${compare} clients: ${(big.queriesPerSecond / small.queriesPerSecond).toFixed(2)} (1.00 = does not grow with subscribers; ${(big.queriesPerSecond / analyses).toFixed(2)} queries/s per analysis).`);
    console.log(`Latency samples: ${big.latencies.length} and ${small.latencies.length}; p99 target < 1000 ms: ${percentile(big.latencies, 99) < 1000 ? 'met' : 'NOT met'}.`);
    console.log(`Connecting ${clients} clients took ${big.connectMs} ms; gateway RSS before any client ${(idle.rss / 1024 / 1024).toFixed(0)} MB.`);

    const restTotal = Number(values.rest);
    const concurrency = Number(values.concurrency);
    if (restTotal > 0) {
      console.log('');
      console.log(`REST mix (list, read, report, whoami), ${concurrency} in flight, per-tenant limit ${values['rate-limit']}/min:`);
      console.log(restRow('  mix', await restMix(gatewayUrl, analysisIds, restTotal, concurrency)));
      // A burst of cheap requests (no Temporal call) past what is left of the tenant's budget in this window.
      const burst = Number(values['rate-limit']) + 200;
      console.log(restRow('  burst past the limit (whoami)', await restMix(gatewayUrl, analysisIds, burst, concurrency, true)));
    }
  } finally {
    gateway.proc.kill('SIGTERM');
    worker.proc.kill('SIGTERM');
    await sleep(1000);
    await env.teardown();
  }
}

if (values.worker) {
  runWorker(values.address!, values.queue!).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
