/**
 * Start an analysis through the gateway and watch it live over WebSocket, then print the report.
 *
 *   npm run analyze -- --tenant demo --account 123456789012 [--agents ec2,s3] [--start 2026-10-01 --end 2026-11-01]
 *
 * Talks only to the gateway (REST + WebSocket), as any client would.
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { formatUsd } from '../src/domain/money';
import type { AnalysisProgress } from '../src/domain/progress';
import type { AnalysisReport } from '../src/domain/report';

const { values } = parseArgs({
  options: {
    gateway: { type: 'string', default: process.env.FINOPS_GATEWAY_URL ?? 'http://127.0.0.1:8080' },
    ui: { type: 'string', default: process.env.FINOPS_TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233' },
    tenant: { type: 'string', default: 'demo' },
    account: { type: 'string', multiple: true },
    region: { type: 'string', multiple: true },
    agents: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const startedAt = Date.now();
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const body = {
    tenant: values.tenant,
    accounts: values.account ?? ['123456789012'],
    ...(values.region ? { regions: values.region } : {}),
    ...(values.agents ? { agents: values.agents.split(',').map((a) => a.trim()) } : {}),
    ...(values.start || values.end ? { period: { start: values.start, end: values.end } } : {}),
  };
  const response = await fetch(`${values.gateway}/api/analyses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).catch((err: unknown) => {
    throw new Error(`cannot reach the gateway at ${values.gateway}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const started = (await response.json()) as { analysisId?: string; error?: { message: string; details?: string[] } };
  if (!response.ok || !started.analysisId) {
    const details = started.error?.details?.map((d) => `\n  - ${d}`).join('') ?? '';
    throw new Error(
      `the gateway refused the analysis (${response.status}): ${started.error?.message ?? 'unknown error'}${details}`,
    );
  }
  const analysisId = started.analysisId;
  console.log(`Started ${analysisId}`);
  console.log(`  Temporal Web UI: ${values.ui}/namespaces/default/workflows/${encodeURIComponent(analysisId)}`);

  const report = await watch(analysisId);
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
  console.log(`\nReport: ${values.gateway}/api/analyses/${encodeURIComponent(analysisId)}/report`);
}

/** Subscribe over WebSocket and print each progress change until the report arrives. */
function watch(analysisId: string): Promise<AnalysisReport> {
  const wsUrl = `${values.gateway.replace(/^http/, 'ws')}/ws`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    let lastEvent = 0;
    let firstProgress = true;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', analysisId })));
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        type: string;
        progress?: AnalysisProgress;
        report?: AnalysisReport;
        failure?: string;
        message?: string;
      };
      if (message.type === 'progress' && message.progress) {
        if (firstProgress) console.log(`  first progress after ${elapsed()}`);
        firstProgress = false;
        for (const event of message.progress.events.filter((e) => e.seq > lastEvent)) {
          const mark = event.level === 'error' ? '✗' : event.level === 'warn' ? '!' : '·';
          console.log(`  ${mark} [${elapsed().padStart(6)}] ${event.message}`);
          lastEvent = event.seq;
        }
        const c = message.progress.counts;
        if (process.stdout.isTTY)
          process.stdout.write(`    agents: ${c.succeeded}/${c.agents} done, ${c.running} running, ${c.failed} failed\r`);
      } else if (message.type === 'report' && message.report) {
        console.log(`  report after ${elapsed()}`);
        ws.close();
        resolve(message.report);
      } else if (message.type === 'failed') {
        ws.close();
        reject(new Error(`analysis ended without a report: ${message.failure ?? 'unknown failure'}`));
      } else if (message.type === 'error') {
        ws.close();
        reject(new Error(`gateway: ${message.message ?? 'error'}`));
      }
    });
    ws.on('error', (err) => reject(new Error(`WebSocket ${wsUrl}: ${err.message}`)));
    ws.on('close', (code) => {
      if (code !== 1000 && code !== 1005) reject(new Error(`WebSocket closed with code ${code}`));
    });
  });
}

function printReport(report: AnalysisReport): void {
  const { spend } = report;
  const change = spend.changePct === null ? 'no previous data' : `${spend.changePct >= 0 ? '+' : ''}${spend.changePct}%`;
  console.log(
    `\n${report.status === 'complete' ? 'Report' : 'PARTIAL report'} for ${report.tenant}, ${report.period.start} to ${report.period.end} (end exclusive)`,
  );
  console.log(
    `  Total spend    ${formatUsd(spend.total, spend.unit)}  (previous period ${formatUsd(spend.previousTotal, spend.unit)}, ${change})`,
  );
  console.log('  By service:');
  for (const line of spend.byService.slice(0, 10)) {
    const pct = line.changePct === null ? 'new' : `${line.changePct >= 0 ? '+' : ''}${line.changePct}%`;
    console.log(`    ${formatUsd(line.amount, spend.unit).padStart(14)}  ${pct.padStart(8)}  ${line.service}`);
  }
  console.log('  Agents:');
  for (const agent of report.agents) {
    const outcome =
      agent.status === 'succeeded' ? `spend ${formatUsd(agent.spend ?? '0', spend.unit)}` : `${agent.status}: ${agent.reason}`;
    console.log(`    ${agent.status === 'succeeded' ? '✓' : '✗'} ${agent.title}: ${outcome}`);
  }
  console.log(
    `  Cost of this analysis: ${report.usage.costExplorerRequests} Cost Explorer requests (${formatUsd(report.usage.costExplorerCost)})`,
  );
}

main().catch((err: unknown) => {
  console.error(`analyze: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
