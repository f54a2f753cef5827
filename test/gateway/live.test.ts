/**
 * Live progress over WebSocket against a real Temporal dev server and the fixture workflow:
 * the relay (one poller per analysis, messages on version change, seq numbers, final report) and the
 * protocol (bad input, limits, shutdown).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ServerMessage } from '../../src/gateway/protocol';
import { eventually, type Harness, signal, sleep, startFixture, startHarness, TestSocket } from './harness';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

async function expectType<T extends ServerMessage['type']>(socket: TestSocket, type: T): Promise<Of<T>> {
  const message = await socket.next();
  assert.equal(message.type, type, `expected ${type}, got ${JSON.stringify(message)}`);
  return message as Of<T>;
}

async function expectProgress(socket: TestSocket, analysisId: string, seq: number, step?: string): Promise<Of<'progress'>> {
  const message = await expectType(socket, 'progress');
  assert.equal(message.analysisId, analysisId);
  assert.equal(message.seq, seq);
  if (step !== undefined) assert.equal(message.progress.step, step);
  return message;
}

describe('live progress', () => {
  test('subscribe: progress on each version change, then the report ends the subscription', async () => {
    const { gateway, wsUrl } = await h.gateway();
    const id = await startFixture(h.client, h.taskQueue);
    const socket = await TestSocket.connect(wsUrl);
    socket.send({ type: 'subscribe', analysisId: id });
    const subscribed = await expectType(socket, 'subscribed');
    assert.deepEqual({ ...subscribed, epoch: '' }, { type: 'subscribed', analysisId: id, epoch: '', latestSeq: 0, resume: 'none' });
    assert.match(subscribed.epoch, /^[0-9a-f]{8}-[0-9a-z]+$/);
    const first = await expectProgress(socket, id, 1, 'Starting agents');
    assert.equal(first.progress.analysisId, id);
    await signal(h.client, id, { kind: 'step', step: 'reading spend' });
    await expectProgress(socket, id, 2, 'reading spend');
    await signal(h.client, id, { kind: 'finish' });
    const report = await expectType(socket, 'report');
    assert.equal(report.seq, 3);
    assert.equal(report.report.analysisId, id);
    assert.equal(report.report.schemaVersion, 1);
    // The subscription is over and nothing keeps polling.
    socket.send({ type: 'unsubscribe', analysisId: id });
    assert.equal((await expectType(socket, 'error')).code, 'not_subscribed');
    assert.equal(gateway.relay.stats().activePollers, 0);
    socket.close();
  });

  test('two subscribers share one poller and see identical seq numbers', async () => {
    // No backoff, so query counts are predictable: one poller makes ~1 query per 100 ms.
    const { gateway, wsUrl } = await h.gateway({ relay: { pollIntervalMs: 100, maxPollIntervalMs: 100 } });
    const id = await startFixture(h.client, h.taskQueue);
    const a = await TestSocket.connect(wsUrl);
    const b = await TestSocket.connect(wsUrl);
    a.send({ type: 'subscribe', analysisId: id });
    b.send({ type: 'subscribe', analysisId: id });
    await expectType(a, 'subscribed');
    await expectType(b, 'subscribed');
    await expectProgress(a, id, 1);
    await expectProgress(b, id, 1);
    assert.equal(gateway.relay.stats().activePollers, 1);
    assert.equal(gateway.relay.stats().subscribers, 2);

    const before = gateway.relay.stats().queries;
    await sleep(1000);
    const perSecond = gateway.relay.stats().queries - before;
    // Two pollers would make ~20; a slow machine may make fewer than 10.
    assert.ok(perSecond >= 2 && perSecond <= 13, `one poller for two subscribers: ~10 queries/s, got ${perSecond}`);

    await signal(h.client, id, { kind: 'step', step: 'one' });
    await signal(h.client, id, { kind: 'step', step: 'two' });
    await signal(h.client, id, { kind: 'finish' });
    const seen = async (socket: TestSocket) => {
      const messages: ServerMessage[] = [];
      for (;;) {
        const message = await socket.next();
        messages.push(message);
        if (message.type === 'report') return messages;
      }
    };
    const [fromA, fromB] = await Promise.all([seen(a), seen(b)]);
    assert.deepEqual(fromA, fromB, 'both subscribers receive the same messages');
    const seqs = fromA.map((m) => ('seq' in m ? m.seq : -1));
    assert.deepEqual(seqs, seqs.map((_, i) => i + 2), 'seq grows by one per message');
    const stats = gateway.relay.stats();
    assert.equal(stats.deliveries, stats.messages * 2);
    a.close();
    b.close();
  });

  test('messages only when the version changes', async () => {
    const { gateway, wsUrl } = await h.gateway({ relay: { pollIntervalMs: 50, maxPollIntervalMs: 50 } });
    const id = await startFixture(h.client, h.taskQueue);
    const socket = await TestSocket.connect(wsUrl);
    socket.send({ type: 'subscribe', analysisId: id });
    await expectType(socket, 'subscribed');
    await expectProgress(socket, id, 1);
    const queriesBefore = gateway.relay.stats().queries;
    await signal(h.client, id, { kind: 'noop' });
    await signal(h.client, id, { kind: 'noop' });
    await socket.expectSilence(600);
    assert.ok(gateway.relay.stats().queries - queriesBefore >= 3, 'the poller kept querying');
    assert.equal(gateway.relay.stats().messages, 1);
    await signal(h.client, id, { kind: 'step', step: 'changed' });
    await expectProgress(socket, id, 2, 'changed');
    await socket.expectSilence(300);
    await signal(h.client, id, { kind: 'finish' });
    await expectType(socket, 'report');
    socket.close();
  });

  test('the poller backs off while nothing changes', async () => {
    const { gateway, wsUrl } = await h.gateway({ relay: { pollIntervalMs: 50, maxPollIntervalMs: 400, backoffFactor: 2 } });
    const id = await startFixture(h.client, h.taskQueue);
    const socket = await TestSocket.connect(wsUrl);
    socket.send({ type: 'subscribe', analysisId: id });
    await expectType(socket, 'subscribed');
    await expectProgress(socket, id, 1);
    await sleep(900); // 100 + 200 + 400 + 400 ms: settled at the slowest interval
    const before = gateway.relay.stats().queries;
    await sleep(1000);
    const perSecond = gateway.relay.stats().queries - before;
    assert.ok(perSecond <= 4, `backed off to ~2.5 queries/s, got ${perSecond}`);
    await signal(h.client, id, { kind: 'finish' });
    await expectType(socket, 'report');
    socket.close();
  });

  test('a late subscriber immediately gets the latest message with the same seq', async () => {
    const { wsUrl } = await h.gateway();
    const id = await startFixture(h.client, h.taskQueue);
    const early = await TestSocket.connect(wsUrl);
    early.send({ type: 'subscribe', analysisId: id });
    await expectType(early, 'subscribed');
    await expectProgress(early, id, 1);
    await signal(h.client, id, { kind: 'step', step: 'second' });
    const latest = await expectProgress(early, id, 2, 'second');

    const late = await TestSocket.connect(wsUrl);
    late.send({ type: 'subscribe', analysisId: id });
    await expectType(late, 'subscribed');
    assert.deepEqual(await late.next(), latest);

    await signal(h.client, id, { kind: 'step', step: 'third' });
    assert.deepEqual(await late.next(), await early.next());
    await signal(h.client, id, { kind: 'finish' });
    assert.deepEqual(await late.next(), await early.next());
    early.close();
    late.close();
  });

  test('unsubscribing (or disconnecting) stops polling; seq numbering continues on resubscribe', async () => {
    const { gateway, wsUrl } = await h.gateway({ relay: { pollIntervalMs: 50, maxPollIntervalMs: 50 } });
    const id = await startFixture(h.client, h.taskQueue);
    const socket = await TestSocket.connect(wsUrl);
    socket.send({ type: 'subscribe', analysisId: id });
    await expectType(socket, 'subscribed');
    await expectProgress(socket, id, 1);
    socket.send({ type: 'unsubscribe', analysisId: id });
    assert.deepEqual(await socket.next(), { type: 'unsubscribed', analysisId: id });
    assert.equal(gateway.relay.stats().activePollers, 0);
    await eventually(() => (gateway.relay.stats().resultWatchers === 0 ? true : undefined), 5000, 'the result long-poll to be cancelled');
    const stopped = gateway.relay.stats().queries;
    await sleep(400);
    assert.ok(gateway.relay.stats().queries - stopped <= 1, 'no polling without subscribers (at most one in flight)');

    // Back again: the unchanged state arrives with its old seq, a change gets the next one.
    socket.send({ type: 'subscribe', analysisId: id });
    await expectType(socket, 'subscribed');
    await expectProgress(socket, id, 1, 'Starting agents');
    await signal(h.client, id, { kind: 'step', step: 'after resubscribe' });
    await expectProgress(socket, id, 2, 'after resubscribe');

    socket.close();
    await eventually(() => (gateway.relay.stats().activePollers === 0 ? true : undefined), 5000, 'poller to stop after disconnect');
    await signal(h.client, id, { kind: 'finish' });
  });

  test('completed and failed analyses: the final message comes from the result, without queries', async () => {
    const id = await startFixture(h.client, h.taskQueue);
    await signal(h.client, id, { kind: 'finish' });
    const failedId = await startFixture(h.client, h.taskQueue);
    await signal(h.client, failedId, { kind: 'fail', message: 'boom' });
    await h.client.workflow.getHandle(id).result();
    await assert.rejects(h.client.workflow.getHandle(failedId).result());

    const { gateway, wsUrl } = await h.gateway();
    const socket = await TestSocket.connect(wsUrl);
    socket.send({ type: 'subscribe', analysisId: id });
    await expectType(socket, 'subscribed');
    const report = await expectType(socket, 'report');
    assert.equal(report.seq, 1);
    assert.equal(report.report.analysisId, id);

    socket.send({ type: 'subscribe', analysisId: failedId });
    await expectType(socket, 'subscribed');
    const failed = await expectType(socket, 'failed');
    assert.equal(failed.status, 'FAILED');
    assert.match(failed.failure, /boom/);

    // A second subscriber is served from the relay's memory.
    socket.send({ type: 'subscribe', analysisId: id });
    await expectType(socket, 'subscribed');
    assert.deepEqual(await socket.next(), report);
    const stats = gateway.relay.stats();
    assert.equal(stats.queries, 0);
    assert.equal(stats.results, 2);
    assert.equal(stats.activePollers, 0);
    socket.close();
  });

  test('a running analysis that fails or is cancelled pushes a final "failed" message', async () => {
    const { wsUrl } = await h.gateway();
    const failing = await startFixture(h.client, h.taskQueue);
    const cancelled = await startFixture(h.client, h.taskQueue);
    const socket = await TestSocket.connect(wsUrl);
    socket.send({ type: 'subscribe', analysisId: failing });
    await expectType(socket, 'subscribed');
    await expectProgress(socket, failing, 1);
    socket.send({ type: 'subscribe', analysisId: cancelled });
    await expectType(socket, 'subscribed');
    await expectProgress(socket, cancelled, 1);

    await signal(h.client, failing, { kind: 'fail', message: 'agent exploded' });
    const failed = await expectType(socket, 'failed');
    assert.deepEqual({ ...failed, failure: undefined }, { type: 'failed', analysisId: failing, seq: 2, status: 'FAILED', failure: undefined });
    assert.match(failed.failure, /agent exploded/);

    await h.client.workflow.getHandle(cancelled).cancel();
    const cancel = await expectType(socket, 'failed');
    assert.equal(cancel.analysisId, cancelled);
    assert.equal(cancel.status, 'CANCELLED');
    socket.close();
  });

  test('timer-driven progress is relayed without signals', async () => {
    const { wsUrl } = await h.gateway({ relay: { pollIntervalMs: 50, maxPollIntervalMs: 100 } });
    const id = await startFixture(h.client, h.taskQueue, { requestedBy: 'auto:2:200' });
    const socket = await TestSocket.connect(wsUrl);
    socket.send({ type: 'subscribe', analysisId: id });
    await expectType(socket, 'subscribed');
    const types: string[] = [];
    let lastSeq = 0;
    for (;;) {
      const message = await socket.next();
      assert.ok('seq' in message, JSON.stringify(message));
      assert.equal(message.seq, lastSeq + 1);
      lastSeq = message.seq;
      types.push(message.type === 'progress' ? message.progress.step : message.type);
      if (message.type !== 'progress') break;
    }
    assert.deepEqual(types, ['Starting agents', 'auto step 1', 'auto step 2', 'report']);
    socket.close();
  });

  test('query errors while no worker has picked the analysis up are retried', async () => {
    const { gateway, wsUrl } = await h.gateway({ relay: { pollIntervalMs: 50, maxPollIntervalMs: 200, queryTimeoutMs: 300 } });
    const queue = `${h.taskQueue}-late`;
    const id = await startFixture(h.client, queue);
    const socket = await TestSocket.connect(wsUrl);
    socket.send({ type: 'subscribe', analysisId: id });
    await expectType(socket, 'subscribed');
    await eventually(() => (gateway.relay.stats().queryErrors >= 2 ? true : undefined), 5000, 'query errors');
    await socket.expectSilence(0);
    await h.startWorker(queue);
    await expectProgress(socket, id, 1, 'Starting agents');
    await signal(h.client, id, { kind: 'finish' });
    await expectType(socket, 'report');
    socket.close();
  });
});

describe('WebSocket protocol', () => {
  test('bad input gets a clear error and the connection stays usable', async () => {
    const { wsUrl } = await h.gateway();
    const socket = await TestSocket.connect(wsUrl);
    const expectError = async (code: string, analysisId?: string) => {
      const message = await expectType(socket, 'error');
      assert.equal(message.code, code, JSON.stringify(message));
      assert.ok(message.message.length > 10);
      assert.equal(message.analysisId, analysisId);
    };
    socket.send('{not json');
    await expectError('malformed_json');
    socket.send('[1,2]');
    await expectError('invalid_message');
    socket.send({ analysisId: 'x' });
    await expectError('invalid_message');
    socket.send({ type: 'launch' });
    await expectError('unknown_type');
    socket.send({ type: 'subscribe' });
    await expectError('invalid_message');
    socket.send({ type: 'subscribe', analysisId: 42 });
    await expectError('invalid_message');
    socket.send({ type: 'subscribe', analysisId: 'not-an-analysis-id' });
    await expectError('not_found', 'not-an-analysis-id');
    const unknown = 'analysis/demo/20260101-0000-ffffff';
    socket.send({ type: 'subscribe', analysisId: unknown });
    await expectError('not_found', unknown);
    socket.send({ type: 'unsubscribe', analysisId: unknown });
    await expectError('not_subscribed', unknown);
    socket.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await expectError('unsupported_data');
    socket.send({ type: 'ping' });
    assert.deepEqual(await socket.next(), { type: 'pong' });
    socket.close();
  });

  test('subscription limits: duplicates and too many per connection', async () => {
    const { gateway, wsUrl } = await h.gateway({ ws: { maxSubscriptions: 2 } });
    const ids = await Promise.all([1, 2, 3].map(() => startFixture(h.client, h.taskQueue)));
    const socket = await TestSocket.connect(wsUrl);
    socket.send({ type: 'subscribe', analysisId: ids[0] });
    await expectType(socket, 'subscribed');
    await expectType(socket, 'progress');
    socket.send({ type: 'subscribe', analysisId: ids[0] });
    assert.equal((await expectType(socket, 'error')).code, 'already_subscribed');
    socket.send({ type: 'subscribe', analysisId: ids[1] });
    await expectType(socket, 'subscribed');
    await expectType(socket, 'progress');
    socket.send({ type: 'subscribe', analysisId: ids[2] });
    const limit = await expectType(socket, 'error');
    assert.equal(limit.code, 'too_many_subscriptions');
    assert.equal(limit.analysisId, ids[2]);
    assert.equal(gateway.relay.stats().activePollers, 2);
    socket.close();
    await eventually(() => (gateway.relay.stats().activePollers === 0 ? true : undefined), 5000, 'pollers to stop');
    await Promise.all(ids.map((id) => signal(h.client, id, { kind: 'finish' })));
  });

  test('an oversized frame closes the connection with 1009', async () => {
    const { gateway, wsUrl } = await h.gateway();
    const socket = await TestSocket.connect(wsUrl);
    socket.send({ type: 'ping', padding: 'x'.repeat(70 * 1024) });
    const closed = await socket.closed;
    assert.equal(closed.code, 1009);
    // The gateway is fine.
    const other = await TestSocket.connect(wsUrl);
    other.send({ type: 'ping' });
    assert.deepEqual(await other.next(), { type: 'pong' });
    other.close();
    assert.ok(gateway.websocket.counters().connections >= 2);
  });

  test('upgrades on other paths are refused', async () => {
    const { wsUrl } = await h.gateway();
    await assert.rejects(TestSocket.connect(wsUrl.replace(/\/ws$/, '/other')), /404/);
  });

  test('peers that stop answering protocol pings are dropped', async () => {
    const { gateway, wsUrl } = await h.gateway({ ws: { heartbeatMs: 100 } });
    const socket = await TestSocket.connect(wsUrl);
    // Stop reading: the client no longer sees (or answers) pings.
    (socket.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await eventually(() => (gateway.websocket.counters().heartbeatTerminations >= 1 ? true : undefined), 3000, 'heartbeat termination');
    assert.equal(gateway.websocket.counters().open, 0);
    socket.ws.terminate();
  });

  test('closing the gateway tells clients to reconnect, closes them with 1012 and stops pollers', async () => {
    const { gateway, wsUrl } = await h.gateway();
    const id = await startFixture(h.client, h.taskQueue);
    const socket = await TestSocket.connect(wsUrl);
    socket.send({ type: 'subscribe', analysisId: id });
    await expectType(socket, 'subscribed');
    await expectType(socket, 'progress');
    await gateway.close();
    const reconnect = await expectType(socket, 'reconnect');
    assert.match(reconnect.message, /reconnect/);
    assert.ok(reconnect.retryAfterMs > 0);
    const closed = await socket.closed;
    assert.equal(closed.code, 1012);
    assert.equal(gateway.relay.stats().activePollers, 0);
    await signal(h.client, id, { kind: 'finish' });
  });
});

describe('process entry (src/gateway/main.ts)', () => {
  const root = join(__dirname, '..', '..');
  const run = (env: Record<string, string>) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/gateway/main.ts'], {
      cwd: root,
      env: { ...process.env, TEMPORAL_ADDRESS: h.env.address, FINOPS_GATEWAY_HOST: '127.0.0.1', FINOPS_AUTH: 'none', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    return { child, exited, out: () => stdout, err: () => stderr };
  };

  test('serves, logs JSON records, warns loudly without auth, and on SIGTERM tells WebSockets to reconnect (1012) and exits 0', async () => {
    const proc = run({ FINOPS_GATEWAY_PORT: '0' });
    const records = () =>
      proc
        .out()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    try {
      const url = await eventually(
        () => records().find((r) => r.msg === 'gateway listening')?.url as string | undefined,
        60_000,
        `the gateway to listen: ${proc.err()}`,
      );
      assert.match(proc.err(), /WARNING: AUTHENTICATION IS OFF/);
      assert.ok(records().some((r) => r.level === 'warn' && /AUTHENTICATION IS OFF/.test(String(r.msg))));
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      assert.equal((await fetch(`${url}/api/agents`)).status, 200);
      const socket = await TestSocket.connect(`${url.replace(/^http/, 'ws')}/ws`);
      socket.send({ type: 'ping' });
      assert.deepEqual(await socket.next(), { type: 'pong' });
      const line = await eventually(() => records().find((r) => r.msg === 'request' && r.path === '/api/agents'), 5000, 'the request record');
      assert.equal(line.status, 200);
      assert.equal(line.method, 'GET');
      assert.equal(typeof line.time, 'string');
      assert.equal(records().filter((r) => r.path === '/api/agents').length, 1);
      assert.ok(!records().some((r) => r.path === '/readyz'), 'health probes are debug-level');
      proc.child.kill('SIGTERM');
      assert.equal((await socket.next()).type, 'reconnect');
      assert.equal((await socket.closed).code, 1012);
      assert.equal(await proc.exited, 0, proc.err());
    } finally {
      proc.child.kill('SIGKILL');
    }
  });

  test('a port in use is a clear message and exit code 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const proc = run({ FINOPS_GATEWAY_PORT: String(port) });
      assert.equal(await proc.exited, 1);
      assert.match(proc.err(), new RegExp(`gateway: Port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.ok(!proc.err().includes('    at '), proc.err());
    } finally {
      blocker.close();
    }
  });
});
