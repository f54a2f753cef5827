/**
 * The backoff of clients that page sequentially: full jitter from 100 ms, doubling, capped at 20 s.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pagingBackoffMs } from '../../src/activities/aws-clients';

test('first retry waits under 100 ms, each later one under twice as long, never over 20 s', () => {
  const almostOne = () => 0.999_999;
  assert.equal(pagingBackoffMs(1, almostOne), 99);
  assert.equal(pagingBackoffMs(2, almostOne), 199);
  assert.equal(pagingBackoffMs(3, almostOne), 399);
  assert.equal(pagingBackoffMs(30, almostOne), 19_999);
  assert.equal(pagingBackoffMs(1, () => 0), 0);
  for (let i = 0; i < 1000; i++) {
    const wait = pagingBackoffMs(1 + (i % 5));
    assert.ok(wait >= 0 && wait < 100 * 2 ** (i % 5), `attempt ${1 + (i % 5)}: ${wait} ms`);
  }
});
