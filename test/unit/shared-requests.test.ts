import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedRequests } from '../../src/activities/shared-requests';

test('concurrent identical requests run once; the others reuse the result', async () => {
  const shared = new SharedRequests();
  let calls = 0;
  const request = async () => {
    calls++;
    await new Promise((r) => setTimeout(r, 20));
    return 42;
  };
  const results = await Promise.all([shared.run('k', request), shared.run('k', request), shared.run('k', request)]);
  assert.equal(calls, 1);
  assert.deepEqual(
    results.map((r) => r.reused),
    [false, true, true],
  );
  assert.ok(results.every((r) => r.value === 42));
  assert.equal((await shared.run('other', request)).reused, false, 'another key is another request');
});

test('when the owner fails, one waiter makes the request again and the others reuse it', async () => {
  const shared = new SharedRequests();
  let calls = 0;
  const failsFirst = async () => {
    calls++;
    const call = calls;
    await new Promise((r) => setTimeout(r, 10));
    if (call === 1) throw new Error('throttled');
    return 'ok';
  };
  const results = await Promise.allSettled([
    shared.run('k', failsFirst),
    shared.run('k', failsFirst),
    shared.run('k', failsFirst),
  ]);
  assert.equal(results[0]?.status, 'rejected');
  assert.equal(calls, 2, 'one retry for all waiters, not one each');
  const fulfilled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  assert.deepEqual(
    fulfilled.map((r) => r.value),
    ['ok', 'ok'],
  );
  assert.equal(fulfilled.filter((r) => !r.reused).length, 1, 'exactly one of them paid for it');
  assert.deepEqual(await shared.run('k', failsFirst), { value: 'ok', reused: true }, 'later callers reuse the result');
});
