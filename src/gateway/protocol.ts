/**
 * The WebSocket protocol (path /ws): JSON text frames, one message per frame.
 *
 * Client -> server
 *   { "type": "subscribe",   "analysisId": "analysis/acme/20261121-0930-a1b2c3" }
 *   { "type": "unsubscribe", "analysisId": "..." }
 *   { "type": "ping" }
 *
 * Server -> client
 *   { "type": "subscribed",   "analysisId" }
 *   { "type": "unsubscribed", "analysisId" }
 *   { "type": "progress", "analysisId", "seq", "progress" }      whenever the progress version changes
 *   { "type": "report",   "analysisId", "seq", "report" }        final: the subscription ends
 *   { "type": "failed",   "analysisId", "seq", "status", "failure" }  final: FAILED | CANCELLED | TERMINATED | TIMED_OUT
 *   { "type": "error", "code", "message", "analysisId"? }         the connection stays open
 *   { "type": "pong" }
 *
 * `seq` is per analysis: 1, 2, 3... for every message the relay emits, identical for all subscribers.
 * A subscriber joining late first receives the latest message (so its first seq may be > 1).
 *
 * Close codes: 1001 gateway shutting down; 1009 frame larger than the limit; 1013 slow consumer
 * (too much unsent data); the heartbeat terminates peers that stop answering protocol pings.
 */
import type { RelayMessage } from './relay';

export type ClientMessage =
  | { type: 'subscribe'; analysisId: string }
  | { type: 'unsubscribe'; analysisId: string }
  | { type: 'ping' };

export type WsErrorCode =
  | 'malformed_json'
  | 'invalid_message'
  | 'unknown_type'
  | 'unsupported_data'
  | 'not_found'
  | 'already_subscribed'
  | 'not_subscribed'
  | 'too_many_subscriptions'
  | 'temporal_unavailable'
  | 'unavailable'
  | 'internal';

export type ServerMessage =
  | { type: 'subscribed'; analysisId: string }
  | { type: 'unsubscribed'; analysisId: string }
  | RelayMessage
  | { type: 'error'; code: WsErrorCode; message: string; analysisId?: string }
  | { type: 'pong' };

export type ErrorMessage = Extract<ServerMessage, { type: 'error' }>;

export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_MESSAGE_TOO_BIG = 1009;
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** Longest analysisId accepted on the wire (real ones are ~40-80 characters). */
export const MAX_ANALYSIS_ID_LENGTH = 256;

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; error: ErrorMessage };

const CLIENT_TYPES = ['subscribe', 'unsubscribe', 'ping'] as const;

function fail(code: WsErrorCode, message: string, analysisId?: string): ParseResult {
  return { ok: false, error: { type: 'error', code, message, ...(analysisId !== undefined ? { analysisId } : {}) } };
}

/** Parse one text frame from a client. Never throws. */
export function parseClientMessage(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail('malformed_json', `Messages must be JSON objects: ${err instanceof Error ? err.message : 'parse error'}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('invalid_message', 'Messages must be JSON objects with a "type"');
  }
  const { type, analysisId } = value as { type?: unknown; analysisId?: unknown };
  if (typeof type !== 'string') return fail('invalid_message', 'Messages need a string "type": one of ' + CLIENT_TYPES.join(', '));
  switch (type) {
    case 'ping':
      return { ok: true, message: { type } };
    case 'subscribe':
    case 'unsubscribe':
      if (typeof analysisId !== 'string' || analysisId === '') {
        return fail('invalid_message', `"${type}" needs an "analysisId" string`);
      }
      if (analysisId.length > MAX_ANALYSIS_ID_LENGTH) {
        return fail('invalid_message', `"analysisId" is longer than ${MAX_ANALYSIS_ID_LENGTH} characters`);
      }
      return { ok: true, message: { type, analysisId } };
    default:
      return fail('unknown_type', `Unknown message type ${JSON.stringify(type.slice(0, 64))}; expected one of ${CLIENT_TYPES.join(', ')}`);
  }
}
