/**
 * A second line of retries inside the agents' long activities. The SDK retries each call a few times;
 * when one call still fails with a retryable error (throttling, a 5xx), retrying that step here is far
 * cheaper than failing the whole activity, which would redo every other call. Errors no retry fixes
 * (non-retryable failures: access denied, validation) and cancellation pass straight through.
 */
import { CancelledFailure } from '@temporalio/common';
import { currentActivity, heartbeat } from '../paging';

function retryable(err: unknown): boolean {
  if (err instanceof CancelledFailure) return false;
  const failure = err as { nonRetryable?: boolean; name?: string };
  if (failure.nonRetryable) return false;
  if (failure.name === 'AbortError') return false;
  return !(currentActivity()?.cancellationSignal.aborted ?? false);
}

export async function retryTransient<T>(step: () => Promise<T>, attempts = 5, firstDelayMs = 200): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (attempt >= attempts || !retryable(err)) throw err;
      heartbeat();
      await new Promise((resolve) => setTimeout(resolve, firstDelayMs * 2 ** (attempt - 1)));
    }
  }
}
