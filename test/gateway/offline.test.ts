/**
 * Gateway behaviour that needs no Temporal server: Temporal unavailable (503), tenant scoping,
 * internal errors, the protocol parser, and the WebSocket session's slow-consumer handling.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import WebSocket from 'ws';
import { createGateway, type Gateway } from '../../src/gateway/app';
import type { Caller } from '../../src/gateway/auth';
import type { ErrorBody } from '../../src/gateway/errors';
import type { LogRecord } from '../../src/gateway/log';
import { parseClientMessage, type ServerMessage } from '../../src/gateway/protocol';
import type { RelayMessage, RelaySource, RelaySubscriber, Subscription } from '../../src/gateway/relay';
import { WsSession, type SessionSocket } from '../../src/gateway/ws';
import { apiPath, requestBody, TestSocket } from './harness';

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let connection: Connection;
let client: Client;
before(async () => {
  connection = Connection.lazy({ address: `127.0.0.1:${await deadPort()}` });
  client = new Client({ connection });
});
after(async () => {
  await connection?.close();
});

async function gatewayWith(options: Partial<Parameters<typeof createGateway>[0]> = {}): Promise<{ gateway: Gateway; url: string }> {
  const gateway = createGateway({ client, taskQueue: 'unused', rpcTimeoutMs: 800, ...options });
  const { url } = await gateway.listen(0);
  return { gateway, url };
}

async function json(response: Response): Promise<{ status: number; body: ErrorBody & Record<string, unknown> }> {
  return { status: response.status, body: (await response.json()) as ErrorBody & Record<string, unknown> };
}

describe('Temporal unavailable', () => {
  test('REST answers 503 temporal_unavailable; /healthz stays up, /readyz says not ready', async () => {
    const { gateway, url } = await gatewayWith();
    try {
      const started = await json(
        await fetch(`${url}/api/analyses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(requestBody()) }),
      );
      assert.equal(started.status, 503);
      assert.equal(started.body.error.code, 'temporal_unavailable');
      assert.match(started.body.error.message, /Temporal/);
      const read = await json(await fetch(`${url}${apiPath('analysis/demo/20260101-0000-abcdef')}`));
      assert.equal(read.status, 503);
      assert.equal(read.body.error.code, 'temporal_unavailable');
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      const ready = await json(await fetch(`${url}/readyz`));
      assert.equal(ready.status, 503);
      assert.equal(ready.body.error.code, 'temporal_unavailable');
    } finally {
      await gateway.close();
    }
  });

  test('WebSocket subscribe answers temporal_unavailable', async () => {
    const { gateway, url } = await gatewayWith({ relay: { rpcTimeoutMs: 800 } });
    try {
      const socket = await TestSocket.connect(`${url.replace(/^http/, 'ws')}/ws`);
      const analysisId = 'analysis/demo/20260101-0000-abcdef';
      socket.send({ type: 'subscribe', analysisId });
      assert.deepEqual(await socket.next(), {
        type: 'error',
        code: 'temporal_unavailable',
        message: 'Temporal is not reachable right now; subscribe again shortly',
        analysisId,
      });
      socket.close();
    } finally {
      await gateway.close();
    }
  });
});

describe('tenant scoping and errors', () => {
  const acme: Caller = { subject: 'key-1', tenants: ['acme'] };

  test('other tenants look like unknown analyses; starting for them is forbidden', async () => {
    const { gateway, url } = await gatewayWith({ authenticate: () => acme });
    try {
      const other = apiPath('analysis/demo/20260101-0000-abcdef');
      for (const path of [other, `${other}/report`]) {
        const result = await json(await fetch(`${url}${path}`));
        assert.equal(result.status, 404);
        assert.equal(result.body.error.code, 'not_found');
      }
      const started = await json(
        await fetch(`${url}/api/analyses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(requestBody()) }),
      );
      assert.equal(started.status, 403);
      assert.equal(started.body.error.code, 'forbidden');

      const socket = await TestSocket.connect(`${url.replace(/^http/, 'ws')}/ws`);
      socket.send({ type: 'subscribe', analysisId: 'analysis/demo/20260101-0000-abcdef' });
      const message = await socket.next();
      assert.equal(message.type, 'error');
      assert.equal((message as { code: string }).code, 'not_found');
      socket.close();
    } finally {
      await gateway.close();
    }
  });

  test('unauthenticated requests get 401 (REST) and a refused upgrade (WebSocket)', async () => {
    const { gateway, url } = await gatewayWith({ authenticate: () => undefined });
    try {
      const result = await json(await fetch(`${url}${apiPath('analysis/demo/20260101-0000-abcdef')}`));
      assert.equal(result.status, 401);
      assert.equal(result.body.error.code, 'unauthenticated');
      assert.equal((await fetch(`${url}/healthz`)).status, 200, 'health needs no credentials');
      // Browsers cannot send headers on a WebSocket: the upgrade is accepted, but nothing works before `auth`.
      const socket = await TestSocket.connect(`${url.replace(/^http/, 'ws')}/ws`, { ready: false });
      socket.send({ type: 'subscribe', analysisId: 'analysis/demo/20260101-0000-abcdef' });
      const error = await socket.next();
      assert.equal(error.type, 'error');
      assert.equal((error as { code: string }).code, 'unauthenticated');
      assert.equal((await socket.closed).code, 4401);
    } finally {
      await gateway.close();
    }
  });

  test('a thrown error is a JSON 500 without internals, and the gateway keeps serving', async () => {
    const records: LogRecord[] = [];
    const { gateway, url } = await gatewayWith({
      authenticate: () => {
        throw new TypeError('secret internal detail');
      },
      log: (record) => records.push(record),
    });
    try {
      const response = await fetch(`${url}/api/analyses/x`);
      const text = await response.text();
      assert.equal(response.status, 500);
      assert.deepEqual(JSON.parse(text), {
        error: { code: 'internal', message: 'The gateway failed to handle this request; the error has been logged' },
      });
      assert.ok(!text.includes('secret'));
      assert.ok(records.some((r) => r.level === 'error' && String(r.error).includes('secret internal detail')), 'the cause is logged');
      const requests = records.filter((r) => r.msg === 'request');
      assert.equal(requests.length, 1, JSON.stringify(records));
      assert.deepEqual({ ...requests[0], ms: 0 }, { level: 'info', msg: 'request', method: 'GET', path: '/api/analyses/x', status: 500, ms: 0 });
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
    } finally {
      await gateway.close();
    }
  });
});

describe('protocol parser', () => {
  test('accepts the three client messages and names every problem', () => {
    assert.deepEqual(parseClientMessage('{"type":"ping"}'), { ok: true, message: { type: 'ping' } });
    assert.deepEqual(parseClientMessage('{"type":"subscribe","analysisId":"a"}'), { ok: true, message: { type: 'subscribe', analysisId: 'a' } });
    const code = (text: string) => {
      const result = parseClientMessage(text);
      return result.ok ? 'ok' : result.error.code;
    };
    assert.equal(code('nope'), 'malformed_json');
    assert.equal(code('null'), 'invalid_message');
    assert.equal(code('"subscribe"'), 'invalid_message');
    assert.equal(code('{"type":7}'), 'invalid_message');
    assert.equal(code('{"type":"subscribe","analysisId":""}'), 'invalid_message');
    assert.equal(code(JSON.stringify({ type: 'subscribe', analysisId: 'a'.repeat(300) })), 'invalid_message');
    assert.equal(code('{"type":"SUBSCRIBE"}'), 'unknown_type');
  });
});

describe('WsSession', () => {
  class FakeSocket implements SessionSocket {
    readyState: number = WebSocket.OPEN;
    bufferedAmount = 0;
    sent: ServerMessage[] = [];
    closedWith: { code?: number; reason?: string } | undefined;
    terminated = false;
    send(data: string): void {
      this.sent.push(JSON.parse(data) as ServerMessage);
    }
    close(code?: number, reason?: string): void {
      this.closedWith = { code, reason };
      this.readyState = WebSocket.CLOSING;
    }
    terminate(): void {
      this.terminated = true;
      this.readyState = WebSocket.CLOSED;
    }
  }

  /** A relay whose messages the test pushes by hand. */
  class FakeRelay implements RelaySource {
    subscribers = new Map<string, RelaySubscriber>();
    unsubscribed: string[] = [];
    subscribe(analysisId: string, subscriber: RelaySubscriber): Subscription {
      this.subscribers.set(analysisId, subscriber);
      const ready = Promise.resolve().then(() => subscriber.onSubscribed?.({ epoch: 'e1', seq: 0, resume: 'none' }));
      return { analysisId, ready, unsubscribe: () => this.unsubscribed.push(analysisId) };
    }
    push(message: RelayMessage): void {
      this.subscribers.get(message.analysisId)?.onMessage(message);
    }
  }

  const id = 'analysis/demo/20260101-0000-abcdef';
  const progress = (seq: number) => ({ type: 'progress', analysisId: id, seq, progress: { version: seq } }) as unknown as RelayMessage;

  test('a slow consumer is closed with 1013 instead of buffering forever', async () => {
    const socket = new FakeSocket();
    const relay = new FakeRelay();
    const counters = { slowConsumersClosed: 0, authFailures: 0, rateLimited: 0, floodsClosed: 0 };
    const session = new WsSession(socket, { subject: 't', tenants: 'all' }, relay, { maxSubscriptions: 5, maxBufferedBytes: 1000, closeGraceMs: 20 }, { counters });
    session.handleFrame(JSON.stringify({ type: 'subscribe', analysisId: id }), false);
    await Promise.resolve();
    await Promise.resolve();
    relay.push(progress(1));
    assert.deepEqual(socket.sent.map((m) => m.type), ['ready', 'subscribed', 'progress']);

    socket.bufferedAmount = 5000; // the peer stopped reading
    relay.push(progress(2));
    assert.equal(socket.sent.length, 3, 'nothing more is queued');
    assert.equal(socket.closedWith?.code, 1013);
    assert.match(socket.closedWith?.reason ?? '', /slow consumer/);
    assert.equal(counters.slowConsumersClosed, 1);
    assert.deepEqual(relay.unsubscribed, [id], 'its subscriptions are released');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(socket.terminated, 'dropped if the close handshake does not complete');
  });

  test('the final message ends the subscription', () => {
    const socket = new FakeSocket();
    const relay = new FakeRelay();
    const session = new WsSession(socket, { subject: 't', tenants: 'all' }, relay, { maxSubscriptions: 5, maxBufferedBytes: 1000, closeGraceMs: 20 });
    session.handleFrame(JSON.stringify({ type: 'subscribe', analysisId: id }), false);
    assert.equal(session.subscriptionCount, 1);
    relay.push({ type: 'failed', analysisId: id, seq: 1, status: 'CANCELLED', failure: 'Workflow execution cancelled' });
    assert.equal(session.subscriptionCount, 0);
  });
});

describe('process entry (src/gateway/main.ts)', () => {
  test('exits 1 with a clear message when Temporal is unreachable', async () => {
    const { spawnSync } = await import('node:child_process');
    const port = await deadPort();
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/gateway/main.ts'], {
      cwd: `${__dirname}/../..`,
      env: { ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${port}`, FINOPS_GATEWAY_PORT: '0', FINOPS_AUTH: 'none' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`gateway: Cannot reach the Temporal server at 127\\.0\\.0\\.1:${port}`));
    assert.ok(!result.stderr.includes('    at '), result.stderr);
  });
});
