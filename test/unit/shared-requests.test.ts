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

test('a failed request is forgotten: waiters and the next attempt make it themselves', async () => {
  const shared = new SharedRequests();
  let calls = 0;
  const failing = async () => {
    calls++;
    await new Promise((r) => setTimeout(r, 10));
    if (calls === 1) throw new Error('throttled');
    return 'ok';
  };
  const [first, second] = await Promise.allSettled([shared.run('k', failing), shared.run('k', failing)]);
  assert.equal(first.status, 'rejected');
  assert.deepEqual(second.status === 'fulfilled' && second.value, { value: 'ok', reused: false });
  assert.deepEqual(await shared.run('k', failing), { value: 'ok', reused: false });
});
