/**
 * Paging that survives retries: a retried activity resumes from the checkpoint its last attempt
 * heartbeated, and pays only for the pages it had not read yet.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  collectPages,
  heartbeat,
  type CollectedPages,
  type CollectPagesOptions,
  type PagingCheckpoint,
} from '../../src/activities/paging';

interface Page {
  items: number[];
  next?: string;
}

/** A listing of 5 pages, tokens p1..p4, recording which pages were requested. */
function listing(requested: (string | undefined)[]): CollectPagesOptions<Page, number[]> {
  return {
    listing: 'test:List/123456789012/us-east-1',
    action: 'test:List',
    initial: [] as number[],
    fetchPage: (token) => {
      requested.push(token);
      const page = token ? Number(token.slice(1)) : 0;
      return Promise.resolve({ items: [page * 10, page * 10 + 1], ...(page < 4 ? { next: `p${page + 1}` } : {}) });
    },
    fold: (all, page) => [...all, ...page.items],
    nextToken: (page) => page.next,
  };
}

test('a first attempt reads every page and heartbeats its position', async () => {
  const env = new MockActivityEnvironment();
  const beats: PagingCheckpoint<number[]>[] = [];
  env.on('heartbeat', (details: unknown) => beats.push(details as PagingCheckpoint<number[]>));
  const requested: (string | undefined)[] = [];
  const result: CollectedPages<number[]> = await env.run(() => collectPages(listing(requested)));
  assert.deepEqual(requested, [undefined, 'p1', 'p2', 'p3', 'p4']);
  assert.equal(result.requests, 5);
  assert.deepEqual(result.value, [0, 1, 10, 11, 20, 21, 30, 31, 40, 41]);
  assert.deepEqual(
    beats.find((b) => b.nextToken === 'p3'),
    {
      listing: 'test:List/123456789012/us-east-1',
      nextToken: 'p3',
      requests: 3,
      accumulator: [0, 1, 10, 11, 20, 21],
    },
  );
});

test('a retried attempt resumes from the checkpoint instead of starting over', async () => {
  const checkpoint: PagingCheckpoint<number[]> = {
    listing: 'test:List/123456789012/us-east-1',
    nextToken: 'p3',
    requests: 3,
    accumulator: [0, 1, 10, 11, 20, 21],
  };
  const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: checkpoint });
  const requested: (string | undefined)[] = [];
  const result: CollectedPages<number[]> = await env.run(() => collectPages(listing(requested)));
  assert.deepEqual(requested, ['p3', 'p4'], 'only the pages not read before');
  assert.equal(result.requests, 5, 'requests count the earlier attempt too');
  assert.deepEqual(result.value, [0, 1, 10, 11, 20, 21, 30, 31, 40, 41]);
});

test('an attempt that failed on its first page leaves a checkpoint the retry reads from the start, not as finished', async () => {
  const first = new MockActivityEnvironment();
  const beats: PagingCheckpoint<number[]>[] = [];
  first.on('heartbeat', (details: unknown) => beats.push(details as PagingCheckpoint<number[]>));
  const failing = { ...listing([]), fetchPage: () => Promise.reject(new Error('socket hang up')) };
  await assert.rejects(first.run(() => collectPages(failing)));
  const left = beats.at(-1)!;
  assert.equal(left.nextToken, undefined);
  assert.notEqual(left.done, true);

  const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: left });
  const requested: (string | undefined)[] = [];
  const result: CollectedPages<number[]> = await retry.run(() => collectPages(listing(requested)));
  assert.deepEqual(requested, [undefined, 'p1', 'p2', 'p3', 'p4'], 'every page is read');
  assert.equal(result.requests, 5);
  assert.deepEqual(result.value, [0, 1, 10, 11, 20, 21, 30, 31, 40, 41]);
});

test('a listing finished by an earlier attempt is not read again', async () => {
  const finished: PagingCheckpoint<number[]> = {
    listing: 'test:List/123456789012/us-east-1',
    requests: 5,
    accumulator: [0, 1, 10, 11, 20, 21, 30, 31, 40, 41],
    done: true,
  };
  const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: finished });
  const requested: (string | undefined)[] = [];
  const result: CollectedPages<number[]> = await env.run(() => collectPages(listing(requested)));
  assert.deepEqual(requested, []);
  assert.equal(result.requests, 5);
  assert.deepEqual(result.value, finished.accumulator);
});

