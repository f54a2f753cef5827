/**
 * Small helpers around the Temporal client for the gateway: bounded calls and error classification.
 */
import type { Client } from '@temporalio/client';

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

/** Run Temporal calls with a deadline, so an unreachable server answers "unavailable" instead of hanging. */
export function withDeadline<T>(client: Client, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  return client.withDeadline(Date.now() + timeoutMs, fn);
}
