/**
 * Shared setup for gateway tests: a real Temporal dev server, an in-process worker running the
 * fixture `analysis` workflow (bundled once per file), gateways on port 0, and a WebSocket test client.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportStore } from '../../src/activities/reports';
import { LocalFileStore } from '../../src/activities/store';
import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import WebSocket from 'ws';
import type { AnalysisRequest } from '../../src/domain/request';
import { analysisWorkflowId } from '../../src/workflows/ids';
import { ACCOUNT, KIND, TENANT } from '../../src/workflows/search-attributes';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/app';
import type { ServerMessage } from '../../src/gateway/protocol';
import { startTemporal } from '../helpers/temporal';
import { fixtureSignal, type FixtureCommand } from './fixtures/workflows';

export const FIXTURE_WORKFLOWS = join(__dirname, 'fixtures', 'workflows.ts');

export function bundleFixture(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: FIXTURE_WORKFLOWS, logger: quietLogger });
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (message: string) => console.error(message),
};

export interface Harness {
  env: TestWorkflowEnvironment;
  client: Client;
  taskQueue: string;
  bundle: WorkflowBundleWithSourceMap;
  /** Start another worker (e.g. for a queue that had none); stopped by close(). */
  startWorker(taskQueue: string): Promise<void>;
  /** A gateway on 127.0.0.1:0 for this harness's client and queue; closed by close(). */
  gateway(options?: Partial<GatewayOptions>): Promise<{ gateway: Gateway; url: string; wsUrl: string }>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  // Worker logs only errors: the tests fail workflows on purpose. Must precede the runtime's creation.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const [env, bundle] = await Promise.all([startTemporal(), bundleFixture()]);
  const taskQueue = `gateway-test-${randomBytes(3).toString('hex')}`;
  const workers: { worker: Worker; running: Promise<void> }[] = [];
  const gateways: Gateway[] = [];

  const startWorker = async (queue: string) => {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: queue, workflowBundle: bundle });
    workers.push({ worker, running: worker.run() });
  };
  await startWorker(taskQueue);

  return {
    env,
    client: env.client,
    taskQueue,
    bundle,
    startWorker,
    gateway: async (options = {}) => {
      // Each gateway reads kept reports from its own empty folder unless a test gives one.
      const reports = new ReportStore(new LocalFileStore(mkdtempSync(join(tmpdir(), 'finops-gateway-reports-'))), 0);
      const gateway = createGateway({ client: env.client, taskQueue, reports, ...options });
      gateways.push(gateway);
      const { url } = await gateway.listen(0);
      return { gateway, url, wsUrl: `${url.replace(/^http/, 'ws')}/ws` };
    },
    close: async () => {
      await Promise.all(gateways.map((g) => g.close()));
      for (const { worker } of workers) worker.shutdown();
      await Promise.all(workers.map((w) => w.running));
      await env.teardown();
    },
  };
}

/** A valid request body for POST /api/analyses (the fixture ignores most of it). */
export function requestBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenant: 'demo',
    accounts: ['123456789012'],
    regions: ['us-east-1'],
    period: { start: '2025-01-01', end: '2025-02-01' },
    agents: ['ec2', 's3'],
    ...overrides,
  };
}

let counter = 0;
/** Start the fixture workflow directly (no gateway), on any task queue. */
export async function startFixture(
  client: Client,
  taskQueue: string,
  options: { tenant?: string; requestedBy?: string } = {},
): Promise<string> {
  const tenant = options.tenant ?? 'demo';
  const analysisId = analysisWorkflowId(tenant, new Date(), `${randomBytes(3).toString('hex')}${(counter++).toString(16)}`);
  const request: AnalysisRequest = {
    tenant,
    accounts: ['123456789012'],
    regions: ['us-east-1'],
    period: { start: '2025-01-01', end: '2025-02-01' },
    asOf: '2025-02-01',
    agents: ['ec2'],
    ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
  };
  // The search attributes startAnalysis sets, so listing finds fixture runs too.
  await client.workflow.start('analysis', {
    taskQueue,
    workflowId: analysisId,
    args: [request],
    typedSearchAttributes: new TypedSearchAttributes([
      { key: TENANT, value: tenant },
      { key: ACCOUNT, value: request.accounts },
      { key: KIND, value: 'analysis' },
    ]),
  });
  return analysisId;
}

export function signal(client: Client, analysisId: string, command: FixtureCommand): Promise<void> {
  return client.workflow.getHandle(analysisId).signal(fixtureSignal, command);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `check` until it returns a value (not undefined) or time runs out. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function apiPath(analysisId: string, suffix = ''): string {
  return `/api/analyses/${encodeURIComponent(analysisId)}${suffix}`;
}

/** A WebSocket client that queues every server message for ordered assertions. */
export class TestSocket {
  readonly received: ServerMessage[] = [];
  private cursor = 0;
  private wake: (() => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.isBuffer(data) ? data.toString() : Buffer.from(data).toString();
      this.received.push(JSON.parse(isBinary ? '{}' : text) as ServerMessage);
      this.wake?.();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake?.();
      });
    });
    ws.on('error', () => {});
  }

  /**
   * Connects and (unless `ready: false`) consumes the `ready` message an authenticated connection gets
   * first, so tests start at their own messages.
   */
  static async connect(url: string, options: { headers?: Record<string, string>; ready?: boolean } = {}): Promise<TestSocket> {
    const socket = await new Promise<TestSocket>((resolve, reject) => {
      const ws = new WebSocket(url, options.headers ? { headers: options.headers } : {});
      const socket = new TestSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
      ws.once('unexpected-response', (req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          req.destroy();
          reject(new Error(`Unexpected server response: ${res.statusCode} ${body}`));
        });
      });
    });
    if (options.ready !== false) {
      const first = await socket.next();
      if (first.type !== 'ready') throw new Error(`expected "ready" first, got ${JSON.stringify(first)}`);
    }
    return socket;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message not yet consumed, in arrival order. */
  async next(timeoutMs = 10_000): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.received.length) {
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no message within ${timeoutMs} ms (received so far: ${JSON.stringify(this.received.map((m) => m.type))})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.received[this.cursor++]!;
  }

  /** Asserts nothing arrives for `ms`. */
  async expectSilence(ms: number): Promise<void> {
    await sleep(ms);
    if (this.cursor < this.received.length) {
      throw new Error(`expected no message, got ${JSON.stringify(this.received.slice(this.cursor))}`);
    }
  }

  close(): void {
    this.ws.close();
  }
}
