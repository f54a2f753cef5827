/**
 * Small helpers around the Temporal client for the gateway: bounded calls and error classification.
 */
import type { Client } from '@temporalio/client';
import { ApiError } from './errors';

/** gRPC status codes that mean "the service is not there right now" rather than "your request is wrong". */
const UNAVAILABLE_CODES = new Set([
  4, // DEADLINE_EXCEEDED (our per-call deadline while the client retried an unreachable server)
  14, // UNAVAILABLE
]);

/** True if the error (or any cause) says Temporal could not be reached in time. */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'number' && UNAVAILABLE_CODES.has(code)) return true;
    if (name === 'TransportError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Temporal calls a gateway makes at once; the rest wait their turn here, so a burst of requests queues in
 * the gateway (bounded memory, fair order) instead of piling onto Temporal until its answers time out.
 */
export const MAX_CONCURRENT_TEMPORAL_CALLS = 32;
/** How long a request may wait for a turn before it is told to come back (429 with Retry-After). */
export const MAX_QUEUE_WAIT_MS = 15_000;
/** Callers waiting at most; beyond that a request is answered 429 at once. */
export const MAX_QUEUED_CALLS = 2_000;

class Gate {
  private running = 0;
  private readonly waiting: { resolve: () => void; timer: NodeJS.Timeout }[] = [];

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= MAX_CONCURRENT_TEMPORAL_CALLS) {
      if (this.waiting.length >= MAX_QUEUED_CALLS) throw busy();
      await new Promise<void>((resolve, reject) => {
        const entry = {
          resolve,
          timer: setTimeout(() => {
            const at = this.waiting.indexOf(entry);
            if (at >= 0) this.waiting.splice(at, 1);
            reject(busy());
          }, MAX_QUEUE_WAIT_MS),
        };
        this.waiting.push(entry);
      });
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.resolve(); // the slot passes to the next caller
      } else {
        this.running--;
      }
    }
  }

  get queued(): number {
    return this.waiting.length;
  }
}

function busy(): ApiError {
  const error = new ApiError(429, 'rate_limited', 'The gateway has too many requests in progress; retry shortly');
  error.retryAfterSeconds = 2;
  return error;
}

const gates = new WeakMap<Client, Gate>();

function gateOf(client: Client): Gate {
  let gate = gates.get(client);
  if (!gate) gates.set(client, (gate = new Gate()));
  return gate;
}

/** Requests waiting for a turn at Temporal (for /metrics). */
export function queuedTemporalCalls(client: Client): number {
  return gates.get(client)?.queued ?? 0;
}

/**
 * Run Temporal calls with a deadline, one of a bounded number at a time. An unreachable server answers
 * "unavailable" (503) instead of hanging; a reachable one that was merely slow answers 504, never 503.
 */
export async function withDeadline<T>(client: Client, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  return gateOf(client).run(async () => {
    try {
      return await client.withDeadline(Date.now() + timeoutMs, fn);
    } catch (err) {
      if (isDeadlineExceeded(err) && (await reachable(client))) {
        throw new ApiError(504, 'temporal_slow', `Temporal is reachable but did not answer within ${timeoutMs / 1000} s; try again`);
      }
      throw err;
    }
  });
}

function isDeadlineExceeded(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    if ((e as { code?: unknown }).code === 4) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** A cheap call with its own short deadline: does Temporal answer at all? */
async function reachable(client: Client): Promise<boolean> {
  try {
    await client.withDeadline(Date.now() + 2_000, () => client.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}
