/**
 * Resuming live progress after a reconnect (no gaps, no duplicates), and the WebSocket's defences:
 * rate limits, floods, connection limits, bad resume requests. Real Temporal dev server, fixture workflow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServerMessage } from '../../src/gateway/protocol';
import { type Harness, signal, sleep, startFixture, startHarness, TestSocket } from './harness';

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

const fast = { relay: { pollIntervalMs: 50, maxPollIntervalMs: 100 } };

/** Subscribe and return the `subscribed` message. */
async function subscribe(socket: TestSocket, analysisId: string, resume?: { epoch: string; afterSeq: number }): Promise<Of<'subscribed'>> {
  socket.send({ type: 'subscribe', analysisId, ...resume });
  return expectType(socket, 'subscribed');
}

async function step(analysisId: string, name: string, watcher: TestSocket): Promise<Of<'progress'>> {
  await signal(h.client, analysisId, { kind: 'step', step: name });
  const message = await expectType(watcher, 'progress');
  assert.equal(message.progress.step, name);
  return message;
}

describe('resume after reconnect', () => {
  test('replays exactly the messages missed while disconnected, then continues live', async () => {
    const { wsUrl, gateway } = await h.gateway(fast);
    const id = await startFixture(h.client, h.taskQueue);
    const keeper = await TestSocket.connect(wsUrl); // keeps the channel polling
    await subscribe(keeper, id);
    await expectType(keeper, 'progress');

    const client = await TestSocket.connect(wsUrl);
    const first = await subscribe(client, id);
    assert.equal(first.resume, 'none');
    const seen = [await expectType(client, 'progress')];
    seen.push(await step(id, 'one', client));
    await expectType(keeper, 'progress');
    client.ws.terminate(); // the network drops

    const missed = [await step(id, 'two', keeper), await step(id, 'three', keeper)];
    const again = await TestSocket.connect(wsUrl);
    const resumed = await subscribe(again, id, { epoch: first.epoch, afterSeq: seen.at(-1)!.seq });
    assert.equal(resumed.resume, 'replay');
    assert.equal(resumed.epoch, first.epoch);
    assert.equal(resumed.latestSeq, missed.at(-1)!.seq);
    const replayed = [await expectType(again, 'progress'), await expectType(again, 'progress')];
    assert.deepEqual(replayed, missed, 'exactly the missed messages, in order');
    await again.expectSilence(300);
    const next = await step(id, 'four', again);
    assert.equal(next.seq, missed.at(-1)!.seq + 1);
    assert.deepEqual(await expectType(keeper, 'progress'), next);
    assert.equal(gateway.relay.stats().resumedReplay, 1);

    await signal(h.client, id, { kind: 'finish' });
    const report = await expectType(again, 'report');
    assert.equal(report.seq, next.seq + 1);
    keeper.close();
    again.close();
  });

  test('a resume point older than the kept history gets the latest full message instead', async () => {
    const { wsUrl, gateway } = await h.gateway({ relay: { ...fast.relay, historySize: 2 } });
    const id = await startFixture(h.client, h.taskQueue);
    const keeper = await TestSocket.connect(wsUrl);
    const first = await subscribe(keeper, id);
    const initial = await expectType(keeper, 'progress');
    let latest = initial;
    for (const name of ['a', 'b', 'c', 'd']) latest = await step(id, name, keeper);

    const late = await TestSocket.connect(wsUrl);
    const resumed = await subscribe(late, id, { epoch: first.epoch, afterSeq: initial.seq });
    assert.equal(resumed.resume, 'latest');
    assert.deepEqual(await expectType(late, 'progress'), latest, 'the latest full snapshot, nothing older');
    await late.expectSilence(300);
    assert.equal(gateway.relay.stats().resumedLatest, 1);
    await signal(h.client, id, { kind: 'finish' });
    assert.equal((await expectType(late, 'report')).seq, latest.seq + 1);
    keeper.close();
    late.close();
  });

  test('after a gateway restart: reconnect message, close 1012, and a fresh numbering (reset) elsewhere', async () => {
    const first = await h.gateway(fast);
    const id = await startFixture(h.client, h.taskQueue);
    const socket = await TestSocket.connect(first.wsUrl);
    const subscribed = await subscribe(socket, id);
    const before = await expectType(socket, 'progress');
    await first.gateway.close();
    const reconnect = await expectType(socket, 'reconnect');
    assert.equal((await socket.closed).code, 1012);

    await sleep(reconnect.retryAfterMs / 10);
    const second = await h.gateway(fast);
    const again = await TestSocket.connect(second.wsUrl);
    const resumed = await subscribe(again, id, { epoch: subscribed.epoch, afterSeq: before.seq });
    assert.equal(resumed.resume, 'reset');
    assert.notEqual(resumed.epoch, subscribed.epoch);
    const current = await expectType(again, 'progress');
    assert.equal(current.seq, 1);
    assert.deepEqual(current.progress, before.progress, 'the same state, numbered afresh');
    await signal(h.client, id, { kind: 'finish' });
    await expectType(again, 'report');
    again.close();
  });

  test('a finished analysis: resuming replays what is missing and always ends with the final message', async () => {
    const { wsUrl } = await h.gateway(fast);
    const id = await startFixture(h.client, h.taskQueue);
    const socket = await TestSocket.connect(wsUrl);
    const subscribed = await subscribe(socket, id);
    const progress = await expectType(socket, 'progress');
    await signal(h.client, id, { kind: 'finish' });
    const report = await expectType(socket, 'report');

    const behind = await TestSocket.connect(wsUrl);
    assert.equal((await subscribe(behind, id, { epoch: subscribed.epoch, afterSeq: progress.seq })).resume, 'replay');
    assert.deepEqual(await behind.next(), report);
    const upToDate = await TestSocket.connect(wsUrl);
    await subscribe(upToDate, id, { epoch: subscribed.epoch, afterSeq: report.seq });
    assert.deepEqual(await upToDate.next(), report, 'the subscription still ends with its final message');
    for (const s of [socket, behind, upToDate]) s.close();
  });

  test('malformed resume requests are refused clearly', async () => {
    const { wsUrl } = await h.gateway();
    const socket = await TestSocket.connect(wsUrl);
    const id = 'analysis/demo/20260101-0000-abcdef';
    for (const bad of [{ afterSeq: 3 }, { afterSeq: -1, epoch: 'x' }, { afterSeq: 1.5, epoch: 'x' }, { afterSeq: 1, epoch: '' }, { epoch: 'x' }]) {
      socket.send({ type: 'subscribe', analysisId: id, ...bad });
      const error = await expectType(socket, 'error');
      assert.equal(error.code, 'invalid_message', JSON.stringify(bad));
      assert.match(error.message, /resume/);
    }
    socket.close();
  });
});

