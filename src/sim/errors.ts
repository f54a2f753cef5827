/**
 * AWS errors as the sample account raises them. Handlers throw `AwsError`; each wire protocol
 * encodes it the way that protocol does on AWS (JSON `__type`, query XML `<Error><Code>`, ...).
 */

export type ErrorFault = 'client' | 'server';

export class AwsError extends Error {
  override name = 'AwsError';

  constructor(
    /** The AWS error code, e.g. "ValidationException". For JSON protocols this is the `__type`. */
    readonly code: string,
    message: string,
    /** HTTP status; defaults to the usual status for the code (see `defaultStatus`). */
    readonly status: number = defaultStatus(code),
    /**
     * typeName: the `__type` to send when it differs from the code (Coral's namespace-qualified
     * framework errors); messageKey: "message" (default) or "Message"; injected: raised by a fault rule.
     */
    readonly options: { typeName?: string; messageKey?: 'message' | 'Message'; injected?: boolean } = {},
  ) {
    super(message);
  }

  get fault(): ErrorFault {
    return this.status >= 500 ? 'server' : 'client';
  }
}

/**
 * HTTP statuses of the error codes the sample account knows, as AWS returns them. JSON-protocol
 * (Coral) services answer most client errors with 400, including AccessDeniedException and Cost
 * Explorer's throttling LimitExceededException; query and REST protocols use 403/503 for some.
 * Services whose statuses differ (Compute Optimizer's 403 AccessDeniedException, Bedrock's 429
 * ThrottlingException) override per service.
 */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  AccessDeniedException: 400,
  LimitExceededException: 400,
  ThrottlingException: 400,
  Throttling: 400,
  TooManyRequestsException: 429,
  DataUnavailableException: 400,
  InvalidNextTokenException: 400,
  RequestChangedException: 400,
  BillExpirationException: 400,
  SubscriptionRequiredException: 400,
  OptInRequiredException: 403,
  UnrecognizedClientException: 400,
  IncompleteSignature: 400,
  ExpiredTokenException: 400,
  InternalServerError: 500,
  InternalServerException: 500,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  ServiceUnavailableException: 503,
  // ec2Query / awsQuery / restXml codes, for the protocols that follow.
  RequestLimitExceeded: 503,
  UnauthorizedOperation: 403,
  AccessDenied: 403,
  SlowDown: 503,
  InternalError: 500,
};

export function defaultStatus(code: string): number {
  return ERROR_STATUS[code] ?? 400;
}

/** Messages used when a fault rule names a code but no message. */
export function defaultErrorMessage(
  code: string,
  context: { account: string; signingName: string; operation: string; region: string },
): string {
  const action = `${context.signingName}:${context.operation}`;
  switch (code) {
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnauthorizedOperation':
      return `User: arn:aws:iam::${context.account}:user/finops-analyst is not authorized to perform: ${action} on resource: arn:aws:${context.signingName}:${context.region}:${context.account}:/${context.operation} because no identity-based policy allows the ${action} action`;
    case 'LimitExceededException':
    case 'ThrottlingException':
    case 'Throttling':
    case 'TooManyRequestsException':
      return 'Rate exceeded';
    case 'RequestLimitExceeded':
      return 'Request limit exceeded.';
    case 'SlowDown':
      return 'Please reduce your request rate.';
    case 'DataUnavailableException':
      return 'Data is not available for the requested time period. Please try again later.';
    case 'SubscriptionRequiredException':
      return 'AWS Premium Support Subscription is required to use this service.';
    case 'InternalServerError':
    case 'InternalServerException':
    case 'InternalFailure':
    case 'InternalError':
      return 'An internal error occurred. Please try again.';
    case 'ServiceUnavailable':
    case 'ServiceUnavailableException':
      return 'Service is currently unavailable. Please try again later.';
    default:
      return `${code} (injected by the sample account)`;
  }
}

export function validationError(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

/** Coral's "1 validation error detected" wording for a member constraint. */
export function constraintError(path: string, value: unknown, constraint: string): AwsError {
  const shown = value === undefined || value === null ? 'null' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
  return validationError(`1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
}

export function serializationError(message: string): AwsError {
  return new AwsError('SerializationException', message, 400, {
    typeName: 'com.amazon.coral.service#SerializationException',
    messageKey: 'Message',
  });
}

export function unknownOperationError(message: string): AwsError {
  return new AwsError('UnknownOperationException', message, 400, {
    typeName: 'com.amazon.coral.service#UnknownOperationException',
    messageKey: 'Message',
  });
}
