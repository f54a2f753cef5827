/**
 * The WebSocket protocol (path /ws): JSON text frames, one message per frame. The full description, with
 * examples, is docs/websocket-protocol.md; this file is its implementation's source of truth.
 *
 * Client -> server
 *   { "type": "auth", "token": "<API key or JWT>" }          first message, unless the upgrade carried credentials
 *   { "type": "subscribe", "analysisId", "epoch"?, "afterSeq"? }   afterSeq + epoch: resume after a reconnect
 *   { "type": "unsubscribe", "analysisId" }
 *   { "type": "ping" }
 *
 * Server -> client
 *   { "type": "ready", "subject", "tenants", "auth", "limits" }      the connection is authenticated
 *   { "type": "subscribed", "analysisId", "epoch", "latestSeq", "resume" }
 *   { "type": "unsubscribed", "analysisId" }
 *   { "type": "progress", "analysisId", "seq", "progress" }         whenever the progress version changes
 *   { "type": "report",   "analysisId", "seq", "report" }           final: the subscription ends
 *   { "type": "failed",   "analysisId", "seq", "status", "failure" }   final: FAILED | CANCELLED | TERMINATED | TIMED_OUT
 *   { "type": "error", "code", "message", "analysisId"? }            the connection stays open unless a close follows
 *   { "type": "reconnect", "message", "retryAfterMs" }              the gateway is going away: reconnect and resume
 *   { "type": "pong" }
 *
 * Close codes: 1008 flooding; 1009 frame too large; 1012 gateway restarting (after a `reconnect` message);
 * 1013 slow consumer; 4401 authentication missing, failed or too late.
 */
import type { RelayMessage, ResumeMode } from './relay';

export type ClientMessage =
  | { type: 'auth'; token: string }
  | { type: 'subscribe'; analysisId: string; epoch?: string; afterSeq?: number }
  | { type: 'unsubscribe'; analysisId: string }
  | { type: 'ping' };

export type WsErrorCode =
  | 'malformed_json'
  | 'invalid_message'
  | 'unknown_type'
  | 'unsupported_data'
  | 'unauthenticated'
  | 'already_authenticated'
  | 'not_found'
  | 'already_subscribed'
  | 'not_subscribed'
  | 'too_many_subscriptions'
  | 'rate_limited'
  | 'temporal_unavailable'
  | 'auth_unavailable'
  | 'unavailable'
  | 'internal';

export interface ReadyMessage {
  type: 'ready';
  subject: string;
  tenants: 'all' | readonly string[];
  auth: string;
  limits: { maxSubscriptions: number; maxPayloadBytes: number; messagesPerSecond: number };
}

export type ServerMessage =
  | ReadyMessage
  | { type: 'subscribed'; analysisId: string; epoch: string; latestSeq: number; resume: ResumeMode }
  | { type: 'unsubscribed'; analysisId: string }
  | RelayMessage
  | { type: 'error'; code: WsErrorCode; message: string; analysisId?: string }
  | { type: 'reconnect'; message: string; retryAfterMs: number }
  | { type: 'pong' };

export type ErrorMessage = Extract<ServerMessage, { type: 'error' }>;

export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_MESSAGE_TOO_BIG = 1009;
export const CLOSE_SERVICE_RESTART = 1012;
export const CLOSE_TRY_AGAIN_LATER = 1013;
export const CLOSE_UNAUTHENTICATED = 4401;

/** Longest analysisId accepted on the wire (real ones are ~40-80 characters). */
export const MAX_ANALYSIS_ID_LENGTH = 256;
/** Longest credential accepted in an `auth` message (JWTs with many claims stay well under this). */
export const MAX_TOKEN_LENGTH = 16 * 1024;
const MAX_EPOCH_LENGTH = 64;

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; error: ErrorMessage };

const CLIENT_TYPES = ['auth', 'subscribe', 'unsubscribe', 'ping'] as const;

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
  const { type, analysisId, token, epoch, afterSeq } = value as Record<string, unknown>;
  if (typeof type !== 'string') return fail('invalid_message', 'Messages need a string "type": one of ' + CLIENT_TYPES.join(', '));
  switch (type) {
    case 'ping':
      return { ok: true, message: { type } };
    case 'auth':
      if (typeof token !== 'string' || token === '') return fail('invalid_message', '"auth" needs a "token" string (an API key or a JWT)');
      if (token.length > MAX_TOKEN_LENGTH) return fail('invalid_message', `"token" is longer than ${MAX_TOKEN_LENGTH} characters`);
      return { ok: true, message: { type, token } };
    case 'subscribe':
    case 'unsubscribe': {
      if (typeof analysisId !== 'string' || analysisId === '') {
        return fail('invalid_message', `"${type}" needs an "analysisId" string`);
      }
      if (analysisId.length > MAX_ANALYSIS_ID_LENGTH) {
        return fail('invalid_message', `"analysisId" is longer than ${MAX_ANALYSIS_ID_LENGTH} characters`);
      }
      if (type === 'unsubscribe') return { ok: true, message: { type, analysisId } };
      if (afterSeq === undefined && epoch === undefined) return { ok: true, message: { type, analysisId } };
      if (typeof afterSeq !== 'number' || !Number.isSafeInteger(afterSeq) || afterSeq < 0) {
        return fail('invalid_message', 'To resume, "afterSeq" must be the last seq received (a whole number >= 0) together with its "epoch"', analysisId);
      }
      if (typeof epoch !== 'string' || epoch === '' || epoch.length > MAX_EPOCH_LENGTH) {
        return fail('invalid_message', 'To resume, "epoch" must be the epoch string from the "subscribed" message', analysisId);
      }
      return { ok: true, message: { type, analysisId, epoch, afterSeq } };
    }
    default:
      return fail('unknown_type', `Unknown message type ${JSON.stringify(type.slice(0, 64))}; expected one of ${CLIENT_TYPES.join(', ')}`);
  }
}
