/**
 * Helpers shared by the sample account's CloudWatch and Tagging services (services/cloudwatch.ts,
 * services/tagging.ts): reading JSON input with
 * AWS's error types, opaque page tokens bound to their request, and where a request is going
 * (account and region).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { serializationError } from '../errors';
import { accountForRequest } from '../identity';
import type { ScenarioResources } from '../model';
import type { JsonObject } from '../protocols/json';
import { signingScope } from '../protocols/sigv4';

// ---------------------------------------------------------------------------------------------
// Input: a member of the wrong JSON type is a SerializationException (as Coral answers)
// ---------------------------------------------------------------------------------------------

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  let text: string;
  switch (typeof value) {
    case 'string':
      text = JSON.stringify(value);
      break;
    case 'number':
    case 'boolean':
    case 'bigint':
      text = String(value);
      break;
    default:
      return typeof value === 'object' ? 'a structure' : typeof value;
  }
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}...` : text}`;
}

export function optionalObject(value: unknown, path: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw serializationError(`Expected a structure (JSON object) at '${path}', got ${describeValue(value)}.`);
  return value as JsonObject;
}

export function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw serializationError(`Expected a string at '${path}', got ${describeValue(value)}.`);
  return value;
}

export function optionalList(value: unknown, path: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw serializationError(`Expected a list (JSON array) at '${path}', got ${describeValue(value)}.`);
  return value as unknown[];
}

export function optionalInteger(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw serializationError(`Expected an integer at '${path}', got ${describeValue(value)}.`);
  return value;
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw serializationError(`Expected a boolean at '${path}', got ${describeValue(value)}.`);
  return value;
}

/**
 * A timestamp member, as epoch seconds. JSON protocols send epoch seconds (a number, possibly
 * fractional); ISO 8601 strings are accepted too (the query protocol's form, and lenient clients).
 */
export function optionalTimestamp(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  throw serializationError(`Expected a timestamp (epoch seconds) at '${path}', got ${describeValue(value)}.`);
}

// ---------------------------------------------------------------------------------------------
// Page tokens: opaque, and bound to the request they came from by a fingerprint
// ---------------------------------------------------------------------------------------------

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
}

export function encodeToken(payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ v: 1, ...payload }), 'utf8').toString('base64url');
}

/** The token's payload, or undefined if it is not one of ours. */
export function decodeToken(token: string): Record<string, unknown> | undefined {
  if (token.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value) && (value as JsonObject)['v'] === 1)
      return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Where a request is going
// ---------------------------------------------------------------------------------------------

/** Region of unsigned requests. */
export const DEFAULT_REGION = 'us-east-1';

export interface RequestScope {
  account: string;
  region: string;
}

/** Maps a request to the scenario account it acts as. */
export type AccountResolver = (req: IncomingMessage | undefined) => string;

/** identity.ts's rule: an STS-issued key's account, else the scenario's first account. */
export function defaultAccountResolver(resources: Pick<ScenarioResources, 'accounts'>): AccountResolver {
  return (req) => accountForRequest(req, resources);
}

export function requestScope(req: IncomingMessage | undefined, accountFor: AccountResolver): RequestScope {
  return { account: accountFor(req), region: (req && signingScope(req)?.region) ?? DEFAULT_REGION };
}
