/**
 * The AWS JSON protocols (awsJson1_0 / awsJson1_1), as Coral services speak them:
 *   POST /  Content-Type: application/x-amz-json-1.1  X-Amz-Target: <TargetPrefix>.<Operation>
 * Responses carry the same content type and x-amzn-RequestId. Errors are HTTP 4xx/5xx with body
 * {"__type": "<Code>", "message": "..."} and header x-amzn-ErrorType: <Code>; framework errors use
 * Coral's qualified names (com.amazon.coral.service#UnknownOperationException,
 * com.amazon.coral.service#SerializationException).
 *
 * Services that moved from awsQuery to JSON keep their query error codes (Smithy's
 * awsQueryCompatible trait; CloudWatch): their handlers throw the query code (e.g.
 * InvalidParameterValue), and errors carry the modelled `__type` plus the header
 * `x-amzn-query-error: <QueryCode>;Sender|Receiver`, which query-compatible clients read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, defaultStatus, serializationError, unknownOperationError } from '../errors';
import type { OperationGate } from './gate';
import { headerValue, send } from './http';

export type JsonObject = Record<string, unknown>;

export interface OperationContext {
  requestId: string;
  /** Signing name of the service, e.g. "ce". */
  signingName: string;
  operation: string;
  /** The HTTP request (headers: SigV4 scope for the region, credentials for the account). */
  request?: IncomingMessage;
}

export type JsonOperationHandler = (input: JsonObject, context: OperationContext) => unknown;

export interface JsonServiceDefinition {
  /** X-Amz-Target prefix, e.g. "AWSInsightsIndexService". */
  targetPrefix: string;
  /** IAM / signing name, used in stats keys ("ce:GetCostAndUsage") and messages. */
  signingName: string;
  /** Human name for messages. */
  title: string;
  jsonVersion: '1.0' | '1.1';
  operations: Readonly<Record<string, JsonOperationHandler>>;
  /** Error statuses that differ from the defaults for this service. */
  errorStatus?: Readonly<Record<string, number>>;
  /** awsQueryCompatible services: how their query error codes appear in JSON. */
  queryCompatible?: QueryCompatibleErrors;
}

/**
 * For awsQueryCompatible services: query error code (what handlers throw, e.g. "InvalidParameterValue")
 * → the JSON `__type` (e.g. "com.amazonaws.cloudwatch#InvalidParameterValueException") and the
 * message member's name. Codes not listed keep their own name as `__type`.
 */
export interface QueryCompatibleErrors {
  errors: Readonly<Record<string, { type: string; messageKey?: 'message' | 'Message' }>>;
}

export function isJsonProtocolRequest(req: IncomingMessage): boolean {
  const contentType = headerValue(req, 'content-type') ?? '';
  return headerValue(req, 'x-amz-target') !== undefined || contentType.startsWith('application/x-amz-json');
}

export class JsonProtocol {
  private readonly services = new Map<string, JsonServiceDefinition>();

  constructor(
    services: readonly JsonServiceDefinition[],
    private readonly gate: OperationGate,
  ) {
    for (const service of services) this.services.set(service.targetPrefix, service);
  }

  /** "ce:GetCostAndUsage" for every operation served. */
  operationKeys(): string[] {
    return [...this.services.values()].flatMap((s) => Object.keys(s.operations).map((op) => `${s.signingName}:${op}`));
  }

  async handle(req: IncomingMessage, body: Buffer, res: ServerResponse, requestId: string): Promise<void> {
    const contentType = (headerValue(req, 'content-type') ?? '').startsWith('application/x-amz-json-1.0')
      ? 'application/x-amz-json-1.0'
      : 'application/x-amz-json-1.1';
    try {
      const result = await this.dispatch(req, body, requestId);
      send(res, 200, { 'Content-Type': contentType, 'x-amzn-RequestId': requestId }, JSON.stringify(result ?? {}));
    } catch (error) {
      const prefix = (headerValue(req, 'x-amz-target') ?? '').split('.')[0] ?? '';
      writeJsonError(res, error, requestId, contentType, this.services.get(prefix)?.queryCompatible);
    }
  }

