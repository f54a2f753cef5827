/**
 * How big a workflow's history really is: its protobuf encoding, as Temporal stores and replays it
 * (JSON of the decoded history counts every payload byte as a number and overstates it several times).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface HistorySize {
  events: number;
  /** The whole history, protobuf-encoded. */
  bytes: number;
  /** The largest single payload in it (workflow input, result, activity input or result, ...). */
  largestPayloadBytes: number;
}

export async function historySize(client: Client, workflowId: string): Promise<HistorySize> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  let largestPayloadBytes = 0;
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (value instanceof Uint8Array) return;
    const payloads = (value as { payloads?: unknown }).payloads;
    if (Array.isArray(payloads)) {
      for (const p of payloads as { data?: Uint8Array | null }[]) largestPayloadBytes = Math.max(largestPayloadBytes, p.data?.length ?? 0);
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(history.events);
  return {
    events: history.events?.length ?? 0,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    largestPayloadBytes,
  };
}
