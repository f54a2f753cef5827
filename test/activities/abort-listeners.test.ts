/**
 * AWS calls in flight at once inside one activity must not pile 'abort' listeners onto the activity's
 * cancellation signal (MaxListenersExceededWarning past ten), and cancelling the activity must still abort
 * every call in flight. Real SDK clients against the simulator, inside a mocked activity context.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AwsClientFactory } from '../../src/activities/aws-clients';
import { listAddresses, listDatabases, listInstances, listSnapshots, listVolumes } from '../../src/activities/inventory';
import { collectPages } from '../../src/activities/paging';
import { emptyUsage } from '../../src/domain/usage';
import { generateScenario, type Scenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';

let sim: RunningSimulator;
let scenario: Scenario;

before(async () => {
  scenario = generateScenario({ seed: 5, anchorDate: '2026-11-21', size: 'small' });
  sim = await startSimulator({ port: 0, scenario });
});
after(async () => {
  await sim?.close();
});

/** Counts the live 'abort' listeners on a signal, and the most it ever had at once. */
function watchListeners(signal: AbortSignal): { peak: () => number } {
  let live = 0;
  let peak = 0;
  type Listen = (type: string, ...rest: unknown[]) => void;
  const add = signal.addEventListener.bind(signal) as Listen;
  const remove = signal.removeEventListener.bind(signal) as Listen;
  (signal as unknown as { addEventListener: Listen }).addEventListener = (type, ...rest) => {
    if (type === 'abort') peak = Math.max(peak, ++live);
    add(type, ...rest);
  };
  (signal as unknown as { removeEventListener: Listen }).removeEventListener = (type, ...rest) => {
    if (type === 'abort') live--;
    remove(type, ...rest);
  };
  return { peak: () => peak };
}

test('every listing of every Region at once leaves the activity signal without piled-up listeners and warns of nothing', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => {
    if (w.name === 'MaxListenersExceededWarning') warnings.push(w);
  };
  process.on('warning', onWarning);
  try {
    const env = new MockActivityEnvironment();
    const listeners = watchListeners(env.context.cancellationSignal);
    const clients = new AwsClientFactory({ endpoint: sim.url, credentials: { accessKeyId: 'sample', secretAccessKey: 'sample' }, maxAttempts: 2 });
    const account = scenario.accounts[0]!.id;
    const calls: unknown[] = await env.run(() =>
      Promise.all(
        scenario.regions.flatMap((region) => {
          const target = { account, region };
          const usage = emptyUsage();
          return [
            listInstances(clients, target, usage),
            listVolumes(clients, target, usage),
            listSnapshots(clients, target, usage),
            listAddresses(clients, target, usage),
            listDatabases(clients, target, usage),
          ];
        }),
      ),
    );
    clients.destroy();
    // The decoy: enough calls in flight that a shared signal would have gone past the limit of ten.
    assert.ok(calls.length * 2 > 10, `${calls.length} calls in flight`);
    assert.ok(listeners.peak() <= 1, `at most one abort listener on the activity signal at a time, saw ${listeners.peak()}`);
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings.map((w) => w.message), []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('cancelling the activity still aborts a request in flight', async () => {
  const env = new MockActivityEnvironment();
  let seen: AbortSignal | undefined;
  const listing = env.run(() =>
    collectPages({
      listing: 'test:Slow/123456789012/eu-west-1',
      action: 'test:Slow',
      initial: 0,
      // A request that only ends when its signal aborts.
      fetchPage: (_token, abortSignal) => {
        seen = abortSignal;
        return new Promise<never>((_, reject) => abortSignal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      },
      fold: (n) => n + 1,
      nextToken: () => undefined,
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  env.cancel();
  await assert.rejects(listing, (err: unknown) => err instanceof CancelledFailure);
  assert.ok(seen && seen !== env.context.cancellationSignal, 'each request has its own signal');
  assert.equal(seen.aborted, true);
});