  private async dispatch(req: IncomingMessage, body: Buffer, requestId: string): Promise<unknown> {
    const target = headerValue(req, 'x-amz-target');
    if (!target) {
      throw unknownOperationError(
        'Missing X-Amz-Target header; JSON protocol requests name the operation as X-Amz-Target: <ServicePrefix>.<Operation>.',
      );
    }
    const dot = target.indexOf('.');
    const prefix = dot < 0 ? target : target.slice(0, dot);
    const operation = dot < 0 ? '' : target.slice(dot + 1);
    const service = this.services.get(prefix);
    if (!service) {
      const served = [...this.services.values()].map((s) => `${s.targetPrefix} (${s.title})`).join(', ');
      throw unknownOperationError(
        `The sample AWS account does not serve the service '${prefix}' (X-Amz-Target: ${target}); it serves ${served}.`,
      );
    }
    const handler = Object.hasOwn(service.operations, operation) ? service.operations[operation] : undefined;
    if (!handler) {
      throw unknownOperationError(`Unknown operation '${operation}' for ${service.title} (X-Amz-Target: ${target}).`);
    }
    if (req.method !== 'POST') throw unknownOperationError(`JSON protocol requests use POST, not ${req.method}.`);

    let input: unknown;
    try {
      input = parseJsonBody(body);
    } catch (error) {
      this.gate.count(service.signingName, operation);
      throw error;
    }
    this.gate.count(service.signingName, operation);
    await this.gate.applyFaults({
      signingName: service.signingName,
      operation,
      input,
      mentionedServices: mentionedServices(input),
      statusFor: (code) => service.errorStatus?.[code] ?? defaultStatus(code),
      request: req,
    });
    return handler(input as JsonObject, { requestId, signingName: service.signingName, operation, request: req });
  }
}

function parseJsonBody(body: Buffer): JsonObject {
  const text = body.toString('utf8');
  if (text.trim() === '')
    throw serializationError('The request body is empty; JSON protocol requests carry a JSON object ({} at least).');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw serializationError(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw serializationError('Start of structure or map expected: the request body must be a JSON object.');
  }
  return value as JsonObject;
}

/** Every Values entry of a {Key: "SERVICE", Values: [...]} anywhere in the input. */
export function mentionedServices(input: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 64 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const record = value as JsonObject;
    if (record['Key'] === 'SERVICE' && Array.isArray(record['Values'])) {
      for (const v of record['Values']) if (typeof v === 'string') found.push(v);
    }
    for (const child of Object.values(record)) visit(child, depth + 1);
  };
  visit(input, 0);
  return found;
}

export function writeJsonError(
  res: ServerResponse,
  error: unknown,
  requestId: string,
  contentType = 'application/x-amz-json-1.1',
  queryCompatible?: QueryCompatibleErrors,
): void {
  let awsError: AwsError;
  if (error instanceof AwsError) {
    awsError = error;
  } else {
    console.error('[sim] unexpected error while handling a request:', error);
    awsError = new AwsError(
      'InternalFailure',
      'The request processing has failed because of an unknown error, exception or failure.',
      500,
    );
  }
  const compatible = queryCompatible?.errors[awsError.code];
  const type = compatible?.type ?? awsError.options.typeName ?? awsError.code;
  const body: JsonObject = { __type: type };
  body[compatible?.messageKey ?? awsError.options.messageKey ?? 'message'] = awsError.message;
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': compatible ? (type.split('#').pop() ?? type) : awsError.code,
  };
  if (queryCompatible) headers['x-amzn-query-error'] = `${awsError.code};${awsError.fault === 'server' ? 'Receiver' : 'Sender'}`;
  if (awsError.options.injected) headers['x-finops-sim-fault'] = 'injected';
  send(res, awsError.status, headers, JSON.stringify(body));
}