test('a finished checkpoint from before `done` existed is read again from the start, never added to', async () => {
  const old: PagingCheckpoint<number[]> = {
    listing: 'test:List/123456789012/us-east-1',
    requests: 5,
    accumulator: [0, 1, 10, 11, 20, 21, 30, 31, 40, 41],
  };
  const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: old });
  const requested: (string | undefined)[] = [];
  const result: CollectedPages<number[]> = await env.run(() => collectPages(listing(requested)));
  assert.equal(requested.length, 5);
  assert.equal(result.requests, 5);
  assert.deepEqual(result.value, [0, 1, 10, 11, 20, 21, 30, 31, 40, 41]);
});

test('a listing restarted within the same attempt (a step retry) resumes where it stopped', async () => {
  const env = new MockActivityEnvironment();
  const requested: (string | undefined)[] = [];
  const base = listing(requested);
  let failures = 1;
  const flaky: CollectPagesOptions<Page, number[]> = {
    ...base,
    fetchPage: (token, signal) => {
      if (token === 'p2' && failures-- > 0) {
        requested.push('p2 (failed)');
        return Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
      }
      return base.fetchPage(token, signal);
    },
  };
  const result: CollectedPages<number[]> = await env.run(async () => {
    try {
      return await collectPages(flaky);
    } catch {
      return collectPages(flaky); // what retryTransient does
    }
  });
  assert.deepEqual(requested, [undefined, 'p1', 'p2 (failed)', 'p2', 'p3', 'p4']);
  assert.equal(result.requests, 5, 'every page counted once');
  assert.deepEqual(result.value, [0, 1, 10, 11, 20, 21, 30, 31, 40, 41]);
  // Finished: a later listing of the same name in this attempt starts afresh.
  requested.length = 0;
  const again: CollectedPages<number[]> = await env.run(() => collectPages(listing(requested)));
  assert.equal(requested.length, 5);
  assert.equal(again.requests, 5);
});

test('a liveness heartbeat after a listing stopped repeats its checkpoint instead of erasing it', async () => {
  const env = new MockActivityEnvironment();
  const beats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => beats.push(details));
  const base = listing([]);
  const failing: CollectPagesOptions<Page, number[]> = {
    ...base,
    fetchPage: (token, signal) => (token === 'p3' ? Promise.reject(new Error('socket hang up')) : base.fetchPage(token, signal)),
  };
  await env.run(async () => {
    await assert.rejects(collectPages(failing));
    heartbeat(); // what retryTransient, whileHeartbeating and the per-call heartbeats send
  });
  const last = beats.at(-1) as PagingCheckpoint<number[]>;
  assert.equal(last.nextToken, 'p3', 'a retried attempt resumes at the page that failed');
  assert.equal(last.requests, 3);
});

test("another listing's checkpoint is ignored", async () => {
  const other: PagingCheckpoint<number[]> = {
    listing: 'test:List/999999999999/eu-west-1',
    nextToken: 'p3',
    requests: 3,
    accumulator: [7],
  };
  const env = new MockActivityEnvironment({ heartbeatDetails: other });
  const requested: (string | undefined)[] = [];
  await env.run(() => collectPages(listing(requested)));
  assert.equal(requested[0], undefined, 'started from the first page');
});

test('access denied becomes a non-retryable failure naming the permission', async () => {
  const env = new MockActivityEnvironment();
  const denied = Object.assign(new Error('User is not authorized to perform: test:List'), { name: 'AccessDeniedException' });
  await assert.rejects(
    env.run(() => collectPages({ ...listing([]), fetchPage: () => Promise.reject(denied) })),
    (err: Error & { nonRetryable?: boolean; type?: string }) => {
      assert.equal(err.nonRetryable, true);
      assert.equal(err.type, 'AccessDenied');
      assert.match(err.message, /needs IAM permission test:List/);
      return true;
    },
  );
});

test('a listing too large for heartbeat details stops checkpointing instead of failing', async () => {
  const env = new MockActivityEnvironment();
  const beats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => beats.push(details));
  const big = 'x'.repeat(100 * 1024);
  const result: CollectedPages<string[]> = await env.run(() =>
    collectPages<{ item: string; next?: string }, string[]>({
      listing: 'test:Big',
      action: 'test:Big',
      initial: [],
      fetchPage: (token) => {
        const page = token ? Number(token) : 0;
        return Promise.resolve({ item: big, ...(page < 4 ? { next: String(page + 1) } : {}) });
      },
      fold: (all, page) => [...all, page.item],
      nextToken: (page) => page.next,
    }),
  );
  assert.equal(result.value.length, 5);
  assert.ok(
    beats.some((b) => b !== undefined),
    'small checkpoints were sent early on',
  );
  assert.equal(beats.at(-1), undefined, 'the last heartbeat carries no oversized checkpoint');
  assert.ok(beats.every((b) => b === undefined || JSON.stringify(b).length < 400 * 1024));
});
