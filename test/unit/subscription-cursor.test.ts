import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { AnalysisProgress } from '../../src/domain/progress';
import { parseServerMessage, reconnectDelayMs, SubscriptionCursor } from '../../src/gateway/subscription-cursor';

const progress = {} as AnalysisProgress;
const relayed = (analysisId: string, seq: number) => ({ type: 'progress' as const, analysisId, seq, progress });

describe('subscription cursor', () => {
  test('subscribes fresh, then resumes after the last seq it accepted in that epoch', () => {
    const cursor = new SubscriptionCursor('a-1');
    assert.deepEqual(cursor.subscribe(), { type: 'subscribe', analysisId: 'a-1' });
    cursor.subscribed({ type: 'subscribed', analysisId: 'a-1', epoch: 'e1', latestSeq: 0, resume: 'none' });
    assert.ok(cursor.accept(relayed('a-1', 1)));
    assert.ok(cursor.accept(relayed('a-1', 2)));
    assert.deepEqual(cursor.subscribe(), { type: 'subscribe', analysisId: 'a-1', epoch: 'e1', afterSeq: 2 });
  });

  test('drops duplicates, stale messages and other analyses’ messages', () => {
    const cursor = new SubscriptionCursor('a-1');
    cursor.subscribed({ type: 'subscribed', analysisId: 'a-1', epoch: 'e1', latestSeq: 0, resume: 'none' });
    assert.ok(cursor.accept(relayed('a-1', 3)));
    assert.equal(cursor.accept(relayed('a-1', 3)), false);
    assert.equal(cursor.accept(relayed('a-1', 2)), false);
    assert.equal(cursor.accept(relayed('a-2', 9)), false);
  });

  test('a replay in the same epoch continues the numbering; a new epoch or a reset restarts it', () => {
    const cursor = new SubscriptionCursor('a-1');
    cursor.subscribed({ type: 'subscribed', analysisId: 'a-1', epoch: 'e1', latestSeq: 0, resume: 'none' });
    cursor.accept(relayed('a-1', 5));
    cursor.subscribed({ type: 'subscribed', analysisId: 'a-1', epoch: 'e1', latestSeq: 7, resume: 'replay' });
    assert.equal(cursor.accept(relayed('a-1', 5)), false, 'already seen before the reconnect');
    assert.ok(cursor.accept(relayed('a-1', 6)));
    // The gateway restarted: a new epoch's seq 1 is news, not a duplicate.
    cursor.subscribed({ type: 'subscribed', analysisId: 'a-1', epoch: 'e2', latestSeq: 1, resume: 'replay' });
    assert.ok(cursor.accept(relayed('a-1', 1)));
    cursor.subscribed({ type: 'subscribed', analysisId: 'a-1', epoch: 'e2', latestSeq: 4, resume: 'reset' });
    assert.ok(cursor.accept(relayed('a-1', 1)));
  });

  test('property: whatever order and repetition frames arrive in, accepted seqs strictly increase within an epoch', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 200 }), (seqs) => {
        const cursor = new SubscriptionCursor('a');
        cursor.subscribed({ type: 'subscribed', analysisId: 'a', epoch: 'e', latestSeq: 0, resume: 'none' });
        const accepted = seqs.filter((seq) => cursor.accept(relayed('a', seq)));
        for (let i = 1; i < accepted.length; i++) assert.ok(accepted[i]! > accepted[i - 1]!);
        // Every seq above all earlier ones is accepted: nothing new is lost.
        let max = 0;
        for (const seq of seqs) {
          if (seq > max) assert.ok(accepted.includes(seq));
          max = Math.max(max, seq);
        }
      }),
    );
  });
});

describe('server frames and reconnect delays', () => {
  test('frames that are not JSON objects with a type are ignored', () => {
    for (const text of ['', 'not json', '42', 'null', '[]', '{"no":"type"}', '{"type":3}']) assert.equal(parseServerMessage(text), undefined, text);
    assert.deepEqual(parseServerMessage('{"type":"pong"}'), { type: 'pong' });
  });

  test('backoff doubles to its cap, never undercuts the gateway’s hint, and jitter stays within ±20%', () => {
    const options = { baseMs: 250, maxMs: 10_000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 20].map((n) => reconnectDelayMs(n, 0, options)),
      [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000],
    );
    assert.equal(reconnectDelayMs(1, 3000, options), 3000);
    assert.equal(reconnectDelayMs(3, 0, { ...options, jitter: 0 }), 800);
    assert.equal(reconnectDelayMs(3, 0, { ...options, jitter: 0.999 }), 1200);
  });
});