describe('WebSocket defences', () => {
  test('too many messages: dropped with one rate_limited error per second; the connection survives', async () => {
    const { wsUrl, gateway } = await h.gateway({ ws: { messagesPerSecond: 5, messageBurst: 5, floodCloseAfter: 1000 } });
    const socket = await TestSocket.connect(wsUrl);
    for (let i = 0; i < 20; i++) socket.send({ type: 'ping' });
    await sleep(300);
    const types = socket.received.map((m) => m.type);
    const pongs = types.filter((t) => t === 'pong').length;
    assert.ok(pongs >= 5 && pongs <= 6, `the burst of 5 (and at most one refilled): ${types.join(',')}`);
    const errors = socket.received.filter((m): m is Of<'error'> => m.type === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'rate_limited');
    assert.match(errors[0]!.message, /at most 5 per second/);
    assert.ok(gateway.websocket.counters().rateLimited >= 14);
    await sleep(1100);
    const before = socket.received.length;
    socket.send({ type: 'ping' });
    await sleep(200);
    assert.deepEqual(socket.received.slice(before), [{ type: 'pong' }], 'works again after the bucket refills');
    socket.close();
  });

  test('a sustained flood closes the connection with 1008; others are unaffected', async () => {
    const { wsUrl, gateway } = await h.gateway({ ws: { messagesPerSecond: 5, messageBurst: 5, floodCloseAfter: 50 } });
    const bystander = await TestSocket.connect(wsUrl);
    const flooder = await TestSocket.connect(wsUrl);
    for (let i = 0; i < 500; i++) flooder.ws.send('{"type":"ping"}');
    const closed = await flooder.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /flooding/);
    assert.equal(gateway.websocket.counters().floodsClosed, 1);
    bystander.send({ type: 'ping' });
    assert.deepEqual(await bystander.next(), { type: 'pong' });
    bystander.close();
  });

  test('connections beyond the limit are refused with 503', async () => {
    const { wsUrl, gateway } = await h.gateway({ ws: { maxConnections: 2 } });
    const a = await TestSocket.connect(wsUrl);
    const b = await TestSocket.connect(wsUrl);
    await assert.rejects(TestSocket.connect(wsUrl), /503.*Too many WebSocket connections/);
    assert.equal(gateway.websocket.counters().refusedUpgrades, 1);
    a.close();
    await a.closed;
    await sleep(50);
    const c = await TestSocket.connect(wsUrl);
    c.send({ type: 'ping' });
    assert.deepEqual(await c.next(), { type: 'pong' });
    for (const s of [b, c]) s.close();
  });
});
