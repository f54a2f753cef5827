/**
 * Turning AWS errors into Temporal failures: errors that retrying cannot fix become non-retryable
 * ApplicationFailures that say what is needed, so the report can name the missing permission.
 */
import { ApplicationFailure } from '@temporalio/common';

/** Error names that no retry will fix, with what the caller must do about them. */
const NON_RETRYABLE: Record<string, string> = {
  AccessDeniedException: 'access denied',
  AccessDenied: 'access denied',
  UnauthorizedOperation: 'access denied',
  // EC2 and other services answer AuthFailure in a Region that is not enabled for the account (opt-in Regions).
  AuthFailure: 'AWS could not validate the credentials in this Region',
  UnrecognizedClientException: 'the AWS credentials are not valid',
  InvalidClientTokenId: 'the AWS credentials are not valid',
  ExpiredTokenException: 'the AWS credentials have expired',
  ValidationException: 'AWS rejected the request',
  InvalidParameterValue: 'AWS rejected the request',
  DataUnavailableException: 'Cost Explorer has no data for this period',
  BillExpirationException: 'the requested period is older than Cost Explorer keeps',
  OptInRequiredException: 'the service needs to be enabled (opt-in required)',
  SubscriptionRequiredException: 'a Business, Enterprise On-Ramp or Enterprise support plan is required',
  UnknownOperationException: 'the endpoint does not support this operation',
};

export const FAILURE_TYPE = {
  accessDenied: 'AccessDenied',
  invalidRequest: 'InvalidRequest',
  dataUnavailable: 'DataUnavailable',
  subscriptionRequired: 'SubscriptionRequired',
  optInRequired: 'OptInRequired',
  regionNotEnabled: 'RegionNotEnabled',
  credentials: 'InvalidCredentials',
} as const;

/** What the caller must grant or buy before the call can succeed; the report says "skipped: needs ...". */
const NEEDS: Partial<Record<string, (action: string) => string>> = {
  [FAILURE_TYPE.accessDenied]: (action) => `IAM permission ${action}`,
  [FAILURE_TYPE.subscriptionRequired]: () => 'a Business, Enterprise On-Ramp or Enterprise support plan',
  [FAILURE_TYPE.optInRequired]: (action) => `the service behind ${action} to be enabled (opt-in)`,
  [FAILURE_TYPE.regionNotEnabled]: () => 'the Region to be enabled for the account (or credentials valid in it)',
};

/** Details carried by the failures this module creates; the workflow reads `needs`. */
export interface AwsFailureDetails {
  action: string;
  awsError: string;
  needs?: string;
}

function failureType(name: string): string {
  if (name === 'AuthFailure') return FAILURE_TYPE.regionNotEnabled;
  if (name.startsWith('Access') || name === 'UnauthorizedOperation') return FAILURE_TYPE.accessDenied;
  if (name.includes('Token') || name === 'UnrecognizedClientException') return FAILURE_TYPE.credentials;
  if (name === 'SubscriptionRequiredException') return FAILURE_TYPE.subscriptionRequired;
  if (name === 'OptInRequiredException') return FAILURE_TYPE.optInRequired;
  if (name === 'DataUnavailableException' || name === 'BillExpirationException') return FAILURE_TYPE.dataUnavailable;
  return FAILURE_TYPE.invalidRequest;
}

/**
 * Rethrow an AWS SDK error from `action` (e.g. "ce:GetCostAndUsage") in the form Temporal should see.
 * Retryable errors (throttling, 5xx, network) are rethrown as they are, for the activity's retry policy.
 */
export function toActivityFailure(err: unknown, action: string): Error {
  const name = err instanceof Error ? err.name : '';
  const what = NON_RETRYABLE[name];
  if (!what) return err instanceof Error ? err : new Error(String(err));
  const message = err instanceof Error ? err.message : String(err);
  const type = failureType(name);
  const needs = NEEDS[type]?.(action);
  return ApplicationFailure.create({
    message: `${action}: ${what}${needs ? ` (needs ${needs})` : ''}: ${message}`,
    type,
    nonRetryable: true,
    details: [{ action, awsError: name, ...(needs ? { needs } : {}) } satisfies AwsFailureDetails],
  });
}
