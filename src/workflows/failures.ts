/**
 * Why did a child fail? Temporal wraps failures (ChildWorkflowFailure -> ActivityFailure ->
 * ApplicationFailure); the innermost message is the one a user can act on.
 */
import { ApplicationFailure, TemporalFailure } from '@temporalio/workflow';

export function failureReason(err: unknown): { reason: string; type?: string } {
  let innermost: unknown = err;
  let type: string | undefined;
  for (let current: unknown = err; current instanceof Error; current = (current as { cause?: unknown }).cause) {
    innermost = current;
    if (current instanceof ApplicationFailure && current.type) type = current.type;
  }
  const message = innermost instanceof Error ? innermost.message : String(innermost);
  if (innermost instanceof TemporalFailure && !message) return { reason: innermost.name, ...(type ? { type } : {}) };
  return { reason: message || 'unknown error', ...(type ? { type } : {}) };
}
