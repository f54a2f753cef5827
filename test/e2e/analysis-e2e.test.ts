/**
 * End to end, the way a user runs it: the demo client (a real process) posts a request to the gateway,
 * the gateway starts the workflow, agents read the simulator through the real AWS SDK, progress comes
 * back over WebSocket, and the report arrives. A second, raw WebSocket client checks the message stream.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { PROJECT_ROOT } from '../../scripts/temporal-cli';
import { AGENT_KINDS } from '../../src/domain/agents';
import { formatUsd } from '../../src/domain/money';
import type { AnalysisProgress } from '../../src/domain/progress';
import type { AnalysisReport } from '../../src/domain/report';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { lastFullMonths, SAMPLE_ACCOUNT, startStack, testNow, type TestStack } from '../helpers/stack';

let stack: TestStack;
let gateway: Gateway;
let url: string;

before(async () => {
  stack = await startStack();
  gateway = createGateway({
    client: stack.env.client,
    taskQueue: stack.taskQueue,
    now: testNow,
  });
  ({ url } = await gateway.listen(0));
});
after(async () => {
  await gateway?.close();
  await stack?.close();
});

const period = lastFullMonths(1);

function runDemoClient(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts/analyze.ts'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

test('client -> gateway -> workflow -> simulator -> WebSocket progress -> report', async () => {
  await stack.withWorker(async () => {
    const demo = await runDemoClient([
      '--gateway',
      url,
      '--tenant',
      'e2e',
      '--account',
      SAMPLE_ACCOUNT,
      '--start',
      period.start,
      '--end',
      period.end,
    ]);
    assert.equal(demo.code, 0, demo.output);
    const analysisId = /Started (analysis\/e2e\/\S+)/.exec(demo.output)?.[1];
    assert.ok(analysisId, demo.output);
    assert.match(demo.output, /first progress after [\d.]+ s/);
    assert.match(demo.output, /report after [\d.]+ s/);

    // The report the client printed is the one the gateway serves.
    const response = await fetch(`${url}/api/analyses/${encodeURIComponent(analysisId)}/report`);
    assert.equal(response.status, 200);
    const report = (await response.json()) as AnalysisReport;
    assert.equal(report.status, 'complete');
    assert.equal(report.agents.length, AGENT_KINDS.length);
    assert.ok(demo.output.includes(`Total spend    ${formatUsd(report.spend.total)}`), demo.output);
    assert.match(demo.output, /Running 6 agents/, 'live progress was shown');
    for (const agent of report.agents)
      assert.ok(demo.output.includes(`✓ ${agent.title}: spend $`), `${agent.agent} outcome shown`);
  });
});

test('a WebSocket subscriber sees versions increase, agents finish one by one, and the final report', async () => {
  await stack.withWorker(async () => {
    const started = await fetch(`${url}/api/analyses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'e2e', accounts: [SAMPLE_ACCOUNT], period }),
    });
    assert.equal(started.status, 202);
    const { analysisId } = (await started.json()) as { analysisId: string };

    const messages: { type: string; seq?: number; progress?: AnalysisProgress; report?: AnalysisReport }[] = [];
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', analysisId })));
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as (typeof messages)[number];
        messages.push(message);
        if (message.type === 'report') {
          ws.close();
          resolve();
        }
        if (message.type === 'error' || message.type === 'failed') reject(new Error(JSON.stringify(message)));
      });
      ws.on('error', reject);
    });

    const progress = messages.filter((m) => m.type === 'progress').map((m) => m.progress!);
    assert.ok(progress.length >= 2, `several progress messages (got ${progress.length})`);
    for (let i = 1; i < progress.length; i++)
      assert.ok(progress[i]!.version > progress[i - 1]!.version, 'each message is a new version');
    const seqs = messages.filter((m) => m.seq !== undefined).map((m) => m.seq!);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => seqs[0]! + i),
      'sequence numbers have no gaps',
    );
    const report = messages.at(-1)!.report!;
    assert.equal(report.analysisId, analysisId);
    assert.equal(report.status, 'complete');
  });
});
