/**
 * Why did a child fail? Temporal wraps failures (ChildWorkflowFailure -> ActivityFailure ->
 * ApplicationFailure); the innermost message is the one a user can act on.
 */
import { ApplicationFailure, TemporalFailure } from '@temporalio/workflow';

export interface FailureReason {
  reason: string;
  type?: string;
  /** What the caller must grant or buy (permission, support plan, opt-in): the agent was skipped, not broken. */
  needs?: string;
}

export function failureReason(err: unknown): FailureReason {
  let innermost: unknown = err;
  let type: string | undefined;
  let needs: string | undefined;
  for (let current: unknown = err; current instanceof Error; current = (current as { cause?: unknown }).cause) {
    innermost = current;
    if (current instanceof ApplicationFailure) {
      if (current.type) type = current.type;
      const detail = current.details?.[0] as { needs?: unknown } | undefined;
      if (typeof detail?.needs === 'string') needs = detail.needs;
    }
  }
  const message = innermost instanceof Error ? innermost.message : String(innermost);
  const extra = { ...(type ? { type } : {}), ...(needs ? { needs } : {}) };
  if (innermost instanceof TemporalFailure && !message) return { reason: innermost.name, ...extra };
  return { reason: message || 'unknown error', ...extra };
}
